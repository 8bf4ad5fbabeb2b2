//! # broken-link — 链接可用性
//!
//! ## What it checks
//! Every distinct link target found on the site's pages (`Site.links`) that
//! failed when checked: 4xx, 5xx, connection error, timeout, redirect loop,
//! or a 2xx reached only by a redirect to an error page (302 → /404.html).
//! The crawl records what each request found (statuses of HEAD and GET,
//! error, final URL, content type); this rule alone decides what counts as
//! broken, so a change here replays on a saved crawl (`lint --crawl`).
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
//!
//! A link that opens only past an HTTPS certificate a browser refuses
//! (self-signed, expired, issued for another host: `LinkCheck.certificate`)
//! is not broken for the crawler but is for a visitor, who gets a security
//! warning: a warn with `"certificate"` in the evidence, never a deduction.

use serde::{Deserialize, Serialize};
use url::Url;

use super::{Context, Evidence, Facts, Finding, Group, Indicator, Meta, RuleDef, Severity};
use crate::site::{LinkCheck, Site};

/// Why a checked link does not open.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Failure {
    /// No usable answer: "timeout", "connection refused", "redirect loop" …
    Error(String),
    /// A 2xx answer reached only by a redirect to an error page; the text
    /// says which ("redirect to error page /404.html").
    ErrorPage(String),
    /// The final answer was 4xx or 5xx.
    Status(u16),
    /// Neither an answer nor an error.
    NoAnswer,
}

impl Failure {
    /// The evidence's `error`: the error, or which error page.
    pub fn error(&self) -> Option<&str> {
        match self {
            Failure::Error(e) | Failure::ErrorPage(e) => Some(e),
            Failure::Status(_) | Failure::NoAnswer => None,
        }
    }

    /// How the message names the failure.
    pub fn describe(&self) -> String {
        match self {
            Failure::Error(e) | Failure::ErrorPage(e) => e.clone(),
            Failure::Status(s) => format!("HTTP {s}"),
            Failure::NoAnswer => "无法访问".to_string(),
        }
    }
}

/// The policy: why the link is broken, judged from the facts the crawl
/// recorded, or `None` when it opens or was not checked. Only the final
/// answer counts (a HEAD refused where the GET succeeds is no failure). A
/// 2xx page that merely reads like an error page (`soft_404`) is not judged
/// broken: a title saying 404 is a guess a clerk cannot always confirm.
pub fn failure(link: &LinkCheck) -> Option<Failure> {
    // Skipped (robots.txt) or blocked by a firewall's challenge: not known broken.
    if link.skipped.is_some() || link.blocked {
        return None;
    }
    if let Some(e) = &link.error {
        return Some(Failure::Error(e.clone()));
    }
    match link.status {
        None => Some(Failure::NoAnswer),
        Some(s) if s >= 400 => Some(Failure::Status(s)),
        Some(s) if (200..300).contains(&s) => {
            let requested = Url::parse(&link.url).ok()?;
            let landed = Url::parse(link.final_url.as_deref()?).ok()?;
            crate::extract::redirect_to_error_page(&requested, &landed).map(Failure::ErrorPage)
        }
        Some(_) => None,
    }
}

/// How many of the site's links are broken.
pub fn count_broken(site: &Site) -> u64 {
    site.links.iter().filter(|l| failure(l).is_some()).count() as u64
}

/// The rule.
pub struct BrokenLink;

/// Settings from `rules/broken-link.toml`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Settings {
    /// Report targets outside the site.
    pub include_external: bool,
    /// Report attachments (pdf, doc …).
    pub include_attachments: bool,
    /// Referring pages listed in the evidence.
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
    /// The homepage holds the link (it deducts more).
    pub on_homepage: bool,
    /// On the site's own host.
    pub internal: bool,
    /// A pdf/doc/xls/… attachment.
    pub attachment: bool,
    /// Attempts the check made.
    pub attempts: u32,
    /// The first pages that hold the link (`max_referrers`).
    pub referrers: Vec<String>,
    /// The link opened only past an HTTPS certificate a browser refuses
    /// (a warn, not a broken link): what is wrong with the certificate.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub certificate: Option<String>,
}

impl Evidence for BrokenLinkEvidence {
    fn summary_zh(&self) -> String {
        let mut parts = Vec::new();
        if let Some(c) = &self.certificate {
            parts.push(format!(
                "HTTPS证书{}",
                super::site_unreachable::certificate_zh(c)
            ));
        }
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
            let failure = failure(link);
            // Read only past a certificate a browser refuses: it opens for
            // the crawler, a visitor gets a security warning. A hint with
            // the certificate's problem, never a deduction.
            let certificate = link
                .certificate
                .as_deref()
                .filter(|_| failure.is_none() && link.skipped.is_none() && !link.blocked);
            if failure.is_none() && certificate.is_none() {
                continue;
            }
            if (!link.internal && !settings.include_external)
                || (link.attachment && !settings.include_attachments)
            {
                continue;
            }
            let url = link.referrers.first().map_or(site.url.as_str(), |u| u);
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
            let (severity, message) = match (&failure, certificate) {
                (Some(failure), _) => (
                    Self::META.severity,
                    format!(
                        "链接{anchor}（{}）无法打开（{}），{where_}，请修正或删除该链接。",
                        link.url,
                        failure.describe()
                    ),
                ),
                (None, Some(problem)) => (
                    Severity::Warn,
                    format!(
                        "链接{anchor}（{}）的HTTPS证书{}，访问者的浏览器会拦截并显示安全警告，{where_}，请联系该网站更换有效证书，或改用可正常访问的地址。",
                        link.url,
                        super::site_unreachable::certificate_zh(problem)
                    ),
                ),
                (None, None) => continue,
            };
            let mut f = Finding::new(
                Self::META.id,
                site,
                url,
                Some(&link.url),
                None,
                severity,
                message,
                &BrokenLinkEvidence {
                    status: link.status,
                    error: failure
                        .as_ref()
                        .and_then(Failure::error)
                        .map(str::to_string),
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
                        .map(|u| u.to_string())
                        .collect(),
                    certificate: certificate.map(str::to_string),
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

    fn check(url: &str, status: Option<u16>, refs: &[&str]) -> LinkCheck {
        LinkCheck {
            url: url.into(),
            status,
            attempts: 1,
            referrers: refs.iter().map(|&s| s.into()).collect(),
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
            &["http://127.0.0.1/fgj/a.html"],
        );
        timeout.error = Some("timeout".into());
        s.links = vec![
            home,
            timeout,
            check(
                "http://127.0.0.1/ok.html",
                Some(200),
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

    /// A link that opens only past a certificate a browser refuses is a
    /// hint (the visitor sees a warning), never a deduction; the same link
    /// with a good certificate is silent, and one that fails is broken
    /// whatever its certificate.
    #[test]
    fn a_link_behind_a_refused_certificate_is_a_warn() {
        let env = Env::new();
        let mut s = site();
        let mut expired = check(
            "https://127.0.0.1:8443/zt/",
            Some(200),
            &["http://127.0.0.1/fgj/", "http://127.0.0.1/fgj/a.html"],
        );
        expired.internal = false;
        expired.certificate = Some("expired".into());
        let mut fine = expired.clone();
        fine.url = "https://127.0.0.1:9443/".into();
        fine.certificate = None;
        let mut gone = expired.clone();
        gone.url = "https://127.0.0.1:7443/old.html".into();
        gone.status = Some(404);
        s.links = vec![expired, fine, gone];
        let f = BrokenLink.check(&s, &env.ctx("2026-11-26"));
        assert_eq!(f.len(), 2, "{f:#?}");
        let warn = f
            .iter()
            .find(|f| f.target.as_deref() == Some("https://127.0.0.1:8443/zt/"))
            .unwrap();
        assert_eq!(warn.severity, Severity::Warn);
        assert_eq!(warn.evidence["certificate"], "expired");
        assert_eq!(warn.evidence["pages"], 2);
        assert!(warn.message.contains("HTTPS证书已过期"), "{}", warn.message);
        let broken = f
            .iter()
            .find(|f| f.target.as_deref() == Some("https://127.0.0.1:7443/old.html"))
            .unwrap();
        assert_eq!(broken.severity, Severity::Deduct);
        assert_eq!(broken.evidence["status"], 404);
        assert!(broken.evidence.get("certificate").is_none());
        // Not broken: the crawl's count of broken links leaves it out.
        assert_eq!(count_broken(&s), 1);
    }

    #[test]
    fn skipped_and_excluded_targets_are_silent() {
        let mut env = Env::new();
        let mut s = site();
        let mut skipped = check(
            "http://127.0.0.1/private/",
            None,
            &["http://127.0.0.1/fgj/"],
        );
        skipped.skipped = Some("robots.txt".into());
        let mut external = check(
            "http://other.example/",
            Some(500),
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
    fn the_policy_judges_the_crawl_facts() {
        let at = |status: Option<u16>| check("http://a.gov.cn/zwdt/old.html", status, &[]);
        assert_eq!(failure(&at(Some(200))), None);
        assert_eq!(failure(&at(Some(404))), Some(Failure::Status(404)));
        assert_eq!(failure(&at(None)), Some(Failure::NoAnswer));
        // HEAD refused, GET answered: only the final answer counts.
        let head_refused = LinkCheck {
            head_status: Some(405),
            ..at(Some(200))
        };
        assert_eq!(failure(&head_refused), None);
        // 302 → /404.html (200) is dead; a move to a real page is not.
        let to_error_page = LinkCheck {
            final_url: Some("http://a.gov.cn/404.html".into()),
            redirects: 1,
            ..at(Some(200))
        };
        assert_eq!(
            failure(&to_error_page),
            Some(Failure::ErrorPage(
                "redirect to error page /404.html".into()
            ))
        );
        let moved = LinkCheck {
            final_url: Some("http://a.gov.cn/zwdt/new.html".into()),
            redirects: 1,
            ..at(Some(200))
        };
        assert_eq!(failure(&moved), None);
        // A snapshot from before the facts: the judgement is in `error`.
        let old = LinkCheck {
            error: Some("redirect to error page /404.html".into()),
            ..at(Some(200))
        };
        assert_eq!(
            failure(&old).and_then(|f| f.error().map(str::to_string)),
            Some("redirect to error page /404.html".into())
        );
        // Not checked: never broken.
        let skipped = LinkCheck {
            skipped: Some("robots.txt".into()),
            ..at(None)
        };
        assert_eq!(failure(&skipped), None);
    }

    #[test]
    fn referrers_are_capped_but_counted() {
        let env = Env::new();
        let mut s = site();
        let refs: Vec<String> = (0..9)
            .map(|i| format!("http://127.0.0.1/fgj/{i}.html"))
            .collect();
        let refs: Vec<&str> = refs.iter().map(String::as_str).collect();
        s.links = vec![check("http://127.0.0.1/gone", Some(410), &refs)];
        let f = BrokenLink.check(&s, &env.ctx("2026-11-26"));
        assert_eq!(f[0].evidence["pages"], 9);
        assert_eq!(f[0].evidence["referrers"].as_array().unwrap().len(), 5);
    }
}
