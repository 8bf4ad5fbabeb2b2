//! Which URLs one site's crawl has met, and in which role. Every key is a
//! normalised URL (`urlnorm::normalize`).
//!
//! The invariants, each kept by the one method that can break it:
//! - **a URL is fetched as a page at most once**: only a URL [`Visited::claim`]
//!   accepted is fetched, and it accepts each URL once (the start page, the
//!   walk, columns' list pages and articles alike; the target a redirect
//!   ended at is claimed too, as it has been read);
//! - **what a fetch found is kept for the URL** ([`Visited::record_fetch`]),
//!   which is then claimed: a link to it needs no request;
//! - **a page is stored once** in `site.pages` ([`Visited::store_page`]);
//! - **a URL enters the walk's frontier once**, and never once claimed
//!   ([`Visited::enqueue`]): navigation links repeat on every page;
//! - **a dropped URL is not walked again** ([`Visited::is_settled`]), and its
//!   reason (page limit, crawl trap) is what its link check reports unless
//!   it was fetched after all (as a column's list page);
//! - **a column is crawled once** ([`Visited::claim_column`]); the homepage
//!   is claimed as one up front, as a link back to it is never a column.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use super::links::LinkResult;

/// The visited sets of one site's crawl (see the module's invariants).
///
/// Claimed, stored and queued are flags on one entry per URL rather than
/// three sets, and what a fetch found sits in the same entry: each set held
/// its own copy of every page URL, for every site in flight. The answer is
/// the run's shared copy ([`super::links::LinkCache::intern`]), not a
/// copy per page.
#[derive(Default)]
pub(super) struct Visited {
    /// Per URL met as a page: its roles and what fetching it found.
    met: HashMap<Box<str>, Met>,
    /// In-scope URLs given up on, with the reason.
    dropped: HashMap<String, String>,
    /// Column URLs claimed (crawled or pending), the homepage included.
    columns: HashSet<String>,
}

/// What the crawl knows of one URL met as a page.
#[derive(Default)]
struct Met {
    /// Which of [`CLAIMED`], [`STORED`], [`QUEUED`].
    roles: u8,
    /// What fetching it found (it is then claimed).
    fetched: Option<Arc<LinkResult>>,
}

/// Claimed for fetching as a page: scheduled, fetched, or where a fetched
/// redirect ended.
const CLAIMED: u8 = 1;
/// Stored in `site.pages`.
const STORED: u8 = 2;
/// Ever put in the walk's frontier.
const QUEUED: u8 = 4;

impl Visited {
    fn has(&self, key: &str, role: u8) -> bool {
        self.met.get(key).is_some_and(|m| m.roles & role != 0)
    }

    /// The entry of `key`, made when new.
    fn entry(&mut self, key: &str) -> &mut Met {
        // Look up before inserting: most calls are for a URL met before,
        // and need no owned key.
        if !self.met.contains_key(key) {
            self.met.insert(key.into(), Met::default());
        }
        self.met.get_mut(key).expect("just inserted")
    }

    /// Set `role` on `key`; false when it was set already.
    fn set(&mut self, key: &str, role: u8) -> bool {
        let m = self.entry(key);
        let new = m.roles & role == 0;
        m.roles |= role;
        new
    }

    /// Claim `key` for fetching as a page. False when it already was.
    pub(super) fn claim(&mut self, key: &str) -> bool {
        self.set(key, CLAIMED)
    }

    /// Claimed for fetching as a page.
    pub(super) fn is_claimed(&self, key: &str) -> bool {
        self.has(key, CLAIMED)
    }

    /// Claimed or dropped: the walk has nothing more to do with it.
    pub(super) fn is_settled(&self, key: &str) -> bool {
        self.has(key, CLAIMED) || self.dropped.contains_key(key)
    }

    /// Give up on an in-scope URL, saying why.
    pub(super) fn drop_url(&mut self, key: String, why: impl Into<String>) {
        self.dropped.insert(key, why.into());
    }

    /// Why an in-scope URL was given up on.
    pub(super) fn dropped(&self, key: &str) -> Option<&String> {
        self.dropped.get(key)
    }

    /// Keep what fetching `key` found; a URL fetched is claimed (a list
    /// fragment POSTed, say, is never fetched again as a page).
    pub(super) fn record_fetch(&mut self, key: &str, result: Arc<LinkResult>) {
        let m = self.entry(key);
        m.roles |= CLAIMED;
        m.fetched = Some(result);
    }

    /// A fetch of another URL ended at `key` (a redirect): it is read, so
    /// it is claimed, and a link to it gets that answer.
    pub(super) fn record_redirect_target(&mut self, key: &str, result: Arc<LinkResult>) {
        let m = self.entry(key);
        m.roles |= CLAIMED;
        m.fetched.get_or_insert(result);
    }

    /// What fetching `key` as a page found.
    pub(super) fn fetched(&self, key: &str) -> Option<&Arc<LinkResult>> {
        self.met.get(key)?.fetched.as_ref()
    }

    /// Store the page once: false when it already is.
    pub(super) fn store_page(&mut self, key: &str) -> bool {
        debug_assert!(self.has(key, CLAIMED), "stored unclaimed {key}");
        self.set(key, STORED)
    }

    /// Put `key` in the walk's frontier: false when it was there before or
    /// is already claimed.
    pub(super) fn enqueue(&mut self, key: &str) -> bool {
        !self.has(key, CLAIMED) && self.set(key, QUEUED)
    }

    /// Claim `key` as a column: false when it is one already (or the homepage).
    pub(super) fn claim_column(&mut self, key: &str) -> bool {
        self.columns.insert(key.to_string())
    }

    /// Already a column (or the homepage).
    pub(super) fn is_column(&self, key: &str) -> bool {
        self.columns.contains(key)
    }

    /// The claimed URLs as of now, for column crawls running in their own
    /// tasks (a list page among them is taken from what was read).
    pub(super) fn claimed_now(&self) -> HashSet<String> {
        self.met
            .iter()
            .filter(|(_, m)| m.roles & CLAIMED != 0)
            .map(|(k, _)| k.to_string())
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_url_is_claimed_once_and_a_claimed_one_never_queued() {
        let mut v = Visited::default();
        assert!(v.enqueue("http://a/x.html"));
        assert!(!v.enqueue("http://a/x.html"), "queued twice");
        assert!(v.claim("http://a/x.html"));
        assert!(!v.claim("http://a/x.html"), "claimed twice");
        assert!(v.claim("http://a/y.html"));
        assert!(!v.enqueue("http://a/y.html"), "a claimed URL queued");
        assert!(v.store_page("http://a/y.html"));
        assert!(!v.store_page("http://a/y.html"), "stored twice");
    }

    #[test]
    fn dropped_and_redirect_targets_are_settled() {
        let mut v = Visited::default();
        v.drop_url("http://a/cal?d=1".into(), "crawl trap: calendar");
        assert!(v.is_settled("http://a/cal?d=1"));
        assert_eq!(
            v.dropped("http://a/cal?d=1").map(String::as_str),
            Some("crawl trap: calendar")
        );
        v.record_redirect_target("http://a/new/", Arc::default());
        assert!(v.is_settled("http://a/new/") && v.fetched("http://a/new/").is_some());
        assert!(!v.claim("http://a/new/"), "a redirect target fetched again");
        assert!(v.claim_column("http://a/"));
        assert!(v.is_column("http://a/") && !v.claim_column("http://a/"));
    }
}
