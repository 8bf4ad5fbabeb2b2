//! URL normalisation as contract.md fixes it: absolute, scheme and host lower
//! case, no fragment, default port dropped. Every URL stored in the site model
//! and the report goes through here, so "each distinct URL once" holds.

use url::Url;

/// Normalise a parsed URL (drops the fragment and an empty query, and
/// writes percent-escapes in upper case so `%e9` and `%E9` are one URL).
pub fn normalize(url: &Url) -> String {
    let mut u = url.clone();
    u.set_fragment(None);
    if u.query() == Some("") {
        u.set_query(None);
    }
    // `url` already lower-cases scheme and host and drops default ports.
    upper_escapes(u.into())
}

/// True when `s` holds a percent-escape with a lower-case hex digit.
fn has_lower_escape(s: &str) -> bool {
    s.as_bytes().windows(3).any(|w| {
        w[0] == b'%'
            && w[1].is_ascii_hexdigit()
            && w[2].is_ascii_hexdigit()
            && (w[1].is_ascii_lowercase() || w[2].is_ascii_lowercase())
    })
}

/// `%e4%b8%ad` → `%E4%B8%AD` (RFC 3986 §6.2.2.1: escapes are case-insensitive).
fn upper_escapes(s: String) -> String {
    if has_lower_escape(&s) {
        upper_escapes_unchecked(s)
    } else {
        s
    }
}

/// [`upper_escapes`] for a caller that has already checked there is work.
fn upper_escapes_unchecked(s: String) -> String {
    let mut out = s.into_bytes();
    let mut i = 0;
    while i + 2 < out.len() {
        if out[i] == b'%' && out[i + 1].is_ascii_hexdigit() && out[i + 2].is_ascii_hexdigit() {
            out[i + 1] = out[i + 1].to_ascii_uppercase();
            out[i + 2] = out[i + 2].to_ascii_uppercase();
            i += 3;
        } else {
            i += 1;
        }
    }
    String::from_utf8(out).expect("ASCII case change keeps UTF-8")
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
    if has_lower_escape(u.as_str()) {
        u = Url::parse(&upper_escapes_unchecked(u.into())).ok()?;
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
        // Percent-escapes in either case are one URL; Chinese paths get upper-case escapes.
        let a = Url::parse("http://a.gov.cn/%e9%80%9a%E7%9F%A5.html?q=%2f").unwrap();
        let b = Url::parse("http://a.gov.cn/%E9%80%9A%E7%9F%A5.html?q=%2F").unwrap();
        assert_eq!(normalize(&a), normalize(&b));
        assert_eq!(
            normalize(&a),
            "http://a.gov.cn/%E9%80%9A%E7%9F%A5.html?q=%2F"
        );
        let c = Url::parse("http://a.gov.cn/通知.html").unwrap();
        assert_eq!(normalize(&c), "http://a.gov.cn/%E9%80%9A%E7%9F%A5.html");
    }

    #[test]
    fn resolve_skips_non_http() {
        let base = Url::parse("http://a.gov.cn/col/index.html").unwrap();
        assert_eq!(
            resolve(&base, "../x.html#p").unwrap().as_str(),
            "http://a.gov.cn/x.html"
        );
        assert_eq!(
            resolve(&base, "/%e9%80%9a.html").unwrap().as_str(),
            "http://a.gov.cn/%E9%80%9A.html"
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
