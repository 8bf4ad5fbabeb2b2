//! The history database: open, record a run, read runs back.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::time::Duration;

use chrono::NaiveDate;
use rusqlite::{params, Connection, OptionalExtension, TransactionBehavior};

use super::{config_hash, FindingStatus, Resolved, RunRef, TrendPoint, TREND_RUNS};
use crate::report::Report;

/// An open, migrated history database.
pub(crate) struct Db {
    pub(crate) conn: Connection,
    path: PathBuf,
}

/// A recorded run as `govaudit history` lists it.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct RunRow {
    pub run: i64,
    pub as_of: NaiveDate,
    pub generated_at: String,
    pub profile: String,
    pub config_hash: String,
    pub sites: i64,
    pub failing: i64,
    pub findings: i64,
    /// Mean of the sites' scores.
    pub avg_score: f64,
}

/// One site in one run.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct SiteRow {
    pub run: i64,
    pub as_of: NaiveDate,
    pub site: String,
    pub verdict: String,
    pub score: f64,
    pub vetoes: Vec<String>,
    pub findings: i64,
    pub new: i64,
}

/// A finding as stored.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct FindingRow {
    pub id: String,
    pub rule: String,
    pub site: String,
    pub url: String,
    pub target: Option<String>,
    pub column: Option<String>,
    pub severity: String,
    pub first_seen: NaiveDate,
}

fn date(s: String) -> NaiveDate {
    NaiveDate::parse_from_str(&s, "%Y-%m-%d").unwrap_or_default()
}

impl Db {
    /// Open or create the database at `path` (its folder is created), in WAL
    /// mode, migrated to the newest schema.
    pub(crate) fn open(path: &Path) -> crate::Result<Db> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|e| crate::Error::io(dir, e))?;
        }
        let err = |e: rusqlite::Error| crate::Error::io(path, format!("history database: {e}"));
        let mut conn = Connection::open(path).map_err(err)?;
        conn.busy_timeout(Duration::from_secs(30)).map_err(err)?;
        // journal_mode answers with a row, so it is queried, not executed.
        let _: String = conn
            .query_row("PRAGMA journal_mode=WAL", [], |r| r.get(0))
            .map_err(err)?;
        conn.pragma_update(None, "foreign_keys", true)
            .map_err(err)?;
        super::migrate::migrate(&mut conn)
            .map_err(err)?
            .map_err(|m| crate::Error::io(path, format!("history database: {m}")))?;
        Ok(Db {
            conn,
            path: path.to_path_buf(),
        })
    }

    pub(crate) fn err(&self, e: rusqlite::Error) -> crate::Error {
        crate::Error::io(&self.path, format!("history database: {e}"))
    }

    /// The run `id`, or an error naming it.
    pub(crate) fn run_ref(&self, id: i64) -> crate::Result<RunRef> {
        run_ref(&self.conn, id)
            .map_err(|e| self.err(e))?
            .ok_or_else(|| {
                crate::Error::io(&self.path, format!("--compare-to: no run {id} recorded"))
            })
    }

    /// Annotate `report` against the run compared to, record it (with the
    /// incremental crawl's entries of `extras.cache`), prune what
    /// `extras.keep_days` lets go, call `write` (the report files) and
    /// commit — all or nothing. Returns warnings that change nothing.
    pub(crate) fn record(
        &mut self,
        report: &mut Report,
        compare_to: Option<i64>,
        extras: &super::RunExtras<'_>,
        write: impl FnOnce(&Report) -> crate::Result<()>,
    ) -> crate::Result<Vec<String>> {
        let previous = match compare_to {
            Some(id) => Some(self.run_ref(id)?),
            None => None,
        };
        let path = self.path.clone();
        let err = |e: rusqlite::Error| crate::Error::io(&path, format!("history database: {e}"));
        let mut warnings = Vec::new();
        let mut attached = false;
        if let Some(cache) = extras.cache {
            // ATTACH cannot run inside a transaction: before it.
            match cache.attach(&self.conn).map_err(err)? {
                Some(w) => warnings.push(w),
                None => attached = true,
            }
        }
        let done = self.record_in_tx(report, previous, extras, attached, write);
        if attached {
            let _ = self.conn.execute("DETACH DATABASE staged", []);
        }
        done.map(|()| warnings)
    }

    fn record_in_tx(
        &mut self,
        report: &mut Report,
        previous: Option<RunRef>,
        extras: &super::RunExtras<'_>,
        cache_attached: bool,
        write: impl FnOnce(&Report) -> crate::Result<()>,
    ) -> crate::Result<()> {
        let path = self.path.clone();
        let err = |e: rusqlite::Error| crate::Error::io(&path, format!("history database: {e}"));
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(err)?;
        let hash = config_hash(report);
        let previous = match previous {
            Some(p) => Some(p),
            None => latest_run(&tx, &hash, report.as_of).map_err(err)?,
        };
        annotate(&tx, report, previous.as_ref()).map_err(err)?;
        let run = insert_run(&tx, report, &hash, previous.as_ref()).map_err(err)?;
        report.trend = Some(trend(&tx, &hash, run).map_err(err)?);
        let today = crate::clock::today();
        if cache_attached {
            super::cache::UrlCache::apply(&tx, &today.to_string()).map_err(err)?;
        }
        super::prune::prune(&tx, report.as_of.min(today), today, extras.keep_days).map_err(err)?;
        write(report)?;
        tx.commit().map_err(err)
    }

    /// Every run, oldest first.
    pub(crate) fn runs(&self) -> crate::Result<Vec<RunRow>> {
        let mut st = self
            .conn
            .prepare(
                "SELECT id, as_of, generated_at, profile, config_hash, sites, failing, findings,
                   (SELECT COALESCE(AVG(score), 0) FROM site_results s WHERE s.run_id = runs.id)
                 FROM runs ORDER BY as_of, id",
            )
            .map_err(|e| self.err(e))?;
        let rows = st
            .query_map([], |r| {
                Ok(RunRow {
                    run: r.get(0)?,
                    as_of: date(r.get(1)?),
                    generated_at: r.get(2)?,
                    profile: r.get(3)?,
                    config_hash: r.get(4)?,
                    sites: r.get(5)?,
                    failing: r.get(6)?,
                    findings: r.get(7)?,
                    avg_score: r.get(8)?,
                })
            })
            .and_then(|rows| rows.collect::<Result<Vec<_>, _>>())
            .map_err(|e| self.err(e))?;
        Ok(rows)
    }

    /// One site over every run that has it, oldest first.
    pub(crate) fn site_runs(&self, site: &str) -> crate::Result<Vec<SiteRow>> {
        let mut st = self
            .conn
            .prepare(
                "SELECT s.run_id, r.as_of, s.site, s.verdict, s.score, s.vetoes,
                   (SELECT COUNT(*) FROM findings f WHERE f.run_id = s.run_id AND f.site = s.site),
                   (SELECT COUNT(*) FROM findings f WHERE f.run_id = s.run_id AND f.site = s.site
                      AND f.status = 'new')
                 FROM site_results s JOIN runs r ON r.id = s.run_id
                 WHERE s.site = ?1 ORDER BY r.as_of, r.id",
            )
            .map_err(|e| self.err(e))?;
        let rows = st
            .query_map([site], |r| {
                let vetoes: String = r.get(5)?;
                Ok(SiteRow {
                    run: r.get(0)?,
                    as_of: date(r.get(1)?),
                    site: r.get(2)?,
                    verdict: r.get(3)?,
                    score: r.get(4)?,
                    vetoes: serde_json::from_str(&vetoes).unwrap_or_default(),
                    findings: r.get(6)?,
                    new: r.get(7)?,
                })
            })
            .and_then(|rows| rows.collect::<Result<Vec<_>, _>>())
            .map_err(|e| self.err(e))?;
        Ok(rows)
    }

    /// The findings of one run, in recorded order.
    pub(crate) fn findings(&self, run: i64) -> crate::Result<Vec<FindingRow>> {
        self.run_ref(run)?;
        let mut st = self
            .conn
            .prepare(
                "SELECT id, rule, site, url, target, column_name, severity, first_seen
                 FROM findings WHERE run_id = ?1 ORDER BY rowid",
            )
            .map_err(|e| self.err(e))?;
        let rows = st
            .query_map([run], |r| {
                Ok(FindingRow {
                    id: r.get(0)?,
                    rule: r.get(1)?,
                    site: r.get(2)?,
                    url: r.get(3)?,
                    target: r.get(4)?,
                    column: r.get(5)?,
                    severity: r.get(6)?,
                    first_seen: date(r.get(7)?),
                })
            })
            .and_then(|rows| rows.collect::<Result<Vec<_>, _>>())
            .map_err(|e| self.err(e))?;
        Ok(rows)
    }
}

fn run_ref(conn: &Connection, id: i64) -> rusqlite::Result<Option<RunRef>> {
    conn.query_row(
        "SELECT id, as_of, generated_at FROM runs WHERE id = ?1",
        [id],
        |r| {
            Ok(RunRef {
                run: r.get(0)?,
                as_of: date(r.get(1)?),
                generated_at: r.get(2)?,
            })
        },
    )
    .optional()
}

/// The newest run with this config at or before `as_of`.
fn latest_run(conn: &Connection, hash: &str, as_of: NaiveDate) -> rusqlite::Result<Option<RunRef>> {
    conn.query_row(
        "SELECT id, as_of, generated_at FROM runs WHERE config_hash = ?1 AND as_of <= ?2
         ORDER BY as_of DESC, id DESC LIMIT 1",
        params![hash, as_of.to_string()],
        |r| {
            Ok(RunRef {
                run: r.get(0)?,
                as_of: date(r.get(1)?),
                generated_at: r.get(2)?,
            })
        },
    )
    .optional()
}

/// Set each finding's status and first_seen, and the report's previous and
/// resolved. A finding of the previous run counts as resolved only when its
/// site was crawled this time and its page did not fail to load: an
/// unreachable site has not fixed anything.
fn annotate(
    conn: &Connection,
    report: &mut Report,
    previous: Option<&RunRef>,
) -> rusqlite::Result<()> {
    let mut before: Vec<Resolved> = Vec::new();
    if let Some(p) = previous {
        let mut st = conn.prepare(
            "SELECT id, rule, site, url, column_name, target, first_seen
             FROM findings WHERE run_id = ?1 ORDER BY rowid",
        )?;
        before = st
            .query_map([p.run], |r| {
                Ok(Resolved {
                    id: r.get(0)?,
                    rule: r.get(1)?,
                    site: r.get(2)?,
                    url: r.get(3)?,
                    column: r.get(4)?,
                    target: r.get(5)?,
                    first_seen: r.get::<_, Option<String>>(6)?.map(date),
                })
            })?
            .collect::<Result<_, _>>()?;
    }
    let before_ids: HashSet<&str> = before.iter().map(|f| f.id.as_str()).collect();
    // The runs that had it, and its first_seen kept apart (the runs that
    // first had it may have been pruned).
    let mut first_seen_of = conn.prepare(
        "SELECT MIN(d) FROM (
             SELECT r.as_of AS d FROM findings f JOIN runs r ON r.id = f.run_id
             WHERE f.id = ?1 AND r.as_of <= ?2
             UNION ALL
             SELECT first_seen FROM finding_first_seen WHERE id = ?1 AND first_seen <= ?2)",
    )?;
    let as_of = report.as_of.to_string();
    for f in &mut report.findings {
        let earliest: Option<String> =
            first_seen_of.query_row(params![f.id, as_of], |r| r.get(0))?;
        let earliest = earliest.map(date).filter(|d| *d <= report.as_of);
        f.first_seen = Some(earliest.unwrap_or(report.as_of));
        f.status = Some(if before_ids.contains(f.id.as_str()) {
            FindingStatus::Persisting
        } else {
            FindingStatus::New
        });
    }
    let now: HashSet<&str> = report.findings.iter().map(|f| f.id.as_str()).collect();
    let checked: HashMap<&str, HashSet<&str>> = report
        .sites
        .iter()
        .filter(|s| s.stats.pages > 0)
        .map(|s| {
            (
                s.id.as_str(),
                s.crawl_errors.iter().map(|e| e.url.as_str()).collect(),
            )
        })
        .collect();
    let resolved: Vec<Resolved> = before
        .iter()
        .filter(|f| !now.contains(f.id.as_str()))
        .filter(|f| {
            checked
                .get(f.site.as_str())
                .is_some_and(|failed| !failed.contains(f.url.as_str()))
        })
        .cloned()
        .collect();
    report.previous = Some(previous.cloned());
    report.resolved = Some(resolved);
    Ok(())
}

fn insert_run(
    conn: &Connection,
    report: &Report,
    hash: &str,
    previous: Option<&RunRef>,
) -> rusqlite::Result<i64> {
    conn.execute(
        "INSERT INTO runs(as_of, generated_at, profile, config_hash, title, sites, failing, findings, compared_to)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
        params![
            report.as_of.to_string(),
            report.generated_at,
            report.profile,
            hash,
            report.title,
            report.sites.len() as i64,
            report.failing() as i64,
            report.findings.len() as i64,
            previous.map(|p| p.run),
        ],
    )?;
    let run = conn.last_insert_rowid();
    let mut site_st = conn.prepare(
        "INSERT INTO site_results(run_id, site, name, url, owner, verdict, score, vetoes, groups)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
    )?;
    let mut col_st = conn.prepare(
        "INSERT OR IGNORE INTO columns(run_id, site, url, name, class, items, latest)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    )?;
    for s in &report.sites {
        // Group scores are stored when the report has them (they are a
        // later addition to sites[]), whatever their shape.
        let groups = serde_json::to_value(s)
            .ok()
            .and_then(|v| v.get("groups").cloned())
            .map(|g| g.to_string());
        site_st.execute(params![
            run,
            s.id,
            s.name,
            s.url,
            s.owner,
            if s.verdict == crate::score::Verdict::Pass {
                "pass"
            } else {
                "fail"
            },
            s.score,
            serde_json::to_string(&s.vetoes).unwrap_or_default(),
            groups,
        ])?;
        for c in &s.columns {
            col_st.execute(params![
                run,
                s.id,
                c.url,
                c.name,
                serde_json::to_value(c.class)
                    .ok()
                    .and_then(|v| v.as_str().map(str::to_string))
                    .unwrap_or_default(),
                c.items as i64,
                c.latest.map(|d| d.to_string()),
            ])?;
        }
    }
    let mut f_st = conn.prepare(
        "INSERT OR IGNORE INTO findings(run_id, id, rule, site, url, target, column_name, severity,
            points, message, evidence, status, first_seen)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)",
    )?;
    let mut first_st = conn.prepare(
        "INSERT INTO finding_first_seen(id, first_seen) VALUES (?1, ?2)
         ON CONFLICT(id) DO UPDATE SET first_seen = MIN(first_seen, excluded.first_seen)",
    )?;
    for f in &report.findings {
        first_st.execute(params![
            f.id,
            f.first_seen.unwrap_or(report.as_of).to_string()
        ])?;
        f_st.execute(params![
            run,
            f.id,
            f.rule,
            f.site,
            f.url,
            f.target,
            f.column,
            f.severity.as_str(),
            f.points,
            f.message,
            f.evidence.to_string(),
            f.status.unwrap_or(FindingStatus::New).as_str(),
            f.first_seen.unwrap_or(report.as_of).to_string(),
        ])?;
    }
    Ok(run)
}

/// The last [`TREND_RUNS`] runs with this config up to `run`, oldest first.
fn trend(conn: &Connection, hash: &str, run: i64) -> rusqlite::Result<Vec<TrendPoint>> {
    let mut st = conn.prepare(
        "SELECT id, as_of, generated_at, failing FROM runs
         WHERE config_hash = ?1 AND as_of <= (SELECT as_of FROM runs WHERE id = ?2)
         ORDER BY as_of DESC, id DESC LIMIT ?3",
    )?;
    let mut points: Vec<TrendPoint> = st
        .query_map(params![hash, run, TREND_RUNS as i64], |r| {
            Ok(TrendPoint {
                run: r.get(0)?,
                as_of: date(r.get(1)?),
                generated_at: r.get(2)?,
                failing: r.get::<_, i64>(3)? as usize,
                scores: Default::default(),
            })
        })?
        .collect::<Result<_, _>>()?;
    points.reverse();
    let mut scores = conn.prepare("SELECT site, score FROM site_results WHERE run_id = ?1")?;
    for p in &mut points {
        p.scores = scores
            .query_map([p.run], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<Result<_, _>>()?;
    }
    Ok(points)
}
