//! The crawl records facts and the broken-link rule judges them, so a saved
//! snapshot replays: edit a fact in a snapshot file and `govaudit lint
//! --crawl` gives the verdict the new fact deserves, with no network. Old
//! snapshots (which stored a `broken` verdict) still load.

use std::path::Path;
use std::process::Command;

use serde_json::Value;

/// Crawl fixtures/broken-link into `out/crawl` with the real binary.
fn crawl_fixture(out: &Path) -> String {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/broken-link");
    let (_rt, server, _config) = govaudit::audit::serve_fixture(&dir).unwrap();
    // The fixture's SITES.toml names its server by placeholder; write the
    // one with the port filled in for the binary.
    let text = std::fs::read_to_string(dir.join("SITES.toml")).unwrap();
    let sites = out.join("SITES.toml");
    std::fs::write(&sites, text.replace("{{base}}", &server.addr().to_string())).unwrap();
    let o = Command::new(env!("CARGO_BIN_EXE_govaudit"))
        .args(["crawl", "--quiet", "--config"])
        .arg(&sites)
        .arg("--out")
        .arg(out.join("crawl"))
        .output()
        .unwrap();
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    server.base_url()
}

/// `govaudit lint --crawl DIR --format json`: the broken-link findings'
/// targets with their evidence.
fn lint_broken_links(crawl: &Path, out: &Path) -> Vec<(String, Value)> {
    let o = Command::new(env!("CARGO_BIN_EXE_govaudit"))
        .args([
            "lint",
            "--as-of",
            "2026-11-26",
            "--format",
            "json",
            "--crawl",
        ])
        .arg(crawl)
        .arg("--out")
        .arg(out)
        .output()
        .unwrap();
    assert!(
        o.status.code().is_some_and(|c| c <= 1),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let report: Value = serde_json::from_slice(&o.stdout).unwrap();
    let mut found: Vec<(String, Value)> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule"] == "broken-link")
        .map(|f| {
            (
                f["target"].as_str().unwrap().to_string(),
                f["evidence"].clone(),
            )
        })
        .collect();
    found.sort_by(|a, b| a.0.cmp(&b.0));
    found
}

#[test]
fn an_edited_fact_in_a_snapshot_gets_the_rules_new_verdict_on_lint() {
    let tmp = tempfile::tempdir().unwrap();
    let base = crawl_fixture(tmp.path());
    let crawl = tmp.path().join("crawl");
    let before = lint_broken_links(&crawl, &tmp.path().join("lint-1"));
    let old = format!("{base}/lianjie/ztzl/old/index.html");
    let news = format!("{base}/lianjie/gzdt/index.html");
    assert!(before.iter().any(|(t, e)| *t == old && e["status"] == 404));
    assert!(!before.iter().any(|(t, _)| *t == news));

    // The facts, edited: the old page answers after all, and the news
    // list was sent to the server's error page.
    let file = crawl.join("sites/lianjie.json");
    let mut site: Value = serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
    for link in site["links"].as_array_mut().unwrap() {
        if link["url"] == old.as_str() {
            assert_eq!(link["status"], 404, "{link}");
            link["status"] = 200.into();
        } else if link["url"] == news.as_str() {
            assert_eq!(link["status"], 200, "{link}");
            link["final_url"] = format!("{base}/404.html").into();
            link["redirects"] = 1.into();
        }
    }
    std::fs::write(&file, serde_json::to_string(&site).unwrap()).unwrap();

    let after = lint_broken_links(&crawl, &tmp.path().join("lint-2"));
    assert!(!after.iter().any(|(t, _)| *t == old), "{after:?}");
    let (_, evidence) = after
        .iter()
        .find(|(t, _)| *t == news)
        .unwrap_or_else(|| panic!("no finding for {news}: {after:?}"));
    assert_eq!(evidence["error"], "redirect to error page /404.html");
    assert_eq!(evidence["status"], 200);
    // Nothing else moved.
    assert_eq!(after.len(), before.len());
}

#[test]
fn a_snapshot_from_before_the_facts_still_loads_and_judges_the_same() {
    // A link as the crawl stored it before: a `broken` verdict, and the
    // error-page redirect spelled out in `error`.
    let old = r#"{"url":"http://a.gov.cn/zwdt/removed.html","status":200,
        "error":"redirect to error page /404.html","broken":true,"attempts":1,
        "referrers":["http://a.gov.cn/"],"anchor":"旧闻","on_homepage":true,
        "internal":true,"attachment":false}"#;
    let link: govaudit::site::LinkCheck = serde_json::from_str(old).unwrap();
    let failure = govaudit::rules::broken_link::failure(&link).unwrap();
    assert_eq!(failure.error(), Some("redirect to error page /404.html"));
    let ok = r#"{"url":"http://a.gov.cn/a.html","status":200,"broken":false,
        "attempts":1,"referrers":[]}"#;
    let link: govaudit::site::LinkCheck = serde_json::from_str(ok).unwrap();
    assert_eq!(govaudit::rules::broken_link::failure(&link), None);
}
