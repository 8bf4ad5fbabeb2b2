//! Issue 8, "a crawl that stopped making progress": the 200-host benchmark
//! (`ARTICLES=28 cargo bench --bench crawl_portal -- --hosts 200 --sites
//! 200`) once sat for minutes at 0% CPU with a few hosts' connections open
//! and sites still waiting. No future was stuck: the scheduler had shrunk
//! to one site at a time. It charges each site at least what the process
//! grew by per site held, sampled as sites finish; the process does not
//! shrink when sites leave (the allocator keeps what they freed, the
//! caller keeps what it loaded once — the typo dictionaries), so dividing
//! by the sites held *now* charged each remaining site for its
//! predecessors, fewer were admitted, the next quotient was larger still,
//! and the crawl ratcheted down to one site, one host, 5 requests a second.
//!
//! Here, over real HTTP on two loopback hosts (fixtures/sched-shared-host,
//! eight sites, at most two per host at once), the caller keeps 1.5× the
//! memory budget once the first site is handed over, as a judge that loads
//! its dictionaries does. That memory is shared by the sites held when it
//! came, so the crawl goes on with fewer sites at once — but never one at a
//! time: every site started after it still runs beside another one.
//!
//! One test in its own binary: the scheduler reads this process's resident
//! memory, which other tests running beside it would disturb.

mod common;

use std::sync::{Arc, Mutex};

use common::serve_shared_host;
use govaudit::crawl::{crawl_all_as_finished, CrawlOptions, Event, Progress, ProgressSink};

/// The process's resident memory in MB (Linux), as the scheduler reads it.
fn resident_mb() -> usize {
    std::fs::read_to_string("/proc/self/statm")
        .ok()
        .and_then(|s| s.split_whitespace().nth(1)?.parse::<usize>().ok())
        .map_or(0, |pages| (pages * 4096) >> 20)
}

/// How many sites were crawling (started, not done) as each site started,
/// itself included.
#[derive(Default)]
struct SitesAtOnce {
    state: Mutex<(usize, Vec<usize>)>,
}

impl Progress for SitesAtOnce {
    fn event(&self, event: Event<'_>) {
        let mut s = self.state.lock().unwrap();
        match event {
            Event::SiteStarted { .. } => {
                s.0 += 1;
                let now = s.0;
                s.1.push(now);
            }
            Event::SiteDone { .. } => s.0 -= 1,
            _ => {}
        }
    }
}

#[test]
fn memory_kept_after_sites_leave_does_not_shrink_the_crawl_to_one_site() {
    let (rt, _server, mut config) = serve_shared_host(2);
    config.crawl.per_host_concurrency = 2;
    // A budget of 96 MB over what the process holds now.
    let budget_mb = 96;
    config.crawl.max_memory_mb = resident_mb() + budget_mb;

    let watch = Arc::new(SitesAtOnce::default());
    let options = CrawlOptions {
        progress: ProgressSink::new(watch.clone()),
        ..Default::default()
    };
    let mut kept: Vec<Vec<u8>> = Vec::new();
    let mut ids = Vec::new();
    rt.block_on(crawl_all_as_finished(&config, &options, |site| {
        if kept.is_empty() {
            // Loaded once and kept for the rest of the run, like the typo
            // dictionaries a judge loads on its first site (written, so it
            // is resident).
            kept.push(vec![1u8; (budget_mb * 3 / 2) << 20]);
        }
        ids.push(site.id);
    }))
    .unwrap();
    std::hint::black_box(&kept);
    drop(kept);

    ids.sort();
    assert_eq!(ids, ["d1", "d2", "d3", "d4", "d5", "d6", "d7", "d8"]);
    let at_once = watch.state.lock().unwrap().1.clone();
    assert_eq!(at_once.len(), 8, "{at_once:?}");
    // Four sites start at once (two hosts, two sites each); the memory
    // kept after the first one ends leaves room for fewer, but the last
    // sites still start beside a running one instead of one after another.
    assert_eq!(at_once[..4], [1, 2, 3, 4], "{at_once:?}");
    assert!(
        at_once[5..].iter().all(|&n| n >= 2),
        "the crawl fell to one site at a time after the caller kept memory: \
         sites crawling as each started {at_once:?}"
    );
}
