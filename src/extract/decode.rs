//! Charset decoding of fetched bodies. Order of trust: the Content-Type
//! header, a BOM, `<meta charset>` / http-equiv (or an XML prolog) in the
//! first 2 KB, then chardetng. A declaration that contradicts the bytes is
//! overruled: UTF-16 bytes (NULs every other byte) decode as UTF-16 whatever
//! is declared, and a page declared UTF-8 that is not valid UTF-8 is detected.
//! GB2312 / GBK labels map to encoding_rs's GBK, whose decoder is GB18030's.

use std::sync::LazyLock;

use encoding_rs::{Encoding, UTF_16BE, UTF_16LE, UTF_8};
use regex::bytes::Regex;

use super::Decoded;

/// `charset=xxx` inside a `<meta …>` tag, or `encoding="xxx"` in an XML prolog.
static META_CHARSET: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r#"(?i)<meta[^>]*?charset\s*=\s*["']?\s*([a-z0-9_\-:.]+)|<\?xml[^>]*?encoding\s*=\s*["']([a-z0-9_\-:.]+)"#,
    )
    .expect("static regex")
});

/// Encoding for a charset label; gb2312 / gbk / x-gbk all become GBK.
fn for_label(label: &str) -> Option<&'static Encoding> {
    let l = label.trim().trim_matches(|c| c == '"' || c == '\'');
    Encoding::for_label_no_replacement(l.as_bytes())
}

/// Charset named in a Content-Type header value.
fn header_charset(content_type: &str) -> Option<&'static Encoding> {
    content_type.split(';').skip(1).find_map(|p| {
        let (k, v) = p.split_once('=')?;
        k.trim()
            .eq_ignore_ascii_case("charset")
            .then(|| for_label(v))
            .flatten()
    })
}

/// Charset declared in the first 2 KB (meta tag or XML prolog).
fn meta_charset(bytes: &[u8]) -> Option<&'static Encoding> {
    let head = &bytes[..bytes.len().min(2048)];
    let c = META_CHARSET.captures(head)?;
    let m = c.get(1).or_else(|| c.get(2))?;
    let label = std::str::from_utf8(m.as_bytes()).ok()?;
    for_label(label)
}

/// UTF-16 recognised from its NUL pattern: HTML markup is mostly ASCII, so
/// UTF-16LE has a NUL in most odd bytes and UTF-16BE in most even ones.
/// Real HTML in any 8-bit or multi-byte charset never holds NULs.
pub(super) fn sniff_utf16(bytes: &[u8]) -> Option<&'static Encoding> {
    let sample = &bytes[..bytes.len().min(4096) & !1];
    if sample.len() < 8 {
        return None;
    }
    // Fast path: no NUL at all (every real 8-bit or multi-byte page).
    if !sample.contains(&0) {
        return None;
    }
    let pairs = sample.len() / 2;
    let (mut even, mut odd) = (0usize, 0usize);
    for pair in sample.chunks_exact(2) {
        even += usize::from(pair[0] == 0);
        odd += usize::from(pair[1] == 0);
    }
    if odd * 4 >= pairs && even * 10 < odd {
        Some(UTF_16LE)
    } else if even * 4 >= pairs && odd * 10 < even {
        Some(UTF_16BE)
    } else {
        None
    }
}

/// chardetng's guess for the bytes.
fn detect(bytes: &[u8]) -> &'static Encoding {
    let mut det = chardetng::EncodingDetector::new();
    det.feed(
        &bytes[..bytes.len().min(64 * 1024)],
        bytes.len() <= 64 * 1024,
    );
    det.guess(Some(b"cn"), true)
}

/// Decode a response body; see the module doc for the order of trust.
pub fn decode(bytes: &[u8], content_type: Option<&str>) -> Decoded {
    decode_explained(bytes, content_type).0
}

/// [`decode`], also saying how the charset was decided (for `govaudit inspect`).
pub fn decode_explained(bytes: &[u8], content_type: Option<&str>) -> (Decoded, &'static str) {
    let finish = |text: std::borrow::Cow<'_, str>, enc: &'static Encoding, how| {
        (
            Decoded {
                text: text.into_owned(),
                charset: enc.name().to_string(),
            },
            how,
        )
    };
    // A BOM is unambiguous and beats any declaration (as browsers do).
    if let Some((enc, bom_len)) = Encoding::for_bom(bytes) {
        let (text, _) = enc.decode_without_bom_handling(&bytes[bom_len..]);
        return finish(text, enc, "byte order mark");
    }
    if let Some(enc) = sniff_utf16(bytes) {
        let (text, _) = enc.decode_without_bom_handling(bytes);
        return finish(text, enc, "UTF-16 byte pattern (whatever is declared)");
    }
    let header = content_type.and_then(header_charset);
    let declared = header.or_else(|| meta_charset(bytes));
    let source = if header.is_some() {
        "Content-Type header"
    } else {
        "<meta> charset"
    };
    let (enc, how) = match declared {
        // A UTF-16 declaration on bytes without its NUL pattern is a lie
        // (the bytes were transcoded on the way); detect instead.
        Some(e) if e == UTF_16LE || e == UTF_16BE => (
            detect(bytes),
            "detected (declared UTF-16 without its byte pattern)",
        ),
        Some(e) if e == UTF_8 => {
            if std::str::from_utf8(bytes).is_ok() {
                (UTF_8, source)
            } else {
                (
                    detect(bytes),
                    "detected (declared UTF-8 but not valid UTF-8)",
                )
            }
        }
        Some(e) => {
            // A page declared GBK (or anything else) whose bytes are plainly
            // UTF-8 is UTF-8: GBK text of any length is almost never valid
            // UTF-8 with several 3-byte (CJK) sequences.
            if let Ok(s) = std::str::from_utf8(bytes) {
                if s.chars().filter(|c| c.len_utf8() == 3).take(8).count() == 8 {
                    return finish(
                        std::borrow::Cow::Borrowed(s),
                        UTF_8,
                        "valid UTF-8 (overrules the declared charset)",
                    );
                }
            }
            (e, source)
        }
        // Undeclared but valid UTF-8: UTF-8 (what detection would say, without its cost).
        None if std::str::from_utf8(bytes).is_ok() => (UTF_8, "undeclared, valid UTF-8"),
        None => (detect(bytes), "undeclared, detected (chardetng)"),
    };
    let (text, _) = enc.decode_without_bom_handling(bytes);
    finish(text, enc, how)
}

#[cfg(test)]
mod tests {
    use super::*;
    use encoding_rs::GBK;

    fn fixture(name: &str) -> Vec<u8> {
        let p = format!("{}/fixtures/extract/{name}", env!("CARGO_MANIFEST_DIR"));
        std::fs::read(&p).unwrap_or_else(|e| panic!("{p}: {e}"))
    }

    #[test]
    fn gbk_charset_only_in_header() {
        let bytes = fixture("gbk-header.html");
        // The bytes are not UTF-8, so a UTF-8 decode would be garbage.
        assert!(std::str::from_utf8(&bytes).is_err());
        let d = decode(&bytes, Some("text/html; charset=GBK"));
        assert_eq!(d.charset, "GBK");
        assert!(d.text.contains("区发展和改革局"), "{}", &d.text[..200]);
        assert!(d.text.contains("关于开展2026年度安全生产检查的通知"));
        // The header says gb2312: same result (GB2312 is decoded as GBK).
        let d2 = decode(&bytes, Some("text/html;charset=\"gb2312\""));
        assert_eq!(d2, d);
    }

    #[test]
    fn gbk_charset_only_in_meta() {
        let bytes = fixture("gbk-meta.html");
        let d = decode(&bytes, Some("text/html"));
        assert_eq!(d.charset, "GBK");
        assert!(d.text.contains("通知公告"));
        assert!(
            d.text.contains("镕"),
            "a GBK-only (non-GB2312) character decodes"
        );
        let d = decode(&bytes, None);
        assert_eq!(d.charset, "GBK");
    }

    #[test]
    fn utf16le_declared_gb2312_still_decodes() {
        let bytes = fixture("utf16le-declared-gb2312.html");
        assert_ne!(&bytes[..2], b"\xff\xfe", "fixture has no BOM");
        let d = decode(&bytes, Some("text/html; charset=gb2312"));
        assert_eq!(d.charset, "UTF-16LE");
        assert!(d.text.contains("政务公开"));
        assert!(!d.text.contains('\0'));
        // And with the declaration only in the (UTF-16) meta.
        let d = decode(&bytes, None);
        assert_eq!(d.charset, "UTF-16LE");
        // With a BOM too.
        let mut with_bom = b"\xff\xfe".to_vec();
        with_bom.extend_from_slice(&bytes);
        let d = decode(&with_bom, Some("text/html; charset=gb2312"));
        assert_eq!(d.charset, "UTF-16LE");
        assert!(d.text.starts_with("<!DOCTYPE"));
    }

    #[test]
    fn utf16be_is_recognised() {
        let s = "<html><head><meta charset=\"gb2312\"></head><body>政务公开 首页</body></html>";
        let bytes: Vec<u8> = s.encode_utf16().flat_map(|u| u.to_be_bytes()).collect();
        let d = decode(&bytes, Some("text/html; charset=gb2312"));
        assert_eq!(d.charset, "UTF-16BE");
        assert_eq!(d.text, s);
    }

    #[test]
    fn declared_utf8_but_gbk_bytes_falls_back_to_detection() {
        let bytes = fixture("gbk-header.html");
        let d = decode(&bytes, Some("text/html; charset=utf-8"));
        assert!(
            d.charset == "GBK" || d.charset == "gb18030",
            "{}",
            d.charset
        );
        assert!(d.text.contains("区发展和改革局"));
    }

    #[test]
    fn undeclared_gbk_is_detected_and_utf8_stays_utf8() {
        let s = "<html><body><h1>区人民政府办公室关于印发2026年政务公开工作要点的通知</h1><p>各街道办事处，区政府各部门：现将《2026年政务公开工作要点》印发给你们，请认真贯彻落实。</p></body></html>";
        let (gbk, _, _) = GBK.encode(s);
        let d = decode(&gbk, None);
        assert_eq!(d.text, s);
        let d = decode(s.as_bytes(), None);
        assert_eq!(d.charset, "UTF-8");
        assert_eq!(d.text, s);
        let d = decode(s.as_bytes(), Some("text/html; charset=UTF-8"));
        assert_eq!(d.charset, "UTF-8");
    }

    #[test]
    fn utf8_page_declared_gbk_is_read_as_utf8() {
        let s =
            "<html><head><meta charset=\"gbk\"></head><body>政务公开工作动态通知公告</body></html>";
        let d = decode(s.as_bytes(), None);
        assert_eq!(d.charset, "UTF-8");
        assert_eq!(d.text, s);
    }

    #[test]
    fn xml_prolog_encoding() {
        let s = "<?xml version=\"1.0\" encoding=\"GBK\"?><datastore><record>通知公告</record></datastore>";
        let (gbk, _, _) = GBK.encode(s);
        let d = decode(&gbk, Some("text/xml"));
        assert_eq!(d.charset, "GBK");
        assert!(d.text.contains("通知公告"));
    }
}
