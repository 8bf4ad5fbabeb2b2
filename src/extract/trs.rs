//! TRS WCM list paging: `createPageHTML(total, current, "index", "html")`
//! (page 0 is index.html, then index_1.html … index_{total-1}.html), and the
//! newer `createPageHTML('page_div', total, current, 'index', 'shtml', rows)`
//! whose current page counts from 1. Every later page is returned from the
//! first page at once; later pages return nothing, so no page is requested
//! twice.

use std::sync::LazyLock;

use regex::Regex;
use url::Url;

use super::NextRequest;

static CREATE_PAGE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r#"createPageHTML\s*\(\s*(["'][^"']*["']\s*,\s*)?([\w$.]+)\s*,\s*([\w$.]+)\s*,\s*["']([\w\-]*)["']\s*,\s*["']([\w]+)["']"#,
    )
    .expect("static regex")
});

/// Value of a numeric argument: a literal or a `var name = N` in the scripts.
fn arg(scripts: &str, a: &str) -> Option<u32> {
    if let Ok(n) = a.parse() {
        return Some(n);
    }
    static ASSIGN: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"([\w$.]+)\s*=\s*(\d+)").expect("static regex"));
    ASSIGN
        .captures_iter(scripts)
        .find(|c| &c[1] == a)
        .and_then(|c| c[2].parse().ok())
}

/// `Some(requests)` when the page is TRS-paginated (possibly none to make:
/// a later page, or a single page); `None` when it is not.
pub(crate) fn next_pages(scripts: &str, base: &Url) -> Option<Vec<NextRequest>> {
    if !scripts.contains("createPageHTML") {
        return None;
    }
    let c = CREATE_PAGE.captures(scripts)?;
    let total = arg(scripts, &c[2])?;
    let current = arg(scripts, &c[3])?;
    let (name, ext) = (&c[4], &c[5]);
    // The variant with a div id first counts pages from 1.
    let first = if c.get(1).is_some() {
        current <= 1
    } else {
        current == 0
    };
    if !first {
        return Some(Vec::new());
    }
    Some(
        (1..total.min(10_000))
            .filter_map(|i| base.join(&format!("{name}_{i}.{ext}")).ok())
            .map(NextRequest::Get)
            .collect(),
    )
}

/// TRS item URL (`./202611/t20261103_123.html`).
pub(crate) fn is_trs_item(url: &str) -> bool {
    static ITEM: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"/t\d{8}_\d+\.s?html?").expect("static regex"));
    ITEM.is_match(url)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn urls(r: Option<Vec<NextRequest>>) -> Option<Vec<String>> {
        r.map(|v| v.iter().map(|r| r.url().to_string()).collect())
    }

    #[test]
    fn classic_call_with_literals_or_variables() {
        let base = Url::parse("http://a.gov.cn/zwgk/tzgg/index.html").unwrap();
        assert_eq!(
            urls(next_pages(
                r#"createPageHTML(3, 0, "index", "html");"#,
                &base
            )),
            Some(vec![
                "http://a.gov.cn/zwgk/tzgg/index_1.html".to_string(),
                "http://a.gov.cn/zwgk/tzgg/index_2.html".to_string()
            ])
        );
        let s = "var countPage = 2//共多少页\nvar currentPage = 0;\ncreatePageHTML(countPage, currentPage, \"index\", \"shtml\");";
        assert_eq!(
            urls(next_pages(s, &base)),
            Some(vec!["http://a.gov.cn/zwgk/tzgg/index_1.shtml".to_string()])
        );
        // A later page and a single page ask for nothing.
        assert_eq!(
            urls(next_pages(
                r#"createPageHTML(3, 1, "index", "html");"#,
                &base
            )),
            Some(vec![])
        );
        assert_eq!(
            urls(next_pages(
                r#"createPageHTML(1, 0, "index", "html");"#,
                &base
            )),
            Some(vec![])
        );
        // The function's own definition is no call.
        let def = "function createPageHTML(_nPageCount, _nCurrIndex, _sPageName, _sPageExt){}";
        assert_eq!(urls(next_pages(def, &base)), None);
        assert_eq!(urls(next_pages("var x = 1;", &base)), None);
    }

    #[test]
    fn newer_call_with_div_id_counts_from_one() {
        let base = Url::parse("http://a.gov.cn/zcwj/").unwrap();
        let s = "createPageHTML('page_div',3, 1,'index','shtml',52);";
        assert_eq!(
            urls(next_pages(s, &base)),
            Some(vec![
                "http://a.gov.cn/zcwj/index_1.shtml".to_string(),
                "http://a.gov.cn/zcwj/index_2.shtml".to_string()
            ])
        );
        let s = "createPageHTML('page_div',3, 2,'index','shtml',52);";
        assert_eq!(urls(next_pages(s, &base)), Some(vec![]));
    }

    #[test]
    fn trs_item_urls() {
        assert!(is_trs_item(
            "http://a.gov.cn/tzgg/202611/t20261103_123.html"
        ));
        assert!(is_trs_item(
            "http://a.gov.cn/tzgg/202611/t20261103_123.shtml"
        ));
        assert!(!is_trs_item("http://a.gov.cn/art/2026/11/3/art_1_2.html"));
    }
}
