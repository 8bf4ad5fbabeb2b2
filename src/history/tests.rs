//! Unit tests of the history database (the two-run end-to-end test is
//! tests/history.rs).

use super::*;
use crate::report::testdata;

#[test]
fn config_hash_ignores_site_order_but_not_sites_or_profile() {
    let r = testdata::report();
    let mut swapped = r.clone();
    swapped.sites.reverse();
    assert_eq!(config_hash(&r), config_hash(&swapped));
    let mut other = r.clone();
    other.profile = "city-strict".into();
    assert_ne!(config_hash(&r), config_hash(&other));
    let mut moved = r.clone();
    moved.sites[0].url = "http://127.0.0.1:8081/fgj/".into();
    assert_ne!(config_hash(&r), config_hash(&moved));
}

#[test]
fn previous_is_absent_null_or_a_run() {
    let mut r = testdata::report();
    let v = serde_json::to_value(&r).unwrap();
    assert!(v.get("previous").is_none() && v.get("resolved").is_none());
    r.previous = Some(None);
    r.resolved = Some(vec![]);
    let text = serde_json::to_string(&r).unwrap();
    assert!(text.contains("\"previous\":null") && text.contains("\"resolved\":[]"));
    let back: Report = serde_json::from_str(&text).unwrap();
    assert_eq!(back.previous, Some(None));
    let back: Report = serde_json::from_value(v).unwrap();
    assert_eq!(back.previous, None);
}

#[test]
fn a_failed_write_rolls_the_run_back() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("h.sqlite");
    let mut db = db::Db::open(&path).unwrap();
    let mut r = testdata::report();
    let e = db
        .record(&mut r, None, &RunExtras::default(), |_| {
            Err(crate::Error::Other("disk full".into()))
        })
        .unwrap_err();
    assert!(e.to_string().contains("disk full"));
    assert!(db.runs().unwrap().is_empty());
    db.record(&mut r, None, &RunExtras::default(), |_| Ok(()))
        .unwrap();
    assert_eq!(db.runs().unwrap().len(), 1);
    // --compare-to an unknown run is refused before anything is written.
    let opts = HistoryOptions {
        db: Some(path),
        compare_to: Some(7),
        keep_days: None,
    };
    assert!(opts.check().unwrap_err().to_string().contains("no run 7"));
}

#[test]
fn pruning_keeps_the_newest_run_first_seen_and_the_probe_window() {
    use chrono::NaiveDate;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("h.sqlite");
    let mut db = db::Db::open(&path).unwrap();
    let day = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
    let keep = RunExtras {
        cache: None,
        keep_days: 30,
    };
    // Dates in the past whatever the clock says (pruning counts from the
    // earlier of as_of and today). Runs a year apart and then nightly: the old ones go, their findings'
    // first_seen stays.
    let mut first = testdata::report();
    first.as_of = day("2019-06-01");
    assert!(!first.findings.is_empty());
    db.record(&mut first, None, &keep, |_| Ok(())).unwrap();
    let mut other = testdata::report();
    other.profile = "city-strict".into(); // another config: its newest run stays
    other.as_of = day("2019-06-02");
    db.record(&mut other, None, &keep, |_| Ok(())).unwrap();
    for (sql, at) in [
        ("old", "2019-06-01T10:00:00+08:00"),
        ("edge", "2020-11-18T00:10:00+08:00"),
        ("window", "2020-11-20T10:00:00+08:00"),
    ] {
        db.conn
            .execute(
                "INSERT INTO probes(site, url, at, ok, elapsed_ms) VALUES (?1, 'u', ?2, 1, 5)",
                rusqlite::params![sql, at],
            )
            .unwrap();
    }
    // Text-rule results: one not read for years, one read today.
    let today = crate::clock::today().to_string();
    for (key, used) in [("old", "2019-06-01"), ("new", today.as_str())] {
        db.conn
            .execute(
                "INSERT INTO text_cache(kind, key, value, used_at) VALUES ('typo', ?1, x'00', ?2)",
                rusqlite::params![key.as_bytes(), used],
            )
            .unwrap();
    }
    let mut now = testdata::report();
    now.as_of = day("2020-11-26");
    let strict = RunExtras {
        cache: None,
        keep_days: 8,
    };
    db.record(&mut now, None, &strict, |_| Ok(())).unwrap();
    let runs: Vec<NaiveDate> = db.runs().unwrap().iter().map(|r| r.as_of).collect();
    assert_eq!(
        runs,
        vec![day("2019-06-02"), day("2020-11-26")],
        "the old run of the national config went, the only run of city-strict stayed"
    );
    // Probes: the window (as_of−7 … as_of−1) and the day before it stay
    // (as_of 11-26: 11-18 … 11-25).
    let sites: Vec<String> = db
        .conn
        .prepare("SELECT site FROM probes ORDER BY at")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(sites, vec!["edge", "window"]);
    let texts: Vec<Vec<u8>> = db
        .conn
        .prepare("SELECT key FROM text_cache")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(texts, vec![b"new".to_vec()], "unused text results go");
    // The findings of the pruned first run are still first seen then.
    let mut again = testdata::report();
    again.as_of = day("2020-11-27");
    db.record(&mut again, None, &strict, |_| Ok(())).unwrap();
    for f in &again.findings {
        assert_eq!(f.first_seen, Some(day("2019-06-01")), "{}", f.id);
    }
    // keep_days below the probe window is raised to it.
    let n = prune::prune(&db.conn, day("2020-11-27"), day("2020-11-27"), 1).unwrap();
    assert_eq!(n.probes, 0);
}
