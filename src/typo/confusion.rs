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

use super::lexicon::{is_han, push_key, KeyMap, Lattice, Lexicon, WILD};

/// The best channel score of any confusion (an upper bound used for pruning).
const MAX_CHANNEL: f32 = 3.0;

#[inline]
fn pair_key(wrong: char, right: char) -> u128 {
    (u128::from(wrong as u32) << 21) | u128::from(right as u32)
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
    /// (written, meant) → channel score.
    pairs: HashMap<(char, char), f32>,
    /// The same, keyed for fast lookup.
    fast: KeyMap<f32>,
    /// meant → characters that may be written instead.
    wrong_for: HashMap<char, Vec<char>>,
}

impl ConfusionSets {
    /// Loads the bundled sets.
    pub fn builtin() -> ConfusionSets {
        let mut s = ConfusionSets::default();
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
        for (&(w, r), &score) in s.pairs.iter() {
            s.wrong_for.entry(r).or_default().push(w);
            s.fast.insert(pair_key(w, r), score.min(MAX_CHANNEL));
        }
        for v in s.wrong_for.values_mut() {
            v.sort_unstable();
        }
        s
    }

    fn add(&mut self, wrong: char, right: char, score: f32) {
        let e = self
            .pairs
            .entry((wrong, right))
            .or_insert(f32::NEG_INFINITY);
        if score > *e {
            *e = score;
        }
    }

    /// Channel score of writing `wrong` for `right`, if they are confusable.
    #[inline]
    pub fn channel(&self, wrong: char, right: char) -> Option<f32> {
        self.fast.get(&pair_key(wrong, right)).copied()
    }

    /// Characters that may be written by mistake for `right`.
    pub fn wrong_for(&self, right: char) -> &[char] {
        self.wrong_for.get(&right).map(Vec::as_slice).unwrap_or(&[])
    }
}

/// Lexicon words indexed by "all characters but one": wildcard key → (missing char, freq).
#[derive(Debug, Default)]
pub struct WildIndex {
    map: KeyMap<WildList>,
}

/// Words sharing all characters but one, with the best log-probability among them.
#[derive(Debug, Default)]
struct WildList {
    max_lp: f64,
    /// (missing char, frequency, in the official-writing vocabulary, an idiom).
    words: Vec<(char, u32, bool, bool)>,
}

fn unpack(mut key: u128) -> Vec<char> {
    let mut out = Vec::with_capacity(6);
    while key != 0 {
        out.push(char::from_u32((key & 0x1F_FFFF) as u32).unwrap_or('\u{FFFD}'));
        key >>= 21;
    }
    out.reverse();
    out
}

impl WildIndex {
    /// Indexes the lexicon's words of 2..=[`MAX_TARGET`] characters with at least
    /// [`MIN_TARGET_FREQ`].
    pub fn build(lex: &Lexicon) -> WildIndex {
        let mut map: KeyMap<WildList> = KeyMap::default();
        for (k, f) in lex.words() {
            if f < MIN_TARGET_FREQ || lex.is_person_key(k) {
                continue;
            }
            let w = unpack(k);
            if w.len() < 2 || w.len() > MAX_TARGET || !w.iter().all(|&c| is_han(c)) {
                continue;
            }
            for p in 0..w.len() {
                let mut key = 0u128;
                for (i, &c) in w.iter().enumerate() {
                    key = push_key(key, if i == p { WILD } else { c as u32 });
                }
                let list = map.entry(key).or_insert_with(|| WildList {
                    max_lp: f64::NEG_INFINITY,
                    words: Vec::new(),
                });
                list.words
                    .push((w[p], f, lex.is_official_key(k), lex.is_idiom_key(k)));
                list.max_lp = list.max_lp.max(lex.lp(f));
            }
        }
        WildIndex { map }
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
                let mut key = 0u128;
                for (i, &c) in block[s..s + len].iter().enumerate() {
                    key = push_key(key, if s + i == p { WILD } else { c as u32 });
                }
                let Some(list) = index.map.get(&key) else {
                    continue;
                };
                // Upper bound of any candidate of this window: skip hopeless windows
                // before looking at the (rarer) penalties.
                let outside = lat.fwd[s] + lat.bwd[s + len].0 - base;
                let floor = best.as_ref().map_or(min_score, |b| b.score.max(min_score));
                let max_bonus =
                    pen.official_bonus
                        .max(if len == 4 { pen.idiom_bonus } else { 0.0 });
                if (outside + list.max_lp) as f32 + MAX_CHANNEL + max_bonus < floor {
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
                let orig_idiom =
                    len == 4 && lex.is_idiom_key(super::lexicon::key_of(&block[s..s + len]));
                if orig_freq > 0 {
                    penalty += pen.real_word;
                }
                if (outside + list.max_lp) as f32 + MAX_CHANNEL + max_bonus - penalty < floor {
                    continue;
                }
                for &(r, f, official, idiom) in &list.words {
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
