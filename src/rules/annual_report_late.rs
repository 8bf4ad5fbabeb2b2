//! # annual-report-late — 年度报告逾期发布
//!
//! ## What it checks
//! The report for the year due at `as_of` (see `annual-report-missing`: the
//! last year whose 31 January deadline has passed) found with a date after
//! its deadline — the date shown beside its title in the list, else the
//! publish date of its page. A report found without any date gives no
//! finding.
//!
//! ## Why it matters
//! 条例 art. 49: departments publish the previous year's report by 31
//! January; 国办公开办函〔2021〕30号 names late reports among those that bring
//! accountability.
//!
//! ## Example
//! 《2025年政府信息公开工作年度报告》 listed 2026-03-05 ⇒ one finding at the
//! report's URL, evidence `{ "year": 2025, "deadline": "2026-01-31",
//! "published": "2026-03-05" }`.
//!
//! ## Settings
//! None.

use super::annual_report_missing::{due, reports, AnnualReportDueEvidence};
use super::{Context, Finding, Group, Indicator, Meta, RuleDef, Severity};
use crate::site::Site;

/// The rule.
pub struct AnnualReportLate;

impl RuleDef for AnnualReportLate {
    const META: Meta = Meta {
        id: "annual-report-late",
        name_zh: "年度报告逾期发布",
        advice_zh: "严格按《政府信息公开条例》第四十九条规定的时限（每年1月31日前）发布年度报告。",
        severity: Severity::Deduct,
        group: Group::Publish,
        source: include_str!("annual_report_late.rs"),
    };
    type Settings = ();
    type Evidence = AnnualReportDueEvidence;

    fn default_indicator() -> Indicator {
        Indicator::points(1.0)
    }

    fn run(&self, site: &Site, ctx: &Context, _: &()) -> Vec<Finding> {
        let (year, deadline) = due(ctx.as_of);
        let (reports, _) = reports(site);
        let mine: Vec<_> = reports.iter().filter(|r| r.year == year).collect();
        // Any dated copy on time (or the earliest date) decides.
        let Some(first) = mine
            .iter()
            .filter(|r| r.date.is_some())
            .min_by_key(|r| r.date)
        else {
            return Vec::new();
        };
        let published = first.date.expect("dated");
        if published <= deadline {
            return Vec::new();
        }
        vec![Finding::new(
            Self::META.id,
            site,
            &first.url,
            None,
            None,
            Self::META.severity,
            format!(
                "{year}年政府信息公开工作年度报告于{}发布，晚于法定时限{}。",
                published.format("%Y年%-m月%-d日"),
                deadline.format("%Y年%-m月%-d日")
            ),
            &AnnualReportDueEvidence {
                year,
                deadline: Some(deadline),
                published: Some(published),
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
    fn late_when_dated_after_the_deadline() {
        let env = Env::new();
        let mut s = site();
        let t = "区发展和改革局2025年政府信息公开工作年度报告";
        s.columns = vec![column(
            "信息公开年报",
            ColumnClass::Other,
            vec![item(t, Some("2026-03-05"))],
        )];
        let f = AnnualReportLate.check(&s, &env.ctx("2026-11-26"));
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].evidence["published"], "2026-03-05");
        s.columns[0].items[0].date = Some(date("2026-01-31"));
        assert!(AnnualReportLate
            .check(&s, &env.ctx("2026-11-26"))
            .is_empty());
        s.columns[0].items[0].date = None;
        assert!(AnnualReportLate
            .check(&s, &env.ctx("2026-11-26"))
            .is_empty());
    }
}
