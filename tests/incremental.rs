//! Incremental nightly crawl (issue 10): with a history database, pages are
//! asked for with If-None-Match / If-Modified-Since and a 304 reuses what
//! the last run extracted. Real audits (the binary) against fixture sites
//! on 127.0.0.1 whose server answers conditional requests honestly (strong
//! ETag from the content, Last-Modified from the mtime), or only with
//! Last-Modified, or a weak ETag, or not at all.
//!
//! What must hold: a second run of an unchanged portal downloads under 10%
//! of the first's bytes and reports exactly the same; a page changed
//! between runs is read again and its finding changes (the run equals a
//! fresh --no-history audit of the changed site); a server that ignores
//! conditionals still works; --no-history never sends a conditional
//! request; entries of another extractor version are not used.

mod common;

use std::path::Path;
use std::process::Command;

use common::{fixture, stage};
use govaudit::serve::{serve_dir, FixtureServer};
use serde_json::Value;

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap()
}

fn serve(rt: &tokio::runtime::Runtime, root: &Path) -> FixtureServer {
    rt.block_on(serve_dir(
        root.to_path_buf(),
        std::net::SocketAddr::from(([127, 0, 0, 1], 0)),
    ))
    .unwrap()
}

/// `govaudit audit` in `cwd` (history in cwd/reports/history.sqlite unless
/// `extra` says otherwise); report.json of `out`.
fn audit(cwd: &Path, config: &str, out: &str, extra: &[&str]) -> Value {
    let mut args = vec![
        "audit",
        "--config",
        config,
        "--as-of",
        "2026-11-26",
        "--out",
        out,
        "--quiet",
    ];
    args.extend_from_slice(extra);
    let o = Command::new(env!("CARGO_BIN_EXE_govaudit"))
        .args(&args)
        .current_dir(cwd)
        .output()
        .unwrap();
    assert!(
        o.status.code().is_some_and(|c| c <= 1),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    serde_json::from_str(&std::fs::read_to_string(cwd.join(out).join("report.json")).unwrap())
        .unwrap()
}

/// The report without what differs between runs by design (time, history
/// annotations, crawl totals).
fn judged(r: &Value) -> Value {
    let mut r = r.clone();
    let o = r.as_object_mut().unwrap();
    for k in ["generated_at", "previous", "resolved", "trend", "crawl"] {
        o.remove(k);
    }
    for f in o["findings"].as_array_mut().unwrap() {
        let f = f.as_object_mut().unwrap();
        f.remove("status");
        f.remove("first_seen");
    }
    r
}

fn crawl(r: &Value, k: &str) -> u64 {
    r["crawl"][k]
        .as_u64()
        .unwrap_or_else(|| panic!("crawl.{k} in {}", r["crawl"]))
}

fn conditional_requests(server: &FixtureServer) -> usize {
    server.requests().iter().filter(|r| r.conditional).count()
}

fn config_for(root: &str, server: &FixtureServer, cwd: &Path, name: &str) {
    let text = std::fs::read_to_string(fixture(root).join("SITES.toml"))
        .unwrap()
        .replace("{{base}}", &server.addr().to_string());
    std::fs::write(cwd.join(name), text).unwrap();
}

#[test]
fn an_unchanged_portal_is_read_from_304s_and_judged_the_same() {
    // The demo portal: nine sites in every list style (JCMS datastores and
    // dataproxy POSTs, TRS paging, 信息公开目录 tables, GBK pages).
    let rt = runtime();
    let site = stage("demo-portal", &[]);
    let server = serve(&rt, site.path());
    let dir = tempfile::tempdir().unwrap();
    let cwd = dir.path();
    config_for("demo-portal", &server, cwd, "SITES.toml");

    let fresh = audit(cwd, "SITES.toml", "plain", &["--no-history"]);
    assert!(fresh.get("crawl").is_none(), "no history, no crawl totals");
    assert_eq!(
        conditional_requests(&server),
        0,
        "--no-history is never conditional"
    );

    let r1 = audit(cwd, "SITES.toml", "r1", &[]);
    assert_eq!(conditional_requests(&server), 0, "nothing stored yet");
    assert_eq!(crawl(&r1, "not_modified"), 0);
    // What the memory budget allowed and cost: the nine small sites share
    // one host (two crawl at once, more wait for the judges), and none
    // ever waited for memory within the default 300 MB.
    assert!(
        (2..=9).contains(&crawl(&r1, "max_sites_held")),
        "{}",
        r1["crawl"]
    );
    assert_eq!(r1["crawl"]["memory_wait_secs"], 0.0);
    let before = server.requests().len();
    let r2 = audit(cwd, "SITES.toml", "r2", &[]);
    let asked = server.requests()[before..]
        .iter()
        .filter(|r| r.conditional)
        .count();
    assert!(asked > 0);
    let (b1, b2) = (crawl(&r1, "bytes"), crawl(&r2, "bytes"));
    assert!(b1 > 100_000, "run 1 read {b1} bytes");
    assert!(b2 * 10 < b1, "run 2 read {b2} bytes of run 1's {b1}");
    let reused = crawl(&r2, "not_modified");
    assert!(
        reused as usize >= asked * 9 / 10 && reused * 10 > crawl(&r2, "pages") * 9,
        "{reused} pages reused of {} pages, {asked} conditional requests",
        crawl(&r2, "pages")
    );
    assert_eq!(crawl(&r1, "pages"), crawl(&r2, "pages"));
    // The typo results of the unchanged texts were kept, not computed again.
    assert_eq!(crawl(&r1, "text_cache_hits"), 0);
    // (Every page that answered; `not_modified` also counts attachments.)
    let (hits, pages) = (crawl(&r2, "text_cache_hits"), crawl(&r2, "pages"));
    assert!(hits * 10 >= pages * 9, "{hits} of {pages} pages");
    // Exactly the same judgement, and the same as without history.
    assert_eq!(judged(&r2), judged(&r1));
    assert_eq!(judged(&r1), judged(&fresh));
    for f in r2["findings"].as_array().unwrap() {
        assert_eq!(f["status"], "persisting", "{f}");
    }

    // Another extractor version wrote the entries: none is used (and the
    // pages are not even asked for conditionally), and the run rewrites them.
    let db = rusqlite::Connection::open(cwd.join("reports/history.sqlite")).unwrap();
    let n = db
        .execute("UPDATE url_cache SET version = '0.0.1+old/1'", [])
        .unwrap();
    assert!(n > 0);
    let before = server.requests().len();
    let r3 = audit(cwd, "SITES.toml", "r3", &[]);
    assert!(server.requests()[before..].iter().all(|r| !r.conditional));
    assert_eq!(crawl(&r3, "not_modified"), 0);
    assert!(crawl(&r3, "bytes") * 10 > b1 * 9);
    assert_eq!(judged(&r3), judged(&r1));
    let old: i64 = db
        .query_row(
            "SELECT COUNT(*) FROM url_cache WHERE version = '0.0.1+old/1'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(old, 0, "re-read pages replace the old entries");
}

/// Overlay `fixtures/history/v2` (bmj fills its empty 通知公告, breaks a
/// new link old-b.html, fixes old-a.html) onto `dir`.
fn overlay_v2(dir: &Path) {
    fn walk(from: &Path, to: &Path) {
        std::fs::create_dir_all(to).unwrap();
        for e in std::fs::read_dir(from).unwrap() {
            let e = e.unwrap();
            let dst = to.join(e.file_name());
            if e.path().is_dir() {
                walk(&e.path(), &dst);
            } else {
                std::fs::copy(e.path(), &dst).unwrap();
                // Newer than anything a run has seen, whatever the clock's
                // granularity: If-Modified-Since servers must see a change.
                let later = std::time::SystemTime::now() + std::time::Duration::from_secs(5);
                std::fs::File::options()
                    .write(true)
                    .open(&dst)
                    .unwrap()
                    .set_modified(later)
                    .unwrap();
            }
        }
    }
    walk(&fixture("history/v2"), dir);
}

fn find<'a>(r: &'a Value, rule: &str, tail: &str) -> Option<&'a Value> {
    r["findings"].as_array().unwrap().iter().find(|f| {
        f["rule"] == rule
            && f["target"]
                .as_str()
                .unwrap_or(f["url"].as_str().unwrap())
                .ends_with(tail)
    })
}

/// A change between two history runs of fixtures/history, with the server
/// answering conditionals as `routes` says.
fn change_between_runs(routes: &str) -> (Value, Value, Value, usize) {
    let rt = runtime();
    let site = stage("history/v1", &[]);
    std::fs::write(site.path().join("_routes.toml"), routes).unwrap();
    let server = serve(&rt, site.path());
    let dir = tempfile::tempdir().unwrap();
    let cwd = dir.path();
    config_for("history", &server, cwd, "SITES.toml");
    let r1 = audit(cwd, "SITES.toml", "r1", &[]);
    assert!(find(&r1, "column-empty", "/bmj/tzgg/index.html").is_some());
    assert!(find(&r1, "broken-link", "/bmj/old-a.html").is_some());
    overlay_v2(site.path());
    let before = server.requests().len();
    let r2 = audit(cwd, "SITES.toml", "r2", &[]);
    let asked = server.requests()[before..]
        .iter()
        .filter(|r| r.conditional)
        .count();
    // The changed pages were read again: the filled column is no longer
    // empty, the new broken link is found, the fixed one is gone.
    assert!(find(&r2, "column-empty", "/bmj/tzgg/index.html").is_none());
    let b = find(&r2, "broken-link", "/bmj/old-b.html").expect("old-b.html found broken");
    assert_eq!(b["status"], "new");
    assert!(find(&r2, "broken-link", "/bmj/old-a.html").is_none());
    assert!(find(&r2, "broken-link", "/wdj/gone.html").is_some());
    // And the incremental run judges exactly as a fresh one.
    let fresh = audit(cwd, "SITES.toml", "fresh", &["--no-history"]);
    assert_eq!(judged(&r2), judged(&fresh));
    (r1, r2, fresh, asked)
}

#[test]
fn a_changed_page_is_read_again_with_etags() {
    let (_, r2, _, asked) = change_between_runs("");
    assert!(asked > 0);
    assert!(
        crawl(&r2, "not_modified") > 0,
        "wdj is unchanged: {}",
        r2["crawl"]
    );
}

#[test]
fn servers_with_only_last_modified_or_weak_etags_work() {
    for mode in ["last-modified", "weak-etag"] {
        let routes =
            format!("# every file: validators = {mode}\n[[route]]\npath = \"/*\"\nvalidators = \"{mode}\"\n");
        let (_, r2, _, asked) = change_between_runs(&routes);
        assert!(asked > 0, "{mode}");
        assert!(crawl(&r2, "not_modified") > 0, "{mode}: {}", r2["crawl"]);
    }
}

#[test]
fn a_server_that_ignores_conditionals_still_works() {
    let routes =
        "# every file: 200 to conditional requests too\n[[route]]\npath = \"/*\"\nignore_conditional = true\n";
    let (r1, r2, _, asked) = change_between_runs(routes);
    assert!(
        asked > 0,
        "validators were sent, so requests were conditional"
    );
    assert_eq!(crawl(&r2, "not_modified"), 0);
    assert!(crawl(&r2, "bytes") * 2 > crawl(&r1, "bytes"));
}

/// Attachments (issue 7: "each attachment downloaded once per run and only
/// when its URL is new or changed"): a second run asks for every attachment
/// conditionally and takes what was read from it before on a 304; an
/// attachment replaced between runs is downloaded and read again.
#[test]
fn unchanged_attachments_are_not_read_again_and_a_replaced_one_is() {
    let rt = runtime();
    let site = stage("pii-exposed", &[]);
    let server = serve(&rt, site.path());
    let dir = tempfile::tempdir().unwrap();
    let cwd = dir.path();
    config_for("pii-exposed", &server, cwd, "SITES.toml");
    let leaks = |r: &Value, file: &str| {
        r["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| {
                f["rule"] == "pii-exposed" && f["url"].as_str().unwrap_or("").ends_with(file)
            })
            .count()
    };
    let attachment_gets = |from: usize| -> Vec<(String, bool)> {
        server.requests()[from..]
            .iter()
            .filter(|r| r.method == "GET" && r.path_and_query.starts_with("/gs/files/"))
            .map(|r| (r.path_and_query.clone(), r.conditional))
            .collect()
    };

    let r1 = audit(cwd, "SITES.toml", "r1", &[]);
    assert!(leaks(&r1, "jz-2026q4.xlsx") > 0, "{:#}", r1["findings"]);
    let read_1 = attachment_gets(0);
    assert!(read_1.len() >= 4, "{read_1:?}");
    assert!(read_1.iter().all(|(_, c)| !c), "nothing stored yet");

    let before = server.requests().len();
    let r2 = audit(cwd, "SITES.toml", "r2", &[]);
    let read_2 = attachment_gets(before);
    // Every attachment read whole in run 1 (and the one too large to read)
    // is asked for conditionally, none twice.
    let conditional: Vec<_> = read_2.iter().filter(|(_, c)| *c).collect();
    assert!(conditional.len() >= 4, "{read_2:?}");
    assert!(
        read_2
            .iter()
            .any(|(p, c)| p.ends_with("jz-2026q4.xlsx") && *c),
        "{read_2:?}"
    );
    assert!(
        read_2
            .iter()
            .all(|(p, _)| read_2.iter().filter(|(q, _)| q == p).count() == 1),
        "{read_2:?}"
    );
    assert!(crawl(&r2, "not_modified") > 0);
    assert_eq!(judged(&r2), judged(&r1));

    // The leaking 名单 is replaced by its masked version: read again, silent.
    std::fs::copy(
        site.path().join("gs/files/tm-mingdan.xlsx"),
        site.path().join("gs/files/jz-2026q4.xlsx"),
    )
    .unwrap();
    let later = std::time::SystemTime::now() + std::time::Duration::from_secs(5);
    std::fs::File::options()
        .write(true)
        .open(site.path().join("gs/files/jz-2026q4.xlsx"))
        .unwrap()
        .set_modified(later)
        .unwrap();
    let r3 = audit(cwd, "SITES.toml", "r3", &[]);
    assert_eq!(leaks(&r3, "jz-2026q4.xlsx"), 0, "{:#}", r3["findings"]);
    assert_eq!(leaks(&r3, "bz-mingdan.pdf"), leaks(&r1, "bz-mingdan.pdf"));
    let fresh = audit(cwd, "SITES.toml", "fresh", &["--no-history"]);
    assert_eq!(judged(&r3)["findings"], judged(&fresh)["findings"]);
}

/// Typo results are kept per text (table `text_cache`, keyed on the typo
/// engine's fingerprint and the page's text): a second run of an unchanged
/// site takes them from the database and judges exactly as a fresh audit;
/// a page changed to contain a typo (or to lose one) is checked again and
/// its finding changes the same night; a server that sends no validators
/// (every page downloaded again) still gets the results of texts that did
/// not change, as the key is the text, not the URL.
#[test]
fn typo_results_are_reused_for_unchanged_texts_and_never_hide_a_change() {
    for mode in ["both", "none"] {
        let rt = runtime();
        let site = stage("typo", &[]);
        std::fs::write(
            site.path().join("_routes.toml"),
            format!("# every file: validators = {mode}\n[[route]]\npath = \"/*\"\nvalidators = \"{mode}\"\n"),
        )
        .unwrap();
        let server = serve(&rt, site.path());
        let dir = tempfile::tempdir().unwrap();
        let cwd = dir.path();
        config_for("typo", &server, cwd, "SITES.toml");
        let typos = |r: &Value| -> Vec<(String, String)> {
            let mut v: Vec<(String, String)> = r["findings"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|f| f["rule"] == "typo")
                .map(|f| {
                    let url = f["url"].as_str().unwrap();
                    let path = &url[url.find("/cuozi/").or(url.find("/renshe/")).unwrap()..];
                    (
                        path.to_string(),
                        f["evidence"]["wrong"].as_str().unwrap().to_string(),
                    )
                })
                .collect();
            v.sort();
            v
        };

        let r1 = audit(cwd, "SITES.toml", "r1", &[]);
        assert_eq!(crawl(&r1, "text_cache_hits"), 0, "{mode}: nothing kept yet");
        let r2 = audit(cwd, "SITES.toml", "r2", &[]);
        let hits = crawl(&r2, "text_cache_hits");
        assert!(
            hits >= crawl(&r2, "pages") - 2,
            "{mode}: every page's typo result reused: {}",
            r2["crawl"]
        );
        let fresh = audit(cwd, "SITES.toml", "fresh", &["--no-history"]);
        assert_eq!(judged(&r2), judged(&fresh), "{mode}");
        assert!(typos(&r2).contains(&("/cuozi/gzdt/content/post_1.html".into(), "再接再励".into())));

        // One page gains a typo, another loses its own.
        let edit = |file: &str, from: &str, to: &str| {
            let p = site.path().join(file);
            let text = std::fs::read_to_string(&p).unwrap();
            assert!(text.contains(from), "{file}: {from}");
            std::fs::write(&p, text.replace(from, to)).unwrap();
            let later = std::time::SystemTime::now() + std::time::Duration::from_secs(5);
            std::fs::File::options()
                .write(true)
                .open(&p)
                .unwrap()
                .set_modified(later)
                .unwrap();
        };
        edit(
            "renshe/gzdt/content/post_2.html",
            "帮助企业稳定岗位。",
            "帮助企业稳定岗位，各科室要认真贯切执行。",
        );
        edit("cuozi/gzdt/content/post_1.html", "再接再励", "再接再厉");
        let r3 = audit(cwd, "SITES.toml", "r3", &[]);
        let found = typos(&r3);
        assert!(
            found.contains(&("/renshe/gzdt/content/post_2.html".into(), "贯切执行".into())),
            "{mode}: the new typo is found: {found:?}"
        );
        assert!(
            !found.iter().any(|(_, w)| w == "再接再励"),
            "{mode}: the fixed typo is gone: {found:?}"
        );
        let again = crawl(&r3, "text_cache_hits");
        assert!(again > 0 && again < hits, "{mode}: {} then {}", hits, again);
        let fresh = audit(cwd, "SITES.toml", "fresh3", &["--no-history"]);
        assert_eq!(judged(&r3), judged(&fresh), "{mode}");
    }
}
