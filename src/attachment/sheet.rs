//! Spreadsheets (xlsx, xls, WPS et) through calamine: every sheet, every
//! cell, each with its column's header — the nearest cell above it that
//! reads as a heading (text without a long number), so a 名单 with a title
//! row over its header row still gets 身份证号码 / 银行卡号 as the label.

use std::io::Cursor;

use calamine::{Data, Reader, Xls, Xlsx};

use super::{Format, Location, Units};

/// Excel's name of a column: 0 → A, 25 → Z, 26 → AA.
pub(super) fn column_name(mut c: u32) -> String {
    let mut s = Vec::new();
    loop {
        s.push(b'A' + (c % 26) as u8);
        if c < 26 {
            break;
        }
        c = c / 26 - 1;
    }
    s.reverse();
    String::from_utf8(s).expect("ASCII")
}

/// A cell as text. Whole numbers print without a decimal part (a mobile
/// number typed as a number is 13812345678, not 13812345678.0); numbers of
/// more than 15 digits lost their digits in the file already.
fn text(d: &Data) -> String {
    match d {
        Data::String(s) | Data::DateTimeIso(s) | Data::DurationIso(s) => s.clone(),
        Data::Int(i) => i.to_string(),
        Data::Float(f) if f.fract() == 0.0 && f.abs() < 1e17 => format!("{}", *f as i64),
        Data::Float(f) => f.to_string(),
        Data::Bool(b) => b.to_string(),
        Data::DateTime(d) => d.to_string(),
        Data::Error(_) | Data::Empty => String::new(),
    }
}

/// A heading: short text, no long number.
fn is_heading(s: &str) -> bool {
    let s = s.trim();
    !s.is_empty() && s.chars().count() <= 30 && !s.chars().any(|c| c.is_ascii_digit())
}

fn sheets<R: Reader<Cursor<Vec<u8>>>>(mut wb: R, units: &mut Units) -> Result<(), String>
where
    R::Error: std::fmt::Display,
{
    for name in wb.sheet_names() {
        let range = match wb.worksheet_range(&name) {
            Ok(r) => r,
            Err(e) => return Err(format!("sheet {name}: {e}")),
        };
        let Some((row0, col0)) = range.start() else {
            continue;
        };
        let mut headers: Vec<String> = Vec::new();
        for (r, row) in range.rows().enumerate() {
            if headers.len() < row.len() {
                headers.resize(row.len(), String::new());
            }
            for (c, cell) in row.iter().enumerate() {
                let t = text(cell);
                if t.is_empty() {
                    continue;
                }
                let (row, col) = (row0 + r as u32, col0 + c as u32);
                units.push(
                    || Location::Cell {
                        sheet: name.clone(),
                        cell: format!("{}{}", column_name(col), row + 1),
                    },
                    &headers[c],
                    &t,
                );
                if is_heading(&t) {
                    headers[c] = t;
                }
            }
        }
    }
    Ok(())
}

/// Read every sheet's cells.
pub(super) fn read(bytes: &[u8], format: Format, units: &mut Units) -> Result<(), String> {
    // calamine wants an owned reader; one copy of a file under the size cap.
    let cursor = Cursor::new(bytes.to_vec());
    match format {
        Format::Xlsx => {
            let wb: Xlsx<_> = Xlsx::new(cursor).map_err(|e| format!("unreadable xlsx: {e}"))?;
            sheets(wb, units)
        }
        _ => {
            let wb: Xls<_> = Xls::new(cursor).map_err(|e| {
                format!("unreadable xls/et (an OLE file that is no spreadsheet, such as .doc or .wps, is not read): {e}")
            })?;
            sheets(wb, units)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn excel_column_names() {
        let names: Vec<String> = [0, 1, 25, 26, 27, 51, 52, 701, 702]
            .into_iter()
            .map(column_name)
            .collect();
        assert_eq!(names, ["A", "B", "Z", "AA", "AB", "AZ", "BA", "ZZ", "AAA"]);
    }

    #[test]
    fn numbers_print_as_typed() {
        assert_eq!(text(&Data::Float(13812345678.0)), "13812345678");
        assert_eq!(text(&Data::Float(600.5)), "600.5");
        assert!(is_heading("身份证号码") && !is_heading("2026年名单"));
    }
}
