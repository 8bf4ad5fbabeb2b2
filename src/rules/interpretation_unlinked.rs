//! # interpretation-unlinked — 解读关联
//!
//! ## What it checks
//! Every article of an interpretation-class column (政策解读) links the policy
//! document it interprets: a body link to an item of a policy column (or a
//! page under its folder), a link in a 相关文件 / 政策原文 block, or a link
//! whose text names a document (《…》 with 通知 / 办法 / 意见 / 方案 …). Links
//! in navigation and footers and links to column list pages do not count.
//! One finding per site, at its start URL, with the interpretations checked,
//! those linking no document and examples; its evidence also carries the
//! site's 解读比例: policy documents, how many are interpreted (linked from
//! an interpretation, or linking one), and the share.
//!
//! ## Why it matters
//! 2019 发布解读 → 解读关联 (−1 seen in practice) and 解读比例: 47号 requires a
//! policy document and its interpretation to link each other.
//!
//! ## Example
//! 「《住房保障条例》修订要点解读」 with no link to any document ⇒ evidence
//! `{ "interpretations_checked": 4, "unlinked": 1, "examples": […],
//! "policy_documents": 3, "policy_interpreted": 3, "ratio": 1.0 }`.
//!
//! ## Settings
//! `rules/interpretation-unlinked.toml`:
//! - `keywords` (default `["相关文件", "政策原文", "文件原文", "原文", "相关政策"]`):
//!   words in a link's text or block heading that make it a document link.

use std::collections::HashSet;

use serde::{Deserialize, Serialize};

use super::{Context, Evidence, Finding, Group, Indicator, Meta, RuleDef, Severity};
use crate::site::{Column, ColumnClass, LinkArea, Page, PageKind, PageLink, Site};

/// The rule.
pub struct InterpretationUnlinked;

/// Settings from `rules/interpretation-unlinked.toml`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Settings {
    /// Words in a link's text or block heading marking a document link.
    pub keywords: Vec<String>,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            keywords: ["相关文件", "政策原文", "文件原文", "原文", "相关政策"]
                .map(String::from)
                .to_vec(),
        }
    }
}

/// One unlinked interpretation.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Example {
    /// URL of the interpretation page.
    pub url: String,
    /// Its title.
    pub title: String,
}

/// report.json `evidence` of a finding.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct InterpretationUnlinkedEvidence {
    /// Interpretation pages looked at.
    pub interpretations_checked: usize,
    /// Interpretations linking no policy document.
    pub unlinked: usize,
    /// Up to five of them.
    pub examples: Vec<Example>,
    /// 解读比例: policy documents found, those interpreted, and the share.
    pub policy_documents: usize,
    /// Of which have an interpretation linked (解读比例 numerator).
    pub policy_interpreted: usize,
    /// policy_interpreted / policy_documents (解读比例), when there are policy documents.
    pub ratio: Option<f64>,
}

impl Evidence for InterpretationUnlinkedEvidence {
    fn summary_zh(&self) -> String {
        let mut s = format!(
            "解读{}篇，{}篇未关联政策文件",
            self.interpretations_checked, self.unlinked
        );
        if let Some(r) = self.ratio {
            s.push_str(&format!(
                "；解读比例{}/{}（{:.0}%）",
                self.policy_interpreted,
                self.policy_documents,
                r * 100.0
            ));
        }
        s
    }
}

/// Folder of a URL (up to its last '/').
fn folder(url: &str) -> &str {
    url.rfind('/').map_or(url, |p| &url[..=p])
}

/// The pages of one class of column, and where that class's items live.
struct ClassPages<'s> {
    pages: Vec<&'s Page>,
    targets: HashSet<&'s str>,
    prefixes: Vec<&'s str>,
}

impl<'s> ClassPages<'s> {
    fn of(site: &'s Site, class: ColumnClass) -> ClassPages<'s> {
        let cols: Vec<&Column> = site.columns.iter().filter(|c| c.class == class).collect();
        let col_urls: HashSet<&str> = cols.iter().map(|c| c.url.as_str()).collect();
        let site_folder = folder(&site.url);
        let mut targets = HashSet::new();
        let mut prefixes = Vec::new();
        for c in &cols {
            targets.extend(c.items.iter().filter_map(|i| i.url.as_deref()));
            let f = folder(&c.url);
            if f.len() > site_folder.len() && f.starts_with(site_folder) {
                prefixes.push(f);
            }
        }
        let pages = site
            .pages
            .iter()
            .filter(|p| p.kind == PageKind::Article && p.status < 400)
            .filter(|p| p.column.as_deref().is_some_and(|c| col_urls.contains(c)))
            .collect();
        ClassPages {
            pages,
            targets,
            prefixes,
        }
    }

    fn holds(&self, url: &str) -> bool {
        self.targets.contains(url) || self.prefixes.iter().any(|p| url.starts_with(p))
    }
}

/// Document words after a title in 《》: 《…办法》, 《…的通知》.
const DOC_WORDS: [&str; 10] = [
    "通知", "办法", "意见", "方案", "规定", "决定", "细则", "条例", "措施", "规划",
];

impl RuleDef for InterpretationUnlinked {
    const META: Meta = Meta {
        id: "interpretation-unlinked",
        name_zh: "解读关联",
        advice_zh: "在政策解读页面添加所解读政策文件的链接（相关文件），并在文件页面链接解读。",
        severity: Severity::Deduct,
        group: Group::Publish,
        source: include_str!("interpretation_unlinked.rs"),
    };
    type Settings = Settings;
    type Evidence = InterpretationUnlinkedEvidence;

    fn default_indicator() -> Indicator {
        Indicator::points(1.0)
    }

    fn run(&self, site: &Site, _ctx: &Context, settings: &Settings) -> Vec<Finding> {
        let policy = ClassPages::of(site, ColumnClass::Policy);
        let interp = ClassPages::of(site, ColumnClass::Interpretation);
        let column_pages: HashSet<&str> = site.columns.iter().map(|c| c.url.as_str()).collect();
        let body =
            |l: &&PageLink| l.area == LinkArea::Body && !column_pages.contains(l.url.as_str());
        let is_doc_link = |l: &PageLink| {
            policy.holds(&l.url)
                || settings.keywords.iter().any(|k| {
                    l.text.contains(k.as_str())
                        || l.section.as_deref().is_some_and(|s| s.contains(k.as_str()))
                })
                || (l.text.contains('《')
                    && !["解读", "图解", "解析", "问答"]
                        .iter()
                        .any(|w| l.text.contains(w))
                    && DOC_WORDS.iter().any(|w| l.text.contains(w)))
        };
        let mut ev = InterpretationUnlinkedEvidence::default();
        // Links are read back one page at a time (`Site::full_page`).
        let mut linked_docs: HashSet<String> = HashSet::new();
        for p in &interp.pages {
            ev.interpretations_checked += 1;
            let full = site.full_page(p);
            let links: Vec<&PageLink> = full.links.iter().filter(body).collect();
            linked_docs.extend(links.iter().map(|l| l.url.clone()));
            if links.iter().any(|l| is_doc_link(l)) {
                continue;
            }
            ev.unlinked += 1;
            if ev.examples.len() < 5 {
                ev.examples.push(Example {
                    url: p.url.clone(),
                    title: p.title.clone(),
                });
            }
        }
        let docs: Vec<&&Page> = policy
            .pages
            .iter()
            .filter(|p| !p.title.contains("解读"))
            .collect();
        ev.policy_documents = docs.len();
        ev.policy_interpreted = docs
            .iter()
            .filter(|p| {
                linked_docs.contains(p.url.as_str())
                    || site
                        .full_page(p)
                        .links
                        .iter()
                        .filter(body)
                        .any(|l| interp.holds(&l.url))
            })
            .count();
        ev.ratio = (ev.policy_documents > 0)
            .then(|| ev.policy_interpreted as f64 / ev.policy_documents as f64);
        if ev.unlinked == 0 {
            return vec![];
        }
        let message = format!(
            "{}篇政策解读未关联所解读的政策文件，请在解读页面添加相关文件链接。",
            ev.unlinked
        );
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

    fn page(url: &str, col: &Column, title: &str, links: &[(&str, &str, Option<&str>)]) -> Page {
        Page {
            url: url.into(),
            kind: PageKind::Article,
            status: 200,
            column: Some(col.url.clone()),
            title: title.into(),
            links: links
                .iter()
                .map(|(u, t, s)| PageLink {
                    url: u.to_string(),
                    text: t.to_string(),
                    area: LinkArea::Body,
                    section: s.map(str::to_string),
                    tag: "a".into(),
                })
                .collect(),
            ..Default::default()
        }
    }

    #[test]
    fn unlinked_interpretations_and_ratio() {
        let env = Env::new();
        let mut s = site();
        let zc = column(
            "政策文件",
            ColumnClass::Policy,
            vec![
                item("d1", Some("2026-11-01")),
                item("d2", Some("2026-11-02")),
            ],
        );
        let jd = column("政策解读", ColumnClass::Interpretation, vec![]);
        let d1 = "http://127.0.0.1/fgj/art/d1.html";
        s.pages = vec![
            page(d1, &zc, "关于印发《甲办法》的通知", &[]),
            page(
                "http://127.0.0.1/fgj/art/d2.html",
                &zc,
                "关于印发《乙办法》的通知",
                &[],
            ),
            // Links its document (an item of the policy column).
            page(
                "http://127.0.0.1/fgj/j/1.html",
                &jd,
                "《甲办法》解读",
                &[(d1, "查看", None)],
            ),
            // A 相关文件 block pointing elsewhere (a provincial document).
            page(
                "http://127.0.0.1/fgj/j/2.html",
                &jd,
                "《丙条例》解读",
                &[("http://zj.gov.cn/x.html", "丙条例", Some("相关文件"))],
            ),
            // Only the column list page and a picture: unlinked.
            page(
                "http://127.0.0.1/fgj/j/3.html",
                &jd,
                "《丁规定》解读",
                &[
                    (zc.url.as_str(), "政策文件", None),
                    ("http://127.0.0.1/fgj/j/3.png", "图解《丁规定》", None),
                ],
            ),
        ];
        s.columns = vec![zc, jd];
        let f = InterpretationUnlinked.check(&s, &env.ctx("2026-11-26"));
        assert_eq!(f.len(), 1);
        let e = &f[0].evidence;
        assert_eq!(e["interpretations_checked"], 3);
        assert_eq!(e["unlinked"], 1);
        assert_eq!(e["examples"][0]["url"], "http://127.0.0.1/fgj/j/3.html");
        assert_eq!(e["policy_documents"], 2);
        assert_eq!(e["policy_interpreted"], 1);
        assert_eq!(e["ratio"], 0.5);
    }
}
