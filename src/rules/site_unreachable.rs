//! # site-unreachable — 站点无法访问
//!
//! ## What it checks
//! With availability probes (`govaudit probe`, at least 20 in the 7 days
//! before as_of, in `Site.probes`): the 2019 text — a veto when failed
//! probes are 5% or more of them, else the failures (and a failed start in
//! this run) as a warning without veto; evidence `probes`, `failed`,
//! `ratio`, `window_days`, first and last failure (see `probes.rs`).
//! Without enough probes: the site's start page could not be fetched in
//! this run after the crawler's retries (timeout, connection refused, DNS,
//! TLS, HTTP 4xx/5xx), read from `Site.start`; when some probes exist the
//! evidence says they were too few to judge by.
//!
//! ## Why it matters
//! 单项否决「站点无法访问」(国办秘函〔2019〕19号): the inspection probes the
//! homepage repeatedly with a 15 s timeout; a site that cannot be opened fails
//! the inspection outright. One failed start in a nightly run is the signal a
//! department must act on before the next probe.
//!
//! A start page answered by a firewall's JavaScript challenge
//! (`Site.start.blocked`) is a warn with `"blocked": true`: the site is
//! likely up for browsers, and a veto needs certainty.
//!
//! A start page whose HTTPS certificate a browser refuses (self-signed or
//! untrusted issuer, expired, not yet valid, issued for another host;
//! `Site.start.certificate`) is read anyway, and the site audited: the
//! pages are there, and a visitor who clicks through the browser's warning
//! sees them. The certificate itself is a warn here, with `"certificate"`
//! in the evidence: the public meets a "不安全" interstitial instead of the
//! site, which the department must fix, but whether an inspector's probe
//! counts it as unreachable depends on its client, so it is never a veto.
//!
//! ## Example
//! `http://example.gov.cn/fgj/` answers 503 on all 3 attempts ⇒ one finding at
//! the start URL with evidence `{ "error": "HTTP 503", "attempts": 3 }`.
//!
//! ## Settings
//! None (`rules/site-unreachable.toml` must be empty if present). Whether this
//! is a veto is set in the profile (`[indicators.site-unreachable] veto`).

use serde::{Deserialize, Serialize};

use super::{Context, Evidence, Finding, Group, Indicator, Meta, RuleDef, Severity};
use crate::site::Site;

mod probes;

/// The rule.
pub struct SiteUnreachable;

/// No settings; the struct exists so a stray key is an error.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Settings {}

/// report.json `evidence` of a finding.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct SiteUnreachableEvidence {
    /// What failed (error text, or `HTTP <status>`).
    pub error: String,
    /// Fetches tried.
    pub attempts: u32,
    /// HTTP status of the last answer, if one came.
    pub status: Option<u16>,
    /// URL of the last answer, after redirects.
    pub final_url: Option<String>,
    /// Availability probes in the window (src/probe.rs, probes.rs): set
    /// when the finding is judged by them, or (with `note`) when they were
    /// too few to judge by.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub probes: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    /// Failed probes in the window, when probes were judged.
    pub failed: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    /// Failed share of the probes in the window.
    pub ratio: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    /// Length of the probe window in days.
    pub window_days: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    /// Time of the first failed probe in the window.
    pub first_failure: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    /// Time of the last failed probe in the window.
    pub last_failure: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    /// Why the single-run rule was used (too few probes).
    pub note: Option<String>,
    /// The answer was a firewall's JavaScript challenge: the site may well
    /// open in a browser, so the finding is a warn, never a veto.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub blocked: bool,
    /// What is wrong with the start page's HTTPS certificate, when a
    /// browser would refuse it ("self-signed or untrusted issuer",
    /// "expired", "not yet valid", "issued for another host", "invalid").
    #[serde(skip_serializing_if = "Option::is_none")]
    pub certificate: Option<String>,
}

/// A certificate problem (`StartOutcome.certificate`) in Chinese.
pub(crate) fn certificate_zh(problem: &str) -> &'static str {
    match problem {
        "self-signed or untrusted issuer" => "为自签名证书或签发机构不受信任",
        "expired" => "已过期",
        "not yet valid" => "尚未生效",
        "issued for another host" => "与网站域名不符",
        _ => "无效",
    }
}

impl Evidence for SiteUnreachableEvidence {
    fn summary_zh(&self) -> String {
        match (self.probes, self.failed, self.ratio) {
            (Some(n), Some(k), Some(r)) => format!(
                "{}日内探测{n}次，失败{k}次（{:.1}%）；最近错误：{}",
                self.window_days.unwrap_or(0),
                r * 100.0,
                self.error
            ),
            _ => match &self.certificate {
                Some(c) if self.error.is_empty() => {
                    format!("HTTPS证书{}", certificate_zh(c))
                }
                _ => format!("错误：{}；尝试{}次", self.error, self.attempts),
            },
        }
    }
}

impl RuleDef for SiteUnreachable {
    const META: Meta = Meta {
        id: "site-unreachable",
        name_zh: "站点无法访问",
        advice_zh: "立即排查服务器、网络和域名解析，恢复网站访问，并建立可用性监测。",
        severity: Severity::Veto,
        group: Group::Function,
        source: include_str!("site_unreachable.rs"),
    };
    type Settings = Settings;
    type Evidence = SiteUnreachableEvidence;

    fn default_indicator() -> Indicator {
        Indicator {
            veto: true,
            ..Indicator::points(0.0)
        }
    }

    fn run(&self, site: &Site, _ctx: &Context, _settings: &Settings) -> Vec<Finding> {
        // Availability probes judge when there are enough (probes.rs).
        if let Some(mut found) = probes::judge(Self::META.id, site) {
            found.extend(certificate_warning(site));
            return found;
        }
        if site.start.ok {
            return certificate_warning(site).into_iter().collect();
        }
        let error = site
            .start
            .error
            .clone()
            .unwrap_or_else(|| match site.start.status {
                Some(s) => format!("HTTP {s}"),
                None => "unknown error".to_string(),
            });
        let evidence = SiteUnreachableEvidence {
            error: error.clone(),
            attempts: site.start.attempts,
            status: site.start.status,
            final_url: site.start.final_url.clone(),
            blocked: site.start.blocked,
            certificate: site.start.certificate.clone(),
            ..Default::default()
        };
        if site.start.blocked {
            let message = format!(
                "站点首页（{}）返回防火墙的JavaScript验证页面（HTTP {}），自动检查无法进入，请人工核实能否正常打开，并将检查程序加入访问白名单。",
                site.url,
                site.start.status.unwrap_or(0)
            );
            return vec![Finding::new(
                Self::META.id,
                site,
                &site.url,
                None,
                None,
                Severity::Warn,
                message,
                &evidence,
            )];
        }
        let message = format!(
            "站点首页（{}）无法访问（{}，共尝试{}次），请立即检查服务器、网络和域名解析，确保网站可正常打开。",
            site.url, error, site.start.attempts
        );
        let mut found = vec![Finding::new(
            Self::META.id,
            site,
            &site.url,
            None,
            None,
            Self::META.severity,
            message,
            &evidence,
        )];
        probes::note_too_few(&mut found, site);
        found
    }
}

/// The warn for a start page read past a certificate a browser refuses.
fn certificate_warning(site: &Site) -> Option<Finding> {
    let problem = site
        .start
        .certificate
        .as_deref()
        .filter(|_| site.start.ok)?;
    let evidence = SiteUnreachableEvidence {
        attempts: site.start.attempts,
        status: site.start.status,
        final_url: site.start.final_url.clone(),
        certificate: Some(problem.to_string()),
        ..Default::default()
    };
    let message = format!(
        "站点首页（{}）的HTTPS证书{}，浏览器会提示“不安全”并拦截访问。本次检查忽略证书继续检查了网站内容，请尽快更换由受信任机构签发、与域名相符且在有效期内的证书。",
        site.url,
        certificate_zh(problem)
    );
    Some(Finding::new(
        SiteUnreachable::META.id,
        site,
        &site.url,
        None,
        None,
        Severity::Warn,
        message,
        &evidence,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::testutil::*;
    use crate::site::StartOutcome;

    #[test]
    fn fires_when_start_failed_with_error_and_attempts() {
        let env = Env::new();
        let mut s = site();
        s.start = StartOutcome {
            ok: false,
            status: Some(503),
            error: Some("HTTP 503".into()),
            attempts: 3,
            final_url: None,
            blocked: false,
            certificate: None,
        };
        let f = SiteUnreachable.check(&s, &env.ctx("2026-11-26"));
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].url, s.url);
        assert_eq!(f[0].severity, Severity::Veto);
        assert_eq!(f[0].evidence["attempts"], 3);
        assert_eq!(f[0].evidence["error"], "HTTP 503");
        assert!(f[0].message.contains("无法访问"));
    }

    #[test]
    fn silent_when_start_ok_even_after_retries() {
        let env = Env::new();
        let mut s = site();
        s.start.attempts = 3; // succeeded on the third try
        assert!(SiteUnreachable.check(&s, &env.ctx("2026-11-26")).is_empty());
    }

    #[test]
    fn a_certificate_read_past_is_a_warn_and_a_good_one_silent() {
        let env = Env::new();
        let mut s = site();
        s.start.certificate = Some("expired".into());
        let f = SiteUnreachable.check(&s, &env.ctx("2026-11-26"));
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].severity, Severity::Warn);
        assert_eq!(f[0].evidence["certificate"], "expired");
        assert!(f[0].message.contains("HTTPS证书已过期"), "{}", f[0].message);
        s.start.certificate = None;
        assert!(SiteUnreachable.check(&s, &env.ctx("2026-11-26")).is_empty());
        // A start that failed behind a bad certificate stays the veto, the
        // certificate named in its evidence.
        s.start = StartOutcome {
            ok: false,
            status: Some(503),
            attempts: 1,
            certificate: Some("issued for another host".into()),
            ..Default::default()
        };
        let f = SiteUnreachable.check(&s, &env.ctx("2026-11-26"));
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].severity, Severity::Veto);
        assert_eq!(f[0].evidence["certificate"], "issued for another host");
    }

    #[test]
    fn missing_error_text_falls_back_to_status() {
        let env = Env::new();
        let mut s = site();
        s.start = StartOutcome {
            ok: false,
            status: Some(404),
            attempts: 1,
            ..Default::default()
        };
        let f = SiteUnreachable.check(&s, &env.ctx("2026-11-26"));
        assert_eq!(f[0].evidence["error"], "HTTP 404");
    }
}
