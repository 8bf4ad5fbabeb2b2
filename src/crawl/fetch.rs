//! Fetching: one request through the politeness gates, redirects followed
//! by hand (so every hop is gated and loops are named), bounded retries with
//! exponential backoff on timeouts, connection errors, 5xx and 429
//! (Retry-After honoured, capped), a body-size cap, and link checks (HEAD,
//! falling back to GET where HEAD is refused).

use std::collections::{HashMap, HashSet};
use std::error::Error as _;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use reqwest::header;
use url::Url;

use super::cache::Validators;
use super::politeness::Politeness;
use super::robots::{product_token, RobotsRules};
use crate::config::CrawlSettings;
use crate::extract;
use crate::urlnorm;

/// How much of a body a link check reads before hanging up.
const CHECK_BODY_BYTES: usize = 16 * 1024;

/// What to send.
#[derive(Debug, Clone)]
pub(crate) enum Method {
    Get,
    Head,
    Post(Vec<(String, String)>),
}

/// The outcome of a request after redirects and retries.
#[derive(Debug, Clone, Default)]
pub(crate) struct Fetched {
    /// URL of the last answer (after redirects).
    pub final_url: Option<Url>,
    pub status: Option<u16>,
    /// Set when no usable answer came ("timeout", "redirect loop" …).
    pub error: Option<String>,
    pub attempts: u32,
    pub content_type: Option<String>,
    /// Content-Disposition of the last answer.
    pub disposition: Option<String>,
    /// Body (cut at the cap); empty for HEAD and checks.
    pub body: Vec<u8>,
    /// The body was cut at the size cap.
    pub truncated: bool,
    /// Set when robots.txt forbade a hop of the chain.
    pub robots_blocked: bool,
    /// Redirect hops followed to reach the last answer.
    pub redirects: u32,
    /// The HEAD's status when a link check asked again with GET.
    pub head_status: Option<u16>,
    /// Whether the answer is HTML or XML, when that could be told (from the
    /// Content-Type, else the first bytes read).
    pub markup: Option<bool>,
    /// The body read reads like a "not found" page (title or heading).
    pub soft_404: bool,
    /// The answer is a web application firewall's JavaScript challenge.
    pub blocked: bool,
    /// The last answer came over HTTPS with a certificate a browser would
    /// refuse (see [`certificate_problem`]): read anyway, and said so.
    pub certificate: Option<String>,
    /// ETag and Last-Modified of the last answer.
    pub validators: Validators,
}

impl Fetched {
    /// A 2xx answer.
    pub(crate) fn ok(&self) -> bool {
        self.error.is_none() && self.status.is_some_and(|s| (200..300).contains(&s))
    }

    /// One-line description of a failure: the error, else "HTTP nnn".
    pub(crate) fn failure(&self) -> Option<String> {
        answer_failure(self.blocked, self.error.as_deref(), self.status)
            .or_else(|| self.status.is_none().then(|| "no answer".into()))
    }
}

/// Why an answer is no usable page, the one wording shared by pages and link
/// checks: a firewall's challenge, a transport error, or a status other than
/// 2xx. `None` for a 2xx answer and for no status at all (each caller says
/// what a missing answer means to it).
pub(crate) fn answer_failure(
    blocked: bool,
    error: Option<&str>,
    status: Option<u16>,
) -> Option<String> {
    if blocked {
        return Some(format!(
            "blocked: a firewall's JavaScript challenge (HTTP {})",
            status.unwrap_or(0)
        ));
    }
    if let Some(e) = error {
        return Some(e.to_string());
    }
    status
        .filter(|s| !(200..300).contains(s))
        .map(|s| format!("HTTP {s}"))
}

/// One answer (no redirects followed).
struct Answer {
    status: u16,
    location: Option<String>,
    content_type: Option<String>,
    disposition: Option<String>,
    retry_after: Option<u64>,
    body: Vec<u8>,
    truncated: bool,
    /// The certificate problem of the host, when read past one.
    certificate: Option<String>,
    validators: Validators,
}

/// Looks up the validators to send with a GET of a URL (the incremental
/// crawl's stored entries); `None` sends an unconditional request.
pub(crate) type Lookup<'a> = Option<&'a (dyn Fn(&Url) -> Option<Validators> + Send + Sync)>;

/// Run-wide HTTP client with politeness, robots and counters.
pub(crate) struct Fetcher {
    client: reqwest::Client,
    /// The same client accepting any certificate: for hosts whose HTTPS
    /// certificate failed (self-signed, expired, another host's), so their
    /// content is still audited while the certificate becomes a finding.
    lenient: reqwest::Client,
    /// Host key → certificate problem, for hosts read with `lenient`.
    bad_certificates: Mutex<HashMap<String, String>>,
    pub(crate) politeness: Politeness,
    settings: CrawlSettings,
    agent_token: String,
    /// Requests sent (every attempt and hop, robots.txt included).
    pub(crate) requests: AtomicU64,
    /// Body bytes read.
    pub(crate) bytes: AtomicU64,
    /// Pages a server answered 304 Not Modified whose stored extraction
    /// was used (counted by the page fetch).
    pub(crate) not_modified: AtomicU64,
}

impl Fetcher {
    pub(crate) fn new(settings: &CrawlSettings) -> crate::Result<Self> {
        let client = |lenient: bool| {
            reqwest::Client::builder()
                .user_agent(settings.user_agent.clone())
                .connect_timeout(Duration::from_secs(settings.connect_timeout_secs.max(1)))
                .timeout(Duration::from_secs(settings.timeout_secs.max(1)))
                .redirect(reqwest::redirect::Policy::none())
                .gzip(true)
                .brotli(true)
                .pool_max_idle_per_host(settings.per_host_concurrency.max(1))
                .danger_accept_invalid_certs(lenient)
                .build()
                .map_err(|e| crate::Error::Other(format!("HTTP client: {e}")))
        };
        Ok(Fetcher {
            client: client(false)?,
            lenient: client(true)?,
            bad_certificates: Mutex::new(HashMap::new()),
            politeness: Politeness::new(
                settings.concurrency,
                settings.per_host_concurrency,
                Duration::from_millis(settings.per_host_delay_ms),
            ),
            settings: settings.clone(),
            agent_token: product_token(&settings.user_agent),
            requests: AtomicU64::new(0),
            bytes: AtomicU64::new(0),
            not_modified: AtomicU64::new(0),
        })
    }

    /// The robots.txt rules of `url`'s host, fetched once per run (one
    /// attempt, no retries: a dead host should not cost three timeouts here).
    pub(crate) async fn robots(&self, url: &Url) -> Arc<RobotsRules> {
        let key = urlnorm::host_key(url);
        let host = self.politeness.host(&key);
        host.robots
            .get_or_init(|| async {
                if !self.settings.robots {
                    return Arc::new(RobotsRules::allow_all(None));
                }
                let mut robots_url = url.clone();
                robots_url.set_path("/robots.txt");
                robots_url.set_query(None);
                robots_url.set_fragment(None);
                // Redirects are followed by hand here, without robots checks
                // of their own (that would wait on this very cell): an
                // http → https move of robots.txt is common.
                let mut answer = self
                    .send_once(&robots_url, &Method::Get, 512 * 1024, None)
                    .await;
                for _ in 0..5 {
                    let next = match &answer {
                        Ok(a) if (300..400).contains(&a.status) => a
                            .location
                            .as_deref()
                            .and_then(|l| urlnorm::resolve(&robots_url, l)),
                        _ => None,
                    };
                    let Some(next) = next else { break };
                    robots_url = next;
                    answer = self
                        .send_once(&robots_url, &Method::Get, 512 * 1024, None)
                        .await;
                }
                let rules = match answer {
                    Ok(a) if (200..300).contains(&a.status) => {
                        RobotsRules::parse(&self.agent_token, &a.body)
                    }
                    // 4xx (or a redirect chain that never ends): no usable robots.txt — allow all.
                    Ok(a) if a.status < 500 => RobotsRules::allow_all(None),
                    Ok(a) => RobotsRules::allow_all(Some(format!(
                        "robots.txt answered HTTP {}; crawled as allowed",
                        a.status
                    ))),
                    Err(e) => RobotsRules::allow_all(Some(format!(
                        "robots.txt: {}; crawled as allowed",
                        e.0
                    ))),
                };
                if let Some(d) = rules.crawl_delay() {
                    if d.is_finite() && d > 0.0 {
                        host.raise_delay(Duration::from_secs_f32(d.min(3600.0)));
                    }
                }
                Arc::new(rules)
            })
            .await
            .clone()
    }

    /// May `url` be requested under its host's robots.txt?
    pub(crate) async fn allowed(&self, url: &Url) -> bool {
        self.robots(url).await.allowed(url.as_str())
    }

    /// Fetch with redirects and retries. `limit` caps the body read.
    pub(crate) async fn fetch(&self, url: &Url, method: &Method, limit: usize) -> Fetched {
        self.fetch_with(url, method, limit, None).await
    }

    /// [`Fetcher::fetch`], sending each GET hop the validators `lookup`
    /// has for its URL (If-None-Match / If-Modified-Since): a 304 comes
    /// back as the answer, with `final_url` the URL it was for.
    pub(crate) async fn fetch_with(
        &self,
        url: &Url,
        method: &Method,
        limit: usize,
        lookup: Lookup<'_>,
    ) -> Fetched {
        let mut attempts = 0;
        loop {
            attempts += 1;
            let (mut out, retry, retry_after) = self.follow(url, method, limit, lookup).await;
            out.attempts = attempts;
            if !retry || attempts > self.settings.retries {
                return out;
            }
            let backoff = self
                .settings
                .retry_backoff_ms
                .saturating_mul(1u64 << (attempts - 1).min(16));
            let mut wait = Duration::from_millis(backoff);
            if let Some(secs) = retry_after {
                wait = wait.max(Duration::from_secs(
                    secs.min(self.settings.max_retry_after_secs),
                ));
            }
            tokio::time::sleep(wait).await;
        }
    }

    /// Check a link: HEAD, then GET (reading a little) when HEAD gets any
    /// error status or fails in a way a GET might not (reset, protocol
    /// error). Attempts add up over both.
    pub(crate) async fn check(&self, url: &Url) -> Fetched {
        let head = self.fetch(url, &Method::Head, 0).await;
        // Servers answer HEAD with 404, 400 or 500 for files a GET serves
        // (IIS / ASP.NET front ends, download scripts such as JCMS
        // downfile.jsp that implement GET only), besides the honest
        // 403/405/501. A broken link is a serious finding for a department,
        // so only a GET's answer condemns one.
        let refused = head.status.is_some_and(|s| s >= 400);
        // A host that is down or silent will not answer a GET either: asking
        // again would only double the wait on every dead link.
        let retry_as_get = match head.error.as_deref() {
            None => refused,
            Some("timeout" | "connection refused" | "dns") => false,
            Some(_) => !head.robots_blocked,
        };
        if !retry_as_get {
            let markup = head
                .content_type
                .as_deref()
                .map(|ct| extract::looks_like_markup(Some(ct), &[]));
            return Fetched { markup, ..head };
        }
        let mut get = self.fetch(url, &Method::Get, CHECK_BODY_BYTES).await;
        get.attempts += head.attempts;
        get.head_status = head.status;
        if get.content_type.is_some() || !get.body.is_empty() {
            let markup = extract::looks_like_markup(get.content_type.as_deref(), &get.body);
            get.markup = Some(markup);
            if markup && get.ok() {
                let page = extract::decode(&get.body, get.content_type.as_deref());
                get.soft_404 = extract::reads_as_error_page(&page.text);
            }
        }
        get.body = Vec::new();
        get
    }

    /// Follow a redirect chain once. Returns the outcome, whether it is worth
    /// retrying, and a Retry-After in seconds.
    async fn follow(
        &self,
        url: &Url,
        method: &Method,
        limit: usize,
        lookup: Lookup<'_>,
    ) -> (Fetched, bool, Option<u64>) {
        let mut seen = HashSet::new();
        let mut current = url.clone();
        let mut method = method.clone();
        seen.insert(urlnorm::normalize(&current));
        let mut hops: u32 = 0;
        loop {
            if hops > 0 && !self.allowed(&current).await {
                let out = Fetched {
                    final_url: Some(current),
                    error: Some("robots.txt disallow".into()),
                    robots_blocked: true,
                    redirects: hops,
                    ..Default::default()
                };
                return (out, false, None);
            }
            let validators = match (&method, lookup) {
                (Method::Get, Some(f)) => f(&current),
                _ => None,
            };
            let answer = match self
                .send_once(&current, &method, limit, validators.as_ref())
                .await
            {
                Ok(a) => a,
                Err(e) => {
                    let out = Fetched {
                        final_url: Some(current),
                        error: Some(e.0),
                        redirects: hops,
                        ..Default::default()
                    };
                    return (out, e.1, None);
                }
            };
            let redirect = (300..400).contains(&answer.status) && answer.status != 304;
            if redirect {
                let location = answer.location.as_deref().map(str::trim);
                let next = location.and_then(|l| urlnorm::resolve(&current, l));
                if let (Some(l), None) = (location.filter(|l| !l.is_empty()), &next) {
                    // Location: javascript:… / ftp://… — no browser lands on
                    // a page there: the link is as dead as a 404.
                    let scheme = l
                        .split(':')
                        .next()
                        .filter(|s| s.len() < l.len() && s.len() <= 16);
                    let out = Fetched {
                        final_url: Some(current),
                        status: Some(answer.status),
                        error: Some(match scheme {
                            Some(s) => {
                                format!("redirect to a non-HTTP URL ({}:)", s.to_ascii_lowercase())
                            }
                            None => "redirect to an unusable URL".into(),
                        }),
                        redirects: hops,
                        ..Default::default()
                    };
                    return (out, false, None);
                }
                if let Some(next) = next {
                    hops += 1;
                    let key = urlnorm::normalize(&next);
                    if !seen.insert(key) {
                        let out = error_at(next, answer.status, "redirect loop", hops);
                        return (out, false, None);
                    }
                    if hops as usize > self.settings.max_redirects {
                        let out = error_at(next, answer.status, "too many redirects", hops);
                        return (out, false, None);
                    }
                    if answer.status == 303
                        || (matches!(answer.status, 301 | 302) && matches!(method, Method::Post(_)))
                    {
                        method = Method::Get;
                    }
                    current = next;
                    continue;
                }
            }
            let blocked = !answer.body.is_empty()
                && extract::reads_as_challenge(
                    answer.status,
                    &extract::decode(&answer.body, answer.content_type.as_deref()).text,
                );
            // A challenge answers the same however often it is asked.
            let retry = !blocked && (answer.status >= 500 || answer.status == 429);
            let out = Fetched {
                final_url: Some(current),
                status: Some(answer.status),
                error: None,
                attempts: 0,
                content_type: answer.content_type,
                disposition: answer.disposition,
                body: answer.body,
                truncated: answer.truncated,
                robots_blocked: false,
                redirects: hops,
                head_status: None,
                markup: None,
                soft_404: false,
                blocked,
                certificate: answer.certificate,
                validators: answer.validators,
            };
            return (out, retry, answer.retry_after);
        }
    }

    /// One request through the gates; reads at most `limit` body bytes.
    /// Errors carry their one-word kind and whether a retry may help.
    async fn send_once(
        &self,
        url: &Url,
        method: &Method,
        limit: usize,
        validators: Option<&Validators>,
    ) -> Result<Answer, (String, bool)> {
        let host = urlnorm::host_key(url);
        let _permit = self.politeness.acquire(&host).await;
        let send = |client: &reqwest::Client| {
            self.requests.fetch_add(1, Ordering::Relaxed);
            let mut req = match method {
                Method::Get => client.get(url.clone()),
                Method::Head => client.head(url.clone()),
                Method::Post(form) => client.post(url.clone()).form(form),
            };
            if let Some(v) = validators {
                // Both when both are known: a server that honours ETags
                // ignores If-Modified-Since then (RFC 9110 13.2.2).
                if let Some(e) = &v.etag {
                    req = req.header(header::IF_NONE_MATCH, e.as_str());
                }
                if let Some(m) = &v.last_modified {
                    req = req.header(header::IF_MODIFIED_SINCE, m.as_str());
                }
            }
            req.send()
        };
        let known = self.bad_certificate(&host);
        let (sent, certificate) = match known {
            Some(problem) => (send(&self.lenient).await, Some(problem)),
            None => match send(&self.client).await {
                // A certificate a browser would refuse: remember the host,
                // and read it anyway (the finding is the certificate).
                Err(e) => match certificate_problem(&e) {
                    Some(problem) => {
                        self.bad_certificates
                            .lock()
                            .expect("certificate lock")
                            .insert(host.clone(), problem.clone());
                        (send(&self.lenient).await, Some(problem))
                    }
                    None => (Err(e), None),
                },
                ok => (ok, None),
            },
        };
        let mut resp = sent.map_err(|e| classify(&e))?;
        let status = resp.status().as_u16();
        let h = resp.headers();
        let text = |name: header::HeaderName| {
            h.get(name)
                .and_then(|v| v.to_str().ok())
                .map(|s| s.to_string())
        };
        let location = text(header::LOCATION);
        let content_type = text(header::CONTENT_TYPE);
        let disposition = text(header::CONTENT_DISPOSITION);
        let retry_after = text(header::RETRY_AFTER).and_then(|s| s.trim().parse::<u64>().ok());
        let validators = Validators {
            etag: text(header::ETAG).filter(|s| !s.trim().is_empty()),
            last_modified: text(header::LAST_MODIFIED).filter(|s| !s.trim().is_empty()),
        };
        let mut body = Vec::new();
        let mut truncated = false;
        if limit > 0 && !matches!(method, Method::Head) {
            loop {
                match resp.chunk().await {
                    Ok(Some(chunk)) => {
                        let room = limit - body.len();
                        if chunk.len() >= room {
                            body.extend_from_slice(&chunk[..room]);
                            truncated = chunk.len() > room;
                            if body.len() >= limit {
                                truncated = true;
                                break;
                            }
                        } else {
                            body.extend_from_slice(&chunk);
                        }
                    }
                    Ok(None) => break,
                    // The head came: a failure now is the body cut off
                    // (connection reset, fewer bytes than Content-Length).
                    Err(e) if e.is_timeout() => return Err(classify(&e)),
                    Err(_) => return Err(("connection closed mid-body".into(), true)),
                }
            }
        }
        self.bytes.fetch_add(body.len() as u64, Ordering::Relaxed);
        Ok(Answer {
            status,
            location,
            content_type,
            disposition,
            retry_after,
            body,
            truncated,
            certificate,
            validators,
        })
    }

    fn bad_certificate(&self, host: &str) -> Option<String> {
        self.bad_certificates
            .lock()
            .expect("certificate lock")
            .get(host)
            .cloned()
    }
}

/// What is wrong with a server's HTTPS certificate, when that is why the
/// request failed: "self-signed or untrusted issuer", "expired", "not yet
/// valid", "issued for another host", or "invalid". `None` for any other
/// failure (a TLS handshake with a server that speaks no TLS is no
/// certificate problem, and reading past it would not help).
pub(crate) fn certificate_problem(e: &reqwest::Error) -> Option<String> {
    let mut src = e.source();
    while let Some(s) = src {
        let t = s.to_string();
        if let Some(detail) = t.strip_prefix("invalid peer certificate: ") {
            return Some(name_certificate_problem(detail).into());
        }
        src = s.source();
    }
    None
}

/// A rustls certificate error's text, named in a few words.
fn name_certificate_problem(detail: &str) -> &'static str {
    let d = detail.to_ascii_lowercase();
    if d.contains("unknownissuer") || d.contains("self") || d.contains("badsignature") {
        "self-signed or untrusted issuer"
    } else if d.contains("expired") {
        "expired"
    } else if d.contains("not valid yet") || d.contains("notvalidyet") {
        "not yet valid"
    } else if d.contains("not valid for name") || d.contains("notvalidforname") {
        "issued for another host"
    } else {
        "invalid"
    }
}

fn error_at(url: Url, status: u16, error: &str, redirects: u32) -> Fetched {
    Fetched {
        final_url: Some(url),
        status: Some(status),
        error: Some(error.into()),
        redirects,
        ..Default::default()
    }
}

/// Name a transport error in one word or two, and say whether to retry.
fn classify(e: &reqwest::Error) -> (String, bool) {
    if e.is_timeout() {
        return ("timeout".into(), true);
    }
    let mut src = e.source();
    while let Some(s) = src {
        if let Some(io) = s.downcast_ref::<std::io::Error>() {
            match io.kind() {
                std::io::ErrorKind::ConnectionRefused => {
                    return ("connection refused".into(), true)
                }
                std::io::ErrorKind::ConnectionReset => return ("connection reset".into(), true),
                std::io::ErrorKind::TimedOut => return ("timeout".into(), true),
                _ => {}
            }
        }
        let t = s.to_string().to_ascii_lowercase();
        if t.contains("dns error") || t.contains("failed to lookup") {
            return ("dns".into(), true);
        }
        if t.contains("incomplete") || t.contains("connection closed before message completed") {
            // The server hung up before a whole answer came.
            return ("connection closed".into(), true);
        }
        if t.contains("certificate") || t.contains("tls") || t.contains("handshake") {
            return ("tls".into(), false);
        }
        src = s.source();
    }
    if e.is_connect() {
        ("connection error".into(), true)
    } else if e.is_body() || e.is_decode() {
        ("read error".into(), true)
    } else {
        ("request error".into(), true)
    }
}

#[cfg(test)]
mod tests {
    use super::name_certificate_problem;

    #[test]
    fn rustls_certificate_errors_are_named() {
        // The texts rustls 0.23 gives after "invalid peer certificate: ".
        for (detail, name) in [
            ("UnknownIssuer", "self-signed or untrusted issuer"),
            ("BadSignature", "self-signed or untrusted issuer"),
            (
                "certificate expired: verification time 1795000000 (UNIX), but certificate is not valid after 1609459200 (185540800 seconds ago)",
                "expired",
            ),
            (
                "certificate not valid yet: verification time 1 (UNIX), but certificate is not valid before 2 (1 seconds in future)",
                "not yet valid",
            ),
            (
                "certificate not valid for name \"www.a.gov.cn\"; certificate is only valid for DnsName(\"b.gov.cn\")",
                "issued for another host",
            ),
            ("Revoked", "invalid"),
        ] {
            assert_eq!(name_certificate_problem(detail), name, "{detail}");
        }
    }
}
