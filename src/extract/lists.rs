//! Item lists: a container (ul, ol, div, table …) whose rows each hold a
//! title link and a date is a list. Rows are read one by one; a table with a
//! header row (政府信息公开目录: 名称 / 索引号 / 发布机构 / 发布日期) is read
//! by the header's columns. Navigation menus have no dates, so they are not
//! lists; callers skip nav and footer areas anyway.

use chrono::{Datelike, NaiveDate};
use scraper::{ElementRef, Node};
use url::Url;

use super::dates::{
    find_dates, parse_date, parse_day, parse_month_day, parse_year_month, year_from_url,
};
use super::dom::{char_len, is_more_text, TextBuf};
use crate::site::{DateSource, Item};

/// A date as the list wrote it: full, or month-day waiting for a year.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum RawDate {
    Full(NaiveDate),
    Bare(u32, u32),
    None,
}

impl RawDate {
    fn is_some(self) -> bool {
        !matches!(self, RawDate::None)
    }
}

/// One list row before bare dates get their year.
#[derive(Debug, Clone)]
pub(crate) struct RawItem {
    pub title: String,
    pub url: Url,
    pub date: RawDate,
}

/// A list found on a page, before bare dates get their year.
#[derive(Debug, Clone, Default)]
pub(crate) struct RawBlock {
    pub heading: Option<String>,
    pub more: Option<Url>,
    pub items: Vec<RawItem>,
    pub style: &'static str,
}

/// Titles that are page furniture, not items.
fn is_furniture_title(t: &str) -> bool {
    const WORDS: [&str; 16] = [
        "打印",
        "关闭",
        "返回顶部",
        "回到顶部",
        "网站地图",
        "联系我们",
        "首页",
        "上一页",
        "下一页",
        "尾页",
        "末页",
        "打印本页",
        "关闭窗口",
        "收藏",
        "分享",
        "无障碍",
    ];
    let t = t.trim();
    WORDS.contains(&t)
        || super::ColumnClassifier::builtin().is_ignored(t)
        || t.starts_with("上一篇")
        || t.starts_with("下一篇")
        || is_more_text(t)
        || parse_date(t, Some(2000)).is_some()
}

/// What one row holds.
#[derive(Default)]
struct RowScan<'a> {
    links: Vec<(ElementRef<'a>, Url)>,
    /// Text nodes outside any link.
    out_text: Vec<&'a str>,
    elements: usize,
    text_len: usize,
    /// Too big to be one list row (a wrapper of a whole list).
    overflow: bool,
}

const MAX_ROW_LINKS: usize = 4;

fn scan_row<'a>(el: ElementRef<'a>, base: &Url, in_link: bool, s: &mut RowScan<'a>) {
    if s.overflow {
        return;
    }
    let v = el.value();
    let mut link_here = in_link;
    if v.name() == "a" && !in_link {
        if let Some(u) = v
            .attr("href")
            .and_then(|h| crate::urlnorm::resolve(base, h))
        {
            s.links.push((el, u));
            if s.links.len() > MAX_ROW_LINKS {
                s.overflow = true;
                return;
            }
        }
        link_here = true;
    }
    for child in el.children() {
        match child.value() {
            Node::Text(t) => {
                s.text_len += t.len();
                if s.text_len > 1500 {
                    s.overflow = true;
                    return;
                }
                if !link_here && !t.trim().is_empty() {
                    s.out_text.push(t);
                }
            }
            Node::Element(e) => {
                if matches!(e.name(), "script" | "style" | "noscript") {
                    continue;
                }
                s.elements += 1;
                if s.elements > 60 || matches!(e.name(), "ul" | "ol" | "table" | "li") {
                    // A nested list or table makes this a wrapper, not a row.
                    s.overflow = true;
                    return;
                }
                if let Some(ce) = ElementRef::wrap(child) {
                    scan_row(ce, base, link_here, s);
                }
            }
            _ => {}
        }
    }
}

/// Title of a link and a date written inside it (`<a><span>t</span><span>date</span></a>`).
fn link_title(a: ElementRef<'_>) -> (String, RawDate) {
    let mut buf = TextBuf::default();
    let mut date = RawDate::None;
    for t in a.text() {
        let tt = t.trim();
        if tt.is_empty() {
            continue;
        }
        if let Some(d) = parse_date(tt, None) {
            date = RawDate::Full(d);
            continue;
        }
        if let Some((m, d)) = parse_month_day(tt) {
            date = RawDate::Bare(m, d);
            continue;
        }
        buf.push(t);
    }
    let mut text = buf.finish();
    // A date written at the end of the link's only text node.
    if !date.is_some() {
        if let Some((head, d)) = split_trailing_date(&text) {
            date = RawDate::Full(d);
            text = head;
        }
    }
    let attr = a
        .value()
        .attr("title")
        .map(|t| t.split_whitespace().collect::<Vec<_>>().join(" "))
        .unwrap_or_default();
    let shown = text
        .trim_end_matches(['…', '.', '。'])
        .trim_end_matches("...")
        .trim();
    let title = if !attr.is_empty()
        && (shown.is_empty()
            || (char_len(&attr) > char_len(shown) && attr.starts_with(shown))
            || text.ends_with('…')
            || text.ends_with("..."))
    {
        attr
    } else {
        text
    };
    (title, date)
}

/// `关于…的通知 2026-11-03` → (`关于…的通知`, date), only when the date ends the text.
fn split_trailing_date(text: &str) -> Option<(String, NaiveDate)> {
    let t = text.trim_end_matches([']', ')', '）', '】', ' ']);
    // Only a text ending like a date (…03 / …3日) can end with one.
    if !t.ends_with(|c: char| c.is_ascii_digit() || c == '日') {
        return None;
    }
    let tail_start = t
        .char_indices()
        .rev()
        .take(16)
        .map(|(i, _)| i)
        .filter(|&i| t[i..].starts_with(|c: char| c.is_ascii_digit()))
        .filter(|&i| parse_date(&t[i..], None).is_some())
        .last()?;
    let d = parse_date(&t[tail_start..], None)?;
    let head = t[..tail_start]
        .trim_end_matches(['[', '(', '（', '【', ' '])
        .to_string();
    (char_len(&head) >= 4).then_some((head, d))
}

/// Read one row (li, tr, div, a record fragment …) as an item: its title
/// link and the date beside it. `None` when the row has no title link or is
/// too big to be a row.
pub(crate) fn read_row(row: ElementRef<'_>, base: &Url) -> Option<RawItem> {
    // A list or table is a container, never one row of another.
    if matches!(
        row.value().name(),
        "table" | "tbody" | "thead" | "ul" | "ol" | "dl" | "form" | "iframe"
    ) {
        return None;
    }
    let mut s = RowScan::default();
    scan_row(row, base, false, &mut s);
    if s.overflow || s.links.is_empty() {
        return None;
    }
    let mut best: Option<(String, Url, RawDate)> = None;
    for (a, u) in &s.links {
        let (title, d) = link_title(*a);
        if char_len(&title) < 4 || is_furniture_title(&title) {
            continue;
        }
        if best
            .as_ref()
            .map_or(true, |(t, _, _)| char_len(&title) > char_len(t))
        {
            best = Some((title, u.clone(), d));
        }
    }
    let (title, url, in_link_date) = best?;
    // The date beside the title: the last full date outside links, else one
    // split over text nodes (day box), else a bare month-day, else one
    // inside the link.
    let joined = s.out_text.join(" ");
    let date = if let Some(d) = find_dates(&joined).last() {
        RawDate::Full(*d)
    } else if let Some(d) = day_box(&s.out_text) {
        RawDate::Full(d)
    } else if let Some((m, d)) = s.out_text.iter().rev().find_map(|t| parse_month_day(t)) {
        RawDate::Bare(m, d)
    } else {
        in_link_date
    };
    Some(RawItem { title, url, date })
}

/// A date split over text nodes: a day box (`03` + `2026-11`), or a bare
/// month-day beside a year (`11-03` + `2026`).
fn day_box(texts: &[&str]) -> Option<NaiveDate> {
    let (mut ym, mut day, mut md, mut year) = (None, None, None, None);
    for t in texts {
        let t = t.trim();
        if let Some(v) = parse_year_month(t) {
            ym = Some(v);
        } else if let Some(v) = parse_day(t) {
            day = Some(v);
        } else if let Some(v) = parse_month_day(t) {
            md = Some(v);
        } else if let Some(y) = t
            .strip_suffix('年')
            .unwrap_or(t)
            .parse::<i32>()
            .ok()
            .filter(|y| (1980..=2100).contains(y))
        {
            year = Some(y);
        }
    }
    match (ym, day, md, year) {
        (Some((y, m)), Some(d), _, _) => NaiveDate::from_ymd_opt(y, m, d),
        (_, _, Some((m, d)), Some(y)) => NaiveDate::from_ymd_opt(y, m, d),
        _ => None,
    }
}

/// Element children that can be rows.
fn rows_of(el: ElementRef<'_>) -> impl Iterator<Item = ElementRef<'_>> {
    el.children().filter_map(ElementRef::wrap).filter(|e| {
        !matches!(
            e.value().name(),
            "script" | "style" | "br" | "hr" | "noscript" | "input"
        )
    })
}

/// Minimum dated rows for a container to count as a list.
fn min_items(name: &str) -> Option<usize> {
    match name {
        "ul" | "ol" | "dl" | "tbody" => Some(1),
        "div" | "section" | "td" | "span" | "p" | "form" | "article" | "main" | "center" => Some(2),
        _ => None,
    }
}

/// Try `el` as a list container; `None` when it is not one.
pub(crate) fn detect(el: ElementRef<'_>, base: &Url) -> Option<RawBlock> {
    let name = el.value().name();
    if name == "table" {
        return detect_table(el, base);
    }
    let min = min_items(name)?;
    let mut items = Vec::new();
    let (mut link_rows, mut dated) = (0usize, 0usize);
    for row in rows_of(el).take(2000) {
        // Cheap reject: a row without any <a> descendant.
        let item = read_row(row, base);
        match item {
            Some(it) => {
                link_rows += 1;
                if it.date.is_some() {
                    dated += 1;
                }
                items.push(it);
            }
            None => {
                if row.value().name() == "a" || row.descendants().any(is_link) {
                    link_rows += 1;
                }
            }
        }
    }
    if (dated >= min && dated * 2 >= link_rows) || undated_list(el, &items, link_rows, base) {
        return Some(RawBlock {
            items,
            style: "html-list",
            ..Default::default()
        });
    }
    None
}

/// A list without dates (a column page listing titles only, dated on the
/// item pages): every linked row is an item pointing at an article-looking
/// page of this host, and the container is named like a list (or holds at
/// least three items). Menus point at column pages, so they stay out.
fn undated_list(el: ElementRef<'_>, items: &[RawItem], link_rows: usize, base: &Url) -> bool {
    if items.is_empty() || items.len() != link_rows {
        return false;
    }
    let listy = std::iter::once(el)
        .chain(el.parent().and_then(ElementRef::wrap))
        .flat_map(super::dom::tokens)
        .any(|t| t.contains("list") || t.contains("lb") || t.contains("news"));
    let need = if listy { 1 } else { 3 };
    items.len() >= need
        && items
            .iter()
            .all(|i| i.url.host_str() == base.host_str() && super::nav::is_article_url(&i.url))
}

fn is_link(n: ego_like::NodeRefAlias<'_>) -> bool {
    n.value().as_element().is_some_and(|e| e.name() == "a")
}

/// ego_tree is not a direct dependency; name its node type through scraper.
mod ego_like {
    pub(crate) type NodeRefAlias<'a> = <scraper::ElementRef<'a> as std::ops::Deref>::Target;
}

/// Table rows of this table (not of nested tables).
pub(crate) fn table_rows(table: ElementRef<'_>) -> Vec<ElementRef<'_>> {
    let mut rows = Vec::new();
    for c in table.children().filter_map(ElementRef::wrap) {
        match c.value().name() {
            "tr" => rows.push(c),
            "thead" | "tbody" | "tfoot" => {
                rows.extend(
                    c.children()
                        .filter_map(ElementRef::wrap)
                        .filter(|r| r.value().name() == "tr"),
                );
            }
            _ => {}
        }
    }
    rows
}

fn cells(tr: ElementRef<'_>) -> Vec<ElementRef<'_>> {
    tr.children()
        .filter_map(ElementRef::wrap)
        .filter(|c| matches!(c.value().name(), "td" | "th"))
        .collect()
}

/// Column indexes from a header row: (title, date, is 政府信息公开目录).
fn header_columns(tr: ElementRef<'_>) -> Option<(usize, usize, bool)> {
    let cs = cells(tr);
    if cs.len() < 2 || tr.descendants().any(is_link) {
        return None;
    }
    let texts: Vec<String> = cs
        .iter()
        .map(|c| c.text().collect::<String>().split_whitespace().collect())
        .collect();
    let find = |words: &[&str]| {
        words.iter().find_map(|w| {
            texts
                .iter()
                .position(|t| t == w || (t.contains(w) && char_len(t) <= 8))
        })
    };
    let title = find(&["名称", "标题", "文件名称", "信息名称", "文件标题", "主题"])?;
    let date = find(&[
        "发布日期",
        "发布时间",
        "公开日期",
        "生成日期",
        "成文日期",
        "日期",
        "时间",
    ])?;
    let gkml = texts
        .iter()
        .any(|t| t.contains("索引号") || t.contains("发布机构") || t.contains("文号"));
    Some((title, date, gkml))
}

fn detect_table(table: ElementRef<'_>, base: &Url) -> Option<RawBlock> {
    let rows = table_rows(table);
    let header = rows
        .iter()
        .take(3)
        .enumerate()
        .find_map(|(i, r)| header_columns(*r).map(|h| (i, h)));
    if let Some((hi, (tcol, dcol, gkml))) = header {
        let mut items = Vec::new();
        for r in &rows[hi + 1..] {
            let cs = cells(*r);
            let Some(tc) = cs.get(tcol) else { continue };
            let Some(mut item) = read_row(*tc, base) else {
                continue;
            };
            let dtext: String = cs.get(dcol).map(|c| c.text().collect()).unwrap_or_default();
            item.date = match parse_date(&dtext, None).or_else(|| find_dates(&dtext).pop()) {
                Some(d) => RawDate::Full(d),
                None => match parse_month_day(&dtext) {
                    Some((m, d)) => RawDate::Bare(m, d),
                    None => RawDate::None,
                },
            };
            items.push(item);
        }
        return (!items.is_empty()).then(|| RawBlock {
            items,
            style: if gkml { "gkml-table" } else { "html-table" },
            ..Default::default()
        });
    }
    let mut items = Vec::new();
    let (mut link_rows, mut dated) = (0usize, 0usize);
    for r in rows.iter().take(2000) {
        match read_row(*r, base) {
            Some(it) => {
                link_rows += 1;
                dated += usize::from(it.date.is_some());
                items.push(it);
            }
            None => {
                if r.descendants().any(is_link) {
                    link_rows += 1;
                }
            }
        }
    }
    ((dated >= 1 && dated * 2 >= link_rows) || undated_list(table, &items, link_rows, base)).then(
        || RawBlock {
            items,
            style: "html-table",
            ..Default::default()
        },
    )
}

/// Give bare month-days their year: from the item URL, else the latest
/// full date in the block, else `page_year` (latest on the page). A bare date
/// that would fall after the context date belongs to the previous year
/// (a January page listing 12-28).
pub(crate) fn finish_items(raw: Vec<RawItem>, page_latest: Option<NaiveDate>) -> Vec<Item> {
    let block_latest = raw
        .iter()
        .filter_map(|i| match i.date {
            RawDate::Full(d) => Some(d),
            _ => None,
        })
        .max();
    let context = block_latest.or(page_latest);
    raw.into_iter()
        .map(|r| {
            let url = crate::urlnorm::normalize(&r.url);
            let date = match r.date {
                RawDate::Full(d) => Some(d),
                RawDate::Bare(m, d) => match year_from_url(&url) {
                    Some(y) => NaiveDate::from_ymd_opt(y, m, d),
                    None => context.and_then(|c| {
                        let d0 = NaiveDate::from_ymd_opt(c.year(), m, d)?;
                        if d0 > c {
                            NaiveDate::from_ymd_opt(c.year() - 1, m, d)
                        } else {
                            Some(d0)
                        }
                    }),
                },
                RawDate::None => None,
            };
            Item {
                title: r.title,
                url: Some(url),
                date,
                date_source: DateSource::List,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use scraper::{Html, Selector};

    fn row(html: &str) -> Option<RawItem> {
        let doc = Html::parse_fragment(html);
        let sel = Selector::parse("li, tr, div.r").unwrap();
        let el = doc.select(&sel).next().unwrap();
        read_row(el, &Url::parse("http://a.gov.cn/x/").unwrap())
    }

    fn full(y: i32, m: u32, d: u32) -> RawDate {
        RawDate::Full(NaiveDate::from_ymd_opt(y, m, d).unwrap())
    }

    #[test]
    fn title_prefers_the_full_title_attribute() {
        let r = row(r#"<ul><li><a href="a.html" title="关于做好2026年度冬季安全生产工作的通知">关于做好2026年度冬季...</a><span>2026-11-03</span></li></ul>"#).unwrap();
        assert_eq!(r.title, "关于做好2026年度冬季安全生产工作的通知");
        assert_eq!(r.url.as_str(), "http://a.gov.cn/x/a.html");
        assert_eq!(r.date, full(2026, 11, 3));
        // A title attribute unrelated to the text does not replace it.
        let r = row(r#"<ul><li><a href="a.html" title="点击查看">区政府召开常务会议</a> 2026-11-03</li></ul>"#).unwrap();
        assert_eq!(r.title, "区政府召开常务会议");
    }

    #[test]
    fn dates_inside_the_link_or_at_its_end() {
        let r = row(r#"<ul><li><a href="a.html"><span>区政府召开常务会议</span><span>2026-11-03</span></a></li></ul>"#).unwrap();
        assert_eq!(
            (r.title.as_str(), r.date),
            ("区政府召开常务会议", full(2026, 11, 3))
        );
        let r = row(r#"<ul><li><a href="a.html">区政府召开常务会议 [2026-11-03]</a></li></ul>"#)
            .unwrap();
        assert_eq!(
            (r.title.as_str(), r.date),
            ("区政府召开常务会议", full(2026, 11, 3))
        );
        // A date inside a title sentence is not the item's date.
        let r =
            row(r#"<ul><li><a href="a.html">关于2026年11月3日起调整公交线路的通告</a></li></ul>"#)
                .unwrap();
        assert_eq!(r.date, RawDate::None);
    }

    #[test]
    fn longest_link_is_the_title_and_furniture_is_not() {
        let r = row(r#"<ul><li><a href="/c/">[工作动态]</a><a href="a.html">区政府召开常务会议</a><span>11-03</span></li></ul>"#).unwrap();
        assert_eq!(r.title, "区政府召开常务会议");
        assert_eq!(r.date, RawDate::Bare(11, 3));
        assert!(row(r#"<ul><li><a href="/">返回首页</a></li></ul>"#).is_none());
        assert!(row(r#"<ul><li><a href="/m/">更多>></a></li></ul>"#).is_none());
        assert!(
            row(r#"<ul><li><a href="javascript:void(0)">区政府召开常务会议</a></li></ul>"#)
                .is_none()
        );
        assert!(row(r#"<ul><li>没有链接的一行 2026-11-03</li></ul>"#).is_none());
    }

    #[test]
    fn bare_dates_get_the_year_from_url_or_context() {
        let it = |url: &str, date| RawItem {
            title: "t".into(),
            url: Url::parse(url).unwrap(),
            date,
        };
        let ctx = NaiveDate::from_ymd_opt(2026, 1, 10);
        let items = finish_items(
            vec![
                it(
                    "http://a.gov.cn/art/2025/12/30/art_1_1.html",
                    RawDate::Bare(12, 30),
                ),
                it("http://a.gov.cn/x/1.html", RawDate::Bare(1, 5)),
                it("http://a.gov.cn/x/2.html", RawDate::Bare(12, 28)),
            ],
            ctx,
        );
        let dates: Vec<_> = items.iter().map(|i| i.date.unwrap().to_string()).collect();
        // 12-28 on a January page belongs to the year before.
        assert_eq!(dates, ["2025-12-30", "2026-01-05", "2025-12-28"]);
        let none = finish_items(
            vec![it("http://a.gov.cn/x/1.html", RawDate::Bare(1, 5))],
            None,
        );
        assert_eq!(none[0].date, None);
    }
}
