//! The site's own attachments: after the link checks, every in-scope link
//! whose name (path, a download script's file parameter, Content-Disposition)
//! or Content-Type says xlsx / xls / et / docx / pdf is downloaded — once per
//! run whichever sites link it, through the same politeness gates, robots.txt
//! and retries as pages, at most `attachment_max_bytes` read (a larger file
//! is noted and not read) and `max_attachments_per_site` files per site —
//! and read by [`crate::attachment::read`] on a blocking thread under a time
//! limit. The crawl records what the files say; the rules judge.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use futures::StreamExt;
use url::Url;

use super::cache::conditional_get;
use super::fetch::{Fetched, Method};
use super::walk::SiteRun;
use super::Shared;
use crate::attachment::{self, Attachment, AttachmentText, Format, Kind};
use crate::site::LinkCheck;

/// Query parameters download scripts name their file in
/// (`download.jsp?file=…`, `downfile.jsp?filename=…`).
/// Kind of the incremental crawl's attachment entries (src/crawl/cache.rs).
pub const ATTACHMENT_KIND: &str = "attachment";

/// Version of attachment entries: the crate version and a fingerprint of
/// the readers' source (build.rs); entries of another version are read again.
pub const ATTACHMENT_VERSION: &str = concat!(
    env!("CARGO_PKG_VERSION"),
    "+",
    env!("GOVAUDIT_ATTACHMENT_HASH"),
    "/1"
);

const FILE_PARAMS: &[&str] = &["filename", "file", "filepath", "path", "fname", "name"];

/// Each distinct attachment URL is downloaded and read once per run:
/// concurrent askers wait on the same cell.
pub(crate) struct AttachmentCache {
    cells: std::sync::Mutex<HashMap<String, Arc<tokio::sync::OnceCell<Arc<AttachmentText>>>>>,
    /// Files read at once, apart from page parsing so a slow hostile file
    /// never holds up pages.
    slots: Arc<tokio::sync::Semaphore>,
}

impl AttachmentCache {
    pub(crate) fn new(slots: usize) -> Self {
        AttachmentCache {
            cells: Default::default(),
            slots: Arc::new(tokio::sync::Semaphore::new(slots.max(1))),
        }
    }

    fn cell(&self, key: &str) -> Arc<tokio::sync::OnceCell<Arc<AttachmentText>>> {
        self.cells
            .lock()
            .expect("attachment cache lock")
            .entry(key.to_string())
            .or_default()
            .clone()
    }
}

/// What a link's name or answer says it is: its URL's file name, a download
/// script's file parameter, the Content-Disposition file name, then the
/// Content-Type.
pub(super) fn kind_of_link(lc: &LinkCheck, url: &Url) -> Option<Kind> {
    let by_name = |name: &str| attachment::extension(name).and_then(attachment::kind_of_extension);
    let last = url.path_segments().and_then(|mut s| s.next_back());
    if let Some(k) = last.and_then(by_name) {
        return Some(k);
    }
    if url.query().is_some() {
        for (k, v) in url.query_pairs() {
            if FILE_PARAMS.iter().any(|p| k.eq_ignore_ascii_case(p)) {
                if let Some(k) = by_name(&v) {
                    return Some(k);
                }
            }
        }
    }
    if let Some(k) = lc
        .content_disposition
        .as_deref()
        .and_then(attachment::disposition_filename)
        .and_then(|f| by_name(&f))
    {
        return Some(k);
    }
    lc.content_type
        .as_deref()
        .and_then(attachment::kind_of_content_type)
}

/// Find, download and read the site's attachments (in link order).
pub(super) async fn scan(run: &mut SiteRun) {
    let shared = run.shared.clone();
    if !shared.settings.attachments {
        return;
    }
    let mut found: Vec<(Attachment, Option<(Url, Format)>)> = Vec::new();
    let mut downloads = 0usize;
    let links = &run.links;
    for (i, lc) in links.as_slice().iter().enumerate() {
        if !lc.internal {
            continue;
        }
        let Ok(u) = Url::parse(&lc.url) else { continue };
        let Some(kind) = kind_of_link(lc, &u) else {
            continue;
        };
        let mut a = Attachment {
            url: lc.url.clone(),
            referrer: links.first_referrer(i).unwrap_or_default().to_string(),
            anchor: lc.anchor.clone(),
            ..Default::default()
        };
        let why_not = match kind {
            Kind::NotRead(why) => Some(why.to_string()),
            Kind::Read(_) if lc.skipped.is_some() => Some(format!(
                "not downloaded: {}",
                lc.skipped.as_deref().unwrap_or("")
            )),
            Kind::Read(_) => {
                super::fetch::answer_failure(lc.blocked, lc.error.as_deref(), lc.status)
                    .map(|e| format!("not downloaded: the link check got {e}"))
            }
        };
        if let Some(why) = why_not {
            a.text = AttachmentText::skipped(why);
            found.push((a, None));
            continue;
        }
        let Kind::Read(format) = kind else { continue };
        downloads += 1;
        if downloads > shared.settings.max_attachments_per_site {
            a.text = AttachmentText::skipped(format!(
                "over max_attachments_per_site ({}): not downloaded",
                shared.settings.max_attachments_per_site
            ));
            found.push((a, None));
            continue;
        }
        found.push((a, Some((u, format))));
    }
    let n = run.concurrency();
    let jobs: Vec<(usize, (Url, Format))> = found
        .iter_mut()
        .enumerate()
        .filter_map(|(i, (_, d))| d.take().map(|d| (i, d)))
        .collect();
    let read: Vec<(usize, Arc<AttachmentText>, u32)> = futures::stream::iter(jobs)
        .map(|(i, (u, format))| {
            let shared = shared.clone();
            async move {
                let (t, attempts) = tokio::spawn(read_once(shared, u, format))
                    .await
                    .unwrap_or_else(|e| {
                        let t = AttachmentText {
                            error: Some(format!("internal: {e}")),
                            ..Default::default()
                        };
                        (Arc::new(t), 0)
                    });
                (i, t, attempts)
            }
        })
        .buffer_unordered(n)
        .collect()
        .await;
    for (i, t, attempts) in read {
        run.requests += u64::from(attempts);
        run.site.stats.bytes += if attempts > 0 { t.bytes } else { 0 };
        found[i].0.text = (*t).clone();
    }
    run.site.attachments = found.into_iter().map(|(a, _)| a).collect();
}

/// Download and read `url` unless this run already did. Returns the result
/// and the attempts this call made (0 when another site's crawl did it).
async fn read_once(shared: Arc<Shared>, url: Url, hint: Format) -> (Arc<AttachmentText>, u32) {
    let cell = shared.attachments.cell(url.as_str());
    let mut attempts = 0;
    // With the history database's store, a file unchanged since an earlier
    // run (304 Not Modified) is not downloaded again: what was read from it
    // then stands (see `get`).
    let t = cell
        .get_or_init(|| async {
            let (t, a) = download_and_read(&shared, &url, hint).await;
            attempts = a;
            Arc::new(t)
        })
        .await
        .clone();
    (t, attempts)
}

async fn download_and_read(shared: &Shared, url: &Url, hint: Format) -> (AttachmentText, u32) {
    if !shared.fetcher.allowed(url).await {
        return (AttachmentText::skipped("robots.txt disallow"), 0);
    }
    let max = shared.settings.attachment_max_bytes;
    let f = match get(shared, url, max.saturating_add(1)).await {
        Ok(stored) => return stored,
        Err(f) => f,
    };
    let attempts = f.attempts;
    if let Some(e) = f.failure() {
        return (
            AttachmentText::skipped(format!("download failed: {e}")),
            attempts,
        );
    }
    if f.truncated || f.body.len() > max {
        let t = AttachmentText {
            bytes: f.body.len() as u64,
            ..AttachmentText::skipped(format!(
                "larger than attachment_max_bytes ({max} bytes): not read"
            ))
        };
        // Kept like a reading: while the file is unchanged, later runs do not
        // download it again to find it still too large.
        remember(shared, &f, &t);
        return (t, attempts);
    }
    let Ok(permit) = shared.attachments.slots.clone().acquire_owned().await else {
        return (AttachmentText::skipped("crawl shutting down"), attempts);
    };
    let secs = shared.settings.attachment_parse_secs.max(1);
    let max_inflated = shared.settings.attachment_max_inflated_bytes;
    let bytes = f.body.len() as u64;
    let mut f = f;
    let body = std::mem::take(&mut f.body);
    // The permit goes with the thread: a file still being read after the
    // time limit keeps its slot, so stuck readers cannot pile up.
    let job = tokio::task::spawn_blocking(move || {
        let _permit = permit;
        attachment::read(&body, Some(hint), max_inflated)
    });
    let t = match tokio::time::timeout(Duration::from_secs(secs), job).await {
        Ok(Ok(t)) => t,
        Ok(Err(e)) => AttachmentText {
            bytes,
            error: Some(format!("reader failed: {e}")),
            ..Default::default()
        },
        Err(_) => AttachmentText {
            bytes,
            format: Some(hint),
            error: Some(format!(
                "reading took longer than attachment_parse_secs ({secs} s): given up"
            )),
            ..Default::default()
        },
    };
    remember(shared, &f, &t);
    (t, attempts)
}

/// GET an attachment, conditionally when the run has a store: `Ok` with
/// what was read from it before when the server says it is unchanged
/// (304), else `Err` with the answer to read (a 304 without a readable
/// entry is asked again unconditionally).
async fn get(shared: &Shared, url: &Url, limit: usize) -> Result<(AttachmentText, u32), Fetched> {
    let fetcher = &shared.fetcher;
    let Some(store) = shared.store.as_deref() else {
        return Err(fetcher.fetch(url, &Method::Get, limit).await);
    };
    let kind = (ATTACHMENT_KIND, ATTACHMENT_VERSION);
    let decode = |bytes: &[u8]| serde_json::from_slice::<AttachmentText>(bytes).ok();
    conditional_get(fetcher, store, kind, url, limit, decode)
        .await
        .map(|(t, f)| (t, f.attempts))
}

/// Keep what a fresh download gave for the next run, when the server sent
/// validators and the reading is not one a later run could do better
/// (an error — the time limit, a reader that failed — is read again).
fn remember(shared: &Shared, f: &Fetched, t: &AttachmentText) {
    let (Some(store), Some(url)) = (shared.store.as_deref(), f.final_url.as_ref()) else {
        return;
    };
    let keep = f.status == Some(200)
        && t.error.is_none()
        // A cut-off body is kept only as "too large", never as a reading.
        && (!f.truncated || t.skipped.is_some())
        && !f.validators.is_empty()
        && !t.skipped.as_deref().is_some_and(|s| s.starts_with("download failed"));
    match keep.then(|| serde_json::to_vec(t).ok()).flatten() {
        Some(bytes) => store.put(
            ATTACHMENT_KIND,
            ATTACHMENT_VERSION,
            url.as_str(),
            &f.validators,
            &bytes,
        ),
        None => store.forget(ATTACHMENT_KIND, url.as_str()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kind(url: &str, ct: Option<&str>, cd: Option<&str>) -> Option<Kind> {
        let lc = LinkCheck {
            url: url.into(),
            content_type: ct.map(Into::into),
            content_disposition: cd.map(Into::into),
            ..Default::default()
        };
        kind_of_link(&lc, &Url::parse(url).unwrap())
    }

    #[test]
    fn attachments_by_name_parameter_disposition_and_type() {
        let xlsx = Some(Kind::Read(Format::Xlsx));
        assert_eq!(kind("http://a.gov.cn/u/名单.XLSX", None, None), xlsx);
        assert_eq!(
            kind(
                "http://a.gov.cn/download.jsp?file=/upload/2026/mingdan.xlsx",
                None,
                None
            ),
            xlsx
        );
        assert_eq!(
            kind(
                "http://a.gov.cn/attach/get?id=42",
                Some("application/octet-stream"),
                Some("attachment; filename=\"mingdan.xlsx\"")
            ),
            xlsx
        );
        assert_eq!(
            kind(
                "http://a.gov.cn/attach/get?id=43",
                Some("application/pdf"),
                None
            ),
            Some(Kind::Read(Format::Pdf))
        );
        assert!(matches!(
            kind("http://a.gov.cn/u/通知.doc", None, None),
            Some(Kind::NotRead(_))
        ));
        // Pages and other files are no attachments read here.
        for u in [
            "http://a.gov.cn/art.jsp?id=1&file=index.html",
            "http://a.gov.cn/u/a.zip",
            "http://a.gov.cn/u/",
        ] {
            assert_eq!(kind(u, Some("text/html"), None), None, "{u}");
        }
    }
}
