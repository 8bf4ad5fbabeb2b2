//! A column's list and its pagination: the first list page (unless the
//! walk already read it), then 下一页 / TRS `index_N.html` GETs and JCMS
//! dataproxy POSTs, up to `max_list_pages`, gathering the column's items.

use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use url::Url;

use super::page_fetch::{fetch_page, PageOutcome, PageTask};
use super::progress::SiteProgress;
use super::Shared;
use crate::extract::{self, ListBlock, NextRequest};
use crate::site::{Column, Item, PageKind};
use crate::urlnorm;

/// A column's first list page, already fetched and parsed (found as an
/// ordinary page before its column was known): what a column's crawl reads
/// of it and no more, as a site keeps one for every page with a list (an
/// article with a date is its own single-page list) until its walk ends.
#[derive(Default)]
pub(super) struct FirstList {
    /// The style of its main list ([`main_list`], the only one a column
    /// reads); empty when it has none.
    pub(super) style: String,
    /// The main list's items.
    pub(super) items: Vec<Item>,
    pub(super) next_pages: Vec<NextRequest>,
    pub(super) placeholder: bool,
    /// Its own text, forms and entrances (single page or channel?).
    pub(super) content: extract::PageContent,
    /// Why the page could not be read, when it could not.
    pub(super) error: Option<String>,
}

/// Pages the site has already read when a column's crawl starts: a list
/// page among them is taken from here, not fetched again.
pub(super) struct ReadBefore {
    pub(super) seen: HashSet<String>,
    pub(super) lists: Arc<std::sync::Mutex<HashMap<String, Box<FirstList>>>>,
}

/// A column's list crawl, done in its own task.
pub(super) struct ColumnRun {
    pub(super) column: Column,
    pub(super) outcomes: Vec<PageOutcome>,
    /// Pages read before as ordinary pages that turned out to be this
    /// column's list pages.
    pub(super) relabel: Vec<String>,
    /// (item url, item title, list page url) for link records.
    pub(super) item_links: Vec<(String, String, String)>,
    /// The first page's own text (for the site-wide template-text check).
    pub(super) first_content: extract::PageContent,
}

impl FirstList {
    /// What a column's crawl needs of a list page read: its main list,
    /// further pages, placeholder and own content (without the excerpt,
    /// which only `govaudit inspect` shows).
    pub(super) fn of(
        mut lists: Vec<ListBlock>,
        mut next_pages: Vec<NextRequest>,
        placeholder: bool,
        mut content: extract::PageContent,
    ) -> FirstList {
        let (mut style, mut items) = main_index(&lists)
            .map(|i| {
                let b = lists.swap_remove(i);
                (b.style, b.items)
            })
            .unwrap_or_default();
        style.shrink_to_fit();
        items.shrink_to_fit();
        next_pages.shrink_to_fit();
        content.excerpt = String::new();
        content.segments.shrink_to_fit();
        FirstList {
            style,
            items,
            next_pages,
            placeholder,
            content,
            error: None,
        }
    }
}

/// The block of a list page that is its list: the one with the most items.
fn main_list(lists: &[ListBlock]) -> Option<&ListBlock> {
    main_index(lists).map(|i| &lists[i])
}

/// Where [`main_list`] is.
fn main_index(lists: &[ListBlock]) -> Option<usize> {
    lists
        .iter()
        .enumerate()
        .max_by_key(|(i, b)| (b.items.len(), usize::MAX - i))
        .map(|(i, _)| i)
}

/// Crawl a column's list: its first page (unless already read) and its
/// pagination (GET or JCMS dataproxy POST), up to `max_list_pages`.
pub(super) async fn crawl_column(
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
            shared.memory.turn(progress.rank()).await;
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
                Some(p) => FirstList::of(
                    main_list(&p.lists).into_iter().cloned().collect(),
                    p.next_pages.clone(),
                    p.placeholder,
                    p.content.clone(),
                ),
                None => FirstList {
                    error: Some(if out.robots_blocked {
                        "robots.txt disallow".into()
                    } else {
                        out.failure().unwrap_or_else(|| "not an HTML page".into())
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
    // A page without a list adds no items, and its style is empty.
    let mut add_items = |style: &str, items: &[Item], page: &str, column: &mut Column| {
        if column.style.is_empty() {
            column.style = style.to_string();
        }
        for it in items {
            let key = format!("{}\u{1}{}", it.url.as_deref().unwrap_or(""), it.title);
            if seen_items.insert(key) {
                if let Some(u) = &it.url {
                    item_links.push((u.clone(), it.title.clone(), page.to_string()));
                }
                column.items.push(it.clone());
            }
        }
    };
    let first_page = column.url.clone();
    add_items(&first.style, &first.items, &first_page, &mut column);
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
                    add_items(&fl.style, &fl.items, &key, &mut column);
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
        shared.memory.turn(progress.rank()).await;
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
            if let Some(b) = main_list(&p.lists) {
                add_items(&b.style, &b.items, &page, &mut column);
            }
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
    // The site holds its columns until its crawl ends.
    column.items.shrink_to_fit();
    ColumnRun {
        first_content: first.content,
        ..done(column, outcomes, item_links, relabel)
    }
}

pub(super) fn take_budget(budget: &AtomicUsize) -> bool {
    budget
        .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |n| n.checked_sub(1))
        .is_ok()
}
