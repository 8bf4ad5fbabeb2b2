//! A nesting guard run before html5ever: its tree builder checks element
//! scopes by walking the stack of open elements, so a page nested n deep
//! costs O(n²) — 100,000 unclosed `<div>`s take minutes. Real pages are a
//! few dozen deep (browsers flatten past 512); a page estimated deeper than
//! [`MAX_DEPTH`] is cut where it gets there, and the cut is recorded.

/// Estimated nesting past which a page is cut.
pub const MAX_DEPTH: usize = 1000;

/// Elements that never take children.
const VOID: &[&str] = &[
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source",
    "track", "wbr", "keygen", "frame", "basefont", "isindex",
];

/// Elements whose end tags pages often leave out (the parser closes them
/// itself): not counted either way, so a list of unclosed `<li>` is flat.
const IMPLIED: &[&str] = &[
    "p", "li", "dt", "dd", "tr", "td", "th", "option", "optgroup", "tbody", "thead", "tfoot",
    "colgroup", "rb", "rt", "rp", "html", "head", "body",
];

/// Elements whose content is raw text: skipped to their end tag.
const RAW: &[&str] = &["script", "style", "textarea", "title", "xmp", "plaintext"];

/// The byte offset at which `html`'s estimated element nesting first passes
/// `limit`, if it does. The estimate counts start tags minus end tags,
/// leaving out void elements and those with implied end tags; comments,
/// doctypes and raw-text elements are skipped.
pub fn too_deep_at(html: &str, limit: usize) -> Option<usize> {
    let b = html.as_bytes();
    let mut depth = 0usize;
    let mut i = 0;
    while let Some(off) = memchr_lt(&b[i..]) {
        let at = i + off;
        i = at + 1;
        if b[i..].starts_with(b"!--") {
            i = find(b, i + 3, b"-->").map_or(b.len(), |e| e + 3);
            continue;
        }
        let close = b.get(i) == Some(&b'/');
        let name_start = if close { i + 1 } else { i };
        let name_len = b[name_start..]
            .iter()
            .take_while(|c| c.is_ascii_alphanumeric())
            .count();
        if name_len == 0 || !b[name_start].is_ascii_alphabetic() {
            continue;
        }
        let name = html[name_start..name_start + name_len].to_ascii_lowercase();
        let tag_end = b[name_start..]
            .iter()
            .position(|&c| c == b'>')
            .map(|p| name_start + p);
        let self_closing = tag_end.is_some_and(|e| e > 0 && b[e - 1] == b'/');
        i = tag_end.map_or(b.len(), |e| e + 1);
        if close {
            if !VOID.contains(&name.as_str()) && !IMPLIED.contains(&name.as_str()) {
                depth = depth.saturating_sub(1);
            }
            continue;
        }
        if RAW.contains(&name.as_str()) {
            let end = format!("</{name}");
            i = find_ci(b, i, end.as_bytes()).unwrap_or(b.len());
            continue;
        }
        if self_closing || VOID.contains(&name.as_str()) || IMPLIED.contains(&name.as_str()) {
            continue;
        }
        depth += 1;
        if depth > limit {
            return Some(at);
        }
    }
    None
}

/// `html` cut where it gets deeper than [`MAX_DEPTH`], and whether it was.
pub fn capped(html: &str) -> (&str, bool) {
    match too_deep_at(html, MAX_DEPTH) {
        Some(at) => (&html[..at], true),
        None => (html, false),
    }
}

fn memchr_lt(b: &[u8]) -> Option<usize> {
    b.iter().position(|&c| c == b'<')
}

fn find(b: &[u8], from: usize, pat: &[u8]) -> Option<usize> {
    b.get(from..)?
        .windows(pat.len())
        .position(|w| w == pat)
        .map(|p| from + p)
}

fn find_ci(b: &[u8], from: usize, pat: &[u8]) -> Option<usize> {
    b.get(from..)?
        .windows(pat.len())
        .position(|w| w.eq_ignore_ascii_case(pat))
        .map(|p| from + p)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_hundred_thousand_divs_are_cut_at_the_limit() {
        let html = "<div>".repeat(100_000);
        let (cut, was) = capped(&html);
        assert!(was);
        assert_eq!(cut.len(), MAX_DEPTH * 5);
    }

    #[test]
    fn ordinary_pages_are_not_cut() {
        // Unclosed list items, paragraphs and cells, void elements, scripts
        // with tags in strings, comments: all flat.
        let row = "<li><a href=x>标题</a><br><img src=a.png><p>文字<td>格</td>\
                   <script>var s='<div><div><div>';</script><!-- <div><div> --><span>日期</span>";
        let html = format!(
            "<html><body><div><ul>{}</ul></div></body></html>",
            row.repeat(5000)
        );
        assert_eq!(too_deep_at(&html, MAX_DEPTH), None);
        // Closed nesting is fine however long the page.
        let nested = "<div><span>x</span></div>".repeat(100_000);
        assert_eq!(too_deep_at(&nested, MAX_DEPTH), None);
    }

    #[test]
    fn unclosed_font_tags_count() {
        let html = "<font color=red>字".repeat(MAX_DEPTH + 1);
        assert!(too_deep_at(&html, MAX_DEPTH).is_some());
        // Broken tails never panic.
        for t in [
            "<",
            "</",
            "<!--",
            "<a",
            "</a",
            "<script>",
            "<1>",
            "<\u{4e2d}>",
        ] {
            let _ = too_deep_at(t, 0);
        }
    }
}
