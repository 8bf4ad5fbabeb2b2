//! Sniffing a response before (or instead of) parsing it: is it markup at
//! all, is it a page whose only job is to send the browser elsewhere (meta
//! refresh, a `location=` script), is a URL the name of an error page, and
//! the URL a script navigates to (shared with the page walk's anchors).

use std::sync::LazyLock;

use regex::Regex;
use url::Url;

/// A URL a script navigates to: `location.href='…'`, `location='…'`,
/// `location.replace('…')` / `.assign('…')`, and (group `open`)
/// `window.open('…')`.
static SCRIPT_NAV: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r#"(?:location(?:\.href)?\s*=\s*|location\.(?:replace|assign)\s*\(\s*|(?P<open>window\.open)\s*\(\s*)["'](?P<url>[^"']+)["']"#,
    )
    .expect("static regex")
});

/// The URL the first navigation in a script names (`location…` or
/// `window.open`), as written.
pub(crate) fn script_navigation(script: &str) -> Option<&str> {
    SCRIPT_NAV
        .captures(script)
        .and_then(|c| c.name("url"))
        .map(|m| m.as_str())
}

/// True when a response is HTML or XML: by its Content-Type when it has one
/// (unless the bytes read are plainly binary), else by its first bytes.
pub fn looks_like_markup(content_type: Option<&str>, body: &[u8]) -> bool {
    match content_type {
        Some(ct) => {
            let ct = ct.to_ascii_lowercase();
            (ct.contains("html") || ct.contains("xml")) && !binary(body)
        }
        None => {
            let head = &body[..body.len().min(512)];
            String::from_utf8_lossy(head).trim_start().starts_with('<')
        }
    }
}

/// Bytes no text page holds, whatever its Content-Type says (a file
/// served as text/html by a misconfigured server): NULs or other C0
/// controls in the first 1 KB, UTF-16 (whose ASCII has NULs) and
/// BOM-marked bodies aside.
fn binary(body: &[u8]) -> bool {
    let head = &body[..body.len().min(1024)];
    if head.is_empty()
        || encoding_rs::Encoding::for_bom(head).is_some()
        || super::decode::sniff_utf16(body).is_some()
    {
        return false;
    }
    let controls = head
        .iter()
        .filter(|&&b| b < 0x20 && !matches!(b, b'\t' | b'\n' | b'\r' | 0x0c | 0x1b))
        .count();
    controls * 100 > head.len() || head.contains(&0)
}

/// Statuses a web application firewall answers its challenge with (加速乐's
/// 521 included).
const CHALLENGE_STATUSES: [u16; 6] = [403, 412, 429, 503, 520, 521];

/// True when an answer is a web application firewall's JavaScript
/// challenge (创宇盾, 加速乐, 安全狗, Cloudflare …) rather than the page:
/// a refusal status and a short page that runs a script to set a cookie
/// and reload, or names the challenge. A browser passes it; a crawler sees
/// only the challenge, so the target is "blocked", not broken.
pub fn reads_as_challenge(status: u16, html: &str) -> bool {
    if !CHALLENGE_STATUSES.contains(&status) || html.len() > 64 * 1024 {
        return false;
    }
    let lower = html.to_ascii_lowercase();
    if !lower.contains("<script") {
        return false;
    }
    let sets_cookie_and_reloads = lower.contains("document.cookie")
        && (lower.contains("location.reload")
            || lower.contains("location.href")
            || lower.contains("location.replace")
            || lower.contains("location="));
    const MARKERS: [&str; 10] = [
        "__jsl_clearance",
        "__jsluid",
        "jschl",
        "cf-chl",
        "challenge-platform",
        "请开启javascript",
        "请启用javascript",
        "enable javascript",
        "安全狗",
        "创宇盾",
    ];
    sets_cookie_and_reloads || MARKERS.iter().any(|m| lower.contains(m))
}

/// The target of a page whose only job is to send the browser elsewhere:
/// `<meta http-equiv="refresh" content="0;url=…">` (5 s or less) or a small
/// page running `location.href = "…"` / `location.replace("…")`.
pub fn soft_redirect(base: &Url, html: &str) -> Option<Url> {
    static META: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(
            r#"(?is)<meta[^>]+http-equiv\s*=\s*["']?refresh["']?[^>]*content\s*=\s*["']?\s*(\d+)\s*[;,]\s*url\s*=\s*['"]?([^"'>\s]+)"#,
        )
        .expect("static regex")
    });
    if let Some(c) = META.captures(html) {
        // A refresh after a long wait is a page in its own right.
        if c[1].parse::<u32>().is_ok_and(|secs| secs <= 5) {
            return crate::urlnorm::resolve(base, &c[2]);
        }
    }
    // Only a near-empty page is a script redirect; a real page may well
    // set location.href in a click handler. A popup (window.open) sends
    // nobody away.
    if html.len() <= 4096 && visible_chars(html) <= 40 {
        let target = SCRIPT_NAV
            .captures_iter(html)
            .find(|c| c.name("open").is_none())
            .and_then(|c| c.name("url"))?;
        return crate::urlnorm::resolve(base, target.as_str());
    }
    None
}

/// Characters a reader would see (outside tags, scripts and styles).
fn visible_chars(html: &str) -> usize {
    static HIDDEN: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"(?is)<script.*?</script>|<style.*?</style>|<[^>]*>").expect("static regex")
    });
    HIDDEN
        .replace_all(html, "")
        .chars()
        .filter(|c| !c.is_whitespace())
        .count()
}

/// True when `u` names an error page servers redirect missing URLs to:
/// `/404.html`, `/404.aspx`, `/error.html`, `/notfound.jsp`, `/404/`, and
/// ASP.NET's `error.aspx?aspxerrorpath=/old.html`.
pub fn is_error_page_url(u: &Url) -> bool {
    if u.query()
        .is_some_and(|q| q.to_ascii_lowercase().contains("aspxerrorpath="))
    {
        return true;
    }
    let Some(segs) = u.path_segments() else {
        return false;
    };
    let segs: Vec<&str> = segs.filter(|s| !s.is_empty()).collect();
    if segs.contains(&"404") {
        return true;
    }
    let Some(last) = segs.last() else {
        return false;
    };
    let stem = last.split('.').next().unwrap_or("").to_ascii_lowercase();
    matches!(
        stem.as_str(),
        "404"
            | "404error"
            | "error404"
            | "error_404"
            | "error-404"
            | "404_error"
            | "404page"
            | "page404"
            | "err404"
            | "notfound"
            | "not_found"
            | "not-found"
            | "error"
            | "errorpage"
    )
}

/// True when an HTML page reads like a "not found" page: its `<title>` or
/// first `<h1>`–`<h3>` says 404, Not Found, 页面不存在, 找不到 … — a soft
/// 404 when it answered 2xx. A fact for the rules to weigh, not a verdict.
pub fn reads_as_error_page(html: &str) -> bool {
    static HEADS: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"(?is)<title[^>]*>(.*?)</title>|<h[1-3][^>]*>(.*?)</h[1-3]>")
            .expect("static regex")
    });
    static SAYS: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(
            r"(?i)(?:^|[\s\p{P}])404(?:$|[\s\p{P}])|not\s*found|页面不存在|页面未找到|网页不存在|找不到(?:该|此|您要的)?页面|页面已(?:被)?删除|无法找到(?:该|此)?页面|访问的页面不存在|错误页面",
        )
        .expect("static regex")
    });
    let mut heads = HEADS.captures_iter(html);
    let title = heads.next();
    // The title, and the first heading after it (or the first heading).
    title
        .into_iter()
        .chain(heads.next())
        .filter_map(|c| c.get(1).or_else(|| c.get(2)))
        .any(|m| SAYS.is_match(m.as_str()))
}

/// "redirect to error page /404.html" when a request for `requested`, not
/// itself an error page, ended at `landed`, one: IIS customErrors, TRS and
/// many government front ends answer a missing URL with 302 → /404.html,
/// which answers 200.
pub fn redirect_to_error_page(requested: &Url, landed: &Url) -> Option<String> {
    (crate::urlnorm::normalize(landed) != crate::urlnorm::normalize(requested)
        && !is_error_page_url(requested)
        && is_error_page_url(landed))
    .then(|| format!("redirect to error page {}", landed.path()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn target(html: &str) -> Option<String> {
        let base = Url::parse("http://a.gov.cn/fgj/index.html").unwrap();
        soft_redirect(&base, html).map(|u| u.to_string())
    }

    #[test]
    fn error_pages_by_name() {
        let e = |s: &str| is_error_page_url(&Url::parse(s).unwrap());
        for s in [
            "http://a.gov.cn/404.html",
            "http://a.gov.cn/404.aspx",
            "http://a.gov.cn/error.aspx?aspxerrorpath=/zwdt/old.html",
            "http://a.gov.cn/common/notfound.jsp",
            "http://a.gov.cn/404/",
            "http://a.gov.cn/Error404.HTM",
        ] {
            assert!(e(s), "{s}");
        }
        for s in [
            "http://a.gov.cn/",
            "http://a.gov.cn/tzgg/index.html",
            "http://a.gov.cn/col/col404/index.html",
            "http://a.gov.cn/art/2026/4/4/art_404_1.html",
            "http://a.gov.cn/zwgk/errors-and-corrections.html",
            "http://a.gov.cn/tzgg/4040.html",
        ] {
            assert!(!e(s), "{s}");
        }
    }

    #[test]
    fn redirects_to_error_pages() {
        let u = |s: &str| Url::parse(s).unwrap();
        assert_eq!(
            redirect_to_error_page(
                &u("http://a.gov.cn/old.html"),
                &u("http://a.gov.cn/404.html")
            )
            .as_deref(),
            Some("redirect to error page /404.html")
        );
        // A moved page, and a link to the error page itself, are no such redirect.
        let moved = redirect_to_error_page(&u("http://a.gov.cn/a/"), &u("http://a.gov.cn/b/"));
        assert_eq!(moved, None);
        let itself = redirect_to_error_page(
            &u("http://a.gov.cn/404.html"),
            &u("http://a.gov.cn/error.html"),
        );
        assert_eq!(itself, None);
    }

    #[test]
    fn soft_redirects_that_fire() {
        assert_eq!(
            target(r#"<meta http-equiv="refresh" content="0; url=col/index.html">"#).as_deref(),
            Some("http://a.gov.cn/fgj/col/index.html")
        );
        assert_eq!(
            target(r#"<META HTTP-EQUIV="Refresh" CONTENT="1;URL='/new/'">"#).as_deref(),
            Some("http://a.gov.cn/new/")
        );
        assert_eq!(
            target(
                r#"<html><script>window.location.replace("http://b.gov.cn/x/");</script></html>"#
            )
            .as_deref(),
            Some("http://b.gov.cn/x/")
        );
        // A popup opened first does not hide the redirect after it.
        assert_eq!(
            target(r#"<script>window.open('ad.html'); location.href='/zwgk/';</script>"#)
                .as_deref(),
            Some("http://a.gov.cn/zwgk/")
        );
    }

    #[test]
    fn look_alikes_stay_silent() {
        // A refresh after a long wait (auto-reloading news page).
        assert_eq!(
            target(r#"<meta http-equiv="refresh" content="300; url=index.html">"#),
            None
        );
        // A refresh without a URL reloads the page itself.
        assert_eq!(target(r#"<meta http-equiv="refresh" content="0">"#), None);
        // A page with real text whose script only navigates on click.
        let page = format!(
            "<html><body><p>{}</p><script>function go(){{location.href='x.html'}}</script></body></html>",
            "区发展和改革局召开专题会议，部署年度重点工作。".repeat(3)
        );
        assert_eq!(target(&page), None);
        // A near-empty page that only opens a popup stays where it is.
        assert_eq!(
            target(r#"<script>window.open('notice.html')</script>"#),
            None
        );
    }

    #[test]
    fn pages_that_read_as_error_pages() {
        for html in [
            "<html><head><title>页面不存在</title></head><body>…</body></html>",
            "<title>404 Not Found</title>",
            "<title>提示信息</title><h2>对不起，您访问的页面不存在！</h2>",
            "<title>Error 404 - 区人民政府</title>",
            "<TITLE>HTTP 404</TITLE>",
        ] {
            assert!(reads_as_error_page(html), "{html}");
        }
        for html in [
            // An ordinary article; numbers with 404 inside them.
            "<title>关于印发第4040号文件的通知</title><h1>区政府常务会议</h1>",
            "<title>区人民政府</title><h1>通知公告</h1><p>页面不存在的问题已整改</p>",
            "<title>404路公交线路调整公告</title>",
            "<title>国务院办公厅</title>",
            "<p>no title</p>",
        ] {
            assert!(!reads_as_error_page(html), "{html}");
        }
    }

    #[test]
    fn markup_by_type_or_first_bytes() {
        assert!(looks_like_markup(Some("text/html; charset=gbk"), b""));
        assert!(looks_like_markup(Some("application/xml"), b""));
        assert!(!looks_like_markup(Some("application/pdf"), b"<html>"));
        assert!(looks_like_markup(None, b"  \n<!DOCTYPE html>"));
        assert!(!looks_like_markup(None, b"%PDF-1.4"));
    }

    #[test]
    fn script_navigation_names_the_url() {
        assert_eq!(
            script_navigation("window.location.href='index_1.html'"),
            Some("index_1.html")
        );
        assert_eq!(script_navigation("window.open (\"a.pdf\")"), Some("a.pdf"));
        assert_eq!(script_navigation("return false;"), None);
    }
}
