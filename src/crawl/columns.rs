//! Columns (栏目) of a site: found in any page's navigation or a homepage
//! block's "more" link (kept when their name classifies or SITES.toml
//! names them), or configured; then each column's list crawled in its own
//! task ([`super::pagination`]) and its items' pages fetched.

use std::sync::Arc;

use futures::StreamExt;
use url::Url;

use super::frontier::may_be_page;
use super::page_fetch::PageTask;
use super::pagination::{crawl_column, ColumnRun, FirstList, ReadBefore};
use super::walk::SiteRun;
use crate::extract::{ListBlock, NavEntry};
use crate::site::{ClassSource, Column, ColumnClass, CrawlError, LinkArea, PageKind, PageLink};
use crate::urlnorm;

impl SiteRun {
    /// Columns among navigation entries and list blocks with a "more" link
    /// (kept when their name classifies or SITES.toml names them), queued
    /// for crawling unless already known.
    /// `level`: the navigation level of columns found here (1 on the homepage).
    pub(super) fn consider_columns(&mut self, nav: &[NavEntry], lists: &[ListBlock], level: u32) {
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
            if self.visited.is_column(&key) {
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
                self.visited.claim_column(&key);
                self.pending
                    .push(new_column(key, name, class, source, level));
            }
        }
    }

    /// Configured columns not found in any navigation.
    pub(super) fn add_configured_columns(&mut self) {
        for o in self.cfg.columns.clone() {
            if !self.visited.claim_column(&o.url) {
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
    pub(super) async fn crawl_columns(&mut self, extra_items: Vec<Url>) {
        let columns = std::mem::take(&mut self.pending);
        let mut jobs = Vec::new();
        for c in columns {
            // A column whose first page was already read as an ordinary
            // page is not fetched again.
            let pre = if self.visited.is_claimed(&c.url) {
                if let Some(p) = self.site.pages.iter_mut().find(|p| p.url == c.url) {
                    p.kind = PageKind::List;
                    p.column = Some(c.url.clone());
                    self.site.stats.list_pages += 1;
                }
                let stored = self.read_lists.lock().expect("lists lock").remove(&c.url);
                Some(stored.map_or_else(
                    || FirstList {
                        error: self.visited.fetched(&c.url).and_then(|r| {
                            r.load_failure(
                                &Url::parse(&c.url).expect("column URLs are parsed URLs"),
                            )
                        }),
                        ..Default::default()
                    },
                    |kept| *kept,
                ))
            } else {
                self.visited.claim(&c.url);
                None
            };
            jobs.push((c, pre));
        }
        let n = self.concurrency().div_ceil(2).max(1);
        let shared = self.shared.clone();
        let budget = self.budget.clone();
        let progress = self.progress.clone();
        let read = Arc::new(ReadBefore {
            seen: self.visited.claimed_now(),
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
                    self.visited.claim(&urlnorm::normalize(&out.task.url));
                }
                if let Some(rest) = self.add_page(out) {
                    self.consider_columns(&rest.nav, &[], below(cr.column.level));
                }
            }
            for (url, title, page) in &cr.item_links {
                // The list page's own links may already hold this item.
                if self.links.links_from(url, page) {
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
        self.fetch_each(tasks, SiteRun::add_walked_page).await;
    }
}

/// The level of columns found on the pages of a column of `level` (0 stays unknown).
pub(super) fn below(level: u32) -> u32 {
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
