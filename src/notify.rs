//! Push the audit's outcome to the district's group chats (`[notify]` in
//! SITES.toml): DingTalk (钉钉) and WeCom (企业微信) group robots by webhook
//! URL, DingTalk's signed mode supported (timestamp + HMAC-SHA256 of
//! "timestamp\nsecret", base64, URL-encoded). After an audit, one Markdown
//! message per robot: the district summary (sites failing, vetoes, new and
//! fixed since the last run) and, per department with new findings, its
//! count and the link to its worklist (`report_base_url`). A failed push is
//! a warning on stderr, never a changed exit code or a lost report.
//!
//! ```toml
//! [notify]
//! report_base_url = "https://audit.example.gov.cn/reports/{as_of}/"
//! [[notify.robots]]
//! kind = "dingtalk"                      # or "wecom"
//! webhook = "https://oapi.dingtalk.com/robot/send?access_token=…"
//! secret = "SEC…"                        # DingTalk signed mode (optional)
//! ```

use std::fmt::Write;
use std::ops::Range;
use std::time::Duration;

use serde::Deserialize;
use toml::Spanned;

use crate::config::ConfigError;
use crate::history::FindingStatus;
use crate::report::Report;

/// Group-robot platforms.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RobotKind {
    /// 钉钉 group robot.
    DingTalk,
    /// 企业微信 group robot.
    WeCom,
}

/// One robot.
#[derive(Debug, Clone, PartialEq)]
pub struct Robot {
    /// Which platform.
    pub kind: RobotKind,
    /// The robot's webhook URL.
    pub webhook: url::Url,
    /// DingTalk signing secret (加签).
    pub secret: Option<String>,
}

/// `[notify]`, validated.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct NotifyConfig {
    /// Where the report folder is published; `{as_of}` is replaced by the
    /// run's date. Worklist links are `<base>/worklists/<site-id>.html`.
    pub report_base_url: Option<String>,
    /// Every robot to push to.
    pub robots: Vec<Robot>,
}

/// `[notify]` as written.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawNotify {
    #[serde(default)]
    report_base_url: Option<Spanned<String>>,
    #[serde(default)]
    robots: Vec<RawRobot>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRobot {
    kind: Spanned<String>,
    webhook: Spanned<String>,
    #[serde(default)]
    secret: Option<String>,
}

type ErrAt<'a> = &'a dyn Fn(Range<usize>, String, String) -> ConfigError;

impl NotifyConfig {
    /// Validate `[notify]`; errors name the line and field.
    pub(crate) fn from_raw(raw: RawNotify, err: ErrAt) -> Result<NotifyConfig, ConfigError> {
        let http = |s: &Spanned<String>, field: String| -> Result<url::Url, ConfigError> {
            url::Url::parse(s.get_ref().trim().replace("{as_of}", "2000-01-01").as_str())
                .ok()
                .filter(|u| matches!(u.scheme(), "http" | "https"))
                .ok_or_else(|| {
                    err(
                        s.span(),
                        field,
                        format!("{:?} is not an http:// or https:// URL", s.get_ref()),
                    )
                })
        };
        if let Some(base) = &raw.report_base_url {
            http(base, "notify.report_base_url".into())?;
        }
        let mut robots = Vec::new();
        for (i, r) in raw.robots.into_iter().enumerate() {
            let kind = match r.kind.get_ref().as_str() {
                "dingtalk" => RobotKind::DingTalk,
                "wecom" => RobotKind::WeCom,
                other => {
                    return Err(err(
                        r.kind.span(),
                        format!("notify.robots[{i}].kind"),
                        format!("unknown robot kind {other:?} (expected dingtalk or wecom)"),
                    ))
                }
            };
            let webhook = http(&r.webhook, format!("notify.robots[{i}].webhook"))?;
            if r.secret.is_some() && kind == RobotKind::WeCom {
                return Err(err(
                    r.kind.span(),
                    format!("notify.robots[{i}].secret"),
                    "only DingTalk robots are signed with a secret".into(),
                ));
            }
            robots.push(Robot {
                kind,
                webhook,
                secret: r.secret,
            });
        }
        Ok(NotifyConfig {
            report_base_url: raw.report_base_url.map(Spanned::into_inner),
            robots,
        })
    }
}

/// DingTalk's signature of `timestamp_ms` with `secret`: base64 of
/// HMAC-SHA256(key = secret, "timestamp\nsecret"), URL-encoded.
pub fn dingtalk_sign(timestamp_ms: i64, secret: &str) -> String {
    use base64::Engine;
    use hmac::{Hmac, Mac};
    let mut mac =
        Hmac::<sha2::Sha256>::new_from_slice(secret.as_bytes()).expect("HMAC takes any key");
    mac.update(format!("{timestamp_ms}\n{secret}").as_bytes());
    let b64 = base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes());
    url::form_urlencoded::byte_serialize(b64.as_bytes()).collect()
}

/// The webhook URL to post to (signed for DingTalk robots with a secret).
pub fn signed_url(robot: &Robot, timestamp_ms: i64) -> String {
    match (&robot.secret, robot.kind) {
        (Some(secret), RobotKind::DingTalk) => {
            let sep = if robot.webhook.query().is_some() {
                '&'
            } else {
                '?'
            };
            format!(
                "{}{sep}timestamp={timestamp_ms}&sign={}",
                robot.webhook,
                dingtalk_sign(timestamp_ms, secret)
            )
        }
        _ => robot.webhook.to_string(),
    }
}

/// The Markdown message: district summary, change since the last run, and
/// each department with new findings (with the link to its worklist).
pub fn message(report: &Report, base_url: Option<&str>) -> (String, String) {
    let title = format!("{}（{}）", report.heading(), report.as_of);
    let mut o = format!("### {title}\n\n");
    let vetoed = report.sites.iter().filter(|s| !s.vetoes.is_empty()).count();
    let _ = writeln!(
        o,
        "- 检查站点 {} 个，合格 {} 个，**不合格 {} 个**（单项否决 {} 个）；问题 {} 条",
        report.sites.len(),
        report.sites.len() - report.failing(),
        report.failing(),
        vetoed,
        report.findings.len()
    );
    let new_of = |site: &str| {
        report
            .findings_of(site)
            .filter(|f| f.status.is_none_or_new())
            .count()
    };
    if let Some(prev) = &report.previous {
        let new = report
            .findings
            .iter()
            .filter(|f| f.status == Some(FindingStatus::New))
            .count();
        let fixed = report.resolved.as_ref().map_or(0, Vec::len);
        match prev {
            Some(p) => {
                let _ = writeln!(
                    o,
                    "- 与上次（{}）相比：新增 {new} 条，已整改 {fixed} 条",
                    p.as_of
                );
            }
            None => {
                let _ = writeln!(o, "- 首次记录：{new} 条问题均为新增");
            }
        }
    }
    let failing: Vec<String> = report
        .sites
        .iter()
        .filter(|s| s.verdict == crate::score::Verdict::Fail)
        .map(|s| {
            let vetoes: Vec<&str> = s
                .vetoes
                .iter()
                .map(|v| crate::report::rule_name_zh(v))
                .collect();
            if vetoes.is_empty() {
                format!("{}（{} 分）", s.name, crate::report::fmt_points(s.score))
            } else {
                format!("{}（单项否决：{}）", s.name, vetoes.join("、"))
            }
        })
        .collect();
    if !failing.is_empty() {
        let _ = writeln!(o, "- 不合格站点：{}", failing.join("；"));
    }
    let depts: Vec<_> = report
        .sites
        .iter()
        .map(|s| (s, new_of(&s.id)))
        .filter(|(_, n)| *n > 0)
        .collect();
    if !depts.is_empty() {
        let _ = writeln!(o, "\n#### 各部门新增问题\n");
        let base = base_url.map(|b| {
            b.replace("{as_of}", &report.as_of.to_string())
                .trim_end_matches('/')
                .to_string()
        });
        for (s, n) in depts {
            match &base {
                Some(b) => {
                    let _ = writeln!(
                        o,
                        "- {}：新增 {n} 条，[整改清单]({b}/worklists/{}.html)",
                        s.name, s.id
                    );
                }
                None => {
                    let _ = writeln!(o, "- {}：新增 {n} 条", s.name);
                }
            }
        }
    }
    (title, o)
}

/// `status` helper: without history every finding counts as new.
trait NewOrUnknown {
    fn is_none_or_new(&self) -> bool;
}

impl NewOrUnknown for Option<FindingStatus> {
    fn is_none_or_new(&self) -> bool {
        !matches!(self, Some(FindingStatus::Persisting))
    }
}

/// The JSON body a robot expects for a Markdown message.
pub fn payload(kind: RobotKind, title: &str, text: &str) -> serde_json::Value {
    match kind {
        RobotKind::DingTalk => serde_json::json!({
            "msgtype": "markdown",
            "markdown": { "title": title, "text": text },
        }),
        RobotKind::WeCom => serde_json::json!({
            "msgtype": "markdown",
            "markdown": { "content": text },
        }),
    }
}

/// Post the message to every robot. Returns one warning line per failed
/// push (the binary prints them on stderr; a failed push never changes the
/// exit code). Must not be called from inside an async runtime (it runs its
/// own).
pub fn push(config: &NotifyConfig, report: &Report, user_agent: &str) -> Vec<String> {
    if config.robots.is_empty() {
        return Vec::new();
    }
    let (title, text) = message(report, config.report_base_url.as_deref());
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            return vec![format!(
                "govaudit: warning: notify: cannot start the async runtime: {e}"
            )];
        }
    };
    runtime.block_on(async {
        let client = match reqwest::Client::builder()
            .user_agent(user_agent)
            .timeout(Duration::from_secs(15))
            .build()
        {
            Ok(c) => c,
            Err(e) => {
                return vec![format!("govaudit: warning: notify: HTTP client: {e}")];
            }
        };
        let mut warnings = Vec::new();
        for robot in &config.robots {
            let url = signed_url(robot, chrono::Utc::now().timestamp_millis());
            let body = payload(robot.kind, &title, &text);
            let outcome = match client
                .post(&url)
                .header(
                    reqwest::header::CONTENT_TYPE,
                    "application/json; charset=utf-8",
                )
                .body(body.to_string())
                .send()
                .await
            {
                Err(e) => Err(e.to_string()),
                Ok(resp) if !resp.status().is_success() => Err(format!("HTTP {}", resp.status())),
                // Both platforms answer 200 with {"errcode": 0} on success.
                Ok(resp) => match resp.bytes().await.map_err(|e| e.to_string()).and_then(|b| {
                    serde_json::from_slice::<serde_json::Value>(&b).map_err(|e| e.to_string())
                }) {
                    Ok(v) if v["errcode"].as_i64().unwrap_or(0) == 0 => Ok(()),
                    Ok(v) => Err(format!("errcode {} {}", v["errcode"], v["errmsg"])),
                    Err(e) => Err(format!("unreadable answer: {e}")),
                },
            };
            if let Err(e) = outcome {
                warnings.push(format!(
                    "govaudit: warning: notify: push to {} failed: {e} (the report is written)",
                    robot.webhook.host_str().unwrap_or("?")
                ));
            }
        }
        warnings
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::testdata;

    #[test]
    fn dingtalk_signature_is_base64_hmac_then_url_encoded() {
        use base64::Engine;
        use hmac::{Hmac, Mac};
        let sign = dingtalk_sign(1_700_000_000_000, "SECabc");
        let raw: String = url::form_urlencoded::parse(format!("s={sign}").as_bytes())
            .next()
            .unwrap()
            .1
            .into_owned();
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(raw)
            .unwrap();
        let mut mac = Hmac::<sha2::Sha256>::new_from_slice(b"SECabc").unwrap();
        mac.update(b"1700000000000\nSECabc");
        mac.verify_slice(&bytes).unwrap();
        // '+', '/' and '=' of base64 never appear unescaped in the query.
        assert!(!sign.contains(['+', '/', '=']), "{sign}");
    }

    #[test]
    fn bad_notify_config_names_line_and_field() {
        let base =
            "[[sites]]\nid = \"a\"\nname = \"A\"\nurl = \"http://127.0.0.1:9/\"\n\n[notify]\n";
        let parse = |extra: &str| {
            crate::config::Config::parse(
                std::path::Path::new("SITES.toml"),
                &format!("{base}{extra}"),
            )
        };
        let e = parse("[[notify.robots]]\nkind = \"slack\"\nwebhook = \"https://x/\"\n")
            .unwrap_err()
            .to_string();
        assert!(
            e.starts_with("SITES.toml:8: notify.robots[0].kind: unknown robot kind"),
            "{e}"
        );
        let e = parse("[[notify.robots]]\nkind = \"wecom\"\nwebhook = \"ftp://x/\"\n")
            .unwrap_err()
            .to_string();
        assert!(
            e.starts_with("SITES.toml:9: notify.robots[0].webhook:"),
            "{e}"
        );
        let c = parse("report_base_url = \"https://r/{as_of}/\"\n[[notify.robots]]\nkind = \"dingtalk\"\nwebhook = \"https://oapi.dingtalk.com/robot/send?access_token=t\"\nsecret = \"S\"\n")
            .unwrap();
        assert_eq!(c.notify.robots.len(), 1);
        let url = signed_url(&c.notify.robots[0], 1);
        assert!(
            url.starts_with(
                "https://oapi.dingtalk.com/robot/send?access_token=t&timestamp=1&sign="
            ),
            "{url}"
        );
    }

    #[test]
    fn message_names_failing_sites_and_new_findings_with_worklist_links() {
        let r = testdata::report();
        let (title, text) = message(&r, Some("https://a.example/{as_of}/"));
        assert!(title.contains("2026-11-26"));
        assert!(text.contains("不合格 1 个**（单项否决 1 个）"), "{text}");
        assert!(text.contains("区教育局（单项否决：首页不更新）"));
        assert!(text.contains(
            "- 区发展和改革局：新增 1 条，[整改清单](https://a.example/2026-11-26/worklists/fgj.html)"
        ));
        let p = payload(RobotKind::WeCom, &title, &text);
        assert_eq!(p["markdown"]["content"], text.as_str());
        let p = payload(RobotKind::DingTalk, &title, &text);
        assert_eq!(p["markdown"]["title"], title.as_str());
    }
}
