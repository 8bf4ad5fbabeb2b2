//! site-unreachable judged by availability probes (src/probe.rs), the
//! inspection's own way: failed probes as a share of all probes in the 7
//! days before as_of. The audit puts the statistics into `Site.probes`
//! before the rules run, so this stays pure.

use serde_json::json;

use crate::rules::{Finding, Severity};
use crate::site::Site;

/// Probes in the window needed to judge by them (the inspection probes
/// 20+ times a day; a few probes say little).
pub const MIN_PROBES: u32 = 20;

/// Failed probes at or above this percentage of all probes: veto.
pub const VETO_PERCENT: u32 = 5;

/// With enough probes in the window, the rule's findings by the 2019 text;
/// `None` when there are too few (or none) to judge by.
pub(super) fn judge(rule: &str, site: &Site) -> Option<Vec<Finding>> {
    let p = site.probes.as_ref().filter(|p| p.probes >= MIN_PROBES)?;
    Some(by_probes(rule, site, p))
}

/// Say in a single-run finding's evidence that probes exist but were too
/// few to judge by (nothing when the database has none for the site).
pub(super) fn note_too_few(found: &mut [Finding], site: &Site) {
    let Some(p) = &site.probes else { return };
    for f in found {
        f.evidence["probes"] = json!(p.probes);
        f.evidence["failed"] = json!(p.failed);
        f.evidence["window_days"] = json!(p.window_days);
        f.evidence["note"] = json!(format!(
            "监测期内可用性探测仅{}次（少于{MIN_PROBES}次），按本次检查结果判断",
            p.probes
        ));
    }
}

/// The 2019 rule over the probes of the window.
fn by_probes(rule: &str, site: &Site, p: &crate::probe::ProbeStats) -> Vec<Finding> {
    if p.failed == 0 && site.start.ok {
        return Vec::new();
    }
    // Integer comparison: 5 of 100 is exactly 5%.
    let veto = u64::from(p.failed) * 100 >= u64::from(p.probes) * u64::from(VETO_PERCENT);
    let ratio = f64::from(p.failed) / f64::from(p.probes);
    let percent = format!("{:.1}%", ratio * 100.0);
    let today = (!site.start.ok).then(|| {
        site.start.error.clone().unwrap_or_else(|| {
            site.start
                .status
                .map_or("unknown error".into(), |s| format!("HTTP {s}"))
        })
    });
    let error = today
        .clone()
        .or_else(|| p.last_error.clone())
        .unwrap_or_default();
    let message = if veto {
        format!(
                "{}至{}共探测站点首页{}次，{}次无法访问（{percent}），达到5%，请立即排查服务器、网络和域名解析，确保网站稳定可用。",
                p.from, p.to, p.probes, p.failed
            )
    } else {
        format!(
                "{}至{}共探测站点首页{}次，{}次无法访问（{percent}），未达5%{}，请排查原因，防止影响网站可用性。",
                p.from,
                p.to,
                p.probes,
                p.failed,
                if today.is_some() { "，本次检查时首页无法访问" } else { "" }
            )
    };
    vec![Finding::new(
        rule,
        site,
        &site.url,
        None,
        None,
        if veto { Severity::Veto } else { Severity::Warn },
        message,
        &json!({
            "error": error,
            "attempts": site.start.attempts,
            "probes": p.probes,
            "failed": p.failed,
            "ratio": (ratio * 10000.0).round() / 10000.0,
            "window_days": p.window_days,
            "from": p.from,
            "to": p.to,
            "first_failure": p.first_failure,
            "last_failure": p.last_failure,
            "start_ok": site.start.ok,
        }),
    )]
}

#[cfg(test)]
mod tests {
    use super::super::SiteUnreachable;
    use super::*;
    use crate::rules::testutil::*;
    use crate::rules::Rule;

    fn probes(n: u32, failed: u32) -> crate::probe::ProbeStats {
        crate::probe::ProbeStats {
            probes: n,
            failed,
            window_days: 7,
            from: chrono::NaiveDate::from_ymd_opt(2026, 11, 19).unwrap(),
            to: chrono::NaiveDate::from_ymd_opt(2026, 11, 25).unwrap(),
            first_failure: (failed > 0).then(|| "2026-11-20T03:00:00+08:00".into()),
            last_failure: (failed > 0).then(|| "2026-11-24T03:00:00+08:00".into()),
            last_error: (failed > 0).then(|| "timeout".into()),
        }
    }

    #[test]
    fn probes_veto_at_five_percent_warn_below_silent_without_failures() {
        let env = Env::new();
        let ctx = env.ctx("2026-11-26");
        let mut s = site();
        s.probes = Some(probes(100, 5));
        let f = SiteUnreachable.check(&s, &ctx);
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].severity, Severity::Veto);
        assert_eq!(f[0].evidence["ratio"], 0.05);
        assert_eq!(f[0].evidence["probes"], 100);
        assert_eq!(f[0].evidence["failed"], 5);
        assert_eq!(f[0].evidence["window_days"], 7);
        assert_eq!(f[0].evidence["first_failure"], "2026-11-20T03:00:00+08:00");
        assert_eq!(f[0].evidence["last_failure"], "2026-11-24T03:00:00+08:00");
        assert_eq!(f[0].evidence["error"], "timeout");
        // 4%: reported, no veto — even though this run's start was fine.
        s.probes = Some(probes(100, 4));
        let f = SiteUnreachable.check(&s, &ctx);
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].severity, Severity::Warn);
        assert!(f[0].message.contains("未达5%"), "{}", f[0].message);
        // No failed probe and a good start: nothing.
        s.probes = Some(probes(100, 0));
        assert!(SiteUnreachable.check(&s, &ctx).is_empty());
        // A failed start in this run with clean probes: a warning, not a veto.
        s.start.ok = false;
        s.start.error = Some("HTTP 503".into());
        let f = SiteUnreachable.check(&s, &ctx);
        assert_eq!(f[0].severity, Severity::Warn);
        assert_eq!(f[0].evidence["error"], "HTTP 503");
    }

    #[test]
    fn too_few_probes_fall_back_to_this_run_and_say_so() {
        let env = Env::new();
        let ctx = env.ctx("2026-11-26");
        let mut s = site();
        s.probes = Some(probes(19, 19));
        assert!(SiteUnreachable.check(&s, &ctx).is_empty(), "start was fine");
        s.start.ok = false;
        s.start.error = Some("timeout".into());
        s.start.attempts = 3;
        let f = SiteUnreachable.check(&s, &ctx);
        assert_eq!(f[0].severity, Severity::Veto);
        assert_eq!(f[0].evidence["attempts"], 3);
        assert_eq!(f[0].evidence["probes"], 19);
        assert!(f[0].evidence["note"].as_str().unwrap().contains("少于20次"));
        // No probes at all: the evidence is as before (no note).
        s.probes = None;
        let f = SiteUnreachable.check(&s, &ctx);
        assert!(f[0].evidence.get("note").is_none());
    }
}
