//! Known misspellings: the wrong→right list of rules/typos/known-typos.tsv matched in one
//! aho-corasick pass (leftmost-longest). Typo pairs deduct; 异形词 (variant-form) pairs
//! only warn.

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind};

use crate::rules::Severity;

static KNOWN_TYPOS: &str = include_str!("../../rules/typos/known-typos.tsv");

/// One wrong→right pair.
#[derive(Debug, Clone)]
pub struct Pair {
    pub wrong: String,
    pub right: String,
    pub severity: Severity,
    pub confidence: f32,
}

/// The known-misspellings list and its automaton.
#[derive(Debug)]
pub struct KnownTypos {
    pub pairs: Vec<Pair>,
    ac: AhoCorasick,
}

/// A raw dictionary match: byte range and pair index.
#[derive(Debug, Clone, Copy)]
pub struct DictMatch {
    pub start: usize,
    pub end: usize,
    pub pair: usize,
}

impl KnownTypos {
    /// Loads the bundled list.
    pub fn builtin() -> KnownTypos {
        Self::parse(KNOWN_TYPOS)
    }

    /// Parses `wrong<TAB>right<TAB>type<TAB>severity[<TAB>source]` lines (`#` comments).
    /// Severity `error` deducts, anything else warns.
    pub fn parse(text: &str) -> KnownTypos {
        let mut pairs: Vec<Pair> = Vec::new();
        let mut seen = std::collections::HashSet::new();
        for line in text.lines() {
            if line.starts_with('#') || line.trim().is_empty() {
                continue;
            }
            let f: Vec<&str> = line.split('\t').collect();
            if f.len() < 2 || f[0].is_empty() || f[0] == f[1] || !seen.insert(f[0].to_string()) {
                continue;
            }
            let deduct = f.get(3).map(|s| s.trim()) == Some("error");
            pairs.push(Pair {
                wrong: f[0].to_string(),
                right: f[1].to_string(),
                severity: if deduct {
                    Severity::Deduct
                } else {
                    Severity::Warn
                },
                confidence: if deduct { 0.95 } else { 0.8 },
            });
        }
        let ac = AhoCorasickBuilder::new()
            .match_kind(MatchKind::LeftmostLongest)
            .build(pairs.iter().map(|p| p.wrong.as_str()))
            .expect("known-typos patterns build");
        KnownTypos { pairs, ac }
    }

    /// All leftmost-longest matches (no segmentation guard; see `TypoChecker`).
    pub fn find(&self, text: &str) -> Vec<DictMatch> {
        self.ac
            .find_iter(text)
            .map(|m| DictMatch {
                start: m.start(),
                end: m.end(),
                pair: m.pattern().as_usize(),
            })
            .collect()
    }
}
