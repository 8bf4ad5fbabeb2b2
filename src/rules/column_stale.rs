//! # column-stale — 栏目不更新
//!
//! ## What it checks
//! A column whose newest item is older than its class's deadline at `as_of`:
//! the profile's `[deadlines]` give dynamic 14, notice and policy 180,
//! long-term 365 days nationally; interpretation and other have whatever the
//! profile says (absent = no deadline, never stale). A column whose items
//! are all undated counts as not updated (evidence `undated: true`). Empty
//! columns are left to column-empty and columns that failed to load are crawl
//! errors, not findings.
//!
//! ## Why it matters
//! 单项否决「栏目不更新」(国办秘函〔2019〕19号): 动态/要闻 columns not updated
//! within 2 weeks and 通知公告/政策文件 columns not updated within 6 months —
//! 5 or more (超过(含)5个) such columns fail the site; 10 or more stale
//! columns of any class (应更新但长期未更新) fail it too; fewer deduct points
//! (基本信息更新). The profile says so as data: `veto-classes`,
//! `veto-classes-at-least = 5`, `veto-at-least = 10`. The 365-day window of
//! long-term columns is a vendor convention, not national text. Undated
//! information counts as not updated (2015 note, "下同").
//!
//! ## Example
//! as_of 2026-11-26, 「通知公告」 newest item 2026-03-01 ⇒ one finding at the
//! column URL: 「栏目“通知公告”最近一次更新为2026-03-01，已超过180天未更新，
//! 请及时发布信息。」, evidence `{ "latest": "2026-03-01", "class": "notice",
//! "limit_days": 180, "days": 270 }`.
//!
//! ## Settings
//! `rules/column-stale.toml` beside the profile (compiled in for the built-in
//! profiles; read from the folder of a profile given as a path):
//! - `skip_name_keywords` (default `["专题"]`): historic special-topic columns
//!   are excluded from staleness (2015 explanatory text).

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::{days_between, Context, Evidence, Facts, Finding, Group, Indicator, Meta, RuleDef};
use crate::site::{ColumnClass, Site};

/// The rule.
pub struct ColumnStale;

/// Settings from `rules/column-stale.toml`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Settings {
    /// Columns whose name contains one of these words are never stale.
    pub skip_name_keywords: Vec<String>,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            skip_name_keywords: vec!["专题".into()],
        }
    }
}

/// report.json `evidence` of a finding.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ColumnStaleEvidence {
    /// Newest dated item (null: none dated).
    pub latest: Option<NaiveDate>,
    /// The column's class.
    pub class: Option<ColumnClass>,
    /// The column's navigation level (1 = linked from the homepage, 0 = unknown).
    pub level: u32,
    /// The class's deadline.
    pub limit_days: u32,
    /// Days from `latest` to as_of.
    pub days: Option<i64>,
    /// Items listed.
    pub items: usize,
    /// Every item is undated (counts as not updated).
    pub undated: bool,
    /// The list was cut by a crawl limit.
    pub truncated: bool,
}

impl Evidence for ColumnStaleEvidence {
    fn summary_zh(&self) -> String {
        let mut parts = vec![super::latest_zh(self.latest)];
        if let Some(x) = self.days {
            parts.push(format!("距今{x}天"));
        }
        if let Some(c) = self.class {
            parts.push(format!("类别：{}", c.label_zh()));
        }
        parts.push(format!("时限{}天", self.limit_days));
        if self.undated {
            parts.push("信息均未标注日期".into());
        }
        parts.join("；")
    }
    fn facts(&self) -> Facts {
        Facts::column(self.class, self.level)
    }
}

impl RuleDef for ColumnStale {
    const META: Meta = Meta {
        id: "column-stale",
        name_zh: "栏目不更新",
        advice_zh: "按栏目更新时限发布信息，补齐发布日期；不再维护的栏目应归档或撤并。",
        severity: super::Severity::Deduct,
        group: Group::Publish,
        source: include_str!("column_stale.rs"),
    };
    const BUILTIN_SETTINGS: Option<&'static str> =
        Some(include_str!("../../rules/column-stale.toml"));
    type Settings = Settings;
    type Evidence = ColumnStaleEvidence;

    fn default_indicator() -> Indicator {
        Indicator {
            cap: Some(20.0),
            veto_at_least: Some(10),
            points_first_level: [(ColumnClass::Policy, 5.0)].into(),
            veto_classes: vec![ColumnClass::Dynamic],
            veto_first_level_classes: vec![ColumnClass::Notice, ColumnClass::Policy],
            veto_classes_at_least: Some(5),
            ..Indicator::points(2.0)
        }
    }

    fn run(&self, site: &Site, ctx: &Context, settings: &Settings) -> Vec<Finding> {
        let skip = &settings.skip_name_keywords;
        let mut out = Vec::new();
        for c in &site.columns {
            if c.load_error.is_some()
                || c.items.is_empty()
                || skip.iter().any(|k| c.name.contains(k.as_str()))
            {
                continue;
            }
            let Some(limit) = ctx.deadlines.for_class(c.class) else {
                continue;
            };
            let latest = c.latest();
            let days = latest.map(|d| days_between(d, ctx.as_of));
            if matches!(days, Some(d) if d <= i64::from(limit)) {
                continue;
            }
            let message = match latest {
                Some(d) => format!(
                    "栏目“{}”最近一次更新为{}，已超过{}天未更新，请及时发布信息。",
                    c.name, d, limit
                ),
                None => format!(
                    "栏目“{}”的{}条信息均未标注发布日期，按未更新处理（更新时限{}天），请补充发布日期并及时发布信息。",
                    c.name,
                    c.items.len(),
                    limit
                ),
            };
            out.push(Finding::new(
                Self::META.id,
                site,
                &c.url,
                None,
                Some(&c.name),
                Self::META.severity,
                message,
                &ColumnStaleEvidence {
                    latest,
                    class: Some(c.class),
                    level: c.level,
                    limit_days: limit,
                    days,
                    items: c.items.len(),
                    undated: latest.is_none(),
                    truncated: c.truncated,
                },
            ));
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::testutil::*;

    #[test]
    fn each_class_uses_its_own_deadline() {
        let env = Env::new();
        let mut s = site();
        s.columns = vec![
            // 20 days: stale for dynamic (14) …
            column(
                "工作动态",
                ColumnClass::Dynamic,
                vec![item("a", Some("2026-11-06"))],
            ),
            // … but fresh for notice (180).
            column(
                "通知公告",
                ColumnClass::Notice,
                vec![item("b", Some("2026-11-06"))],
            ),
            // 270 days: stale notice.
            column(
                "公示公告",
                ColumnClass::Notice,
                vec![item("c", Some("2026-03-01"))],
            ),
            // 300 days: fresh long-term (365).
            column(
                "人事信息",
                ColumnClass::LongTerm,
                vec![item("d", Some("2026-01-30"))],
            ),
            // other: no deadline in the national profile.
            column(
                "机构概况",
                ColumnClass::Other,
                vec![item("e", Some("2019-01-01"))],
            ),
        ];
        let f = ColumnStale.check(&s, &env.ctx("2026-11-26"));
        let names: Vec<_> = f.iter().map(|f| f.column.clone().unwrap()).collect();
        assert_eq!(names, ["工作动态", "公示公告"]);
        assert_eq!(f[1].evidence["class"], "notice");
        assert_eq!(f[1].evidence["limit_days"], 180);
        assert_eq!(f[1].evidence["latest"], "2026-03-01");
        assert_eq!(f[1].evidence["undated"], false);
        assert_eq!(
            f[1].message,
            "栏目“公示公告”最近一次更新为2026-03-01，已超过180天未更新，请及时发布信息。"
        );
    }

    #[test]
    fn newest_item_wins_whatever_list_order() {
        let env = Env::new();
        let mut s = site();
        s.columns = vec![column(
            "工作动态",
            ColumnClass::Dynamic,
            vec![
                item("old", Some("2025-01-01")),
                item("new", Some("2026-11-20")),
            ],
        )];
        assert!(ColumnStale.check(&s, &env.ctx("2026-11-26")).is_empty());
    }

    #[test]
    fn undated_items_count_as_not_updated() {
        let env = Env::new();
        let mut s = site();
        s.columns = vec![column(
            "政策文件",
            ColumnClass::Policy,
            vec![item("a", None), item("b", None)],
        )];
        let f = ColumnStale.check(&s, &env.ctx("2026-11-26"));
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].evidence["undated"], true);
        assert!(f[0].evidence["latest"].is_null());
        assert!(f[0].message.contains("未标注发布日期"));
    }

    #[test]
    fn empty_failed_and_special_topic_columns_are_silent() {
        let env = Env::new();
        let mut s = site();
        let mut failed = column(
            "通知公告",
            ColumnClass::Notice,
            vec![item("a", Some("2020-01-01"))],
        );
        failed.load_error = Some("timeout".into());
        s.columns = vec![
            column("工作动态", ColumnClass::Dynamic, vec![]),
            failed,
            column(
                "两学一做专题",
                ColumnClass::Dynamic,
                vec![item("b", Some("2017-01-01"))],
            ),
        ];
        assert!(ColumnStale.check(&s, &env.ctx("2026-11-26")).is_empty());
    }

    #[test]
    fn deadlines_come_from_the_profile_file() {
        let mut env = Env::new();
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("rules/city-strict.toml");
        env.profile = crate::score::Profile::load(&path).unwrap();
        let mut s = site();
        s.columns = vec![
            // 10 days: fresh nationally (14), stale under city-strict (7).
            column(
                "工作动态",
                ColumnClass::Dynamic,
                vec![item("a", Some("2026-11-16"))],
            ),
            // interpretation: no national deadline, 180 under city-strict.
            column(
                "政策解读",
                ColumnClass::Interpretation,
                vec![item("b", Some("2026-01-01"))],
            ),
        ];
        let f = ColumnStale.check(&s, &env.ctx("2026-11-26"));
        assert_eq!(f.len(), 2);
        assert_eq!(f[0].evidence["limit_days"], 7);
        assert_eq!(f[1].evidence["class"], "interpretation");
        let national = Env::new();
        assert!(ColumnStale
            .check(&s, &national.ctx("2026-11-26"))
            .is_empty());
    }

    #[test]
    fn boundary_is_strictly_older_than_the_limit() {
        let env = Env::new();
        let mut s = site();
        s.columns = vec![column(
            "工作动态",
            ColumnClass::Dynamic,
            vec![item("a", Some("2026-11-12"))],
        )];
        assert!(ColumnStale.check(&s, &env.ctx("2026-11-26")).is_empty());
        assert_eq!(ColumnStale.check(&s, &env.ctx("2026-11-27")).len(), 1);
    }
}
