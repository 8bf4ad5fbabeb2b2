//! # search-missing — 站内搜索
//!
//! ## What it checks
//! The homepage offers a site search: a form with a search box (its action,
//! name or button says 搜索 / 检索 / search), a text input named or labelled
//! as a search (keyword, 请输入关键字), or a search link or button (站内搜索,
//! an onclick search). A login form or a 办件查询 box is not a site search.
//! (Whether the search answers a title the site shows needs a query the
//! crawler does not send; not checked.)
//!
//! ## Why it matters
//! 2019 功能设计 → 站内搜索; 47号 requires a site search on every site.
//!
//! ## Example
//! A homepage with only a login form and a 办件查询 box ⇒ one finding at the
//! start URL, evidence `{ "reason": "首页未发现站内搜索框或搜索入口" }`.
//!
//! ## Settings
//! None.

use serde::{Deserialize, Serialize};

use super::{Context, Evidence, Facts, Finding, Group, Indicator, Meta, RuleDef, Severity};
use crate::site::Site;

/// The rule.
pub struct SearchMissing;

/// report.json `evidence` of a finding.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct SearchMissingEvidence {
    /// Why no working search was found.
    pub reason: String,
}

impl Evidence for SearchMissingEvidence {
    fn summary_zh(&self) -> String {
        format!("原因：{}", self.reason)
    }
    fn facts(&self) -> Facts {
        Facts::homepage()
    }
}

impl RuleDef for SearchMissing {
    const META: Meta = Meta {
        id: "search-missing",
        name_zh: "站内搜索",
        advice_zh: "在首页提供可用的站内搜索。",
        severity: Severity::Deduct,
        group: Group::Function,
        source: include_str!("search_missing.rs"),
    };
    type Settings = ();
    type Evidence = SearchMissingEvidence;

    fn default_indicator() -> Indicator {
        Indicator::points(1.0)
    }

    fn run(&self, site: &Site, _ctx: &Context, _: &()) -> Vec<Finding> {
        match super::homepage(site) {
            Some(home) if !home.facts.search => vec![super::site_finding(
                &Self::META,
                site,
                Self::META.severity,
                "网站首页未提供站内搜索功能，请在首页设置站内搜索。".into(),
                &SearchMissingEvidence {
                    reason: "首页未发现站内搜索框或搜索入口".into(),
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
    fn fires_without_a_search_only() {
        let env = Env::new();
        let mut s = site();
        s.pages = vec![Page {
            url: s.url.clone(),
            kind: PageKind::Home,
            ..Default::default()
        }];
        let f = SearchMissing.check(&s, &env.ctx("2026-11-26"));
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].url, s.url);
        s.pages[0].facts.search = true;
        assert!(SearchMissing.check(&s, &env.ctx("2026-11-26")).is_empty());
    }
}
