//! Sharding a province-wide audit across machines, without a coordinator:
//! `audit --shard I/N` audits only the sites whose position in SITES.toml
//! satisfies `position % N == I`, and `merge` joins the per-shard
//! report.json files into one report.
//!
//! A site is the unit of work (architecture.md), so shards never share a
//! site and the merged report equals one unsharded audit with the same
//! `--as-of` and profile. The split is by position, not by a hash of the id,
//! so it is stable for a given SITES.toml, keeps every shard in SITES.toml
//! order, and deals neighbouring sites (often one department's family) to
//! different workers. Any scheduler that gives each worker an index works;
//! `--shard auto/N` reads Kubernetes' `JOB_COMPLETION_INDEX` (indexed jobs).

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use crate::audit::{self, AuditRequest};
use crate::config::Config;
use crate::report::{self, Report, SCHEMA};

/// The environment variable Kubernetes indexed jobs set to the pod's index.
pub const INDEX_ENV: &str = "JOB_COMPLETION_INDEX";

/// One shard of N: sites at positions `p` with `p % count == index`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shard {
    /// 0-based, below `count`.
    pub index: usize,
    /// How many shards in all (at least 1).
    pub count: usize,
}

impl Shard {
    /// Parse `I/N` (0-based `I < N`) or `auto/N`, where `I` comes from
    /// `job_index` (the caller passes `JOB_COMPLETION_INDEX`, so this stays
    /// pure). The error is one line naming the flag.
    pub fn parse(text: &str, job_index: Option<&str>) -> Result<Shard, String> {
        let bad = |why: &str| format!("--shard {text:?}: {why}");
        let (i, n) = text
            .split_once('/')
            .ok_or_else(|| bad("expected I/N (e.g. 0/4) or auto/N"))?;
        let number = |s: &str, what: &str| -> Result<usize, String> {
            // Digits only: no sign, no blanks, no "0x".
            if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
                return Err(bad(&format!("{what} {s:?} is not a number")));
            }
            s.parse::<usize>()
                .map_err(|_| bad(&format!("{what} {s:?} is too large")))
        };
        let count = number(n, "shard count")?;
        if count == 0 {
            return Err(bad("shard count must be at least 1"));
        }
        let index = if i == "auto" {
            let v = job_index.ok_or_else(|| bad(&format!("{INDEX_ENV} is not set")))?;
            number(v.trim(), INDEX_ENV)?
        } else {
            number(i, "shard index")?
        };
        if index >= count {
            return Err(bad(&format!(
                "shard index {index} must be below the shard count {count} (indexes are 0-based)"
            )));
        }
        Ok(Shard { index, count })
    }

    /// Whether the site at `position` (0-based, in SITES.toml) is this shard's.
    pub fn keeps(&self, position: usize) -> bool {
        position % self.count == self.index
    }

    /// Keep only this shard's sites, in their SITES.toml order.
    pub fn select(&self, config: &mut Config) {
        let mut position = 0;
        config.sites.retain(|_| {
            let keep = self.keeps(position);
            position += 1;
            keep
        });
    }
}

/// `govaudit audit --shard`: audit this shard's sites only (a shard with
/// no sites writes an empty report, which passes).
pub fn sharded_audit(req: &AuditRequest, shard: Shard) -> crate::Result<audit::Outcome> {
    let mut config = Config::load(&req.config)?;
    shard.select(&mut config);
    audit::audit_config(&config, req)
}

/// Why per-shard reports cannot be merged (one line, naming the file).
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum MergeError {
    /// No report was given.
    #[error("merge: no report given")]
    NoInput,
    /// A report disagrees with the first on schema, as_of, profile or pass mark.
    #[error("{file}: {field}: {message}")]
    Mismatch {
        /// The report that disagrees.
        file: String,
        /// The field.
        field: &'static str,
        /// How it disagrees.
        message: String,
    },
    /// A site appears in two reports.
    #[error("{file}: site {id:?} is also in {other} (overlapping shards)")]
    Duplicate {
        /// The later report.
        file: String,
        /// The site's id.
        id: String,
        /// The report that had it first.
        other: String,
    },
}

/// Merge per-shard reports (each with the file it came from, for errors).
/// They must agree on schema, as_of, profile and pass_mark, and no site may
/// appear twice. Sites and findings are concatenated in the order the
/// reports are given; the title (and profile title) is the first one set;
/// the district allow-list is the union, in order of first appearance.
pub fn merge_reports(
    reports: &[(String, Report)],
    generated_at: String,
) -> Result<Report, MergeError> {
    let (first_file, first) = reports.first().ok_or(MergeError::NoInput)?;
    if first.schema != SCHEMA {
        return Err(MergeError::Mismatch {
            file: first_file.clone(),
            field: "schema",
            message: format!("{:?}, expected {SCHEMA:?}", first.schema),
        });
    }
    let mut merged = Report {
        schema: first.schema.clone(),
        as_of: first.as_of,
        generated_at,
        profile: first.profile.clone(),
        title: None,
        profile_title: None,
        pass_mark: first.pass_mark,
        sites: Vec::new(),
        findings: Vec::new(),
        typo_allow_district: Vec::new(),
        previous: None,
        resolved: None,
        trend: None,
        crawl: None,
    };
    let mut seen: HashMap<String, &str> = HashMap::new();
    for (file, r) in reports {
        let mismatch = |field: &'static str, got: String, want: String| MergeError::Mismatch {
            file: file.clone(),
            field,
            message: format!("{got} differs from {want} in {first_file}"),
        };
        if r.schema != first.schema {
            return Err(mismatch(
                "schema",
                format!("{:?}", r.schema),
                format!("{:?}", first.schema),
            ));
        }
        if r.as_of != first.as_of {
            return Err(mismatch(
                "as_of",
                r.as_of.to_string(),
                first.as_of.to_string(),
            ));
        }
        if r.profile != first.profile {
            return Err(mismatch(
                "profile",
                format!("{:?}", r.profile),
                format!("{:?}", first.profile),
            ));
        }
        if r.pass_mark != first.pass_mark {
            return Err(mismatch(
                "pass_mark",
                report::fmt_points(r.pass_mark),
                report::fmt_points(first.pass_mark),
            ));
        }
        for s in &r.sites {
            if let Some(other) = seen.insert(s.id.clone(), file) {
                return Err(MergeError::Duplicate {
                    file: file.clone(),
                    id: s.id.clone(),
                    other: other.to_string(),
                });
            }
        }
        if merged.title.is_none() {
            merged.title = r.title.clone();
        }
        if merged.profile_title.is_none() {
            merged.profile_title = r.profile_title.clone();
        }
        merged.sites.extend(r.sites.iter().cloned());
        merged.findings.extend(r.findings.iter().cloned());
        for w in &r.typo_allow_district {
            if !merged.typo_allow_district.contains(w) {
                merged.typo_allow_district.push(w.clone());
            }
        }
    }
    Ok(merged)
}

/// `govaudit merge`.
#[derive(Debug, Clone)]
pub struct MergeRequest {
    /// report.json files, or folders holding one.
    pub inputs: Vec<PathBuf>,
    /// Output folder for the merged report.
    pub out: PathBuf,
    /// The merged run is recorded here (shard workers record nothing).
    pub history: crate::history::HistoryOptions,
    /// The SITES.toml the shards audited (`merge --config`): its `[notify]`
    /// robots are told of the merged run as `audit` tells them, and its
    /// `[audit]` name, `rectify_days` and `[history] keep_days` apply.
    pub config: Option<PathBuf>,
}

/// What `merge` made: the merged report, and warnings that change nothing
/// (a failed group-robot push).
pub struct Merged {
    /// The merged report, as written.
    pub report: Report,
    /// Lines for stderr.
    pub warnings: Vec<String>,
}

/// Read one shard's report.json (or `DIR/report.json`).
pub fn read_report(input: &Path) -> crate::Result<(String, Report)> {
    let path = if input.is_dir() {
        input.join("report.json")
    } else {
        input.to_path_buf()
    };
    let text = std::fs::read_to_string(&path).map_err(|e| crate::Error::io(&path, e))?;
    let report: Report = serde_json::from_str(&text)
        .map_err(|e| crate::Error::io(&path, format!("not a govaudit report.json: {e}")))?;
    Ok((path.display().to_string(), report))
}

/// Merge per-shard reports and write all four formats into `req.out`
/// (atomically); returns the merged report.
pub fn merge(req: &MergeRequest) -> crate::Result<Merged> {
    // Read first, so a bad SITES.toml stops the merge before anything is written.
    let config = req
        .config
        .as_deref()
        .map(crate::config::Config::load)
        .transpose()?;
    let reports = req
        .inputs
        .iter()
        .map(|p| read_report(p))
        .collect::<crate::Result<Vec<_>>>()?;
    let mut merged = merge_reports(&reports, crate::clock::now_cst())
        .map_err(|e| crate::Error::Other(e.to_string()))?;
    let mut history = req.history.clone();
    let mut rectify_days = crate::worklist::DEFAULT_RECTIFY_DAYS;
    if let Some(c) = &config {
        if merged.title.is_none() {
            merged.title = c.audit.name.clone();
        }
        history = history.keeping(c.history.keep_days);
        rectify_days = c.audit.rectify_days.unwrap_or(rectify_days);
    }
    // History hook: the merged run is the one recorded.
    let mut warnings =
        crate::history::write_reports_with(&req.out, &mut merged, &history, rectify_days, None)?;
    // Notify hook: the merged run is pushed as an audit's is (after the
    // reports are written and the run recorded, so `new`/`resolved` are known).
    if let Some(c) = &config {
        warnings.extend(crate::notify::push(&c.notify, &merged, &c.crawl.user_agent));
    }
    Ok(Merged {
        report: merged,
        warnings,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::{SiteReport, SiteStats};
    use crate::score::Verdict;
    use chrono::NaiveDate;

    #[test]
    fn parses_index_over_count() {
        assert_eq!(Shard::parse("0/2", None), Ok(Shard { index: 0, count: 2 }));
        assert_eq!(Shard::parse("3/4", None), Ok(Shard { index: 3, count: 4 }));
        assert_eq!(Shard::parse("0/1", None), Ok(Shard { index: 0, count: 1 }));
    }

    #[test]
    fn rejects_bad_shards_naming_the_flag() {
        for bad in [
            "2/2", "5/3", "0/0", "1/0", "a/2", "1/b", "-1/2", "1", "", "1/2/3", " 1/2", "1/+2",
            "auto/0",
        ] {
            let e = Shard::parse(bad, Some("0")).unwrap_err();
            assert!(e.starts_with("--shard "), "{bad}: {e}");
            assert!(!e.contains('\n'), "{bad}: {e}");
        }
        assert!(Shard::parse("2/2", None).unwrap_err().contains("below"));
        assert!(Shard::parse("0/0", None)
            .unwrap_err()
            .contains("at least 1"));
    }

    #[test]
    fn auto_takes_the_job_completion_index() {
        assert_eq!(
            Shard::parse("auto/3", Some("2")),
            Ok(Shard { index: 2, count: 3 })
        );
        let e = Shard::parse("auto/3", None).unwrap_err();
        assert!(e.contains(INDEX_ENV), "{e}");
        let e = Shard::parse("auto/3", Some("3")).unwrap_err();
        assert!(e.contains("below"), "{e}");
        let e = Shard::parse("auto/3", Some("x")).unwrap_err();
        assert!(e.contains("not a number"), "{e}");
    }

    #[test]
    fn shards_partition_positions_in_order() {
        let shards: Vec<Shard> = (0..3).map(|index| Shard { index, count: 3 }).collect();
        for p in 0..10 {
            assert_eq!(
                shards.iter().filter(|s| s.keeps(p)).count(),
                1,
                "position {p}"
            );
        }
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("SITES.toml");
        let mut text = String::from("[audit]\nname = \"x\"\n");
        for id in ["a", "b", "c", "d", "e"] {
            text.push_str(&format!(
                "\n[[sites]]\nid = \"{id}\"\nname = \"{id}\"\nurl = \"http://127.0.0.1:9/{id}/\"\n"
            ));
        }
        let config = Config::parse(&path, &text).unwrap();
        let ids = |s: Shard| {
            let mut c = config.clone();
            s.select(&mut c);
            c.sites.into_iter().map(|s| s.id).collect::<Vec<_>>()
        };
        assert_eq!(ids(shards[0]), ["a", "d"]);
        assert_eq!(ids(shards[1]), ["b", "e"]);
        assert_eq!(ids(shards[2]), ["c"]);
        assert!(ids(Shard { index: 7, count: 8 }).is_empty());
    }

    fn site(id: &str, verdict: Verdict) -> SiteReport {
        SiteReport {
            id: id.into(),
            name: id.into(),
            url: format!("http://127.0.0.1:9/{id}/"),
            owner: None,
            verdict,
            score: 90.0,
            vetoes: vec![],
            stats: SiteStats::default(),
            columns: vec![],
            indicators: vec![],
            groups: vec![],
            counts: Default::default(),
            crawl_errors: vec![],
            typo_allow: vec![],
        }
    }

    fn shard_report(title: Option<&str>, sites: &[&str], allow: &[&str]) -> Report {
        Report {
            schema: SCHEMA.into(),
            as_of: NaiveDate::from_ymd_opt(2026, 11, 26).unwrap(),
            generated_at: "2026-11-26T08:00:00+08:00".into(),
            profile: "national-2019".into(),
            title: title.map(str::to_string),
            profile_title: Some("全国".into()),
            pass_mark: 60.0,
            sites: sites.iter().map(|s| site(s, Verdict::Pass)).collect(),
            findings: vec![],
            typo_allow_district: allow.iter().map(|s| s.to_string()).collect(),
            previous: None,
            resolved: None,
            trend: None,
            crawl: None,
        }
    }

    #[test]
    fn merge_concatenates_in_the_order_given() {
        let a = shard_report(None, &["a", "c"], &["甲", "乙"]);
        let b = shard_report(Some("某省"), &["b"], &["乙", "丙"]);
        let m = merge_reports(
            &[("a.json".into(), a), ("b.json".into(), b)],
            "2026-11-27T09:00:00+08:00".into(),
        )
        .unwrap();
        let ids: Vec<&str> = m.sites.iter().map(|s| s.id.as_str()).collect();
        assert_eq!(ids, ["a", "c", "b"]);
        assert_eq!(m.title.as_deref(), Some("某省"));
        assert_eq!(m.typo_allow_district, ["甲", "乙", "丙"]);
        assert_eq!(m.generated_at, "2026-11-27T09:00:00+08:00");
        assert_eq!(m.pass_mark, 60.0);
        assert_eq!(
            merge_reports(&[], String::new()).unwrap_err(),
            MergeError::NoInput
        );
    }

    #[test]
    fn merge_refuses_mismatches_naming_file_and_field() {
        let base = shard_report(None, &["a"], &[]);
        type Change = fn(&mut Report);
        let cases: [(&str, Change); 4] = [
            ("as_of", |r: &mut Report| {
                r.as_of = r.as_of.succ_opt().unwrap()
            }),
            ("profile", |r: &mut Report| r.profile = "city-strict".into()),
            ("pass_mark", |r: &mut Report| r.pass_mark = 80.0),
            ("schema", |r: &mut Report| r.schema = "other/2".into()),
        ];
        for (field, change) in cases {
            let mut other = shard_report(None, &["b"], &[]);
            change(&mut other);
            let e = merge_reports(
                &[
                    ("one.json".into(), base.clone()),
                    ("two.json".into(), other),
                ],
                String::new(),
            )
            .unwrap_err()
            .to_string();
            assert!(e.starts_with(&format!("two.json: {field}: ")), "{e}");
            assert!(e.contains("one.json"), "{e}");
        }
        // A report of another schema is refused even alone.
        let mut alien = base.clone();
        alien.schema = "other/1".into();
        let e = merge_reports(&[("x.json".into(), alien)], String::new()).unwrap_err();
        assert!(e.to_string().starts_with("x.json: schema: "), "{e}");
    }

    #[test]
    fn merge_refuses_a_site_in_two_shards() {
        let e = merge_reports(
            &[
                ("one.json".into(), shard_report(None, &["a", "b"], &[])),
                ("two.json".into(), shard_report(None, &["c", "b"], &[])),
            ],
            String::new(),
        )
        .unwrap_err();
        assert_eq!(
            e,
            MergeError::Duplicate {
                file: "two.json".into(),
                id: "b".into(),
                other: "one.json".into()
            }
        );
        assert!(e.to_string().contains("two.json") && e.to_string().contains("one.json"));
        // The same file given twice is a duplicate too.
        let r = shard_report(None, &["a"], &[]);
        assert!(merge_reports(
            &[("x.json".into(), r.clone()), ("x.json".into(), r)],
            String::new()
        )
        .is_err());
    }
}
