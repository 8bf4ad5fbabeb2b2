//! Crawl progress on stderr, drawn from the library's events: indicatif bars
//! (a total bar and one per site in flight: URLs done / queued, errors,
//! rate) when stderr is a terminal, plain log lines every few seconds when
//! it is not. Never writes to stdout.

use std::io::IsTerminal;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use govaudit::crawl::{Event, Progress, ProgressSink};
use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};

/// How often the plain log prints a line.
const LOG_EVERY: Duration = Duration::from_secs(5);
/// How often the total bar's message is refreshed.
const REFRESH_EVERY: Duration = Duration::from_millis(500);

enum Mode {
    Bars {
        multi: MultiProgress,
        total: ProgressBar,
    },
    Log,
}

/// One site in flight.
struct SiteState {
    id: String,
    bar: Option<ProgressBar>,
    started: Instant,
    done: u64,
    queued: u64,
    errors: u64,
}

/// The run's progress display.
pub struct Display {
    mode: Mode,
    started: Instant,
    sites_total: AtomicU64,
    sites_done: AtomicU64,
    urls: AtomicU64,
    errors: AtomicU64,
    active: Mutex<Vec<SiteState>>,
    over: AtomicBool,
}

/// Where the library reports progress: this display when `enabled`, else nowhere.
pub fn sink(enabled: bool) -> ProgressSink {
    if !enabled {
        return ProgressSink::none();
    }
    let mode = if std::io::stderr().is_terminal() {
        let multi = MultiProgress::with_draw_target(ProgressDrawTarget::stderr_with_hz(4));
        let total = multi.add(ProgressBar::new(0));
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
    let display = Arc::new(Display {
        mode,
        started: Instant::now(),
        sites_total: AtomicU64::new(0),
        sites_done: AtomicU64::new(0),
        urls: AtomicU64::new(0),
        errors: AtomicU64::new(0),
        active: Mutex::new(Vec::new()),
        over: AtomicBool::new(false),
    });
    display.spawn_ticker();
    ProgressSink::new(display)
}

impl Display {
    /// Refresh the total bar, or print a log line every few seconds, until
    /// the crawl is over.
    fn spawn_ticker(self: &Arc<Self>) {
        let this = self.clone();
        std::thread::spawn(move || {
            let mut last_log = Instant::now();
            while !this.over.load(Ordering::Relaxed) {
                std::thread::sleep(REFRESH_EVERY);
                if this.over.load(Ordering::Relaxed) {
                    break;
                }
                match this.mode {
                    Mode::Bars { .. } => this.refresh_total(),
                    Mode::Log if last_log.elapsed() >= LOG_EVERY => {
                        last_log = Instant::now();
                        eprintln!("{}", this.log_line());
                    }
                    Mode::Log => {}
                }
            }
        });
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
    fn log_line(&self) -> String {
        let active = self.active.lock().expect("progress lock");
        let sites: Vec<String> = active
            .iter()
            .take(6)
            .map(|s| format!("{} {}/{}", s.id, s.done, s.done + s.queued))
            .collect();
        format!(
            "crawl: {}/{} sites, {} URLs fetched or checked, {} errors, {:.0} URLs/s{}{}",
            self.sites_done.load(Ordering::Relaxed),
            self.sites_total.load(Ordering::Relaxed),
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

    fn with_site(&self, id: &str, f: impl FnOnce(&mut SiteState)) {
        let mut active = self.active.lock().expect("progress lock");
        if let Some(s) = active.iter_mut().find(|s| s.id == id) {
            f(s);
        }
    }

    fn site_started(&self, id: &str) {
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
            Mode::Log => None,
        };
        self.active.lock().expect("progress lock").push(SiteState {
            id: id.to_string(),
            bar,
            started: Instant::now(),
            done: 0,
            queued: 0,
            errors: 0,
        });
    }

    fn site_done(&self, id: &str) {
        let site = {
            let mut active = self.active.lock().expect("progress lock");
            let Some(i) = active.iter().position(|s| s.id == id) else {
                return;
            };
            active.remove(i)
        };
        self.sites_done.fetch_add(1, Ordering::Relaxed);
        self.urls.fetch_add(site.done, Ordering::Relaxed);
        self.errors.fetch_add(site.errors, Ordering::Relaxed);
        if let Some(b) = &site.bar {
            b.finish_and_clear();
        }
        match &self.mode {
            Mode::Bars { total, .. } => {
                total.inc(1);
                self.refresh_total();
            }
            Mode::Log => eprintln!(
                "crawl: site {} done: {} URLs fetched or checked, {} errors in {:.1}s",
                site.id,
                site.done,
                site.errors,
                site.started.elapsed().as_secs_f64()
            ),
        }
    }
}

impl Progress for Display {
    fn event(&self, event: Event<'_>) {
        match event {
            Event::Started { sites } => {
                self.sites_total.store(sites as u64, Ordering::Relaxed);
                if let Mode::Bars { total, .. } = &self.mode {
                    total.set_length(sites as u64);
                }
            }
            Event::SiteStarted { site } => self.site_started(site),
            Event::Queued { site, urls } => self.with_site(site, |s| {
                s.queued += urls;
                if let Some(b) = &s.bar {
                    b.inc_length(urls);
                }
            }),
            Event::UrlDone { site, failed } => self.with_site(site, |s| {
                s.queued = s.queued.saturating_sub(1);
                s.done += 1;
                s.errors += u64::from(failed);
                if let Some(b) = &s.bar {
                    b.inc(1);
                    if failed {
                        b.set_message(format!("{} errors", s.errors));
                    }
                }
            }),
            Event::SiteDone { site } => self.site_done(site),
            Event::Finished => {
                self.over.store(true, Ordering::Relaxed);
                if let Mode::Bars { multi, total } = &self.mode {
                    // The summary is printed next; leave the screen clean.
                    total.finish_and_clear();
                    let _ = multi.clear();
                }
            }
        }
    }
}
