//! Availability probes over a simulated week (issue 10): `govaudit probe`
//! run 100 times with injected timestamps (the hidden `--at` hook, no
//! sleeps) against fixtures/probe, whose homepages fail their first 5 (wu)
//! and 4 (si) requests; the audit then vetoes wu at 5% and reports si at
//! 4% without a veto, with the probe evidence.

mod common;

use std::process::Command;

use chrono::{DateTime, Duration};
use common::stage;
use govaudit::serve::serve_dir;

#[test]
fn five_percent_failed_probes_veto_four_percent_do_not() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let root = stage("probe", &[]);
    let server = runtime
        .block_on(serve_dir(
            root.path().to_path_buf(),
            std::net::SocketAddr::from(([127, 0, 0, 1], 0)),
        ))
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let cwd = dir.path();
    let text = std::fs::read_to_string(root.path().join("SITES.toml"))
        .unwrap()
        .replace("{{base}}", &server.addr().to_string());
    std::fs::write(cwd.join("SITES.toml"), text).unwrap();
    let govaudit = |args: &[&str]| {
        let o = Command::new(env!("CARGO_BIN_EXE_govaudit"))
            .args(args)
            .current_dir(cwd)
            .output()
            .unwrap();
        (
            o.status.code(),
            String::from_utf8_lossy(&o.stderr).into_owned(),
        )
    };
    // 100 rounds, every 100 minutes from the start of the window
    // (2026-11-19 00:00 to 2026-11-25 21:00, CST).
    let start = DateTime::parse_from_rfc3339("2026-11-19T00:00:00+08:00").unwrap();
    for i in 0..100 {
        let at = (start + Duration::minutes(100 * i)).to_rfc3339();
        let (code, err) = govaudit(&[
            "probe",
            "--config",
            "SITES.toml",
            "--history",
            "h.sqlite",
            "--at",
            &at,
        ]);
        assert_eq!(code, Some(0), "{err}");
    }
    assert_eq!(server.hits("/wu/"), 100);
    let (code, err) = govaudit(&[
        "audit",
        "--config",
        "SITES.toml",
        "--as-of",
        "2026-11-26",
        "--history",
        "h.sqlite",
        "--out",
        "r",
        "--quiet",
    ]);
    assert_eq!(code, Some(1), "wu fails by veto: {err}");
    let r: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(cwd.join("r/report.json")).unwrap()).unwrap();
    let finding = |site: &str| {
        r["findings"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["site"] == site && f["rule"] == "site-unreachable")
            .unwrap_or_else(|| panic!("no site-unreachable finding for {site}"))
            .clone()
    };
    let site = |id: &str| {
        r["sites"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["id"] == id)
            .unwrap()
            .clone()
    };
    let wu = finding("wu");
    assert_eq!(wu["severity"], "veto");
    let e = &wu["evidence"];
    assert_eq!(
        (e["probes"].as_u64(), e["failed"].as_u64()),
        (Some(100), Some(5))
    );
    assert_eq!(e["ratio"], 0.05);
    assert_eq!(e["window_days"], 7);
    // The first five rounds failed: 00:00 to 06:40 on the first day.
    assert_eq!(e["first_failure"], "2026-11-19T00:00:00+08:00");
    assert_eq!(e["last_failure"], "2026-11-19T06:40:00+08:00");
    assert_eq!(e["error"], "HTTP 503");
    assert!(site("wu")["vetoes"]
        .as_array()
        .unwrap()
        .iter()
        .any(|v| v == "site-unreachable"));

    let si = finding("si");
    assert_eq!(si["severity"], "warn");
    assert_eq!(si["evidence"]["ratio"], 0.04);
    assert_eq!(si["evidence"]["failed"], 4);
    assert!(!site("si")["vetoes"]
        .as_array()
        .unwrap()
        .iter()
        .any(|v| v == "site-unreachable"));
}

/// A probe is a polite crawler request: the configured User-Agent, and a
/// homepage robots.txt forbids is not requested (nor recorded).
#[test]
fn probes_send_the_user_agent_and_honour_robots() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let root = stage("probe", &[]);
    std::fs::write(
        root.path().join("robots.txt"),
        "User-agent: *\nDisallow: /si/\n",
    )
    .unwrap();
    let server = runtime
        .block_on(serve_dir(
            root.path().to_path_buf(),
            std::net::SocketAddr::from(([127, 0, 0, 1], 0)),
        ))
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string(root.path().join("SITES.toml"))
        .unwrap()
        .replace("{{base}}", &server.addr().to_string());
    std::fs::write(dir.path().join("SITES.toml"), text).unwrap();
    let o = Command::new(env!("CARGO_BIN_EXE_govaudit"))
        .args(["probe", "--config", "SITES.toml", "--history", "h.sqlite"])
        .current_dir(dir.path())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(0), "{stderr}");
    assert!(
        stderr.contains("si: robots.txt forbids the homepage"),
        "{stderr}"
    );
    assert_eq!(server.hits("/si/"), 0);
    assert_eq!(server.hits("/wu/"), 1);
    let home = server
        .requests()
        .into_iter()
        .find(|r| r.path_and_query == "/wu/")
        .unwrap();
    assert!(
        home.user_agent.starts_with("govaudit/"),
        "{}",
        home.user_agent
    );
    let db = rusqlite::Connection::open(dir.path().join("h.sqlite")).unwrap();
    let sites: Vec<String> = db
        .prepare("SELECT site FROM probes")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(sites, ["wu"]);
}
