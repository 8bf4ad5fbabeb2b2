//! Serious errors (严重错误, single veto): names that must never be misspelt — the
//! state, national institutions, key laws, leaders (rules/typos/serious-names.txt).
//! At load time every one-character confusable substitution of each name becomes a
//! pattern of one leftmost-longest aho-corasick automaton. A variant that is itself a
//! dictionary word or part of a correct name is never generated.

use super::{ceil_char, floor_char};
use std::collections::{HashMap, HashSet};

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind};

use super::confusion::ConfusionSets;
use super::lexicon::{is_han, Lexicon};

static SERIOUS_NAMES: &str = include_str!("../../rules/typos/serious-names.txt");

/// One misspelt variant of a serious name.
#[derive(Debug, Clone)]
pub struct Variant {
    /// Index into `names`.
    pub name: usize,
    /// Char offset of the substituted character within the name.
    pub pos: usize,
}

/// The serious-names list, its variants and automata.
#[derive(Debug)]
pub struct SeriousNames {
    pub names: Vec<String>,
    pub variants: Vec<Variant>,
    ac: AhoCorasick,
    correct: AhoCorasick,
}

/// A raw variant match: byte range, variant index, byte offset of the wrong char.
#[derive(Debug, Clone, Copy)]
pub struct SeriousMatch {
    pub start: usize,
    pub end: usize,
    pub variant: usize,
    pub wrong_at: usize,
}

impl SeriousNames {
    /// Loads rules/typos/serious-names.txt and generates the variants.
    pub fn builtin(sets: &ConfusionSets, lex: &Lexicon) -> SeriousNames {
        let names: Vec<String> = SERIOUS_NAMES
            .lines()
            .map(|l| l.split('#').next().unwrap_or("").trim())
            .filter(|l| !l.is_empty())
            .map(str::to_string)
            .collect();
        Self::from_names(names, sets, lex)
    }

    /// Generates variants of `names`.
    pub fn from_names(names: Vec<String>, sets: &ConfusionSets, lex: &Lexicon) -> SeriousNames {
        // Every substring of every name: a variant equal to one is correct text.
        let mut inside: HashSet<String> = HashSet::new();
        for n in &names {
            let c: Vec<char> = n.chars().collect();
            for i in 0..c.len() {
                for j in i + 1..=c.len() {
                    inside.insert(c[i..j].iter().collect());
                }
            }
        }
        let mut patterns: Vec<String> = Vec::new();
        let mut variants: Vec<Variant> = Vec::new();
        let mut seen: HashMap<String, usize> = HashMap::new();
        for (ni, name) in names.iter().enumerate() {
            let chars: Vec<char> = name.chars().collect();
            for (p, &c) in chars.iter().enumerate() {
                if !is_han(c) {
                    continue;
                }
                for &w in sets.wrong_for(c) {
                    let mut v = chars.clone();
                    v[p] = w;
                    let s: String = v.iter().collect();
                    if inside.contains(&s) || seen.contains_key(&s) || lex.freq(&v) > 0 {
                        continue;
                    }
                    seen.insert(s.clone(), variants.len());
                    patterns.push(s);
                    variants.push(Variant { name: ni, pos: p });
                }
            }
        }
        let ac = AhoCorasickBuilder::new()
            .match_kind(MatchKind::LeftmostLongest)
            .build(&patterns)
            .expect("serious variants build");
        let correct = AhoCorasick::new(&names).expect("serious names build");
        SeriousNames {
            names,
            variants,
            ac,
            correct,
        }
    }

    /// All variant matches whose substituted character is not covered by a correct
    /// occurrence of any serious name.
    pub fn find(&self, text: &str) -> Vec<SeriousMatch> {
        let mut out = Vec::new();
        for m in self.ac.find_iter(text) {
            let v = &self.variants[m.pattern().as_usize()];
            let wrong_at = text[m.start()..]
                .char_indices()
                .nth(v.pos)
                .map(|(i, _)| m.start() + i)
                .unwrap_or(m.start());
            // Look for a correct name covering the substituted character.
            let lo = floor_char(text, wrong_at.saturating_sub(64));
            let hi = ceil_char(text, (wrong_at + 64).min(text.len()));
            let covered = self
                .correct
                .find_overlapping_iter(&text[lo..hi])
                .any(|c| lo + c.start() <= wrong_at && wrong_at < lo + c.end());
            if !covered {
                out.push(SeriousMatch {
                    start: m.start(),
                    end: m.end(),
                    variant: m.pattern().as_usize(),
                    wrong_at,
                });
            }
        }
        out
    }

    /// The correct name a variant stands for.
    pub fn name_of(&self, variant: usize) -> &str {
        &self.names[self.variants[variant].name]
    }
}
