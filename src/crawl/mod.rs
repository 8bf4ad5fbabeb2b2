//! The crawler: every network call govaudit makes. Frontier, politeness
//! (per-host concurrency and delay, robots.txt), fetch with retries and
//! decode, column list pagination, and link checks (each distinct URL once
//! per run, shared across sites).
//!
//! A site is the unit of work: [`crawl_all`] crawls at most
//! `sites_in_flight` sites at once and hands each finished [`Site`] to the
//! caller, who writes it out and drops it, so memory follows the sites in
//! flight, not the portal.

mod fetch;
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
use crate::site::Site;
use links::LinkCache;

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
}

/// Totals over a whole crawl.
#[derive(Debug, Clone, Default)]
pub struct CrawlSummary {
    pub sites: usize,
    /// Sites whose start page could not be fetched.
    pub unreachable: usize,
    pub pages: u64,
    pub links_checked: u64,
    /// Links the broken-link rule judges broken (counted by the caller that
    /// judges them; the crawl records facts only).
    pub broken_links: u64,
    pub requests: u64,
    pub bytes: u64,
    pub errors: u64,
    pub elapsed_secs: f64,
}

/// Options that are not part of SITES.toml.
#[derive(Debug, Clone, Default)]
pub struct CrawlOptions {
    /// Draw progress bars / log lines on stderr.
    pub progress: bool,
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
    });
    let progress = progress::Progress::new(options.progress, config.sites.len());
    let ticker = progress.spawn_ticker();
    let mut summary = CrawlSummary::default();
    let mut sites = futures::stream::iter(config.sites.iter().cloned())
        .map(|cfg| {
            let shared = shared.clone();
            let progress = progress.clone();
            async move {
                let sp = progress.site(&cfg.id);
                let id = cfg.id.clone();
                let site = tokio::spawn(walk::crawl_site(shared, cfg, sp.clone())).await;
                progress.site_done(&sp);
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
        on_site(site);
    }
    if let Some(t) = ticker {
        t.abort();
    }
    progress.finish();
    summary.requests = shared.fetcher.requests.load(Ordering::Relaxed);
    summary.bytes = shared.fetcher.bytes.load(Ordering::Relaxed);
    summary.elapsed_secs = started.elapsed().as_secs_f64();
    Ok(summary)
}

/// `govaudit crawl --config … --out DIR`: crawl and save the snapshot, print
/// a summary on stderr. Exit 0 whatever the sites answered.
pub fn run_crawl_command(
    config: &std::path::Path,
    out: &std::path::Path,
    progress: bool,
) -> crate::Result<u8> {
    let config = Config::load(config)?;
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| crate::Error::Other(format!("tokio runtime: {e}")))?;
    let mut writer = crate::snapshot::SnapshotWriter::create(
        out,
        config.audit.name.clone(),
        crate::clock::now_cst(),
    )?;
    let mut write_error = None;
    let mut broken = 0;
    let mut summary = rt.block_on(crawl_all(&config, &CrawlOptions { progress }, |site| {
        broken += crate::rules::broken_link::count_broken(&site);
        if write_error.is_none() {
            if let Err(e) = writer.write_site(&site) {
                write_error = Some(e);
            }
        }
    }))?;
    if let Some(e) = write_error {
        return Err(e);
    }
    summary.broken_links = broken;
    let dir = writer.finish(crate::clock::now_cst())?;
    eprintln!("{}", summary_line(&summary, &dir));
    Ok(0)
}

/// The one-line crawl summary printed on stderr.
pub fn summary_line(s: &CrawlSummary, dir: &std::path::Path) -> String {
    format!(
        "crawl: {} sites ({} unreachable), {} pages, {} links checked ({} broken), {} requests, {} errors, {:.1} MB in {:.1}s ({:.0} pages/s) → {}",
        s.sites,
        s.unreachable,
        s.pages,
        s.links_checked,
        s.broken_links,
        s.requests,
        s.errors,
        s.bytes as f64 / 1e6,
        s.elapsed_secs,
        s.pages as f64 / s.elapsed_secs.max(0.001),
        dir.display()
    )
}
