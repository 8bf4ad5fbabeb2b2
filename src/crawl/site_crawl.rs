//! One site's crawl, in phases: start page → columns (navigation, homepage
//! blocks, SITES.toml) and their paginated lists → item pages (articles) →
//! breadth-first discovery of the other in-scope pages → link checks of
//! every target found. Fetches run concurrently (the politeness gates do the
//! limiting); results are folded into the [`Site`] in discovery order so the
//! same portal gives the same snapshot.

use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use futures::StreamExt;
use url::Url;

use super::fetch::{Fetched, Fetcher, Method};
use super::frontier::{is_attachment, may_be_page, Scope, Traps};
use super::progress::SiteProgress;
use crate::config::{CrawlSettings, SiteConfig};
use crate::extract::{self, ColumnClassifier, ListBlock, NavEntry, NextRequest, ParsedPage};
use crate::site::{
    ClassSource, Column, ColumnClass, CrawlError, DateSource, Homepage, Item, LinkArea, LinkCheck,
    Page, PageKind, PageLink, Site, StartOutcome,
};
use crate::urlnorm;

/// What a link check found (shared across sites through [`LinkCache`]).
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct LinkResult {
    pub status: Option<u16>,
    pub error: Option<String>,
    pub attempts: u32,
    pub skipped: Option<String>,
}

/// An error page a server redirects missing URLs to: `/404.html`,
/// `/404.aspx`, `/error.html`, `/notfound.jsp`, `/404/`, and ASP.NET's
/// `error.aspx?aspxerrorpath=/old.html`.
fn is_error_page(u: &Url) -> bool {
    if u.query()
        .is_some_and(|q| q.to_ascii_lowercase().contains("aspxerrorpath="))
    {
        return true;
    }
    let Some(segs) = u.path_segments() else {
        return false;
    };
    let segs: Vec<&str> = segs.filter(|s| !s.is_empty()).collect();
    if segs.contains(&"404") {
        return true;
    }
    let Some(last) = segs.last() else {
        return false;
    };
    let stem = last.split('.').next().unwrap_or("").to_ascii_lowercase();
    matches!(
        stem.as_str(),
        "404"
            | "404error"
            | "error404"
            | "error_404"
            | "error-404"
            | "404_error"
            | "404page"
            | "page404"
            | "err404"
            | "notfound"
            | "not_found"
            | "not-found"
            | "error"
            | "errorpage"
    )
}

impl LinkResult {
    /// The outcome of requesting `url`. A request redirected to an error
    /// page (IIS customErrors, TRS and many gov front ends answer a missing
    /// URL with 302 → /404.html, which answers 200) is a dead link.
    fn from_fetch(url: &Url, f: &Fetched) -> Self {
        if f.robots_blocked {
            return LinkResult {
                skipped: Some("robots.txt".into()),
                ..Default::default()
            };
        }
        let error = f.error.clone().or_else(|| {
            let last = f.final_url.as_ref().filter(|last| {
                f.ok() && urlnorm::normalize(last) != urlnorm::normalize(url) && !is_error_page(url)
            })?;
            is_error_page(last).then(|| format!("redirect to error page {}", last.path()))
        });
        LinkResult {
            status: f.status,
            error,
            attempts: f.attempts,
            skipped: None,
        }
    }

    fn broken(&self) -> bool {
        self.skipped.is_none() && (self.error.is_some() || self.status.map_or(true, |s| s >= 400))
    }
}

/// Each distinct URL is checked once per run: concurrent askers wait on the
/// same cell.
#[derive(Default)]
pub(crate) struct LinkCache {
    cells: std::sync::Mutex<HashMap<String, Arc<tokio::sync::OnceCell<LinkResult>>>>,
}

impl LinkCache {
    fn cell(&self, key: &str) -> Arc<tokio::sync::OnceCell<LinkResult>> {
        self.cells
            .lock()
            .expect("link cache lock")
            .entry(key.to_string())
            .or_default()
            .clone()
    }

    /// Record a page fetch's outcome so other sites linking it need no request.
    fn record(&self, key: &str, r: &LinkResult) {
        let _ = self.cell(key).set(r.clone());
    }

    /// The check result for `url` (requested at most once per run). The flag
    /// says whether this call made the requests.
    async fn check(&self, fetcher: &Fetcher, url: &Url) -> (LinkResult, bool) {
        let cell = self.cell(url.as_str());
        let mut ran = false;
        let r = cell
            .get_or_init(|| async {
                ran = true;
                if !fetcher.allowed(url).await {
                    return LinkResult {
                        skipped: Some("robots.txt".into()),
                        ..Default::default()
                    };
                }
                LinkResult::from_fetch(url, &fetcher.check(url).await)
            })
            .await
            .clone();
        (r, ran)
    }
}

/// Everything shared by the sites of one run.
pub(crate) struct Shared {
    pub fetcher: Fetcher,
    pub cache: LinkCache,
    pub classifier: ColumnClassifier,
    pub settings: CrawlSettings,
    /// Pages parsed at once: one per core. Without it every page in flight
    /// gets its own blocking thread (and malloc arena), which costs memory
    /// and buys no speed.
    pub parse_slots: Arc<tokio::sync::Semaphore>,
}

/// A page to fetch.
#[derive(Debug, Clone)]
struct PageTask {
    url: Url,
    depth: u32,
    kind: PageKind,
    column: Option<String>,
}

/// A fetched page, parsed when it was HTML. The body is already dropped.
struct PageOutcome {
    task: PageTask,
    fetched: Fetched,
    parsed: Option<ParsedPage>,
    charset: String,
    robots_blocked: bool,
    /// A JCMS dataproxy POST: not a page of its own.
    post: bool,
    /// Body bytes read.
    bytes: u64,
}

fn looks_like_markup(content_type: Option<&str>, body: &[u8]) -> bool {
    match content_type {
        Some(ct) => {
            let ct = ct.to_ascii_lowercase();
            ct.contains("html") || ct.contains("xml")
        }
        None => {
            let head = &body[..body.len().min(512)];
            String::from_utf8_lossy(head).trim_start().starts_with('<')
        }
    }
}

/// Soft redirects followed per page (meta refresh, location= scripts).
const MAX_SOFT_REDIRECTS: u32 = 3;

/// The target of a page whose only job is to send the browser elsewhere:
/// `<meta http-equiv="refresh" content="0;url=…">` or a small page running
/// `location.href = "…"` / `location.replace("…")`.
fn soft_redirect(base: &Url, html: &str) -> Option<Url> {
    static META: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
        regex::Regex::new(
            r#"(?is)<meta[^>]+http-equiv\s*=\s*["']?refresh["']?[^>]*content\s*=\s*["']?\s*(\d+)\s*[;,]\s*url\s*=\s*['"]?([^"'>\s]+)"#,
        )
        .expect("static regex")
    });
    static SCRIPT: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
        regex::Regex::new(
            r#"(?is)(?:window\.|document\.|top\.|self\.)?location(?:\.href)?\s*(?:=\s*|\.replace\(\s*|\.assign\(\s*)["']([^"']+)["']"#,
        )
        .expect("static regex")
    });
    if let Some(c) = META.captures(html) {
        // A refresh after a long wait is a page in its own right.
        if c[1].parse::<u32>().is_ok_and(|secs| secs <= 5) {
            return crate::urlnorm::resolve(base, &c[2]);
        }
    }
    // Only a near-empty page is a script redirect; a real page may well
    // set location.href in a click handler.
    if html.len() <= 4096 && visible_chars(html) <= 40 {
        if let Some(c) = SCRIPT.captures(html) {
            return crate::urlnorm::resolve(base, &c[1]);
        }
    }
    None
}

/// Characters a reader would see (outside tags, scripts and styles).
fn visible_chars(html: &str) -> usize {
    static HIDDEN: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
        regex::Regex::new(r"(?is)<script.*?</script>|<style.*?</style>|<[^>]*>")
            .expect("static regex")
    });
    HIDDEN
        .replace_all(html, "")
        .chars()
        .filter(|c| !c.is_whitespace())
        .count()
}

/// Parsing is CPU work: keep it off the I/O threads.
async fn parse_off_thread(shared: &Shared, base: Url, html: String, fragment: bool) -> ParsedPage {
    let _slot = shared.parse_slots.clone().acquire_owned().await;
    tokio::task::spawn_blocking(move || {
        if fragment {
            extract::parse_list_fragment(&base, &html)
        } else {
            extract::parse_page(&base, &html)
        }
    })
    .await
    .unwrap_or_default()
}

/// Fetch and parse one page (GET), or one list fragment (POST).
async fn fetch_page(
    shared: Arc<Shared>,
    task: PageTask,
    form: Option<Vec<(String, String)>>,
) -> PageOutcome {
    let fetcher = &shared.fetcher;
    if !fetcher.allowed(&task.url).await {
        return PageOutcome {
            task,
            fetched: Fetched::default(),
            parsed: None,
            charset: String::new(),
            robots_blocked: true,
            post: form.is_some(),
            bytes: 0,
        };
    }
    let method = match &form {
        Some(f) => Method::Post(f.clone()),
        None => Method::Get,
    };
    let mut fetched = fetcher
        .fetch(&task.url, &method, shared.settings.max_body_bytes)
        .await;
    let mut bytes = 0u64;
    let mut parsed = None;
    let mut charset = String::new();
    // A page that only sends the browser elsewhere (meta refresh, a
    // location= script) is followed like a redirect, a few hops at most.
    let mut hops = 0;
    while fetched.ok() && form.is_none() {
        let body = std::mem::take(&mut fetched.body);
        bytes += body.len() as u64;
        if !looks_like_markup(fetched.content_type.as_deref(), &body) {
            break;
        }
        let decoded = extract::decode(&body, fetched.content_type.as_deref());
        drop(body);
        let base = fetched
            .final_url
            .clone()
            .unwrap_or_else(|| task.url.clone());
        if hops < MAX_SOFT_REDIRECTS {
            if let Some(next) = soft_redirect(&base, &decoded.text) {
                if next != base && fetcher.allowed(&next).await {
                    hops += 1;
                    let attempts = fetched.attempts;
                    fetched = fetcher
                        .fetch(&next, &Method::Get, shared.settings.max_body_bytes)
                        .await;
                    fetched.attempts += attempts;
                    continue;
                }
            }
        }
        parsed = Some(parse_off_thread(&shared, base, decoded.text, false).await);
        charset = decoded.charset;
        break;
    }
    if form.is_some() && fetched.ok() {
        let body = std::mem::take(&mut fetched.body);
        bytes += body.len() as u64;
        let decoded = extract::decode(&body, fetched.content_type.as_deref());
        drop(body);
        let base = fetched
            .final_url
            .clone()
            .unwrap_or_else(|| task.url.clone());
        parsed = Some(parse_off_thread(&shared, base, decoded.text, true).await);
        charset = decoded.charset;
    }
    let robots_blocked = fetched.robots_blocked;
    PageOutcome {
        task,
        fetched,
        parsed,
        charset,
        robots_blocked,
        post: form.is_some(),
        bytes,
    }
}

/// The parts of a parsed page the crawl still needs after the [`Page`] is stored.
struct PageRest {
    nav: Vec<NavEntry>,
    lists: Vec<ListBlock>,
    next_pages: Vec<NextRequest>,
    placeholder: bool,
    content: extract::PageContent,
}

/// A column's first list page, already fetched and parsed (found as an
/// ordinary page before its column was known).
#[derive(Default)]
struct FirstList {
    lists: Vec<ListBlock>,
    next_pages: Vec<NextRequest>,
    placeholder: bool,
    /// Its own text, forms and entrances (single page or channel?).
    content: extract::PageContent,
    /// Why the page could not be read, when it could not.
    error: Option<String>,
}

/// Pages the site has already read when a column's crawl starts: a list
/// page among them is taken from here, not fetched again.
struct ReadBefore {
    seen: HashSet<String>,
    lists: Arc<std::sync::Mutex<HashMap<String, FirstList>>>,
}

/// A column's list crawl, done in its own task.
struct ColumnRun {
    column: Column,
    outcomes: Vec<PageOutcome>,
    /// Pages read before as ordinary pages that turned out to be this
    /// column's list pages.
    relabel: Vec<String>,
    /// (item url, item title, list page url) for link records.
    item_links: Vec<(String, String, String)>,
    /// The first page's own text (for the site-wide template-text check).
    first_content: extract::PageContent,
}

/// The block of a list page that is its list: the one with the most items.
fn main_list(lists: &[ListBlock]) -> Option<&ListBlock> {
    lists
        .iter()
        .enumerate()
        .max_by_key(|(i, b)| (b.items.len(), usize::MAX - i))
        .map(|(_, b)| b)
}

/// Crawl a column's list: its first page (unless already read) and its
/// pagination (GET or JCMS dataproxy POST), up to `max_list_pages`.
async fn crawl_column(
    shared: Arc<Shared>,
    mut column: Column,
    pre: Option<FirstList>,
    read: Arc<ReadBefore>,
    budget: Arc<AtomicUsize>,
    progress: Arc<SiteProgress>,
) -> ColumnRun {
    let mut outcomes = Vec::new();
    let mut item_links = Vec::new();
    let mut relabel = Vec::new();
    let done = |column: Column, outcomes, item_links, relabel| ColumnRun {
        column,
        outcomes,
        relabel,
        item_links,
        first_content: extract::PageContent::default(),
    };
    let Ok(first_url) = Url::parse(&column.url) else {
        column.load_error = Some("bad URL".into());
        return done(column, outcomes, item_links, Vec::new());
    };
    column.list_pages = 1;
    let first = match pre {
        Some(p) => p,
        None => {
            if !take_budget(&budget) {
                column.truncated = true;
                column.list_pages = 0;
                column.load_error = Some("page limit reached before the column was loaded".into());
                return done(column, outcomes, item_links, Vec::new());
            }
            progress.queued(1);
            let out = fetch_page(
                shared.clone(),
                PageTask {
                    url: first_url.clone(),
                    depth: 1,
                    kind: PageKind::List,
                    column: Some(column.url.clone()),
                },
                None,
            )
            .await;
            progress.done(!out.fetched.ok());
            let first = match &out.parsed {
                Some(p) => FirstList {
                    lists: p.lists.clone(),
                    next_pages: p.next_pages.clone(),
                    placeholder: p.placeholder,
                    content: p.content.clone(),
                    error: None,
                },
                None => FirstList {
                    error: Some(if out.robots_blocked {
                        "robots.txt disallow".into()
                    } else {
                        out.fetched
                            .failure()
                            .unwrap_or_else(|| "not an HTML page".into())
                    }),
                    ..Default::default()
                },
            };
            outcomes.push(out);
            first
        }
    };
    if let Some(err) = first.error {
        column.load_error = Some(err);
        return done(column, outcomes, item_links, Vec::new());
    }
    let mut seen_items: HashSet<String> = HashSet::new();
    let mut add_items = |list: Option<&ListBlock>, page: &str, column: &mut Column| {
        if let Some(b) = list {
            if column.style.is_empty() {
                column.style = b.style.clone();
            }
            for it in &b.items {
                let key = format!("{}\u{1}{}", it.url.as_deref().unwrap_or(""), it.title);
                if seen_items.insert(key) {
                    if let Some(u) = &it.url {
                        item_links.push((u.clone(), it.title.clone(), page.to_string()));
                    }
                    column.items.push(it.clone());
                }
            }
        }
    };
    let first_page = column.url.clone();
    add_items(main_list(&first.lists), &first_page, &mut column);
    let mut queue: std::collections::VecDeque<NextRequest> = first.next_pages.into();
    let mut seen_req: HashSet<String> = HashSet::new();
    seen_req.insert(NextRequest::Get(first_url.clone()).key());
    while let Some(next) = queue.pop_front() {
        if !seen_req.insert(next.key()) {
            continue;
        }
        if let NextRequest::Get(u) = &next {
            let key = urlnorm::normalize(u);
            if read.seen.contains(&key) {
                let stored = read.lists.lock().expect("lists lock").remove(&key);
                if let Some(fl) = stored {
                    column.list_pages += 1;
                    add_items(main_list(&fl.lists), &key, &mut column);
                    queue.extend(fl.next_pages);
                    relabel.push(key);
                }
                continue;
            }
        }
        if column.list_pages as usize >= shared.settings.max_list_pages || !take_budget(&budget) {
            column.truncated = true;
            break;
        }
        progress.queued(1);
        let (url, form) = match &next {
            NextRequest::Get(u) => (u.clone(), None),
            NextRequest::PostForm { url, form } => (url.clone(), Some(form.clone())),
        };
        let out = fetch_page(
            shared.clone(),
            PageTask {
                url,
                depth: 1,
                kind: PageKind::List,
                column: Some(column.url.clone()),
            },
            form,
        )
        .await;
        progress.done(!out.fetched.ok());
        column.list_pages += 1;
        if let Some(p) = &out.parsed {
            // A dataproxy answer is keyed by its form, not its URL.
            let page = if out.post {
                first_page.clone()
            } else {
                out.task.url.to_string()
            };
            add_items(main_list(&p.lists), &page, &mut column);
            queue.extend(p.next_pages.iter().cloned());
        }
        if out.post {
            // A POST fragment is not a page of its own: keep its outcome for
            // error accounting only, without its parse.
            outcomes.push(PageOutcome {
                parsed: None,
                ..out
            });
        } else {
            outcomes.push(out);
        }
    }
    column.placeholder = first.placeholder && column.items.is_empty();
    extract::judge_column(&mut column, &first.content, first.placeholder);
    ColumnRun {
        first_content: first.content,
        ..done(column, outcomes, item_links, relabel)
    }
}

fn take_budget(budget: &AtomicUsize) -> bool {
    budget
        .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |n| n.checked_sub(1))
        .is_ok()
}

/// The per-site state while its crawl runs.
struct SiteRun {
    shared: Arc<Shared>,
    progress: Arc<SiteProgress>,
    cfg: SiteConfig,
    scope: Scope,
    site: Site,
    budget: Arc<AtomicUsize>,
    /// URLs fetched (or scheduled) as pages, columns' first pages included.
    seen_pages: HashSet<String>,
    /// URLs stored in `site.pages`.
    paged: HashSet<String>,
    /// Outcomes of page fetches, as link results.
    results: HashMap<String, LinkResult>,
    links: Vec<LinkCheck>,
    link_index: HashMap<String, usize>,
    traps: Traps,
    /// In-scope URLs not fetched, with the reason.
    dropped: HashMap<String, String>,
    /// In-scope page links found, in discovery order, with their depth.
    frontier: Vec<(Url, u32)>,
    /// URLs ever put in the frontier.
    in_frontier: HashSet<String>,
    /// Column URLs known (crawled or pending).
    known_columns: HashSet<String>,
    /// Columns found but not crawled yet.
    pending: Vec<Column>,
    /// Own text of columns' first pages (site-wide template-text check).
    first_pages: HashMap<String, extract::PageContent>,
    /// Lists of ordinary pages already read, in case one turns out to be a
    /// column's first page (so it is not fetched twice).
    read_lists: Arc<std::sync::Mutex<HashMap<String, FirstList>>>,
    requests: u64,
}

impl SiteRun {
    fn concurrency(&self) -> usize {
        let s = &self.shared.settings;
        (s.per_host_concurrency * 2).clamp(2, s.concurrency.max(2))
    }

    fn register_links(&mut self, page: &str, links: &[PageLink], on_homepage: bool) {
        for l in links {
            // Links come normalised from extract: a known one needs no parse
            // (navigation links repeat on every page).
            if let Some(&i) = self.link_index.get(&l.url) {
                note_referrer(&mut self.links[i], page, l, on_homepage);
                continue;
            }
            let Ok(u) = Url::parse(&l.url) else { continue };
            let key = urlnorm::normalize(&u);
            match self.link_index.get(&key) {
                Some(&i) => note_referrer(&mut self.links[i], page, l, on_homepage),
                None => {
                    self.link_index.insert(key.clone(), self.links.len());
                    self.links.push(LinkCheck {
                        url: key.clone(),
                        referrers: vec![page.to_string()],
                        anchor: l.text.clone(),
                        on_homepage,
                        internal: self.scope.contains(&u),
                        attachment: is_attachment(&u),
                        ..Default::default()
                    });
                }
            }
            let follow = matches!(l.tag.as_str(), "a" | "iframe" | "");
            // Each URL enters the frontier once: navigation links repeat on
            // every page and would otherwise fill it with copies.
            if follow
                && self.scope.contains(&u)
                && may_be_page(&u)
                && !self.seen_pages.contains(&key)
                && self.in_frontier.insert(key)
            {
                self.frontier.push((u, 0));
            }
        }
    }

    /// Fold one page outcome into the site. Returns the parsed rest when
    /// the page was HTML.
    fn add_page(&mut self, out: PageOutcome) -> Option<PageRest> {
        let url = urlnorm::normalize(&out.task.url);
        if out.robots_blocked {
            self.site.stats.robots_blocked += 1;
            self.results.insert(
                url,
                LinkResult {
                    skipped: Some("robots.txt".into()),
                    ..Default::default()
                },
            );
            return None;
        }
        self.requests += u64::from(out.fetched.attempts);
        self.site.stats.bytes += out.bytes;
        if out.post {
            match out.fetched.failure() {
                Some(err) => self.site.crawl_errors.push(CrawlError {
                    url,
                    what: "list".into(),
                    error: err,
                    status: out.fetched.status,
                }),
                None => self.site.stats.list_pages += 1,
            }
            return None;
        }
        let result = LinkResult::from_fetch(&out.task.url, &out.fetched);
        self.shared.cache.record(&url, &result);
        // Where a redirect ended is fetched too: links to it need no request.
        if let Some(f) = out.fetched.final_url.as_ref().map(urlnorm::normalize) {
            if f != url {
                self.seen_pages.insert(f.clone());
                self.results.entry(f).or_insert_with(|| result.clone());
            }
        }
        self.results.insert(url.clone(), result);
        if let Some(err) = out.fetched.failure() {
            let what = match out.task.kind {
                PageKind::Home => "start",
                PageKind::List => "list",
                PageKind::Article => "article",
                PageKind::Other => "page",
            };
            self.site.crawl_errors.push(CrawlError {
                url: url.clone(),
                what: what.into(),
                error: err,
                status: out.fetched.status,
            });
            return None;
        }
        let parsed = out.parsed?;
        if !self.paged.insert(url.clone()) {
            return None;
        }
        if out.fetched.truncated {
            self.site.crawl_errors.push(CrawlError {
                url: url.clone(),
                what: "size".into(),
                error: format!(
                    "body cut at {} bytes (max_body_bytes)",
                    self.shared.settings.max_body_bytes
                ),
                status: out.fetched.status,
            });
        }
        let depth = out.task.depth;
        let frontier_start = self.frontier.len();
        self.register_links(&url, &parsed.links, out.task.kind == PageKind::Home);
        for f in &mut self.frontier[frontier_start..] {
            f.1 = depth + 1;
        }
        if out.task.kind == PageKind::List {
            self.site.stats.list_pages += 1;
        }
        self.site.pages.push(Page {
            url,
            status: out.fetched.status.unwrap_or(0),
            kind: out.task.kind,
            column: out.task.column,
            title: parsed.title,
            date: parsed.date,
            text: parsed.text,
            charset: out.charset,
            depth,
            links: parsed.links,
            messages: parsed.messages,
        });
        Some(PageRest {
            nav: parsed.nav,
            lists: parsed.lists,
            next_pages: parsed.next_pages,
            placeholder: parsed.placeholder,
            content: parsed.content,
        })
    }

    /// The level of columns found on a page: one below the column it belongs
    /// to, else one below its depth in the walk (the homepage's links are 1 deep).
    fn level_below(&self, task: &PageTask) -> u32 {
        match &task.column {
            Some(c) => below(
                self.site
                    .columns
                    .iter()
                    .find(|x| x.url == *c)
                    .map_or(0, |x| x.level),
            ),
            None => task.depth + 1,
        }
    }

    /// Fold a page of the breadth-first walk (or an article): remember its
    /// lists in case it is a column found later, and look for columns in
    /// its navigation.
    fn add_walked_page(&mut self, out: PageOutcome) {
        let key = urlnorm::normalize(&out.task.url);
        let level = self.level_below(&out.task);
        if let Some(rest) = self.add_page(out) {
            self.consider_columns(&rest.nav, &[], level);
            if !rest.lists.is_empty()
                || !rest.next_pages.is_empty()
                || rest.placeholder
                || rest.content.worth_keeping()
            {
                self.read_lists.lock().expect("lists lock").insert(
                    key,
                    FirstList {
                        lists: rest.lists,
                        next_pages: rest.next_pages,
                        placeholder: rest.placeholder,
                        content: rest.content,
                        error: None,
                    },
                );
            }
        }
    }

    /// Fetch a batch of pages concurrently; outcomes come back in task order.
    async fn fetch_batch(&mut self, tasks: Vec<PageTask>) -> Vec<PageOutcome> {
        self.progress.queued(tasks.len() as u64);
        let n = self.concurrency();
        let shared = self.shared.clone();
        let progress = self.progress.clone();
        futures::stream::iter(tasks)
            .map(|t| {
                let shared = shared.clone();
                let progress = progress.clone();
                async move {
                    let out = tokio::spawn(fetch_page(shared, t.clone(), None))
                        .await
                        .unwrap_or_else(|e| PageOutcome {
                            task: t,
                            fetched: Fetched {
                                error: Some(format!("internal: {e}")),
                                ..Default::default()
                            },
                            parsed: None,
                            charset: String::new(),
                            robots_blocked: false,
                            post: false,
                            bytes: 0,
                        });
                    progress.done(!out.fetched.ok() && !out.robots_blocked);
                    out
                }
            })
            .buffered(n)
            .collect()
            .await
    }

    /// Schedule a page: dedup, page cap. Returns false when not scheduled.
    fn schedule(&mut self, url: &Url) -> bool {
        let key = urlnorm::normalize(url);
        if self.seen_pages.contains(&key) || self.dropped.contains_key(&key) {
            return false;
        }
        if !take_budget(&self.budget) {
            self.dropped.insert(key, "page limit".into());
            self.site.stats.trap_dropped += 1;
            return false;
        }
        self.seen_pages.insert(key);
        true
    }

    /// Columns among navigation entries and list blocks with a "more" link
    /// (kept when their name classifies or SITES.toml names them), queued
    /// for crawling unless already known.
    /// `level`: the navigation level of columns found here (1 on the homepage).
    fn consider_columns(&mut self, nav: &[NavEntry], lists: &[ListBlock], level: u32) {
        let mut candidates: Vec<(&str, &Url)> =
            nav.iter().map(|n| (n.name.as_str(), &n.url)).collect();
        for b in lists {
            if let (Some(h), Some(m)) = (&b.heading, &b.more) {
                candidates.push((h.as_str(), m));
            }
        }
        for (name, u) in candidates {
            if !self.scope.contains(u) || !may_be_page(u) {
                continue;
            }
            let key = urlnorm::normalize(u);
            if self.known_columns.contains(&key) {
                continue;
            }
            let over = self.cfg.columns.iter().find(|c| c.url == key);
            let name = over
                .and_then(|o| o.name.clone())
                .unwrap_or_else(|| name.trim().to_string());
            let class = match over.and_then(|o| o.class) {
                Some(c) => Some((c, ClassSource::Config)),
                None => self
                    .shared
                    .classifier
                    .classify(&name)
                    .map(|c| (c, ClassSource::Keyword)),
            };
            if let Some((class, source)) = class {
                self.known_columns.insert(key.clone());
                self.pending
                    .push(new_column(key, name, class, source, level));
            }
        }
    }

    /// Configured columns not found in any navigation.
    fn add_configured_columns(&mut self) {
        for o in self.cfg.columns.clone() {
            if !self.known_columns.insert(o.url.clone()) {
                continue;
            }
            let name = o.name.clone().unwrap_or_else(|| o.url.clone());
            let (class, source) = match o.class {
                Some(c) => (c, ClassSource::Config),
                None => (
                    self.shared
                        .classifier
                        .classify(&name)
                        .unwrap_or(ColumnClass::Other),
                    ClassSource::Keyword,
                ),
            };
            // Named only in SITES.toml: its level is unknown (0).
            self.pending
                .push(new_column(o.url.clone(), name, class, source, 0));
        }
    }

    /// Crawl the pending columns' lists, then their items' pages (and
    /// `extra_items`, the homepage's), in scope.
    async fn crawl_columns(&mut self, extra_items: Vec<Url>) {
        let columns = std::mem::take(&mut self.pending);
        let mut jobs = Vec::new();
        for c in columns {
            // A column whose first page was already read as an ordinary
            // page is not fetched again.
            let pre = if self.seen_pages.contains(&c.url) {
                if let Some(p) = self.site.pages.iter_mut().find(|p| p.url == c.url) {
                    p.kind = PageKind::List;
                    p.column = Some(c.url.clone());
                    self.site.stats.list_pages += 1;
                }
                let stored = self.read_lists.lock().expect("lists lock").remove(&c.url);
                Some(stored.unwrap_or_else(|| FirstList {
                    error: self.results.get(&c.url).and_then(|r| {
                        r.skipped
                            .as_ref()
                            .map(|_| "robots.txt disallow".to_string())
                            .or_else(|| r.error.clone())
                            .or_else(|| {
                                r.status
                                    .filter(|s| !(200..300).contains(s))
                                    .map(|s| format!("HTTP {s}"))
                            })
                    }),
                    ..Default::default()
                }))
            } else {
                self.seen_pages.insert(c.url.clone());
                None
            };
            jobs.push((c, pre));
        }
        let n = self.concurrency().div_ceil(2).max(1);
        let shared = self.shared.clone();
        let budget = self.budget.clone();
        let progress = self.progress.clone();
        let read = Arc::new(ReadBefore {
            seen: self.seen_pages.clone(),
            lists: self.read_lists.clone(),
        });
        let runs: Vec<ColumnRun> = futures::stream::iter(jobs)
            .map(|(c, pre)| {
                let shared = shared.clone();
                let budget = budget.clone();
                let progress = progress.clone();
                let read = read.clone();
                async move {
                    let fallback = c.clone();
                    tokio::spawn(crawl_column(shared, c, pre, read, budget, progress))
                        .await
                        .unwrap_or_else(|e| ColumnRun {
                            column: Column {
                                load_error: Some(format!("internal: {e}")),
                                ..fallback
                            },
                            outcomes: Vec::new(),
                            relabel: Vec::new(),
                            item_links: Vec::new(),
                            first_content: Default::default(),
                        })
                }
            })
            .buffered(n)
            .collect()
            .await;
        let mut item_targets: Vec<(Url, Option<String>)> = Vec::new();
        for cr in runs {
            for url in &cr.relabel {
                if let Some(p) = self.site.pages.iter_mut().find(|p| p.url == *url) {
                    p.kind = PageKind::List;
                    p.column = Some(cr.column.url.clone());
                    self.site.stats.list_pages += 1;
                }
            }
            for out in cr.outcomes {
                if !out.post {
                    self.seen_pages.insert(urlnorm::normalize(&out.task.url));
                }
                if let Some(rest) = self.add_page(out) {
                    self.consider_columns(&rest.nav, &[], below(cr.column.level));
                }
            }
            for (url, title, page) in &cr.item_links {
                // The list page's own links may already hold this item.
                let known = self
                    .link_index
                    .get(url)
                    .is_some_and(|&i| self.links[i].referrers.iter().any(|r| r == page));
                if known {
                    continue;
                }
                let link = PageLink {
                    url: url.clone(),
                    text: title.clone(),
                    area: LinkArea::Body,
                    section: None,
                    tag: "a".into(),
                };
                let from = self.frontier.len();
                self.register_links(page, std::slice::from_ref(&link), false);
                for f in &mut self.frontier[from..] {
                    f.1 = 2;
                }
            }
            if let Some(err) = &cr.column.load_error {
                if !self
                    .site
                    .crawl_errors
                    .iter()
                    .any(|e| e.url == cr.column.url)
                {
                    self.site.crawl_errors.push(CrawlError {
                        url: cr.column.url.clone(),
                        what: "list".into(),
                        error: err.clone(),
                        status: None,
                    });
                }
            }
            for it in &cr.column.items {
                if let Some(u) = it.url.as_deref().and_then(|u| Url::parse(u).ok()) {
                    item_targets.push((u, Some(cr.column.url.clone())));
                }
            }
            if !cr.first_content.segments.is_empty() {
                self.first_pages
                    .insert(cr.column.url.clone(), cr.first_content);
            }
            self.site.columns.push(cr.column);
        }
        item_targets.extend(extra_items.into_iter().map(|u| (u, None)));
        let mut tasks = Vec::new();
        for (u, column) in item_targets {
            if self.scope.contains(&u) && may_be_page(&u) && self.schedule(&u) {
                let depth = if column.is_some() { 2 } else { 1 };
                tasks.push(PageTask {
                    url: u,
                    depth,
                    kind: PageKind::Article,
                    column,
                });
            }
        }
        for out in self.fetch_batch(tasks).await {
            self.add_walked_page(out);
        }
    }

    /// One level of the breadth-first walk over the frontier. Returns false
    /// when there was nothing left to fetch.
    async fn walk_level(&mut self, cursor: &mut usize) -> bool {
        let max_depth = self.shared.settings.max_depth;
        let mut tasks = Vec::new();
        let end = self.frontier.len();
        while *cursor < end {
            let (u, depth) = self.frontier[*cursor].clone();
            *cursor += 1;
            let key = urlnorm::normalize(&u);
            if self.seen_pages.contains(&key) || self.dropped.contains_key(&key) {
                continue;
            }
            if depth > max_depth {
                self.dropped.insert(key, "crawl trap: depth".into());
                self.site.stats.trap_dropped += 1;
                continue;
            }
            if let Err(why) = self.traps.admit(&u) {
                self.dropped.insert(key, why.into());
                self.site.stats.trap_dropped += 1;
                continue;
            }
            if self.schedule(&u) {
                tasks.push(PageTask {
                    url: u,
                    depth,
                    kind: PageKind::Other,
                    column: None,
                });
            }
        }
        if tasks.is_empty() {
            return *cursor < self.frontier.len();
        }
        for out in self.fetch_batch(tasks).await {
            self.add_walked_page(out);
        }
        true
    }
}

/// Add a page to a link's referrers (once) and fill its anchor text.
fn note_referrer(lc: &mut LinkCheck, page: &str, l: &PageLink, on_homepage: bool) {
    // A page registers its links in one go, so a repeat can only be the
    // last referrer (scanning them all would be quadratic for navigation
    // links on every page).
    if lc.referrers.last().map(String::as_str) != Some(page) {
        lc.referrers.push(page.to_string());
    }
    if lc.anchor.is_empty() && !l.text.is_empty() {
        lc.anchor = l.text.clone();
    }
    lc.on_homepage |= on_homepage;
}

/// The level of columns found on the pages of a column of `level` (0 stays unknown).
fn below(level: u32) -> u32 {
    if level == 0 {
        0
    } else {
        level + 1
    }
}

fn new_column(
    url: String,
    name: String,
    class: ColumnClass,
    source: ClassSource,
    level: u32,
) -> Column {
    Column {
        url,
        name,
        class,
        level,
        class_source: source,
        items: Vec::new(),
        list_pages: 0,
        style: String::new(),
        placeholder: false,
        load_error: None,
        truncated: false,
        kind: Default::default(),
        body_chars: 0,
        channel: None,
    }
}

/// Crawl one site: start page, columns and their items, then a
/// breadth-first walk of the rest (crawling columns found in any page's
/// navigation as they turn up), then link checks.
pub(crate) async fn crawl_site(
    shared: Arc<Shared>,
    cfg: SiteConfig,
    progress: Arc<SiteProgress>,
) -> Site {
    let settings = shared.settings.clone();
    let mut site = Site {
        id: cfg.id.clone(),
        name: cfg.name.clone(),
        url: cfg.url.clone(),
        owner: cfg.owner.clone(),
        typo_allow: cfg.typo_allow.clone(),
        without_services: !cfg.services,
        ..Default::default()
    };
    let Ok(start) = Url::parse(&cfg.url) else {
        site.start = StartOutcome {
            error: Some("bad URL".into()),
            ..Default::default()
        };
        return site;
    };
    let mut run = SiteRun {
        shared: shared.clone(),
        progress,
        scope: Scope::new(&start, &cfg.extra_hosts),
        cfg,
        site,
        budget: Arc::new(AtomicUsize::new(settings.max_pages_per_site)),
        seen_pages: HashSet::new(),
        paged: HashSet::new(),
        results: HashMap::new(),
        links: Vec::new(),
        link_index: HashMap::new(),
        traps: Traps::new(settings.max_query_variants, settings.max_calendar_pages),
        dropped: HashMap::new(),
        frontier: Vec::new(),
        in_frontier: HashSet::new(),
        known_columns: HashSet::new(),
        pending: Vec::new(),
        first_pages: HashMap::new(),
        read_lists: Arc::default(),
        requests: 0,
    };

    // The start page.
    run.schedule(&start);
    let home = run
        .fetch_batch(vec![PageTask {
            url: start.clone(),
            depth: 0,
            kind: PageKind::Home,
            column: None,
        }])
        .await
        .pop()
        .expect("one task, one outcome");
    if let Some(note) = shared.fetcher.robots(&start).await.note.clone() {
        run.site.crawl_errors.push(CrawlError {
            url: format!("{}/robots.txt", start.origin().ascii_serialization()),
            what: "robots".into(),
            error: note,
            status: None,
        });
    }
    run.site.start = StartOutcome {
        ok: home.fetched.ok() && !home.robots_blocked,
        status: home.fetched.status,
        error: if home.robots_blocked {
            Some("robots.txt disallow".into())
        } else {
            home.fetched.failure()
        },
        attempts: home.fetched.attempts,
        final_url: home.fetched.final_url.as_ref().map(urlnorm::normalize),
    };
    if let Some(f) = home.fetched.final_url.as_ref().filter(|f| *f != &start) {
        run.scope.add_redirected_start(f);
    }
    let Some(home_rest) = run.add_page(home) else {
        return finish(run).await;
    };
    // A link back to the homepage is never a column, whatever its anchor says.
    run.known_columns.insert(run.site.url.clone());
    if let Some(f) = run.site.start.final_url.clone() {
        run.known_columns.insert(f);
    }
    let home_items = dedup_items(home_rest.lists.iter().flat_map(|b| b.items.iter().cloned()));
    let home_targets: Vec<Url> = home_items
        .iter()
        .filter_map(|i| i.url.as_deref().and_then(|u| Url::parse(u).ok()))
        .collect();
    run.site.homepage = Some(Homepage {
        hub_only: home_items.is_empty(),
        items: home_items,
    });

    // Columns of the homepage (and SITES.toml), their lists and items; then
    // walk the rest level by level, crawling columns found on the way.
    run.consider_columns(&home_rest.nav, &home_rest.lists, 1);
    run.add_configured_columns();
    run.crawl_columns(home_targets).await;
    let mut cursor = 0;
    loop {
        if !run.pending.is_empty() {
            run.crawl_columns(Vec::new()).await;
            continue;
        }
        if !run.walk_level(&mut cursor).await {
            break;
        }
    }
    extract::settle_template_text(&mut run.site.columns, &run.first_pages);
    finish(run).await
}

/// Check every link target not already fetched, settle item dates and page
/// kinds, fill in the stats and hand the site back.
async fn finish(mut run: SiteRun) -> Site {
    let shared = run.shared.clone();
    let mut to_check = Vec::new();
    for (i, lc) in run.links.iter_mut().enumerate() {
        if let Some(r) = run.results.get(&lc.url) {
            apply(lc, r);
        } else if let Some(why) = run.dropped.get(&lc.url) {
            lc.skipped = Some(why.clone());
        } else if !lc.internal && !shared.settings.check_external {
            lc.skipped = Some("external links not checked".into());
        } else if let Ok(u) = Url::parse(&lc.url) {
            to_check.push((i, u));
        }
    }
    run.progress.queued(to_check.len() as u64);
    let progress = run.progress.clone();
    let n = shared.settings.concurrency.max(1);
    let checked: Vec<(usize, LinkResult, bool)> = futures::stream::iter(to_check)
        .map(|(i, u)| {
            let shared = shared.clone();
            let progress = progress.clone();
            async move {
                let (r, ran) =
                    tokio::spawn(async move { shared.cache.check(&shared.fetcher, &u).await })
                        .await
                        .unwrap_or_else(|e| {
                            (
                                LinkResult {
                                    error: Some(format!("internal: {e}")),
                                    ..Default::default()
                                },
                                false,
                            )
                        });
                progress.done(r.broken());
                (i, r, ran)
            }
        })
        .buffer_unordered(n)
        .collect()
        .await;
    for (i, r, ran) in checked {
        if ran {
            run.requests += u64::from(r.attempts);
        }
        if r.skipped.as_deref() == Some("robots.txt") {
            run.site.stats.robots_blocked += 1;
        }
        apply(&mut run.links[i], &r);
    }
    let mut site = run.site;
    settle_items(&mut site);
    let links = run.links;
    let stats = &mut site.stats;
    stats.pages = site.pages.len() as u32;
    stats.links_checked = links.iter().filter(|l| l.skipped.is_none()).count() as u32;
    stats.broken_links = links.iter().filter(|l| l.broken).count() as u32;
    stats.requests = run.requests.min(u64::from(u32::MAX)) as u32;
    stats.errors = site.crawl_errors.len() as u32;
    site.links = links;
    site.canonical_order();
    site
}

/// Items without a list date take their page's date; pages that are a
/// column's items become its articles.
fn settle_items(site: &mut Site) {
    let index: HashMap<String, usize> = site
        .pages
        .iter()
        .enumerate()
        .map(|(i, p)| (p.url.clone(), i))
        .collect();
    for c in &mut site.columns {
        for it in &mut c.items {
            let Some(&pi) = it.url.as_ref().and_then(|u| index.get(u)) else {
                continue;
            };
            let page = &mut site.pages[pi];
            if page.kind == PageKind::Other {
                page.kind = PageKind::Article;
                page.column = Some(c.url.clone());
            }
            if it.date.is_none() {
                if let Some(d) = page.date {
                    it.date = Some(d);
                    it.date_source = DateSource::Page;
                }
            }
        }
    }
    if let Some(h) = &mut site.homepage {
        for it in h.items.iter_mut().filter(|i| i.date.is_none()) {
            if let Some(d) = it
                .url
                .as_ref()
                .and_then(|u| index.get(u))
                .and_then(|&pi| site.pages[pi].date)
            {
                it.date = Some(d);
                it.date_source = DateSource::Page;
            }
        }
    }
}

fn apply(lc: &mut LinkCheck, r: &LinkResult) {
    lc.status = r.status;
    lc.error = r.error.clone();
    lc.attempts = r.attempts;
    lc.skipped = r.skipped.clone();
    lc.broken = r.broken();
}

fn dedup_items(items: impl Iterator<Item = Item>) -> Vec<Item> {
    let mut seen = HashSet::new();
    items
        .filter(|it| seen.insert((it.url.clone(), it.title.clone())))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn target(html: &str) -> Option<String> {
        let base = Url::parse("http://a.gov.cn/fgj/index.html").unwrap();
        soft_redirect(&base, html).map(|u| u.to_string())
    }

    #[test]
    fn error_pages_by_name() {
        let e = |s: &str| is_error_page(&Url::parse(s).unwrap());
        for s in [
            "http://a.gov.cn/404.html",
            "http://a.gov.cn/404.aspx",
            "http://a.gov.cn/error.aspx?aspxerrorpath=/zwdt/old.html",
            "http://a.gov.cn/common/notfound.jsp",
            "http://a.gov.cn/404/",
            "http://a.gov.cn/Error404.HTM",
        ] {
            assert!(e(s), "{s}");
        }
        for s in [
            "http://a.gov.cn/",
            "http://a.gov.cn/tzgg/index.html",
            "http://a.gov.cn/col/col404/index.html",
            "http://a.gov.cn/art/2026/4/4/art_404_1.html",
            "http://a.gov.cn/zwgk/errors-and-corrections.html",
            "http://a.gov.cn/tzgg/4040.html",
        ] {
            assert!(!e(s), "{s}");
        }
    }

    #[test]
    fn soft_redirects_that_fire() {
        assert_eq!(
            target(r#"<meta http-equiv="refresh" content="0; url=col/index.html">"#).as_deref(),
            Some("http://a.gov.cn/fgj/col/index.html")
        );
        assert_eq!(
            target(r#"<META HTTP-EQUIV="Refresh" CONTENT="1;URL='/new/'">"#).as_deref(),
            Some("http://a.gov.cn/new/")
        );
        assert_eq!(
            target(
                r#"<html><script>window.location.replace("http://b.gov.cn/x/");</script></html>"#
            )
            .as_deref(),
            Some("http://b.gov.cn/x/")
        );
    }

    #[test]
    fn look_alikes_stay_silent() {
        // A refresh after a long wait (auto-reloading news page).
        assert_eq!(
            target(r#"<meta http-equiv="refresh" content="300; url=index.html">"#),
            None
        );
        // A refresh without a URL reloads the page itself.
        assert_eq!(target(r#"<meta http-equiv="refresh" content="0">"#), None);
        // A page with real text whose script only navigates on click.
        let page = format!(
            "<html><body><p>{}</p><script>function go(){{location.href='x.html'}}</script></body></html>",
            "区发展和改革局召开专题会议，部署年度重点工作。".repeat(3)
        );
        assert_eq!(target(&page), None);
    }
}
