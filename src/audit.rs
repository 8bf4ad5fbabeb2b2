//! The audit pipeline: config → crawl → rules → score → reports, and the
//! `audit`, `lint`, `crawl` and `demo` runs built on it. Nothing here
//! prints: each returns what it made, the binary shows it.
//!
//! Sites are judged one by one as their crawl finishes: the site is written
//! to the snapshot, its rules run and it is scored, then its pages are
//! dropped — only the summary and findings are kept for the report, so
//! memory does not grow with the portal. Within a site, each page's text
//! and links go to the snapshot's page file as the crawl stores it
//! (src/pagefile.rs), and the rules that read them stream them back one
//! page at a time, so memory does not grow with the site's pages either.

use std::path::{Path, PathBuf};

use chrono::NaiveDate;

use crate::config::{Config, ConfigError};
use crate::crawl::{CrawlOptions, CrawlSummary, ProgressSink};
use crate::report::{self, Report, SiteReport};
use crate::rules::{self, Context, Finding};
use crate::score::{self, Profile};
use crate::site::Site;
use crate::typo::TypoChecker;

/// `govaudit audit`.
#[derive(Debug, Clone)]
pub struct AuditRequest {
    /// SITES.toml to read.
    pub config: PathBuf,
    /// Monitoring time point (default: today, local time).
    pub as_of: Option<NaiveDate>,
    /// Output folder (default: reports/<as_of>/).
    pub out: Option<PathBuf>,
    /// Scoring profile: a file, or a built-in name (default: SITES.toml's, else national-2019).
    pub profile: Option<String>,
    /// Where the crawl reports its progress.
    pub progress: ProgressSink,
}

/// `govaudit lint`.
#[derive(Debug, Clone)]
pub struct LintRequest {
    /// Snapshot folder (or its manifest.json).
    pub crawl: PathBuf,
    /// Monitoring time point (default: today, local time).
    pub as_of: Option<NaiveDate>,
    /// Output folder (default: reports/<as_of>/).
    pub out: Option<PathBuf>,
    /// Scoring profile (default: the one the snapshot's audit used).
    pub profile: Option<String>,
}

/// `govaudit demo`.
#[derive(Debug, Clone)]
pub struct DemoRequest {
    /// Output folder (default: reports/demo/).
    pub out: Option<PathBuf>,
    /// Where the crawl reports its progress.
    pub progress: ProgressSink,
}

use crate::clock::now_cst;
use crate::clock::today;

/// Judges sites one at a time: rules, then score.
pub struct Judge {
    /// The scoring profile.
    pub profile: Profile,
    /// The typo engine (built once, used for every site).
    pub typos: TypoChecker,
    /// Monitoring time point.
    pub as_of: NaiveDate,
    /// Per-text rule results of earlier runs (the history database); `None`
    /// judges every page from scratch.
    pub texts: Option<std::sync::Arc<dyn rules::TextCache>>,
}

impl Judge {
    /// A judge with the built-in typo data.
    pub fn new(profile: Profile, as_of: NaiveDate) -> Judge {
        Judge {
            profile,
            typos: TypoChecker::builtin(),
            as_of,
            texts: None,
        }
    }

    /// Findings (scored, in report order) and the site's summary.
    pub fn judge(&self, site: &Site) -> (SiteReport, Vec<Finding>) {
        let ctx = Context {
            as_of: self.as_of,
            typos: &self.typos,
            deadlines: &self.profile.deadlines,
            settings: &self.profile.settings,
            texts: self.texts.as_deref(),
        };
        let (mut findings, failures) = rules::check_site_guarded(site, &ctx);
        let score = score::score_site_for(&mut findings, &self.profile, site.without_services);
        let mut summary = SiteReport::new(site, &score, &findings);
        for f in failures {
            summary.crawl_errors.push(crate::site::CrawlError {
                url: site.url.clone(),
                what: format!("rule:{}", f.rule),
                error: format!("规则{}运行出错（程序缺陷，请反馈）：{}", f.rule, f.message),
                status: None,
            });
        }
        (summary, findings)
    }
}

/// Load the profile named on the command line, else in SITES.toml, else the
/// national one. A bad name in SITES.toml is reported at its line there.
fn load_profile(cli: Option<&str>, config: Option<&Config>) -> crate::Result<Profile> {
    if let Some(spec) = cli {
        return Ok(Profile::resolve(spec, None)?);
    }
    if let Some(cfg) = config {
        if let Some(spec) = &cfg.audit.profile {
            let base = cfg.path.parent().map(Path::to_path_buf);
            return Profile::resolve(spec, base.as_deref()).map_err(|e| {
                if e.line == 0 && e.field == "profile" {
                    let text = std::fs::read_to_string(&cfg.path).unwrap_or_default();
                    let line = text
                        .lines()
                        .position(|l| l.trim_start().starts_with("profile"))
                        .map(|i| i + 1)
                        .unwrap_or(1);
                    crate::Error::Config(ConfigError {
                        file: cfg.path.clone(),
                        line,
                        field: "audit.profile".into(),
                        message: e.message,
                    })
                } else {
                    crate::Error::Config(e)
                }
            });
        }
    }
    Ok(Profile::builtin(score::DEFAULT_PROFILE).expect("default profile is built in"))
}

/// Create the out folder and prove it is writable before any crawling.
fn prepare_out(out: &Path) -> crate::Result<()> {
    std::fs::create_dir_all(out).map_err(|e| crate::Error::io(out, e))?;
    tempfile::tempfile_in(out).map_err(|e| crate::Error::io(out, format!("not writable: {e}")))?;
    Ok(())
}

/// What an audit (or lint) made: the report, written to the out folder.
pub struct Outcome {
    /// The report, as written.
    pub report: Report,
    /// report.html, the file to open.
    pub html: PathBuf,
    /// Warnings for stderr that change nothing (a failed group-robot push).
    pub warnings: Vec<String>,
}

struct Meta {
    title: Option<String>,
    out: PathBuf,
    /// History database (src/history); off for demo, lint and shard workers.
    history: crate::history::HistoryOptions,
    rectify_days: u32,
}

/// Build the report from judged sites (in the order given) and write it;
/// with history, the crawl's totals go into it and its incremental-crawl
/// entries (`cache`) are committed with the run.
fn finish(
    judge: &Judge,
    results: Vec<(SiteReport, Vec<Finding>)>,
    meta: &Meta,
    crawl: Option<(&CrawlSummary, Option<&crate::history::UrlCache>)>,
) -> crate::Result<Outcome> {
    let mut sites = Vec::with_capacity(results.len());
    let mut findings = Vec::new();
    for (s, f) in results {
        sites.push(s);
        findings.extend(f);
    }
    let mut report = Report {
        schema: report::SCHEMA.into(),
        as_of: judge.as_of,
        generated_at: now_cst(),
        profile: judge.profile.name.clone(),
        title: meta.title.clone(),
        profile_title: judge.profile.title.clone(),
        pass_mark: judge.profile.pass_mark,
        sites,
        findings,
        typo_allow_district: judge.typos.district_allow().to_vec(),
        previous: None,
        resolved: None,
        trend: None,
        crawl: None,
    };
    let mut cache = None;
    if let (Some((summary, c)), Some(_)) = (crawl, &meta.history.db) {
        report.crawl = Some(report::CrawlTotals {
            pages: summary.pages,
            requests: summary.requests,
            bytes: summary.bytes,
            not_modified: summary.not_modified,
            text_cache_hits: c.map_or(0, crate::history::UrlCache::text_hits),
        });
        cache = c;
    }
    // History hook: annotate + record, then write reports and worklists.
    let warnings = crate::history::write_reports_with(
        &meta.out,
        &mut report,
        &meta.history,
        meta.rectify_days,
        cache,
    )?;
    Ok(Outcome {
        html: meta.out.join("report.html"),
        report,
        warnings,
    })
}

/// Crawl, judge and report; the library form of `govaudit audit`.
pub fn audit(req: &AuditRequest) -> crate::Result<Outcome> {
    let config = Config::load(&req.config)?;
    audit_config(&config, req)
}

/// Audit an already loaded config (`req.config` is not read again). Used by
/// `demo` and tests that fill in a served fixture's address first. Must not
/// be called from inside an async runtime: it runs its own.
pub fn audit_config(config: &Config, req: &AuditRequest) -> crate::Result<Outcome> {
    audit_config_with_history(config, req, &crate::history::HistoryOptions::off())
}

/// `govaudit audit` with its history database (src/history).
pub fn audit_with_history(
    req: &AuditRequest,
    history: &crate::history::HistoryOptions,
) -> crate::Result<Outcome> {
    let config = Config::load(&req.config)?;
    let mut outcome = audit_config_with_history(&config, req, history)?;
    // Notify hook (src/notify.rs): a failed push is a warning on stderr,
    // never a changed exit code. Shard workers (audit_config) do not push.
    outcome.warnings.extend(crate::notify::push(
        &config.notify,
        &outcome.report,
        &config.crawl.user_agent,
    ));
    Ok(outcome)
}

/// [`audit_config`], recording the run in (and comparing it against) the
/// history database when `history` names one.
pub fn audit_config_with_history(
    config: &Config,
    req: &AuditRequest,
    history: &crate::history::HistoryOptions,
) -> crate::Result<Outcome> {
    history.check()?;
    let history = &history.clone().keeping(config.history.keep_days);
    // History hook: the incremental crawl asks for pages conditionally
    // with what earlier runs stored (src/history/cache.rs).
    let cache = history.url_cache()?.map(std::sync::Arc::new);
    let profile = load_profile(req.profile.as_deref(), Some(config))?;
    let as_of = req.as_of.unwrap_or_else(today);
    let out = req
        .out
        .clone()
        .unwrap_or_else(|| PathBuf::from("reports").join(as_of.to_string()));
    prepare_out(&out)?;
    // History hook: availability probes go into the Site model (src/probe.rs).
    let probes = history.probe_stats(as_of)?;
    let mut judge = Judge::new(profile, as_of);
    // History hook: the text rules reuse what earlier runs found in a text.
    judge.texts = cache
        .clone()
        .map(|c| c as std::sync::Arc<dyn rules::TextCache>);
    // A run killed mid-crawl left a checkpoint: with the same inputs, its
    // finished sites are judged again from the snapshot, not crawled again.
    let (mut snapshot, resumed) = crate::snapshot::SnapshotWriter::create_resumable(
        &out.join("crawl"),
        config.audit.name.clone(),
        now_cst(),
        &checkpoint_key(config, as_of),
    )?;
    snapshot.set_profile(&judge.profile.source);
    let mut results: Vec<(SiteReport, Vec<Finding>)> = Vec::new();
    for id in &resumed {
        let mut site = snapshot.read_written(id)?;
        site.probes = probes.get(&site.id).cloned();
        results.push(judge.judge(&site));
    }
    let mut rest = config.clone();
    rest.sites.retain(|s| !resumed.contains(&s.id));
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| crate::Error::Other(format!("cannot start the async runtime: {e}")))?;
    // Pages go to the snapshot's page files as they come: a site holds only
    // what the rules need of every page at once, whatever its size.
    let options = CrawlOptions {
        progress: req.progress.clone(),
        pages: Some(snapshot.page_sink()),
        store: cache
            .clone()
            .map(|c| c as std::sync::Arc<dyn crate::crawl::UrlStore>),
    };
    // Sites are judged on a thread of their own as their crawls end, so the
    // crawl goes on meanwhile; a site handed over still counts against the
    // memory budget until it is judged and dropped (its HandOver with it).
    let mut first_error: Option<crate::Error> = None;
    let summary = crate::crawl::crawl_all_judging(
        &runtime,
        &rest,
        &options,
        |site| {
            if let Some(sc) = config.sites.iter().find(|s| s.id == site.id) {
                if site.owner.is_none() {
                    site.owner = sc.owner.clone();
                }
                if site.typo_allow.is_empty() {
                    site.typo_allow = sc.typo_allow.clone();
                }
                site.without_services = !sc.services;
            }
            site.probes = probes.get(&site.id).cloned();
            judge.judge(site)
        },
        |site, judged| {
            if let Err(e) = snapshot.write_site(&site) {
                first_error.get_or_insert(e);
            }
            results.push(judged);
            // `site` (with all its pages) is dropped here.
        },
    )?;
    if let Some(e) = first_error {
        return Err(e);
    }
    snapshot.order_sites(&site_ids(config));
    snapshot.finish(now_cst())?;
    // Report in SITES.toml order, whatever order the crawls finished in.
    results.sort_by_key(|(s, _)| {
        config
            .sites
            .iter()
            .position(|c| c.id == s.id)
            .unwrap_or(usize::MAX)
    });
    let mut outcome = finish(
        &judge,
        results,
        &Meta {
            title: config.audit.name.clone(),
            out,
            history: history.clone(),
            rectify_days: config
                .audit
                .rectify_days
                .unwrap_or(crate::worklist::DEFAULT_RECTIFY_DAYS),
        },
        Some((&summary, cache.as_deref())),
    )?;
    if !resumed.is_empty() {
        outcome.warnings.push(format!(
            "续跑：上次运行在抓取中途中断，复用其已完成的 {} 个站点（配置、监测时点与版本均一致），只抓取其余 {} 个",
            resumed.len(),
            rest.sites.len()
        ));
    }
    Ok(outcome)
}

/// What a checkpoint must match for a restarted audit to reuse the sites
/// an interrupted one finished: govaudit's version, as_of and every
/// SITES.toml setting the crawl and the rules read. (The profile need not
/// match: reused sites are judged again, only their crawl is reused.)
fn checkpoint_key(config: &Config, as_of: NaiveDate) -> String {
    use sha2::{Digest, Sha256};
    let inputs = format!(
        "{}\n{as_of}\n{:?}\n{:?}\n{:?}",
        env!("CARGO_PKG_VERSION"),
        config.audit,
        config.crawl,
        config.sites
    );
    format!("{:x}", Sha256::digest(inputs.as_bytes()))
}

/// The site ids of `config`, in SITES.toml order.
fn site_ids(config: &Config) -> Vec<String> {
    config.sites.iter().map(|s| s.id.clone()).collect()
}

/// What `govaudit crawl` made: the saved snapshot and the crawl's totals.
pub struct CrawlOutcome {
    /// Totals, broken links as the broken-link rule judges them.
    pub summary: CrawlSummary,
    /// The snapshot folder.
    pub dir: PathBuf,
}

/// Crawl only and save the snapshot to `out` (`govaudit crawl`).
pub fn crawl_to_snapshot(
    config: &Path,
    out: &Path,
    progress: ProgressSink,
) -> crate::Result<CrawlOutcome> {
    let config = Config::load(config)?;
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| crate::Error::Other(format!("tokio runtime: {e}")))?;
    let mut writer =
        crate::snapshot::SnapshotWriter::create(out, config.audit.name.clone(), now_cst())?;
    let mut write_error = None;
    let mut broken = 0;
    let options = CrawlOptions {
        progress,
        pages: Some(writer.page_sink()),
        ..Default::default()
    };
    let mut summary = rt.block_on(crate::crawl::crawl_all_as_finished(
        &config,
        &options,
        |site| {
            broken += rules::broken_link::count_broken(&site);
            if write_error.is_none() {
                if let Err(e) = writer.write_site(&site) {
                    write_error = Some(e);
                }
            }
        },
    ))?;
    if let Some(e) = write_error {
        return Err(e);
    }
    summary.broken_links = broken;
    writer.order_sites(&site_ids(&config));
    let dir = writer.finish(now_cst())?;
    Ok(CrawlOutcome { summary, dir })
}

/// Judge a saved snapshot; the library form of `govaudit lint`.
pub fn lint(req: &LintRequest) -> crate::Result<Outcome> {
    let (dir, manifest) = crate::snapshot::read_manifest(&req.crawl)?;
    // Same findings as the live run: the audit's own profile unless one is given.
    let profile = load_profile(req.profile.as_deref().or(manifest.profile.as_deref()), None)?;
    let as_of = req.as_of.unwrap_or_else(today);
    let out = req
        .out
        .clone()
        .unwrap_or_else(|| PathBuf::from("reports").join(as_of.to_string()));
    prepare_out(&out)?;
    let judge = Judge::new(profile, as_of);
    let mut results = Vec::with_capacity(manifest.sites.len());
    for id in &manifest.sites {
        let site = crate::snapshot::read_site(&dir, id)?;
        results.push(judge.judge(&site));
    }
    finish(
        &judge,
        results,
        &Meta {
            title: manifest.audit_name.clone(),
            out,
            history: crate::history::HistoryOptions::off(),
            rectify_days: crate::worklist::DEFAULT_RECTIFY_DAYS,
        },
        None,
    )
}

/// The fixed monitoring time point of the demo portal (its content is dated
/// around it).
pub const DEMO_AS_OF: (i32, u32, u32) = (2026, 11, 26);

/// Where the bundled demo portal lives: the source tree's
/// fixtures/demo-portal/, else ./fixtures/demo-portal/.
fn demo_root() -> crate::Result<PathBuf> {
    let built = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/demo-portal");
    for dir in [built, PathBuf::from("fixtures/demo-portal")] {
        if dir.join("SITES.toml").is_file() {
            return Ok(dir);
        }
    }
    Err(crate::Error::Other(
        "demo: fixtures/demo-portal/ not found (run from the govaudit source folder)".into(),
    ))
}

/// Serve `root` on 127.0.0.1 (ephemeral port) and load its SITES.toml with
/// `{{base}}` replaced by `127.0.0.1:PORT`. The server lives as long as the
/// returned runtime and server handle.
pub fn serve_fixture(
    root: &Path,
) -> crate::Result<(tokio::runtime::Runtime, crate::serve::FixtureServer, Config)> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| crate::Error::Other(format!("cannot start the async runtime: {e}")))?;
    let server = runtime.block_on(crate::serve::serve_dir(
        root.to_path_buf(),
        std::net::SocketAddr::from(([127, 0, 0, 1], 0)),
    ))?;
    let path = root.join("SITES.toml");
    let text = std::fs::read_to_string(&path).map_err(|e| crate::Error::io(&path, e))?;
    let text = text.replace("{{base}}", &server.addr().to_string());
    let config = Config::parse(&path, &text)?;
    Ok((runtime, server, config))
}

/// The demo, audited: its report, and the portal still being served (for
/// `demo --serve`) as long as this value lives.
pub struct Demo {
    /// The audit of the demo portal.
    pub outcome: Outcome,
    /// The loopback server of fixtures/demo-portal/.
    pub server: crate::serve::FixtureServer,
    /// The runtime the server runs on.
    pub runtime: tokio::runtime::Runtime,
}

/// Serve and audit the bundled demo portal as of [`DEMO_AS_OF`]. The caller
/// decides what to show and how long to keep serving.
pub fn demo(req: &DemoRequest) -> crate::Result<Demo> {
    let root = demo_root()?;
    let (runtime, server, config) = serve_fixture(&root)?;
    let (y, m, d) = DEMO_AS_OF;
    let outcome = audit_config(
        &config,
        &AuditRequest {
            config: root.join("SITES.toml"),
            as_of: NaiveDate::from_ymd_opt(y, m, d),
            out: Some(
                req.out
                    .clone()
                    .unwrap_or_else(|| PathBuf::from("reports/demo")),
            ),
            profile: None,
            progress: req.progress.clone(),
        },
    )?;
    Ok(Demo {
        outcome,
        server,
        runtime,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn config_profile_errors_point_at_sites_toml() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("SITES.toml");
        std::fs::write(
            &path,
            "[audit]\nname = \"x\"\nprofile = \"nope\"\n\n[[sites]]\nid = \"a\"\nname = \"A\"\nurl = \"http://127.0.0.1:9/\"\n",
        )
        .unwrap();
        let cfg = Config::load(&path).unwrap();
        let e = load_profile(None, Some(&cfg)).unwrap_err().to_string();
        assert!(
            e.contains("SITES.toml:3: audit.profile: unknown profile"),
            "{e}"
        );
        // A relative path profile is read next to SITES.toml.
        std::fs::copy(
            Path::new(env!("CARGO_MANIFEST_DIR")).join("rules/city-strict.toml"),
            dir.path().join("mine.toml"),
        )
        .unwrap();
        let text = std::fs::read_to_string(&path)
            .unwrap()
            .replace("\"nope\"", "\"mine.toml\"");
        std::fs::write(&path, text).unwrap();
        let cfg = Config::load(&path).unwrap();
        assert_eq!(load_profile(None, Some(&cfg)).unwrap().name, "city-strict");
        // The command line wins.
        assert_eq!(
            load_profile(Some("national-2019"), Some(&cfg))
                .unwrap()
                .name,
            "national-2019"
        );
    }
}
