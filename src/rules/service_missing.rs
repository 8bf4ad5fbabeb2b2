//! # service-missing — 服务不实用：无办事服务
//!
//! ## What it checks
//! Whether the site offers any 办事服务 entry: a column or link named
//! 办事服务 / 政务服务 / 网上办事 / 在线办事 / 办事指南 / 服务事项 / 便民服务 /
//! 一网通办 / 政务服务网 (its own service pages, or a link to the provincial
//! 政务服务网) that opens. Only broken ones ⇒ one veto finding at the start
//! URL; only entrances govaudit could not check, or none seen at all (a
//! script-drawn menu escapes a crawl, so seeing nothing is no proof) ⇒ a
//! warning asking for a look. A site marked `services = false` in SITES.toml (a body with no
//! public-facing services) is not judged, and its 办事服务 group is not
//! scored (the profile's `services-group`: out of 75, ×4/3).
//!
//! ## Why it matters
//! 单项否决「服务不实用 ①」(国办秘函〔2019〕19号): the site offers no 办事服务
//! at all.
//!
//! ## Example
//! The only 「政务服务网」 link answers 404 ⇒ one veto at the start URL,
//! evidence `{ "candidates": [ { "name": "浙江政务服务网", "status": "rejected",
//! "why": "链接无法访问（HTTP 404）" } ] }`; no entrance seen at all ⇒ a warning
//! with `{ "candidates": [] }`.
//!
//! ## Settings
//! `rules/service-missing.toml`:
//! - `name_keywords`: the words that name a service entrance (defaults above).

use serde::{Deserialize, Serialize};

use super::boards::{absence_finding, candidates_zh, entrances, Candidate, EntranceKind};
use super::{Context, Evidence, Finding, Group, Indicator, Meta, RuleDef, Severity};
use crate::site::Site;

/// The rule.
pub struct ServiceMissing;

/// Settings from `rules/service-missing.toml`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Settings {
    /// Words that name a service entrance.
    pub name_keywords: Vec<String>,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            name_keywords: [
                "办事服务",
                "政务服务",
                "网上办事",
                "在线办事",
                "办事指南",
                "服务事项",
                "便民服务",
                "一网通办",
                "在线办理",
                "网上办理",
                "我要办",
            ]
            .map(String::from)
            .to_vec(),
        }
    }
}

/// report.json `evidence` of a finding.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ServiceMissingEvidence {
    /// Every column and link looked at, and why it was not taken.
    pub candidates: Vec<Candidate>,
}

impl Evidence for ServiceMissingEvidence {
    fn summary_zh(&self) -> String {
        candidates_zh(&self.candidates, "未发现办事服务入口")
    }
}

impl RuleDef for ServiceMissing {
    const META: Meta = Meta {
        id: "service-missing",
        name_zh: "服务不实用（无办事服务）",
        advice_zh: "提供办事服务栏目，或链接到本地政务服务网的办事入口。",
        severity: Severity::Veto,
        group: Group::Service,
        source: include_str!("service_missing.rs"),
    };
    type Settings = Settings;
    type Evidence = ServiceMissingEvidence;

    fn default_indicator() -> Indicator {
        Indicator {
            veto: true,
            ..Indicator::points(0.0)
        }
    }

    fn run(&self, site: &Site, _ctx: &Context, settings: &Settings) -> Vec<Finding> {
        // A site-wide absence needs the homepage seen (not a one-page
        // `govaudit inspect` model).
        if !site.start.ok || site.without_services || site.homepage.is_none() {
            return vec![];
        }
        let named = |n: &str| {
            n.trim().chars().count() <= 20
                && settings
                    .name_keywords
                    .iter()
                    .any(|k| n.contains(k.as_str()))
        };
        let candidates = entrances(
            site,
            &EntranceKind {
                candidate: &named,
                excluded: &|_| None,
                text_counts: true,
            },
        );
        absence_finding(
            (Self::META.id, Self::META.severity),
            site,
            candidates,
            [
                "网站的办事服务入口均无法使用（本站办事栏目或本地政务服务网链接），属于服务不实用，请提供可用的办事服务。".into(),
                "网站的办事服务入口未能确认可用（链接未检查或页面无法打开），请核实。".into(),
                "未在网站上发现办事服务入口（导航可能由脚本生成），请人工核实；如确无，属于服务不实用，应提供本站办事栏目或本地政务服务网链接。".into(),
            ],
            |candidates| ServiceMissingEvidence { candidates },
        )
        .into_iter()
        .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::testutil::*;

    /// A crawled site: its homepage seen.
    fn site() -> Site {
        Site {
            homepage: Some(Default::default()),
            ..crate::rules::testutil::site()
        }
    }
    use crate::site::{LinkCheck, Page, PageKind, PageLink};

    #[test]
    fn no_entrance_warns_a_broken_one_vetoes_a_working_link_does_not_a_body_without_services_is_skipped(
    ) {
        let env = Env::new();
        let ctx = env.ctx("2026-11-26");
        let s = site();
        assert_eq!(ServiceMissing.check(&s, &ctx)[0].severity, Severity::Warn);
        let mut none = site();
        none.without_services = true;
        assert!(ServiceMissing.check(&none, &ctx).is_empty());

        let mut s = site();
        s.pages.push(Page {
            url: s.url.clone(),
            kind: PageKind::Home,
            links: vec![PageLink {
                url: "http://www.zjzwfw.gov.cn/".into(),
                text: "浙江政务服务网".into(),
                tag: "a".into(),
                ..Default::default()
            }],
            ..Default::default()
        });
        s.links.push(LinkCheck {
            url: "http://www.zjzwfw.gov.cn/".into(),
            status: Some(404),
            ..Default::default()
        });
        let f = ServiceMissing.check(&s, &ctx);
        assert_eq!(f[0].severity, Severity::Veto);
        assert_eq!(
            f[0].evidence["candidates"][0]["why"],
            "链接无法访问（HTTP 404）"
        );
        s.links[0] = LinkCheck {
            url: "http://www.zjzwfw.gov.cn/".into(),
            status: Some(200),
            ..Default::default()
        };
        assert!(ServiceMissing.check(&s, &ctx).is_empty());
    }

    /// An article about services is no service entrance.
    #[test]
    fn an_article_titled_with_a_service_word_is_no_entrance() {
        let env = Env::new();
        let mut s = site();
        let a = "http://127.0.0.1/fgj/art/1.html";
        s.pages.push(Page {
            url: s.url.clone(),
            kind: PageKind::Home,
            links: vec![PageLink {
                url: a.into(),
                text: "优化政务服务".into(),
                tag: "a".into(),
                ..Default::default()
            }],
            ..Default::default()
        });
        s.pages.push(Page {
            url: a.into(),
            kind: PageKind::Article,
            status: 200,
            ..Default::default()
        });
        let f = ServiceMissing.check(&s, &env.ctx("2026-11-26"));
        assert!(f[0].evidence["candidates"]
            .as_array()
            .unwrap()
            .iter()
            .all(|c| c["url"] != a));
    }
}
