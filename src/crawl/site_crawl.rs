//! One site's crawl, in phases: start page → columns (navigation, homepage
//! blocks, SITES.toml) and their paginated lists → item pages (articles) →
//! breadth-first discovery of the other in-scope pages → link checks of
//! every target found. Fetches run concurrently (the politeness gates do the
//! limiting); results are folded into the [`Site`] in discovery order so the
//! same portal gives the same snapshot.

use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use chrono::NaiveDate;
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

impl LinkResult {
    fn from_fetch(f: &Fetched) -> Self {
        if f.robots_blocked {
            return LinkResult {
                skipped: Some("robots.txt".into()),
                ..Default::default()
            };
        }
        LinkResult {
            status: f.status,
            error: f.error.clone(),
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
                LinkResult::from_fetch(&fetcher.check(url).await)
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
        };
    }
    let method = match &form {
        Some(f) => Method::Post(f.clone()),
        None => Method::Get,
    };
    let mut fetched = fetcher
        .fetch(&task.url, &method, shared.settings.max_body_bytes)
        .await;
    let body = std::mem::take(&mut fetched.body);
    let mut parsed = None;
    let mut charset = String::new();
    if fetched.ok() && looks_like_markup(fetched.content_type.as_deref(), &body) {
        let decoded = extract::decode(&body, fetched.content_type.as_deref());
        drop(body);
        let base = fetched
            .final_url
            .clone()
            .unwrap_or_else(|| task.url.clone());
        let html = decoded.text;
        charset = decoded.charset;
        // Parsing is CPU work: keep it off the I/O threads' hot path.
        let is_fragment = form.is_some();
        let p = tokio::task::spawn_blocking(move || {
            if is_fragment {
                extract::parse_list_fragment(&base, &html)
            } else {
                extract::parse_page(&base, &html)
            }
        })
        .await
        .unwrap_or_default();
        parsed = Some(p);
    }
    let robots_blocked = fetched.robots_blocked;
    PageOutcome {
        task,
        fetched,
        parsed,
        charset,
        robots_blocked,
        post: form.is_some(),
    }
}

/// The parts of a parsed page the crawl still needs after the [`Page`] is stored.
struct PageRest {
    date: Option<NaiveDate>,
    nav: Vec<NavEntry>,
    lists: Vec<ListBlock>,
}

/// A column's list crawl, done in its own task.
struct ColumnRun {
    column: Column,
    outcomes: Vec<PageOutcome>,
    /// (item url, item title, list page url) for link records.
    item_links: Vec<(String, String, String)>,
}

/// The block of a list page that is its list: the one with the most items.
fn main_list(lists: &[ListBlock]) -> Option<&ListBlock> {
    lists
        .iter()
        .enumerate()
        .max_by_key(|(i, b)| (b.items.len(), usize::MAX - i))
        .map(|(_, b)| b)
}

async fn crawl_column(
    shared: Arc<Shared>,
    mut column: Column,
    budget: Arc<AtomicUsize>,
    progress: Arc<SiteProgress>,
) -> ColumnRun {
    let mut outcomes = Vec::new();
    let mut item_links = Vec::new();
    let Ok(first_url) = Url::parse(&column.url) else {
        column.load_error = Some("bad URL".into());
        return ColumnRun {
            column,
            outcomes,
            item_links,
        };
    };
    if !take_budget(&budget) {
        column.truncated = true;
        column.load_error = Some("page limit reached before the column was loaded".into());
        return ColumnRun {
            column,
            outcomes,
            item_links,
        };
    }
    progress.queued(1);
    let first = fetch_page(
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
    progress.done(!first.fetched.ok());
    column.list_pages = 1;
    let Some(parsed) = &first.parsed else {
        column.load_error = Some(if first.robots_blocked {
            "robots.txt disallow".into()
        } else {
            first
                .fetched
                .failure()
                .unwrap_or_else(|| "not an HTML page".into())
        });
        outcomes.push(first);
        return ColumnRun {
            column,
            outcomes,
            item_links,
        };
    };
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
    add_items(main_list(&parsed.lists), &first_page, &mut column);
    let placeholder_first = parsed.placeholder;
    let mut queue: std::collections::VecDeque<NextRequest> =
        parsed.next_pages.iter().cloned().collect();
    let mut seen_req: HashSet<String> = HashSet::new();
    seen_req.insert(NextRequest::Get(first_url.clone()).key());
    outcomes.push(first);
    while let Some(next) = queue.pop_front() {
        if !seen_req.insert(next.key()) {
            continue;
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
            form.clone(),
        )
        .await;
        progress.done(!out.fetched.ok());
        column.list_pages += 1;
        if let Some(p) = &out.parsed {
            let page = out.task.url.to_string();
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
    column.placeholder = placeholder_first && column.items.is_empty();
    ColumnRun {
        column,
        outcomes,
        item_links,
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
    scope: Scope,
    site: Site,
    budget: Arc<AtomicUsize>,
    /// URLs fetched (or scheduled) as pages.
    seen_pages: HashSet<String>,
    /// Outcomes of page fetches, as link results.
    results: HashMap<String, LinkResult>,
    links: Vec<LinkCheck>,
    link_index: HashMap<String, usize>,
    traps: Traps,
    /// In-scope URLs not fetched, with the reason.
    dropped: HashMap<String, String>,
    /// In-scope page links found, in discovery order, with their depth.
    frontier: Vec<(Url, u32)>,
    requests: u64,
}

impl SiteRun {
    fn concurrency(&self) -> usize {
        let s = &self.shared.settings;
        (s.per_host_concurrency * 2).clamp(2, s.concurrency.max(2))
    }

    fn register_links(&mut self, page: &str, links: &[PageLink], on_homepage: bool) {
        for l in links {
            let Ok(u) = Url::parse(&l.url) else { continue };
            let key = urlnorm::normalize(&u);
            match self.link_index.get(&key) {
                Some(&i) => {
                    let lc = &mut self.links[i];
                    if !lc.referrers.iter().any(|r| r == page) {
                        lc.referrers.push(page.to_string());
                    }
                    if lc.anchor.is_empty() && !l.text.is_empty() {
                        lc.anchor = l.text.clone();
                    }
                    lc.on_homepage |= on_homepage;
                }
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
            if follow && self.scope.contains(&u) && may_be_page(&u) {
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
        let result = LinkResult::from_fetch(&out.fetched);
        self.shared.cache.record(&url, &result);
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
        });
        Some(PageRest {
            date: parsed.date,
            nav: parsed.nav,
            lists: parsed.lists,
        })
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
}

/// Crawl one site.
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
        site,
        budget: Arc::new(AtomicUsize::new(settings.max_pages_per_site)),
        seen_pages: HashSet::new(),
        results: HashMap::new(),
        links: Vec::new(),
        link_index: HashMap::new(),
        traps: Traps::new(settings.max_query_variants, settings.max_calendar_pages),
        dropped: HashMap::new(),
        frontier: Vec::new(),
        requests: 0,
    };

    // Phase 0: the start page.
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
            url: format!("{}robots.txt", start.origin().ascii_serialization() + "/"),
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
    let Some(home_rest) = run.add_page(home) else {
        return finish(run).await;
    };
    run.site.homepage = Some(Homepage {
        items: dedup_items(home_rest.lists.iter().flat_map(|b| b.items.iter().cloned())),
        hub_only: home_rest.lists.iter().all(|b| b.items.is_empty()),
    });

    // Phase 1: columns.
    let columns = find_columns(&run, &cfg, &home_rest);
    let n = run.concurrency();
    let runs: Vec<ColumnRun> = futures::stream::iter(columns)
        .map(|c| {
            let shared = shared.clone();
            let budget = run.budget.clone();
            let progress = run.progress.clone();
            async move {
                let url = c.url.clone();
                tokio::spawn(crawl_column(shared, c.clone(), budget, progress))
                    .await
                    .unwrap_or_else(|e| ColumnRun {
                        column: Column {
                            load_error: Some(format!("internal: {e}")),
                            url,
                            ..c
                        },
                        outcomes: Vec::new(),
                        item_links: Vec::new(),
                    })
            }
        })
        .buffered(n.div_ceil(2).max(1))
        .collect()
        .await;
    for cr in runs {
        for out in cr.outcomes {
            let key = urlnorm::normalize(&out.task.url);
            if out.post || run.seen_pages.insert(key) {
                run.add_page(out);
            }
        }
        for (url, title, page) in &cr.item_links {
            let link = PageLink {
                url: url.clone(),
                text: title.clone(),
                area: LinkArea::Body,
                section: None,
                tag: "a".into(),
            };
            run.register_links(page, std::slice::from_ref(&link), false);
        }
        if let Some(err) = &cr.column.load_error {
            if !run.site.crawl_errors.iter().any(|e| e.url == cr.column.url) {
                run.site.crawl_errors.push(CrawlError {
                    url: cr.column.url.clone(),
                    what: "list".into(),
                    error: err.clone(),
                    status: None,
                });
            }
        }
        run.site.columns.push(cr.column);
    }

    // Phase 2: item pages (articles), column items first, then homepage items.
    let mut tasks = Vec::new();
    let mut item_targets: Vec<(Url, Option<String>)> = Vec::new();
    for c in &run.site.columns {
        for it in &c.items {
            if let Some(u) = it.url.as_deref().and_then(|u| Url::parse(u).ok()) {
                item_targets.push((u, Some(c.url.clone())));
            }
        }
    }
    if let Some(h) = &run.site.homepage {
        for it in &h.items {
            if let Some(u) = it.url.as_deref().and_then(|u| Url::parse(u).ok()) {
                item_targets.push((u, None));
            }
        }
    }
    for (u, column) in item_targets {
        if run.scope.contains(&u) && may_be_page(&u) && run.schedule(&u) {
            let depth = if column.is_some() { 2 } else { 1 };
            tasks.push(PageTask {
                url: u,
                depth,
                kind: PageKind::Article,
                column,
            });
        }
    }
    let outcomes = run.fetch_batch(tasks).await;
    let mut page_dates: HashMap<String, NaiveDate> = HashMap::new();
    for out in outcomes {
        let key = urlnorm::normalize(&out.task.url);
        if let Some(rest) = run.add_page(out) {
            if let Some(d) = rest.date {
                page_dates.insert(key, d);
            }
        }
    }
    let fill = |items: &mut Vec<Item>| {
        for it in items.iter_mut().filter(|i| i.date.is_none()) {
            if let Some(d) = it.url.as_ref().and_then(|u| page_dates.get(u)) {
                it.date = Some(*d);
                it.date_source = DateSource::Page;
            }
        }
    };
    for c in &mut run.site.columns {
        fill(&mut c.items);
    }
    if let Some(h) = &mut run.site.homepage {
        fill(&mut h.items);
    }

    // Phase 3: breadth-first discovery of the remaining in-scope pages.
    let mut cursor = 0;
    loop {
        let mut tasks = Vec::new();
        while cursor < run.frontier.len() {
            let (u, depth) = run.frontier[cursor].clone();
            cursor += 1;
            let key = urlnorm::normalize(&u);
            if run.seen_pages.contains(&key) || run.dropped.contains_key(&key) {
                continue;
            }
            if depth > settings.max_depth {
                run.dropped.insert(key, "crawl trap: depth".into());
                run.site.stats.trap_dropped += 1;
                continue;
            }
            if let Err(why) = run.traps.admit(&u) {
                run.dropped.insert(key, why.into());
                run.site.stats.trap_dropped += 1;
                continue;
            }
            if run.schedule(&u) {
                tasks.push(PageTask {
                    url: u,
                    depth,
                    kind: PageKind::Other,
                    column: None,
                });
            }
        }
        if tasks.is_empty() {
            break;
        }
        for out in run.fetch_batch(tasks).await {
            run.add_page(out);
        }
    }
    finish(run).await
}

/// Phase 4: check every link target not already fetched, then fill in the
/// stats and hand the site back.
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
    let mut links = run.links;
    links.sort_by(|a, b| a.url.cmp(&b.url));
    let stats = &mut site.stats;
    stats.pages = site.pages.len() as u32;
    stats.links_checked = links.iter().filter(|l| l.skipped.is_none()).count() as u32;
    stats.broken_links = links.iter().filter(|l| l.broken).count() as u32;
    stats.requests = run.requests.min(u64::from(u32::MAX)) as u32;
    stats.errors = site.crawl_errors.len() as u32;
    site.links = links;
    site
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

/// Columns from the navigation and the homepage blocks (kept when their name
/// classifies), with SITES.toml overrides applied and configured columns
/// added when not found.
fn find_columns(run: &SiteRun, cfg: &SiteConfig, home: &PageRest) -> Vec<Column> {
    let classifier = &run.shared.classifier;
    let mut out: Vec<Column> = Vec::new();
    let mut candidates: Vec<(String, Url)> = home
        .nav
        .iter()
        .map(|n| (n.name.clone(), n.url.clone()))
        .collect();
    for b in &home.lists {
        if let (Some(h), Some(m)) = (&b.heading, &b.more) {
            candidates.push((h.clone(), m.clone()));
        }
    }
    let new_column = |url: String, name: String, class: ColumnClass, source: ClassSource| Column {
        url,
        name,
        class,
        class_source: source,
        items: Vec::new(),
        list_pages: 0,
        style: String::new(),
        placeholder: false,
        load_error: None,
        truncated: false,
    };
    for (name, u) in candidates {
        if !run.scope.contains(&u) || !may_be_page(&u) {
            continue;
        }
        let key = urlnorm::normalize(&u);
        if out.iter().any(|c| c.url == key) {
            continue;
        }
        let over = cfg.columns.iter().find(|c| c.url == key);
        let name = over.and_then(|o| o.name.clone()).unwrap_or(name);
        let class = match over.and_then(|o| o.class) {
            Some(c) => Some((c, ClassSource::Config)),
            None => classifier
                .classify(&name)
                .map(|c| (c, ClassSource::Keyword)),
        };
        if let Some((class, source)) = class {
            out.push(new_column(key, name, class, source));
        }
    }
    for o in &cfg.columns {
        if out.iter().any(|c| c.url == o.url) {
            continue;
        }
        let name = o.name.clone().unwrap_or_else(|| o.url.clone());
        let (class, source) = match o.class {
            Some(c) => (c, ClassSource::Config),
            None => (
                classifier.classify(&name).unwrap_or(ColumnClass::Other),
                ClassSource::Keyword,
            ),
        };
        out.push(new_column(o.url.clone(), name, class, source));
    }
    out
}
