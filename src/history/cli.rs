//! `govaudit history` and `govaudit diff`: runs, verdicts and scores over
//! time, and what changed between two runs, read from the history database.

use std::collections::HashSet;
use std::fmt::Write;
use std::path::Path;

use super::db::Db;

fn print(text: &str) -> crate::Result<u8> {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    out.write_all(text.as_bytes())
        .and_then(|_| out.flush())
        .map_err(|e| crate::Error::io("(stdout)", e))?;
    Ok(0)
}

fn open_existing(db: &Path) -> crate::Result<Db> {
    if !db.is_file() {
        return Err(crate::Error::io(
            db,
            "no history database (run an audit first, or pass --history FILE)",
        ));
    }
    Db::open(db)
}

/// `govaudit history [--site ID] [--format json]`.
pub fn run_history(db: &Path, site: Option<&str>, json: bool) -> crate::Result<u8> {
    let db = open_existing(db)?;
    let mut o = String::new();
    match site {
        None => {
            let runs = db.runs()?;
            if json {
                o = serde_json::json!({ "runs": runs }).to_string();
                o.push('\n');
            } else {
                let _ = writeln!(
                    o,
                    "{:>4}  {:<10}  {:<25}  {:<14}  {:>5}  {:>4}  {:>8}  {:>9}",
                    "run",
                    "as_of",
                    "generated_at",
                    "profile",
                    "sites",
                    "fail",
                    "findings",
                    "avg_score"
                );
                for r in &runs {
                    let _ = writeln!(
                        o,
                        "{:>4}  {:<10}  {:<25}  {:<14}  {:>5}  {:>4}  {:>8}  {:>9}",
                        r.run,
                        r.as_of,
                        r.generated_at,
                        r.profile,
                        r.sites,
                        r.failing,
                        r.findings,
                        crate::report::fmt_points(r.avg_score)
                    );
                }
            }
        }
        Some(id) => {
            let rows = db.site_runs(id)?;
            if rows.is_empty() {
                return Err(crate::Error::Other(format!(
                    "history: --site: no run recorded site {id:?}"
                )));
            }
            if json {
                o = serde_json::json!({ "site": id, "runs": rows }).to_string();
                o.push('\n');
            } else {
                let _ = writeln!(
                    o,
                    "{:>4}  {:<10}  {:<7}  {:>6}  {:>8}  {:>4}  vetoes",
                    "run", "as_of", "verdict", "score", "findings", "new"
                );
                for r in &rows {
                    let _ = writeln!(
                        o,
                        "{:>4}  {:<10}  {:<7}  {:>6}  {:>8}  {:>4}  {}",
                        r.run,
                        r.as_of,
                        r.verdict,
                        crate::report::fmt_points(r.score),
                        r.findings,
                        r.new,
                        if r.vetoes.is_empty() {
                            "-".to_string()
                        } else {
                            r.vetoes.join(",")
                        }
                    );
                }
            }
        }
    }
    print(&o)
}

/// `govaudit diff RUN_A RUN_B`: findings only in B (new), only in A
/// (resolved), and how many both have.
pub fn run_diff(db: &Path, a: i64, b: i64, json: bool) -> crate::Result<u8> {
    let db = open_existing(db)?;
    let (ra, rb) = (db.run_ref(a)?, db.run_ref(b)?);
    let (fa, fb) = (db.findings(a)?, db.findings(b)?);
    let ids_a: HashSet<&str> = fa.iter().map(|f| f.id.as_str()).collect();
    let ids_b: HashSet<&str> = fb.iter().map(|f| f.id.as_str()).collect();
    let new: Vec<_> = fb
        .iter()
        .filter(|f| !ids_a.contains(f.id.as_str()))
        .collect();
    let resolved: Vec<_> = fa
        .iter()
        .filter(|f| !ids_b.contains(f.id.as_str()))
        .collect();
    let persisting = fb.len() - new.len();
    let mut o = String::new();
    if json {
        o = serde_json::json!({
            "a": ra, "b": rb, "new": new, "resolved": resolved, "persisting": persisting,
        })
        .to_string();
        o.push('\n');
    } else {
        let _ = writeln!(
            o,
            "run {a} ({}) → run {b} ({}): {} new, {} resolved, {} persisting",
            ra.as_of,
            rb.as_of,
            new.len(),
            resolved.len(),
            persisting
        );
        for f in &new {
            let _ = writeln!(
                o,
                "+ {}  {:<22}  {:<10}  {}{}",
                f.id,
                f.rule,
                f.site,
                f.url,
                f.target
                    .as_deref()
                    .map(|t| format!(" → {t}"))
                    .unwrap_or_default()
            );
        }
        for f in &resolved {
            let _ = writeln!(
                o,
                "- {}  {:<22}  {:<10}  {}{}",
                f.id,
                f.rule,
                f.site,
                f.url,
                f.target
                    .as_deref()
                    .map(|t| format!(" → {t}"))
                    .unwrap_or_default()
            );
        }
    }
    print(&o)
}
