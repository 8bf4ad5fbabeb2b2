//! govaudit — a crawler and linter that audits Chinese government disclosure
//! (政务公开) websites the way the national inspection
//! (《政府网站与政务新媒体检查指标》) does, and writes a scored compliance report.
//!
//! The flow runs one way:
//! `SITES.toml → config → crawl (all I/O) → Site model → rules (pure) → findings → score → reports`.
//! A site is the unit of work; see `site` for the model every rule reads.
//!
//! The library never prints: each run ([`audit()`], [`lint()`],
//! [`crawl_to_snapshot()`], [`demo()`], [`shard::merge`]) returns what it
//! made, and a crawl reports progress as [`Event`]s through a
//! [`ProgressSink`]. The `govaudit` binary draws, prints and picks the exit
//! code. The names most callers need are re-exported here.

#![deny(missing_docs)]

pub mod attachment;
pub mod audit;
pub mod clock;
pub mod config;
pub mod crawl;
pub mod extract;
pub mod history;
pub mod inspect;
pub mod notify;
pub mod pagefile;
pub mod probe;
pub mod profile;
pub mod report;
pub mod rules;
pub mod score;
pub mod serve;
pub mod shard;
pub mod site;
pub mod snapshot;
// The typo engine's lane documents its own items.
#[allow(missing_docs)]
pub mod typo;
pub mod urlnorm;
pub mod worklist;

pub use audit::{
    audit, audit_config, crawl_to_snapshot, demo, lint, AuditRequest, CrawlOutcome, Demo,
    DemoRequest, LintRequest, Outcome,
};
pub use config::Config;
pub use crawl::{
    crawl_all, crawl_all_as_finished, crawl_all_handing_over, CrawlOptions, CrawlSummary, Event,
    Progress, ProgressSink,
};
pub use report::Report;
pub use rules::{Finding, Severity};
pub use site::{LinkCheck, Site};

/// Library errors that end a run (exit code 2). A failed page is never one.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// SITES.toml (or another input) is invalid: file, line and field.
    #[error(transparent)]
    Config(#[from] config::ConfigError),
    /// Reading or writing a file failed.
    #[error("{path}: {message}")]
    Io {
        /// The file (or "(stdout)").
        path: String,
        /// What failed.
        message: String,
    },
    /// Anything else that ends the run, in one line.
    #[error("{0}")]
    Other(String),
}

impl Error {
    /// An I/O error on `path`.
    pub fn io(path: impl AsRef<std::path::Path>, err: impl std::fmt::Display) -> Self {
        Error::Io {
            path: path.as_ref().display().to_string(),
            message: err.to_string(),
        }
    }
}

/// The library's result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;
