//! SITES.toml loading and validation, with errors that name the file, line and
//! field at fault (a bad config is exit code 2, one line on stderr).

use std::collections::HashSet;
use std::ops::Range;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use toml::Spanned;
use url::Url;

use crate::site::ColumnClass;
use crate::urlnorm;

/// A config or data-file error: `file:line: field: message`; an error about
/// the whole file (unreadable, unknown profile name) has line 0 and shows as
/// `file: message`.
#[derive(Debug, Clone, thiserror::Error, PartialEq)]
#[error("{}", self.render())]
pub struct ConfigError {
    /// The file the value came from.
    pub file: PathBuf,
    /// 1-based line of the value (0 when unknown).
    pub line: usize,
    /// Dotted field name, e.g. `sites[2].url`.
    pub field: String,
    /// What is wrong with it.
    pub message: String,
}

impl ConfigError {
    fn render(&self) -> String {
        if self.line == 0 {
            format!("{}: {}", self.file.display(), self.message)
        } else {
            format!(
                "{}:{}: {}: {}",
                self.file.display(),
                self.line,
                self.field,
                self.message
            )
        }
    }

    /// An error at a byte span of `text`.
    pub fn at(
        file: &Path,
        text: &str,
        span: Option<Range<usize>>,
        field: &str,
        message: impl Into<String>,
    ) -> Self {
        let line = span.map(|s| line_of(text, s.start)).unwrap_or(1);
        ConfigError {
            file: file.to_path_buf(),
            line,
            field: field.to_string(),
            message: message.into(),
        }
    }

    /// Convert a toml parse/deserialize error, recovering the field name from the message.
    pub fn from_toml(file: &Path, text: &str, err: &toml::de::Error) -> Self {
        let message = err.message().trim().replace('\n', " ");
        let span = err.span();
        let field = field_from_toml_error(&message, text, span.clone());
        ConfigError::at(file, text, span, &field, message)
    }
}

/// 1-based line of a byte offset.
pub fn line_of(text: &str, offset: usize) -> usize {
    let offset = offset.min(text.len());
    text.as_bytes()[..offset]
        .iter()
        .filter(|b| **b == b'\n')
        .count()
        + 1
}

fn field_from_toml_error(message: &str, text: &str, span: Option<Range<usize>>) -> String {
    // "unknown field `foo`, expected …" / "missing field `id`"
    if let Some(start) = message.find('`') {
        if let Some(len) = message[start + 1..].find('`') {
            let key = &message[start + 1..start + 1 + len];
            return match span.as_ref().and_then(|s| table_path(text, s.end)) {
                // A missing field's span is the table itself: name it whole.
                Some(table) => format!("{table}.{key}"),
                None => key.to_string(),
            };
        }
    }
    // Otherwise use the key written at the start of the offending line.
    if let Some(span) = span {
        let start = text[..span.start.min(text.len())]
            .rfind('\n')
            .map(|p| p + 1)
            .unwrap_or(0);
        let line = text[start..].lines().next().unwrap_or("");
        if let Some((key, _)) = line.split_once('=') {
            let key = key.trim();
            if !key.is_empty() {
                return key.to_string();
            }
        }
        let trimmed = line.trim();
        if trimmed.starts_with('[') {
            return trimmed.trim_matches(|c| c == '[' || c == ']').to_string();
        }
    }
    "(syntax)".to_string()
}

/// The table a byte offset sits in, as a field path: `crawl`, `audit`,
/// `sites[2]` (counting `[[sites]]` headers above), or `None` at top level.
fn table_path(text: &str, offset: usize) -> Option<String> {
    let before = &text[..offset.min(text.len())];
    let mut sites = 0usize;
    let mut current: Option<String> = None;
    for line in before.lines() {
        let t = line.trim();
        if t.starts_with("[[") {
            let name = t.trim_matches(|c| c == '[' || c == ']').trim();
            if name == "sites" {
                current = Some(format!("sites[{sites}]"));
                sites += 1;
            } else {
                current = Some(name.to_string());
            }
        } else if t.starts_with('[') {
            current = Some(t.trim_matches(|c| c == '[' || c == ']').trim().to_string());
        }
    }
    current
}

/// The whole SITES.toml.
#[derive(Debug, Clone)]
pub struct Config {
    /// Where it was read from.
    pub path: PathBuf,
    /// `[audit]`: the audit's name and profile.
    pub audit: AuditSection,
    /// `[crawl]`: politeness, limits, timeouts.
    pub crawl: CrawlSettings,
    /// `[[sites]]`, in file order.
    pub sites: Vec<SiteConfig>,
    /// `[notify]`: group robots told after an audit (src/notify.rs).
    pub notify: crate::notify::NotifyConfig,
    /// `[history]`: retention of the history database (src/history/prune.rs).
    pub history: HistorySection,
}

/// `[history]`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct HistorySection {
    /// Days of runs and probes kept (at least 8, the probe window); `None`:
    /// the default (`crate::history::DEFAULT_KEEP_DAYS`).
    pub keep_days: Option<u32>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawHistory {
    #[serde(default)]
    keep_days: Option<Spanned<u32>>,
}

/// `[audit]`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AuditSection {
    /// Report title.
    #[serde(default)]
    pub name: Option<String>,
    /// Scoring profile: a name under rules/ (e.g. "national-2019") or a path to a .toml file.
    #[serde(default)]
    pub profile: Option<String>,
    /// Working days a department has to fix a finding, counted from its
    /// first_seen (department worklists, src/worklist.rs); default 5.
    #[serde(default)]
    pub rectify_days: Option<u32>,
}

/// `[crawl]`: politeness and crawl-trap limits.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct CrawlSettings {
    /// Honest User-Agent sent with every request.
    pub user_agent: String,
    /// Requests in flight at once, all hosts together.
    pub concurrency: usize,
    /// Requests in flight at once to one host.
    pub per_host_concurrency: usize,
    /// Minimum delay between the starts of two requests to one host (ms).
    /// robots.txt Crawl-delay raises it for that host.
    pub per_host_delay_ms: u64,
    /// Connect timeout (s).
    pub connect_timeout_secs: u64,
    /// Whole-request timeout, reading included (s).
    pub timeout_secs: u64,
    /// Retries after the first attempt on timeouts, 5xx and 429.
    pub retries: u32,
    /// First retry backoff (ms), doubled each time; Retry-After wins when given.
    pub retry_backoff_ms: u64,
    /// Longest honoured Retry-After (s).
    pub max_retry_after_secs: u64,
    /// Longest redirect chain.
    pub max_redirects: usize,
    /// Response bodies larger than this are cut (bytes).
    pub max_body_bytes: usize,
    /// Pages fetched per site at most.
    pub max_pages_per_site: usize,
    /// Link depth from the start page.
    pub max_depth: u32,
    /// Distinct query strings per path.
    pub max_query_variants: usize,
    /// List pages followed per column.
    pub max_list_pages: usize,
    /// Pages per calendar-like URL shape (year/month in the path or query)
    /// before the crawler treats it as an endless calendar.
    pub max_calendar_pages: usize,
    /// Honour robots.txt.
    pub robots: bool,
    /// Check links that leave the site's scope.
    pub check_external: bool,
    /// Deprecated upper bound on the sites crawled at once (`None`: no bound
    /// but the memory budget). Kept so older SITES.toml files still load.
    pub sites_in_flight: Option<usize>,
    /// Memory budget of the crawl (MB): new sites start while the estimated
    /// resident cost of the sites held is under it (always at least one).
    pub max_memory_mb: usize,
    /// Download the site's own attachments (xlsx/xls/et, docx, pdf) and read
    /// their text for the personal-data rule.
    pub attachments: bool,
    /// Attachments larger than this are not read (noted, never half-parsed).
    pub attachment_max_bytes: usize,
    /// What one attachment's zip members or pdf streams may inflate to at
    /// most (zip bombs); a file past it is noted, not read.
    pub attachment_max_inflated_bytes: u64,
    /// Attachments downloaded per site at most (the rest noted as skipped).
    pub max_attachments_per_site: usize,
    /// Longest text extraction of one attachment (s); a file taking longer
    /// is given up and noted.
    pub attachment_parse_secs: u64,
}

impl Default for CrawlSettings {
    fn default() -> Self {
        CrawlSettings {
            user_agent: format!(
                "govaudit/{} (government website self-check; +https://github.com/govaudit/govaudit)",
                env!("CARGO_PKG_VERSION")
            ),
            concurrency: 16,
            per_host_concurrency: 2,
            per_host_delay_ms: 200,
            connect_timeout_secs: 15,
            timeout_secs: 15,
            retries: 2,
            retry_backoff_ms: 500,
            max_retry_after_secs: 60,
            max_redirects: 10,
            max_body_bytes: 8 * 1024 * 1024,
            max_pages_per_site: 5000,
            max_depth: 8,
            max_query_variants: 20,
            max_list_pages: 200,
            max_calendar_pages: 12,
            robots: true,
            check_external: true,
            sites_in_flight: None,
            max_memory_mb: 300,
            attachments: true,
            attachment_max_bytes: 10 * 1024 * 1024,
            attachment_max_inflated_bytes: 256 * 1024 * 1024,
            max_attachments_per_site: 200,
            attachment_parse_secs: 30,
        }
    }
}

/// A column override in SITES.toml.
#[derive(Debug, Clone, PartialEq)]
pub struct ColumnOverride {
    /// Normalised URL of the column's first list page.
    pub url: String,
    /// Update-deadline class, overriding the keyword table.
    pub class: Option<ColumnClass>,
    /// Column name, overriding the navigation's.
    pub name: Option<String>,
}

/// One `[[sites]]` entry, validated.
#[derive(Debug, Clone, PartialEq)]
pub struct SiteConfig {
    /// Stable key (report ids, snapshot file names).
    pub id: String,
    /// Display name (e.g. 区发展和改革局).
    pub name: String,
    /// Normalised start URL.
    pub url: String,
    /// Contact shown next to the site's findings.
    pub owner: Option<String>,
    /// Further hosts whose pages belong to the site (crawled, not only checked).
    pub extra_hosts: Vec<String>,
    /// Columns named or classed by hand.
    pub columns: Vec<ColumnOverride>,
    /// Words never flagged as typos on this site.
    pub typo_allow: Vec<String>,
    /// False for a body with no public-facing services (`services = false`):
    /// service-missing is not reported and the 办事服务 group is not scored.
    pub services: bool,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawConfig {
    #[serde(default)]
    audit: AuditSection,
    #[serde(default)]
    crawl: CrawlSettings,
    #[serde(default)]
    sites: Vec<RawSite>,
    #[serde(default)]
    notify: crate::notify::RawNotify,
    #[serde(default)]
    history: RawHistory,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSite {
    id: Spanned<String>,
    name: Spanned<String>,
    url: Spanned<String>,
    #[serde(default)]
    owner: Option<String>,
    #[serde(default)]
    extra_hosts: Vec<Spanned<String>>,
    #[serde(default)]
    columns: Vec<RawColumn>,
    #[serde(default)]
    typo_allow: Vec<String>,
    #[serde(default)]
    services: Option<bool>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawColumn {
    url: Spanned<String>,
    #[serde(default)]
    class: Option<Spanned<String>>,
    #[serde(default)]
    name: Option<String>,
}

impl Config {
    /// Read and validate a SITES.toml file.
    pub fn load(path: &Path) -> Result<Config, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|e| ConfigError {
            file: path.to_path_buf(),
            line: 0,
            field: "(file)".into(),
            message: format!("cannot read: {e}"),
        })?;
        Config::parse(path, &text)
    }

    /// Validate SITES.toml text; `path` is only used in errors.
    pub fn parse(path: &Path, text: &str) -> Result<Config, ConfigError> {
        let raw: RawConfig =
            toml::from_str(text).map_err(|e| ConfigError::from_toml(path, text, &e))?;
        let err = |span: Range<usize>, field: String, msg: String| {
            ConfigError::at(path, text, Some(span), &field, msg)
        };
        let c = &raw.crawl;
        for (field, value) in [
            ("concurrency", c.concurrency),
            ("per_host_concurrency", c.per_host_concurrency),
            ("sites_in_flight", c.sites_in_flight.unwrap_or(1)),
            ("max_memory_mb", c.max_memory_mb),
            ("max_pages_per_site", c.max_pages_per_site),
            ("max_body_bytes", c.max_body_bytes),
            ("attachment_max_bytes", c.attachment_max_bytes),
        ] {
            if value == 0 {
                let span = find_key(text, field);
                return Err(err(
                    span,
                    format!("crawl.{field}"),
                    "must be at least 1".into(),
                ));
            }
        }
        if c.user_agent.trim().is_empty() {
            return Err(err(
                find_key(text, "user_agent"),
                "crawl.user_agent".into(),
                "must not be empty".into(),
            ));
        }
        if raw.sites.is_empty() {
            return Err(ConfigError {
                file: path.to_path_buf(),
                line: 1,
                field: "sites".into(),
                message: "no [[sites]] listed".into(),
            });
        }
        let mut seen = HashSet::new();
        let mut sites = Vec::with_capacity(raw.sites.len());
        for (i, s) in raw.sites.into_iter().enumerate() {
            let id = s.id.get_ref();
            if id.is_empty()
                || !id
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
            {
                return Err(err(
                    s.id.span(),
                    format!("sites[{i}].id"),
                    format!("{id:?} must match [a-z0-9-]+"),
                ));
            }
            if !seen.insert(id.clone()) {
                return Err(err(
                    s.id.span(),
                    format!("sites[{i}].id"),
                    format!("duplicate id {id:?}"),
                ));
            }
            if s.name.get_ref().trim().is_empty() {
                return Err(err(
                    s.name.span(),
                    format!("sites[{i}].name"),
                    "must not be empty".into(),
                ));
            }
            let url = parse_http_url(s.url.get_ref())
                .map_err(|m| err(s.url.span(), format!("sites[{i}].url"), m))?;
            let mut columns = Vec::new();
            for (j, col) in s.columns.into_iter().enumerate() {
                let curl = url
                    .join(col.url.get_ref())
                    .map_err(|e| e.to_string())
                    .and_then(|u| parse_http_url(u.as_str()))
                    .map_err(|m| err(col.url.span(), format!("sites[{i}].columns[{j}].url"), m))?;
                let class = match col.class {
                    None => None,
                    Some(c) => Some(ColumnClass::parse(c.get_ref()).ok_or_else(|| {
                        err(
                            c.span(),
                            format!("sites[{i}].columns[{j}].class"),
                            format!(
                                "unknown class {:?} (expected one of: dynamic, notice, policy, interpretation, long-term, other)",
                                c.get_ref()
                            ),
                        )
                    })?),
                };
                columns.push(ColumnOverride {
                    url: urlnorm::normalize(&curl),
                    class,
                    name: col.name,
                });
            }
            let mut extra_hosts = Vec::new();
            for (j, h) in s.extra_hosts.into_iter().enumerate() {
                let host = h.get_ref().trim().to_ascii_lowercase();
                if host.is_empty() || host.contains('/') || host.contains(' ') {
                    return Err(err(
                        h.span(),
                        format!("sites[{i}].extra_hosts[{j}]"),
                        format!(
                            "{:?} is not a host name (write host or host:port)",
                            h.get_ref()
                        ),
                    ));
                }
                extra_hosts.push(host);
            }
            sites.push(SiteConfig {
                id: s.id.into_inner(),
                name: s.name.into_inner(),
                url: urlnorm::normalize(&url),
                owner: s.owner,
                extra_hosts,
                columns,
                typo_allow: s.typo_allow,
                services: s.services.unwrap_or(true),
            });
        }
        let notify = crate::notify::NotifyConfig::from_raw(raw.notify, &err)?;
        let mut history = HistorySection::default();
        if let Some(k) = raw.history.keep_days {
            if *k.get_ref() < crate::history::MIN_KEEP_DAYS {
                return Err(err(
                    k.span(),
                    "history.keep_days".into(),
                    format!(
                        "must be at least {} (the 7 days of availability probes before as_of, and as_of)",
                        crate::history::MIN_KEEP_DAYS
                    ),
                ));
            }
            history.keep_days = Some(k.into_inner());
        }
        Ok(Config {
            path: path.to_path_buf(),
            audit: raw.audit,
            crawl: raw.crawl,
            sites,
            notify,
            history,
        })
    }
}

fn parse_http_url(s: &str) -> Result<Url, String> {
    let u = Url::parse(s.trim()).map_err(|e| format!("{s:?} is not an absolute URL ({e})"))?;
    if u.scheme() != "http" && u.scheme() != "https" {
        return Err(format!("{s:?} must be an http:// or https:// URL"));
    }
    if u.host_str().is_none() {
        return Err(format!("{s:?} has no host"));
    }
    Ok(u)
}

/// Span of the first `key =` in the text, for errors on defaulted fields.
fn find_key(text: &str, key: &str) -> Range<usize> {
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        let t = line.trim_start();
        if let Some(rest) = t.strip_prefix(key) {
            if rest.trim_start().starts_with('=') {
                return offset..offset + line.len();
            }
        }
        offset += line.len();
    }
    0..0
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Config, ConfigError> {
        Config::parse(Path::new("SITES.toml"), text)
    }

    const GOOD: &str = r#"
[audit]
name = "某区政务公开"

[crawl]
per_host_concurrency = 3

[[sites]]
id = "fgj"
name = "区发展和改革局"
url = "HTTP://Example.gov.cn:80/fgj/#top"
columns = [{ url = "col/col1/index.html", class = "notice" }]
"#;

    #[test]
    fn good_config_parses_and_normalises() {
        let c = parse(GOOD).unwrap();
        assert_eq!(c.crawl.per_host_concurrency, 3);
        assert_eq!(c.crawl.timeout_secs, 15);
        assert_eq!(c.sites[0].url, "http://example.gov.cn/fgj/");
        assert_eq!(
            c.sites[0].columns[0].url,
            "http://example.gov.cn/fgj/col/col1/index.html"
        );
        assert_eq!(c.sites[0].columns[0].class, Some(ColumnClass::Notice));
    }

    #[test]
    fn unknown_key_names_line_and_field() {
        let text = GOOD.replace("per_host_concurrency = 3", "per_host_concurency = 3");
        let e = parse(&text).unwrap_err();
        assert_eq!(e.line, 6, "{e}");
        assert_eq!(e.field, "crawl.per_host_concurency");
        let text = format!(
            "{GOOD}\n[[sites]]\nid = \"b\"\nname = \"x\"\nurl = \"http://a/\"\nbogus = 1\n"
        );
        let e = parse(&text).unwrap_err();
        assert_eq!(
            (e.line, e.field.as_str()),
            (
                line_of(&text, text.find("bogus").unwrap()),
                "sites[1].bogus"
            )
        );
    }

    /// `services = false`: a body without public services; default true; a
    /// wrong type names its line and field.
    #[test]
    fn services_flag_defaults_to_true() {
        assert!(parse(GOOD).unwrap().sites[0].services);
        let text = format!("{GOOD}services = false\n");
        assert!(!parse(&text).unwrap().sites[0].services);
        let text = format!("{GOOD}services = \"no\"\n");
        let e = parse(&text).unwrap_err();
        assert_eq!(
            e.line,
            line_of(&text, text.find("services").unwrap()),
            "{e}"
        );
        assert!(e.field.contains("services"), "{e}");
    }

    /// `[history] keep_days`: default none (the built-in retention), at
    /// least the probe window, an error naming its line otherwise.
    #[test]
    fn history_keep_days_is_checked() {
        assert_eq!(parse(GOOD).unwrap().history.keep_days, None);
        let text = format!("{GOOD}\n[history]\nkeep_days = 90\n");
        assert_eq!(parse(&text).unwrap().history.keep_days, Some(90));
        let text = format!("{GOOD}\n[history]\nkeep_days = 3\n");
        let e = parse(&text).unwrap_err();
        assert_eq!(e.field, "history.keep_days");
        assert_eq!(e.line, line_of(&text, text.find("keep_days").unwrap()));
        assert!(e.message.contains("at least 8"), "{e}");
        let text = format!("{GOOD}\n[history]\nkeep_runs = 3\n");
        assert_eq!(parse(&text).unwrap_err().field, "history.keep_runs");
    }

    #[test]
    fn duplicate_id_names_second_line() {
        let text =
            format!("{GOOD}\n[[sites]]\nid = \"fgj\"\nname = \"x\"\nurl = \"http://a.gov.cn/\"\n");
        let e = parse(&text).unwrap_err();
        assert_eq!(e.field, "sites[1].id");
        assert_eq!(e.line, line_of(&text, text.rfind("id = \"fgj\"").unwrap()));
        assert!(e.message.contains("duplicate"));
    }

    #[test]
    fn missing_id_and_bad_url_and_bad_class() {
        let e = parse("[[sites]]\nname = \"x\"\nurl = \"http://a/\"\n").unwrap_err();
        assert!(e.field == "sites[0].id" || e.field == "id", "{e}");
        assert!(e.message.contains("missing field"), "{e}");
        let e = parse("[[sites]]\nid = \"a\"\nname = \"x\"\nurl = \"a.gov.cn/x\"\n").unwrap_err();
        assert_eq!((e.line, e.field.as_str()), (4, "sites[0].url"));
        let e =
            parse("[[sites]]\nid = \"a\"\nname = \"x\"\nurl = \"ftp://a.gov.cn/\"\n").unwrap_err();
        assert_eq!(e.field, "sites[0].url");
        let e = parse("[[sites]]\nid = \"a\"\nname = \"x\"\nurl = \"http://a/\"\ncolumns = [{url=\"/x\", class=\"news\"}]\n")
            .unwrap_err();
        assert_eq!((e.line, e.field.as_str()), (5, "sites[0].columns[0].class"));
        let e = parse("[[sites]]\nid = \"A b\"\nname = \"x\"\nurl = \"http://a/\"\n").unwrap_err();
        assert_eq!((e.line, e.field.as_str()), (2, "sites[0].id"));
    }

    #[test]
    fn unreadable_file_names_the_file_without_a_line() {
        let e = Config::load(Path::new("/nonexistent/SITES.toml")).unwrap_err();
        let shown = e.to_string();
        assert!(
            shown.starts_with("/nonexistent/SITES.toml: cannot read"),
            "{shown}"
        );
    }

    #[test]
    fn syntax_error_has_line() {
        let e = parse("[audit]\nname = \"x\n").unwrap_err();
        assert_eq!(e.line, 2);
        let shown = e.to_string();
        assert!(shown.starts_with("SITES.toml:2: "), "{shown}");
        assert!(!shown.contains('\n'));
    }
}
