//! `[notify]` group-robot push (issue 10) against a loopback robot server
//! that checks what DingTalk and WeCom check: the Markdown payload shape
//! and, for a signed DingTalk robot, the timestamp and HMAC-SHA256 sign.
//! A robot that refuses (wrong secret) or cannot be reached is a warning on
//! stderr; the exit code and the report are unchanged. Shard workers do
//! not push; `merge --config SITES.toml` pushes the merged run.

mod common;

use std::process::Command;
use std::sync::{Arc, Mutex};

use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use axum::routing::post;
use common::stage;
use govaudit::serve::serve_dir;
use serde_json::Value;

const SECRET: &str = "SEC0123456789abcdef";

#[derive(Default, Clone)]
struct Seen(Arc<Mutex<Vec<(String, Value)>>>);

fn answer(ok: bool, why: &str) -> String {
    if ok {
        r#"{"errcode":0,"errmsg":"ok"}"#.to_string()
    } else {
        format!(r#"{{"errcode":310000,"errmsg":"{why}"}}"#)
    }
}

/// DingTalk: markdown with title and text; signed with SECRET.
async fn dingtalk(State(seen): State<Seen>, RawQuery(q): RawQuery, body: Bytes) -> String {
    use base64::Engine;
    use hmac::{Hmac, Mac};
    let v: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
    let params: Vec<(String, String)> =
        url::form_urlencoded::parse(q.unwrap_or_default().as_bytes())
            .into_owned()
            .collect();
    let get = |k: &str| params.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone());
    seen.0.lock().unwrap().push(("dingtalk".into(), v.clone()));
    if get("access_token").as_deref() != Some("tok") {
        return answer(false, "token missing");
    }
    let (Some(ts), Some(sign)) = (get("timestamp"), get("sign")) else {
        return answer(false, "sign missing");
    };
    let ts_ms: i64 = ts.parse().unwrap_or(0);
    if (chrono::Utc::now().timestamp_millis() - ts_ms).abs() > 3_600_000 {
        return answer(false, "timestamp too old");
    }
    let mut mac = Hmac::<sha2::Sha256>::new_from_slice(SECRET.as_bytes()).unwrap();
    mac.update(format!("{ts}\n{SECRET}").as_bytes());
    let expected = base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes());
    if sign != expected {
        return answer(false, "sign not match");
    }
    let ok = v["msgtype"] == "markdown"
        && v["markdown"]["title"]
            .as_str()
            .is_some_and(|t| !t.is_empty())
        && v["markdown"]["text"]
            .as_str()
            .is_some_and(|t| t.starts_with("### "));
    answer(ok, "bad payload")
}

/// WeCom: markdown with content, no signature.
async fn wecom(State(seen): State<Seen>, RawQuery(q): RawQuery, body: Bytes) -> String {
    let v: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
    seen.0.lock().unwrap().push(("wecom".into(), v.clone()));
    let ok = q.as_deref() == Some("key=k1")
        && v["msgtype"] == "markdown"
        && v["markdown"]["content"]
            .as_str()
            .is_some_and(|t| t.starts_with("### "));
    answer(ok, "bad payload")
}

/// The loopback robot server: what it was sent, and its address.
fn robot_server(runtime: &tokio::runtime::Runtime) -> (Seen, std::net::SocketAddr) {
    let seen = Seen::default();
    let app = axum::Router::new()
        .route("/robot/send", post(dingtalk))
        .route("/cgi-bin/webhook/send", post(wecom))
        .with_state(seen.clone());
    let listener = runtime
        .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
        .unwrap();
    let robots = listener.local_addr().unwrap();
    runtime.spawn(async move { axum::serve(listener, app).await.unwrap() });
    (seen, robots)
}

#[test]
fn robots_get_the_summary_signed_and_failures_only_warn() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let (seen, robots) = robot_server(&runtime);
    let closed = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap();

    let site = stage("history/v1", &[]);
    let server = runtime
        .block_on(serve_dir(
            site.path().to_path_buf(),
            std::net::SocketAddr::from(([127, 0, 0, 1], 0)),
        ))
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let cwd = dir.path();
    let base = std::fs::read_to_string(common::fixture("history/SITES.toml"))
        .unwrap()
        .replace("{{base}}", &server.addr().to_string());
    let notify = format!(
        r#"
[notify]
report_base_url = "https://audit.example.gov.cn/reports/{{as_of}}/"

[[notify.robots]]
kind = "dingtalk"
webhook = "http://{robots}/robot/send?access_token=tok"
secret = "{SECRET}"

[[notify.robots]]
kind = "wecom"
webhook = "http://{robots}/cgi-bin/webhook/send?key=k1"

[[notify.robots]]
kind = "dingtalk"
webhook = "http://{robots}/robot/send?access_token=tok"
secret = "SECwrong"

[[notify.robots]]
kind = "wecom"
webhook = "http://{closed}/cgi-bin/webhook/send?key=k1"
"#
    );
    std::fs::write(cwd.join("SITES.toml"), format!("{base}{notify}")).unwrap();
    std::fs::write(cwd.join("QUIET.toml"), &base).unwrap();
    let audit = |config: &str, out: &str| {
        Command::new(env!("CARGO_BIN_EXE_govaudit"))
            .args([
                "audit",
                "--config",
                config,
                "--as-of",
                "2026-11-20",
                "--out",
                out,
                "--quiet",
            ])
            .current_dir(cwd)
            .output()
            .unwrap()
    };
    let with = audit("SITES.toml", "pushed");
    let without = audit("QUIET.toml", "plain");
    let stderr = String::from_utf8_lossy(&with.stderr);
    assert_eq!(with.status.code(), without.status.code(), "{stderr}");
    assert!(cwd.join("pushed/report.json").is_file());

    let warnings: Vec<&str> = stderr.lines().filter(|l| l.contains("notify")).collect();
    assert_eq!(
        warnings.len(),
        2,
        "wrong secret and closed port: {warnings:?}"
    );
    assert!(
        warnings.iter().any(|w| w.contains("sign not match")),
        "{warnings:?}"
    );
    assert!(warnings
        .iter()
        .all(|w| w.starts_with("govaudit: warning: notify: push to 127.0.0.1 failed")));

    let seen = seen.0.lock().unwrap().clone();
    assert_eq!(
        seen.len(),
        3,
        "two DingTalk posts and one WeCom post reached the server"
    );
    let (_, ding) = seen.iter().find(|(k, _)| k == "dingtalk").unwrap();
    let text = ding["markdown"]["text"].as_str().unwrap();
    assert!(
        text.contains("历史对比测试区网站检查报告（2026-11-20）"),
        "{text}"
    );
    assert!(text.contains("检查站点 2 个"), "{text}");
    // The first run recorded: all new; each department with its worklist link.
    let report: Value =
        serde_json::from_str(&std::fs::read_to_string(cwd.join("pushed/report.json")).unwrap())
            .unwrap();
    let all = report["findings"].as_array().unwrap();
    let of = |site: &str| all.iter().filter(|f| f["site"] == site).count();
    assert!(
        text.contains(&format!("首次记录：{} 条问题均为新增", all.len())),
        "{text}"
    );
    assert!(text.contains(&format!(
        "- 区便民局：新增 {} 条，[整改清单](https://audit.example.gov.cn/reports/2026-11-20/worklists/bmj.html)",
        of("bmj")
    )), "{text}");
    assert!(
        text.contains(&format!("- 区稳定局：新增 {} 条，", of("wdj"))),
        "{text}"
    );
    let (_, wecom) = seen.iter().find(|(k, _)| k == "wecom").unwrap();
    assert_eq!(wecom["markdown"]["content"].as_str().unwrap(), text);
}

#[test]
fn merge_pushes_the_merged_run_and_shard_workers_do_not() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let (seen, robots) = robot_server(&runtime);
    let site = stage("history/v1", &[]);
    let server = runtime
        .block_on(serve_dir(
            site.path().to_path_buf(),
            std::net::SocketAddr::from(([127, 0, 0, 1], 0)),
        ))
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let cwd = dir.path();
    let base = std::fs::read_to_string(common::fixture("history/SITES.toml"))
        .unwrap()
        .replace("{{base}}", &server.addr().to_string());
    let notify = format!(
        r#"
[notify]
report_base_url = "https://audit.example.gov.cn/reports/{{as_of}}/"

[[notify.robots]]
kind = "dingtalk"
webhook = "http://{robots}/robot/send?access_token=tok"
secret = "{SECRET}"

[[notify.robots]]
kind = "wecom"
webhook = "http://{robots}/cgi-bin/webhook/send?key=k1"
"#
    );
    std::fs::write(cwd.join("SITES.toml"), format!("{base}{notify}")).unwrap();
    let run = |args: &[&str]| {
        let o = Command::new(env!("CARGO_BIN_EXE_govaudit"))
            .args(args)
            .current_dir(cwd)
            .output()
            .unwrap();
        assert!(
            o.status.code().is_some_and(|c| c <= 1),
            "{args:?}: {}",
            String::from_utf8_lossy(&o.stderr)
        );
        o
    };
    for (i, out) in ["s0", "s1"].iter().enumerate() {
        let shard = format!("{i}/2");
        run(&[
            "audit",
            "--config",
            "SITES.toml",
            "--as-of",
            "2026-11-20",
            "--out",
            out,
            "--quiet",
            "--shard",
            &shard,
        ]);
    }
    assert!(
        seen.0.lock().unwrap().is_empty(),
        "shard workers do not push"
    );
    // Without --config there is nothing to push to.
    run(&[
        "merge",
        "--out",
        "m0",
        "--quiet",
        "--no-history",
        "s0",
        "s1",
    ]);
    assert!(seen.0.lock().unwrap().is_empty());

    let o = run(&[
        "merge",
        "--out",
        "merged",
        "--quiet",
        "--config",
        "SITES.toml",
        "s0",
        "s1",
    ]);
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert!(!stderr.contains("warning"), "{stderr}");
    let seen = seen.0.lock().unwrap().clone();
    assert_eq!(seen.len(), 2, "one DingTalk and one WeCom post: {seen:?}");
    let (_, ding) = seen.iter().find(|(k, _)| k == "dingtalk").unwrap();
    let text = ding["markdown"]["text"].as_str().unwrap();
    let report: Value =
        serde_json::from_str(&std::fs::read_to_string(cwd.join("merged/report.json")).unwrap())
            .unwrap();
    let all = report["findings"].as_array().unwrap();
    assert!(!all.is_empty());
    assert!(
        text.contains("历史对比测试区网站检查报告（2026-11-20）"),
        "{text}"
    );
    assert!(text.contains("检查站点 2 个"), "{text}");
    assert!(
        text.contains(&format!("首次记录：{} 条问题均为新增", all.len())),
        "the merged run was recorded before the push: {text}"
    );
    assert!(
        text.contains(
            "[整改清单](https://audit.example.gov.cn/reports/2026-11-20/worklists/bmj.html)"
        ),
        "{text}"
    );
    assert!(cwd.join("merged/worklists/wdj.html").is_file());
    let (_, wecom) = seen.iter().find(|(k, _)| k == "wecom").unwrap();
    assert_eq!(wecom["markdown"]["content"].as_str().unwrap(), text);
}
