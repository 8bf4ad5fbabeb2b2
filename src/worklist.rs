//! Department worklists (整改清单): per site, `worklists/<site-id>.html` and
//! `.csv` in the report folder — only that department's findings, newest
//! first, with the column, page, evidence, the rectification advice, the
//! date it was first seen and the date it is due (`[audit] rectify_days`
//! working days from first_seen, default 5); overdue ones are marked. The
//! site's `owner` from SITES.toml heads it. A clerk opens one file, not the
//! district report.

use std::fmt::Write;
use std::path::Path;

use chrono::{Datelike, Duration, NaiveDate, Weekday};

use crate::history::FindingStatus;
use crate::report::html::esc;
use crate::report::{advice_zh, evidence_zh, fmt_points, rule_name_zh, Report, SiteReport};
use crate::rules::Finding;

/// Working days to fix a finding when SITES.toml does not say.
pub const DEFAULT_RECTIFY_DAYS: u32 = 5;

/// Folder inside the report folder.
pub const DIR: &str = "worklists";

/// `days` working days (Monday–Friday) after `from`.
pub fn add_working_days(from: NaiveDate, days: u32) -> NaiveDate {
    let mut d = from;
    let mut left = days;
    while left > 0 {
        d += Duration::days(1);
        if !matches!(d.weekday(), Weekday::Sat | Weekday::Sun) {
            left -= 1;
        }
    }
    d
}

/// A finding's status as a short Chinese label: 新增, 持续 N 天; `None`
/// without history.
pub fn status_zh(f: &Finding, as_of: NaiveDate) -> Option<String> {
    match f.status? {
        FindingStatus::New => Some("新增".to_string()),
        FindingStatus::Persisting => {
            let since = f.first_seen.unwrap_or(as_of);
            Some(format!("持续 {} 天", (as_of - since).num_days().max(0)))
        }
    }
}

/// One row of a worklist.
struct Row<'a> {
    f: &'a Finding,
    first_seen: NaiveDate,
    due: NaiveDate,
    overdue: bool,
}

/// The site's findings with their due dates, newest first (then in report order).
fn rows<'a>(report: &'a Report, site: &'a str, rectify_days: u32) -> Vec<Row<'a>> {
    let mut rows: Vec<Row> = report
        .findings_of(site)
        .map(|f| {
            let first_seen = f.first_seen.unwrap_or(report.as_of);
            let due = add_working_days(first_seen, rectify_days);
            Row {
                f,
                first_seen,
                due,
                overdue: report.as_of > due,
            }
        })
        .collect();
    // Stable: equal dates keep report order.
    rows.sort_by_key(|r| std::cmp::Reverse(r.first_seen));
    rows
}

/// Write `worklists/<site-id>.html` and `.csv` for every site of `report`.
pub fn write_all(out: &Path, report: &Report, rectify_days: u32) -> crate::Result<()> {
    let dir = out.join(DIR);
    std::fs::create_dir_all(&dir).map_err(|e| crate::Error::io(&dir, e))?;
    for s in &report.sites {
        let rows = rows(report, &s.id, rectify_days);
        crate::report::write_atomic(
            &dir,
            &format!("{}.html", s.id),
            html(report, s, &rows, rectify_days).as_bytes(),
        )?;
        crate::report::write_atomic(
            &dir,
            &format!("{}.csv", s.id),
            csv(report, &rows).as_bytes(),
        )?;
    }
    Ok(())
}

fn csv(report: &Report, rows: &[Row]) -> String {
    use crate::report::csv::field;
    let mut o = String::from("\u{feff}");
    o.push_str("序号,状态,问题类型,严重程度,扣分,栏目,问题页面,失效链接,问题描述,证据,整改要求,首次发现,整改期限,是否逾期,编号\r\n");
    for (i, r) in rows.iter().enumerate() {
        let f = r.f;
        let cells = [
            (i + 1).to_string(),
            status_zh(f, report.as_of).unwrap_or_default(),
            rule_name_zh(&f.rule).to_string(),
            f.severity.label_zh().to_string(),
            fmt_points(f.points),
            f.column.clone().unwrap_or_default(),
            f.url.clone(),
            f.target.clone().unwrap_or_default(),
            f.message.clone(),
            evidence_zh(f),
            advice_zh(&f.rule).to_string(),
            r.first_seen.to_string(),
            r.due.to_string(),
            if r.overdue { "逾期" } else { "" }.to_string(),
            f.id.clone(),
        ];
        let cells: Vec<String> = cells.iter().map(|c| field(c)).collect();
        o.push_str(&cells.join(","));
        o.push_str("\r\n");
    }
    o
}

const CSS: &str = "body{font-family:\"Microsoft YaHei\",\"PingFang SC\",\"Noto Sans CJK SC\",sans-serif;margin:0 auto;max-width:1200px;padding:16px 24px;color:#1f2328}\
table{border-collapse:collapse;width:100%;font-size:13px}th,td{border:1px solid #d0d7de;padding:4px 6px;vertical-align:top;text-align:left}th{background:#f6f8fa}\
.meta{color:#57606a;font-size:14px}.badge{display:inline-block;padding:0 6px;border-radius:3px;font-size:12px;color:#fff;background:#6e7781;white-space:nowrap}\
.st-new{background:#c62828}.st-persisting{background:#9a6700}.overdue td.due{color:#c62828;font-weight:bold}a{color:#0969da;word-break:break-all}\
@media print{a{color:inherit;text-decoration:none}tr{break-inside:avoid}}";

fn html(report: &Report, s: &SiteReport, rows: &[Row], rectify_days: u32) -> String {
    let mut o = String::with_capacity(16 * 1024);
    let _ = write!(
        o,
        "<!DOCTYPE html>\n<html lang=\"zh-CN\"><head><meta charset=\"utf-8\"><title>{name} 整改清单 {as_of}</title><style>{CSS}</style></head><body>\n<h1>{name} 整改清单</h1>\n<p class=\"meta\" id=\"owner\">责任人：{owner}</p><p class=\"meta\">监测时间点：{as_of} · 结论：{verdict} · 得分：{score} · 问题 <b id=\"count\">{n}</b> 条，其中逾期 <b id=\"overdue\">{od}</b> 条 · 整改时限：首次发现后 {rectify_days} 个工作日</p>\n",
        name = esc(&s.name),
        as_of = report.as_of,
        owner = esc(s.owner.as_deref().unwrap_or("（未在 SITES.toml 中填写 owner）")),
        verdict = s.verdict.label_zh(),
        score = fmt_points(s.score),
        n = rows.len(),
        od = rows.iter().filter(|r| r.overdue).count(),
    );
    if rows.is_empty() {
        o.push_str("<p>本次监测未发现问题。</p>");
    } else {
        o.push_str("<table><thead><tr><th>#</th><th>问题</th><th>栏目</th><th>页面</th><th>证据</th><th>整改要求</th><th>首次发现</th><th>整改期限</th></tr></thead><tbody>\n");
        for (i, r) in rows.iter().enumerate() {
            let f = r.f;
            let badge = match (f.status, status_zh(f, report.as_of)) {
                (Some(st), Some(label)) => format!(
                    "<span class=\"badge st-{}\">{}</span> ",
                    st.as_str(),
                    esc(&label)
                ),
                _ => String::new(),
            };
            let target = f
                .target
                .as_ref()
                .map(|t| format!("<br>失效链接：{}", esc(t)))
                .unwrap_or_default();
            let _ = writeln!(
                o,
                "<tr data-finding=\"{id}\"{cls}><td>{n}</td><td>{badge}<b>{rule}</b>（{sev}）<br>{msg}</td><td>{col}</td><td><a href=\"{url}\">{url}</a>{target}</td><td>{ev}</td><td>{advice}</td><td>{first}</td><td class=\"due\">{due}{od}</td></tr>",
                id = esc(&f.id),
                cls = if r.overdue { " class=\"overdue\"" } else { "" },
                n = i + 1,
                rule = esc(rule_name_zh(&f.rule)),
                sev = f.severity.label_zh(),
                msg = esc(&f.message),
                col = esc(f.column.as_deref().unwrap_or("—")),
                url = esc(&f.url),
                ev = esc(&evidence_zh(f)),
                advice = esc(advice_zh(&f.rule)),
                first = r.first_seen,
                due = r.due,
                od = if r.overdue { "（已逾期）" } else { "" },
            );
        }
        o.push_str("</tbody></table>\n");
    }
    o.push_str("<p class=\"meta\">本清单由 govaudit 自动生成，整改完成后将在下次监测中自动核销。</p></body></html>\n");
    o
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::testdata;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn working_days_skip_weekends() {
        // 2026-11-26 is a Thursday: 5 working days later is Thursday 12-03.
        assert_eq!(add_working_days(d("2026-11-26"), 5), d("2026-12-03"));
        // From a Saturday, Monday is the first working day.
        assert_eq!(add_working_days(d("2026-11-28"), 1), d("2026-11-30"));
        assert_eq!(add_working_days(d("2026-11-28"), 0), d("2026-11-28"));
    }

    #[test]
    fn newest_first_overdue_marked_owner_heads() {
        let mut r = testdata::report();
        r.sites[0].owner = Some("办公室 张三".into());
        let mut old = r.findings[0].clone();
        old.id = "old".into();
        old.status = Some(FindingStatus::Persisting);
        old.first_seen = Some(d("2026-11-10"));
        r.findings[0].status = Some(FindingStatus::New);
        r.findings[0].first_seen = Some(d("2026-11-26"));
        r.findings.insert(0, old);
        let dir = tempfile::tempdir().unwrap();
        write_all(dir.path(), &r, 5).unwrap();
        let html = std::fs::read_to_string(dir.path().join("worklists/fgj.html")).unwrap();
        assert!(html.contains("责任人：办公室 张三"));
        let new_at = html.find("data-finding=\"aaaa\"").unwrap();
        let old_at = html.find("data-finding=\"old\"").unwrap();
        assert!(new_at < old_at, "newest first");
        assert!(html.contains("<tr data-finding=\"old\" class=\"overdue\">"));
        assert!(!html.contains("<tr data-finding=\"aaaa\" class=\"overdue\">"));
        assert!(html.contains("持续 16 天") && html.contains("新增"));
        // Only this department's findings.
        assert!(!html.contains("bbbb"));
        let csv = std::fs::read_to_string(dir.path().join("worklists/fgj.csv")).unwrap();
        let lines: Vec<&str> = csv.split("\r\n").collect();
        assert!(lines[1].starts_with("1,新增,链接可用性,"), "{}", lines[1]);
        assert!(
            lines[2].contains(",2026-11-10,2026-11-17,逾期,old"),
            "{}",
            lines[2]
        );
        assert!(csv.contains(advice_zh(testdata::link_id())));
        // The other site's worklist exists and holds only its own finding.
        let jyj = std::fs::read_to_string(dir.path().join("worklists/jyj.csv")).unwrap();
        assert_eq!(jyj.split("\r\n").filter(|l| !l.is_empty()).count(), 2);
    }
}
