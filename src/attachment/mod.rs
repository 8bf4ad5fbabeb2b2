//! Attachments (附件) as text: what a site's own xlsx / xls / et, docx and pdf
//! files say, unit by unit (a spreadsheet cell, a paragraph or table cell,
//! a line of a pdf page), each with where it is. The crawl downloads the
//! files ([`crate::crawl`]) and calls [`read`]; the rules judge what the
//! text shows. No network here, no rules.
//!
//! Only the units that hold a run of 11 or more digits are kept (what every
//! personal number the rules look for needs: a mobile number has 11), with
//! their column header or the line above, so a site's attachments cost
//! little memory and snapshot space whatever their size.
//!
//! Hostile files: a zip (xlsx, docx) or pdf whose streams would inflate past
//! the cap given to [`read`] is refused before any parser sees it (zip bombs), a
//! parser's panic is caught, and the crawl runs [`read`] on a blocking
//! thread with a time limit (`attachment_parse_secs`).

mod docx;
mod guard;
mod pdf;
mod sheet;

use serde::{Deserialize, Serialize};

/// Text units kept per attachment at most.
pub const MAX_KEPT_UNITS: usize = 5000;
/// A unit is kept when it holds a run of this many digits.
pub const KEEP_DIGITS: usize = 11;

/// The file formats read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    /// Office Open XML spreadsheet.
    Xlsx,
    /// Excel 97-2003 (BIFF8 in an OLE compound file); WPS 表格 `.et` files are
    /// the same container and are read as this when calamine can.
    Xls,
    /// Office Open XML text document.
    Docx,
    /// PDF (its text layer; scanned images have none).
    Pdf,
}

/// What a file's name or Content-Type says it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A format read here.
    Read(Format),
    /// A document format not read, with why.
    NotRead(&'static str),
}

/// Why a document type is not read (names and types seen on government sites).
fn not_read(ext: &str) -> Option<&'static str> {
    Some(match ext {
        "doc" => "Word 97-2003 (.doc) binary: no maintained Rust reader",
        "wps" => "WPS 文字 (.wps) binary: no maintained Rust reader",
        "ofd" => "OFD (GB/T 33190) layout files: no maintained Rust reader",
        _ => return None,
    })
}

/// The kind a file extension (without the dot, any case) names.
pub fn kind_of_extension(ext: &str) -> Option<Kind> {
    let ext = ext.to_ascii_lowercase();
    Some(match ext.as_str() {
        "xlsx" | "xlsm" => Kind::Read(Format::Xlsx),
        "xls" | "et" => Kind::Read(Format::Xls),
        "docx" => Kind::Read(Format::Docx),
        "pdf" => Kind::Read(Format::Pdf),
        _ => Kind::NotRead(not_read(&ext)?),
    })
}

/// The kind a Content-Type names (parameters ignored).
pub fn kind_of_content_type(ct: &str) -> Option<Kind> {
    let ct = ct.split(';').next()?.trim().to_ascii_lowercase();
    Some(match ct.as_str() {
        "application/pdf" | "application/x-pdf" => Kind::Read(Format::Pdf),
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" => {
            Kind::Read(Format::Xlsx)
        }
        "application/vnd.ms-excel" | "application/kset" | "application/vnd.ms-et" => {
            Kind::Read(Format::Xls)
        }
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document" => {
            Kind::Read(Format::Docx)
        }
        "application/msword" => Kind::NotRead(not_read("doc")?),
        "application/kswps" | "application/vnd.ms-works" => Kind::NotRead(not_read("wps")?),
        "application/ofd" => Kind::NotRead(not_read("ofd")?),
        _ => return None,
    })
}

/// The file name a Content-Disposition header gives (`filename*=UTF-8''…`
/// preferred, then `filename="…"`), percent-decoded.
pub fn disposition_filename(header: &str) -> Option<String> {
    let mut plain = None;
    for part in header.split(';').map(str::trim) {
        let Some((k, v)) = part.split_once('=') else {
            continue;
        };
        let v = v.trim().trim_matches('"');
        match k.trim().to_ascii_lowercase().as_str() {
            "filename*" => {
                let v = v.rsplit('\'').next().unwrap_or(v);
                return Some(percent_decode(v));
            }
            "filename" if !v.is_empty() => plain = Some(percent_decode(v)),
            _ => {}
        }
    }
    plain
}

fn percent_decode(s: &str) -> String {
    let bytes: Vec<u8> =
        url::form_urlencoded::parse(format!("x={}", s.replace('+', "%2B")).as_bytes())
            .next()
            .map(|(_, v)| v.into_owned().into_bytes())
            .unwrap_or_default();
    String::from_utf8(bytes).unwrap_or_else(|_| s.to_string())
}

/// The extension of a file name.
pub fn extension(name: &str) -> Option<&str> {
    let (_, ext) = name.rsplit_once('.')?;
    (!ext.is_empty() && ext.len() <= 5 && ext.bytes().all(|b| b.is_ascii_alphanumeric()))
        .then_some(ext)
}

/// What the first bytes show: a pdf, a zip holding a workbook or a
/// document, an OLE compound file (xls, et, doc, wps alike).
pub fn sniff(bytes: &[u8]) -> Option<Sniffed> {
    if bytes.len() >= 5
        && bytes[..1024.min(bytes.len())]
            .windows(5)
            .any(|w| w == b"%PDF-")
    {
        return Some(Sniffed::Pdf);
    }
    if bytes.starts_with(b"PK\x03\x04") {
        return Some(Sniffed::Zip);
    }
    if bytes.starts_with(&[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1]) {
        return Some(Sniffed::Ole);
    }
    None
}

/// A file's container, by its first bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sniffed {
    /// `%PDF-` in the first KB.
    Pdf,
    /// A zip (xlsx, docx, or neither).
    Zip,
    /// An OLE compound file (xls, et, doc, wps).
    Ole,
}

/// Where a unit of text is in its file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "in", rename_all = "kebab-case")]
pub enum Location {
    /// A spreadsheet cell.
    Cell {
        /// The sheet's name.
        sheet: String,
        /// As in Excel: "C5".
        cell: String,
    },
    /// A paragraph of a document's body.
    Paragraph {
        /// 1-based, paragraphs in tables not counted.
        n: u32,
    },
    /// A cell of a document's table.
    TableCell {
        /// 1-based, tables in document order (nested ones too).
        table: u32,
        /// 1-based row.
        row: u32,
        /// 1-based column.
        col: u32,
    },
    /// A line of a pdf page.
    PageLine {
        /// 1-based page.
        page: u32,
        /// 1-based line of the page's text (blank lines not counted).
        line: u32,
    },
}

impl Location {
    /// The place in Chinese, as a clerk looks for it.
    pub fn describe_zh(&self) -> String {
        match self {
            Location::Cell { sheet, cell } => format!("工作表“{sheet}”单元格{cell}"),
            Location::Paragraph { n } => format!("第{n}段"),
            Location::TableCell { table, row, col } => {
                format!("表格{table}第{row}行第{col}列")
            }
            Location::PageLine { page, line } => format!("第{page}页第{line}行"),
        }
    }
}

/// One unit of an attachment's text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TextUnit {
    /// Where it is.
    pub at: Location,
    /// The unit's heading: its column's header (spreadsheets, tables), or
    /// the line above (pdf); empty when none.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub label: String,
    /// The unit's text (at most 2,000 characters).
    pub text: String,
}

/// What reading one downloaded file gave. Serialisable so a per-URL cache
/// can keep it between runs (see the README, "Attachments").
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct AttachmentText {
    /// The format read, when one was.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub format: Option<Format>,
    /// Bytes downloaded.
    #[serde(default)]
    pub bytes: u64,
    /// Not read, and why (too large, a format not read, not a document, a
    /// download that failed, robots.txt, the per-site cap).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub skipped: Option<String>,
    /// Read but unreadable: corrupt, encrypted, over the inflation cap, a
    /// parser's panic, or the time limit.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// Text units read (cells, paragraphs, pdf lines).
    #[serde(default)]
    pub units_read: u32,
    /// The units holding a long run of digits, in file order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub units: Vec<TextUnit>,
    /// More units held long numbers than [`MAX_KEPT_UNITS`].
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub truncated: bool,
}

impl AttachmentText {
    /// Not read, for `why`.
    pub fn skipped(why: impl Into<String>) -> Self {
        AttachmentText {
            skipped: Some(why.into()),
            ..Default::default()
        }
    }
}

/// One of a site's attachments: where it is linked, and what reading it gave.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Attachment {
    /// Normalised URL.
    pub url: String,
    /// The first page linking it.
    pub referrer: String,
    /// The link's text.
    #[serde(default)]
    pub anchor: String,
    /// What reading it gave (flattened into the attachment's record).
    #[serde(flatten)]
    pub text: AttachmentText,
}

/// Does `s` hold a run of at least [`KEEP_DIGITS`] ASCII digits?
pub fn has_long_number(s: &str) -> bool {
    let mut run = 0;
    for b in s.bytes() {
        if b.is_ascii_digit() {
            run += 1;
            if run >= KEEP_DIGITS {
                return true;
            }
        } else {
            run = 0;
        }
    }
    false
}

/// Collects the units of one file: counts them all, keeps the ones with
/// long numbers up to the cap.
#[derive(Default)]
pub(crate) struct Units {
    read: u32,
    kept: Vec<TextUnit>,
    truncated: bool,
}

impl Units {
    pub(crate) fn push(&mut self, at: impl FnOnce() -> Location, label: &str, text: &str) {
        let text = text.trim();
        if text.is_empty() {
            return;
        }
        self.read = self.read.saturating_add(1);
        if !has_long_number(text) {
            return;
        }
        if self.kept.len() >= MAX_KEPT_UNITS {
            self.truncated = true;
            return;
        }
        self.kept.push(TextUnit {
            at: at(),
            label: label.trim().chars().take(60).collect(),
            text: text.chars().take(2000).collect(),
        });
    }
}

/// Read a downloaded file. `hint` is what its name or Content-Type said;
/// the bytes decide. Never panics (a parser's panic becomes an error).
/// Runs the parsers: call it on a blocking thread.
/// `max_inflated` caps what its zip members or pdf streams may inflate to.
pub fn read(bytes: &[u8], hint: Option<Format>, max_inflated: u64) -> AttachmentText {
    let mut out = AttachmentText {
        bytes: bytes.len() as u64,
        ..Default::default()
    };
    let format = match (sniff(bytes), hint) {
        (Some(Sniffed::Pdf), _) => Format::Pdf,
        (Some(Sniffed::Ole), _) => Format::Xls,
        (Some(Sniffed::Zip), _) => match guard::zip_kind(bytes, max_inflated) {
            Ok(f) => f,
            Err(e) => {
                out.error = Some(e);
                return out;
            }
        },
        (None, _) => {
            out.skipped = Some(match hint {
                Some(_) => "not the document its name says (unknown bytes): not read".into(),
                None => "not a document: not read".into(),
            });
            return out;
        }
    };
    out.format = Some(format);
    let mut units = Units::default();
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| match format {
        Format::Xlsx | Format::Xls => sheet::read(bytes, format, &mut units),
        Format::Docx => docx::read(bytes, max_inflated, &mut units),
        Format::Pdf => pdf::read(bytes, max_inflated, &mut units),
    }));
    match result {
        Ok(Ok(())) => {}
        Ok(Err(e)) => out.error = Some(e),
        Err(_) => out.error = Some(format!("{format:?} parser failed on this file").to_lowercase()),
    }
    out.units_read = units.read;
    out.units = units.kept;
    out.truncated = units.truncated;
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_types_and_dispositions() {
        assert_eq!(kind_of_extension("XLSX"), Some(Kind::Read(Format::Xlsx)));
        assert_eq!(kind_of_extension("et"), Some(Kind::Read(Format::Xls)));
        assert!(matches!(kind_of_extension("doc"), Some(Kind::NotRead(_))));
        assert_eq!(kind_of_extension("html"), None);
        assert_eq!(
            kind_of_content_type("application/pdf; charset=binary"),
            Some(Kind::Read(Format::Pdf))
        );
        assert_eq!(kind_of_content_type("application/octet-stream"), None);
        assert_eq!(
            disposition_filename("attachment; filename=\"mingdan.xlsx\"").as_deref(),
            Some("mingdan.xlsx")
        );
        assert_eq!(
            disposition_filename(
                "attachment; filename=x.xls; filename*=UTF-8''%E5%90%8D%E5%8D%95.xlsx"
            )
            .as_deref(),
            Some("名单.xlsx")
        );
        assert_eq!(disposition_filename("inline"), None);
        assert_eq!(extension("名单.XLSX"), Some("XLSX"));
        assert_eq!(extension("index"), None);
    }

    #[test]
    fn only_units_with_long_numbers_are_kept() {
        let mut u = Units::default();
        u.push(|| Location::Paragraph { n: 1 }, "", "姓名 张三");
        u.push(|| Location::Paragraph { n: 2 }, "", "电话 138****5678");
        u.push(|| Location::Paragraph { n: 3 }, "手机", "13812345678");
        u.push(|| Location::Paragraph { n: 4 }, "", "  ");
        assert_eq!(u.read, 3);
        assert_eq!(u.kept.len(), 1);
        assert_eq!(u.kept[0].at, Location::Paragraph { n: 3 });
    }

    #[test]
    fn junk_is_no_document_and_never_panics() {
        let t = read(b"<html>not found</html>", Some(Format::Pdf), 1 << 20);
        assert!(t.skipped.is_some() && t.units.is_empty(), "{t:?}");
        for junk in [
            &b"%PDF-1.4\n1 0 obj <<>> garbage"[..],
            b"PK\x03\x04garbage",
            &[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1, 0, 0, 1],
        ] {
            let t = read(junk, None, 1 << 20);
            assert!(t.error.is_some(), "{t:?}");
        }
    }

    #[test]
    fn locations_read_in_chinese() {
        let l = Location::Cell {
            sheet: "名单".into(),
            cell: "C5".into(),
        };
        assert_eq!(l.describe_zh(), "工作表“名单”单元格C5");
        assert_eq!(
            serde_json::to_value(&l).unwrap(),
            serde_json::json!({"in": "cell", "sheet": "名单", "cell": "C5"})
        );
    }
}
