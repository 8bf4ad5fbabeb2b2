//! What the binary does around the library: run a command, print its
//! results (report.json on stdout, the summary table and crawl line on
//! stderr), map the outcome to an [`Exit`] code, and end quietly when a
//! reader closes the pipe (`govaudit rules | head -1`).

pub mod inspect;
pub mod progress;

use std::io::Write;
use std::path::Path;
use std::process::ExitCode;

use govaudit::crawl::CrawlSummary;
use govaudit::report::{self, Report};
use govaudit::score::Verdict;

/// The process's exit code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    /// Every site passes (or the command judges nothing).
    Pass,
    /// At least one site fails (check-text: a deduct or veto hit).
    Fail,
    /// The run could not happen: bad input, an unreadable file, I/O.
    Error,
}

impl Exit {
    /// Pass when every site of `report` passes, else Fail.
    pub fn of(report: &Report) -> Exit {
        if report.failing() > 0 {
            Exit::Fail
        } else {
            Exit::Pass
        }
    }

    /// check-text's code (0 clean, 1 a deduct/veto hit, 2 unreadable).
    pub fn from_check_text(code: u8) -> Exit {
        Exit::from_code(code)
    }

    /// A library command's code: 0 pass, 1 fail, anything else an error.
    pub fn from_code(code: u8) -> Exit {
        match code {
            0 => Exit::Pass,
            1 => Exit::Fail,
            _ => Exit::Error,
        }
    }
}

impl From<Exit> for ExitCode {
    fn from(e: Exit) -> ExitCode {
        ExitCode::from(match e {
            Exit::Pass => 0,
            Exit::Fail => 1,
            Exit::Error => 2,
        })
    }
}

/// Write `bytes` to stdout. A reader that went away (`| head`) ends the
/// output quietly; any other failure is an error.
pub fn stdout(bytes: &[u8]) -> govaudit::Result<()> {
    let mut out = std::io::stdout().lock();
    match out.write_all(bytes).and_then(|_| out.flush()) {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => {
            Err(govaudit::Error::io("(stdout)", e))
        }
        _ => Ok(()),
    }
}

/// A line on stderr; a closed stderr is no reason to fail.
pub fn note(line: &str) {
    let _ = writeln!(std::io::stderr().lock(), "{line}");
}

/// Show a finished report: report.json on stdout when asked, then the
/// summary table and the report's path on stderr when asked.
pub fn show_report(
    report: &Report,
    html: &Path,
    json: bool,
    summary: bool,
) -> govaudit::Result<()> {
    if json {
        stdout(&report::FORMATS[0].render(report))?;
    }
    if summary {
        let _ = write!(std::io::stderr().lock(), "{}", summary_table(report));
        note(&format!("报告：{}", html.display()));
    }
    Ok(())
}

/// The short table printed on stderr at the end of a run.
pub(crate) fn summary_table(r: &Report) -> String {
    use std::fmt::Write;
    let mut o = String::new();
    let width = r.sites.iter().map(|s| s.id.len()).max().unwrap_or(4).max(4);
    let _ = writeln!(
        o,
        "{:<width$}  {:<6}  {:>6}  {:>6}  vetoes",
        "site", "result", "score", "issues"
    );
    for s in &r.sites {
        let n = r.findings_of(&s.id).count();
        let _ = writeln!(
            o,
            "{:<width$}  {:<6}  {:>6}  {:>6}  {}",
            s.id,
            if s.verdict == Verdict::Pass {
                "pass"
            } else {
                "FAIL"
            },
            report::fmt_points(s.score),
            n,
            if s.vetoes.is_empty() {
                "-".to_string()
            } else {
                s.vetoes.join(",")
            }
        );
    }
    let _ = writeln!(
        o,
        "{} sites: {} pass, {} fail; {} findings (as of {}, profile {})",
        r.sites.len(),
        r.sites.len() - r.failing(),
        r.failing(),
        r.findings.len(),
        r.as_of,
        r.profile
    );
    if let Some(c) = &r.crawl {
        let _ = writeln!(
            o,
            "crawl: {} pages ({} unchanged since the last run, 304), {} requests, {:.1} MB downloaded, {} text-rule results reused",
            c.pages,
            c.not_modified,
            c.requests,
            c.bytes as f64 / 1e6,
            c.text_cache_hits
        );
        if c.memory_wait_secs > 0.0 {
            let _ = writeln!(
                o,
                "memory: at most {} sites at once within max_memory_mb; fetches waited {:.0} s for memory in all (a larger max_memory_mb would save that time)",
                c.max_sites_held, c.memory_wait_secs
            );
        }
    }
    o
}

/// The one-line crawl summary printed on stderr by `govaudit crawl`.
pub fn crawl_line(s: &CrawlSummary, dir: &Path) -> String {
    format!(
        "crawl: {} sites ({} unreachable), {} pages, {} links checked ({} broken), {} requests, {} errors, {:.1} MB in {:.1}s ({:.0} pages/s) → {}",
        s.sites,
        s.unreachable,
        s.pages,
        s.links_checked,
        s.broken_links,
        s.requests,
        s.errors,
        s.bytes as f64 / 1e6,
        s.elapsed_secs,
        s.pages as f64 / s.elapsed_secs.max(0.001),
        dir.display()
    )
}
