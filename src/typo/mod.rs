//! Typo (错别字) detection: known misspellings, confusion-set detection,
//! serious errors in names that must never be misspelt, and wording checks.
//!
//! One [`TypoChecker`] is loaded per audit ([`TypoChecker::builtin`], all data bundled
//! from rules/typos/ at compile time) and [`TypoChecker::check`] runs per page. Modules:
//! `lexicon` (word frequencies + segmenter), `dict` (known wrong→right pairs),
//! `confusion` (same-sound / look-alike detection), `serious` (veto names), `wording`
//! (doubled words, brackets, cautionary terms), `cli` (`govaudit check-text`).

mod cli;
pub mod confusion;
pub mod dict;
pub mod lexicon;
pub mod names;
pub mod serious;
pub mod wording;

use serde::{Deserialize, Serialize};

use crate::rules::Severity;

use confusion::{ConfusionSets, WildIndex};
use dict::KnownTypos;
use lexicon::{han_blocks, Lattice, Lexicon};
pub use names::NameBook;
use names::NameFinder;
use serious::SeriousNames;
use wording::Wording;

pub use cli::{check_file, read_document, FileFinding};

/// Jieba frequency from which a word counts as a real, common word.
const REAL_WORD_FREQ: u32 = 20;

/// Units written right after a number's digits.
const NUMBER_UNITS: &str = "十百千万亿兆";

static DISTRICT_ALLOW: &str = include_str!("../../rules/typos/allow.txt");

/// Which check found a hit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TypoKind {
    Dictionary,
    Confusion,
    Serious,
    Wording,
}

/// One suspected typo in a text.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TypoHit {
    /// Byte range of the wrong form in the checked text.
    pub start: usize,
    pub end: usize,
    pub wrong: String,
    pub suggest: String,
    pub kind: TypoKind,
    pub severity: Severity,
    /// 0.0–1.0.
    pub confidence: f32,
    /// About ten characters either side.
    pub context: String,
}

/// One page's share of a site-wide check ([`TypoChecker::check_page`]): what the page
/// gives the site's [`NameBook`], and what it finds with only its own names protected.
/// It depends on the page's text alone, so it can be kept between runs.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct PageCheck {
    /// Person names used in clear contexts, once per occurrence (what
    /// [`TypoChecker::name_book`] counts of this page).
    pub names: Vec<String>,
    /// Hits with the page's own names protected (an empty book, no allow-list).
    pub hits: Vec<TypoHit>,
    /// Byte ranges the page's own names protect fully ([`names::HARD`]), maximal runs.
    pub hard: Vec<(usize, usize)>,
}

impl PageCheck {
    /// True when a site's book, matching `book_spans` (from [`NameBook::find`]) in this
    /// page's text, protects a character its own names do not. Protection is all the
    /// book changes, so otherwise `check_with(text, &[], book)` equals [`PageCheck::hits`].
    pub fn book_matters(&self, book_spans: &[(usize, usize)]) -> bool {
        book_spans
            .iter()
            .any(|&(s, e)| !self.hard.iter().any(|&(hs, he)| hs <= s && e <= he))
    }
}

/// Thresholds of the confusion detector (score = log-probability gain + channel).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Tuning {
    /// At or above: reported as `warn`.
    pub confusion_warn: f32,
    /// At or above: reported as `deduct`.
    pub confusion_deduct: f32,
    /// Score penalties for risky contexts (real words, names, places).
    pub penalties: confusion::Penalties,
}

impl Default for Tuning {
    fn default() -> Self {
        // Chosen on ecspell_odw.train.tsv under the clean-text false-alarm budget
        // (≤ 1 per 100,000 chars); see examples/typo_eval.rs. The warn threshold keeps
        // warnings to ~7 per 100,000 chars of clean text; the official-vocabulary bonus
        // did not help at that budget and stays 0.
        Tuning {
            confusion_warn: 8.0,
            confusion_deduct: 11.5,
            penalties: confusion::Penalties {
                real_word: 5.0,
                name: 3.0,
                place: 3.0,
                org: 0.0,
                official_bonus: 0.0,
                idiom_bonus: 12.0,
            },
        }
    }
}

/// The loaded dictionaries and models.
#[derive(Debug)]
pub struct TypoChecker {
    lex: Lexicon,
    sets: ConfusionSets,
    index: WildIndex,
    known: KnownTypos,
    serious: SeriousNames,
    wording: Wording,
    names: NameFinder,
    district_allow: Vec<String>,
    tuning: Tuning,
}

impl Default for TypoChecker {
    fn default() -> Self {
        Self::builtin()
    }
}

/// A text prepared for checking: its characters, their byte offsets, and where the
/// best word segmentation puts word boundaries.
#[derive(Debug)]
pub struct Analysis<'a> {
    pub text: &'a str,
    pub chars: Vec<char>,
    /// Byte offset of each char, plus `text.len()` at the end.
    pub byte_at: Vec<usize>,
    /// `boundary[i]`: a word boundary lies before char `i` (len = chars + 1).
    boundary: Vec<bool>,
    /// Han blocks `(start, end)` in chars, with their lattices.
    blocks: Vec<(usize, usize)>,
    lattices: Vec<Lattice>,
}

impl<'a> Analysis<'a> {
    /// Segments `text` with `lex`.
    pub fn new(text: &'a str, lex: &Lexicon) -> Analysis<'a> {
        let mut chars = Vec::with_capacity(text.len() / 3 + 1);
        let mut byte_at = Vec::with_capacity(text.len() / 3 + 2);
        for (i, c) in text.char_indices() {
            chars.push(c);
            byte_at.push(i);
        }
        byte_at.push(text.len());
        let mut boundary = vec![true; chars.len() + 1];
        let blocks = han_blocks(&chars);
        let mut lattices = Vec::with_capacity(blocks.len());
        for &(s, e) in &blocks {
            let mut lat = Lattice::default();
            lex.lattice(&chars[s..e], &mut lat);
            let mut i = 0usize;
            let n = e - s;
            while i < n {
                let j = lat.bwd[i].1 as usize;
                for b in &mut boundary[s + i + 1..s + j] {
                    *b = false;
                }
                i = j;
            }
            lattices.push(lat);
        }
        Analysis {
            text,
            chars,
            byte_at,
            boundary,
            blocks,
            lattices,
        }
    }

    /// Char index of a byte offset (which must be a char boundary).
    pub fn char_at(&self, byte: usize) -> usize {
        self.byte_at.partition_point(|&b| b < byte)
    }

    /// True when a word boundary lies before char `i`.
    pub fn is_boundary(&self, i: usize) -> bool {
        self.boundary.get(i).copied().unwrap_or(true)
    }

    /// Words of the best segmentation (for tests and evidence).
    pub fn words(&self) -> Vec<&'a str> {
        let mut out = Vec::new();
        let mut last = 0;
        for i in 1..=self.chars.len() {
            if self.boundary[i] {
                out.push(&self.text[self.byte_at[last]..self.byte_at[i]]);
                last = i;
            }
        }
        out
    }

    /// About `n` characters either side of the byte range, newlines flattened.
    pub fn context(&self, start: usize, end: usize, n: usize) -> String {
        let s = self.char_at(start).saturating_sub(n);
        let e = (self.char_at(end) + n).min(self.chars.len());
        self.chars[s..e]
            .iter()
            .map(|&c| if c.is_control() { ' ' } else { c })
            .collect()
    }
}

impl TypoChecker {
    /// The dictionaries bundled from rules/typos/.
    pub fn builtin() -> TypoChecker {
        let lex = Lexicon::builtin();
        let sets = ConfusionSets::builtin();
        let index = WildIndex::build(&lex);
        let known = KnownTypos::builtin();
        let serious = SeriousNames::builtin(&sets, &lex);
        let wording = Wording::builtin();
        let district_allow = parse_allow(DISTRICT_ALLOW);
        TypoChecker {
            lex,
            sets,
            index,
            known,
            serious,
            wording,
            names: NameFinder::new(),
            district_allow,
            tuning: Tuning::default(),
        }
    }

    /// The district-wide allow-list (rules/typos/allow.txt), for the report.
    pub fn district_allow(&self) -> &[String] {
        &self.district_allow
    }

    /// The serious names checked for misspellings (for the report and docs).
    pub fn serious_names(&self) -> &[String] {
        &self.serious.names
    }

    /// Current confusion thresholds.
    pub fn tuning(&self) -> Tuning {
        self.tuning
    }

    /// Replaces the confusion thresholds (evaluation sweeps use this).
    pub fn set_tuning(&mut self, tuning: Tuning) {
        self.tuning = tuning;
    }

    /// The lexicon (segmentation) in use.
    pub fn lexicon(&self) -> &Lexicon {
        &self.lex
    }

    /// Check `text`; words in `allow` are never flagged.
    pub fn check(&self, text: &str, allow: &[String]) -> Vec<TypoHit> {
        self.check_with(text, allow, &NameBook::default())
    }

    /// Check `text` knowing the names its site uses (see [`TypoChecker::name_book`]).
    pub fn check_with(&self, text: &str, allow: &[String], book: &NameBook) -> Vec<TypoHit> {
        let a = Analysis::new(text, &self.lex);
        let spans = self.name_spans(&a);
        let protected = self.protected(&a, &spans, book);
        self.check_analysed(&a, &protected, allow)
    }

    /// One page of a site-wide check, segmented once: the clear person names it
    /// gives the site's [`NameBook`] (as [`TypoChecker::name_book`] counts them) and
    /// its hits with only its own names protected — `check_with(text, &[], book)` for
    /// any book that protects nothing more ([`PageCheck::book_matters`]).
    pub fn check_page(&self, text: &str) -> PageCheck {
        let a = Analysis::new(text, &self.lex);
        let spans = self.name_spans(&a);
        let names = clear_people(&a, &spans);
        let protected = names::mask(a.chars.len(), &spans);
        let hits = self.check_analysed(&a, &protected, &[]);
        let mut hard: Vec<(usize, usize)> = Vec::new();
        for (i, &m) in protected.iter().enumerate() {
            if m != names::HARD {
                continue;
            }
            let (s, e) = (a.byte_at[i], a.byte_at[i + 1]);
            match hard.last_mut() {
                Some(last) if last.1 == s => last.1 = e,
                _ => hard.push((s, e)),
            }
        }
        PageCheck { names, hits, hard }
    }

    /// Every check on an analysed text with `protected` as its name mask.
    fn check_analysed(&self, a: &Analysis, protected: &[u8], allow: &[String]) -> Vec<TypoHit> {
        let mut hits = Vec::new();
        self.serious_hits(a, &mut hits);
        self.dictionary_hits(a, protected, &mut hits);
        self.confusion_hits(a, protected, &mut hits);
        for w in self.wording.check(a) {
            hits.push(self.hit(
                a,
                w.start,
                w.end,
                w.suggest,
                TypoKind::Wording,
                Severity::Warn,
                w.confidence,
            ));
        }
        self.finish(a.text, hits, allow)
    }

    /// Proper names in `a.text` (see [`names`]).
    pub fn name_spans(&self, a: &Analysis) -> Vec<names::NameSpan> {
        self.names.find(&a.chars, &self.lex, &|i| a.is_boundary(i))
    }

    /// Chars of `a` that belong to a proper name: found in the text or in the site's book.
    fn protected(&self, a: &Analysis, spans: &[names::NameSpan], book: &NameBook) -> Vec<u8> {
        let mut m = names::mask(a.chars.len(), spans);
        for (s, e) in book.find(a.text) {
            for x in &mut m[a.char_at(s)..a.char_at(e)] {
                *x = names::HARD;
            }
        }
        m
    }

    /// The person names a site's texts use in clear contexts (beside titles, in lists
    /// of names, in 姓名 columns); pass it to [`TypoChecker::check_with`] for each page.
    pub fn name_book<T: AsRef<str>>(&self, texts: impl IntoIterator<Item = T>) -> NameBook {
        let mut book = NameBook::default();
        for t in texts {
            let a = Analysis::new(t.as_ref(), &self.lex);
            for name in clear_people(&a, &self.name_spans(&a)) {
                book.add(&name);
            }
        }
        book.finish();
        book
    }

    /// Only the known-misspellings pass (no confusion, serious or wording checks); the
    /// segmentation guard of two-character forms runs on the block around each match.
    pub fn check_dictionary(&self, text: &str, allow: &[String]) -> Vec<TypoHit> {
        let mut hits = Vec::new();
        for m in self.known.find(text) {
            let lo = block_start(text, m.start);
            let hi = block_end(text, m.end);
            let local = Analysis::new(&text[lo..hi], &self.lex);
            let mut h = Vec::new();
            let protected = vec![names::FREE; local.chars.len()];
            self.push_dict(&local, &protected, m.start - lo, m.end - lo, m.pair, &mut h);
            for mut x in h {
                x.start += lo;
                x.end += lo;
                hits.push(x);
            }
        }
        self.finish(text, hits, allow)
    }

    fn serious_hits(&self, a: &Analysis, hits: &mut Vec<TypoHit>) {
        for m in self.serious.find(a.text) {
            let (s, e) = (a.char_at(m.start), a.char_at(m.end));
            if !a.is_boundary(s) || !a.is_boundary(e) {
                continue;
            }
            let name = self.serious.name_of(m.variant).to_string();
            hits.push(self.hit(
                a,
                m.start,
                m.end,
                name,
                TypoKind::Serious,
                Severity::Veto,
                0.9,
            ));
        }
    }

    fn dictionary_hits(&self, a: &Analysis, protected: &[u8], hits: &mut Vec<TypoHit>) {
        for m in self.known.find(a.text) {
            self.push_dict(a, protected, m.start, m.end, m.pair, hits);
        }
    }

    fn push_dict(
        &self,
        a: &Analysis,
        protected: &[u8],
        start: usize,
        end: usize,
        pair: usize,
        hits: &mut Vec<TypoHit>,
    ) {
        let (s, e) = (a.char_at(start), a.char_at(end));
        // A two-character wrong form must be a word of its own, not straddle two words
        // (发展|转型 contains 展转) nor sit inside a longer word.
        if e - s <= 2 && (!a.is_boundary(s) || !a.is_boundary(e)) {
            return;
        }
        // Nor be part of a proper name (a given name such as 寒喧 is not 寒暄).
        if e - s <= 2 && protected[s..e].contains(&names::HARD) {
            return;
        }
        let p = &self.known.pairs[pair];
        hits.push(self.hit(
            a,
            start,
            end,
            p.right.clone(),
            TypoKind::Dictionary,
            p.severity,
            p.confidence,
        ));
    }

    fn confusion_hits(&self, a: &Analysis, protected: &[u8], hits: &mut Vec<TypoHit>) {
        let t = self.tuning;
        for (bi, &(bs, be)) in a.blocks.iter().enumerate() {
            let block = &a.chars[bs..be];
            let cands = confusion::detect(
                block,
                &a.lattices[bi],
                &self.lex,
                &self.sets,
                &self.index,
                t.confusion_warn,
                &t.penalties,
                &protected[bs..be],
            );
            for c in cands {
                let (ws, we) = (bs + c.word.0, bs + c.word.1);
                // A number's unit right after its digits (18.2亿件, 3万元, 5千米)
                // is that unit, not a misspelt 一 / 完 / 前.
                if c.pos == c.word.0
                    && ws == bs
                    && NUMBER_UNITS.contains(a.chars[ws])
                    && bs > 0
                    && (a.chars[bs - 1].is_ascii_digit()
                        || ('０'..='９').contains(&a.chars[bs - 1]))
                {
                    continue;
                }
                let mut fixed: Vec<char> = a.chars[ws..we].to_vec();
                fixed[c.pos - c.word.0] = c.right;
                // Right after a title (主任计承法) the window is most likely a
                // name the surname list lacks: a hint at most, never a deduction.
                // A character swapped inside a real word of its own (笔划 in
                // 按姓氏笔划为序 → 笔画) is a variant or a real-word guess unless
                // it restores an idiom (谈笑风声 → 谈笑风生): a hint, not a deduction.
                let real_word_swap = {
                    let (mut s0, mut e0) = (c.pos + bs, c.pos + bs + 1);
                    while s0 > bs && !a.is_boundary(s0) {
                        s0 -= 1;
                    }
                    while e0 < be && !a.is_boundary(e0) {
                        e0 += 1;
                    }
                    e0 - s0 >= 2
                        && self.lex.freq(&a.chars[s0..e0]) >= REAL_WORD_FREQ
                        && !self.lex.is_idiom(&fixed)
                };
                let severity = if c.score >= t.confusion_deduct
                    && !names::after_title(&a.chars, ws)
                    && !real_word_swap
                {
                    Severity::Deduct
                } else {
                    Severity::Warn
                };
                // Inside a company's or place's name only a confident correction is
                // worth a clerk's time: no hints on trade names (盛利建材 → 胜利).
                let in_name = protected[ws..we].contains(&names::SOFT);
                if in_name && severity == Severity::Warn {
                    continue;
                }
                // Confidence: 0.5 at the warn threshold, ~0.9 at the deduct threshold.
                let span = (t.confusion_deduct - t.confusion_warn).max(1.0);
                let z = (c.score - t.confusion_warn) / span * 2.2;
                let confidence = 1.0 / (1.0 + (-z).exp());
                hits.push(self.hit(
                    a,
                    a.byte_at[ws],
                    a.byte_at[we],
                    fixed.into_iter().collect(),
                    TypoKind::Confusion,
                    severity,
                    confidence,
                ));
            }
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn hit(
        &self,
        a: &Analysis,
        start: usize,
        end: usize,
        suggest: String,
        kind: TypoKind,
        severity: Severity,
        confidence: f32,
    ) -> TypoHit {
        TypoHit {
            start,
            end,
            wrong: a.text[start..end].to_string(),
            suggest,
            kind,
            severity,
            confidence: (confidence * 100.0).round() / 100.0,
            context: a.context(start, end, 10),
        }
    }

    /// Drops allowed and overlapped hits, orders by position.
    fn finish(&self, text: &str, mut hits: Vec<TypoHit>, allow: &[String]) -> Vec<TypoHit> {
        let allowed: Vec<&str> = self
            .district_allow
            .iter()
            .map(String::as_str)
            .chain(allow.iter().map(|s| s.trim()))
            .filter(|s| !s.is_empty())
            .collect();
        hits.retain(|h| !is_allowed(text, h, &allowed));
        // Overlaps: serious beats dictionary beats confusion beats wording.
        let rank = |k: TypoKind| match k {
            TypoKind::Serious => 0,
            TypoKind::Dictionary => 1,
            TypoKind::Confusion => 2,
            TypoKind::Wording => 3,
        };
        hits.sort_by_key(|h| (rank(h.kind), h.start));
        let mut kept: Vec<TypoHit> = Vec::with_capacity(hits.len());
        for h in hits {
            let overlaps = kept.iter().any(|k| {
                h.start < k.end
                    && k.start < h.end
                    && !(h.kind == TypoKind::Wording && k.kind == TypoKind::Wording)
            });
            if !overlaps {
                kept.push(h);
            }
        }
        kept.sort_by_key(|h| (h.start, h.end));
        kept
    }
}

/// The person names of `spans` found in clear contexts, once per occurrence: two
/// contexts of one occurrence (副局长李明出席) count once.
fn clear_people(a: &Analysis, spans: &[names::NameSpan]) -> Vec<String> {
    let mut at: Vec<(usize, usize)> = spans
        .iter()
        .filter(|s| s.clear && s.kind == names::NameKind::Person)
        .map(|s| (s.start, s.end))
        .collect();
    at.sort_unstable();
    at.dedup();
    at.into_iter()
        .map(|(s, e)| a.text[a.byte_at[s]..a.byte_at[e]].to_string())
        .collect()
}

/// An allowed term silences a hit when it equals the wrong form or an occurrence of
/// it in the text covers the hit.
fn is_allowed(text: &str, h: &TypoHit, allowed: &[&str]) -> bool {
    allowed.iter().any(|t| {
        if *t == h.wrong {
            return true;
        }
        let lo = floor_char(text, h.end.saturating_sub(t.len()));
        let hi = ceil_char(text, (h.start + t.len()).min(text.len()));
        text[lo..hi]
            .match_indices(t)
            .any(|(i, _)| lo + i <= h.start && h.end <= lo + i + t.len())
    })
}

fn parse_allow(text: &str) -> Vec<String> {
    text.lines()
        .map(|l| l.split('#').next().unwrap_or("").trim())
        .filter(|l| !l.is_empty())
        .map(str::to_string)
        .collect()
}

/// Largest char boundary at or before `i`.
pub(crate) fn floor_char(s: &str, mut i: usize) -> usize {
    while !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// Smallest char boundary at or after `i`.
pub(crate) fn ceil_char(s: &str, mut i: usize) -> usize {
    while !s.is_char_boundary(i) {
        i += 1;
    }
    i
}

/// Start of the run of Han characters around `at` (at most 64 chars back).
fn block_start(text: &str, at: usize) -> usize {
    let mut lo = at;
    for (n, (i, c)) in text[..at].char_indices().rev().enumerate() {
        if !lexicon::is_han(c) || n >= 64 {
            break;
        }
        lo = i;
    }
    lo
}

/// End of the run of Han characters around `at` (at most 64 chars on).
fn block_end(text: &str, at: usize) -> usize {
    let mut hi = at;
    for (n, (i, c)) in text[at..].char_indices().enumerate() {
        if !lexicon::is_han(c) || n >= 64 {
            break;
        }
        hi = at + i + c.len_utf8();
    }
    hi
}

/// `govaudit check-text FILE…`: findings to `out`, unreadable files to
/// `err`; returns 0 clean, 1 a deduct/veto hit, 2 an unreadable file.
pub fn run_check_text(
    files: &[std::path::PathBuf],
    json: bool,
    out: &mut dyn std::io::Write,
    err: &mut dyn std::io::Write,
) -> crate::Result<u8> {
    cli::run(files, json, out, err)
}
