//! Word documents (.docx): the body's paragraphs and table cells from
//! `word/document.xml`, read with quick-xml (the zip is already checked
//! against bombs). A table cell's label is the text of the cell above it in
//! the table's first row. Deleted revisions (`w:delText`) are not text.

use std::io::{Cursor, Read};

use quick_xml::events::Event;

use super::{Location, Units};

struct Table {
    n: u32,
    row: u32,
    col: u32,
    header: Vec<String>,
}

/// Read the body of a .docx.
pub(super) fn read(bytes: &[u8], max_inflated: u64, units: &mut Units) -> Result<(), String> {
    let mut zip =
        zip::ZipArchive::new(Cursor::new(bytes)).map_err(|e| format!("corrupt docx: {e}"))?;
    let mut xml = Vec::new();
    zip.by_name("word/document.xml")
        .map_err(|e| format!("docx without word/document.xml: {e}"))?
        .take(max_inflated)
        .read_to_end(&mut xml)
        .map_err(|e| format!("corrupt docx: {e}"))?;
    body(&xml, units)
}

fn body(xml: &[u8], units: &mut Units) -> Result<(), String> {
    let mut reader = quick_xml::Reader::from_reader(xml);
    let mut tables: Vec<Table> = Vec::new();
    let mut tables_seen = 0u32;
    let mut paragraphs = 0u32;
    // Text of the open paragraph (outside tables) or cell (inside one).
    let mut text = String::new();
    let mut in_t = false;
    loop {
        let ev = reader
            .read_event()
            .map_err(|e| format!("corrupt docx XML at byte {}: {e}", reader.buffer_position()))?;
        match ev {
            Event::Eof => break,
            Event::Start(e) => match e.local_name().as_ref() {
                b"t" => in_t = true,
                b"tbl" => {
                    tables_seen += 1;
                    tables.push(Table {
                        n: tables_seen,
                        row: 0,
                        col: 0,
                        header: Vec::new(),
                    });
                }
                b"tr" => {
                    if let Some(t) = tables.last_mut() {
                        t.row += 1;
                        t.col = 0;
                    }
                }
                b"tc" => {
                    if let Some(t) = tables.last_mut() {
                        t.col += 1;
                    }
                    text.clear();
                }
                _ => {}
            },
            Event::Empty(e) => match e.local_name().as_ref() {
                b"tab" | b"br" | b"cr" => text.push(' '),
                _ => {}
            },
            Event::Text(t) if in_t => {
                let s = t
                    .unescape()
                    .map_err(|e| format!("corrupt docx text: {e}"))?;
                text.push_str(&s);
            }
            Event::End(e) => match e.local_name().as_ref() {
                b"t" => in_t = false,
                b"p" => {
                    if tables.is_empty() {
                        paragraphs += 1;
                        let n = paragraphs;
                        units.push(|| Location::Paragraph { n }, "", &text);
                        text.clear();
                    } else {
                        text.push(' ');
                    }
                }
                b"tc" => {
                    if let Some(t) = tables.last_mut() {
                        let (table, row, col) = (t.n, t.row, t.col);
                        let label = if row > 1 {
                            t.header.get(col as usize - 1).cloned().unwrap_or_default()
                        } else {
                            t.header.push(text.trim().to_string());
                            String::new()
                        };
                        units.push(|| Location::TableCell { table, row, col }, &label, &text);
                    }
                    text.clear();
                }
                b"tbl" => {
                    tables.pop();
                    text.clear();
                }
                _ => {}
            },
            _ => {}
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paragraphs_and_table_cells_with_their_headers() {
        let xml = r#"<w:document xmlns:w="x"><w:body>
<w:p><w:r><w:t>联系人：赵某，手机</w:t></w:r><w:r><w:tab/><w:t>13812345678</w:t></w:r></w:p>
<w:tbl><w:tr><w:tc><w:p><w:r><w:t>姓名</w:t></w:r></w:p></w:tc><w:tc><w:p><w:r><w:t>银行卡号</w:t></w:r></w:p></w:tc></w:tr>
<w:tr><w:tc><w:p><w:r><w:t>张某</w:t></w:r></w:p></w:tc><w:tc><w:p><w:r><w:t>6222021234567890128</w:t></w:r></w:p></w:tc></w:tr></w:tbl>
<w:p><w:r><w:delText>13912345678</w:delText></w:r></w:p>
</w:body></w:document>"#;
        let mut u = Units::default();
        body(xml.as_bytes(), &mut u).unwrap();
        assert_eq!(u.kept.len(), 2, "{:?}", u.kept);
        assert_eq!(u.kept[0].at, Location::Paragraph { n: 1 });
        assert_eq!(u.kept[0].text, "联系人：赵某，手机 13812345678");
        assert_eq!(
            u.kept[1].at,
            Location::TableCell {
                table: 1,
                row: 2,
                col: 2
            }
        );
        assert_eq!(u.kept[1].label, "银行卡号");
    }
}
