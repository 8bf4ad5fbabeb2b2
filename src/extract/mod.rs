//! The only code that knows HTML: charset decoding, page text and links,
//! column lists in the CMS styles real government sites use (plain lists and
//! tables, 大汉 JCMS datastores, TRS WCM `createPageHTML`, 政府信息公开目录
//! tables), dates, pagination and navigation.
//!
//! Everything here is pure: bytes or text in, data out. The crawler decides
//! what to fetch next from what these functions return.
//!
//! Layout: `decode` (charsets), `dates`, `dom` (text, areas, headings),
//! `page` (the one walk over a parsed document), `lists` (dated rows in
//! lists and tables), `jcms` (大汉 datastores, dataproxy paging), `trs`
//! (createPageHTML paging), `nav` (column candidates), `classify` (column
//! classes from rules/column-classes.toml), `annual_report` (the tables and
//! sections of 政府信息公开工作年度报告, read from page text), `sniff`
//! (markup or not, soft redirects, error-page URLs, script navigation).

pub mod annual_report;
mod classify;
mod content;
mod dates;
mod decode;
mod depth;
mod dom;
mod facts;
mod jcms;
mod lists;
mod messages;
mod nav;
mod page;
mod sniff;
mod trs;

#[cfg(test)]
mod tests;

use std::sync::LazyLock;

use chrono::NaiveDate;
use regex::Regex;
use url::Url;

use crate::site::{Item, LinkArea, PageFacts, PageLink};

pub use classify::{ClassifierError, ColumnClassifier};
pub use content::{
    han_chars, judge_column, settle_template_text, DateFrom, FormKind, PageContent,
    EMPTY_LIST_OVERRULED_CHARS, SINGLE_PAGE_MIN_CHARS,
};
pub use dates::{find_date, find_dates, year_from_url};
pub use facts::STANDARD_META;
pub use sniff::{
    is_error_page_url, looks_like_markup, reads_as_challenge, reads_as_error_page,
    redirect_to_error_page, soft_redirect,
};

/// A decoded HTML (or XML) document.
#[derive(Debug, Clone, PartialEq)]
pub struct Decoded {
    /// The decoded text.
    pub text: String,
    /// Encoding name used, e.g. "UTF-8", "GBK", "UTF-16LE".
    pub charset: String,
}

/// Decode a response body: charset from the Content-Type header, else BOM,
/// else `<meta charset>` / http-equiv, else detection; a declared charset
/// that contradicts the bytes (UTF-16 bytes declared gb2312) still decodes.
pub fn decode(bytes: &[u8], content_type: Option<&str>) -> Decoded {
    decode::decode(bytes, content_type)
}

/// [`decode`], with how the charset was decided ("Content-Type header",
/// "<meta> charset", "byte order mark", "undeclared, detected (chardetng)" …).
pub fn decode_explained(bytes: &[u8], content_type: Option<&str>) -> (Decoded, &'static str) {
    decode::decode_explained(bytes, content_type)
}

/// How to fetch a further page of a list.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub enum NextRequest {
    /// A plain GET (下一页 link, TRS `index_N.html`).
    Get(Url),
    /// A form POST (大汉 JCMS `dataproxy.jsp` with startrecord/endrecord/perpage).
    PostForm {
        /// The dataproxy URL.
        url: Url,
        /// The form fields, in order.
        form: Vec<(String, String)>,
    },
}

impl NextRequest {
    /// The URL requested (for dedup and logging).
    pub fn url(&self) -> &Url {
        match self {
            NextRequest::Get(u) => u,
            NextRequest::PostForm { url, .. } => url,
        }
    }

    /// A key unique per distinct request (URL plus form body).
    pub fn key(&self) -> String {
        match self {
            NextRequest::Get(u) => u.to_string(),
            NextRequest::PostForm { url, form } => {
                let body: Vec<String> = form.iter().map(|(k, v)| format!("{k}={v}")).collect();
                format!("POST {url} {}", body.join("&"))
            }
        }
    }
}

/// A list of dated items found on a page (a column list, or one of the
/// homepage's news / notice blocks).
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct ListBlock {
    /// Heading of the block (homepage blocks: 通知公告, 工作动态 …).
    pub heading: Option<String>,
    /// "More" link of a homepage block (更多 / more), pointing at its column.
    pub more: Option<Url>,
    /// The block's dated rows, in page order.
    pub items: Vec<Item>,
    /// "html-list", "html-table", "jcms", "trs", "gkml-table", or
    /// "single-page": a page showing one text (机构职能 …) whose one item is
    /// the page itself, dated by its own publish date.
    pub style: String,
}

/// A navigation entry that may be a column (栏目).
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct NavEntry {
    /// Anchor text, trimmed.
    pub name: String,
    /// Absolute target.
    pub url: Url,
}

/// Everything the crawler and the rules need from one HTML page.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct ParsedPage {
    /// Page title (article heading, else `<title>`).
    pub title: String,
    /// Article publish date (发布日期 / 生成日期 / 成文日期 / 发布时间, `<meta name="PubDate">`, Maketime).
    pub date: Option<NaiveDate>,
    /// Main text without navigation and footer.
    pub text: String,
    /// All links (a, img, script, link, iframe), labelled by area and section.
    pub links: Vec<PageLink>,
    /// Navigation entries (column candidates), in document order: links in
    /// menus / headers / sidebars whose name has a column keyword or whose URL
    /// looks like a column, then homepage block headings with their more
    /// links. Never the homepage itself, hub menus (政务公开) or furniture.
    pub nav: Vec<NavEntry>,
    /// Item lists on the page: for a column list page, its list (a JCMS
    /// datastore first); for a homepage, its dated blocks. Lists of titles
    /// without dates count when their links are this host's article pages.
    pub lists: Vec<ListBlock>,
    /// Further pages of this page's list, in order: the 下一页 link; every
    /// TRS `index_N` page from the first page only; every JCMS dataproxy
    /// group after the records shown.
    pub next_pages: Vec<NextRequest>,
    /// The list area shows an empty-list placeholder (暂无信息 / 暂无数据 /
    /// 正在建设中 …) in a short element, and the page has no list items.
    pub placeholder: bool,
    /// Site-standard facts and 信息公开 metadata fields (see [`PageFacts`]).
    pub facts: PageFacts,
    /// The page's own text, date, forms and entrances (see
    /// [`PageContent`]); measured only on pages without list items.
    pub content: PageContent,
    /// Message-board messages the page shows (`messages.rs`).
    pub messages: Vec<crate::site::Message>,
    /// The page nested deeper than [`MAX_PARSE_DEPTH`] and was read only
    /// up to there (html5ever is quadratic in depth).
    pub cut_deep: bool,
}

pub use depth::MAX_DEPTH as MAX_PARSE_DEPTH;

/// Date-field labels, most trusted first (see `label_rank`).
const DATE_LABELS: [&str; 6] = [
    "发布日期",
    "发布时间",
    "生成日期",
    "公开日期",
    "成文日期",
    "发文日期",
];

/// Labelled publish-date fields in page text. Real 信息公开 templates pad
/// labels to one width with spaces between the characters (`发 布 日 期：`,
/// `索 引 号：`), so a space may separate each character of a label.
static DATE_FIELD: LazyLock<Regex> = LazyLock::new(|| {
    let labels: Vec<String> = DATE_LABELS
        .iter()
        .map(|l| l.chars().map(String::from).collect::<Vec<_>>().join(r"\s?"))
        .collect();
    Regex::new(&format!(
        r"({})\s*[:：]?\s*[\[(（【]?\s*(\d{{4}}\s*[-/.年]\s*\d{{1,2}}\s*[-/.月]\s*\d{{1,2}})",
        labels.join("|")
    ))
    .expect("static regex")
});

/// `日期：2026-11-03` / `时间：2026-11-03` starting a field.
static BARE_DATE_FIELD: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?:^|[\s|｜】\]])(?:日期|时间)\s*[:：]\s*(\d{4}\s*[-/.年]\s*\d{1,2}\s*[-/.月]\s*\d{1,2})",
    )
    .expect("static regex")
});

fn label_rank(label: &str) -> u8 {
    let label: String = label.chars().filter(|c| !c.is_whitespace()).collect();
    match label.as_str() {
        "发布日期" | "发布时间" => 0,
        "生成日期" | "公开日期" => 1,
        "成文日期" => 2,
        _ => 3,
    }
}

/// Publish date of an article: a visible 发布日期 / 发布时间 field, else
/// `<meta name="PubDate">`, else the best other labelled field in the text
/// (生成日期, 成文日期 …), else `<meta name="Maketime">`; with where it was
/// read.
///
/// The visible publish date comes first because real CMS templates (开普云,
/// 大汉 site groups) fill PubDate with the time the page was last generated
/// (`页面生成时间`): a 2017 article republished in 2022 carries PubDate
/// 2022-04-24 beside 发布日期：2017-05-15, and the clerk reads the latter.
/// The document dates (成文日期, 发文日期) stay below PubDate: they date
/// the document, not its publication.
fn page_date(
    meta_pub: Option<&str>,
    text: &str,
    meta_make: Option<&str>,
) -> Option<(NaiveDate, DateFrom)> {
    let from_meta = |m: Option<&str>| m.and_then(|m| parse_date(m, None).or_else(|| find_date(m)));
    let best = DATE_FIELD
        .captures_iter(text)
        .filter_map(|c| {
            let d = parse_date(&c[2], None)?;
            Some((label_rank(c.get(1)?.as_str()), d))
        })
        .min_by_key(|(r, _)| *r);
    if let Some((0, d)) = best {
        return Some((d, DateFrom::Label));
    }
    if let Some(d) = from_meta(meta_pub) {
        return Some((d, DateFrom::Meta));
    }
    let best = best.map(|(_, d)| d);
    best.or_else(|| {
        // A bare 日期： / 时间： label, only where it starts a field (not
        // 报名时间 / 截止日期 inside the text).
        BARE_DATE_FIELD
            .captures(text)
            .and_then(|c| parse_date(&c[1], None))
    })
    .map(|d| (d, DateFrom::Label))
    .or_else(|| from_meta(meta_make).map(|d| (d, DateFrom::Meta)))
}

/// A block heading that names links to other pages about this one: 相关链接,
/// 相关解读, 关联稿件, 延伸阅读 … (not a list of the page's own).
fn is_related_block(heading: Option<&str>) -> bool {
    let Some(h) = heading else { return false };
    let h = h.trim();
    h.chars().count() <= 6
        && (h.starts_with("相关")
            || h.starts_with("关联")
            || matches!(h, "延伸阅读" | "推荐阅读" | "相关阅读"))
}

/// Parse an HTML page fetched from `url`.
pub fn parse_page(url: &Url, html: &str) -> ParsedPage {
    let (html, cut_deep) = depth::capped(html);
    let doc = scraper::Html::parse_document(html);
    let w = page::Walk::run(&doc, url);
    let base = w.base.clone();
    let mut links = w.links;
    let mut raw_blocks = w.blocks;
    let mut placeholder = w.placeholder_seen;
    let mut next_pages = Vec::new();

    // 大汉 JCMS datastores.
    let mut stores = Vec::new();
    for ds in &w.datastores {
        if let Some(mut st) = jcms::parse_store(&ds.xml, &base) {
            let section = ds.section.map(|i| w.sections[i].clone());
            for (u, text, tag) in std::mem::take(&mut st.links) {
                links.push(PageLink {
                    url: crate::urlnorm::normalize(&u),
                    text,
                    area: ds.area,
                    section: section.as_ref().map(|s| s.text.clone()),
                    tag: tag.to_string(),
                });
            }
            if let Some(s) = section {
                st.block.heading = Some(s.text);
                st.block.more = s.more;
            }
            placeholder |= st.placeholder;
            stores.push(st);
        }
    }
    let paged = stores.iter().filter(|s| s.nextgroup.is_some()).count();
    for st in &stores {
        if st.nextgroup.is_some() || (paged == 0 && stores.len() == 1) {
            next_pages.extend(jcms::next_requests(st, &w.scripts, &base));
        }
    }
    // JCMS lists first: on a column page the datastore is the column's list.
    let html_blocks = std::mem::take(&mut raw_blocks);
    raw_blocks.extend(stores.into_iter().map(|s| s.block));
    raw_blocks.extend(html_blocks);

    // TRS paging, else a plain 下一页 link.
    let trs_pages = trs::next_pages(&w.scripts, &base);
    let is_trs = trs_pages.is_some();
    if let Some(p) = trs_pages {
        next_pages.extend(p);
    } else if next_pages.is_empty() {
        next_pages.extend(next_link(&links, url));
    }

    // Year context for bare month-day dates.
    let mut page_latest = raw_blocks
        .iter()
        .flat_map(|b| &b.items)
        .filter_map(|i| match i.date {
            lists::RawDate::Full(d) => Some(d),
            _ => None,
        })
        .max();
    let has_bare = raw_blocks
        .iter()
        .flat_map(|b| &b.items)
        .any(|i| matches!(i.date, lists::RawDate::Bare(..)));
    if has_bare && page_latest.is_none() {
        page_latest = find_dates(&w.body_text.s).into_iter().max();
    }
    let lists: Vec<ListBlock> = raw_blocks
        .into_iter()
        .map(|b| {
            let items = lists::finish_items(b.items, page_latest);
            let style = if b.style == "html-list"
                && (is_trs
                    || items
                        .iter()
                        .filter(|i| i.url.as_deref().is_some_and(trs::is_trs_item))
                        .count()
                        * 2
                        > items.len())
            {
                "trs"
            } else {
                b.style
            };
            ListBlock {
                heading: b.heading,
                more: b.more,
                items,
                style: style.to_string(),
            }
        })
        .collect();
    if lists.iter().any(|b| !b.items.is_empty()) {
        placeholder = false;
    }

    let body_text = w.body_text.finish();
    let dated = page_date(
        w.meta_pubdate.as_deref(),
        &body_text,
        w.meta_maketime.as_deref(),
    );
    let date = dated.map(|(d, _)| d);
    let content = w.content.iter().map(|(p, _)| *p).max().and_then(|best| {
        w.content
            .iter()
            .filter(|(p, _)| *p == best)
            .map(|(_, el)| dom::text_of(*el, true))
            .filter(|t| dom::char_len(t) >= 10)
            .max_by_key(|t| t.len())
    });
    let article_like = date.is_some() || w.content.iter().any(|(p, _)| *p >= 3);
    let title = w
        .meta_title
        .or(w.article_title)
        .or(if article_like { w.h1 } else { None })
        .unwrap_or_else(|| {
            if article_like {
                strip_site_suffix(&w.title_tag)
            } else {
                w.title_tag
            }
        });
    let has_body_container = w.content.iter().any(|(p, _)| *p >= 3);
    let text = content.unwrap_or_else(|| body_text.clone());
    let mut lists = lists;
    // A single-page column (单页栏目: 机构职能, 领导信息 …) shows its content
    // in a dated article body instead of a list: the page itself is its one
    // item, so a written page is not an empty column. The publish date is
    // required so a navigation-hub homepage with some body text stays a hub.
    // Its 相关稿件 / 关联文件 / 相关链接 blocks point elsewhere: they are no
    // list of the page (a 机构职能 page with one dated 相关稿件 link is still
    // a single page dated by itself, not a list of that link).
    if lists.iter().all(|b| is_related_block(b.heading.as_deref()))
        && !placeholder
        && date.is_some()
        && has_body_container
        && dom::char_len(&text) >= 50
    {
        lists.clear();
        lists.push(ListBlock {
            heading: None,
            more: None,
            items: vec![Item {
                title: title.clone(),
                url: Some(crate::urlnorm::normalize(url)),
                date,
                date_source: crate::site::DateSource::Page,
            }],
            style: "single-page".into(),
        });
    }
    let nav = nav::entries(&links, &lists, &base, ColumnClassifier::builtin());
    let stores: Vec<&str> = w.datastores.iter().map(|d| d.xml.as_str()).collect();
    let messages = messages::read(&doc, &base, &body_text, &stores);
    let facts = facts::page_facts(&doc, &links);
    // Own text is only needed where a list is not: a column page without
    // items may be a single page, a channel or empty. A dated text in a
    // body container (an article, or a dated single page) is already its own
    // item: its body text stands for its own text, without a second walk.
    let content = if lists.iter().all(|b| b.items.is_empty()) {
        let mut c = content::analyse(&doc, &base, &body_text, dated);
        c.empty_list |= !lists.is_empty();
        c
    } else if lists.iter().any(|b| b.style == "single-page") {
        PageContent {
            own_chars: han_chars(&text),
            excerpt: text.chars().take(80).collect(),
            date,
            date_from: dated.map(|(_, f)| f),
            url: crate::urlnorm::normalize(&base),
            ..Default::default()
        }
    } else {
        PageContent::default()
    };
    ParsedPage {
        title,
        date,
        text,
        links,
        nav,
        lists,
        next_pages,
        placeholder,
        facts,
        content,
        messages,
        cut_deep,
    }
}

/// A URL shaped like an article page (`t20261103_1.html`, `/art/2026/…`,
/// `content_12.html`, or simply not a column list's URL).
pub fn looks_like_article_url(u: &Url) -> bool {
    nav::is_article_url(u)
}

/// The own-text analysis of any page (`govaudit inspect` shows it for list
/// pages too).
pub fn page_content(url: &Url, html: &str) -> PageContent {
    let (html, _) = depth::capped(html);
    let doc = scraper::Html::parse_document(html);
    let w = page::Walk::run(&doc, url);
    let base = w.base.clone();
    let body_text = w.body_text.finish();
    let dated = page_date(
        w.meta_pubdate.as_deref(),
        &body_text,
        w.meta_maketime.as_deref(),
    );
    content::analyse(&doc, &base, &body_text, dated)
}

/// `关于…的通知_政策文件_某某区人民政府` → `关于…的通知`: CMS templates append
/// column and site names to an article's `<title>` after `_` or ` - `.
fn strip_site_suffix(title: &str) -> String {
    let cut = [" - ", " | ", "_", "｜"]
        .iter()
        .filter_map(|sep| title.find(sep))
        .min();
    match cut {
        Some(i) if dom::char_len(title[..i].trim()) >= 6 => title[..i].trim().to_string(),
        _ => title.to_string(),
    }
}

/// The 下一页 link of a plain paginated list, unless it points back here.
fn next_link(links: &[PageLink], url: &Url) -> Option<NextRequest> {
    let here = crate::urlnorm::normalize(url);
    links
        .iter()
        .filter(|l| l.tag == "a" && l.area != LinkArea::Footer && l.url != here)
        .find(|l| {
            // Pager buttons are widened with spaces (下&nbsp;一&nbsp;页) and
            // decorated with arrows or brackets.
            let t: String = l.text.chars().filter(|c| !c.is_whitespace()).collect();
            let t = t.trim_matches(['>', '》', '›', '»', '[', ']', '【', '】', '<', '«']);
            t == "下一页" || t == "下页" || t == "下一頁" || t.eq_ignore_ascii_case("next")
        })
        .and_then(|l| Url::parse(&l.url).ok())
        .map(NextRequest::Get)
}

/// Parse a JCMS `dataproxy.jsp` answer (an XML datastore) requested by a
/// [`NextRequest::PostForm`]: its items (and nothing else).
pub fn parse_list_fragment(url: &Url, body: &str) -> ParsedPage {
    let Some(st) = jcms::parse_store(body, url) else {
        // Not a datastore: read it as HTML, without following its paging.
        let mut p = parse_page(url, body);
        p.next_pages.clear();
        return p;
    };
    let links = st
        .links
        .iter()
        .map(|(u, text, tag)| PageLink {
            url: crate::urlnorm::normalize(u),
            text: text.clone(),
            area: LinkArea::Body,
            section: None,
            tag: tag.to_string(),
        })
        .collect();
    let items: Vec<Item> = lists::finish_items(st.block.items, None);
    ParsedPage {
        placeholder: st.placeholder && items.is_empty(),
        lists: vec![ListBlock {
            heading: None,
            more: None,
            items,
            style: "jcms".into(),
        }],
        links,
        ..Default::default()
    }
}

/// Parse a date as written on government pages (2026-11-03, 2026/11/03,
/// 2026.11.03, 2026年11月3日, [2026-11-03], (2026-11-03 09:30:00)); `year_hint`
/// supplies the year of a bare 11-03 / 11月3日. Impossible dates are `None`.
pub fn parse_date(s: &str, year_hint: Option<i32>) -> Option<NaiveDate> {
    dates::parse_date(s, year_hint)
}
