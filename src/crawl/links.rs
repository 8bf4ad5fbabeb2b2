//! Link targets: what requesting one found (facts, never a verdict), the
//! run-wide cache that requests each distinct URL once whichever sites link
//! it, and a site's table of the links its pages hold.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};

use url::Url;

use super::fetch::{self, Fetched, Fetcher};
use crate::extract;
use crate::site::{LinkCheck, PageLink};
use crate::urlnorm;

/// What requesting a link target found (shared across sites through
/// [`LinkCache`]): facts, copied into the site's [`LinkCheck`]s. Whether a
/// link is broken is the broken-link rule's to judge.
///
/// Held as `Arc<LinkResult>`, one copy per distinct answer
/// ([`LinkCache::intern`]): most pages of a run get the same one (2xx,
/// `text/html`, one attempt), and every page fetched keeps its answer
/// until the run ends.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub(crate) struct LinkResult {
    pub(super) status: Option<u16>,
    pub(super) head_status: Option<u16>,
    pub(super) error: Option<String>,
    /// Where the request ended, when elsewhere than the URL asked for.
    pub(super) final_url: Option<Url>,
    pub(super) redirects: u32,
    pub(super) content_type: Option<String>,
    pub(super) disposition: Option<String>,
    pub(super) markup: Option<bool>,
    pub(super) soft_404: bool,
    pub(super) blocked: bool,
    pub(super) attempts: u32,
    pub(super) skipped: Option<String>,
    /// The answer came only past an HTTPS certificate a browser refuses.
    pub(super) certificate: Option<String>,
}

impl LinkResult {
    /// The facts of requesting `url`.
    pub(super) fn from_fetch(url: &Url, f: &Fetched) -> Self {
        if f.robots_blocked {
            return LinkResult::robots();
        }
        let final_url = f
            .final_url
            .as_ref()
            .filter(|last| urlnorm::normalize(last) != urlnorm::normalize(url))
            .cloned();
        LinkResult {
            status: f.status,
            head_status: f.head_status,
            error: f.error.clone(),
            final_url,
            redirects: f.redirects,
            content_type: f.content_type.clone(),
            disposition: f.disposition.clone(),
            markup: f.markup,
            soft_404: f.soft_404,
            blocked: f.blocked,
            attempts: f.attempts,
            skipped: None,
            certificate: f.certificate.clone(),
        }
    }

    pub(super) fn robots() -> Self {
        LinkResult {
            skipped: Some("robots.txt".into()),
            ..Default::default()
        }
    }

    /// The same answer as seen from where it ended: a link to a redirect's
    /// target needs no request of its own.
    pub(super) fn at_final_url(&self) -> Self {
        LinkResult {
            final_url: None,
            redirects: 0,
            ..self.clone()
        }
    }

    /// No 2xx answer came (for progress counts; not the broken-link verdict).
    pub(super) fn failed(&self) -> bool {
        self.skipped.is_none()
            && (self.error.is_some() || !self.status.is_some_and(|s| (200..300).contains(&s)))
    }

    /// Why `url`, fetched as a page, could not be read as one: robots.txt,
    /// an error, a redirect to an error page, a status other than 2xx.
    pub(super) fn load_failure(&self, url: &Url) -> Option<String> {
        if self.skipped.is_some() {
            return Some("robots.txt disallow".into());
        }
        if let Some(f) = fetch::answer_failure(self.blocked, self.error.as_deref(), self.status) {
            return Some(f);
        }
        // A 2xx answer may still be a redirect to an error page.
        self.status?;
        self.final_url
            .as_ref()
            .and_then(|last| extract::redirect_to_error_page(url, last))
    }

    /// Copy the facts into a link of the site.
    pub(super) fn apply(&self, lc: &mut LinkCheck) {
        lc.status = self.status;
        lc.head_status = self.head_status;
        lc.error = self.error.clone();
        lc.final_url = self.final_url.as_ref().map(Url::to_string);
        lc.redirects = self.redirects;
        lc.content_type = self.content_type.clone();
        lc.content_disposition = self.disposition.clone();
        lc.markup = self.markup;
        lc.soft_404 = self.soft_404;
        lc.blocked = self.blocked;
        lc.attempts = self.attempts;
        lc.skipped = self.skipped.clone();
        lc.certificate = self.certificate.clone();
    }
}

/// Each distinct URL is checked once per run: concurrent askers wait on the
/// same cell.
///
/// The cache lives as long as the run and holds every page fetched and
/// every target checked, of every site, so its entries are small: the URL
/// and a shared answer ([`LinkCache::intern`]); the cell askers wait on
/// exists only while a check is under way.
#[derive(Default)]
pub(crate) struct LinkCache {
    cells: Mutex<HashMap<Box<str>, Entry>>,
    /// One copy of each distinct answer.
    answers: Mutex<HashSet<Arc<LinkResult>>>,
}

/// A URL of the run's link cache.
enum Entry {
    /// The answer is in.
    Known(Arc<LinkResult>),
    /// A check is (or was) asked: askers wait on the cell.
    Asked(Arc<tokio::sync::OnceCell<Arc<LinkResult>>>),
}

impl LinkCache {
    /// The one shared copy of answer `r`.
    pub(super) fn intern(&self, r: LinkResult) -> Arc<LinkResult> {
        let mut answers = self.answers.lock().expect("link answers lock");
        if let Some(a) = answers.get(&r) {
            return a.clone();
        }
        let a = Arc::new(r);
        answers.insert(a.clone());
        a
    }

    /// Record a page fetch's outcome so other sites linking it need no
    /// request (the first answer for a URL stays). Returns the shared copy.
    pub(super) fn record(&self, key: &str, r: LinkResult) -> Arc<LinkResult> {
        let r = self.intern(r);
        let mut cells = self.cells.lock().expect("link cache lock");
        match cells.get_mut(key) {
            None => {
                cells.insert(key.into(), Entry::Known(r.clone()));
            }
            Some(e) => {
                // A check asked keeps its own answer (set fails once it is in).
                if let Entry::Asked(cell) = e {
                    if cell.set(r.clone()).is_ok() {
                        *e = Entry::Known(r.clone());
                    }
                }
            }
        }
        r
    }

    /// The check result for `url` (requested at most once per run). The flag
    /// says whether this call made the requests.
    pub(super) async fn check(&self, fetcher: &Fetcher, url: &Url) -> (Arc<LinkResult>, bool) {
        let cell = {
            let mut cells = self.cells.lock().expect("link cache lock");
            match cells.get(url.as_str()) {
                Some(Entry::Known(r)) => return (r.clone(), false),
                Some(Entry::Asked(cell)) => cell.clone(),
                None => {
                    let cell = Arc::new(tokio::sync::OnceCell::new());
                    cells.insert(url.as_str().into(), Entry::Asked(cell.clone()));
                    cell
                }
            }
        };
        let mut ran = false;
        let r = cell
            .get_or_init(|| async {
                ran = true;
                let r = if fetcher.allowed(url).await {
                    LinkResult::from_fetch(url, &fetcher.check(url).await)
                } else {
                    LinkResult::robots()
                };
                self.intern(r)
            })
            .await
            .clone();
        if ran {
            // Later askers take the answer without a cell.
            if let Some(e) = self
                .cells
                .lock()
                .expect("link cache lock")
                .get_mut(url.as_str())
            {
                *e = Entry::Known(r.clone());
            }
        }
        (r, ran)
    }
}

/// The distinct link targets found on a site's pages, in discovery order,
/// each with the pages linking it.
///
/// While the crawl runs a target holds what its links said (URL, first
/// anchor, flags) and no more: its facts come when the site's crawl ends
/// ([`LinkTable::settle`] writes each out as a [`LinkCheck`]). Each URL is
/// held once, shared by the target, the index and the referring pages.
/// A target's referrers are kept as numbers into the site's table of
/// referring pages — one copy of each page's URL, not one per link it
/// holds (a navigation link is on every page: 240 copies of each page URL
/// on a 240-page site, 0.4 MB, was the largest share of a site's memory in
/// flight). They become [`LinkCheck::referrers`] when the site's crawl ends
/// ([`LinkTable::into_vec`]).
#[derive(Default)]
pub(super) struct LinkTable {
    targets: Vec<Target>,
    /// Referring pages of `targets[i]`, in the order found, as page numbers.
    refs: Vec<Vec<u32>>,
    /// Target number by URL.
    index: HashMap<Arc<str>, u32>,
    /// Referring pages, numbered in the order first seen.
    pages: Vec<Arc<str>>,
    page_ids: HashMap<Arc<str>, u32>,
    /// The targets with their facts, once [`LinkTable::settle`] ran.
    checks: Vec<LinkCheck>,
}

/// A link target while the crawl runs: what becomes its [`LinkCheck`].
struct Target {
    url: Arc<str>,
    anchor: Box<str>,
    on_homepage: bool,
    internal: bool,
    attachment: bool,
}

impl LinkTable {
    /// The one shared copy of `url`: a page's that links or a target's.
    fn shared_url(&self, url: &str) -> Arc<str> {
        match (
            self.page_ids.get_key_value(url),
            self.index.get_key_value(url),
        ) {
            (Some((u, _)), _) | (None, Some((u, _))) => u.clone(),
            (None, None) => Arc::from(url),
        }
    }

    /// The number of referring page `page` (given one the first time).
    fn page_id(&mut self, page: &str) -> u32 {
        if let Some(&id) = self.page_ids.get(page) {
            return id;
        }
        let id = self.pages.len() as u32;
        let url = self.shared_url(page);
        self.pages.push(url.clone());
        self.page_ids.insert(url, id);
        id
    }

    /// Add a page to link `i`'s referrers (once) and fill its anchor text.
    fn note_referrer(&mut self, i: usize, page: &str, l: &PageLink, on_homepage: bool) {
        let id = self.page_id(page);
        // A page registers its links in one go, so a repeat can only be the
        // last referrer (scanning them all would be quadratic for navigation
        // links on every page).
        let refs = &mut self.refs[i];
        if refs.last() != Some(&id) {
            refs.push(id);
        }
        let t = &mut self.targets[i];
        if t.anchor.is_empty() && !l.text.is_empty() {
            t.anchor = l.text.as_str().into();
        }
        t.on_homepage |= on_homepage;
    }

    /// Note that `page` links `key` through `l`. False when `key` is new.
    pub(super) fn note(&mut self, key: &str, page: &str, l: &PageLink, on_homepage: bool) -> bool {
        match self.index.get(key) {
            Some(&i) => {
                self.note_referrer(i as usize, page, l, on_homepage);
                true
            }
            None => false,
        }
    }

    /// Add a new target found on `page`: its `url` (the key), `anchor`
    /// and flags; its facts come at [`LinkTable::settle`].
    pub(super) fn add(&mut self, link: LinkCheck, page: &str) {
        debug_assert!(link.referrers.is_empty(), "referrers are noted by page");
        debug_assert!(!self.index.contains_key(link.url.as_str()), "added twice");
        let id = self.page_id(page);
        let url = self.shared_url(&link.url);
        self.index.insert(url.clone(), self.targets.len() as u32);
        self.targets.push(Target {
            url,
            anchor: link.anchor.into(),
            on_homepage: link.on_homepage,
            internal: link.internal,
            attachment: link.attachment,
        });
        self.refs.push(vec![id]);
    }

    /// True when `page` already links `key`.
    pub(super) fn links_from(&self, key: &str, page: &str) -> bool {
        let Some(&id) = self.page_ids.get(page) else {
            return false;
        };
        self.index
            .get(key)
            .is_some_and(|&i| self.refs[i as usize].contains(&id))
    }

    /// The first page found linking target `i`.
    pub(super) fn first_referrer(&self, i: usize) -> Option<&str> {
        self.refs[i].first().map(|&id| &*self.pages[id as usize])
    }

    /// Each target's URL and whether it is in the site's scope, in order.
    pub(super) fn targets(&self) -> impl Iterator<Item = (&str, bool)> {
        self.targets.iter().map(|t| (&*t.url, t.internal))
    }

    /// Write each target out as a [`LinkCheck`], its facts filled in by
    /// `facts(i, check)`.
    pub(super) fn settle(&mut self, mut facts: impl FnMut(usize, &mut LinkCheck)) {
        self.checks = std::mem::take(&mut self.targets)
            .into_iter()
            .enumerate()
            .map(|(i, t)| {
                let mut lc = LinkCheck {
                    url: t.url.to_string(),
                    anchor: t.anchor.into(),
                    on_homepage: t.on_homepage,
                    internal: t.internal,
                    attachment: t.attachment,
                    ..Default::default()
                };
                facts(i, &mut lc);
                lc
            })
            .collect();
        self.index = HashMap::new();
    }

    /// The targets with their facts ([`LinkTable::settle`]).
    pub(super) fn as_slice(&self) -> &[LinkCheck] {
        debug_assert!(self.targets.is_empty(), "read before settle");
        &self.checks
    }

    /// The targets with their facts and referrers written out.
    pub(super) fn into_vec(self) -> Vec<LinkCheck> {
        debug_assert!(self.targets.is_empty(), "written out before settle");
        let pages = self.pages;
        self.checks
            .into_iter()
            .zip(self.refs)
            .map(|(mut lc, refs)| {
                lc.referrers = refs.iter().map(|&id| pages[id as usize].clone()).collect();
                lc
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn url(s: &str) -> Url {
        Url::parse(s).unwrap()
    }

    fn answered(asked: &str, landed: &str, status: u16) -> LinkResult {
        LinkResult::from_fetch(
            &url(asked),
            &Fetched {
                final_url: Some(url(landed)),
                status: Some(status),
                attempts: 1,
                redirects: u32::from(asked != landed),
                ..Default::default()
            },
        )
    }

    #[test]
    fn facts_keep_where_a_request_ended_only_when_elsewhere() {
        let same = answered("http://a.gov.cn/x.html", "http://a.gov.cn/x.html#top", 200);
        assert_eq!(same.final_url, None);
        let moved = answered("http://a.gov.cn/x.html", "http://a.gov.cn/404.html", 200);
        assert_eq!(moved.final_url, Some(url("http://a.gov.cn/404.html")));
        // Seen from where it ended, the answer is the target's own.
        let there = moved.at_final_url();
        assert_eq!((there.final_url, there.redirects), (None, 0));
        let mut lc = LinkCheck::default();
        moved.apply(&mut lc);
        assert_eq!(lc.final_url.as_deref(), Some("http://a.gov.cn/404.html"));
        assert_eq!((lc.status, lc.redirects), (Some(200), 1));
    }

    #[test]
    fn a_page_sent_to_an_error_page_could_not_be_read() {
        // A column's first page that redirected to /404.html is a load
        // error (a crawl error), never an empty column.
        let asked = url("http://a.gov.cn/zcwj/index.html");
        let sent = answered(asked.as_str(), "http://a.gov.cn/404.html", 200);
        assert_eq!(
            sent.load_failure(&asked).as_deref(),
            Some("redirect to error page /404.html")
        );
        let moved = answered(asked.as_str(), "http://a.gov.cn/zcwj/", 200);
        assert_eq!(moved.load_failure(&asked), None);
        let gone = answered(asked.as_str(), asked.as_str(), 404);
        assert_eq!(gone.load_failure(&asked).as_deref(), Some("HTTP 404"));
        assert_eq!(
            LinkResult::robots().load_failure(&asked).as_deref(),
            Some("robots.txt disallow")
        );
        assert!(gone.failed() && !moved.failed() && !LinkResult::robots().failed());
    }

    #[test]
    fn the_cache_shares_each_answer_and_keeps_the_first_for_a_url() {
        let cache = LinkCache::default();
        let x = "http://a.gov.cn/x.html";
        let ok = answered(x, x, 200);
        let a = cache.record(x, ok.clone());
        let b = cache.record("http://a.gov.cn/y.html", ok.clone());
        assert!(Arc::ptr_eq(&a, &b), "one copy of the same answer");
        assert!(Arc::ptr_eq(&cache.intern(ok), &a));
        // A later fetch of the same URL does not replace the first answer.
        let gone = cache.record(x, answered(x, x, 404));
        assert_eq!(gone.status, Some(404));
        let cells = cache.cells.lock().unwrap();
        let Some(Entry::Known(kept)) = cells.get(x) else {
            panic!("no answer kept for {x}");
        };
        assert!(Arc::ptr_eq(kept, &a));
    }

    #[test]
    fn a_table_settles_its_targets_with_their_facts_and_referrers() {
        let link = |url: &str, text: &str| PageLink {
            url: url.into(),
            text: text.into(),
            ..Default::default()
        };
        let target = |url: &str, anchor: &str| LinkCheck {
            url: url.into(),
            anchor: anchor.into(),
            internal: true,
            ..Default::default()
        };
        let (home, news) = ("http://a.gov.cn/", "http://a.gov.cn/news.html");
        let mut t = LinkTable::default();
        t.add(target(news, ""), home);
        assert!(t.note(news, news, &link(news, "新闻"), false));
        assert!(!t.note("http://a.gov.cn/x.pdf", news, &link("", ""), false));
        t.add(target("http://a.gov.cn/x.pdf", "附件"), news);
        assert!(t.links_from(news, home) && !t.links_from("http://a.gov.cn/x.pdf", home));
        // A page that is also a target is one URL, not two copies.
        assert!(Arc::ptr_eq(&t.pages[1], &t.targets[0].url));
        let urls: Vec<_> = t.targets().collect();
        assert_eq!(urls, [(news, true), ("http://a.gov.cn/x.pdf", true)]);
        t.settle(|i, lc| lc.status = Some(200 + i as u16));
        assert_eq!(t.first_referrer(1), Some(news));
        assert_eq!(t.as_slice()[1].anchor, "附件");
        let links = t.into_vec();
        assert_eq!(links[0].anchor, "新闻", "the first anchor with text");
        fn refs(l: &LinkCheck) -> Vec<&str> {
            l.referrers.iter().map(|r| &**r).collect()
        }
        assert_eq!(refs(&links[0]), [home, news]);
        assert_eq!((links[0].status, links[1].status), (Some(200), Some(201)));
        assert_eq!(refs(&links[1]), [news]);
    }
}
