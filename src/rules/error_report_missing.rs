//! # error-report-missing — 我为政府网站找错
//!
//! ## What it checks
//! The homepage offers the 「我为政府网站找错」 entrance: a link or image link
//! (text, alt or title 我为政府网站找错), a link to the national platform
//! (zfwzgl.www.gov.cn, pucha.kaipuyun.cn, a www.gov.cn 找错 path), or the
//! platform's script / iframe (`<script id="_jiucuo_" src="…jiucuo.js">`).
//! A site's own 我要纠错 feedback form is not that entrance.
//!
//! ## Why it matters
//! 2019 功能设计 →「我为政府网站找错」; 国办函〔2018〕12号 asks every site to
//! link the national error-report platform.
//!
//! ## Example
//! A homepage whose footer has no 找错 link or script ⇒ one finding at the
//! start URL.
//!
//! ## Settings
//! None.

use serde::{Deserialize, Serialize};

use super::{Context, Evidence, Facts, Finding, Group, Indicator, Meta, RuleDef, Severity};
use crate::site::Site;

/// The rule.
pub struct ErrorReportMissing;

/// report.json `evidence` of a finding.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ErrorReportEvidence {
    /// The page looked at.
    pub page: String,
}

impl Evidence for ErrorReportEvidence {
    fn summary_zh(&self) -> String {
        "首页未发现“我为政府网站找错”入口（链接、图片链接或找错平台脚本）".into()
    }
    fn facts(&self) -> Facts {
        Facts::homepage()
    }
}

impl RuleDef for ErrorReportMissing {
    const META: Meta = Meta {
        id: "error-report-missing",
        name_zh: "我为政府网站找错",
        advice_zh: "在首页显著位置添加“我为政府网站找错”入口（全国政府网站找错平台）。",
        severity: Severity::Deduct,
        group: Group::Function,
        source: include_str!("error_report_missing.rs"),
    };
    type Settings = ();
    type Evidence = ErrorReportEvidence;

    fn default_indicator() -> Indicator {
        Indicator::points(1.0)
    }

    fn run(&self, site: &Site, _ctx: &Context, _: &()) -> Vec<Finding> {
        match super::homepage(site) {
            Some(home) if !home.facts.error_report => vec![super::site_finding(
                &Self::META,
                site,
                Self::META.severity,
                "网站首页未设置“我为政府网站找错”入口，请在首页添加全国政府网站找错平台入口。"
                    .into(),
                &ErrorReportEvidence {
                    page: home.url.clone(),
                },
            )],
            _ => vec![],
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::testutil::*;
    use crate::site::{Page, PageKind};

    #[test]
    fn fires_without_the_entrance_only() {
        let env = Env::new();
        let mut s = site();
        s.pages = vec![Page {
            url: s.url.clone(),
            kind: PageKind::Home,
            ..Default::default()
        }];
        assert_eq!(
            ErrorReportMissing.check(&s, &env.ctx("2026-11-26")).len(),
            1
        );
        s.pages[0].facts.error_report = true;
        assert!(ErrorReportMissing
            .check(&s, &env.ctx("2026-11-26"))
            .is_empty());
        assert!(ErrorReportMissing
            .check(&site(), &env.ctx("2026-11-26"))
            .is_empty());
    }
}
