//! # domain-nonconforming — 域名名称
//!
//! ## What it checks
//! The site's domain ends in `.gov.cn` (国办发〔2017〕47号: other suffixes are
//! not allowed), and, when a parent domain is configured, a department
//! site's domain sits under its government's (`fgj.xx.gov.cn` under
//! `xx.gov.cn`). The domain is the start URL's host; a site crawled by IP
//! address or on loopback (a mirror, the fixtures, the demo) is judged by
//! the domain its homepage declares in `<meta name="SiteDomain">`, and not
//! at all when it declares none.
//!
//! ## Why it matters
//! 2019 功能设计 → 域名名称.
//!
//! ## Example
//! `http://www.yxjy.com/` ⇒ one finding at the start URL, evidence
//! `{ "host": "www.yxjy.com", "expected": ".gov.cn" }`.
//!
//! ## Settings
//! `rules/domain-nonconforming.toml`:
//! - `parent_domain` (default none): the government's domain every site's
//!   domain must sit under (e.g. `yunxi.gov.cn`).
//! - `allow_hosts` (default `[]`): hosts never reported (a site kept on
//!   another domain by decision).

use serde::{Deserialize, Serialize};

use super::{Context, Evidence, Finding, Group, Indicator, Meta, RuleDef, Severity};
use crate::site::Site;

/// The rule.
pub struct DomainNonconforming;

/// Settings from `rules/domain-nonconforming.toml`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Settings {
    /// The government's domain every site must sit under.
    pub parent_domain: Option<String>,
    /// Hosts never reported.
    pub allow_hosts: Vec<String>,
}

/// report.json `evidence` of a finding.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct DomainEvidence {
    /// The domain judged.
    pub host: String,
    /// What it should end in (`.gov.cn`, or `.<parent domain>`).
    pub expected: String,
    /// Where the domain was read: "url", or "SiteDomain" (the homepage's meta tag).
    pub source: String,
}

impl Evidence for DomainEvidence {
    fn summary_zh(&self) -> String {
        let from = if self.source == "url" {
            "网址"
        } else {
            "页面SiteDomain标签"
        };
        format!("域名：{}（{}）；应为：*{}", self.host, from, self.expected)
    }
}

/// An IP address or a loopback name: not a domain to judge.
fn is_address(host: &str) -> bool {
    let h = host.trim_start_matches('[').trim_end_matches(']');
    h.parse::<std::net::IpAddr>().is_ok() || h == "localhost" || h.ends_with(".localhost")
}

impl RuleDef for DomainNonconforming {
    const META: Meta = Meta {
        id: "domain-nonconforming",
        name_zh: "域名名称",
        advice_zh: "按《政府网站发展指引》使用以.gov.cn结尾的域名，部门网站使用本级政府门户网站的下级域名。",
        severity: Severity::Deduct,
        group: Group::Function,
        source: include_str!("domain_nonconforming.rs"),
    };
    type Settings = Settings;
    type Evidence = DomainEvidence;

    fn default_indicator() -> Indicator {
        Indicator::points(1.0)
    }

    fn run(&self, site: &Site, _ctx: &Context, settings: &Settings) -> Vec<Finding> {
        let Some(url_host) = url::Url::parse(&site.url)
            .ok()
            .and_then(|u| u.host_str().map(str::to_ascii_lowercase))
        else {
            return vec![];
        };
        let (host, source) = if is_address(&url_host) {
            let declared = super::homepage(site).and_then(|p| p.facts.site_domain.clone());
            match declared {
                // `www.x.gov.cn/fgj` or `http://…` in the tag: the host part.
                Some(d) => {
                    let d = d
                        .trim_start_matches("http://")
                        .trim_start_matches("https://");
                    let d = d.split(['/', ':']).next().unwrap_or("").to_string();
                    (d, "SiteDomain")
                }
                None => return vec![],
            }
        } else {
            (url_host, "url")
        };
        if host.is_empty()
            || settings
                .allow_hosts
                .iter()
                .any(|h| h.eq_ignore_ascii_case(&host))
        {
            return vec![];
        }
        let under = |suffix: &str| host == suffix || host.ends_with(&format!(".{suffix}"));
        let expected = if !host.ends_with(".gov.cn") {
            ".gov.cn".to_string()
        } else if let Some(p) = settings
            .parent_domain
            .as_deref()
            .map(|p| p.trim().trim_start_matches('.').to_ascii_lowercase())
            .filter(|p| !under(p))
        {
            format!(".{p}")
        } else {
            return vec![];
        };
        let message = format!("网站域名“{host}”不符合规范，应使用以“{expected}”结尾的域名。");
        vec![super::site_finding(
            &Self::META,
            site,
            Self::META.severity,
            message,
            &DomainEvidence {
                host,
                expected,
                source: source.into(),
            },
        )]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::testutil::*;
    use crate::site::{Page, PageKind};

    fn at(url: &str, declared: Option<&str>) -> Site {
        let mut s = site();
        s.url = url.into();
        let mut home = Page {
            url: url.into(),
            kind: PageKind::Home,
            ..Default::default()
        };
        home.facts.site_domain = declared.map(str::to_string);
        s.pages = vec![home];
        s
    }

    fn hosts(env: &Env, s: &Site) -> Vec<(String, String)> {
        DomainNonconforming
            .check(s, &env.ctx("2026-11-26"))
            .iter()
            .map(|f| {
                (
                    f.evidence["host"].as_str().unwrap().to_string(),
                    f.evidence["expected"].as_str().unwrap().to_string(),
                )
            })
            .collect()
    }

    #[test]
    fn non_gov_cn_hosts_fire() {
        let env = Env::new();
        assert_eq!(
            hosts(&env, &at("http://www.yxjy.com/", None)),
            [("www.yxjy.com".to_string(), ".gov.cn".to_string())]
        );
        assert!(hosts(&env, &at("http://fgj.yx.gov.cn/", None)).is_empty());
        // gov.cn must be the suffix, not a substring.
        assert_eq!(
            hosts(&env, &at("http://gov.cn.example.com/", None)).len(),
            1
        );
    }

    #[test]
    fn loopback_is_judged_by_declared_domain_only() {
        let env = Env::new();
        assert!(hosts(&env, &at("http://127.0.0.1:8080/fgj/", None)).is_empty());
        assert!(hosts(&env, &at("http://localhost/fgj/", Some("fgj.yx.gov.cn"))).is_empty());
        assert_eq!(
            hosts(
                &env,
                &at(
                    "http://127.0.0.1/fgj/",
                    Some("http://www.yxfgj.cn/index.html")
                )
            ),
            [("www.yxfgj.cn".to_string(), ".gov.cn".to_string())]
        );
    }

    #[test]
    fn parent_domain_and_allow_list() {
        let mut env = Env::new();
        env.settings.set(
            DomainNonconforming::META.id,
            Settings {
                parent_domain: Some("yx.gov.cn".into()),
                allow_hosts: vec!["old.example.com".into()],
            },
        );
        assert!(hosts(&env, &at("http://fgj.yx.gov.cn/", None)).is_empty());
        assert!(hosts(&env, &at("http://yx.gov.cn/", None)).is_empty());
        assert_eq!(
            hosts(&env, &at("http://www.yxfgj.gov.cn/", None)),
            [("www.yxfgj.gov.cn".to_string(), ".yx.gov.cn".to_string())]
        );
        assert!(hosts(&env, &at("http://old.example.com/", None)).is_empty());
    }
}
