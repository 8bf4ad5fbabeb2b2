//! Bomb guards: what a zip or a pdf would inflate to, measured by inflating
//! it into nothing with a cap, before a parser (which would keep it all in
//! memory) sees the file. Declared sizes are not trusted: a zip member may
//! lie about its size, so every member is inflated and counted.

use std::io::{Cursor, Read};

use super::Format;

/// Inflate `r` into nothing; the bytes it gave, or an error past `room`.
fn drain(mut r: impl Read, room: u64, cap: u64) -> Result<u64, String> {
    let mut buf = vec![0u8; 64 * 1024];
    let mut total = 0u64;
    loop {
        match r.read(&mut buf) {
            Ok(0) => return Ok(total),
            Ok(n) => {
                total += n as u64;
                if total > room {
                    return Err(format!("inflates past {cap} bytes (a zip bomb?): not read"));
                }
            }
            Err(e) => return Err(format!("corrupt: {e}")),
        }
    }
}

/// Which Office Open XML file a zip is (after checking it does not inflate
/// past `cap` bytes).
pub(super) fn zip_kind(bytes: &[u8], cap: u64) -> Result<Format, String> {
    let mut zip =
        zip::ZipArchive::new(Cursor::new(bytes)).map_err(|e| format!("corrupt zip: {e}"))?;
    let names: Vec<String> = zip.file_names().map(str::to_string).collect();
    let format = if names.iter().any(|n| n == "word/document.xml") {
        Format::Docx
    } else if names.iter().any(|n| n == "xl/workbook.xml") {
        Format::Xlsx
    } else {
        return Err("a zip that is no xlsx or docx: not read".into());
    };
    let mut left = cap;
    for i in 0..zip.len() {
        let f = zip
            .by_index(i)
            .map_err(|e| format!("corrupt zip member: {e}"))?;
        left -= drain(f, left, cap)?;
    }
    Ok(format)
}

/// Check that a pdf's Flate streams do not inflate past `cap` bytes
/// together. Streams are found as the bytes between `stream` and
/// `endstream`; one that does not inflate is left to the parser.
pub(super) fn pdf_inflates_within_cap(bytes: &[u8], cap: u64) -> Result<(), String> {
    let mut left = cap;
    let mut at = 0;
    while let Some(start) = find(&bytes[at..], b"stream") {
        let mut s = at + start + b"stream".len();
        if bytes[s..].starts_with(b"\r\n") {
            s += 2;
        } else if bytes[s..].starts_with(b"\n") || bytes[s..].starts_with(b"\r") {
            s += 1;
        } else {
            // "endstream", or the word inside a string.
            at = s;
            continue;
        }
        let end = find(&bytes[s..], b"endstream").map_or(bytes.len(), |e| s + e);
        let n = inflated(&bytes[s..end], left);
        if n > left {
            return Err(format!(
                "pdf streams inflate past {cap} bytes (a bomb?): not read"
            ));
        }
        left -= n;
        at = end.max(s);
    }
    Ok(())
}

/// What a stream inflates to, up to its end or its first error (a stream
/// that stops being valid deflate part way may still have inflated a lot),
/// counting no further than just past `room`.
fn inflated(data: &[u8], room: u64) -> u64 {
    let mut r = flate2::read::ZlibDecoder::new(data);
    let mut buf = vec![0u8; 64 * 1024];
    let mut total = 0u64;
    while let Ok(n) = r.read(&mut buf) {
        if n == 0 {
            break;
        }
        total += n as u64;
        if total > room {
            break;
        }
    }
    total
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    #[test]
    fn a_zip_bomb_is_refused_before_parsing() {
        let mut buf = Cursor::new(Vec::new());
        {
            let mut z = zip::ZipWriter::new(&mut buf);
            let o = zip::write::SimpleFileOptions::default()
                .compression_method(zip::CompressionMethod::Deflated);
            z.start_file("xl/workbook.xml", o).unwrap();
            z.write_all(b"<workbook/>").unwrap();
            z.start_file("xl/worksheets/sheet1.xml", o).unwrap();
            let zeros = vec![0u8; 1024 * 1024];
            for _ in 0..9 {
                z.write_all(&zeros).unwrap();
            }
            z.finish().unwrap();
        }
        let bytes = buf.into_inner();
        assert!(bytes.len() < 64 * 1024, "{}", bytes.len());
        let e = zip_kind(&bytes, 8 << 20).unwrap_err();
        assert!(e.contains("zip bomb"), "{e}");
        assert_eq!(zip_kind(&bytes, 16 << 20), Ok(Format::Xlsx));
    }

    #[test]
    fn a_pdf_bomb_is_refused() {
        let mut enc = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::best());
        let zeros = vec![0u8; 1024 * 1024];
        for _ in 0..9 {
            enc.write_all(&zeros).unwrap();
        }
        let data = enc.finish().unwrap();
        let mut pdf = b"%PDF-1.4\n1 0 obj\n<< /Filter /FlateDecode >>\nstream\n".to_vec();
        pdf.extend_from_slice(&data);
        pdf.extend_from_slice(b"\nendstream\nendobj\n");
        assert!(pdf_inflates_within_cap(&pdf, 8 << 20).is_err());
        // An ordinary stream passes.
        let mut enc = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::fast());
        enc.write_all(b"BT (13812345678) Tj ET").unwrap();
        let mut pdf = b"%PDF-1.4\nstream\r\n".to_vec();
        pdf.extend_from_slice(&enc.finish().unwrap());
        pdf.extend_from_slice(b"endstream\n");
        assert!(pdf_inflates_within_cap(&pdf, 8 << 20).is_ok());
    }
}
