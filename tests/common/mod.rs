//! Shared helpers for the crawler's integration tests: stage a fixture site
//! into a temp folder (filling in `{{NAME}}` placeholders with the addresses
//! of other test servers), serve it on an ephemeral 127.0.0.1 port, build a
//! small SITES.toml config and crawl it.
#![allow(dead_code)]

use std::path::{Path, PathBuf};

use govaudit::config::Config;
use govaudit::crawl::{crawl_all, CrawlOptions};
use govaudit::serve::{serve_dir, serve_dir_hosts, FixtureServer};
use govaudit::site::{LinkCheck, Site};

/// The User-Agent every test crawl sends.
pub const UA: &str = "govaudit-test/1.0 (+https://example.invalid/govaudit-tests)";

pub fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures")
        .join(name)
}

/// Copy `fixtures/<name>` to a temp folder, replacing `{{KEY}}` in text files.
pub fn stage(name: &str, vars: &[(&str, String)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    copy_dir(&fixture(name), dir.path(), vars);
    dir
}

fn copy_dir(from: &Path, to: &Path, vars: &[(&str, String)]) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let src = entry.path();
        let dst = to.join(entry.file_name());
        if src.is_dir() {
            copy_dir(&src, &dst, vars);
            continue;
        }
        let text_like = matches!(
            src.extension().and_then(|e| e.to_str()),
            Some("html" | "htm" | "txt" | "toml" | "xml")
        );
        let bytes = std::fs::read(&src).unwrap();
        match (text_like, String::from_utf8(bytes.clone())) {
            (true, Ok(mut text)) => {
                for (k, v) in vars {
                    text = text.replace(&format!("{{{{{k}}}}}"), v);
                }
                std::fs::write(&dst, text).unwrap();
            }
            _ => std::fs::write(&dst, bytes).unwrap(),
        }
    }
}

/// Serve a folder on 127.0.0.1, ephemeral port.
pub async fn serve(dir: &Path) -> FixtureServer {
    serve_dir(dir.to_path_buf(), "127.0.0.1:0".parse().unwrap())
        .await
        .expect("fixture server")
}

/// A base URL on which nothing listens (a port bound, then released).
pub fn refused_base() -> String {
    let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = l.local_addr().unwrap().port();
    drop(l);
    format!("http://127.0.0.1:{port}")
}

/// A config for `sites` (id, start URL) with test-sized politeness: no
/// delay, 1 s timeouts, one retry, short backoff.
pub fn config(sites: &[(&str, &str)]) -> Config {
    let mut text = String::new();
    for (id, url) in sites {
        text.push_str(&format!(
            "[[sites]]\nid = \"{id}\"\nname = \"站点{id}\"\nurl = \"{url}\"\n\n"
        ));
    }
    let mut c = Config::parse(Path::new("SITES.toml"), &text).expect("test config");
    c.crawl.user_agent = UA.into();
    c.crawl.per_host_delay_ms = 0;
    c.crawl.timeout_secs = 1;
    c.crawl.connect_timeout_secs = 1;
    c.crawl.retries = 1;
    c.crawl.retry_backoff_ms = 10;
    c.crawl.max_retry_after_secs = 1;
    c
}

/// Crawl every site of `config`, in SITES.toml order.
pub async fn crawl(config: &Config) -> Vec<Site> {
    let mut out = Vec::new();
    crawl_all(config, &CrawlOptions::default(), |s| out.push(s))
        .await
        .expect("crawl");
    out
}

/// The link record for a URL ending in `suffix`.
pub fn link<'a>(site: &'a Site, suffix: &str) -> &'a LinkCheck {
    site.links
        .iter()
        .find(|l| l.url.ends_with(suffix))
        .unwrap_or_else(|| {
            panic!(
                "no link ending in {suffix} among {:#?}",
                site.links.iter().map(|l| &l.url).collect::<Vec<_>>()
            )
        })
}

/// Methods the server saw for a path, in order.
pub fn methods(server: &FixtureServer, path: &str) -> Vec<String> {
    server
        .requests()
        .iter()
        .filter(|r| r.path_and_query.split('?').next() == Some(path))
        .map(|r| r.method.clone())
        .collect()
}

/// Paths (with query) the server was asked for more than once with the same
/// method, robots.txt aside: each distinct URL is fetched once per run.
pub fn requested_twice(server: &FixtureServer) -> Vec<String> {
    let mut seen = std::collections::HashMap::new();
    for r in server.requests() {
        if r.path_and_query != "/robots.txt" && r.method != "POST" {
            *seen
                .entry(format!("{} {}", r.method, r.path_and_query))
                .or_insert(0) += 1;
        }
    }
    let mut twice: Vec<String> = seen
        .into_iter()
        .filter(|(_, n)| *n > 1)
        .map(|(k, _)| k)
        .collect();
    twice.sort();
    twice
}

/// fixtures/sched-shared-host (eight department sites) served on `hosts`
/// loopback addresses, with its SITES.toml loaded and the sites dealt over
/// them in turn (site i on 127.0.0.(i % hosts + 1)); no politeness delay,
/// 5 s timeouts. The runtime (two workers) keeps the server running.
pub fn serve_shared_host(hosts: u8) -> (tokio::runtime::Runtime, FixtureServer, Config) {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let dir = fixture("sched-shared-host");
    let server = rt.block_on(serve_dir_hosts(dir.clone(), hosts)).unwrap();
    let port = server.addr().port();
    let path = dir.join("SITES.toml");
    let text = std::fs::read_to_string(&path).unwrap();
    let mut parts = text.split("{{base}}");
    let mut out = parts.next().unwrap().to_string();
    for (i, part) in parts.enumerate() {
        out.push_str(&format!("127.0.0.{}:{port}", i % usize::from(hosts) + 1));
        out.push_str(part);
    }
    let mut config = Config::parse(&path, &out).unwrap();
    config.crawl.per_host_delay_ms = 0;
    config.crawl.timeout_secs = 5;
    (rt, server, config)
}
