//! Character confusion sets (same sound, similar shape, observed in official documents)
//! and the confusion-based detector: where replacing one character by a confusable one
//! turns the sentence into a clearly more probable one under the word-unigram model of
//! [`Lexicon`], the character is flagged with the replacement as suggestion.
//!
//! The score of a candidate is
//! `gain = best log-prob of the sentence with the replacement − best log-prob without`
//! plus a channel term (how often such a confusion happens). Only the words covering
//! the replaced character change, so the gain is read off the forward/backward scores
//! of the original lattice: `fwd[s] + lp(new word) + bwd[e] − bwd[0]`.

use std::collections::HashMap;
use std::hash::BuildHasherDefault;

use hashbrown::HashTable;

use super::lexicon::{is_han, KeyHasher, Lattice, Lexicon};

/// The best channel score of any confusion (an upper bound used for pruning).
const MAX_CHANNEL: f32 = 3.0;

#[inline]
fn pair_key(wrong: char, right: char) -> u64 {
    (u64::from(wrong as u32) << 32) | u64::from(right as u32)
}

static SAME_PINYIN: &str = include_str!("../../rules/typos/same_pinyin.txt");
static SAME_STROKE: &str = include_str!("../../rules/typos/same_stroke.txt");
static ODW_PAIRS: &str = include_str!("../../rules/typos/odw_train_char_pairs.tsv");

/// Channel scores (log-domain bonuses): how plausible it is that a writer typed the
/// first character when meaning the second. Tuned on ecspell_odw.train.tsv.
pub mod channel {
    /// Homophone with the same tone (the commonest pinyin-IME slip).
    pub const SAME_TONE: f32 = 0.0;
    /// Homophone with a different tone.
    pub const OTHER_TONE: f32 = -1.5;
    /// Similar shape (wubi/handwriting/OCR slip).
    pub const SHAPE: f32 = -1.0;
    /// Observed in official documents (ODW train set); plus `ODW_PER_LOG` per ln(count).
    pub const ODW: f32 = 1.5;
    pub const ODW_PER_LOG: f32 = 0.5;
}

/// Target words of the detector must be at least this frequent (jieba counts).
pub const MIN_TARGET_FREQ: u32 = 20;
/// Longest target word considered, in characters.
pub const MAX_TARGET: usize = 4;

/// Which confusion relation links two characters (for evidence and tuning).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Channel {
    pub score: f32,
}

/// The confusion relation between characters.
#[derive(Debug, Default)]
pub struct ConfusionSets {
    /// (written, meant) packed by [`pair_key`] → channel score.
    fast: HashMap<u64, f32, BuildHasherDefault<KeyHasher>>,
    /// Meant characters, sorted, one per confusable pair …
    right: Vec<char>,
    /// … and the written one of each pair (sorted within one meant character).
    wrong: Vec<char>,
}

impl ConfusionSets {
    /// Loads the bundled sets.
    pub fn builtin() -> ConfusionSets {
        let mut s = Pairs::default();
        for line in SAME_PINYIN.lines() {
            if line.starts_with('#') {
                continue;
            }
            let mut f = line.split('\t');
            let Some(c) = f.next().and_then(|x| x.chars().next()) else {
                continue;
            };
            let same = f.next().unwrap_or("");
            let other = f.next().unwrap_or("");
            for x in same.chars().filter(|&x| is_han(x) && x != c) {
                s.add(c, x, channel::SAME_TONE);
                s.add(x, c, channel::SAME_TONE);
            }
            for x in other.chars().filter(|&x| is_han(x) && x != c) {
                s.add(c, x, channel::OTHER_TONE);
                s.add(x, c, channel::OTHER_TONE);
            }
        }
        for line in SAME_STROKE.lines() {
            let group: Vec<char> = line
                .split('\t')
                .filter_map(|x| x.trim().chars().next())
                .filter(|&c| is_han(c))
                .collect();
            for &a in &group {
                for &b in &group {
                    if a != b {
                        s.add(a, b, channel::SHAPE);
                    }
                }
            }
        }
        for line in ODW_PAIRS.lines() {
            if line.starts_with('#') {
                continue;
            }
            let mut f = line.split('\t');
            let (Some(w), Some(r), Some(n)) = (f.next(), f.next(), f.next()) else {
                continue;
            };
            let (Some(w), Some(r)) = (w.chars().next(), r.chars().next()) else {
                continue;
            };
            let n: f32 = n.parse().unwrap_or(1.0);
            if is_han(w) && is_han(r) && w != r {
                s.add(w, r, channel::ODW + channel::ODW_PER_LOG * n.ln());
            }
        }
        let mut by_right: Vec<(char, char)> = s.0.keys().map(|&(w, r)| (r, w)).collect();
        by_right.sort_unstable();
        let mut fast = HashMap::with_capacity_and_hasher(s.0.len(), Default::default());
        for (&(w, r), &score) in s.0.iter() {
            fast.insert(pair_key(w, r), score.min(MAX_CHANNEL));
        }
        ConfusionSets {
            fast,
            right: by_right.iter().map(|&(r, _)| r).collect(),
            wrong: by_right.iter().map(|&(_, w)| w).collect(),
        }
    }

    /// Channel score of writing `wrong` for `right`, if they are confusable.
    #[inline]
    pub fn channel(&self, wrong: char, right: char) -> Option<f32> {
        self.fast.get(&pair_key(wrong, right)).copied()
    }

    /// Characters that may be written by mistake for `right`.
    pub fn wrong_for(&self, right: char) -> &[char] {
        let lo = self.right.partition_point(|&r| r < right);
        let hi = self.right.partition_point(|&r| r <= right);
        &self.wrong[lo..hi]
    }
}

/// The confusion pairs while loading: (written, meant) → best channel score.
#[derive(Default)]
struct Pairs(HashMap<(char, char), f32>);

impl Pairs {
    fn add(&mut self, wrong: char, right: char, score: f32) {
        let e = self.0.entry((wrong, right)).or_insert(f32::NEG_INFINITY);
        if score > *e {
            *e = score;
        }
    }
}

/// Lexicon words indexed by "all characters but one", frozen flat: a hash table from
/// the wildcard key ([`wild_key`]) to a group number, each group's words in one
/// shared vector (sorted by missing character) and its best log-probability.
#[derive(Debug, Default)]
pub struct WildIndex {
    index: HashTable<WildSlot>,
    /// `words[start[g]..start[g + 1]]` are group `g`'s words.
    start: Vec<u32>,
    /// Best log-probability among group `g`'s words.
    max_lp: Vec<f64>,
    words: Vec<WildWord>,
}

/// A wildcard key split in two `u32` (keeps the slot at 12 bytes) and its group.
#[derive(Debug, Clone, Copy)]
struct WildSlot {
    key: [u32; 2],
    group: u32,
}

impl WildSlot {
    #[inline]
    fn key(&self) -> u64 {
        (u64::from(self.key[0]) << 32) | u64::from(self.key[1])
    }
}

/// One word of a group: its missing character, frequency and flags.
#[derive(Debug, Clone, Copy)]
struct WildWord {
    freq: u32,
    /// The missing character (Han, so in the BMP).
    ch: u16,
    official: bool,
    idiom: bool,
}

/// The key of a word of `len` (2..=4) BMP characters with the one at `wild` left out:
/// the other characters, 16 bits each, then `len` and `wild`. `None` when a character
/// is outside the BMP (no indexed word has one).
#[inline]
fn wild_key(chars: &[char], wild: usize) -> Option<u64> {
    let mut key = 0u64;
    for (i, &c) in chars.iter().enumerate() {
        if i != wild {
            key = (key << 16) | u64::from(u16::try_from(c as u32).ok()?);
        }
    }
    Some((key << 8) | ((chars.len() as u64) << 4) | wild as u64)
}

#[inline]
fn wild_hash(key: u64) -> u64 {
    let h = (key ^ (key >> 29)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    h ^ (h >> 32)
}

impl WildIndex {
    /// Indexes the lexicon's words of 2..=[`MAX_TARGET`] characters with at least
    /// [`MIN_TARGET_FREQ`].
    pub fn build(lex: &Lexicon) -> WildIndex {
        let target = |w: &[char], f: u32| {
            f >= MIN_TARGET_FREQ
                && (2..=MAX_TARGET).contains(&w.len())
                && w.iter().all(|&c| is_han(c))
                && !lex.is_person(w)
        };
        // Sized exactly: a doubled vector would leave megabytes of freed heap resident.
        let n: usize = lex
            .words()
            .filter(|(w, f)| target(w, *f))
            .map(|(w, _)| w.len())
            .sum();
        let mut all: Vec<(u64, WildWord)> = Vec::with_capacity(n);
        for (w, f) in lex.words() {
            if !target(&w, f) {
                continue;
            }
            let (official, idiom) = (lex.is_official(&w), lex.is_idiom(&w));
            for p in 0..w.len() {
                let Some(key) = wild_key(&w, p) else {
                    continue;
                };
                let word = WildWord {
                    freq: f,
                    ch: w[p] as u16,
                    official,
                    idiom,
                };
                all.push((key, word));
            }
        }
        all.sort_unstable_by_key(|&(k, w)| (k, w.ch));
        let groups = 1 + all.windows(2).filter(|w| w[0].0 != w[1].0).count();
        let mut ix = WildIndex {
            index: HashTable::with_capacity(groups),
            start: Vec::with_capacity(groups + 1),
            max_lp: Vec::with_capacity(groups),
            words: Vec::with_capacity(all.len()),
        };
        for (i, &(key, word)) in all.iter().enumerate() {
            if i == 0 || all[i - 1].0 != key {
                let group = ix.start.len() as u32;
                ix.start.push(i as u32);
                ix.max_lp.push(f64::NEG_INFINITY);
                let slot = WildSlot {
                    key: [(key >> 32) as u32, key as u32],
                    group,
                };
                ix.index
                    .insert_unique(wild_hash(key), slot, |s| wild_hash(s.key()));
            }
            let g = ix.max_lp.len() - 1;
            ix.max_lp[g] = ix.max_lp[g].max(lex.lp(word.freq));
            ix.words.push(word);
        }
        ix.start.push(all.len() as u32);
        ix
    }

    /// The group of a wildcard key: its best log-probability and its words.
    #[inline]
    fn get(&self, key: u64) -> Option<(f64, &[WildWord])> {
        let g = self.index.find(wild_hash(key), |s| s.key() == key)?.group as usize;
        let (s, e) = (self.start[g] as usize, self.start[g + 1] as usize);
        Some((self.max_lp[g], &self.words[s..e]))
    }
}

/// One candidate correction found by the detector.
#[derive(Debug, Clone, PartialEq)]
pub struct Candidate {
    /// Char offset (within the block) of the suspect character.
    pub pos: usize,
    pub right: char,
    /// Char range of the target word within the block.
    pub word: (usize, usize),
    /// Sentence log-probability gain plus channel score.
    pub score: f32,
    pub gain: f32,
    pub channel: f32,
}

/// Common single-character surnames: a non-word right after one is likely a given name.
const SURNAMES: &str = "王李张刘陈杨黄赵周吴徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤";

/// Characters that end place names (镇, 村 …): the characters before are likely a name.
const PLACE_SUFFIX: &str = "省市县区镇乡村街路巷州旗盟屯寨庄湾坝沟河江湖山岭峰岛港站桥寺";

/// Penalties and thresholds of the detector.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Penalties {
    /// The original characters already form a dictionary word (real-word error risk).
    pub real_word: f32,
    /// The window follows a lone surname character (a given name is likely).
    pub name: f32,
    /// The window is followed by a place-name suffix.
    pub place: f32,
    /// The window lies in an organisation's or place's name (`names::SOFT`).
    pub org: f32,
    /// Bonus when the corrected word is in the official-writing vocabulary.
    pub official_bonus: f32,
    /// Bonus when the corrected word is a four-character idiom: three of its four
    /// characters in place and the fourth a confusable one is strong evidence, which
    /// the unigram gain undervalues (谈笑风声 segments as 谈笑|风声, two common words).
    pub idiom_bonus: f32,
}

/// Finds, for each character of a block, the best confusion candidate scoring at least
/// `min_score`; overlapping candidates keep the best. Windows touching a char of a
/// person's name (`protected` = `names::HARD`) are never considered; windows inside an
/// organisation's or place's name (`names::SOFT`) pay the place penalty.
#[allow(clippy::too_many_arguments)]
pub fn detect(
    block: &[char],
    lat: &Lattice,
    lex: &Lexicon,
    sets: &ConfusionSets,
    index: &WildIndex,
    min_score: f32,
    pen: &Penalties,
    protected: &[u8],
) -> Vec<Candidate> {
    let n = block.len();
    if n < 2 {
        return Vec::new();
    }
    let base = lat.bwd[0].0;
    // Single-character segments of the best segmentation.
    let mut single = vec![false; n];
    {
        let mut i = 0usize;
        while i < n {
            let j = lat.bwd[i].1 as usize;
            single[i] = j == i + 1;
            i = j;
        }
    }
    let mut out: Vec<Candidate> = Vec::new();
    for p in 0..n {
        let mut best: Option<Candidate> = None;
        for len in 2..=MAX_TARGET.min(n) {
            let lo = (p + 1).saturating_sub(len);
            let hi = p.min(n - len);
            for s in lo..=hi {
                let guard = protected[s..s + len].iter().copied().max().unwrap_or(0);
                if guard >= super::names::HARD {
                    continue;
                }
                let Some((max_lp, words)) =
                    wild_key(&block[s..s + len], p - s).and_then(|k| index.get(k))
                else {
                    continue;
                };
                // Upper bound of any candidate of this window: skip hopeless windows
                // before looking at the (rarer) penalties.
                let outside = lat.fwd[s] + lat.bwd[s + len].0 - base;
                let floor = best.as_ref().map_or(min_score, |b| b.score.max(min_score));
                let max_bonus =
                    pen.official_bonus
                        .max(if len == 4 { pen.idiom_bonus } else { 0.0 });
                if (outside + max_lp) as f32 + MAX_CHANNEL + max_bonus < floor {
                    continue;
                }
                let mut penalty = 0.0f32;
                if s > 0 && single[s - 1] && SURNAMES.contains(block[s - 1]) && len == 2 {
                    penalty += pen.name;
                }
                if s + len < n && PLACE_SUFFIX.contains(block[s + len]) {
                    penalty += pen.place;
                }
                if guard == super::names::SOFT {
                    penalty += pen.org;
                }
                let orig_freq = lex.freq(&block[s..s + len]);
                let orig_idiom = len == 4 && lex.is_idiom(&block[s..s + len]);
                if orig_freq > 0 {
                    penalty += pen.real_word;
                }
                if (outside + max_lp) as f32 + MAX_CHANNEL + max_bonus - penalty < floor {
                    continue;
                }
                for w in words {
                    let (f, official, idiom) = (w.freq, w.official, w.idiom);
                    let r = char::from_u32(u32::from(w.ch)).unwrap_or('\u{FFFD}');
                    if r == block[p] {
                        continue;
                    }
                    let Some(ch) = sets.channel(block[p], r) else {
                        continue;
                    };
                    let gain = (lat.fwd[s] + lex.lp(f) + lat.bwd[s + len].0 - base) as f32;
                    let mut bonus = if official { pen.official_bonus } else { 0.0 };
                    let mut pen_here = penalty;
                    if idiom && !orig_idiom {
                        bonus = bonus.max(pen.idiom_bonus);
                        // A rare four-character "word" one character off an idiom is a
                        // misspelling jieba recorded (谈笑风声 3 against 谈笑风生 71).
                        if orig_freq > 0 && orig_freq * 5 < f {
                            pen_here -= pen.real_word;
                        }
                    }
                    let score = gain + ch - pen_here + bonus;
                    if score >= min_score && best.as_ref().map_or(true, |b| score > b.score) {
                        best = Some(Candidate {
                            pos: p,
                            right: r,
                            word: (s, s + len),
                            score,
                            gain,
                            channel: ch,
                        });
                    }
                }
            }
        }
        if let Some(b) = best {
            out.push(b);
        }
    }
    // Keep the best of overlapping target words.
    out.sort_by(|a, b| b.score.total_cmp(&a.score));
    let mut kept: Vec<Candidate> = Vec::new();
    for c in out {
        if kept
            .iter()
            .all(|k| c.word.1 <= k.word.0 || c.word.0 >= k.word.1)
        {
            kept.push(c);
        }
    }
    kept.sort_by_key(|c| c.pos);
    kept
}
