//! Fetching one page: a GET through the fetcher, soft redirects (meta
//! refresh, `location=` pages) followed a few hops, markup sniffed, decoded
//! and parsed off the I/O threads; or one list fragment by POST (JCMS
//! dataproxy). With a [`super::cache::UrlStore`] a GET is conditional and a
//! 304 takes the stored extraction instead of a body (see `cache.rs`).

use std::sync::Arc;

use url::Url;

use super::cache::{conditional_get, CachedPage, PAGE_KIND, PAGE_VERSION};
use super::fetch::{Fetched, Method};
use super::Shared;
use crate::extract::{self, ParsedPage};
use crate::site::PageKind;

/// A page to fetch.
#[derive(Debug, Clone)]
pub(super) struct PageTask {
    pub(super) url: Url,
    pub(super) depth: u32,
    pub(super) kind: PageKind,
    pub(super) column: Option<String>,
}

/// A fetched page, parsed when it was HTML. The body is already dropped.
pub(super) struct PageOutcome {
    pub(super) task: PageTask,
    pub(super) fetched: Fetched,
    pub(super) parsed: Option<ParsedPage>,
    pub(super) charset: String,
    pub(super) robots_blocked: bool,
    /// A JCMS dataproxy POST: not a page of its own.
    pub(super) post: bool,
    /// Body bytes read.
    pub(super) bytes: u64,
    /// The body came but the extractor failed on it (a bug, recorded as
    /// the page's crawl error: the page is not judged, nor stored for the
    /// next run).
    pub(super) parse_error: Option<String>,
}

impl PageOutcome {
    /// Why the page could not be read: no usable answer, or an extractor
    /// failure on the body (a bug, never the site's fault).
    pub(super) fn failure(&self) -> Option<String> {
        self.fetched.failure().or_else(|| {
            self.parse_error
                .as_ref()
                .map(|e| format!("extractor failed on this page ({e}): not judged"))
        })
    }
}

/// Soft redirects followed per page (meta refresh, location= scripts).
const MAX_SOFT_REDIRECTS: u32 = 3;

/// Parsing is CPU work: keep it off the I/O threads. A parser that panics
/// on some page fails that page only, with the reason (see [`run_parser`]).
async fn parse_off_thread(
    shared: &Shared,
    base: Url,
    html: String,
    fragment: bool,
) -> Result<ParsedPage, String> {
    let _slot = shared.parse_slots.clone().acquire_owned().await;
    run_parser(move || {
        if fragment {
            extract::parse_list_fragment(&base, &html)
        } else {
            extract::parse_page(&base, &html)
        }
    })
    .await
}

/// Run `parse` on a blocking thread; a panic comes back as its message.
async fn run_parser(
    parse: impl FnOnce() -> ParsedPage + Send + 'static,
) -> Result<ParsedPage, String> {
    tokio::task::spawn_blocking(parse).await.map_err(|e| {
        if e.is_panic() {
            let payload = e.into_panic();
            payload
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| payload.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "panic".into())
        } else {
            e.to_string()
        }
    })
}

/// Decode a body taken out of `fetched`; with the URL it came from (where
/// redirects ended, else `asked`), the base for its relative links.
fn decode_body(fetched: &Fetched, body: Vec<u8>, asked: &Url) -> (extract::Decoded, Url) {
    let decoded = extract::decode(&body, fetched.content_type.as_deref());
    let base = fetched.final_url.clone().unwrap_or_else(|| asked.clone());
    (decoded, base)
}

/// GET a page, conditionally when the run has a store. A 304 whose stored
/// extraction reads comes back as the stored answer (status, type,
/// soft-404) with that extraction; a 304 without one (an entry that went
/// away, a server answering 304 unasked) is asked again unconditionally.
async fn get(shared: &Shared, url: &Url) -> (Fetched, Option<CachedPage>) {
    let fetcher = &shared.fetcher;
    let limit = shared.settings.max_body_bytes;
    let Some(store) = shared.store.as_deref() else {
        return (fetcher.fetch(url, &Method::Get, limit).await, None);
    };
    let kind = (PAGE_KIND, PAGE_VERSION);
    match conditional_get(fetcher, store, kind, url, limit, CachedPage::decode).await {
        Ok((c, fetched)) => {
            let fetched = Fetched {
                status: Some(c.status),
                content_type: c.content_type.clone(),
                markup: Some(true),
                soft_404: c.soft_404,
                ..fetched
            };
            (fetched, Some(c))
        }
        Err(fetched) => (fetched, None),
    }
}

/// Store what a fresh answer gave (or forget the URL's entry when the
/// answer cannot be asked for conditionally next time).
fn remember(shared: &Shared, fetched: &Fetched, parsed: &ParsedPage, charset: &str) {
    let Some(store) = shared.store.as_deref() else {
        return;
    };
    let Some(url) = fetched.final_url.as_ref() else {
        return;
    };
    let page = (!fetched.validators.is_empty() && !fetched.truncated && !fetched.blocked)
        .then(|| CachedPage {
            status: fetched.status.unwrap_or(200),
            content_type: fetched.content_type.clone(),
            charset: charset.to_string(),
            soft_404: fetched.soft_404,
            parsed: parsed.clone(),
            segments: parsed.content.segments.clone(),
        })
        .and_then(|c| c.encode());
    match page {
        Some(bytes) => store.put(
            PAGE_KIND,
            PAGE_VERSION,
            url.as_str(),
            &fetched.validators,
            &bytes,
        ),
        None => store.forget(PAGE_KIND, url.as_str()),
    }
}

/// Fetch and parse one page (GET), or one list fragment (POST).
pub(super) async fn fetch_page(
    shared: Arc<Shared>,
    task: PageTask,
    form: Option<Vec<(String, String)>>,
) -> PageOutcome {
    let fetcher = &shared.fetcher;
    if !fetcher.allowed(&task.url).await {
        return PageOutcome {
            task,
            fetched: Fetched::default(),
            parsed: None,
            charset: String::new(),
            robots_blocked: true,
            post: form.is_some(),
            bytes: 0,
            parse_error: None,
        };
    }
    let (mut fetched, mut reused) = match &form {
        Some(f) => (
            fetcher
                .fetch(
                    &task.url,
                    &Method::Post(f.clone()),
                    shared.settings.max_body_bytes,
                )
                .await,
            None,
        ),
        None => get(&shared, &task.url).await,
    };
    let mut bytes = 0u64;
    let mut parsed = None;
    let mut charset = String::new();
    let mut parse_error = None;
    // A page that only sends the browser elsewhere (meta refresh, a
    // location= script) is followed like a redirect, a few hops at most.
    let mut hops = 0;
    while fetched.ok() && form.is_none() {
        if let Some(c) = reused.take() {
            parsed = Some(c.parsed);
            charset = c.charset;
            break;
        }
        let body = std::mem::take(&mut fetched.body);
        bytes += body.len() as u64;
        let markup = extract::looks_like_markup(fetched.content_type.as_deref(), &body);
        fetched.markup = Some(markup);
        if !markup {
            break;
        }
        let (decoded, base) = decode_body(&fetched, body, &task.url);
        if hops < MAX_SOFT_REDIRECTS {
            if let Some(next) = extract::soft_redirect(&base, &decoded.text) {
                if next != base && fetcher.allowed(&next).await {
                    hops += 1;
                    let (attempts, redirects) = (fetched.attempts, fetched.redirects);
                    (fetched, reused) = get(&shared, &next).await;
                    fetched.attempts += attempts;
                    fetched.redirects += redirects + 1;
                    continue;
                }
            }
        }
        fetched.soft_404 = extract::reads_as_error_page(&decoded.text);
        match parse_off_thread(&shared, base, decoded.text, false).await {
            Ok(page) => {
                remember(&shared, &fetched, &page, &decoded.charset);
                parsed = Some(page);
            }
            Err(e) => parse_error = Some(e),
        }
        charset = decoded.charset;
        break;
    }
    if form.is_some() && fetched.ok() {
        let body = std::mem::take(&mut fetched.body);
        bytes += body.len() as u64;
        let (decoded, base) = decode_body(&fetched, body, &task.url);
        match parse_off_thread(&shared, base, decoded.text, true).await {
            Ok(page) => parsed = Some(page),
            Err(e) => parse_error = Some(e),
        }
        charset = decoded.charset;
    }
    let robots_blocked = fetched.robots_blocked;
    PageOutcome {
        task,
        fetched,
        parsed,
        charset,
        robots_blocked,
        post: form.is_some(),
        bytes,
        parse_error,
    }
}

/// Bytes a page's outcome is estimated to keep resident until its site is
/// handed over (the page's text and links unless they are `spilled` to the
/// caller's page sink, the visited-set and link-table entries it adds, the
/// lists kept in case a page is a column, allocator overhead), for the
/// scheduler's memory budget. Calibrated on the crawl benchmark
/// (`--hosts 200`, pages kept whole): the direct sizes below are doubled,
/// which brings the sum over the sites held close to the crawler's peak RSS.
pub(super) fn resident_estimate(out: &PageOutcome, spilled: bool) -> u64 {
    /// Per URL met: visited sets, the task, a link-table entry.
    const PER_URL: u64 = 512;
    /// Per link kept on a page: the struct, its strings' headers.
    const PER_LINK: u64 = 192;
    /// Per link of a spilled page: its share of the link table (targets
    /// repeat across pages) and the referrer noted.
    const PER_SPILLED_LINK: u64 = 48;
    /// What the process holds per byte counted directly (allocator slack,
    /// the pages being parsed, the rules' working set; calibrated against
    /// peak RSS on the benchmark portal).
    const OVERHEAD: u64 = 3;
    let Some(p) = &out.parsed else {
        return OVERHEAD * PER_URL;
    };
    if spilled {
        let links = p.links.len() as u64 * PER_SPILLED_LINK;
        return OVERHEAD * (PER_URL + p.title.len() as u64 + links);
    }
    let links: u64 = p
        .links
        .iter()
        .map(|l| PER_LINK + (l.url.len() + l.text.len() + l.tag.len()) as u64)
        .sum();
    OVERHEAD * (PER_URL + 2 * (p.text.len() + p.title.len()) as u64 + links)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An extractor bug on one page fails that page with the panic's
    /// message (recorded as its crawl error), not the crawl; a page that
    /// parses comes back whole.
    #[tokio::test]
    async fn a_parser_panic_fails_the_page_with_its_message() {
        let ok = run_parser(|| ParsedPage {
            title: "通知".into(),
            ..Default::default()
        })
        .await;
        assert_eq!(ok.map(|p| p.title), Ok("通知".to_string()));
        let literal = run_parser(|| panic!("slice index starts at 9 but ends at 3")).await;
        assert_eq!(
            literal.map(|p| p.title),
            Err("slice index starts at 9 but ends at 3".to_string())
        );
        let n = 7;
        let formatted = run_parser(move || panic!("depth {n}")).await;
        assert_eq!(formatted.map(|p| p.title), Err("depth 7".to_string()));
    }
}
