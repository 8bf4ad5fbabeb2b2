//! What the human reports show of the history (src/history): the status of
//! each finding (新增 / 持续 N 天), the 已整改 list, the change since the
//! run compared against, and score trends as inline SVG (no network).
//! Every function returns an empty string for a report without history
//! (but for the worklist link under each site), so the writers call them
//! unconditionally.

use std::fmt::Write;

use super::html::esc;
use super::{fmt_points, rule_name_zh, Report};
use crate::history::FindingStatus;
use crate::rules::Finding;

pub use crate::worklist::status_zh;

/// Extra CSS for report.html.
pub const CSS: &str = ".st{display:inline-block;padding:0 6px;border-radius:3px;font-size:12px;color:#fff;white-space:nowrap;margin-right:4px}\
.st-new{background:#cf222e}.st-persisting{background:#9a6700}.st-resolved{background:#1a7f37}\
.trend{margin:4px 0}.trend polyline{fill:none;stroke-width:2}";

fn has_history(r: &Report) -> bool {
    r.previous.is_some()
}

/// `<span class="st st-new">新增</span>` (or 持续 N 天) for a finding.
pub fn badge_html(f: &Finding, r: &Report) -> String {
    match (f.status, status_zh(f, r.as_of)) {
        (Some(st), Some(label)) => format!(
            "<span class=\"st st-{s}\" data-status=\"{s}\">{}</span>",
            esc(&label),
            s = st.as_str()
        ),
        _ => String::new(),
    }
}

/// `【新增】` (or 【持续 N 天】) before a finding's text in report.md.
pub fn badge_md(f: &Finding, r: &Report) -> String {
    status_zh(f, r.as_of)
        .map(|s| format!("【{s}】"))
        .unwrap_or_default()
}

/// (new, persisting, resolved) counts; resolved only of `site` when given.
fn counts(r: &Report, site: Option<&str>) -> (usize, usize, usize) {
    let of_site = |s: &str| site.map_or(true, |x| x == s);
    let mut new = 0;
    let mut persisting = 0;
    for f in r.findings.iter().filter(|f| of_site(&f.site)) {
        match f.status {
            Some(FindingStatus::New) => new += 1,
            Some(FindingStatus::Persisting) => persisting += 1,
            None => {}
        }
    }
    let resolved = r
        .resolved
        .as_deref()
        .unwrap_or_default()
        .iter()
        .filter(|x| of_site(&x.site))
        .count();
    (new, persisting, resolved)
}

/// One sentence comparing with the previous run.
fn change_zh(r: &Report) -> String {
    let (new, persisting, resolved) = counts(r, None);
    match r.previous.as_ref().and_then(|p| p.as_ref()) {
        Some(p) => format!(
            "与上次监测（{}）相比：新增问题 {new} 条，持续 {persisting} 条，已整改 {resolved} 条。",
            p.as_of
        ),
        None => format!("首次记录监测结果：{new} 条问题均为新增。"),
    }
}

/// A line chart of `points` (label, value in 0–100), `id` on the svg.
fn line_svg(id: &str, label: &str, points: &[(String, f64)], w: f64, h: f64) -> String {
    let pad = 24.0;
    let n = points.len();
    let x = |i: usize| {
        if n <= 1 {
            w / 2.0
        } else {
            pad + (w - 2.0 * pad) * i as f64 / (n - 1) as f64
        }
    };
    let y = |v: f64| pad / 2.0 + (h - pad) * (1.0 - v.clamp(0.0, 100.0) / 100.0);
    let mut o = format!(
        r#"<svg xmlns="http://www.w3.org/2000/svg" class="trend" id="{id}" role="img" aria-label="{label}" data-points="{n}" width="{w}" height="{h}" viewBox="0 0 {w} {h}">"#,
        id = esc(id),
        label = esc(label),
    );
    let _ = write!(
        o,
        r##"<line x1="{pad}" y1="{y0:.1}" x2="{x2}" y2="{y0:.1}" stroke="#d0d7de"/>"##,
        y0 = y(0.0),
        x2 = w - pad
    );
    let line: Vec<String> = points
        .iter()
        .enumerate()
        .map(|(i, (_, v))| format!("{:.1},{:.1}", x(i), y(*v)))
        .collect();
    let _ = write!(
        o,
        r##"<polyline stroke="#0969da" points="{}"/>"##,
        line.join(" ")
    );
    for (i, (l, v)) in points.iter().enumerate() {
        let _ = write!(
            o,
            r##"<circle cx="{:.1}" cy="{:.1}" r="3" fill="#0969da"><title>{}：{}</title></circle>"##,
            x(i),
            y(*v),
            esc(l),
            fmt_points(*v)
        );
    }
    if let (Some(first), Some(last)) = (points.first(), points.last()) {
        let _ = write!(
            o,
            r#"<text x="{pad}" y="{h}" dy="-2">{}</text><text x="{}" y="{h}" dy="-2" text-anchor="end">{} · {}</text>"#,
            esc(&first.0),
            w - pad,
            esc(&last.0),
            fmt_points(last.1)
        );
    }
    o.push_str("</svg>");
    o
}

/// The district block under the report header: the change since the last
/// run and the trend of the district's average score.
pub fn district_html(r: &Report) -> String {
    if !has_history(r) {
        return String::new();
    }
    let mut o = format!(
        "<section id=\"history\"><p class=\"meta\" id=\"change\">{}</p>",
        esc(&change_zh(r))
    );
    if let Some(trend) = r.trend.as_deref().filter(|t| !t.is_empty()) {
        let points: Vec<(String, f64)> = trend
            .iter()
            .map(|p| {
                let avg = if p.scores.is_empty() {
                    0.0
                } else {
                    p.scores.values().sum::<f64>() / p.scores.len() as f64
                };
                (p.as_of.to_string(), avg)
            })
            .collect();
        let _ = write!(
            o,
            "<figure><figcaption class=\"meta\">全区平均得分走势（最近 {} 次监测）</figcaption>{}</figure>",
            points.len(),
            line_svg("trend-district", "全区平均得分走势", &points, 640.0, 140.0)
        );
    }
    o.push_str("</section>\n");
    o
}

/// Under a site's heading: the link to its worklist (src/worklist.rs) and,
/// with history, its change counts and score trend.
pub fn site_html(r: &Report, site: &str) -> String {
    let link = format!(
        "<p class=\"meta worklist-link\">本部门整改清单：<a href=\"{dir}/{id}.html\">{dir}/{id}.html</a>（可单独打印） · <a href=\"{dir}/{id}.csv\">CSV</a></p>",
        dir = crate::worklist::DIR,
        id = esc(site)
    );
    let Some(trend) = r.trend.as_deref().filter(|_| has_history(r)) else {
        return link;
    };
    let points: Vec<(String, f64)> = trend
        .iter()
        .filter_map(|p| p.scores.get(site).map(|s| (p.as_of.to_string(), *s)))
        .collect();
    let (new, persisting, resolved) = counts(r, Some(site));
    format!(
        "{link}<p class=\"meta site-change\">新增 {new} 条 · 持续 {persisting} 条 · 已整改 {resolved} 条</p>{}",
        line_svg(&format!("trend-{site}"), "得分走势", &points, 360.0, 90.0)
    )
}

/// The 已整改 section: findings of the previous run that are gone now.
pub fn resolved_html(r: &Report) -> String {
    let Some(resolved) = r.resolved.as_deref().filter(|_| has_history(r)) else {
        return String::new();
    };
    let mut o = format!(
        "<section id=\"resolved\"><h2>三、已整改（{} 条）</h2>",
        resolved.len()
    );
    if resolved.is_empty() {
        o.push_str("<p class=\"meta\">与上次监测相比，没有已整改的问题。</p>");
    } else {
        o.push_str("<table><thead><tr><th>站点</th><th>问题</th><th>栏目</th><th>页面</th><th>首次发现</th></tr></thead><tbody>");
        for x in resolved {
            let name = r
                .sites
                .iter()
                .find(|s| s.id == x.site)
                .map(|s| s.name.as_str())
                .unwrap_or(&x.site);
            let _ = write!(
                o,
                "<tr data-resolved=\"{id}\" data-site=\"{site}\"><td>{name}</td><td><span class=\"st st-resolved\" data-status=\"resolved\">已整改</span> {rule}</td><td>{col}</td><td>{url}{target}</td><td>{first}</td></tr>",
                id = esc(&x.id),
                site = esc(&x.site),
                name = esc(name),
                rule = esc(rule_name_zh(&x.rule)),
                col = esc(x.column.as_deref().unwrap_or("—")),
                url = esc(&x.url),
                target = x
                    .target
                    .as_ref()
                    .map(|t| format!("<br>失效链接：{}", esc(t)))
                    .unwrap_or_default(),
                first = x.first_seen.map(|d| d.to_string()).unwrap_or_else(|| "—".into()),
            );
        }
        o.push_str("</tbody></table>");
    }
    o.push_str("</section>\n");
    o
}

/// report.md: the change line and the 已整改 list.
pub fn markdown(r: &Report) -> String {
    if !has_history(r) {
        return String::new();
    }
    let mut o = format!("## 与上次监测比较\n\n{}\n\n", change_zh(r));
    let resolved = r.resolved.as_deref().unwrap_or_default();
    if !resolved.is_empty() {
        o.push_str("### 已整改\n\n| 站点 | 问题 | 栏目 | 页面 |\n|---|---|---|---|\n");
        for x in resolved {
            let _ = writeln!(
                o,
                "| {} | 已整改：{} | {} | <{}>{} |",
                x.site,
                rule_name_zh(&x.rule),
                x.column.as_deref().unwrap_or("—").replace('|', "\\|"),
                x.url,
                x.target
                    .as_ref()
                    .map(|t| format!("<br>失效链接：<{t}>"))
                    .unwrap_or_default()
            );
        }
        o.push('\n');
    }
    o
}

/// findings.csv: the extra header cells (only with history).
pub fn csv_header(r: &Report) -> &'static [&'static str] {
    if has_history(r) {
        &["状态", "首次发现"]
    } else {
        &[]
    }
}

/// findings.csv: the extra cells of a finding's row (only with history).
pub fn csv_cells(f: &Finding, r: &Report) -> Vec<String> {
    if !has_history(r) {
        return Vec::new();
    }
    vec![
        status_zh(f, r.as_of).unwrap_or_default(),
        f.first_seen.map(|d| d.to_string()).unwrap_or_default(),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::history::{Resolved, RunRef, TrendPoint};
    use crate::report::testdata;
    use chrono::NaiveDate;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn with_history() -> Report {
        let mut r = testdata::report();
        r.previous = Some(Some(RunRef {
            as_of: d("2026-11-20"),
            generated_at: "2026-11-20T02:00:00+08:00".into(),
            run: 1,
        }));
        r.findings[0].status = Some(FindingStatus::New);
        r.findings[0].first_seen = Some(d("2026-11-26"));
        r.findings[1].status = Some(FindingStatus::Persisting);
        r.findings[1].first_seen = Some(d("2026-11-12"));
        r.resolved = Some(vec![Resolved {
            id: "cccc".into(),
            rule: <crate::rules::column_empty::ColumnEmpty as crate::rules::RuleDef>::META
                .id
                .into(),
            site: "fgj".into(),
            url: "http://127.0.0.1:8080/fgj/tzgg/".into(),
            column: Some("通知公告".into()),
            target: None,
            first_seen: Some(d("2026-11-12")),
        }]);
        r.trend = Some(
            [("2026-11-20", 90.0), ("2026-11-26", 99.0)]
                .iter()
                .enumerate()
                .map(|(i, (a, s))| TrendPoint {
                    run: i as i64 + 1,
                    as_of: d(a),
                    generated_at: String::new(),
                    failing: 1,
                    scores: [("fgj".to_string(), *s), ("jyj".to_string(), 100.0)].into(),
                })
                .collect(),
        );
        r
    }

    #[test]
    fn nothing_without_history() {
        let r = testdata::report();
        assert_eq!(badge_html(&r.findings[0], &r), "");
        assert_eq!(district_html(&r), "");
        // Only the worklist link, which every report has.
        let link = site_html(&r, "fgj");
        assert!(link.contains("<a href=\"worklists/fgj.html\">") && !link.contains("svg"));
        assert_eq!(resolved_html(&r), "");
        assert_eq!(markdown(&r), "");
        assert!(csv_header(&r).is_empty() && csv_cells(&r.findings[0], &r).is_empty());
    }

    #[test]
    fn badges_resolved_and_trends() {
        let r = with_history();
        assert!(badge_html(&r.findings[0], &r).contains(">新增</span>"));
        assert!(badge_html(&r.findings[1], &r).contains(">持续 14 天</span>"));
        assert_eq!(badge_md(&r.findings[1], &r), "【持续 14 天】");
        let top = district_html(&r);
        assert!(
            top.contains("与上次监测（2026-11-20）相比：新增问题 1 条，持续 1 条，已整改 1 条。")
        );
        assert!(top.contains("id=\"trend-district\"") && top.contains("data-points=\"2\""));
        // Average of 90 and 100, then of 99 and 100.
        assert!(
            top.contains("2026-11-20：95") && top.contains("2026-11-26：99.5"),
            "{top}"
        );
        let site = site_html(&r, "fgj");
        assert!(site.contains("新增 1 条 · 持续 0 条 · 已整改 1 条"));
        assert!(site.contains("2026-11-20：90"));
        let res = resolved_html(&r);
        assert!(res.contains("已整改（1 条）") && res.contains("data-resolved=\"cccc\""));
        assert!(markdown(&r).contains("| fgj | 已整改：空白栏目 | 通知公告 |"));
        assert_eq!(csv_cells(&r.findings[1], &r), ["持续 14 天", "2026-11-12"]);
    }
}
