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
//! ## Example
//! `http://example.gov.cn/fgj/` answers 503 on all 3 attempts ⇒ one finding at
//! the start URL with evidence `{ "error": "HTTP 503", "attempts": 3 }`.
//!
//! ## Settings
//! None (`rules/site-unreachable.toml` must be empty if present). Whether this
//! is a veto is set in the profile (`[vetoes] site-unreachable`).

use serde::{Deserialize, Serialize};
use serde_json::json;

use super::{Context, Finding, Rule, Severity};
use crate::site::Site;

mod probes;

/// The rule.
pub struct SiteUnreachable;

/// No settings; the struct exists so a stray key is an error.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Settings {}

impl Rule for SiteUnreachable {
    fn id(&self) -> &'static str {
        "site-unreachable"
    }
    fn name_zh(&self) -> &'static str {
        "站点无法访问"
    }
    fn doc(&self) -> String {
        super::module_doc(include_str!("site_unreachable.rs"))
    }
    fn check(&self, site: &Site, _ctx: &Context) -> Vec<Finding> {
        // Availability probes judge when there are enough (probes.rs).
        if let Some(found) = probes::judge(self.id(), site) {
            return found;
        }
        if site.start.ok {
            return Vec::new();
        }
        let error = site
            .start
            .error
            .clone()
            .unwrap_or_else(|| match site.start.status {
                Some(s) => format!("HTTP {s}"),
                None => "unknown error".to_string(),
            });
        let message = format!(
            "站点首页（{}）无法访问（{}，共尝试{}次），请立即检查服务器、网络和域名解析，确保网站可正常打开。",
            site.url, error, site.start.attempts
        );
        let mut found = vec![Finding::new(
            self.id(),
            site,
            &site.url,
            None,
            None,
            Severity::Veto,
            message,
            json!({
                "error": error,
                "attempts": site.start.attempts,
                "status": site.start.status,
                "final_url": site.start.final_url,
            }),
        )];
        probes::note_too_few(&mut found, site);
        found
    }
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
