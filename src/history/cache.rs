//! The history database's side of the incremental crawl
//! ([`crate::crawl::cache`]): per-URL entries (validators, kind, the
//! writer's version, a payload) in table `url_cache`.
//!
//! Reads go to the database as it was when the run started (a read-only
//! connection; WAL lets it read while nothing is written). What the run
//! learns is staged in a scratch SQLite file outside the database, so
//! memory does not grow with the portal, and applied inside the run's one
//! transaction ([`UrlCache::apply`], called by `Db::record`): a run killed
//! before its commit leaves `url_cache` as it was.
//!
//! The same store keeps the text rules' per-page results (table
//! `text_cache`, the rules' [`TextCache`]): read during judging, staged
//! and committed with the run the same way.

use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;

use rusqlite::{params, Connection, OpenFlags, OptionalExtension};

use crate::crawl::{UrlStore, Validators};
use crate::rules::TextCache;

/// Per-URL entries of earlier runs, and this run's staged changes.
pub struct UrlCache {
    read: Mutex<Connection>,
    staged: Mutex<Staging>,
    /// Text-rule results found (report.json `crawl.text_cache_hits`).
    text_hits: AtomicU64,
}

struct Staging {
    conn: Connection,
    path: tempfile::TempPath,
    /// The first write that failed: the run's entries are then dropped
    /// (never half applied), and the run itself goes on.
    failed: Option<String>,
}

const OP_PUT: &str = "put";
const OP_TOUCH: &str = "touch";
const OP_FORGET: &str = "forget";

impl UrlCache {
    /// Open the entries of the (already migrated) database at `db`.
    pub fn open(db: &Path) -> crate::Result<UrlCache> {
        let err = |e: rusqlite::Error| crate::Error::io(db, format!("history database: {e}"));
        let read = Connection::open_with_flags(
            db,
            OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .map_err(err)?;
        read.busy_timeout(std::time::Duration::from_secs(30))
            .map_err(err)?;
        // Payloads are read through the page cache, not copied by read().
        let _: i64 = read
            .query_row("PRAGMA mmap_size = 1073741824", [], |r| r.get(0))
            .unwrap_or(0);
        let path = tempfile::Builder::new()
            .prefix("govaudit-urlcache-")
            .suffix(".sqlite")
            .tempfile()
            .map_err(|e| crate::Error::Other(format!("incremental crawl scratch file: {e}")))?
            .into_temp_path();
        let serr = |e: rusqlite::Error| crate::Error::io(&path, format!("scratch database: {e}"));
        let conn = Connection::open(&path).map_err(serr)?;
        conn.execute_batch(
            "PRAGMA journal_mode = OFF;
             PRAGMA synchronous = OFF;
             CREATE TABLE ops (
                 url TEXT NOT NULL, kind TEXT NOT NULL, op TEXT NOT NULL,
                 version TEXT, etag TEXT, last_modified TEXT, payload BLOB,
                 PRIMARY KEY (url, kind)
             );
             CREATE INDEX ops_by_op ON ops(op, url, kind);
             CREATE TABLE text_ops (
                 kind TEXT NOT NULL, key BLOB NOT NULL, op TEXT NOT NULL, value BLOB,
                 PRIMARY KEY (kind, key)
             );
             BEGIN;",
        )
        .map_err(serr)?;
        Ok(UrlCache {
            read: Mutex::new(read),
            staged: Mutex::new(Staging {
                conn,
                path,
                failed: None,
            }),
            text_hits: AtomicU64::new(0),
        })
    }

    /// Text-rule results of earlier runs found so far in this run.
    pub fn text_hits(&self) -> u64 {
        self.text_hits.load(Ordering::Relaxed)
    }

    /// Run one staging statement; the first failure drops the run's entries.
    fn staged_exec(&self, sql: &str, params: impl rusqlite::Params) {
        let Ok(mut s) = self.staged.lock() else {
            return;
        };
        if s.failed.is_some() {
            return;
        }
        let r = s
            .conn
            .prepare_cached(sql)
            .and_then(|mut st| st.execute(params));
        if let Err(e) = r {
            s.failed = Some(e.to_string());
        }
    }

    fn stage(&self, url: &str, kind: &str, op: &str, entry: Option<(&str, &Validators, &[u8])>) {
        let (version, etag, modified, payload) = match entry {
            Some((v, val, p)) => (
                Some(v),
                val.etag.as_deref(),
                val.last_modified.as_deref(),
                Some(p),
            ),
            None => (None, None, None, None),
        };
        self.staged_exec(
            "INSERT OR REPLACE INTO ops(url, kind, op, version, etag, last_modified, payload)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            params![url, kind, op, version, etag, modified, payload],
        );
    }

    /// Apply the staged changes inside `tx` (the run's transaction), with
    /// `today` (YYYY-MM-DD) as the day entries were stored or used. The
    /// scratch file is attached as `staged`, which the caller detaches
    /// after the commit. Returns a warning when the entries were dropped.
    pub(crate) fn attach(&self, conn: &Connection) -> rusqlite::Result<Option<String>> {
        let mut s = self.staged.lock().expect("staging lock");
        if let Some(e) = s.failed.take() {
            return Ok(Some(format!(
                "incremental crawl: entries of this run not stored ({e})"
            )));
        }
        s.conn.execute_batch("COMMIT; BEGIN;")?;
        conn.execute(
            "ATTACH DATABASE ?1 AS staged",
            [s.path.to_string_lossy().as_ref()],
        )?;
        Ok(None)
    }

    /// Commit this run's entries on their own, without recording a run
    /// (the benchmark's incremental mode; an audit commits them with its
    /// run through `write_reports_with`). Returns a warning when they
    /// were dropped.
    pub fn save(&self, db: &Path) -> crate::Result<Option<String>> {
        let mut d = super::db::Db::open(db)?;
        if let Some(w) = self.attach(&d.conn).map_err(|e| d.err(e))? {
            return Ok(Some(w));
        }
        let today = crate::clock::today().to_string();
        let done = d
            .conn
            .transaction()
            .and_then(|tx| UrlCache::apply(&tx, &today).and_then(|()| tx.commit()));
        let _ = d.conn.execute("DETACH DATABASE staged", []);
        done.map_err(|e| d.err(e))?;
        Ok(None)
    }

    /// See [`UrlCache::attach`]: the attached changes, applied.
    pub(crate) fn apply(conn: &Connection, today: &str) -> rusqlite::Result<()> {
        conn.execute(
            "INSERT OR REPLACE INTO url_cache(url, kind, version, etag, last_modified,
                 stored_at, used_at)
             SELECT url, kind, version, etag, last_modified, ?1, ?1
             FROM staged.ops WHERE op = 'put'",
            [today],
        )?;
        conn.execute(
            "INSERT OR REPLACE INTO url_payload(url, kind, payload)
             SELECT url, kind, payload FROM staged.ops WHERE op = 'put'",
            [],
        )?;
        conn.execute(
            "UPDATE url_cache SET used_at = ?1 WHERE (url, kind) IN
                 (SELECT url, kind FROM staged.ops WHERE op = 'touch')",
            [today],
        )?;
        for table in ["url_cache", "url_payload"] {
            conn.execute(
                &format!(
                    "DELETE FROM {table} WHERE (url, kind) IN
                         (SELECT url, kind FROM staged.ops WHERE op = 'forget')"
                ),
                [],
            )?;
        }
        conn.execute(
            "INSERT OR REPLACE INTO text_cache(kind, key, value, used_at)
             SELECT kind, key, value, ?1 FROM staged.text_ops WHERE op = 'put'",
            [today],
        )?;
        conn.execute(
            "UPDATE text_cache SET used_at = ?1 WHERE used_at <> ?1 AND (kind, key) IN
                 (SELECT kind, key FROM staged.text_ops WHERE op = 'touch')",
            [today],
        )?;
        Ok(())
    }
}

thread_local! {
    /// One (de)compressor per thread, reset per payload: miniz's state is
    /// tens of kilobytes, and allocating it per page showed in profiles.
    static DEFLATE: std::cell::RefCell<flate2::Compress> =
        std::cell::RefCell::new(flate2::Compress::new(flate2::Compression::fast(), false));
    static INFLATE: std::cell::RefCell<flate2::Decompress> =
        std::cell::RefCell::new(flate2::Decompress::new(false));
}

/// A payload as stored: its length (u32, little-endian), then raw deflate.
fn deflate(bytes: &[u8]) -> Vec<u8> {
    DEFLATE.with(|c| {
        let mut c = c.borrow_mut();
        c.reset();
        let mut out = Vec::with_capacity(4 + bytes.len() / 2 + 64);
        out.extend_from_slice(&(bytes.len() as u32).to_le_bytes());
        loop {
            let before = c.total_in() as usize;
            match c.compress_vec(&bytes[before..], &mut out, flate2::FlushCompress::Finish) {
                Ok(flate2::Status::StreamEnd) => return out,
                Ok(_) => out.reserve(out.capacity().max(1024)),
                Err(_) => return Vec::new(),
            }
        }
    })
}

/// See [`deflate`]; `None` for anything else.
fn inflate(bytes: &[u8]) -> Option<Vec<u8>> {
    let len = u32::from_le_bytes(bytes.get(..4)?.try_into().ok()?) as usize;
    INFLATE.with(|d| {
        let mut d = d.borrow_mut();
        d.reset(false);
        // Room past the end, so the stream's end is read in one call.
        let mut out = Vec::with_capacity(len + 64);
        match d.decompress_vec(&bytes[4..], &mut out, flate2::FlushDecompress::Finish) {
            Ok(flate2::Status::StreamEnd) if out.len() == len => Some(out),
            _ => None,
        }
    })
}

impl UrlStore for UrlCache {
    fn validators(&self, kind: &str, version: &str, url: &str) -> Option<Validators> {
        let c = self.read.lock().ok()?;
        let mut st = c
            .prepare_cached(
                "SELECT etag, last_modified FROM url_cache
                 WHERE url = ?1 AND kind = ?2 AND version = ?3",
            )
            .ok()?;
        st.query_row(params![url, kind, version], |r| {
            Ok(Validators {
                etag: r.get(0)?,
                last_modified: r.get(1)?,
            })
        })
        .optional()
        .ok()
        .flatten()
        .filter(|v| !v.is_empty())
    }

    fn payload(&self, kind: &str, version: &str, url: &str) -> Option<Vec<u8>> {
        let packed: Vec<u8> = {
            let c = self.read.lock().ok()?;
            let mut st = c
                .prepare_cached(
                    "SELECT p.payload FROM url_cache c JOIN url_payload p
                       ON p.url = c.url AND p.kind = c.kind
                     WHERE c.url = ?1 AND c.kind = ?2 AND c.version = ?3",
                )
                .ok()?;
            st.query_row(params![url, kind, version], |r| r.get(0))
                .optional()
                .ok()
                .flatten()?
        };
        inflate(&packed)
    }

    fn touch(&self, kind: &str, url: &str) {
        self.stage(url, kind, OP_TOUCH, None);
    }

    fn put(&self, kind: &str, version: &str, url: &str, validators: &Validators, payload: &[u8]) {
        let packed = deflate(payload);
        self.stage(url, kind, OP_PUT, Some((version, validators, &packed)));
    }

    fn forget(&self, kind: &str, url: &str) {
        self.stage(url, kind, OP_FORGET, None);
    }
}

impl TextCache for UrlCache {
    fn get(&self, kind: &str, key: &[u8; 32]) -> Option<Vec<u8>> {
        let packed: Vec<u8> = {
            let c = self.read.lock().ok()?;
            let mut st = c
                .prepare_cached("SELECT value FROM text_cache WHERE kind = ?1 AND key = ?2")
                .ok()?;
            st.query_row(params![kind, &key[..]], |r| r.get(0))
                .optional()
                .ok()
                .flatten()?
        };
        let value = inflate(&packed)?;
        self.text_hits.fetch_add(1, Ordering::Relaxed);
        // A put of the same key in this run (a value that no longer read)
        // is not undone by the touch.
        self.staged_exec(
            "INSERT OR IGNORE INTO text_ops(kind, key, op) VALUES (?1, ?2, 'touch')",
            params![kind, &key[..]],
        );
        Some(value)
    }

    fn put(&self, kind: &str, key: &[u8; 32], value: &[u8]) {
        self.staged_exec(
            "INSERT OR REPLACE INTO text_ops(kind, key, op, value) VALUES (?1, ?2, 'put', ?3)",
            params![kind, &key[..], deflate(value)],
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Text results are read from what earlier runs committed, staged
    /// during the run, and kept only when the run commits them.
    #[test]
    fn text_results_are_kept_only_once_committed() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("h.sqlite");
        super::super::HistoryOptions::from_flags(Some(db.clone()), false, None)
            .check()
            .unwrap();
        let key = crate::rules::text_key(&[b"engine", "政务公开".as_bytes()]);
        let run1 = UrlCache::open(&db).unwrap();
        assert_eq!(run1.get("typo", &key), None);
        TextCache::put(&run1, "typo", &key, b"{\"hits\":[]}");
        assert_eq!(run1.get("typo", &key), None, "not before the commit");
        // A run that never commits (killed) leaves nothing.
        let killed = UrlCache::open(&db).unwrap();
        TextCache::put(&killed, "typo", &crate::rules::text_key(&[b"other"]), b"x");
        drop(killed);
        assert_eq!(run1.save(&db).unwrap(), None);
        let run2 = UrlCache::open(&db).unwrap();
        assert_eq!(
            run2.get("typo", &key).as_deref(),
            Some(&b"{\"hits\":[]}"[..])
        );
        assert_eq!(run2.get("typo-book", &key), None, "kinds are apart");
        assert_eq!(run2.text_hits(), 1);
        let n: i64 = Connection::open(&db)
            .unwrap()
            .query_row("SELECT COUNT(*) FROM text_cache", [], |r| r.get(0))
            .unwrap();
        assert_eq!(n, 1);
    }

    #[test]
    fn payloads_round_trip_and_damage_reads_as_none() {
        let text: Vec<u8> = "政务公开 {\"links\":[1,2,3]} ".repeat(5000).into_bytes();
        for p in [&b""[..], b"x", &text] {
            assert_eq!(inflate(&deflate(p)).as_deref(), Some(p));
        }
        let packed = deflate(&text);
        assert!(packed.len() * 5 < text.len());
        assert_eq!(inflate(&packed[..packed.len() / 2]), None);
        assert_eq!(inflate(b"ab"), None);
    }
}
