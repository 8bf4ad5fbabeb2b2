//! # column-empty — 空白栏目
//!
//! ## What it checks
//! A column (栏目) whose list has no items at all: an empty list, an empty
//! JCMS datastore, or a placeholder such as 暂无信息 / 暂无数据 / 正在建设中.
//! A column whose list could not be loaded (`load_error`: HTTP error, timeout)
//! is **not** empty — that is a crawl error, listed in the report's
//! `crawl_errors`, never a finding.
//!
//! Nor is a single-page column (单页栏目: 机构职能, 信息公开指南, 领导信息 …)
//! whose page carries its own text — at least 60 Chinese characters once
//! navigation, breadcrumb, footer, sidebars, link texts and boilerplate
//! (版权所有, 主办单位, 网站标识码 …) are left out — dated or not; nor a
//! channel whose page is an entrance (a letter or consultation form, a query
//! form, a link out to a service platform). An empty list container or a
//! 暂无信息 with a short intro (under 200 characters) is still empty.
//!
//! ## Why it matters
//! 单项否决「栏目不更新 ③ 空白栏目」(国办秘函〔2019〕19号): 5 or more
//! (超过(含)5个) columns with no content fail the site; fewer still deduct
//! points (`[indicators.column-empty]` in the profile: `veto-at-least = 5`).
//!
//! ## Example
//! 「通知公告」 list page shows only 暂无信息 ⇒ one finding at the column URL,
//! evidence `{ "items": 0, "placeholder": true }`.
//!
//! ## Settings
//! `rules/column-empty.toml` beside the profile (compiled in for the built-in
//! profiles; read from the folder of a profile given as a path):
//! - `skip_name_keywords` (default `[]`): columns whose name contains one of
//!   these words are never reported (e.g. a column kept on purpose).

use serde::{Deserialize, Serialize};

use super::{Context, Evidence, Facts, Finding, Group, Indicator, Meta, RuleDef, Severity};
use crate::site::{ColumnClass, ColumnKind, Site};

/// The rule.
pub struct ColumnEmpty;

/// Settings from `rules/column-empty.toml`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Settings {
    /// Columns whose name contains one of these words are skipped.
    pub skip_name_keywords: Vec<String>,
}

/// report.json `evidence` of a finding.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ColumnEmptyEvidence {
    /// Always 0.
    pub items: usize,
    /// The page shows 暂无信息 or the like.
    pub placeholder: bool,
    /// The column's class.
    pub class: Option<ColumnClass>,
    /// The column's navigation level (1 = linked from the homepage, 0 = unknown).
    pub level: u32,
    /// List pages fetched.
    pub list_pages: u32,
    /// The list style recognised.
    pub style: String,
}

impl Evidence for ColumnEmptyEvidence {
    fn summary_zh(&self) -> String {
        let mut parts = vec!["信息条数：0".to_string()];
        if self.placeholder {
            parts.push("显示“暂无信息”类提示".into());
        }
        parts.join("；")
    }
    fn facts(&self) -> Facts {
        Facts::column(self.class, self.level)
    }
}

impl RuleDef for ColumnEmpty {
    const META: Meta = Meta {
        id: "column-empty",
        name_zh: "空白栏目",
        advice_zh: "发布栏目应有的内容；确无内容可发的栏目应予撤并。",
        severity: Severity::Deduct,
        group: Group::Publish,
        source: include_str!("column_empty.rs"),
    };
    type Settings = Settings;
    type Evidence = ColumnEmptyEvidence;

    fn default_indicator() -> Indicator {
        Indicator {
            cap: Some(10.0),
            veto_at_least: Some(5),
            ..Indicator::points(2.0)
        }
    }

    fn run(&self, site: &Site, _ctx: &Context, settings: &Settings) -> Vec<Finding> {
        let skip = &settings.skip_name_keywords;
        site.columns
            .iter()
            .filter(|c| c.load_error.is_none() && c.items.is_empty() && c.kind == ColumnKind::List)
            .filter(|c| !skip.iter().any(|k| c.name.contains(k.as_str())))
            .map(|c| {
                let how = if c.placeholder {
                    "页面仅显示“暂无信息”等提示"
                } else {
                    "列表中没有任何信息"
                };
                let message = format!(
                    "栏目“{}”{}，属于空白栏目，请尽快发布相关信息，确无内容的栏目应予撤并。",
                    c.name, how
                );
                Finding::new(
                    Self::META.id,
                    site,
                    &c.url,
                    None,
                    Some(&c.name),
                    Self::META.severity,
                    message,
                    &ColumnEmptyEvidence {
                        items: 0,
                        placeholder: c.placeholder,
                        class: Some(c.class),
                        level: c.level,
                        list_pages: c.list_pages,
                        style: c.style.clone(),
                    },
                )
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::testutil::*;

    #[test]
    fn empty_and_placeholder_columns_fire() {
        let env = Env::new();
        let mut s = site();
        let mut placeholder = column("通知公告", ColumnClass::Notice, vec![]);
        placeholder.placeholder = true;
        s.columns = vec![
            placeholder,
            column("人事信息", ColumnClass::LongTerm, vec![]),
            column(
                "工作动态",
                ColumnClass::Dynamic,
                vec![item("a", Some("2026-11-01"))],
            ),
        ];
        let f = ColumnEmpty.check(&s, &env.ctx("2026-11-26"));
        assert_eq!(f.len(), 2);
        assert_eq!(f[0].column.as_deref(), Some("通知公告"));
        assert_eq!(f[0].evidence["items"], 0);
        assert_eq!(f[0].evidence["placeholder"], true);
        assert!(f[0].message.contains("暂无信息"));
        assert_eq!(f[1].evidence["placeholder"], false);
        assert_ne!(f[0].id, f[1].id);
    }

    #[test]
    fn failed_list_is_a_crawl_error_not_an_empty_column() {
        let env = Env::new();
        let mut s = site();
        let mut broken = column("政策文件", ColumnClass::Policy, vec![]);
        broken.load_error = Some("HTTP 500".into());
        s.columns = vec![broken];
        assert!(ColumnEmpty.check(&s, &env.ctx("2026-11-26")).is_empty());
    }

    #[test]
    fn undated_items_are_not_empty() {
        let env = Env::new();
        let mut s = site();
        s.columns = vec![column(
            "领导信息",
            ColumnClass::Other,
            vec![item("x", None)],
        )];
        assert!(ColumnEmpty.check(&s, &env.ctx("2026-11-26")).is_empty());
    }

    #[test]
    fn single_pages_and_channels_are_not_empty() {
        let env = Env::new();
        let mut s = site();
        let mut guide = column("信息公开指南", ColumnClass::Other, vec![]);
        guide.kind = ColumnKind::SinglePage;
        guide.body_chars = 420;
        let mut mailbox = column("领导信箱", ColumnClass::Other, vec![]);
        mailbox.kind = ColumnKind::Channel;
        mailbox.channel = Some("form".into());
        s.columns = vec![
            guide,
            mailbox,
            column("人事信息", ColumnClass::LongTerm, vec![]),
        ];
        let f = ColumnEmpty.check(&s, &env.ctx("2026-11-26"));
        assert_eq!(f.len(), 1, "{f:?}");
        assert_eq!(f[0].column.as_deref(), Some("人事信息"));
    }

    #[test]
    fn skip_keywords_apply() {
        let mut env = Env::new();
        env.settings.set(
            ColumnEmpty::META.id,
            Settings {
                skip_name_keywords: vec!["专题".into()],
            },
        );
        let mut s = site();
        s.columns = vec![column("扫黑除恶专题", ColumnClass::Other, vec![])];
        assert!(ColumnEmpty.check(&s, &env.ctx("2026-11-26")).is_empty());
    }
}
