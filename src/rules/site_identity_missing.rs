//! # site-identity-missing — 网站标识
//!
//! ## What it checks
//! The homepage footer shows the four identifiers a government site must
//! carry (国办发〔2017〕47号): the 网站标识码 (10 digits, or `bm` + 8
//! digits), the ICP备案号, the 公安机关备案号 and the 党政机关网站 badge
//! (conac.cn). One finding per site naming what is missing.
//!
//! Footers drawn by the page's own inline scripts (`document.write`,
//! identifiers in string literals, `京<span>ICP</span>备…`) are read; an
//! identifier in an image's alt text counts. Where the footer may be drawn
//! by something govaudit does not run — an external `footer.js`, an empty
//! `data-setting` placeholder, an empty conac `_ideConac` slot — the finding
//! is a warn saying the footer must be checked in a browser, never a
//! deduction.
//!
//! ## Why it matters
//! 2019 功能设计 → 网站标识; 47号 requires the identifiers in every page footer.
//!
//! ## Example
//! A footer with 主办单位 and 京ICP备05070602号 only ⇒ one finding at the start
//! URL, evidence `{ "missing": ["网站标识码", "公安机关备案号", "党政机关网站标识"] }`.
//!
//! ## Settings
//! None.

use serde::{Deserialize, Serialize};

use super::{Context, Evidence, Facts, Finding, Group, Indicator, Meta, RuleDef, Severity};
use crate::site::Site;

/// The rule.
pub struct SiteIdentityMissing;

/// report.json `evidence` of a finding.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct SiteIdentityEvidence {
    /// What is missing: 网站标识码 / ICP备案号 / 公安机关备案号 / 党政机关网站标识.
    pub missing: Vec<String>,
    /// What was found, as shown (name → value).
    pub found: Vec<(String, String)>,
    /// Why the footer may still show it in a browser (then the finding is a warn).
    pub undecided: Vec<String>,
}

impl Evidence for SiteIdentityEvidence {
    fn summary_zh(&self) -> String {
        let mut s = format!("缺少：{}", self.missing.join("、"));
        if !self.undecided.is_empty() {
            s.push_str(&format!(
                "（页脚可能由脚本生成，需在浏览器中核实：{}）",
                self.undecided.join("；")
            ));
        }
        s
    }
    fn facts(&self) -> Facts {
        Facts::homepage()
    }
}

impl RuleDef for SiteIdentityMissing {
    const META: Meta = Meta {
        id: "site-identity-missing",
        name_zh: "网站标识",
        advice_zh: "在网站页脚完整展示网站标识码、ICP备案号、公安机关备案号和党政机关网站标识。",
        severity: Severity::Deduct,
        group: Group::Function,
        source: include_str!("site_identity_missing.rs"),
    };
    type Settings = ();
    type Evidence = SiteIdentityEvidence;

    fn default_indicator() -> Indicator {
        Indicator {
            cap: Some(2.0),
            ..Indicator::points(1.0)
        }
    }

    fn run(&self, site: &Site, _ctx: &Context, _: &()) -> Vec<Finding> {
        let Some(home) = super::homepage(site) else {
            return vec![];
        };
        let id = &home.facts.identity;
        let mut missing = Vec::new();
        let mut found = Vec::new();
        for (name, value) in [
            ("网站标识码", id.site_code.clone()),
            ("ICP备案号", id.icp.clone()),
            ("公安机关备案号", id.police.clone()),
            ("党政机关网站标识", id.conac.then(|| "conac".to_string())),
        ] {
            match value {
                Some(v) => found.push((name.to_string(), v)),
                None => missing.push(name.to_string()),
            }
        }
        if missing.is_empty() {
            return vec![];
        }
        let undecided = id.undecided.clone();
        let (severity, message) = if undecided.is_empty() {
            (
                Self::META.severity,
                format!(
                    "网站首页页脚缺少{}，请按规范在页脚展示。",
                    missing.join("、")
                ),
            )
        } else {
            (
                Severity::Warn,
                format!(
                    "网站首页源码中未找到{}；页脚由脚本生成（{}），无法在不运行脚本的情况下判定，请在浏览器中核实。",
                    missing.join("、"),
                    undecided.join("；")
                ),
            )
        };
        vec![super::site_finding(
            &Self::META,
            site,
            severity,
            message,
            &SiteIdentityEvidence {
                missing,
                found,
                undecided,
            },
        )]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::testutil::*;
    use crate::site::{Identity, Page, PageKind};

    fn with_home(identity: Identity) -> Site {
        let mut s = site();
        s.pages = vec![Page {
            url: s.url.clone(),
            kind: PageKind::Home,
            facts: crate::site::PageFacts {
                identity,
                ..Default::default()
            },
            ..Default::default()
        }];
        s
    }

    #[test]
    fn names_what_is_missing() {
        let env = Env::new();
        let s = with_home(Identity {
            icp: Some("京ICP备05070602号".into()),
            ..Default::default()
        });
        let f = SiteIdentityMissing.check(&s, &env.ctx("2026-11-26"));
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].severity, Severity::Deduct);
        assert_eq!(
            f[0].evidence["missing"],
            serde_json::json!(["网站标识码", "公安机关备案号", "党政机关网站标识"])
        );
    }

    #[test]
    fn script_drawn_footer_is_a_warn() {
        let env = Env::new();
        let s = with_home(Identity {
            undecided: vec!["外部脚本 footer.js 未执行".into()],
            ..Default::default()
        });
        let f = SiteIdentityMissing.check(&s, &env.ctx("2026-11-26"));
        assert_eq!(f[0].severity, Severity::Warn);
        assert!(f[0].message.contains("浏览器"));
    }

    #[test]
    fn complete_footer_and_no_homepage_are_silent() {
        let env = Env::new();
        let s = with_home(Identity {
            site_code: Some("bm64130001".into()),
            icp: Some("x".into()),
            police: Some("y".into()),
            conac: true,
            undecided: vec!["外部脚本 footer.js 未执行".into()],
        });
        assert!(SiteIdentityMissing
            .check(&s, &env.ctx("2026-11-26"))
            .is_empty());
        assert!(SiteIdentityMissing
            .check(&site(), &env.ctx("2026-11-26"))
            .is_empty());
    }
}
