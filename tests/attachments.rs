//! Attachments over real HTTP: fixtures/pii-exposed served on 127.0.0.1,
//! crawled, its xlsx / docx / pdf files downloaded once, read with their
//! locations (sheet + cell, paragraph / table cell, pdf page + line), and the
//! files that must not be read (too large, a zip bomb, .doc, robots.txt,
//! over the per-site cap) noted with why. The fixture's pages say in a
//! comment what each exercises (fixtures/_gen_annual_pii.py writes them).

use std::path::{Path, PathBuf};

use govaudit::attachment::{Attachment, Format, Location};
use govaudit::audit::{audit_config, serve_fixture, AuditRequest};
use govaudit::config::Config;
use govaudit::crawl::{crawl_all, CrawlOptions};
use govaudit::site::Site;

fn fixture() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/pii-exposed")
}

fn crawl(rt: &tokio::runtime::Runtime, config: &Config) -> Site {
    let mut sites = Vec::new();
    rt.block_on(crawl_all(config, &CrawlOptions::default(), |s| {
        sites.push(s)
    }))
    .expect("crawl");
    sites.remove(0)
}

fn attachment<'a>(site: &'a Site, suffix: &str) -> &'a Attachment {
    site.attachments
        .iter()
        .find(|a| a.url.ends_with(suffix))
        .unwrap_or_else(|| {
            panic!(
                "no attachment ending in {suffix} among {:#?}",
                site.attachments.iter().map(|a| &a.url).collect::<Vec<_>>()
            )
        })
}

fn gets(server: &govaudit::serve::FixtureServer, path: &str) -> usize {
    server
        .requests()
        .iter()
        .filter(|r| r.method == "GET" && r.path_and_query.split('?').next() == Some(path))
        .count()
}

#[test]
fn each_format_is_read_with_where_its_numbers_are() {
    let (rt, server, config) = serve_fixture(&fixture()).unwrap();
    let site = crawl(&rt, &config);

    let x = attachment(&site, "/gs/files/jz-2026q4.xlsx");
    assert_eq!(
        (x.text.format, &x.text.skipped, &x.text.error),
        (Some(Format::Xlsx), &None, &None),
        "{x:#?}"
    );
    assert!(x.referrer.ends_with("/gs/gsgg/5.html"), "{}", x.referrer);
    assert_eq!(x.anchor, "临时救助对象名单.xlsx");
    // The title row is no header: the ID column's label is its header cell.
    let c3 = x
        .text
        .units
        .iter()
        .find(|u| {
            u.at == Location::Cell {
                sheet: "名单".into(),
                cell: "C3".into(),
            }
        })
        .unwrap_or_else(|| panic!("{:#?}", x.text.units));
    assert_eq!(c3.label, "身份证号码");
    assert_eq!(c3.text.len(), 18);
    // A mobile number typed as a number reads as typed.
    assert!(
        x.text.units.iter().any(|u| u.at
            == Location::Cell {
                sheet: "名单".into(),
                cell: "D5".into()
            }
            && u.text == "13700003333"),
        "{:#?}",
        x.text.units
    );
    // Linked from two pages: downloaded once.
    assert_eq!(gets(&server, "/gs/files/jz-2026q4.xlsx"), 1);

    let d = attachment(&site, "/gs/files/cf-2026-15.docx");
    assert_eq!(d.text.format, Some(Format::Docx), "{d:#?}");
    let at: Vec<&Location> = d.text.units.iter().map(|u| &u.at).collect();
    assert_eq!(
        at,
        [
            &Location::Paragraph { n: 2 },
            &Location::TableCell {
                table: 1,
                row: 2,
                col: 2
            }
        ],
        "{:#?}",
        d.text.units
    );
    assert_eq!(d.text.units[1].label, "退款银行卡号");

    let p = attachment(&site, "/gs/files/bz-mingdan.pdf");
    assert_eq!(p.text.format, Some(Format::Pdf), "{p:#?}");
    assert!(
        !p.text.units.is_empty()
            && p.text
                .units
                .iter()
                .all(|u| matches!(u.at, Location::PageLine { page: 2, .. })),
        "only page 2 holds full numbers: {:#?}",
        p.text.units
    );
    assert!(
        p.text.units[0].label.contains("身份证号码"),
        "{:#?}",
        p.text.units
    );

    // A download script naming its file only in Content-Disposition.
    let s = attachment(&site, "/gs/module/download/downfile.jsp?fileid=9");
    assert_eq!(s.text.format, Some(Format::Xlsx), "{s:#?}");
    assert_eq!(s.text.units.len(), 1);
}

#[test]
fn files_that_must_not_be_read_are_noted_with_why() {
    let (rt, server, config) = serve_fixture(&fixture()).unwrap();
    let site = crawl(&rt, &config);
    let big = attachment(&site, "/gs/files/big-mingdan.xlsx");
    assert!(
        big.text
            .skipped
            .as_deref()
            .is_some_and(|s| s.contains("attachment_max_bytes")),
        "{big:#?}"
    );
    assert!(big.text.units.is_empty() && big.text.format.is_none());
    let bomb = attachment(&site, "/gs/files/bomb.xlsx");
    assert!(
        bomb.text
            .error
            .as_deref()
            .is_some_and(|e| e.contains("zip bomb")),
        "{bomb:#?}"
    );
    let doc = attachment(&site, "/gs/files/plan.doc");
    assert!(
        doc.text
            .skipped
            .as_deref()
            .is_some_and(|s| s.contains(".doc")),
        "{doc:#?}"
    );
    assert_eq!(
        gets(&server, "/gs/files/plan.doc"),
        0,
        "a .doc is never downloaded"
    );
    assert_eq!(
        server
            .requests()
            .iter()
            .filter(|r| r.path_and_query.starts_with("/gs/private/"))
            .count(),
        0,
        "robots.txt disallows /gs/private/"
    );
    for silent in ["tm-mingdan.xlsx", "tm-gonggao.docx", "tm-mingdan.pdf"] {
        let a = attachment(&site, silent);
        assert!(
            a.text.format.is_some() && a.text.error.is_none() && a.text.units_read > 0,
            "{a:#?}"
        );
    }
    // Politeness: every attachment request carries the configured User-Agent.
    for r in server
        .requests()
        .iter()
        .filter(|r| r.path_and_query.starts_with("/gs/files/"))
    {
        assert_eq!(
            r.user_agent, config.crawl.user_agent,
            "{}",
            r.path_and_query
        );
    }
}

#[test]
fn the_per_site_cap_and_the_switch() {
    let (rt, server, mut config) = serve_fixture(&fixture()).unwrap();
    config.crawl.max_attachments_per_site = 2;
    let site = crawl(&rt, &config);
    let read = site
        .attachments
        .iter()
        .filter(|a| a.text.skipped.is_none())
        .count();
    assert_eq!(read, 2, "{:#?}", site.attachments);
    assert!(site.attachments.iter().any(|a| a
        .text
        .skipped
        .as_deref()
        .is_some_and(|s| s.contains("max_attachments_per_site"))));
    drop(server);

    let (rt, server, mut config) = serve_fixture(&fixture()).unwrap();
    config.crawl.attachments = false;
    let site = crawl(&rt, &config);
    assert!(site.attachments.is_empty());
    assert_eq!(gets(&server, "/gs/files/jz-2026q4.xlsx"), 0);
}

/// The findings a clerk reads: masked values located in the file.
#[test]
fn findings_locate_the_value_in_the_attachment() {
    let dir = fixture();
    let (_rt, _server, config) = serve_fixture(&dir).unwrap();
    let out = tempfile::tempdir().unwrap();
    let outcome = audit_config(
        &config,
        &AuditRequest {
            config: dir.join("SITES.toml"),
            as_of: chrono::NaiveDate::from_ymd_opt(2026, 11, 26),
            out: Some(out.path().to_path_buf()),
            profile: None,
            progress: Default::default(),
        },
    )
    .unwrap();
    let location = |suffix: &str, kind: &str| -> String {
        let f = outcome
            .report
            .findings
            .iter()
            .find(|f| {
                f.rule == "pii-exposed" && f.url.ends_with(suffix) && f.evidence["kind"] == kind
            })
            .unwrap_or_else(|| panic!("no {kind} finding at {suffix}"));
        assert!(
            f.evidence["referrer"]
                .as_str()
                .is_some_and(|r| r.contains("/gs/gsgg/")),
            "{f:?}"
        );
        f.evidence["location"].as_str().unwrap().to_string()
    };
    let l = location("jz-2026q4.xlsx", "id-number");
    assert!(
        l.starts_with("附件工作表“名单”单元格C3（身份证号码）：…"),
        "{l}"
    );
    let l = location("jz-2026q4.xlsx", "bank-card");
    assert!(l.starts_with("附件工作表“名单”单元格E3（银行卡号）"), "{l}");
    assert!(location("cf-2026-15.docx", "id-number").starts_with("附件第2段："));
    assert!(location("cf-2026-15.docx", "bank-card")
        .starts_with("附件表格1第2行第2列（退款银行卡号）："));
    assert!(location("bz-mingdan.pdf", "id-number").starts_with("附件第2页第"));
    // Nothing from the files that were not read or must stay silent.
    for silent in [
        "big-mingdan.xlsx",
        "bomb.xlsx",
        "plan.doc",
        "tm-mingdan.xlsx",
        "tm-gonggao.docx",
        "tm-mingdan.pdf",
    ] {
        assert!(
            !outcome
                .report
                .findings
                .iter()
                .any(|f| f.url.ends_with(silent)),
            "{silent} fired"
        );
    }
}
