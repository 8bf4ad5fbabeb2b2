//! report.json (contract.md): pretty-printed, UTF-8, keys in contract order.

use super::{Format, Report};

/// The report.json writer.
pub struct Json;

impl Format for Json {
    fn file_name(&self) -> &'static str {
        "report.json"
    }
    fn render(&self, report: &Report) -> Vec<u8> {
        let mut out = serde_json::to_vec_pretty(report).expect("report serialises");
        out.push(b'\n');
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::testdata;

    #[test]
    fn contract_fields_and_round_trip() {
        let r = testdata::report();
        let bytes = Json.render(&r);
        let v: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
        assert_eq!(v["schema"], "govaudit.report/1");
        assert_eq!(v["as_of"], "2026-11-26");
        assert_eq!(v["generated_at"], "2026-11-26T10:00:00+08:00");
        assert_eq!(v["profile"], "national-2019");
        let s = &v["sites"][1];
        assert_eq!(s["verdict"], "fail");
        assert_eq!(s["score"], 100.0);
        assert_eq!(s["vetoes"][0], testdata::home_id());
        for k in ["pages", "columns", "links_checked", "broken_links"] {
            assert!(s["stats"][k].is_u64(), "{k}");
        }
        let f = &v["findings"][0];
        for k in [
            "id", "rule", "site", "url", "target", "column", "severity", "points", "message",
            "evidence",
        ] {
            assert!(f.get(k).is_some(), "finding lacks {k}");
        }
        assert_eq!(f["severity"], "deduct");
        assert!(v["findings"][1]["target"].is_null());
        let back: Report = serde_json::from_slice(&bytes).unwrap();
        assert_eq!(back, r);
    }
}
