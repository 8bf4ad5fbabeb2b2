//! Crawl progress on stderr: indicatif bars (a total bar and one per site in
//! flight: URLs done (pages fetched, links checked) / queued, errors, rate) when stderr is a terminal,
//! plain log lines every few seconds when it is not, nothing when off.
//! Never writes to stdout.

use std::io::IsTerminal;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};

/// How often the plain log prints a line.
const LOG_EVERY: Duration = Duration::from_secs(5);

enum Mode {
    Off,
    Bars {
        multi: MultiProgress,
        total: ProgressBar,
    },
    Log,
}

/// Run-wide progress.
pub(crate) struct Progress {
    mode: Mode,
    started: Instant,
    sites_total: u64,
    sites_done: AtomicU64,
    urls: AtomicU64,
    errors: AtomicU64,
    active: Mutex<Vec<Arc<SiteProgress>>>,
}

/// Counters of one site in flight.
pub(crate) struct SiteProgress {
    pub(crate) id: String,
    bar: Option<ProgressBar>,
    started: Instant,
    done: AtomicU64,
    queued: AtomicU64,
    errors: AtomicU64,
}

impl Progress {
    pub(crate) fn new(enabled: bool, sites_total: usize) -> Arc<Self> {
        let mode = if !enabled {
            Mode::Off
        } else if std::io::stderr().is_terminal() {
            let multi = MultiProgress::with_draw_target(ProgressDrawTarget::stderr_with_hz(4));
            let total = multi.add(ProgressBar::new(sites_total as u64));
            total.set_style(
                ProgressStyle::with_template("{prefix:>12} [{bar:30}] {pos}/{len} sites · {msg}")
                    .unwrap_or_else(|_| ProgressStyle::default_bar())
                    .progress_chars("=> "),
            );
            total.set_prefix("crawl");
            Mode::Bars { multi, total }
        } else {
            Mode::Log
        };
        Arc::new(Progress {
            mode,
            started: Instant::now(),
            sites_total: sites_total as u64,
            sites_done: AtomicU64::new(0),
            urls: AtomicU64::new(0),
            errors: AtomicU64::new(0),
            active: Mutex::new(Vec::new()),
        })
    }

    /// Start the periodic log printer (plain mode only). Ends with the run.
    pub(crate) fn spawn_ticker(self: &Arc<Self>) -> Option<tokio::task::JoinHandle<()>> {
        let this = self.clone();
        match self.mode {
            Mode::Off => None,
            Mode::Bars { .. } => Some(tokio::spawn(async move {
                loop {
                    tokio::time::sleep(Duration::from_millis(500)).await;
                    this.refresh_total();
                }
            })),
            Mode::Log => Some(tokio::spawn(async move {
                loop {
                    tokio::time::sleep(LOG_EVERY).await;
                    eprintln!("{}", this.log_line());
                }
            })),
        }
    }

    fn rate(&self) -> f64 {
        let secs = self.started.elapsed().as_secs_f64().max(0.001);
        self.urls.load(Ordering::Relaxed) as f64 / secs
    }

    fn refresh_total(&self) {
        if let Mode::Bars { total, .. } = &self.mode {
            total.set_message(format!(
                "{} URLs · {} errors · {:.0} URLs/s",
                self.urls.load(Ordering::Relaxed),
                self.errors.load(Ordering::Relaxed),
                self.rate()
            ));
        }
    }

    /// One plain progress line.
    pub(crate) fn log_line(&self) -> String {
        let active = self.active.lock().expect("progress lock");
        let sites: Vec<String> = active
            .iter()
            .take(6)
            .map(|s| {
                format!(
                    "{} {}/{}",
                    s.id,
                    s.done.load(Ordering::Relaxed),
                    s.done.load(Ordering::Relaxed) + s.queued.load(Ordering::Relaxed)
                )
            })
            .collect();
        format!(
            "crawl: {}/{} sites, {} URLs fetched or checked, {} errors, {:.0} URLs/s{}{}",
            self.sites_done.load(Ordering::Relaxed),
            self.sites_total,
            self.urls.load(Ordering::Relaxed),
            self.errors.load(Ordering::Relaxed),
            self.rate(),
            if sites.is_empty() {
                ""
            } else {
                "; in flight: "
            },
            sites.join(", ")
        )
    }

    /// A site starts.
    pub(crate) fn site(self: &Arc<Self>, id: &str) -> Arc<SiteProgress> {
        let bar = match &self.mode {
            Mode::Bars { multi, .. } => {
                let b = multi.add(ProgressBar::new(0));
                b.set_style(
                    ProgressStyle::with_template(
                        "{prefix:>12} [{bar:30}] {pos}/{len} URLs · {per_sec} · {msg}",
                    )
                    .unwrap_or_else(|_| ProgressStyle::default_bar())
                    .progress_chars("=> "),
                );
                b.set_prefix(id.to_string());
                Some(b)
            }
            _ => None,
        };
        let sp = Arc::new(SiteProgress {
            id: id.to_string(),
            bar,
            started: Instant::now(),
            done: AtomicU64::new(0),
            queued: AtomicU64::new(0),
            errors: AtomicU64::new(0),
        });
        self.active.lock().expect("progress lock").push(sp.clone());
        sp
    }

    /// A site is done.
    pub(crate) fn site_done(&self, sp: &Arc<SiteProgress>) {
        self.active
            .lock()
            .expect("progress lock")
            .retain(|s| !Arc::ptr_eq(s, sp));
        self.sites_done.fetch_add(1, Ordering::Relaxed);
        self.urls
            .fetch_add(sp.done.load(Ordering::Relaxed), Ordering::Relaxed);
        self.errors
            .fetch_add(sp.errors.load(Ordering::Relaxed), Ordering::Relaxed);
        if let Some(b) = &sp.bar {
            b.finish_and_clear();
        }
        match &self.mode {
            Mode::Bars { total, .. } => {
                total.inc(1);
                self.refresh_total();
            }
            Mode::Log => eprintln!(
                "crawl: site {} done: {} URLs fetched or checked, {} errors in {:.1}s",
                sp.id,
                sp.done.load(Ordering::Relaxed),
                sp.errors.load(Ordering::Relaxed),
                sp.started.elapsed().as_secs_f64()
            ),
            Mode::Off => {}
        }
    }

    /// The run is over.
    pub(crate) fn finish(&self) {
        if let Mode::Bars { multi, total } = &self.mode {
            // The caller prints the summary line next; leave the screen clean.
            total.finish_and_clear();
            let _ = multi.clear();
        }
    }
}

impl SiteProgress {
    /// `n` more URLs queued for this site.
    pub(crate) fn queued(&self, n: u64) {
        self.queued.fetch_add(n, Ordering::Relaxed);
        if let Some(b) = &self.bar {
            b.inc_length(n);
        }
    }

    /// One queued URL done (fetched or checked).
    pub(crate) fn done(&self, failed: bool) {
        let _ = self
            .queued
            .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |q| {
                Some(q.saturating_sub(1))
            });
        self.done.fetch_add(1, Ordering::Relaxed);
        if failed {
            self.errors.fetch_add(1, Ordering::Relaxed);
        }
        if let Some(b) = &self.bar {
            b.inc(1);
            if failed {
                b.set_message(format!("{} errors", self.errors.load(Ordering::Relaxed)));
            }
        }
    }
}
