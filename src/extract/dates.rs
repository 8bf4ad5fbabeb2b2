//! Dates as government pages write them: 2026-11-03, 2026/11/03, 2026.11.03,
//! 2026年11月3日, [2026-11-03], (2026-11-03 09:30:00), and a bare 11-03 /
//! 11月3日 whose year comes from context (the item URL, or another date on
//! the page). Impossible dates (2026-02-30, month 13) are rejected.

use std::sync::LazyLock;

use chrono::NaiveDate;
use regex::Regex;

/// A whole string that is a date, optionally bracketed and followed by a time.
static FULL_EXACT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"^[\[\(（【〔]?\s*(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?\s*(?:\d{1,2}[:：]\d{2}(?:[:：]\d{2})?)?\s*[\]\)）】〕]?$",
    )
    .expect("static regex")
});

/// A whole string that is a bare month-day (year from context).
static BARE_EXACT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"^[\[\(（【〔]?\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?\s*(?:\d{1,2}[:：]\d{2}(?:[:：]\d{2})?)?\s*[\]\)）】〕]?$",
    )
    .expect("static regex")
});

/// A full date anywhere in a longer text; the digit guards stand in for the
/// look-arounds the regex crate lacks (an index number 1130-2026-00012 must
/// not read as a date).
static FULL_ANY: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?:^|[^\d])(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})(?:[^\d]|$)")
        .expect("static regex")
});

/// Year in an item URL: JCMS `/art/2026/11/3/`, TRS `t20261103_`, a
/// `/202611/` or `/2026/11/` or `/2026-11/` directory.
static URL_YEAR: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?:/art/(\d{4})/|/t(\d{4})\d{4}_|/(\d{4})(?:\d{2}|/\d{1,2}|-\d{2})/)")
        .expect("static regex")
});

fn ymd(y: &str, m: &str, d: &str) -> Option<NaiveDate> {
    let y: i32 = y.parse().ok()?;
    if !(1980..=2100).contains(&y) {
        return None;
    }
    NaiveDate::from_ymd_opt(y, m.parse().ok()?, d.parse().ok()?)
}

/// Parse a string that is a date (see the module doc); `year_hint` supplies
/// the year of a bare `11-03` / `11月3日`.
pub fn parse_date(s: &str, year_hint: Option<i32>) -> Option<NaiveDate> {
    let s = s.trim_matches(|c: char| c.is_whitespace() || c == '\u{a0}' || c == '\u{3000}');
    if s.len() < 3 || s.len() > 40 || !starts_like_date(s) {
        return None;
    }
    if let Some(c) = FULL_EXACT.captures(s) {
        return ymd(&c[1], &c[2], &c[3]);
    }
    let year = year_hint?;
    let c = BARE_EXACT.captures(s)?;
    NaiveDate::from_ymd_opt(year, c[1].parse().ok()?, c[2].parse().ok()?)
}

/// Cheap pre-check before the regexes: a date starts with a digit, maybe
/// after one opening bracket. Most text nodes (titles) fail here at once.
fn starts_like_date(s: &str) -> bool {
    let mut cs = s.chars();
    match cs.next() {
        Some(c) if c.is_ascii_digit() => true,
        Some('[' | '(' | '（' | '【' | '〔') => cs
            .find(|c| !c.is_whitespace())
            .is_some_and(|c| c.is_ascii_digit()),
        _ => false,
    }
}

/// Month and day of a string that is a bare `11-03` / `11月3日` / `[11-03]`.
pub(crate) fn parse_month_day(s: &str) -> Option<(u32, u32)> {
    let s = s.trim_matches(|c: char| c.is_whitespace() || c == '\u{a0}' || c == '\u{3000}');
    if s.len() > 24 || !starts_like_date(s) {
        return None;
    }
    let c = BARE_EXACT.captures(s)?;
    let (m, d): (u32, u32) = (c[1].parse().ok()?, c[2].parse().ok()?);
    // 2024 is a leap year, so 02-29 passes here and is checked with the real year.
    NaiveDate::from_ymd_opt(2024, m, d)?;
    Some((m, d))
}

/// Year and month of a `2026-11` / `2026.11` / `2026年11月` text (the
/// lower half of a "day box" list date: a big `03` over `2026-11`).
pub(crate) fn parse_year_month(s: &str) -> Option<(i32, u32)> {
    static YM: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*月?$").expect("static regex")
    });
    let c = YM.captures(s.trim())?;
    let (y, m): (i32, u32) = (c[1].parse().ok()?, c[2].parse().ok()?);
    ((1980..=2100).contains(&y) && (1..=12).contains(&m)).then_some((y, m))
}

/// Day of a `03` / `3日` text (the upper half of a day box).
pub(crate) fn parse_day(s: &str) -> Option<u32> {
    let t = s.trim();
    let t = t.strip_suffix('日').unwrap_or(t);
    if t.is_empty() || t.len() > 2 || !t.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let d: u32 = t.parse().ok()?;
    (1..=31).contains(&d).then_some(d)
}

/// The first full (year-month-day) date written anywhere in `s`.
pub fn find_date(s: &str) -> Option<NaiveDate> {
    FULL_ANY
        .captures_iter(s)
        .find_map(|c| ymd(&c[1], &c[2], &c[3]))
}

/// Every full date written in `s`, in order.
pub fn find_dates(s: &str) -> Vec<NaiveDate> {
    // Matches consume one guard char each side, so dates separated by a
    // single character are found by re-searching after each match start.
    let mut out = Vec::new();
    let mut at = 0;
    while let Some(c) = FULL_ANY.captures_at(s, at) {
        if let Some(d) = ymd(&c[1], &c[2], &c[3]) {
            out.push(d);
        }
        let end = c.get(3).map(|m| m.end()).unwrap_or(s.len());
        if end <= at {
            break;
        }
        at = end;
    }
    out
}

/// Year encoded in an item URL (JCMS `/art/2026/11/3/art_1_2.html`, TRS
/// `./202611/t20261103_123.html`, `/2026/11/`), used for bare list dates.
pub fn year_from_url(url: &str) -> Option<i32> {
    let c = URL_YEAR.captures(url)?;
    let y: i32 = c
        .get(1)
        .or_else(|| c.get(2))
        .or_else(|| c.get(3))?
        .as_str()
        .parse()
        .ok()?;
    (1980..=2100).contains(&y).then_some(y)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> Option<NaiveDate> {
        NaiveDate::from_ymd_opt(y, m, day)
    }

    #[test]
    fn full_dates_in_every_written_form() {
        for s in [
            "2026-11-03",
            "2026/11/03",
            "2026.11.03",
            "2026年11月3日",
            "2026年11月03日",
            "[2026-11-03]",
            "(2026-11-03)",
            "（2026-11-03）",
            "【2026-11-03】",
            " 2026-11-03 09:30:00 ",
            "2026-11-3",
            "2026 年 11 月 3 日",
        ] {
            assert_eq!(parse_date(s, None), d(2026, 11, 3), "{s}");
        }
    }

    #[test]
    fn bare_dates_need_a_year() {
        assert_eq!(parse_date("11-03", Some(2025)), d(2025, 11, 3));
        assert_eq!(parse_date("[11-03]", Some(2025)), d(2025, 11, 3));
        assert_eq!(parse_date("11月3日", Some(2026)), d(2026, 11, 3));
        assert_eq!(parse_date("11/03", Some(2026)), d(2026, 11, 3));
        assert_eq!(parse_date("11-03", None), None);
    }

    #[test]
    fn impossible_or_non_dates_rejected() {
        for s in [
            "2026-02-30",
            "2026-13-01",
            "2026-00-10",
            "0026-11-03",
            "关于2026-11-03的通知",
            "2026-11",
            "",
            "12345",
            "2026-11-03-04",
        ] {
            assert_eq!(parse_date(s, Some(2026)), None, "{s}");
        }
        assert_eq!(parse_date("02-30", Some(2026)), None);
        assert_eq!(parse_date("3.5", None), None);
    }

    #[test]
    fn day_box_halves() {
        assert_eq!(parse_year_month("2026-11"), Some((2026, 11)));
        assert_eq!(parse_year_month(" 2026.11 "), Some((2026, 11)));
        assert_eq!(parse_year_month("2026年11月"), Some((2026, 11)));
        assert_eq!(parse_year_month("2026-13"), None);
        assert_eq!(parse_year_month("2026-11-03"), None);
        assert_eq!(parse_day("03"), Some(3));
        assert_eq!(parse_day("3日"), Some(3));
        assert_eq!(parse_day("32"), None);
        assert_eq!(parse_day("123"), None);
        assert_eq!(parse_day(""), None);
    }

    #[test]
    fn finds_dates_inside_text() {
        assert_eq!(
            find_date("发布日期：2026-11-03 来源：区政府"),
            d(2026, 11, 3)
        );
        assert_eq!(find_date("成文日期: 2026年10月28日"), d(2026, 10, 28));
        // An index number is not a date.
        assert_eq!(find_date("索引号：11320100-2026-00012"), None);
        assert_eq!(find_date("no date here 2026"), None);
        assert_eq!(
            find_dates("2026-10-01 至 2026-10-07"),
            vec![d(2026, 10, 1).unwrap(), d(2026, 10, 7).unwrap()]
        );
    }

    #[test]
    fn year_from_item_urls() {
        assert_eq!(
            year_from_url("http://a.gov.cn/art/2026/11/3/art_1229_1.html"),
            Some(2026)
        );
        assert_eq!(
            year_from_url("http://a.gov.cn/tzgg/202511/t20251103_123.html"),
            Some(2025)
        );
        assert_eq!(year_from_url("http://a.gov.cn/2024/11/x.html"), Some(2024));
        assert_eq!(year_from_url("http://a.gov.cn/col/col123/index.html"), None);
        assert_eq!(year_from_url("http://a.gov.cn/news/12345678/x.html"), None);
    }
}
