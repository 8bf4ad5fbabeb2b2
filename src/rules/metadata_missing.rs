//! # metadata-missing — 信息公开目录要素
//!
//! ## What it checks
//! Documents of the 政府信息公开 catalogue show their metadata: 索引号,
//! 发布机构, 生成日期 or 成文日期, and for policy documents 文号. A document
//! is an article page that shows the 索引号 label, or sits in a 信息公开目录
//! table column (`gkml-table`) or a policy (政策文件) column; a policy
//! document is one in a policy column or one showing the 文号 label. A label
//! shown with nothing after it counts as missing. One finding per site, at
//! its start URL, with the documents checked, those missing a field, how
//! many miss each field, and up to five examples. It deducts when a document
//! shows a metadata block (索引号, 发布机构, 文号, 生成日期 or 成文日期)
//! with a field left out; when the only documents lacking fields are
//! policy-column articles showing no block at all (news filed there, or a
//! block drawn by script), it is a warning to check, not a deduction.
//!
//! ## Why it matters
//! 2019 发布解读 and the 政府信息公开目录 standard: every catalogue entry
//! carries its 索引号, 发布机构 and dates; a 政策文件 without 文号 or 成文日期
//! cannot be cited.
//!
//! ## Example
//! Ten policy documents, three of them without 文号 ⇒ evidence
//! `{ "documents_checked": 10, "documents_missing": 3, "missing_fields":
//! {"文号": 3}, "examples": [{"url": …, "missing": ["文号"]}] }`.
//!
//! ## Settings
//! None.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::{
    Context, Evidence, Finding, Group, Indicator, Meta, MissingExample, RuleDef, Severity, Tally,
};
use crate::site::{ColumnClass, PageKind, Site};

/// The rule.
pub struct MetadataMissing;

/// report.json `evidence` of a finding.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct MetadataEvidence {
    /// Catalogue documents looked at.
    pub documents_checked: usize,
    /// Of which lack at least one field.
    pub documents_missing: usize,
    /// Field → number of documents without it.
    pub missing_fields: BTreeMap<String, usize>,
    /// Up to five documents and what each lacks.
    pub examples: Vec<MissingExample>,
}

impl Evidence for MetadataEvidence {
    fn summary_zh(&self) -> String {
        let f: Vec<String> = self
            .missing_fields
            .iter()
            .map(|(k, n)| format!("{k}（{n}篇）"))
            .collect();
        format!(
            "检查公开文件{}篇，{}篇缺少要素：{}",
            self.documents_checked,
            self.documents_missing,
            f.join("、")
        )
    }
}

/// What a document lacks (`None`: the page is not a catalogue document), and
/// whether it shows a metadata block at all (one of the labels).
fn missing_fields(site: &Site, page: &crate::site::Page) -> Option<(Vec<String>, bool)> {
    let col = page
        .column
        .as_ref()
        .and_then(|u| site.columns.iter().find(|c| &c.url == u));
    let policy_col = col.is_some_and(|c| c.class == ColumnClass::Policy);
    let gkml = col.is_some_and(|c| c.style == "gkml-table");
    let f = &page.facts.fields;
    if !(policy_col || gkml || f.contains_key("索引号")) {
        return None;
    }
    let has = |k: &str| f.get(k).is_some_and(|v| !v.trim().is_empty());
    let mut missing = Vec::new();
    for k in ["索引号", "发布机构"] {
        if !has(k) {
            missing.push(k.to_string());
        }
    }
    if !has("生成日期") && !has("成文日期") {
        missing.push("生成日期/成文日期".into());
    }
    if (policy_col || f.contains_key("文号")) && !has("文号") {
        missing.push("文号".into());
    }
    // 发布日期 / 发布时间 alone is on every news page: no catalogue block.
    let shows_block = ["索引号", "发布机构", "文号", "生成日期", "成文日期"]
        .iter()
        .any(|k| f.contains_key(k));
    Some((missing, shows_block))
}

impl RuleDef for MetadataMissing {
    const META: Meta = Meta {
        id: "metadata-missing",
        name_zh: "信息公开目录要素",
        advice_zh:
            "为信息公开目录中的文件补齐索引号、发布机构、生成日期（成文日期），政策文件补齐文号。",
        severity: Severity::Deduct,
        group: Group::Publish,
        source: include_str!("metadata_missing.rs"),
    };
    type Settings = ();
    type Evidence = MetadataEvidence;

    fn default_indicator() -> Indicator {
        Indicator::points(1.0)
    }

    fn run(&self, site: &Site, _ctx: &Context, _: &()) -> Vec<Finding> {
        let mut tally = Tally::default();
        // A document showing a metadata block with a field left out is a
        // fact; an article of a policy column showing no block at all may be
        // a news item filed there (or its block may be drawn by script): a
        // warning for a clerk to look at, not a deduction on a guess.
        let mut block_incomplete = false;
        for p in site.pages.iter().filter(|p| p.kind == PageKind::Article) {
            if let Some((missing, shows_block)) = missing_fields(site, p) {
                block_incomplete |= shows_block && !missing.is_empty();
                tally.add(p, missing);
            }
        }
        if tally.missing == 0 {
            return vec![];
        }
        let (severity, message) = if block_incomplete {
            (
                Self::META.severity,
                format!(
                    "信息公开目录中{}篇文件有{}篇缺少{}等要素，请补齐。",
                    tally.checked,
                    tally.missing,
                    tally.names()
                ),
            )
        } else {
            (
                Severity::Warn,
                format!(
                    "政策文件栏目中{}篇文章有{}篇未显示索引号、发布机构等信息公开目录要素，请核实是否属于公开目录文件并补齐。",
                    tally.checked, tally.missing
                ),
            )
        };
        let ev = MetadataEvidence {
            documents_checked: tally.checked,
            documents_missing: tally.missing,
            missing_fields: tally.counts,
            examples: tally.examples,
        };
        vec![super::site_finding(
            &Self::META,
            site,
            severity,
            message,
            &ev,
        )]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::testutil::*;
    use crate::site::Page;

    fn doc(url: &str, col: &str, fields: &[(&str, &str)]) -> Page {
        let mut p = Page {
            url: url.into(),
            kind: PageKind::Article,
            column: Some(format!("http://127.0.0.1/fgj/col/{col}/index.html")),
            ..Default::default()
        };
        p.facts.fields = fields
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        p
    }

    #[test]
    fn counts_missing_fields_of_catalogue_documents() {
        let env = Env::new();
        let mut s = site();
        s.columns = vec![
            column("政策文件", ColumnClass::Policy, vec![]),
            column("工作动态", ColumnClass::Dynamic, vec![]),
        ];
        let full = [
            ("索引号", "001/2026-1"),
            ("发布机构", "区发改局"),
            ("成文日期", "2026-11-01"),
            ("文号", "区发改〔2026〕1号"),
        ];
        s.pages = vec![
            doc("http://x/1.html", "政策文件", &full),
            doc("http://x/2.html", "政策文件", &full[..2]),
            doc(
                "http://x/3.html",
                "政策文件",
                &[
                    ("索引号", ""),
                    ("发布机构", "区发改局"),
                    ("生成日期", "2026-11-01"),
                    ("文号", "x"),
                ],
            ),
            // News without any catalogue label: not a document.
            doc("http://x/4.html", "工作动态", &[]),
            // A news page showing 索引号 is a catalogue document (文号 not required).
            doc("http://x/5.html", "工作动态", &full[..3]),
        ];
        let f = MetadataMissing.check(&s, &env.ctx("2026-11-26"));
        assert_eq!(f.len(), 1);
        let e = &f[0].evidence;
        assert_eq!(e["documents_checked"], 4);
        assert_eq!(e["documents_missing"], 2);
        assert_eq!(e["missing_fields"]["文号"], 1);
        assert_eq!(e["missing_fields"]["生成日期/成文日期"], 1);
        assert_eq!(e["missing_fields"]["索引号"], 1);
        assert_eq!(f[0].severity, Severity::Deduct);
    }

    #[test]
    fn policy_articles_without_any_metadata_block_only_warn() {
        // Articles filed in a 政策文件 column that show no 索引号 / 发布机构 /
        // 文号 labels at all: maybe news items, maybe a block drawn by script.
        let env = Env::new();
        let mut s = site();
        s.columns = vec![column("政策文件", ColumnClass::Policy, vec![])];
        s.pages = vec![
            doc("http://x/1.html", "政策文件", &[]),
            doc("http://x/2.html", "政策文件", &[("发布日期", "2026-11-01")]),
        ];
        let f = MetadataMissing.check(&s, &env.ctx("2026-11-26"));
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].severity, Severity::Warn);
        assert_eq!(f[0].evidence["documents_missing"], 2);
        // One document with a block missing a field makes it a deduction.
        s.pages.push(doc(
            "http://x/3.html",
            "政策文件",
            &[("索引号", "001/2026-1")],
        ));
        let f = MetadataMissing.check(&s, &env.ctx("2026-11-26"));
        assert_eq!(f[0].severity, Severity::Deduct);
    }
}
