//! Schema of the history database and its migrations.
//!
//! `PRAGMA user_version` holds the number of migrations applied. Each entry
//! of [`MIGRATIONS`] is applied once, in order, inside one transaction with
//! the version bump, so a database is always at exactly one version. Never
//! edit a released migration: append a new one.

use rusqlite::Connection;

/// Migrations, oldest first; the database's version is how many ran.
pub(crate) const MIGRATIONS: &[&str] = &[
    // 1: runs, per-site results, findings, columns, availability probes.
    r#"
    CREATE TABLE runs (
        id           INTEGER PRIMARY KEY,
        as_of        TEXT NOT NULL,           -- YYYY-MM-DD, the monitoring time point
        generated_at TEXT NOT NULL,           -- RFC 3339, +08:00
        profile      TEXT NOT NULL,
        config_hash  TEXT NOT NULL,           -- runs with the same hash are compared
        title        TEXT,
        sites        INTEGER NOT NULL,
        failing      INTEGER NOT NULL,
        findings     INTEGER NOT NULL,
        compared_to  INTEGER REFERENCES runs(id)
    );
    CREATE INDEX runs_by_config ON runs(config_hash, as_of);
    CREATE TABLE site_results (
        run_id  INTEGER NOT NULL REFERENCES runs(id),
        site    TEXT NOT NULL,
        name    TEXT NOT NULL,
        url     TEXT NOT NULL,
        owner   TEXT,
        verdict TEXT NOT NULL,                -- pass | fail
        score   REAL NOT NULL,
        vetoes  TEXT NOT NULL,                -- JSON array of rule ids
        groups  TEXT,                         -- JSON, the report's group scores when it has them
        PRIMARY KEY (run_id, site)
    );
    CREATE TABLE findings (
        run_id     INTEGER NOT NULL REFERENCES runs(id),
        id         TEXT NOT NULL,             -- the stable fingerprint
        rule       TEXT NOT NULL,
        site       TEXT NOT NULL,
        url        TEXT NOT NULL,
        target     TEXT,
        column_name TEXT,
        severity   TEXT NOT NULL,
        points     REAL NOT NULL,
        message    TEXT NOT NULL,
        evidence   TEXT NOT NULL,             -- JSON
        status     TEXT NOT NULL,             -- new | persisting
        first_seen TEXT NOT NULL,
        PRIMARY KEY (run_id, id)
    );
    CREATE INDEX findings_by_id ON findings(id);
    CREATE TABLE columns (
        run_id INTEGER NOT NULL REFERENCES runs(id),
        site   TEXT NOT NULL,
        url    TEXT NOT NULL,
        name   TEXT NOT NULL,
        class  TEXT NOT NULL,
        items  INTEGER NOT NULL,
        latest TEXT,
        PRIMARY KEY (run_id, site, url)
    );
    CREATE TABLE probes (
        id         INTEGER PRIMARY KEY,
        site       TEXT NOT NULL,
        url        TEXT NOT NULL,
        at         TEXT NOT NULL,             -- RFC 3339, +08:00
        ok         INTEGER NOT NULL,
        status     INTEGER,
        error      TEXT,
        elapsed_ms INTEGER NOT NULL
    );
    CREATE INDEX probes_by_site ON probes(site, at);
    "#,
    // 2: the incremental crawl's per-URL entries (src/history/cache.rs), and
    // each finding's first_seen kept apart from the runs so that pruning old
    // runs never moves it.
    r#"
    CREATE TABLE url_cache (
        url           TEXT NOT NULL,          -- as requested
        kind          TEXT NOT NULL,          -- 'page': the crawl's extraction of a page
        version       TEXT NOT NULL,          -- the writer's version; entries of others are ignored
        etag          TEXT,
        last_modified TEXT,
        stored_at     TEXT NOT NULL,          -- YYYY-MM-DD the answer was read
        used_at       TEXT NOT NULL,          -- YYYY-MM-DD it was last read or confirmed (304)
        PRIMARY KEY (url, kind)
    );
    CREATE INDEX url_cache_by_use ON url_cache(used_at);
    -- The payloads apart: a 304 updates used_at without rewriting its blob.
    CREATE TABLE url_payload (
        url     TEXT NOT NULL,
        kind    TEXT NOT NULL,
        payload BLOB NOT NULL,                -- u32 length, then raw deflate
        PRIMARY KEY (url, kind)
    );
    CREATE TABLE finding_first_seen (
        id         TEXT PRIMARY KEY,          -- the finding's stable id
        first_seen TEXT NOT NULL              -- as_of of the first run that had it
    );
    INSERT INTO finding_first_seen(id, first_seen)
        SELECT f.id, MIN(r.as_of) FROM findings f JOIN runs r ON r.id = f.run_id GROUP BY f.id;
    "#,
    // 3: per-text results of the text rules (src/history/cache.rs, the
    // rules' `TextCache`): keyed on a hash of the rule engine's fingerprint
    // and the page's text, pruned like url_cache.
    r#"
    CREATE TABLE text_cache (
        kind    TEXT NOT NULL,                -- 'typo', 'typo-book': whose result
        key     BLOB NOT NULL,                -- sha256 of (engine fingerprint, text, …)
        value   BLOB NOT NULL,                -- u32 length, then raw deflate
        used_at TEXT NOT NULL,                -- YYYY-MM-DD it was last stored or read
        PRIMARY KEY (kind, key)
    );
    CREATE INDEX text_cache_by_use ON text_cache(used_at);
    "#,
];

/// Bring `conn` up to the newest schema. A database newer than this build
/// is refused rather than written with an old idea of the schema.
pub(crate) fn migrate(conn: &mut Connection) -> rusqlite::Result<Result<(), String>> {
    let version: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    let known = MIGRATIONS.len() as i64;
    if version > known {
        return Ok(Err(format!(
            "schema version {version} is newer than this govaudit knows ({known}); upgrade govaudit"
        )));
    }
    for (i, sql) in MIGRATIONS.iter().enumerate().skip(version as usize) {
        let tx = conn.transaction()?;
        tx.execute_batch(sql)?;
        tx.pragma_update(None, "user_version", (i + 1) as i64)?;
        tx.commit()?;
    }
    Ok(Ok(()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fresh_database_reaches_the_newest_version_and_stays_there() {
        let mut c = Connection::open_in_memory().unwrap();
        migrate(&mut c).unwrap().unwrap();
        let v: i64 = c
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .unwrap();
        assert_eq!(v, MIGRATIONS.len() as i64);
        // Idempotent: a second open applies nothing and keeps the data.
        c.execute(
            "INSERT INTO probes(site,url,at,ok,elapsed_ms) VALUES('a','u','t',1,3)",
            [],
        )
        .unwrap();
        migrate(&mut c).unwrap().unwrap();
        let n: i64 = c
            .query_row("SELECT COUNT(*) FROM probes", [], |r| r.get(0))
            .unwrap();
        assert_eq!(n, 1);
    }

    #[test]
    fn a_schema_2_database_gains_the_text_cache_and_keeps_its_entries() {
        let mut c = Connection::open_in_memory().unwrap();
        for sql in &MIGRATIONS[..2] {
            c.execute_batch(sql).unwrap();
        }
        c.pragma_update(None, "user_version", 2).unwrap();
        c.execute(
            "INSERT INTO url_cache(url, kind, version, stored_at, used_at)
             VALUES ('http://a/', 'page', 'v', '2026-11-25', '2026-11-25')",
            [],
        )
        .unwrap();
        migrate(&mut c).unwrap().unwrap();
        let v: i64 = c
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .unwrap();
        assert_eq!(v, 3);
        let kept: i64 = c
            .query_row("SELECT COUNT(*) FROM url_cache", [], |r| r.get(0))
            .unwrap();
        assert_eq!(kept, 1);
        c.execute(
            "INSERT INTO text_cache(kind, key, value, used_at) VALUES ('typo', x'00', x'00', '2026-11-26')",
            [],
        )
        .unwrap();
    }

    #[test]
    fn newer_database_is_refused() {
        let mut c = Connection::open_in_memory().unwrap();
        c.pragma_update(None, "user_version", 99).unwrap();
        let e = migrate(&mut c).unwrap().unwrap_err();
        assert!(e.contains("newer"), "{e}");
    }
}
