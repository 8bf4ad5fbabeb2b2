//! Politeness: a global limit on requests in flight, a per-host limit, a
//! per-host minimum delay between request starts (raised by robots.txt
//! Crawl-delay), and the robots.txt rules of each host, fetched once per run.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use tokio::time::Instant;

use super::robots::RobotsRules;

/// Longest Crawl-delay honoured: a robots.txt asking for more would stall a
/// nightly audit, so it is capped (and the cap is logged in the site's errors).
pub(crate) const MAX_CRAWL_DELAY: Duration = Duration::from_secs(30);

/// Per-host state shared by every site of the run.
pub(crate) struct HostState {
    sem: Arc<Semaphore>,
    /// Earliest start of the next request to this host.
    next_start: tokio::sync::Mutex<Instant>,
    delay_ms: AtomicU64,
    /// robots.txt of this host, fetched on first use.
    pub(crate) robots: tokio::sync::OnceCell<Arc<RobotsRules>>,
}

impl HostState {
    /// Raise this host's delay (robots.txt Crawl-delay); never lowers it.
    pub(crate) fn raise_delay(&self, d: Duration) {
        let ms = d.min(MAX_CRAWL_DELAY).as_millis() as u64;
        self.delay_ms.fetch_max(ms, Ordering::Relaxed);
    }
}

/// The permits held while one request is in flight.
pub(crate) struct Permit {
    _host: OwnedSemaphorePermit,
    _global: OwnedSemaphorePermit,
}

/// Run-wide politeness gates.
pub(crate) struct Politeness {
    global: Arc<Semaphore>,
    per_host: usize,
    base_delay: Duration,
    hosts: Mutex<HashMap<String, Arc<HostState>>>,
}

impl Politeness {
    pub(crate) fn new(concurrency: usize, per_host: usize, delay: Duration) -> Self {
        Politeness {
            global: Arc::new(Semaphore::new(concurrency.max(1))),
            per_host: per_host.max(1),
            base_delay: delay,
            hosts: Mutex::new(HashMap::new()),
        }
    }

    /// The state of one host (`host[:port]`).
    pub(crate) fn host(&self, key: &str) -> Arc<HostState> {
        let mut hosts = self.hosts.lock().expect("hosts lock");
        hosts
            .entry(key.to_string())
            .or_insert_with(|| {
                Arc::new(HostState {
                    sem: Arc::new(Semaphore::new(self.per_host)),
                    next_start: tokio::sync::Mutex::new(Instant::now()),
                    delay_ms: AtomicU64::new(self.base_delay.as_millis() as u64),
                    robots: tokio::sync::OnceCell::new(),
                })
            })
            .clone()
    }

    /// Wait until a request to `key` may start: a host slot first (so a busy
    /// host does not hold global slots while it waits), then the host's delay
    /// since the previous start, then a global slot.
    pub(crate) async fn acquire(&self, key: &str) -> Permit {
        let host = self.host(key);
        let host_permit = host
            .sem
            .clone()
            .acquire_owned()
            .await
            .expect("host semaphore never closed");
        let delay = Duration::from_millis(host.delay_ms.load(Ordering::Relaxed));
        if !delay.is_zero() {
            let start = {
                let mut next = host.next_start.lock().await;
                let now = Instant::now();
                let start = (*next).max(now);
                *next = start + delay;
                start
            };
            tokio::time::sleep_until(start).await;
        }
        let global = self
            .global
            .clone()
            .acquire_owned()
            .await
            .expect("global semaphore never closed");
        Permit {
            _host: host_permit,
            _global: global,
        }
    }
}
