//! URL normalisation as contract.md fixes it: absolute, scheme and host lower
//! case, no fragment, default port dropped. Every URL stored in the site model
//! and the report goes through here, so "each distinct URL once" holds.

use url::Url;

/// Normalise a parsed URL (drops the fragment and an empty query).
pub fn normalize(url: &Url) -> String {
    let mut u = url.clone();
    u.set_fragment(None);
    if u.query() == Some("") {
        u.set_query(None);
    }
    // `url` already lower-cases scheme and host and drops default ports.
    u.into()
}

/// Resolve `href` against `base` and normalise it. Returns `None` for empty
/// hrefs, unparsable ones and non-fetchable schemes (mailto:, tel:,
/// javascript:, data: …).
pub fn resolve(base: &Url, href: &str) -> Option<Url> {
    let href = href.trim();
    if href.is_empty() || href.starts_with('#') {
        return None;
    }
    let lower = href.get(..11).unwrap_or(href).to_ascii_lowercase();
    if ["mailto:", "tel:", "javascript:", "data:", "sms:", "about:"]
        .iter()
        .any(|s| lower.starts_with(s))
    {
        return None;
    }
    let mut u = base.join(href).ok()?;
    if u.scheme() != "http" && u.scheme() != "https" {
        return None;
    }
    u.set_fragment(None);
    if u.query() == Some("") {
        u.set_query(None);
    }
    Some(u)
}

/// `host[:port]` key used for per-host politeness.
pub fn host_key(url: &Url) -> String {
    match (url.host_str(), url.port()) {
        (Some(h), Some(p)) => format!("{h}:{p}"),
        (Some(h), None) => h.to_string(),
        _ => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalises_case_port_fragment() {
        let u = Url::parse("HTTP://Www.Example.GOV.cn:80/a/B.html?x=1#frag").unwrap();
        assert_eq!(normalize(&u), "http://www.example.gov.cn/a/B.html?x=1");
        let u = Url::parse("https://a.gov.cn:443/?").unwrap();
        assert_eq!(normalize(&u), "https://a.gov.cn/");
        let u = Url::parse("http://127.0.0.1:8080/x").unwrap();
        assert_eq!(normalize(&u), "http://127.0.0.1:8080/x");
    }

    #[test]
    fn resolve_skips_non_http() {
        let base = Url::parse("http://a.gov.cn/col/index.html").unwrap();
        assert_eq!(
            resolve(&base, "../x.html#p").unwrap().as_str(),
            "http://a.gov.cn/x.html"
        );
        for skip in [
            "mailto:a@b.cn",
            "tel:123",
            "javascript:void(0)",
            "JavaScript:;",
            "#top",
            "",
            "ftp://x/",
        ] {
            assert!(resolve(&base, skip).is_none(), "{skip}");
        }
    }
}
