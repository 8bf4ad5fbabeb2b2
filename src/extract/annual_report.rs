//! 政府信息公开工作年度报告 (annual information-disclosure report): title
//! recognition, the six section headings, the tables 三 (applications) and
//! 四 (复议 / 诉讼) of the national template (国办公开办函〔2019〕60号 and its
//! 〔2021〕30号 revision), and the figures the free text states.
//!
//! The tables are read from the page text in reading order. Page text puts a
//! space at every cell boundary and writes a `rowspan` label once, on its
//! first row, so the template's `colspan`/`rowspan` layout, a CMS that
//! flattens the table into paragraphs, and a report pasted as plain text all
//! read the same: a row is its label followed by its numbers. A row is only
//! taken when it holds exactly as many numbers as the template has columns;
//! anything else (an empty cell, a dash for zero, a split number) leaves the
//! table or that part of it unread rather than guessed.

use std::sync::LazyLock;

use regex::Regex;

/// The seven columns of table 三, in template order.
pub const APPLICANT_COLUMNS: [&str; 7] = [
    "自然人",
    "商业企业",
    "科研机构",
    "社会公益组织",
    "法律服务机构",
    "其他",
    "总计",
];

/// The five cells of each table 四 group, in template order.
pub const REVIEW_CELLS: [&str; 5] = ["结果维持", "结果纠正", "其他结果", "尚未审结", "总计"];

/// The three groups of table 四.
pub const REVIEW_GROUPS: [&str; 3] = [
    "行政复议",
    "行政诉讼（未经复议直接起诉）",
    "行政诉讼（复议后起诉）",
];

/// The six required sections, by keyword (the 2019 and 2021 headings both
/// contain them; 五 is often shortened to 存在问题及改进情况).
pub const SECTIONS: [(&str, &[&str]); 6] = [
    ("一、总体情况", &["总体情况"]),
    ("二、主动公开政府信息情况", &["主动公开政府信息情况"]),
    (
        "三、收到和处理政府信息公开申请情况",
        &["收到和处理政府信息公开申请"],
    ),
    (
        "四、政府信息公开行政复议、行政诉讼情况",
        &[
            "行政复议、行政诉讼情况",
            "行政复议和行政诉讼情况",
            "行政复议行政诉讼情况",
        ],
    ),
    (
        "五、存在的主要问题及改进情况",
        &["存在的主要问题", "存在问题及改进", "主要问题及改进"],
    ),
    ("六、其他需要报告的事项", &["其他需要报告的事项"]),
];

/// One row of table 三: its label as printed and its seven numbers.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    /// The row's label as printed.
    pub label: String,
    /// Its seven numbers, in column order.
    pub values: [i64; 7],
}

/// Table 三 as read.
#[derive(Debug, Clone, PartialEq)]
pub struct Table3 {
    /// 一、本年新收政府信息公开申请数量
    pub new: Row,
    /// 二、上年结转政府信息公开申请数量
    pub carried: Row,
    /// The sub-rows of 三、本年度办理结果 before （七）总计, when every one
    /// of them was read and their number is the template's (21 in the 2021
    /// format, 19 in the 2019 one); `None` otherwise.
    pub results: Option<Vec<Row>>,
    /// 三、本年度办理结果（七）总计
    pub total: Row,
    /// 四、结转下年度继续办理
    pub forward: Row,
}

impl Table3 {
    /// Every row read, in table order.
    pub fn rows(&self) -> Vec<&Row> {
        let mut out = vec![&self.new, &self.carried];
        if let Some(r) = &self.results {
            out.extend(r);
        }
        out.push(&self.total);
        out.push(&self.forward);
        out
    }
}

/// Table 四: per group (复议, 直接起诉, 复议后起诉) 结果维持, 结果纠正, 其他结果,
/// 尚未审结, 总计.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Table4 {
    /// Per group (复议, 直接起诉, 复议后起诉): 维持, 纠正, 其他, 尚未审结, 总计.
    pub groups: [[i64; 5]; 3],
}

/// What a figure in the free text counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stated {
    /// 收到 / 新收 … 申请 N 件.
    Applications,
    /// 行政复议 N 件.
    Review,
    /// 行政诉讼 N 件.
    Litigation,
}

/// A figure the free text states, with its sentence.
#[derive(Debug, Clone, PartialEq)]
pub struct Statement {
    /// What the figure counts.
    pub kind: Stated,
    /// The figure.
    pub value: i64,
    /// The sentence that states it.
    pub quote: String,
}

/// An annual report page as read.
#[derive(Debug, Clone, PartialEq)]
pub struct AnnualReport {
    /// Which of the six sections have their heading (一 … 六).
    pub sections: [bool; 6],
    /// Table 三 (申请和办理), when read.
    pub table3: Option<Table3>,
    /// Table 四 (复议和诉讼), when read.
    pub table4: Option<Table4>,
    /// Figures stated in 一、总体情况 (or, without headings, the text before table 三).
    pub statements: Vec<Statement>,
}

static YEAR: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"((?:19|20)\d{2})\s*年").expect("static regex"));

/// True for the title of a 政府信息公开工作年度报告 (not a notice about them).
pub fn is_report_title(title: &str) -> bool {
    let t: String = title.split_whitespace().collect();
    t.contains("政府信息公开")
        && (t.contains("年度报告") || t.contains("年报") || t.contains("年度工作报告"))
        && !t.contains("通知")
        && !t.contains("要点")
}

/// True for a page that is an annual report: its title says so, or its text
/// holds table 三 of the template.
pub fn is_report_page(title: &str, text: &str) -> bool {
    is_report_title(title)
        || (text.contains("收到和处理政府信息公开申请") && text.contains("本年新收"))
}

/// The year a report covers, from its title (`2025年政府信息公开工作年度报告`).
pub fn report_year(title: &str) -> Option<i32> {
    YEAR.captures(title).and_then(|c| c[1].parse().ok())
}

/// Core words of each numbered section heading: real reports reword the
/// template's headings (五、存在的不足及改进措施, 一、基本情况), so a heading is
/// its number (`五、`) followed within 12 characters by one of these.
const HEADING_CORES: [&str; 6] = [
    "总体情况|基本情况|总体概况|概述",
    "主动公开",
    "收到和处理|依申请公开|政府信息公开申请",
    "行政复议|行政诉讼",
    "问题|不足",
    "其他",
];

static NUMBERED: LazyLock<Vec<Regex>> = LazyLock::new(|| {
    ["一", "二", "三", "四", "五", "六"]
        .iter()
        .zip(HEADING_CORES)
        .map(|(n, core)| {
            Regex::new(&format!(r"{n}\s*[、.．]\s*[^\s。；，]{{0,12}}?(?:{core})"))
                .expect("static regex")
        })
        .collect()
});

/// Byte range of each section heading in `text`, when found: a numbered
/// heading first, else the template's words anywhere.
fn heading_positions(text: &str) -> [Option<(usize, usize)>; 6] {
    let mut out = [None; 6];
    for (i, (_, keys)) in SECTIONS.iter().enumerate() {
        out[i] = NUMBERED[i]
            .find(text)
            .map(|m| (m.start(), m.end()))
            .or_else(|| {
                keys.iter()
                    .filter_map(|k| text.find(k).map(|at| (at, at + k.len())))
                    .min()
            });
    }
    out
}

/// Read an annual report from its page text.
pub fn parse(text: &str) -> AnnualReport {
    let ranges = heading_positions(text);
    let mut sections = [false; 6];
    for (s, p) in sections.iter_mut().zip(ranges) {
        *s = p.is_some();
    }
    let pos = ranges.map(|r| r.map(|(start, _)| start));
    // Table 三 lies after heading 三 (when found) and before heading 四.
    let t3_from = pos[2].unwrap_or(0);
    let t3_to = pos[3].filter(|&p| p > t3_from).unwrap_or(text.len());
    let table3 = read_table3(&text[t3_from..t3_to]);
    let t4_from = pos[3].unwrap_or(t3_to);
    let t4_to = pos[4].filter(|&p| p > t4_from).unwrap_or(text.len());
    let table4 = if t4_from < t4_to {
        read_table4(&text[t4_from..t4_to])
    } else {
        None
    };
    // After the heading 一、总体情况 itself.
    let intro_from = ranges[0].map_or(0, |(_, end)| end);
    let intro_to = pos[1]
        .or(pos[2])
        .filter(|&p| p > intro_from)
        .unwrap_or(t3_from.max(intro_from));
    let statements = statements(&text[intro_from..intro_to]);
    AnnualReport {
        sections,
        table3,
        table4,
        statements,
    }
}

static NUMBER: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^(?:\d{1,3}(?:,\d{3})+|\d+)$").expect("static regex"));
/// A label with its number glued on (`（七）总计13364`).
static GLUED_AFTER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^(.*[\p{Han}）)”])(\d{1,3}(?:,\d{3})+|\d+)$").expect("static regex")
});
/// A number with the next label glued on (`14069二、上年结转…`).
static GLUED_BEFORE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^(\d{1,3}(?:,\d{3})+|\d+)([\p{Han}（(].*)$").expect("static regex")
});

enum Token<'a> {
    Word(&'a str),
    Number(i64),
}

fn number(s: &str) -> Option<i64> {
    if NUMBER.is_match(s) {
        s.replace(',', "").parse().ok()
    } else {
        None
    }
}

fn tokens(text: &str) -> Vec<Token<'_>> {
    let mut out = Vec::new();
    for t in text.split_whitespace() {
        if let Some(n) = number(t) {
            out.push(Token::Number(n));
        } else if let Some(c) = GLUED_AFTER.captures(t) {
            out.push(Token::Word(c.get(1).map_or("", |m| m.as_str())));
            out.extend(number(&c[2]).map(Token::Number));
        } else if let Some(c) = GLUED_BEFORE.captures(t) {
            out.extend(number(&c[1]).map(Token::Number));
            out.push(Token::Word(c.get(2).map_or("", |m| m.as_str())));
        } else {
            out.push(Token::Word(t));
        }
    }
    out
}

/// Rows of label + numbers, in reading order.
fn rows(text: &str) -> Vec<(String, Vec<i64>)> {
    let mut out: Vec<(String, Vec<i64>)> = Vec::new();
    let mut label = String::new();
    let mut nums = Vec::new();
    for t in tokens(text) {
        match t {
            Token::Number(n) => nums.push(n),
            Token::Word(w) => {
                if !nums.is_empty() {
                    out.push((std::mem::take(&mut label), std::mem::take(&mut nums)));
                }
                label.push_str(w);
            }
        }
    }
    if !nums.is_empty() || !label.is_empty() {
        out.push((label, nums));
    }
    out
}

fn row7(label: String, nums: &[i64]) -> Option<Row> {
    let values: [i64; 7] = nums.try_into().ok()?;
    Some(Row { label, values })
}

/// Table 三 in the text of section 三: rows from 本年新收 to 结转下年度.
fn read_table3(text: &str) -> Option<Table3> {
    let at = text.find("本年新收")?;
    // Back to the start of the label (`一、本年新收…`).
    let start = text[..at].rfind(' ').map_or(0, |p| p + 1);
    let rows = rows(&text[start..]);
    let mut it = rows.into_iter();
    let (l, n) = it.next()?;
    let new = row7(l, &n)?;
    let (l, n) = it.next()?;
    if !l.contains("上年结转") {
        return None;
    }
    let carried = row7(l, &n)?;
    let mut results = Vec::new();
    let mut complete = true;
    let total = loop {
        let (l, n) = it.next()?;
        if l.contains("结转下年度") {
            return None;
        }
        if l.contains("总计") && !l.contains("三、本年度办理结果")
            || l.contains("（七）")
            || l.contains("(七)")
        {
            break row7(l, &n)?;
        }
        match row7(l, &n) {
            Some(r) => results.push(r),
            None => complete = false,
        }
    };
    let (l, n) = it.next()?;
    if !l.contains("结转下年度") {
        return None;
    }
    let forward = row7(l, &n)?;
    // 2021 format: 21 sub-rows; 2019 format: 19 (one 其他处理 row).
    let results = (complete && matches!(results.len(), 19 | 21)).then_some(results);
    Some(Table3 {
        new,
        carried,
        results,
        total,
        forward,
    })
}

/// Table 四 in the text of section 四: exactly 15 numbers after its header.
fn read_table4(text: &str) -> Option<Table4> {
    let at = text.find("结果维持")?;
    let nums: Vec<i64> = tokens(&text[at..])
        .into_iter()
        .filter_map(|t| match t {
            Token::Number(n) => Some(n),
            Token::Word(_) => None,
        })
        .collect();
    if nums.len() != 15 {
        return None;
    }
    let mut groups = [[0i64; 5]; 3];
    for (g, chunk) in groups.iter_mut().zip(nums.chunks(5)) {
        g.copy_from_slice(chunk);
    }
    Some(Table4 { groups })
}

static APPLICATIONS: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?:收到|新收)[^。；;！\d]{0,20}?申请[^。；;，,\d、和与及各]{0,8}?(\d+)\s*[件个]")
        .expect("static regex")
});
static REVIEW: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"行政复议[^。；;，,\d、和与及各]{0,10}?(\d+)\s*[件起]").expect("static regex")
});
static LITIGATION: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"行政诉讼[^。；;，,\d、和与及各]{0,10}?(\d+)\s*[件起]").expect("static regex")
});

/// The sentence (between 。；！ or the text's ends) around a byte range.
fn sentence(text: &str, from: usize, to: usize) -> String {
    let stop = |c: char| matches!(c, '。' | '；' | ';' | '！');
    let start = text[..from].rfind(stop).map_or(0, |p| {
        p + text[p..].chars().next().map_or(1, char::len_utf8)
    });
    let end = text[to..].find(stop).map_or(text.len(), |p| {
        to + p + text[to + p..].chars().next().map_or(1, char::len_utf8)
    });
    text[start..end].trim().to_string()
}

/// Figures stated in the free text: applications received, 复议, 诉讼.
fn statements(text: &str) -> Vec<Statement> {
    let mut out = Vec::new();
    for (re, kind) in [
        (&*APPLICATIONS, Stated::Applications),
        (&*REVIEW, Stated::Review),
        (&*LITIGATION, Stated::Litigation),
    ] {
        for c in re.captures_iter(text) {
            let m = c.get(0).expect("whole match");
            // 收到行政复议申请 N 件 is a 复议 figure, not an application one.
            if kind == Stated::Applications
                && (m.as_str().contains("复议") || m.as_str().contains("诉讼"))
            {
                continue;
            }
            let Ok(value) = c[1].parse() else { continue };
            out.push(Statement {
                kind,
                value,
                quote: sentence(text, m.start(), m.end()),
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn titles_and_years() {
        assert!(is_report_title(
            "区发展和改革局2025年政府信息公开工作年度报告"
        ));
        assert!(is_report_title("2024年度政府信息公开工作年报"));
        assert!(!is_report_title(
            "关于做好2025年政府信息公开工作年度报告编制工作的通知"
        ));
        assert!(!is_report_title("2025年政务公开工作要点"));
        assert_eq!(
            report_year("区发展和改革局2025年政府信息公开工作年度报告"),
            Some(2025)
        );
        assert_eq!(report_year("政府信息公开工作年度报告"), None);
    }

    #[test]
    fn reworded_headings_are_found() {
        let t = "一、基本情况 2025年…… 二、主动公开政府信息情况 规章 0 0 0 \
                 三、收到和处理政府信息公开申请情况 一、本年新收 1 0 0 0 0 0 1 二、上年结转 0 0 0 0 0 0 0 \
                 四、结转下年度继续办理 0 0 0 0 0 0 0 \
                 四、政府信息公开行政复议、行政诉讼情况 五、存在的不足及改进措施 一是…… 六、其他需要报告的事项 无。";
        assert_eq!(parse(t).sections, [true; 6]);
        // 四、结转下年度 and （五）不予处理 are no section headings.
        let t = "三、收到和处理政府信息公开申请情况 （五）不予处理 四、结转下年度继续办理 0";
        assert_eq!(parse(t).sections, [false, false, true, false, false, false]);
    }

    #[test]
    fn glued_labels_and_numbers_split() {
        let r = rows("一、本年新收13612 252 0 45 128 32 14069二、上年结转 1,535 6");
        assert_eq!(r[0].0, "一、本年新收");
        assert_eq!(r[0].1, vec![13612, 252, 0, 45, 128, 32, 14069]);
        assert_eq!(r[1].0, "二、上年结转");
        assert_eq!(r[1].1, vec![1535, 6]);
    }

    #[test]
    fn short_rows_leave_the_table_unread() {
        let t = "一、本年新收政府信息公开申请数量 2 0 0 0 0 2 二、上年结转政府信息公开申请数量 0 0 0 0 0 0 0 \
                 三、本年度办理结果 （七）总计 2 0 0 0 0 0 2 四、结转下年度继续办理 0 0 0 0 0 0 0";
        assert!(read_table3(t).is_none());
        let ok = t.replacen("2 0 0 0 0 2", "2 0 0 0 0 0 2", 1);
        let t3 = read_table3(&ok).unwrap();
        assert_eq!(t3.new.values[6], 2);
        assert!(t3.results.is_none());
    }

    /// The template's HTML (colspan/rowspan, 2021 and 2019) and the
    /// flattened layout, through the page walk as the crawl reads them.
    #[test]
    fn fixture_reports_read_fully() {
        let base = url::Url::parse("http://127.0.0.1/nb/ndbg/").unwrap();
        for (html, subrows) in [
            (
                include_str!("../../fixtures/annual-report-inconsistent/nb/ndbg/2025.html"),
                21,
            ),
            (
                include_str!("../../fixtures/annual-report-inconsistent/nb/ndbg/2020.html"),
                19,
            ),
            (
                include_str!("../../fixtures/annual-report-inconsistent/nb/ndbg/2023.html"),
                19,
            ),
            (
                include_str!("../../fixtures/annual-report-inconsistent/nb/ndbg/2021.html"),
                21,
            ),
        ] {
            let page = crate::extract::parse_page(&base, html);
            assert!(is_report_page(&page.title, &page.text));
            let r = parse(&page.text);
            assert_eq!(r.sections, [true; 6], "{}", page.title);
            let t3 = r.table3.expect("table 三");
            assert_eq!(t3.results.map(|r| r.len()), Some(subrows), "{}", page.title);
            assert_eq!(t3.new.values[6], 33);
            assert_eq!(r.table4.expect("table 四").groups[0], [1, 1, 0, 0, 2]);
        }
    }

    #[test]
    fn statements_are_quoted() {
        let s = statements("2025年，本机关共收到政府信息公开申请40件，办结38件。发生政府信息公开行政复议3件，行政诉讼1件。收到行政复议申请2件。");
        assert_eq!(s.len(), 4, "{s:?}");
        assert_eq!(s[0].kind, Stated::Applications);
        assert_eq!(s[0].value, 40);
        assert!(s[0].quote.starts_with("2025年，本机关共收到"));
        assert!(s[0].quote.ends_with("办结38件。"));
        assert_eq!(s[1].kind, Stated::Review);
        assert_eq!(s[1].value, 3);
        assert_eq!(s[3].kind, Stated::Litigation);
        assert_eq!(s[3].value, 1);
    }
}
