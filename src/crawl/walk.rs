//! One site's crawl, in phases: start page → columns (navigation, homepage
//! blocks, SITES.toml) and their paginated lists → item pages (articles) →
//! breadth-first discovery of the other in-scope pages; then
//! [`super::finish`] checks the links. Fetches run concurrently (the
//! politeness gates do the limiting); results are folded into the [`Site`]
//! in discovery order so the same portal gives the same snapshot.

use std::collections::{HashMap, HashSet};
use std::sync::atomic::AtomicUsize;
use std::sync::Arc;

use futures::StreamExt;
use url::Url;

use super::columns::below;
use super::fetch::Fetched;
use super::finish::finish;
use super::frontier::{is_attachment, may_be_page, Scope, Traps};
use super::links::{LinkResult, LinkTable};
use super::page_fetch::{fetch_page, resident_estimate, PageOutcome, PageTask};
use super::pagination::{take_budget, FirstList};
use super::progress::SiteProgress;
use super::visited::Visited;
use super::Shared;
use crate::config::SiteConfig;
use crate::extract::{self, ListBlock, NavEntry, NextRequest};
use crate::site::{
    Column, CrawlError, Homepage, Item, LinkCheck, Page, PageKind, PageLink, Site, StartOutcome,
};
use crate::urlnorm;

/// The parts of a parsed page the crawl still needs after the [`Page`] is stored.
pub(super) struct PageRest {
    pub(super) nav: Vec<NavEntry>,
    pub(super) lists: Vec<ListBlock>,
    pub(super) next_pages: Vec<NextRequest>,
    pub(super) placeholder: bool,
    pub(super) content: extract::PageContent,
}

/// The per-site state while its crawl runs.
pub(super) struct SiteRun {
    pub(super) shared: Arc<Shared>,
    pub(super) progress: Arc<SiteProgress>,
    pub(super) cfg: SiteConfig,
    pub(super) scope: Scope,
    pub(super) site: Site,
    pub(super) budget: Arc<AtomicUsize>,
    /// Which URLs were met, in which role (see its invariants).
    pub(super) visited: Visited,
    /// The link targets found on the site's pages.
    pub(super) links: LinkTable,
    pub(super) traps: Traps,
    /// In-scope page links found and not walked yet, in discovery order,
    /// with their depth: each as its page gave it (a parsed `Url` is four
    /// times the size), parsed again when walked.
    pub(super) frontier: Vec<(Box<str>, u32)>,
    /// Columns found but not crawled yet.
    pub(super) pending: Vec<Column>,
    /// Own text of columns' first pages (site-wide template-text check).
    pub(super) first_pages: HashMap<String, extract::PageContent>,
    /// Lists of ordinary pages already read, in case one turns out to be a
    /// column's first page (so it is not fetched twice).
    pub(super) read_lists: Arc<std::sync::Mutex<HashMap<String, Box<FirstList>>>>,
    /// Requests this site's fetches and checks made.
    pub(super) requests: u64,
    /// Where stored pages go (the caller's [`super::PageSink`]).
    pub(super) page_sink: Option<Box<dyn super::SitePages>>,
}

impl SiteRun {
    pub(super) fn concurrency(&self) -> usize {
        let s = &self.shared.settings;
        (s.per_host_concurrency * 2).clamp(2, s.concurrency.max(2))
    }

    pub(super) fn register_links(&mut self, page: &str, links: &[PageLink], on_homepage: bool) {
        for l in links {
            // Links come normalised from extract: a known one needs no parse
            // (navigation links repeat on every page).
            if self.links.note(&l.url, page, l, on_homepage) {
                continue;
            }
            let Ok(u) = Url::parse(&l.url) else { continue };
            let key = urlnorm::normalize(&u);
            if !self.links.note(&key, page, l, on_homepage) {
                self.links.add(
                    LinkCheck {
                        url: key.clone(),
                        anchor: l.text.clone(),
                        on_homepage,
                        internal: self.scope.contains(&u),
                        attachment: is_attachment(&u),
                        ..Default::default()
                    },
                    page,
                );
            }
            let follow = matches!(l.tag.as_str(), "a" | "iframe" | "");
            // Each URL enters the frontier once: navigation links repeat on
            // every page and would otherwise fill it with copies.
            if follow && self.scope.contains(&u) && may_be_page(&u) && self.visited.enqueue(&key) {
                self.frontier.push((l.url.as_str().into(), 0));
            }
        }
    }

    /// Fold one page outcome into the site. Returns the parsed rest when
    /// the page was HTML.
    pub(super) fn add_page(&mut self, out: PageOutcome) -> Option<PageRest> {
        let url = urlnorm::normalize(&out.task.url);
        if out.robots_blocked {
            self.site.stats.robots_blocked += 1;
            let robots = self.shared.cache.intern(LinkResult::robots());
            self.visited.record_fetch(&url, robots);
            return None;
        }
        self.requests += u64::from(out.fetched.attempts);
        self.site.stats.bytes += out.bytes;
        // A page that could not be fetched, or whose body the extractor
        // failed on (a bug, never the site's fault): a crawl error of the
        // page's kind, so the rules treat it as unread — never as empty.
        let failure = out.failure();
        if out.post {
            match failure {
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
        let result = self
            .shared
            .cache
            .record(&url, LinkResult::from_fetch(&out.task.url, &out.fetched));
        // Where a redirect ended is fetched too: links to it need no request.
        if let Some(f) = out.fetched.final_url.as_ref().map(urlnorm::normalize) {
            if f != url {
                let there = self.shared.cache.intern(result.at_final_url());
                self.visited.record_redirect_target(&f, there);
            }
        }
        self.visited.record_fetch(&url, result);
        if let Some(err) = failure {
            let what = match out.task.kind {
                _ if out.fetched.blocked => "blocked",
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
        let claimed_markup = out
            .fetched
            .content_type
            .as_deref()
            .is_some_and(|ct| ct.to_ascii_lowercase().contains("html"));
        if out.fetched.markup == Some(false) && claimed_markup {
            self.site.crawl_errors.push(CrawlError {
                url: url.clone(),
                what: "content".into(),
                error: "binary data served as text/html: not read as a page".into(),
                status: out.fetched.status,
            });
        }
        let parsed = out.parsed?;
        if !self.visited.store_page(&url) {
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
        if parsed.cut_deep {
            self.site.crawl_errors.push(CrawlError {
                url: url.clone(),
                what: "depth".into(),
                error: format!(
                    "HTML nested deeper than {} elements: read up to there",
                    crate::extract::MAX_PARSE_DEPTH
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
        let mut page = Page {
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
            facts: parsed.facts,
            messages: parsed.messages,
            body: None,
        };
        if let Some(sink) = &mut self.page_sink {
            sink.page(&mut page);
        }
        self.site.pages.push(page);
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
    pub(super) fn add_walked_page(&mut self, out: PageOutcome) {
        let key = urlnorm::normalize(&out.task.url);
        let level = self.level_below(&out.task);
        if let Some(rest) = self.add_page(out) {
            self.consider_columns(&rest.nav, &[], level);
            if !rest.lists.is_empty()
                || !rest.next_pages.is_empty()
                || rest.placeholder
                || rest.content.worth_keeping()
            {
                let first =
                    FirstList::of(rest.lists, rest.next_pages, rest.placeholder, rest.content)
                        .into();
                self.read_lists
                    .lock()
                    .expect("lists lock")
                    .insert(key, first);
            }
        }
    }

    /// Fetch a batch of pages concurrently; outcomes come back in task order.
    pub(super) async fn fetch_batch(&mut self, tasks: Vec<PageTask>) -> Vec<PageOutcome> {
        let mut outcomes = Vec::with_capacity(tasks.len());
        self.fetch_each(tasks, |_, out| outcomes.push(out)).await;
        outcomes
    }

    /// Fetch pages concurrently and hand each outcome to `fold` in task
    /// order as soon as it and those before it are in. Only the pages in
    /// flight are held parsed: a column of 20,000 articles is folded into
    /// the site (its text and links off to the page sink) as it comes, not
    /// kept parsed until the last one arrives.
    pub(super) async fn fetch_each(
        &mut self,
        tasks: Vec<PageTask>,
        mut fold: impl FnMut(&mut SiteRun, PageOutcome) + Send,
    ) {
        self.progress.queued(tasks.len() as u64);
        let n = self.concurrency();
        let shared = self.shared.clone();
        let progress = self.progress.clone();
        let spilled = shared.pages.is_some();
        let mut outcomes = futures::stream::iter(tasks)
            .map(|t| {
                let shared = shared.clone();
                let progress = progress.clone();
                async move {
                    // Memory short: the sites started last wait here.
                    shared.memory.turn(progress.rank()).await;
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
                            parse_error: None,
                        });
                    progress.hold(resident_estimate(&out, spilled));
                    progress.done(!out.fetched.ok() && !out.robots_blocked);
                    out
                }
            })
            .buffered(n);
        while let Some(out) = outcomes.next().await {
            fold(self, out);
        }
    }

    /// Schedule a page: dedup, page cap. Returns false when not scheduled.
    pub(super) fn schedule(&mut self, url: &Url) -> bool {
        let key = urlnorm::normalize(url);
        if self.visited.is_settled(&key) {
            return false;
        }
        if !take_budget(&self.budget) {
            self.visited.drop_url(key, "page limit");
            self.site.stats.trap_dropped += 1;
            return false;
        }
        self.visited.claim(&key)
    }

    /// One level of the breadth-first walk over the frontier. Returns false
    /// when there was nothing left to fetch.
    pub(super) async fn walk_level(&mut self, cursor: &mut usize) -> bool {
        let max_depth = self.shared.settings.max_depth;
        let mut tasks = Vec::new();
        let end = self.frontier.len();
        while *cursor < end {
            let (link, depth) = &self.frontier[*cursor];
            let (u, depth) = (Url::parse(link).expect("parsed when found"), *depth);
            *cursor += 1;
            let key = urlnorm::normalize(&u);
            if self.visited.is_settled(&key) {
                continue;
            }
            if depth > max_depth {
                self.visited.drop_url(key, "crawl trap: depth");
                self.site.stats.trap_dropped += 1;
                continue;
            }
            if let Err(why) = self.traps.admit(&u) {
                self.visited.drop_url(key, why);
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
        // Entries walked are done with: the frontier keeps what is to walk.
        self.frontier.drain(..end);
        *cursor = 0;
        if tasks.is_empty() {
            return !self.frontier.is_empty();
        }
        self.fetch_each(tasks, SiteRun::add_walked_page).await;
        true
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
    let page_sink = shared.pages.as_ref().map(|s| s.site(&cfg.id));
    let mut run = SiteRun {
        shared: shared.clone(),
        progress,
        scope: Scope::new(&start, &cfg.extra_hosts),
        cfg,
        site,
        budget: Arc::new(AtomicUsize::new(settings.max_pages_per_site)),
        visited: Visited::default(),
        links: LinkTable::default(),
        traps: Traps::new(settings.max_query_variants, settings.max_calendar_pages),
        frontier: Vec::new(),
        pending: Vec::new(),
        first_pages: HashMap::new(),
        read_lists: Arc::default(),
        requests: 0,
        page_sink,
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
        blocked: home.fetched.blocked,
        certificate: home.fetched.certificate.clone(),
    };
    if let Some(f) = home.fetched.final_url.as_ref().filter(|f| *f != &start) {
        run.scope.add_redirected_start(f);
    }
    let Some(home_rest) = run.add_page(home) else {
        return finish(run).await;
    };
    // A link back to the homepage is never a column, whatever its anchor says.
    run.visited.claim_column(&run.site.url);
    if let Some(f) = &run.site.start.final_url {
        run.visited.claim_column(f);
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

fn dedup_items(items: impl Iterator<Item = Item>) -> Vec<Item> {
    let mut seen = HashSet::new();
    items
        .filter(|it| seen.insert((it.url.clone(), it.title.clone())))
        .collect()
}
