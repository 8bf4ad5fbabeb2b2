//! # annual-report-missing — 年度报告未按时发布
//!
//! ## What it checks
//! The 政府信息公开工作年度报告 for year N−1 is due by 31 January of year N
//! (条例 art. 49). Judged at `as_of`: the year checked is the last one whose
//! deadline has passed (as_of 2026-11-26 ⇒ the 2025 report, due 2026-01-31;
//! as_of 2026-01-20 ⇒ the 2024 report). A finding when no list item and no
//! fetched page of the site has a report title (政府信息公开 + 年度报告/年报)
//! for that year (in a column named 年报 / 年度报告, a title with a year and
//! 报告 or 年报 is enough: `2025年度报告`).
//!
//! Only judged where the site shows where it publishes its reports: a column
//! named 年报 / 年度报告 that loaded, or a report of another year. A site with
//! neither (its reports may sit on the portal's 信息公开 platform) gives no
//! finding: the crawl cannot tell "not published" from "published elsewhere".
//!
//! ## Why it matters
//! 条例 art. 49-50: each body publishes its annual report by 31 January;
//! late or missing reports bring accountability (国办公开办函〔2021〕30号).
//!
//! ## Example
//! as_of 2026-11-26, the 信息公开年报 column lists the 2024 and 2023 reports
//! only ⇒ one finding at the site URL, evidence `{ "year": 2025, "deadline":
//! "2026-01-31", "published": null }`.
//!
//! ## Settings
//! None.

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

use super::{Context, Evidence, Finding, Group, Indicator, Meta, RuleDef, Severity};
use crate::extract::annual_report;
use crate::site::Site;

/// The rule.
pub struct AnnualReportMissing;

/// report.json `evidence` of a missing or late report.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct AnnualReportDueEvidence {
    /// The year the report covers.
    pub year: i32,
    /// Its legal deadline (31 January of the next year).
    pub deadline: Option<NaiveDate>,
    /// When it was published (null: not found).
    pub published: Option<NaiveDate>,
}

impl Evidence for AnnualReportDueEvidence {
    fn summary_zh(&self) -> String {
        let deadline = self.deadline.map_or(String::new(), |d| d.to_string());
        match self.published {
            Some(p) => format!("{}年度报告；发布时限：{deadline}；发布日期：{p}", self.year),
            None => format!("{}年度报告；发布时限：{deadline}；未找到", self.year),
        }
    }
}

/// A report the site lists or the crawl fetched.
pub(crate) struct Published {
    pub year: i32,
    pub url: String,
    pub date: Option<NaiveDate>,
}

/// The year whose report is due and its deadline, at `as_of`.
pub(crate) fn due(as_of: NaiveDate) -> (i32, NaiveDate) {
    let this = NaiveDate::from_ymd_opt(as_of.year(), 1, 31).expect("valid date");
    if as_of > this {
        (as_of.year() - 1, this)
    } else {
        let prev = NaiveDate::from_ymd_opt(as_of.year() - 1, 1, 31).expect("valid date");
        (as_of.year() - 2, prev)
    }
}

/// Every annual report of the site (list items and fetched pages), and
/// whether it has a report column at all.
pub(crate) fn reports(site: &Site) -> (Vec<Published>, bool) {
    let mut out = Vec::new();
    let mut column = false;
    for c in &site.columns {
        let report_column = c.name.contains("年报") || c.name.contains("年度报告");
        if report_column && c.load_error.is_none() {
            column = true;
        }
        for i in &c.items {
            // In a 年报 column a bare `2025年度报告` is the report too.
            let bare = report_column && (i.title.contains("报告") || i.title.contains("年报"));
            if bare || annual_report::is_report_title(&i.title) {
                if let (Some(year), Some(url)) = (annual_report::report_year(&i.title), &i.url) {
                    out.push(Published {
                        year,
                        url: url.clone(),
                        date: i.date,
                    });
                }
            }
        }
    }
    for p in &site.pages {
        if annual_report::is_report_title(&p.title) {
            if let Some(year) = annual_report::report_year(&p.title) {
                out.push(Published {
                    year,
                    url: p.url.clone(),
                    date: p.date,
                });
            }
        }
    }
    (out, column)
}

impl RuleDef for AnnualReportMissing {
    const META: Meta = Meta {
        id: "annual-report-missing",
        name_zh: "年度报告未发布",
        advice_zh: "按《政府信息公开条例》第四十九条，于每年1月31日前在信息公开年报栏目发布上一年度政府信息公开工作年度报告。",
        severity: Severity::Deduct,
        group: Group::Publish,
        source: include_str!("annual_report_missing.rs"),
    };
    type Settings = ();
    type Evidence = AnnualReportDueEvidence;

    fn default_indicator() -> Indicator {
        Indicator::points(2.0)
    }

    fn run(&self, site: &Site, ctx: &Context, _: &()) -> Vec<Finding> {
        let (year, deadline) = due(ctx.as_of);
        let (reports, column) = reports(site);
        if reports.iter().any(|r| r.year == year) || (!column && reports.is_empty()) {
            return Vec::new();
        }
        vec![Finding::new(
            Self::META.id,
            site,
            &site.url,
            None,
            None,
            Self::META.severity,
            format!(
                "未找到{year}年政府信息公开工作年度报告（应于{}前发布），请尽快发布。",
                deadline.format("%Y年%-m月%-d日")
            ),
            &AnnualReportDueEvidence {
                year,
                deadline: Some(deadline),
                published: None,
            },
        )]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::testutil::*;
    use crate::site::ColumnClass;

    #[test]
    fn due_year_follows_the_deadline() {
        assert_eq!(due(date("2026-11-26")), (2025, date("2026-01-31")));
        assert_eq!(due(date("2026-01-31")), (2024, date("2025-01-31")));
        assert_eq!(due(date("2026-02-01")), (2025, date("2026-01-31")));
    }

    #[test]
    fn missing_only_where_reports_are_published() {
        let env = Env::new();
        let mut s = site();
        let t = "区发展和改革局2024年政府信息公开工作年度报告";
        s.columns = vec![column(
            "信息公开年报",
            ColumnClass::Other,
            vec![item(t, Some("2025-01-20"))],
        )];
        let f = AnnualReportMissing.check(&s, &env.ctx("2026-11-26"));
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].evidence["year"], 2025);
        assert_eq!(f[0].evidence["deadline"], "2026-01-31");
        assert!(f[0].evidence["published"].is_null());
        // Before the 2025 report's deadline only 2024's is due: present.
        assert!(AnnualReportMissing
            .check(&s, &env.ctx("2026-01-20"))
            .is_empty());
        // In the report column a bare title counts.
        s.columns[0]
            .items
            .push(item("区发展和改革局2025年度报告", Some("2026-01-15")));
        assert!(AnnualReportMissing
            .check(&s, &env.ctx("2026-11-26"))
            .is_empty());
        // No report column and no report anywhere: no judgement.
        let mut bare = site();
        bare.columns = vec![column("工作动态", ColumnClass::Dynamic, vec![])];
        assert!(AnnualReportMissing
            .check(&bare, &env.ctx("2026-11-26"))
            .is_empty());
    }
}
