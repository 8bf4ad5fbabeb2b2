//! The crawler against fixture sites served on 127.0.0.1: politeness
//! (robots.txt, per-host concurrency and delay), link statuses (404, 500,
//! redirect loop, connection refused, timeout), retries, attachments,
//! unreachable sites, once-per-run link checks, crawl traps and the snapshot.

mod common;

use std::time::Duration;

use common::*;
use govaudit::rules::broken_link::{failure, Failure};
use govaudit::site::{LinkCheck, PageKind, Site};

/// The broken-link rule's verdict on the facts the crawl recorded.
fn broken(l: &LinkCheck) -> bool {
    failure(l).is_some()
}

/// Serve crawl-basic (with a refused URL and a shared server filled in) and crawl it.
async fn crawl_basic(
    tune: impl FnOnce(&mut govaudit::config::Config),
) -> (
    Site,
    govaudit::serve::FixtureServer,
    govaudit::serve::FixtureServer,
) {
    let shared = serve(&fixture("crawl-shared")).await;
    let dir = stage(
        "crawl-basic",
        &[("REFUSED", refused_base()), ("SHARED", shared.base_url())],
    );
    let server = serve(dir.path()).await;
    let start = format!("{}/", server.base_url());
    let mut cfg = config(&[("basic", &start)]);
    tune(&mut cfg);
    let mut sites = crawl(&cfg).await;
    drop(dir);
    (sites.remove(0), server, shared)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn robots_disallow_is_never_requested_and_user_agent_is_the_configured_one() {
    let (site, server, _shared) = crawl_basic(|_| {}).await;
    assert!(site.start.ok, "{:?}", site.start);
    let reqs = server.requests();
    assert!(reqs.iter().any(|r| r.path_and_query == "/robots.txt"));
    assert_eq!(
        server.hits("/robots.txt"),
        1,
        "robots.txt fetched once per host"
    );
    assert_eq!(
        server.hits("/private/secret.html"),
        0,
        "a robots.txt-disallowed page was requested"
    );
    let secret = link(&site, "/private/secret.html");
    assert_eq!(secret.skipped.as_deref(), Some("robots.txt"));
    assert!(!broken(secret));
    assert!(site.stats.robots_blocked >= 1);
    for r in &reqs {
        assert_eq!(r.user_agent, UA, "{} {}", r.method, r.path_and_query);
    }
    // The pages themselves were crawled.
    assert!(site.pages.iter().any(|p| p.kind == PageKind::Home));
    assert!(site.pages.iter().any(|p| p.url.ends_with("/news/a1.html")));
    // mailto: and javascript: are never links to check.
    assert!(site
        .links
        .iter()
        .all(|l| l.url.starts_with("http://") || l.url.starts_with("https://")));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn failing_links_are_recorded_with_their_status_or_error() {
    let (site, server, _shared) = crawl_basic(|_| {}).await;
    let missing = link(&site, "/missing.html");
    assert_eq!((missing.status, broken(missing)), (Some(404), true));
    assert!(missing.error.is_none());
    assert_eq!(
        missing.referrers,
        [format!("{}/", server.base_url()).into()]
    );
    assert_eq!(missing.anchor, "已删除的页面");
    assert!(missing.on_homepage && missing.internal);

    let e500 = link(&site, "/err500.html");
    assert_eq!((e500.status, broken(e500)), (Some(500), true));
    assert_eq!(e500.attempts, 2, "5xx is retried once (retries = 1)");

    let lp = link(&site, "/loop-a.html");
    assert_eq!(lp.error.as_deref(), Some("redirect loop"));
    assert!(broken(lp));

    let refused = link(&site, "/gone.html");
    assert_eq!(refused.error.as_deref(), Some("connection refused"));
    assert!(broken(refused) && !refused.internal);
    // retries + 1 HEADs; a dead host gets no GET on top.
    assert_eq!(refused.attempts, 2);

    let slow = link(&site, "/slow.html");
    assert_eq!(slow.error.as_deref(), Some("timeout"));
    assert!(broken(slow));

    let ok = link(&site, "/news/a1.html");
    assert_eq!((ok.status, broken(ok), ok.attempts), (Some(200), false, 1));
    assert!(govaudit::rules::broken_link::count_broken(&site) >= 5);
    // Failed in-scope pages are crawl errors too.
    assert!(site
        .crawl_errors
        .iter()
        .any(|e| e.url.ends_with("/missing.html") && e.status == Some(404)));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn retries_recover_from_one_failure_and_stop_after_the_limit() {
    let (site, server, _shared) = crawl_basic(|c| c.crawl.retries = 2).await;
    let flaky = link(&site, "/flaky.html");
    assert_eq!(
        (flaky.status, broken(flaky), flaky.attempts),
        (Some(200), false, 2)
    );
    assert_eq!(server.hits("/flaky.html"), 2);
    let down = link(&site, "/down.html");
    assert_eq!(
        (down.status, broken(down), down.attempts),
        (Some(503), true, 3)
    );
    assert_eq!(
        server.hits("/down.html"),
        3,
        "retries + 1 requests, no more"
    );
    // 429 with Retry-After: 1 is retried, no sooner than a second later
    // (the configured backoff is 10 ms).
    let busy = link(&site, "/busy.html");
    assert_eq!((busy.status, busy.attempts), (Some(200), 2));
    let starts: Vec<_> = server
        .requests()
        .iter()
        .filter(|r| r.path_and_query == "/busy.html")
        .map(|r| r.started)
        .collect();
    assert_eq!(starts.len(), 2);
    assert!(
        starts[1] - starts[0] >= Duration::from_millis(950),
        "Retry-After ignored: retried after {:?}",
        starts[1] - starts[0]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bodies_over_the_size_cap_are_cut_and_noted() {
    let (site, _server, _shared) = crawl_basic(|c| c.crawl.max_body_bytes = 600).await;
    let home = &site.pages[0];
    assert_eq!(home.kind, PageKind::Home);
    assert!(site
        .crawl_errors
        .iter()
        .any(|e| e.what == "size" && e.url == home.url));
    // The part read still counts: its first links were found, the rest not.
    assert!(home
        .links
        .iter()
        .any(|l| l.url.ends_with("/news/index.html")));
    assert!(!home.links.iter().any(|l| l.url.ends_with("/shared.html")));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn attachments_are_checked_with_head_falling_back_to_get() {
    // The link check alone (reading attachments is tests/attachments.rs).
    let (site, server, _shared) = crawl_basic(|c| c.crawl.attachments = false).await;
    let pdf = link(&site, "/files/report.pdf");
    assert!(pdf.attachment && !broken(pdf));
    assert_eq!(pdf.status, Some(200));
    assert_eq!(methods(&server, "/files/report.pdf"), vec!["HEAD"]);
    // Linked from the homepage and from a2.html, in discovery order.
    assert_eq!(pdf.referrers.len(), 2, "{:?}", pdf.referrers);
    assert!(pdf.referrers[0].ends_with('/'));
    assert!(pdf.referrers[1].ends_with("/news/a2.html"));

    let doc = link(&site, "/files/plan.doc");
    assert!(doc.attachment && !broken(doc));
    assert_eq!(doc.status, Some(200));
    assert_eq!(methods(&server, "/files/plan.doc"), vec!["HEAD", "GET"]);
    // Attachments are never parsed as pages.
    assert!(site.pages.iter().all(|p| !p.url.ends_with(".pdf")));
}

/// Config for crawl-slow: many slow pages on one host.
async fn crawl_slow(
    tune: impl FnOnce(&mut govaudit::config::Config),
) -> (Site, govaudit::serve::FixtureServer) {
    let server = serve(&fixture("crawl-slow")).await;
    let start = format!("{}/", server.base_url());
    let mut cfg = config(&[("slow", &start)]);
    tune(&mut cfg);
    let mut sites = crawl(&cfg).await;
    (sites.remove(0), server)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn per_host_concurrency_limit_holds() {
    let (site, server) = crawl_slow(|c| {
        c.crawl.per_host_concurrency = 2;
        c.crawl.concurrency = 16;
    })
    .await;
    assert_eq!(site.pages.len(), 25);
    let max = server.max_in_flight_per_host();
    assert!(max <= 2, "per-host limit 2 broken: {max} in flight");
    assert!(max >= 2, "crawler never used its two slots ({max})");

    let (site, server) = crawl_slow(|c| {
        c.crawl.per_host_concurrency = 1;
        c.crawl.concurrency = 16;
    })
    .await;
    assert_eq!(site.pages.len(), 25);
    assert_eq!(server.max_in_flight_per_host(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn per_host_delay_spaces_request_starts() {
    let delay = Duration::from_millis(250);
    let (site, server) = crawl_slow(|c| {
        c.crawl.per_host_concurrency = 4;
        c.crawl.per_host_delay_ms = delay.as_millis() as u64;
        c.crawl.max_pages_per_site = 6;
    })
    .await;
    assert_eq!(site.pages.len(), 6);
    let mut starts: Vec<_> = server.requests().iter().map(|r| r.started).collect();
    starts.sort();
    assert_eq!(starts.len(), 7, "robots.txt and six pages");
    // The server sees a request a little after the crawler starts it, and
    // that lag varies on a loaded machine: each gap gets half the delay of
    // slack, the whole run one delay. Without the delay the four slots would
    // start requests together (gaps near zero).
    for w in starts.windows(2) {
        let gap = w[1] - w[0];
        assert!(
            gap >= delay / 2,
            "two requests started {gap:?} apart (delay {delay:?})"
        );
    }
    let span = starts[6] - starts[0];
    assert!(span >= delay * 5, "7 requests within {span:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unreachable_site_is_recorded_while_the_others_are_crawled() {
    let shared = serve(&fixture("crawl-shared")).await;
    let vars = [("SHARED", shared.base_url())];
    let a_dir = stage("crawl-mini", &vars);
    let b_dir = stage("crawl-mini", &vars);
    let a = serve(a_dir.path()).await;
    let b = serve(b_dir.path()).await;
    let dead = format!("{}/", refused_base());
    let (a_url, b_url) = (format!("{}/", a.base_url()), format!("{}/", b.base_url()));
    let cfg = config(&[("a", &a_url), ("dead", &dead), ("b", &b_url)]);
    let sites = crawl(&cfg).await;
    let ids: Vec<_> = sites.iter().map(|s| s.id.as_str()).collect();
    assert_eq!(
        ids,
        ["a", "dead", "b"],
        "sites come back in SITES.toml order"
    );
    let d = &sites[1];
    assert!(!d.start.ok);
    assert_eq!(d.start.error.as_deref(), Some("connection refused"));
    assert_eq!(d.start.attempts, 2);
    assert!(d.homepage.is_none() && d.pages.is_empty());
    for s in [&sites[0], &sites[2]] {
        assert!(s.start.ok, "{:?}", s.start);
        assert_eq!(s.pages.len(), 3, "{}", s.id);
        assert!(
            s.stats.bytes > 500 && s.stats.requests >= 3,
            "{:?}",
            s.stats
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_url_linked_from_two_sites_is_requested_once() {
    let shared = serve(&fixture("crawl-shared")).await;
    let vars = [("SHARED", shared.base_url())];
    let a_dir = stage("crawl-mini", &vars);
    let b_dir = stage("crawl-mini", &vars);
    let a = serve(a_dir.path()).await;
    let b = serve(b_dir.path()).await;
    let (a_url, b_url) = (format!("{}/", a.base_url()), format!("{}/", b.base_url()));
    let cfg = config(&[("a", &a_url), ("b", &b_url)]);
    let sites = crawl(&cfg).await;
    assert_eq!(shared.hits("/shared.html"), 1);
    for s in &sites {
        let l = link(s, "/shared.html");
        assert_eq!((l.status, broken(l)), (Some(200), false), "{}", s.id);
        // Linked from the homepage and page1, in discovery order.
        assert_eq!(l.referrers.len(), 2, "{:?}", l.referrers);
        assert!(l.on_homepage && !l.internal);
    }
    // Each site's own pages were each requested once.
    assert_eq!(a.hits("/page1.html"), 1);
    assert_eq!(b.hits("/page1.html"), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn robots_crawl_delay_spaces_requests_to_that_host() {
    let shared = serve(&fixture("crawl-shared")).await;
    let dir = stage("crawl-mini", &[("SHARED", shared.base_url())]);
    std::fs::write(
        dir.path().join("robots.txt"),
        "User-agent: *\nCrawl-delay: 1\n",
    )
    .unwrap();
    let server = serve(dir.path()).await;
    let mut cfg = config(&[("slowly", &format!("{}/", server.base_url()))]);
    cfg.crawl.per_host_concurrency = 4;
    let site = crawl(&cfg).await.remove(0);
    assert_eq!(site.pages.len(), 3);
    let mut starts: Vec<_> = server
        .requests()
        .iter()
        .filter(|r| r.path_and_query != "/robots.txt")
        .map(|r| r.started)
        .collect();
    starts.sort();
    assert_eq!(starts.len(), 3);
    // Half a second of slack for server-side jitter; none would be ~0.
    for w in starts.windows(2) {
        assert!(
            w[1] - w[0] >= Duration::from_millis(500),
            "{:?}",
            w[1] - w[0]
        );
    }
    assert!(starts[2] - starts[0] >= Duration::from_millis(1500));
    // The other host (the shared page) is not slowed: it has no Crawl-delay.
    assert_eq!(shared.hits("/shared.html"), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn robots_txt_server_error_allows_the_crawl_and_is_noted() {
    let shared = serve(&fixture("crawl-shared")).await;
    let dir = stage("crawl-mini", &[("SHARED", shared.base_url())]);
    let routes = std::fs::read_to_string(dir.path().join("_routes.toml")).unwrap();
    std::fs::write(
        dir.path().join("_routes.toml"),
        format!("{routes}\n[[route]]\npath = \"/robots.txt\"\nstatus = 500\nbody = \"oops\"\n"),
    )
    .unwrap();
    let server = serve(dir.path()).await;
    let cfg = config(&[("r500", &format!("{}/", server.base_url()))]);
    let site = crawl(&cfg).await.remove(0);
    assert_eq!(site.pages.len(), 3);
    let note = site
        .crawl_errors
        .iter()
        .find(|e| e.what == "robots")
        .expect("robots.txt failure noted");
    assert!(note.url.ends_with("/robots.txt"));
    assert!(note.error.contains("HTTP 500"), "{}", note.error);
    assert_eq!(
        server.hits("/robots.txt"),
        1,
        "robots.txt is asked once, not retried"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_redirected_robots_txt_is_followed() {
    let shared = serve(&fixture("crawl-shared")).await;
    let dir = stage("crawl-mini", &[("SHARED", shared.base_url())]);
    std::fs::write(
        dir.path().join("robots-moved.txt"),
        "User-agent: *\nDisallow: /page2.html\n",
    )
    .unwrap();
    let routes = std::fs::read_to_string(dir.path().join("_routes.toml")).unwrap();
    std::fs::write(
        dir.path().join("_routes.toml"),
        format!("{routes}\n[[route]]\npath = \"/robots.txt\"\nredirect = \"/robots-moved.txt\"\n"),
    )
    .unwrap();
    let server = serve(dir.path()).await;
    let cfg = config(&[("moved-robots", &format!("{}/", server.base_url()))]);
    let site = crawl(&cfg).await.remove(0);
    assert_eq!(server.hits("/robots-moved.txt"), 1);
    assert_eq!(server.hits("/page2.html"), 0);
    assert_eq!(
        link(&site, "/page2.html").skipped.as_deref(),
        Some("robots.txt")
    );
    assert_eq!(site.pages.len(), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_start_page_that_moved_takes_the_scope_with_it() {
    let shared = serve(&fixture("crawl-shared")).await;
    let dir = stage("crawl-mini", &[("SHARED", shared.base_url())]);
    let server = serve(dir.path()).await;
    let cfg = config(&[("moved", &format!("{}/old/", server.base_url()))]);
    let site = crawl(&cfg).await.remove(0);
    assert!(site.start.ok);
    assert_eq!(
        site.start.final_url.as_deref(),
        Some(format!("{}/", server.base_url()).as_str())
    );
    // /page1.html is outside /old/ but inside the folder the site moved to.
    assert_eq!(
        site.pages.len(),
        3,
        "{:?}",
        site.pages.iter().map(|p| &p.url).collect::<Vec<_>>()
    );
    assert!(link(&site, "/page2.html").internal);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn meta_refresh_and_script_redirects_are_followed_once() {
    let server = serve(&fixture("crawl-refresh")).await;
    let cfg = config(&[("refresh", &format!("{}/", server.base_url()))]);
    let site = crawl(&cfg).await.remove(0);
    assert!(site.start.ok);
    assert_eq!(
        site.start.final_url.as_deref(),
        Some(format!("{}/portal/index.html", server.base_url()).as_str())
    );
    let home = &site.pages[0];
    assert_eq!(home.title, "跳转测试局");
    let titles: Vec<_> = site.pages.iter().map(|p| p.title.as_str()).collect();
    assert!(
        titles.contains(&"新闻") && titles.contains(&"新栏目"),
        "{titles:?}"
    );
    // Each target requested once, although pages also link them directly.
    assert_eq!(requested_twice(&server), Vec::<String>::new());
    assert_eq!(server.hits("/portal/index.html"), 1);
    assert_eq!(server.hits("/portal/moved.html"), 1);
    // A big page that merely mentions location.href is not a redirect.
    assert_eq!(server.hits("/portal/elsewhere.html"), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_endless_calendar_is_cut_by_the_trap_guard() {
    let server = serve(&fixture("crawl-calendar")).await;
    let start = format!("{}/", server.base_url());
    let mut cfg = config(&[("cal", &start)]);
    cfg.crawl.max_depth = 1000;
    cfg.crawl.max_pages_per_site = 1000;
    cfg.crawl.max_calendar_pages = 12;
    let site = crawl(&cfg).await.remove(0);
    let cal_requests = server
        .requests()
        .iter()
        .filter(|r| r.path_and_query.starts_with("/cal/"))
        .count();
    assert_eq!(cal_requests, 12, "calendar pages fetched");
    assert!(site.stats.trap_dropped >= 1);
    let dropped = site
        .links
        .iter()
        .find(|l| l.skipped.as_deref() == Some("crawl trap: calendar"))
        .expect("the 13th month is recorded as dropped");
    assert!(dropped.url.contains("/cal/2027/1/"), "{}", dropped.url);
    assert!(site.pages.iter().any(|p| p.url.ends_with("/about.html")));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_page_cap_bounds_a_site() {
    let (site, server) = crawl_slow(|c| c.crawl.max_pages_per_site = 5).await;
    assert_eq!(site.pages.len(), 5);
    let page_requests = server
        .requests()
        .iter()
        .filter(|r| r.path_and_query.starts_with("/p/"))
        .count();
    assert_eq!(page_requests, 4);
    assert_eq!(site.stats.trap_dropped, 20);
}

#[test]
fn crawl_command_writes_a_snapshot_that_reads_back_equal() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let shared = rt.block_on(serve(&fixture("crawl-shared")));
    let dir = stage("crawl-mini", &[("SHARED", shared.base_url())]);
    let server = rt.block_on(serve(dir.path()));
    let out = tempfile::tempdir().unwrap();
    let cfg_path = out.path().join("SITES.toml");
    std::fs::write(
        &cfg_path,
        format!(
            "[audit]\nname = \"测试\"\n\n[crawl]\nuser_agent = \"{UA}\"\nper_host_delay_ms = 0\ntimeout_secs = 2\n\n\
             [[sites]]\nid = \"mini\"\nname = \"小站点\"\nurl = \"{}/\"\n",
            server.base_url()
        ),
    )
    .unwrap();
    let snap = out.path().join("snap");
    let crawled = govaudit::audit::crawl_to_snapshot(&cfg_path, &snap, Default::default()).unwrap();
    assert_eq!(crawled.dir, snap);
    assert_eq!(crawled.summary.sites, 1);
    let (dir2, manifest) = govaudit::snapshot::read_manifest(&snap).unwrap();
    assert_eq!(manifest.sites, vec!["mini"]);
    assert_eq!(manifest.audit_name.as_deref(), Some("测试"));
    assert!(manifest.finished_at.is_some());
    let site = govaudit::snapshot::read_site(&dir2, "mini").unwrap();
    assert_eq!(site.pages.len(), 3);
    assert!(site.start.ok);

    // Crawl again in-process and write through the writer: reads back equal.
    let cfg = govaudit::config::Config::load(&cfg_path).unwrap();
    let crawled = rt.block_on(crawl(&cfg)).remove(0);
    let snap2 = out.path().join("snap2");
    let mut w = govaudit::snapshot::SnapshotWriter::create(
        &snap2,
        None,
        "2026-11-26T02:00:00+08:00".into(),
    )
    .unwrap();
    w.write_site(&crawled).unwrap();
    w.finish("2026-11-26T02:01:00+08:00".into()).unwrap();
    let (d, m) = govaudit::snapshot::read_manifest(&snap2.join("manifest.json")).unwrap();
    let back: Vec<Site> = govaudit::snapshot::sites(&d, &m)
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(back, vec![crawled]);
    // No temp files left behind.
    let names: Vec<_> = std::fs::read_dir(snap2.join("sites"))
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    assert_eq!(names, vec!["mini.json"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn real_servers_failing_head_are_checked_with_get_and_download_scripts_are_attachments() {
    let server = serve(&fixture("crawl-real")).await;
    let start = format!("{}/", server.base_url());
    let mut cfg = config(&[("real", &start)]);
    // The link check alone (reading attachments is tests/attachments.rs).
    cfg.crawl.attachments = false;
    let mut sites = crawl(&cfg).await;
    let site = sites.remove(0);
    assert!(site.start.ok, "{:?}", site.start);
    // HEAD 404 but GET 200 (IIS-style): not broken.
    let pdf = link(&site, "/files/iis-plan.PDF");
    assert!(pdf.attachment && !broken(pdf), "{pdf:?}");
    assert_eq!((pdf.head_status, pdf.status), (Some(404), Some(200)));
    assert_eq!(methods(&server, "/files/iis-plan.PDF"), vec!["HEAD", "GET"]);
    // downfile.jsp?…&filename=<hex>.pdf: an attachment, checked (HEAD 400,
    // then GET), never fetched and parsed as a page.
    let dl = link(&site, "filename=c3c762128f0e47dd8d5954e4808028ff.pdf");
    assert!(dl.attachment && !broken(dl), "{dl:?}");
    assert_eq!(
        methods(&server, "/module/download/downfile.jsp"),
        vec!["HEAD", "GET"]
    );
    assert!(site.pages.iter().all(|p| !p.url.contains("downfile.jsp")));
    // A file that is really gone stays broken.
    let gone = link(&site, "/files/gone.pdf");
    assert!(broken(gone), "{gone:?}");
    assert_eq!(gone.status, Some(404));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn real_servers_redirecting_missing_pages_to_an_error_page_are_broken_links() {
    let server = serve(&fixture("crawl-real")).await;
    let start = format!("{}/", server.base_url());
    let mut sites = crawl(&config(&[("real", &start)])).await;
    let site = sites.remove(0);
    // 302 → /404.aspx (200): the crawl records where it ended, the rule
    // judges the link dead, whatever the last status.
    let removed = link(&site, "/zwdt/removed.html");
    assert_eq!(
        (removed.status, removed.error.as_deref()),
        (Some(200), None)
    );
    assert!(
        removed
            .final_url
            .as_deref()
            .is_some_and(|u| u.ends_with("/404.aspx")),
        "{removed:?}"
    );
    assert_eq!(
        failure(removed),
        Some(Failure::ErrorPage(
            "redirect to error page /404.aspx".into()
        )),
        "{removed:?}"
    );
    // A redirect to a real page is no broken link.
    let moved = link(&site, "/zwdt/moved.html");
    assert!(!broken(moved), "{moved:?}");
    assert_eq!(moved.error, None);
    // The error page's text is recorded too (页面不存在 in its title), as a
    // fact the rule does not need here; the real page reads as none.
    assert!(removed.soft_404 && !moved.soft_404, "{removed:?} {moved:?}");
}

/// Progress comes as events the binary draws: every site starts and ends,
/// every URL queued is done once, failures are counted, and nothing follows
/// `Finished`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn progress_events_balance_per_site() {
    use govaudit::crawl::{crawl_all, CrawlOptions, Event, Progress, ProgressSink};
    use std::collections::HashMap;
    use std::sync::{Arc, Mutex};

    #[derive(Default)]
    struct Record(Mutex<Vec<String>>);
    impl Progress for Record {
        fn event(&self, e: Event<'_>) {
            let line = match e {
                Event::Started { sites } => format!("started {sites}"),
                Event::SiteStarted { site } => format!("site {site}"),
                Event::Queued { site, urls } => format!("queued {site} {urls}"),
                Event::UrlDone { site, failed } => format!("done {site} {failed}"),
                Event::SiteDone { site } => format!("end {site}"),
                Event::Finished => "finished".into(),
            };
            self.0.lock().unwrap().push(line);
        }
    }

    let shared = serve(&fixture("crawl-shared")).await;
    let dir = stage(
        "crawl-basic",
        &[("REFUSED", refused_base()), ("SHARED", shared.base_url())],
    );
    let server = serve(dir.path()).await;
    let dead = format!("{}/", refused_base());
    let live = format!("{}/", server.base_url());
    let cfg = config(&[("basic", &live), ("dead", &dead)]);
    let record = Arc::new(Record::default());
    let options = CrawlOptions {
        progress: ProgressSink::new(record.clone()),
        ..Default::default()
    };
    crawl_all(&cfg, &options, |_| {}).await.unwrap();
    let events = record.0.lock().unwrap().clone();
    assert_eq!(events.first().map(String::as_str), Some("started 2"));
    assert_eq!(events.last().map(String::as_str), Some("finished"));
    let mut queued: HashMap<String, u64> = HashMap::new();
    let mut done: HashMap<String, (u64, u64)> = HashMap::new();
    for e in &events {
        let w: Vec<&str> = e.split(' ').collect();
        match w[0] {
            "queued" => *queued.entry(w[1].into()).or_default() += w[2].parse::<u64>().unwrap(),
            "done" => {
                let d = done.entry(w[1].into()).or_default();
                d.0 += 1;
                d.1 += u64::from(w[2] == "true");
            }
            _ => {}
        }
    }
    for id in ["basic", "dead"] {
        let start = events.iter().position(|e| *e == format!("site {id}"));
        let end = events.iter().position(|e| *e == format!("end {id}"));
        assert!(start < end && start.is_some(), "{id}: {events:?}");
        assert_eq!(queued[id], done[id].0, "{id}: queued vs done");
    }
    // The dead site's start page failed; the live one has 404s, 500s and
    // timeouts among its links.
    assert_eq!(done["dead"], (1, 1));
    assert!(done["basic"].1 >= 4, "{:?}", done["basic"]);
}
