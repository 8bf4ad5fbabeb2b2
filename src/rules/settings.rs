//! Rule settings: `rules/<rule-id>.toml` beside a profile, each parsed into
//! its rule's own settings struct. The built-in profiles' settings are
//! compiled in (each rule's `RuleDef::BUILTIN_SETTINGS`); a profile given as
//! a path reads the files in its folder.

use std::any::Any;
use std::collections::BTreeMap;
use std::fmt;
use std::path::Path;
use std::sync::Arc;

use super::{find, RULES};
use crate::config::ConfigError;

/// One rule's settings, type-erased.
pub type AnySettings = Arc<dyn Any + Send + Sync>;

/// Every rule's settings, by rule id.
#[derive(Clone)]
pub struct RuleSettings(BTreeMap<&'static str, AnySettings>);

impl fmt::Debug for RuleSettings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_set().entries(self.0.keys()).finish()
    }
}

impl Default for RuleSettings {
    /// The compiled-in settings (the built-in profiles').
    fn default() -> Self {
        RuleSettings::builtin()
    }
}

/// Other `.toml` files a profile's folder may hold besides rule settings.
const DATA_FILES: &[&str] = &["column-classes.toml", "outdated-names.toml"];

impl RuleSettings {
    /// The settings of the built-in profiles: each rule's compiled-in
    /// `rules/<id>.toml`, or its defaults.
    pub fn builtin() -> RuleSettings {
        RuleSettings(
            RULES
                .iter()
                .map(|r| {
                    let s = r
                        .settings(None)
                        .expect("compiled-in settings are valid (tested)");
                    (r.id(), s)
                })
                .collect(),
        )
    }

    /// The settings of one rule.
    ///
    /// # Panics
    /// When `T` is not the settings type of rule `id` (a bug in the rule).
    pub fn get<T: 'static>(&self, id: &str) -> &T {
        self.0
            .get(id)
            .and_then(|s| s.downcast_ref::<T>())
            .unwrap_or_else(|| panic!("settings of {id} missing or of another type"))
    }

    /// Replace one rule's settings (tests, tools).
    pub fn set<T: Any + Send + Sync>(&mut self, id: &'static str, settings: T) {
        self.0.insert(id, Arc::new(settings));
    }

    /// Settings read from `<dir>/<rule-id>.toml` for each rule whose file
    /// exists there; the compiled-in ones for the others. A misspelled key is
    /// an error naming the file, line and field; so is a `.toml` file there
    /// that is neither a rule's settings, a profile, a SITES.toml nor a known
    /// data file: a misnamed settings file is not silently ignored.
    pub fn load_dir(dir: &Path) -> Result<RuleSettings, ConfigError> {
        check_file_names(dir)?;
        let mut out = RuleSettings::builtin();
        for rule in RULES {
            let path = dir.join(format!("{}.toml", rule.id()));
            if !path.is_file() {
                continue;
            }
            let text = std::fs::read_to_string(&path).map_err(|e| ConfigError {
                file: path.clone(),
                line: 0,
                field: "(file)".into(),
                message: format!("cannot read: {e}"),
            })?;
            let s = rule
                .settings(Some(&text))
                .map_err(|e| ConfigError::from_toml(&path, &text, &e))?;
            out.0.insert(rule.id(), s);
        }
        Ok(out)
    }
}

/// Every `.toml` beside a profile must be a rule's settings, a profile (it has
/// `pass-mark`), a SITES.toml (`[audit]` / `[[sites]]`) or a known data file.
fn check_file_names(dir: &Path) -> Result<(), ConfigError> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Ok(());
    };
    let mut names: Vec<String> = entries
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".toml") && !n.starts_with(['_', '.']))
        .collect();
    names.sort();
    for name in names {
        let stem = name.trim_end_matches(".toml");
        if find(stem).is_some() || DATA_FILES.contains(&name.as_str()) {
            continue;
        }
        let path = dir.join(&name);
        let Some(table) = std::fs::read_to_string(&path)
            .ok()
            .and_then(|t| t.parse::<toml::Table>().ok())
        else {
            continue;
        };
        if ["pass-mark", "audit", "sites"]
            .iter()
            .any(|k| table.contains_key(*k))
        {
            continue;
        }
        let known: Vec<&str> = RULES.iter().map(|r| r.id()).collect();
        return Err(ConfigError {
            file: path,
            line: 1,
            field: "(file name)".into(),
            message: format!(
                "{stem:?} is not a rule id (known: {}), and the file is no profile (pass-mark) or SITES.toml",
                known.join(", ")
            ),
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::{broken_link, column_stale, interpretation_missing, typo, RuleDef};

    /// The compiled-in rules/<id>.toml files spell out each rule's defaults.
    #[test]
    fn compiled_in_settings_files_hold_the_defaults() {
        fn same<T: RuleDef>()
        where
            T::Settings: PartialEq + fmt::Debug,
        {
            let text = T::BUILTIN_SETTINGS.expect("a rules/<id>.toml");
            let parsed: T::Settings = toml::from_str(text).unwrap();
            assert_eq!(parsed, T::Settings::default(), "{}", T::META.id);
        }
        same::<column_stale::ColumnStale>();
        same::<typo::Typo>();
        same::<interpretation_missing::InterpretationMissing>();
        same::<broken_link::BrokenLink>();
    }

    #[test]
    fn settings_files_override_defaults_and_reject_typos() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("broken-link.toml"),
            "include_external = false\n",
        )
        .unwrap();
        // A profile and a SITES.toml may sit beside them.
        std::fs::write(dir.path().join("mine.toml"), "pass-mark = 60\n").unwrap();
        std::fs::write(dir.path().join("SITES.toml"), "[audit]\n").unwrap();
        let s = RuleSettings::load_dir(dir.path()).unwrap();
        let id = broken_link::BrokenLink::META.id;
        assert!(!s.get::<broken_link::Settings>(id).include_external);
        let id = column_stale::ColumnStale::META.id;
        assert!(s
            .get::<column_stale::Settings>(id)
            .skip_name_keywords
            .contains(&"专题".to_string()));
        std::fs::write(dir.path().join("typo.toml"), "\nmin_confidense = 0.5\n").unwrap();
        let e = RuleSettings::load_dir(dir.path()).unwrap_err();
        assert_eq!((e.line, e.field.as_str()), (2, "min_confidense"), "{e}");
        assert!(e.to_string().contains("typo.toml"), "{e}");
    }

    #[test]
    fn a_misnamed_settings_file_is_an_error_naming_it() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("brokenlink.toml"),
            "include_external = false\n",
        )
        .unwrap();
        let e = RuleSettings::load_dir(dir.path()).unwrap_err();
        assert!(e.file.ends_with("brokenlink.toml"), "{e}");
        assert!(e.message.contains("not a rule id"), "{e}");
        // Data files of the project's rules/ folder are known.
        let rules_dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("rules");
        RuleSettings::load_dir(&rules_dir).unwrap();
    }
}
