//! The crawler: every network call govaudit makes. Frontier, politeness
//! (per-host concurrency and delay, robots.txt), fetch with retries and
//! decode, column list pagination, and link checks (each distinct URL once
//! per run, shared across sites).
//!
//! A site is the unit of work: [`crawl_all`] schedules sites by host (every
//! host with work kept busy up to its politeness limit, sites sharing a host
//! sharing it in turn) and holds as many sites at once as the memory budget
//! `max_memory_mb` allows; it hands each finished [`Site`] to the caller,
//! who writes it out and drops it, so memory follows the sites in flight,
//! not the portal. Within a site, each page goes to the caller's
//! [`PageSink`] as it is stored (the audit moves its text and links to the
//! snapshot's page file), so a big site does not hold all its pages' text.

mod attachments;
pub mod cache;
mod columns;
pub(crate) mod fetch; // pub(crate) for `govaudit probe` (src/probe.rs)
mod finish;
mod frontier;
mod links;
mod memory;
mod page_fetch;
mod pagination;
mod politeness;
mod progress;
mod robots;
mod visited;
mod walk;

use std::collections::{BTreeMap, HashMap};
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Instant;

use futures::stream::FuturesUnordered;
use futures::StreamExt;

use crate::config::{Config, CrawlSettings};
use crate::extract::ColumnClassifier;
use crate::site::{Page, Site};
pub use cache::{UrlStore, Validators};
use links::LinkCache;
use progress::SiteProgress;
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
    /// What the sites hold against `max_memory_mb`, and their turns.
    pub memory: memory::MemoryGate,
    /// Where stored pages go (the caller's; `None`: they stay in the site).
    pub pages: Option<Arc<dyn PageSink>>,
    /// Entries of earlier runs for conditional requests (incremental crawl).
    pub store: Option<Arc<dyn UrlStore>>,
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
    /// Pages answered 304 Not Modified and taken from the stored
    /// extraction (incremental crawl).
    pub not_modified: u64,
    /// Crawl errors recorded (pages or lists that failed to load).
    pub errors: u64,
    /// Attachments read (downloaded and their text extracted, or found
    /// unreadable), summed over sites.
    pub attachments_read: u64,
    /// Bytes of the attachments read, summed over sites.
    pub attachment_bytes: u64,
    /// Wall time of the crawl.
    pub elapsed_secs: f64,
    /// Most sites held at once (crawling, or finished and waiting to be
    /// handed over in order): what the memory budget allowed.
    pub max_sites_held: usize,
    /// Most memory the sites held at once (bytes), as measured and
    /// charged against `max_memory_mb` (src/crawl/memory.rs).
    pub max_held_bytes: u64,
    /// Time fetches spent waiting for memory to come back, summed over
    /// fetches (seconds; a site has several waiting at once): the price of
    /// the budget.
    pub memory_wait_secs: f64,
}

/// Options that are not part of SITES.toml.
#[derive(Clone, Default)]
pub struct CrawlOptions {
    /// Where the crawl reports its progress (nowhere by default).
    pub progress: ProgressSink,
    /// Where each page goes as it is stored. `None` (the default): pages
    /// stay whole in [`Site::pages`] until the site is handed over.
    pub pages: Option<Arc<dyn PageSink>>,
    /// What earlier runs stored per URL: with one, page GETs are
    /// conditional and this run's answers are handed to it (`cache.rs`).
    pub store: Option<Arc<dyn UrlStore>>,
}

impl std::fmt::Debug for CrawlOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CrawlOptions")
            .field("progress", &self.progress)
            .field("pages", &self.pages.as_ref().map(|_| "PageSink"))
            .field("store", &self.store.is_some())
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
/// caller can write it to the snapshot, run the rules and drop it. A site
/// that finishes before an earlier one waits (and counts against the memory
/// budget) until the earlier one is handed over; [`crawl_all_as_finished`]
/// hands sites over in the order they finish instead.
pub async fn crawl_all<F: FnMut(Site) + Send>(
    config: &Config,
    options: &CrawlOptions,
    on_site: F,
) -> crate::Result<CrawlSummary> {
    let mut on_site = on_site;
    schedule(config, options, true, move |site, _done: HandOver| {
        on_site(site)
    })
    .await
}

/// [`crawl_all`], each site handed over as soon as it finishes, whatever
/// its place in SITES.toml: the caller restores the order (the audit sorts
/// its results, the snapshot its manifest). Memory then follows the sites in
/// flight only.
pub async fn crawl_all_as_finished<F: FnMut(Site) + Send>(
    config: &Config,
    options: &CrawlOptions,
    mut on_site: F,
) -> crate::Result<CrawlSummary> {
    schedule(config, options, false, move |site, _done: HandOver| {
        on_site(site)
    })
    .await
}

/// [`crawl_all_as_finished`] for a caller that judges sites on a thread of
/// its own: `on_site` gets the site and a [`HandOver`] to drop once the
/// site (and what was made from it) is gone. Until then the site still
/// counts against `max_memory_mb`, so a judge that falls behind holds new
/// sites back instead of letting finished ones pile up; meanwhile the
/// crawl goes on — `on_site` should only pass the site on.
pub async fn crawl_all_handing_over<F: FnMut(Site, HandOver) + Send>(
    config: &Config,
    options: &CrawlOptions,
    on_site: F,
) -> crate::Result<CrawlSummary> {
    schedule(config, options, false, on_site).await
}

/// Crawl on `runtime` (which must not be the caller's own: this blocks on
/// it) and judge each finished site on threads of their own (one per core),
/// so the crawl goes on meanwhile: `work` (run on several sites at once)
/// judges a site, then `keep` takes the site and what `work` made of it,
/// one site at a time, in the order the judging ends. A site counts against
/// `max_memory_mb` until `keep` returns from it (see
/// [`crawl_all_handing_over`]). A judge that panics is an error once the
/// crawl is over.
pub fn crawl_all_judging<R, W, K>(
    runtime: &tokio::runtime::Runtime,
    config: &Config,
    options: &CrawlOptions,
    work: W,
    keep: K,
) -> crate::Result<CrawlSummary>
where
    W: Fn(&mut Site) -> R + Sync,
    K: FnMut(Site, R) + Send,
{
    // Sites whose crawls end together (a portal's sites of one size, the
    // last ones of any run) would otherwise wait for one judge in turn.
    let judges = std::thread::available_parallelism().map_or(2, |n| n.get());
    let (to_judge, queue) = std::sync::mpsc::channel::<(Site, HandOver)>();
    let queue = std::sync::Mutex::new(queue);
    let keep = std::sync::Mutex::new(keep);
    let (queue, keep, work) = (&queue, &keep, &work);
    std::thread::scope(|scope| {
        let judging: Vec<_> = (0..judges)
            .map(|_| {
                scope.spawn(move || loop {
                    let next = queue.lock().expect("judge queue lock").recv();
                    let Ok((mut site, done)) = next else { break };
                    let made = work(&mut site);
                    (keep.lock().expect("judge keep lock"))(site, made);
                    // The site is gone with the call: give its share back.
                    drop(done);
                })
            })
            .collect();
        let summary = runtime.block_on(crawl_all_handing_over(config, options, |site, done| {
            // The judge threads end only when this sender is gone, so a
            // send fails only if they all panicked (reported below).
            let _ = to_judge.send((site, done));
        }));
        drop(to_judge);
        let mut failed = false;
        for j in judging {
            failed |= j.join().is_err();
        }
        if failed {
            return Err(crate::Error::Other("judging sites failed (panic)".into()));
        }
        summary
    })
}

/// A finished site's claim on the memory budget: dropping it gives the
/// site's share back to the scheduler (see [`crawl_all_handing_over`]).
#[derive(Debug)]
pub struct HandOver {
    idx: usize,
    released: tokio::sync::mpsc::UnboundedSender<usize>,
}

impl Drop for HandOver {
    fn drop(&mut self) {
        // The crawl may be over already: nobody is waiting then.
        let _ = self.released.send(self.idx);
    }
}

/// A site admitted and not handed over yet.
struct Held {
    host: String,
    progress: Arc<SiteProgress>,
    /// Its crawl is still running (not finished and waiting for the caller).
    crawling: bool,
}

/// The host-based scheduler. Requests are limited per host by the
/// politeness gates (FIFO: waiting requests of the sites sharing a host are
/// served in turn, so none starves); the scheduler decides which sites are
/// crawled at once:
///
/// - a new site starts while the memory the sites hold, as measured by the
///   memory gate (src/crawl/memory.rs), leaves room under `max_memory_mb`
///   — always at least one site running, and at most `sites_in_flight` when
///   that deprecated bound is set; when memory runs short, the sites started
///   last wait before their next fetch until older ones are done;
/// - the site started is the first in SITES.toml order among those whose
///   host holds the fewest sites, and a host holds at most
///   `max(per_host_concurrency, 2)` sites: more would share the same host
///   slots and only add memory, while hosts further down the list sit idle.
async fn schedule<F: FnMut(Site, HandOver) + Send>(
    config: &Config,
    options: &CrawlOptions,
    ordered: bool,
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
        // The budget is the process's: what it holds before any site (the
        // runtime, the typo dictionaries, the caller's data) is taken off
        // first, so `max_memory_mb` bounds the peak RSS, not only the
        // sites' share.
        memory: memory::MemoryGate::new(config.crawl.max_memory_mb),
        pages: options.pages.clone(),
        store: options.store.clone(),
    });
    let progress = options.progress.clone();
    progress.emit(Event::Started {
        sites: config.sites.len(),
    });
    let settings = &config.crawl;
    let gate = &shared.memory;
    let max_sites = settings.sites_in_flight.unwrap_or(usize::MAX).max(1);
    let per_host_sites = settings.per_host_concurrency.max(2);
    let hosts: Vec<String> = config
        .sites
        .iter()
        .map(|s| {
            url::Url::parse(&s.url)
                .map(|u| crate::urlnorm::host_key(&u))
                .unwrap_or_default()
        })
        .collect();
    let mut pending: Vec<usize> = (0..config.sites.len()).collect();
    let mut held: BTreeMap<usize, Held> = BTreeMap::new();
    let mut host_sites: HashMap<String, usize> = HashMap::new();
    let mut running = FuturesUnordered::new();
    // Finished sites waiting for an earlier one (ordered hand-over only).
    let mut waiting: BTreeMap<usize, Site> = BTreeMap::new();
    let mut next_out = 0;
    // Admission order: the memory gate lets the oldest sites through first.
    let mut next_rank = 0u64;
    // Sites may find room while none finishes (the measured memory falls
    // as the caller drops judged sites, a wait long past): look again now
    // and then.
    let mut tick = tokio::time::interval(std::time::Duration::from_millis(200));
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut summary = CrawlSummary::default();
    // Sites handed over come back here when their HandOver is dropped.
    let (release, mut released) = tokio::sync::mpsc::unbounded_channel::<usize>();
    // Sites handed over and not released yet (still held).
    let mut handed = 0usize;
    loop {
        // Admit sites while the budget allows.
        while !pending.is_empty() && (held.len() < max_sites || running.is_empty()) {
            let sizes: Vec<(u64, bool)> = held
                .values()
                .map(|h| (h.progress.held(), h.crawling))
                .collect();
            if !running.is_empty() && !gate.room_for_site(&sizes, pending.len()) {
                break;
            }
            let load = |i: usize| host_sites.get(&hosts[i]).copied().unwrap_or(0);
            let (pos, least) = pending
                .iter()
                .enumerate()
                .map(|(pos, &i)| (pos, load(i)))
                .min_by_key(|&(pos, l)| (l, pos))
                .expect("pending is not empty");
            if least >= per_host_sites && !running.is_empty() {
                break;
            }
            let idx = pending.remove(pos);
            let cfg = config.sites[idx].clone();
            let sp = progress.site(&cfg.id);
            sp.set_rank(next_rank);
            gate.enter(next_rank);
            next_rank += 1;
            *host_sites.entry(hosts[idx].clone()).or_default() += 1;
            held.insert(
                idx,
                Held {
                    host: hosts[idx].clone(),
                    progress: sp.clone(),
                    crawling: true,
                },
            );
            summary.max_sites_held = summary.max_sites_held.max(held.len());
            let shared = shared.clone();
            running.push(async move {
                let id = cfg.id.clone();
                let site = tokio::spawn(walk::crawl_site(shared, cfg, sp.clone())).await;
                sp.finish();
                (
                    idx,
                    site.map_err(|e| {
                        crate::Error::Other(format!("crawl of site {id} failed: {e}"))
                    }),
                )
            });
        }
        if running.is_empty() {
            debug_assert!(pending.is_empty() && waiting.is_empty());
            break;
        }
        // A site given back by the caller frees its share of the budget:
        // admit again. Otherwise wait for a crawl to end.
        let (idx, site) = tokio::select! {
            Some(idx) = released.recv(), if handed > 0 => {
                handed -= 1;
                held.remove(&idx);
                continue;
            }
            Some(done) = running.next() => done,
            _ = tick.tick(), if !pending.is_empty() => continue,
        };
        let site = site?;
        // The host is free for another site now; the site's memory stays
        // held until the caller gives it back.
        let estimated = held.values().map(|h| h.progress.held()).sum();
        let h = held.get_mut(&idx).expect("a running site is held");
        h.crawling = false;
        gate.learn(h.progress.held(), estimated);
        gate.leave(h.progress.rank());
        if let Some(n) = host_sites.get_mut(&h.host) {
            *n -= 1;
        }
        summary.sites += 1;
        summary.unreachable += usize::from(!site.start.ok);
        summary.pages += u64::from(site.stats.pages);
        summary.links_checked += u64::from(site.stats.links_checked);
        summary.errors += u64::from(site.stats.errors);
        for a in site.attachments.iter().filter(|a| a.text.skipped.is_none()) {
            summary.attachments_read += 1;
            summary.attachment_bytes += a.text.bytes;
        }
        let hand_over = |idx: usize| HandOver {
            idx,
            released: release.clone(),
        };
        if ordered {
            // Finished early, a site still holds its memory until handed over.
            waiting.insert(idx, site);
            while let Some(site) = waiting.remove(&next_out) {
                handed += 1;
                on_site(site, hand_over(next_out));
                next_out += 1;
            }
        } else {
            handed += 1;
            on_site(site, hand_over(idx));
        }
        // Sites given back at once (a caller done with them on return)
        // are not held when the next sites are admitted.
        while let Ok(idx) = released.try_recv() {
            handed -= 1;
            held.remove(&idx);
        }
    }
    progress.emit(Event::Finished);
    summary.requests = shared.fetcher.requests.load(Ordering::Relaxed);
    summary.bytes = shared.fetcher.bytes.load(Ordering::Relaxed);
    summary.not_modified = shared.fetcher.not_modified.load(Ordering::Relaxed);
    summary.max_held_bytes = gate.max_charge.load(Ordering::Relaxed);
    summary.memory_wait_secs = gate.waited_ms.load(Ordering::Relaxed) as f64 / 1000.0;
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
