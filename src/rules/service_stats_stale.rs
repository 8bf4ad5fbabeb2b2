//! # service-stats-stale — 办事统计
//!
//! ## What it checks
//! The site's 办件统计 / 办事统计 column (or a page of that name: a block
//! linked from the homepage or a menu) whose newest date is older than
//! `limit_days` at `as_of`: one finding at the column's or page's URL. A
//! list whose items are all undated counts as not updated (as everywhere in
//! the inspection); a single page without any date is a warning (its date
//! cannot be read, a clerk checks it); a statistics channel that links out
//! to the provincial platform is not judged.
//!
//! ## Why it matters
//! 办事服务 → 办事统计 on the 2019 deduction sheet; two official self-check
//! reports deduct 2 points when the statistics were not updated within 3
//! months.
//!
//! ## Example
//! 「办件统计」's newest item 「2026年6月办件情况统计」 is dated 2026-07-05;
//! as_of 2026-11-26 ⇒ one finding at the column URL, evidence
//! `{ "latest": "2026-07-05", "limit_days": 92 }`.
//!
//! ## Settings
//! `rules/service-stats-stale.toml`:
//! - `limit_days` (default 92: three months);
//! - `name_keywords` (default 办件统计, 办事统计, 办件数据, 办件公示,
//!   办件情况, 办理情况统计): names that make a column or page the statistics.

use serde::{Deserialize, Serialize};

use super::{
    days_between, latest_zh, Context, Evidence, Finding, Group, Indicator, Meta, RuleDef, Severity,
};
use crate::site::{ColumnKind, PageKind, Site};

/// The rule.
pub struct ServiceStatsStale;

/// Settings from `rules/service-stats-stale.toml`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Settings {
    /// The newest statistics may be at most this many days old.
    pub limit_days: i64,
    /// Names of the statistics column or page.
    pub name_keywords: Vec<String>,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            limit_days: 92,
            name_keywords: [
                "办件统计",
                "办事统计",
                "办件数据",
                "办件公示",
                "办件情况",
                "办理情况统计",
            ]
            .map(String::from)
            .to_vec(),
        }
    }
}

/// report.json `evidence` of a finding.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ServiceStatsStaleEvidence {
    /// Newest date of the statistics, null when none is dated.
    pub latest: Option<chrono::NaiveDate>,
    /// The deadline in days.
    pub limit_days: i64,
    /// "column" or "page".
    pub source: String,
}

impl Evidence for ServiceStatsStaleEvidence {
    fn summary_zh(&self) -> String {
        format!("{}；期限{}天", latest_zh(self.latest), self.limit_days)
    }
}

impl RuleDef for ServiceStatsStale {
    const META: Meta = Meta {
        id: "service-stats-stale",
        name_zh: "办事统计",
        advice_zh: "定期（至少每3个月）更新并公开办件统计数据。",
        severity: Severity::Deduct,
        group: Group::Service,
        source: include_str!("service_stats_stale.rs"),
    };
    type Settings = Settings;
    type Evidence = ServiceStatsStaleEvidence;

    fn default_indicator() -> Indicator {
        Indicator {
            cap: Some(2.0),
            ..Indicator::points(2.0)
        }
    }

    fn run(&self, site: &Site, ctx: &Context, settings: &Settings) -> Vec<Finding> {
        let named = |n: &str| {
            settings
                .name_keywords
                .iter()
                .any(|k| n.contains(k.as_str()))
        };
        let stale = |d: Option<chrono::NaiveDate>| {
            d.map_or(true, |d| days_between(d, ctx.as_of) > settings.limit_days)
        };
        let mut out = Vec::new();
        let mut emit = |url: &str, name: &str, latest, source: &str, severity| {
            let message = match latest {
                Some(d) => format!(
                    "“{name}”最近更新为{d}，超过{}天未更新，请定期更新办件统计数据。",
                    settings.limit_days
                ),
                None if severity == Severity::Warn => {
                    format!("“{name}”页面未标明统计或更新日期，无法判断是否按期更新，请核实。")
                }
                None => {
                    format!("“{name}”中的信息均未标明日期，视为未更新，请定期更新办件统计数据。")
                }
            };
            out.push(Finding::new(
                Self::META.id,
                site,
                url,
                None,
                Some(name),
                severity,
                message,
                &ServiceStatsStaleEvidence {
                    latest,
                    limit_days: settings.limit_days,
                    source: source.into(),
                },
            ));
        };
        let mut seen = std::collections::HashSet::new();
        for c in site.columns.iter().filter(|c| named(&c.name)) {
            seen.insert(c.url.as_str());
            if c.load_error.is_some() || c.kind == ColumnKind::Channel {
                continue;
            }
            let latest = c.latest();
            if c.items.is_empty() {
                // Empty lists are column-empty's; an undated single page
                // cannot be judged for certain.
                if c.kind == ColumnKind::SinglePage {
                    emit(&c.url, &c.name, None, "column", Severity::Warn);
                }
            } else if stale(latest) {
                emit(&c.url, &c.name, latest, "column", Self::META.severity);
            }
        }
        for p in &site.pages {
            if p.kind == PageKind::Home
                || p.column.is_some()
                || seen.contains(p.url.as_str())
                || !named(&p.title)
            {
                continue;
            }
            seen.insert(p.url.as_str());
            match p.date {
                Some(d) if stale(Some(d)) => {
                    emit(&p.url, &p.title, Some(d), "page", Self::META.severity)
                }
                Some(_) => {}
                None => emit(&p.url, &p.title, None, "page", Severity::Warn),
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::testutil::*;
    use crate::site::ColumnClass;

    #[test]
    fn stale_undated_and_fresh_statistics() {
        let env = Env::new();
        let ctx = env.ctx("2026-11-26");
        let mut s = site();
        s.columns = vec![
            column(
                "办件统计",
                ColumnClass::Other,
                vec![item("6月", Some("2026-07-05"))],
            ),
            column(
                "办事统计公示",
                ColumnClass::Other,
                vec![item("10月", Some("2026-11-05"))],
            ),
            column("办件数据", ColumnClass::Other, vec![item("无日期", None)]),
            column(
                "工作动态",
                ColumnClass::Dynamic,
                vec![item("x", Some("2025-01-01"))],
            ),
        ];
        let f = ServiceStatsStale.check(&s, &ctx);
        assert_eq!(f.len(), 2);
        assert_eq!(f[0].evidence["latest"], "2026-07-05");
        assert_eq!(f[0].evidence["limit_days"], 92);
        assert_eq!(f[1].evidence["latest"], serde_json::Value::Null);
        assert_eq!(f[1].severity, Severity::Deduct);
    }
}
