//! Retention: what a run deletes from the history database, inside its own
//! transaction (`[history] keep_days` in SITES.toml, default
//! [`DEFAULT_KEEP_DAYS`]).
//!
//! - runs (with their sites, findings, columns) whose as_of is more than
//!   `keep_days` before the run's as_of (or today, whichever is earlier),
//!   except the newest run of each config, which the next run compares with;
//! - availability probes older than that, and never one the 7-day probe
//!   window of site-unreachable still reads (`keep_days` is at least
//!   [`MIN_KEEP_DAYS`]);
//! - incremental-crawl entries not read or confirmed for `keep_days` (pages
//!   that went away), and text-rule results not read for `keep_days`
//!   (texts no page has any more).
//!
//! A finding's `first_seen` survives the runs that first had it: it is kept
//! per finding id in `finding_first_seen`, which is never pruned.

use chrono::{Days, NaiveDate};
use rusqlite::{params, Connection};

/// Days of history kept by default: two years, for year-on-year comparisons.
pub const DEFAULT_KEEP_DAYS: u32 = 730;

/// The probe window (7 days before as_of) plus the as_of day itself.
pub const MIN_KEEP_DAYS: u32 = 8;

/// What a prune deleted.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Pruned {
    /// Runs deleted (with their sites, findings and columns).
    pub runs: usize,
    /// Availability probes deleted.
    pub probes: usize,
    /// Incremental-crawl entries deleted.
    pub entries: usize,
    /// Text-rule results deleted.
    pub texts: usize,
}

/// Delete what `keep_days` before `at` (runs, probes) and before `today`
/// (crawl entries) lets go. `keep_days` below [`MIN_KEEP_DAYS`] is raised.
pub(crate) fn prune(
    conn: &Connection,
    at: NaiveDate,
    today: NaiveDate,
    keep_days: u32,
) -> rusqlite::Result<Pruned> {
    let keep = Days::new(u64::from(keep_days.max(MIN_KEEP_DAYS)));
    let cutoff = |d: NaiveDate| {
        d.checked_sub_days(keep)
            .unwrap_or(NaiveDate::MIN)
            .to_string()
    };
    let before = cutoff(at);
    let mut pruned = Pruned::default();
    let doomed: Vec<i64> = conn
        .prepare(
            "SELECT id FROM runs r WHERE as_of < ?1
               AND id <> (SELECT id FROM runs n WHERE n.config_hash = r.config_hash
                          ORDER BY as_of DESC, id DESC LIMIT 1)",
        )?
        .query_map([&before], |r| r.get(0))?
        .collect::<Result<_, _>>()?;
    for id in &doomed {
        conn.execute(
            "UPDATE runs SET compared_to = NULL WHERE compared_to = ?1",
            [id],
        )?;
        for table in ["findings", "columns", "site_results"] {
            conn.execute(&format!("DELETE FROM {table} WHERE run_id = ?1"), [id])?;
        }
        conn.execute("DELETE FROM runs WHERE id = ?1", [id])?;
    }
    pruned.runs = doomed.len();
    // Probe times are RFC 3339 (+08:00): every time on the cutoff day sorts
    // after the bare date, so that day is kept.
    pruned.probes = conn.execute("DELETE FROM probes WHERE at < ?1", params![before])?;
    conn.execute(
        "DELETE FROM url_payload WHERE (url, kind) IN
             (SELECT url, kind FROM url_cache WHERE used_at < ?1)",
        params![cutoff(today)],
    )?;
    pruned.entries = conn.execute(
        "DELETE FROM url_cache WHERE used_at < ?1",
        params![cutoff(today)],
    )?;
    pruned.texts = conn.execute(
        "DELETE FROM text_cache WHERE used_at < ?1",
        params![cutoff(today)],
    )?;
    Ok(pruned)
}
