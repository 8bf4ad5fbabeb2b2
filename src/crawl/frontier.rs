//! What the crawler may fetch: the site's scope (its host under the start
//! path, plus configured extra hosts), which URLs are attachments or other
//! resources (checked, never parsed), and the crawl-trap guards (query
//! variants per path, repeated path segments, endless calendars).

use std::collections::{HashMap, HashSet};

use url::Url;

use crate::urlnorm;

/// File extensions of attachments: checked, never parsed.
const ATTACHMENT_EXTS: &[&str] = &[
    "pdf", "doc", "docx", "xls", "xlsx", "wps", "ofd", "zip", "rar", "7z", "ppt", "pptx", "txt",
    "jpg", "jpeg", "png", "gif", "bmp", "tif", "tiff", "csv", "et", "dps", "mp4", "mp3", "avi",
    "wmv", "flv", "mov", "swf", "gz", "tar", "apk", "exe", "ceb", "caj", "xml", "rtf",
];

/// Other non-page resources (checked, never parsed, not attachments).
const RESOURCE_EXTS: &[&str] = &[
    "css", "js", "ico", "svg", "webp", "woff", "woff2", "ttf", "eot", "map", "json",
];

fn extension(url: &Url) -> Option<String> {
    let last = url.path_segments()?.next_back()?;
    let (_, ext) = last.rsplit_once('.')?;
    Some(ext.to_ascii_lowercase())
}

/// An attachment (pdf, doc, xls, zip, image …).
pub(crate) fn is_attachment(url: &Url) -> bool {
    extension(url).is_some_and(|e| ATTACHMENT_EXTS.contains(&e.as_str()))
}

/// A URL that may be an HTML page (not an attachment or resource).
pub(crate) fn may_be_page(url: &Url) -> bool {
    match extension(url) {
        Some(e) => !ATTACHMENT_EXTS.contains(&e.as_str()) && !RESOURCE_EXTS.contains(&e.as_str()),
        None => true,
    }
}

/// A site's crawl scope.
#[derive(Debug, Clone)]
pub(crate) struct Scope {
    /// (host key, path prefix) pairs: the start folder, and the folder the
    /// start page redirected to when it moved.
    roots: Vec<(String, String)>,
    extra_hosts: Vec<String>,
}

/// The folder a start URL stands for: "/fgj" (no file name) is /fgj/,
/// "/fgj/index.html" is in /fgj/.
fn folder_of(url: &Url) -> (String, String) {
    let path = url.path();
    let last = path.rsplit('/').next().unwrap_or("");
    let prefix = if !last.is_empty() && !last.contains('.') {
        format!("{path}/")
    } else {
        match path.rfind('/') {
            Some(i) => path[..=i].to_string(),
            None => "/".into(),
        }
    };
    (urlnorm::host_key(url), prefix)
}

impl Scope {
    pub(crate) fn new(start: &Url, extra_hosts: &[String]) -> Self {
        Scope {
            roots: vec![folder_of(start)],
            extra_hosts: extra_hosts.to_vec(),
        }
    }

    /// The start page redirected to `url` (www. dropped, moved to a
    /// portal folder …): that folder is the site too.
    pub(crate) fn add_redirected_start(&mut self, url: &Url) {
        let root = folder_of(url);
        if !self.roots.contains(&root) {
            self.roots.push(root);
        }
    }

    /// Inside the site: crawled, not only checked.
    pub(crate) fn contains(&self, url: &Url) -> bool {
        let key = urlnorm::host_key(url);
        if self.extra_hosts.contains(&key) {
            return true;
        }
        self.roots
            .iter()
            .any(|(host, prefix)| key == *host && url.path().starts_with(prefix.as_str()))
    }
}

/// Crawl-trap guards for links followed by breadth-first discovery.
#[derive(Debug, Default)]
pub(crate) struct Traps {
    max_query_variants: usize,
    max_calendar: usize,
    variants: HashMap<String, HashSet<String>>,
    calendar: HashMap<String, usize>,
}

impl Traps {
    pub(crate) fn new(max_query_variants: usize, max_calendar: usize) -> Self {
        Traps {
            max_query_variants,
            max_calendar,
            ..Default::default()
        }
    }

    /// `Ok` when `url` may be fetched; otherwise the guard that dropped it.
    /// Admitting counts the URL, so call once per distinct URL.
    pub(crate) fn admit(&mut self, url: &Url) -> Result<(), &'static str> {
        let segs: Vec<&str> = url
            .path_segments()
            .map(|s| s.filter(|x| !x.is_empty()).collect())
            .unwrap_or_default();
        if segs.len() > 16 {
            return Err("crawl trap: path too deep");
        }
        let mut counts: HashMap<&str, usize> = HashMap::new();
        for s in &segs {
            let n = counts.entry(s).or_insert(0);
            *n += 1;
            if *n >= 3 {
                return Err("crawl trap: repeated path segments");
            }
        }
        if let Some(key) = calendar_key(url) {
            let n = self.calendar.entry(key).or_insert(0);
            if *n >= self.max_calendar {
                return Err("crawl trap: calendar");
            }
            *n += 1;
        }
        if let Some(q) = url.query() {
            let path = format!("{}{}", urlnorm::host_key(url), url.path());
            let set = self.variants.entry(path).or_default();
            if !set.contains(q) {
                if set.len() >= self.max_query_variants {
                    return Err("crawl trap: query variants");
                }
                set.insert(q.to_string());
            }
        }
        Ok(())
    }
}

/// Query keys that carry calendar positions.
const DATE_KEYS: &[&str] = &[
    "year",
    "month",
    "day",
    "date",
    "y",
    "m",
    "d",
    "ym",
    "ymd",
    "yearmonth",
    "yyyymm",
    "cal",
    "calendar",
    "week",
    "time",
];

fn is_date_segment(s: &str) -> bool {
    let digits = s.bytes().filter(u8::is_ascii_digit).count();
    let seps = s.bytes().filter(|b| *b == b'-' || *b == b'_').count();
    if digits + seps != s.len() || digits == 0 {
        return false;
    }
    match (digits, seps) {
        // 2026 / 11 / 3
        (4, 0) => s.starts_with("19") || s.starts_with("20"),
        (1 | 2, 0) => true,
        // 202611, 2026-11, 20261103, 2026-11-03
        (6 | 8, _) | (5 | 7, 1 | 2) => s.starts_with("19") || s.starts_with("20"),
        _ => false,
    }
}

/// The URL with its calendar positions blanked, when it has any: pages of
/// one calendar share a key however far they march.
fn calendar_key(url: &Url) -> Option<String> {
    let mut hit = false;
    let mut key = urlnorm::host_key(url);
    let segs: Vec<&str> = url.path_segments().map(|s| s.collect()).unwrap_or_default();
    let mut date_segs = 0;
    let mut year_seen = false;
    for s in &segs {
        key.push('/');
        if is_date_segment(s) {
            date_segs += 1;
            year_seen |= s.len() >= 4;
            key.push('#');
        } else {
            key.push_str(s);
        }
    }
    // One date folder alone is how TRS files articles (./202611/t…html): not a calendar.
    if date_segs >= 2 && year_seen {
        hit = true;
    }
    if let Some(q) = url.query() {
        key.push('?');
        for pair in q.split('&') {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            key.push_str(k);
            key.push('=');
            if DATE_KEYS.contains(&k.to_ascii_lowercase().as_str())
                || (v.len() >= 4 && is_date_segment(v))
            {
                if !v.is_empty() {
                    hit = true;
                }
                key.push('#');
            } else {
                key.push_str(v);
            }
            key.push('&');
        }
    }
    hit.then_some(key)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn u(s: &str) -> Url {
        Url::parse(s).unwrap()
    }

    #[test]
    fn scope_is_host_and_start_folder_plus_extra_hosts() {
        let s = Scope::new(
            &u("http://a.gov.cn/fgj/index.html"),
            &["b.gov.cn:8080".into()],
        );
        assert!(s.contains(&u("http://a.gov.cn/fgj/col/1.html")));
        assert!(!s.contains(&u("http://a.gov.cn/other/1.html")));
        assert!(!s.contains(&u("http://c.gov.cn/fgj/1.html")));
        assert!(s.contains(&u("http://b.gov.cn:8080/x/1.html")));
        assert!(!s.contains(&u("http://b.gov.cn/x/1.html")));
        let mut s = Scope::new(&u("http://a.gov.cn/fgj"), &[]);
        assert!(s.contains(&u("http://a.gov.cn/fgj/a.html")));
        assert!(!s.contains(&u("http://a.gov.cn/fgjx/a.html")));
        s.add_redirected_start(&u("https://www.a.gov.cn/col/fgj/index.html"));
        assert!(s.contains(&u("https://www.a.gov.cn/col/fgj/x.html")));
        assert!(!s.contains(&u("https://www.a.gov.cn/col/x.html")));
    }

    #[test]
    fn attachments_and_pages() {
        assert!(is_attachment(&u("http://a/x/file.PDF")));
        assert!(is_attachment(&u("http://a/x/f.docx?x=1")));
        assert!(!is_attachment(&u("http://a/x/f.html")));
        assert!(may_be_page(&u("http://a/x/")));
        assert!(may_be_page(&u("http://a/x/art.jsp?id=1")));
        assert!(!may_be_page(&u("http://a/x/s.css")));
    }

    #[test]
    fn calendar_marching_on_is_stopped_but_trs_articles_are_not() {
        let mut t = Traps::new(1000, 12);
        let mut admitted = 0;
        for i in 0..100 {
            let url = u(&format!(
                "http://a/cal/?year={}&month={}",
                2026 + i / 12,
                i % 12 + 1
            ));
            if t.admit(&url).is_ok() {
                admitted += 1;
            }
        }
        assert_eq!(admitted, 12);
        let mut admitted = 0;
        for i in 0..100 {
            let url = u(&format!(
                "http://a/cal/{}/{}/index.html",
                2026 + i / 12,
                i % 12 + 1
            ));
            if t.admit(&url).is_ok() {
                admitted += 1;
            }
        }
        assert_eq!(admitted, 12);
        for i in 0..100 {
            let url = u(&format!("http://a/xw/202611/t20261103_{i}.html"));
            assert!(t.admit(&url).is_ok());
        }
    }

    #[test]
    fn repeated_segments_and_query_variants() {
        let mut t = Traps::new(3, 12);
        assert!(t.admit(&u("http://a/a/b/a/b/x.html")).is_ok());
        assert_eq!(
            t.admit(&u("http://a/a/b/a/b/a/x.html")),
            Err("crawl trap: repeated path segments")
        );
        for i in 0..3 {
            assert!(t.admit(&u(&format!("http://a/list.jsp?p={i}"))).is_ok());
        }
        assert!(t.admit(&u("http://a/list.jsp?p=1")).is_ok());
        assert_eq!(
            t.admit(&u("http://a/list.jsp?p=9")),
            Err("crawl trap: query variants")
        );
    }
}
