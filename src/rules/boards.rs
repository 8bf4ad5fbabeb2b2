//! Message boards as the 互动交流 rules see them (not a rule): which columns
//! are 政务咨询-type consultation channels, and every message of the site
//! merged across its list row and its detail page.

use std::collections::BTreeMap;

use chrono::NaiveDate;

use crate::site::{Column, Message, Site};

/// Words that make a column or link a consultation channel (政务咨询类).
pub const CONSULT_WORDS: [&str; 9] = [
    "咨询", "建言", "留言", "信箱", "问政", "写信", "来信", "诉求", "12345",
];

/// Channels the 2019 veto text leaves out: 在线访谈, 调查征集, 网上信访, 纪检举报.
pub const EXCLUDED_WORDS: [&str; 7] = ["信访", "纪检", "举报", "访谈", "调查", "征集", "监察"];

/// The excluded word a name carries, if any.
pub fn excluded(name: &str) -> Option<&'static str> {
    EXCLUDED_WORDS.iter().copied().find(|w| name.contains(w))
}

/// A name that reads as a consultation channel (and is not excluded).
pub fn is_consultation(name: &str) -> bool {
    excluded(name).is_none() && CONSULT_WORDS.iter().any(|w| name.contains(w))
}

/// One message with the column it was found under.
#[derive(Debug, Clone)]
pub struct BoardMessage<'a> {
    pub message: Message,
    /// The column whose pages showed it (list row or detail page).
    pub column: Option<&'a Column>,
    /// Where it was seen when it has no page of its own.
    pub page: String,
    /// The detail page's title when the list gave none.
    pub title: String,
}

impl BoardMessage<'_> {
    /// The message's URL: its own page, else the page that lists it.
    pub fn url(&self) -> &str {
        self.message.url.as_deref().unwrap_or(&self.page)
    }
}

/// Every message on the site's pages, a list row and its detail page merged
/// into one (the detail page's dates win, an answer seen anywhere counts),
/// with the column they belong to; messages under an excluded column
/// (信访, 纪检举报, 访谈, 征集) are left out. Ordered by URL.
pub fn messages(site: &Site) -> Vec<BoardMessage<'_>> {
    let column_of = |url: Option<&str>| url.and_then(|u| site.columns.iter().find(|c| c.url == u));
    let mut merged: BTreeMap<String, BoardMessage> = BTreeMap::new();
    for page in &site.pages {
        for m in &page.messages {
            let column = column_of(page.column.as_deref());
            let key = m
                .url
                .clone()
                .unwrap_or_else(|| format!("{}#{}#{:?}", page.url, m.title, m.asked));
            let detail = m.url.as_deref() == Some(page.url.as_str());
            let e = merged.entry(key).or_insert_with(|| BoardMessage {
                message: Message::default(),
                column: None,
                page: page.url.clone(),
                title: String::new(),
            });
            e.column = e.column.or(column);
            let into = &mut e.message;
            if detail || into.asked.is_none() {
                into.asked = m.asked.or(into.asked);
            }
            into.replied = if detail {
                m.replied.or(into.replied)
            } else {
                into.replied.or(m.replied)
            };
            into.answered |= m.answered;
            into.pending = (into.pending || m.pending) && !into.answered && into.replied.is_none();
            if into.title.is_empty() {
                into.title = m.title.clone();
            }
            into.url = into.url.take().or_else(|| m.url.clone());
            if detail && e.title.is_empty() {
                e.title = page.title.clone();
            }
        }
    }
    merged
        .into_values()
        .filter(|b| {
            let name = b.column.map(|c| c.name.as_str()).unwrap_or("");
            excluded(name).is_none()
        })
        .collect()
}

/// `date` plus `months` calendar months (end of month clamped).
pub fn add_months(date: NaiveDate, months: u32) -> NaiveDate {
    date.checked_add_months(chrono::Months::new(months))
        .unwrap_or(NaiveDate::MAX)
}

/// An entrance looked at (a column or a link), and what was made of it:
/// report.json `evidence.candidates` of interaction-no-channel and
/// service-missing.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(default)]
pub struct Candidate {
    pub url: String,
    /// Column name or link text.
    pub name: String,
    /// "accepted", "rejected" or "unverified".
    pub status: String,
    /// Why, in Chinese (the page was empty, the link is broken …).
    pub why: String,
}

/// How entrances are judged.
pub struct EntranceKind<'a> {
    /// A column name or link text that is a candidate.
    pub candidate: &'a dyn Fn(&str) -> bool,
    /// The excluded word a candidate name carries (信访 …), if any.
    pub excluded: &'a dyn Fn(&str) -> Option<&'static str>,
    /// A page of text (a single-page column, a working page of this site)
    /// is the entrance itself (办事服务), not only a description of one
    /// (a consultation channel needs a form or a link out).
    pub text_counts: bool,
}

fn candidate(url: &str, name: &str, status: &str, why: String) -> Candidate {
    Candidate {
        url: url.into(),
        name: name.into(),
        status: status.into(),
        why,
    }
}

/// Every column and link of the site that may be the entrance, judged:
/// accepted (it works), rejected (it certainly does not count) or unverified
/// (it may work; govaudit could not tell). Columns first, then links in page
/// order, each URL once.
pub fn entrances(site: &Site, kind: &EntranceKind) -> Vec<Candidate> {
    let mut out: Vec<Candidate> = Vec::new();
    let with_messages = |url: &str| {
        site.pages
            .iter()
            .any(|p| p.column.as_deref() == Some(url) && !p.messages.is_empty())
    };
    for c in site.columns.iter().filter(|c| (kind.candidate)(&c.name)) {
        use crate::site::ColumnKind;
        let (status, why) = if let Some(w) = (kind.excluded)(&c.name) {
            ("rejected", format!("“{w}”类渠道不计入"))
        } else if let Some(e) = &c.load_error {
            // A page that is gone (HTTP 4xx) is certain; a server error or a
            // timeout may pass by tomorrow.
            if e.starts_with("HTTP 4") {
                ("rejected", format!("页面无法打开（{e}）"))
            } else {
                ("unverified", format!("页面暂时无法打开（{e}）"))
            }
        } else if c.kind == ColumnKind::Channel {
            let how = c.channel.as_deref().unwrap_or("");
            ("accepted", format!("提交或办理入口（{how}）"))
        } else if !c.items.is_empty() || with_messages(&c.url) {
            ("accepted", format!("栏目有{}条信息", c.items.len()))
        } else if c.kind == ColumnKind::SinglePage {
            if kind.text_counts {
                ("accepted", "栏目页面有内容".into())
            } else {
                ("rejected", "仅有文字说明，无提交表单或入口".into())
            }
        } else {
            ("rejected", "栏目为空，无提交表单或入口".into())
        };
        out.push(candidate(&c.url, &c.name, status, why));
    }
    let origin = url::Url::parse(&site.url).ok();
    let host = |u: &str| {
        url::Url::parse(u)
            .ok()
            .and_then(|u| u.host_str().map(str::to_string))
    };
    let own_host = origin
        .as_ref()
        .and_then(|u| u.host_str().map(str::to_string));
    // Entrances are menu, footer and homepage links with short names, never
    // an article (a news item titled 关于优化政务服务的通知 is no entrance).
    let articles: std::collections::HashSet<&str> = site
        .columns
        .iter()
        .flat_map(|c| c.items.iter().filter_map(|i| i.url.as_deref()))
        .chain(
            site.pages
                .iter()
                .filter(|p| p.kind == crate::site::PageKind::Article)
                .map(|p| p.url.as_str()),
        )
        .collect();
    // Links are read back one page at a time (`Site::full_page`).
    for page in site.full_pages() {
        let home = page.kind == crate::site::PageKind::Home;
        for l in &page.links {
            if l.tag != "a"
                || (l.area == crate::site::LinkArea::Body && !home)
                || l.text.chars().count() > 12
                || !(kind.candidate)(&l.text)
                || articles.contains(l.url.as_str())
                || out.iter().any(|c| c.url == l.url)
            {
                continue;
            }
            let check = site.links.iter().find(|k| k.url == l.url);
            let fetched = site.pages.iter().find(|p| p.url == l.url);
            let external = host(&l.url) != own_host;
            let (status, why) = if let Some(w) = (kind.excluded)(&l.text) {
                ("rejected", format!("“{w}”类渠道不计入"))
            } else if let Some(k) = check.filter(|k| super::broken_link::failure(k).is_some()) {
                let what = k
                    .status
                    .map(|s| format!("HTTP {s}"))
                    .or_else(|| k.error.clone())
                    .unwrap_or_default();
                // A page that is gone is certain; a server error or a
                // timeout may pass by tomorrow.
                if k.status.is_some_and(|s| (400..500).contains(&s)) {
                    ("rejected", format!("链接无法访问（{what}）"))
                } else {
                    ("unverified", format!("链接暂时无法访问（{what}）"))
                }
            } else if fetched.is_some_and(|p| !p.messages.is_empty()) {
                ("accepted", "页面有留言信息".into())
            } else if external && check.is_some_and(|k| k.status.is_some() && k.skipped.is_none()) {
                ("accepted", "链接至外部平台，可访问".into())
            } else if kind.text_counts
                && (fetched.is_some() || check.is_some_and(|k| k.status.is_some()))
            {
                ("accepted", "站内页面可访问".into())
            } else if external {
                ("unverified", "链接至外部平台，未能检查是否可用".into())
            } else {
                ("unverified", "站内链接，未能确认有提交表单".into())
            };
            out.push(candidate(&l.url, &l.text, status, why));
        }
    }
    out
}

/// What a set of judged entrances comes to: `None` when one was accepted;
/// else `Some(true)` when every candidate was certainly rejected (or there
/// were none), `Some(false)` when some could not be verified.
pub fn verdict(candidates: &[Candidate]) -> Option<bool> {
    if candidates.iter().any(|c| c.status == "accepted") {
        None
    } else {
        Some(!candidates.iter().any(|c| c.status == "unverified"))
    }
}

/// The evidence line of an absence finding: every entrance looked at and why
/// it was not taken, or `none` when there was none.
pub fn candidates_zh(candidates: &[Candidate], none: &str) -> String {
    if candidates.is_empty() {
        return none.into();
    }
    let parts: Vec<String> = candidates
        .iter()
        .map(|c| format!("{}（{}）", c.name, c.why))
        .collect();
    format!("查看的入口：{}", parts.join("；"))
}

/// The one finding at the start URL of a site none of whose entrances is
/// accepted: `severity` with `certain` (every candidate seen and certainly
/// rejected), a warning with `unsure` (some could not be verified), and a
/// warning with `none` when no candidate was seen at all. Seeing nothing is
/// not proof: menus drawn by script, image-only navigation or an entrance on
/// the district portal's shared header escape the crawl, so a veto needs a
/// candidate that was looked at and rejected. `None` when an entrance works.
pub fn absence_finding<E: super::Evidence>(
    (id, severity): (&str, super::Severity),
    site: &Site,
    candidates: Vec<Candidate>,
    [certain, unsure, none]: [String; 3],
    evidence: impl FnOnce(Vec<Candidate>) -> E,
) -> Option<super::Finding> {
    let (severity, message) = match verdict(&candidates)? {
        true if candidates.is_empty() => (super::Severity::Warn, none),
        true => (severity, certain),
        false => (super::Severity::Warn, unsure),
    };
    Some(super::Finding::new(
        id,
        site,
        &site.url,
        None,
        None,
        severity,
        message,
        &evidence(candidates),
    ))
}
