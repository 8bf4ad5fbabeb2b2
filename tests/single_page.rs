//! Single-page columns (单页栏目), channels and truly empty columns that look
//! like them, crawled for real: fixtures/single-page/ (TRS GBK, 大汉 JCMS,
//! ASP.NET, plain HTML5) is served on 127.0.0.1, crawled by `crate::crawl`
//! with columns found in each site's navigation, and judged by the rules.
//! Every column must be recorded as the kind expect.toml names; the
//! column-empty and column-stale findings must be exactly the listed ones;
//! and no single-page column or channel may be reported empty.
//!
//!     cargo test --test single_page -- --nocapture   # prints the false 空白栏目 figure

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use govaudit::audit::{serve_fixture, Judge};
use govaudit::crawl::{crawl_all, CrawlOptions};
use govaudit::score::Profile;
use govaudit::site::{ColumnKind, Site};
use serde::Deserialize;

fn fixture() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/single-page")
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Expect {
    as_of: NaiveDate,
    column: Vec<ExpectColumn>,
    fire: Vec<Fire>,
}

#[derive(Deserialize, Debug)]
#[serde(deny_unknown_fields)]
struct ExpectColumn {
    site: String,
    name: String,
    kind: String,
    #[serde(default)]
    dated: Option<bool>,
    /// A single page whose content is an image, an attachment or a frame
    /// (little or no text of its own).
    #[serde(default)]
    media: bool,
}

#[derive(Deserialize, Debug, PartialEq, Eq, PartialOrd, Ord)]
#[serde(deny_unknown_fields)]
struct Fire {
    rule: String,
    site: String,
    column: String,
}

fn crawl_fixture() -> (Expect, Vec<Site>) {
    let dir = fixture();
    let expect: Expect =
        toml::from_str(&std::fs::read_to_string(dir.join("expect.toml")).unwrap()).unwrap();
    let (rt, _server, config) = serve_fixture(&dir).unwrap();
    let mut sites = Vec::new();
    rt.block_on(crawl_all(&config, &CrawlOptions::default(), |s| {
        sites.push(s)
    }))
    .unwrap();
    (expect, sites)
}

#[test]
fn single_pages_and_channels_are_not_empty_and_empty_look_alikes_fire() {
    let (expect, sites) = crawl_fixture();
    let judge = Judge::new(Profile::builtin("national-2019").unwrap(), expect.as_of);

    // Every expected column was found, with its kind.
    let mut kinds: BTreeMap<(String, String), (ColumnKind, bool)> = BTreeMap::new();
    for s in &sites {
        assert!(s.start.ok, "{}: {:?}", s.id, s.start);
        for c in &s.columns {
            kinds.insert(
                (s.id.clone(), c.name.clone()),
                (c.kind, c.items.iter().any(|i| i.date.is_some())),
            );
        }
    }
    let mut wrong = Vec::new();
    for e in &expect.column {
        let Some(&(kind, dated)) = kinds.get(&(e.site.clone(), e.name.clone())) else {
            wrong.push(format!("{}/{} not found", e.site, e.name));
            continue;
        };
        if kind.as_str() != e.kind || e.dated.is_some_and(|d| d != dated) {
            wrong.push(format!(
                "{}/{}: {} (dated {dated}), expected {} (dated {:?})",
                e.site,
                e.name,
                kind.as_str(),
                e.kind,
                e.dated
            ));
        }
    }
    let table: Vec<String> = sites
        .iter()
        .flat_map(|s| {
            s.columns.iter().map(move |c| {
                format!(
                    "  {}/{} {} items={} chars={} channel={:?} url={}",
                    s.id,
                    c.name,
                    c.kind.as_str(),
                    c.items.len(),
                    c.body_chars,
                    c.channel,
                    c.url
                )
            })
        })
        .collect();
    assert!(
        wrong.is_empty(),
        "{wrong:#?}\ncolumns:\n{}",
        table.join("\n")
    );
    for s in &sites {
        for c in &s.columns {
            let media = expect
                .column
                .iter()
                .any(|e| e.site == s.id && e.name == c.name && e.media);
            if c.kind == ColumnKind::SinglePage && !media {
                assert!(c.body_chars >= 60, "{}/{}: {}", s.id, c.name, c.body_chars);
            }
            if c.kind == ColumnKind::Channel {
                assert!(c.channel.is_some(), "{}/{}", s.id, c.name);
            }
        }
    }

    // Findings: exactly the expected ones, for the two column rules.
    let mut found = Vec::new();
    for s in &sites {
        let (_, findings) = judge.judge(s);
        for f in findings {
            if f.rule == "column-empty" || f.rule == "column-stale" {
                found.push(Fire {
                    rule: f.rule,
                    site: f.site,
                    column: f.column.unwrap_or_default(),
                });
            }
        }
    }
    found.sort();
    let mut want = expect.fire;
    want.sort();

    // The figure: column-empty findings on columns that are single pages
    // or channels (false 空白栏目).
    let not_lists: Vec<&ExpectColumn> = expect.column.iter().filter(|c| c.kind != "list").collect();
    let false_empty = found
        .iter()
        .filter(|f| f.rule == "column-empty")
        .filter(|f| {
            not_lists
                .iter()
                .any(|c| c.site == f.site && c.name == f.column)
        })
        .count();
    let empty_lists = expect.column.iter().filter(|c| c.kind == "list").count();
    println!(
        "false 空白栏目 on single-page fixtures: {false_empty} of {} single-page columns and channels; \
         column-empty fired on {} of {empty_lists} list columns (expected {})",
        not_lists.len(),
        found.iter().filter(|f| f.rule == "column-empty").count(),
        want.iter().filter(|f| f.rule == "column-empty").count(),
    );
    assert_eq!(false_empty, 0);
    assert_eq!(found, want);
}
