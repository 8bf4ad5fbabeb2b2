//! History of nightly runs in an embedded SQLite database (issue 10,
//! contract.md "History"): every audit (and every `merge` of shard reports)
//! is recorded — the run, each site's verdict and score, every finding by
//! its stable id, each column's item count and latest date — and the report
//! is annotated against the previous run with the same config: each finding
//! gains `status` (new | persisting) and `first_seen`, the report gains
//! `previous`, `resolved` and a score `trend`.
//!
//! One transaction per run, committed only after the reports are written:
//! a run killed at any point leaves the database as it was (WAL mode).
//! Schema versioned with `PRAGMA user_version` (see [`migrate`]).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::report::Report;

pub mod cache;
pub mod cli;
pub(crate) mod db;
pub(crate) mod migrate;
pub mod prune;

pub use cache::UrlCache;
pub use prune::{DEFAULT_KEEP_DAYS, MIN_KEEP_DAYS};

/// Default database, relative to the working folder (beside the default
/// `reports/<date>/` out folders).
pub const DEFAULT_DB: &str = "reports/history.sqlite";

/// Runs shown in a report's trend.
pub const TREND_RUNS: usize = 30;

/// Whether and where a run is recorded.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct HistoryOptions {
    /// The database; `None` records nothing and adds no history fields.
    pub db: Option<PathBuf>,
    /// Compare against this run id instead of the latest run with the same config.
    pub compare_to: Option<i64>,
    /// Days of runs and probes kept (`[history] keep_days`); `None`:
    /// [`DEFAULT_KEEP_DAYS`]. See [`prune`].
    pub keep_days: Option<u32>,
}

/// What a run records besides its report.
#[derive(Default)]
pub struct RunExtras<'a> {
    /// The incremental crawl's entries of this run.
    pub cache: Option<&'a UrlCache>,
    /// Retention in days (see [`prune`]).
    pub keep_days: u32,
}

impl HistoryOptions {
    /// No history (demo, shard workers, library callers by default).
    pub fn off() -> HistoryOptions {
        HistoryOptions::default()
    }

    /// From the command-line flags: `--no-history` wins, else `--history
    /// FILE`, else [`DEFAULT_DB`].
    pub fn from_flags(
        file: Option<PathBuf>,
        no_history: bool,
        compare_to: Option<i64>,
    ) -> HistoryOptions {
        if no_history {
            return HistoryOptions::off();
        }
        HistoryOptions {
            db: Some(file.unwrap_or_else(|| PathBuf::from(DEFAULT_DB))),
            compare_to,
            keep_days: None,
        }
    }

    /// With `[history] keep_days` of a SITES.toml.
    pub fn keeping(mut self, keep_days: Option<u32>) -> HistoryOptions {
        self.keep_days = keep_days.or(self.keep_days);
        self
    }

    /// The incremental crawl's entries of earlier runs (`None` without a
    /// database). Call after [`HistoryOptions::check`] (which migrates).
    pub fn url_cache(&self) -> crate::Result<Option<UrlCache>> {
        self.db.as_deref().map(UrlCache::open).transpose()
    }

    /// Open (create, migrate) the database now, so a bad path stops the run
    /// before any crawling, and check `compare_to` names a run.
    pub fn check(&self) -> crate::Result<()> {
        if let Some(path) = &self.db {
            let db = db::Db::open(path)?;
            if let Some(run) = self.compare_to {
                db.run_ref(run)?;
            }
        }
        Ok(())
    }
}

impl HistoryOptions {
    /// Probe statistics per site for the window before `as_of` (empty
    /// without a database), to be put into each Site before the rules run.
    pub fn probe_stats(
        &self,
        as_of: NaiveDate,
    ) -> crate::Result<std::collections::HashMap<String, crate::probe::ProbeStats>> {
        match &self.db {
            Some(path) => crate::probe::stats(&db::Db::open(path)?, as_of),
            None => Ok(Default::default()),
        }
    }
}

/// `status` of a finding.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum FindingStatus {
    /// Not in the run compared against (新增).
    New,
    /// Also in the run compared against (持续).
    Persisting,
}

impl FindingStatus {
    /// The name used in report.json (`new`, `persisting`).
    pub fn as_str(self) -> &'static str {
        match self {
            FindingStatus::New => "new",
            FindingStatus::Persisting => "persisting",
        }
    }
}

/// report.json `previous`: the run compared against.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunRef {
    /// as_of of that run.
    pub as_of: NaiveDate,
    /// When that run's report was generated.
    pub generated_at: String,
    /// Its id in the history database (`govaudit history`, `--compare-to`).
    pub run: i64,
}

/// One entry of report.json `resolved`: a finding of the previous run that
/// is gone now (已整改).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Resolved {
    /// The finding's stable id.
    pub id: String,
    /// Its rule id.
    pub rule: String,
    /// Its site id.
    pub site: String,
    /// Where it was.
    pub url: String,
    /// Its column, if any.
    pub column: Option<String>,
    /// broken-link: the target that failed.
    pub target: Option<String>,
    /// When it was first recorded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_seen: Option<NaiveDate>,
}

/// One run in report.json `trend` (oldest first, the current run last).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TrendPoint {
    /// Its id in the history database.
    pub run: i64,
    /// as_of of the run.
    pub as_of: NaiveDate,
    /// When its report was generated.
    pub generated_at: String,
    /// How many sites failed in it.
    pub failing: usize,
    /// Score per site id.
    pub scores: BTreeMap<String, f64>,
}

/// Deserialise a field that is absent (→ `None`), `null` (→ `Some(None)`)
/// or a value (→ `Some(Some(v))`); used for report.json `previous`.
pub fn nullable<'de, D, T>(d: D) -> Result<Option<Option<T>>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: Deserialize<'de>,
{
    Option::<T>::deserialize(d).map(Some)
}

/// Fingerprint of what makes two runs comparable: the profile and the sites
/// (id and start URL, in any order), so an audit and the merge of its shards
/// compare with each other.
pub fn config_hash(report: &Report) -> String {
    use sha2::{Digest, Sha256};
    let mut sites: Vec<(&str, &str)> = report
        .sites
        .iter()
        .map(|s| (s.id.as_str(), s.url.as_str()))
        .collect();
    sites.sort_unstable();
    let mut h = Sha256::new();
    h.update(report.profile.as_bytes());
    for (id, url) in sites {
        h.update([0u8]);
        h.update(id.as_bytes());
        h.update([1u8]);
        h.update(url.as_bytes());
    }
    h.finalize()[..8]
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Write every report format and the department worklists into `out`;
/// with a database, first annotate `report` against the previous run and
/// record it, committing only once the files are written.
pub fn write_reports(
    out: &Path,
    report: &mut Report,
    opts: &HistoryOptions,
    rectify_days: u32,
) -> crate::Result<()> {
    write_reports_with(out, report, opts, rectify_days, None).map(drop)
}

/// [`write_reports`], also committing the incremental crawl's entries of
/// `cache` with the run. Returns warnings that change nothing (entries
/// that could not be kept).
pub fn write_reports_with(
    out: &Path,
    report: &mut Report,
    opts: &HistoryOptions,
    rectify_days: u32,
    cache: Option<&UrlCache>,
) -> crate::Result<Vec<String>> {
    let write = |report: &Report| -> crate::Result<()> {
        crate::report::write_all(out, report)?;
        crate::worklist::write_all(out, report, rectify_days)?;
        Ok(())
    };
    match &opts.db {
        None => write(report).map(|()| Vec::new()),
        Some(path) => {
            let mut db = db::Db::open(path)?;
            let extras = RunExtras {
                cache,
                keep_days: opts.keep_days.unwrap_or(DEFAULT_KEEP_DAYS),
            };
            db.record(report, opts.compare_to, &extras, write)
        }
    }
}

#[cfg(test)]
mod tests;
