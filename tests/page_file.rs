//! Flat memory on big sites (issue 8): a crawl moves each page's text and
//! links to the snapshot's page file as it stores the page, the site keeps
//! only what the rules need of every page at once, and the rules read the
//! pages back one at a time. These tests hold the structure to that (no
//! page text left in the site or its JSON), and the findings to what they
//! were: the same whether the pages were spilled or kept, and the same
//! when a snapshot is replayed, in the new layout or the old one (text and
//! links inline, no page file).

use std::path::Path;

use govaudit::audit::{audit_config, lint, serve_fixture, AuditRequest, LintRequest};
use govaudit::crawl::{crawl_all, CrawlOptions};
use govaudit::site::Site;
use govaudit::snapshot::SnapshotWriter;
use serde_json::Value;

fn fixture(name: &str) -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures")
        .join(name)
}

fn as_of() -> chrono::NaiveDate {
    let (y, m, d) = govaudit::audit::DEMO_AS_OF;
    chrono::NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

/// Findings as report.json carries them (without the history fields).
fn findings(report: &govaudit::Report) -> Vec<Value> {
    report
        .findings
        .iter()
        .map(|f| serde_json::to_value(f).unwrap())
        .collect()
}

fn lint_findings(crawl: &Path, out: &Path) -> Vec<Value> {
    let outcome = lint(&LintRequest {
        crawl: crawl.to_path_buf(),
        as_of: Some(as_of()),
        out: Some(out.to_path_buf()),
        profile: None,
    })
    .unwrap();
    findings(&outcome.report)
}

#[test]
fn crawled_pages_go_to_the_page_file_and_read_back_as_they_were() {
    let dir = fixture("typo");
    let (rt, _server, config) = serve_fixture(&dir).unwrap();
    let crawl = |pages| {
        let mut sites: Vec<Site> = Vec::new();
        rt.block_on(crawl_all(
            &config,
            &CrawlOptions {
                pages,
                ..Default::default()
            },
            |s| sites.push(s),
        ))
        .unwrap();
        sites
    };
    let kept = crawl(None);
    let tmp = tempfile::tempdir().unwrap();
    let mut snapshot =
        SnapshotWriter::create(&tmp.path().join("crawl"), None, "t0".into()).unwrap();
    let spilled = crawl(Some(snapshot.page_sink()));
    assert_eq!(spilled.len(), kept.len());
    let mut pages = 0;
    for (s, k) in spilled.iter().zip(&kept) {
        assert_eq!(s.id, k.id);
        // The site holds no page text or links after the crawl …
        assert!(!s.pages.is_empty());
        for p in &s.pages {
            assert!(
                p.text.is_empty() && p.links.is_empty() && p.body.is_some(),
                "{} kept its body",
                p.url
            );
        }
        assert!(k.pages.iter().all(|p| p.body.is_none()));
        assert!(k.pages.iter().any(|p| !p.text.is_empty()));
        // … and reads back page for page what a crawl that keeps them holds.
        let back: Vec<_> = s
            .full_pages()
            .map(|p| govaudit::site::Page {
                body: None,
                ..p.into_owned()
            })
            .collect();
        assert_eq!(back, k.pages, "{}", s.id);
        pages += back.len();
        // Everything else is the same site.
        let strip = |s: &Site| Site {
            pages: Vec::new(),
            page_file: None,
            ..s.clone()
        };
        assert_eq!(strip(s), strip(k));
        snapshot.write_site(s).unwrap();
    }
    let dir = snapshot.finish("t1".into()).unwrap();
    // The saved site's JSON carries no text; its page file a line per page.
    for s in &spilled {
        let json = std::fs::read_to_string(dir.join(format!("sites/{}.json", s.id))).unwrap();
        let v: Value = serde_json::from_str(&json).unwrap();
        for p in v["pages"].as_array().unwrap() {
            assert!(p.get("text").is_none() && p.get("links").is_none(), "{p}");
        }
        let lines = std::fs::read_to_string(dir.join(format!("sites/{}.pages.jsonl", s.id)))
            .unwrap()
            .lines()
            .count();
        assert_eq!(lines, s.pages.len());
        pages -= lines;
    }
    assert_eq!(pages, 0);
}

/// Rewrite a snapshot in the layout from before the page file: each page's
/// text and links inline in `sites/<id>.json`, no `body`, no page file.
fn to_old_layout(crawl: &Path) {
    let (dir, manifest) = govaudit::snapshot::read_manifest(crawl).unwrap();
    for id in &manifest.sites {
        let site = govaudit::snapshot::read_site(&dir, id).unwrap();
        let whole: Vec<govaudit::site::Page> = site
            .full_pages()
            .map(|p| govaudit::site::Page {
                body: None,
                ..p.into_owned()
            })
            .collect();
        let old = Site {
            pages: whole,
            page_file: None,
            ..site
        };
        let json = serde_json::to_string(&old).unwrap();
        assert!(!json.contains("\"body\":{\"at\""));
        std::fs::write(dir.join(format!("sites/{id}.json")), json).unwrap();
        let file = dir.join(format!("sites/{id}.pages.jsonl"));
        if file.exists() {
            std::fs::remove_file(file).unwrap();
        }
    }
}

#[test]
fn the_demo_replays_to_the_same_findings_from_new_and_old_snapshots() {
    let root = fixture("demo-portal");
    let (_rt, _server, config) = serve_fixture(&root).unwrap();
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("audit");
    let audited = audit_config(
        &config,
        &AuditRequest {
            config: root.join("SITES.toml"),
            as_of: Some(as_of()),
            out: Some(out.clone()),
            profile: None,
            progress: Default::default(),
        },
    )
    .unwrap();
    let live = findings(&audited.report);
    // Every rule that reads page text or links found something on the
    // spilled pages.
    for rule in [
        "typo",
        "pii-exposed",
        "outdated-name",
        "annual-report-incomplete",
        "annual-report-inconsistent",
        "interpretation-missing",
        "interpretation-unlinked",
        "interaction-no-channel",
    ] {
        assert!(
            live.iter().any(|f| f["rule"] == rule),
            "no {rule} finding in the demo"
        );
    }
    let crawl = out.join("crawl");
    let files = std::fs::read_dir(crawl.join("sites"))
        .unwrap()
        .filter(|e| {
            e.as_ref()
                .unwrap()
                .file_name()
                .to_string_lossy()
                .ends_with(".pages.jsonl")
        })
        .count();
    assert!(files > 0, "the audit wrote no page file");
    assert_eq!(lint_findings(&crawl, &tmp.path().join("lint-new")), live);
    to_old_layout(&crawl);
    assert_eq!(lint_findings(&crawl, &tmp.path().join("lint-old")), live);
}

#[test]
fn a_missing_page_file_is_an_error_naming_it() {
    let root = fixture("typo");
    let (_rt, _server, config) = serve_fixture(&root).unwrap();
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("audit");
    audit_config(
        &config,
        &AuditRequest {
            config: root.join("SITES.toml"),
            as_of: Some(as_of()),
            out: Some(out.clone()),
            profile: None,
            progress: Default::default(),
        },
    )
    .unwrap();
    let crawl = out.join("crawl");
    let (dir, manifest) = govaudit::snapshot::read_manifest(&crawl).unwrap();
    let id = &manifest.sites[0];
    let file = dir.join(format!("sites/{id}.pages.jsonl"));
    std::fs::remove_file(&file).unwrap();
    let e = lint(&LintRequest {
        crawl,
        as_of: Some(as_of()),
        out: Some(tmp.path().join("lint")),
        profile: None,
    })
    .err()
    .expect("lint without the page file must fail");
    assert!(e.to_string().contains(&format!("{id}.pages.jsonl")), "{e}");
}
