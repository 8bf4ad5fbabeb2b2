//! Crawl benchmark (not a test): generate a portal of 40 department sites
//! and about 21,000 pages in a temp folder, serve it on 127.0.0.1 with
//! crate::serve, crawl it with politeness lifted, and print pages/s and the
//! process's peak RSS (server and crawler together).
//!
//!     cargo bench --bench crawl_portal            # release build
//!     SITES=10 ARTICLES=50 cargo bench --bench crawl_portal
//!
//! Each site: a homepage with a news block and a navigation bar of four
//! columns; each column a plain list of 20 dated items per page with 下一页
//! links; each article ~2 KB of text with a PubDate and an attachment link.

use std::fmt::Write as _;
use std::path::Path;
use std::time::Instant;

use govaudit::config::Config;
use govaudit::crawl::{crawl_all, CrawlOptions};

const COLUMNS: [(&str, &str); 4] = [
    ("gzdt", "工作动态"),
    ("tzgg", "通知公告"),
    ("zcwj", "政策文件"),
    ("zcjd", "政策解读"),
];
const PER_PAGE: usize = 20;

fn env_usize(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn write(root: &Path, rel: &str, text: &str) {
    let p = root.join(rel);
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(p, text).unwrap();
}

fn page(title: &str, nav: &str, body: &str) -> String {
    format!(
        "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>{title}</title></head><body>\
         <div class=\"nav\"><ul>{nav}</ul></div><div class=\"main\">{body}</div>\
         <div class=\"footer\">主办单位：某区某局　联系电话：0571-86010000</div></body></html>\n"
    )
}

/// Generate the portal; returns the number of HTML pages written.
fn generate(root: &Path, sites: usize, articles: usize) -> usize {
    let para = "为深入贯彻落实党中央、国务院关于全面推进政务公开工作的决策部署，进一步提升政务服务水平，现就有关事项通知如下。".repeat(8);
    let mut pages = 0;
    for s in 0..sites {
        let site = format!("s{s:02}");
        let mut nav = format!("<li><a href=\"/{site}/\">首页</a></li>");
        for (dir, name) in COLUMNS {
            let _ = write!(
                nav,
                "<li><a href=\"/{site}/{dir}/index.html\">{name}</a></li>"
            );
        }
        let mut home = String::from("<h3>工作动态</h3><ul>");
        for (c, (dir, name)) in COLUMNS.iter().enumerate() {
            let list_pages = articles.div_ceil(PER_PAGE);
            for lp in 0..list_pages {
                let mut body = format!("<h2>{name}</h2><ul class=\"list\">");
                for i in lp * PER_PAGE..((lp + 1) * PER_PAGE).min(articles) {
                    let day = 28 - (i % 28);
                    let month = 11 - (i / 28) % 10;
                    let date = format!("2026-{month:02}-{day:02}");
                    let href = format!("/{site}/{dir}/content/post_{c}{i:05}.html");
                    let title = format!("某区某局{name}第{i}条信息");
                    let _ = write!(
                        body,
                        "<li><a href=\"{href}\">{title}</a><span>{date}</span></li>"
                    );
                    if c == 0 && i < 8 {
                        let _ = write!(
                            home,
                            "<li><a href=\"{href}\">{title}</a><span>{date}</span></li>"
                        );
                    }
                    let art = format!(
                        "<h1>{title}</h1><p>发布日期：{date}</p><p>{para}</p><p>{para}</p>\
                         <p><a href=\"/{site}/files/{c}{i:05}.pdf\">附件：{title}.pdf</a></p>"
                    );
                    write(
                        root,
                        &format!("{site}/{dir}/content/post_{c}{i:05}.html"),
                        &page(&title, &nav, &art).replace(
                            "<title>",
                            &format!("<meta name=\"PubDate\" content=\"{date}\"><title>"),
                        ),
                    );
                    pages += 1;
                }
                body.push_str("</ul><div class=\"pager\">");
                if lp + 1 < list_pages {
                    let _ = write!(
                        body,
                        "<a href=\"list_{}.html\">下一页</a> <a href=\"list_{}.html\">尾页</a>",
                        lp + 2,
                        list_pages
                    );
                }
                body.push_str("</div>");
                let file = if lp == 0 {
                    "index.html".to_string()
                } else {
                    format!("list_{}.html", lp + 1)
                };
                write(
                    root,
                    &format!("{site}/{dir}/{file}"),
                    &page(name, &nav, &body),
                );
                pages += 1;
            }
        }
        home.push_str("</ul>");
        write(
            root,
            &format!("{site}/index.html"),
            &page(&format!("某区某局{s}"), &nav, &home),
        );
        pages += 1;
        for c in 0..COLUMNS.len() {
            for i in 0..articles {
                write(root, &format!("{site}/files/{c}{i:05}.pdf"), "%PDF-1.4\n");
            }
        }
    }
    pages
}

fn peak_rss_mb() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find(|l| l.starts_with("VmHWM:"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|kb| kb.parse::<f64>().ok())
        .map(|kb| kb / 1024.0)
        .unwrap_or(0.0)
}

fn main() {
    // `cargo bench` passes --bench; `cargo test --all-targets` does not and
    // gets a small smoke run instead of the full portal.
    let full = std::env::args().any(|a| a == "--bench");
    let sites = env_usize("SITES", if full { 40 } else { 2 });
    let articles = env_usize("ARTICLES", if full { 125 } else { 10 });
    let dir = tempfile::tempdir().unwrap();
    let t = Instant::now();
    let pages = generate(dir.path(), sites, articles);
    eprintln!(
        "generated {sites} sites, {pages} pages in {:.1}s",
        t.elapsed().as_secs_f64()
    );
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let server = govaudit::serve::serve_dir(
            dir.path().to_path_buf(),
            "127.0.0.1:0".parse().unwrap(),
        )
        .await
        .unwrap();
        let mut toml = String::from(
            "[crawl]\nconcurrency = 64\nper_host_concurrency = 64\nper_host_delay_ms = 0\nsites_in_flight = 8\nrobots = true\n",
        );
        for s in 0..sites {
            let _ = write!(
                toml,
                "\n[[sites]]\nid = \"s{s:02}\"\nname = \"某局{s}\"\nurl = \"{}/s{s:02}/\"\n",
                server.base_url()
            );
        }
        let config = Config::parse(Path::new("bench.toml"), &toml).unwrap();
        let t = Instant::now();
        let mut crawled_pages = 0u64;
        let mut links = 0u64;
        let summary = crawl_all(&config, &CrawlOptions { progress: full }, |site| {
            crawled_pages += site.pages.len() as u64;
            links += site.links.len() as u64;
        })
        .await
        .unwrap();
        let secs = t.elapsed().as_secs_f64();
        println!(
            "crawl_portal: {} sites, {} pages, {} links checked, {} requests in {:.2}s → {:.0} pages/s, {:.0} requests/s; peak RSS {:.0} MB",
            summary.sites,
            crawled_pages,
            summary.links_checked,
            summary.requests,
            secs,
            crawled_pages as f64 / secs,
            summary.requests as f64 / secs,
            peak_rss_mb()
        );
        assert_eq!(server.requests().len() as u64, summary.requests);
    });
}
