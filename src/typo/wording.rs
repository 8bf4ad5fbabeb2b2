//! Wording checks (all `warn`): doubled function words (的的, 了了 …) that are not
//! legitimate reduplication, unbalanced paired punctuation (《》 “” （） ()), and the
//! banned / cautionary terms of rules/typos/cautionary-terms.tsv (whole-term matches).

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind};

use super::Analysis;

static CAUTIONARY: &str = include_str!("../../rules/typos/cautionary-terms.tsv");

/// Function words whose doubling is almost always a slip.
const DOUBLED: &str = "的了是在和与及对把被将从向于以也都就而或并之所由给让使着吗呢吧";

/// Fixed expressions that contain a doubled function word legitimately.
const REDUPLICATION_OK: &[&str] = &[
    "不了了之",
    "一了百了",
    "了了分明",
    "了了可见",
    "小时了了",
    "的的确确",
    "是是非非",
    "实实在在",
    "自自在在",
    "和和美美",
    "和和气气",
    "将将就就",
    "从从容容",
];

/// A wording hit: byte range, the offending text, a suggestion.
#[derive(Debug, Clone)]
pub struct WordingHit {
    pub start: usize,
    pub end: usize,
    pub wrong: String,
    pub suggest: String,
    pub confidence: f32,
}

/// Cautionary terms and their automaton.
#[derive(Debug)]
pub struct Wording {
    /// (term, note shown as suggestion).
    pub terms: Vec<(String, String)>,
    ac: AhoCorasick,
}

impl Wording {
    /// Loads the bundled cautionary-terms list.
    pub fn builtin() -> Wording {
        let mut terms = Vec::new();
        for line in CAUTIONARY.lines() {
            if line.starts_with('#') || line.trim().is_empty() {
                continue;
            }
            let (t, note) = line.split_once('\t').unwrap_or((line, ""));
            terms.push((t.trim().to_string(), note.trim().to_string()));
        }
        let ac = AhoCorasickBuilder::new()
            .match_kind(MatchKind::LeftmostLongest)
            .build(terms.iter().map(|(t, _)| t.as_str()))
            .expect("cautionary terms build");
        Wording { terms, ac }
    }

    /// Runs every wording check.
    pub fn check(&self, a: &Analysis) -> Vec<WordingHit> {
        let mut out = Vec::new();
        doubled(a, &mut out);
        brackets(a, &mut out);
        self.terms_check(a, &mut out);
        out
    }

    fn terms_check(&self, a: &Analysis, out: &mut Vec<WordingHit>) {
        for m in self.ac.find_iter(a.text) {
            let (s, e) = (a.char_at(m.start()), a.char_at(m.end()));
            if !a.is_boundary(s) || !a.is_boundary(e) {
                continue;
            }
            // A term in quotation marks is being mentioned, not used.
            let quoted = s > 0
                && matches!(a.chars[s - 1], '“' | '‘' | '"' | '「')
                && a.chars
                    .get(e)
                    .is_some_and(|&c| matches!(c, '”' | '’' | '"' | '」'));
            if quoted {
                continue;
            }
            let (term, note) = &self.terms[m.pattern().as_usize()];
            out.push(WordingHit {
                start: m.start(),
                end: m.end(),
                wrong: term.clone(),
                suggest: if note.is_empty() {
                    "慎用".to_string()
                } else {
                    note.clone()
                },
                confidence: 0.6,
            });
        }
    }
}

fn doubled(a: &Analysis, out: &mut Vec<WordingHit>) {
    let c = &a.chars;
    for i in 0..c.len().saturating_sub(1) {
        if c[i] != c[i + 1] || !DOUBLED.contains(c[i]) {
            continue;
        }
        // Legitimate when either character belongs to a longer word (目的的, 了解).
        if !(a.is_boundary(i) && a.is_boundary(i + 1) && a.is_boundary(i + 2)) {
            continue;
        }
        if i > 0 && c[i - 1] == c[i] || i + 2 < c.len() && c[i + 2] == c[i] {
            continue; // three in a row: quoting or enumeration, not a slip
        }
        let lo = i.saturating_sub(3);
        let hi = (i + 5).min(c.len());
        let window: String = c[lo..hi].iter().collect();
        if REDUPLICATION_OK.iter().any(|ok| window.contains(ok)) {
            continue;
        }
        let (s, e) = (a.byte_at[i], a.byte_at[i + 2]);
        out.push(WordingHit {
            start: s,
            end: e,
            wrong: a.text[s..e].to_string(),
            suggest: c[i].to_string(),
            confidence: 0.7,
        });
    }
}

fn closer_of(c: char) -> Option<char> {
    Some(match c {
        '《' => '》',
        '“' => '”',
        '（' => '）',
        '(' => ')',
        _ => return None,
    })
}

fn is_closer(c: char) -> bool {
    matches!(c, '》' | '”' | '）' | ')')
}

fn opener_of(c: char) -> char {
    match c {
        '》' => '《',
        '”' => '“',
        '）' => '（',
        _ => '(',
    }
}

fn brackets(a: &Analysis, out: &mut Vec<WordingHit>) {
    let c = &a.chars;
    let mut line_start = 0;
    let mut stack: Vec<(usize, char)> = Vec::new();
    // Lines joined to the one before: a title centred over several lines
    // (国务院办公厅关于印发《政府网站集约化 / 试点工作方案》的通知) opens its
    // bracket on one line and closes it on the next.
    let mut joined = 0;
    while line_start < c.len() {
        let line_end = c[line_start..]
            .iter()
            .position(|&x| x == '\n')
            .map_or(c.len(), |p| line_start + p);
        for (i, &ch) in c.iter().enumerate().take(line_end).skip(line_start) {
            if closer_of(ch).is_some() {
                stack.push((i, ch));
            } else if is_closer(ch) {
                // Full-width and half-width parentheses are often mixed: accept either.
                let want = opener_of(ch);
                let paren = matches!(ch, '）' | ')');
                match stack
                    .iter()
                    .rposition(|&(_, o)| o == want || (paren && matches!(o, '（' | '(')))
                {
                    Some(k) if k + 1 == stack.len() => {
                        stack.pop();
                    }
                    Some(k) => {
                        // Openers above k were never closed.
                        for &(j, o) in &stack[k + 1..] {
                            push_bracket(a, out, j, o, true);
                        }
                        stack.truncate(k);
                    }
                    None if paren && is_enumerator(c, line_start, i) => {}
                    None => push_bracket(a, out, i, ch, false),
                }
            }
        }
        if joined < 8 && continues_on_next_line(c, line_end, &stack) {
            joined += 1;
            line_start = line_end + 1;
            continue;
        }
        // A quotation running over several paragraphs leaves “ open at the end of each
        // paragraph but the last, and the next paragraph opens with “ again.
        let next_opens_quote = c[line_end.min(c.len())..]
            .iter()
            .find(|x| !x.is_whitespace())
            .is_some_and(|&x| x == '“');
        for &(j, o) in &stack {
            if o == '“' && next_opens_quote {
                continue;
            }
            push_bracket(a, out, j, o, true);
        }
        stack.clear();
        joined = 0;
        line_start = line_end + 1;
    }
}

/// The bracket left open at the end of this line is closed on the next: the
/// line does not end a sentence, and the next line's first bracket closes it.
fn continues_on_next_line(c: &[char], line_end: usize, stack: &[(usize, char)]) -> bool {
    let Some(&(_, open)) = stack.last() else {
        return false;
    };
    if open == '“' || line_end >= c.len() {
        return false;
    }
    let last = c[..line_end].iter().rev().find(|x| !x.is_whitespace());
    if last.is_some_and(|x| "。！？!?；;".contains(*x)) {
        return false;
    }
    // The next line with text (block tags leave blank lines between).
    let next = c[line_end + 1..]
        .split(|&x| x == '\n')
        .find(|l| l.iter().any(|x| !x.is_whitespace()))
        .unwrap_or(&[]);
    let first = next
        .iter()
        .find(|&&x| closer_of(x).is_some() || is_closer(x));
    match first {
        Some(&x) if is_closer(x) => {
            opener_of(x) == open || (matches!(x, '）' | ')') && matches!(open, '（' | '('))
        }
        _ => false,
    }
}

/// `1）`, `a)`, `三）` at the start of a line or after punctuation: list numbering,
/// which uses a closing parenthesis alone.
fn is_enumerator(c: &[char], line_start: usize, close: usize) -> bool {
    let mut j = close;
    while j > line_start
        && close - j < 3
        && (c[j - 1].is_ascii_alphanumeric() || "一二三四五六七八九十".contains(c[j - 1]))
    {
        j -= 1;
    }
    if j == close || (close - j > 1 && c[j..close].iter().any(|x| x.is_ascii_alphabetic())) {
        return false;
    }
    j == line_start || c[j - 1].is_whitespace() || "；;。：:，,、".contains(c[j - 1])
}

fn push_bracket(a: &Analysis, out: &mut Vec<WordingHit>, i: usize, ch: char, open: bool) {
    let (s, e) = (a.byte_at[i], a.byte_at[i + 1]);
    let suggest = if open {
        format!("缺少配对的「{}」", closer_of(ch).unwrap_or(' '))
    } else {
        format!("缺少配对的「{}」", opener_of(ch))
    };
    out.push(WordingHit {
        start: s,
        end: e,
        wrong: ch.to_string(),
        suggest,
        confidence: 0.7,
    });
}
