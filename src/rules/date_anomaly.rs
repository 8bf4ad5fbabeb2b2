//! # date-anomaly — 发布日期异常
//!
//! ## What it checks
//! Dates that cannot be right, one finding per item (the first of these
//! kinds that applies; the next shows once it is fixed):
//! - `future`: a page or list item dated after as_of. A page whose shown
//!   发布日期 is in the future deducts; a date read any other way (a list
//!   column, another label) is a warn, since it may be an event's date.
//! - `written-after-published`: a page whose 成文日期 is after its 发布日期
//!   (both shown on the page).
//! - `list-vs-page`: a list shows an item's date more than a day away from
//!   the date on the item's own page (a warn: which one is right is a guess).
//!
//! Back-dating (an item first seen tonight but dated before the previous
//! run) needs the run history and is not checked here; the inspection treats
//! 伪造发稿日期 as a veto, so govaudit never guesses it at that severity.
//!
//! ## Why it matters
//! 2019 发布解读 and the single veto 弄虚作假（如伪造发稿日期）: a wrong date
//! makes a column look updated when it is not.
//!
//! ## Example
//! A page showing 成文日期 2026-11-20 and 发布日期 2026-11-02 ⇒ one finding at
//! the page, evidence `{ "kind": "written-after-published", "dates": {"成文日期":
//! "2026-11-20", "发布日期": "2026-11-02"} }`.
//!
//! ## Settings
//! `rules/date-anomaly.toml`:
//! - `list_tolerance_days` (default 1): list and page dates may differ by this much.

use std::collections::{BTreeMap, HashMap};

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::{Context, Evidence, Finding, Group, Indicator, Meta, RuleDef, Severity};
use crate::site::{DateSource, PageKind, Site};

/// The rule.
pub struct DateAnomaly;

/// Settings from `rules/date-anomaly.toml`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Settings {
    /// List and page dates may differ by this many days.
    pub list_tolerance_days: i64,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            list_tolerance_days: 1,
        }
    }
}

/// report.json `evidence` of a finding.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct DateAnomalyEvidence {
    /// future, written-after-published or list-vs-page.
    pub kind: String,
    /// The dates compared, by where they were read (发布日期, 成文日期, 列表, 页面, as_of).
    pub dates: BTreeMap<String, NaiveDate>,
    /// Title of the item or page.
    pub title: String,
}

impl Evidence for DateAnomalyEvidence {
    fn summary_zh(&self) -> String {
        let what = match self.kind.as_str() {
            "future" => "日期晚于监测时间点",
            "written-after-published" => "成文日期晚于发布日期",
            "list-vs-page" => "列表日期与正文页日期不一致",
            _ => "日期异常",
        };
        let dates: Vec<String> = self.dates.iter().map(|(k, d)| format!("{k} {d}")).collect();
        format!("{what}：{}", dates.join("，"))
    }
}

fn finding(
    site: &Site,
    url: &str,
    severity: Severity,
    message: String,
    ev: DateAnomalyEvidence,
) -> Finding {
    // The id is rule + site + url + kind, as report.json's fingerprint
    // formula reads `evidence.kind`.
    let kind = ev.kind.clone();
    Finding::new(
        DateAnomaly::META.id,
        site,
        url,
        Some(&kind),
        None,
        severity,
        message,
        &ev,
    )
}

impl RuleDef for DateAnomaly {
    const META: Meta = Meta {
        id: "date-anomaly",
        name_zh: "发布日期异常",
        advice_zh: "核对并更正信息的发布日期、成文日期，确保列表与正文日期一致。",
        severity: Severity::Deduct,
        group: Group::Publish,
        source: include_str!("date_anomaly.rs"),
    };
    type Settings = Settings;
    type Evidence = DateAnomalyEvidence;

    fn default_indicator() -> Indicator {
        Indicator {
            cap: Some(5.0),
            ..Indicator::points(1.0)
        }
    }

    fn run(&self, site: &Site, ctx: &Context, settings: &Settings) -> Vec<Finding> {
        let parse = |v: Option<&String>| v.and_then(|v| crate::extract::find_date(v));
        let mut out = Vec::new();
        let mut page_dates: HashMap<&str, NaiveDate> = HashMap::new();
        for p in site.pages.iter().filter(|p| p.kind == PageKind::Article) {
            let shown = parse(p.facts.fields.get("发布日期"));
            let written = parse(p.facts.fields.get("成文日期"));
            if let Some(d) = p.date {
                page_dates.insert(p.url.as_str(), d);
                if d > ctx.as_of {
                    let (severity, label) = if shown == Some(d) {
                        (Severity::Deduct, "发布日期")
                    } else {
                        (Severity::Warn, "页面日期")
                    };
                    out.push(finding(
                        site,
                        &p.url,
                        severity,
                        format!(
                            "信息“{}”的{label}为{d}，晚于监测时间点{}，请核实更正。",
                            p.title, ctx.as_of
                        ),
                        DateAnomalyEvidence {
                            kind: "future".into(),
                            dates: [(label.to_string(), d), ("as_of".to_string(), ctx.as_of)]
                                .into(),
                            title: p.title.clone(),
                        },
                    ));
                }
            }
            if let (Some(w), Some(s)) = (written, shown) {
                // One finding per page (its id is rule + site + url): a
                // future date is reported first.
                if w > s && !out.last().is_some_and(|f: &Finding| f.url == p.url) {
                    out.push(finding(
                        site,
                        &p.url,
                        Self::META.severity,
                        format!(
                            "信息“{}”的成文日期{w}晚于发布日期{s}，请核实更正。",
                            p.title
                        ),
                        DateAnomalyEvidence {
                            kind: "written-after-published".into(),
                            dates: [("成文日期".to_string(), w), ("发布日期".to_string(), s)]
                                .into(),
                            title: p.title.clone(),
                        },
                    ));
                }
            }
        }
        let mut seen = std::collections::HashSet::new();
        let items = site
            .columns
            .iter()
            .flat_map(|c| &c.items)
            .chain(site.homepage.iter().flat_map(|h| &h.items));
        for item in items.filter(|i| i.date_source == DateSource::List) {
            let (Some(url), Some(listed)) = (item.url.as_deref(), item.date) else {
                continue;
            };
            if !seen.insert(url) {
                continue;
            }
            if out.iter().any(|f| f.url == url) {
                continue;
            }
            match page_dates.get(url) {
                Some(&on_page)
                    if (listed - on_page).num_days().abs() > settings.list_tolerance_days =>
                {
                    out.push(finding(
                        site,
                        url,
                        Severity::Warn,
                        format!(
                            "信息“{}”在列表中的日期{listed}与正文页日期{on_page}不一致，请核实。",
                            item.title
                        ),
                        DateAnomalyEvidence {
                            kind: "list-vs-page".into(),
                            dates: [("列表".to_string(), listed), ("页面".to_string(), on_page)]
                                .into(),
                            title: item.title.clone(),
                        },
                    ));
                }
                None if listed > ctx.as_of => out.push(finding(
                    site,
                    url,
                    Severity::Warn,
                    format!(
                        "信息“{}”在列表中的日期为{listed}，晚于监测时间点{}，请核实。",
                        item.title, ctx.as_of
                    ),
                    DateAnomalyEvidence {
                        kind: "future".into(),
                        dates: [
                            ("列表".to_string(), listed),
                            ("as_of".to_string(), ctx.as_of),
                        ]
                        .into(),
                        title: item.title.clone(),
                    },
                )),
                _ => {}
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::testutil::*;
    use crate::site::{ColumnClass, Page};

    fn art(title: &str, d: Option<&str>, fields: &[(&str, &str)]) -> Page {
        let mut p = Page {
            url: format!("http://127.0.0.1/fgj/art/{title}.html"),
            kind: PageKind::Article,
            title: title.into(),
            date: d.map(date),
            ..Default::default()
        };
        p.facts.fields = fields
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        p
    }

    fn kinds(f: &[Finding]) -> Vec<(String, String)> {
        f.iter()
            .map(|f| {
                (
                    f.evidence["title"].as_str().unwrap().to_string(),
                    format!(
                        "{}/{}",
                        f.evidence["kind"].as_str().unwrap(),
                        f.severity.as_str()
                    ),
                )
            })
            .collect()
    }

    #[test]
    fn each_kind_fires_and_plain_dates_stay_silent() {
        let env = Env::new();
        let mut s = site();
        s.pages = vec![
            art("a", Some("2026-12-01"), &[("发布日期", "2026-12-01")]),
            art("b", Some("2026-12-05"), &[]),
            art(
                "c",
                Some("2026-11-02"),
                &[("发布日期", "2026-11-02"), ("成文日期", "2026-11-20")],
            ),
            art(
                "d",
                Some("2026-11-10"),
                &[("发布日期", "2026-11-10"), ("成文日期", "2026-11-10")],
            ),
            art("e", Some("2026-11-10"), &[]),
            art("f", Some("2026-11-10"), &[]),
            // Future and written after published: one finding (its id is the url's).
            art(
                "h",
                Some("2026-12-01"),
                &[("发布日期", "2026-12-01"), ("成文日期", "2026-12-09")],
            ),
        ];
        s.columns = vec![column(
            "工作动态",
            ColumnClass::Dynamic,
            vec![
                item("e", Some("2026-11-14")),
                item("f", Some("2026-11-11")),
                item("g", Some("2026-12-24")),
            ],
        )];
        let f = DateAnomaly.check(&s, &env.ctx("2026-11-26"));
        assert_eq!(
            kinds(&f),
            [
                ("a".to_string(), "future/deduct".to_string()),
                ("b".to_string(), "future/warn".to_string()),
                (
                    "c".to_string(),
                    "written-after-published/deduct".to_string()
                ),
                ("h".to_string(), "future/deduct".to_string()),
                ("e".to_string(), "list-vs-page/warn".to_string()),
                ("g".to_string(), "future/warn".to_string()),
            ]
        );
    }
}
