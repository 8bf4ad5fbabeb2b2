//! # interaction-no-channel — 互动回应差：无有效咨询渠道
//!
//! ## What it checks
//! Whether the site offers a working online consultation channel: a column
//! or link named 咨询 / 建言 / 留言 / 信箱 / 问政 / 写信 / 来信 / 诉求 / 12345
//! that holds a letter form or an entrance (我要写信 / 我要咨询), lists
//! messages, or links out to the district's unified platform and answers
//! there. 网上信访, 纪检举报, 在线访谈 and 调查征集 channels do not count.
//! Only candidates that certainly do not work (an empty page, text without a
//! form, a broken link, a 信访 box) ⇒ one veto finding at the start URL.
//! When the only candidates could not be verified (a link out govaudit did
//! not check, a page that did not load, an own page whose form cannot be
//! seen), or when no candidate was seen at all (script-drawn menus and a
//! shared district header escape a crawl, so seeing nothing is no proof),
//! the finding is a warning asking for a look instead. A site whose
//! start page cannot be fetched is site-unreachable's, not this rule's; a
//! one-page model without the homepage (`govaudit inspect` on a column page)
//! is not judged.
//!
//! ## Why it matters
//! 单项否决「互动回应差 ①」(国办秘函〔2019〕19号): the site has no effective
//! online consultation or suggestion channel (信访、纪检举报 channels do not
//! count).
//!
//! ## Example
//! The only candidates are 「网上信访」 and a 「领导信箱」 page reading 暂无信息
//! ⇒ one veto at the start URL, evidence `{ "candidates": [ { "url": …,
//! "name": "网上信访", "status": "rejected", "why": "“信访”类渠道不计入" }, … ] }`.
//!
//! ## Settings
//! None.

use serde::{Deserialize, Serialize};

use super::boards::{
    absence_finding, candidates_zh, entrances, excluded, is_consultation, Candidate, EntranceKind,
};
use super::{Context, Evidence, Finding, Group, Indicator, Meta, RuleDef, Severity};
use crate::site::Site;

/// The rule.
pub struct InteractionNoChannel;

/// report.json `evidence` of a finding.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct InteractionNoChannelEvidence {
    /// Every column and link looked at, and why it was not taken.
    pub candidates: Vec<Candidate>,
}

impl Evidence for InteractionNoChannelEvidence {
    fn summary_zh(&self) -> String {
        candidates_zh(&self.candidates, "未发现咨询、留言、信箱类入口")
    }
}

/// A candidate name: a consultation word, or an excluded channel (looked at
/// and rejected, so the evidence shows it was seen).
fn named(name: &str) -> bool {
    let n = name.trim();
    n.chars().count() <= 20
        && (is_consultation(n) || (excluded(n).is_some() && !n.contains("调查")))
}

impl RuleDef for InteractionNoChannel {
    const META: Meta = Meta {
        id: "interaction-no-channel",
        name_zh: "互动回应差（无有效咨询渠道）",
        advice_zh: "开设可用的在线咨询、建言或领导信箱栏目（或链接到本地统一互动平台），信访、纪检举报渠道不能代替。",
        severity: Severity::Veto,
        group: Group::Interaction,
        source: include_str!("interaction_no_channel.rs"),
    };
    type Settings = ();
    type Evidence = InteractionNoChannelEvidence;

    fn default_indicator() -> Indicator {
        Indicator {
            veto: true,
            ..Indicator::points(0.0)
        }
    }

    fn run(&self, site: &Site, _ctx: &Context, _settings: &()) -> Vec<Finding> {
        // A site-wide absence needs the homepage seen (not a one-page
        // `govaudit inspect` model).
        if !site.start.ok || site.homepage.is_none() {
            return vec![];
        }
        let candidates = entrances(
            site,
            &EntranceKind {
                candidate: &named,
                excluded: &excluded,
                text_counts: false,
            },
        );
        let certain = format!(
            "网站查看了{}个互动入口，均不是有效的在线咨询渠道（信访、纪检举报不计入），属于互动回应差，请开设有效的在线咨询渠道。",
            candidates.len()
        );
        absence_finding(
            (Self::META.id, Self::META.severity),
            site,
            candidates,
            [
                certain,
                "网站的咨询、信箱类入口未能确认可用（外部链接未检查或页面无法打开），请核实是否有有效的在线咨询渠道。".into(),
                "未在网站上发现在线咨询、建言或信箱等互动入口（导航可能由脚本生成），请人工核实；如确无，属于互动回应差，应开设有效的在线咨询渠道。".into(),
            ],
            |candidates| InteractionNoChannelEvidence { candidates },
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
    use crate::site::{ColumnClass, ColumnKind, LinkCheck, Page, PageKind, PageLink};

    fn home_link(s: &mut Site, text: &str, url: &str) {
        if s.pages.is_empty() {
            s.pages.push(Page {
                url: s.url.clone(),
                kind: PageKind::Home,
                ..Default::default()
            });
        }
        s.pages[0].links.push(PageLink {
            url: url.into(),
            text: text.into(),
            tag: "a".into(),
            ..Default::default()
        });
    }

    #[test]
    fn no_candidate_warns_petition_only_vetoes() {
        let env = Env::new();
        let ctx = env.ctx("2026-11-26");
        let s = site();
        let f = InteractionNoChannel.check(&s, &ctx);
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].severity, Severity::Warn);
        assert!(f[0].message.contains("人工核实"), "{}", f[0].message);
        let mut s = site();
        let mut xf = column("网上信访", ColumnClass::Other, vec![]);
        xf.kind = ColumnKind::Channel;
        s.columns.push(xf);
        s.columns
            .push(column("领导信箱", ColumnClass::Other, vec![]));
        let f = InteractionNoChannel.check(&s, &ctx);
        assert_eq!(f[0].severity, Severity::Veto);
        let c = &f[0].evidence["candidates"];
        assert_eq!(c.as_array().unwrap().len(), 2);
        assert_eq!(c[0]["status"], "rejected");
        assert!(c[0]["why"].as_str().unwrap().contains("信访"));
    }

    #[test]
    fn a_form_a_board_or_a_checked_link_out_is_a_channel() {
        let env = Env::new();
        let ctx = env.ctx("2026-11-26");
        let mut s = site();
        let mut mailbox = column("局长信箱", ColumnClass::Other, vec![]);
        mailbox.kind = ColumnKind::Channel;
        mailbox.channel = Some("form".into());
        s.columns.push(mailbox);
        assert!(InteractionNoChannel.check(&s, &ctx).is_empty());

        let mut s = site();
        home_link(&mut s, "在线咨询", "http://hd.example.gov.cn/zxzx");
        s.links.push(LinkCheck {
            url: "http://hd.example.gov.cn/zxzx".into(),
            status: Some(200),
            ..Default::default()
        });
        assert!(InteractionNoChannel.check(&s, &ctx).is_empty());
    }

    #[test]
    fn an_unchecked_link_out_is_a_warning() {
        let env = Env::new();
        let ctx = env.ctx("2026-11-26");
        let mut s = site();
        home_link(&mut s, "我要写信", "http://hd.example.gov.cn/write");
        let f = InteractionNoChannel.check(&s, &ctx);
        assert_eq!(f[0].severity, Severity::Warn);
        assert_eq!(f[0].evidence["candidates"][0]["status"], "unverified");
    }
}
