//! # interaction-unanswered — 互动回应差：留言超期未答复
//!
//! ## What it checks
//! Every message of a 政务咨询-type board (在线咨询, 领导信箱, 留言板, 问政 …;
//! not 在线访谈, 调查征集, 网上信访, 纪检举报) asked in the year before
//! `as_of`, as its list table (标题 / 留言时间 / 回复时间 / 状态) or its
//! detail page (留言时间 / 答复内容 / 答复时间) shows it: a message answered
//! more than 3 calendar months after it was asked, or still 未回复 / 办理中 /
//! with a blank reply date more than 3 months after it was asked, is one
//! finding at the message's URL. A message whose page shows an answer without
//! a date is not judged.
//!
//! ## Why it matters
//! 单项否决「互动回应差 ②」(国办秘函〔2019〕19号): within the year before the
//! check, a 政务咨询-type column leaves a valid message unanswered for more
//! than 3 months. Whether a message is "valid" (not spam, not a duplicate) is
//! the department's to show: each finding names the message so a clerk can
//! check it.
//!
//! "More than 3 months" is counted in calendar months: asked 2026-03-01 and
//! answered 2026-06-01 is on time, answered 2026-06-02 is late.
//!
//! ## Example
//! 「在线咨询」 lists 「关于小区加装电梯补贴的咨询」 asked 2026-03-01, answered
//! 2026-06-20 ⇒ one finding at the message's page, evidence
//! `{ "asked": "2026-03-01", "replied": "2026-06-20", "days": 111 }`.
//! Answered after 89 days: silent. Asked 2026-03-01 and still 办理中 at
//! as_of 2026-11-26: `{ "replied": null, "days": 270 }`.
//!
//! ## Settings
//! `rules/interaction-unanswered.toml`:
//! - `months` (default 3): how long a message may wait for its answer.

use serde::{Deserialize, Serialize};

use super::boards::{add_months, messages};
use super::{days_between, Context, Evidence, Finding, Group, Indicator, Meta, RuleDef, Severity};
use crate::site::Site;

/// The rule.
pub struct InteractionUnanswered;

/// Settings from `rules/interaction-unanswered.toml`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Settings {
    /// Calendar months a message may wait for its answer.
    pub months: u32,
}

impl Default for Settings {
    fn default() -> Self {
        Settings { months: 3 }
    }
}

/// report.json `evidence` of a finding.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct InteractionUnansweredEvidence {
    /// The message's title.
    pub title: String,
    /// When it was asked.
    pub asked: Option<chrono::NaiveDate>,
    /// The reply date, null while unanswered.
    pub replied: Option<chrono::NaiveDate>,
    /// Days from asked to replied (to `as_of` while unanswered).
    pub days: i64,
    /// The limit in calendar months.
    pub months: u32,
}

impl Evidence for InteractionUnansweredEvidence {
    fn summary_zh(&self) -> String {
        let asked = self.asked.map(|d| d.to_string()).unwrap_or_default();
        match self.replied {
            Some(r) => format!("留言时间：{asked}；答复时间：{r}；历时{}天", self.days),
            None => format!("留言时间：{asked}；未答复，已{}天", self.days),
        }
    }
}

impl RuleDef for InteractionUnanswered {
    const META: Meta = Meta {
        id: "interaction-unanswered",
        name_zh: "互动回应差（留言超期未答复）",
        advice_zh: "对网民留言及时答复（不超过3个月），并公开答复内容和时间。",
        severity: Severity::Veto,
        group: Group::Interaction,
        source: include_str!("interaction_unanswered.rs"),
    };
    type Settings = Settings;
    type Evidence = InteractionUnansweredEvidence;

    fn default_indicator() -> Indicator {
        Indicator {
            veto: true,
            ..Indicator::points(0.0)
        }
    }

    fn run(&self, site: &Site, ctx: &Context, settings: &Settings) -> Vec<Finding> {
        let year_before = ctx.as_of - chrono::Duration::days(365);
        messages(site)
            .into_iter()
            .filter_map(|b| {
                let m = &b.message;
                let asked = m.asked?;
                if asked < year_before || asked > ctx.as_of {
                    return None;
                }
                let due = add_months(asked, settings.months);
                let late = match m.replied {
                    Some(r) => r > due,
                    None => m.pending && ctx.as_of > due,
                };
                if !late {
                    return None;
                }
                let days = days_between(asked, m.replied.unwrap_or(ctx.as_of));
                let title = if m.title.is_empty() {
                    b.title.clone()
                } else {
                    m.title.clone()
                };
                let column = b.column.map(|c| c.name.as_str());
                let how = match m.replied {
                    Some(r) => format!("于{r}才答复，历时{days}天"),
                    None => format!("至今未答复，已{days}天"),
                };
                let message = format!(
                    "留言“{title}”（{asked}提出）{how}，超过{}个月，属于互动回应差，请尽快答复并公开。",
                    settings.months
                );
                Some(Finding::new(
                    Self::META.id,
                    site,
                    b.url(),
                    None,
                    column,
                    Self::META.severity,
                    message,
                    &InteractionUnansweredEvidence {
                        title,
                        asked: Some(asked),
                        replied: m.replied,
                        days,
                        months: settings.months,
                    },
                ))
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::testutil::*;
    use crate::site::{ColumnClass, Message, Page};

    fn board(msgs: Vec<Message>, name: &str) -> Site {
        let mut s = site();
        let col = column(name, ColumnClass::Other, vec![]);
        s.pages.push(Page {
            url: col.url.clone(),
            column: Some(col.url.clone()),
            messages: msgs,
            ..Default::default()
        });
        s.columns.push(col);
        s
    }

    fn msg(n: u32, asked: &str, replied: Option<&str>, pending: bool) -> Message {
        Message {
            url: Some(format!("http://127.0.0.1/fgj/zxzx/t{n}.html")),
            title: format!("咨询{n}"),
            asked: Some(date(asked)),
            replied: replied.map(date),
            answered: replied.is_some(),
            pending,
        }
    }

    #[test]
    fn late_and_open_messages_fire_boundary_holds() {
        let env = Env::new();
        let s = board(
            vec![
                msg(1, "2026-03-01", Some("2026-05-29"), false), // 89 days: silent
                msg(2, "2026-03-01", Some("2026-06-01"), false), // exactly 3 months: silent
                msg(7, "2026-01-05", Some("2026-04-07"), false), // 92 days, > 3 months: fires
                msg(3, "2026-02-01", None, true),                // open: fires
                msg(4, "2026-10-01", None, true),                // open, not yet due
                msg(5, "2025-06-01", None, true),                // older than a year
                msg(6, "2026-02-01", None, false),               // no status, no date: not judged
            ],
            "在线咨询",
        );
        let f = InteractionUnanswered.check(&s, &env.ctx("2026-11-26"));
        let days: Vec<i64> = f
            .iter()
            .map(|f| f.evidence["days"].as_i64().unwrap())
            .collect();
        assert_eq!(days, vec![298, 92]);
        assert_eq!(f[0].evidence["replied"], serde_json::Value::Null);
        assert!(f[1].url.ends_with("t7.html"));
        assert_eq!(f[0].severity, Severity::Veto);
    }

    #[test]
    fn petition_and_report_boards_are_left_out() {
        let env = Env::new();
        for name in ["网上信访", "纪检举报", "在线访谈", "调查征集"] {
            let s = board(vec![msg(3, "2026-02-01", None, true)], name);
            assert!(
                InteractionUnanswered
                    .check(&s, &env.ctx("2026-11-26"))
                    .is_empty(),
                "{name}"
            );
        }
    }
}
