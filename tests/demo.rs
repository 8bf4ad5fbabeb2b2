//! `govaudit demo` end to end: serves fixtures/demo-portal/, audits it with
//! the fixed as_of, prints the path of report.html, exits 0 although sites
//! fail, and its report.json matches the reviewed snapshot (generated_at and
//! the ephemeral port redacted).

use std::process::Command;

#[test]
fn demo_runs_and_report_json_matches_snapshot() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("demo");
    let o = Command::new(env!("CARGO_BIN_EXE_govaudit"))
        .args(["demo", "--quiet", "--out"])
        .arg(&out)
        .current_dir(dir.path())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(0), "{stderr}");
    let stdout = String::from_utf8(o.stdout).unwrap();
    assert_eq!(stdout.trim(), out.join("report.html").display().to_string());
    for f in ["report.html", "report.md", "findings.csv", "report.json"] {
        assert!(out.join(f).is_file(), "{f}");
    }
    let text = std::fs::read_to_string(out.join("report.json")).unwrap();
    let mut v: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(v["as_of"], "2026-11-26");
    // Each id is the stable fingerprint of rule + site + url (+ target or
    // wrong form); it embeds the port, so it is checked here and redacted below.
    let mut ids = std::collections::HashSet::new();
    for f in v["findings"].as_array().unwrap() {
        // The part that tells apart several findings of a rule on one page:
        // the broken target, the wrong form, the broken 勾稽 identity, the kind
        // of personal data.
        let e = &f["evidence"];
        let extra = f["target"]
            .as_str()
            .or(e["wrong"].as_str())
            .or(e["identity"].as_str())
            .or(e["kind"].as_str());
        let expected = govaudit::rules::fingerprint(
            f["rule"].as_str().unwrap(),
            f["site"].as_str().unwrap(),
            f["url"].as_str().unwrap(),
            extra,
        );
        assert_eq!(f["id"], expected.as_str());
        assert!(ids.insert(expected), "duplicate finding id");
    }
    // The port changes each run: redact it everywhere.
    let port = regex::Regex::new(r"127\.0\.0\.1:\d+").unwrap();
    let text = port.replace_all(&text, "127.0.0.1:PORT").into_owned();
    v = serde_json::from_str(&text).unwrap();
    v["generated_at"] = "[generated_at]".into();
    for f in v["findings"].as_array_mut().unwrap() {
        f["id"] = "[fingerprint]".into();
    }
    // At least one finding of every rule, as the demo portal promises.
    for rule in govaudit::rules::RULES {
        assert!(
            v["findings"]
                .as_array()
                .unwrap()
                .iter()
                .any(|f| f["rule"] == rule.id()),
            "no {} finding in the demo",
            rule.id()
        );
    }
    insta::assert_json_snapshot!("demo_report", v);
}
