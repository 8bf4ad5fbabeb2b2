//! Report writers, one file per format (json, html, markdown, csv) behind the
//! [`Format`] trait, all written atomically (temp file in the out folder +
//! rename): an interrupted run leaves the last good report in place.
//!
//! [`Report`] is report.json's shape (contract.md), plus additive fields the
//! human reports use (indicator table, counts by rule, crawl errors).

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::rules::{self, Finding};
use crate::score::{GroupResult, IndicatorResult, SiteScore, Verdict};
use crate::site::{ColumnClass, CrawlError, Site};

pub mod csv;
pub mod history_view;
pub mod html;
pub mod json;
pub mod markdown;

/// report.json `schema`.
pub const SCHEMA: &str = "govaudit.report/1";

/// The whole report (report.json).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Report {
    /// Format id, "govaudit.report/1".
    pub schema: String,
    /// Monitoring time point the findings are judged at.
    pub as_of: NaiveDate,
    /// RFC 3339 with the +08:00 offset.
    pub generated_at: String,
    /// Profile name.
    pub profile: String,
    /// Report title (SITES.toml `[audit] name`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// Profile title (e.g. 全国政府网站抽查（国办秘函〔2019〕19号）).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub profile_title: Option<String>,
    /// Lowest passing score.
    pub pass_mark: f64,
    /// Every site audited, in SITES.toml order.
    pub sites: Vec<SiteReport>,
    /// Every finding, site by site.
    pub findings: Vec<Finding>,
    /// The district-wide typo allow-list (rules/typos/allow.txt), listed so
    /// nothing is silenced unseen; each site's own list is in its `typo_allow`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub typo_allow_district: Vec<String>,
    // History (src/history, contract.md "History"): absent without a database.
    /// The run compared against (`null` when there is none yet).
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::history::nullable"
    )]
    pub previous: Option<Option<crate::history::RunRef>>,
    /// Findings of the previous run that are gone now (已整改).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resolved: Option<Vec<crate::history::Resolved>>,
    /// Scores of the last runs with this config, the current one last.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub trend: Option<Vec<crate::history::TrendPoint>>,
    /// Crawl totals of an audit that keeps history (its crawl is
    /// incremental): requests, bytes read, pages answered 304.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub crawl: Option<CrawlTotals>,
}

/// report.json `crawl`: what the crawl cost.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct CrawlTotals {
    /// HTML pages read (from a body or, on a 304, from the stored extraction).
    pub pages: u64,
    /// HTTP requests sent.
    pub requests: u64,
    /// Body bytes downloaded.
    pub bytes: u64,
    /// Pages answered 304 Not Modified, their stored extraction used.
    pub not_modified: u64,
    /// Per-page text-rule results (typo) taken from an earlier run because
    /// the page's text was the same.
    #[serde(default)]
    pub text_cache_hits: u64,
    /// Most sites held at once, as `max_memory_mb` allowed.
    #[serde(default)]
    pub max_sites_held: usize,
    /// Seconds fetches waited for memory to come back, summed: what the
    /// memory budget cost the run (0 when it never ran short).
    #[serde(default)]
    pub memory_wait_secs: f64,
}

/// One site in report.json.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SiteReport {
    /// Stable key from SITES.toml.
    pub id: String,
    /// Display name (e.g. 区发展和改革局).
    pub name: String,
    /// Normalised start URL.
    pub url: String,
    /// Contact shown next to the site's findings.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner: Option<String>,
    /// Pass or fail (合格 / 不合格).
    pub verdict: Verdict,
    /// Score out of 100.
    pub score: f64,
    /// Rule ids that vetoed the site (单项否决).
    pub vetoes: Vec<String>,
    /// Crawl counters.
    pub stats: SiteStats,
    /// The columns found, with their newest date.
    pub columns: Vec<ColumnSummary>,
    /// The inspection table: one row per indicator.
    pub indicators: Vec<IndicatorResult>,
    /// The score sheet group by group (发布解读 31, 办事服务 25, 互动交流 23,
    /// 功能设计 21): points, lost, kept.
    #[serde(default)]
    pub groups: Vec<GroupResult>,
    /// Findings per rule id.
    pub counts: BTreeMap<String, usize>,
    /// Pages and lists that failed to load (not findings).
    pub crawl_errors: Vec<CrawlError>,
    /// The site's typo allow-list, shown so a reader knows what was exempt.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub typo_allow: Vec<String>,
}

/// `stats` of a site.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct SiteStats {
    /// HTML pages fetched.
    pub pages: u64,
    /// Columns found or configured.
    pub columns: u64,
    /// Distinct link targets checked (not skipped).
    pub links_checked: u64,
    /// Links the broken-link rule judges broken.
    pub broken_links: u64,
}

/// One column in a site's `columns`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ColumnSummary {
    /// Normalised URL of its first list page.
    pub url: String,
    /// Name as shown in the navigation.
    pub name: String,
    /// Update-deadline class.
    pub class: ColumnClass,
    /// Depth in the site's navigation (1 = linked from the homepage; 0 = unknown).
    #[serde(default)]
    pub level: u32,
    /// Items listed.
    pub items: usize,
    /// Newest item date, if any item is dated.
    pub latest: Option<NaiveDate>,
    /// "single-page" or "channel" when the column is not a list (a single
    /// page of text, an entrance): never an empty column. Absent for lists.
    #[serde(default, skip_serializing_if = "crate::site::ColumnKind::is_list")]
    pub kind: crate::site::ColumnKind,
}

impl SiteReport {
    /// Summarise a crawled, scored site (its pages can be dropped afterwards).
    pub fn new(site: &Site, score: &SiteScore, findings: &[Finding]) -> SiteReport {
        let links_checked = site.links.iter().filter(|l| l.skipped.is_none()).count() as u64;
        let broken = rules::broken_link::count_broken(site);
        // Crawl errors already reported as findings (a broken link, the
        // unreachable start page) are not listed twice.
        let mut reported: Vec<&str> = site
            .links
            .iter()
            .filter(|l| rules::broken_link::failure(l).is_some())
            .map(|l| l.url.as_str())
            .collect();
        if !site.start.ok {
            reported.push(&site.url);
        }
        let mut counts = BTreeMap::new();
        for r in rules::RULES {
            counts.insert(r.id().to_string(), 0);
        }
        for f in findings {
            *counts.entry(f.rule.clone()).or_insert(0) += 1;
        }
        SiteReport {
            id: site.id.clone(),
            name: site.name.clone(),
            url: site.url.clone(),
            owner: site.owner.clone(),
            verdict: score.verdict,
            score: score.score,
            vetoes: score.vetoes.clone(),
            stats: SiteStats {
                pages: (site.pages.len() as u64).max(u64::from(site.stats.pages)),
                columns: site.columns.len() as u64,
                links_checked: links_checked.max(u64::from(site.stats.links_checked)),
                broken_links: broken,
            },
            columns: site
                .columns
                .iter()
                .map(|c| ColumnSummary {
                    url: c.url.clone(),
                    name: c.name.clone(),
                    class: c.class,
                    level: c.level,
                    items: c.items.len(),
                    latest: c.latest(),
                    kind: c.kind,
                })
                .collect(),
            indicators: score.indicators.clone(),
            groups: score.groups.clone(),
            counts,
            crawl_errors: crawl_errors(site, &reported),
            typo_allow: site.typo_allow.clone(),
        }
    }
}

/// The site's crawl errors worth listing: those not already findings, plus
/// every column whose list failed to load (column-empty leaves those out).
fn crawl_errors(site: &Site, reported: &[&str]) -> Vec<CrawlError> {
    let mut out: Vec<CrawlError> = site
        .crawl_errors
        .iter()
        .filter(|e| !reported.contains(&e.url.as_str()))
        .cloned()
        .collect();
    for c in &site.columns {
        if let Some(err) = &c.load_error {
            if !out.iter().any(|e| e.url == c.url) {
                out.push(CrawlError {
                    url: c.url.clone(),
                    what: "list".into(),
                    error: format!("栏目“{}”列表无法加载：{err}", c.name),
                    status: None,
                });
            }
        }
    }
    out
}

impl Report {
    /// Sites that fail.
    pub fn failing(&self) -> usize {
        self.sites
            .iter()
            .filter(|s| s.verdict == Verdict::Fail)
            .count()
    }

    /// Findings of one site, in report order.
    pub fn findings_of<'a>(&'a self, site: &'a str) -> impl Iterator<Item = &'a Finding> + 'a {
        self.findings.iter().filter(move |f| f.site == site)
    }

    /// Title used by the human reports.
    pub fn heading(&self) -> String {
        match &self.title {
            Some(t) => format!("{t}网站检查报告"),
            None => "政务公开检查报告".to_string(),
        }
    }
}

/// One output format.
pub trait Format: Sync {
    /// File name inside the out folder.
    fn file_name(&self) -> &'static str;
    /// The file's bytes.
    fn render(&self, report: &Report) -> Vec<u8>;
}

/// Every format written by an audit.
pub const FORMATS: &[&dyn Format] = &[&json::Json, &html::Html, &markdown::Markdown, &csv::Csv];

/// Write every format into `dir`, each atomically; returns the paths.
pub fn write_all(dir: &Path, report: &Report) -> crate::Result<Vec<PathBuf>> {
    std::fs::create_dir_all(dir).map_err(|e| crate::Error::io(dir, e))?;
    FORMATS
        .iter()
        .map(|f| write_atomic(dir, f.file_name(), &f.render(report)))
        .collect()
}

/// Write `bytes` to `dir/name` atomically (see [`crate::snapshot::write_atomic`]).
pub fn write_atomic(dir: &Path, name: &str, bytes: &[u8]) -> crate::Result<PathBuf> {
    let path = dir.join(name);
    crate::snapshot::write_atomic(&path, |w| w.write_all(bytes))?;
    Ok(path)
}

/// What a department should do about a finding of this rule (整改要求),
/// from the rule's own file.
pub fn advice_zh(rule: &str) -> &'static str {
    rules::find(rule)
        .map(|r| r.meta().advice_zh)
        .unwrap_or("请核实并整改。")
}

/// Chinese indicator name of a rule id (the rule's own name).
pub fn rule_name_zh(rule: &str) -> &'static str {
    rules::find(rule).map(|r| r.name_zh()).unwrap_or("其他")
}

/// A one-line Chinese summary of a finding's evidence, as its rule words it.
pub fn evidence_zh(f: &Finding) -> String {
    match rules::find(&f.rule) {
        Some(r) => r.evidence_zh(&f.evidence),
        None => f.evidence.to_string(),
    }
}

/// Format a score without a needless ".0" (94.5, 100).
pub fn fmt_points(p: f64) -> String {
    let s = format!("{:.2}", p);
    s.trim_end_matches('0').trim_end_matches('.').to_string()
}

#[cfg(test)]
pub(crate) mod testdata {
    //! A small two-site report for the writers' unit tests.
    use super::*;
    use crate::rules::{RuleDef, Severity};
    use crate::score::IndicatorResult;
    use serde_json::json;

    /// The rule ids the test report uses.
    pub fn link_id() -> &'static str {
        crate::rules::broken_link::BrokenLink::META.id
    }
    pub fn home_id() -> &'static str {
        crate::rules::homepage_stale::HomepageStale::META.id
    }

    pub fn report() -> Report {
        let ind = |rule: &str, n: usize, d: f64, veto: bool| IndicatorResult {
            rule: rule.into(),
            name: rule_name_zh(rule).into(),
            findings: n,
            deducted: d,
            cap: Some(10.0),
            veto,
            group: crate::rules::find(rule).map(|r| r.meta().group),
        };
        // The sheet of a site that lost `lost` points in 功能设计.
        let groups = |lost: f64| -> Vec<GroupResult> {
            crate::rules::Group::ALL
                .iter()
                .map(|g| {
                    let lost = if *g == crate::rules::Group::Function {
                        lost
                    } else {
                        0.0
                    };
                    GroupResult {
                        group: g.label_zh().into(),
                        id: *g,
                        points: g.points(),
                        lost,
                        kept: g.points() - lost,
                        skipped: false,
                    }
                })
                .collect()
        };
        let site = |id: &str, name: &str, verdict, score, vetoes: Vec<String>, inds| SiteReport {
            id: id.into(),
            name: name.into(),
            url: format!("http://127.0.0.1:8080/{id}/"),
            owner: None,
            verdict,
            score,
            vetoes,
            stats: SiteStats {
                pages: 12,
                columns: 3,
                links_checked: 40,
                broken_links: 1,
            },
            columns: vec![],
            indicators: inds,
            groups: groups(100.0 - score),
            counts: BTreeMap::new(),
            crawl_errors: vec![],
            typo_allow: if id == "jyj" {
                vec!["云溪小镇".into()]
            } else {
                vec![]
            },
        };
        Report {
            schema: SCHEMA.into(),
            as_of: NaiveDate::from_ymd_opt(2026, 11, 26).unwrap(),
            generated_at: "2026-11-26T10:00:00+08:00".into(),
            profile: "national-2019".into(),
            title: Some("某区".into()),
            profile_title: None,
            pass_mark: 60.0,
            typo_allow_district: vec!["蒲圻路".into()],
            previous: None,
            resolved: None,
            trend: None,
            crawl: None,
            sites: vec![
                site(
                    "fgj",
                    "区发展和改革局",
                    Verdict::Pass,
                    99.0,
                    vec![],
                    vec![ind(link_id(), 1, 1.0, false)],
                ),
                site(
                    "jyj",
                    "区教育局",
                    Verdict::Fail,
                    100.0,
                    vec![home_id().into()],
                    vec![ind(home_id(), 1, 0.0, true)],
                ),
            ],
            findings: vec![
                Finding {
                    id: "aaaa".into(),
                    rule: link_id().into(),
                    site: "fgj".into(),
                    url: "http://127.0.0.1:8080/fgj/".into(),
                    target: Some("http://127.0.0.1:8080/fgj/old.html".into()),
                    column: None,
                    severity: Severity::Deduct,
                    points: 1.0,
                    message: "链接“旧闻, \"引号\"”指向的页面无法打开（HTTP 404），请修正。".into(),
                    evidence: json!({"status": 404, "anchor": "旧闻", "pages": 2, "on_homepage": true}),
                    status: None,
                    first_seen: None,
                    facts: Default::default(),
                },
                Finding {
                    id: "bbbb".into(),
                    rule: home_id().into(),
                    site: "jyj".into(),
                    url: "http://127.0.0.1:8080/jyj/".into(),
                    target: None,
                    column: None,
                    severity: Severity::Veto,
                    points: 0.0,
                    message: "首页最近一次更新为2026-10-01，已超过14天未更新。<script>x</script>"
                        .into(),
                    evidence: json!({"latest": "2026-10-01", "limit_days": 14, "days": 56}),
                    status: None,
                    first_seen: None,
                    facts: Default::default(),
                },
            ],
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn write_all_is_atomic_and_replaces_old_files() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("report.json"), "old").unwrap();
        let paths = write_all(dir.path(), &testdata::report()).unwrap();
        assert_eq!(paths.len(), 4);
        let json = std::fs::read_to_string(dir.path().join("report.json")).unwrap();
        assert!(json.contains("govaudit.report/1"));
        // No temp files left behind.
        let names: Vec<String> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        assert!(names.iter().all(|n| !n.ends_with(".tmp")), "{names:?}");
    }

    #[test]
    fn unwritable_dir_is_an_error() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("not-a-dir");
        std::fs::write(&file, "x").unwrap();
        assert!(write_all(&file, &testdata::report()).is_err());
    }

    #[test]
    fn crawl_errors_already_reported_as_findings_are_not_listed_twice() {
        use crate::site::{CrawlError, LinkCheck};
        let err = |url: &str| CrawlError {
            url: url.into(),
            what: "page".into(),
            error: "HTTP 404".into(),
            status: Some(404),
        };
        let site = Site {
            id: "fgj".into(),
            url: "http://a/fgj/".into(),
            links: vec![LinkCheck {
                url: "http://a/fgj/gone.html".into(),
                status: Some(404),
                ..Default::default()
            }],
            crawl_errors: vec![
                err("http://a/fgj/gone.html"),
                err("http://a/fgj/list_2.html"),
            ],
            columns: vec![crate::site::Column {
                url: "http://a/fgj/zcwj/".into(),
                name: "政策文件".into(),
                class: ColumnClass::Policy,
                level: 1,
                class_source: Default::default(),
                items: vec![],
                list_pages: 0,
                style: String::new(),
                placeholder: false,
                load_error: Some("HTTP 500".into()),
                truncated: false,
                kind: Default::default(),
                body_chars: 0,
                channel: None,
            }],
            ..Default::default()
        };
        let score = crate::score::score_site(
            &mut [],
            &crate::score::Profile::builtin("national-2019").unwrap(),
        );
        let r = SiteReport::new(&site, &score, &[]);
        let urls: Vec<&str> = r.crawl_errors.iter().map(|e| e.url.as_str()).collect();
        assert_eq!(urls, ["http://a/fgj/list_2.html", "http://a/fgj/zcwj/"]);
        assert!(r.crawl_errors[1].error.contains("HTTP 500"));
        assert_eq!(r.stats.broken_links, 1);
    }

    #[test]
    fn evidence_summaries_read_well() {
        let r = testdata::report();
        assert_eq!(
            evidence_zh(&r.findings[0]),
            "HTTP 404；链接文字：“旧闻”；2个页面引用；位于首页"
        );
        assert_eq!(
            evidence_zh(&r.findings[1]),
            "最近更新：2026-10-01；距今56天；时限14天"
        );
        assert_eq!(fmt_points(94.5), "94.5");
        assert_eq!(fmt_points(100.0), "100");
        assert_eq!(fmt_points(0.1), "0.1");
    }
}
