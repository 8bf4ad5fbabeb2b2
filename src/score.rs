//! Scoring: applies a profile (rules/national-2019.toml: vetoes 单项否决,
//! points 扣分, per-indicator caps, pass mark) to a site's findings. Knows
//! nothing about HTML.
//!
//! `score = 100 − Σ_indicator min(cap, Σ points)`, never below 0, counted in
//! hundredths of a point so that ten 0.1-point links are exactly 1 point.
//! Any veto fails the site whatever its score; otherwise it fails below the
//! pass mark (exactly the pass mark passes).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

pub use crate::profile::{Profile, DEFAULT_PROFILE};
use crate::rules::{self, Finding, Group, Indicator, Severity};

/// Pass or fail (合格 / 不合格).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Verdict {
    /// 合格.
    Pass,
    /// 不合格.
    Fail,
}

impl Verdict {
    /// The Chinese label (合格 / 不合格).
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
    /// The rule's id.
    pub rule: String,
    /// The indicator's Chinese name.
    pub name: String,
    /// Findings of this rule (warnings included).
    pub findings: usize,
    /// Points deducted after the cap.
    pub deducted: f64,
    /// Most points the indicator can deduct.
    pub cap: Option<f64>,
    /// True when this indicator vetoed the site.
    pub veto: bool,
    /// The score-sheet group it sits in.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group: Option<Group>,
}

/// One first-level group of the score sheet for a site (report.json
/// `sites[].groups`): its points, what its indicators lost, what is kept.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GroupResult {
    /// Its Chinese name on the sheet (发布解读 …).
    pub group: String,
    /// Its kebab-case id in the profile (publish, service, interaction, function).
    pub id: Group,
    /// Points of the group on the sheet.
    pub points: f64,
    /// Points lost, after the indicator and group caps.
    pub lost: f64,
    /// `points − lost`.
    pub kept: f64,
    /// Not scored: the site has no public services (`services = false`).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub skipped: bool,
}

/// A site's score.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SiteScore {
    /// Score out of 100.
    pub score: f64,
    /// Pass or fail.
    pub verdict: Verdict,
    /// Rule ids that triggered a single veto, in rule order.
    pub vetoes: Vec<String>,
    /// One row per indicator.
    pub indicators: Vec<IndicatorResult>,
    /// The score sheet group by group.
    pub groups: Vec<GroupResult>,
}

fn cents(p: f64) -> i64 {
    (p * 100.0).round() as i64
}

/// Whether a finding counts toward the indicator's class veto: it is about a
/// column of one of its `veto-classes`, or a first-level column of one of its
/// `veto-first-level-classes` (a column of unknown level is not counted).
fn in_veto_classes(ind: &Indicator, f: &Finding) -> bool {
    f.facts.class.is_some_and(|c| {
        ind.veto_classes.contains(&c)
            || (f.facts.level == 1 && ind.veto_first_level_classes.contains(&c))
    })
}

/// The rule ids whose findings all become vetoes (`veto-at-least`), and those
/// whose findings in `veto-classes` do (`veto-classes-at-least`).
fn count_vetoes<'a>(findings: &[Finding], profile: &'a Profile) -> (Vec<&'a str>, Vec<&'a str>) {
    let count = |rule: &str| findings.iter().filter(|f| f.rule == rule).count();
    let reached = |n: usize, at_least: Option<u32>| at_least.is_some_and(|k| n >= k as usize);
    let mut all = Vec::new();
    let mut by_class = Vec::new();
    for (id, ind) in &profile.indicators {
        let n = count(id) + ind.veto_also_counts.iter().map(|o| count(o)).sum::<usize>();
        if reached(n, ind.veto_at_least) {
            all.push(id.as_str());
        }
        let n_class = findings
            .iter()
            .filter(|f| f.rule == *id && in_veto_classes(ind, f))
            .count();
        if reached(n_class, ind.veto_classes_at_least) {
            by_class.push(id.as_str());
        }
    }
    (all, by_class)
}

/// Score one site's findings: sets each finding's final severity and the
/// points it actually deducts (the cap is consumed biggest first), sorts the
/// findings into report order and returns the score and verdict.
pub fn score_site(findings: &mut [Finding], profile: &Profile) -> SiteScore {
    score_site_for(findings, profile, false)
}

/// [`score_site`] for a site that may have no public services
/// (`services = false` in SITES.toml): the groups the profile marks
/// `skip-without-services` are not scored, their findings deduct nothing
/// (shown as warnings), and the score is taken out of the other groups'
/// points and scaled to 100 (2019: out of 75, ×4/3).
pub fn score_site_for(
    findings: &mut [Finding],
    profile: &Profile,
    without_services: bool,
) -> SiteScore {
    let skipped: Vec<Group> = profile
        .groups
        .iter()
        .filter(|(_, spec)| without_services && spec.skip_without_services)
        .map(|(g, _)| *g)
        .collect();
    let in_skipped = |f: &Finding| {
        profile
            .indicator(&f.rule)
            .and_then(|i| i.group)
            .is_some_and(|g| skipped.contains(&g))
    };
    let (all_veto, class_veto) = count_vetoes(findings, profile);

    // Final severities.
    for f in findings.iter_mut() {
        let Some(ind) = profile.indicator(&f.rule) else {
            continue;
        };
        f.severity = if in_skipped(f) {
            Severity::Warn
        } else if f.severity == Severity::Veto {
            // The rule's own veto stands where the profile says so.
            if ind.veto {
                Severity::Veto
            } else {
                Severity::Deduct
            }
        } else if all_veto.contains(&f.rule.as_str())
            || (class_veto.contains(&f.rule.as_str()) && in_veto_classes(ind, f))
        {
            Severity::Veto
        } else {
            f.severity
        };
    }

    let base = |f: &Finding| -> i64 {
        if f.severity == Severity::Warn {
            return 0;
        }
        let Some(ind) = profile.indicator(&f.rule) else {
            return 0;
        };
        let first_level = match f.facts.class {
            Some(c) if f.facts.level == 1 => ind.points_first_level.get(&c),
            _ => None,
        };
        match (first_level, ind.points_homepage) {
            (Some(p), _) => cents(*p),
            (None, Some(h)) if f.facts.on_homepage => cents(h),
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
            // Several findings on one page (勾稽 identities, pii kinds): by
            // their message, which holds no port, so fixture and demo
            // snapshots keep one order whatever port the server took.
            .then_with(|| a.message.cmp(&b.message))
            .then(a.id.cmp(&b.id))
    });

    // Each finding deducts what is left under its indicator's cap and its
    // group's points, biggest first within an indicator.
    let mut used: BTreeMap<&str, i64> = BTreeMap::new();
    let mut used_group: BTreeMap<Group, i64> = BTreeMap::new();
    let mut total = 0i64;
    for f in findings.iter_mut() {
        let want = base(f);
        let ind = profile.indicator(&f.rule);
        let cap = ind.and_then(|i| i.cap).map(cents).unwrap_or(i64::MAX);
        let group = ind.and_then(|i| i.group);
        let group_cap = group
            .and_then(|g| profile.groups.get(&g))
            .map(|g| cents(g.points))
            .unwrap_or(i64::MAX);
        let key = rules::find(&f.rule).map(|r| r.id()).unwrap_or("other");
        let so_far = used.entry(key).or_insert(0);
        let group_so_far = group.map_or(0, |g| used_group.get(&g).copied().unwrap_or(0));
        let got = want
            .min(cap.saturating_sub(*so_far))
            .min(group_cap.saturating_sub(group_so_far))
            .max(0);
        *so_far += got;
        if let Some(g) = group {
            *used_group.entry(g).or_insert(0) += got;
        }
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
            group: ind.and_then(|i| i.group),
        });
    }
    let groups = profile
        .groups
        .iter()
        .map(|(g, spec)| {
            let lost = used_group.get(g).copied().unwrap_or(0);
            GroupResult {
                group: spec.name.clone(),
                id: *g,
                points: spec.points,
                lost: lost as f64 / 100.0,
                kept: (cents(spec.points) - lost) as f64 / 100.0,
                skipped: skipped.contains(g),
            }
        })
        .collect();
    // Out of the points left, scaled to 100.
    let out_of: i64 = 10_000
        - profile
            .groups
            .iter()
            .filter(|(g, _)| skipped.contains(g))
            .map(|(_, spec)| cents(spec.points))
            .sum::<i64>();
    let total = if out_of > 0 && out_of < 10_000 {
        (total * 10_000 + out_of / 2) / out_of
    } else {
        total
    };
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
        groups,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::{
        broken_link::BrokenLink, column_empty::ColumnEmpty, column_stale::ColumnStale,
        homepage_stale::HomepageStale, typo::Typo, Facts, RuleDef,
    };
    use crate::site::ColumnClass;

    fn national() -> Profile {
        Profile::builtin("national-2019").unwrap()
    }

    fn id<T: RuleDef>() -> &'static str {
        T::META.id
    }

    fn finding(rule: &str, n: usize, severity: Severity, facts: Facts) -> Finding {
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
            evidence: serde_json::Value::Null,
            facts,
        }
    }

    /// A body without public services (`services = false`): 办事服务 is not
    /// scored, the rest counts out of 75 and is scaled ×4/3.
    #[test]
    fn without_services_the_service_group_is_skipped_and_the_rest_scaled() {
        use crate::rules::{reply_stale::ReplyStale, service_stats_stale::ServiceStatsStale};
        let p = national();
        let mk = || {
            vec![
                finding(id::<ReplyStale>(), 0, Severity::Deduct, Facts::default()),
                finding(
                    id::<ServiceStatsStale>(),
                    1,
                    Severity::Deduct,
                    Facts::default(),
                ),
            ]
        };
        let mut with = mk();
        let s = score_site_for(&mut with, &p, false);
        assert_eq!(s.score, 95.0);
        let mut without = mk();
        let s = score_site_for(&mut without, &p, true);
        assert_eq!(s.score, 96.0, "3 of 75 points lost ×4/3");
        let stats = without
            .iter()
            .find(|f| f.rule == id::<ServiceStatsStale>())
            .unwrap();
        assert_eq!((stats.severity, stats.points), (Severity::Warn, 0.0));
        let service = s.groups.iter().find(|g| g.id == Group::Service).unwrap();
        assert!(service.skipped && service.lost == 0.0);
        assert!(s.groups.iter().filter(|g| g.skipped).count() == 1);
    }

    /// A stale first-level column.
    fn stale(n: usize, class: ColumnClass) -> Finding {
        stale_at(n, class, 1)
    }

    fn stale_at(n: usize, class: ColumnClass, level: u32) -> Finding {
        let facts = Facts::column(Some(class), level);
        finding(id::<ColumnStale>(), n, Severity::Deduct, facts)
    }

    fn empty(n: usize) -> Finding {
        let facts = Facts::column(Some(ColumnClass::Other), 1);
        finding(id::<ColumnEmpty>(), n, Severity::Deduct, facts)
    }

    fn link(n: usize, home: bool) -> Finding {
        let facts = Facts {
            on_homepage: home,
            ..Facts::default()
        };
        finding(id::<BrokenLink>(), n, Severity::Deduct, facts)
    }

    #[test]
    fn veto_fails_a_perfect_score() {
        let mut f = vec![finding(
            id::<HomepageStale>(),
            0,
            Severity::Veto,
            Facts::default(),
        )];
        let s = score_site(&mut f, &national());
        assert_eq!(s.score, 100.0);
        assert_eq!(s.verdict, Verdict::Fail);
        assert_eq!(s.vetoes, [id::<HomepageStale>()]);
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
    fn five_or_more_empty_columns_veto_four_do_not() {
        let p = national();
        let mut four: Vec<_> = (0..4).map(empty).collect();
        let s = score_site(&mut four, &p);
        assert!(s.vetoes.is_empty(), "4 empty columns is below 超过(含)5个");
        assert!(four.iter().all(|f| f.severity == Severity::Deduct));
        // 4 × 2 = 8 points, under the cap of 10.
        assert_eq!(s.score, 92.0);
        let mut five: Vec<_> = (0..5).map(empty).collect();
        let s = score_site(&mut five, &p);
        assert_eq!(s.vetoes, [id::<ColumnEmpty>()]);
        assert!(five.iter().all(|f| f.severity == Severity::Veto));
        assert_eq!(s.verdict, Verdict::Fail);
    }

    #[test]
    fn five_or_more_stale_key_columns_veto_four_do_not() {
        let p = national();
        let mut f: Vec<_> = (0..4).map(|i| stale(i, ColumnClass::Dynamic)).collect();
        let s = score_site(&mut f, &p);
        assert!(s.vetoes.is_empty());
        f.push(stale(4, ColumnClass::Dynamic));
        let s = score_site(&mut f, &p);
        assert_eq!(s.vetoes, [id::<ColumnStale>()]);
        assert!(f.iter().all(|f| f.severity == Severity::Veto));
    }

    #[test]
    fn ten_or_more_stale_columns_veto_nine_do_not() {
        let p = national();
        // 4 key + 5 long-term = 9 stale: neither veto fires.
        let mut f: Vec<_> = (0..4)
            .map(|i| stale(i, ColumnClass::Dynamic))
            .chain((4..9).map(|i| stale(i, ColumnClass::LongTerm)))
            .collect();
        let s = score_site(&mut f, &p);
        assert!(s.vetoes.is_empty());
        // 9 × 2 = 18 points, under the cap of 20.
        assert_eq!(s.score, 82.0);
        // The tenth: every stale finding vetoes.
        f.push(stale(9, ColumnClass::LongTerm));
        let s = score_site(&mut f, &p);
        assert_eq!(s.vetoes, [id::<ColumnStale>()]);
        assert!(f.iter().all(|f| f.severity == Severity::Veto));
    }

    #[test]
    fn notice_and_policy_count_toward_the_veto_only_at_the_first_level() {
        let p = national();
        // 5 stale second-level notice/policy columns: deductions, no veto;
        // so for columns of unknown level (0).
        for level in [2, 0] {
            let mut f: Vec<_> = (0..5)
                .map(|i| {
                    let class = [ColumnClass::Notice, ColumnClass::Policy][i % 2];
                    stale_at(i, class, level)
                })
                .collect();
            let s = score_site(&mut f, &p);
            assert!(s.vetoes.is_empty(), "level {level}");
        }
        // 3 first-level notice/policy + 2 dynamic at any level: 5 ⇒ veto.
        let mut f = vec![
            stale_at(0, ColumnClass::Notice, 1),
            stale_at(1, ColumnClass::Policy, 1),
            stale_at(2, ColumnClass::Policy, 1),
            stale_at(3, ColumnClass::Dynamic, 2),
            stale_at(4, ColumnClass::Dynamic, 3),
            stale_at(5, ColumnClass::Notice, 2),
        ];
        let s = score_site(&mut f, &p);
        assert_eq!(s.vetoes, [id::<ColumnStale>()]);
        let second = f.iter().find(|f| f.id.ends_with("-5")).unwrap();
        assert_eq!(second.severity, Severity::Deduct, "not counted, not vetoed");
    }

    #[test]
    fn a_key_class_veto_leaves_other_classes_deducting() {
        let p = national();
        let mut g: Vec<_> = (0..5).map(|i| stale(i, ColumnClass::Dynamic)).collect();
        g.push(stale(5, ColumnClass::LongTerm));
        let s = score_site(&mut g, &p);
        assert_eq!(s.vetoes, [id::<ColumnStale>()]);
        let lt = g
            .iter()
            .find(|f| f.facts.class == Some(ColumnClass::LongTerm))
            .unwrap();
        assert_eq!(lt.severity, Severity::Deduct);
    }

    #[test]
    fn veto_also_counts_adds_other_rules_findings() {
        // city-strict counts empty columns toward its 6 stale columns.
        let p = Profile::builtin("city-strict").unwrap();
        let mut f: Vec<_> = (0..5)
            .map(|i| stale(i, ColumnClass::LongTerm))
            .chain((5..6).map(empty))
            .collect();
        let s = score_site(&mut f, &p);
        assert_eq!(s.vetoes, [id::<ColumnStale>()]);
        let stale_sev: Vec<_> = f
            .iter()
            .filter(|f| f.rule == id::<ColumnStale>())
            .map(|f| f.severity)
            .collect();
        assert_eq!(stale_sev, [Severity::Veto; 5]);
        // The one empty column stays below its own veto (2).
        assert!(f
            .iter()
            .filter(|f| f.rule == id::<ColumnEmpty>())
            .all(|f| f.severity == Severity::Deduct));
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
            .find(|i| i.rule == id::<BrokenLink>())
            .unwrap();
        assert_eq!(
            (ind.findings, ind.deducted, ind.cap),
            (16, 10.0, Some(10.0))
        );
    }

    #[test]
    fn pass_mark_boundary_exactly_60_passes_59_9_fails() {
        let mut p = national();
        // Uncapped (indicator and group) so one indicator can reach 40 points.
        p.indicators.get_mut(id::<BrokenLink>()).unwrap().cap = None;
        p.groups.get_mut(&Group::Function).unwrap().points = 100.0;
        let mut f: Vec<_> = (0..40).map(|i| link(i, true)).collect();
        let s = score_site(&mut f, &p);
        assert_eq!((s.score, s.verdict), (60.0, Verdict::Pass));
        f.push(link(40, false));
        let s = score_site(&mut f, &p);
        assert_eq!((s.score, s.verdict), (59.9, Verdict::Fail));
    }

    #[test]
    fn a_group_never_loses_more_than_its_points() {
        let p = national();
        // 发布解读: 5 empty columns would veto, so 4 (8) + 9 stale (18, under
        // the cap of 20) + 10 typo pages (10) = 36 > 31.
        let typo = id::<Typo>();
        let mut f: Vec<_> = (0..4)
            .map(empty)
            .chain((10..19).map(|i| stale(i, ColumnClass::LongTerm)))
            .chain((20..30).map(|i| finding(typo, i, Severity::Deduct, Facts::default())))
            .collect();
        f.push(link(99, true));
        let s = score_site(&mut f, &p);
        assert!(s.vetoes.is_empty());
        let sheet: Vec<(Group, f64, f64, f64)> = s
            .groups
            .iter()
            .map(|g| (g.id, g.points, g.lost, g.kept))
            .collect();
        assert_eq!(
            sheet,
            [
                (Group::Publish, 31.0, 31.0, 0.0),
                (Group::Service, 25.0, 0.0, 25.0),
                (Group::Interaction, 23.0, 0.0, 23.0),
                (Group::Function, 21.0, 1.0, 20.0),
            ]
        );
        assert_eq!(s.score, 68.0);
        assert_eq!(s.groups[0].group, "发布解读");
        // The group cap is taken in report order: typo comes last and keeps 5 of its 10.
        let typo_points: f64 = f.iter().filter(|f| f.rule == typo).map(|f| f.points).sum();
        assert!((typo_points - 5.0).abs() < 1e-9, "{typo_points}");
        let sum: f64 = f.iter().map(|f| f.points).sum();
        assert!((sum - 32.0).abs() < 1e-9);
    }

    #[test]
    fn a_first_level_policy_column_not_updated_deducts_5() {
        let p = national();
        let mut f = vec![
            stale_at(0, ColumnClass::Policy, 1),
            stale_at(1, ColumnClass::Policy, 2),
            stale_at(2, ColumnClass::Notice, 1),
        ];
        let s = score_site(&mut f, &p);
        let pts: Vec<f64> = f.iter().map(|f| f.points).collect();
        assert_eq!(pts, [5.0, 2.0, 2.0]);
        assert_eq!(s.score, 91.0);
    }

    #[test]
    fn score_never_below_zero() {
        let mut p = national();
        for ind in p.indicators.values_mut() {
            ind.cap = None;
        }
        for g in p.groups.values_mut() {
            g.points = 100.0;
        }
        let mut f: Vec<_> = (0..150).map(|i| link(i, true)).collect();
        let s = score_site(&mut f, &p);
        assert_eq!(s.score, 0.0);
    }

    #[test]
    fn warnings_never_deduct_and_serious_typo_vetoes_per_profile() {
        let typo = id::<Typo>();
        let mut f = vec![
            finding(typo, 0, Severity::Warn, Facts::default()),
            finding(typo, 1, Severity::Veto, Facts::default()),
        ];
        let s = score_site(&mut f, &national());
        assert_eq!(s.vetoes, [typo]);
        assert_eq!(s.score, 99.0);
        let warn = f.iter().find(|f| f.id.ends_with("-0")).unwrap();
        assert_eq!((warn.severity, warn.points), (Severity::Warn, 0.0));
        let mut p = national();
        p.indicators.get_mut(typo).unwrap().veto = false;
        let mut f = vec![finding(typo, 1, Severity::Veto, Facts::default())];
        let s = score_site(&mut f, &p);
        assert!(s.vetoes.is_empty());
        assert_eq!(f[0].severity, Severity::Deduct);
    }

    #[test]
    fn a_profile_file_changes_results_without_rebuild() {
        let path =
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/profiles/pass-90.toml");
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
        let settings: &crate::rules::broken_link::Settings = p.settings.get(id::<BrokenLink>());
        assert!(!settings.include_external);
    }
}
