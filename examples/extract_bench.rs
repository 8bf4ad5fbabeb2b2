//! Parse-speed benchmark for src/extract: decodes and parses every HTML file
//! under fixtures/ (the extract samples, the demo portal, the rule fixtures)
//! repeatedly and prints pages per second on one core.
//!
//!     cargo run --release --example extract_bench [ROUNDS]

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

fn main() {
    let rounds: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(20);
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures");
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
    for _ in 0..rounds {
        for (u, b) in &pages {
            let d = govaudit::extract::decode(b, Some("text/html"));
            let p = govaudit::extract::parse_page(u, &d.text);
            items += p.lists.iter().map(|l| l.items.len()).sum::<usize>();
            links += p.links.len();
        }
    }
    let secs = t.elapsed().as_secs_f64();
    let n = pages.len() * rounds;
    println!(
        "{} files ({} KB), {} rounds: {:.0} pages/s, {:.1} MB/s on one core ({} items, {} links)",
        pages.len(),
        bytes / 1024,
        rounds,
        n as f64 / secs,
        (bytes * rounds) as f64 / secs / 1e6,
        items / rounds,
        links / rounds
    );
}
