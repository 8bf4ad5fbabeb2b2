//! Availability probes (可用性监测), the inspection's own way of judging
//! 站点无法访问: `govaudit probe --config SITES.toml` makes one round of
//! homepage requests — the crawler's client, so its User-Agent, robots.txt,
//! politeness and the 15 s timeout hold; no retries, since a probe is one
//! try — and appends the outcomes to the history database. Run it from cron
//! every 30–60 minutes (the inspection probes 20+ times a day for a week).
//!
//! Before the rules run, the audit puts each site's probe statistics of the
//! [`WINDOW_DAYS`] days before as_of into the Site model ([`ProbeStats`]);
//! the site-unreachable rule judges them (a veto at 5% failed or more) and
//! stays pure.

use std::collections::HashMap;
use std::path::Path;
use std::time::Instant;

use chrono::{DateTime, Duration, FixedOffset, NaiveDate};
use rusqlite::params;
use serde::{Deserialize, Serialize};

use crate::config::Config;
use crate::history::db::Db;

/// Days before as_of whose probes count.
pub const WINDOW_DAYS: u32 = 7;

/// Bytes of a homepage a probe reads (it judges the answer, not the page).
const PROBE_BODY_BYTES: usize = 64 * 1024;

/// A site's probes in the window: the facts the site-unreachable rule judges.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ProbeStats {
    /// Probes recorded in the window.
    pub probes: u32,
    /// Of which failed (no 2xx answer within the timeout).
    pub failed: u32,
    /// Length of the window in days.
    pub window_days: u32,
    /// First and last day of the window (inclusive).
    pub from: NaiveDate,
    /// Last day of the window (inclusive).
    pub to: NaiveDate,
    /// Times (RFC 3339) of the first and last failed probe.
    #[serde(default)]
    pub first_failure: Option<String>,
    #[serde(default)]
    /// Time (RFC 3339) of the last failed probe.
    pub last_failure: Option<String>,
    /// The error of the last failed probe.
    #[serde(default)]
    pub last_error: Option<String>,
}

/// One probe's outcome.
#[derive(Debug, Clone, PartialEq)]
pub struct ProbeOutcome {
    /// Site id.
    pub site: String,
    /// The homepage URL probed.
    pub url: String,
    /// When (RFC 3339).
    pub at: String,
    /// True when a 2xx answer came within the timeout.
    pub ok: bool,
    /// HTTP status, when an answer came.
    pub status: Option<u16>,
    /// Transport error or HTTP failure, when it failed.
    pub error: Option<String>,
    /// Time to the answer or the failure.
    pub elapsed_ms: u64,
}

/// The probe window of `as_of`: the [`WINDOW_DAYS`] days before it.
pub fn window(as_of: NaiveDate) -> (NaiveDate, NaiveDate) {
    (
        as_of - Duration::days(i64::from(WINDOW_DAYS)),
        as_of - Duration::days(1),
    )
}

/// Probe statistics per site id for the window before `as_of`.
pub(crate) fn stats(db: &Db, as_of: NaiveDate) -> crate::Result<HashMap<String, ProbeStats>> {
    let (from, to) = window(as_of);
    // `at` is RFC 3339 in +08:00, so its first 10 characters are the CST day.
    let mut st = db
        .conn
        .prepare(
            "SELECT site, COUNT(*), SUM(ok = 0),
                    MIN(CASE WHEN ok = 0 THEN at END), MAX(CASE WHEN ok = 0 THEN at END),
                    (SELECT error FROM probes p2 WHERE p2.site = p.site AND p2.ok = 0
                       AND substr(p2.at, 1, 10) BETWEEN ?1 AND ?2 ORDER BY p2.at DESC LIMIT 1)
             FROM probes p WHERE substr(at, 1, 10) BETWEEN ?1 AND ?2 GROUP BY site",
        )
        .map_err(|e| db.err(e))?;
    let rows = st
        .query_map(params![from.to_string(), to.to_string()], |r| {
            Ok((
                r.get::<_, String>(0)?,
                ProbeStats {
                    probes: r.get::<_, i64>(1)? as u32,
                    failed: r.get::<_, i64>(2)? as u32,
                    window_days: WINDOW_DAYS,
                    from,
                    to,
                    first_failure: r.get(3)?,
                    last_failure: r.get(4)?,
                    last_error: r.get(5)?,
                },
            ))
        })
        .and_then(|rows| rows.collect::<Result<HashMap<_, _>, _>>())
        .map_err(|e| db.err(e))?;
    Ok(rows)
}

/// Append probe outcomes in one transaction.
pub(crate) fn record(db: &mut Db, outcomes: &[ProbeOutcome]) -> crate::Result<()> {
    let tx = db
        .conn
        .transaction()
        .map_err(|e| crate::Error::Other(e.to_string()))?;
    {
        let mut st = tx
            .prepare(
                "INSERT INTO probes(site, url, at, ok, status, error, elapsed_ms)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            )
            .map_err(|e| crate::Error::Other(e.to_string()))?;
        for o in outcomes {
            st.execute(params![
                o.site,
                o.url,
                o.at,
                o.ok,
                o.status,
                o.error,
                o.elapsed_ms as i64
            ])
            .map_err(|e| crate::Error::Other(e.to_string()))?;
        }
    }
    tx.commit().map_err(|e| crate::Error::Other(e.to_string()))
}

/// What one round of probes came to.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ProbeRound {
    /// One outcome per probed site, in SITES.toml order.
    pub outcomes: Vec<ProbeOutcome>,
    /// Ids of the sites whose robots.txt forbids the homepage (not probed).
    pub robots_skipped: Vec<String>,
}

/// One round of homepage requests for every site of `config`, stamped
/// `at` (RFC 3339). Sites whose homepage robots.txt forbids are skipped.
pub async fn probe_round(config: &Config, at: &str) -> crate::Result<ProbeRound> {
    let mut settings = config.crawl.clone();
    // A probe is one try: retries would hide the failures it exists to count.
    settings.retries = 0;
    let fetcher = std::sync::Arc::new(crate::crawl::fetch::Fetcher::new(&settings)?);
    let tasks: Vec<_> = config
        .sites
        .iter()
        .map(|s| {
            let fetcher = fetcher.clone();
            let (site, url) = (s.id.clone(), s.url.clone());
            let at = at.to_string();
            tokio::spawn(async move {
                let parsed = url::Url::parse(&url).ok()?;
                // The crawler checks the first hop's robots.txt before
                // fetching (later hops are checked inside fetch).
                if !fetcher.allowed(&parsed).await {
                    return Some(Err(site));
                }
                let started = Instant::now();
                let got = fetcher
                    .fetch(&parsed, &crate::crawl::fetch::Method::Get, PROBE_BODY_BYTES)
                    .await;
                if got.robots_blocked {
                    return Some(Err(site));
                }
                // The inspection counts TLS failures as failed probes: a
                // homepage behind a certificate a browser refuses did not
                // open, even though the audit reads past it.
                let certificate = got
                    .certificate
                    .as_ref()
                    .map(|c| format!("TLS certificate: {c}"));
                Some(Ok(ProbeOutcome {
                    ok: got.ok() && certificate.is_none(),
                    status: got.status,
                    error: got.failure().or(certificate),
                    elapsed_ms: started.elapsed().as_millis() as u64,
                    site,
                    url,
                    at,
                }))
            })
        })
        .collect();
    let mut round = ProbeRound::default();
    for t in tasks {
        match t
            .await
            .map_err(|e| crate::Error::Other(format!("probe task failed: {e}")))?
        {
            Some(Ok(o)) => round.outcomes.push(o),
            Some(Err(site)) => round.robots_skipped.push(site),
            None => {}
        }
    }
    Ok(round)
}

/// `govaudit probe`: one round, appended to the history database, returned
/// for the binary to print (one line per site on stderr; exit 0 whatever
/// the sites answered).
pub fn run_probe(
    config_path: &Path,
    db_path: &Path,
    at: Option<&str>,
) -> crate::Result<ProbeRound> {
    let config = Config::load(config_path)?;
    let at = match at {
        Some(t) => DateTime::<FixedOffset>::parse_from_rfc3339(t)
            .map_err(|_| crate::Error::Other(format!("--at: {t:?} is not an RFC 3339 time")))?
            .with_timezone(&FixedOffset::east_opt(8 * 3600).expect("valid offset"))
            .format("%Y-%m-%dT%H:%M:%S%:z")
            .to_string(),
        None => crate::clock::now_cst(),
    };
    let mut db = Db::open(db_path)?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| crate::Error::Other(format!("cannot start the async runtime: {e}")))?;
    let round = runtime.block_on(probe_round(&config, &at))?;
    record(&mut db, &round.outcomes).map_err(|e| crate::Error::io(db_path, e))?;
    Ok(round)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn outcome(site: &str, at: &str, ok: bool) -> ProbeOutcome {
        ProbeOutcome {
            site: site.into(),
            url: format!("http://127.0.0.1:1/{site}/"),
            at: at.into(),
            ok,
            status: ok.then_some(200),
            error: (!ok).then(|| "timeout".to_string()),
            elapsed_ms: 1,
        }
    }

    #[test]
    fn stats_count_only_the_seven_days_before_as_of() {
        let dir = tempfile::tempdir().unwrap();
        let mut db = Db::open(&dir.path().join("h.sqlite")).unwrap();
        record(
            &mut db,
            &[
                outcome("a", "2026-11-18T23:59:00+08:00", false), // before the window
                outcome("a", "2026-11-19T00:00:00+08:00", false), // first day
                outcome("a", "2026-11-22T10:00:00+08:00", true),
                outcome("a", "2026-11-25T23:30:00+08:00", false), // last day
                outcome("a", "2026-11-26T01:00:00+08:00", false), // as_of itself: not counted
                outcome("b", "2026-11-20T10:00:00+08:00", true),
            ],
        )
        .unwrap();
        let as_of = NaiveDate::from_ymd_opt(2026, 11, 26).unwrap();
        let s = stats(&db, as_of).unwrap();
        let a = &s["a"];
        assert_eq!((a.probes, a.failed, a.window_days), (3, 2, 7));
        assert_eq!(a.from.to_string(), "2026-11-19");
        assert_eq!(a.to.to_string(), "2026-11-25");
        assert_eq!(
            a.first_failure.as_deref(),
            Some("2026-11-19T00:00:00+08:00")
        );
        assert_eq!(a.last_failure.as_deref(), Some("2026-11-25T23:30:00+08:00"));
        assert_eq!(a.last_error.as_deref(), Some("timeout"));
        assert_eq!((s["b"].probes, s["b"].failed), (1, 0));
        assert!(s["b"].first_failure.is_none());
    }
}
