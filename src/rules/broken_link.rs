//! # broken-link — 链接可用性
//!
//! ## What it checks
//! Every distinct link target found on the site's pages (`Site.links`) that
//! failed when checked: 4xx, 5xx, connection error, timeout, redirect loop.
//! One finding per target per site, however many pages link it: `url` is the
//! first page found holding the link, `target` the failed URL, and the
//! evidence counts the pages and says whether the homepage links it (the
//! points differ). Targets not checked (`skipped`: robots.txt, other schemes)
//! are never reported.
//!
//! ## Why it matters
//! 扣分「链接可用性」: each link on the homepage that does not open deducts 1
//! point, each elsewhere 0.1 (images, attachments and external links
//! included), capped at the indicator's points. Numbers live in the profile.
//!
//! ## Example
//! `/fgj/gzdt/old.html` answers 404 and is linked from the homepage and two
//! articles ⇒ one finding, `url` = the homepage, `target` = the 404 URL,
//! evidence `{ "status": 404, "anchor": "旧闻", "pages": 3, "on_homepage": true }`.
//!
//! ## Settings
//! `rules/broken-link.toml` beside the profile (compiled in for the built-in
//! profiles; read from the folder of a profile given as a path):
//! - `include_external` (default true): report targets outside the site.
//! - `include_attachments` (default true): report attachments (pdf, doc …).
//! - `max_referrers` (default 5): referring pages listed in the evidence.

use serde::{Deserialize, Serialize};

use super::{Context, Evidence, Facts, Finding, Group, Indicator, Meta, RuleDef, Severity};
use crate::site::Site;

/// The rule.
pub struct BrokenLink;

/// Settings from `rules/broken-link.toml`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Settings {
    pub include_external: bool,
    pub include_attachments: bool,
    pub max_referrers: usize,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            include_external: true,
            include_attachments: true,
            max_referrers: 5,
        }
    }
}

/// report.json `evidence` of a finding.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct BrokenLinkEvidence {
    /// The HTTP status of the last attempt, if one answered.
    pub status: Option<u16>,
    /// What failed when no status tells it (timeout, loop, refused …).
    pub error: Option<String>,
    /// The link's text.
    pub anchor: String,
    /// Pages that hold the link.
    pub pages: usize,
    pub on_homepage: bool,
    /// On the site's own host.
    pub internal: bool,
    /// A pdf/doc/xls/… attachment.
    pub attachment: bool,
    pub attempts: u32,
    /// The first pages that hold the link (`max_referrers`).
    pub referrers: Vec<String>,
}

impl Evidence for BrokenLinkEvidence {
    fn summary_zh(&self) -> String {
        let mut parts = Vec::new();
        match (self.status, &self.error) {
            (_, Some(err)) => parts.push(format!("错误：{err}")),
            (Some(st), None) => parts.push(format!("HTTP {st}")),
            _ => {}
        }
        if !self.anchor.is_empty() {
            parts.push(format!("链接文字：“{}”", self.anchor));
        }
        parts.push(format!("{}个页面引用", self.pages));
        if self.on_homepage {
            parts.push("位于首页".into());
        }
        parts.join("；")
    }
    fn facts(&self) -> Facts {
        Facts {
            on_homepage: self.on_homepage,
            ..Facts::default()
        }
    }
}

impl RuleDef for BrokenLink {
    const META: Meta = Meta {
        id: "broken-link",
        name_zh: "链接可用性",
        advice_zh: "修正链接地址或删除失效链接；附件应重新上传。",
        severity: Severity::Deduct,
        group: Group::Function,
        source: include_str!("broken_link.rs"),
    };
    const BUILTIN_SETTINGS: Option<&'static str> =
        Some(include_str!("../../rules/broken-link.toml"));
    type Settings = Settings;
    type Evidence = BrokenLinkEvidence;

    fn default_indicator() -> Indicator {
        Indicator {
            points_homepage: Some(1.0),
            cap: Some(10.0),
            ..Indicator::points(0.1)
        }
    }

    fn run(&self, site: &Site, _ctx: &Context, settings: &Settings) -> Vec<Finding> {
        let mut out = Vec::new();
        for link in &site.links {
            if !link.broken || link.skipped.is_some() {
                continue;
            }
            if (!link.internal && !settings.include_external)
                || (link.attachment && !settings.include_attachments)
            {
                continue;
            }
            let url = link.referrers.first().unwrap_or(&site.url);
            let failure = match (&link.error, link.status) {
                (Some(e), _) => e.clone(),
                (None, Some(s)) => format!("HTTP {s}"),
                (None, None) => "无法访问".to_string(),
            };
            let anchor = if link.anchor.is_empty() {
                String::new()
            } else if link.anchor.contains('“') {
                format!("「{}」", link.anchor)
            } else {
                format!("“{}”", link.anchor)
            };
            let pages = link.referrers.len().max(1);
            let where_ = if link.on_homepage {
                format!("共{pages}个页面引用（含首页）")
            } else {
                format!("共{pages}个页面引用")
            };
            let message = format!(
                "链接{anchor}（{}）无法打开（{failure}），{where_}，请修正或删除该链接。",
                link.url
            );
            let mut f = Finding::new(
                Self::META.id,
                site,
                url,
                Some(&link.url),
                None,
                Self::META.severity,
                message,
                &BrokenLinkEvidence {
                    status: link.status,
                    error: link.error.clone(),
                    anchor: link.anchor.clone(),
                    pages,
                    on_homepage: link.on_homepage,
                    internal: link.internal,
                    attachment: link.attachment,
                    attempts: link.attempts,
                    referrers: link
                        .referrers
                        .iter()
                        .take(settings.max_referrers)
                        .cloned()
                        .collect(),
                },
            );
            f.target = Some(link.url.clone());
            out.push(f);
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::testutil::*;
    use crate::site::LinkCheck;

    fn check(url: &str, status: Option<u16>, broken: bool, refs: &[&str]) -> LinkCheck {
        LinkCheck {
            url: url.into(),
            status,
            broken,
            attempts: 1,
            referrers: refs.iter().map(|s| s.to_string()).collect(),
            anchor: "旧闻".into(),
            internal: true,
            ..Default::default()
        }
    }

    #[test]
    fn one_finding_per_target_with_page_count() {
        let env = Env::new();
        let mut s = site();
        let mut home = check(
            "http://127.0.0.1/fgj/old.html",
            Some(404),
            true,
            &[
                "http://127.0.0.1/fgj/",
                "http://127.0.0.1/fgj/a.html",
                "http://127.0.0.1/fgj/b.html",
            ],
        );
        home.on_homepage = true;
        let mut timeout = check(
            "http://127.0.0.1/x.pdf",
            None,
            true,
            &["http://127.0.0.1/fgj/a.html"],
        );
        timeout.error = Some("timeout".into());
        s.links = vec![
            home,
            timeout,
            check(
                "http://127.0.0.1/ok.html",
                Some(200),
                false,
                &["http://127.0.0.1/fgj/"],
            ),
        ];
        let f = BrokenLink.check(&s, &env.ctx("2026-11-26"));
        assert_eq!(f.len(), 2);
        assert_eq!(f[0].url, "http://127.0.0.1/fgj/");
        assert_eq!(
            f[0].target.as_deref(),
            Some("http://127.0.0.1/fgj/old.html")
        );
        assert_eq!(f[0].evidence["pages"], 3);
        assert_eq!(f[0].evidence["status"], 404);
        assert_eq!(f[0].evidence["on_homepage"], true);
        assert!(f[0].message.contains("含首页"));
        assert_eq!(f[1].evidence["error"], "timeout");
        assert_eq!(f[1].evidence["on_homepage"], false);
        assert!(f[1].message.contains("timeout"));
    }

    #[test]
    fn skipped_and_excluded_targets_are_silent() {
        let mut env = Env::new();
        let mut s = site();
        let mut skipped = check(
            "http://127.0.0.1/private/",
            None,
            true,
            &["http://127.0.0.1/fgj/"],
        );
        skipped.skipped = Some("robots.txt".into());
        let mut external = check(
            "http://other.example/",
            Some(500),
            true,
            &["http://127.0.0.1/fgj/"],
        );
        external.internal = false;
        s.links = vec![skipped, external];
        assert_eq!(BrokenLink.check(&s, &env.ctx("2026-11-26")).len(), 1);
        env.settings.set(
            BrokenLink::META.id,
            Settings {
                include_external: false,
                ..Settings::default()
            },
        );
        assert!(BrokenLink.check(&s, &env.ctx("2026-11-26")).is_empty());
    }

    #[test]
    fn referrers_are_capped_but_counted() {
        let env = Env::new();
        let mut s = site();
        let refs: Vec<String> = (0..9)
            .map(|i| format!("http://127.0.0.1/fgj/{i}.html"))
            .collect();
        let refs: Vec<&str> = refs.iter().map(String::as_str).collect();
        s.links = vec![check("http://127.0.0.1/gone", Some(410), true, &refs)];
        let f = BrokenLink.check(&s, &env.ctx("2026-11-26"));
        assert_eq!(f[0].evidence["pages"], 9);
        assert_eq!(f[0].evidence["referrers"].as_array().unwrap().len(), 5);
    }
}
