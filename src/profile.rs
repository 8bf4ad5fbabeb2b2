//! Scoring profiles: loading and checking them (file:line errors, exit 2),
//! apart from applying them ([`crate::score`]).
//!
//! A profile (rules/national-2019.toml) holds every number govaudit scores
//! with: the pass mark, the update deadlines, and per indicator its points,
//! cap and veto thresholds (`[indicators.<rule-id>]`). An indicator the
//! profile leaves out gets its rule's default ([`crate::rules::RuleDef::default_indicator`]),
//! so a profile written for an older release keeps working when rules are
//! added. Rule settings (`rules/<rule-id>.toml`) sit beside the profile: the
//! built-in profiles have theirs compiled in, a profile given as a path reads
//! the files in its folder.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::config::ConfigError;
use crate::rules::{self, Deadlines, Group, Indicator, RuleSettings};

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
    /// The score sheet's groups (一级指标) and their points; all four after
    /// loading (a group left out gets its 2019 points).
    #[serde(default)]
    pub groups: BTreeMap<Group, GroupSpec>,
    /// Points, caps and vetoes per rule id; every rule has one after loading.
    #[serde(default)]
    pub indicators: BTreeMap<String, Indicator>,
    /// Per-rule settings (rules/<rule-id>.toml beside the profile).
    #[serde(skip)]
    pub settings: RuleSettings,
    /// Where the profile came from: a built-in name, or the absolute path of
    /// its file. Recorded in the crawl snapshot so `lint` replays with it.
    #[serde(skip)]
    pub source: String,
}

/// `[groups.<group>]`: one first-level group of the score sheet.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct GroupSpec {
    /// Chinese name on the sheet (default: 发布解读 / 办事服务 / 互动交流 / 功能设计).
    #[serde(default)]
    pub name: String,
    /// Its points: the most its indicators together can deduct.
    pub points: f64,
    /// Not scored for a site marked `services = false` in SITES.toml (a body
    /// with no public-facing services): the site is scored out of the other
    /// groups' points and scaled to 100 (2019: out of 75, ×4/3).
    #[serde(default)]
    pub skip_without_services: bool,
}

impl Profile {
    /// A profile compiled into the binary, with the compiled-in rule settings.
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
    /// `<its folder>/<rule-id>.toml` rule settings.
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

    /// Read a profile file and the rule settings beside it.
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
        let dir = match path.parent() {
            Some(d) if !d.as_os_str().is_empty() => d,
            _ => Path::new("."),
        };
        p.settings = RuleSettings::load_dir(dir)?;
        Ok(p)
    }

    /// Parse and check profile text (`path` is used in errors only); fill in
    /// the rules' defaults for the indicators it leaves out.
    pub fn parse(path: &Path, text: &str) -> Result<Profile, ConfigError> {
        let mut p: Profile =
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
        let known = || {
            let ids: Vec<&str> = rules::RULES.iter().map(|r| r.id()).collect();
            ids.join(", ")
        };
        for (key, ind) in &p.indicators {
            let header = format!("[indicators.{key}]");
            if rules::find(key).is_none() {
                return Err(at(
                    &header,
                    format!("indicators.{key}"),
                    format!("unknown rule id (known: {})", known()),
                ));
            }
            for (what, v) in [
                ("points", Some(ind.points)),
                ("points-homepage", ind.points_homepage),
                ("cap", ind.cap),
            ]
            .into_iter()
            .chain(
                ind.points_first_level
                    .values()
                    .map(|v| ("points-first-level", Some(*v))),
            ) {
                if let Some(v) = v {
                    if !(v.is_finite() && v >= 0.0) {
                        return Err(at(
                            &header,
                            format!("indicators.{key}.{what}"),
                            format!("{v} must be a number ≥ 0"),
                        ));
                    }
                }
            }
            if let Some(other) = ind
                .veto_also_counts
                .iter()
                .find(|o| rules::find(o).is_none())
            {
                return Err(at(
                    "veto-also-counts",
                    format!("indicators.{key}.veto-also-counts"),
                    format!("unknown rule id {other:?} (known: {})", known()),
                ));
            }
        }
        for (group, spec) in &p.groups {
            if !(spec.points.is_finite() && spec.points >= 0.0) {
                let key = format!("groups.{}", group.as_str());
                return Err(at(
                    &format!("[{key}]"),
                    format!("{key}.points"),
                    format!("{} must be a number ≥ 0", spec.points),
                ));
            }
        }
        for group in Group::ALL {
            let spec = p.groups.entry(group).or_insert_with(|| GroupSpec {
                name: String::new(),
                points: group.points(),
                // 2019: bodies without public services skip 办事服务.
                skip_without_services: group == Group::Service,
            });
            if spec.name.is_empty() {
                spec.name = group.label_zh().to_string();
            }
        }
        for rule in rules::RULES {
            let ind = p
                .indicators
                .entry(rule.id().to_string())
                .or_insert_with(|| rule.indicator());
            if ind.name.is_empty() {
                ind.name = rule.name_zh().to_string();
            }
            ind.group.get_or_insert(rule.meta().group);
        }
        Ok(p)
    }

    /// The indicator of a rule id (every registered rule has one).
    pub fn indicator(&self, rule: &str) -> Option<&Indicator> {
        self.indicators.get(rule)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::line_of;
    use crate::rules::{column_stale::ColumnStale, Rule, RuleDef};
    use crate::site::ColumnClass;

    #[test]
    fn builtin_profiles_parse_and_hold_the_inspection_numbers() {
        let p = Profile::builtin("national-2019").unwrap();
        assert_eq!(p.name, "national-2019");
        assert_eq!(p.pass_mark, 60.0);
        assert_eq!(p.deadlines.homepage, 14);
        assert_eq!(p.deadlines.for_class(ColumnClass::Notice), Some(180));
        assert_eq!(p.deadlines.for_class(ColumnClass::Other), None);
        // Every rule's indicator, as written in the profile, is its default.
        for rule in rules::RULES {
            assert_eq!(
                p.indicators[rule.id()],
                rule.indicator(),
                "{} differs from its rule's default",
                rule.id()
            );
        }
        assert_eq!(Profile::builtin("city-strict").unwrap().pass_mark, 80.0);
    }

    #[test]
    fn an_omitted_indicator_gets_the_rules_default() {
        let national = include_str!("../rules/national-2019.toml");
        let id = ColumnStale::META.id;
        let header = format!("[indicators.{id}]");
        let start = national.find(&header).unwrap();
        let end = start + national[start + 1..].find("\n[").unwrap() + 1;
        let without = format!("{}{}", &national[..start], &national[end..]);
        assert!(!without.contains(&header));
        let p = Profile::parse(Path::new("mine.toml"), &without).unwrap();
        assert_eq!(p.indicators[id], ColumnStale.indicator());
        assert_eq!(p.indicators.len(), rules::RULES.len());
        // A profile with no indicators at all scores like the national one.
        let bare = "name = \"bare\"\npass-mark = 60\n[deadlines]\nhomepage = 14\n";
        let p = Profile::parse(Path::new("bare.toml"), bare).unwrap();
        let national = Profile::builtin("national-2019").unwrap();
        assert_eq!(p.indicators, national.indicators);
    }

    #[test]
    fn bad_profiles_name_file_line_and_field() {
        let good = include_str!("../rules/national-2019.toml");
        let bad = good.replace("pass-mark = 60", "pass-mark = 160");
        let e = Profile::parse(Path::new("p.toml"), &bad).unwrap_err();
        assert_eq!(e.field, "pass-mark");
        assert_eq!(e.line, line_of(&bad, bad.find("pass-mark = 160").unwrap()));
        let stale = ColumnStale::META.id;
        let bad = good.replace("cap = 20", "capp = 20");
        let e = Profile::parse(Path::new("p.toml"), &bad).unwrap_err();
        assert_eq!(e.field, format!("indicators.{stale}.capp"));
        assert_eq!(e.line, line_of(&bad, bad.find("capp").unwrap()));
        let bad = good.replace("[indicators.typo]", "[indicators.tpyo]");
        let e = Profile::parse(Path::new("p.toml"), &bad).unwrap_err();
        assert_eq!(e.field, "indicators.tpyo");
        assert!(e.to_string().starts_with("p.toml:"), "{e}");
        let bad = good.replace(
            &format!("[indicators.{stale}]"),
            &format!("[indicators.{stale}]\nveto-also-counts = [\"no-such-rule\"]"),
        );
        let e = Profile::parse(Path::new("p.toml"), &bad).unwrap_err();
        assert_eq!(
            e.field,
            format!("indicators.{stale}.veto-also-counts"),
            "{e}"
        );
        let e = Profile::resolve("no-such-profile", None).unwrap_err();
        assert!(e.message.contains("national-2019"));
    }
}
