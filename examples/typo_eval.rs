//! Measures the typo checker: precision/recall of flagged characters on the ECSpell
//! official-document (ODW) set, false alarms on clean government text, load time and
//! throughput. Not a test: a report for the README.
//!
//! ```text
//! cargo run --release --example typo_eval -- [DATA_DIR] [--train] [--show N] [--no-bench]
//! ```
//! DATA_DIR defaults to $GOVAUDIT_TYPO_DATA or /work/shared/data/typos (the files named
//! in rules/typos/SOURCES.md). `--train` reports on ecspell_odw.train.tsv (the tuning
//! set) instead of the test set; `--show N` prints up to N misses and false alarms.

use std::path::{Path, PathBuf};
use std::time::Instant;

use govaudit::rules::Severity;
use govaudit::typo::{Tuning, TypoChecker, TypoHit, TypoKind};

struct Pair {
    src: Vec<char>,
    tgt: Vec<char>,
}

fn read(dir: &Path, name: &str) -> String {
    std::fs::read_to_string(dir.join(name))
        .unwrap_or_else(|e| panic!("{}: {e}", dir.join(name).display()))
}

fn odw(dir: &Path, name: &str) -> Vec<Pair> {
    read(dir, name)
        .lines()
        .filter_map(|l| {
            let f: Vec<&str> = l.split('\t').collect();
            (f.len() >= 3).then(|| Pair {
                src: f[1].chars().collect(),
                tgt: f[2].chars().collect(),
            })
        })
        .collect()
}

fn severe(h: &TypoHit) -> bool {
    matches!(h.severity, Severity::Veto | Severity::Deduct)
}

/// Char indices (in the checked text) a hit flags as wrong.
fn flagged_chars(text: &str, h: &TypoHit) -> Vec<usize> {
    let first = text[..h.start].chars().count();
    let w: Vec<char> = h.wrong.chars().collect();
    let s: Vec<char> = h.suggest.chars().collect();
    if w.len() == s.len() {
        (0..w.len())
            .filter(|&i| w[i] != s[i])
            .map(|i| first + i)
            .collect()
    } else {
        (first..first + w.len()).collect()
    }
}

#[derive(Default, Debug, Clone, Copy)]
struct Score {
    tp: usize,
    fp: usize,
    gold: usize,
    fixed: usize,
}

fn evaluate(checker: &TypoChecker, set: &[Pair], show: usize) -> Score {
    let mut sc = Score::default();
    let mut shown_fp = 0;
    let mut shown_fn = 0;
    for p in set {
        if p.src.len() != p.tgt.len() {
            continue; // one line of the test set is misaligned
        }
        let text: String = p.src.iter().collect();
        let gold: Vec<usize> = (0..p.src.len()).filter(|&i| p.src[i] != p.tgt[i]).collect();
        sc.gold += gold.len();
        let hits = checker.check(&text, &[]);
        let mut found = Vec::new();
        for h in hits.iter().filter(|h| severe(h)) {
            let chars = flagged_chars(&text, h);
            let sug: Vec<char> = h.suggest.chars().collect();
            let first = text[..h.start].chars().count();
            for &i in &chars {
                if gold.contains(&i) {
                    sc.tp += 1;
                    found.push(i);
                    if sug.get(i - first) == Some(&p.tgt[i]) {
                        sc.fixed += 1;
                    }
                } else {
                    sc.fp += 1;
                    if shown_fp < show {
                        shown_fp += 1;
                        println!(
                            "  FP {:?} {} → {} 「{}」",
                            h.kind, h.wrong, h.suggest, h.context
                        );
                    }
                }
            }
        }
        for &g in &gold {
            if !found.contains(&g) && shown_fn < show {
                shown_fn += 1;
                let lo = g.saturating_sub(6);
                let hi = (g + 7).min(p.src.len());
                let ctx: String = p.src[lo..hi].iter().collect();
                println!("  FN {} → {} 「{}」", p.src[g], p.tgt[g], ctx);
            }
        }
    }
    sc
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let dir = args
        .iter()
        .find(|a| !a.starts_with("--") && a.parse::<usize>().is_err())
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("GOVAUDIT_TYPO_DATA").map(PathBuf::from))
        .unwrap_or_else(|| PathBuf::from("/work/shared/data/typos"));
    let train = args.iter().any(|a| a == "--train");
    let bench = !args.iter().any(|a| a == "--no-bench");
    let show: usize = args
        .iter()
        .position(|a| a == "--show")
        .and_then(|i| args.get(i + 1))
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);

    let t0 = Instant::now();
    let mut checker = TypoChecker::builtin();
    let load = t0.elapsed();
    println!(
        "load: TypoChecker::builtin() in {:.0} ms",
        load.as_secs_f64() * 1000.0
    );

    let set_name = if train {
        "ecspell_odw.train.tsv"
    } else {
        "ecspell_odw.test.tsv"
    };
    let set = odw(&dir, set_name);
    let base = checker.tuning();
    println!("\n{set_name}: flagged characters at deduct-or-veto severity");
    println!("  deduct≥  precision  recall  correction-precision  (tp/fp/gold)");
    for d in [8.0f32, 10.0, 12.0, 14.0, 16.0, 18.0, 20.0, 1e9] {
        checker.set_tuning(Tuning {
            confusion_warn: base.confusion_warn.min(d),
            confusion_deduct: d,
        });
        let s = evaluate(&checker, &set, 0);
        let p = s.tp as f64 / (s.tp + s.fp).max(1) as f64;
        let r = s.tp as f64 / s.gold.max(1) as f64;
        let label = if d >= 1e9 {
            "dict".to_string()
        } else {
            format!("{d:>4.0}")
        };
        println!(
            "  {label:>7}  {p:>9.3}  {r:>6.3}  {:>20.3}  ({}/{}/{})",
            s.fixed as f64 / s.tp.max(1) as f64,
            s.tp,
            s.fp,
            s.gold
        );
    }
    checker.set_tuning(base);
    let s = evaluate(&checker, &set, show);
    println!(
        "  default (deduct≥{}): precision {:.3} recall {:.3}",
        base.confusion_deduct,
        s.tp as f64 / (s.tp + s.fp).max(1) as f64,
        s.tp as f64 / s.gold.max(1) as f64
    );

    // False alarms on clean text.
    let mut clean: Vec<(&str, Vec<String>)> = Vec::new();
    let mut odw_clean = Vec::new();
    for name in ["ecspell_odw.train.tsv", "ecspell_odw.test.tsv"] {
        for p in odw(&dir, name) {
            odw_clean.push(p.tgt.iter().collect::<String>());
        }
    }
    clean.push(("ODW corrected (train+test)", odw_clean));
    clean.push((
        "pycorrector_ec_law_test corrected",
        read(&dir, "pycorrector_ec_law_test.tsv")
            .lines()
            .filter_map(|l| l.split('\t').nth(1).map(str::to_string))
            .collect(),
    ));
    clean.push((
        "ecspell_policy_titles",
        read(&dir, "ecspell_policy_titles.txt")
            .lines()
            .map(str::to_string)
            .collect(),
    ));
    println!("\nfalse alarms on clean text (deduct-or-veto / warn)");
    let mut total_chars = 0usize;
    let mut total_severe = 0usize;
    let mut shown = 0;
    for (name, lines) in &clean {
        let chars: usize = lines.iter().map(|l| l.chars().count()).sum();
        let mut severe_n = 0;
        let mut warn_n = 0;
        for l in lines {
            for h in checker.check(l, &[]) {
                if severe(&h) {
                    severe_n += 1;
                    if shown < show.max(20) {
                        shown += 1;
                        println!(
                            "  FA {:?} {} → {} 「{}」",
                            h.kind, h.wrong, h.suggest, h.context
                        );
                    }
                } else if h.kind != TypoKind::Wording {
                    warn_n += 1;
                }
            }
        }
        total_chars += chars;
        total_severe += severe_n;
        println!(
            "  {name}: {chars} chars, {severe_n} deduct/veto ({:.2} per 100k), {warn_n} typo warns",
            severe_n as f64 * 1e5 / chars as f64
        );
    }
    println!(
        "  all clean text: {total_chars} chars, {total_severe} deduct/veto = {:.2} per 100,000 chars",
        total_severe as f64 * 1e5 / total_chars as f64
    );

    if bench {
        // Throughput on page-sized chunks of clean government text (single thread).
        let mut corpus = String::new();
        for (_, lines) in &clean {
            for l in lines {
                corpus.push_str(l);
                corpus.push('\n');
            }
        }
        let chunks: Vec<&str> = corpus.lines().collect();
        let mut pages: Vec<String> = Vec::new();
        let mut cur = String::new();
        for c in chunks {
            cur.push_str(c);
            cur.push('\n');
            if cur.len() > 8_000 {
                pages.push(std::mem::take(&mut cur));
            }
        }
        pages.push(cur);
        let bytes: usize = pages.iter().map(String::len).sum();
        println!(
            "\nspeed (single thread, {} pages, {:.1} MB per round)",
            pages.len(),
            bytes as f64 / 1e6
        );
        let rounds = 3;
        let t = Instant::now();
        let mut n = 0;
        for _ in 0..rounds * 10 {
            for p in &pages {
                n += checker.check_dictionary(p, &[]).len();
            }
        }
        let dt = t.elapsed().as_secs_f64();
        println!(
            "  dictionary pass: {:.1} MB/s ({n} hits)",
            (bytes * rounds * 10) as f64 / 1e6 / dt
        );
        let t = Instant::now();
        let mut n = 0;
        for _ in 0..rounds {
            for p in &pages {
                n += checker.check(p, &[]).len();
            }
        }
        let dt = t.elapsed().as_secs_f64();
        println!(
            "  full check:      {:.2} MB/s ({n} hits)",
            (bytes * rounds) as f64 / 1e6 / dt
        );
    }
}
