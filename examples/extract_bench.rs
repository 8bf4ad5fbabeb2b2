//! Parse-speed benchmark for src/extract: decodes and parses every HTML file
//! under fixtures/ (the extract samples, the demo portal, the rule fixtures)
//! repeatedly and prints pages per second on one core.
//!
//!     cargo run --release --example extract_bench [ROUNDS] [DIR]
//!
//! DIR (default fixtures/) can be a portal kept by
//! `cargo bench --bench crawl_portal -- --keep /tmp/portal`.

use std::path::{Path, PathBuf};
use std::time::Instant;

fn html_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(rd) = std::fs::read_dir(dir) else {
        return;
    };
    for e in rd.flatten() {
        let p = e.path();
        if p.is_dir() {
            html_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "html" || x == "htm") {
            out.push(p);
        }
    }
}

/// CPU time of this thread in seconds (Linux /proc), so a loaded machine
/// does not skew the figure the way wall-clock time does.
fn cpu_secs() -> Option<f64> {
    let s = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    let ns: f64 = s.split_whitespace().next()?.parse().ok()?;
    Some(ns / 1e9)
}

fn main() {
    let rounds: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(20);
    let root = std::env::args()
        .nth(2)
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures"));
    let mut files = Vec::new();
    html_files(&root, &mut files);
    files.sort();
    let pages: Vec<(url::Url, Vec<u8>)> = files
        .iter()
        .map(|p| {
            let rel = p
                .strip_prefix(&root)
                .unwrap()
                .to_string_lossy()
                .replace('\\', "/");
            let u = url::Url::parse(&format!("http://bench.example.gov.cn/{rel}")).unwrap();
            (u, std::fs::read(p).unwrap())
        })
        .collect();
    let bytes: usize = pages.iter().map(|(_, b)| b.len()).sum();
    let (mut items, mut links) = (0usize, 0usize);
    let t = Instant::now();
    let cpu0 = cpu_secs();
    for _ in 0..rounds {
        for (u, b) in &pages {
            let d = govaudit::extract::decode(b, Some("text/html"));
            let p = govaudit::extract::parse_page(u, &d.text);
            items += p.lists.iter().map(|l| l.items.len()).sum::<usize>();
            links += p.links.len();
        }
    }
    let secs = t.elapsed().as_secs_f64();
    let cpu = cpu0.and_then(|c0| Some(cpu_secs()? - c0));
    let n = pages.len() * rounds;
    println!(
        "{} files ({} KB), {} rounds: {:.0} pages/s wall, {:.1} MB/s ({} items, {} links)",
        pages.len(),
        bytes / 1024,
        rounds,
        n as f64 / secs,
        (bytes * rounds) as f64 / secs / 1e6,
        items / rounds,
        links / rounds
    );
    if let Some(cpu) = cpu {
        println!(
            "CPU time {:.2} s: {:.0} pages per CPU-second, {:.3} ms per page",
            cpu,
            n as f64 / cpu,
            cpu * 1e3 / n as f64
        );
    }
}
