//! `govaudit inspect` as a clerk or a tool runs it: the binary against
//! fixtures/single-page/ served on 127.0.0.1 — charset and how it was
//! decided, page kind, items with their date sources, columns, and with
//! `--site` the findings the page would raise; `--format json` on stdout;
//! exit 2 with one line for a bad request.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use govaudit::audit::serve_fixture;
use serde_json::Value;

fn fixture() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/single-page")
}

fn govaudit(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_govaudit"))
        .args(args)
        .output()
        .expect("run govaudit")
}

fn json(o: &Output) -> Value {
    assert!(
        o.status.code().is_some_and(|c| c <= 1),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    serde_json::from_slice(&o.stdout).unwrap_or_else(|e| {
        panic!("{e}: {}", String::from_utf8_lossy(&o.stdout));
    })
}

#[test]
fn inspect_shows_what_the_extractor_sees_and_the_findings_of_one_page() {
    let dir = fixture();
    let (_rt, server, _config) = serve_fixture(&dir).unwrap();
    let base = server.base_url();
    let tmp = tempfile::tempdir().unwrap();
    let sites = tmp.path().join("SITES.toml");
    let text = std::fs::read_to_string(dir.join("SITES.toml")).unwrap();
    std::fs::write(
        &sites,
        text.replace("{{base}}", base.trim_start_matches("http://")),
    )
    .unwrap();
    let sites = sites.to_str().unwrap();
    let with_site = |path: &str, site: &str| {
        govaudit(&[
            "inspect",
            &format!("{base}{path}"),
            "--config",
            sites,
            "--site",
            site,
            "--as-of",
            "2026-11-26",
            "--format",
            "json",
        ])
    };

    // A GBK single-page column dated by its 发布时间 label: not empty, no finding.
    let v = json(&with_site("/trs/jgzn/", "trs"));
    assert_eq!(v["status"], 200);
    assert_eq!(v["charset"], "GBK");
    assert_eq!(v["charset_from"], "<meta> charset");
    assert_eq!(v["kind"], "single-page", "{v:#}");
    assert_eq!(v["date"], "2026-03-02");
    assert_eq!(v["date_from"], "label");
    assert!(v["own_text"]["chars"].as_u64().unwrap() >= 60);
    assert_eq!(v["column"]["kind"], "single-page");
    assert_eq!(v["column"]["class"], "long-term");
    assert_eq!(v["findings"], serde_json::json!([]));
    let nav: Vec<&str> = v["nav_columns"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap())
        .collect();
    assert!(
        nav.contains(&"人事信息") && nav.contains(&"工作动态"),
        "{nav:?}"
    );
    assert!(!v["links"]["nav"].as_array().unwrap().is_empty());
    // One column page alone cannot tell a column's level.
    assert!(v["nav_columns"][0]["level"].is_null(), "{v:#}");

    // From the homepage, the columns of its navigation are first-level (一级).
    let v = json(&with_site("/trs/", "trs"));
    assert_eq!(v["kind"], "homepage", "{v:#}");
    let levels: Vec<_> = v["nav_columns"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["level"].clone())
        .collect();
    assert!(
        !levels.is_empty() && levels.iter().all(|l| l == 1),
        "{levels:?}"
    );

    // Its empty look-alike fires column-empty; the stale single page fires column-stale.
    let v = json(&with_site("/trs/rsxx/", "trs"));
    assert_eq!(v["kind"], "empty-list", "{v:#}");
    let rules: Vec<&str> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["rule"].as_str().unwrap())
        .collect();
    assert_eq!(rules, ["column-empty"]);
    let v = json(&with_site("/trs/jgsz/", "trs"));
    assert_eq!(v["findings"][0]["rule"], "column-stale", "{v:#}");
    assert_eq!(v["findings"][0]["evidence"]["latest"], "2024-05-10");

    // A channel (the JCMS 领导信箱 form) is no empty column.
    let v = json(&with_site("/jcms/col/col106/index.html", "jcms"));
    assert_eq!(v["kind"], "channel", "{v:#}");
    assert_eq!(v["own_text"]["form"], "contact");
    assert_eq!(v["findings"], serde_json::json!([]));

    // A list page, without a site: items with their dates and date sources,
    // charset from the Content-Type header; text output for people.
    let o = govaudit(&["inspect", &format!("{base}/aspx/gzdt/List.aspx")]);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let out = String::from_utf8(o.stdout).unwrap();
    assert!(
        out.contains("charset     UTF-8 (Content-Type header)"),
        "{out}"
    );
    assert!(out.contains("kind        column-list"), "{out}");
    assert!(
        out.contains("2026-11-19 list   区卫健局部署冬春季传染病防控工作"),
        "{out}"
    );
    assert!(!out.contains("findings"), "no site, no findings: {out}");

    // Fetched politely: robots.txt first, the configured User-Agent.
    let reqs = server.requests();
    assert!(reqs.iter().any(|r| r.path_and_query == "/robots.txt"));
    assert!(reqs
        .iter()
        .filter(|r| r.path_and_query == "/trs/jgzn/")
        .all(|r| r.user_agent.starts_with("govaudit/")));

    // A missing page: what came back, exit 1.
    let o = govaudit(&["inspect", &format!("{base}/trs/nope/"), "--format", "json"]);
    assert_eq!(o.status.code(), Some(1));
    let v: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["status"], 404);
    assert_eq!(v["error"], "HTTP 404");
}

#[test]
fn a_bad_request_is_exit_2_with_one_line() {
    let o = govaudit(&["inspect", "not a url"]);
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(err.trim_end().lines().count(), 1, "{err}");
    assert!(err.contains("not a URL"), "{err}");
    assert!(o.stdout.is_empty());
    let tmp = tempfile::tempdir().unwrap();
    let sites = tmp.path().join("SITES.toml");
    std::fs::write(
        &sites,
        "[audit]\nname = \"x\"\n\n[[sites]]\nid = \"a\"\nname = \"A\"\nurl = \"http://127.0.0.1:9/\"\n",
    )
    .unwrap();
    let o = govaudit(&[
        "inspect",
        "http://127.0.0.1:9/x.html",
        "--config",
        sites.to_str().unwrap(),
        "--site",
        "b",
    ]);
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("no site with id \"b\""), "{err}");
}
