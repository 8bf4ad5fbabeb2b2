//! The site model: plain serde data describing what the crawler saw on one
//! department site (站点). It is the only thing a rule sees, and it is what the
//! crawl snapshot stores, so `lint --crawl` can replay rules offline.
//!
//! A site is the unit of work: everything a rule needs about a site (its
//! columns 栏目, pages, and the status of every link its pages hold) is inside
//! its own [`Site`] value. The text and links of its pages may wait in its
//! page file (src/pagefile.rs) rather than in memory: a rule reads them
//! through [`Site::full_pages`], one page at a time.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// Update-deadline class of a column (栏目类别). Deadlines come from the profile.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ColumnClass {
    /// 动态/要闻 — news and work updates.
    Dynamic,
    /// 通知公告 — notices.
    Notice,
    /// 政策文件/规范性文件 — policy documents.
    Policy,
    /// 政策解读 — interpretations of policy documents.
    Interpretation,
    /// 人事/规划计划 and other long-lived columns.
    LongTerm,
    /// Anything else.
    Other,
}

impl ColumnClass {
    /// Every class, in report order.
    pub const ALL: [ColumnClass; 6] = [
        ColumnClass::Dynamic,
        ColumnClass::Notice,
        ColumnClass::Policy,
        ColumnClass::Interpretation,
        ColumnClass::LongTerm,
        ColumnClass::Other,
    ];

    /// The kebab-case name used in SITES.toml, profiles and report.json.
    pub fn as_str(self) -> &'static str {
        match self {
            ColumnClass::Dynamic => "dynamic",
            ColumnClass::Notice => "notice",
            ColumnClass::Policy => "policy",
            ColumnClass::Interpretation => "interpretation",
            ColumnClass::LongTerm => "long-term",
            ColumnClass::Other => "other",
        }
    }

    /// Parse the kebab-case name.
    pub fn parse(s: &str) -> Option<ColumnClass> {
        ColumnClass::ALL.into_iter().find(|c| c.as_str() == s)
    }

    /// Chinese label shown in reports.
    pub fn label_zh(self) -> &'static str {
        match self {
            ColumnClass::Dynamic => "动态要闻类",
            ColumnClass::Notice => "通知公告类",
            ColumnClass::Policy => "政策文件类",
            ColumnClass::Interpretation => "政策解读类",
            ColumnClass::LongTerm => "长期类",
            ColumnClass::Other => "其他",
        }
    }
}

/// One audited department site, as crawled.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct Site {
    /// Stable key from SITES.toml.
    pub id: String,
    /// Display name (e.g. 区发展和改革局).
    pub name: String,
    /// Normalised start URL.
    pub url: String,
    /// Contact shown next to the site's findings.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner: Option<String>,
    /// Per-site typo allow-list from SITES.toml (words never flagged on this site).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub typo_allow: Vec<String>,
    /// `services = false` in SITES.toml: a body with no public-facing
    /// services (办事服务), whose service indicators are not scored.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub without_services: bool,
    /// Outcome of fetching the start page (after retries).
    pub start: StartOutcome,
    /// Dated items shown on the homepage itself (its news / notice blocks).
    /// `None` when the homepage could not be fetched.
    #[serde(default)]
    pub homepage: Option<Homepage>,
    /// Columns found (navigation) or configured, with their items.
    #[serde(default)]
    pub columns: Vec<Column>,
    /// Every HTML page fetched on the site (homepage, column list pages,
    /// articles), each with its text and links — or, for a site crawled
    /// into a snapshot, with where they are in the site's page file
    /// ([`Page::body`]). Rules that read text or links iterate
    /// [`Site::full_pages`], which gives every page whole either way.
    #[serde(default)]
    pub pages: Vec<Page>,
    /// Every distinct link target found on the site's pages, with its status.
    /// Sorted by URL.
    #[serde(default)]
    pub links: Vec<LinkCheck>,
    /// The site's own attachments (xlsx/xls/et, docx, pdf) linked from its
    /// pages: what reading each gave, or why it was not read.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub attachments: Vec<crate::attachment::Attachment>,
    /// Pages or list pages that failed to load (data, not a reason to stop).
    #[serde(default)]
    pub crawl_errors: Vec<CrawlError>,
    /// Counters.
    #[serde(default)]
    pub stats: CrawlStats,
    /// Availability probes of the days before as_of (src/probe.rs), put in
    /// by the audit from the history database; `None` without one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub probes: Option<crate::probe::ProbeStats>,
    /// Where the text and links of the pages with a [`Page::body`] went
    /// during the crawl (src/pagefile.rs); `None` when every page holds its
    /// own. Not part of the saved site: the snapshot keeps the file beside it.
    #[serde(skip)]
    pub page_file: Option<crate::pagefile::PageFile>,
}

impl Site {
    /// Put pages and each link's referrers in a canonical order — shallowest
    /// first, then by URL — whatever order the concurrent fetches completed
    /// in. The same site crawled twice then gives the same model, and a
    /// broken link's "first page found" (its finding's url, and so its
    /// fingerprint) stays the same night after night.
    pub fn canonical_order(&mut self) {
        self.pages
            .sort_by(|a, b| (a.depth, &a.url).cmp(&(b.depth, &b.url)));
        let depth: std::collections::HashMap<&str, u32> = self
            .pages
            .iter()
            .map(|p| (p.url.as_str(), p.depth))
            .collect();
        let key =
            |u: &std::sync::Arc<str>| (depth.get(&**u).copied().unwrap_or(u32::MAX), u.clone());
        for link in &mut self.links {
            link.referrers.sort_by_cached_key(key);
            link.referrers.dedup();
        }
        self.links.sort_by(|a, b| a.url.cmp(&b.url));
    }

    /// `page` (one of [`Site::pages`]) whole, with its text and links: as it
    /// is when it holds them, else with them read back from the page file.
    ///
    /// A page file that cannot be read back is a broken snapshot or a
    /// full disk, not a finding: it panics, and the rule reading it is
    /// reported as failed for this site while the audit goes on.
    pub fn full_page<'a>(&self, page: &'a Page) -> std::borrow::Cow<'a, Page> {
        use std::borrow::Cow;
        let Some(at) = &page.body else {
            return Cow::Borrowed(page);
        };
        let file = self.page_file.as_ref().unwrap_or_else(|| {
            panic!(
                "page {} was spilled but the site has no page file",
                page.url
            )
        });
        let body = file
            .read(at)
            .unwrap_or_else(|e| panic!("cannot read back page {}: {e}", page.url));
        Cow::Owned(Page {
            text: body.text,
            links: body.links,
            ..page.clone()
        })
    }

    /// Every page whole, in [`Site::pages`] order, one at a time: what the
    /// rules that read page text or links iterate, so memory holds one
    /// page's text however large the site.
    pub fn full_pages(&self) -> impl Iterator<Item = std::borrow::Cow<'_, Page>> + '_ {
        self.pages.iter().map(|p| self.full_page(p))
    }
}

/// Whether the start page could be fetched.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct StartOutcome {
    /// True when the start page answered 2xx (after redirects).
    pub ok: bool,
    /// HTTP status of the last answer, if any.
    #[serde(default)]
    pub status: Option<u16>,
    /// Error text when not ok (timeout, connection refused, HTTP 503 …).
    #[serde(default)]
    pub error: Option<String>,
    /// How many attempts were made.
    pub attempts: u32,
    /// Final URL after redirects.
    #[serde(default)]
    pub final_url: Option<String>,
    /// The start page answered with a firewall's JavaScript challenge: the
    /// site is up for browsers but closed to the crawler.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub blocked: bool,
    /// The start page's HTTPS certificate is one a browser refuses
    /// ("self-signed or untrusted issuer", "expired", "not yet valid",
    /// "issued for another host", "invalid"): the site was read anyway.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub certificate: Option<String>,
}

/// The homepage's own dated items (首页信息).
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct Homepage {
    /// Items in the homepage's list blocks, with their dates when shown
    /// there or found on the linked page.
    pub items: Vec<Item>,
    /// True when the homepage is a bare navigation hub with no item blocks.
    #[serde(default)]
    pub hub_only: bool,
}

/// How a column's class was decided.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ClassSource {
    /// From the column name through rules/column-classes.toml.
    #[default]
    Keyword,
    /// Set in SITES.toml.
    Config,
}

/// What a column's page is.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ColumnKind {
    /// A list of items (or an empty list).
    #[default]
    List,
    /// A single page of its own text (单页栏目: 机构职能, 信息公开指南 …):
    /// never empty; dated ones carry the page as their one item.
    SinglePage,
    /// An entrance, not content: a letter or consultation form, a query
    /// form, a link out to a service platform (领导信箱, 在线咨询 …).
    Channel,
}

impl ColumnKind {
    /// True for [`ColumnKind::List`] (the default, left out of snapshots).
    pub fn is_list(&self) -> bool {
        *self == ColumnKind::List
    }

    /// The kebab-case name.
    pub fn as_str(self) -> &'static str {
        match self {
            ColumnKind::List => "list",
            ColumnKind::SinglePage => "single-page",
            ColumnKind::Channel => "channel",
        }
    }
}

fn is_zero(n: &u32) -> bool {
    *n == 0
}

/// A column (栏目): a list of dated items.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Column {
    /// Normalised URL of the column's first list page.
    pub url: String,
    /// Column name as shown in the navigation (e.g. 工作动态).
    pub name: String,
    /// Update-deadline class.
    pub class: ColumnClass,
    /// Depth in the site's navigation tree: 1 = linked from the homepage
    /// (its menus and blocks), 2 = found on a first-level column's pages or
    /// another page one link from the homepage (a sub-column), …; 0 = unknown
    /// (named only in SITES.toml, or a snapshot from before levels).
    #[serde(default)]
    pub level: u32,
    /// Whether the class came from the keyword table or SITES.toml.
    #[serde(default)]
    pub class_source: ClassSource,
    /// The list's items across all its pages (newest first as listed).
    pub items: Vec<Item>,
    /// How many list pages were fetched for this column.
    pub list_pages: u32,
    /// The list style recognised (e.g. "html-list", "jcms", "trs", "gkml-table").
    #[serde(default)]
    pub style: String,
    /// True when the list page shows a placeholder such as 暂无信息.
    #[serde(default)]
    pub placeholder: bool,
    /// Set when the column's list could not be loaded (HTTP error, timeout…):
    /// such a column is a crawl error, not an empty column.
    #[serde(default)]
    pub load_error: Option<String>,
    /// True when the list was truncated by a crawl limit.
    #[serde(default)]
    pub truncated: bool,
    /// List, single page of text, or channel (decided by
    /// `extract::judge_column` from the first page when the list is empty).
    #[serde(default, skip_serializing_if = "ColumnKind::is_list")]
    pub kind: ColumnKind,
    /// Single page: Chinese characters of the page's own text (navigation,
    /// footer, sidebars and boilerplate left out).
    #[serde(default, skip_serializing_if = "is_zero")]
    pub body_chars: u32,
    /// Channel: what made it one ("form", "query", "link-out: URL", "entrance: URL").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub channel: Option<String>,
}

impl Column {
    /// Newest item date in the column, if any item is dated.
    pub fn latest(&self) -> Option<NaiveDate> {
        self.items.iter().filter_map(|i| i.date).max()
    }
}

/// Where an item's date was read.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum DateSource {
    /// Shown beside the title in the list.
    #[default]
    List,
    /// Read from the linked article page (发布日期, PubDate meta …).
    Page,
}

/// One dated entry of a list (信息条目).
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct Item {
    /// Title as listed.
    pub title: String,
    /// Absolute, normalised URL of the item's page.
    #[serde(default)]
    pub url: Option<String>,
    /// Publish date, when shown in the list or on the item's page.
    #[serde(default)]
    pub date: Option<NaiveDate>,
    /// Where the date was read.
    #[serde(default)]
    pub date_source: DateSource,
}

/// What a fetched page is to the site.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum PageKind {
    /// The start page.
    Home,
    /// A column list page (any page of its pagination).
    List,
    /// An article (detail) page.
    Article,
    /// Any other page of the site.
    #[default]
    Other,
}

/// One fetched HTML page.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct Page {
    /// Normalised URL as requested.
    pub url: String,
    /// HTTP status of the final answer.
    pub status: u16,
    /// What the page is to the site.
    pub kind: PageKind,
    /// URL of the column this page belongs to (list page of, or item of).
    #[serde(default)]
    pub column: Option<String>,
    /// Page title.
    #[serde(default)]
    pub title: String,
    /// Publish date of an article (发布日期 / PubDate …).
    #[serde(default)]
    pub date: Option<NaiveDate>,
    /// Main text without navigation and footer (empty here when the text
    /// went to the page file: see [`Page::body`]).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub text: String,
    /// Charset used to decode the page (e.g. "GBK", "UTF-8").
    #[serde(default)]
    pub charset: String,
    /// Crawl depth from the start page.
    #[serde(default)]
    pub depth: u32,
    /// Links on the page, in document order, each labelled with its area
    /// (empty here when they went to the page file: see [`Page::body`]).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub links: Vec<PageLink>,
    /// Messages of a message board (留言) read on this page: the rows of a
    /// list table (标题 / 留言时间 / 回复时间 / 状态), or the one message of
    /// a detail page (留言内容 / 答复内容 / 答复时间).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub messages: Vec<Message>,
    /// What the page shows of the 47号 site standard (footer identifiers,
    /// search, 找错 entrance, meta tags) and of 信息公开 metadata.
    #[serde(default, skip_serializing_if = "PageFacts::is_empty")]
    pub facts: PageFacts,
    /// Set when the page's text and links were moved to the site's page
    /// file as the crawl went (src/pagefile.rs): where they are there.
    /// Read the page whole with [`Site::full_page`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body: Option<BodyRef>,
}

/// Where a page's text and links sit in its site's page file.
#[derive(Debug, Clone, Copy, Default, Serialize, Deserialize, PartialEq, Eq)]
pub struct BodyRef {
    /// Byte offset of the page's line.
    pub at: u64,
    /// Its length in bytes (without the newline).
    pub len: u64,
}

/// One message of a message board (留言 / 咨询 / 来信) as a page shows it.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct Message {
    /// The message's own page (a list row's link; a detail page's URL).
    #[serde(default)]
    pub url: Option<String>,
    /// The message's title (its subject) as shown.
    #[serde(default)]
    pub title: String,
    /// When it was asked (留言时间 / 提问时间 / 来信时间 …).
    #[serde(default)]
    pub asked: Option<NaiveDate>,
    /// When it was answered (回复时间 / 答复时间 …).
    #[serde(default)]
    pub replied: Option<NaiveDate>,
    /// The page shows an answer (答复内容 with text, or a status 已回复 / 已办结).
    #[serde(default)]
    pub answered: bool,
    /// The page says it is not answered yet (未回复 / 办理中 / 待回复 …).
    #[serde(default)]
    pub pending: bool,
}

/// The site-standard facts of one page (国办发〔2017〕47号, the 2019 功能设计
/// items) and its 信息公开 metadata fields, read from its HTML and inline
/// scripts (never by running them).
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct PageFacts {
    /// Standard meta tags present with content (SiteName, SiteDomain,
    /// SiteIDCode, ColumnName, ColumnType, ArticleTitle, PubDate,
    /// ContentSource), canonical spelling, in that order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub meta_tags: Vec<String>,
    /// The domain the page declares in `<meta name="SiteDomain">`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub site_domain: Option<String>,
    /// Site identifiers shown on the page (footer).
    #[serde(default, skip_serializing_if = "Identity::is_empty")]
    pub identity: Identity,
    /// A site search: a search form or input, or a search link / button.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub search: bool,
    /// A 「我为政府网站找错」 entrance (link, image link, national script or iframe).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub error_report: bool,
    /// 信息公开 metadata fields shown on the page, by canonical label
    /// (索引号, 发布机构, 文号, 生成日期, 成文日期, 发布日期) → value as shown;
    /// an empty value when the label is there with nothing after it.
    #[serde(default, skip_serializing_if = "Fields::is_empty")]
    pub fields: Fields,
}

/// A page's 信息公开 metadata fields ([`PageFacts::fields`]): label → value,
/// sorted by label, serialised as a JSON object exactly as a `BTreeMap`.
///
/// A sorted list rather than a `BTreeMap`: a page shows a handful of
/// fields, a map's first node takes over 500 bytes whatever it holds, and
/// a site in flight holds every page's facts.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Fields(Vec<(String, String)>);

impl Fields {
    /// The value shown for `label`.
    pub fn get(&self, label: &str) -> Option<&String> {
        self.0
            .binary_search_by(|(k, _)| k.as_str().cmp(label))
            .ok()
            .map(|i| &self.0[i].1)
    }

    /// The page shows `label` (perhaps with nothing after it).
    pub fn contains_key(&self, label: &str) -> bool {
        self.get(label).is_some()
    }

    /// No field shown.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Label and value, sorted by label.
    pub fn iter(&self) -> impl Iterator<Item = (&String, &String)> {
        self.0.iter().map(|(k, v)| (k, v))
    }
}

impl std::ops::Index<&str> for Fields {
    type Output = String;

    fn index(&self, label: &str) -> &String {
        self.get(label)
            .unwrap_or_else(|| panic!("no field {label}"))
    }
}

impl From<std::collections::BTreeMap<String, String>> for Fields {
    fn from(map: std::collections::BTreeMap<String, String>) -> Fields {
        Fields(
            map.into_iter()
                .map(|(mut k, mut v)| {
                    k.shrink_to_fit();
                    v.shrink_to_fit();
                    (k, v)
                })
                .collect(),
        )
    }
}

/// As collecting into a `BTreeMap`: sorted, a label given twice keeps its
/// last value.
impl FromIterator<(String, String)> for Fields {
    fn from_iter<I: IntoIterator<Item = (String, String)>>(iter: I) -> Fields {
        iter.into_iter()
            .collect::<std::collections::BTreeMap<_, _>>()
            .into()
    }
}

impl Serialize for Fields {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_map(self.iter())
    }
}

impl<'de> Deserialize<'de> for Fields {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Fields, D::Error> {
        std::collections::BTreeMap::<String, String>::deserialize(d).map(Fields::from)
    }
}

impl PageFacts {
    /// Nothing found (kept out of the crawl snapshot).
    pub fn is_empty(&self) -> bool {
        *self == PageFacts::default()
    }
}

/// The identifiers a government site shows in its footer.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct Identity {
    /// 网站标识码 (10 digits, or bm + 8 digits).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub site_code: Option<String>,
    /// ICP备案号 (e.g. 京ICP备05070602号).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub icp: Option<String>,
    /// 公安机关备案号 (e.g. 京公网安备11010202000001号).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub police: Option<String>,
    /// The 党政机关网站 badge (conac.cn).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub conac: bool,
    /// Why what is not found may still be drawn at run time: external
    /// footer scripts not executed, empty placeholders filled by script.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub undecided: Vec<String>,
}

impl Identity {
    /// Nothing found and nothing undecided.
    pub fn is_empty(&self) -> bool {
        *self == Identity::default()
    }
}

/// Which part of a page a link sits in.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum LinkArea {
    /// Header, menus, breadcrumbs.
    Nav,
    /// Main content.
    #[default]
    Body,
    /// Footer.
    Footer,
}

/// A link found on a page.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct PageLink {
    /// Absolute normalised URL.
    pub url: String,
    /// Anchor text (or alt/title), whitespace collapsed.
    pub text: String,
    /// Which part of the page the link sits in.
    pub area: LinkArea,
    /// Heading of the block the link sits in, e.g. 相关解读 / 政策解读 / 相关链接.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub section: Option<String>,
    /// Where the link came from: "a", "img", "script", "link", "iframe".
    #[serde(default)]
    pub tag: String,
}

/// What checking a link target found (once per run): facts only. Whether
/// the link counts as broken is the broken-link rule's judgement of these
/// facts (`rules::broken_link::failure`), so a change of that policy
/// replays on a saved snapshot with `lint --crawl`.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct LinkCheck {
    /// Absolute normalised target URL.
    pub url: String,
    /// HTTP status of the final answer, if one came: the GET's when a
    /// refused HEAD was asked again with GET.
    #[serde(default)]
    pub status: Option<u16>,
    /// The HEAD's status when a GET followed it (HEAD answered 4xx/5xx or
    /// failed in a way a GET might not).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub head_status: Option<u16>,
    /// Transport error when no usable answer came: "timeout", "connection
    /// refused", "redirect loop", "too many redirects", "dns", "tls" …
    /// (Snapshots before the facts also hold "redirect to error page …" here.)
    #[serde(default)]
    pub error: Option<String>,
    /// Where the request ended, as requested there, when elsewhere than
    /// `url` (HTTP redirects, and the meta-refresh / `location=` pages a
    /// page fetch follows).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub final_url: Option<String>,
    /// Redirect hops followed to the final answer.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub redirects: u32,
    /// Content-Type of the final answer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub content_type: Option<String>,
    /// Content-Disposition of the final answer (a download script names
    /// its file there).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub content_disposition: Option<String>,
    /// Whether the final answer is HTML or XML (by Content-Type, else by its
    /// first bytes), when that could be told.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub markup: Option<bool>,
    /// The body read (a page fetched, or a link check's GET) reads like a
    /// "not found" page: its title or first heading says 404, 页面不存在 …
    /// A soft 404 when `status` is 2xx; recorded for the rules to weigh.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub soft_404: bool,
    /// The answer was a web application firewall's JavaScript challenge
    /// (403/412/521 … with a script that sets a cookie and reloads): a
    /// browser gets through, the crawler did not. Blocked, not broken.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub blocked: bool,
    /// Attempts made.
    pub attempts: u32,
    /// The target answered only past an HTTPS certificate a browser
    /// refuses ("self-signed or untrusted issuer", "expired" …): the crawl
    /// read it, a visitor's browser stops at a warning.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub certificate: Option<String>,
    /// Pages of this site linking the target, in discovery order. Shared
    /// strings: a page's URL is one allocation however many links it holds
    /// (a navigation link is on every page, so a site's referrers are
    /// thousands of copies of its few hundred page URLs).
    pub referrers: Vec<std::sync::Arc<str>>,
    /// Anchor text of the first link found.
    #[serde(default)]
    pub anchor: String,
    /// True when the homepage links the target.
    #[serde(default)]
    pub on_homepage: bool,
    /// True when the target is inside the site's crawl scope.
    #[serde(default)]
    pub internal: bool,
    /// True for attachments (pdf, doc …) checked, not parsed.
    #[serde(default)]
    pub attachment: bool,
    /// Set when the target was not checked (robots.txt disallow, skipped scheme).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub skipped: Option<String>,
}

/// A page that could not be loaded or parsed.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct CrawlError {
    /// The page or list URL.
    pub url: String,
    /// "page", "list", "article", "robots", "size" (body cut at the cap),
    /// "depth" (nesting cut before parsing), "content" (binary served as
    /// HTML), "blocked" (a firewall's JavaScript challenge) …
    pub what: String,
    /// What went wrong ("timeout", "HTTP 500" …).
    pub error: String,
    /// HTTP status, when one came.
    #[serde(default)]
    pub status: Option<u16>,
}

/// Counters for the report's `stats`.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct CrawlStats {
    /// HTML pages fetched and stored.
    pub pages: u32,
    /// Column list pages fetched.
    pub list_pages: u32,
    /// Distinct link targets checked (not skipped).
    pub links_checked: u32,
    /// HTTP requests made for this site.
    pub requests: u32,
    /// Crawl errors recorded.
    pub errors: u32,
    /// Body bytes read.
    pub bytes: u64,
    /// Pages not fetched because robots.txt disallowed them.
    pub robots_blocked: u32,
    /// URLs dropped by crawl-trap guards (depth, page cap, query variants …).
    pub trap_dropped: u32,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn page(url: &str, depth: u32) -> Page {
        Page {
            url: url.into(),
            depth,
            ..Default::default()
        }
    }

    #[test]
    fn columns_of_old_snapshots_load_as_lists_and_lists_serialise_as_before() {
        let old = r#"{"url":"http://a/tzgg/","name":"通知公告","class":"notice","items":[],"list_pages":1}"#;
        let c: Column = serde_json::from_str(old).unwrap();
        assert_eq!(
            (c.kind, c.body_chars, c.channel.as_deref()),
            (ColumnKind::List, 0, None)
        );
        let v = serde_json::to_value(&c).unwrap();
        assert!(v.get("kind").is_none() && v.get("body_chars").is_none());
        let single = Column {
            kind: ColumnKind::SinglePage,
            body_chars: 120,
            ..c
        };
        let v = serde_json::to_value(&single).unwrap();
        assert_eq!(v["kind"], "single-page");
        assert_eq!(serde_json::from_value::<Column>(v).unwrap(), single);
    }

    #[test]
    fn fields_read_and_serialise_as_the_sorted_map_they_replace() {
        let pairs = [
            ("文号", "区政发〔2026〕3号"),
            ("发布机构", ""),
            ("索引号", "001/2026-00012"),
        ];
        let fields: Fields = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        let map: std::collections::BTreeMap<String, String> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        let json = serde_json::to_string(&fields).unwrap();
        assert_eq!(json, serde_json::to_string(&map).unwrap());
        assert_eq!(serde_json::from_str::<Fields>(&json).unwrap(), fields);
        assert_eq!(fields["索引号"], "001/2026-00012");
        assert_eq!(fields.get("发布机构").map(String::as_str), Some(""));
        assert!(fields.contains_key("文号") && !fields.contains_key("成文日期"));
        let labels: Vec<_> = fields.iter().map(|(k, _)| k.as_str()).collect();
        assert_eq!(labels, map.keys().map(String::as_str).collect::<Vec<_>>());
        // A page without fields leaves them out of the snapshot, as before.
        let facts = PageFacts::default();
        assert!(facts.is_empty() && facts.fields.is_empty());
        assert!(!serde_json::to_string(&facts).unwrap().contains("fields"));
    }

    #[test]
    fn canonical_order_ignores_fetch_completion_order() {
        let mut a = Site {
            pages: vec![
                page("http://a/z.html", 2),
                page("http://a/", 0),
                page("http://a/b.html", 1),
                page("http://a/a.html", 2),
            ],
            links: vec![
                LinkCheck {
                    url: "http://a/x.pdf".into(),
                    referrers: vec![
                        "http://a/z.html".into(),
                        "http://a/a.html".into(),
                        "http://a/b.html".into(),
                    ],
                    ..Default::default()
                },
                LinkCheck {
                    url: "http://a/404.html".into(),
                    referrers: vec!["http://elsewhere/".into(), "http://a/a.html".into()],
                    ..Default::default()
                },
            ],
            ..Default::default()
        };
        let mut b = a.clone();
        b.pages.reverse();
        b.links.reverse();
        b.links[1].referrers.reverse();
        a.canonical_order();
        b.canonical_order();
        assert_eq!(a, b);
        let urls: Vec<_> = a.pages.iter().map(|p| p.url.as_str()).collect();
        assert_eq!(
            urls,
            [
                "http://a/",
                "http://a/b.html",
                "http://a/a.html",
                "http://a/z.html"
            ]
        );
        assert_eq!(a.links[0].url, "http://a/404.html");
        // Shallowest referrer first; a page not in the model (unknown depth) last.
        fn refs(l: &LinkCheck) -> Vec<&str> {
            l.referrers.iter().map(|r| &**r).collect()
        }
        assert_eq!(refs(&a.links[0]), ["http://a/a.html", "http://elsewhere/"]);
        assert_eq!(
            refs(&a.links[1]),
            ["http://a/b.html", "http://a/a.html", "http://a/z.html"]
        );
    }
}
