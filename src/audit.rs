//! The audit pipeline: config → crawl → rules → score → reports, and the
//! `audit`, `lint`, `demo` commands built on it.
//!
//! STATUS: skeleton; the rules work fills it in.

use std::path::PathBuf;

use chrono::NaiveDate;

/// `govaudit audit`.
#[derive(Debug, Clone)]
pub struct AuditRequest {
    pub config: PathBuf,
    pub as_of: Option<NaiveDate>,
    pub out: Option<PathBuf>,
    pub profile: Option<String>,
    pub json_stdout: bool,
    pub progress: bool,
}

/// `govaudit lint`.
#[derive(Debug, Clone)]
pub struct LintRequest {
    pub crawl: PathBuf,
    pub as_of: Option<NaiveDate>,
    pub out: Option<PathBuf>,
    pub profile: Option<String>,
    pub json_stdout: bool,
}

/// `govaudit demo`.
#[derive(Debug, Clone)]
pub struct DemoRequest {
    pub out: Option<PathBuf>,
    pub keep_serving: bool,
    pub progress: bool,
}

/// Run an audit; returns the exit code (0 all pass, 1 a site fails).
pub fn run_audit(req: &AuditRequest) -> crate::Result<u8> {
    let _ = crate::config::Config::load(&req.config)?;
    Err(crate::Error::Other("audit: not implemented yet".into()))
}

/// Run the rules on a snapshot; returns the exit code.
pub fn run_lint(req: &LintRequest) -> crate::Result<u8> {
    let _ = req;
    Err(crate::Error::Other("lint: not implemented yet".into()))
}

/// Serve and audit the bundled demo portal; returns the exit code.
pub fn run_demo(req: &DemoRequest) -> crate::Result<u8> {
    let _ = req;
    Err(crate::Error::Other("demo: not implemented yet".into()))
}
