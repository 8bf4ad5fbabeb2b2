//! `govaudit inspect URL [--config SITES.toml --site ID]`: what govaudit sees
//! on one page. The page is fetched the way the crawler fetches pages
//! (User-Agent, robots.txt, timeouts, retries) and read by the extractor;
//! the result says how its charset was decided, what kind of page it is,
//! its items with their dates and where each date came from, its
//! pagination, navigation columns, links by area and own text — and, given
//! a site, the findings this page alone would raise (the rules run on a
//! one-page site model: links are not checked, so broken-link stays silent).
//!
//! The library returns an [`Inspection`]; the binary prints it (text, or
//! JSON with `--format json`).

use std::path::PathBuf;

use chrono::NaiveDate;
use serde::Serialize;
use url::Url;

use crate::config::{Config, CrawlSettings, SiteConfig};
use crate::extract::{self, ColumnClassifier, DateFrom, FormKind, PageContent};
use crate::rules::Finding;
use crate::site::{
    ClassSource, Column, ColumnClass, ColumnKind, DateSource, Homepage, LinkArea, Page, PageKind,
    PageLink, Site, StartOutcome,
};

/// What `inspect` is asked to do.
#[derive(Debug, Clone, Default)]
pub struct InspectRequest {
    /// The page to fetch.
    pub url: String,
    /// SITES.toml: its `[crawl]` settings, and with `site` the site the page
    /// belongs to (findings are computed for it).
    pub config: Option<PathBuf>,
    /// Site id in SITES.toml the page belongs to (needs `config`).
    pub site: Option<String>,
    /// Date the findings are judged at (default: today).
    pub as_of: Option<NaiveDate>,
    /// Scoring profile (default: SITES.toml's, else national-2019).
    pub profile: Option<String>,
}

/// What govaudit makes of one page.
#[derive(Debug, Clone, Serialize)]
pub struct Inspection {
    /// The URL asked for.
    pub url: String,
    /// URL of the last answer, when redirected.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub final_url: Option<String>,
    /// HTTP status of the last answer, if one came.
    pub status: Option<u16>,
    /// Attempts made (retries included).
    pub attempts: u32,
    /// Why the page could not be read (timeout, HTTP 404, robots.txt …).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// Content-Type of the answer.
    pub content_type: Option<String>,
    /// Body bytes read.
    pub bytes: usize,
    /// Charset the page was decoded with, and how it was decided.
    pub charset: String,
    /// How the charset was decided (header, BOM, meta, detection).
    pub charset_from: String,
    /// homepage | column-list | empty-list | single-page | channel | article | other
    pub kind: String,
    /// Why that kind.
    pub kind_why: String,
    /// Page title.
    pub title: String,
    /// Publish date of the page (article / single page) and where it was read.
    pub date: Option<NaiveDate>,
    /// Where `date` was read.
    pub date_from: Option<DateFrom>,
    /// Lists found on the page (the column's list is the one with most items).
    pub lists: Vec<InspectList>,
    /// A 暂无信息 / 正在建设中 placeholder in a short element.
    pub placeholder: bool,
    /// Further pages of the list (下一页, TRS index_N, JCMS dataproxy requests).
    pub pagination: Vec<String>,
    /// Navigation entries taken for columns, with their class.
    pub nav_columns: Vec<InspectColumn>,
    /// Links per area (nav, body, footer).
    pub links: LinksByArea,
    /// Characters of the page text without navigation and footer.
    pub text_chars: usize,
    /// The page's own text (see `extract::PageContent`): Chinese characters,
    /// a short excerpt, forms and entrances.
    pub own_text: OwnText,
    /// With `--site`: the site, and what this page would be in its model.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub site: Option<String>,
    /// With `--site`: the date findings are judged at.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub as_of: Option<NaiveDate>,
    /// With `--site`: the column this page is, when it is one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub column: Option<InspectColumnModel>,
    /// With `--site`: findings this page alone would raise.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub findings: Option<Vec<Finding>>,
}

/// One list on the page.
#[derive(Debug, Clone, Serialize)]
pub struct InspectList {
    /// The block heading, when it has one.
    pub heading: Option<String>,
    /// Its "more" (更多) link.
    pub more: Option<String>,
    /// The list style recognised (html-list, jcms, trs, gkml-table …).
    pub style: String,
    /// Its items, in page order.
    pub items: Vec<InspectItem>,
}

/// One list item.
#[derive(Debug, Clone, Serialize)]
pub struct InspectItem {
    /// Title as listed.
    pub title: String,
    /// The item's page.
    pub url: Option<String>,
    /// Its date, when one was found.
    pub date: Option<NaiveDate>,
    /// "list" (beside the title), "page" (the page's own date), or null.
    pub date_from: Option<String>,
}

/// A navigation entry taken for a column.
#[derive(Debug, Clone, Serialize)]
pub struct InspectColumn {
    /// Name as shown in the navigation.
    pub name: String,
    /// The column's URL.
    pub url: String,
    /// Its class from the keyword table, if any.
    pub class: Option<ColumnClass>,
    /// Its level (栏目层级) as the crawl counts it: 1 when the inspected page
    /// is the site's homepage (a column linked from it is first-level, 一级);
    /// unknown (null) from any other page seen alone.
    pub level: Option<u32>,
}

/// Links of the page, by area.
#[derive(Debug, Clone, Default, Serialize)]
pub struct LinksByArea {
    /// Header, menus, breadcrumbs.
    pub nav: Vec<InspectLink>,
    /// Main content.
    pub body: Vec<InspectLink>,
    /// Footer.
    pub footer: Vec<InspectLink>,
}

/// One link.
#[derive(Debug, Clone, Serialize)]
pub struct InspectLink {
    /// Anchor text.
    pub text: String,
    /// Absolute target.
    pub url: String,
    /// Where the link came from: "a", "img", "script" …
    pub tag: String,
    /// Heading of the block the link sits in.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub section: Option<String>,
}

/// The page's own text and entrances.
#[derive(Debug, Clone, Serialize)]
pub struct OwnText {
    /// Chinese characters of the page's own text.
    pub chars: usize,
    /// Its first characters.
    pub excerpt: String,
    /// An empty list container (or a pager reading 共0条).
    pub empty_list: bool,
    /// A form the page carries (a letter / consultation form, a query).
    pub form: Option<FormKind>,
    /// An entrance (an iframe or 进入 / 办理 / 我要写信 link): its URL.
    pub entrance: Option<String>,
}

/// The page as a column of the site model.
#[derive(Debug, Clone, Serialize)]
pub struct InspectColumnModel {
    /// Column name.
    pub name: String,
    /// Update-deadline class.
    pub class: ColumnClass,
    /// List, single page or channel.
    pub kind: ColumnKind,
    /// Items listed.
    pub items: usize,
    /// Newest item date.
    pub latest: Option<NaiveDate>,
    /// For a channel: where it leads.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub channel: Option<String>,
    /// Chinese characters of its own text.
    pub body_chars: u32,
}

/// Fetch and inspect one page.
pub fn inspect(req: &InspectRequest) -> crate::Result<Inspection> {
    let url = Url::parse(req.url.trim())
        .map_err(|e| crate::Error::Other(format!("{}: not a URL ({e})", req.url.trim())))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(crate::Error::Other(format!(
            "{url}: only http and https pages can be inspected"
        )));
    }
    let config = req.config.as_deref().map(Config::load).transpose()?;
    let site_cfg = match (&req.site, &config) {
        (Some(id), Some(c)) => Some(c.sites.iter().find(|s| &s.id == id).cloned().ok_or_else(
            || crate::Error::Other(format!("{}: no site with id {id:?}", c.path.display())),
        )?),
        (Some(_), None) => {
            return Err(crate::Error::Other(
                "--site needs --config SITES.toml".into(),
            ))
        }
        _ => None,
    };
    let settings = config
        .as_ref()
        .map(|c| c.crawl.clone())
        .unwrap_or_else(CrawlSettings::default);
    let profile = match (&req.profile, &config) {
        (Some(p), _) => Some(crate::score::Profile::resolve(p, None)?),
        (None, Some(c)) => match &c.audit.profile {
            Some(p) => Some(crate::score::Profile::resolve(p, c.path.parent())?),
            None => None,
        },
        _ => None,
    };

    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| crate::Error::Other(format!("tokio runtime: {e}")))?;
    let fetched = rt.block_on(crate::crawl::fetch_one(&settings, &url))?;
    let base = fetched.final_url.clone().unwrap_or_else(|| url.clone());
    let (decoded, how) = extract::decode_explained(&fetched.body, fetched.content_type.as_deref());
    let mut out = Inspection {
        url: crate::urlnorm::normalize(&url),
        final_url: fetched
            .final_url
            .as_ref()
            .map(crate::urlnorm::normalize)
            .filter(|f| *f != crate::urlnorm::normalize(&url)),
        status: fetched.status,
        attempts: fetched.attempts,
        error: fetched.error.clone(),
        content_type: fetched.content_type.clone(),
        bytes: fetched.body.len(),
        charset: String::new(),
        charset_from: String::new(),
        kind: "other".into(),
        kind_why: String::new(),
        title: String::new(),
        date: None,
        date_from: None,
        lists: Vec::new(),
        placeholder: false,
        pagination: Vec::new(),
        nav_columns: Vec::new(),
        links: LinksByArea::default(),
        text_chars: 0,
        own_text: own_text(&PageContent::default()),
        site: site_cfg.as_ref().map(|s| s.id.clone()),
        as_of: None,
        column: None,
        findings: None,
    };
    if fetched.error.is_some() || fetched.body.is_empty() {
        out.kind_why = "the page could not be read".into();
        return Ok(out);
    }
    out.charset = decoded.charset.clone();
    out.charset_from = how.to_string();
    let parsed = extract::parse_page(&base, &decoded.text);
    let content = extract::page_content(&base, &decoded.text);
    let classifier = ColumnClassifier::builtin();
    let is_home = match &site_cfg {
        Some(s) => {
            let n = crate::urlnorm::normalize(&base);
            n == s.url || crate::urlnorm::normalize(&url) == s.url
        }
        None => {
            base.path() == "/"
                || (base.path().matches('/').count() == 1
                    && base
                        .path()
                        .trim_start_matches('/')
                        .split('.')
                        .next()
                        .is_some_and(|s| {
                            matches!(
                                s.to_ascii_lowercase().as_str(),
                                "index" | "default" | "main"
                            )
                        }))
        }
    };

    // The page as a column (when it is not the homepage): its main list,
    // then judged as the crawler judges a column's first page.
    let configured = site_cfg.as_ref().and_then(|s| {
        s.columns
            .iter()
            .find(|c| c.url == crate::urlnorm::normalize(&url))
    });
    let name = configured
        .and_then(|c| c.name.clone())
        .or_else(|| self_link_name(&parsed.links, &crate::urlnorm::normalize(&base)))
        .unwrap_or_else(|| parsed.title.clone());
    let class = configured
        .and_then(|c| c.class)
        .or_else(|| classifier.classify(&name))
        .unwrap_or(ColumnClass::Other);
    let main = parsed
        .lists
        .iter()
        .max_by_key(|b| b.items.len())
        .cloned()
        .unwrap_or_default();
    let mut column = Column {
        url: crate::urlnorm::normalize(&url),
        name: name.clone(),
        class,
        // One page seen alone: its place in the navigation is unknown.
        level: 0,
        class_source: if configured.and_then(|c| c.class).is_some() {
            ClassSource::Config
        } else {
            ClassSource::Keyword
        },
        items: main.items.clone(),
        list_pages: 1,
        style: main.style.clone(),
        placeholder: parsed.placeholder && main.items.is_empty(),
        load_error: None,
        truncated: false,
        kind: ColumnKind::List,
        body_chars: 0,
        channel: None,
    };
    extract::judge_column(&mut column, &content, parsed.placeholder);
    let listed = !main.items.is_empty() && main.style != "single-page";
    let article_url = extract::looks_like_article_url(&base);
    let (kind, why) = if is_home {
        (
            "homepage",
            if site_cfg.is_some() {
                "the site's start page".to_string()
            } else {
                "the root of its host".to_string()
            },
        )
    } else if listed || !parsed.next_pages.is_empty() {
        (
            "column-list",
            format!("a {} list of {} items", main.style, main.items.len()),
        )
    } else if parsed.date.is_some() && article_url && content.own_chars > 0 {
        ("article", "dated text at an article-like URL".to_string())
    } else {
        match column.kind {
            ColumnKind::Channel => (
                "channel",
                format!(
                    "an entrance, not content ({})",
                    column.channel.clone().unwrap_or_default()
                ),
            ),
            ColumnKind::SinglePage => (
                "single-page",
                format!(
                    "{} Chinese characters of its own text (≥ {})",
                    content.own_chars,
                    extract::SINGLE_PAGE_MIN_CHARS
                ),
            ),
            ColumnKind::List if parsed.placeholder || content.empty_list => (
                "empty-list",
                if parsed.placeholder {
                    "a placeholder (暂无信息 …) and no items".to_string()
                } else {
                    "a list container with no entries".to_string()
                },
            ),
            ColumnKind::List => (
                "empty-list",
                format!(
                    "no items and {} Chinese characters of own text (< {})",
                    content.own_chars,
                    extract::SINGLE_PAGE_MIN_CHARS
                ),
            ),
        }
    };
    out.kind = kind.to_string();
    out.kind_why = why;
    out.title = parsed.title.clone();
    // A list page's own-text date is only its newest item: show the page's
    // labelled date there, the single-page date elsewhere.
    if matches!(kind, "column-list" | "homepage") {
        out.date = parsed.date;
        out.date_from = parsed.date.map(|d| match content.date_from {
            Some(f) if content.date == Some(d) => f,
            _ => DateFrom::Label,
        });
    } else {
        out.date = content.date.or(parsed.date);
        out.date_from = content.date_from;
    }
    out.placeholder = parsed.placeholder;
    out.pagination = parsed.next_pages.iter().map(|r| r.key()).collect();
    out.lists = parsed
        .lists
        .iter()
        .map(|b| InspectList {
            heading: b.heading.clone(),
            more: b.more.as_ref().map(crate::urlnorm::normalize),
            style: b.style.clone(),
            items: b
                .items
                .iter()
                .map(|i| InspectItem {
                    title: i.title.clone(),
                    url: i.url.clone(),
                    date: i.date,
                    date_from: i.date.map(|_| {
                        match i.date_source {
                            DateSource::List => "list",
                            DateSource::Page => "page",
                        }
                        .to_string()
                    }),
                })
                .collect(),
        })
        .collect();
    out.nav_columns = parsed
        .nav
        .iter()
        .map(|n| InspectColumn {
            name: n.name.clone(),
            url: crate::urlnorm::normalize(&n.url),
            class: classifier.classify(&n.name),
            level: (kind == "homepage").then_some(1),
        })
        .collect();
    for l in &parsed.links {
        let il = InspectLink {
            text: l.text.clone(),
            url: l.url.clone(),
            tag: l.tag.clone(),
            section: l.section.clone(),
        };
        match l.area {
            LinkArea::Nav => out.links.nav.push(il),
            LinkArea::Body => out.links.body.push(il),
            LinkArea::Footer => out.links.footer.push(il),
        }
    }
    out.text_chars = parsed.text.chars().count();
    out.own_text = own_text(&content);

    let Some(scfg) = site_cfg else {
        return Ok(out);
    };
    let as_of = req
        .as_of
        .unwrap_or_else(|| chrono::Local::now().date_naive());
    let page_kind = match kind {
        "homepage" => PageKind::Home,
        "article" => PageKind::Article,
        "other" => PageKind::Other,
        _ => PageKind::List,
    };
    let site = one_page_site(
        &scfg,
        &url,
        &fetched,
        &parsed,
        &decoded.charset,
        page_kind,
        (kind != "homepage" && kind != "article").then(|| column.clone()),
    );
    let judge = crate::audit::Judge::new(
        profile.unwrap_or_else(|| {
            crate::score::Profile::builtin(crate::score::DEFAULT_PROFILE)
                .expect("default profile is built in")
        }),
        as_of,
    );
    let (_, findings) = judge.judge(&site);
    out.as_of = Some(as_of);
    out.column = site.columns.first().map(|c| InspectColumnModel {
        name: c.name.clone(),
        class: c.class,
        kind: c.kind,
        items: c.items.len(),
        latest: c.latest(),
        channel: c.channel.clone(),
        body_chars: c.body_chars,
    });
    out.findings = Some(findings);
    Ok(out)
}

fn own_text(c: &PageContent) -> OwnText {
    OwnText {
        chars: c.own_chars,
        excerpt: c.excerpt.clone(),
        empty_list: c.empty_list,
        form: c.form,
        entrance: c.entrance.clone(),
    }
}

/// The name a page gives itself: the text of a navigation or breadcrumb
/// link pointing at it.
fn self_link_name(links: &[PageLink], here: &str) -> Option<String> {
    links
        .iter()
        .filter(|l| l.tag == "a" && l.url == here && l.area == LinkArea::Nav)
        .map(|l| l.text.trim().to_string())
        .find(|t| (2..=16).contains(&t.chars().count()))
}

/// The site model of one page: the homepage, or one column, or one article.
fn one_page_site(
    cfg: &SiteConfig,
    url: &Url,
    fetched: &crate::crawl::OnePage,
    parsed: &extract::ParsedPage,
    charset: &str,
    kind: PageKind,
    column: Option<Column>,
) -> Site {
    let page_url = crate::urlnorm::normalize(url);
    let home = kind == PageKind::Home;
    let home_items: Vec<_> = parsed
        .lists
        .iter()
        .flat_map(|b| b.items.iter().cloned())
        .collect();
    Site {
        id: cfg.id.clone(),
        name: cfg.name.clone(),
        url: cfg.url.clone(),
        owner: cfg.owner.clone(),
        typo_allow: cfg.typo_allow.clone(),
        start: StartOutcome {
            ok: true,
            status: fetched.status,
            error: None,
            attempts: fetched.attempts,
            final_url: fetched.final_url.as_ref().map(crate::urlnorm::normalize),
            blocked: false,
            certificate: None,
        },
        homepage: home.then_some(Homepage {
            hub_only: home_items.is_empty(),
            items: home_items,
        }),
        columns: column.into_iter().collect(),
        pages: vec![Page {
            url: page_url.clone(),
            status: fetched.status.unwrap_or(0),
            kind,
            column: (kind == PageKind::List).then(|| page_url.clone()),
            title: parsed.title.clone(),
            date: parsed.date,
            text: parsed.text.clone(),
            charset: charset.to_string(),
            depth: u32::from(!home),
            links: parsed.links.clone(),
            facts: parsed.facts.clone(),
            messages: parsed.messages.clone(),
            body: None,
        }],
        ..Default::default()
    }
}
