//! findings.csv: one row per finding, UTF-8 with a BOM so Excel opens the
//! Chinese correctly; RFC 4180 quoting, CRLF line ends.

use super::{evidence_zh, fmt_points, rule_name_zh, Format, Report};

/// The findings.csv writer.
pub struct Csv;

/// Quote a field when it holds a comma, quote or line break.
pub(crate) fn field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

impl Format for Csv {
    fn file_name(&self) -> &'static str {
        "findings.csv"
    }
    fn render(&self, report: &Report) -> Vec<u8> {
        let mut out = String::from("\u{feff}");
        let header = [
            "站点ID",
            "站点名称",
            "结论",
            "规则",
            "指标",
            "严重程度",
            "扣分",
            "栏目",
            "问题页面",
            "失效链接",
            "问题描述",
            "证据",
            "证据JSON",
            "编号",
        ];
        let header: Vec<&str> = header
            .iter()
            .chain(super::history_view::csv_header(report)) // history hook
            .copied()
            .collect();
        out.push_str(&header.join(","));
        out.push_str("\r\n");
        for f in &report.findings {
            let site = report.sites.iter().find(|s| s.id == f.site);
            let row = [
                f.site.clone(),
                site.map(|s| s.name.clone()).unwrap_or_default(),
                site.map(|s| s.verdict.label_zh().to_string())
                    .unwrap_or_default(),
                f.rule.clone(),
                rule_name_zh(&f.rule).to_string(),
                f.severity.label_zh().to_string(),
                fmt_points(f.points),
                f.column.clone().unwrap_or_default(),
                f.url.clone(),
                f.target.clone().unwrap_or_default(),
                f.message.clone(),
                evidence_zh(f),
                f.evidence.to_string(),
                f.id.clone(),
            ];
            let row: Vec<String> = row
                .iter()
                .chain(&super::history_view::csv_cells(f, report)) // history hook
                .map(|s| field(s))
                .collect();
            out.push_str(&row.join(","));
            out.push_str("\r\n");
        }
        out.into_bytes()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::testdata;

    #[test]
    fn bom_header_and_one_quoted_row_per_finding() {
        let bytes = Csv.render(&testdata::report());
        assert_eq!(&bytes[..3], b"\xEF\xBB\xBF");
        let text = String::from_utf8(bytes).unwrap();
        let lines: Vec<&str> = text.trim_start_matches('\u{feff}').split("\r\n").collect();
        assert!(lines[0].starts_with("站点ID,站点名称,结论,规则"));
        assert_eq!(lines.len(), 2 + 1 + 1, "header + 2 rows + trailing empty");
        assert!(lines[1].starts_with(&format!(
            "fgj,区发展和改革局,合格,{},链接可用性,扣分,1,",
            testdata::link_id()
        )));
        // The message with a comma and quotes is quoted and its quotes doubled.
        assert!(
            lines[1].contains("\"链接“旧闻, \"\"引号\"\"”"),
            "{}",
            lines[1]
        );
        assert!(lines[2].contains(",单项否决,0,"));
    }

    #[test]
    fn field_quoting() {
        assert_eq!(field("a"), "a");
        assert_eq!(field("a,b"), "\"a,b\"");
        assert_eq!(field("a\"b"), "\"a\"\"b\"");
        assert_eq!(field("a\nb"), "\"a\nb\"");
    }
}
