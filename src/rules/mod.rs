//! Rules: pure functions from a [`Site`](crate::site::Site) and a
//! [`Context`] to findings. No rule does I/O or reads the clock.
//!
//! One file per rule (`src/rules/<rule_id>.rs`), each opening with its
//! documentation in fixed sections (What it checks / Why it matters / Example /
//! Settings) and holding its settings struct, its `check` and its unit tests.
//! The registry is the plain const slice [`RULES`]. Rules say what they found
//! (and a severity hint where the rule decides it, e.g. a serious typo);
//! [`crate::score`] assigns points and the final severity from the profile.

use std::path::Path;

use chrono::NaiveDate;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::config::ConfigError;
use crate::site::{ColumnClass, Site};

pub mod broken_link;
pub mod column_empty;
pub mod column_stale;
pub mod homepage_stale;
pub mod interpretation_missing;
pub mod site_unreachable;
pub mod typo;

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
    pub id: String,
    pub rule: String,
    pub site: String,
    pub url: String,
    pub target: Option<String>,
    pub column: Option<String>,
    pub severity: Severity,
    pub points: f64,
    pub message: String,
    pub evidence: serde_json::Value,
}

impl Finding {
    /// A finding with its stable fingerprint computed from rule, site, url and
    /// `extra` (the broken target or the wrong form); points are set by scoring.
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        rule: &str,
        site: &Site,
        url: &str,
        extra: Option<&str>,
        column: Option<&str>,
        severity: Severity,
        message: String,
        evidence: serde_json::Value,
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
            evidence,
        }
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

/// Update deadlines in days (更新时限), from the scoring profile's
/// `[deadlines]` table. `None` means the class has no deadline.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Deadlines {
    /// 首页不更新: newest homepage item older than this many days.
    pub homepage: u32,
    #[serde(default)]
    pub dynamic: Option<u32>,
    #[serde(default)]
    pub notice: Option<u32>,
    #[serde(default)]
    pub policy: Option<u32>,
    #[serde(default)]
    pub interpretation: Option<u32>,
    #[serde(default)]
    pub long_term: Option<u32>,
    #[serde(default)]
    pub other: Option<u32>,
}

impl Deadlines {
    /// Deadline of a column class, `None` when it has none.
    pub fn for_class(&self, class: ColumnClass) -> Option<u32> {
        match class {
            ColumnClass::Dynamic => self.dynamic,
            ColumnClass::Notice => self.notice,
            ColumnClass::Policy => self.policy,
            ColumnClass::Interpretation => self.interpretation,
            ColumnClass::LongTerm => self.long_term,
            ColumnClass::Other => self.other,
        }
    }
}

/// Every rule's settings, each from `rules/<rule-id>.toml` when present.
#[derive(Debug, Clone, Default)]
pub struct RuleSettings {
    pub site_unreachable: site_unreachable::Settings,
    pub homepage_stale: homepage_stale::Settings,
    pub column_empty: column_empty::Settings,
    pub column_stale: column_stale::Settings,
    pub typo: typo::Settings,
    pub interpretation_missing: interpretation_missing::Settings,
    pub broken_link: broken_link::Settings,
}

impl RuleSettings {
    /// Settings read from `<dir>/<rule-id>.toml` for each rule whose file
    /// exists there; defaults for the others. A misspelled key is an error
    /// naming the file, line and field.
    pub fn load_dir(dir: &Path) -> Result<RuleSettings, ConfigError> {
        Ok(RuleSettings {
            site_unreachable: load_one(dir, "site-unreachable")?,
            homepage_stale: load_one(dir, "homepage-stale")?,
            column_empty: load_one(dir, "column-empty")?,
            column_stale: load_one(dir, "column-stale")?,
            typo: load_one(dir, "typo")?,
            interpretation_missing: load_one(dir, "interpretation-missing")?,
            broken_link: load_one(dir, "broken-link")?,
        })
    }
}

fn load_one<T: DeserializeOwned + Default>(dir: &Path, id: &str) -> Result<T, ConfigError> {
    let path = dir.join(format!("{id}.toml"));
    if !path.is_file() {
        return Ok(T::default());
    }
    let text = std::fs::read_to_string(&path).map_err(|e| ConfigError {
        file: path.clone(),
        line: 0,
        field: "(file)".into(),
        message: format!("cannot read: {e}"),
    })?;
    toml::from_str(&text).map_err(|e| ConfigError::from_toml(&path, &text, &e))
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
}

/// A rule.
pub trait Rule: Send + Sync {
    /// Kebab-case id (contract.md).
    fn id(&self) -> &'static str;
    /// Chinese name of the inspection indicator it implements.
    fn name_zh(&self) -> &'static str;
    /// The rule file's `//!` documentation.
    fn doc(&self) -> String;
    fn check(&self, site: &Site, ctx: &Context) -> Vec<Finding>;
}

/// Every rule, in report order.
pub const RULES: &[&dyn Rule] = &[
    &site_unreachable::SiteUnreachable,
    &homepage_stale::HomepageStale,
    &column_empty::ColumnEmpty,
    &column_stale::ColumnStale,
    &typo::Typo,
    &interpretation_missing::InterpretationMissing,
    &broken_link::BrokenLink,
];

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
    pub rule: &'static str,
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

/// Days from `date` to `as_of` (negative when `date` is in the future).
pub(crate) fn days_between(date: NaiveDate, as_of: NaiveDate) -> i64 {
    (as_of - date).num_days()
}

#[cfg(test)]
pub(crate) mod testutil {
    //! Hand-built sites and a context from the national profile, for rule unit tests.
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
        pub profile: crate::score::Profile,
        pub settings: RuleSettings,
    }

    /// Loading the dictionaries is slow in a debug build: once per test binary.
    static TYPOS: std::sync::OnceLock<crate::typo::TypoChecker> = std::sync::OnceLock::new();

    impl Env {
        pub fn new() -> Env {
            Env {
                typos: TYPOS.get_or_init(crate::typo::TypoChecker::builtin),
                profile: crate::score::Profile::builtin("national-2019").unwrap(),
                settings: RuleSettings::default(),
            }
        }

        pub fn ctx(&self, as_of: &str) -> Context<'_> {
            Context {
                as_of: date(as_of),
                typos: self.typos,
                deadlines: &self.profile.deadlines,
                settings: &self.settings,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fingerprint_is_stable_and_separates_fields() {
        let a = fingerprint("broken-link", "fgj", "http://a/", Some("http://b/"));
        assert_eq!(
            a,
            fingerprint("broken-link", "fgj", "http://a/", Some("http://b/"))
        );
        assert_eq!(a.len(), 20);
        assert!(a.bytes().all(|b| b.is_ascii_hexdigit()));
        assert_ne!(a, fingerprint("broken-link", "fgj", "http://a/", None));
        assert_ne!(
            fingerprint("x", "ab", "c", None),
            fingerprint("x", "a", "bc", None)
        );
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
        }
        assert_eq!(RULES.len(), 7);
    }

    #[test]
    fn settings_files_override_defaults_and_reject_typos() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("broken-link.toml"),
            "include_external = false\n",
        )
        .unwrap();
        let s = RuleSettings::load_dir(dir.path()).unwrap();
        assert!(!s.broken_link.include_external);
        assert!(s
            .column_stale
            .skip_name_keywords
            .contains(&"专题".to_string()));
        std::fs::write(dir.path().join("typo.toml"), "\nmin_confidense = 0.5\n").unwrap();
        let e = RuleSettings::load_dir(dir.path()).unwrap_err();
        assert_eq!((e.line, e.field.as_str()), (2, "min_confidense"), "{e}");
    }

    #[test]
    fn a_panicking_rule_becomes_a_failure_not_an_abort() {
        struct Boom;
        impl Rule for Boom {
            fn id(&self) -> &'static str {
                "boom"
            }
            fn name_zh(&self) -> &'static str {
                "测试"
            }
            fn doc(&self) -> String {
                String::new()
            }
            fn check(&self, _: &Site, _: &Context) -> Vec<Finding> {
                panic!("slice index out of range\nsecond line")
            }
        }
        let env = testutil::Env::new();
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
