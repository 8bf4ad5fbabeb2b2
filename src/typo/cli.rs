//! `govaudit check-text FILE…`: the typo checks on a draft before it is published.
//! Reads plain text, Markdown, HTML (tags stripped, entities decoded, positions kept
//! in the original file) and .docx (word/document.xml; line = paragraph number), in
//! UTF-8 or a legacy encoding (GBK …, detected). Prints `file:line:column` per hit.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use serde::Serialize;

use super::{TypoChecker, TypoKind};
use crate::rules::Severity;

/// A document's checkable text with, per character, its 1-based (line, column) in the
/// original file.
#[derive(Debug, Clone, Default)]
pub struct Document {
    pub text: String,
    pub origin: Vec<(u32, u32)>,
}

impl Document {
    fn push(&mut self, c: char, line: u32, col: u32) {
        self.text.push(c);
        self.origin.push((line, col));
    }
}

/// One finding of check-text, as printed by `--format json`.
#[derive(Debug, Clone, Serialize)]
pub struct FileFinding {
    pub file: String,
    pub line: u32,
    pub column: u32,
    pub severity: Severity,
    pub wrong: String,
    pub suggest: String,
    pub context: String,
    pub kind: TypoKind,
    /// Rounded to two decimals (an f32 would print as 0.949999988).
    pub confidence: f64,
}

/// Reads a file into checkable text; the error names the problem in one line.
pub fn read_document(path: &Path) -> Result<Document, String> {
    let bytes = std::fs::read(path).map_err(|e| e.to_string())?;
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .unwrap_or("")
        .to_ascii_lowercase();
    if ext == "docx" {
        let xml = docx_document_xml(&bytes)?;
        return Ok(docx_text(&xml));
    }
    let text = decode(&bytes);
    let html = matches!(ext.as_str(), "html" | "htm" | "shtml" | "xhtml")
        || (ext.is_empty() && text.trim_start().starts_with('<'));
    Ok(if html {
        html_text(&text)
    } else {
        plain_text(&text)
    })
}

/// Checks one file.
pub fn check_file(checker: &TypoChecker, path: &Path) -> Result<Vec<FileFinding>, String> {
    let doc = read_document(path)?;
    let hits = checker.check(&doc.text, &[]);
    let file = path.display().to_string();
    // Byte offset → char index in doc.text.
    let mut starts: Vec<usize> = doc.text.char_indices().map(|(i, _)| i).collect();
    starts.push(doc.text.len());
    Ok(hits
        .into_iter()
        .map(|h| {
            let ci = starts.partition_point(|&b| b < h.start);
            let (line, column) = doc.origin.get(ci).copied().unwrap_or((1, 1));
            FileFinding {
                file: file.clone(),
                line,
                column,
                severity: h.severity,
                wrong: h.wrong,
                suggest: h.suggest,
                context: h.context,
                kind: h.kind,
                confidence: (f64::from(h.confidence) * 100.0).round() / 100.0,
            }
        })
        .collect())
}

fn severity_word(s: Severity) -> &'static str {
    match s {
        Severity::Veto => "veto(否决)",
        Severity::Deduct => "deduct(扣分)",
        Severity::Warn => "warn(提示)",
    }
}

fn kind_word(k: TypoKind) -> &'static str {
    match k {
        TypoKind::Dictionary => "dictionary",
        TypoKind::Confusion => "confusion",
        TypoKind::Serious => "serious",
        TypoKind::Wording => "wording",
    }
}

/// Runs check-text over `files`, findings to `out`, unreadable files to
/// `err`; returns the exit code.
pub fn run(
    files: &[PathBuf],
    json: bool,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> crate::Result<u8> {
    let checker = TypoChecker::builtin();
    let mut all: Vec<FileFinding> = Vec::new();
    let mut unreadable = false;
    for f in files {
        match check_file(&checker, f) {
            Ok(v) => all.extend(v),
            Err(e) => {
                let _ = writeln!(
                    err,
                    "govaudit: error: {}: {}",
                    f.display(),
                    e.replace('\n', " ")
                );
                unreadable = true;
            }
        }
    }
    // A closed pipe (`| head`) ends the output quietly instead of panicking.
    if json {
        let v = serde_json::json!({ "findings": all });
        let _ = writeln!(out, "{v}");
    } else {
        for x in &all {
            let r = writeln!(
                out,
                "{}:{}:{}: {} {} → {} [{} {:.2}] 「{}」",
                x.file,
                x.line,
                x.column,
                severity_word(x.severity),
                x.wrong,
                x.suggest,
                kind_word(x.kind),
                x.confidence,
                x.context
            );
            if r.is_err() {
                break;
            }
        }
        let count = |s: Severity| all.iter().filter(|x| x.severity == s).count();
        let _ = writeln!(
            out,
            "共 {} 处：否决 {}，扣分 {}，提示 {}",
            all.len(),
            count(Severity::Veto),
            count(Severity::Deduct),
            count(Severity::Warn)
        );
    }
    if unreadable {
        return Ok(2);
    }
    let serious = all
        .iter()
        .any(|x| matches!(x.severity, Severity::Veto | Severity::Deduct));
    Ok(u8::from(serious))
}

/// UTF-8 (with or without BOM) or a detected legacy encoding.
fn decode(bytes: &[u8]) -> String {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    if let Ok(s) = std::str::from_utf8(bytes) {
        return s.to_string();
    }
    let mut det = chardetng::EncodingDetector::new();
    det.feed(bytes, true);
    let enc = det.guess(None, true);
    enc.decode(bytes).0.into_owned()
}

fn plain_text(text: &str) -> Document {
    let mut doc = Document::default();
    let (mut line, mut col) = (1u32, 1u32);
    for c in text.chars() {
        doc.push(c, line, col);
        if c == '\n' {
            line += 1;
            col = 1;
        } else {
            col += 1;
        }
    }
    doc
}

const BLOCK_TAGS: &[&str] = &[
    "p",
    "div",
    "br",
    "li",
    "tr",
    "td",
    "th",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "table",
    "section",
    "article",
    "ul",
    "ol",
    "title",
    "header",
    "footer",
    "nav",
    "dd",
    "dt",
    "hr",
    "blockquote",
    "pre",
    "body",
    "head",
    "html",
];

fn entity(name: &str) -> Option<char> {
    Some(match name {
        "nbsp" | "ensp" | "emsp" | "thinsp" => ' ',
        "lt" => '<',
        "gt" => '>',
        "amp" => '&',
        "quot" => '"',
        "apos" => '\'',
        "ldquo" => '“',
        "rdquo" => '”',
        "lsquo" => '‘',
        "rsquo" => '’',
        "middot" => '·',
        "mdash" => '—',
        "ndash" => '–',
        "hellip" => '…',
        "copy" => '©',
        _ => {
            let num = name.strip_prefix('#')?;
            let v = if let Some(h) = num.strip_prefix(['x', 'X']) {
                u32::from_str_radix(h, 16).ok()?
            } else {
                num.parse().ok()?
            };
            return char::from_u32(v);
        }
    })
}

/// Strips tags, comments, scripts and styles; block tags become line breaks so that
/// paragraphs stay apart; every kept char remembers its place in the original file.
fn html_text(src: &str) -> Document {
    let chars: Vec<char> = src.chars().collect();
    // (line, column) of each source char.
    let mut pos = Vec::with_capacity(chars.len());
    let (mut line, mut col) = (1u32, 1u32);
    for &c in &chars {
        pos.push((line, col));
        if c == '\n' {
            line += 1;
            col = 1;
        } else {
            col += 1;
        }
    }
    let starts_with = |i: usize, pat: &str| -> bool {
        let mut k = i;
        for p in pat.chars() {
            match chars.get(k) {
                Some(c) if c.to_ascii_lowercase() == p => k += 1,
                _ => return false,
            }
        }
        true
    };
    let find_from = |i: usize, pat: &str| -> usize {
        (i..chars.len())
            .find(|&k| starts_with(k, pat))
            .unwrap_or(chars.len())
    };
    let mut doc = Document::default();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c == '<' {
            if starts_with(i, "<!--") {
                i = (find_from(i + 4, "-->") + 3).min(chars.len());
                continue;
            }
            let end = (i..chars.len())
                .find(|&k| chars[k] == '>')
                .unwrap_or(chars.len());
            let inner: String = chars[i + 1..end].iter().collect();
            let name: String = inner
                .trim_start_matches('/')
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric())
                .collect::<String>()
                .to_ascii_lowercase();
            let closing = inner.starts_with('/');
            if BLOCK_TAGS.contains(&name.as_str()) {
                doc.push('\n', pos[i].0, pos[i].1);
            }
            i = end + 1;
            if !closing && (name == "script" || name == "style") {
                let close = format!("</{name}");
                i = find_from(i, &close);
                i = (i..chars.len())
                    .find(|&k| chars[k] == '>')
                    .map_or(chars.len(), |k| k + 1);
            }
            continue;
        }
        if c == '&' {
            let semi = (i + 1..(i + 12).min(chars.len())).find(|&k| chars[k] == ';');
            if let Some(k) = semi {
                let name: String = chars[i + 1..k].iter().collect();
                if let Some(d) = entity(&name) {
                    doc.push(d, pos[i].0, pos[i].1);
                    i = k + 1;
                    continue;
                }
            }
        }
        let out = if c == '\n' || c == '\r' { ' ' } else { c };
        doc.push(out, pos[i].0, pos[i].1);
        i += 1;
    }
    doc
}

/// Extracts word/document.xml from a .docx (a zip archive) without a zip crate:
/// central directory → local header → stored or deflated data.
/// The most a .docx's word/document.xml may inflate to (a long report with
/// tables is a few MB).
const MAX_DOCX_XML: usize = 64 << 20;

fn docx_document_xml(zip: &[u8]) -> Result<String, String> {
    let bad = || "not a valid .docx (zip) file".to_string();
    let u16_at = |i: usize| -> Option<usize> {
        zip.get(i..i + 2)
            .map(|b| u16::from_le_bytes([b[0], b[1]]) as usize)
    };
    let u32_at = |i: usize| -> Option<usize> {
        zip.get(i..i + 4)
            .map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]) as usize)
    };
    let eocd = (0..zip.len().saturating_sub(21))
        .rev()
        .find(|&i| zip[i..].starts_with(b"PK\x05\x06"))
        .ok_or_else(bad)?;
    let count = u16_at(eocd + 10).ok_or_else(bad)?;
    let mut p = u32_at(eocd + 16).ok_or_else(bad)?;
    for _ in 0..count {
        if !zip.get(p..).is_some_and(|s| s.starts_with(b"PK\x01\x02")) {
            return Err(bad());
        }
        let method = u16_at(p + 10).ok_or_else(bad)?;
        let csize = u32_at(p + 20).ok_or_else(bad)?;
        let nlen = u16_at(p + 28).ok_or_else(bad)?;
        let elen = u16_at(p + 30).ok_or_else(bad)?;
        let clen = u16_at(p + 32).ok_or_else(bad)?;
        let local = u32_at(p + 42).ok_or_else(bad)?;
        let name = zip.get(p + 46..p + 46 + nlen).ok_or_else(bad)?;
        if name == b"word/document.xml" {
            let ln = u16_at(local + 26).ok_or_else(bad)?;
            let le = u16_at(local + 28).ok_or_else(bad)?;
            let start = local + 30 + ln + le;
            let data = zip.get(start..start + csize).ok_or_else(bad)?;
            let mut out = Vec::new();
            match method {
                0 => out.extend_from_slice(data),
                8 => {
                    // A zip bomb inflates without end: read one byte past the cap.
                    flate2::read::DeflateDecoder::new(data)
                        .take(MAX_DOCX_XML as u64 + 1)
                        .read_to_end(&mut out)
                        .map_err(|_| bad())?;
                }
                _ => return Err("unsupported .docx compression".to_string()),
            }
            if out.len() > MAX_DOCX_XML {
                return Err(format!(
                    "word/document.xml is over {} MB inflated (a zip bomb?)",
                    MAX_DOCX_XML >> 20
                ));
            }
            return String::from_utf8(out).map_err(|_| bad());
        }
        p += 46 + nlen + elen + clen;
    }
    Err("no word/document.xml in .docx".to_string())
}

/// Text of the paragraphs of a WordprocessingML document: line = paragraph number
/// (1-based), column = character within the paragraph.
fn docx_text(xml: &str) -> Document {
    let mut doc = Document::default();
    let (mut para, mut col) = (1u32, 1u32);
    let mut rest = xml;
    let mut in_text = false;
    while let Some(lt) = rest.find('<') {
        if in_text {
            let raw = &rest[..lt];
            for c in xml_unescape(raw).chars() {
                doc.push(c, para, col);
                col += 1;
            }
        }
        let Some(gt) = rest[lt..].find('>') else {
            break;
        };
        let tag = &rest[lt + 1..lt + gt];
        rest = &rest[lt + gt + 1..];
        let closing = tag.starts_with('/');
        let name: String = tag
            .trim_start_matches('/')
            .chars()
            .take_while(|c| !c.is_whitespace() && *c != '/' && *c != '>')
            .collect();
        match name.as_str() {
            "w:t" => in_text = !closing && !tag.ends_with('/'),
            "w:tab" => {
                doc.push('\t', para, col);
                col += 1;
            }
            "w:br" => {
                doc.push('\n', para, col);
                col += 1;
            }
            "w:p" if closing || tag.ends_with('/') => {
                doc.push('\n', para, col);
                para += 1;
                col = 1;
            }
            _ => {}
        }
    }
    doc
}

fn xml_unescape(s: &str) -> String {
    if !s.contains('&') {
        return s.to_string();
    }
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(i) = rest.find('&') {
        out.push_str(&rest[..i]);
        let tail = &rest[i + 1..];
        match tail.find(';').filter(|&k| k <= 10) {
            Some(k) => {
                match entity(&tail[..k]) {
                    Some(c) => out.push(c),
                    None => out.push_str(&rest[i..i + k + 2]),
                }
                rest = &tail[k + 1..];
            }
            None => {
                out.push('&');
                rest = tail;
            }
        }
    }
    out.push_str(rest);
    out
}
