//! # page-meta-missing — 页面标签
//!
//! ## What it checks
//! Article pages carry the standard meta tags of the 47号 网页设计规范:
//! SiteName, SiteDomain, SiteIDCode, ColumnName, ColumnType, ArticleTitle,
//! PubDate, ContentSource (`<meta name="…" content="…">`, names in any case,
//! content not empty). One finding per site, at its start URL, with the
//! pages checked, the pages missing tags, which tags are missing on how many
//! pages, and a few example pages.
//!
//! ## Why it matters
//! 2019 功能设计 → 页面标签: the tags let the national platform index and check
//! every article.
//!
//! ## Example
//! 12 articles checked, 12 without SiteIDCode and ContentSource ⇒ evidence
//! `{ "pages_checked": 12, "pages_missing": 12, "missing_tags": {"SiteIDCode": 12,
//! "ContentSource": 12}, "examples": [{"url": …, "missing": […]}] }`.
//!
//! ## Settings
//! `rules/page-meta-missing.toml`:
//! - `required` (default the eight tags above): the tags every article must carry.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::{
    Context, Evidence, Finding, Group, Indicator, Meta, MissingExample, RuleDef, Severity, Tally,
};
use crate::site::{PageKind, Site};

/// The rule.
pub struct PageMetaMissing;

/// Settings from `rules/page-meta-missing.toml`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Settings {
    /// Tags every article page must carry.
    pub required: Vec<String>,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            required: crate::extract::STANDARD_META
                .iter()
                .map(|s| s.to_string())
                .collect(),
        }
    }
}

/// report.json `evidence` of a finding.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct PageMetaEvidence {
    /// Article pages looked at.
    pub pages_checked: usize,
    /// Of which lack at least one tag.
    pub pages_missing: usize,
    /// Tag → number of pages without it.
    pub missing_tags: BTreeMap<String, usize>,
    /// Up to five pages and what each lacks.
    pub examples: Vec<MissingExample>,
}

impl Evidence for PageMetaEvidence {
    fn summary_zh(&self) -> String {
        let tags: Vec<String> = self
            .missing_tags
            .iter()
            .map(|(t, n)| format!("{t}（{n}页）"))
            .collect();
        format!(
            "抽查文章页{}个，{}个缺少标签：{}",
            self.pages_checked,
            self.pages_missing,
            tags.join("、")
        )
    }
}

impl RuleDef for PageMetaMissing {
    const META: Meta = Meta {
        id: "page-meta-missing",
        name_zh: "页面标签",
        advice_zh: "按《政府网站发展指引》网页设计规范，在文章页添加SiteName、SiteDomain、SiteIDCode、ColumnName、ColumnType、ArticleTitle、PubDate、ContentSource等元数据标签。",
        severity: Severity::Deduct,
        group: Group::Function,
        source: include_str!("page_meta_missing.rs"),
    };
    type Settings = Settings;
    type Evidence = PageMetaEvidence;

    fn default_indicator() -> Indicator {
        Indicator::points(1.0)
    }

    fn run(&self, site: &Site, _ctx: &Context, settings: &Settings) -> Vec<Finding> {
        let mut tally = Tally::default();
        for p in site.pages.iter().filter(|p| p.kind == PageKind::Article) {
            let missing: Vec<String> = settings
                .required
                .iter()
                .filter(|t| !p.facts.meta_tags.iter().any(|m| m.eq_ignore_ascii_case(t)))
                .cloned()
                .collect();
            tally.add(p, missing);
        }
        if tally.missing == 0 {
            return vec![];
        }
        let message = format!(
            "抽查的{}个文章页中有{}个缺少规范要求的页面元数据标签（{}），请按网页设计规范补齐。",
            tally.checked,
            tally.missing,
            tally.names()
        );
        let ev = PageMetaEvidence {
            pages_checked: tally.checked,
            pages_missing: tally.missing,
            missing_tags: tally.counts,
            examples: tally.examples,
        };
        vec![super::site_finding(
            &Self::META,
            site,
            Self::META.severity,
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

    fn article(url: &str, tags: &[&str]) -> Page {
        let mut p = Page {
            url: url.into(),
            kind: PageKind::Article,
            ..Default::default()
        };
        p.facts.meta_tags = tags.iter().map(|t| t.to_string()).collect();
        p
    }

    #[test]
    fn one_finding_per_site_with_counts() {
        let env = Env::new();
        let mut s = site();
        let all = crate::extract::STANDARD_META;
        s.pages = vec![
            article("http://127.0.0.1/fgj/a.html", &all),
            article("http://127.0.0.1/fgj/b.html", &all[..6]),
            article("http://127.0.0.1/fgj/c.html", &[]),
            Page {
                kind: PageKind::List,
                ..Default::default()
            },
        ];
        let f = PageMetaMissing.check(&s, &env.ctx("2026-11-26"));
        assert_eq!(f.len(), 1);
        let e = &f[0].evidence;
        assert_eq!(e["pages_checked"], 3);
        assert_eq!(e["pages_missing"], 2);
        assert_eq!(e["missing_tags"]["ContentSource"], 2);
        assert_eq!(e["missing_tags"]["SiteName"], 1);
        assert_eq!(e["examples"][0]["url"], "http://127.0.0.1/fgj/b.html");
    }

    #[test]
    fn complete_articles_are_silent() {
        let env = Env::new();
        let mut s = site();
        s.pages = vec![article("http://x/a.html", &crate::extract::STANDARD_META)];
        assert!(PageMetaMissing.check(&s, &env.ctx("2026-11-26")).is_empty());
    }
}
