//! Message boards (留言板 / 在线咨询 / 领导信箱): the messages a page shows,
//! with when each was asked and answered.
//!
//! Two shapes, as 大汉 JCMS, TRS WCM and hand-made boards draw them:
//! - a **list table** whose header row names the columns — 标题 / 留言时间 /
//!   回复时间 / 状态 (or 提问时间, 来信时间, 答复时间, 办理状态 …): one message
//!   per row, its link the message's page;
//! - a **detail page** with labelled fields — 留言时间：… 留言内容：…
//!   答复内容：… 答复时间：… 答复单位：… — one message, the page itself.
//!
//! A table needs an asked-date column and a reply-date or status column; a
//! detail page needs an asked-date label and a reply label, so an ordinary
//! article that mentions 留言 is never a message.

use std::sync::LazyLock;

use regex::Regex;
use scraper::{ElementRef, Html, Selector};
use url::Url;

use super::dates::{find_date, parse_date};
use crate::site::Message;

/// Header labels of the asked-date column / field.
const ASKED: [&str; 12] = [
    "留言时间",
    "提问时间",
    "来信时间",
    "咨询时间",
    "写信时间",
    "提交时间",
    "留言日期",
    "来信日期",
    "咨询日期",
    "提问日期",
    "发信时间",
    "诉求时间",
];
/// Header labels of the reply-date column / field.
const REPLIED: [&str; 9] = [
    "回复时间",
    "答复时间",
    "回复日期",
    "答复日期",
    "办结时间",
    "反馈时间",
    "办结日期",
    "处理时间",
    "回复于",
];
/// Header labels of the title column.
const TITLE: [&str; 6] = ["标题", "主题", "事项", "信件", "内容", "问题"];
/// Status words that say a message is not answered yet.
const PENDING: [&str; 9] = [
    "未回复",
    "未答复",
    "办理中",
    "待回复",
    "待答复",
    "处理中",
    "受理中",
    "待处理",
    "未办结",
];
/// Status words that say it is answered.
const ANSWERED: [&str; 6] = ["已回复", "已答复", "已办结", "已处理", "已反馈", "办结"];

/// Labels of a detail page's answer block.
const REPLY_LABELS: [&str; 6] = [
    "答复内容",
    "回复内容",
    "答复单位",
    "回复单位",
    "答复意见",
    "回复意见",
];

fn status_of(text: &str) -> (bool, bool) {
    let pending = PENDING.iter().any(|w| text.contains(w));
    let answered = !pending && ANSWERED.iter().any(|w| text.contains(w));
    (pending, answered)
}

fn cell_text(el: ElementRef<'_>) -> String {
    el.text().flat_map(|t| t.split_whitespace()).collect()
}

/// A full date at the start of a cell (`2026-03-01 10:20`, `2026年3月1日`).
fn cell_date(text: &str) -> Option<chrono::NaiveDate> {
    parse_date(text, None).or_else(|| find_date(text))
}

/// Messages in the page's list tables.
pub fn from_tables(doc: &Html, base: &Url) -> Vec<Message> {
    static TABLE: LazyLock<Selector> = LazyLock::new(|| Selector::parse("table").unwrap());
    static TR: LazyLock<Selector> = LazyLock::new(|| Selector::parse("tr").unwrap());
    static CELL: LazyLock<Selector> = LazyLock::new(|| Selector::parse("th, td").unwrap());
    static A: LazyLock<Selector> = LazyLock::new(|| Selector::parse("a[href]").unwrap());
    let mut out = Vec::new();
    for table in doc.select(&TABLE) {
        // Rows of this table, not of a table nested in it.
        let rows: Vec<ElementRef> = table
            .select(&TR)
            .filter(|tr| {
                tr.ancestors()
                    .filter_map(ElementRef::wrap)
                    .find(|a| a.value().name() == "table")
                    .is_some_and(|t| t.id() == table.id())
            })
            .collect();
        fn cells<'a>(tr: &ElementRef<'a>) -> Vec<ElementRef<'a>> {
            tr.select(&CELL)
                .filter(|c| {
                    c.parent()
                        .and_then(ElementRef::wrap)
                        .is_some_and(|p| p.id() == tr.id())
                })
                .collect()
        }
        let mut header = None;
        for (i, tr) in rows.iter().enumerate().take(3) {
            let texts: Vec<String> = cells(tr).iter().map(|c| cell_text(*c)).collect();
            let find = |labels: &[&str]| {
                texts
                    .iter()
                    .position(|t| t.chars().count() <= 8 && labels.iter().any(|l| t.contains(l)))
            };
            let asked = find(&ASKED);
            let replied = find(&REPLIED);
            let status = texts
                .iter()
                .position(|t| t.chars().count() <= 6 && t.contains("状态"));
            if let Some(asked) = asked {
                if replied.is_some() || status.is_some() {
                    header = Some((i, asked, replied, status, find(&TITLE)));
                    break;
                }
            }
        }
        let Some((h, asked_at, replied_at, status_at, title_at)) = header else {
            continue;
        };
        for tr in &rows[h + 1..] {
            let cs = cells(tr);
            let text_at = |i: Option<usize>| i.and_then(|i| cs.get(i)).map(|c| cell_text(*c));
            let Some(asked) = text_at(Some(asked_at)).as_deref().and_then(cell_date) else {
                continue;
            };
            let replied_text = text_at(replied_at);
            let replied = replied_text.as_deref().and_then(cell_date);
            let (mut pending, mut answered) = text_at(status_at)
                .as_deref()
                .map(status_of)
                .unwrap_or((false, false));
            if replied.is_some() {
                answered = true;
                pending = false;
            } else if status_at.is_none() && replied_at.is_some() {
                // A reply-date column left blank (or 暂无 / —): not answered.
                pending = true;
            }
            let link = tr.select(&A).find_map(|a| {
                let href = a.value().attr("href")?;
                let u = crate::urlnorm::resolve(base, href)?;
                matches!(u.scheme(), "http" | "https").then(|| (crate::urlnorm::normalize(&u), a))
            });
            let title = text_at(title_at)
                .filter(|t| !t.is_empty())
                .or_else(|| link.as_ref().map(|(_, a)| cell_text(*a)))
                .unwrap_or_default();
            out.push(Message {
                url: link.map(|(u, _)| u),
                title,
                asked: Some(asked),
                replied,
                answered,
                pending,
            });
        }
    }
    out
}

fn labelled(labels: &[&str]) -> Regex {
    let alts: Vec<String> = labels
        .iter()
        .map(|l| l.chars().map(String::from).collect::<Vec<_>>().join(r"\s?"))
        .collect();
    Regex::new(&format!(
        r"(?:{})\s*[:：]?\s*[\[(（【]?\s*(\d{{4}}\s*[-/.年]\s*\d{{1,2}}\s*[-/.月]\s*\d{{1,2}})",
        alts.join("|")
    ))
    .expect("static regex")
}

/// The one message of a detail page, from its labelled fields.
pub fn from_detail(text: &str, url: &Url) -> Option<Message> {
    static ASKED_FIELD: LazyLock<Regex> = LazyLock::new(|| labelled(&ASKED));
    static REPLIED_FIELD: LazyLock<Regex> = LazyLock::new(|| labelled(&REPLIED));
    let asked = ASKED_FIELD
        .captures(text)
        .and_then(|c| parse_date(&c[1], None))?;
    let replied = REPLIED_FIELD
        .captures(text)
        .and_then(|c| parse_date(&c[1], None));
    let has_reply_block = REPLY_LABELS.iter().any(|l| text.contains(l));
    let (status_pending, status_answered) = status_of(text);
    if replied.is_none() && !has_reply_block && !status_pending && !status_answered {
        return None;
    }
    let pending = replied.is_none() && status_pending;
    Some(Message {
        url: Some(crate::urlnorm::normalize(url)),
        title: String::new(),
        asked: Some(asked),
        replied,
        answered: replied.is_some() || (status_answered && !status_pending),
        pending,
    })
}

/// Messages in list items that label their own dates
/// (`<li><a>标题</a><span>留言时间：…</span><span>回复时间：…</span></li>`).
pub fn from_items(doc: &Html, base: &Url) -> Vec<Message> {
    static LI: LazyLock<Selector> = LazyLock::new(|| Selector::parse("li").unwrap());
    static A: LazyLock<Selector> = LazyLock::new(|| Selector::parse("a[href]").unwrap());
    static ASKED_FIELD: LazyLock<Regex> = LazyLock::new(|| labelled(&ASKED));
    static REPLIED_FIELD: LazyLock<Regex> = LazyLock::new(|| labelled(&REPLIED));
    doc.select(&LI)
        .filter_map(|li| {
            let text: String = li.text().collect::<Vec<_>>().join(" ");
            let asked = ASKED_FIELD
                .captures(&text)
                .and_then(|c| parse_date(&c[1], None))?;
            let replied = REPLIED_FIELD
                .captures(&text)
                .and_then(|c| parse_date(&c[1], None));
            let (pending, answered) = status_of(&text);
            let a = li.select(&A).next()?;
            let u = crate::urlnorm::resolve(base, a.value().attr("href")?)?;
            Some(Message {
                url: Some(crate::urlnorm::normalize(&u)),
                title: cell_text(a),
                asked: Some(asked),
                replied,
                answered: replied.is_some() || answered,
                pending: replied.is_none() && pending,
            })
        })
        .collect()
}

/// The header row of a message table on the page, as HTML, when its rows
/// are elsewhere (大汉 JCMS: the header in the page, the rows in a datastore).
fn header_row(doc: &Html) -> Option<String> {
    static TR: LazyLock<Selector> = LazyLock::new(|| Selector::parse("tr").unwrap());
    static CELL: LazyLock<Selector> = LazyLock::new(|| Selector::parse("th, td").unwrap());
    doc.select(&TR)
        .find(|tr| {
            let texts: Vec<String> = tr.select(&CELL).map(cell_text).collect();
            let has = |labels: &[&str]| {
                texts
                    .iter()
                    .any(|t| t.chars().count() <= 8 && labels.iter().any(|l| t.contains(l)))
            };
            has(&ASKED) && (has(&REPLIED) || has(&["状态"]))
        })
        // Rebuilt from the cells' text (all the reader uses), not
        // serialised: html5ever's serializer can panic on a malformed tree
        // (see dom::subtree_words).
        .map(|tr| {
            let cells: String = tr
                .select(&CELL)
                .map(|c| format!("<th>{}</th>", escape_text(&cell_text(c))))
                .collect();
            format!("<tr>{cells}</tr>")
        })
}

fn escape_text(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// Messages in 大汉 JCMS datastores whose records are table rows, under the
/// page's header row.
fn from_stores(doc: &Html, url: &Url, stores: &[&str]) -> Vec<Message> {
    let Some(header) = (!stores.is_empty()).then(|| header_row(doc)).flatten() else {
        return vec![];
    };
    stores
        .iter()
        .flat_map(|xml| {
            let records = super::jcms::record_bodies(xml);
            if !records
                .first()
                .is_some_and(|r| r.trim_start().to_ascii_lowercase().starts_with("<tr"))
            {
                return vec![];
            }
            let html = format!("<table>{header}{}</table>", records.concat());
            from_tables(&Html::parse_fragment(&html), url)
        })
        .collect()
}

/// Every message a page shows: its list tables' rows (JCMS datastore rows
/// included), else list items that label their dates, else the page's own
/// labelled fields.
pub fn read(doc: &Html, url: &Url, body_text: &str, stores: &[&str]) -> Vec<Message> {
    let mut rows = from_tables(doc, url);
    if rows.is_empty() {
        // A header with no rows of its own: the rows are in the datastore.
        rows = from_stores(doc, url, stores);
    }
    if !rows.is_empty() {
        return rows;
    }
    let items = from_items(doc, url);
    if !items.is_empty() {
        return items;
    }
    from_detail(body_text, url).into_iter().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Option<chrono::NaiveDate> {
        parse_date(s, None)
    }

    fn url() -> Url {
        Url::parse("http://a.gov.cn/hdjl/zxzx/index.html").unwrap()
    }

    #[test]
    fn list_table_rows_with_dates_and_status() {
        let html = r#"<table class="list"><tr><th>序号</th><th>标题</th><th>留言时间</th><th>回复时间</th><th>状态</th></tr>
<tr><td>1</td><td><a href="./202603/t1.html">关于小区加装电梯补贴的咨询</a></td><td>2026-03-01</td><td>2026-03-05</td><td>已回复</td></tr>
<tr><td>2</td><td><a href="/xx/t2.html">社保转移咨询</a></td><td>2026-04-02 09:13</td><td></td><td>办理中</td></tr>
<tr><td colspan="5">共2条</td></tr></table>"#;
        let m = from_tables(&Html::parse_document(html), &url());
        assert_eq!(m.len(), 2);
        assert_eq!(m[0].title, "关于小区加装电梯补贴的咨询");
        assert_eq!(
            m[0].url.as_deref(),
            Some("http://a.gov.cn/hdjl/zxzx/202603/t1.html")
        );
        assert_eq!(
            (m[0].asked, m[0].replied),
            (d("2026-03-01"), d("2026-03-05"))
        );
        assert!(m[0].answered && !m[0].pending);
        assert_eq!((m[1].asked, m[1].replied), (d("2026-04-02"), None));
        assert!(m[1].pending && !m[1].answered);
    }

    #[test]
    fn blank_reply_date_without_status_is_pending() {
        let html = r#"<table><tr><td>咨询标题</td><td>提问时间</td><td>答复时间</td></tr>
<tr><td><a href="t3.html">问题</a></td><td>2026年1月5日</td><td>—</td></tr></table>"#;
        let m = from_tables(&Html::parse_document(html), &url());
        assert_eq!(m.len(), 1);
        assert!(m[0].pending);
    }

    #[test]
    fn an_ordinary_dated_table_is_no_board() {
        let html = r#"<table><tr><th>标题</th><th>发布时间</th></tr>
<tr><td><a href="t.html">通知</a></td><td>2026-03-01</td></tr></table>"#;
        assert!(from_tables(&Html::parse_document(html), &url()).is_empty());
    }

    #[test]
    fn list_items_that_label_their_dates() {
        let html = r#"<ul class="xx-list">
<li><a href="/hd/1.html">物业纠纷咨询</a><span>留言时间：2026-03-01</span><span>回复时间：2026-03-09</span><em>已回复</em></li>
<li><a href="/hd/2.html">停车收费咨询</a><span>留言时间：2026-05-01</span><em>办理中</em></li>
<li><a href="/gzdt/3.html">工作动态</a><span>2026-05-01</span></li>
</ul>"#;
        let m = from_items(&Html::parse_document(html), &url());
        assert_eq!(m.len(), 2);
        assert_eq!(
            (m[0].asked, m[0].replied),
            (d("2026-03-01"), d("2026-03-09"))
        );
        assert!(m[0].answered);
        assert!(m[1].pending && m[1].replied.is_none());
        assert_eq!(m[1].url.as_deref(), Some("http://a.gov.cn/hd/2.html"));
    }

    /// 大汉 JCMS: the header row in the page, the rows in the datastore.
    #[test]
    fn jcms_datastore_rows_under_the_page_header() {
        let html = r#"<table class="hd"><tr><td>信件标题</td><td>来信时间</td><td>回复时间</td><td>办理状态</td></tr></table>
<div id="4711"><script type="text/xml"><datastore><recordset>
<record><![CDATA[<tr><td><a href="/art/2026/2/1/art_9_1.html">关于学位申请的咨询</a></td><td>2026-02-01</td><td></td><td>办理中</td></tr>]]></record>
</recordset></datastore></script></div>"#;
        let doc = Html::parse_document(html);
        assert!(
            from_tables(&doc, &url()).is_empty(),
            "no rows in the page itself"
        );
        let xml = r#"<datastore><recordset><record><![CDATA[<tr><td><a href="/art/2026/2/1/art_9_1.html">关于学位申请的咨询</a></td><td>2026-02-01</td><td></td><td>办理中</td></tr>]]></record></recordset></datastore>"#;
        let m = read(&doc, &url(), "", &[xml]);
        assert_eq!(m.len(), 1);
        assert_eq!(m[0].asked, d("2026-02-01"));
        assert!(m[0].pending);
        assert_eq!(
            m[0].url.as_deref(),
            Some("http://a.gov.cn/art/2026/2/1/art_9_1.html")
        );
    }

    #[test]
    fn detail_page_fields() {
        let u = Url::parse("http://a.gov.cn/hdjl/zxzx/t1.html").unwrap();
        let text = "留言标题：供暖费咨询 留言时间：2026-01-10 留言内容：请问… 答复单位：区住建局 答复时间：2026年02月03日 答复内容：您好…";
        let m = from_detail(text, &u).unwrap();
        assert_eq!((m.asked, m.replied), (d("2026-01-10"), d("2026-02-03")));
        assert!(m.answered);
        let open = from_detail("来信时间：2026-01-10 来信内容：… 办理状态：办理中", &u).unwrap();
        assert!(open.pending && open.replied.is_none());
        // An article that only mentions a message time is not a message.
        assert!(from_detail("留言时间：2026-01-10 欢迎留言。", &u).is_none());
    }
}
