//! TRS WCM list paging: `createPageHTML(total, current, "index", "html")`
//! (page 0 is index.html, then index_1.html … index_{total-1}.html). Every
//! later page is returned from page 0 at once; later pages return nothing,
//! so no page is requested twice.

use std::sync::LazyLock;

use regex::Regex;
use url::Url;

use super::NextRequest;

static CREATE_PAGE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r#"createPageHTML\s*\(\s*([\w$.]+)\s*,\s*([\w$.]+)\s*,\s*["']([\w\-]*)["']\s*,\s*["']([\w]+)["']"#,
    )
    .expect("static regex")
});

/// Value of a numeric argument: a literal or a `var name = N` in the scripts.
fn arg(scripts: &str, a: &str) -> Option<u32> {
    if let Ok(n) = a.parse() {
        return Some(n);
    }
    let re = Regex::new(&format!(r"\b{}\s*=\s*(\d+)", regex::escape(a))).ok()?;
    re.captures(scripts)?[1].parse().ok()
}

/// `Some(requests)` when the page is TRS-paginated (possibly none to make:
/// a later page, or a single page); `None` when it is not.
pub(crate) fn next_pages(scripts: &str, base: &Url) -> Option<Vec<NextRequest>> {
    if !scripts.contains("createPageHTML") {
        return None;
    }
    let c = CREATE_PAGE.captures(scripts)?;
    let total = arg(scripts, &c[1])?;
    let current = arg(scripts, &c[2])?;
    let (name, ext) = (&c[3], &c[4]);
    if current != 0 {
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
