//! # annual-report-incomplete — 年度报告内容不全
//!
//! ## What it checks
//! An annual report page (see `annual-report-inconsistent`) whose text lacks
//! one of the six required sections of the template: 一、总体情况, 二、主动公开
//! 政府信息情况, 三、收到和处理政府信息公开申请情况, 四、政府信息公开行政复议、
//! 行政诉讼情况, 五、存在的主要问题及改进情况, 六、其他需要报告的事项. Each
//! section is recognised by its keyword (五 also as 存在问题及改进情况).
//!
//! Judged only on a page that carries the report as text: at least 300
//! characters and at least two of the six headings. A page that only links
//! a PDF or shows a scan gives no finding.
//!
//! ## Why it matters
//! 条例 art. 50 lists what the report contains; 国办公开办函〔2021〕30号 fixes
//! the six-part format and names incomplete reports among those that bring
//! accountability.
//!
//! ## Example
//! A report with no 四、政府信息公开行政复议、行政诉讼情况 ⇒ one finding at the
//! report's URL, evidence `{ "missing_sections": ["四、政府信息公开行政复议、行政诉讼情况"] }`.
//!
//! ## Settings
//! None.

use serde::{Deserialize, Serialize};

use super::{Context, Evidence, Finding, Group, Indicator, Meta, RuleDef, Severity};
use crate::extract::annual_report::{self, SECTIONS};
use crate::site::Site;

/// The rule.
pub struct AnnualReportIncomplete;

/// report.json `evidence` of a finding.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct AnnualReportIncompleteEvidence {
    /// The year the report covers, from its title.
    pub year: Option<i32>,
    /// The template's headings not found.
    pub missing_sections: Vec<String>,
}

impl Evidence for AnnualReportIncompleteEvidence {
    fn summary_zh(&self) -> String {
        format!("缺少：{}", self.missing_sections.join("、"))
    }
}

impl RuleDef for AnnualReportIncomplete {
    const META: Meta = Meta {
        id: "annual-report-incomplete",
        name_zh: "年度报告内容不全",
        advice_zh: "按国办公开办函〔2021〕30号规定的格式补全年度报告的六部分内容。",
        severity: Severity::Deduct,
        group: Group::Publish,
        source: include_str!("annual_report_incomplete.rs"),
    };
    type Settings = ();
    type Evidence = AnnualReportIncompleteEvidence;

    fn default_indicator() -> Indicator {
        Indicator {
            cap: Some(2.0),
            ..Indicator::points(1.0)
        }
    }

    fn run(&self, site: &Site, _ctx: &Context, _: &()) -> Vec<Finding> {
        let mut out = Vec::new();
        let mut seen = std::collections::HashSet::new();
        for page in site.full_pages() {
            if !annual_report::is_report_page(&page.title, &page.text)
                || !seen.insert(page.url.clone())
                || page.text.chars().count() < 300
            {
                continue;
            }
            let report = annual_report::parse(&page.text);
            let found = report.sections.iter().filter(|s| **s).count();
            if found < 2 || found == 6 {
                continue;
            }
            let missing: Vec<String> = SECTIONS
                .iter()
                .zip(report.sections)
                .filter(|(_, f)| !f)
                .map(|((name, _), _)| name.to_string())
                .collect();
            out.push(Finding::new(
                Self::META.id,
                site,
                &page.url,
                None,
                None,
                Self::META.severity,
                format!(
                    "《{}》缺少{}部分，请按规定格式补全。",
                    page.title,
                    missing.join("、")
                ),
                &AnnualReportIncompleteEvidence {
                    year: annual_report::report_year(&page.title),
                    missing_sections: missing,
                },
            ));
        }
        out
    }
}
