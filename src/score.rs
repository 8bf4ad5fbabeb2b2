//! Scoring: applies a profile (rules/national-2019.toml: vetoes 单项否决,
//! points 扣分, per-indicator caps, pass mark) to a site's findings. Knows
//! nothing about HTML.
//!
//! `score = 100 − Σ_indicator min(cap, Σ points)`, never below 0, counted in
//! hundredths of a point so that ten 0.1-point links are exactly 1 point.
//! Any veto fails the site whatever its score; otherwise it fails below the
//! pass mark (exactly the pass mark passes).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::config::ConfigError;
use crate::rules::{self, Deadlines, Finding, RuleSettings, Severity};
use crate::site::ColumnClass;

/// Profiles compiled into the binary, by name.
const BUILTIN: &[(&str, &str)] = &[
    ("national-2019", include_str!("../rules/national-2019.toml")),
    ("city-strict", include_str!("../rules/city-strict.toml")),
];

/// The default profile name.
pub const DEFAULT_PROFILE: &str = "national-2019";

/// A scoring profile: every number the inspection scores with.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Profile {
    /// Name reported in report.json `profile`.
    pub name: String,
    /// Title shown in the human reports.
    #[serde(default)]
    pub title: Option<String>,
    /// Lowest passing score (合格线).
    pub pass_mark: f64,
    /// Update deadlines per class.
    pub deadlines: Deadlines,
    pub vetoes: Vetoes,
    /// Points and caps per rule id.
    pub indicators: BTreeMap<String, Indicator>,
    /// Per-rule settings (rules/<rule-id>.toml beside a profile file).
    #[serde(skip)]
    pub settings: RuleSettings,
    /// Where the profile came from: a built-in name, or the absolute path of
    /// its file. Recorded in the crawl snapshot so `lint` replays with it.
    #[serde(skip)]
    pub source: String,
}

/// `[vetoes]`: which findings fail a site outright (单项否决).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Vetoes {
    pub site_unreachable: bool,
    pub homepage_stale: bool,
    pub serious_typo: bool,
    /// Veto when empty columns are strictly more than this (超过N个).
    #[serde(default)]
    pub column_empty_more_than: Option<u32>,
    /// Veto when stale columns of the key classes are strictly more than this.
    #[serde(default)]
    pub column_stale_key_more_than: Option<u32>,
    #[serde(default)]
    pub column_stale_key_classes: Vec<ColumnClass>,
    /// Veto when stale columns of any class are strictly more than this.
    #[serde(default)]
    pub column_stale_any_more_than: Option<u32>,
    /// Whether empty columns count toward `column-stale-any-more-than`.
    #[serde(default)]
    pub column_stale_any_counts_empty: bool,
}

/// `[indicators.<rule-id>]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Indicator {
    /// Chinese indicator name shown in reports.
    pub name: String,
    /// Points per finding.
    pub points: f64,
    /// Points per finding whose evidence has `on_homepage: true` (broken-link).
    #[serde(default)]
    pub points_homepage: Option<f64>,
    /// Most points the indicator can deduct; none = uncapped.
    #[serde(default)]
    pub cap: Option<f64>,
}

impl Profile {
    /// A profile compiled into the binary.
    pub fn builtin(name: &str) -> Option<Profile> {
        let (_, text) = BUILTIN.iter().find(|(n, _)| *n == name)?;
        let mut p = Profile::parse(Path::new(&format!("rules/{name}.toml")), text)
            .expect("built-in profile is valid (tested)");
        p.source = name.to_string();
        Some(p)
    }

    /// Names of the built-in profiles.
    pub fn builtin_names() -> Vec<&'static str> {
        BUILTIN.iter().map(|(n, _)| *n).collect()
    }

    /// Load a profile named by `spec`: a built-in name, or a path to a .toml
    /// file (relative paths against `base`). A file profile also reads
    /// `<its folder>/<rule-id>.toml` rule settings when present.
    pub fn resolve(spec: &str, base: Option<&Path>) -> Result<Profile, ConfigError> {
        let looks_like_path = spec.ends_with(".toml") || spec.contains('/') || spec.contains('\\');
        if !looks_like_path {
            if let Some(p) = Profile::builtin(spec) {
                return Ok(p);
            }
            return Err(ConfigError {
                file: PathBuf::from(spec),
                line: 0,
                field: "profile".into(),
                message: format!(
                    "unknown profile {spec:?} (built-in: {}; or give a path to a .toml file)",
                    Profile::builtin_names().join(", ")
                ),
            });
        }
        let path = match base {
            Some(b) if Path::new(spec).is_relative() => b.join(spec),
            _ => PathBuf::from(spec),
        };
        Profile::load(&path)
    }

    /// Read a profile file (and rule settings beside it).
    pub fn load(path: &Path) -> Result<Profile, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|e| ConfigError {
            file: path.to_path_buf(),
            line: 0,
            field: "(file)".into(),
            message: format!("cannot read profile: {e}"),
        })?;
        let mut p = Profile::parse(path, &text)?;
        p.source = std::fs::canonicalize(path)
            .unwrap_or_else(|_| path.to_path_buf())
            .display()
            .to_string();
        if let Some(dir) = path.parent() {
            let dir = if dir.as_os_str().is_empty() {
                Path::new(".")
            } else {
                dir
            };
            p.settings = RuleSettings::load_dir(dir)?;
        }
        Ok(p)
    }

    /// Parse and validate profile text; `path` is used in errors only.
    pub fn parse(path: &Path, text: &str) -> Result<Profile, ConfigError> {
        let p: Profile =
            toml::from_str(text).map_err(|e| ConfigError::from_toml(path, text, &e))?;
        let at = |needle: &str, field: String, msg: String| {
            // The first line that starts with the key (comments may mention it).
            let line = text
                .lines()
                .position(|l| l.trim_start().starts_with(needle))
                .map(|i| i + 1)
                .unwrap_or(1);
            ConfigError {
                file: path.to_path_buf(),
                line,
                field,
                message: msg,
            }
        };
        if !(0.0..=100.0).contains(&p.pass_mark) {
            return Err(at(
                "pass-mark",
                "pass-mark".into(),
                format!("{} must be between 0 and 100", p.pass_mark),
            ));
        }
        for key in p.indicators.keys() {
            if rules::find(key).is_none() {
                let known: Vec<&str> = rules::RULES.iter().map(|r| r.id()).collect();
                return Err(at(
                    &format!("[indicators.{key}]"),
                    format!("indicators.{key}"),
                    format!("unknown rule id (known: {})", known.join(", ")),
                ));
            }
        }
        for rule in rules::RULES {
            let Some(ind) = p.indicators.get(rule.id()) else {
                return Err(ConfigError {
                    file: path.to_path_buf(),
                    line: 1,
                    field: format!("indicators.{}", rule.id()),
                    message: "missing: every rule needs its indicator (name, points)".into(),
                });
            };
            let header = format!("[indicators.{}]", rule.id());
            for (what, v) in [
                ("points", Some(ind.points)),
                ("points-homepage", ind.points_homepage),
                ("cap", ind.cap),
            ] {
                if let Some(v) = v {
                    if !(v.is_finite() && v >= 0.0) {
                        return Err(at(
                            &header,
                            format!("indicators.{}.{what}", rule.id()),
                            format!("{v} must be a number ≥ 0"),
                        ));
                    }
                }
            }
        }
        Ok(p)
    }

    fn indicator(&self, rule: &str) -> Option<&Indicator> {
        self.indicators.get(rule)
    }
}

/// Pass or fail (合格 / 不合格).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Verdict {
    Pass,
    Fail,
}

impl Verdict {
    pub fn label_zh(self) -> &'static str {
        match self {
            Verdict::Pass => "合格",
            Verdict::Fail => "不合格",
        }
    }
}

/// One indicator's outcome for a site (the inspection table's row).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IndicatorResult {
    pub rule: String,
    pub name: String,
    /// Findings of this rule (warnings included).
    pub findings: usize,
    /// Points deducted after the cap.
    pub deducted: f64,
    pub cap: Option<f64>,
    /// True when this indicator vetoed the site.
    pub veto: bool,
}

/// A site's score.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SiteScore {
    pub score: f64,
    pub verdict: Verdict,
    /// Rule ids that triggered a single veto, in rule order.
    pub vetoes: Vec<String>,
    pub indicators: Vec<IndicatorResult>,
}

fn cents(p: f64) -> i64 {
    (p * 100.0).round() as i64
}

fn is_on_homepage(f: &Finding) -> bool {
    f.evidence.get("on_homepage").and_then(|v| v.as_bool()) == Some(true)
}

fn finding_class(f: &Finding) -> Option<ColumnClass> {
    f.evidence
        .get("class")
        .and_then(|v| v.as_str())
        .and_then(ColumnClass::parse)
}

/// Score one site's findings: sets each finding's final severity and the
/// points it actually deducts (the cap is consumed biggest first), sorts the
/// findings into report order and returns the score and verdict.
pub fn score_site(findings: &mut [Finding], profile: &Profile) -> SiteScore {
    let v = &profile.vetoes;
    let count = |rule: &str| findings.iter().filter(|f| f.rule == rule).count();
    let empty = count("column-empty");
    let stale_key = findings
        .iter()
        .filter(|f| f.rule == "column-stale")
        .filter(|f| finding_class(f).is_some_and(|c| v.column_stale_key_classes.contains(&c)))
        .count();
    let stale_any = count("column-stale")
        + if v.column_stale_any_counts_empty {
            empty
        } else {
            0
        };
    let over = |n: usize, limit: Option<u32>| limit.is_some_and(|l| n > l as usize);
    let empty_veto = over(empty, v.column_empty_more_than);
    let stale_key_veto = over(stale_key, v.column_stale_key_more_than);
    let stale_any_veto = over(stale_any, v.column_stale_any_more_than);

    // Final severities.
    for f in findings.iter_mut() {
        f.severity = match f.rule.as_str() {
            // Probe failures under the veto ratio stay a warning (src/probe.rs).
            "site-unreachable" if f.severity == Severity::Warn => Severity::Warn,
            "site-unreachable" if v.site_unreachable => Severity::Veto,
            "homepage-stale" if v.homepage_stale => Severity::Veto,
            "site-unreachable" | "homepage-stale" => Severity::Deduct,
            "typo" if f.severity == Severity::Veto && !v.serious_typo => Severity::Deduct,
            "column-empty" if empty_veto => Severity::Veto,
            "column-stale"
                if stale_any_veto
                    || (stale_key_veto
                        && finding_class(f)
                            .is_some_and(|c| v.column_stale_key_classes.contains(&c))) =>
            {
                Severity::Veto
            }
            _ => f.severity,
        };
    }

    let base = |f: &Finding| -> i64 {
        if f.severity == Severity::Warn {
            return 0;
        }
        let Some(ind) = profile.indicator(&f.rule) else {
            return 0;
        };
        match ind.points_homepage {
            Some(h) if is_on_homepage(f) => cents(h),
            _ => cents(ind.points),
        }
    };
    // Report order: rule order, biggest deduction first, then by place.
    findings.sort_by(|a, b| {
        rules::order(&a.rule)
            .cmp(&rules::order(&b.rule))
            .then(base(b).cmp(&base(a)))
            .then(a.url.cmp(&b.url))
            .then(a.target.cmp(&b.target))
            .then(a.id.cmp(&b.id))
    });

    let mut used: BTreeMap<&str, i64> = BTreeMap::new();
    let mut total = 0i64;
    for f in findings.iter_mut() {
        let want = base(f);
        let cap = profile
            .indicator(&f.rule)
            .and_then(|i| i.cap)
            .map(cents)
            .unwrap_or(i64::MAX);
        let key = rules::find(&f.rule).map(|r| r.id()).unwrap_or("other");
        let so_far = used.entry(key).or_insert(0);
        let got = want.min(cap.saturating_sub(*so_far)).max(0);
        *so_far += got;
        total += got;
        f.points = got as f64 / 100.0;
    }

    let mut vetoes = Vec::new();
    let mut indicators = Vec::new();
    for rule in rules::RULES {
        let id = rule.id();
        let vetoed = findings
            .iter()
            .any(|f| f.rule == id && f.severity == Severity::Veto);
        if vetoed {
            vetoes.push(id.to_string());
        }
        let ind = profile.indicator(id);
        indicators.push(IndicatorResult {
            rule: id.to_string(),
            name: ind
                .map(|i| i.name.clone())
                .unwrap_or_else(|| rule.name_zh().to_string()),
            findings: findings.iter().filter(|f| f.rule == id).count(),
            deducted: used.get(id).copied().unwrap_or(0) as f64 / 100.0,
            cap: ind.and_then(|i| i.cap),
            veto: vetoed,
        });
    }
    let score_cents = (10_000 - total).max(0);
    let verdict = if !vetoes.is_empty() || score_cents < cents(profile.pass_mark) {
        Verdict::Fail
    } else {
        Verdict::Pass
    };
    SiteScore {
        score: score_cents as f64 / 100.0,
        verdict,
        vetoes,
        indicators,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::line_of;
    use serde_json::json;

    fn national() -> Profile {
        Profile::builtin("national-2019").unwrap()
    }

    fn finding(rule: &str, n: usize, severity: Severity, evidence: serde_json::Value) -> Finding {
        Finding {
            id: format!("{rule}-{n}"),
            rule: rule.into(),
            site: "fgj".into(),
            url: format!("http://127.0.0.1/fgj/{n:03}.html"),
            target: None,
            column: None,
            severity,
            points: 0.0,
            message: String::new(),
            evidence,
            status: None,
            first_seen: None,
        }
    }

    fn stale(n: usize, class: &str) -> Finding {
        finding(
            "column-stale",
            n,
            Severity::Deduct,
            json!({ "class": class }),
        )
    }

    fn link(n: usize, home: bool) -> Finding {
        finding(
            "broken-link",
            n,
            Severity::Deduct,
            json!({ "on_homepage": home }),
        )
    }

    #[test]
    fn builtin_profiles_parse_and_hold_the_inspection_numbers() {
        let p = national();
        assert_eq!(p.name, "national-2019");
        assert_eq!(p.pass_mark, 60.0);
        assert_eq!(p.deadlines.homepage, 14);
        assert_eq!(p.deadlines.for_class(ColumnClass::Notice), Some(180));
        assert_eq!(p.deadlines.for_class(ColumnClass::Other), None);
        assert_eq!(p.vetoes.column_empty_more_than, Some(5));
        assert_eq!(p.indicators["broken-link"].points_homepage, Some(1.0));
        assert_eq!(Profile::builtin("city-strict").unwrap().pass_mark, 80.0);
    }

    #[test]
    fn veto_fails_a_perfect_score() {
        let mut f = vec![finding("homepage-stale", 0, Severity::Veto, json!({}))];
        let s = score_site(&mut f, &national());
        assert_eq!(s.score, 100.0);
        assert_eq!(s.verdict, Verdict::Fail);
        assert_eq!(s.vetoes, ["homepage-stale"]);
        assert_eq!(f[0].points, 0.0);
    }

    #[test]
    fn no_findings_pass_with_100() {
        let s = score_site(&mut [], &national());
        assert_eq!((s.score, s.verdict), (100.0, Verdict::Pass));
        assert!(s.vetoes.is_empty());
        assert_eq!(s.indicators.len(), rules::RULES.len());
    }

    #[test]
    fn more_than_5_is_strict() {
        let p = national();
        let mut five: Vec<_> = (0..5)
            .map(|i| finding("column-empty", i, Severity::Deduct, json!({"items": 0})))
            .collect();
        let s = score_site(&mut five, &p);
        assert!(
            s.vetoes.is_empty(),
            "exactly 5 empty columns is not 超过5个"
        );
        assert!(five.iter().all(|f| f.severity == Severity::Deduct));
        // 5 × 2 = 10 = the cap.
        assert_eq!(s.score, 90.0);
        let mut six: Vec<_> = (0..6)
            .map(|i| finding("column-empty", i, Severity::Deduct, json!({"items": 0})))
            .collect();
        let s = score_site(&mut six, &p);
        assert_eq!(s.vetoes, ["column-empty"]);
        assert!(six.iter().all(|f| f.severity == Severity::Veto));
        assert_eq!(s.verdict, Verdict::Fail);
    }

    #[test]
    fn stale_vetoes_count_key_classes_and_all_classes() {
        let p = national();
        // 5 key + 5 long-term = 10 stale: neither veto fires.
        let mut f: Vec<_> = (0..5)
            .map(|i| stale(i, "notice"))
            .chain((5..10).map(|i| stale(i, "long-term")))
            .collect();
        let s = score_site(&mut f, &p);
        assert!(s.vetoes.is_empty());
        // 10 × 2 = 20 = cap.
        assert_eq!(s.score, 80.0);
        // One more long-term column: 11 > 10 ⇒ veto, all stale findings veto.
        f.push(stale(10, "long-term"));
        let s = score_site(&mut f, &p);
        assert_eq!(s.vetoes, ["column-stale"]);
        assert!(f.iter().all(|f| f.severity == Severity::Veto));
        // 6 dynamic ⇒ key veto; the one long-term column stays a deduction.
        let mut g: Vec<_> = (0..6).map(|i| stale(i, "dynamic")).collect();
        g.push(stale(6, "long-term"));
        let s = score_site(&mut g, &p);
        assert_eq!(s.vetoes, ["column-stale"]);
        let lt = g
            .iter()
            .find(|f| f.evidence["class"] == "long-term")
            .unwrap();
        assert_eq!(lt.severity, Severity::Deduct);
    }

    #[test]
    fn caps_and_homepage_points() {
        let p = national();
        // 3 homepage links (3 × 1) + 25 elsewhere (25 × 0.1 = 2.5) = 5.5.
        let mut f: Vec<_> = (0..3)
            .map(|i| link(i, true))
            .chain((3..28).map(|i| link(i, false)))
            .collect();
        let s = score_site(&mut f, &p);
        assert_eq!(s.score, 94.5);
        assert_eq!(f[0].points, 1.0);
        assert_eq!(f[27].points, 0.1);
        // 15 homepage links: capped at 10; points sum to what was deducted.
        let mut f: Vec<_> = (0..15).map(|i| link(i, true)).collect();
        f.push(link(99, false));
        let s = score_site(&mut f, &p);
        assert_eq!(s.score, 90.0);
        let sum: f64 = f.iter().map(|f| f.points).sum();
        assert!((sum - 10.0).abs() < 1e-9);
        assert_eq!(f.last().unwrap().points, 0.0);
        let ind = s
            .indicators
            .iter()
            .find(|i| i.rule == "broken-link")
            .unwrap();
        assert_eq!(
            (ind.findings, ind.deducted, ind.cap),
            (16, 10.0, Some(10.0))
        );
    }

    #[test]
    fn pass_mark_boundary_exactly_60_passes_59_9_fails() {
        let mut p = national();
        // Uncapped so one indicator can reach 40 points.
        p.indicators.get_mut("broken-link").unwrap().cap = None;
        let mut f: Vec<_> = (0..40).map(|i| link(i, true)).collect();
        let s = score_site(&mut f, &p);
        assert_eq!((s.score, s.verdict), (60.0, Verdict::Pass));
        f.push(link(40, false));
        let s = score_site(&mut f, &p);
        assert_eq!((s.score, s.verdict), (59.9, Verdict::Fail));
    }

    #[test]
    fn score_never_below_zero() {
        let mut p = national();
        for ind in p.indicators.values_mut() {
            ind.cap = None;
        }
        let mut f: Vec<_> = (0..150).map(|i| link(i, true)).collect();
        let s = score_site(&mut f, &p);
        assert_eq!(s.score, 0.0);
    }

    #[test]
    fn warnings_never_deduct_and_serious_typo_vetoes_per_profile() {
        let mut f = vec![
            finding("typo", 0, Severity::Warn, json!({})),
            finding("typo", 1, Severity::Veto, json!({})),
        ];
        let s = score_site(&mut f, &national());
        assert_eq!(s.vetoes, ["typo"]);
        assert_eq!(s.score, 99.0);
        let warn = f.iter().find(|f| f.id == "typo-0").unwrap();
        assert_eq!((warn.severity, warn.points), (Severity::Warn, 0.0));
        let mut p = national();
        p.vetoes.serious_typo = false;
        let mut f = vec![finding("typo", 1, Severity::Veto, json!({}))];
        let s = score_site(&mut f, &p);
        assert!(s.vetoes.is_empty());
        assert_eq!(f[0].severity, Severity::Deduct);
    }

    #[test]
    fn a_profile_file_changes_results_without_rebuild() {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/profiles/pass-90.toml");
        let p = Profile::resolve(path.to_str().unwrap(), None).unwrap();
        assert_eq!(p.name, "pass-90");
        // Three homepage broken links: 97 under both; pass-90 gives 5 each ⇒ 85 < 90.
        let mut f: Vec<_> = (0..3).map(|i| link(i, true)).collect();
        let national_score = score_site(&mut f.clone(), &national());
        assert_eq!(
            (national_score.score, national_score.verdict),
            (97.0, Verdict::Pass)
        );
        let s = score_site(&mut f, &p);
        assert_eq!((s.score, s.verdict), (85.0, Verdict::Fail));
        // Its rule settings file beside it is read too.
        assert!(!p.settings.broken_link.include_external);
    }

    #[test]
    fn bad_profiles_name_file_line_and_field() {
        let good = include_str!("../rules/national-2019.toml");
        let bad = good.replace("pass-mark = 60", "pass-mark = 160");
        let e = Profile::parse(Path::new("p.toml"), &bad).unwrap_err();
        assert_eq!(e.field, "pass-mark");
        assert_eq!(e.line, line_of(&bad, bad.find("pass-mark = 160").unwrap()));
        let bad = good.replace("cap = 20", "capp = 20");
        let e = Profile::parse(Path::new("p.toml"), &bad).unwrap_err();
        assert_eq!(e.field, "indicators.column-stale.capp");
        assert_eq!(e.line, line_of(&bad, bad.find("capp").unwrap()));
        let bad = good.replace("[indicators.typo]", "[indicators.tpyo]");
        let e = Profile::parse(Path::new("p.toml"), &bad).unwrap_err();
        assert_eq!(e.field, "indicators.tpyo");
        assert!(e.to_string().starts_with("p.toml:"), "{e}");
        let e = Profile::resolve("no-such-profile", None).unwrap_err();
        assert!(e.message.contains("national-2019"));
    }
}
