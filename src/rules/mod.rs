//! Rules: pure functions from a [`Site`](crate::site::Site) and a
//! [`Context`] to findings. No rule does I/O or reads the clock.
//!
//! STATUS: skeleton; the rules work fills in the registry and one file per rule.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::site::Site;

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

/// What every rule may read besides the site.
pub struct Context<'a> {
    /// The monitoring time point (监测时间点).
    pub as_of: NaiveDate,
    /// Loaded typo dictionaries.
    pub typos: &'a crate::typo::TypoChecker,
}

/// A rule.
pub trait Rule: Send + Sync {
    fn id(&self) -> &'static str;
    fn check(&self, site: &Site, ctx: &Context) -> Vec<Finding>;
}

/// `govaudit rules [ID]`: print every rule's documentation.
pub fn print_docs(id: Option<&str>) -> crate::Result<u8> {
    let _ = id;
    Ok(0)
}
