//! # homepage-stale — 首页不更新
//!
//! ## What it checks
//! The newest dated item shown on the homepage itself (its news and notice
//! blocks, dated there or on the linked page: `Site.homepage.items`) is older
//! than the profile's `deadlines.homepage` days (14 nationally) at `as_of`, or
//! no homepage item is dated at all. Fresh columns deeper in the site do not
//! save a frozen homepage. Only a homepage that is a bare navigation hub
//! (`hub_only`, no item blocks) is judged by its second-level pages: the newest
//! item of any column.
//!
//! ## Why it matters
//! 单项否决「首页不更新」(国办秘函〔2019〕19号): no new information on the
//! homepage during the two weeks before the check fails the site. Undated
//! information counts as not updated (2015 普查评分表 note, "下同").
//!
//! ## Example
//! as_of 2026-11-26, homepage blocks newest item 2026-10-30 (27 days) ⇒ one
//! finding at the start URL, evidence `{ "latest": "2026-10-30",
//! "limit_days": 14, "days": 27 }`, although 工作动态 has an item of
//! 2026-11-25.
//!
//! ## Settings
//! None here; the day limit is `[deadlines] homepage` in the profile.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::{days_between, Context, Evidence, Finding, Group, Indicator, Meta, RuleDef};
use crate::site::Site;

/// The rule.
pub struct HomepageStale;

/// No settings; the struct exists so a stray key is an error.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Settings {}

/// report.json `evidence` of a finding.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct HomepageStaleEvidence {
    /// Newest dated item (null: none dated).
    pub latest: Option<NaiveDate>,
    /// The deadline in days (profile `homepage`).
    pub limit_days: u32,
    /// Days from `latest` to as_of.
    pub days: Option<i64>,
    /// Items looked at.
    pub items: usize,
    /// How many of them are undated.
    pub undated: usize,
    /// The homepage is a bare navigation hub, judged by its second-level pages.
    pub hub_only: bool,
    /// Title of the newest dated item.
    pub newest_title: Option<String>,
    /// URL of the newest dated item.
    pub newest_url: Option<String>,
}

impl Evidence for HomepageStaleEvidence {
    fn summary_zh(&self) -> String {
        let mut parts = vec![super::latest_zh(self.latest)];
        if let Some(x) = self.days {
            parts.push(format!("距今{x}天"));
        }
        parts.push(format!("时限{}天", self.limit_days));
        if self.hub_only {
            parts.push("首页为导航页，按二级页面判断".into());
        }
        parts.join("；")
    }
}

impl RuleDef for HomepageStale {
    const META: Meta = Meta {
        id: "homepage-stale",
        name_zh: "首页不更新",
        advice_zh: "在首页要闻动态、通知公告等板块发布最新信息，确保两周内有更新。",
        severity: super::Severity::Veto,
        group: Group::Publish,
        source: include_str!("homepage_stale.rs"),
    };
    type Settings = Settings;
    type Evidence = HomepageStaleEvidence;

    fn default_indicator() -> Indicator {
        Indicator {
            veto: true,
            ..Indicator::points(0.0)
        }
    }

    fn run(&self, site: &Site, ctx: &Context, _settings: &Settings) -> Vec<Finding> {
        // No homepage data: the start page failed, which site-unreachable reports.
        let Some(home) = &site.homepage else {
            return Vec::new();
        };
        let limit = ctx.deadlines.homepage;
        let (latest, items, undated, newest) = if home.hub_only {
            let all: Vec<_> = site.columns.iter().flat_map(|c| c.items.iter()).collect();
            let newest = all
                .iter()
                .filter(|i| i.date.is_some())
                .max_by_key(|i| i.date);
            (
                newest.and_then(|i| i.date),
                all.len(),
                all.iter().filter(|i| i.date.is_none()).count(),
                newest.copied(),
            )
        } else {
            let newest = home
                .items
                .iter()
                .filter(|i| i.date.is_some())
                .max_by_key(|i| i.date);
            (
                newest.and_then(|i| i.date),
                home.items.len(),
                home.items.iter().filter(|i| i.date.is_none()).count(),
                newest,
            )
        };
        let days = latest.map(|d| days_between(d, ctx.as_of));
        if matches!(days, Some(d) if d <= i64::from(limit)) {
            return Vec::new();
        }
        let scope = if home.hub_only {
            "首页为导航页，其二级页面"
        } else {
            "首页"
        };
        let message = match latest {
            Some(d) => format!(
                "{scope}最近一次更新为{d}，已超过{limit}天未更新，请在首页要闻动态、通知公告等板块及时发布信息。"
            ),
            None if items == 0 => format!(
                "{scope}未发现任何带发布日期的信息，按未更新处理（时限{limit}天），请在首页设置并更新要闻动态、通知公告等信息板块。"
            ),
            None => format!(
                "{scope}的{items}条信息均未标注发布日期，按未更新处理（时限{limit}天），请补充发布日期并及时更新。"
            ),
        };
        vec![Finding::new(
            Self::META.id,
            site,
            &site.url,
            None,
            None,
            Self::META.severity,
            message,
            &HomepageStaleEvidence {
                latest,
                limit_days: limit,
                days,
                items,
                undated,
                hub_only: home.hub_only,
                newest_title: newest.map(|i| i.title.clone()),
                newest_url: newest.and_then(|i| i.url.clone()),
            },
        )]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::testutil::*;
    use crate::site::{ColumnClass, Homepage};

    fn with_home(items: Vec<crate::site::Item>, hub_only: bool) -> Site {
        let mut s = site();
        s.homepage = Some(Homepage { items, hub_only });
        s
    }

    #[test]
    fn frozen_homepage_fires_although_a_column_is_fresh() {
        let env = Env::new();
        let mut s = with_home(
            vec![item("a", Some("2026-10-30")), item("b", Some("2026-09-01"))],
            false,
        );
        s.columns.push(column(
            "工作动态",
            ColumnClass::Dynamic,
            vec![item("fresh", Some("2026-11-25"))],
        ));
        let f = HomepageStale.check(&s, &env.ctx("2026-11-26"));
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].evidence["latest"], "2026-10-30");
        assert_eq!(f[0].evidence["limit_days"], 14);
        assert_eq!(f[0].evidence["days"], 27);
        assert!(f[0].message.contains("2026-10-30"), "{}", f[0].message);
    }

    #[test]
    fn boundary_exactly_14_days_is_fresh_15_is_stale() {
        let env = Env::new();
        let s = with_home(vec![item("a", Some("2026-11-12"))], false);
        assert!(HomepageStale.check(&s, &env.ctx("2026-11-26")).is_empty());
        assert_eq!(HomepageStale.check(&s, &env.ctx("2026-11-27")).len(), 1);
    }

    #[test]
    fn undated_homepage_items_count_as_not_updated() {
        let env = Env::new();
        let s = with_home(vec![item("a", None), item("b", None)], false);
        let f = HomepageStale.check(&s, &env.ctx("2026-11-26"));
        assert_eq!(f.len(), 1);
        assert!(f[0].evidence["latest"].is_null());
        assert_eq!(f[0].evidence["undated"], 2);
    }

    #[test]
    fn hub_homepage_is_judged_by_its_columns() {
        let env = Env::new();
        let mut s = with_home(vec![], true);
        s.columns.push(column(
            "工作动态",
            ColumnClass::Dynamic,
            vec![item("fresh", Some("2026-11-20"))],
        ));
        assert!(HomepageStale.check(&s, &env.ctx("2026-11-26")).is_empty());
        s.columns[0].items[0].date = Some(date("2026-10-01"));
        let f = HomepageStale.check(&s, &env.ctx("2026-11-26"));
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].evidence["hub_only"], true);
    }

    #[test]
    fn no_homepage_data_is_left_to_site_unreachable() {
        let env = Env::new();
        assert!(HomepageStale
            .check(&site(), &env.ctx("2026-11-26"))
            .is_empty());
    }
}
