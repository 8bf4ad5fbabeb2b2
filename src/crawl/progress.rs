//! Crawl progress as events, for whoever shows it: the library reports,
//! the binary draws (indicatif bars on a terminal, log lines otherwise).
//! Nothing here prints.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

/// What a crawl reports as it goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Event<'a> {
    /// The crawl starts, over this many sites.
    Started {
        /// Sites in the run.
        sites: usize,
    },
    /// A site's crawl starts.
    SiteStarted {
        /// The site's id from SITES.toml.
        site: &'a str,
    },
    /// More URLs are queued for a site (pages to fetch, links to check).
    Queued {
        /// The site's id.
        site: &'a str,
        /// How many more.
        urls: u64,
    },
    /// One queued URL is done (fetched or checked).
    UrlDone {
        /// The site's id.
        site: &'a str,
        /// No usable (2xx) answer came.
        failed: bool,
    },
    /// A site's crawl is complete (pages and link checks).
    SiteDone {
        /// The site's id.
        site: &'a str,
    },
    /// The crawl is over.
    Finished,
}

/// Receives a crawl's events, from several threads at once.
pub trait Progress: Send + Sync {
    /// One event.
    fn event(&self, event: Event<'_>);
}

/// Where a crawl reports progress: nowhere by default.
#[derive(Clone, Default)]
pub struct ProgressSink(Option<Arc<dyn Progress>>);

impl ProgressSink {
    /// Report to `progress`.
    pub fn new(progress: Arc<dyn Progress>) -> Self {
        ProgressSink(Some(progress))
    }

    /// Report nowhere.
    pub fn none() -> Self {
        ProgressSink(None)
    }

    pub(crate) fn emit(&self, event: Event<'_>) {
        if let Some(p) = &self.0 {
            p.event(event);
        }
    }

    /// The handle one site's crawl reports through.
    pub(crate) fn site(&self, id: &str) -> Arc<SiteProgress> {
        self.emit(Event::SiteStarted { site: id });
        Arc::new(SiteProgress {
            id: id.to_string(),
            sink: self.clone(),
            held: AtomicU64::new(0),
            rank: AtomicU64::new(0),
        })
    }
}

impl std::fmt::Debug for ProgressSink {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(if self.0.is_some() {
            "ProgressSink(..)"
        } else {
            "ProgressSink(none)"
        })
    }
}

/// One site's progress handle. It also carries the estimate of what the
/// site holds in memory, which the scheduler reads to admit new sites.
pub(crate) struct SiteProgress {
    id: String,
    sink: ProgressSink,
    /// Estimated resident bytes the site's crawl holds so far.
    held: AtomicU64,
    /// The order the scheduler admitted the site in (its place in the
    /// memory gate's queue, `memory.rs`).
    rank: AtomicU64,
}

impl SiteProgress {
    /// `n` more URLs queued for this site.
    pub(crate) fn queued(&self, n: u64) {
        self.sink.emit(Event::Queued {
            site: &self.id,
            urls: n,
        });
    }

    /// One queued URL done (fetched or checked).
    pub(crate) fn done(&self, failed: bool) {
        self.sink.emit(Event::UrlDone {
            site: &self.id,
            failed,
        });
    }

    /// The site's crawl now holds `bytes` more (an estimate, see
    /// `page_fetch::resident_estimate`).
    pub(crate) fn hold(&self, bytes: u64) {
        self.held.fetch_add(bytes, Ordering::Relaxed);
    }

    /// Note the order the site was admitted in.
    pub(crate) fn set_rank(&self, rank: u64) {
        self.rank.store(rank, Ordering::Relaxed);
    }

    /// The order the site was admitted in.
    pub(crate) fn rank(&self) -> u64 {
        self.rank.load(Ordering::Relaxed)
    }

    /// Estimated resident bytes held so far.
    pub(crate) fn held(&self) -> u64 {
        self.held.load(Ordering::Relaxed)
    }

    /// The site is complete.
    pub(crate) fn finish(&self) {
        self.sink.emit(Event::SiteDone { site: &self.id });
    }
}
