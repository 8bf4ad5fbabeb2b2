//! How a profile scores a rule: the update deadlines rules read, the score
//! sheet's groups (一级指标) and one indicator's points, caps and vetoes.
//! A rule's [`RuleDef::default_indicator`](super::RuleDef::default_indicator)
//! is what a profile that leaves the indicator out gets.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::site::ColumnClass;

/// Update deadlines in days (更新时限), from the scoring profile's
/// `[deadlines]` table. `None` means the class has no deadline.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Deadlines {
    /// 首页不更新: newest homepage item older than this many days.
    pub homepage: u32,
    /// 栏目不更新 deadline of 动态/要闻 columns, in days.
    #[serde(default)]
    pub dynamic: Option<u32>,
    /// Deadline of 通知公告 columns, in days.
    #[serde(default)]
    pub notice: Option<u32>,
    /// Deadline of 政策文件 columns, in days.
    #[serde(default)]
    pub policy: Option<u32>,
    /// Deadline of 政策解读 columns, in days.
    #[serde(default)]
    pub interpretation: Option<u32>,
    /// Deadline of long-lived columns (人事, 规划计划 …), in days.
    #[serde(default)]
    pub long_term: Option<u32>,
    /// Deadline of other columns, in days.
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

/// The first-level group (一级指标) of the 2019 deduction sheet an indicator
/// belongs to (inspection.md §2a).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Group {
    /// 发布解读 (31 points).
    Publish,
    /// 办事服务 (25 points).
    Service,
    /// 互动交流 (23 points).
    Interaction,
    /// 功能设计 (21 points).
    Function,
}

impl Group {
    /// Every group, in score-sheet order.
    pub const ALL: [Group; 4] = [
        Group::Publish,
        Group::Service,
        Group::Interaction,
        Group::Function,
    ];

    /// The kebab-case name used in profiles and report.json.
    pub fn as_str(self) -> &'static str {
        match self {
            Group::Publish => "publish",
            Group::Service => "service",
            Group::Interaction => "interaction",
            Group::Function => "function",
        }
    }

    /// Its points on the 2019 sheet: the most its indicators together can
    /// deduct (inspection.md §2a; the four add up to 100).
    pub fn points(self) -> f64 {
        match self {
            Group::Publish => 31.0,
            Group::Service => 25.0,
            Group::Interaction => 23.0,
            Group::Function => 21.0,
        }
    }

    /// The score sheet's Chinese name.
    pub fn label_zh(self) -> &'static str {
        match self {
            Group::Publish => "发布解读",
            Group::Service => "办事服务",
            Group::Interaction => "互动交流",
            Group::Function => "功能设计",
        }
    }
}

/// How a profile scores one rule (`[indicators.<rule-id>]`). A rule's
/// [`RuleDef::default_indicator`] is what a profile that leaves it out gets.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Indicator {
    /// Chinese indicator name shown in reports (default: the rule's).
    #[serde(default)]
    pub name: String,
    /// The score-sheet group it sits in (default: the rule's).
    #[serde(default)]
    pub group: Option<Group>,
    /// Points per finding.
    pub points: f64,
    /// Points per finding about a first-level column of these classes, e.g.
    /// `{ policy = 5 }`: a first-level 政策文件 column not updated.
    #[serde(default)]
    pub points_first_level: BTreeMap<ColumnClass, f64>,
    /// Points per finding on the homepage (its facts say `on_homepage`).
    #[serde(default)]
    pub points_homepage: Option<f64>,
    /// Most points the indicator can deduct; none = uncapped.
    #[serde(default)]
    pub cap: Option<f64>,
    /// A finding the rule itself marks as a veto (unreachable site, frozen
    /// homepage, serious wording error) fails the site; `false` makes it a
    /// deduction.
    #[serde(default)]
    pub veto: bool,
    /// Every finding of the rule becomes a veto when the site has at least
    /// this many (counting the rules in `veto-also-counts` too).
    #[serde(default)]
    pub veto_at_least: Option<u32>,
    /// Findings of these other rules count toward `veto-at-least`.
    #[serde(default)]
    pub veto_also_counts: Vec<String>,
    /// Findings about columns of these classes, and …
    #[serde(default)]
    pub veto_classes: Vec<ColumnClass>,
    /// … about first-level columns (level 1) of these classes …
    #[serde(default)]
    pub veto_first_level_classes: Vec<ColumnClass>,
    /// … become vetoes when the site has at least this many of them.
    #[serde(default)]
    pub veto_classes_at_least: Option<u32>,
}

impl Indicator {
    /// The indicator as a profile's `[indicators.<id>]` table.
    pub fn to_toml(&self, id: &str) -> String {
        let list = |classes: &[ColumnClass]| {
            let names: Vec<String> = classes
                .iter()
                .map(|c| format!("{:?}", c.as_str()))
                .collect();
            format!("[{}]", names.join(", "))
        };
        let mut o = format!("[indicators.{id}]\nname = {:?}\n", self.name);
        if let Some(g) = self.group {
            o += &format!("group = {:?}\n", g.as_str());
        }
        o += &format!("points = {}\n", self.points);
        if let Some(p) = self.points_homepage {
            o += &format!("points-homepage = {p}\n");
        }
        if !self.points_first_level.is_empty() {
            let pairs: Vec<String> = self
                .points_first_level
                .iter()
                .map(|(c, p)| format!("{} = {p}", c.as_str()))
                .collect();
            o += &format!("points-first-level = {{ {} }}\n", pairs.join(", "));
        }
        if let Some(c) = self.cap {
            o += &format!("cap = {c}\n");
        }
        if self.veto {
            o += "veto = true\n";
        }
        if !self.veto_classes.is_empty() {
            o += &format!("veto-classes = {}\n", list(&self.veto_classes));
        }
        if !self.veto_first_level_classes.is_empty() {
            o += &format!(
                "veto-first-level-classes = {}\n",
                list(&self.veto_first_level_classes)
            );
        }
        if let Some(n) = self.veto_classes_at_least {
            o += &format!("veto-classes-at-least = {n}\n");
        }
        if let Some(n) = self.veto_at_least {
            o += &format!("veto-at-least = {n}\n");
        }
        if !self.veto_also_counts.is_empty() {
            o += &format!("veto-also-counts = {:?}\n", self.veto_also_counts);
        }
        o
    }

    /// `points` per finding, no cap, no veto (chain the fields to add them).
    pub fn points(points: f64) -> Indicator {
        Indicator {
            name: String::new(),
            group: None,
            points,
            points_first_level: BTreeMap::new(),
            points_homepage: None,
            cap: None,
            veto: false,
            veto_at_least: None,
            veto_also_counts: Vec::new(),
            veto_classes: Vec::new(),
            veto_first_level_classes: Vec::new(),
            veto_classes_at_least: None,
        }
    }
}
