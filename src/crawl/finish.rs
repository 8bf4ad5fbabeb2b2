//! The end of a site's crawl: check every link target not already fetched
//! (each distinct URL once per run), settle item dates and page kinds, fill
//! in the stats, put the site in canonical order.

use std::collections::HashMap;
use std::sync::Arc;

use futures::StreamExt;
use url::Url;

use super::links::LinkResult;
use super::walk::SiteRun;
use crate::site::{DateSource, PageKind, Site};

/// Check every link target not already fetched, settle item dates and page
/// kinds, fill in the stats and hand the site back.
pub(super) async fn finish(mut run: SiteRun) -> Site {
    // The walk is over: no column is found any more, so the lists of pages
    // read (kept in case one was a column's first page) and the columns'
    // first-page texts (read by the template-text check) go.
    std::mem::take(&mut *run.read_lists.lock().expect("lists lock"));
    run.first_pages = HashMap::new();
    let shared = run.shared.clone();
    // What each target's facts come from: the site's own fetch of it, why
    // it was given up, or a check (each distinct URL once per run).
    let mut answers: Vec<Option<Answer>> = Vec::new();
    let mut to_check = Vec::new();
    for (i, (url, internal)) in run.links.targets().enumerate() {
        answers.push(if let Some(r) = run.visited.fetched(url) {
            Some(Answer::Found(r.clone()))
        } else if let Some(why) = run.visited.dropped(url) {
            Some(Answer::Skipped(why.clone()))
        } else if !internal && !shared.settings.check_external {
            Some(Answer::Skipped("external links not checked".into()))
        } else {
            if let Ok(u) = Url::parse(url) {
                to_check.push((i, u));
            }
            None
        });
    }
    run.progress.queued(to_check.len() as u64);
    let progress = run.progress.clone();
    let n = shared.settings.concurrency.max(1);
    let mut checked = futures::stream::iter(to_check)
        .map(|(i, u)| {
            let shared = shared.clone();
            let progress = progress.clone();
            async move {
                let (r, ran) =
                    tokio::spawn(async move { shared.cache.check(&shared.fetcher, &u).await })
                        .await
                        .unwrap_or_else(|e| {
                            let r = LinkResult {
                                error: Some(format!("internal: {e}")),
                                ..Default::default()
                            };
                            (Arc::new(r), false)
                        });
                progress.done(r.failed());
                (i, r, ran)
            }
        })
        .buffer_unordered(n);
    while let Some((i, r, ran)) = checked.next().await {
        if ran {
            run.requests += u64::from(r.attempts);
        }
        if r.skipped.as_deref() == Some("robots.txt") {
            run.site.stats.robots_blocked += 1;
        }
        answers[i] = Some(Answer::Found(r));
    }
    run.links.settle(|i, lc| match answers[i].take() {
        Some(Answer::Found(r)) => r.apply(lc),
        Some(Answer::Skipped(why)) => lc.skipped = Some(why),
        None => {}
    });
    super::attachments::scan(&mut run).await;
    let mut site = run.site;
    settle_items(&mut site);
    let links = run.links.into_vec();
    let stats = &mut site.stats;
    stats.pages = site.pages.len() as u32;
    stats.links_checked = links.iter().filter(|l| l.skipped.is_none()).count() as u32;
    stats.requests = run.requests.min(u64::from(u32::MAX)) as u32;
    stats.errors = site.crawl_errors.len() as u32;
    site.links = links;
    site.canonical_order();
    if let Some(sink) = run.page_sink.take() {
        sink.close(&mut site);
    }
    site
}

/// Where a link target's facts come from.
enum Answer {
    /// What requesting it found.
    Found(Arc<LinkResult>),
    /// Why it was not requested.
    Skipped(String),
}

/// Items without a list date take their page's date; pages that are a
/// column's items become its articles.
fn settle_items(site: &mut Site) {
    let Site {
        pages,
        columns,
        homepage,
        ..
    } = site;
    // Pages by URL, borrowed (a site waiting here holds all its pages: no
    // second copy of their URLs); the pages that become articles are
    // relabelled once the items are done reading them.
    let index: HashMap<&str, usize> = pages
        .iter()
        .enumerate()
        .map(|(i, p)| (p.url.as_str(), i))
        .collect();
    let page_of = |it: &crate::site::Item| it.url.as_deref().and_then(|u| index.get(u)).copied();
    let mut articles = Vec::new();
    for (ci, c) in columns.iter_mut().enumerate() {
        for it in &mut c.items {
            let Some(pi) = page_of(it) else {
                continue;
            };
            articles.push((pi, ci));
            if it.date.is_none() {
                if let Some(d) = pages[pi].date {
                    it.date = Some(d);
                    it.date_source = DateSource::Page;
                }
            }
        }
    }
    if let Some(h) = homepage {
        for it in h.items.iter_mut().filter(|i| i.date.is_none()) {
            if let Some(d) = page_of(it).and_then(|pi| pages[pi].date) {
                it.date = Some(d);
                it.date_source = DateSource::Page;
            }
        }
    }
    drop(index);
    // The first column listing a page makes it its article.
    for (pi, ci) in articles {
        let page = &mut pages[pi];
        if page.kind == PageKind::Other {
            page.kind = PageKind::Article;
            page.column = Some(columns[ci].url.clone());
        }
    }
}
