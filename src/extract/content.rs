//! What a page carries of its own, for telling a single-page column
//! (单页栏目: 机构职能, 信息公开指南, 领导信息 …) and a channel (领导信箱, 在线咨询,
//! a query form, a link out to a provincial platform) from an empty column.
//!
//! The page's *own text* is its prose once everything a template repeats on
//! every page is gone: navigation, breadcrumb, footer and sidebars (by area),
//! link texts (menus, lists, "more" links), headings, form labels, and
//! boilerplate lines found in the body of old templates (版权所有, 主办单位,
//! 网站标识码, ICP备, 当前位置, 浏览次数, 打印本页 …). Only Chinese characters
//! are counted, so dates, numbers and phone numbers weigh nothing.
//!
//! [`judge_column`] then decides what a column with no list items is.

use chrono::NaiveDate;
use scraper::{ElementRef, Html, Node};
use serde::Serialize;
use url::Url;

use super::dom::{area_of, char_len, is_opaque, tokens, TextBuf};
use super::page::is_placeholder_text;
use crate::site::{Column, ColumnKind, DateSource, Item};

/// Own text (Chinese characters) that makes a page a single page of content.
pub const SINGLE_PAGE_MIN_CHARS: usize = 60;

/// Own text above which an empty list container or a 暂无信息 on the page no
/// longer makes it an empty column (an intro of this length is content).
pub const EMPTY_LIST_OVERRULED_CHARS: usize = 200;

/// Where a single page's date was read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum DateFrom {
    /// `<meta name="PubDate">` (or Maketime).
    Meta,
    /// A labelled field: 发布时间 / 发布日期 / 更新时间 / 生成日期 …
    Label,
    /// The newest full date written in the page's own text (a 落款 date).
    Text,
}

/// A form on the page (outside navigation and footer).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum FormKind {
    /// A letter or consultation form: a text area, or three fields or more.
    Contact,
    /// A query or search form: one or two fields and a 查询 / 搜索 button.
    Query,
}

/// What a page carries of its own.
#[derive(Debug, Clone, Default, PartialEq, Serialize, serde::Deserialize)]
pub struct PageContent {
    /// Chinese characters of the page's own text.
    pub own_chars: usize,
    /// The first characters of the own text (for `govaudit inspect`).
    pub excerpt: String,
    /// The page's date as a single page, and where it was read.
    pub date: Option<NaiveDate>,
    /// Where `date` was read (the signature 落款, a meta tag …).
    pub date_from: Option<DateFrom>,
    /// A list container with no entries (`<ul class="list"></ul>`, an empty
    /// JCMS datastore) or a pager reading 共0条.
    pub empty_list: bool,
    /// Content that is not text: images inside the page's body container
    /// (an organisation chart), attachment links (a guide as a PDF),
    /// embedded frames.
    pub media: usize,
    /// A form in the page body.
    pub form: Option<FormKind>,
    /// An entrance: an iframe or a 进入 / 办理 / 我要写信 link to another
    /// host, or a 我要写信 / 我要咨询 link on this one (its URL).
    pub entrance: Option<String>,
    /// URL the page was read from (after redirects).
    pub url: String,
    /// The own text's segments (hash, Chinese characters), for
    /// [`settle_template_text`]; not part of any output.
    #[serde(skip)]
    pub segments: Vec<(u64, u32)>,
}

impl PageContent {
    /// Whether a page read before its column was known must keep this
    /// (it may make the column a single page or a channel).
    pub fn worth_keeping(&self) -> bool {
        self.own_chars > 0 || self.media > 0 || self.form.is_some() || self.entrance.is_some()
    }

    /// The page is a single page of content: enough own text, and no empty
    /// list or placeholder that says it is an empty list with an intro.
    /// A page whose content is an image, an attachment or a frame counts
    /// too, unless the page also says its list is empty.
    pub fn is_single_page(&self, placeholder: bool) -> bool {
        let emptied = self.empty_list || placeholder;
        (self.own_chars >= SINGLE_PAGE_MIN_CHARS
            && (self.own_chars >= EMPTY_LIST_OVERRULED_CHARS || !emptied))
            || (self.media > 0 && !emptied)
    }
}

/// `ICP备` / `ICP证` in any letter case.
const BOILERPLATE_MIXED: [(&str, &str); 2] = [("icp", "备"), ("icp", "证")];

/// Lines of template furniture that templates put in the body.
const BOILERPLATE: [&str; 42] = [
    "版权所有",
    "copyright",
    "主办单位",
    "主办：",
    "承办单位",
    "承办：",
    "协办单位",
    "网站标识码",
    "公网安备",
    "技术支持",
    "建议使用",
    "分辨率",
    "当前位置",
    "您的位置",
    "您现在的位置",
    "所在位置",
    "现在位置",
    "浏览次数",
    "访问次数",
    "访问量",
    "点击数",
    "点击率",
    "阅读次数",
    "阅读数",
    "打印本页",
    "打印】",
    "关闭窗口",
    "关闭】",
    "字号",
    "分享到",
    "扫一扫",
    "网站地图",
    "联系我们",
    "设为首页",
    "加入收藏",
    "无障碍",
    "上一篇",
    "下一篇",
    "责任编辑",
    "政府网站找错",
    "党政机关",
    "信息来源",
];

/// Labels of a date field, the single-page ones (更新时间) included.
const DATE_LABEL_WORDS: [&str; 8] = [
    "发布时间",
    "发布日期",
    "更新时间",
    "更新日期",
    "生成日期",
    "公开日期",
    "维护时间",
    "修改时间",
];

fn is_boilerplate(seg: &str) -> bool {
    let ascii_hit = |w: &str| {
        seg.as_bytes()
            .windows(w.len())
            .any(|win| win.eq_ignore_ascii_case(w.as_bytes()))
    };
    BOILERPLATE.iter().any(|w| {
        if w.is_ascii() {
            ascii_hit(w)
        } else {
            seg.contains(w)
        }
    }) || BOILERPLATE_MIXED.iter().any(|(a, b)| {
        seg.match_indices(b).any(|(i, _)| {
            i.checked_sub(a.len())
                .and_then(|j| seg.get(j..i))
                .is_some_and(|p| p.eq_ignore_ascii_case(a))
        })
    }) || (char_len(seg) < 60 && DATE_LABEL_WORDS.iter().any(|w| seg.contains(w)))
        || (char_len(seg) <= 30 && is_placeholder_text(seg))
}

fn is_han(c: char) -> bool {
    matches!(c, '\u{3400}'..='\u{4dbf}' | '\u{4e00}'..='\u{9fff}' | '\u{f900}'..='\u{faff}')
}

/// Chinese characters in `s`.
pub fn han_chars(s: &str) -> usize {
    s.chars().filter(|&c| is_han(c)).count()
}

/// Elements whose text is never the page's own prose.
fn skipped_text(name: &str) -> bool {
    matches!(
        name,
        "a" | "h1"
            | "h2"
            | "h3"
            | "h4"
            | "h5"
            | "h6"
            | "select"
            | "option"
            | "button"
            | "label"
            | "input"
            | "textarea"
            | "aside"
            | "iframe"
            | "frame"
            | "marquee"
            | "title"
    )
}

/// Sidebars (`sidebar`, `leftside`, `side_nav`) are template furniture.
fn is_sidebar(el: ElementRef<'_>) -> bool {
    tokens(el).any(|t| t.contains("side"))
}

/// A container named like a list (`list`, `lb`, `news`).
fn listy(el: ElementRef<'_>) -> bool {
    tokens(el).any(|t| t.contains("list") || t.starts_with("lb") || t.ends_with("lb"))
}

#[derive(Default)]
struct Collect {
    segs: Vec<String>,
    cur: TextBuf,
    empty_list: bool,
    fields: usize,
    textarea: bool,
    query_button: bool,
    media: usize,
    entrance: Option<String>,
}

impl Collect {
    fn close(&mut self) {
        let s = std::mem::take(&mut self.cur).finish();
        if !s.is_empty() {
            self.segs.push(s);
        }
    }

    fn walk(&mut self, el: ElementRef<'_>, base: &Url, depth: u32, in_body: bool) {
        let v = el.value();
        let name = v.name();
        if is_opaque(name) || depth > 300 {
            return;
        }
        // Class and id tokens decide most of what follows; most elements
        // have none (the cheap path).
        let named = v.attr("class").is_some() || v.id().is_some();
        if (named || matches!(name, "nav" | "header" | "footer") || v.attr("role").is_some())
            && area_of(el).is_some()
        {
            return;
        }
        if named && is_sidebar(el) {
            return;
        }
        // Inside the article body container (TRS_Editor, #zoom …).
        let in_body = in_body || (named && super::dom::content_priority(el) >= 3);
        match name {
            "textarea" => self.textarea = true,
            "select" => self.fields += 1,
            "input" => {
                let ty = v.attr("type").unwrap_or("text").to_ascii_lowercase();
                if matches!(
                    ty.as_str(),
                    "text" | "tel" | "email" | "number" | "date" | "search" | ""
                ) {
                    self.fields += 1;
                } else if matches!(ty.as_str(), "submit" | "button" | "image") {
                    let label = v.attr("value").or(v.attr("alt")).unwrap_or("");
                    self.query_button |= is_query_word(label);
                }
            }
            "button" => {
                let t: String = el.text().collect();
                self.query_button |= is_query_word(&t);
            }
            "a" => {
                self.note_entrance(el, base);
                if v.attr("href").is_some_and(is_attachment) {
                    self.media += 1;
                }
            }
            // A frame is content only where the page's content goes: old
            // templates pull their header, menu and footer in by iframe, and
            // many sites embed a provincial service bar on every page.
            "iframe" | "frame" if in_body || is_tall(el) => {
                self.note_entrance(el, base);
                self.media += 1;
            }
            "img" if in_body => self.media += 1,
            _ => {}
        }
        if named && matches!(name, "ul" | "ol" | "tbody" | "table" | "div") && listy(el) {
            // A JCMS datastore (a script) holds its entries out of the DOM;
            // an empty one is told by the list it yields, not here.
            let entries = el.descendants().filter_map(ElementRef::wrap).any(|e| {
                e.value().name() == "script"
                    || (matches!(e.value().name(), "a" | "li" | "td")
                        && !is_placeholder_text(&e.text().collect::<String>()))
            });
            if !entries {
                self.empty_list = true;
            }
        }
        if matches!(name, "iframe" | "frame") {
            return;
        }
        let skip = skipped_text(name);
        let block = super::dom::is_block(name);
        if block {
            self.close();
        }
        for child in el.children() {
            match child.value() {
                Node::Text(t) if !skip => self.cur.push(t),
                Node::Element(_) => {
                    if let Some(ce) = ElementRef::wrap(child) {
                        self.walk(ce, base, depth + 1, in_body);
                    }
                }
                _ => {}
            }
        }
        if block {
            self.close();
        }
    }

    fn note_entrance(&mut self, el: ElementRef<'_>, base: &Url) {
        if self.entrance.is_some() {
            return;
        }
        let v = el.value();
        let is_a = v.name() == "a";
        // Words first: most links have none, and need no URL parsing.
        let (entry_word, mailbox_word) = if is_a {
            let t: String = el.text().flat_map(|t| t.split_whitespace()).collect();
            let t = if t.is_empty() {
                v.attr("title").unwrap_or("").to_string()
            } else {
                t
            };
            let mailbox = ["我要写信", "我要咨询", "我要留言", "我要投诉", "我要举报"]
                .iter()
                .any(|w| t.contains(w));
            let entry = mailbox
                || [
                    "我要建议",
                    "写信",
                    "在线咨询",
                    "在线办理",
                    "网上办理",
                    "点击进入",
                    "进入",
                    "前往",
                    "跳转",
                    "立即办理",
                ]
                .iter()
                .any(|w| t.contains(w));
            (entry, mailbox)
        } else {
            (true, false)
        };
        if !entry_word {
            return;
        }
        let href = if is_a { v.attr("href") } else { v.attr("src") };
        let Some(u) = href.and_then(|h| crate::urlnorm::resolve(base, h)) else {
            return;
        };
        if !matches!(u.scheme(), "http" | "https") {
            return;
        }
        if u.host_str() != base.host_str() || mailbox_word {
            self.entrance = Some(crate::urlnorm::normalize(&u));
        }
    }
}

/// A frame sized like a page's content (height 300 px or more).
fn is_tall(el: ElementRef<'_>) -> bool {
    let v = el.value();
    let px = |s: &str| s.trim().trim_end_matches("px").trim().parse::<u32>().ok();
    let style_height = v.attr("style").and_then(|st| {
        st.split(';').find_map(|d| {
            let (k, val) = d.split_once(':')?;
            (k.trim().eq_ignore_ascii_case("height")).then(|| px(val))?
        })
    });
    v.attr("height")
        .and_then(px)
        .or(style_height)
        .is_some_and(|h| h >= 300)
}

/// A link to a document a page offers as its content (a guide as a PDF …).
fn is_attachment(href: &str) -> bool {
    let path = href
        .split(['?', '#'])
        .next()
        .unwrap_or("")
        .to_ascii_lowercase();
    [
        ".pdf", ".doc", ".docx", ".xls", ".xlsx", ".wps", ".ofd", ".et", ".rar", ".zip",
    ]
    .iter()
    .any(|e| path.ends_with(e))
}

fn is_query_word(t: &str) -> bool {
    ["查询", "搜索", "检索", "查 询", "搜 索"]
        .iter()
        .any(|w| t.contains(w))
}

/// Analyse a parsed page (read from `url`, after redirects). `meta_date`
/// is the page's `<meta name="PubDate">` / Maketime date when it has one.
pub(crate) fn analyse(
    doc: &Html,
    url: &Url,
    body_text: &str,
    labelled: Option<(NaiveDate, DateFrom)>,
) -> PageContent {
    let mut c = Collect::default();
    if let Some(body) = doc
        .root_element()
        .children()
        .filter_map(ElementRef::wrap)
        .find(|e| e.value().name() == "body")
    {
        c.walk(body, url, 0, false);
    } else {
        c.walk(doc.root_element(), url, 0, false);
    }
    c.close();
    let own: Vec<&String> = c.segs.iter().filter(|s| !is_boilerplate(s)).collect();
    let own_chars = own.iter().map(|s| han_chars(s)).sum();
    let segments = own
        .iter()
        .filter_map(|s| {
            let n = han_chars(s) as u32;
            (n > 0).then(|| (segment_hash(s), n))
        })
        .collect();
    let mut excerpt = String::new();
    for s in &own {
        if excerpt.chars().count() >= 80 {
            break;
        }
        if !excerpt.is_empty() {
            excerpt.push(' ');
        }
        excerpt.push_str(s);
    }
    let excerpt: String = excerpt.chars().take(80).collect();
    static ZERO: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
        regex::Regex::new(r"共\s*0\s*(?:条|页|篇)|记录数\s*[:：]\s*0\b|总数\s*[:：]\s*0\b")
            .expect("static regex")
    });
    let empty_list = c.empty_list
        || (["共", "记录数", "总数"]
            .iter()
            .any(|w| body_text.contains(w))
            && ZERO.is_match(body_text));
    let form = if c.textarea || c.fields >= 3 {
        Some(FormKind::Contact)
    } else if c.fields >= 1 && c.query_button {
        Some(FormKind::Query)
    } else {
        None
    };
    let update = || {
        ['更', '维', '修']
            .iter()
            .any(|c| body_text.contains(*c))
            .then(|| update_label(body_text))
            .flatten()
    };
    let (date, date_from) = match labelled.or_else(update) {
        Some((d, f)) => (Some(d), Some(f)),
        None => match signature_date(&own) {
            Some(d) => (Some(d), Some(DateFrom::Text)),
            None => (None, None),
        },
    };
    PageContent {
        own_chars,
        excerpt,
        date,
        date_from,
        empty_list,
        media: c.media,
        form,
        entrance: c.entrance,
        url: crate::urlnorm::normalize(url),
        segments,
    }
}

fn segment_hash(s: &str) -> u64 {
    use std::hash::{Hash, Hasher};
    // DefaultHasher::new() has fixed keys: the same text hashes the same in
    // every run.
    let mut h = std::collections::hash_map::DefaultHasher::new();
    s.hash(&mut h);
    h.finish()
}

/// Distinct pages a text segment must appear on to be template text.
const TEMPLATE_PAGES: usize = 3;

/// Site-wide second look at single pages, once every column is crawled:
/// text that the template repeats (a sidebar notice, a contact block in a
/// layout table without class names) shows up on the pages of several
/// columns, and is not a column's own text. A segment found on
/// [`TEMPLATE_PAGES`] or more distinct column pages (pages with the very
/// same text count once, so two columns pointing at one page keep it) is
/// taken out; a single page left with less than
/// [`SINGLE_PAGE_MIN_CHARS`] of its own and no image or attachment is an
/// empty list again, and loses the page-as-item a date had given it.
/// `first_pages` holds the analysed first page of each column, by column URL.
pub fn settle_template_text(
    columns: &mut [Column],
    first_pages: &std::collections::HashMap<String, PageContent>,
) {
    use std::collections::{HashMap, HashSet};
    let mut pages: HashSet<Vec<u64>> = HashSet::new();
    let mut seen_on: HashMap<u64, usize> = HashMap::new();
    for c in first_pages.values() {
        let mut key: Vec<u64> = c.segments.iter().map(|(h, _)| *h).collect();
        key.sort_unstable();
        key.dedup();
        if key.is_empty() || !pages.insert(key.clone()) {
            continue;
        }
        for h in key {
            *seen_on.entry(h).or_default() += 1;
        }
    }
    for col in columns.iter_mut() {
        if col.kind != ColumnKind::SinglePage {
            continue;
        }
        let Some(c) = first_pages.get(&col.url) else {
            continue;
        };
        if c.segments.is_empty() {
            continue;
        }
        let own: u32 = c
            .segments
            .iter()
            .filter(|(h, _)| seen_on.get(h).copied().unwrap_or(0) < TEMPLATE_PAGES)
            .map(|(_, n)| n)
            .sum();
        col.body_chars = own;
        if (own as usize) < SINGLE_PAGE_MIN_CHARS && c.media == 0 {
            col.kind = ColumnKind::List;
            col.style.clear();
            let url = col.url.clone();
            col.items.retain(|i| i.url.as_deref() != Some(url.as_str()));
        }
    }
}

/// The date a text is signed with (落款): a short line among the last
/// three of the own text holding a full date ("2021年1月5日", "云溪区发展和
/// 改革局 2021年1月5日"). A date inside the prose (自2025年1月1日起施行,
/// 截止2027年1月1日) says nothing about when the page was updated, so it is
/// not taken: an undated page is left unjudged rather than judged on a guess.
fn signature_date(own: &[&String]) -> Option<NaiveDate> {
    own.iter()
        .rev()
        .take(3)
        .filter(|s| char_len(s) <= 30)
        .find_map(|s| super::find_dates(s).into_iter().max())
}

/// `更新时间：2025-03-01` and its kin, which article templates do not use
/// but single pages do.
fn update_label(text: &str) -> Option<(NaiveDate, DateFrom)> {
    static UPDATE: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
        regex::Regex::new(
            r"(?:更\s?新|维\s?护|修\s?改)\s?(?:时\s?间|日\s?期)\s*[:：]?\s*[\[(（【]?\s*(\d{4}\s*[-/.年]\s*\d{1,2}\s*[-/.月]\s*\d{1,2})",
        )
        .expect("static regex")
    });
    UPDATE
        .captures_iter(text)
        .filter_map(|c| super::parse_date(&c[1], None))
        .max()
        .map(|d| (d, DateFrom::Label))
}

/// Words of a column name that make it a channel when its page holds a form
/// or an entrance link.
const CHANNEL_NAME_WORDS: [&str; 10] = [
    "信箱", "咨询", "留言", "投诉", "举报", "建言", "信访", "诉求", "热线", "查询",
];

/// Decide what a column is once its list is crawled, from its first page's
/// content. Only columns with no list items (and not failed) are judged: a
/// single page of text becomes [`ColumnKind::SinglePage`] (dated: its one item
/// is the page, so column-stale judges it by that date; undated: no item, so
/// no rule judges its freshness), an entrance becomes [`ColumnKind::Channel`].
/// Anything else stays an (empty) list.
pub fn judge_column(column: &mut Column, content: &PageContent, placeholder: bool) {
    if column.load_error.is_some() {
        return;
    }
    if column.style == "single-page" {
        column.kind = ColumnKind::SinglePage;
        column.body_chars = content.own_chars as u32;
        return;
    }
    if !column.items.is_empty() {
        return;
    }
    if let Some(why) = channel(column, content) {
        column.kind = ColumnKind::Channel;
        column.channel = Some(why);
        return;
    }
    if content.is_single_page(placeholder) {
        column.kind = ColumnKind::SinglePage;
        column.body_chars = content.own_chars as u32;
        column.placeholder = false;
        column.style = "single-page".into();
        if let Some(d) = content.date {
            column.items.push(Item {
                title: column.name.clone(),
                url: Some(column.url.clone()),
                date: Some(d),
                date_source: DateSource::Page,
            });
        }
    }
}

/// Why a column is a channel, when it is one.
fn channel(column: &Column, content: &PageContent) -> Option<String> {
    let host = |u: &str| {
        Url::parse(u)
            .ok()
            .and_then(|u| u.host_str().map(str::to_string))
    };
    if !content.url.is_empty() && host(&content.url) != host(&column.url) {
        return Some(format!("link-out: {}", content.url));
    }
    if content.own_chars >= SINGLE_PAGE_MIN_CHARS && content.form.is_none() {
        return None;
    }
    let named = CHANNEL_NAME_WORDS.iter().any(|w| column.name.contains(w));
    match (content.form, &content.entrance) {
        (Some(FormKind::Contact), _) => Some("form".into()),
        (_, Some(u)) if host(u) != host(&column.url) => Some(format!("link-out: {u}")),
        (Some(FormKind::Query), _) if named => Some("query".into()),
        (_, Some(u)) if named => Some(format!("entrance: {u}")),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn content(html: &str) -> PageContent {
        let url = Url::parse("http://a.gov.cn/col/jgzn/index.html").unwrap();
        super::super::parse_page(&url, html).content
    }

    #[test]
    fn boilerplate_and_links_are_not_own_text() {
        let html = r#"<html><body><div class="top">某某区人民政府</div>
        <div class="wz">当前位置：<a href="/">首页</a> &gt; <a href="/jgzn/">机构职能</a></div>
        <div class="main"><h2>机构职能</h2><ul class="list"></ul></div>
        <div class="wrap">版权所有：某某区发展和改革局 主办单位：某某区发展和改革局 网站标识码：3301000001 浙ICP备12345678号</div>
        </body></html>"#;
        let c = content(html);
        assert_eq!(c.own_chars, 0, "{c:?}");
        assert!(c.empty_list);
        assert!(!c.is_single_page(false));
    }

    #[test]
    fn prose_counts_in_chinese_characters() {
        let html = r#"<html><body><div class="content"><p>区发展和改革局是区政府工作部门。主要职责：拟订并组织实施全区国民经济和社会发展战略、中长期规划和年度计划，统筹协调经济社会发展。</p>
        <p>联系电话：0571-88888888</p></div><div class="footer">版权所有</div></body></html>"#;
        let c = content(html);
        assert!(c.own_chars >= 60, "{c:?}");
        assert!(c.is_single_page(false));
        assert_eq!(c.date, None);
    }

    #[test]
    fn dates_from_labels_then_text() {
        let prose = "区发展和改革局是区政府工作部门。主要职责：拟订并组织实施全区国民经济和社会发展战略、中长期规划和年度计划，统筹协调经济社会发展。";
        let c = content(&format!(
            "<div class=\"zoom\"><p>{prose}</p></div><div class=\"info\">更新时间：2025-03-01</div>"
        ));
        assert_eq!(c.date, NaiveDate::from_ymd_opt(2025, 3, 1));
        assert_eq!(c.date_from, Some(DateFrom::Label));
        let c = content(&format!(
            "<div class=\"zoom\"><p>{prose}</p><p>某某区发展和改革局</p><p>2024年6月18日</p></div>"
        ));
        assert_eq!(c.date, NaiveDate::from_ymd_opt(2024, 6, 18));
        assert_eq!(c.date_from, Some(DateFrom::Text));
        // A date inside the prose is no signature: undated.
        let c = content(&format!(
            "<div class=\"zoom\"><p>本办法自2019年3月1日起施行。{prose}</p><p>{prose}</p></div>"
        ));
        assert_eq!(c.date, None);
    }

    #[test]
    fn images_attachments_and_frames() {
        // An organisation chart in the body container is content …
        let c = content(r#"<div class="TRS_Editor"><p><img src="zzjg.png"></p></div>"#);
        assert_eq!(c.media, 1);
        assert!(c.is_single_page(false));
        // … a decorative column image outside it is not, …
        let c = content(
            r#"<h2>人事信息</h2><div class="lm-pic"><img src="lm.png"></div><ul class="list"></ul>"#,
        );
        assert_eq!(c.media, 0);
        assert!(!c.is_single_page(false));
        // … nor does an image make a page that says its list is empty a single page.
        let c = content(r#"<div id="zoom"><img src="x.png"></div><p>暂无信息</p>"#);
        assert!(!c.is_single_page(true));
        // A guide as a PDF is content.
        let c = content(
            r#"<div class="content">附件：<a href="/files/zn.pdf">政府信息公开指南.pdf</a></div>"#,
        );
        assert_eq!(c.media, 1);
        // A service bar every page embeds is neither content nor an entrance;
        // a page-sized frame to another host is both.
        let c =
            content(r#"<iframe src="https://www.zjzwfw.gov.cn/bar.html" height="36"></iframe>"#);
        assert_eq!((c.media, c.entrance.as_deref()), (0, None));
        let c = content(
            r#"<iframe src="https://www.zjzwfw.gov.cn/consult.html" height="600"></iframe>"#,
        );
        assert_eq!(c.media, 1);
        assert_eq!(
            c.entrance.as_deref(),
            Some("https://www.zjzwfw.gov.cn/consult.html")
        );
    }

    fn col(name: &str) -> Column {
        Column {
            url: "http://a.gov.cn/col/jgzn/index.html".into(),
            name: name.into(),
            class: crate::site::ColumnClass::LongTerm,
            level: 1,
            class_source: Default::default(),
            items: vec![],
            list_pages: 1,
            style: String::new(),
            placeholder: false,
            load_error: None,
            truncated: false,
            kind: ColumnKind::List,
            body_chars: 0,
            channel: None,
        }
    }

    #[test]
    fn judging_columns() {
        let text = PageContent {
            own_chars: 120,
            url: "http://a.gov.cn/col/jgzn/index.html".into(),
            ..Default::default()
        };
        // Undated single page: no item, so no freshness judgement.
        let mut c = col("机构职能");
        judge_column(&mut c, &text, false);
        assert_eq!(
            (c.kind, c.items.len(), c.body_chars),
            (ColumnKind::SinglePage, 0, 120)
        );
        // Dated: the page is its one item, dated.
        let dated = PageContent {
            date: NaiveDate::from_ymd_opt(2024, 5, 10),
            date_from: Some(DateFrom::Label),
            ..text.clone()
        };
        let mut c = col("机构职能");
        judge_column(&mut c, &dated, false);
        assert_eq!(c.items[0].date, NaiveDate::from_ymd_opt(2024, 5, 10));
        assert_eq!(c.items[0].url.as_deref(), Some(c.url.as_str()));
        // A 暂无信息 with a short intro stays an (empty) list.
        let mut c = col("规划计划");
        judge_column(&mut c, &text, true);
        assert_eq!(c.kind, ColumnKind::List);
        // Redirected to another host: a channel.
        let out = PageContent {
            url: "https://www.zjzwfw.gov.cn/x".into(),
            ..Default::default()
        };
        let mut c = col("在线办事");
        judge_column(&mut c, &out, false);
        assert_eq!(c.kind, ColumnKind::Channel);
        // A failed list is left alone; a list with items too.
        let mut c = col("机构职能");
        c.load_error = Some("HTTP 500".into());
        judge_column(&mut c, &text, false);
        assert_eq!(c.kind, ColumnKind::List);
    }

    #[test]
    fn template_text_repeated_across_columns_is_not_own_text() {
        let seg = |t: &str| (segment_hash(t), han_chars(t) as u32);
        let notice = "网站公告：为进一步提升政府网站服务水平，本站将于每周六凌晨进行例行维护，维护期间部分栏目可能暂时无法访问，由此给您带来的不便敬请谅解，感谢您对本站工作的关心和支持。";
        let intro = "云溪区财政局是主管全区财政收支、财税政策、国有资产管理的区政府工作部门，负责编制年度区级预决算草案并组织执行，统筹管理政府性基金。";
        let page = |segs: Vec<(u64, u32)>| PageContent {
            own_chars: segs.iter().map(|(_, n)| *n as usize).sum(),
            segments: segs,
            ..Default::default()
        };
        let mut pages = std::collections::HashMap::new();
        let mut columns = Vec::new();
        for (name, segs) in [
            ("单位简介", vec![seg(notice), seg(intro)]),
            // Two columns linking the very same page count once.
            ("单位概况", vec![seg(notice), seg(intro)]),
            ("通知公告", vec![seg(notice), seg("通知公告")]),
            ("人事信息", vec![seg(notice), seg("人事信息")]),
        ] {
            let mut c = col(name);
            c.url = format!("http://a.gov.cn/{name}.htm");
            judge_column(&mut c, &page(segs.clone()), false);
            assert_eq!(c.kind, ColumnKind::SinglePage, "{name} before");
            pages.insert(c.url.clone(), page(segs));
            columns.push(c);
        }
        settle_template_text(&mut columns, &pages);
        let kinds: Vec<_> = columns.iter().map(|c| (c.kind, c.body_chars)).collect();
        let intro_chars = han_chars(intro) as u32;
        assert_eq!(
            kinds,
            [
                (ColumnKind::SinglePage, intro_chars),
                (ColumnKind::SinglePage, intro_chars),
                (ColumnKind::List, 4),
                (ColumnKind::List, 4),
            ]
        );
    }

    #[test]
    fn forms_and_entrances() {
        let c = content(
            r#"<form action="/mail"><input name="xm"><input name="dh"><input name="bt"><textarea name="nr"></textarea><input type="submit" value="提交"></form>"#,
        );
        assert_eq!(c.form, Some(FormKind::Contact));
        let c = content(r#"<form><input name="bh"><input type="submit" value="查询"></form>"#);
        assert_eq!(c.form, Some(FormKind::Query));
        let c = content(
            r#"<div class="main"><a href="https://www.zjzwfw.gov.cn/">点击进入浙江政务服务网</a></div>"#,
        );
        assert_eq!(c.entrance.as_deref(), Some("https://www.zjzwfw.gov.cn/"));
        // A related-site link without an entrance word is no entrance.
        let c = content(r#"<div class="main"><a href="https://www.gov.cn/">中国政府网</a></div>"#);
        assert_eq!(c.entrance, None);
    }
}
