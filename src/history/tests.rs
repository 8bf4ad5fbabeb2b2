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
