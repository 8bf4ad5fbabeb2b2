//! # interpretation-missing — 政策文件未关联解读
//!
//! ## What it checks
//! Every article page of a policy-class column (政策文件/规范性文件) must link
//! to its interpretation: a link whose text or block heading contains one of
//! the keywords (相关解读 / 政策解读 / 图解 / 解读), or a link to an item of an
//! interpretation-class column (or any page under its folder). Only links in
//! the page's body count: navigation, footer and links to column list pages
//! (a 政策解读 menu entry on every page) say nothing about this document.
//! Pages that are themselves interpretations (title containing 解读) and
//! pages that answered 4xx/5xx are skipped.
//!
//! ## Why it matters
//! 扣分「解读回应: 政策文件未关联解读」: 《政府网站发展指引》(国办发〔2017〕47号)
//! requires policy documents and their interpretations to be published
//! together and linked to each other.
//!
//! ## Example
//! 「关于印发《区级政府投资项目管理办法》的通知」 in 政策文件 with only 打印 / 关闭
//! links ⇒ one finding at the document URL, evidence `{ "title": "…",
//! "links": 2 }`.
//!
//! ## Settings
//! `rules/interpretation-missing.toml` beside the profile (compiled in for the built-in
//! profiles; read from the folder of a profile given as a path):
//! - `keywords` (default `["相关解读", "政策解读", "图解", "解读"]`): words in a
//!   link's text or block heading that make it an interpretation link.
//! - `skip_title_keywords` (default `["解读"]`): documents whose title holds
//!   one of these are interpretations themselves.

use std::collections::HashSet;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::{Context, Evidence, Finding, Group, Indicator, Meta, RuleDef, Severity};
use crate::site::{ColumnClass, LinkArea, PageKind, PageLink, Site};

/// The rule.
pub struct InterpretationMissing;

/// Settings from `rules/interpretation-missing.toml`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Settings {
    /// Words in a link's text or section heading marking an interpretation link.
    pub keywords: Vec<String>,
    /// Title words marking a page that is itself an interpretation.
    pub skip_title_keywords: Vec<String>,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            keywords: ["相关解读", "政策解读", "图解", "解读"]
                .map(String::from)
                .to_vec(),
            skip_title_keywords: vec!["解读".into()],
        }
    }
}

/// Folder of a URL (up to its last '/').
fn folder(url: &str) -> &str {
    match url.rfind('/') {
        Some(p) => &url[..=p],
        None => url,
    }
}

/// report.json `evidence` of a finding.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct InterpretationMissingEvidence {
    /// The policy document's title.
    pub title: String,
    /// Its publication date.
    pub date: Option<NaiveDate>,
    /// Links on its page.
    pub links: usize,
    /// Interpretation columns the site has.
    pub interpretation_columns: usize,
}

impl Evidence for InterpretationMissingEvidence {
    fn summary_zh(&self) -> String {
        let mut parts = vec![format!("文件：{}", self.title)];
        if let Some(d) = self.date {
            parts.push(format!("发布日期：{d}"));
        }
        parts.join("；")
    }
}

impl RuleDef for InterpretationMissing {
    const META: Meta = Meta {
        id: "interpretation-missing",
        name_zh: "政策解读",
        advice_zh: "发布政策解读，并在政策文件页面添加“相关解读”链接（解读页面反向链接文件）。",
        severity: Severity::Deduct,
        group: Group::Publish,
        source: include_str!("interpretation_missing.rs"),
    };
    const BUILTIN_SETTINGS: Option<&'static str> =
        Some(include_str!("../../rules/interpretation-missing.toml"));
    type Settings = Settings;
    type Evidence = InterpretationMissingEvidence;

    fn default_indicator() -> Indicator {
        Indicator {
            cap: Some(10.0),
            ..Indicator::points(1.0)
        }
    }

    fn run(&self, site: &Site, _ctx: &Context, settings: &Settings) -> Vec<Finding> {
        let site_folder = folder(&site.url);
        // Where an interpretation lives: interpretation columns, their items,
        // and their folders when deeper than the site's own folder.
        let interp_cols: Vec<_> = site
            .columns
            .iter()
            .filter(|c| c.class == ColumnClass::Interpretation)
            .collect();
        let mut targets: HashSet<&str> = HashSet::new();
        let mut prefixes: Vec<&str> = Vec::new();
        for c in &interp_cols {
            targets.extend(c.items.iter().filter_map(|i| i.url.as_deref()));
            let f = folder(&c.url);
            if f.len() > site_folder.len() && f.starts_with(site_folder) {
                prefixes.push(f);
            }
        }
        // Column list pages are navigation: a menu entry 政策解读 on every
        // page says nothing about this document.
        let column_pages: HashSet<&str> = site.columns.iter().map(|c| c.url.as_str()).collect();
        let is_interp_link = |l: &PageLink| {
            if l.area != LinkArea::Body || column_pages.contains(l.url.as_str()) {
                return false;
            }
            settings.keywords.iter().any(|k| {
                l.text.contains(k.as_str())
                    || l.section.as_deref().is_some_and(|s| s.contains(k.as_str()))
            }) || targets.contains(l.url.as_str())
                || prefixes.iter().any(|p| l.url.starts_with(p))
        };
        let mut out = Vec::new();
        for page in &site.pages {
            if page.kind != PageKind::Article || page.status >= 400 {
                continue;
            }
            let Some(col) = page
                .column
                .as_ref()
                .and_then(|u| site.columns.iter().find(|c| &c.url == u))
            else {
                continue;
            };
            if col.class != ColumnClass::Policy {
                continue;
            }
            if settings
                .skip_title_keywords
                .iter()
                .any(|k| page.title.contains(k.as_str()))
            {
                continue;
            }
            // The links are read back for the pages that get this far.
            let page = site.full_page(page);
            if page.links.iter().any(is_interp_link) {
                continue;
            }
            let title = if page.title.is_empty() {
                page.url.clone()
            } else {
                page.title.clone()
            };
            let message = format!(
                "政策文件“{title}”未关联政策解读，请发布解读材料并在文件页面添加“相关解读”链接。"
            );
            out.push(Finding::new(
                Self::META.id,
                site,
                &page.url,
                None,
                Some(&col.name),
                Self::META.severity,
                message,
                &InterpretationMissingEvidence {
                    title: page.title.clone(),
                    date: page.date,
                    links: page.links.len(),
                    interpretation_columns: interp_cols.len(),
                },
            ));
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::testutil::*;
    use crate::site::Page;

    fn policy_site() -> Site {
        let mut s = site();
        let mut pol = column("政策文件", ColumnClass::Policy, vec![]);
        pol.url = "http://127.0.0.1/fgj/zcwj/index.html".into();
        let mut jd = column("政策解读", ColumnClass::Interpretation, vec![]);
        jd.url = "http://127.0.0.1/fgj/zcjd/index.html".into();
        let mut dt = column("工作动态", ColumnClass::Dynamic, vec![]);
        dt.url = "http://127.0.0.1/fgj/gzdt/index.html".into();
        s.columns = vec![pol, jd, dt];
        s
    }

    fn article(n: u32, col: &str, title: &str, links: Vec<PageLink>) -> Page {
        Page {
            url: format!("http://127.0.0.1/fgj/{col}/{n}.html"),
            status: 200,
            kind: PageKind::Article,
            column: Some(format!("http://127.0.0.1/fgj/{col}/index.html")),
            title: title.into(),
            links,
            ..Default::default()
        }
    }

    fn link(url: &str, text: &str, section: Option<&str>) -> PageLink {
        PageLink {
            url: url.into(),
            text: text.into(),
            section: section.map(String::from),
            tag: "a".into(),
            ..Default::default()
        }
    }

    #[test]
    fn policy_document_without_interpretation_fires() {
        let env = Env::new();
        let mut s = policy_site();
        s.pages = vec![article(
            1,
            "zcwj",
            "关于印发管理办法的通知",
            vec![
                link("http://127.0.0.1/fgj/", "首页", None),
                link("http://127.0.0.1/fgj/zcwj/2.html", "上一篇", None),
            ],
        )];
        let f = InterpretationMissing.check(&s, &env.ctx("2026-11-26"));
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].evidence["title"], "关于印发管理办法的通知");
        assert_eq!(f[0].column.as_deref(), Some("政策文件"));
        assert!(f[0].message.contains("未关联政策解读"));
    }

    #[test]
    fn any_kind_of_interpretation_link_silences() {
        let env = Env::new();
        let mut s = policy_site();
        s.pages = vec![
            article(
                1,
                "zcwj",
                "甲",
                vec![link("http://x.gov.cn/a.html", "《办法》政策解读", None)],
            ),
            article(
                2,
                "zcwj",
                "乙",
                vec![link("http://x.gov.cn/b.html", "一图读懂", Some("相关解读"))],
            ),
            article(
                3,
                "zcwj",
                "丙",
                vec![link("http://127.0.0.1/fgj/zcjd/7.html", "问答", None)],
            ),
            article(
                4,
                "zcwj",
                "丁",
                vec![link("http://x.gov.cn/c.html", "图解：新政策", None)],
            ),
        ];
        assert!(InterpretationMissing
            .check(&s, &env.ctx("2026-11-26"))
            .is_empty());
    }

    #[test]
    fn non_policy_columns_and_interpretations_themselves_are_silent() {
        let env = Env::new();
        let mut s = policy_site();
        s.pages = vec![
            article(1, "gzdt", "局领导调研", vec![]),
            article(2, "zcwj", "《管理办法》解读", vec![]),
            Page {
                kind: PageKind::List,
                ..article(3, "zcwj", "政策文件", vec![])
            },
            Page {
                status: 404,
                ..article(4, "zcwj", "丢失的文件", vec![])
            },
        ];
        assert!(InterpretationMissing
            .check(&s, &env.ctx("2026-11-26"))
            .is_empty());
    }

    #[test]
    fn navigation_to_the_interpretation_column_does_not_count() {
        let env = Env::new();
        let mut s = policy_site();
        let nav = PageLink {
            area: LinkArea::Nav,
            ..link("http://127.0.0.1/fgj/zcjd/5.html", "政策解读", None)
        };
        let menu_in_body = link("http://127.0.0.1/fgj/zcjd/index.html", "政策解读", None);
        s.pages = vec![article(1, "zcwj", "甲", vec![nav, menu_in_body])];
        assert_eq!(
            InterpretationMissing
                .check(&s, &env.ctx("2026-11-26"))
                .len(),
            1
        );
    }

    #[test]
    fn a_related_links_block_without_keyword_does_not_count() {
        let env = Env::new();
        let mut s = policy_site();
        s.pages = vec![article(
            1,
            "zcwj",
            "甲",
            vec![link("http://www.gov.cn/", "中国政府网", Some("相关链接"))],
        )];
        assert_eq!(
            InterpretationMissing
                .check(&s, &env.ctx("2026-11-26"))
                .len(),
            1
        );
    }
}
