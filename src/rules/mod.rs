//! Rules: pure functions from a [`Site`](crate::site::Site) and a
//! [`Context`] to findings. No rule does I/O or reads the clock.
//!
//! One rule, one file (`src/rules/<rule_id>.rs`). The file opens with the
//! rule's documentation in fixed sections (What it checks / Why it matters /
//! Example / Settings) and holds everything else about it: its [`Meta`] (id,
//! Chinese indicator name, rectification advice 整改要求, default severity,
//! score-sheet group), its default scoring ([`RuleDef::default_indicator`], used when
//! a profile leaves the indicator out), its settings struct (read from
//! `rules/<id>.toml`), its typed evidence (what report.json carries, and the
//! one-line Chinese summary the human reports print), its `check` and its
//! unit tests. Registration is a `pub mod` line and one line in [`RULES`];
//! `govaudit rules`, settings loading, profile defaults, the reports and the
//! fixture tests all read that list, so nothing outside this folder names a
//! rule id.
//!
//! Three files here are not rules: `indicator.rs` (deadlines, score-sheet
//! groups, how a profile scores a rule), `settings.rs` (loading
//! `rules/<rule-id>.toml`) and `boards.rs` (message boards and entrances,
//! shared by the 互动交流 and 办事服务 rules).
//!
//! Rules say what they found (and a severity where the rule decides it, e.g.
//! a serious typo); [`crate::score`] assigns points and the final severity
//! from the profile.

use std::sync::Arc;

use chrono::NaiveDate;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::site::{ColumnClass, Site};

mod indicator;
mod settings;

pub use indicator::{Deadlines, Group, Indicator};
pub use settings::{AnySettings, RuleSettings};

pub mod broken_link;
pub mod column_empty;
pub mod column_stale;
pub mod homepage_stale;
pub mod interpretation_missing;
pub mod site_unreachable;
pub mod typo;

// 互动交流 and 办事服务 (issue 11).
mod boards;
pub mod interaction_no_channel;
pub mod interaction_unanswered;
pub mod reply_stale;
pub mod service_missing;
pub mod service_stats_stale;
// Annual reports and personal data (issue 7).
pub mod annual_report_incomplete;
pub mod annual_report_inconsistent;
pub mod annual_report_late;
pub mod annual_report_missing;
pub mod pii_exposed;

// 功能设计 and 发布解读 metadata (issue 11, inspect-function).
pub mod date_anomaly;
pub mod domain_nonconforming;
pub mod error_report_missing;
pub mod interpretation_unlinked;
pub mod metadata_missing;
pub mod outdated_name;
pub mod page_meta_missing;
pub mod search_missing;
pub mod site_identity_missing;

/// Every rule, in report order. Adding a rule is its file plus one line here
/// (and its fixture folder, fixtures/<rule-id>/, which the tests require).
pub const RULES: &[&dyn Rule] = &[
    &site_unreachable::SiteUnreachable,
    &homepage_stale::HomepageStale,
    &column_empty::ColumnEmpty,
    &column_stale::ColumnStale,
    &typo::Typo,
    &interpretation_missing::InterpretationMissing,
    &broken_link::BrokenLink,
    // 互动交流 and 办事服务 (issue 11).
    &interaction_no_channel::InteractionNoChannel,
    &interaction_unanswered::InteractionUnanswered,
    &reply_stale::ReplyStale,
    &service_missing::ServiceMissing,
    &service_stats_stale::ServiceStatsStale,
    // 功能设计 and 发布解读 metadata (issue 11, inspect-function).
    &domain_nonconforming::DomainNonconforming,
    &site_identity_missing::SiteIdentityMissing,
    &error_report_missing::ErrorReportMissing,
    &search_missing::SearchMissing,
    &page_meta_missing::PageMetaMissing,
    &metadata_missing::MetadataMissing,
    &date_anomaly::DateAnomaly,
    &outdated_name::OutdatedName,
    &interpretation_unlinked::InterpretationUnlinked,
    // Annual reports and personal data (issue 7).
    &annual_report_missing::AnnualReportMissing,
    &annual_report_late::AnnualReportLate,
    &annual_report_incomplete::AnnualReportIncomplete,
    &annual_report_inconsistent::AnnualReportInconsistent,
    &pii_exposed::PiiExposed,
];

/// How a finding counts against a site.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Single veto (单项否决) — the site fails whatever its score.
    Veto,
    /// Deducts points (扣分).
    Deduct,
    /// Shown, never deducted.
    Warn,
}

impl Severity {
    /// The lower-case name used in report.json.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Veto => "veto",
            Severity::Deduct => "deduct",
            Severity::Warn => "warn",
        }
    }

    /// Chinese label shown in reports.
    pub fn label_zh(self) -> &'static str {
        match self {
            Severity::Veto => "单项否决",
            Severity::Deduct => "扣分",
            Severity::Warn => "提示",
        }
    }
}

/// One finding, as report.json carries it (contract.md FINDING).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Finding {
    /// Stable fingerprint of rule + site + url (+ target or wrong form).
    pub id: String,
    /// The rule's id.
    pub rule: String,
    /// The site's id.
    pub site: String,
    /// The page (or column) the finding is about.
    pub url: String,
    /// The link target, for findings about a link.
    pub target: Option<String>,
    /// The column's name, when the finding is about a column or its item.
    pub column: Option<String>,
    /// Veto, deduct or warn.
    pub severity: Severity,
    /// Points this finding deducts.
    pub points: f64,
    /// What is wrong, in Chinese, for the department.
    pub message: String,
    /// The rule's typed evidence, as JSON.
    pub evidence: serde_json::Value,
    /// History (src/history): new | persisting; absent without a database.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<crate::history::FindingStatus>,
    /// History: the as_of of the first recorded run that had this id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_seen: Option<chrono::NaiveDate>,
    /// What scoring reads, taken from the typed evidence when the finding is
    /// made (not in report.json).
    #[serde(skip)]
    pub facts: Facts,
}

/// The typed facts of a finding that scoring applies profile data to.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Facts {
    /// The class of the column the finding is about (`veto-classes`).
    pub class: Option<ColumnClass>,
    /// The defect shows on the homepage (`points-homepage`).
    pub on_homepage: bool,
    /// The navigation level of that column (1 = first-level; 0 = unknown).
    pub level: u32,
}

impl Facts {
    /// The facts of a finding about the homepage.
    pub fn homepage() -> Facts {
        Facts {
            on_homepage: true,
            ..Facts::default()
        }
    }

    /// The facts of a finding about a column.
    pub fn column(class: Option<ColumnClass>, level: u32) -> Facts {
        Facts {
            class,
            level,
            on_homepage: false,
        }
    }
}

impl Finding {
    /// A finding with its stable fingerprint computed from rule, site, url and
    /// `extra` (the broken target or the wrong form); points are set by scoring.
    #[allow(clippy::too_many_arguments)]
    pub fn new<E: Evidence>(
        rule: &str,
        site: &Site,
        url: &str,
        extra: Option<&str>,
        column: Option<&str>,
        severity: Severity,
        message: String,
        evidence: &E,
    ) -> Finding {
        Finding {
            id: fingerprint(rule, &site.id, url, extra),
            rule: rule.to_string(),
            site: site.id.clone(),
            url: url.to_string(),
            target: None,
            column: column.map(str::to_string),
            severity,
            points: 0.0,
            message,
            evidence: serde_json::to_value(evidence).expect("evidence serialises"),
            facts: evidence.facts(),
            status: None,
            first_seen: None,
        }
    }
}

/// A rule's typed evidence: serialised into report.json `evidence`, read back
/// (missing fields defaulted) to print its Chinese one-line summary.
pub trait Evidence: Serialize + DeserializeOwned + Default {
    /// One line of Chinese for the human reports (证据).
    fn summary_zh(&self) -> String;
    /// What scoring needs to know.
    fn facts(&self) -> Facts {
        Facts::default()
    }
}

/// Untyped evidence, for a rule not yet given its own struct: summarised as
/// its JSON, with no facts for scoring. Every registered rule has a struct.
impl Evidence for serde_json::Value {
    fn summary_zh(&self) -> String {
        self.to_string()
    }
}

/// Stable fingerprint of a defect: the first 20 hex digits of
/// sha256(rule, site, url, extra), fields separated by a NUL so that
/// ("ab","c") and ("a","bc") differ. Same defect ⇒ same id night after night.
pub fn fingerprint(rule: &str, site: &str, url: &str, extra: Option<&str>) -> String {
    let mut h = Sha256::new();
    for part in [rule, site, url, extra.unwrap_or("")] {
        h.update(part.as_bytes());
        h.update([0u8]);
    }
    let digest = h.finalize();
    digest[..10].iter().map(|b| format!("{b:02x}")).collect()
}

/// What is fixed about a rule.
#[derive(Debug, Clone, Copy)]
pub struct Meta {
    /// Kebab-case id (contract.md).
    pub id: &'static str,
    /// Chinese name of the inspection indicator it implements.
    pub name_zh: &'static str,
    /// What a department should do about a finding (整改要求).
    pub advice_zh: &'static str,
    /// The severity its findings carry before scoring.
    pub severity: Severity,
    /// Its group on the score sheet.
    pub group: Group,
    /// The rule file's source; its leading `//!` lines are the documentation.
    pub source: &'static str,
}

/// A rule, written once per file; [`Rule`] is what the registry holds.
pub trait RuleDef: Send + Sync + 'static {
    /// Id, names, advice, severity, group, documentation.
    const META: Meta;
    /// `rules/<id>.toml`, compiled in for the built-in profiles when the
    /// project ships one.
    const BUILTIN_SETTINGS: Option<&'static str> = None;
    /// Its settings (`rules/<id>.toml`): serde, `deny_unknown_fields`, defaults.
    type Settings: DeserializeOwned + Default + Send + Sync + 'static;
    /// What its findings carry as evidence.
    type Evidence: Evidence;
    /// How the national profile scores it; a profile that leaves the
    /// indicator out gets this.
    fn default_indicator() -> Indicator;
    /// The check itself.
    fn run(&self, site: &Site, ctx: &Context, settings: &Self::Settings) -> Vec<Finding>;
}

/// A registered rule (the object-safe face of a [`RuleDef`]).
pub trait Rule: Send + Sync {
    /// Id, names, advice, severity, group, documentation.
    fn meta(&self) -> &'static Meta;
    /// Kebab-case id (contract.md).
    fn id(&self) -> &'static str {
        self.meta().id
    }
    /// Chinese name of the inspection indicator it implements.
    fn name_zh(&self) -> &'static str {
        self.meta().name_zh
    }
    /// The rule file's `//!` documentation, then its default scoring as a
    /// profile would write it.
    fn doc(&self) -> String {
        let m = self.meta();
        let scoring: String = self
            .indicator()
            .to_toml(m.id)
            .lines()
            .map(|l| format!("    {l}\n"))
            .collect();
        format!(
            "{}\n## Default scoring\n{} ({}); a profile that leaves the indicator out scores it as:\n\n{scoring}",
            module_doc(m.source),
            m.group.label_zh(),
            m.group.as_str(),
        )
    }
    /// Its default scoring, name and group filled in.
    fn indicator(&self) -> Indicator;
    /// Its settings from `rules/<id>.toml` text (`None`: the compiled-in
    /// file if there is one, else the defaults).
    fn settings(&self, text: Option<&str>) -> Result<AnySettings, toml::de::Error>;
    /// The Chinese one-line summary of one of its findings' evidence.
    fn evidence_zh(&self, evidence: &serde_json::Value) -> String;
    /// Run the rule.
    fn check(&self, site: &Site, ctx: &Context) -> Vec<Finding>;
}

impl<T: RuleDef> Rule for T {
    fn meta(&self) -> &'static Meta {
        &T::META
    }
    fn indicator(&self) -> Indicator {
        let mut i = T::default_indicator();
        if i.name.is_empty() {
            i.name = T::META.name_zh.to_string();
        }
        i.group.get_or_insert(T::META.group);
        i
    }
    fn settings(&self, text: Option<&str>) -> Result<AnySettings, toml::de::Error> {
        let s: T::Settings = match text.or(T::BUILTIN_SETTINGS) {
            Some(text) => toml::from_str(text)?,
            None => T::Settings::default(),
        };
        Ok(Arc::new(s))
    }
    fn evidence_zh(&self, evidence: &serde_json::Value) -> String {
        match T::Evidence::deserialize(evidence) {
            Ok(e) => e.summary_zh(),
            Err(_) => evidence.to_string(),
        }
    }
    fn check(&self, site: &Site, ctx: &Context) -> Vec<Finding> {
        self.run(site, ctx, ctx.settings.get::<T::Settings>(T::META.id))
    }
}

/// What every rule may read besides the site.
pub struct Context<'a> {
    /// The monitoring time point (监测时间点).
    pub as_of: NaiveDate,
    /// Loaded typo dictionaries.
    pub typos: &'a crate::typo::TypoChecker,
    /// Update deadlines per column class, from the profile.
    pub deadlines: &'a Deadlines,
    /// Each rule's own settings.
    pub settings: &'a RuleSettings,
    /// Per-page results of earlier runs (the history database's
    /// `text_cache`); `None` computes everything (no database, lint, demo,
    /// shard workers, tests).
    pub texts: Option<&'a dyn TextCache>,
}

/// Results of a per-page text rule kept between runs, keyed on [`text_key`]
/// of the rule engine's fingerprint and the page's text — never on the URL:
/// a page whose text changed cannot hit, and a text served unchanged
/// without validators still does. What the value means is the rule's
/// business (`kind` separates rules); the store keeps bytes.
pub trait TextCache: Send + Sync {
    /// The value stored for `key` under `kind`, if any (and marks it used).
    fn get(&self, kind: &str, key: &[u8; 32]) -> Option<Vec<u8>>;
    /// Store `value` for `key` under `kind` (kept when the run is recorded).
    fn put(&self, kind: &str, key: &[u8; 32], value: &[u8]);
}

/// SHA-256 of `parts`, each length-prefixed (so ("ab","c") and ("a","bc")
/// differ): the key of a [`TextCache`] entry.
pub fn text_key(parts: &[&[u8]]) -> [u8; 32] {
    let mut h = Sha256::new();
    for p in parts {
        h.update((p.len() as u64).to_le_bytes());
        h.update(p);
    }
    h.finalize().into()
}

/// `compute()`, or what `cache` kept for `key` from a run that computed it
/// (stored as JSON; a value that no longer reads is computed again).
pub(crate) fn cached<T: Serialize + DeserializeOwned>(
    cache: Option<&dyn TextCache>,
    kind: &str,
    key: impl FnOnce() -> [u8; 32],
    compute: impl FnOnce() -> T,
) -> T {
    let Some(cache) = cache else {
        return compute();
    };
    let key = key();
    if let Some(v) = cache
        .get(kind, &key)
        .and_then(|b| serde_json::from_slice(&b).ok())
    {
        return v;
    }
    let v = compute();
    if let Ok(b) = serde_json::to_vec(&v) {
        cache.put(kind, &key, &b);
    }
    v
}

/// The rule with this id.
pub fn find(id: &str) -> Option<&'static dyn Rule> {
    RULES.iter().copied().find(|r| r.id() == id)
}

/// Position of a rule in [`RULES`] (unknown ids sort last).
pub fn order(id: &str) -> usize {
    RULES
        .iter()
        .position(|r| r.id() == id)
        .unwrap_or(RULES.len())
}

/// Run every rule on one site; findings come out in a stable order.
pub fn check_site(site: &Site, ctx: &Context) -> Vec<Finding> {
    check_site_guarded(site, ctx).0
}

/// A rule that panicked on a site (a bug, reported instead of aborting the run).
#[derive(Debug, Clone, PartialEq)]
pub struct RuleFailure {
    /// The rule's id.
    pub rule: &'static str,
    /// The panic message.
    pub message: String,
}

/// Run every rule on one site; a rule that panics loses its findings for
/// this site and is reported as a failure, and the audit goes on: one odd
/// page must not abort a province-wide nightly run.
pub fn check_site_guarded(site: &Site, ctx: &Context) -> (Vec<Finding>, Vec<RuleFailure>) {
    let mut out = Vec::new();
    let mut failures = Vec::new();
    for rule in RULES {
        match run_guarded(*rule, site, ctx) {
            Ok(f) => out.extend(f),
            Err(e) => failures.push(e),
        }
    }
    (out, failures)
}

fn run_guarded(rule: &dyn Rule, site: &Site, ctx: &Context) -> Result<Vec<Finding>, RuleFailure> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| rule.check(site, ctx))).map_err(
        |payload| {
            let message = payload
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| payload.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "panic".to_string());
            RuleFailure {
                rule: rule.id(),
                message: message.replace('\n', " "),
            }
        },
    )
}

/// The leading `//!` lines of a rule file, without the markers.
pub(crate) fn module_doc(source: &str) -> String {
    let mut out = String::new();
    for line in source.lines() {
        let Some(rest) = line.strip_prefix("//!") else {
            break;
        };
        out.push_str(rest.strip_prefix(' ').unwrap_or(rest));
        out.push('\n');
    }
    out
}

/// Every rule's documentation (`govaudit rules`), or one rule's.
pub fn docs(id: Option<&str>) -> crate::Result<String> {
    let rules: Vec<&dyn Rule> = match id {
        Some(id) => vec![find(id).ok_or_else(|| {
            let known: Vec<&str> = RULES.iter().map(|r| r.id()).collect();
            crate::Error::Other(format!("unknown rule {id:?} (known: {})", known.join(", ")))
        })?],
        None => RULES.to_vec(),
    };
    // Each doc opens with its own "# <id> — <指标>" heading.
    let docs: Vec<String> = rules.iter().map(|r| r.doc()).collect();
    Ok(docs.join("\n"))
}

/// The newest date of a stale homepage or column, in the reports' words.
pub(crate) fn latest_zh(latest: Option<NaiveDate>) -> String {
    match latest {
        Some(d) => format!("最近更新：{d}"),
        None => "无带日期的信息".into(),
    }
}

/// The site's homepage as fetched (`None` when it could not be).
pub(crate) fn homepage(site: &Site) -> Option<&crate::site::Page> {
    site.pages
        .iter()
        .find(|p| p.kind == crate::site::PageKind::Home)
}

/// One finding about the whole site, at its start URL.
pub(crate) fn site_finding<E: Evidence>(
    meta: &Meta,
    site: &Site,
    severity: Severity,
    message: String,
    evidence: &E,
) -> Finding {
    Finding::new(
        meta.id, site, &site.url, None, None, severity, message, evidence,
    )
}

/// One page that lacks something, as the per-site findings show it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct MissingExample {
    /// URL of the example page.
    pub url: String,
    /// Its title.
    pub title: String,
    /// What it lacks.
    pub missing: Vec<String>,
}

/// A per-site count of pages lacking things (meta tags, metadata fields):
/// pages checked, pages lacking any, pages lacking each, first five examples.
#[derive(Debug, Default)]
pub(crate) struct Tally {
    pub checked: usize,
    pub missing: usize,
    pub counts: std::collections::BTreeMap<String, usize>,
    pub examples: Vec<MissingExample>,
}

impl Tally {
    /// Count one checked page and what it lacks.
    pub fn add(&mut self, page: &crate::site::Page, missing: Vec<String>) {
        self.checked += 1;
        if missing.is_empty() {
            return;
        }
        self.missing += 1;
        for m in &missing {
            *self.counts.entry(m.clone()).or_default() += 1;
        }
        if self.examples.len() < 5 {
            self.examples.push(MissingExample {
                url: page.url.clone(),
                title: page.title.clone(),
                missing,
            });
        }
    }

    /// What is lacking, for a message: `SiteIDCode、ContentSource`.
    pub fn names(&self) -> String {
        self.counts.keys().cloned().collect::<Vec<_>>().join("、")
    }
}

/// Days from `date` to `as_of` (negative when `date` is in the future).
pub(crate) fn days_between(date: NaiveDate, as_of: NaiveDate) -> i64 {
    (as_of - date).num_days()
}

#[cfg(test)]
pub(crate) mod testutil {
    //! Hand-built sites and a context from the national profile, for rule unit tests.
    pub use super::Rule;
    use super::*;
    use crate::site::{Column, Item, StartOutcome};

    pub fn date(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    pub fn site() -> Site {
        Site {
            id: "fgj".into(),
            name: "区发展和改革局".into(),
            url: "http://127.0.0.1/fgj/".into(),
            start: StartOutcome {
                ok: true,
                status: Some(200),
                attempts: 1,
                ..Default::default()
            },
            ..Default::default()
        }
    }

    pub fn item(title: &str, d: Option<&str>) -> Item {
        Item {
            title: title.into(),
            url: Some(format!("http://127.0.0.1/fgj/art/{title}.html")),
            date: d.map(date),
            ..Default::default()
        }
    }

    pub fn column(name: &str, class: ColumnClass, items: Vec<Item>) -> Column {
        Column {
            url: format!("http://127.0.0.1/fgj/col/{name}/index.html"),
            name: name.into(),
            class,
            level: 1,
            class_source: Default::default(),
            items,
            list_pages: 1,
            style: "html-list".into(),
            placeholder: false,
            load_error: None,
            truncated: false,
            kind: Default::default(),
            body_chars: 0,
            channel: None,
        }
    }

    pub struct Env {
        pub typos: &'static crate::typo::TypoChecker,
        pub profile: crate::profile::Profile,
        pub settings: RuleSettings,
    }

    /// Loading the dictionaries is slow in a debug build: once per test binary.
    static TYPOS: std::sync::OnceLock<crate::typo::TypoChecker> = std::sync::OnceLock::new();

    impl Env {
        pub fn new() -> Env {
            Env {
                typos: TYPOS.get_or_init(crate::typo::TypoChecker::builtin),
                profile: crate::profile::Profile::builtin("national-2019").unwrap(),
                settings: RuleSettings::default(),
            }
        }

        pub fn ctx(&self, as_of: &str) -> Context<'_> {
            Context {
                as_of: date(as_of),
                typos: self.typos,
                deadlines: &self.profile.deadlines,
                settings: &self.settings,
                texts: None,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fingerprint_is_stable_and_separates_fields() {
        let a = fingerprint("some-rule", "fgj", "http://a/", Some("http://b/"));
        assert_eq!(
            a,
            fingerprint("some-rule", "fgj", "http://a/", Some("http://b/"))
        );
        assert_eq!(a.len(), 20);
        assert!(a.bytes().all(|b| b.is_ascii_hexdigit()));
        assert_ne!(a, fingerprint("some-rule", "fgj", "http://a/", None));
        assert_ne!(
            fingerprint("x", "ab", "c", None),
            fingerprint("x", "a", "bc", None)
        );
    }

    /// `govaudit rules` shows each rule's default scoring, and it parses back
    /// as the same indicator.
    #[test]
    fn documented_default_scoring_is_a_valid_profile_table() {
        for r in RULES {
            let doc = r.doc();
            let at = doc.find("## Default scoring").expect("section");
            let table: String = doc[at..]
                .lines()
                .filter_map(|l| l.strip_prefix("    "))
                .map(|l| format!("{l}\n"))
                .collect();
            let parsed: toml::Table = table.parse().unwrap();
            let ind: Indicator = parsed["indicators"][r.id()].clone().try_into().unwrap();
            assert_eq!(ind, r.indicator(), "{}", r.id());
        }
    }

    #[test]
    fn registry_ids_are_unique_kebab_case_and_documented() {
        let mut seen = std::collections::HashSet::new();
        for r in RULES {
            assert!(seen.insert(r.id()), "duplicate {}", r.id());
            assert!(r.id().bytes().all(|b| b.is_ascii_lowercase() || b == b'-'));
            let doc = r.doc();
            assert!(doc.starts_with(&format!("# {} — ", r.id())), "{}", r.id());
            for section in ["What it checks", "Why it matters", "Example", "Settings"] {
                assert!(doc.contains(section), "{} lacks {section}", r.id());
            }
            let m = r.meta();
            assert!(
                !m.name_zh.is_empty() && !m.advice_zh.is_empty(),
                "{}",
                r.id()
            );
            let ind = r.indicator();
            assert_eq!(ind.name, m.name_zh);
            assert!(ind.points >= 0.0 && ind.cap.is_none_or(|c| c >= 0.0));
            // A rule that only vetoes says so in its default.
            if m.severity == Severity::Veto {
                assert!(ind.veto, "{}", r.id());
            }
        }
    }

    /// The README's rule table lists every registered rule.
    #[test]
    fn readme_lists_every_rule() {
        let readme = include_str!("../../README.md");
        for r in RULES {
            let row = format!("| {} | {}", r.id(), r.name_zh());
            assert!(readme.contains(&row), "README lacks the row {row:?}");
        }
    }

    #[test]
    fn a_panicking_rule_becomes_a_failure_not_an_abort() {
        struct Boom;
        impl RuleDef for Boom {
            const META: Meta = Meta {
                id: "boom",
                name_zh: "测试",
                advice_zh: "",
                severity: Severity::Deduct,
                group: Group::Publish,
                source: "",
            };
            type Settings = ();
            type Evidence = site_unreachable::SiteUnreachableEvidence;
            fn default_indicator() -> Indicator {
                Indicator::points(0.0)
            }
            fn run(&self, _: &Site, _: &Context, _: &()) -> Vec<Finding> {
                panic!("slice index out of range\nsecond line")
            }
        }
        let mut env = testutil::Env::new();
        env.settings.set("boom", ());
        let site = testutil::site();
        let e = run_guarded(&Boom, &site, &env.ctx("2026-11-26")).unwrap_err();
        assert_eq!(e.rule, "boom");
        assert_eq!(e.message, "slice index out of range second line");
        let ok = run_guarded(
            &site_unreachable::SiteUnreachable,
            &site,
            &env.ctx("2026-11-26"),
        );
        assert_eq!(ok, Ok(vec![]));
    }

    #[test]
    fn module_doc_stops_at_first_code_line() {
        assert_eq!(module_doc("//! a\n//!\n//! b\nuse x;\n//! c\n"), "a\n\nb\n");
    }
}
