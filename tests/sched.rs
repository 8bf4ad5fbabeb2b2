//! The host-based scheduler (src/crawl/mod.rs, issue 8 "Polite throughput
//! across many hosts"), over real HTTP on loopback: sites that are folders
//! of one host share its politeness limit and all complete; sites on several
//! hosts (127.0.0.x) are spread over them; the memory budget
//! `max_memory_mb` (and the deprecated `sites_in_flight`) bound the sites
//! held at once, as the crawl's `max_sites_held` counter shows.

mod common;

use std::collections::BTreeSet;
use std::path::Path;

use govaudit::config::Config;
use govaudit::crawl::{
    crawl_all, crawl_all_as_finished, crawl_all_handing_over, CrawlOptions, CrawlSummary, HandOver,
};
use govaudit::site::Site;

use common::serve_shared_host as serve;

fn crawl(rt: &tokio::runtime::Runtime, config: &Config) -> (Vec<Site>, CrawlSummary) {
    let mut sites = Vec::new();
    let summary = rt
        .block_on(crawl_all(config, &CrawlOptions::default(), |s| {
            sites.push(s)
        }))
        .unwrap();
    (sites, summary)
}

/// Every department site was crawled whole: homepage, two column lists,
/// three articles each.
fn assert_complete(sites: &[Site]) {
    assert_eq!(sites.len(), 8);
    for s in sites {
        assert!(s.start.ok, "{}: {:?}", s.id, s.start);
        assert_eq!(s.pages.len(), 9, "{}: {:?}", s.id, s.crawl_errors);
        assert_eq!(s.columns.len(), 2, "{}", s.id);
        assert!(s.crawl_errors.is_empty(), "{}: {:?}", s.id, s.crawl_errors);
    }
}

#[test]
fn sites_sharing_one_host_all_complete_within_its_limit() {
    let (rt, server, mut config) = serve(1);
    config.crawl.per_host_concurrency = 2;
    let (sites, summary) = crawl(&rt, &config);
    assert_complete(&sites);
    // Handed over in SITES.toml order.
    let ids: Vec<&str> = sites.iter().map(|s| s.id.as_str()).collect();
    assert_eq!(ids, ["d1", "d2", "d3", "d4", "d5", "d6", "d7", "d8"]);
    // The host never saw more than its two requests at once, though every
    // answer waits 20 ms and several sites were crawled at once.
    assert!(
        server.max_in_flight_per_host() <= 2,
        "{}",
        server.max_in_flight_per_host()
    );
    assert!(server.max_in_flight_per_host() >= 1);
    assert!(summary.max_sites_held >= 2, "{summary:?}");
    let hosts: BTreeSet<String> = server.requests().into_iter().map(|r| r.host).collect();
    assert_eq!(hosts.len(), 1, "{hosts:?}");
}

#[test]
fn sites_on_many_hosts_are_crawled_side_by_side() {
    let (rt, server, mut config) = serve(4);
    config.crawl.per_host_concurrency = 1;
    let (sites, summary) = crawl(&rt, &config);
    assert_complete(&sites);
    let hosts: BTreeSet<String> = server.requests().into_iter().map(|r| r.host).collect();
    assert_eq!(hosts.len(), 4, "{hosts:?}");
    // One request at a time per host, yet two sites per host and four
    // hosts: all eight held at once.
    assert_eq!(server.max_in_flight_per_host(), 1);
    assert_eq!(summary.max_sites_held, 8, "{summary:?}");
}

#[test]
fn the_memory_budget_bounds_the_sites_held_at_once() {
    let (rt, _server, mut config) = serve(8);
    // Plenty of memory: every site starts at once.
    let (sites, roomy) = crawl(&rt, &config);
    assert_complete(&sites);
    assert_eq!(roomy.max_sites_held, 8, "{roomy:?}");
    // 1 MB is less than the process held before the first site: the sites
    // get the least budget (256 KB), less than a site is assumed to come
    // to before any has finished (1 MB), so they run one at a time — and every site is still
    // crawled, none waiting for memory that cannot come back (the site
    // crawling is always the oldest, which never waits).
    config.crawl.max_memory_mb = 1;
    let (sites, tight) = crawl(&rt, &config);
    assert_complete(&sites);
    assert_eq!(tight.max_sites_held, 1, "{tight:?}");
    assert_eq!(tight.memory_wait_secs, 0.0, "{tight:?}");
    assert!(tight.max_sites_held < roomy.max_sites_held);
    // The deprecated sites_in_flight still bounds it from above.
    config.crawl.max_memory_mb = 300;
    config.crawl.sites_in_flight = Some(3);
    let (sites, bounded) = crawl(&rt, &config);
    assert_complete(&sites);
    assert_eq!(bounded.max_sites_held, 3, "{bounded:?}");
}

#[test]
fn sites_handed_over_as_they_finish_are_all_there() {
    let (rt, server, config) = serve(1);
    let mut sites = Vec::new();
    let summary = rt
        .block_on(crawl_all_as_finished(
            &config,
            &CrawlOptions::default(),
            |s| sites.push(s),
        ))
        .unwrap();
    assert_complete(&sites);
    let ids: BTreeSet<&str> = sites.iter().map(|s| s.id.as_str()).collect();
    assert_eq!(ids.len(), 8);
    // Nothing waits to be handed over, so the sites held are the sites
    // crawling: one host holds max(per_host_concurrency, 2) = 2 of them,
    // since more would only share the same two request slots.
    assert_eq!(summary.max_sites_held, 2, "{summary:?}");
    assert!(server.max_in_flight_per_host() <= 2);
}

/// A caller that judges sites on a thread of its own (as `govaudit audit`
/// does) gives each site back by dropping its HandOver: until then the site
/// still counts as held, so a judge that falls behind holds new sites back
/// instead of letting finished ones pile up. The crawl never waits for the
/// judge to make progress: at least one site always runs.
#[test]
fn sites_handed_over_count_as_held_until_given_back() {
    let (rt, _server, mut config) = serve(8);
    config.crawl.sites_in_flight = Some(2);
    // Given back at once: never more than the two crawling.
    let mut sites = Vec::new();
    let prompt = rt
        .block_on(crawl_all_handing_over(
            &config,
            &CrawlOptions::default(),
            |s, done| {
                sites.push(s);
                drop(done);
            },
        ))
        .unwrap();
    assert_complete(&sites);
    assert_eq!(prompt.max_sites_held, 2, "{prompt:?}");
    // Kept until the end (a judge that never catches up): every site is
    // still crawled, one at a time once two are held, and the held count
    // shows the sites waiting for the judge.
    let mut sites = Vec::new();
    let mut kept: Vec<HandOver> = Vec::new();
    let slow = rt
        .block_on(crawl_all_handing_over(
            &config,
            &CrawlOptions::default(),
            |s, done| {
                sites.push(s);
                kept.push(done);
            },
        ))
        .unwrap();
    assert_complete(&sites);
    assert_eq!(slow.max_sites_held, 8, "{slow:?}");
    drop(kept);
    // Given back from another thread, as the audit's judge does.
    let (tx, rx) = std::sync::mpsc::channel::<(Site, HandOver)>();
    let judge = std::thread::spawn(move || rx.into_iter().map(|(s, _done)| s).collect::<Vec<_>>());
    let threaded = rt
        .block_on(crawl_all_handing_over(
            &config,
            &CrawlOptions::default(),
            |s, done| tx.send((s, done)).unwrap(),
        ))
        .unwrap();
    drop(tx);
    assert_complete(&judge.join().unwrap());
    assert!(threaded.max_sites_held >= 2, "{threaded:?}");
}

#[test]
fn max_memory_mb_and_sites_in_flight_load_from_sites_toml() {
    let text = "[crawl]\nmax_memory_mb = 120\nsites_in_flight = 4\n\n[[sites]]\nid = \"a\"\nname = \"A\"\nurl = \"http://127.0.0.1:9/\"\n";
    let c = Config::parse(Path::new("SITES.toml"), text).unwrap();
    assert_eq!(c.crawl.max_memory_mb, 120);
    assert_eq!(c.crawl.sites_in_flight, Some(4));
    let c = Config::parse(
        Path::new("SITES.toml"),
        "[[sites]]\nid = \"a\"\nname = \"A\"\nurl = \"http://127.0.0.1:9/\"\n",
    )
    .unwrap();
    assert_eq!(c.crawl.max_memory_mb, 300);
    assert_eq!(c.crawl.sites_in_flight, None);
    let e = Config::parse(
        Path::new("SITES.toml"),
        "[crawl]\nmax_memory_mb = 0\n\n[[sites]]\nid = \"a\"\nname = \"A\"\nurl = \"http://127.0.0.1:9/\"\n",
    )
    .unwrap_err()
    .to_string();
    assert!(e.contains("SITES.toml:2: crawl.max_memory_mb"), "{e}");
}
