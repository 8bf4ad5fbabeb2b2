//! Nightly audits that remember (issue 10): two real audits of the
//! fixtures/history district served on 127.0.0.1, with a change between
//! them (bmj fixes broken link old-a.html, introduces old-b.html and fills
//! its empty 通知公告; wdj keeps its broken link), give the right status,
//! first_seen and resolved in report.json, the right worklists and the
//! right `history` / `diff` output; a run killed with SIGKILL mid-crawl
//! leaves the database and the last report as they were; `--no-history`
//! adds no history fields.

mod common;

use std::path::Path;
use std::process::{Command, Output, Stdio};

use common::{fixture, stage};
use govaudit::serve::{serve_dir, FixtureServer};
use serde_json::Value;

fn govaudit(args: &[&str], cwd: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_govaudit"))
        .args(args)
        .current_dir(cwd)
        .output()
        .expect("run govaudit")
}

fn read_json(path: &Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// Overlay the files of `fixtures/history/<layer>/` onto `dir`.
fn overlay(layer: &str, dir: &Path) {
    fn walk(from: &Path, to: &Path) {
        std::fs::create_dir_all(to).unwrap();
        for e in std::fs::read_dir(from).unwrap() {
            let e = e.unwrap();
            let dst = to.join(e.file_name());
            if e.path().is_dir() {
                walk(&e.path(), &dst);
            } else {
                std::fs::copy(e.path(), dst).unwrap();
            }
        }
    }
    walk(&fixture("history").join(layer), dir);
}

fn sites_toml(server: &FixtureServer) -> String {
    std::fs::read_to_string(fixture("history/SITES.toml"))
        .unwrap()
        .replace("{{base}}", &server.addr().to_string())
}

/// (rule, site, target file name or url tail) → finding.
fn find<'a>(report: &'a Value, rule: &str, site: &str, tail: &str) -> Option<&'a Value> {
    report["findings"].as_array().unwrap().iter().find(|f| {
        f["rule"] == rule
            && f["site"] == site
            && f["target"]
                .as_str()
                .unwrap_or(f["url"].as_str().unwrap())
                .ends_with(tail)
    })
}

fn db_runs(db: &Path) -> Vec<(i64, String, i64)> {
    let c = rusqlite::Connection::open(db).unwrap();
    let mut st = c
        .prepare("SELECT id, as_of, (SELECT COUNT(*) FROM findings f WHERE f.run_id = runs.id) FROM runs ORDER BY id")
        .unwrap();
    let rows = st
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .unwrap()
        .collect::<Result<Vec<_>, _>>()
        .unwrap();
    rows
}

#[test]
fn two_runs_give_status_first_seen_resolved_worklists_and_a_kill_changes_nothing() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let any = std::net::SocketAddr::from(([127, 0, 0, 1], 0));
    // The served copy starts as v1; v2 is laid over it between the runs, so
    // the URLs (and the finding ids) stay the same.
    let site = stage("history/v1", &[]);
    let server = runtime
        .block_on(serve_dir(site.path().to_path_buf(), any))
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let cwd = dir.path();
    std::fs::write(cwd.join("SITES.toml"), sites_toml(&server)).unwrap();
    let audit = |as_of: &str, out: &str| {
        let o = govaudit(
            &[
                "audit",
                "--config",
                "SITES.toml",
                "--as-of",
                as_of,
                "--out",
                out,
                "--quiet",
            ],
            cwd,
        );
        assert!(
            o.status.code() == Some(0) || o.status.code() == Some(1),
            "{}",
            String::from_utf8_lossy(&o.stderr)
        );
    };

    audit("2026-11-20", "r1");
    let db = cwd.join("reports/history.sqlite");
    assert!(
        db.is_file(),
        "recorded by default in reports/history.sqlite"
    );
    let r1 = read_json(&cwd.join("r1/report.json"));
    assert!(r1["previous"].is_null() && r1.get("previous").is_some());
    assert_eq!(r1["resolved"], serde_json::json!([]));
    for f in r1["findings"].as_array().unwrap() {
        assert_eq!(f["status"], "new", "{f}");
        assert_eq!(f["first_seen"], "2026-11-20");
    }
    let old_a = find(&r1, "broken-link", "bmj", "/bmj/old-a.html").expect("old-a broken in run 1");
    let empty =
        find(&r1, "column-empty", "bmj", "/bmj/tzgg/index.html").expect("tzgg empty in run 1");
    assert!(find(&r1, "broken-link", "wdj", "/wdj/gone.html").is_some());

    overlay("v2", site.path());
    audit("2026-11-26", "r2");
    let r2 = read_json(&cwd.join("r2/report.json"));
    assert_eq!(r2["previous"]["as_of"], "2026-11-20");
    assert_eq!(r2["previous"]["generated_at"], r1["generated_at"]);
    let new_b = find(&r2, "broken-link", "bmj", "/bmj/old-b.html").expect("old-b broken in run 2");
    assert_eq!(new_b["status"], "new");
    assert_eq!(new_b["first_seen"], "2026-11-26");
    let kept = find(&r2, "broken-link", "wdj", "/wdj/gone.html").unwrap();
    assert_eq!(kept["status"], "persisting");
    assert_eq!(kept["first_seen"], "2026-11-20");
    assert!(find(&r2, "broken-link", "bmj", "/bmj/old-a.html").is_none());
    assert!(find(&r2, "column-empty", "bmj", "/bmj/tzgg/index.html").is_none());
    let mut resolved: Vec<&str> = r2["resolved"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap())
        .collect();
    resolved.sort_unstable();
    let mut expected = vec![old_a["id"].as_str().unwrap(), empty["id"].as_str().unwrap()];
    expected.sort_unstable();
    assert_eq!(resolved, expected);
    let gone = r2["resolved"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["rule"] == "broken-link")
        .unwrap();
    for k in ["id", "rule", "site", "url", "column", "target"] {
        assert!(gone.get(k).is_some(), "resolved lacks {k}");
    }
    assert!(gone["target"]
        .as_str()
        .unwrap()
        .ends_with("/bmj/old-a.html"));
    assert_eq!(r2["trend"].as_array().unwrap().len(), 2);

    // report.html: the badges on the finding rows and the 已整改 section
    // (rendered in headless Chromium by tests/report_html.rs).
    let html = std::fs::read_to_string(cwd.join("r2/report.html")).unwrap();
    let row = |id: &str| {
        let at = html.find(&format!("<tr data-finding=\"{id}\"")).unwrap();
        html[at..at + html[at..].find("</tr>").unwrap()].to_string()
    };
    assert!(row(new_b["id"].as_str().unwrap()).contains("data-status=\"new\">新增</span>"));
    assert!(
        row(kept["id"].as_str().unwrap()).contains("data-status=\"persisting\">持续 6 天</span>")
    );
    assert!(html.contains("三、已整改（2 条）"));
    for id in &expected {
        assert!(html.contains(&format!("data-resolved=\"{id}\"")), "{id}");
    }
    assert!(html.contains("id=\"trend-district\"") && html.contains("id=\"trend-bmj\""));
    // Each site section links its worklist, which is there.
    assert!(html.contains("<a href=\"worklists/wdj.html\">"));
    assert!(cwd.join("r2/worklists/wdj.html").is_file());

    // report.md and findings.csv carry the status.
    let md = std::fs::read_to_string(cwd.join("r2/report.md")).unwrap();
    assert!(
        md.contains("新增") && md.contains("持续 6 天") && md.contains("已整改"),
        "{md}"
    );
    let csv = std::fs::read_to_string(cwd.join("r2/findings.csv")).unwrap();
    assert!(csv.lines().next().unwrap().contains("状态"));
    assert!(csv.contains("持续 6 天") && csv.contains("新增"));

    // Worklists: bmj's holds only bmj's finding, headed by its owner; with
    // rectify_days = 3 the wdj link seen first on Friday 11-20 was due
    // Wednesday 11-25, so it is overdue on 11-26.
    let bmj = std::fs::read_to_string(cwd.join("r2/worklists/bmj.html")).unwrap();
    assert!(bmj.contains("责任人：办公室 李四 0571-86010001"));
    assert!(bmj.contains(new_b["id"].as_str().unwrap()));
    assert!(!bmj.contains(kept["id"].as_str().unwrap()));
    let new_row = {
        let at = bmj
            .find(&format!(
                "<tr data-finding=\"{}\"",
                new_b["id"].as_str().unwrap()
            ))
            .unwrap();
        &bmj[at..at + bmj[at..].find("</tr>").unwrap()]
    };
    assert!(
        !new_row.contains("（已逾期）") && !new_row.contains("overdue"),
        "{new_row}"
    );
    // Newest first: the link found on 11-26 heads bmj's list.
    assert!(bmj.find(new_row).unwrap() < bmj.find("2026-11-20").unwrap_or(usize::MAX));
    let wdj_csv = std::fs::read_to_string(cwd.join("r2/worklists/wdj.csv")).unwrap();
    let row = wdj_csv
        .lines()
        .find(|l| l.contains(kept["id"].as_str().unwrap()))
        .unwrap();
    assert!(row.contains(",2026-11-20,2026-11-25,逾期,"), "{row}");
    assert!(row.contains(",持续 6 天,链接可用性,"), "{row}");

    // history and diff.
    let o = govaudit(&["history", "--format", "json"], cwd);
    let h: Value = serde_json::from_slice(&o.stdout).unwrap();
    let runs = h["runs"].as_array().unwrap();
    assert_eq!(runs.len(), 2);
    assert_eq!(runs[1]["as_of"], "2026-11-26");
    let mean = |r: &Value| {
        let s = r["sites"].as_array().unwrap();
        s.iter().map(|s| s["score"].as_f64().unwrap()).sum::<f64>() / s.len() as f64
    };
    assert!((runs[0]["avg_score"].as_f64().unwrap() - mean(&r1)).abs() < 1e-9);
    assert!((runs[1]["avg_score"].as_f64().unwrap() - mean(&r2)).abs() < 1e-9);
    let o = govaudit(&["history", "--site", "bmj"], cwd);
    let text = String::from_utf8(o.stdout).unwrap();
    assert!(
        text.lines().nth(2).unwrap().contains("2026-11-26"),
        "{text}"
    );
    let o = govaudit(&["diff", "1", "2", "--format", "json"], cwd);
    let d: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(d["new"].as_array().unwrap().len(), 1);
    assert_eq!(d["resolved"].as_array().unwrap().len(), 2);
    assert_eq!(
        d["persisting"].as_u64().unwrap() as usize,
        r2["findings"].as_array().unwrap().len() - 1
    );
    let o = govaudit(&["diff", "1", "9"], cwd);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("no run 9"));

    // --compare-to 1 on a third run compares against run 1 again.
    audit("2026-11-27", "r3");
    let o = govaudit(
        &[
            "audit",
            "--config",
            "SITES.toml",
            "--as-of",
            "2026-11-27",
            "--out",
            "r4",
            "--quiet",
            "--compare-to",
            "1",
        ],
        cwd,
    );
    assert!(o.status.code().unwrap() <= 1);
    let r3 = read_json(&cwd.join("r3/report.json"));
    let r4 = read_json(&cwd.join("r4/report.json"));
    assert_eq!(r3["previous"]["as_of"], "2026-11-26");
    assert_eq!(r4["previous"]["as_of"], "2026-11-20");
    assert_eq!(r4["resolved"].as_array().unwrap().len(), 2);
    assert_eq!(
        find(&r4, "broken-link", "bmj", "/bmj/old-b.html").unwrap()["status"],
        "new"
    );

    // --no-history: no history fields at all, nothing recorded.
    let before = db_runs(&db);
    let o = govaudit(
        &[
            "audit",
            "--config",
            "SITES.toml",
            "--as-of",
            "2026-11-27",
            "--out",
            "plain",
            "--quiet",
            "--no-history",
        ],
        cwd,
    );
    assert!(o.status.code().unwrap() <= 1);
    let plain = read_json(&cwd.join("plain/report.json"));
    for k in ["previous", "resolved", "trend"] {
        assert!(plain.get(k).is_none(), "{k}");
    }
    assert!(plain["findings"][0].get("status").is_none());
    assert!(plain["findings"][0].get("first_seen").is_none());
    assert_eq!(db_runs(&db), before);

    // A run killed with SIGKILL mid-crawl: the slow server answers one
    // column after 30 s; the audit is killed once that request is in flight.
    let slow_root = stage("history/v1", &[]);
    overlay("v2", slow_root.path());
    std::fs::write(
        slow_root.path().join("_routes.toml"),
        "# every wdj column list hangs, so the audit is caught mid-crawl\n[[route]]\npath = \"/wdj/gzdt/*\"\ndelay_ms = 30000\n",
    )
    .unwrap();
    let slow = runtime
        .block_on(serve_dir(slow_root.path().to_path_buf(), any))
        .unwrap();
    std::fs::write(cwd.join("SLOW.toml"), sites_toml(&slow)).unwrap();
    let report_before = std::fs::read(cwd.join("r2/report.json")).unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_govaudit"))
        .args([
            "audit",
            "--config",
            "SLOW.toml",
            "--as-of",
            "2026-11-28",
            "--out",
            "r2",
            "--quiet",
        ])
        .current_dir(cwd)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    // Wait (no fixed sleep) until the crawl is inside the hanging request.
    let mut waited = 0;
    while slow.hits("/wdj/gzdt/index.html") == 0 {
        assert!(waited < 600, "the audit never reached the slow column");
        assert!(child.try_wait().unwrap().is_none(), "the audit ended early");
        std::thread::sleep(std::time::Duration::from_millis(50));
        waited += 1;
    }
    child.kill().unwrap(); // SIGKILL
    child.wait().unwrap();
    assert_eq!(
        db_runs(&db),
        before,
        "the killed run left no trace in the database"
    );
    let c = rusqlite::Connection::open(&db).unwrap();
    let ok: String = c
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap();
    assert_eq!(ok, "ok");
    assert_eq!(
        std::fs::read(cwd.join("r2/report.json")).unwrap(),
        report_before,
        "the last report is untouched"
    );
    drop(server);
}
