//! # reply-stale — 办理答复：留言答复不更新
//!
//! ## What it checks
//! Each 政务咨询-type board (a column whose pages show messages: 在线咨询,
//! 领导信箱, 留言板 …; not 网上信访, 纪检举报, 在线访谈, 调查征集) whose newest
//! published reply (回复时间 / 答复时间 of its messages) is older than
//! `limit_days` at `as_of`, or that shows messages and no dated reply at all:
//! one finding at the column's URL. A board whose messages show no dates at
//! all is not judged, nor a column that shows no messages.
//!
//! ## Why it matters
//! 互动交流 → 办理答复 on the 2019 deduction sheet; official self-check
//! reports deduct 3 points when message replies (留言答复) were not updated
//! within 2 months.
//!
//! ## Example
//! 「领导信箱」's newest reply is dated 2026-08-30; as_of 2026-11-26 ⇒ one
//! finding at the column URL, evidence `{ "latest_reply": "2026-08-30",
//! "limit_days": 60 }`.
//!
//! ## Settings
//! `rules/reply-stale.toml`:
//! - `limit_days` (default 60): the newest reply may be at most this old.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::boards::messages;
use super::{
    days_between, latest_zh, Context, Evidence, Finding, Group, Indicator, Meta, RuleDef, Severity,
};
use crate::site::Site;

/// The rule.
pub struct ReplyStale;

/// Settings from `rules/reply-stale.toml`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Settings {
    /// The newest reply may be at most this many days old.
    pub limit_days: i64,
}

impl Default for Settings {
    fn default() -> Self {
        Settings { limit_days: 60 }
    }
}

/// report.json `evidence` of a finding.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ReplyStaleEvidence {
    /// The newest reply date on the board, null when none is dated.
    pub latest_reply: Option<chrono::NaiveDate>,
    /// The deadline in days.
    pub limit_days: i64,
    /// Messages seen on the board.
    pub messages: usize,
}

impl Evidence for ReplyStaleEvidence {
    fn summary_zh(&self) -> String {
        format!(
            "{}；留言{}条；期限{}天",
            latest_zh(self.latest_reply).replace("最近更新", "最近答复"),
            self.messages,
            self.limit_days
        )
    }
}

impl RuleDef for ReplyStale {
    const META: Meta = Meta {
        id: "reply-stale",
        name_zh: "办理答复",
        advice_zh: "及时办理并公开网民留言的答复，答复至少每2个月有更新。",
        severity: Severity::Deduct,
        group: Group::Interaction,
        source: include_str!("reply_stale.rs"),
    };
    type Settings = Settings;
    type Evidence = ReplyStaleEvidence;

    fn default_indicator() -> Indicator {
        Indicator {
            cap: Some(3.0),
            ..Indicator::points(3.0)
        }
    }

    fn run(&self, site: &Site, ctx: &Context, settings: &Settings) -> Vec<Finding> {
        // Per board column: (messages, newest reply, any date at all).
        let mut boards: BTreeMap<&str, (usize, Option<chrono::NaiveDate>, bool)> = BTreeMap::new();
        let mut names: BTreeMap<&str, &str> = BTreeMap::new();
        for b in messages(site) {
            let Some(c) = b.column else { continue };
            names.insert(&c.url, &c.name);
            let e = boards.entry(&c.url).or_default();
            e.0 += 1;
            e.1 = e.1.max(b.message.replied);
            e.2 |= b.message.asked.is_some() || b.message.replied.is_some();
        }
        boards
            .into_iter()
            .filter(|(_, (_, latest, dated))| {
                *dated && latest.map_or(true, |d| days_between(d, ctx.as_of) > settings.limit_days)
            })
            .map(|(url, (n, latest, _))| {
                let name = names[url];
                let message = match latest {
                    Some(d) => format!(
                        "栏目“{name}”最近一次答复为{d}，已超过{}天未公开新的留言答复，请及时办理并公开答复。",
                        settings.limit_days
                    ),
                    None => format!("栏目“{name}”有留言但未公开任何答复，请及时办理并公开答复。"),
                };
                Finding::new(
                    Self::META.id,
                    site,
                    url,
                    None,
                    Some(name),
                    Self::META.severity,
                    message,
                    &ReplyStaleEvidence {
                        latest_reply: latest,
                        limit_days: settings.limit_days,
                        messages: n,
                    },
                )
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::testutil::*;
    use crate::site::{ColumnClass, Message, Page};

    fn board(name: &str, replied: &[Option<&str>]) -> Site {
        let mut s = site();
        let col = column(name, ColumnClass::Other, vec![]);
        s.pages.push(Page {
            url: col.url.clone(),
            column: Some(col.url.clone()),
            messages: replied
                .iter()
                .enumerate()
                .map(|(i, r)| Message {
                    url: Some(format!("http://127.0.0.1/fgj/m/{i}.html")),
                    asked: Some(date("2026-01-01")),
                    replied: r.map(date),
                    answered: r.is_some(),
                    ..Default::default()
                })
                .collect(),
            ..Default::default()
        });
        s.columns.push(col);
        s
    }

    #[test]
    fn newest_reply_decides() {
        let env = Env::new();
        let ctx = env.ctx("2026-11-26");
        let old = board("领导信箱", &[Some("2026-08-30"), Some("2026-05-01")]);
        let f = ReplyStale.check(&old, &ctx);
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].evidence["latest_reply"], "2026-08-30");
        assert_eq!(f[0].evidence["limit_days"], 60);
        let fresh = board("在线咨询", &[Some("2026-10-01"), None]);
        assert!(ReplyStale.check(&fresh, &ctx).is_empty());
        let none = board("在线咨询", &[None]);
        assert_eq!(
            ReplyStale.check(&none, &ctx)[0].evidence["latest_reply"],
            serde_json::Value::Null
        );
        let petition = board("网上信访", &[Some("2026-01-02")]);
        assert!(ReplyStale.check(&petition, &ctx).is_empty());
    }
}
