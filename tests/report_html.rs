//! report.html rendered in a real browser (headless Chromium, Debian's
//! `chromium` package): the verdict cells, the score sheet group by group and
//! the JS filter preselected through the URL hash. Missing Chromium is a failure,
//! not a skip — `scripts/test.sh` (the README's test command) installs it.

use std::path::Path;
use std::process::Command;

use chrono::NaiveDate;
use govaudit::audit::Judge;
use govaudit::report::{self, Report};
use govaudit::score::Profile;
use govaudit::site::{
    Column, ColumnClass, ColumnKind, Homepage, Item, LinkCheck, Site, StartOutcome,
};

fn date(s: &str) -> Option<NaiveDate> {
    Some(NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap())
}

fn site(id: &str, name: &str, home_date: &str) -> Site {
    let mut s = site_without_entrances(id, name, home_date);
    // A letter form (a consultation channel) and a 办事指南 page: neither
    // site is vetoed for lack of interaction or services.
    let entrance = |slug: &str, name: &str, kind| Column {
        url: format!("{}{slug}/", s.url),
        name: name.into(),
        items: vec![],
        kind,
        channel: (kind == ColumnKind::Channel).then(|| "form".into()),
        ..s.columns[0].clone()
    };
    let mailbox = entrance("ldxx", "领导信箱", ColumnKind::Channel);
    let guide = entrance("bszn", "办事指南", ColumnKind::SinglePage);
    s.columns.extend([mailbox, guide]);
    s
}

fn site_without_entrances(id: &str, name: &str, home_date: &str) -> Site {
    let url = format!("http://127.0.0.1:1/{id}/");
    Site {
        id: id.into(),
        name: name.into(),
        url: url.clone(),
        start: StartOutcome {
            ok: true,
            status: Some(200),
            attempts: 1,
            ..Default::default()
        },
        homepage: Some(Homepage {
            items: vec![Item {
                title: "要闻".into(),
                url: Some(format!("{url}a.html")),
                date: date(home_date),
                ..Default::default()
            }],
            hub_only: false,
        }),
        columns: vec![Column {
            url: format!("{url}gzdt/"),
            name: "工作动态".into(),
            class: ColumnClass::Dynamic,
            level: 1,
            class_source: Default::default(),
            items: vec![Item {
                title: "要闻".into(),
                url: Some(format!("{url}a.html")),
                date: date(home_date),
                ..Default::default()
            }],
            list_pages: 1,
            style: "html-list".into(),
            placeholder: false,
            load_error: None,
            truncated: false,
            kind: Default::default(),
            body_chars: 0,
            channel: None,
        }],
        ..Default::default()
    }
}

fn report() -> Report {
    let judge = Judge::new(
        Profile::builtin("national-2019").unwrap(),
        NaiveDate::from_ymd_opt(2026, 11, 26).unwrap(),
    );
    let good = site("fgj", "区发展和改革局", "2026-11-20");
    let mut bad = site("jyj", "区教育局", "2026-10-01");
    bad.links.push(LinkCheck {
        url: "http://127.0.0.1:1/jyj/old.html".into(),
        status: Some(404),
        attempts: 1,
        referrers: vec!["http://127.0.0.1:1/jyj/".into()],
        anchor: "旧通知".into(),
        on_homepage: true,
        internal: true,
        ..Default::default()
    });
    let mut sites = Vec::new();
    let mut findings = Vec::new();
    for s in [good, bad] {
        let (summary, f) = judge.judge(&s);
        sites.push(summary);
        findings.extend(f);
    }
    Report {
        schema: report::SCHEMA.into(),
        as_of: judge.as_of,
        generated_at: "2026-11-26T02:00:00+08:00".into(),
        profile: judge.profile.name.clone(),
        title: Some("某区".into()),
        profile_title: judge.profile.title.clone(),
        pass_mark: judge.profile.pass_mark,
        sites,
        findings,
        typo_allow_district: vec![],
        previous: None,
        resolved: None,
        trend: None,
        crawl: None,
    }
}

/// Render `file` (with an optional `#hash`) and return the DOM after scripts ran.
fn dump_dom(file: &Path, hash: &str) -> String {
    let chromium = Path::new("/usr/bin/chromium");
    assert!(
        chromium.exists(),
        "headless Chromium is required for this test: run scripts/test.sh (installs it as root) or apt-get install -y chromium"
    );
    let profile = tempfile::tempdir().unwrap();
    let out = Command::new(chromium)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            "--disable-dev-shm-usage",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .arg("--dump-dom")
        .arg(format!("file://{}{hash}", file.display()))
        .output()
        .expect("run chromium");
    assert!(
        out.status.success(),
        "chromium failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// The opening tag of the first element whose opening tag contains `needle`.
fn tag_with<'a>(dom: &'a str, needle: &str) -> &'a str {
    let at = dom
        .find(needle)
        .unwrap_or_else(|| panic!("no {needle} in DOM"));
    let start = dom[..at].rfind('<').unwrap();
    let end = at + dom[at..].find('>').unwrap();
    &dom[start..=end]
}

#[test]
fn report_html_renders_verdicts_indicators_and_filters_in_chromium() {
    let r = report();
    assert_eq!(r.sites[1].vetoes, ["homepage-stale"]);
    let dir = tempfile::tempdir().unwrap();
    report::write_all(dir.path(), &r).unwrap();
    let file = dir.path().join("report.html");

    // Unfiltered: the script ran and every finding row is visible.
    let dom = dump_dom(&file, "");
    assert!(tag_with(&dom, "<body").contains("data-filter-ready=\"1\""));
    assert!(dom.contains("<td class=\"verdict verdict-pass\">合格</td>"));
    assert!(dom.contains("<td class=\"verdict verdict-fail\">不合格</td>"));
    assert!(
        dom.contains("不合格（单项否决）"),
        "indicator table shows the veto"
    );
    assert!(
        dom.contains("扣 1 分"),
        "the homepage broken link deducts 1 point"
    );
    assert!(dom.contains("<svg"), "the score chart is inline SVG");
    // Each site's score sheet as the inspectors' sheet: the four groups with
    // their points, what they lost and kept, their indicators beneath them.
    let jyj = &dom[dom.find("id=\"site-jyj\"").unwrap()..];
    let sheet = &jyj[jyj.find("<table class=\"indicators sheet\"").unwrap()..];
    let sheet = &sheet[..sheet.find("</table>").unwrap()];
    let rows: Vec<&str> = sheet.split("<tr").skip(2).collect();
    let groups: Vec<&str> = rows
        .iter()
        .filter_map(|r| r.split("data-group=\"").nth(1))
        .map(|r| &r[..r.find('"').unwrap()])
        .collect();
    assert_eq!(groups, ["publish", "service", "interaction", "function"]);
    let group_row = |g: &str| {
        *rows
            .iter()
            .find(|r| r.contains(&format!("data-group=\"{g}\"")))
            .unwrap()
    };
    // Indicator rows per group: its rules (the national profile keeps each
    // rule in its default group), or one placeholder row for a group with none.
    let rows_of = |g: govaudit::rules::Group| {
        govaudit::rules::RULES
            .iter()
            .filter(|r| r.indicator().group == Some(g))
            .count()
            .max(1)
    };
    let function = group_row("function");
    let n_function = rows_of(govaudit::rules::Group::Function);
    assert!(
        function.contains(&format!("<th rowspan=\"{n_function}\">功能设计</th>")),
        "{function}"
    );
    assert!(function.contains(">21</td>"), "{function}");
    assert!(function.contains(">扣 1 分</td>"), "{function}");
    assert!(function.contains("group-kept\">20</td>"), "{function}");
    let publish = group_row("publish");
    let n_publish = rows_of(govaudit::rules::Group::Publish);
    assert!(
        publish.contains(&format!("<th rowspan=\"{n_publish}\">发布解读</th>")),
        "{publish}"
    );
    // Its stale 工作动态 column (2 points) is lost there.
    assert!(publish.contains(">扣 2 分</td>"), "{publish}");
    assert!(publish.contains("group-kept\">29</td>"), "{publish}");
    // One row per indicator (placeholders for empty groups); the vetoed
    // indicator sits in its group.
    let all_rows: usize = [
        govaudit::rules::Group::Publish,
        govaudit::rules::Group::Service,
        govaudit::rules::Group::Interaction,
        govaudit::rules::Group::Function,
    ]
    .into_iter()
    .map(rows_of)
    .sum();
    assert_eq!(rows.len() - 1, all_rows, "{sheet}");
    assert!(rows
        .iter()
        .any(|r| r.contains("首页不更新") && r.contains("不合格（单项否决）")));
    assert!(sheet.contains("单项否决：不合格"));
    let shown = format!("data-shown=\"{}\"", r.findings.len());
    assert!(
        tag_with(&dom, "<body").contains(&shown),
        "{}",
        tag_with(&dom, "<body")
    );
    assert!(dom.contains(&format!("显示 {} 条问题", r.findings.len())));

    // Preselected by the hash: only jyj's broken-link row stays.
    let dom = dump_dom(&file, "#site=jyj&rule=broken-link");
    let body = tag_with(&dom, "<body");
    assert!(
        body.contains("data-filter=\"site=jyj&amp;rule=broken-link\""),
        "{body}"
    );
    assert!(body.contains("data-shown=\"1\""), "{body}");
    let stale_row = tag_with(&dom, "data-rule=\"homepage-stale\" class=\"sev-veto\"");
    assert!(stale_row.contains("hidden"), "{stale_row}");
    let link_row = tag_with(&dom, "data-rule=\"broken-link\" class=\"sev-deduct\"");
    assert!(!link_row.contains("hidden"), "{link_row}");
    let fgj = tag_with(&dom, "id=\"site-fgj\"");
    assert!(
        fgj.contains("hidden"),
        "other sites' sections are hidden: {fgj}"
    );
    assert!(!tag_with(&dom, "id=\"site-jyj\"").contains("hidden"));
    assert!(tag_with(&dom, "<tr data-site=\"fgj\"").contains("dim"));
}

/// A report of `sites` judged as of `as_of` (history fields unset).
fn judged(as_of: &str, sites: Vec<Site>) -> Report {
    let judge = Judge::new(
        Profile::builtin("national-2019").unwrap(),
        NaiveDate::parse_from_str(as_of, "%Y-%m-%d").unwrap(),
    );
    let mut r = report();
    r.as_of = judge.as_of;
    r.sites.clear();
    r.findings.clear();
    for mut s in sites {
        // Crawled pages: a site with none was not checked, and history
        // does not count its missing findings as fixed.
        s.stats.pages = 3;
        let (summary, f) = judge.judge(&s);
        r.sites.push(summary);
        r.findings.extend(f);
    }
    r
}

fn broken(site: &mut Site, page: &str, anchor: &str) {
    site.links.push(LinkCheck {
        url: format!("{}{page}", site.url),
        status: Some(404),
        attempts: 1,
        referrers: vec![site.url.as_str().into()],
        anchor: anchor.into(),
        on_homepage: true,
        internal: true,
        ..Default::default()
    });
}

/// Two runs recorded in a real history database; the second report shows
/// 新增 / 持续 N 天 badges, the 已整改 section and the trends (issue 10).
#[test]
fn history_badges_resolved_section_and_trends_render_in_chromium() {
    use govaudit::history::{write_reports, HistoryOptions};
    let dir = tempfile::tempdir().unwrap();
    let opts = HistoryOptions::from_flags(Some(dir.path().join("h.sqlite")), false, None);
    // Run 1: jyj's homepage is stale and links old.html (broken).
    let mut jyj = site("jyj", "区教育局", "2026-10-01");
    broken(&mut jyj, "old.html", "旧通知");
    let mut r1 = judged(
        "2026-11-20",
        vec![site("fgj", "区发展和改革局", "2026-11-18"), jyj],
    );
    write_reports(&dir.path().join("r1"), &mut r1, &opts, 5).unwrap();
    // Run 2: jyj fixed the link (still stale); fgj gained a broken link.
    let mut fgj = site("fgj", "区发展和改革局", "2026-11-18");
    broken(&mut fgj, "new.html", "新通知");
    let mut r2 = judged(
        "2026-11-26",
        vec![fgj, site("jyj", "区教育局", "2026-10-01")],
    );
    write_reports(&dir.path().join("r2"), &mut r2, &opts, 5).unwrap();
    let fixed = r1
        .findings
        .iter()
        .find(|f| f.target.as_deref().is_some_and(|t| t.ends_with("old.html")))
        .unwrap();
    let new = r2.findings.iter().find(|f| f.site == "fgj").unwrap();
    let stale = r2.findings.iter().find(|f| f.site == "jyj").unwrap();

    let dom = dump_dom(&dir.path().join("r2/report.html"), "");
    let row = |id: &str| {
        let start = dom.find(&format!("data-finding=\"{id}\"")).unwrap();
        let end = start + dom[start..].find("</tr>").unwrap();
        dom[start..end].to_string()
    };
    let new_row = row(&new.id);
    assert!(
        new_row.contains("data-status=\"new\">新增</span>"),
        "{new_row}"
    );
    let stale_row = row(&stale.id);
    assert!(
        stale_row.contains("data-status=\"persisting\">持续 6 天</span>"),
        "{stale_row}"
    );
    assert!(!new_row.contains("持续") && !stale_row.contains("新增"));
    let resolved = tag_with(&dom, "id=\"resolved\"");
    assert!(resolved.starts_with("<section"));
    assert!(dom.contains("三、已整改（1 条）"));
    let fixed_row = tag_with(&dom, &format!("data-resolved=\"{}\"", fixed.id));
    assert!(fixed_row.contains("data-site=\"jyj\""), "{fixed_row}");
    assert!(dom.contains("data-status=\"resolved\">已整改</span>"));
    let persisting = r2.findings.iter().filter(|f| f.site == "jyj").count();
    assert!(persisting >= 1);
    assert_eq!(r2.findings.len(), persisting + 1);
    assert!(dom.contains(&format!(
        "与上次监测（2026-11-20）相比：新增问题 1 条，持续 {persisting} 条，已整改 1 条。"
    )));
    assert!(tag_with(&dom, "id=\"trend-district\"").contains("data-points=\"2\""));
    assert!(tag_with(&dom, "id=\"trend-fgj\"").contains("data-points=\"2\""));
    // The first run has badges too (all new) and an empty 已整改 section.
    let dom1 = dump_dom(&dir.path().join("r1/report.html"), "");
    assert!(!dom1.contains("data-status=\"persisting\""));
    assert!(dom1.contains("首次记录监测结果"));
}
