//! Column classification (栏目分类) from the column's name by the keyword
//! table in rules/column-classes.toml: ordered first match (see the file's
//! header), plus an ignore list of names that are never columns.

use std::sync::LazyLock;

use serde::Deserialize;

use crate::site::ColumnClass;

/// The built-in table, compiled in.
const BUILTIN: &str = include_str!("../../rules/column-classes.toml");

static BUILTIN_CLASSIFIER: LazyLock<ColumnClassifier> = LazyLock::new(|| {
    ColumnClassifier::from_toml_str(BUILTIN).expect("rules/column-classes.toml is valid")
});

/// A keyword table that could not be read.
#[derive(Debug, thiserror::Error)]
pub enum ClassifierError {
    /// The table is not valid TOML (or has unknown keys).
    #[error("column-classes: {0}")]
    Toml(#[from] toml::de::Error),
    /// A rule names a class that does not exist.
    #[error("column-classes: rule {index} (0 = default): unknown class {class:?}")]
    UnknownClass {
        /// The rule's position (0 = the default).
        index: usize,
        /// The class named.
        class: String,
    },
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TableFile {
    #[serde(default)]
    ignore: Vec<String>,
    #[serde(default)]
    rule: Vec<RuleEntry>,
    #[serde(default)]
    default: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RuleEntry {
    class: String,
    keywords: Vec<String>,
}

/// Column classification from its name by the keyword table in
/// `rules/column-classes.toml` (compiled in; a file can replace it).
/// [`Default`] is the built-in table.
#[derive(Debug, Clone)]
pub struct ColumnClassifier {
    rules: Vec<(ColumnClass, Vec<String>)>,
    ignore: Vec<String>,
    /// Class of a name no keyword matches (`None`: unclassified).
    fallback: Option<ColumnClass>,
}

impl Default for ColumnClassifier {
    fn default() -> Self {
        BUILTIN_CLASSIFIER.clone()
    }
}

impl ColumnClassifier {
    /// The built-in table (shared, no copy).
    pub fn builtin() -> &'static ColumnClassifier {
        &BUILTIN_CLASSIFIER
    }

    /// Read a table in the rules/column-classes.toml format.
    pub fn from_toml_str(s: &str) -> Result<Self, ClassifierError> {
        let file: TableFile = toml::from_str(s)?;
        let mut rules = Vec::with_capacity(file.rule.len());
        for (index, r) in file.rule.into_iter().enumerate() {
            let class = ColumnClass::parse(&r.class).ok_or(ClassifierError::UnknownClass {
                index: index + 1,
                class: r.class.clone(),
            })?;
            rules.push((class, r.keywords));
        }
        let ignore = file
            .ignore
            .iter()
            .map(|s| s.trim().to_lowercase())
            .collect();
        let fallback = match file.default {
            Some(d) => Some(
                ColumnClass::parse(&d)
                    .ok_or(ClassifierError::UnknownClass { index: 0, class: d })?,
            ),
            None => None,
        };
        Ok(ColumnClassifier {
            rules,
            ignore,
            fallback,
        })
    }

    /// True for names that are never columns (首页, 网站地图 …).
    pub fn is_ignored(&self, name: &str) -> bool {
        let n = name.trim().to_lowercase();
        self.ignore.contains(&n)
    }

    /// Class for a column name; `None` for names that are never columns
    /// (首页 / 网站地图 / hub menus such as 政务公开), else the first rule's
    /// class whose keyword the name contains, else the table's `default`.
    pub fn classify(&self, name: &str) -> Option<ColumnClass> {
        if self.is_ignored(name) || name.trim().is_empty() {
            return None;
        }
        self.classify_by_keyword(name).or(self.fallback)
    }

    /// Class from the keyword rules only (no default): `None` when no
    /// keyword matches.
    pub fn classify_by_keyword(&self, name: &str) -> Option<ColumnClass> {
        if self.is_ignored(name) {
            return None;
        }
        self.rules
            .iter()
            .find(|(_, kws)| kws.iter().any(|k| name.contains(k.as_str())))
            .map(|(c, _)| *c)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ColumnClass::*;

    #[test]
    fn builtin_table_classes() {
        let c = ColumnClassifier::default();
        let cases = [
            ("工作动态", Some(Dynamic)),
            ("部门动态", Some(Dynamic)),
            ("本地要闻", Some(Dynamic)),
            ("图片新闻", Some(Dynamic)),
            ("工作信息", Some(Dynamic)),
            ("通知公告", Some(Notice)),
            ("公示公告", Some(Notice)),
            ("公告", Some(Notice)),
            ("政策文件", Some(Policy)),
            ("规范性文件", Some(Policy)),
            ("政策法规", Some(Policy)),
            ("政策解读", Some(Interpretation)),
            ("政策文件解读", Some(Interpretation)),
            ("图解政策", Some(Interpretation)),
            ("人事信息", Some(LongTerm)),
            ("规划计划", Some(LongTerm)),
            ("发展规划", Some(LongTerm)),
            ("机构职能", Some(LongTerm)),
            ("财政预决算", Some(LongTerm)),
            ("部门预决算公告", Some(LongTerm)),
            ("办事指南", Some(Other)),
            ("政府信息公开年报", Some(Other)),
            ("首页", None),
            ("网站地图", None),
            ("联系我们", None),
            ("无障碍", None),
            ("长者模式", None),
            ("English", None),
            ("english", None),
            ("政务公开", None),
            ("互动交流", None),
            // Unmatched business columns take the default class.
            ("社会救助", Some(Other)),
            ("卫生监督", Some(Other)),
        ];
        for (name, want) in cases {
            assert_eq!(c.classify(name), want, "{name}");
        }
    }

    #[test]
    fn override_table_replaces_builtin() {
        let t = r#"
            ignore = ["首页"]
            [[rule]]
            class = "policy"
            keywords = ["文件"]
            [[rule]]
            class = "interpretation"
            keywords = ["解读"]
        "#;
        let c = ColumnClassifier::from_toml_str(t).unwrap();
        // Order decides: here policy is first.
        assert_eq!(c.classify("政策文件解读"), Some(Policy));
        assert_eq!(c.classify("政策解读"), Some(Interpretation));
        assert_eq!(c.classify("工作动态"), None, "no default in this table");
        assert_eq!(c.classify("首页"), None);
        assert_eq!(
            ColumnClassifier::builtin().classify_by_keyword("社会救助"),
            None
        );
    }

    #[test]
    fn bad_tables_are_errors() {
        let e = ColumnClassifier::from_toml_str("[[rule]]\nclass = \"news\"\nkeywords = [\"x\"]\n")
            .unwrap_err();
        assert!(e.to_string().contains("unknown class \"news\""), "{e}");
        let e = ColumnClassifier::from_toml_str("[[rule]]\nclas = \"notice\"\n").unwrap_err();
        assert!(e.to_string().contains("clas"), "{e}");
    }
}
