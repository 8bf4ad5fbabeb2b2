//! The wall clock, in the one form reports and snapshots use. Neutral
//! ground: the crawl, the audit and the merge all stamp their output with it.

use chrono::{FixedOffset, NaiveDate, Utc};

/// Now, as RFC 3339 with the +08:00 offset (China Standard Time).
pub fn now_cst() -> String {
    let cst = FixedOffset::east_opt(8 * 3600).expect("valid offset");
    Utc::now()
        .with_timezone(&cst)
        .format("%Y-%m-%dT%H:%M:%S%:z")
        .to_string()
}

/// Today in local time (the default `--as-of`).
pub fn today() -> NaiveDate {
    chrono::Local::now().date_naive()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn now_has_the_china_offset() {
        let t = now_cst();
        assert!(t.ends_with("+08:00"), "{t}");
        assert!(chrono::DateTime::parse_from_rfc3339(&t).is_ok());
    }
}
