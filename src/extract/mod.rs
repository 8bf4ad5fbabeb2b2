//! The only code that knows HTML: charset decoding, page text and links,
//! column lists in the CMS styles real government sites use (plain lists and
//! tables, 大汉 JCMS datastores, TRS WCM `createPageHTML`, 政府信息公开目录
//! tables), dates, pagination and navigation.
//!
//! Everything here is pure: bytes or text in, data out. The crawler decides
//! what to fetch next from what these functions return.
//!
//! STATUS: interface fixed, implementation minimal (skeleton); the extract
//! work fills it in.

use chrono::NaiveDate;
use url::Url;

use crate::site::{ColumnClass, Item, PageLink};

/// A decoded HTML (or XML) document.
#[derive(Debug, Clone, PartialEq)]
pub struct Decoded {
    pub text: String,
    /// Encoding name used, e.g. "UTF-8", "GBK", "UTF-16LE".
    pub charset: String,
}

/// Decode a response body: charset from the Content-Type header, else BOM,
/// else `<meta charset>` / http-equiv, else detection; a declared charset
/// that contradicts the bytes (UTF-16 bytes declared gb2312) still decodes.
pub fn decode(bytes: &[u8], content_type: Option<&str>) -> Decoded {
    let _ = content_type;
    let (text, enc, _) = encoding_rs::UTF_8.decode(bytes);
    Decoded {
        text: text.into_owned(),
        charset: enc.name().to_string(),
    }
}

/// How to fetch a further page of a list.
#[derive(Debug, Clone, PartialEq)]
pub enum NextRequest {
    /// A plain GET (下一页 link, TRS `index_N.html`).
    Get(Url),
    /// A form POST (大汉 JCMS `dataproxy.jsp` with startrecord/endrecord/perpage).
    PostForm {
        url: Url,
        form: Vec<(String, String)>,
    },
}

impl NextRequest {
    /// The URL requested (for dedup and logging).
    pub fn url(&self) -> &Url {
        match self {
            NextRequest::Get(u) => u,
            NextRequest::PostForm { url, .. } => url,
        }
    }

    /// A key unique per distinct request (URL plus form body).
    pub fn key(&self) -> String {
        match self {
            NextRequest::Get(u) => u.to_string(),
            NextRequest::PostForm { url, form } => {
                let body: Vec<String> = form.iter().map(|(k, v)| format!("{k}={v}")).collect();
                format!("POST {url} {}", body.join("&"))
            }
        }
    }
}

/// A list of dated items found on a page (a column list, or one of the
/// homepage's news / notice blocks).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ListBlock {
    /// Heading of the block (homepage blocks: 通知公告, 工作动态 …).
    pub heading: Option<String>,
    /// "More" link of a homepage block (更多 / more), pointing at its column.
    pub more: Option<Url>,
    pub items: Vec<Item>,
    /// "html-list", "html-table", "jcms", "trs", "gkml-table".
    pub style: String,
}

/// A navigation entry that may be a column (栏目).
#[derive(Debug, Clone, PartialEq)]
pub struct NavEntry {
    pub name: String,
    pub url: Url,
}

/// Everything the crawler and the rules need from one HTML page.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ParsedPage {
    pub title: String,
    /// Article publish date (发布日期 / 生成日期 / 成文日期 / 发布时间, `<meta name="PubDate">`, Maketime).
    pub date: Option<NaiveDate>,
    /// Main text without navigation and footer.
    pub text: String,
    /// All links (a, img, script, link, iframe), labelled by area and section.
    pub links: Vec<PageLink>,
    /// Navigation entries (column candidates), in document order.
    pub nav: Vec<NavEntry>,
    /// Item lists on the page: for a column list page, its list; for a
    /// homepage, its dated blocks.
    pub lists: Vec<ListBlock>,
    /// Further pages of this page's list (pagination), in order.
    pub next_pages: Vec<NextRequest>,
    /// The page shows an empty-list placeholder (暂无信息 / 暂无数据 / 正在建设中).
    pub placeholder: bool,
}

/// Parse an HTML page fetched from `url`.
pub fn parse_page(url: &Url, html: &str) -> ParsedPage {
    let doc = scraper::Html::parse_document(html);
    let sel = scraper::Selector::parse("a[href]").expect("static selector");
    let mut links = Vec::new();
    for a in doc.select(&sel) {
        if let Some(u) = a
            .value()
            .attr("href")
            .and_then(|h| crate::urlnorm::resolve(url, h))
        {
            links.push(PageLink {
                url: crate::urlnorm::normalize(&u),
                text: a.text().collect::<String>().trim().to_string(),
                tag: "a".into(),
                ..Default::default()
            });
        }
    }
    let title_sel = scraper::Selector::parse("title").expect("static selector");
    let title = doc
        .select(&title_sel)
        .next()
        .map(|t| t.text().collect::<String>().trim().to_string())
        .unwrap_or_default();
    ParsedPage {
        title,
        links,
        ..Default::default()
    }
}

/// Parse a JCMS `dataproxy.jsp` answer (an XML datastore) requested by a
/// [`NextRequest::PostForm`]: its items (and nothing else).
pub fn parse_list_fragment(url: &Url, body: &str) -> ParsedPage {
    parse_page(url, body)
}

/// Parse a date as written on government pages (2026-11-03, 2026/11/03,
/// 2026.11.03, 2026年11月3日, [2026-11-03]); `year_hint` supplies the year of
/// a bare 11-03.
pub fn parse_date(s: &str, year_hint: Option<i32>) -> Option<NaiveDate> {
    let _ = year_hint;
    NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d").ok()
}

/// Column classification from its name by the keyword table in
/// `rules/column-classes.toml` (compiled in; a file can replace it).
#[derive(Debug, Clone, Default)]
pub struct ColumnClassifier {
    rules: Vec<(ColumnClass, Vec<String>)>,
}

impl ColumnClassifier {
    /// Class for a column name; `None` when no keyword matches (not a column
    /// the rules track, e.g. 首页 / 网站地图).
    pub fn classify(&self, name: &str) -> Option<ColumnClass> {
        self.rules
            .iter()
            .find(|(_, kws)| kws.iter().any(|k| name.contains(k.as_str())))
            .map(|(c, _)| *c)
    }
}
