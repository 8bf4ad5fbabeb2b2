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
//! And memory really held beyond the budget (the caller keeps it in use)
//! makes the sites started last wait for their turn while the oldest goes
//! on: every site is still crawled.
//!
//! In a binary of their own, one test at a time: the memory gate measures
//! this process's memory, which other tests running beside it would
//! disturb.

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

/// The tests here measure the process's memory: one at a time.
static ONE_AT_A_TIME: Mutex<()> = Mutex::new(());

#[test]
fn memory_kept_after_sites_leave_does_not_shrink_the_crawl_to_one_site() {
    let _one = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
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

/// Takes `bytes` of memory and keeps it in use once `after` URLs are done:
/// memory the sites crawling then cannot give back.
struct HoldAfter {
    after: usize,
    bytes: usize,
    state: Mutex<(usize, Vec<u8>)>,
}

impl Progress for HoldAfter {
    fn event(&self, event: Event<'_>) {
        if let Event::UrlDone { .. } = event {
            let mut s = self.state.lock().unwrap();
            s.0 += 1;
            if s.0 == self.after {
                s.1 = vec![1u8; self.bytes];
            }
        }
    }
}

#[test]
fn memory_held_over_the_budget_makes_young_sites_wait_and_every_site_finishes() {
    let _one = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    let (rt, _server, mut config) = serve_shared_host(2);
    config.crawl.per_host_concurrency = 2;
    let budget_mb = 64;
    config.crawl.max_memory_mb = resident_mb() + budget_mb;
    // 1.5× the budget, taken while the first four sites are mid-crawl (9
    // pages each) and in use until the crawl ends.
    let hold = Arc::new(HoldAfter {
        after: 8,
        bytes: (budget_mb * 3 / 2) << 20,
        state: Mutex::default(),
    });
    let options = CrawlOptions {
        progress: ProgressSink::new(hold.clone()),
        ..Default::default()
    };
    let mut ids = Vec::new();
    let summary = rt
        .block_on(crawl_all_as_finished(&config, &options, |site| {
            ids.push(site.id)
        }))
        .unwrap();
    assert_eq!(hold.state.lock().unwrap().1.len(), hold.bytes);
    ids.sort();
    assert_eq!(ids, ["d1", "d2", "d3", "d4", "d5", "d6", "d7", "d8"]);
    // The sites crawling beside the oldest waited for memory that did not
    // come back; the oldest went on, and so on to the last site.
    assert!(summary.memory_wait_secs > 0.0, "{summary:?}");
    assert!(
        summary.max_held_bytes >= (budget_mb as u64) << 20,
        "{summary:?}"
    );
}
