//! The word lexicon (jieba's dictionary plus the official-writing vocabulary) and a
//! max-probability word segmenter over it, with the forward/backward scores that let
//! the confusion detector ask "how much more probable is this sentence if one character
//! were different" without re-segmenting.
//!
//! Words are keyed by their characters packed into a `u128` (21 bits per char, at most
//! [`MAX_WORD`] chars), which keeps lookups allocation-free. Every proper prefix of a word
//! is stored too (frequency 0) so that the scan from a position stops as soon as no word
//! can continue.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};
use std::io::Read;

/// Longest word the lexicon stores, in characters.
pub const MAX_WORD: usize = 6;

/// A marker that is never a character (above U+10FFFF), used as a wildcard in keys.
pub const WILD: u32 = 0x1F_FFFF;

static JIEBA_DICT_GZ: &[u8] = include_bytes!("../../rules/typos/jieba_dict.txt.gz");
static GONGWEN_VOCAB: &str = include_str!("../../rules/typos/gongwen_vocab.txt");
static EXTRA_WORDS: &str = include_str!("../../rules/typos/extra-words.txt");
static IDIOMS: &str = include_str!("../../rules/typos/idioms.txt");

/// Frequency given to official-writing vocabulary words jieba lacks (or has rarer).
const GONGWEN_FREQ: u32 = 50;
/// Frequency given to web-page words (rules/typos/extra-words.txt).
const EXTRA_FREQ: u32 = 1000;
/// Least frequency of an idiom (rules/typos/idioms.txt): jieba counts most idioms
/// below the detector's target floor, which made them invisible as corrections.
pub const IDIOM_FREQ: u32 = 20;

/// A fast hasher for the packed keys (they are already well spread).
#[derive(Default, Clone, Copy)]
pub struct KeyHasher(u64);

impl Hasher for KeyHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0.rotate_left(5) ^ u64::from(b)).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
        }
    }
    fn write_u128(&mut self, v: u128) {
        let x = (v as u64) ^ ((v >> 64) as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15);
        self.0 = (x ^ (x >> 29)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        self.0 ^= self.0 >> 32;
    }
}

/// Hash-map type used for packed keys.
pub type KeyMap<V> = HashMap<u128, V, BuildHasherDefault<KeyHasher>>;

/// Packs one more character into a key.
#[inline]
pub fn push_key(key: u128, c: u32) -> u128 {
    (key << 21) | u128::from(c)
}

/// Packs a slice of characters (at most [`MAX_WORD`]) into a key.
#[inline]
pub fn key_of(chars: &[char]) -> u128 {
    chars.iter().fold(0, |k, &c| push_key(k, c as u32))
}

/// True for the CJK ideographs the segmenter works on.
#[inline]
pub fn is_han(c: char) -> bool {
    matches!(c, '\u{3400}'..='\u{4DBF}' | '\u{4E00}'..='\u{9FFF}' | '\u{F900}'..='\u{FAFF}' | '〇')
}

/// Word frequencies with prefix markers.
#[derive(Debug)]
pub struct Lexicon {
    /// Packed word → frequency; 0 means "only a prefix of longer words".
    map: KeyMap<u32>,
    log_total: f64,
    /// Words of the official-writing vocabulary (gongwen_vocab.txt).
    official: KeyMap<()>,
    /// Person names (jieba tag `nr`, kept only for 2–3 character words starting with a
    /// surname: jieba also tags 墨守成规 and 寒暄 `nr`): never a correction target,
    /// since a name one character off a famous one (刘少琦) is usually another person.
    person: KeyMap<()>,
    /// Four-character idioms (成语) of rules/typos/idioms.txt.
    idiom: KeyMap<()>,
}

/// One dictionary word found in a block: `[start, end)` in chars and its log-probability.
#[derive(Debug, Clone, Copy)]
pub struct Edge {
    pub start: u32,
    pub end: u32,
    pub lp: f32,
}

/// Segmentation scores of one block of Han characters.
#[derive(Debug, Default)]
pub struct Lattice {
    pub edges: Vec<Edge>,
    /// `fwd[i]`: best log-probability of segmenting chars `[0, i)`.
    pub fwd: Vec<f64>,
    /// `bwd[i]`: best log-probability of segmenting chars `[i, n)`; `bwd[i]` also
    /// remembers where the first word of that best segmentation ends.
    pub bwd: Vec<(f64, u32)>,
}

impl Lattice {
    /// Word boundaries of the best segmentation, as char offsets (0 and n included).
    pub fn boundaries(&self) -> Vec<u32> {
        let n = self.bwd.len() - 1;
        let mut out = vec![0u32];
        let mut i = 0usize;
        while i < n {
            i = self.bwd[i].1 as usize;
            out.push(i as u32);
        }
        out
    }
}

impl Lexicon {
    /// Loads the bundled dictionaries.
    pub fn builtin() -> Lexicon {
        let mut text = String::new();
        flate2::read::GzDecoder::new(JIEBA_DICT_GZ)
            .read_to_string(&mut text)
            .expect("bundled jieba dictionary is valid gzip/UTF-8");
        let mut map: KeyMap<u32> = KeyMap::default();
        map.reserve(700_000);
        let mut total: u64 = 0;
        let mut buf: Vec<char> = Vec::with_capacity(8);
        let mut person: KeyMap<()> = KeyMap::default();
        for line in text.lines() {
            let Some((w, f)) = line.split_once(' ') else {
                continue;
            };
            let (f, is_person) = match f.split_once(' ') {
                Some((f, tag)) => (f, tag == "nr"),
                None => (f, false),
            };
            let freq: u32 = f.trim().parse().unwrap_or(1);
            buf.clear();
            buf.extend(w.chars());
            if buf.is_empty() || buf.len() > MAX_WORD {
                continue;
            }
            total += u64::from(freq);
            insert(&mut map, &buf, freq);
            if is_person && looks_like_person(&buf) {
                person.insert(key_of(&buf), ());
            }
        }
        let mut idiom: KeyMap<()> = KeyMap::default();
        for w in IDIOMS.lines() {
            buf.clear();
            buf.extend(w.trim().chars());
            if buf.len() != 4 || !buf.iter().all(|&c| is_han(c)) {
                continue;
            }
            let k = key_of(&buf);
            idiom.insert(k, ());
            person.remove(&k);
            if map.get(&k).copied().unwrap_or(0) < IDIOM_FREQ {
                total += u64::from(IDIOM_FREQ);
                insert(&mut map, &buf, IDIOM_FREQ);
            }
        }
        let mut official: KeyMap<()> = KeyMap::default();
        let vocab = GONGWEN_VOCAB.lines().map(|w| (w, GONGWEN_FREQ)).chain(
            EXTRA_WORDS
                .lines()
                .filter(|l| !l.starts_with('#'))
                .map(|w| (w, EXTRA_FREQ)),
        );
        for (w, min_freq) in vocab {
            let w = w.trim();
            buf.clear();
            buf.extend(w.chars());
            if buf.len() < 2 || buf.len() > MAX_WORD || !buf.iter().all(|&c| is_han(c)) {
                continue;
            }
            let k = key_of(&buf);
            if min_freq == GONGWEN_FREQ {
                official.insert(k, ());
            }
            if map.get(&k).copied().unwrap_or(0) < min_freq {
                total += u64::from(min_freq);
                insert(&mut map, &buf, min_freq);
            }
        }
        Lexicon {
            map,
            log_total: (total as f64).ln(),
            official,
            person,
            idiom,
        }
    }

    /// True when the packed word is a four-character idiom.
    #[inline]
    pub fn is_idiom_key(&self, key: u128) -> bool {
        self.idiom.contains_key(&key)
    }

    /// True when the word is a person's name in jieba's dictionary.
    pub fn is_person(&self, chars: &[char]) -> bool {
        chars.len() <= MAX_WORD && self.is_person_key(key_of(chars))
    }

    /// Frequency of a word (0 when it is not a word).
    #[inline]
    pub fn freq_key(&self, key: u128) -> u32 {
        self.map.get(&key).copied().unwrap_or(0)
    }

    /// True when the packed word belongs to the official-writing vocabulary.
    #[inline]
    pub fn is_official_key(&self, key: u128) -> bool {
        self.official.contains_key(&key)
    }

    /// True when the packed word is a person's name in jieba's dictionary.
    #[inline]
    pub fn is_person_key(&self, key: u128) -> bool {
        self.person.contains_key(&key)
    }

    /// Frequency of a word given as chars.
    pub fn freq(&self, chars: &[char]) -> u32 {
        if chars.len() > MAX_WORD {
            return 0;
        }
        self.freq_key(key_of(chars))
    }

    /// True when `w` is a dictionary word.
    pub fn is_word(&self, w: &str) -> bool {
        let chars: Vec<char> = w.chars().collect();
        self.freq(&chars) > 0
    }

    /// Log-probability of a word of frequency `freq`.
    #[inline]
    pub fn lp(&self, freq: u32) -> f64 {
        f64::from(freq.max(1)).ln() - self.log_total
    }

    /// Iterates over every (word, frequency) of the lexicon, as packed keys.
    pub fn words(&self) -> impl Iterator<Item = (u128, u32)> + '_ {
        self.map
            .iter()
            .filter(|(_, &f)| f > 0)
            .map(|(&k, &f)| (k, f))
    }

    /// Builds the segmentation lattice of a block of Han characters.
    pub fn lattice(&self, block: &[char], lat: &mut Lattice) {
        let n = block.len();
        lat.edges.clear();
        for i in 0..n {
            let mut key = 0u128;
            let mut has_single = false;
            for (j, &c) in block.iter().enumerate().take(n.min(i + MAX_WORD)).skip(i) {
                key = push_key(key, c as u32);
                match self.map.get(&key) {
                    None => break,
                    Some(0) => {}
                    Some(&f) => {
                        has_single |= j == i;
                        lat.edges.push(Edge {
                            start: i as u32,
                            end: j as u32 + 1,
                            lp: self.lp(f) as f32,
                        });
                    }
                }
            }
            if !has_single {
                lat.edges.push(Edge {
                    start: i as u32,
                    end: i as u32 + 1,
                    lp: self.lp(1) as f32,
                });
            }
        }
        // Edges are grouped by start in increasing order.
        lat.fwd.clear();
        lat.fwd.resize(n + 1, f64::NEG_INFINITY);
        lat.fwd[0] = 0.0;
        for e in &lat.edges {
            let v = lat.fwd[e.start as usize] + f64::from(e.lp);
            if v > lat.fwd[e.end as usize] {
                lat.fwd[e.end as usize] = v;
            }
        }
        lat.bwd.clear();
        lat.bwd.resize(n + 1, (f64::NEG_INFINITY, 0));
        lat.bwd[n] = (0.0, n as u32);
        for e in lat.edges.iter().rev() {
            let v = lat.bwd[e.end as usize].0 + f64::from(e.lp);
            let slot = &mut lat.bwd[e.start as usize];
            // On ties prefer the longer word, like jieba.
            if v > slot.0 || (v == slot.0 && e.end > slot.1) {
                *slot = (v, e.end);
            }
        }
    }
}

/// A jieba `nr` entry that can be a name: a surname and one or two given characters.
fn looks_like_person(w: &[char]) -> bool {
    let sl = super::names::surname_at(w, 0);
    sl > 0 && w.len() > sl && w.len() - sl <= 2
}

fn insert(map: &mut KeyMap<u32>, chars: &[char], freq: u32) {
    let mut key = 0u128;
    for (i, &c) in chars.iter().enumerate() {
        key = push_key(key, c as u32);
        if i + 1 == chars.len() {
            map.insert(key, freq);
        } else {
            map.entry(key).or_insert(0);
        }
    }
}

/// Splits `chars` into maximal runs of Han characters: `(start, end)` char offsets.
pub fn han_blocks(chars: &[char]) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        if is_han(chars[i]) {
            let s = i;
            while i < chars.len() && is_han(chars[i]) {
                i += 1;
            }
            out.push((s, i));
        } else {
            i += 1;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn seg(lex: &Lexicon, s: &str) -> Vec<String> {
        let chars: Vec<char> = s.chars().collect();
        let mut lat = Lattice::default();
        lex.lattice(&chars, &mut lat);
        let b = lat.boundaries();
        b.windows(2)
            .map(|w| chars[w[0] as usize..w[1] as usize].iter().collect())
            .collect()
    }

    #[test]
    fn segments_like_jieba() {
        let lex = Lexicon::builtin();
        assert_eq!(seg(&lex, "发展转型"), vec!["发展", "转型"]);
        assert_eq!(seg(&lex, "个人材料"), vec!["个人", "材料"]);
        assert!(lex.is_word("人民政府"));
        assert!(!lex.is_word("人名政府"));
    }
}
