//! report.md: the overview table and each department's worklist in Markdown.

use std::fmt::Write;

use super::{advice_zh, evidence_zh, fmt_points, rule_name_zh, Format, Report};
use crate::rules::RULES;
use crate::score::Verdict;

/// The report.md writer.
pub struct Markdown;

/// Escape a table cell.
fn cell(s: &str) -> String {
    s.replace('\\', "\\\\")
        .replace('|', "\\|")
        .replace(['\n', '\r'], " ")
}

impl Format for Markdown {
    fn file_name(&self) -> &'static str {
        "report.md"
    }
    fn render(&self, r: &Report) -> Vec<u8> {
        let mut o = String::new();
        let _ = writeln!(o, "# {}\n", cell(&r.heading()));
        let _ = writeln!(
            o,
            "- 监测时间点：{}\n- 生成时间：{}\n- 评分标准：{}（{}）\n- 合格线：{} 分\n- 站点 {} 个，合格 {} 个，不合格 {} 个；问题 {} 条\n",
            r.as_of,
            r.generated_at,
            r.profile_title.as_deref().unwrap_or(&r.profile),
            r.profile,
            fmt_points(r.pass_mark),
            r.sites.len(),
            r.sites.len() - r.failing(),
            r.failing(),
            r.findings.len()
        );
        o.push_str(&super::history_view::markdown(r)); // history hook
        let _ = writeln!(o, "## 总体情况\n");
        let mut head = String::from("| 站点 | 结论 | 得分 | 单项否决 |");
        let mut sep = String::from("|---|---|---:|---|");
        for rule in RULES {
            let _ = write!(head, " {} |", rule.name_zh());
            sep.push_str("---:|");
        }
        let _ = writeln!(o, "{head}\n{sep}");
        for s in &r.sites {
            let vetoes: Vec<&str> = s.vetoes.iter().map(|v| rule_name_zh(v)).collect();
            let _ = write!(
                o,
                "| [{}](#{}) | {} | {} | {} |",
                cell(&s.name),
                s.id,
                if s.verdict == Verdict::Pass {
                    "合格"
                } else {
                    "**不合格**"
                },
                fmt_points(s.score),
                if vetoes.is_empty() {
                    "—".to_string()
                } else {
                    vetoes.join("、")
                }
            );
            for rule in RULES {
                let n = r.findings_of(&s.id).filter(|f| f.rule == rule.id()).count();
                let _ = write!(o, " {n} |");
            }
            o.push('\n');
        }
        o.push('\n');
        for s in &r.sites {
            let _ = writeln!(
                o,
                "## {}（{}，得分 {}）<a id=\"{}\"></a>\n",
                cell(&s.name),
                s.verdict.label_zh(),
                fmt_points(s.score),
                s.id
            );
            let _ = writeln!(o, "网址：<{}>", s.url);
            if let Some(owner) = &s.owner {
                let _ = writeln!(o, "\n联系人：{}", cell(owner));
            }
            let _ = writeln!(
                o,
                "\n抓取页面 {} 个，栏目 {} 个，检查链接 {} 个，失效链接 {} 个。\n",
                s.stats.pages, s.stats.columns, s.stats.links_checked, s.stats.broken_links
            );
            // The score sheet: groups (一级指标), then each indicator with its group.
            let _ = writeln!(o, "| 一级指标 | 分值 | 扣分 | 得分 |\n|---|---:|---:|---:|");
            for g in &s.groups {
                let _ = writeln!(
                    o,
                    "| {} | {} | {} | {} |",
                    cell(&g.group),
                    fmt_points(g.points),
                    fmt_points(g.lost),
                    fmt_points(g.kept)
                );
            }
            let _ = writeln!(
                o,
                "\n| 一级指标 | 指标 | 问题数 | 结果 |\n|---|---|---:|---|"
            );
            for ind in &s.indicators {
                let group = s
                    .groups
                    .iter()
                    .find(|g| ind.group == Some(g.id))
                    .map_or("—", |g| g.group.as_str());
                let result = if ind.veto {
                    "**不合格（单项否决）**".to_string()
                } else if ind.deducted > 0.0 {
                    format!("扣 {} 分", fmt_points(ind.deducted))
                } else {
                    "合格".to_string()
                };
                let _ = writeln!(
                    o,
                    "| {} | {} | {} | {} |",
                    cell(group),
                    cell(&ind.name),
                    ind.findings,
                    result
                );
            }
            let findings: Vec<_> = r.findings_of(&s.id).collect();
            let _ = writeln!(o, "\n### 整改清单（{} 条）\n", findings.len());
            if findings.is_empty() {
                let _ = writeln!(o, "未发现问题。\n");
            } else {
                let _ = writeln!(
                    o,
                    "| # | 问题 | 栏目 | 页面 | 证据 | 整改要求 | 扣分 |\n|---:|---|---|---|---|---|---:|"
                );
                for (i, f) in findings.iter().enumerate() {
                    let _ = writeln!(
                        o,
                        "| {} | {}{}：{} | {} | <{}>{} | {} | {} | {} |",
                        i + 1,
                        super::history_view::badge_md(f, r), // history hook
                        f.severity.label_zh(),
                        cell(&f.message),
                        cell(f.column.as_deref().unwrap_or("—")),
                        f.url,
                        f.target
                            .as_ref()
                            .map(|t| format!("<br>失效链接：<{t}>"))
                            .unwrap_or_default(),
                        cell(&evidence_zh(f)),
                        advice_zh(&f.rule),
                        fmt_points(f.points)
                    );
                }
                o.push('\n');
            }
            if !s.typo_allow.is_empty() {
                let _ = writeln!(
                    o,
                    "本站错别字豁免词（不予报告）：{}\n",
                    cell(&s.typo_allow.join("、"))
                );
            }
            if !s.crawl_errors.is_empty() {
                let _ = writeln!(o, "抓取错误（不计入问题，请核实）：\n");
                for e in &s.crawl_errors {
                    let _ = writeln!(o, "- <{}>：{}（{}）", e.url, cell(&e.error), e.what);
                }
                o.push('\n');
            }
        }
        if !r.typo_allow_district.is_empty() {
            let _ = writeln!(
                o,
                "## 附：全区错别字豁免词表\n\n{}\n",
                cell(&r.typo_allow_district.join("、"))
            );
        }
        o.into_bytes()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::testdata;

    #[test]
    fn overview_and_worklists() {
        let md = String::from_utf8(Markdown.render(&testdata::report())).unwrap();
        assert!(md.starts_with("# 某区网站检查报告\n"));
        assert!(
            md.contains("| [区发展和改革局](#fgj) | 合格 | 99 | — |"),
            "{md}"
        );
        assert!(md.contains("| [区教育局](#jyj) | **不合格** | 100 | 首页不更新 |"));
        assert!(md.contains("## 区教育局（不合格，得分 100）"));
        assert!(md.contains("| 首页不更新 | 1 | **不合格（单项否决）** |"));
        assert!(md.contains("| 链接可用性 | 1 | 扣 1 分 |"));
        assert!(md.contains("| 1 | 单项否决：首页最近一次更新为2026-10-01"));
        assert_eq!(cell("a|b\nc"), "a\\|b c");
        assert!(md.contains("本站错别字豁免词（不予报告）：云溪小镇"));
        assert!(md.contains("## 附：全区错别字豁免词表\n\n蒲圻路"));
    }
}
