//! PDF text through pdf-extract (lopdf underneath), page by page, line by
//! line. A line's label is the nearest line above it on its page that holds
//! no long number — a table's header row (身份证号码 / 银行卡号) as a list
//! prints it. A scanned pdf has no text layer and gives nothing.

use super::{guard, Location, Units};

/// Read a pdf's text.
pub(super) fn read(bytes: &[u8], max_inflated: u64, units: &mut Units) -> Result<(), String> {
    guard::pdf_inflates_within_cap(bytes, max_inflated)?;
    let pages = pdf_extract::extract_text_from_mem_by_pages(bytes)
        .map_err(|e| format!("unreadable pdf: {e}"))?;
    for (p, text) in pages.iter().enumerate() {
        lines(p as u32 + 1, text, units);
    }
    Ok(())
}

fn lines(page: u32, text: &str, units: &mut Units) {
    let mut label = "";
    let lines = text.lines().map(str::trim).filter(|l| !l.is_empty());
    for (n, line) in (1u32..).zip(lines) {
        let line_no = n;
        units.push(
            || Location::PageLine {
                page,
                line: line_no,
            },
            label,
            line,
        );
        if !super::has_long_number(line) {
            label = line;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_carry_the_header_above() {
        let mut u = Units::default();
        lines(
            2,
            "补贴名单\n\n姓名 银行卡号\n张某 6222021234567890128\n",
            &mut u,
        );
        assert_eq!(u.kept.len(), 1);
        assert_eq!(u.kept[0].at, Location::PageLine { page: 2, line: 3 });
        assert_eq!(u.kept[0].label, "姓名 银行卡号");
    }
}
