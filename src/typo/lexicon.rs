//! The word lexicon (jieba's dictionary plus the official-writing vocabulary) and a
//! max-probability word segmenter over it, with the forward/backward scores that let
//! the confusion detector ask "how much more probable is this sentence if one character
//! were different" without re-segmenting.
//!
//! The lexicon is loaded once and lives as long as the process, so it is stored
//! compactly: one hash table per word length whose slot is the word's characters
//! (16 bits each; every bundled word is in the BMP) and a `u16` index into the distinct
//! (frequency, flags) values, 4 to 14 bytes a word. Lookups pack the characters into a
//! `u128` and allocate nothing. A word with a character beyond the BMP goes to a small
//! map keyed by [`key_of`] (21 bits per char). Every proper prefix of a word is stored
//! too (frequency 0) so that the scan from a position stops as soon as no word can
//! continue.

use std::collections::HashMap;

use hashbrown::hash_table::Entry;
use hashbrown::HashTable;
use std::hash::{BuildHasherDefault, Hasher};
use std::io::{BufRead, BufReader};

/// Longest word the lexicon stores, in characters.
pub const MAX_WORD: usize = 6;

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
    fn write_u64(&mut self, v: u64) {
        self.write_u128(u128::from(v));
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

/// Words of the official-writing vocabulary (gongwen_vocab.txt).
const OFFICIAL: u8 = 1;
/// Person names (jieba tag `nr`, kept only for 2–3 character words starting with a
/// surname: jieba also tags 墨守成规 and 寒暄 `nr`): never a correction target, since a
/// name one character off a famous one (刘少琦) is usually another person.
const PERSON: u8 = 2;
/// Four-character idioms (成语) of rules/typos/idioms.txt.
const IDIOM: u8 = 4;

/// A word's frequency, flags and log-probability. Words share one `Val` per distinct
/// (frequency, flags): a few thousand, so a word stores a `u16` index.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Val {
    freq: u32,
    flags: u8,
    /// `Lexicon::lp(freq) as f32`, filled in once the total is known.
    lp: f32,
}

/// Mixes a packed key into a hash (the keys are already well spread).
#[inline]
fn mix(v: u128) -> u64 {
    let x = (v as u64) ^ ((v >> 64) as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15);
    let h = (x ^ (x >> 29)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    h ^ (h >> 32)
}

/// Packs one more BMP character (16 bits) into a compact key.
#[inline]
fn push16(key: u128, c: u16) -> u128 {
    (key << 16) | u128::from(c)
}

/// One word (or prefix) of `N` BMP characters and the index of its [`Val`]:
/// `2N + 2` bytes, where a `HashMap<u128, u32>` slot took 32.
#[derive(Debug, Clone, Copy)]
struct Slot<const N: usize> {
    chars: [u16; N],
    val: u16,
}

impl<const N: usize> Slot<N> {
    #[inline]
    fn key(&self) -> u128 {
        self.chars.iter().fold(0, |k, &c| push16(k, c))
    }
}

/// The words of `N` characters, all in the BMP, keyed by [`push16`] packing.
#[derive(Debug, Default)]
struct Table<const N: usize>(HashTable<Slot<N>>);

impl<const N: usize> Table<N> {
    #[inline]
    fn get(&self, key: u128) -> Option<u16> {
        self.0.find(mix(key), |s| s.key() == key).map(|s| s.val)
    }

    fn set(&mut self, key: u128, val: u16) {
        match self.0.entry(mix(key), |s| s.key() == key, |s| mix(s.key())) {
            Entry::Occupied(mut e) => e.get_mut().val = val,
            Entry::Vacant(e) => {
                let mut chars = [0u16; N];
                for (i, c) in chars.iter_mut().enumerate() {
                    *c = (key >> (16 * (N - 1 - i))) as u16;
                }
                e.insert(Slot { chars, val });
            }
        }
    }

    fn shrink(&mut self) {
        self.0.shrink_to_fit(|s| mix(s.key()));
    }

    fn iter(&self) -> impl Iterator<Item = (Vec<char>, u16)> + '_ {
        self.0.iter().map(|s| {
            let w = s
                .chars
                .iter()
                .map(|&c| char::from_u32(u32::from(c)).unwrap_or('\u{FFFD}'));
            (w.collect(), s.val)
        })
    }
}

/// Word frequencies with prefix markers, frozen after loading: one compact hash table
/// per word length for words of BMP characters (every bundled word), a map keyed like
/// [`key_of`] for any word with a character beyond.
#[derive(Debug, Default)]
pub struct Lexicon {
    t1: Table<1>,
    t2: Table<2>,
    t3: Table<3>,
    t4: Table<4>,
    t5: Table<5>,
    t6: Table<6>,
    /// Words with a character outside the BMP, keyed by [`key_of`].
    wide: KeyMap<u16>,
    /// Distinct (frequency, flags); index 0 is (0, none): "only a prefix of longer words".
    vals: Vec<Val>,
    log_total: f64,
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
        // Read line by line: the whole text (4.4 MB) would stay resident as freed heap.
        let mut text = BufReader::new(flate2::read::GzDecoder::new(JIEBA_DICT_GZ));
        let mut b = Builder::default();
        let mut total: u64 = 0;
        let mut buf: Vec<char> = Vec::with_capacity(8);
        let mut raw = String::new();
        loop {
            raw.clear();
            let n = text
                .read_line(&mut raw)
                .expect("bundled jieba dictionary is valid gzip/UTF-8");
            if n == 0 {
                break;
            }
            let line = raw.strip_suffix('\n').unwrap_or(&raw);
            let line = line.strip_suffix('\r').unwrap_or(line);
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
            b.insert(&buf, freq);
            if is_person && looks_like_person(&buf) {
                b.flag(&buf, PERSON, true);
            }
        }
        for w in IDIOMS.lines() {
            buf.clear();
            buf.extend(w.trim().chars());
            if buf.len() != 4 || !buf.iter().all(|&c| is_han(c)) {
                continue;
            }
            if b.lex.freq(&buf) < IDIOM_FREQ {
                total += u64::from(IDIOM_FREQ);
                b.insert(&buf, IDIOM_FREQ);
            }
            b.flag(&buf, IDIOM, true);
            b.flag(&buf, PERSON, false);
        }
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
            if b.lex.freq(&buf) < min_freq {
                total += u64::from(min_freq);
                b.insert(&buf, min_freq);
            }
            if min_freq == GONGWEN_FREQ {
                b.flag(&buf, OFFICIAL, true);
            }
        }
        b.finish(total)
    }

    /// The value index of a BMP word packed by [`push16`], `len` characters long.
    #[inline]
    fn get16(&self, len: usize, key: u128) -> Option<u16> {
        match len {
            1 => self.t1.get(key),
            2 => self.t2.get(key),
            3 => self.t3.get(key),
            4 => self.t4.get(key),
            5 => self.t5.get(key),
            6 => self.t6.get(key),
            _ => None,
        }
    }

    /// The value of a word or prefix, if stored.
    fn val(&self, chars: &[char]) -> Option<Val> {
        if chars.is_empty() || chars.len() > MAX_WORD {
            return None;
        }
        let id = if chars.iter().all(|&c| (c as u32) <= 0xFFFF) {
            let key = chars.iter().fold(0, |k, &c| push16(k, c as u16));
            self.get16(chars.len(), key)
        } else {
            self.wide.get(&key_of(chars)).copied()
        };
        id.map(|i| self.vals[usize::from(i)])
    }

    fn has_flag(&self, chars: &[char], flag: u8) -> bool {
        self.val(chars).is_some_and(|v| v.flags & flag != 0)
    }

    /// True when the word is a four-character idiom.
    #[inline]
    pub fn is_idiom(&self, chars: &[char]) -> bool {
        chars.len() == 4 && self.has_flag(chars, IDIOM)
    }

    /// True when the word is a person's name in jieba's dictionary.
    pub fn is_person(&self, chars: &[char]) -> bool {
        self.has_flag(chars, PERSON)
    }

    /// True when the word belongs to the official-writing vocabulary.
    pub fn is_official(&self, chars: &[char]) -> bool {
        self.has_flag(chars, OFFICIAL)
    }

    /// Frequency of a word given as chars (0 when it is not a word).
    pub fn freq(&self, chars: &[char]) -> u32 {
        self.val(chars).map_or(0, |v| v.freq)
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

    /// Every (word, frequency) of the lexicon, in no particular order.
    pub fn words(&self) -> impl Iterator<Item = (Vec<char>, u32)> + '_ {
        let wide = self.wide.iter().map(|(&k, &v)| (unpack_key(k), v));
        self.t1
            .iter()
            .chain(self.t2.iter())
            .chain(self.t3.iter())
            .chain(self.t4.iter())
            .chain(self.t5.iter())
            .chain(self.t6.iter())
            .chain(wide)
            .map(|(w, v)| (w, self.vals[usize::from(v)].freq))
            .filter(|&(_, f)| f > 0)
    }

    /// Builds the segmentation lattice of a block of Han characters.
    pub fn lattice(&self, block: &[char], lat: &mut Lattice) {
        let n = block.len();
        lat.edges.clear();
        for i in 0..n {
            let mut key = 0u128;
            let mut wide_key = 0u128;
            let mut wide = false;
            let mut has_single = false;
            for (j, &c) in block.iter().enumerate().take(n.min(i + MAX_WORD)).skip(i) {
                let c = c as u32;
                wide |= c > 0xFFFF;
                wide_key = push_key(wide_key, c);
                let id = if wide {
                    self.wide.get(&wide_key).copied()
                } else {
                    key = push16(key, c as u16);
                    self.get16(j - i + 1, key)
                };
                let Some(id) = id else {
                    break;
                };
                let v = self.vals[usize::from(id)];
                if v.freq != 0 {
                    has_single |= j == i;
                    lat.edges.push(Edge {
                        start: i as u32,
                        end: j as u32 + 1,
                        lp: v.lp,
                    });
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

/// Loads a [`Lexicon`]: interns values and keeps prefixes marked.
#[derive(Default)]
struct Builder {
    lex: Lexicon,
    ids: HashMap<(u32, u8), u16>,
}

impl Builder {
    fn intern(&mut self, freq: u32, flags: u8) -> u16 {
        let vals = &mut self.lex.vals;
        *self.ids.entry((freq, flags)).or_insert_with(|| {
            let id = u16::try_from(vals.len()).expect("fewer than 65,536 distinct frequencies");
            vals.push(Val {
                freq,
                flags,
                lp: 0.0,
            });
            id
        })
    }

    fn set(&mut self, chars: &[char], id: u16) {
        let lex = &mut self.lex;
        if chars.iter().all(|&c| (c as u32) <= 0xFFFF) {
            let key = chars.iter().fold(0, |k, &c| push16(k, c as u16));
            match chars.len() {
                1 => lex.t1.set(key, id),
                2 => lex.t2.set(key, id),
                3 => lex.t3.set(key, id),
                4 => lex.t4.set(key, id),
                5 => lex.t5.set(key, id),
                _ => lex.t6.set(key, id),
            }
        } else {
            lex.wide.insert(key_of(chars), id);
        }
    }

    /// Stores `chars` with `freq` (keeping its flags) and marks its proper prefixes.
    fn insert(&mut self, chars: &[char], freq: u32) {
        let prefix = self.intern(0, 0);
        for i in 1..chars.len() {
            if self.lex.val(&chars[..i]).is_none() {
                self.set(&chars[..i], prefix);
            }
        }
        let flags = self.lex.val(chars).map_or(0, |v| v.flags);
        let id = self.intern(freq, flags);
        self.set(chars, id);
    }

    /// The frozen lexicon, `total` being the sum of the frequencies.
    fn finish(self, total: u64) -> Lexicon {
        let mut lex = self.lex;
        lex.log_total = (total as f64).ln();
        let lps: Vec<f32> = lex.vals.iter().map(|v| lex.lp(v.freq) as f32).collect();
        for (v, lp) in lex.vals.iter_mut().zip(lps) {
            v.lp = lp;
        }
        lex.t1.shrink();
        lex.t2.shrink();
        lex.t3.shrink();
        lex.t4.shrink();
        lex.t5.shrink();
        lex.t6.shrink();
        lex.wide.shrink_to_fit();
        lex.vals.shrink_to_fit();
        lex
    }

    /// Sets or clears a flag of a stored word.
    fn flag(&mut self, chars: &[char], flag: u8, on: bool) {
        let Some(v) = self.lex.val(chars) else {
            return;
        };
        let flags = if on { v.flags | flag } else { v.flags & !flag };
        let id = self.intern(v.freq, flags);
        self.set(chars, id);
    }
}

/// The characters of a key packed by [`key_of`].
fn unpack_key(mut key: u128) -> Vec<char> {
    let mut out = Vec::with_capacity(MAX_WORD);
    while key != 0 {
        out.push(char::from_u32((key & 0x1F_FFFF) as u32).unwrap_or('\u{FFFD}'));
        key >>= 21;
    }
    out.reverse();
    out
}

/// A jieba `nr` entry that can be a name: a surname and one or two given characters.
fn looks_like_person(w: &[char]) -> bool {
    let sl = super::names::surname_at(w, 0);
    sl > 0 && w.len() > sl && w.len() - sl <= 2
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
    fn words_beyond_the_bmp_segment_like_any_other() {
        // No bundled word has such a character; the fallback map must still give the
        // same answers as the compact tables (prefixes, frequency, flags).
        let mut b = Builder::default();
        let w: Vec<char> = "𠀾政府".chars().collect();
        b.insert(&w, 500);
        b.insert(&['政', '府'], 900);
        b.flag(&w, IDIOM, true);
        let lex = b.finish(10_000);
        assert_eq!(lex.freq(&w), 500);
        assert_eq!(lex.freq(&w[..1]), 0);
        assert_eq!(lex.freq(&w[1..]), 900);
        assert!(lex.val(&w[..2]).is_some(), "prefix kept");
        assert!(!lex.is_idiom(&w), "idioms are four characters");
        assert_eq!(lex.words().count(), 2);
        let mut lat = Lattice::default();
        lex.lattice(&w, &mut lat);
        assert_eq!(lat.boundaries(), vec![0, 3]);
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
