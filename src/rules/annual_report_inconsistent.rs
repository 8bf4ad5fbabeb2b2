//! # annual-report-inconsistent — 年度报告数据勾稽关系
//!
//! ## What it checks
//! Every 政府信息公开工作年度报告 page the crawl fetched (title with
//! 政府信息公开 + 年度报告/年报, or text holding table 三 of the template), in
//! both template generations (国办公开办函〔2019〕60号, 〔2021〕30号), read by
//! `extract::annual_report` from the page text — HTML tables with the
//! template's colspan/rowspan layout and CMS-flattened text alike:
//! - table 三, per column: 一、本年新收 + 二、上年结转 = 三（七）总计 +
//!   四、结转下年度继续办理 (the template prints this identity in the table);
//! - table 三, per column: the sub-rows of 三、本年度办理结果 （一）…（六）
//!   sum to （七）总计 (only when every sub-row was read: 21 in the 2021
//!   format, 19 in the 2019 one);
//! - table 三, per row: 自然人 + the five 法人或其他组织 columns = 总计;
//! - table 四, per group (行政复议, 未经复议直接起诉, 复议后起诉): 结果维持 +
//!   结果纠正 + 其他结果 + 尚未审结 = 总计;
//! - figures the text of 一、总体情况 states (收到…申请 N 件, 行政复议 N 件,
//!   行政诉讼 N 件) against the tables;
//! - across years, when the site shows both reports with table 三 read: this
//!   year's 二、上年结转 equals last year's 四、结转下年度继续办理, per column.
//!   One finding at this year's report for all columns that differ, the cells
//!   of both reports and both URLs in its evidence; a warn, not a deduction,
//!   when either table breaks one of its own identities (which figure is
//!   wrong is then a guess).
//!
//! One finding per broken identity. A table that cannot be read with
//! confidence (a row without exactly 7 numbers, table 四 without exactly 15)
//! gives no finding at all. A table identity broken deducts; a text figure
//! that contradicts the table is a warn (a clerk reads the sentence: 收到
//! may count 上年结转 too, so it fires only when the figure equals neither
//! 本年新收 nor 本年新收 + 上年结转; a 诉讼 figure only when it equals
//! neither group nor their sum).
//!
//! ## Why it matters
//! 条例 art. 50 and the template itself (本列数据的勾稽关系为：第一项加第二项之和，
//! 等于第三项加第四项之和); reports that are inaccurate bring accountability
//! (〔2021〕30号). Real reports break it, and their summaries contradict their
//! own tables.
//!
//! ## Example
//! 自然人 column: 新收 31 + 结转 2 = 33, but （七）总计 30 + 结转下年度 2 = 32 ⇒
//! one finding at the report's URL, evidence `{ "identity":
//! "第一项加第二项之和等于第三项加第四项之和（自然人列）", "cells": {
//! "一、本年新收｜自然人": 31, … }, "quote": "31+2=33，30+2=32" }`.
//!
//! ## Settings
//! None.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::{Context, Evidence, Finding, Group, Indicator, Meta, RuleDef, Severity};
use crate::extract::annual_report::{
    self, AnnualReport, Row, Stated, Table3, APPLICANT_COLUMNS, REVIEW_CELLS, REVIEW_GROUPS,
};
use crate::site::Site;

/// The rule.
pub struct AnnualReportInconsistent;

/// report.json `evidence` of a finding.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct AnnualReportInconsistentEvidence {
    /// The year the report covers, from its title.
    pub year: Option<i32>,
    /// The identity broken, in words.
    pub identity: String,
    /// The cells involved: `row｜column` → value.
    pub cells: BTreeMap<String, i64>,
    /// The sentence of the text, or the sums as computed.
    pub quote: String,
    /// The cross-year check: the previous year's report, whose 四、结转下年度
    /// 继续办理 this report's 二、上年结转 must equal.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub previous_url: String,
}

impl Evidence for AnnualReportInconsistentEvidence {
    fn summary_zh(&self) -> String {
        let cells: Vec<String> = self.cells.iter().map(|(k, v)| format!("{k}={v}")).collect();
        let previous = if self.previous_url.is_empty() {
            String::new()
        } else {
            format!("；上年度报告：{}", self.previous_url)
        };
        format!(
            "{}；{}；{}{previous}",
            self.identity,
            cells.join("，"),
            self.quote
        )
    }
}

impl RuleDef for AnnualReportInconsistent {
    const META: Meta = Meta {
        id: "annual-report-inconsistent",
        name_zh: "年度报告数据勾稽关系",
        advice_zh: "核对年度报告表格数据及正文表述，更正后重新发布并说明更正情况。",
        severity: Severity::Deduct,
        group: Group::Publish,
        source: include_str!("annual_report_inconsistent.rs"),
    };
    type Settings = ();
    type Evidence = AnnualReportInconsistentEvidence;

    fn default_indicator() -> Indicator {
        Indicator {
            cap: Some(4.0),
            ..Indicator::points(1.0)
        }
    }

    fn run(&self, site: &Site, _ctx: &Context, _: &()) -> Vec<Finding> {
        let mut out = Vec::new();
        let mut seen = std::collections::HashSet::new();
        // Table 三 of each year's first report page: (url, table, sure).
        let mut by_year: BTreeMap<i32, (String, Table3, bool)> = BTreeMap::new();
        for page in site.full_pages() {
            if !annual_report::is_report_page(&page.title, &page.text)
                || !seen.insert(page.url.clone())
            {
                continue;
            }
            let report = annual_report::parse(&page.text);
            let year = annual_report::report_year(&page.title);
            if let (Some(y), Some(t)) = (year, &report.table3) {
                let mut own = Vec::new();
                table3_breaks(t, &mut own);
                by_year
                    .entry(y)
                    .or_insert_with(|| (page.url.clone(), t.clone(), own.is_empty()));
            }
            // The identity is the finding's fingerprint part (contract: rule +
            // site + url + identity): one finding per identity and page.
            let mut identities = std::collections::HashSet::new();
            for b in breaks(&report) {
                if !identities.insert(b.identity.clone()) {
                    continue;
                }
                let message = if b.severity == Severity::Warn {
                    format!(
                        "《{}》正文表述“{}”与表格数据不一致，请核对。",
                        page.title, b.quote
                    )
                } else {
                    format!(
                        "《{}》数据勾稽关系不符：应满足“{}”，实际为{}，请核对更正。",
                        page.title, b.identity, b.quote
                    )
                };
                let extra = b.identity.clone();
                out.push(Finding::new(
                    Self::META.id,
                    site,
                    &page.url,
                    Some(&extra),
                    None,
                    b.severity,
                    message,
                    &AnnualReportInconsistentEvidence {
                        year,
                        identity: b.identity,
                        cells: b.cells,
                        quote: b.quote,
                        previous_url: String::new(),
                    },
                ));
            }
        }
        for (&y, (url, t, sure)) in &by_year {
            let Some((prev_url, prev, prev_sure)) = by_year.get(&(y - 1)) else {
                continue;
            };
            let differ: Vec<usize> = (0..APPLICANT_COLUMNS.len())
                .filter(|&c| t.carried.values[c] != prev.forward.values[c])
                .collect();
            if differ.is_empty() {
                continue;
            }
            let mut cells = BTreeMap::new();
            for &c in &differ {
                let col = APPLICANT_COLUMNS[c];
                cells.insert(format!("{y}年｜二、上年结转｜{col}"), t.carried.values[c]);
                cells.insert(
                    format!("{}年｜四、结转下年度继续办理｜{col}", y - 1),
                    prev.forward.values[c],
                );
            }
            let quote = differ
                .iter()
                .map(|&c| {
                    format!(
                        "{}：{y}年上年结转{}，{}年结转下年度{}",
                        APPLICANT_COLUMNS[c],
                        t.carried.values[c],
                        y - 1,
                        prev.forward.values[c]
                    )
                })
                .collect::<Vec<_>>()
                .join("；");
            let severity = if *sure && *prev_sure {
                Severity::Deduct
            } else {
                Severity::Warn
            };
            let message = format!(
                "{y}年度报告表三“二、上年结转”与{}年度报告“四、结转下年度继续办理”不一致（{quote}），请核对更正。",
                y - 1
            );
            out.push(Finding::new(
                Self::META.id,
                site,
                url,
                Some(CROSS_YEAR),
                None,
                severity,
                message,
                &AnnualReportInconsistentEvidence {
                    year: Some(y),
                    identity: CROSS_YEAR.into(),
                    cells,
                    quote,
                    previous_url: prev_url.to_string(),
                },
            ));
        }
        out
    }
}

/// The cross-year identity, in words.
const CROSS_YEAR: &str = "本年度“二、上年结转”等于上年度报告“四、结转下年度继续办理”";

/// One broken identity.
struct Break {
    identity: String,
    cells: BTreeMap<String, i64>,
    quote: String,
    severity: Severity,
}

/// Short row name for cell keys.
fn row_name(r: &Row) -> String {
    let l = r.label.as_str();
    for (k, name) in [
        ("本年新收", "一、本年新收"),
        ("上年结转", "二、上年结转"),
        ("结转下年度", "四、结转下年度继续办理"),
    ] {
        if l.contains(k) {
            return name.into();
        }
    }
    if l.contains("（七）") || l.ends_with("总计") {
        return "三、（七）总计".into();
    }
    let l = l.strip_prefix("三、本年度办理结果").unwrap_or(l);
    l.chars().take(40).collect()
}

fn cell(r: &Row, c: usize) -> (String, i64) {
    (
        format!("{}｜{}", row_name(r), APPLICANT_COLUMNS[c]),
        r.values[c],
    )
}

fn table3_breaks(t: &Table3, out: &mut Vec<Break>) {
    for (c, col) in APPLICANT_COLUMNS.iter().enumerate() {
        let (a, b, s, f) = (
            t.new.values[c],
            t.carried.values[c],
            t.total.values[c],
            t.forward.values[c],
        );
        if a + b != s + f {
            out.push(Break {
                identity: format!("第一项加第二项之和等于第三项加第四项之和（{col}列）"),
                cells: [
                    cell(&t.new, c),
                    cell(&t.carried, c),
                    cell(&t.total, c),
                    cell(&t.forward, c),
                ]
                .into_iter()
                .collect(),
                quote: format!("{a}+{b}={}，{s}+{f}={}", a + b, s + f),
                severity: Severity::Deduct,
            });
        }
    }
    if let Some(results) = &t.results {
        for (c, col) in APPLICANT_COLUMNS.iter().enumerate() {
            let sum: i64 = results.iter().map(|r| r.values[c]).sum();
            if sum != t.total.values[c] {
                let mut cells: BTreeMap<String, i64> = results
                    .iter()
                    .filter(|r| r.values[c] != 0)
                    .map(|r| cell(r, c))
                    .collect();
                cells.extend([cell(&t.total, c)]);
                out.push(Break {
                    identity: format!("本年度办理结果各项之和等于（七）总计（{col}列）"),
                    cells,
                    quote: format!("各项之和={sum}，（七）总计={}", t.total.values[c]),
                    severity: Severity::Deduct,
                });
            }
        }
    }
    for r in t.rows() {
        let sum: i64 = r.values[..6].iter().sum();
        if sum != r.values[6] {
            out.push(Break {
                identity: format!(
                    "“{}”行：自然人与法人或其他组织各列之和等于总计",
                    row_name(r)
                ),
                cells: (0..7).map(|c| cell(r, c)).collect(),
                quote: format!("各列之和={sum}，总计={}", r.values[6]),
                severity: Severity::Deduct,
            });
        }
    }
}

fn breaks(report: &AnnualReport) -> Vec<Break> {
    let mut out = Vec::new();
    if let Some(t) = &report.table3 {
        table3_breaks(t, &mut out);
    }
    if let Some(t4) = &report.table4 {
        for (g, name) in t4.groups.iter().zip(REVIEW_GROUPS) {
            let sum: i64 = g[..4].iter().sum();
            if sum != g[4] {
                out.push(Break {
                    identity: format!("{name}：结果维持、结果纠正、其他结果、尚未审结之和等于总计"),
                    cells: g
                        .iter()
                        .zip(REVIEW_CELLS)
                        .map(|(v, c)| (format!("{name}｜{c}"), *v))
                        .collect(),
                    quote: format!("四项之和={sum}，总计={}", g[4]),
                    severity: Severity::Deduct,
                });
            }
        }
    }
    for s in &report.statements {
        let (accepted, cells, what): (Vec<i64>, Vec<(String, i64)>, &str) = match s.kind {
            Stated::Applications => {
                let Some(t) = &report.table3 else { continue };
                let (n, c) = (t.new.values[6], t.carried.values[6]);
                (
                    vec![n, n + c],
                    vec![cell(&t.new, 6), cell(&t.carried, 6)],
                    "正文所述收到申请数与表三“本年新收”总计一致",
                )
            }
            Stated::Review => {
                let Some(t4) = &report.table4 else { continue };
                (
                    vec![t4.groups[0][4]],
                    vec![(format!("{}｜总计", REVIEW_GROUPS[0]), t4.groups[0][4])],
                    "正文所述行政复议数与表四一致",
                )
            }
            Stated::Litigation => {
                let Some(t4) = &report.table4 else { continue };
                let (d, p) = (t4.groups[1][4], t4.groups[2][4]);
                (
                    vec![d, p, d + p],
                    vec![
                        (format!("{}｜总计", REVIEW_GROUPS[1]), d),
                        (format!("{}｜总计", REVIEW_GROUPS[2]), p),
                    ],
                    "正文所述行政诉讼数与表四一致",
                )
            }
        };
        if accepted.contains(&s.value) {
            continue;
        }
        let mut cells: BTreeMap<String, i64> = cells.into_iter().collect();
        cells.insert("正文".into(), s.value);
        out.push(Break {
            identity: what.into(),
            cells,
            quote: s.quote.clone(),
            severity: Severity::Warn,
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::testutil::*;
    use crate::site::{Page, PageKind};

    /// A 2021-format report as flattened text, consistent.
    pub(crate) fn report_text() -> String {
        let mut t = String::from(
            "一、总体情况 2025年，本局共收到政府信息公开申请33件。本年度发生政府信息公开行政复议2件，行政诉讼1件。 \
             二、主动公开政府信息情况 第二十条第（一）项 信息内容 本年制发件数 本年废止件数 现行有效件数 规章 0 0 0 \
             三、收到和处理政府信息公开申请情况 （本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和） 申请人情况 自然人 法人或其他组织 总计 商业企业 科研机构 社会公益组织 法律服务机构 其他 \
             一、本年新收政府信息公开申请数量 30 2 0 0 1 0 33 二、上年结转政府信息公开申请数量 2 0 0 0 0 0 2 \
             三、本年度办理结果 （一）予以公开 20 1 0 0 1 0 22 （二）部分公开 3 0 0 0 0 0 3 ",
        );
        for i in 1..=8 {
            t.push_str(&format!("{i}.不予公开情形 0 0 0 0 0 0 0 "));
        }
        t.push_str("（四）无法提供 1.本机关不掌握相关政府信息 5 1 0 0 0 0 6 2.没有现成信息需要另行制作 0 0 0 0 0 0 0 3.补正后申请内容仍不明确 0 0 0 0 0 0 0 ");
        for i in 1..=5 {
            t.push_str(&format!("{i}.不予处理情形 0 0 0 0 0 0 0 "));
        }
        t.push_str("（六）其他处理 1.逾期不补正 1 0 0 0 0 0 1 2.逾期未缴费 0 0 0 0 0 0 0 3.其他 0 0 0 0 0 0 0 ");
        t.push_str("（七）总计 29 2 0 0 1 0 32 四、结转下年度继续办理 3 0 0 0 0 0 3 ");
        t.push_str("四、政府信息公开行政复议、行政诉讼情况 行政复议 行政诉讼 结果维持 结果纠正 其他结果 尚未审结 总计 未经复议直接起诉 复议后起诉 结果维持 结果纠正 其他结果 尚未审结 总计 结果维持 结果纠正 其他结果 尚未审结 总计 1 1 0 0 2 1 0 0 0 1 0 0 0 0 0 ");
        t.push_str("五、存在的主要问题及改进情况 无。 六、其他需要报告的事项 无。");
        t
    }

    fn site_with(text: &str) -> Site {
        let mut s = site();
        s.pages = vec![Page {
            url: "http://127.0.0.1/fgj/nb/2025.html".into(),
            kind: PageKind::Article,
            title: "区发展和改革局2025年政府信息公开工作年度报告".into(),
            text: text.into(),
            ..Default::default()
        }];
        s
    }

    #[test]
    fn consistent_report_is_silent_and_fully_read() {
        let t = report_text();
        let r = annual_report::parse(&t);
        assert_eq!(r.sections, [true; 6]);
        let t3 = r.table3.as_ref().unwrap();
        assert_eq!(t3.results.as_ref().unwrap().len(), 21);
        assert!(r.table4.is_some());
        assert_eq!(r.statements.len(), 3);
        let env = Env::new();
        assert!(AnnualReportInconsistent
            .check(&site_with(&t), &env.ctx("2026-11-26"))
            .is_empty());
    }

    #[test]
    fn each_break_fires_once() {
        let env = Env::new();
        // 结转下年度 自然人 3 → 4 breaks the balance (自然人) and the row sum.
        let t = report_text().replace(
            "结转下年度继续办理 3 0 0 0 0 0 3",
            "结转下年度继续办理 4 0 0 0 0 0 3",
        );
        let f = AnnualReportInconsistent.check(&site_with(&t), &env.ctx("2026-11-26"));
        let ids: Vec<&str> = f
            .iter()
            .map(|f| f.evidence["identity"].as_str().unwrap())
            .collect();
        assert_eq!(ids.len(), 2, "{ids:?}");
        assert!(ids[0].contains("自然人列"));
        assert!(ids[1].contains("四、结转下年度继续办理"));
        assert_eq!(f[0].evidence["cells"]["四、结转下年度继续办理｜自然人"], 4);
        assert_eq!(f[0].evidence["quote"], "30+2=32，29+4=33");
        assert_eq!(f[0].evidence["year"], 2025);

        // A sub-row changed: sub-rows no longer sum to the total, and its row sum breaks.
        let t = report_text().replace("（二）部分公开 3 0", "（二）部分公开 4 0");
        let f = AnnualReportInconsistent.check(&site_with(&t), &env.ctx("2026-11-26"));
        assert_eq!(f.len(), 2);
        assert!(f[0].evidence["identity"]
            .as_str()
            .unwrap()
            .starts_with("本年度办理结果各项之和"));

        // Table 四 total wrong.
        let t = report_text().replace("1 1 0 0 2 1 0", "1 1 0 0 3 1 0");
        let f = AnnualReportInconsistent.check(&site_with(&t), &env.ctx("2026-11-26"));
        assert_eq!(f.len(), 2, "{f:?}"); // the group, and the text's 复议 2件 against 3
        assert!(f[0].evidence["identity"]
            .as_str()
            .unwrap()
            .starts_with("行政复议"));
        assert_eq!(f[1].severity, Severity::Warn);
        assert!(f[1].evidence["quote"]
            .as_str()
            .unwrap()
            .contains("行政复议2件"));

        // The text says 40 applications above a table of 33.
        let t = report_text().replace("收到政府信息公开申请33件", "收到政府信息公开申请40件");
        let f = AnnualReportInconsistent.check(&site_with(&t), &env.ctx("2026-11-26"));
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].evidence["cells"]["正文"], 40);
        // 35 = 新收 + 结转: a reading the sentence allows.
        let t = report_text().replace("收到政府信息公开申请33件", "收到政府信息公开申请35件");
        assert!(AnnualReportInconsistent
            .check(&site_with(&t), &env.ctx("2026-11-26"))
            .is_empty());
    }

    fn two_years(this: &str, last: &str) -> Site {
        let mut s = site();
        for (y, text) in [(2025, this), (2024, last)] {
            s.pages.push(Page {
                url: format!("http://127.0.0.1/fgj/nb/{y}.html"),
                kind: PageKind::Article,
                title: format!("区发展和改革局{y}年政府信息公开工作年度报告"),
                text: text.into(),
                ..Default::default()
            });
        }
        s
    }

    #[test]
    fn this_years_carried_over_is_last_years_carried_forward() {
        let env = Env::new();
        let ctx = env.ctx("2026-11-26");
        // 2024 carries 3 forward; a consistent 2025 takes 3 over (and so
        // carries 4 forward): silent.
        let chained = report_text()
            .replace(
                "上年结转政府信息公开申请数量 2 0 0 0 0 0 2",
                "上年结转政府信息公开申请数量 3 0 0 0 0 0 3",
            )
            .replace(
                "结转下年度继续办理 3 0 0 0 0 0 3",
                "结转下年度继续办理 4 0 0 0 0 0 4",
            );
        let f = AnnualReportInconsistent.check(&two_years(&chained, &report_text()), &ctx);
        assert!(f.is_empty(), "{f:?}");
        // Both consistent, 2025 takes 2 over: one deduction at 2025, both
        // reports' cells and URLs.
        let f = AnnualReportInconsistent.check(&two_years(&report_text(), &report_text()), &ctx);
        assert_eq!(f.len(), 1, "{f:?}");
        assert_eq!(f[0].severity, Severity::Deduct);
        assert!(f[0].url.ends_with("/2025.html"));
        assert!(f[0].evidence["previous_url"]
            .as_str()
            .unwrap()
            .ends_with("/2024.html"));
        assert_eq!(f[0].evidence["cells"]["2025年｜二、上年结转｜自然人"], 2);
        assert_eq!(
            f[0].evidence["cells"]["2024年｜四、结转下年度继续办理｜总计"],
            3
        );
        assert_eq!(f[0].evidence["cells"].as_object().unwrap().len(), 4);
        // Last year's table breaks its own balance: which figure is wrong is
        // a guess — a warn beside that report's own finding.
        let broken = report_text().replace(
            "结转下年度继续办理 3 0 0 0 0 0 3",
            "结转下年度继续办理 4 0 0 0 0 0 4",
        );
        let f = AnnualReportInconsistent.check(&two_years(&report_text(), &broken), &ctx);
        let cross: Vec<_> = f
            .iter()
            .filter(|f| f.evidence["identity"] == CROSS_YEAR)
            .collect();
        assert_eq!(cross.len(), 1, "{f:?}");
        assert_eq!(cross[0].severity, Severity::Warn);
    }

    #[test]
    fn unreadable_table_gives_nothing() {
        let env = Env::new();
        // An empty cell: the row has 6 numbers, the table is not read.
        let t = report_text().replace(
            "一、本年新收政府信息公开申请数量 30 2 0 0 1 0 33",
            "一、本年新收政府信息公开申请数量 30 2 0 1 0 99",
        );
        let r = annual_report::parse(&t);
        assert!(r.table3.is_none());
        let f = AnnualReportInconsistent.check(&site_with(&t), &env.ctx("2026-11-26"));
        assert!(f.is_empty(), "{f:?}");
    }
}
