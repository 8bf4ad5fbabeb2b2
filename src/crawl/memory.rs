//! The memory gate: how the crawl keeps the process under `max_memory_mb`
//! without knowing in advance how big a site is.
//!
//! A site's memory grows page by page as its crawl goes (its pages' facts,
//! column items, link table) and is given back when the caller has judged
//! it. Guessing a site's size before it starts is what held the 200-host
//! portal to a third of its hosts (issue 8): a guess large enough for a
//! 20,000-page site starves a portal of small ones. So the gate measures
//! instead of guessing:
//!
//! - **Measured, not estimated:** the memory the process has allocated
//!   (glibc `mallinfo2`: the heap in use, which falls again when a judged
//!   site is dropped) above what it held before the first site, scaled by
//!   how much resident memory each heap byte has cost so far in this run
//!   (allocator slack, thread stacks): that is the sites' charge against
//!   the budget. Where `mallinfo2` is missing, the resident size is used —
//!   it never falls, so a crawl that reaches the budget there goes on one
//!   site at a time.
//! - **Admission:** a new site starts while the sites held, each counted
//!   at what it holds or — while it crawls — at least at what a finished
//!   site held on average ([`SITE_PRIOR_BYTES`] before any has finished),
//!   leave room for one more under [`ADMIT`] of the budget, and no site has
//!   had to wait for its turn in the last [`CALM`]. What one site holds is
//!   its own estimate (page facts, links) scaled so that all of them add up
//!   to the measured charge. Sites that wait hold what their start cost
//!   (lists read, items known) and make no progress, so starting too many
//!   is what slows a crawl down: admission stays on the safe side, the
//!   turns below only catch what it could not foresee. The run's last few
//!   sites (one in [`TAIL`] of those held) start as soon as the measured
//!   memory alone leaves room: started a wave later, each would add a
//!   whole site's crawl to the end of the run.
//! - **Pause, oldest first through:** before each page or list fetch a site
//!   asks for its turn. Under [`PAUSE_FROM`] of the budget every site goes
//!   on; above it the sites started last wait first (the youngest at
//!   `PAUSE_FROM`, the second oldest at [`PAUSE_ALL`], the oldest crawling
//!   site never), so the old sites
//!   finish, are judged and give their memory back, and the waiting ones
//!   then go on from where they stopped. A fetch already under way is not
//!   stopped, so the charge can pass the budget by the pages in flight.

use std::collections::BTreeSet;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Below this share of the budget new sites start.
const ADMIT: f64 = 0.75;
/// Above this share of the budget the youngest sites wait for their turn.
const PAUSE_FROM: f64 = 0.8;
/// Above this share only the oldest site goes on (the rest is room for
/// the pages in flight and the allocator's slack).
const PAUSE_ALL: f64 = 0.95;
/// What a crawling site is assumed to come to before any site of the run
/// has finished (then the finished ones' mean is used). A guess too large
/// starts fewer sites at first; one too small starts so many that what
/// they hold at their start (lists read, items known) leaves no room to go
/// on: with 512 KB and a 200 MB budget, all 200 sites of the 200-host
/// portal started, then waited in turn (362 s, 6.2× the ideal); with 1 MB,
/// 121 started and went through (125 s).
const SITE_PRIOR_BYTES: u64 = 1 << 20;
/// The sites left to start are "the last few" when they are at most one
/// in this many of the sites held.
const TAIL: usize = 16;
/// Sites' own estimates below this sum are too little to scale by.
const SCALE_FROM: u64 = 4 << 20;
/// The least a site is expected to come to, however small finished ones were.
const MIN_SITE_BYTES: u64 = 128 << 10;
/// The least budget the sites get, whatever the process held before.
const MIN_BUDGET: u64 = 256 << 10;
/// How long after a site had to wait no new site starts.
const CALM: Duration = Duration::from_secs(2);
/// How long a measurement is used before it is taken again.
const SAMPLE_EVERY: Duration = Duration::from_millis(40);
/// How often a waiting site looks again.
const WAIT_STEP: Duration = Duration::from_millis(25);
/// Resident bytes charged per heap byte until the run has grown enough to
/// measure it (glibc's slack on the benchmark portal was 1.3–1.5).
const DEFAULT_RSS_PER_HEAP: f64 = 1.5;
/// Heap growth from which the run's own resident-per-heap ratio is used.
const CALIBRATE_FROM: u64 = 16 << 20;

/// The process's resident memory now (Linux `/proc/self/statm`; 0 where
/// it cannot be read).
fn resident_bytes() -> u64 {
    std::fs::read_to_string("/proc/self/statm")
        .ok()
        .and_then(|s| s.split_whitespace().nth(1)?.parse::<u64>().ok())
        .map_or(0, |pages| pages.saturating_mul(4096))
}

/// The heap the process has allocated and not freed (glibc), if known.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
fn heap_in_use() -> Option<u64> {
    // SAFETY: mallinfo2 takes no arguments and only reads the allocator's
    // own counters (under its locks); it is thread-safe.
    let m = unsafe { libc::mallinfo2() };
    Some((m.uordblks + m.hblkhd) as u64)
}

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
fn heap_in_use() -> Option<u64> {
    None
}

/// The latest measurement of what the sites hold.
#[derive(Debug, Clone, Copy, Default)]
struct Sample {
    at: Option<Instant>,
    /// Charged bytes above the start (see the module doc).
    charge: u64,
    /// The most heap grown above the start so far (for the ratio).
    heap_peak: u64,
}

/// See the module doc.
pub(crate) struct MemoryGate {
    /// Bytes the sites may hold: `max_memory_mb` less what the process
    /// held before the first site.
    budget: u64,
    rss_base: u64,
    heap_base: Option<u64>,
    sample: Mutex<Sample>,
    /// Admission ranks of the sites crawling (oldest first).
    crawling: Mutex<BTreeSet<u64>>,
    /// Highest charge measured.
    pub(crate) max_charge: AtomicU64,
    /// Milliseconds fetches spent waiting for their turn, summed.
    pub(crate) waited_ms: AtomicU64,
    /// When a site last had to wait.
    last_wait: Mutex<Option<Instant>>,
    /// Sites finished and what they held then, summed (bytes, as charged).
    finished: Mutex<(u64, u64)>,
}

impl MemoryGate {
    /// A gate for `max_memory_mb`, measured from now.
    pub(crate) fn new(max_memory_mb: usize) -> MemoryGate {
        let rss_base = resident_bytes();
        let budget = (max_memory_mb as u64)
            .saturating_mul(1 << 20)
            .saturating_sub(rss_base)
            .max(MIN_BUDGET);
        MemoryGate {
            budget,
            rss_base,
            heap_base: heap_in_use(),
            sample: Mutex::new(Sample::default()),
            crawling: Mutex::new(BTreeSet::new()),
            max_charge: AtomicU64::new(0),
            waited_ms: AtomicU64::new(0),
            last_wait: Mutex::new(None),
            finished: Mutex::new((0, 0)),
        }
    }

    /// What the sites hold now, as charged against the budget (measured at
    /// most every [`SAMPLE_EVERY`]).
    pub(crate) fn charge(&self) -> u64 {
        let mut s = self.sample.lock().expect("memory sample lock");
        if s.at.is_some_and(|t| t.elapsed() < SAMPLE_EVERY) {
            return s.charge;
        }
        let rss_grown = resident_bytes().saturating_sub(self.rss_base);
        let charge = match (self.heap_base, heap_in_use()) {
            (Some(base), Some(now)) => {
                let grown = now.saturating_sub(base);
                s.heap_peak = s.heap_peak.max(grown);
                charged(grown, s.heap_peak, rss_grown)
            }
            _ => rss_grown,
        };
        s.at = Some(Instant::now());
        s.charge = charge;
        self.max_charge.fetch_max(charge, Ordering::Relaxed);
        charge
    }

    /// Resident bytes per byte of the sites' own estimates, whose sum is
    /// `estimated`: the measured charge spread over them.
    fn scale(&self, estimated: u64) -> f64 {
        if estimated < SCALE_FROM {
            return 1.0;
        }
        (self.charge() as f64 / estimated as f64).clamp(0.5, 16.0)
    }

    /// A site's crawl ended with its own estimate at `estimate`, the sites
    /// held estimating `estimated` in all: learn what a site comes to.
    pub(crate) fn learn(&self, estimate: u64, estimated: u64) {
        let bytes = (estimate as f64 * self.scale(estimated)) as u64;
        let mut f = self.finished.lock().expect("finished lock");
        f.0 += bytes;
        f.1 += 1;
    }

    /// What a crawling site is expected to come to.
    fn expected(&self) -> u64 {
        let f = *self.finished.lock().expect("finished lock");
        f.0.checked_div(f.1)
            .unwrap_or(SITE_PRIOR_BYTES)
            .max(MIN_SITE_BYTES)
    }

    /// Room for one more site beside the sites held, given as their own
    /// estimates and whether they are still crawling, with `left` sites
    /// still to start.
    pub(crate) fn room_for_site(&self, held: &[(u64, bool)], left: usize) -> bool {
        let waited = *self.last_wait.lock().expect("last wait lock");
        if waited.is_some_and(|t| t.elapsed() < CALM) {
            return false;
        }
        // The run's last few sites start as soon as the memory measured
        // leaves room: started after a whole wave, each would add a whole
        // site's crawl to the end of the run.
        if is_tail(left, held.len()) && (self.charge() as f64) < ADMIT * self.budget as f64 {
            return true;
        }
        let estimated: u64 = held.iter().map(|h| h.0).sum();
        let scale = self.scale(estimated);
        let expected = self.expected();
        let counted: u64 = held
            .iter()
            .map(|&(est, crawling)| {
                let now = (est as f64 * scale) as u64;
                if crawling {
                    now.max(expected)
                } else {
                    now
                }
            })
            .sum();
        let total = counted.max(self.charge()).saturating_add(expected);
        (total as f64) < ADMIT * self.budget as f64
    }

    /// A site (admitted `rank`-th) starts crawling.
    pub(crate) fn enter(&self, rank: u64) {
        self.crawling.lock().expect("crawling lock").insert(rank);
    }

    /// A site's crawl is over: it no longer asks for turns, and the next
    /// oldest never waits.
    pub(crate) fn leave(&self, rank: u64) {
        self.crawling.lock().expect("crawling lock").remove(&rank);
    }

    /// Wait until the site admitted `rank`-th may fetch another page.
    pub(crate) async fn turn(&self, rank: u64) {
        let started = Instant::now();
        let mut waited = false;
        loop {
            let (pos, of) = {
                let c = self.crawling.lock().expect("crawling lock");
                (c.range(..rank).count(), c.len())
            };
            if may_go(pos, of, self.charge(), self.budget) {
                break;
            }
            waited = true;
            *self.last_wait.lock().expect("last wait lock") = Some(Instant::now());
            tokio::time::sleep(WAIT_STEP).await;
        }
        if waited {
            self.waited_ms
                .fetch_add(started.elapsed().as_millis() as u64, Ordering::Relaxed);
        }
    }
}

/// The charge of `grown` heap bytes: scaled by the resident bytes each
/// heap byte has cost in this run, measured once the heap has grown
/// [`CALIBRATE_FROM`] as `rss_grown` over the `peak` heap growth (the
/// allocator keeps what was freed, so the resident size follows the peak),
/// and never under one resident byte per heap byte.
fn charged(grown: u64, peak: u64, rss_grown: u64) -> u64 {
    let ratio = if peak >= CALIBRATE_FROM {
        (rss_grown as f64 / peak as f64).clamp(1.0, 3.0)
    } else {
        DEFAULT_RSS_PER_HEAP
    };
    (grown as f64 * ratio) as u64
}

/// Are the `left` sites still to start the run's last few, beside `held`?
fn is_tail(left: usize, held: usize) -> bool {
    left > 0 && left.saturating_mul(TAIL) <= held
}

/// May the site at position `pos` (0: the oldest) of the `of` sites
/// crawling fetch now, with `charge` held of `budget`?
fn may_go(pos: usize, of: usize, charge: u64, budget: u64) -> bool {
    if pos == 0 {
        return true;
    }
    let load = charge as f64 / budget.max(1) as f64;
    // The youngest waits from PAUSE_FROM on, the second oldest from
    // PAUSE_ALL; those between, in between.
    let youth = if of <= 2 {
        1.0
    } else {
        (pos - 1) as f64 / (of - 2) as f64
    };
    load < PAUSE_ALL - (PAUSE_ALL - PAUSE_FROM) * youth.min(1.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_oldest_site_always_goes_and_the_youngest_waits_first() {
        let mb = 1u64 << 20;
        // Far below the budget: everyone goes.
        assert!(may_go(9, 10, 10 * mb, 100 * mb));
        // At 90%: the youngest third waits, the older ones go.
        assert!(!may_go(9, 10, 90 * mb, 100 * mb));
        assert!(!may_go(7, 10, 90 * mb, 100 * mb));
        assert!(may_go(3, 10, 90 * mb, 100 * mb));
        assert!(may_go(1, 10, 90 * mb, 100 * mb));
        // At 96%: only the oldest.
        assert!(!may_go(1, 10, 96 * mb, 100 * mb));
        // Over the budget: only the oldest.
        assert!(may_go(0, 10, 200 * mb, 100 * mb));
        assert!(!may_go(1, 10, 200 * mb, 100 * mb));
        // Two sites: the younger waits from PAUSE_FROM on.
        assert!(may_go(1, 2, 79 * mb, 100 * mb));
        assert!(!may_go(1, 2, 81 * mb, 100 * mb));
    }

    #[test]
    fn the_last_few_sites_are_one_in_sixteen_of_those_held() {
        // The 200-host portal: 196 held, 4 left.
        assert!(is_tail(4, 196));
        assert!(is_tail(12, 196));
        assert!(!is_tail(13, 196));
        // A budget for 122 of 200: the other 78 are a wave, not a tail.
        assert!(!is_tail(78, 122));
        assert!(!is_tail(1, 8));
        assert!(!is_tail(0, 100));
    }

    #[test]
    fn heap_growth_is_charged_at_the_runs_resident_cost() {
        let mb = 1u64 << 20;
        // Too little growth to measure: the default slack.
        assert_eq!(charged(4 * mb, 4 * mb, 9 * mb), 6 * mb);
        // Measured: resident grew 150 MB while the heap peaked at 100 MB.
        assert_eq!(charged(50 * mb, 100 * mb, 150 * mb), 75 * mb);
        // Never under one resident byte per heap byte.
        assert_eq!(charged(50 * mb, 100 * mb, 20 * mb), 50 * mb);
    }

    #[tokio::test]
    async fn turns_follow_the_admission_order() {
        let gate = MemoryGate::new(1);
        gate.enter(3);
        gate.enter(7);
        // The oldest crawling site goes even with nothing left.
        gate.turn(3).await;
        gate.leave(3);
        // Once it has left, the next is the oldest.
        gate.turn(7).await;
        assert_eq!(gate.waited_ms.load(Ordering::Relaxed), 0);
    }
}
