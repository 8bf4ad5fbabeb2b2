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
//! The memory gate (src/crawl/memory.rs) now measures the heap in use,
//! which falls when memory is freed, instead of the resident size, which
//! does not. Here, over real HTTP on two loopback hosts
//! (fixtures/sched-shared-host, eight sites, at most two per host at once),
//! the caller makes the process grow by 1.5× the memory budget once the
//! first site is handed over and frees nearly all of it again in a way the
//! allocator cannot give back to the system (small blocks, a few kept
//! among them), as finished sites leave it: the resident size stays over
//! the budget, yet the crawl goes on with sites side by side, never one at
//! a time.
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
    let mut kept: Vec<Box<[u8; 1024]>> = Vec::new();
    let mut ids = Vec::new();
    let before = resident_mb();
    rt.block_on(crawl_all_as_finished(&config, &options, |site| {
        if kept.is_empty() {
            // 1.5× the budget in 1 KB blocks (written, so resident), then
            // all freed but one block in 16 and the last: the pages stay
            // resident, the heap in use is a sixteenth of it.
            let blocks = (budget_mb * 3 / 2) << 10;
            let all: Vec<Box<[u8; 1024]>> = (0..blocks).map(|_| Box::new([1u8; 1024])).collect();
            kept = all
                .into_iter()
                .enumerate()
                .filter(|(i, _)| i % 16 == 0 || *i + 1 == blocks)
                .map(|(_, b)| b)
                .collect();
        }
        ids.push(site.id);
    }))
    .unwrap();
    let after = resident_mb();
    std::hint::black_box(&kept);
    drop(kept);
    // The premise: the process stayed grown by more than the budget.
    assert!(after >= before + budget_mb, "{before} MB → {after} MB");

    ids.sort();
    assert_eq!(ids, ["d1", "d2", "d3", "d4", "d5", "d6", "d7", "d8"]);
    let at_once = watch.state.lock().unwrap().1.clone();
    assert_eq!(at_once.len(), 8, "{at_once:?}");
    // Four sites start at once (two hosts, two sites each); the memory
    // the allocator kept after the first one ends does not count, so the
    // last sites still start beside a running one.
    assert_eq!(at_once[..4], [1, 2, 3, 4], "{at_once:?}");
    assert!(
        at_once[5..].iter().all(|&n| n >= 2),
        "the crawl fell to one site at a time after the allocator kept memory: \
         sites crawling as each started {at_once:?}"
    );
}
