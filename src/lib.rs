//! govaudit — a crawler and linter that audits Chinese government disclosure
//! (政务公开) websites the way the national inspection
//! (《政府网站与政务新媒体检查指标》) does, and writes a scored compliance report.
//!
//! The flow runs one way:
//! `SITES.toml → config → crawl (all I/O) → Site model → rules (pure) → findings → score → reports`.
//! A site is the unit of work; see `site` for the model every rule reads.

pub mod audit;
pub mod config;
pub mod crawl;
pub mod extract;
pub mod history;
pub mod inspect;
pub mod notify;
pub mod probe;
pub mod profile;
pub mod report;
pub mod rules;
pub mod score;
pub mod serve;
pub mod shard;
pub mod site;
pub mod snapshot;
pub mod typo;
pub mod urlnorm;
pub mod worklist;

/// Library errors that end a run (exit code 2). A failed page is never one.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(transparent)]
    Config(#[from] config::ConfigError),
    #[error("{path}: {message}")]
    Io { path: String, message: String },
    #[error("{0}")]
    Other(String),
}

impl Error {
    pub fn io(path: impl AsRef<std::path::Path>, err: impl std::fmt::Display) -> Self {
        Error::Io {
            path: path.as_ref().display().to_string(),
            message: err.to_string(),
        }
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;
