//! govaudit command line: parse flags, call the library, map to exit codes
//! (0 every site passes, 1 a site fails, 2 the run could not happen).

use std::path::PathBuf;
use std::process::ExitCode;

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
    let cli = Cli::parse();
    let result = match cli.command {
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
            let req = govaudit::audit::AuditRequest {
                config,
                as_of,
                out,
                profile,
                json_stdout: format.is_some(),
                progress: !quiet,
            };
            match shard {
                None => govaudit::audit::audit_with_history(
                    &req,
                    &govaudit::history::HistoryOptions::from_flags(history, no_history, compare_to),
                )
                .map(|o| o.code),
                // Shard workers skip history: `merge` records the merged run.
                Some(text) => {
                    let index = std::env::var(govaudit::shard::INDEX_ENV).ok();
                    govaudit::shard::Shard::parse(&text, index.as_deref())
                        .map_err(govaudit::Error::Other)
                        .and_then(|s| govaudit::shard::run_sharded_audit(&req, s))
                }
            }
        }
        Command::Merge {
            out,
            reports,
            format,
            quiet,
            history,
            no_history,
        } => govaudit::shard::run_merge(&govaudit::shard::MergeRequest {
            inputs: reports,
            out,
            json_stdout: format.is_some(),
            summary: !quiet && format.is_none(),
            history: govaudit::history::HistoryOptions::from_flags(history, no_history, None),
        }),
        Command::Crawl { config, out, quiet } => {
            govaudit::crawl::run_crawl_command(&config, &out, !quiet)
        }
        Command::Lint {
            crawl,
            as_of,
            out,
            profile,
            format,
        } => govaudit::audit::run_lint(&govaudit::audit::LintRequest {
            crawl,
            as_of,
            out,
            profile,
            json_stdout: format.is_some(),
        }),
        Command::Rules { id } => govaudit::rules::print_docs(id.as_deref()),
        Command::Demo { out, serve, quiet } => {
            govaudit::audit::run_demo(&govaudit::audit::DemoRequest {
                out,
                keep_serving: serve,
                progress: !quiet,
            })
        }
        Command::CheckText { files, format } => {
            govaudit::typo::run_check_text(&files, format == "json")
        }
        Command::Probe {
            config,
            history,
            at,
        } => govaudit::probe::run_probe(&config, &history, at.as_deref()),
        Command::History {
            site,
            format,
            history,
        } => govaudit::history::cli::run_history(&history, site.as_deref(), format.is_some()),
        Command::Diff {
            run_a,
            run_b,
            format,
            history,
        } => govaudit::history::cli::run_diff(&history, run_a, run_b, format.is_some()),
        Command::Serve { dir, port } => govaudit::serve::run_serve_command(&dir, port),
        Command::Inspect {
            url,
            config,
            site,
            as_of,
            profile,
            format,
        } => govaudit::inspect::inspect(&govaudit::inspect::InspectRequest {
            url,
            config,
            site,
            as_of,
            profile,
        })
        .map(|i| print_inspection(&i, format == "json")),
    };
    match result {
        Ok(code) => ExitCode::from(code),
        Err(e) => {
            let line = e.to_string().replace('\n', " ");
            eprintln!("govaudit: error: {line}");
            ExitCode::from(2)
        }
    }
}

/// Print an inspection on stdout; exit 0 when the page was read, 1 when not.
fn print_inspection(i: &govaudit::inspect::Inspection, json: bool) -> u8 {
    let code = u8::from(i.error.is_some());
    if json {
        println!(
            "{}",
            serde_json::to_string_pretty(i).expect("an inspection serialises")
        );
        return code;
    }
    let mut o = String::new();
    fn line(o: &mut String, k: &str, v: String) {
        o.push_str(&format!("{k:<12}{v}\n"));
    }
    line(&mut o, "url", i.url.clone());
    if let Some(f) = &i.final_url {
        line(&mut o, "redirected", f.clone());
    }
    line(
        &mut o,
        "answer",
        format!(
            "{} ({} attempt{}), {}, {} bytes",
            i.status
                .map_or("no answer".to_string(), |s| format!("HTTP {s}")),
            i.attempts,
            if i.attempts == 1 { "" } else { "s" },
            i.content_type.as_deref().unwrap_or("no content type"),
            i.bytes
        ),
    );
    if let Some(e) = &i.error {
        line(&mut o, "error", e.clone());
    }
    if !i.charset.is_empty() {
        line(
            &mut o,
            "charset",
            format!("{} ({})", i.charset, i.charset_from),
        );
    }
    line(&mut o, "kind", format!("{} — {}", i.kind, i.kind_why));
    if !i.title.is_empty() {
        line(&mut o, "title", i.title.clone());
    }
    if let Some(d) = i.date {
        let from = i
            .date_from
            .and_then(|f| serde_json::to_value(f).ok())
            .and_then(|v| v.as_str().map(str::to_string))
            .unwrap_or_default();
        line(&mut o, "date", format!("{d} ({from})"));
    }
    line(
        &mut o,
        "text",
        format!(
            "{} characters without navigation and footer; own text {} Chinese characters{}",
            i.text_chars,
            i.own_text.chars,
            if i.own_text.excerpt.is_empty() {
                String::new()
            } else {
                format!(": {}…", i.own_text.excerpt)
            }
        ),
    );
    if let Some(f) = i.own_text.form {
        line(&mut o, "form", format!("{f:?}").to_lowercase());
    }
    if let Some(e) = &i.own_text.entrance {
        line(&mut o, "entrance", e.clone());
    }
    if i.placeholder || i.own_text.empty_list {
        line(
            &mut o,
            "empty",
            format!(
                "placeholder {}, empty list container {}",
                i.placeholder, i.own_text.empty_list
            ),
        );
    }
    for l in &i.lists {
        line(
            &mut o,
            "list",
            format!(
                "{} ({}, {} items{})",
                l.heading.as_deref().unwrap_or("(no heading)"),
                l.style,
                l.items.len(),
                l.more
                    .as_ref()
                    .map(|m| format!(", more {m}"))
                    .unwrap_or_default()
            ),
        );
        for it in &l.items {
            o.push_str(&format!(
                "    {:<10} {:<6} {}  {}\n",
                it.date
                    .map(|d| d.to_string())
                    .unwrap_or_else(|| "undated".into()),
                it.date_from.as_deref().unwrap_or(""),
                it.title,
                it.url.as_deref().unwrap_or("")
            ));
        }
    }
    line(
        &mut o,
        "pagination",
        if i.pagination.is_empty() {
            "none".into()
        } else {
            i.pagination.join("  ")
        },
    );
    line(
        &mut o,
        "columns",
        format!("{} in the navigation", i.nav_columns.len()),
    );
    for c in &i.nav_columns {
        o.push_str(&format!(
            "    {:<16} {:<14} {}\n",
            c.name,
            c.class.map_or("-", |c| c.as_str()),
            c.url
        ));
    }
    line(
        &mut o,
        "links",
        format!(
            "{} nav, {} body, {} footer",
            i.links.nav.len(),
            i.links.body.len(),
            i.links.footer.len()
        ),
    );
    for l in &i.links.body {
        o.push_str(&format!(
            "    body  {}{}  {}\n",
            l.text,
            l.section
                .as_ref()
                .map(|s| format!(" [{s}]"))
                .unwrap_or_default(),
            l.url
        ));
    }
    if let Some(c) = &i.column {
        line(
            &mut o,
            "as column",
            format!(
                "{} ({}), {}, {} items, latest {}{}",
                c.name,
                c.class.as_str(),
                c.kind.as_str(),
                c.items,
                c.latest.map_or("none".into(), |d| d.to_string()),
                c.channel
                    .as_ref()
                    .map(|w| format!(", channel: {w}"))
                    .unwrap_or_default()
            ),
        );
    }
    if let (Some(site), Some(findings)) = (&i.site, &i.findings) {
        line(
            &mut o,
            "findings",
            format!(
                "{} for site {site} as of {}",
                findings.len(),
                i.as_of.map(|d| d.to_string()).unwrap_or_default()
            ),
        );
        for f in findings {
            o.push_str(&format!(
                "    {} {} {}\n",
                f.rule,
                f.severity.as_str(),
                f.message
            ));
        }
    }
    print!("{o}");
    code
}
