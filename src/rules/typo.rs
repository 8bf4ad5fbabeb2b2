//! # typo — 错别字 / 严重表述错误
//!
//! ## What it checks
//! Known misspellings in each fetched page's title and main text, found by
//! the typo engine (`crate::typo`, dictionaries under rules/typos/ starting
//! from a curated high-precision list). The site's `typo_allow` words are
//! never flagged. One finding per page per wrong form, with the number of
//! occurrences; pages that answered 4xx/5xx are skipped. A wrong form in an
//! article's title is reported on the article only, not again on the
//! homepage and list pages that list the article.
//!
//! ## Why it matters
//! 扣分「错别字/错误表述」 per instance, capped per indicator; a serious error —
//! a wrong name of a Party or State leader or of the state itself, a forbidden
//! term — is 单项否决「严重表述错误」(国办秘函〔2019〕19号, 安全、泄密事故等严重问题).
//!
//! ## Example
//! A notice containing 「按排部署」 ⇒ one finding at the page URL, evidence
//! `{ "wrong": "按排", "suggest": "安排", "context": "…请各单位按排部署…",
//! "kind": "dictionary", "confidence": 0.95, "count": 1 }`.
//!
//! ## Settings
//! `rules/typo.toml` beside the profile (compiled in for the built-in
//! profiles; read from the folder of a profile given as a path):
//! - `min_confidence` (default 0.6): hits below it are shown as 提示 (warn),
//!   never deducted — unless the engine marks them serious.
//! - `skip_kinds` (default `[]`): engine kinds not reported
//!   ("dictionary", "confusion", "serious", "wording").

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::{
    cached, text_key, Context, Evidence, Finding, Group, Indicator, Meta, RuleDef, Severity,
};
use crate::site::{Page, PageKind, Site};
use crate::typo::{NameBook, PageCheck, TypoHit, TypoKind};

/// The rule.
pub struct Typo;

/// Settings from `rules/typo.toml`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Settings {
    /// Hits with a lower confidence are warnings only.
    pub min_confidence: f32,
    /// Engine kinds not reported.
    pub skip_kinds: Vec<TypoKind>,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            min_confidence: 0.6,
            skip_kinds: Vec::new(),
        }
    }
}

/// report.json `evidence` of a finding.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct TypoEvidence {
    /// The wrong form as written.
    pub wrong: String,
    /// What it should be.
    pub suggest: String,
    /// The text around the most certain hit.
    pub context: String,
    /// Which check found it.
    pub kind: Option<TypoKind>,
    /// Engine confidence, to three decimals.
    pub confidence: f64,
    /// Occurrences on the page.
    pub count: usize,
    /// The page's title.
    pub title: String,
}

impl Evidence for TypoEvidence {
    fn summary_zh(&self) -> String {
        [
            format!("“{}”→“{}”", self.wrong, self.suggest),
            format!("共{}处", self.count),
            format!("上下文：{}", self.context),
        ]
        .join("；")
    }
}

impl RuleDef for Typo {
    const META: Meta = Meta {
        id: "typo",
        name_zh: "错别字",
        advice_zh: "核对原文并更正错别字，发布前加强校对。",
        severity: Severity::Deduct,
        group: Group::Publish,
        source: include_str!("typo.rs"),
    };
    const BUILTIN_SETTINGS: Option<&'static str> = Some(include_str!("../../rules/typo.toml"));
    type Settings = Settings;
    type Evidence = TypoEvidence;

    fn default_indicator() -> Indicator {
        Indicator {
            cap: Some(10.0),
            veto: true,
            ..Indicator::points(1.0)
        }
    }

    fn run(&self, site: &Site, ctx: &Context, settings: &Settings) -> Vec<Finding> {
        let per_page = site_hits(site, ctx);
        // A wrong form in an article's title also shows on the homepage and
        // list pages that list the article: it is reported once, on the
        // article, where it is fixed.
        let in_titles: Vec<&str> = per_page
            .iter()
            .filter(|(p, _)| p.kind == PageKind::Article)
            .flat_map(|(p, hits)| {
                hits.iter()
                    .filter(|h| p.title.contains(h.wrong.as_str()))
                    .map(|h| h.wrong.as_str())
            })
            .collect();
        let mut out = Vec::new();
        for (page, hits) in &per_page {
            let hits: Vec<TypoHit> = if matches!(page.kind, PageKind::Home | PageKind::List) {
                hits.iter()
                    .filter(|h| !in_titles.contains(&h.wrong.as_str()))
                    .cloned()
                    .collect()
            } else {
                hits.clone()
            };
            out.extend(findings_for_page(site, page, &hits, settings));
        }
        out
    }
}

/// The engine's hits on every page that answered (not 4xx/5xx), the site's
/// allow-list applied.
fn site_hits<'a>(site: &'a Site, ctx: &Context) -> Vec<(&'a Page, Vec<TypoHit>)> {
    // Names the site uses beside titles, in name lists and 姓名 tables are names
    // on every page of it (a director's name is not a typo 90 times over).
    // Pass 1 segments each page once: the names it gives the site's book and
    // its hits under its own names' protection; pass 2 checks again only the
    // pages where the book protects more. Pages are read back one at a time
    // (`Site::full_page`): memory holds one page's text, not the site's.
    // With a history database both passes' results are kept per text
    // (`Context::texts`), so an unchanged page is not segmented again.
    let live = || site.pages.iter().filter(|p| p.status < 400);
    let engine = engine_fingerprint(ctx);
    let mut book = NameBook::default();
    let mut checks: Vec<(&Page, PageCheck)> = Vec::new();
    for page in live() {
        let text = page_text(&site.full_page(page));
        let mut check = cached(
            ctx.texts,
            CACHE_KIND,
            || text_key(&[engine.as_bytes(), text.as_bytes()]),
            || ctx.typos.check_page(&text),
        );
        for name in std::mem::take(&mut check.names) {
            book.add(&name);
        }
        checks.push((page, check));
    }
    book.finish();
    // Without a book or an allow-list the texts need no second look.
    let second_look = !book.names().is_empty() || !site.typo_allow.is_empty();
    let mut per_page: Vec<(&Page, Vec<TypoHit>)> = Vec::with_capacity(checks.len());
    for (page, check) in checks {
        if !second_look {
            per_page.push((page, check.hits));
            continue;
        }
        let text = page_text(&site.full_page(page));
        let in_book = book.find(&text);
        let hits = if check.book_matters(&in_book) {
            // The result depends on the text and where the book protects it.
            let spans: Vec<u8> = in_book
                .iter()
                .flat_map(|&(s, e)| [s as u64, e as u64])
                .flat_map(u64::to_le_bytes)
                .collect();
            cached(
                ctx.texts,
                BOOK_CACHE_KIND,
                || text_key(&[engine.as_bytes(), text.as_bytes(), &spans]),
                || ctx.typos.check_with(&text, &[], &book),
            )
        } else {
            check.hits
        };
        // The site's allow-list is applied here rather than through
        // `check(text, allow)`: the engine's own filter panics when an
        // allowed term is shorter than a hit (slice begin > end in
        // typo::is_allowed), which would abort the whole audit.
        let hits = hits
            .into_iter()
            .filter(|h| !is_allowed(&text, h, &site.typo_allow))
            .collect();
        per_page.push((page, hits));
    }
    per_page
}

/// `Context::texts` kind of a page's [`PageCheck`].
const CACHE_KIND: &str = "typo";
/// `Context::texts` kind of a page's hits checked again with its site's name book.
const BOOK_CACHE_KIND: &str = "typo-book";

/// What the kept results depend on besides the text: the typo engine's code
/// and data (`GOVAUDIT_TYPO_HASH`, taken by build.rs over src/typo/,
/// rules/typos/, this file and Cargo.lock), govaudit's version and the
/// engine's thresholds.
fn engine_fingerprint(ctx: &Context) -> String {
    format!(
        "{}+{}/{:?}",
        env!("CARGO_PKG_VERSION"),
        env!("GOVAUDIT_TYPO_HASH"),
        ctx.typos.tuning()
    )
}

/// What the engine reads of a page: its title, then its main text.
pub(crate) fn page_text(page: &Page) -> String {
    if page.title.is_empty() {
        page.text.clone()
    } else {
        format!("{}\n{}", page.title, page.text)
    }
}

/// A hit is allowed when an allowed term equals its wrong form or an
/// occurrence of the term in the text covers it.
pub(crate) fn is_allowed(text: &str, hit: &TypoHit, allow: &[String]) -> bool {
    allow.iter().filter(|t| !t.is_empty()).any(|t| {
        *t == hit.wrong
            || text
                .match_indices(t.as_str())
                .any(|(i, m)| i <= hit.start && hit.end <= i + m.len())
    })
}

/// Group one page's hits by wrong form into findings.
pub(crate) fn findings_for_page(
    site: &Site,
    page: &Page,
    hits: &[TypoHit],
    settings: &Settings,
) -> Vec<Finding> {
    let mut by_wrong: BTreeMap<&str, Vec<&TypoHit>> = BTreeMap::new();
    for h in hits {
        if settings.skip_kinds.contains(&h.kind) {
            continue;
        }
        by_wrong.entry(h.wrong.as_str()).or_default().push(h);
    }
    let column = page
        .column
        .as_ref()
        .and_then(|u| site.columns.iter().find(|c| &c.url == u))
        .map(|c| c.name.as_str());
    let mut out = Vec::new();
    for (wrong, group) in by_wrong {
        // The most certain hit speaks for the group; a serious one always wins.
        let first = group
            .iter()
            .copied()
            .max_by(|a, b| {
                (a.severity == Severity::Veto)
                    .cmp(&(b.severity == Severity::Veto))
                    .then(a.confidence.total_cmp(&b.confidence))
                    .then(b.start.cmp(&a.start))
            })
            .expect("non-empty group");
        let count = group.len();
        let severity = if first.severity == Severity::Veto {
            Severity::Veto
        } else if first.confidence < settings.min_confidence {
            Severity::Warn
        } else {
            first.severity
        };
        let where_ = if page.title.is_empty() {
            "页面".to_string()
        } else {
            format!("页面“{}”", page.title)
        };
        let message = if severity == Severity::Veto {
            format!(
                "{where_}中“{wrong}”属严重表述错误，应为“{}”（共{count}处），请立即更正并复核全站同类内容。",
                first.suggest
            )
        } else {
            format!(
                "{where_}中“{wrong}”疑为错别字，应为“{}”（共{count}处），请核对后更正。",
                first.suggest
            )
        };
        out.push(Finding::new(
            Typo::META.id,
            site,
            &page.url,
            Some(wrong),
            column,
            severity,
            message,
            &TypoEvidence {
                wrong: wrong.to_string(),
                suggest: first.suggest.clone(),
                context: first.context.clone(),
                kind: Some(first.kind),
                confidence: (f64::from(first.confidence) * 1000.0).round() / 1000.0,
                count,
                title: page.title.clone(),
            },
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::testutil::*;

    fn hit(wrong: &str, suggest: &str, start: usize, sev: Severity, conf: f32) -> TypoHit {
        TypoHit {
            start,
            end: start + wrong.len(),
            wrong: wrong.into(),
            suggest: suggest.into(),
            kind: TypoKind::Dictionary,
            severity: sev,
            confidence: conf,
            context: format!("…{wrong}…"),
        }
    }

    fn page() -> Page {
        Page {
            url: "http://127.0.0.1/fgj/art/1.html".into(),
            status: 200,
            title: "关于做好冬季安全生产的通知".into(),
            text: "请各单位按排部署。按排到位。".into(),
            ..Default::default()
        }
    }

    #[test]
    fn groups_by_wrong_form_with_count() {
        let s = site();
        let hits = vec![
            hit("按排", "安排", 10, Severity::Deduct, 0.9),
            hit("按排", "安排", 30, Severity::Deduct, 0.9),
            hit("部暑", "部署", 40, Severity::Deduct, 0.9),
        ];
        let f = findings_for_page(&s, &page(), &hits, &Settings::default());
        assert_eq!(f.len(), 2);
        let a = f.iter().find(|f| f.evidence["wrong"] == "按排").unwrap();
        assert_eq!(a.evidence["count"], 2);
        assert_eq!(a.evidence["suggest"], "安排");
        assert_eq!(a.severity, Severity::Deduct);
        assert!(a.message.contains("共2处"), "{}", a.message);
        assert_ne!(f[0].id, f[1].id);
        assert_eq!(
            a.id,
            crate::rules::fingerprint("typo", "fgj", &page().url, Some("按排"))
        );
    }

    #[test]
    fn serious_is_veto_low_confidence_is_warn() {
        let s = site();
        let hits = vec![
            hit("中华人明共和国", "中华人民共和国", 0, Severity::Veto, 0.99),
            hit("既使", "即使", 20, Severity::Deduct, 0.3),
        ];
        let f = findings_for_page(&s, &page(), &hits, &Settings::default());
        let serious = f
            .iter()
            .find(|f| f.evidence["wrong"] == "中华人明共和国")
            .unwrap();
        assert_eq!(serious.severity, Severity::Veto);
        assert!(serious.message.contains("严重表述错误"));
        let low = f.iter().find(|f| f.evidence["wrong"] == "既使").unwrap();
        assert_eq!(low.severity, Severity::Warn);
    }

    #[test]
    fn allow_list_covers_hits_whatever_the_lengths() {
        let text = "示例：“贯切落实”。深入学习《中华人名共和国宪法》";
        let start = text.find("中华人名共和国").unwrap();
        let serious = hit(
            "中华人名共和国",
            "中华人民共和国",
            start,
            Severity::Veto,
            0.99,
        );
        let allow = vec!["贯切落实".to_string()];
        assert!(!is_allowed(text, &serious, &allow));
        let s2 = text.find("贯切").unwrap();
        let short = hit("贯切", "贯彻", s2, Severity::Deduct, 0.9);
        assert!(
            is_allowed(text, &short, &allow),
            "a longer allowed term covers it"
        );
        assert!(is_allowed(text, &serious, &["中华人名共和国".to_string()]));
        assert!(!is_allowed(text, &short, &[String::new()]));
    }

    #[test]
    fn no_hits_no_findings_and_skip_kinds() {
        let s = site();
        assert!(findings_for_page(&s, &page(), &[], &Settings::default()).is_empty());
        let settings = Settings {
            skip_kinds: vec![TypoKind::Dictionary],
            ..Default::default()
        };
        let hits = vec![hit("按排", "安排", 10, Severity::Deduct, 0.9)];
        assert!(findings_for_page(&s, &page(), &hits, &settings).is_empty());
    }

    #[test]
    fn a_title_typo_is_reported_on_the_article_only() {
        let env = Env::new();
        let mut s = site();
        let art = Page {
            url: "http://127.0.0.1/fgj/art/9.html".into(),
            status: 200,
            kind: PageKind::Article,
            title: "全体干部再接再励推进工作".into(),
            text: "会议要求全体干部再接再励。".into(),
            ..Default::default()
        };
        let list = Page {
            url: "http://127.0.0.1/fgj/gzdt/index.html".into(),
            status: 200,
            kind: PageKind::List,
            title: "工作动态".into(),
            // Lists the article's title, and has its own typo in an intro line.
            text: "全体干部再接再励推进工作 2026-11-20\n本栏目发布贯切落实情况。".into(),
            ..Default::default()
        };
        let home = Page {
            kind: PageKind::Home,
            url: "http://127.0.0.1/fgj/".into(),
            title: "区发展和改革局".into(),
            ..list.clone()
        };
        s.pages = vec![home, list, art];
        let f = Typo.check(&s, &env.ctx("2026-11-26"));
        let got: Vec<(&str, &str)> = f
            .iter()
            .map(|f| (f.url.as_str(), f.evidence["wrong"].as_str().unwrap()))
            .collect();
        assert!(
            got.contains(&("http://127.0.0.1/fgj/art/9.html", "再接再励")),
            "{got:?}"
        );
        assert!(
            !got.iter()
                .any(|(u, w)| *w == "再接再励" && !u.ends_with("9.html")),
            "{got:?}"
        );
        assert!(
            got.contains(&("http://127.0.0.1/fgj/gzdt/index.html", "贯切落实")),
            "{got:?}"
        );
        assert!(
            got.contains(&("http://127.0.0.1/fgj/", "贯切落实")),
            "{got:?}"
        );
    }

    /// A district bureau's pages as the crawl extracts them: a 领导信息
    /// table and a meeting notice name 时凯会 (a given name the confusion
    /// check would read as 开会) and 吴寒喧 (寒喧 is a known misspelling of
    /// 寒暄); articles name them where nothing says they are people; real
    /// typos sit beside them.
    fn sample_site() -> Site {
        let page = |n: usize, kind: PageKind, title: &str, text: &str| Page {
            url: format!("http://127.0.0.1/fgj/art/{n}.html"),
            status: 200,
            kind,
            title: title.into(),
            text: text.into(),
            ..Default::default()
        };
        let mut s = site();
        s.pages = vec![
            page(0, PageKind::Home, "区发展和改革局", "工作动态 关于召开全区项目推进会的通知 2026-11-20 局领导到重点项目调研 2026-11-18"),
            page(1, PageKind::Article, "领导信息", "序号　姓名　性别　职务\n1　时凯会　男　局长\n2　吴寒喧　男　副局长\n3　柯旭凤　女　副局长\n局长主持局全面工作；副局长负责项目建设、招商引资工作。"),
            page(2, PageKind::Article, "关于召开全区项目推进会的通知", "各镇（街道）、区直有关单位：\n经研究，定于11月25日召开全区项目推进会，局长时凯会出席并讲话，副局长吴寒喧主持。请各单位认真贯切落实，做好准备。"),
            page(3, PageKind::Article, "局领导到重点项目调研", "11月18日，时凯会，以及吴寒喧等一行到产业园区调研。双方寒喧几句后进入正题。会议要求全体干部再接再励，确保项目按期投产。"),
            page(4, PageKind::Article, "区发展和改革局召开第四季度工作会议", "会后，时凯会，以及有关科室负责人留下研究具体措施。吴寒喧、柯旭凤分别就分管工作作了部署。"),
            page(5, PageKind::List, "工作动态", "局领导到重点项目调研 2026-11-18\n关于召开全区项目推进会的通知 2026-11-20"),
            Page { status: 404, ..page(6, PageKind::Article, "页面不存在", "按排 再接再励") },
        ];
        s
    }

    /// The hits of the two passes before pages were segmented once: a name
    /// book over every page's text, then every page checked with it.
    fn two_pass_hits(env: &Env, s: &Site) -> Vec<Vec<TypoHit>> {
        let texts: Vec<String> = s
            .pages
            .iter()
            .filter(|p| p.status < 400)
            .map(page_text)
            .collect();
        let book = env.typos.name_book(&texts);
        texts
            .iter()
            .map(|t| {
                env.typos
                    .check_with(t, &[], &book)
                    .into_iter()
                    .filter(|h| !is_allowed(t, h, &s.typo_allow))
                    .collect()
            })
            .collect()
    }

    type Key = (String, [u8; 32]);

    /// A text cache in memory, counting what it answered.
    #[derive(Default)]
    struct MemCache {
        map: std::sync::Mutex<std::collections::HashMap<Key, Vec<u8>>>,
        hits: std::sync::atomic::AtomicUsize,
    }

    impl crate::rules::TextCache for MemCache {
        fn get(&self, kind: &str, key: &[u8; 32]) -> Option<Vec<u8>> {
            let v = self
                .map
                .lock()
                .unwrap()
                .get(&(kind.to_string(), *key))
                .cloned();
            if v.is_some() {
                self.hits.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            }
            v
        }
        fn put(&self, kind: &str, key: &[u8; 32], value: &[u8]) {
            self.map
                .lock()
                .unwrap()
                .insert((kind.to_string(), *key), value.to_vec());
        }
    }

    #[test]
    fn pages_segmented_once_find_what_the_two_passes_found() {
        let env = Env::new();
        let mut s = site_sample_checked(&env);
        let old = two_pass_hits(&env, &s);
        let hits = |ctx: &Context, s: &Site| -> Vec<Vec<TypoHit>> {
            site_hits(s, ctx).into_iter().map(|(_, h)| h).collect()
        };
        assert_eq!(hits(&env.ctx("2026-11-26"), &s), old);
        // Through a text cache: the first run fills it, the second answers
        // every page from it, both exactly as before.
        let cache = MemCache::default();
        let ctx = Context {
            texts: Some(&cache),
            ..env.ctx("2026-11-26")
        };
        assert_eq!(hits(&ctx, &s), old);
        assert_eq!(cache.hits.load(std::sync::atomic::Ordering::Relaxed), 0);
        assert_eq!(hits(&ctx, &s), old);
        let reused = cache.hits.load(std::sync::atomic::Ordering::Relaxed);
        assert!(reused >= 6, "{reused} results reused");
        let findings = Typo.check(&s, &ctx);
        assert_eq!(findings, Typo.check(&s, &env.ctx("2026-11-26")));
        // The site's allow-list is applied after the cache, and a changed
        // text is checked afresh.
        s.typo_allow = vec!["再接再励".into()];
        s.pages[2].text = s.pages[2]
            .text
            .replace("贯切落实", "贯彻落实")
            .replace("出席并讲话", "出席并讲话，要求再接再励");
        let old = two_pass_hits(&env, &s);
        assert_eq!(hits(&ctx, &s), old);
        let wrong: Vec<&str> = old.iter().flatten().map(|h| h.wrong.as_str()).collect();
        assert!(
            !wrong.contains(&"贯切落实") && !wrong.contains(&"再接再励"),
            "{wrong:?}"
        );
    }

    /// The sample exercises what it must: names from the table protect them
    /// on pages that do not say they are people, and real typos still fire.
    fn site_sample_checked(env: &Env) -> Site {
        let s = sample_site();
        let old = two_pass_hits(env, &s);
        let alone: Vec<Vec<TypoHit>> = s
            .pages
            .iter()
            .filter(|p| p.status < 400)
            .map(|p| env.typos.check(&page_text(p), &[]))
            .collect();
        assert_ne!(alone, old, "the site's name book changes some page's hits");
        let wrong: Vec<&str> = old.iter().flatten().map(|h| h.wrong.as_str()).collect();
        for w in ["贯切落实", "再接再励", "寒喧"] {
            assert!(wrong.contains(&w), "{w} in {wrong:?}");
        }
        s
    }

    #[test]
    fn rule_reads_title_and_text_and_skips_error_pages() {
        let p = page();
        assert!(page_text(&p).starts_with("关于做好冬季安全生产的通知\n请各单位"));
        // The builtin engine must stay quiet on clean text.
        let env = Env::new();
        let mut s = site();
        s.pages = vec![Page {
            text: "区发展和改革局召开2026年第四季度工作会议，安排部署下一阶段重点工作。".into(),
            ..page()
        }];
        assert!(Typo.check(&s, &env.ctx("2026-11-26")).is_empty());
    }
}
