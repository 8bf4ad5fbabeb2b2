//! The crawler: every network call govaudit makes. Frontier, politeness
//! (per-host concurrency and delay, robots.txt), fetch with retries and
//! decode, column list pagination, and link checks (each distinct URL once
//! per run, shared across sites).
//!
//! A site is the unit of work: [`crawl_all`] crawls at most
//! `sites_in_flight` sites at once and hands each finished [`Site`] to the
//! caller, who writes it out and drops it, so memory follows the sites in
//! flight, not the portal.

pub(crate) mod fetch; // pub(crate) for `govaudit probe` (src/probe.rs)
mod frontier;
mod politeness;
mod progress;
mod robots;
mod site_crawl;

use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Instant;

use futures::StreamExt;

use crate::config::Config;
use crate::site::Site;
use site_crawl::{LinkCache, Shared};

/// Totals over a whole crawl.
#[derive(Debug, Clone, Default)]
pub struct CrawlSummary {
    pub sites: usize,
    /// Sites whose start page could not be fetched.
    pub unreachable: usize,
    pub pages: u64,
    pub links_checked: u64,
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
        classifier: crate::extract::ColumnClassifier::default(),
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
                let site = tokio::spawn(site_crawl::crawl_site(shared, cfg, sp.clone())).await;
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
        summary.broken_links += u64::from(site.stats.broken_links);
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
        crate::audit::now_cst(),
    )?;
    let mut write_error = None;
    let summary = rt.block_on(crawl_all(&config, &CrawlOptions { progress }, |site| {
        if write_error.is_none() {
            if let Err(e) = writer.write_site(&site) {
                write_error = Some(e);
            }
        }
    }))?;
    if let Some(e) = write_error {
        return Err(e);
    }
    let dir = writer.finish(crate::audit::now_cst())?;
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

/// One page fetched the way the crawler fetches pages (its User-Agent,
/// robots.txt, politeness gate, timeouts, bounded retries and redirects,
/// body cap), for `govaudit inspect`.
#[derive(Debug, Clone, Default)]
pub struct OnePage {
    /// URL of the last answer, after redirects.
    pub final_url: Option<url::Url>,
    pub status: Option<u16>,
    /// Why no usable answer came (timeout, HTTP 404 …), if so.
    pub error: Option<String>,
    pub attempts: u32,
    pub content_type: Option<String>,
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
