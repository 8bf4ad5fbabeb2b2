//! # pii-exposed — 泄露个人隐私信息
//!
//! ## What it checks
//! Personal data in the text of every page the crawl fetched:
//! - resident ID numbers (居民身份证号码): 18 characters (17 digits and a
//!   digit or X) standing alone — not part of a longer run of digits or
//!   letters — with a plausible province prefix (11…82), a valid birth date
//!   between 1900 and `as_of`, and the GB 11643-1999 check character right;
//! - mainland mobile numbers: 11 digits `1[3-9]…` standing alone;
//! - bank card numbers: 16 to 19 digits standing alone that pass the Luhn
//!   check, with 卡号 / 银行卡 (or 账号 / 账户) at most 20 characters before.
//!
//! Masked forms (110101********1234, 138****1234, 6222****1234) never fire:
//! a mask breaks the run of digits. Numbers split by spaces are not read.
//! One finding per page and kind, with how many distinct values the page
//! shows. The evidence and message carry the value masked, never in full,
//! in any report format.
//!
//! Severity: ID numbers and bank cards labelled 卡号 / 银行卡 are serious:
//! the rule marks them veto, and the profile decides — national-2019 has no
//! veto for this rule (`veto = false`: they deduct, in 发布解读, capped);
//! city-strict sets `veto = true`. A number labelled only 账号 / 账户 is a
//! warn, since bodies publish their own collection accounts (非税收入
//! 收款账号) on purpose. A mobile number deducts when the page shows 3 or
//! more distinct ones (a list of people); one or two are a warn, since a
//! page may give a staff member's contact mobile on purpose.
//!
//! The site's own attachments are read the same way (the crawl downloads
//! xlsx / xls / et, docx and pdf files its pages link, see the README's
//! "Attachments"): one finding per attachment and kind, at the attachment's
//! URL, located by sheet and cell, paragraph or table cell, or pdf page and
//! line. In a spreadsheet or table the column header counts as the label
//! before a card number (a 银行卡号 column), in a pdf the line above.
//! Attachments that were not read (too large, .doc / .wps, unreadable) give
//! nothing: never a finding from half a file.
//!
//! ## Why it matters
//! 条例 art. 15 and 个人信息保护法: disclosure must not expose personal
//! privacy. Provincial inspection bulletins list ID and phone numbers in
//! 名单 / 公示 / 处罚决定 pages as a serious problem.
//!
//! ## Example
//! A 补贴发放公示 page listing 姓名 and full ID numbers ⇒ one finding at the
//! page's URL, evidence `{ "kind": "id-number", "masked": "330106********0019",
//! "count": 3, "location": "正文第120字：…张三 330106********0019 …" }`.
//!
//! ## Settings
//! None.

use std::collections::BTreeSet;
use std::sync::LazyLock;

use chrono::{Datelike, NaiveDate};
use regex::Regex;
use serde::{Deserialize, Serialize};

use super::{Context, Evidence, Finding, Group, Indicator, Meta, RuleDef, Severity};
use crate::site::Site;

/// The rule.
pub struct PiiExposed;

/// report.json `evidence` of a finding. No field ever holds a full value.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct PiiExposedEvidence {
    /// `id-number`, `mobile` or `bank-card`.
    pub kind: String,
    /// The first value found, masked.
    pub masked: String,
    /// Distinct values of this kind on the page.
    pub count: usize,
    /// Where the first one is, with its surroundings masked too.
    pub location: String,
    /// For an attachment: the page linking it (the finding's url is the
    /// attachment's).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub referrer: String,
}

impl Evidence for PiiExposedEvidence {
    fn summary_zh(&self) -> String {
        let linked = if self.referrer.is_empty() {
            String::new()
        } else {
            format!("；链接页面：{}", self.referrer)
        };
        format!(
            "{}：{}（共{}个）；位置：{}{linked}",
            kind_zh(&self.kind),
            self.masked,
            self.count,
            self.location
        )
    }
}

fn kind_zh(kind: &str) -> &'static str {
    match kind {
        "id-number" => "身份证号码",
        "mobile" => "手机号码",
        "bank-card" => "银行卡号",
        _ => "个人信息",
    }
}

/// Maximal runs of ASCII letters and digits (a value must be a whole run).
static RUN: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"[0-9A-Za-z]+").expect("static regex"));

/// Province codes of GB/T 2260 (11 北京 … 82 澳门).
const PROVINCES: [u32; 34] = [
    11, 12, 13, 14, 15, 21, 22, 23, 31, 32, 33, 34, 35, 36, 37, 41, 42, 43, 44, 45, 46, 50, 51, 52,
    53, 54, 61, 62, 63, 64, 65, 71, 81, 82,
];

/// An 18-character resident ID number: region, birth date, GB 11643 check.
pub(crate) fn is_id_number(s: &str, as_of: NaiveDate) -> bool {
    let b = s.as_bytes();
    if b.len() != 18 || !b[..17].iter().all(u8::is_ascii_digit) {
        return false;
    }
    let last = b[17].to_ascii_uppercase();
    if !(last.is_ascii_digit() || last == b'X') {
        return false;
    }
    let num = |r: std::ops::Range<usize>| s[r].parse::<u32>().unwrap_or(0);
    if !PROVINCES.contains(&num(0..2)) || num(2..6) % 100 == 0 && num(2..4) == 0 {
        return false;
    }
    let Some(born) = NaiveDate::from_ymd_opt(num(6..10) as i32, num(10..12), num(12..14)) else {
        return false;
    };
    if born.year() < 1900 || born > as_of {
        return false;
    }
    const W: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    let sum: u32 = b[..17]
        .iter()
        .zip(W)
        .map(|(d, w)| u32::from(d - b'0') * w)
        .sum();
    b"10X98765432"[(sum % 11) as usize] == last
}

/// The Luhn check of a card number.
pub(crate) fn luhn(s: &str) -> bool {
    let mut sum = 0;
    for (i, d) in s.bytes().rev().enumerate() {
        let mut d = u32::from(d - b'0');
        if i % 2 == 1 {
            d *= 2;
            if d > 9 {
                d -= 9;
            }
        }
        sum += d;
    }
    sum % 10 == 0
}

/// A value shown masked: the head and the last four kept.
fn mask(kind: &str, s: &str) -> String {
    let keep = match kind {
        "id-number" => 6,
        "mobile" => 3,
        _ => 4,
    };
    let n = s.len();
    format!("{}{}{}", &s[..keep], "*".repeat(n - keep - 4), &s[n - 4..])
}

/// Labels of a personal card number.
const CARD_LABELS: [&str; 2] = ["卡号", "银行卡"];
/// Labels of any account, a body's own included.
const ACCOUNT_LABELS: [&str; 2] = ["账号", "账户"];

/// The 20 characters before byte `at`.
fn before(text: &str, at: usize) -> String {
    let chars: Vec<char> = text[..at].chars().rev().take(20).collect();
    chars.into_iter().rev().collect()
}

/// The kind of personal value `run` (a whole alphanumeric run at byte
/// `at` of `text`) is, if any. `label` is a heading the text sits under (a
/// table column's header), empty for page text.
fn kind_of(
    text: &str,
    label: &str,
    at: usize,
    run: &str,
    as_of: NaiveDate,
) -> Option<&'static str> {
    if is_id_number(run, as_of) {
        return Some("id-number");
    }
    if !run.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let b = run.as_bytes();
    if b.len() == 11 && b[0] == b'1' && (b'3'..=b'9').contains(&b[1]) {
        return Some("mobile");
    }
    if (16..=19).contains(&b.len()) && luhn(run) {
        let before = before(text, at);
        if CARD_LABELS
            .iter()
            .chain(&ACCOUNT_LABELS)
            .any(|l| before.contains(l) || label.contains(l))
        {
            return Some("bank-card");
        }
    }
    None
}

/// The first of a kind's values in some texts, and how many distinct ones.
struct Seen {
    values: BTreeSet<String>,
    /// Index of the text, byte range and value of the first.
    first: Option<(usize, usize, usize, String)>,
    /// The first is a card number labelled 卡号 / 银行卡 (not 账号 alone).
    first_card_labelled: bool,
}

/// Every value of `kind` in `texts` (each with its label).
fn scan<'a>(texts: impl Iterator<Item = (&'a str, &'a str)>, kind: &str, as_of: NaiveDate) -> Seen {
    let mut seen = Seen {
        values: BTreeSet::new(),
        first: None,
        first_card_labelled: false,
    };
    for (i, (text, label)) in texts.enumerate() {
        for m in RUN.find_iter(text) {
            if kind_of(text, label, m.start(), m.as_str(), as_of) != Some(kind) {
                continue;
            }
            let value = m.as_str().to_ascii_uppercase();
            seen.values.insert(value.clone());
            if seen.first.is_none() {
                seen.first_card_labelled = CARD_LABELS
                    .iter()
                    .any(|l| before(text, m.start()).contains(l) || label.contains(l));
                seen.first = Some((i, m.start(), m.end(), value));
            }
        }
    }
    seen
}

/// The severity of a kind's values on one page or attachment.
fn severity(kind: &str, seen: &Seen) -> Severity {
    // ID numbers and labelled card numbers are serious: a veto where the
    // profile says `veto = true`, else a deduction.
    match kind {
        "mobile" if seen.values.len() < 3 => Severity::Warn,
        "mobile" => Severity::Deduct,
        "bank-card" if !seen.first_card_labelled => Severity::Warn,
        _ => Severity::Veto,
    }
}

/// `n` characters before and after the value, long digit runs masked.
fn location(text: &str, start: usize, end: usize, masked: &str) -> String {
    format!(
        "正文第{}字：{}",
        text[..start].chars().count() + 1,
        context(text, start, end, masked)
    )
}

/// `…before MASKED after…`, 12 characters each side, long runs masked.
fn context(text: &str, start: usize, end: usize, masked: &str) -> String {
    let before: Vec<char> = text[..start].chars().collect();
    let after: String = text[end..].chars().take(12).collect();
    let before: String = before[before.len().saturating_sub(12)..].iter().collect();
    format!("…{}{}{}…", hide(&before), masked, hide(&after))
}

/// Runs of 6 or more letters and digits starred out.
fn hide(s: &str) -> String {
    RUN.replace_all(s, |c: &regex::Captures| {
        let r = &c[0];
        if r.len() >= 6 {
            "*".repeat(r.len())
        } else {
            r.to_string()
        }
    })
    .into_owned()
}

impl RuleDef for PiiExposed {
    const META: Meta = Meta {
        id: "pii-exposed",
        name_zh: "泄露个人隐私信息",
        advice_zh: "立即对页面中的身份证号码、手机号码、银行卡号等个人信息作去标识化处理（如隐去中间位数），并排查同类页面。",
        severity: Severity::Deduct,
        group: Group::Publish,
        source: include_str!("pii_exposed.rs"),
    };
    type Settings = ();
    type Evidence = PiiExposedEvidence;

    fn default_indicator() -> Indicator {
        Indicator {
            cap: Some(6.0),
            ..Indicator::points(2.0)
        }
    }

    fn run(&self, site: &Site, ctx: &Context, _: &()) -> Vec<Finding> {
        let mut out = Vec::new();
        let mut seen_pages = std::collections::HashSet::new();
        for page in &site.pages {
            if !seen_pages.insert(&page.url) {
                continue;
            }
            // The text is read back one page at a time (`Site::full_page`).
            let full = site.full_page(page);
            let text = full.text.as_str();
            for kind in KINDS {
                let seen = scan(std::iter::once((text, "")), kind, ctx.as_of);
                let Some((_, start, end, value)) = &seen.first else {
                    continue;
                };
                let masked = mask(kind, value);
                let message = format!(
                    "页面“{}”公开了{}个{}（如{}），涉嫌泄露个人隐私，请立即去标识化处理。",
                    page.title,
                    seen.values.len(),
                    kind_zh(kind),
                    masked
                );
                out.push(Finding::new(
                    Self::META.id,
                    site,
                    &page.url,
                    Some(kind),
                    None,
                    severity(kind, &seen),
                    message,
                    &PiiExposedEvidence {
                        kind: kind.into(),
                        location: location(text, *start, *end, &masked),
                        masked,
                        count: seen.values.len(),
                        referrer: String::new(),
                    },
                ));
            }
        }
        for a in &site.attachments {
            let units = &a.text.units;
            for kind in KINDS {
                let texts = units.iter().map(|u| (u.text.as_str(), u.label.as_str()));
                let seen = scan(texts, kind, ctx.as_of);
                let Some((i, start, end, value)) = &seen.first else {
                    continue;
                };
                let masked = mask(kind, value);
                let unit = &units[*i];
                let name = if a.anchor.trim().is_empty() {
                    a.url.rsplit('/').next().unwrap_or(&a.url).to_string()
                } else {
                    a.anchor.trim().to_string()
                };
                let message = format!(
                    "附件“{name}”公开了{}个{}（如{}，位于{}），涉嫌泄露个人隐私，请立即撤下或去标识化处理后重新发布。",
                    seen.values.len(),
                    kind_zh(kind),
                    masked,
                    unit.at.describe_zh()
                );
                out.push(Finding::new(
                    Self::META.id,
                    site,
                    &a.url,
                    Some(kind),
                    None,
                    severity(kind, &seen),
                    message,
                    &PiiExposedEvidence {
                        kind: kind.into(),
                        location: format!(
                            "附件{}{}：{}",
                            unit.at.describe_zh(),
                            if unit.label.is_empty() {
                                String::new()
                            } else {
                                format!("（{}）", hide(&unit.label))
                            },
                            context(&unit.text, *start, *end, &masked)
                        ),
                        masked,
                        count: seen.values.len(),
                        referrer: a.referrer.clone(),
                    },
                ));
            }
        }
        out
    }
}

/// The kinds, in report order.
const KINDS: [&str; 3] = ["id-number", "mobile", "bank-card"];

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::testutil::*;
    use crate::site::Page;

    /// A checksum-valid ID number for a made-up person.
    fn fake_id(region: &str, birth: &str, seq: &str) -> String {
        let body = format!("{region}{birth}{seq}");
        const W: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
        let sum: u32 = body
            .bytes()
            .zip(W)
            .map(|(d, w)| u32::from(d - b'0') * w)
            .sum();
        format!("{body}{}", b"10X98765432"[(sum % 11) as usize] as char)
    }

    fn page(text: &str) -> Site {
        let mut s = site();
        s.pages = vec![Page {
            url: "http://127.0.0.1/fgj/gs/1.html".into(),
            title: "补贴发放公示".into(),
            text: text.into(),
            ..Default::default()
        }];
        s
    }

    #[test]
    fn id_numbers_need_checksum_date_and_region() {
        let as_of = date("2026-11-26");
        let id = fake_id("330106", "19850312", "001");
        assert!(is_id_number(&id, as_of));
        let mut wrong = id.clone().into_bytes();
        wrong[17] = if wrong[17] == b'0' { b'1' } else { b'0' };
        assert!(!is_id_number(std::str::from_utf8(&wrong).unwrap(), as_of));
        assert!(
            !is_id_number(&fake_id("330106", "19851332", "001"), as_of),
            "month 13"
        );
        assert!(
            !is_id_number(&fake_id("990106", "19850312", "001"), as_of),
            "no province 99"
        );
        assert!(
            !is_id_number(&fake_id("330106", "20300101", "001"), as_of),
            "born after as_of"
        );
    }

    #[test]
    fn fires_masked_and_look_alikes_stay_silent() {
        let env = Env::new();
        let ctx = env.ctx("2026-11-26");
        let id = fake_id("330106", "19850312", "001");
        let text = format!("张三 {id} 李四 13812345678 收款账号：6222021234567890128");
        let f = PiiExposed.check(&page(&text), &ctx);
        let kinds: Vec<&str> = f
            .iter()
            .map(|f| f.evidence["kind"].as_str().unwrap())
            .collect();
        assert_eq!(kinds, ["id-number", "mobile", "bank-card"], "{f:?}");
        assert_eq!(
            f[0].evidence["masked"],
            format!("330106********{}", &id[14..])
        );
        assert_eq!(f[1].evidence["masked"], "138****5678");
        assert_eq!(f[1].severity, Severity::Warn);
        assert_eq!(f[2].evidence["masked"], "6222***********0128");
        assert_eq!(
            f[2].severity,
            Severity::Warn,
            "账号 alone: maybe the body's own account"
        );
        assert_eq!(
            f[0].severity,
            Severity::Veto,
            "scoring makes it a deduction unless the profile vetoes"
        );
        for x in &f {
            let all = format!("{} {}", x.message, x.evidence);
            for full in [id.as_str(), "13812345678", "6222021234567890128"] {
                assert!(!all.contains(full), "{all}");
            }
        }
        let f = PiiExposed.check(&page("银行卡号：6222021234567890128"), &ctx);
        assert_eq!(f[0].severity, Severity::Veto);
        // Masked forms, longer digit runs, a card number with no label, a
        // checksum-failing 18-digit order number: silent.
        let silent = format!(
            "330106********0019 138****5678 订单号 {}0 编号{id}A 流水 6222021234567890128 a13812345678",
            &id
        );
        let f = PiiExposed.check(&page(&silent), &ctx);
        assert!(f.is_empty(), "{f:?}");
        // Three distinct mobiles: a list of people, deducted.
        let f = PiiExposed.check(&page("13812345678 13912345678 15012345678"), &ctx);
        assert_eq!(f[0].severity, Severity::Deduct);
        assert_eq!(f[0].evidence["count"], 3);
    }

    #[test]
    fn the_profile_decides_the_veto() {
        let env = Env::new();
        let ctx = env.ctx("2026-11-26");
        let text = format!("张三 {}", fake_id("330106", "19850312", "001"));
        for (profile, want) in [
            ("national-2019", Severity::Deduct),
            ("city-strict", Severity::Veto),
        ] {
            let mut f = PiiExposed.check(&page(&text), &ctx);
            let p = crate::profile::Profile::builtin(profile).unwrap();
            crate::score::score_site(&mut f, &p);
            assert_eq!(f[0].severity, want, "{profile}");
        }
    }
}
