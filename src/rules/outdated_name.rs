//! # outdated-name — 机构名称过时
//!
//! ## What it checks
//! A page dated on or after a body's reform date that still calls the body by
//! its old name (国土资源局 after it became 自然资源局, 环境保护局 → 生态环境局,
//! 卫生和计划生育局 → 卫生健康局, 安全生产监督管理局 → 应急管理局, 工商 / 质监 /
//! 食药监 → 市场监督管理局). The table old name → new name → date is data:
//! `rules/outdated-names.toml` (national defaults, with sources) plus a
//! district's own entries. Not findings: pages dated before the reform, undated
//! pages, the old name shortly after 原 / 前 (原区国土资源局), a sentence about the reform itself
//! (更名为, 组建, 机构改革, 不再保留, 划入, 挂牌), and a sentence naming a year
//! before the reform (a history of the body). One finding per page and old name.
//!
//! ## Why it matters
//! 2019 发布解读 → 内容准确: a page naming a body that no longer exists misleads
//! readers; inspectors report it as 信息不准确.
//!
//! ## Example
//! A 2026 notice asking applicants to contact 区国土资源局 ⇒ one finding at the
//! page, evidence `{ "old_name": "国土资源局", "new_name": "自然资源局（自然资源和规划局）",
//! "reform_date": "2019-03-31", "context": "…" }`.
//!
//! ## Settings
//! `rules/outdated-name.toml`:
//! - `national` (default true): also use the national table.
//! - `[[rename]]` entries (`old`, `new`, `date`, `source`): the district's own.

use std::sync::LazyLock;

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

use super::{Context, Evidence, Finding, Group, Indicator, Meta, RuleDef, Severity};
use crate::site::{PageKind, Site};

/// The rule.
pub struct OutdatedName;

/// One renamed body.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Rename {
    /// The body's old name (e.g. 国土资源局).
    pub old: String,
    /// Its name after the reform.
    pub new: String,
    /// From this day on the old name is outdated.
    pub date: NaiveDate,
    /// Where the reform is decided.
    #[serde(default)]
    pub source: String,
}

/// Settings from `rules/outdated-name.toml`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Settings {
    /// Also use the national table (rules/outdated-names.toml).
    pub national: bool,
    /// The district's own renames.
    pub rename: Vec<Rename>,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            national: true,
            rename: Vec::new(),
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Table {
    rename: Vec<Rename>,
}

/// The national table, compiled in.
static NATIONAL: LazyLock<Vec<Rename>> = LazyLock::new(|| {
    toml::from_str::<Table>(include_str!("../../rules/outdated-names.toml"))
        .expect("rules/outdated-names.toml is valid (tested)")
        .rename
});

/// report.json `evidence` of a finding.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct OutdatedNameEvidence {
    /// The old name found.
    pub old_name: String,
    /// The old name again: the wrong form, part of the finding's id.
    pub wrong: String,
    /// The name it should be.
    pub new_name: String,
    /// When the reform took effect.
    pub reform_date: Option<NaiveDate>,
    /// The page's own date.
    pub page_date: Option<NaiveDate>,
    /// The sentence around the old name.
    pub context: String,
    /// Where the rename is documented.
    pub source: String,
}

impl Evidence for OutdatedNameEvidence {
    fn summary_zh(&self) -> String {
        format!(
            "“{}”应为“{}”（{}起）：{}",
            self.old_name,
            self.new_name,
            self.reform_date.map(|d| d.to_string()).unwrap_or_default(),
            self.context
        )
    }
}

/// Words of a sentence about the reform itself.
const REFORM_WORDS: [&str; 8] = [
    "更名",
    "改名",
    "组建",
    "机构改革",
    "不再保留",
    "划入",
    "挂牌",
    "撤销",
];

const STOPS: [char; 7] = ['。', '！', '？', '；', '\n', '!', '?'];

/// The sentence holding byte range `at..end` of `text`.
fn sentence(text: &str, at: usize, end: usize) -> &str {
    let start = text[..at].rfind(STOPS).map_or(0, |i| {
        i + text[i..].chars().next().map_or(1, char::len_utf8)
    });
    let stop = text[end..].find(STOPS).map_or(text.len(), |i| end + i);
    &text[start..stop]
}

/// A year written in the sentence (2017年, 2018 年) before the reform's year.
fn names_earlier_year(s: &str, reform: NaiveDate) -> bool {
    let chars: Vec<char> = s.chars().collect();
    chars.windows(5).any(|w| {
        let digits: String = w[..4].iter().collect();
        w[4] == '年'
            && digits.chars().all(|c| c.is_ascii_digit())
            && digits.parse::<i32>().is_ok_and(|y| y < reform.year())
    })
}

/// Where `old` is used as a current name in `text` (not shortly after 原/前, not in a
/// sentence about the reform or an earlier year): the sentence of the first use.
fn current_use<'t>(text: &'t str, r: &Rename) -> Option<&'t str> {
    for (at, _) in text.match_indices(r.old.as_str()) {
        // 原国土资源局, 原区国土资源局, 前市环境保护局: the old body, named as such.
        if text[..at]
            .chars()
            .rev()
            .take(4)
            .any(|c| c == '原' || c == '前')
        {
            continue;
        }
        let s = sentence(text, at, at + r.old.len());
        if REFORM_WORDS.iter().any(|w| s.contains(w)) || names_earlier_year(s, r.date) {
            continue;
        }
        return Some(s.trim());
    }
    None
}

impl RuleDef for OutdatedName {
    const META: Meta = Meta {
        id: "outdated-name",
        name_zh: "机构名称过时",
        advice_zh: "将机构改革后已更名或撤并的机构名称更正为现名称。",
        severity: Severity::Deduct,
        group: Group::Publish,
        source: include_str!("outdated_name.rs"),
    };
    type Settings = Settings;
    type Evidence = OutdatedNameEvidence;

    fn default_indicator() -> Indicator {
        Indicator {
            cap: Some(5.0),
            ..Indicator::points(0.5)
        }
    }

    fn run(&self, site: &Site, _ctx: &Context, settings: &Settings) -> Vec<Finding> {
        let national: &[Rename] = if settings.national { &NATIONAL } else { &[] };
        let table: Vec<&Rename> = settings.rename.iter().chain(national).collect();
        let mut out = Vec::new();
        for p in site.pages.iter().filter(|p| p.kind == PageKind::Article) {
            let Some(d) = p.date else { continue };
            let text = format!("{}\n{}", p.title, site.full_page(p).text);
            let mut reported: Vec<&str> = Vec::new();
            for r in table.iter().filter(|r| d >= r.date) {
                // A district's entry for the same old name wins; one finding per name.
                if reported.contains(&r.old.as_str()) {
                    continue;
                }
                let Some(s) = current_use(&text, r) else {
                    continue;
                };
                reported.push(&r.old);
                let context: String = s.chars().take(80).collect();
                out.push(Finding::new(
                    Self::META.id,
                    site,
                    &p.url,
                    Some(&r.old),
                    None,
                    Self::META.severity,
                    format!(
                        "页面（{d}）仍使用机构改革前的名称“{}”，应为“{}”（{}起），请更正。",
                        r.old, r.new, r.date
                    ),
                    &OutdatedNameEvidence {
                        old_name: r.old.clone(),
                        wrong: r.old.clone(),
                        new_name: r.new.clone(),
                        reform_date: Some(r.date),
                        page_date: Some(d),
                        context,
                        source: r.source.clone(),
                    },
                ));
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::testutil::*;
    use crate::site::Page;

    fn art(name: &str, d: Option<&str>, text: &str) -> Page {
        Page {
            url: format!("http://127.0.0.1/fgj/art/{name}.html"),
            kind: PageKind::Article,
            title: name.into(),
            date: d.map(date),
            text: text.into(),
            ..Default::default()
        }
    }

    #[test]
    fn national_table_loads() {
        assert!(NATIONAL.len() >= 8);
        assert!(NATIONAL.iter().all(|r| !r.source.is_empty()));
    }

    #[test]
    fn current_use_after_the_reform_fires_history_and_reform_sentences_do_not() {
        let env = Env::new();
        let mut s = site();
        s.pages = vec![
            art(
                "new",
                Some("2026-11-02"),
                "申请人请到区国土资源局窗口办理。",
            ),
            art(
                "old",
                Some("2018-06-01"),
                "申请人请到区国土资源局窗口办理。",
            ),
            art("undated", None, "申请人请到区国土资源局窗口办理。"),
            art("yuan", Some("2026-11-02"), "原区国土资源局的档案已移交。"),
            art(
                "reform",
                Some("2026-11-02"),
                "区环境保护局更名为区生态环境局。",
            ),
            art(
                "history",
                Some("2026-11-02"),
                "2017年，区环境保护局开展了专项行动。",
            ),
        ];
        let f = OutdatedName.check(&s, &env.ctx("2026-11-26"));
        assert_eq!(f.len(), 1, "{f:?}");
        assert!(f[0].url.ends_with("/new.html"));
        assert_eq!(f[0].evidence["old_name"], "国土资源局");
        assert_eq!(f[0].evidence["context"], "申请人请到区国土资源局窗口办理");
    }

    #[test]
    fn district_entries_add_to_the_national_table() {
        let mut env = Env::new();
        env.settings.set(
            OutdatedName::META.id,
            Settings {
                national: false,
                rename: vec![Rename {
                    old: "城乡规划局".into(),
                    new: "自然资源和规划局".into(),
                    date: date("2019-02-28"),
                    source: "区委编办文件".into(),
                }],
            },
        );
        let mut s = site();
        s.pages = vec![art(
            "a",
            Some("2026-11-02"),
            "区城乡规划局、区国土资源局联合发布。",
        )];
        let f = OutdatedName.check(&s, &env.ctx("2026-11-26"));
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].evidence["old_name"], "城乡规划局");
    }
}
