//! Measures the typo checker: precision/recall of flagged characters on the ECSpell
//! official-document (ODW) set, false alarms on clean government text, load time and
//! throughput. Not a test: a report for the README.
//!
//! ```text
//! cargo run --release --example typo_eval -- [DATA_DIR] [--train] [--show N] [--no-bench]
//!     [--deduct T] [--rw X] [--name X] [--place X] [--official X]
//! ```
//! The table sweeps the deduct threshold of the confusion detector (everything else at
//! its default, or as overridden by the tuning flags); "no conf" = dictionary and serious
//! names only.
//! DATA_DIR defaults to $GOVAUDIT_TYPO_DATA or ../shared/data/typos beside the checkout (the files named
//! in rules/typos/SOURCES.md). `--train` reports on ecspell_odw.train.tsv (the tuning
//! set) instead of the test set; `--show N` prints up to N misses and false alarms.
//! The name-rich section checks fixtures/typo-names-eval/ (invented district pages full
//! of leaders, name lists, 姓名 tables and company award lists; see its gen.py) page by
//! page with the site's name book, as the typo rule does: precision and recall of the
//! planted misused words at deduct-or-veto, and hints (warn) and deduct/veto false
//! alarms per 100,000 characters on the clean version.
//! The speed section times `check_dictionary` (the known-misspellings pass) and `check`
//! (everything) on ~8 KB pages of the clean corpora, single thread.

use std::path::{Path, PathBuf};
use std::time::Instant;

use govaudit::rules::Severity;
use govaudit::typo::{NameBook, Tuning, TypoChecker, TypoHit, TypoKind};

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

fn pages(path: &Path) -> Vec<String> {
    std::fs::read_to_string(path)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
        .split("\n=====\n")
        .map(str::to_string)
        .collect()
}

/// The name-rich evaluation: (page, char offset, wrong, right, group) planted errors.
fn names_eval(checker: &TypoChecker, show: usize) {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/typo-names-eval");
    let clean = pages(&dir.join("clean.txt"));
    let planted = pages(&dir.join("planted.txt"));
    let plants: Vec<(usize, usize, String, String, String)> =
        std::fs::read_to_string(dir.join("planted.tsv"))
            .expect("planted.tsv")
            .lines()
            .filter(|l| !l.starts_with('#') && !l.is_empty())
            .map(|l| {
                let f: Vec<&str> = l.split('\t').collect();
                (
                    f[0].parse().unwrap(),
                    f[1].parse().unwrap(),
                    f[2].to_string(),
                    f[3].to_string(),
                    f[4].to_string(),
                )
            })
            .collect();
    let chars: usize = clean.iter().map(|p| p.chars().count()).sum();
    for (label, with_book) in [("with the site's name book", true), ("page alone", false)] {
        let book_of = |ps: &[String]| {
            if with_book {
                checker.name_book(ps.iter().map(String::as_str))
            } else {
                NameBook::default()
            }
        };
        // Clean text: every deduct/veto is a false alarm, every warn a hint.
        let book = book_of(&clean);
        let (mut fa, mut warns, mut shown) = (0usize, 0usize, 0usize);
        for p in &clean {
            for h in checker.check_with(p, &[], &book) {
                if h.kind == TypoKind::Wording {
                    continue;
                }
                if severe(&h) {
                    fa += 1;
                } else {
                    warns += 1;
                }
                if shown < show {
                    shown += 1;
                    println!(
                        "  clean {:?} {:?} {} → {} 「{}」",
                        h.severity, h.kind, h.wrong, h.suggest, h.context
                    );
                }
            }
        }
        // Planted text: recall per group and precision at deduct-or-veto.
        let book = book_of(&planted);
        let mut found = vec![false; plants.len()];
        let (mut tp, mut fp) = (0usize, 0usize);
        for (pi, p) in planted.iter().enumerate() {
            for h in checker
                .check_with(p, &[], &book)
                .iter()
                .filter(|h| severe(h))
            {
                let (s, e) = (p[..h.start].chars().count(), p[..h.end].chars().count());
                let hit = plants.iter().position(|(pp, off, w, _, _)| {
                    *pp == pi && s < off + w.chars().count() && *off < e
                });
                match hit {
                    Some(i) => {
                        tp += 1;
                        found[i] = true;
                    }
                    None => {
                        fp += 1;
                        if show > 0 {
                            println!(
                                "  planted FP {:?} {} → {} 「{}」",
                                h.kind, h.wrong, h.suggest, h.context
                            );
                        }
                    }
                }
            }
        }
        println!("  {label}:");
        for group in ["list", "lt-dev", "lt-test", "extra"] {
            let idx: Vec<usize> = (0..plants.len())
                .filter(|&i| plants[i].4 == group)
                .collect();
            let got = idx.iter().filter(|&&i| found[i]).count();
            let missed: Vec<&str> = idx
                .iter()
                .filter(|&&i| !found[i])
                .map(|&i| plants[i].2.as_str())
                .take(if show > 0 { usize::MAX } else { 12 })
                .collect();
            println!(
                "    recall ({group}): {got}/{} = {:.3}   missed: {}",
                idx.len(),
                got as f64 / idx.len().max(1) as f64,
                missed.join(" ")
            );
        }
        println!(
            "    precision at deduct-or-veto: {tp}/{} = {:.3}; recall of all planted: {:.3}",
            tp + fp,
            tp as f64 / (tp + fp).max(1) as f64,
            found.iter().filter(|&&f| f).count() as f64 / plants.len() as f64
        );
        println!(
            "    clean version ({chars} chars): {fa} deduct/veto = {:.2} per 100k; {warns} typo warns = {:.2} per 100k",
            fa as f64 * 1e5 / chars as f64,
            warns as f64 * 1e5 / chars as f64
        );
        if with_book {
            println!("    name book: {} names used site-wide", book.names().len());
        }
    }
}

fn clean_false_alarms(checker: &TypoChecker, clean: &[(&str, Vec<String>)]) -> (usize, usize) {
    let mut fa = 0;
    let mut chars = 0;
    for (_, lines) in clean {
        for l in lines {
            chars += l.chars().count();
            fa += checker.check(l, &[]).iter().filter(|h| severe(h)).count();
        }
    }
    (fa, chars)
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let dir = args
        .iter()
        .find(|a| !a.starts_with("--") && a.parse::<f64>().is_err())
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("GOVAUDIT_TYPO_DATA").map(PathBuf::from))
        .unwrap_or_else(|| {
            // ../shared beside the checkout, or beside the folder of worktrees.
            let here = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
            let near = here.join("../shared/data/typos");
            if near.is_dir() {
                near
            } else {
                here.join("../../shared/data/typos")
            }
        });
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
    let mut base = checker.tuning();
    if let Some(d) = args
        .iter()
        .position(|a| a == "--deduct")
        .and_then(|i| args.get(i + 1))
        .and_then(|s| s.parse::<f32>().ok())
    {
        base.confusion_deduct = d;
    }
    let arg_f = |name: &str| -> Option<f32> {
        args.iter()
            .position(|a| a == name)
            .and_then(|i| args.get(i + 1))
            .and_then(|s| s.parse::<f32>().ok())
    };
    if let Some(x) = arg_f("--rw") {
        base.penalties.real_word = x;
    }
    if let Some(x) = arg_f("--name") {
        base.penalties.name = x;
    }
    if let Some(x) = arg_f("--official") {
        base.penalties.official_bonus = x;
    }
    if let Some(x) = arg_f("--org") {
        base.penalties.org = x;
    }
    if let Some(x) = arg_f("--idiom") {
        base.penalties.idiom_bonus = x;
    }
    if let Some(x) = arg_f("--place") {
        base.penalties.place = x;
    }
    println!(
        "\n{set_name}: flagged characters at deduct-or-veto severity; clean-text false alarms"
    );
    println!("  deduct≥  precision  recall  corr-prec  (tp/fp/gold)   clean FA per 100k chars");
    for d in [
        6.0f32, 8.0, 9.0, 10.0, 11.0, 11.5, 12.0, 12.5, 13.0, 14.0, 1e9,
    ] {
        checker.set_tuning(Tuning {
            confusion_warn: base.confusion_warn.min(d),
            confusion_deduct: d,
            ..base
        });
        let s = evaluate(&checker, &set, 0);
        let p = s.tp as f64 / (s.tp + s.fp).max(1) as f64;
        let r = s.tp as f64 / s.gold.max(1) as f64;
        let (fa, chars) = clean_false_alarms(&checker, &clean);
        let label = if d >= 1e9 {
            "no conf".to_string()
        } else {
            format!("{d:>4.1}")
        };
        println!(
            "  {label:>7}  {p:>9.3}  {r:>6.3}  {:>9.3}  ({}/{}/{})  {:>8.2} ({fa})",
            s.fixed as f64 / s.tp.max(1) as f64,
            s.tp,
            s.fp,
            s.gold,
            fa as f64 * 1e5 / chars as f64
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
                    if shown < show {
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

    println!("\nname-rich government text (fixtures/typo-names-eval)");
    names_eval(&checker, show);

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
