//! Column candidates from the site's navigation: links in menus, headers and
//! sidebars whose name classifies as a column or whose URL looks like a
//! column (`/col/colNNN/`, `/tzgg/`, `…/index.html`), plus the headings of
//! homepage blocks with their "more" links. Body links are not candidates.

use std::sync::LazyLock;

use regex::Regex;
use url::Url;

use super::dom::char_len;
use super::{ColumnClassifier, ListBlock, NavEntry};
use crate::site::{LinkArea, PageLink};

static COLUMN_URL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)(?:/col/col\d+/|/$|/(?:index|list|default|more)(?:_\d+)?\.(?:s?html?|jsp|aspx?|php)$)",
    )
    .expect("static regex")
});
static COLUMN_QUERY: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)(?:^|&)(?:columnid|channelid|colid|catid|classid|lmid|col|cid|typeid)=\d")
        .expect("static regex")
});
static ARTICLE_URL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)(?:/t\d{8}_\d+|/art/\d{4}/|/content_\d+|\.(?:pdf|docx?|xlsx?|wps|ofd|zip|rar|jpg|png)$)")
        .expect("static regex")
});

/// A URL shaped like a column list page.
pub(crate) fn is_column_url(u: &Url) -> bool {
    let path = u.path();
    if path == "/" || path.is_empty() || ARTICLE_URL.is_match(path) {
        return false;
    }
    if path.ends_with("/index.html") && path.matches('/').count() <= 1 {
        // The site root's index page is the homepage.
        return false;
    }
    COLUMN_URL.is_match(path) || u.query().is_some_and(|q| COLUMN_QUERY.is_match(q))
}

/// A URL that looks like an item (article) page: not a column, not the
/// site root, not an attachment.
pub(crate) fn is_article_url(u: &Url) -> bool {
    static ATTACHMENT: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"(?i)\.(?:pdf|docx?|xlsx?|pptx?|wps|ofd|zip|rar|7z|jpe?g|png|gif|mp4|txt)$")
            .expect("static regex")
    });
    let path = u.path();
    if path == "/" || ATTACHMENT.is_match(path) {
        return false;
    }
    ARTICLE_URL.is_match(path) || !is_column_url(u)
}

fn clean_name(t: &str) -> String {
    t.trim_matches(|c: char| {
        c.is_whitespace() || matches!(c, '>' | '》' | '·' | '|' | '■' | '●' | '+' | '-')
    })
    .to_string()
}

/// Navigation entries of a page, in document order, one per URL.
pub(crate) fn entries(
    links: &[PageLink],
    blocks: &[ListBlock],
    page: &Url,
    classifier: &ColumnClassifier,
) -> Vec<NavEntry> {
    let mut out: Vec<NavEntry> = Vec::new();
    let mut seen: std::collections::HashSet<String> = std::collections::HashSet::new();
    let page_norm = crate::urlnorm::normalize(page);
    let home_urls: Vec<&str> = links
        .iter()
        .filter(|l| {
            l.tag == "a" && matches!(l.text.trim(), "首页" | "网站首页" | "返回首页" | "主页")
        })
        .map(|l| l.url.as_str())
        .collect();
    // `url` is already normalised (links) or is normalised here (more links).
    let mut push = |name: String, norm: String| {
        let n = char_len(&name);
        if !(2..=16).contains(&n) || classifier.is_ignored(&name) || seen.contains(&norm) {
            return;
        }
        // The homepage (where 首页 points; the logo links there too) is no column.
        if home_urls.contains(&norm.as_str()) {
            return;
        }
        let Ok(url) = Url::parse(&norm) else { return };
        if (norm == page_norm && url.path() == "/") || ARTICLE_URL.is_match(url.path()) {
            return;
        }
        if classifier.classify_by_keyword(&name).is_none() && !is_column_url(&url) {
            return;
        }
        seen.insert(norm);
        out.push(NavEntry { name, url });
    };
    for l in links {
        if l.area == LinkArea::Nav && l.tag == "a" {
            push(clean_name(&l.text), l.url.clone());
        }
    }
    for b in blocks {
        if let (Some(h), Some(m)) = (&b.heading, &b.more) {
            push(clean_name(h), crate::urlnorm::normalize(m));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn col(s: &str) -> bool {
        is_column_url(&Url::parse(s).unwrap())
    }

    #[test]
    fn column_looking_urls() {
        assert!(col("http://a.gov.cn/col/col1229/index.html"));
        assert!(col("http://a.gov.cn/tzgg/"));
        assert!(col("http://a.gov.cn/zwdt/index.html"));
        assert!(col("http://a.gov.cn/xxgk/zcwj/index.shtml"));
        assert!(col("http://a.gov.cn/list.jsp?columnid=12"));
        assert!(!col("http://a.gov.cn/"));
        assert!(!col("http://a.gov.cn/index.html"), "the homepage");
        assert!(!col("http://a.gov.cn/tzgg/202611/t20261103_1.html"));
        assert!(!col("http://a.gov.cn/art/2026/11/3/art_1_2.html"));
        assert!(!col("http://a.gov.cn/files/a.pdf"));
        assert!(!col("http://a.gov.cn/news/show.aspx?id=12"));
    }

    #[test]
    fn article_urls() {
        let a = |s: &str| is_article_url(&Url::parse(s).unwrap());
        assert!(a("http://a.gov.cn/gk/content/post_1.html"));
        assert!(a("http://a.gov.cn/tzgg/202611/t20261103_1.html"));
        assert!(!a("http://a.gov.cn/tzgg/"));
        assert!(!a("http://a.gov.cn/files/a.pdf"));
        assert!(!a("http://a.gov.cn/"));
    }
}
