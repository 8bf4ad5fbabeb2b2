//! The crawler: every network call govaudit makes. Frontier, politeness
//! (per-host concurrency and delay, robots.txt), fetch with retries and
//! decode, column list pagination, and link checks (each distinct URL once
//! per run, shared across sites).
//!
//! A site is the unit of work: [`crawl_all`] crawls at most
//! `sites_in_flight` sites at once and hands each finished [`Site`] to the
//! caller, who writes it out and drops it, so memory follows the sites in
//! flight, not the portal. Within a site, each page goes to the caller's
//! [`PageSink`] as it is stored (the audit moves its text and links to the
//! snapshot's page file), so a big site does not hold all its pages' text.

mod attachments;
mod columns;
pub(crate) mod fetch; // pub(crate) for `govaudit probe` (src/probe.rs)
mod finish;
mod frontier;
mod links;
mod page_fetch;
mod pagination;
mod politeness;
mod progress;
mod robots;
mod visited;
mod walk;

use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Instant;

use futures::StreamExt;

use crate::config::{Config, CrawlSettings};
use crate::extract::ColumnClassifier;
use crate::site::{Page, Site};
use links::LinkCache;
pub use progress::{Event, Progress, ProgressSink};

/// Everything shared by the sites of one run.
pub(crate) struct Shared {
    pub fetcher: fetch::Fetcher,
    pub cache: LinkCache,
    pub classifier: ColumnClassifier,
    pub settings: CrawlSettings,
    /// Pages parsed at once: one per core. Without it every page in flight
    /// gets its own blocking thread (and malloc arena), which costs memory
    /// and buys no speed.
    pub parse_slots: Arc<tokio::sync::Semaphore>,
    /// Attachments downloaded and read this run (each URL once).
    pub attachments: attachments::AttachmentCache,
    /// Where stored pages go (the caller's; `None`: they stay in the site).
    pub pages: Option<Arc<dyn PageSink>>,
}

/// Totals over a whole crawl.
#[derive(Debug, Clone, Default)]
pub struct CrawlSummary {
    /// Sites crawled.
    pub sites: usize,
    /// Sites whose start page could not be fetched.
    pub unreachable: usize,
    /// HTML pages fetched.
    pub pages: u64,
    /// Distinct link targets checked (not skipped).
    pub links_checked: u64,
    /// Links the broken-link rule judges broken (counted by the caller that
    /// judges them; the crawl records facts only).
    pub broken_links: u64,
    /// HTTP requests sent (attempts, hops and robots.txt included).
    pub requests: u64,
    /// Body bytes read.
    pub bytes: u64,
    /// Crawl errors recorded (pages or lists that failed to load).
    pub errors: u64,
    /// Attachments read (downloaded and their text extracted, or found
    /// unreadable), summed over sites.
    pub attachments_read: u64,
    /// Bytes of the attachments read, summed over sites.
    pub attachment_bytes: u64,
    /// Wall time of the crawl.
    pub elapsed_secs: f64,
}

/// Options that are not part of SITES.toml.
#[derive(Clone, Default)]
pub struct CrawlOptions {
    /// Where the crawl reports its progress (nowhere by default).
    pub progress: ProgressSink,
    /// Where each page goes as it is stored. `None` (the default): pages
    /// stay whole in [`Site::pages`] until the site is handed over.
    pub pages: Option<Arc<dyn PageSink>>,
}

impl std::fmt::Debug for CrawlOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CrawlOptions")
            .field("progress", &self.progress)
            .field("pages", &self.pages.as_ref().map(|_| "PageSink"))
            .finish()
    }
}

/// The caller's hand in a crawl: each page, as the crawl stores it. The
/// crawl knows nothing of where pages go (the audit's is the snapshot's
/// page file, src/pagefile.rs); it only promises every stored page passes
/// through [`SitePages::page`] once, and nothing reads a page's text or
/// links after that.
pub trait PageSink: Send + Sync {
    /// A site's crawl starts: the sink for its pages.
    fn site(&self, id: &str) -> Box<dyn SitePages>;
}

/// One site's pages on their way out (see [`PageSink`]).
pub trait SitePages: Send {
    /// A page joins the site: keep, read or take what you want of it (the
    /// audit takes its text and links and leaves a [`Page::body`]).
    fn page(&mut self, page: &mut Page);
    /// The site's crawl is over, its pages in their final order: attach
    /// what reads the pages back (the audit sets [`Site::page_file`]).
    fn close(self: Box<Self>, site: &mut Site);
}

/// Crawl every site in `config`. Each site is handed to `on_site` as soon as
/// its crawl (pages and link checks) is complete, in SITES.toml order, so the
/// caller can write it to the snapshot, run the rules and drop it: memory is
/// bounded by the sites in flight, not by the portal.
pub async fn crawl_all<F: FnMut(Site) + Send>(
    config: &Config,
    options: &CrawlOptions,
    mut on_site: F,
) -> crate::Result<CrawlSummary> {
    let started = Instant::now();
    let shared = Arc::new(Shared {
        fetcher: fetch::Fetcher::new(&config.crawl)?,
        cache: LinkCache::default(),
        classifier: ColumnClassifier::default(),
        settings: config.crawl.clone(),
        parse_slots: Arc::new(tokio::sync::Semaphore::new(
            std::thread::available_parallelism().map_or(2, |n| n.get()),
        )),
        attachments: attachments::AttachmentCache::new(
            std::thread::available_parallelism().map_or(2, |n| n.get()),
        ),
        pages: options.pages.clone(),
    });
    let progress = options.progress.clone();
    progress.emit(Event::Started {
        sites: config.sites.len(),
    });
    let mut summary = CrawlSummary::default();
    let mut sites = futures::stream::iter(config.sites.iter().cloned())
        .map(|cfg| {
            let shared = shared.clone();
            let progress = progress.clone();
            async move {
                let sp = progress.site(&cfg.id);
                let id = cfg.id.clone();
                let site = tokio::spawn(walk::crawl_site(shared, cfg, sp.clone())).await;
                sp.finish();
                site.map_err(|e| crate::Error::Other(format!("crawl of site {id} failed: {e}")))
            }
        })
        .buffered(config.crawl.sites_in_flight.max(1));
    while let Some(site) = sites.next().await {
        let site = site?;
        summary.sites += 1;
        summary.unreachable += usize::from(!site.start.ok);
        summary.pages += u64::from(site.stats.pages);
        summary.links_checked += u64::from(site.stats.links_checked);
        summary.errors += u64::from(site.stats.errors);
        for a in site.attachments.iter().filter(|a| a.text.skipped.is_none()) {
            summary.attachments_read += 1;
            summary.attachment_bytes += a.text.bytes;
        }
        on_site(site);
    }
    progress.emit(Event::Finished);
    summary.requests = shared.fetcher.requests.load(Ordering::Relaxed);
    summary.bytes = shared.fetcher.bytes.load(Ordering::Relaxed);
    summary.elapsed_secs = started.elapsed().as_secs_f64();
    Ok(summary)
}

/// One page fetched the way the crawler fetches pages (its User-Agent,
/// robots.txt, politeness gate, timeouts, bounded retries and redirects,
/// body cap), for `govaudit inspect`.
#[derive(Debug, Clone, Default)]
pub struct OnePage {
    /// URL of the last answer, after redirects.
    pub final_url: Option<url::Url>,
    /// HTTP status of the last answer, if one came.
    pub status: Option<u16>,
    /// Why no usable answer came (timeout, HTTP 404 …), if so.
    pub error: Option<String>,
    /// Attempts made (retries included).
    pub attempts: u32,
    /// Content-Type of the last answer.
    pub content_type: Option<String>,
    /// The body read (up to `max_body_bytes`).
    pub body: Vec<u8>,
    /// The body was cut at `max_body_bytes`.
    pub truncated: bool,
    /// robots.txt forbids the URL (nothing was requested but robots.txt).
    pub robots_blocked: bool,
}

/// Fetch one page politely (see [`OnePage`]).
pub async fn fetch_one(
    settings: &crate::config::CrawlSettings,
    url: &url::Url,
) -> crate::Result<OnePage> {
    let fetcher = fetch::Fetcher::new(settings)?;
    if !fetcher.allowed(url).await {
        return Ok(OnePage {
            robots_blocked: true,
            error: Some("robots.txt disallow".into()),
            ..Default::default()
        });
    }
    let f = fetcher
        .fetch(url, &fetch::Method::Get, settings.max_body_bytes)
        .await;
    Ok(OnePage {
        error: f.failure(),
        final_url: f.final_url,
        status: f.status,
        attempts: f.attempts,
        content_type: f.content_type,
        body: f.body,
        truncated: f.truncated,
        robots_blocked: f.robots_blocked,
    })
}
