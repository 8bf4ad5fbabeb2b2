//! The incremental crawl's view of what earlier runs learnt per URL: the
//! validators (ETag, Last-Modified) a server sent with a page, and what the
//! crawl extracted from it. A page with a stored entry is asked for with
//! If-None-Match / If-Modified-Since; on a 304 the stored extraction stands
//! in for the body, on a 200 the page is read again and replaces the entry.
//!
//! The crawl does not know where entries live: [`UrlStore`] is implemented
//! by the history database (`src/history/cache.rs`), which loads the entries
//! of earlier runs and collects this run's, committed with the run. Entries
//! carry a kind (`page` here; other kinds of per-URL results can use the
//! same store) and the version of the code that wrote them: an entry of
//! another version is never used, so a changed extractor re-reads every page.

use serde::{Deserialize, Serialize};
use url::Url;

use super::fetch::{Fetched, Fetcher, Method};
use crate::extract::ParsedPage;

/// Kind of the crawl's page entries.
pub const PAGE_KIND: &str = "page";

/// Version of page entries: the crate version and a fingerprint of the
/// extractor's source (see build.rs). Entries of any other version are
/// ignored, so every page is read again after an extractor change.
pub const PAGE_VERSION: &str = concat!(
    env!("CARGO_PKG_VERSION"),
    "+",
    env!("GOVAUDIT_EXTRACT_HASH"),
    "/1"
);

/// What a server said to identify a representation.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Validators {
    /// ETag, as sent (strong `"…"` or weak `W/"…"`).
    pub etag: Option<String>,
    /// Last-Modified, as sent.
    pub last_modified: Option<String>,
}

impl Validators {
    /// Neither validator: the answer cannot be asked for conditionally.
    pub fn is_empty(&self) -> bool {
        self.etag.is_none() && self.last_modified.is_none()
    }
}

/// Per-URL entries of earlier runs, and this run's new ones. Keyed by URL
/// (exactly as requested) and kind; `version` is the writer's version.
/// Implementations must be cheap to call from the crawl's tasks.
pub trait UrlStore: Send + Sync {
    /// The validators of the entry for (`kind`, `url`) written by `version`.
    fn validators(&self, kind: &str, version: &str, url: &str) -> Option<Validators>;
    /// That entry's payload (`None` when it cannot be read).
    fn payload(&self, kind: &str, version: &str, url: &str) -> Option<Vec<u8>>;
    /// The server confirmed the entry unchanged (304): keep it.
    fn touch(&self, kind: &str, url: &str);
    /// A fresh answer: store it, replacing any entry.
    fn put(&self, kind: &str, version: &str, url: &str, validators: &Validators, payload: &[u8]);
    /// A fresh answer that is not stored (no validators, not a page): drop
    /// any entry, so it is never asked for with stale validators.
    fn forget(&self, kind: &str, url: &str);
}

/// A page entry's payload: what the crawl took from the answer.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct CachedPage {
    pub status: u16,
    pub content_type: Option<String>,
    pub charset: String,
    pub soft_404: bool,
    pub parsed: ParsedPage,
    /// `parsed.content.segments`, which the page's serde form leaves out.
    pub segments: Vec<(u64, u32)>,
}

impl CachedPage {
    pub(crate) fn encode(&self) -> Option<Vec<u8>> {
        serde_json::to_vec(self).ok()
    }

    /// `None` for a payload this build cannot read (it is then re-read).
    pub(crate) fn decode(bytes: &[u8]) -> Option<CachedPage> {
        let mut c: CachedPage = serde_json::from_slice(bytes).ok()?;
        c.parsed.content.segments = std::mem::take(&mut c.segments);
        Some(c)
    }
}

/// GET `url` conditionally with the entries of (`kind`, `version`) in
/// `store`. A 304 whose entry `decode` reads is `Ok` with it and the 304
/// (the entry touched, counted as not modified); anything else is `Err`
/// with the answer to read — a 304 without a readable entry (gone, of
/// another build, a server answering 304 unasked) is asked again without
/// validators.
pub(super) async fn conditional_get<T>(
    fetcher: &Fetcher,
    store: &dyn UrlStore,
    (kind, version): (&str, &str),
    url: &Url,
    limit: usize,
    decode: impl Fn(&[u8]) -> Option<T>,
) -> Result<(T, Fetched), Fetched> {
    let lookup = |u: &Url| store.validators(kind, version, u.as_str());
    let fetched = fetcher
        .fetch_with(url, &Method::Get, limit, Some(&lookup))
        .await;
    if fetched.error.is_some() || fetched.status != Some(304) {
        return Err(fetched);
    }
    let key = fetched
        .final_url
        .as_ref()
        .unwrap_or(url)
        .as_str()
        .to_string();
    if let Some(entry) = store.payload(kind, version, &key).and_then(|p| decode(&p)) {
        store.touch(kind, &key);
        fetcher
            .not_modified
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        return Ok((entry, fetched));
    }
    let mut again = fetcher.fetch(url, &Method::Get, limit).await;
    again.attempts += fetched.attempts;
    Err(again)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_page_entry_gives_back_the_extraction_it_was_made_from() {
        let base = url::Url::parse("http://127.0.0.1:8080/tzgg/").unwrap();
        let html = r#"<html><head><title>通知公告</title></head><body>
            <div class="nav"><a href="/tzgg/">通知公告</a><a href="/zcwj/">政策文件</a></div>
            <ul class="list">
              <li><a href="/tzgg/1.html">关于开展安全生产检查的通知</a><span>2026-11-20</span></li>
              <li><a href="/tzgg/2.html">关于调整办公时间的通知</a><span>2026-10-08</span></li>
            </ul>
            <div class="page"><a href="index_1.html">下一页</a></div>
            <div class="content"><p>本栏目发布本局各类通知公告，欢迎社会各界监督。机构职能、办公地址及联系电话详见本网站相关栏目。</p></div>
            <div class="footer">版权所有 某区人民政府</div></body></html>"#;
        let parsed = crate::extract::parse_page(&base, html);
        assert!(!parsed.lists.is_empty() && !parsed.links.is_empty());
        let entry = CachedPage {
            status: 200,
            content_type: Some("text/html; charset=utf-8".into()),
            charset: "UTF-8".into(),
            soft_404: false,
            segments: parsed.content.segments.clone(),
            parsed: parsed.clone(),
        };
        let back = CachedPage::decode(&entry.encode().unwrap()).unwrap();
        assert_eq!(back.parsed, parsed, "segments included");
        assert_eq!((back.status, back.charset.as_str()), (200, "UTF-8"));
        // A payload this build cannot read is no entry (the page is re-read).
        assert!(CachedPage::decode(b"{\"status\":200}").is_none());
        assert!(CachedPage::decode(b"\x00garbage").is_none());
    }

    #[test]
    fn the_page_version_names_the_extractor_build() {
        assert!(PAGE_VERSION.starts_with(env!("CARGO_PKG_VERSION")));
        assert_eq!(env!("GOVAUDIT_EXTRACT_HASH").len(), 16);
    }
}
