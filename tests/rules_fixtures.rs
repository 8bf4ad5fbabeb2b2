//! Every rule against its fixture site, crawled for real: fixtures/<rule-id>/
//! is served on 127.0.0.1 by `crate::serve`, crawled by `crate::crawl`, and the
//! rule's findings must be exactly those listed in its `expect.toml` — pages
//! that must fire fire, look-alike pages that must stay silent stay silent.
//! A rule without a fixture folder fails `every_rule_has_a_fixture`.

use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use govaudit::audit::{audit_config, serve_fixture, AuditRequest};
use govaudit::rules::{Finding, RULES};
use serde::Deserialize;

fn fixture(id: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures")
        .join(id)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Expect {
    as_of: NaiveDate,
    fire: Vec<Fire>,
}

/// One finding that must be produced. Paths are relative to the server.
#[derive(Deserialize, Debug)]
#[serde(deny_unknown_fields)]
struct Fire {
    /// The rule, when the fixture serves several (defaults to the folder's rule).
    #[serde(default)]
    rule: Option<String>,
    site: String,
    #[serde(default)]
    url: Option<String>,
    #[serde(default)]
    target: Option<String>,
    #[serde(default)]
    wrong: Option<String>,
    #[serde(default)]
    severity: Option<String>,
    /// Evidence fields that must hold these values.
    #[serde(default)]
    evidence: toml::Table,
}

fn load_expect(id: &str) -> Expect {
    let path = fixture(id).join("expect.toml");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    toml::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

#[test]
fn every_rule_has_a_fixture() {
    for rule in RULES {
        let dir = fixture(rule.id());
        assert!(
            dir.join("SITES.toml").is_file(),
            "{} has no fixtures/{}/SITES.toml",
            rule.id(),
            rule.id()
        );
        let expect = load_expect(rule.id());
        assert!(!expect.fire.is_empty(), "{}: nothing must fire", rule.id());
        // Some page says it must stay silent (a look-alike case).
        let mut silent = 0;
        let mut stack = vec![dir];
        while let Some(d) = stack.pop() {
            for e in std::fs::read_dir(&d).unwrap() {
                let p = e.unwrap().path();
                if p.is_dir() {
                    stack.push(p);
                } else if p.extension().is_some_and(|x| x == "html") {
                    let text = std::fs::read_to_string(&p).unwrap();
                    assert!(
                        text.contains("<!--"),
                        "{} says nothing about what it exercises",
                        p.display()
                    );
                    silent += usize::from(text.contains("must stay silent"));
                }
            }
        }
        assert!(silent > 0, "{}: no page that must stay silent", rule.id());
    }
}

fn to_json(v: &toml::Value) -> serde_json::Value {
    serde_json::to_value(v).unwrap()
}

fn matches(f: &Finding, e: &Fire, base: &str) -> bool {
    f.site == e.site
        && e.url
            .as_ref()
            .map_or(true, |u| f.url == format!("{base}{u}"))
        && e.target
            .as_ref()
            .map_or(true, |t| f.target.as_deref() == Some(&format!("{base}{t}")))
        && e.wrong
            .as_ref()
            .map_or(true, |w| f.evidence["wrong"].as_str() == Some(w))
        // Several findings on one page (one per broken identity, one per
        // kind) are told apart by their evidence.
        && e.evidence.iter().all(|(k, v)| f.evidence[k] == to_json(v))
}

/// Crawl the rule's fixture, audit it and compare the rule's findings.
fn check_rule(id: &str) -> (govaudit::audit::Outcome, String) {
    check_fixture(id, &[id])
}

/// Crawl `fixtures/<name>/`, audit it and compare the findings of each rule
/// in `rules` with the fires listed for it.
/// Returns the audit outcome and the server's base URL for further checks.
fn check_fixture(name: &str, rules: &[&str]) -> (govaudit::audit::Outcome, String) {
    let dir = fixture(name);
    let expect = load_expect(name);
    let (_rt, server, config) = serve_fixture(&dir).unwrap();
    let out = tempfile::tempdir().unwrap();
    let outcome = audit_config(
        &config,
        &AuditRequest {
            config: dir.join("SITES.toml"),
            as_of: Some(expect.as_of),
            out: Some(out.path().to_path_buf()),
            profile: None,
            progress: Default::default(),
        },
    )
    .unwrap();
    let base = server.base_url();
    for id in rules {
        let fires: Vec<&Fire> = expect
            .fire
            .iter()
            .filter(|e| e.rule.as_deref().unwrap_or(name) == *id)
            .collect();
        let found: Vec<&Finding> = outcome
            .report
            .findings
            .iter()
            .filter(|f| f.rule == *id)
            .collect();
        let shown = || {
            found
                .iter()
                .map(|f| format!("  {} {} {:?} {}", f.site, f.url, f.target, f.evidence))
                .collect::<Vec<_>>()
                .join("\n")
        };
        for e in &fires {
            let Some(f) = found.iter().find(|f| matches(f, e, &base)) else {
                panic!("{id}: expected {e:?}\nfound:\n{}", shown());
            };
            for (k, v) in &e.evidence {
                assert_eq!(
                    f.evidence[k],
                    to_json(v),
                    "{id}: evidence.{k} of {e:?}\n{}",
                    f.evidence
                );
            }
            if let Some(s) = &e.severity {
                assert_eq!(f.severity.as_str(), s, "{id}: severity of {e:?}");
            }
        }
        assert_eq!(
            found.len(),
            fires.len(),
            "{id}: findings beyond expect.toml (a page that must stay silent fired):\n{}",
            shown()
        );
    }
    // Same findings when the snapshot is replayed offline.
    let linted = govaudit::audit::lint(&govaudit::audit::LintRequest {
        crawl: out.path().join("crawl"),
        as_of: Some(expect.as_of),
        out: Some(out.path().join("lint")),
        profile: None,
    })
    .unwrap();
    assert_eq!(
        linted.report.findings, outcome.report.findings,
        "{name}: lint differs from audit"
    );
    snapshot(name, &out.path().join("report.json"));
    (outcome, base)
}

/// The fixture's whole report.json against its reviewed insta snapshot
/// (`tests/snapshots/rules_fixtures__<fixture>.snap`), with the ephemeral
/// port, `generated_at` and the port-bearing finding ids redacted as in
/// tests/demo.rs: any change to a finding, a score or a column shows here.
fn snapshot(name: &str, report_json: &Path) {
    let text = std::fs::read_to_string(report_json).unwrap();
    let port = regex::Regex::new(r"127\.0\.0\.1:\d+").unwrap();
    let text = port.replace_all(&text, "127.0.0.1:PORT").into_owned();
    let mut v: serde_json::Value = serde_json::from_str(&text).unwrap();
    v["generated_at"] = "[generated_at]".into();
    for f in v["findings"].as_array_mut().unwrap() {
        f["id"] = "[fingerprint]".into();
    }
    insta::assert_json_snapshot!(name, v);
}

/// One loop over the registry: every rule is crawled and audited on its
/// fixture (in parallel, each on its own server); a rule without a fixture
/// folder fails here and in `every_rule_has_a_fixture`.
#[test]
fn every_rule_on_its_fixture() {
    let outcomes: Vec<(
        &str,
        std::thread::Result<(govaudit::audit::Outcome, String)>,
    )> = std::thread::scope(|s| {
        let handles: Vec<_> = RULES
            .iter()
            .map(|r| (r.id(), s.spawn(move || check_rule(r.id()))))
            .collect();
        handles.into_iter().map(|(id, h)| (id, h.join())).collect()
    });
    let failed: Vec<&str> = outcomes
        .iter()
        .filter(|(_, o)| o.is_err())
        .map(|(id, _)| *id)
        .collect();
    assert!(
        failed.is_empty(),
        "rules failing on their fixture: {failed:?}"
    );
    // The list that answered 500 is a crawl error shown in the report.
    let (outcome, base) = outcomes
        .iter()
        .find(|(id, _)| *id == "column-empty")
        .and_then(|(_, o)| o.as_ref().ok())
        .unwrap();
    let kong = outcome
        .report
        .sites
        .iter()
        .find(|s| s.id == "kong")
        .unwrap();
    let failed = format!("{base}/kong/zcwj/index.html");
    assert!(
        kong.crawl_errors.iter().any(|e| e.url == failed),
        "{:?}",
        kong.crawl_errors
    );
}

#[test]
fn undated_lists_fixture() {
    check_fixture("undated-lists", &["column-stale", "column-empty"]);
}

/// 超过(含)N reads N or more: each veto count on both sides of its boundary
/// (4 vs 5 empty columns, 4 vs 5 stale key columns, 9 vs 10 stale columns),
/// and the 6-month notice/policy part counting first-level columns only.
#[test]
fn veto_boundary_fixture() {
    let (outcome, _) = check_fixture("veto-boundary", &["column-empty", "column-stale"]);
    // The vetoes of the two rules under test (these bare sites have no
    // consultation channel or services: those vetoes are other fixtures').
    let vetoes = |id: &str| -> Vec<String> {
        let s = outcome.report.sites.iter().find(|s| s.id == id).unwrap();
        s.vetoes
            .iter()
            .filter(|v| v.starts_with("column-"))
            .cloned()
            .collect()
    };
    for (site, want) in [
        ("kong4", vec![]),
        ("kong5", vec!["column-empty"]),
        ("jiu4", vec![]),
        ("jiu5", vec!["column-stale"]),
        ("erji", vec![]),
        ("chang9", vec![]),
        ("chang10", vec!["column-stale"]),
    ] {
        assert_eq!(vetoes(site), want, "{site}");
    }
    // report.json columns[] carries each column's navigation level.
    let erji = outcome
        .report
        .sites
        .iter()
        .find(|s| s.id == "erji")
        .unwrap();
    let levels: Vec<(&str, u32)> = erji
        .columns
        .iter()
        .map(|c| (c.name.as_str(), c.level))
        .collect();
    assert!(levels.contains(&("要闻", 1)), "{levels:?}");
    assert!(levels.contains(&("通知公告", 2)), "{levels:?}");
    assert_eq!(
        levels.iter().filter(|(_, l)| *l == 2).count(),
        5,
        "{levels:?}"
    );
}

/// pii-exposed: the generated full values (fixtures/pii-exposed/full-values.txt)
/// appear in no report format — only masked.
#[test]
fn pii_values_appear_in_no_report_format() {
    let dir = fixture("pii-exposed");
    let expect = load_expect("pii-exposed");
    let (_rt, _server, config) = serve_fixture(&dir).unwrap();
    let out = tempfile::tempdir().unwrap();
    let outcome = audit_config(
        &config,
        &AuditRequest {
            config: dir.join("SITES.toml"),
            as_of: Some(expect.as_of),
            out: Some(out.path().to_path_buf()),
            profile: None,
            progress: Default::default(),
        },
    )
    .unwrap();
    assert!(outcome
        .report
        .findings
        .iter()
        .any(|f| f.rule == "pii-exposed"));
    let values = std::fs::read_to_string(dir.join("full-values.txt")).unwrap();
    let mut formats = 0;
    for e in std::fs::read_dir(out.path()).unwrap() {
        let p = e.unwrap().path();
        if !p
            .extension()
            .is_some_and(|x| ["json", "html", "md", "csv"].iter().any(|f| x == *f))
        {
            continue;
        }
        formats += 1;
        let text = std::fs::read_to_string(&p).unwrap();
        for v in values.lines().filter(|v| !v.is_empty()) {
            assert!(!text.contains(v), "{} shows {v} in full", p.display());
        }
    }
    assert_eq!(formats, 4, "report.json, .html, .md and .csv");
}
