//! govaudit command line: parse flags, call the library, print what it
//! returns and map it to an exit code (0 every site passes, 1 a site fails,
//! 2 the run could not happen). The library never prints; this binary does.

mod cli;

use std::path::PathBuf;
use std::process::ExitCode;

use cli::{progress, Exit};
use govaudit::audit::{self, AuditRequest, DemoRequest, LintRequest};

use chrono::NaiveDate;
use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(
    name = "govaudit",
    version,
    about = "Audit government disclosure (政务公开) websites against the national inspection indicators"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Crawl every site in SITES.toml, run the rules, score and write reports.
    Audit {
        #[arg(long)]
        config: PathBuf,
        /// Monitoring time point (default: today, local time).
        #[arg(long, value_parser = parse_date)]
        as_of: Option<NaiveDate>,
        /// Output folder (default: reports/<date>/).
        #[arg(long)]
        out: Option<PathBuf>,
        /// Scoring profile: a file, or a name under rules/ (default: national-2019).
        #[arg(long)]
        profile: Option<String>,
        /// Print report.json on stdout.
        #[arg(long, value_parser = ["json"])]
        format: Option<String>,
        /// No progress on stderr.
        #[arg(long, short)]
        quiet: bool,
        /// Audit only the sites at positions p of SITES.toml with p % N == I
        /// (0-based I/N, or auto/N: I from JOB_COMPLETION_INDEX).
        #[arg(long, value_name = "I/N", allow_hyphen_values = true)]
        shard: Option<String>,
        /// History database (default: reports/history.sqlite).
        #[arg(long, value_name = "FILE", conflicts_with = "shard")]
        history: Option<PathBuf>,
        /// Record nothing and add no history fields to the report.
        #[arg(long, conflicts_with = "history")]
        no_history: bool,
        /// Compare against this run (see `govaudit history`) instead of the
        /// latest run with the same config.
        #[arg(long, value_name = "RUN", conflicts_with_all = ["no_history", "shard"])]
        compare_to: Option<i64>,
    },
    /// Merge per-shard report.json files into one report (all four formats).
    Merge {
        /// Output folder.
        #[arg(long)]
        out: PathBuf,
        /// Shard reports: report.json files or folders holding one, in report order.
        #[arg(required = true, value_name = "REPORT.json")]
        reports: Vec<PathBuf>,
        /// Print the merged report.json on stdout.
        #[arg(long, value_parser = ["json"])]
        format: Option<String>,
        /// No summary on stderr.
        #[arg(long, short)]
        quiet: bool,
        /// History database (default: reports/history.sqlite).
        #[arg(long, value_name = "FILE")]
        history: Option<PathBuf>,
        /// Record nothing and add no history fields to the report.
        #[arg(long, conflicts_with = "history")]
        no_history: bool,
        /// The SITES.toml the shards audited: its [notify] robots are told
        /// of the merged run (as after `audit`), its [audit] name,
        /// rectify_days and [history] keep_days apply.
        #[arg(long, value_name = "SITES.toml")]
        config: Option<PathBuf>,
    },
    /// Crawl only and save the snapshot to --out.
    Crawl {
        #[arg(long)]
        config: PathBuf,
        #[arg(long)]
        out: PathBuf,
        #[arg(long, short)]
        quiet: bool,
    },
    /// Run the rules on a saved crawl snapshot (same findings as the live run).
    Lint {
        /// Snapshot folder (or its manifest.json).
        #[arg(long)]
        crawl: PathBuf,
        #[arg(long, value_parser = parse_date)]
        as_of: Option<NaiveDate>,
        #[arg(long)]
        out: Option<PathBuf>,
        #[arg(long)]
        profile: Option<String>,
        #[arg(long, value_parser = ["json"])]
        format: Option<String>,
    },
    /// List every rule with its documentation.
    Rules {
        /// Show one rule only.
        id: Option<String>,
    },
    /// Serve the bundled demo portal on 127.0.0.1, audit it, write reports/demo/.
    Demo {
        #[arg(long)]
        out: Option<PathBuf>,
        /// Keep serving the demo portal after the audit (Ctrl-C to stop).
        #[arg(long)]
        serve: bool,
        #[arg(long, short)]
        quiet: bool,
    },
    /// Check draft documents for typos before they are published.
    CheckText {
        #[arg(required = true)]
        files: Vec<PathBuf>,
        #[arg(long, value_parser = ["json", "text"], default_value = "text")]
        format: String,
    },
    /// One round of homepage availability probes, appended to the history
    /// database (run from cron every 30–60 minutes).
    Probe {
        #[arg(long)]
        config: PathBuf,
        /// History database (default: reports/history.sqlite).
        #[arg(long, value_name = "FILE", default_value = govaudit::history::DEFAULT_DB)]
        history: PathBuf,
        /// Test hook: stamp the probes with this RFC 3339 time instead of now.
        #[arg(long, hide = true)]
        at: Option<String>,
    },
    /// Runs, verdicts and scores over time, from the history database.
    History {
        /// One site's verdicts and scores run by run.
        #[arg(long)]
        site: Option<String>,
        #[arg(long, value_parser = ["json"])]
        format: Option<String>,
        /// History database (default: reports/history.sqlite).
        #[arg(long, value_name = "FILE", default_value = govaudit::history::DEFAULT_DB)]
        history: PathBuf,
    },
    /// What changed between two recorded runs (new and resolved findings).
    Diff {
        run_a: i64,
        run_b: i64,
        #[arg(long, value_parser = ["json"])]
        format: Option<String>,
        /// History database (default: reports/history.sqlite).
        #[arg(long, value_name = "FILE", default_value = govaudit::history::DEFAULT_DB)]
        history: PathBuf,
    },
    /// Fetch one page politely and show what govaudit makes of it (charset,
    /// page kind, items and dates, pagination, columns, links, own text) and,
    /// with --config and --site, the findings this page would raise.
    Inspect {
        url: String,
        #[arg(long)]
        config: Option<PathBuf>,
        /// Site id in SITES.toml the page belongs to (needs --config).
        #[arg(long)]
        site: Option<String>,
        #[arg(long, value_parser = parse_date)]
        as_of: Option<NaiveDate>,
        #[arg(long)]
        profile: Option<String>,
        #[arg(long, value_parser = ["json", "text"], default_value = "text")]
        format: String,
    },
    /// Serve a fixture folder on 127.0.0.1 (for trying govaudit by hand).
    Serve {
        dir: PathBuf,
        #[arg(long, default_value_t = 8080)]
        port: u16,
    },
}

fn parse_date(s: &str) -> Result<NaiveDate, String> {
    NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .map_err(|_| format!("{s:?} is not a date (expected YYYY-MM-DD)"))
}

fn main() -> ExitCode {
    match run(Cli::parse().command) {
        Ok(exit) => exit.into(),
        Err(e) => {
            cli::note(&format!(
                "govaudit: error: {}",
                e.to_string().replace('\n', " ")
            ));
            Exit::Error.into()
        }
    }
}

fn run(command: Command) -> govaudit::Result<Exit> {
    match command {
        Command::Audit {
            config,
            as_of,
            out,
            profile,
            format,
            quiet,
            shard,
            history,
            no_history,
            compare_to,
        } => {
            let req = AuditRequest {
                config,
                as_of,
                out,
                profile,
                progress: progress::sink(!quiet),
            };
            let outcome = match shard {
                None => audit::audit_with_history(
                    &req,
                    &govaudit::history::HistoryOptions::from_flags(history, no_history, compare_to),
                )?,
                // Shard workers skip history: `merge` records the merged run.
                Some(text) => {
                    let index = std::env::var(govaudit::shard::INDEX_ENV).ok();
                    let shard = govaudit::shard::Shard::parse(&text, index.as_deref())
                        .map_err(govaudit::Error::Other)?;
                    govaudit::shard::sharded_audit(&req, shard)?
                }
            };
            for warning in &outcome.warnings {
                cli::note(warning);
            }
            let json = format.is_some();
            cli::show_report(&outcome.report, &outcome.html, json, !quiet || !json)?;
            Ok(Exit::of(&outcome.report))
        }
        Command::Merge {
            out,
            reports,
            format,
            quiet,
            history,
            no_history,
            config,
        } => {
            let merged = govaudit::shard::merge(&govaudit::shard::MergeRequest {
                inputs: reports,
                out: out.clone(),
                history: govaudit::history::HistoryOptions::from_flags(history, no_history, None),
                config,
            })?;
            for warning in &merged.warnings {
                cli::note(warning);
            }
            let merged = merged.report;
            let json = format.is_some();
            cli::show_report(&merged, &out.join("report.html"), json, !quiet && !json)?;
            Ok(Exit::of(&merged))
        }
        Command::Crawl { config, out, quiet } => {
            let crawled = audit::crawl_to_snapshot(&config, &out, progress::sink(!quiet))?;
            cli::note(&cli::crawl_line(&crawled.summary, &crawled.dir));
            Ok(Exit::Pass)
        }
        Command::Lint {
            crawl,
            as_of,
            out,
            profile,
            format,
        } => {
            let outcome = audit::lint(&LintRequest {
                crawl,
                as_of,
                out,
                profile,
            })?;
            let json = format.is_some();
            cli::show_report(&outcome.report, &outcome.html, json, !json)?;
            Ok(Exit::of(&outcome.report))
        }
        Command::Rules { id } => {
            cli::stdout(govaudit::rules::docs(id.as_deref())?.as_bytes())?;
            Ok(Exit::Pass)
        }
        Command::Demo { out, serve, quiet } => {
            let demo = audit::demo(&DemoRequest {
                out,
                progress: progress::sink(!quiet),
            })?;
            let outcome = &demo.outcome;
            cli::show_report(&outcome.report, &outcome.html, false, true)?;
            cli::stdout(format!("{}\n", outcome.html.display()).as_bytes())?;
            if serve {
                cli::note(&format!(
                    "demo portal at {}/ — Ctrl-C to stop",
                    demo.server.base_url()
                ));
                demo.runtime.block_on(async {
                    let _ = tokio::signal::ctrl_c().await;
                });
            }
            // The demo is a showcase: sites fail on purpose.
            Ok(Exit::Pass)
        }
        Command::CheckText { files, format } => {
            let code = govaudit::typo::run_check_text(
                &files,
                format == "json",
                &mut std::io::stdout().lock(),
                &mut std::io::stderr().lock(),
            )?;
            Ok(Exit::from_check_text(code))
        }
        Command::Probe {
            config,
            history,
            at,
        } => {
            let round = govaudit::probe::run_probe(&config, &history, at.as_deref())?;
            for site in &round.robots_skipped {
                cli::note(&format!(
                    "probe: {site}: robots.txt forbids the homepage, not probed"
                ));
            }
            for o in &round.outcomes {
                cli::note(&format!(
                    "{}  {}  {}  {} ms",
                    o.site,
                    if o.ok { "ok" } else { "FAIL" },
                    o.error.as_deref().unwrap_or(""),
                    o.elapsed_ms
                ));
            }
            Ok(Exit::Pass)
        }
        Command::History {
            site,
            format,
            history,
        } => govaudit::history::cli::run_history(&history, site.as_deref(), format.is_some())
            .map(Exit::from_code),
        Command::Diff {
            run_a,
            run_b,
            format,
            history,
        } => govaudit::history::cli::run_diff(&history, run_a, run_b, format.is_some())
            .map(Exit::from_code),
        Command::Serve { dir, port } => serve(&dir, port),
        Command::Inspect {
            url,
            config,
            site,
            as_of,
            profile,
            format,
        } => {
            let inspection = govaudit::inspect::inspect(&govaudit::inspect::InspectRequest {
                url,
                config,
                site,
                as_of,
                profile,
            })?;
            cli::stdout(cli::inspect::render(&inspection, format == "json").as_bytes())?;
            // Exit 0 when the page was read, 1 when not.
            Ok(if inspection.error.is_some() {
                Exit::Fail
            } else {
                Exit::Pass
            })
        }
    }
}

/// `govaudit serve DIR --port N`: serve a folder on 127.0.0.1 until Ctrl-C.
fn serve(dir: &std::path::Path, port: u16) -> govaudit::Result<Exit> {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| govaudit::Error::Other(format!("serve: {e}")))?;
    rt.block_on(async {
        let addr = std::net::SocketAddr::from(([127, 0, 0, 1], port));
        let server = govaudit::serve::serve_dir(dir.to_path_buf(), addr).await?;
        cli::note(&format!(
            "serving {} on {}/ (Ctrl-C to stop)",
            dir.display(),
            server.base_url()
        ));
        let _ = tokio::signal::ctrl_c().await;
        cli::note(&format!("{} requests served", server.requests().len()));
        Ok(Exit::Pass)
    })
}
