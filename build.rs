//! Build script: fingerprints the extractor's source (src/extract/, the
//! column-class keywords, the site model it fills) into
//! `GOVAUDIT_EXTRACT_HASH`, and the attachment readers (src/attachment/)
//! into `GOVAUDIT_ATTACHMENT_HASH`, so the incremental crawl
//! (src/crawl/cache.rs) ignores what a govaudit whose extractor or readers
//! differed stored; and the typo engine (its code, every data file under
//! rules/typos/, the rule, the locked dependencies) into
//! `GOVAUDIT_TYPO_HASH`, which keys the typo results kept between runs
//! (src/rules/typo.rs, the history database's `text_cache`).

use std::path::{Path, PathBuf};

/// Files under `dir`: `.rs` and `.toml` ones, or all with `any`.
fn files(dir: &Path, any: bool, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let p = e.path();
        if p.is_dir() {
            files(&p, any, out);
        } else if any || p.extension().is_some_and(|x| x == "rs" || x == "toml") {
            out.push(p);
        }
    }
}

/// FNV-1a (64 bits, stable across builds and Rust versions) over the
/// files under `inputs` (see [`files`]), each named; also tells cargo to
/// rerun on them.
fn fingerprint(inputs: &[&str], any: bool) -> u64 {
    let mut all = Vec::new();
    for i in inputs {
        println!("cargo:rerun-if-changed={i}");
        let p = Path::new(i);
        if p.is_dir() {
            files(p, any, &mut all);
        } else {
            all.push(p.to_path_buf());
        }
    }
    all.sort();
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for f in &all {
        let name = f.to_string_lossy().replace('\\', "/");
        let bytes = std::fs::read(f).unwrap_or_default();
        for b in name.bytes().chain([0]).chain(bytes).chain([0]) {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
    }
    h
}

fn main() {
    let extract = fingerprint(
        &["src/extract", "src/site.rs", "rules/column-classes.toml"],
        false,
    );
    println!("cargo:rustc-env=GOVAUDIT_EXTRACT_HASH={extract:016x}");
    let attachment = fingerprint(&["src/attachment"], false);
    println!("cargo:rustc-env=GOVAUDIT_ATTACHMENT_HASH={attachment:016x}");
    let typo = fingerprint(
        &["src/typo", "rules/typos", "src/rules/typo.rs", "Cargo.lock"],
        true,
    );
    println!("cargo:rustc-env=GOVAUDIT_TYPO_HASH={typo:016x}");
}
