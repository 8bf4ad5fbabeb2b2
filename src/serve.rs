//! A small static web server for fixture folders and the demo portal, on
//! 127.0.0.1. It records every request (method, path, time, concurrency) so
//! tests can assert politeness, and reads `_routes.toml` in the served folder
//! for special answers (status codes, delays, redirects, charset headers,
//! JCMS dataproxy). Used by `govaudit demo`, `govaudit serve`, the tests and
//! the benchmark.
//!
//! `_routes.toml` (shared with the demo portal):
//!
//! ```toml
//! [[route]]
//! path = "/dept/old.html"            # exact path; query string ignored; "/p/*" = prefix
//! status = 404                       # answer status (body: `body`, else the file, else empty)
//! delay_ms = 20000                   # wait before answering
//! redirect = "/dept/loop-b.html"     # 302 Location (relative or absolute)
//! content_type = "text/html; charset=gbk"
//! body = "literal body"
//! headers = { "Retry-After" = "1" }
//! fail_first = 2                     # answer `status` for the first N requests, then normally
//! head_status = 405                  # answer HEAD requests with this status (GET unaffected)
//! handler = "jcms-dataproxy"         # built-in JCMS datastore slicer
//! records = "_jcms"                  # its folder of <columnid>.xml datastores
//! # handler = "calendar": an endless calendar under a prefix route: /cal/2026/11/
//! #   links /cal/2026/12/ (a crawler trap)
//! # handler = "hops": under a prefix route "/hops/*", /hops/N redirects to
//! #   /hops/N-1 and /hops/0 answers 200 (a redirect chain N hops long)
//! # Hostile answers (the body is `body`, else the file):
//! repeat = 1000                      # send the body 1000 times (0 = endlessly)
//! trickle_ms = 200                   # send the body one byte per 200 ms
//! content_length = 99999             # announce this Content-Length whatever is sent
//! reset_after = 300                  # send 300 body bytes, then drop the connection
//! encoding = "br"                    # compress as sent ("gzip" or "br"), with Content-Encoding;
//!                                    # with repeat = 0 an endless compression bomb
//! # Validators of a file answered 200 (the incremental crawl's conditional requests):
//! validators = "last-modified"       # "both" (default), "etag", "weak-etag", "last-modified", "none"
//! ignore_conditional = true          # send validators, answer 200 to conditional requests anyway
//! ```
//!
//! Files are served with a strong ETag (a hash of the content) and
//! Last-Modified (the file's mtime), and a conditional request is answered
//! honestly: 304 when If-None-Match matches (weak comparison) or, without
//! If-None-Match, when the file is not newer than If-Modified-Since.

use std::collections::{BTreeMap, HashMap};
use std::future::IntoFuture;
use std::net::{IpAddr, SocketAddr};
use std::path::{Component, Path, PathBuf};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::response::Response;
use futures::StreamExt;
use serde::Deserialize;

/// One request the server received.
#[derive(Debug, Clone, PartialEq)]
pub struct RequestRecord {
    /// HTTP method.
    pub method: String,
    /// Path and query as sent (still percent-encoded).
    pub path_and_query: String,
    /// The Host header.
    pub host: String,
    /// The User-Agent header.
    pub user_agent: String,
    /// When the handler started.
    pub started: Instant,
    /// When the answer was handed back (`None` while in flight).
    pub finished: Option<Instant>,
    /// The request was conditional (If-None-Match or If-Modified-Since).
    pub conditional: bool,
}

/// One `[[route]]` of `_routes.toml`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Route {
    /// Request path this route answers (query ignored unless given).
    pub path: String,
    /// Status to answer instead of the file's.
    #[serde(default)]
    pub status: Option<u16>,
    /// Wait this long before answering.
    #[serde(default)]
    pub delay_ms: Option<u64>,
    /// Answer a redirect (with `status`, default 302) to this location.
    #[serde(default)]
    pub redirect: Option<String>,
    /// Content-Type to send.
    #[serde(default)]
    pub content_type: Option<String>,
    /// Body to send instead of the file.
    #[serde(default)]
    pub body: Option<String>,
    /// Extra response headers.
    #[serde(default)]
    pub headers: BTreeMap<String, String>,
    /// Answer 503 to the first N requests, then normally.
    #[serde(default)]
    pub fail_first: Option<u32>,
    /// Status answered to HEAD requests only (e.g. 405 for servers refusing HEAD).
    #[serde(default)]
    pub head_status: Option<u16>,
    /// A built-in handler: "jcms-dataproxy" or "calendar".
    #[serde(default)]
    pub handler: Option<String>,
    /// The datastore file the jcms-dataproxy handler slices.
    #[serde(default)]
    pub records: Option<String>,
    /// Send the body this many times over (0: endlessly).
    #[serde(default)]
    pub repeat: Option<u64>,
    /// Send the body one byte per this many milliseconds.
    #[serde(default)]
    pub trickle_ms: Option<u64>,
    /// Announce this Content-Length whatever the body's length.
    #[serde(default)]
    pub content_length: Option<u64>,
    /// Send this many body bytes, then drop the connection.
    #[serde(default)]
    pub reset_after: Option<usize>,
    /// Validators sent with a file: "both" (default), "etag", "weak-etag",
    /// "last-modified" or "none".
    #[serde(default)]
    pub validators: Option<String>,
    /// Answer conditional requests with 200 and the body all the same.
    #[serde(default)]
    pub ignore_conditional: bool,
    /// Compress the body as it is sent: "gzip" or "br" (Content-Encoding set).
    #[serde(default)]
    pub encoding: Option<String>,
}

/// A request's conditional headers, and how the route answers them.
#[derive(Debug, Clone, Default)]
struct Conditional {
    if_none_match: Option<String>,
    if_modified_since: Option<String>,
    /// Route `validators` ("both" when none is set).
    validators: String,
    ignore: bool,
}

impl Conditional {
    fn for_route(mut self, route: &Route) -> Conditional {
        if let Some(v) = &route.validators {
            self.validators = v.clone();
        }
        self.ignore = route.ignore_conditional;
        self
    }

    /// Add the validators of `bytes` (from `file`) to `r`; 304 when the
    /// request's conditions say the client has them already.
    fn apply(&self, r: &mut Response, file: &Path, bytes: &[u8]) {
        use sha2::{Digest, Sha256};
        let mode = if self.validators.is_empty() {
            "both"
        } else {
            self.validators.as_str()
        };
        let etag = matches!(mode, "both" | "etag" | "weak-etag").then(|| {
            let hash: String = Sha256::digest(bytes)[..12]
                .iter()
                .map(|b| format!("{b:02x}"))
                .collect();
            if mode == "weak-etag" {
                format!("W/\"{hash}\"")
            } else {
                format!("\"{hash}\"")
            }
        });
        let mtime = matches!(mode, "both" | "last-modified")
            .then(|| std::fs::metadata(file).and_then(|m| m.modified()).ok())
            .flatten()
            .map(chrono::DateTime::<chrono::Utc>::from);
        let h = r.headers_mut();
        if let Some(v) = etag.as_deref().and_then(|e| HeaderValue::from_str(e).ok()) {
            h.insert(header::ETAG, v);
        }
        if let Some(v) = mtime.and_then(|m| {
            HeaderValue::from_str(&m.format("%a, %d %b %Y %H:%M:%S GMT").to_string()).ok()
        }) {
            h.insert(header::LAST_MODIFIED, v);
        }
        if self.ignore {
            return;
        }
        let unchanged = match (&self.if_none_match, &etag) {
            // If-None-Match wins over If-Modified-Since (RFC 9110 13.2.2).
            (Some(inm), Some(etag)) => {
                let bare = |t: &str| t.trim().trim_start_matches("W/").to_string();
                inm.split(',')
                    .any(|t| t.trim() == "*" || bare(t) == bare(etag))
            }
            _ => match (&self.if_modified_since, mtime) {
                (Some(ims), Some(m)) => chrono::DateTime::parse_from_rfc2822(ims)
                    .is_ok_and(|since| m.timestamp() <= since.timestamp()),
                _ => false,
            },
        };
        if unchanged {
            *r.status_mut() = StatusCode::NOT_MODIFIED;
            *r.body_mut() = Body::empty();
            r.headers_mut().remove(header::CONTENT_TYPE);
        }
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RoutesFile {
    #[serde(default)]
    route: Vec<Route>,
}

/// Read `_routes.toml` of a served folder (none → no special routes).
pub fn load_routes(root: &Path) -> crate::Result<Vec<Route>> {
    let path = root.join("_routes.toml");
    match std::fs::read_to_string(&path) {
        Ok(text) => {
            let f: RoutesFile = toml::from_str(&text).map_err(|e| {
                crate::Error::io(
                    &path,
                    e.to_string().lines().next().unwrap_or("").to_string(),
                )
            })?;
            Ok(f.route)
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Vec::new()),
        Err(e) => Err(crate::Error::io(&path, e)),
    }
}

#[derive(Default)]
struct Counters {
    in_flight: usize,
    max_in_flight: usize,
    per_host: HashMap<String, usize>,
    max_per_host: usize,
}

struct Shared {
    root: PathBuf,
    routes: HashMap<String, (Route, AtomicU32)>,
    /// Routes whose path ends in `*`, longest prefix first.
    prefix_routes: Vec<(String, Route, AtomicU32)>,
    log: Mutex<Vec<RequestRecord>>,
    counters: Mutex<Counters>,
}

/// A running fixture server; stops when dropped.
pub struct FixtureServer {
    addr: SocketAddr,
    shared: Arc<Shared>,
    stop: Option<tokio::sync::watch::Sender<bool>>,
    task: tokio::task::JoinHandle<()>,
}

impl FixtureServer {
    /// The bound address (the port is the real one when bound to port 0).
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://127.0.0.1:PORT` (no trailing slash).
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Every request received so far, in arrival order.
    pub fn requests(&self) -> Vec<RequestRecord> {
        self.shared.log.lock().expect("log lock").clone()
    }

    /// Requests received for `path` (query string ignored), any method.
    pub fn hits(&self, path: &str) -> usize {
        self.requests()
            .iter()
            .filter(|r| r.path_and_query.split('?').next() == Some(path))
            .count()
    }

    /// Most requests in flight at once, all hosts together.
    pub fn max_in_flight(&self) -> usize {
        self.shared
            .counters
            .lock()
            .expect("counter lock")
            .max_in_flight
    }

    /// Most requests in flight at once for one Host header value.
    pub fn max_in_flight_per_host(&self) -> usize {
        self.shared
            .counters
            .lock()
            .expect("counter lock")
            .max_per_host
    }

    /// Stop serving (also done on drop).
    pub fn shutdown(&mut self) {
        if let Some(tx) = self.stop.take() {
            let _ = tx.send(true);
        }
    }
}

impl Drop for FixtureServer {
    fn drop(&mut self) {
        self.shutdown();
        self.task.abort();
    }
}

/// Serve `root` on `bind` (use port 0 for an ephemeral port). Must be called
/// inside a tokio runtime; the server runs on it until dropped.
pub async fn serve_dir(root: PathBuf, bind: SocketAddr) -> crate::Result<FixtureServer> {
    if !bind.ip().is_loopback() {
        return Err(crate::Error::Other(format!(
            "serve: {bind} is not a loopback address"
        )));
    }
    serve_on(root, bind, &[]).await
}

/// Serve `root` on `hosts` loopback addresses, 127.0.0.1 … 127.0.0.`hosts`,
/// all on one (ephemeral) port and answering alike: `hosts` distinct hosts
/// for the crawler's per-host politeness (Linux routes all of 127.0.0.0/8 to
/// the loopback interface). [`FixtureServer::addr`] is 127.0.0.1's.
pub async fn serve_dir_hosts(root: PathBuf, hosts: u8) -> crate::Result<FixtureServer> {
    let more: Vec<IpAddr> = (2..=hosts.max(1))
        .map(|i| IpAddr::from([127, 0, 0, i]))
        .collect();
    serve_on(root, SocketAddr::from(([127, 0, 0, 1], 0)), &more).await
}

/// Serve `root` on `first` and on the same port of each of `more`.
async fn serve_on(
    root: PathBuf,
    first: SocketAddr,
    more: &[IpAddr],
) -> crate::Result<FixtureServer> {
    if !root.is_dir() {
        return Err(crate::Error::io(&root, "not a folder"));
    }
    let mut routes = HashMap::new();
    let mut prefix_routes = Vec::new();
    for r in load_routes(&root)? {
        match r.path.strip_suffix('*') {
            Some(p) => prefix_routes.push((p.to_string(), r.clone(), AtomicU32::new(0))),
            None => {
                routes.insert(r.path.clone(), (r, AtomicU32::new(0)));
            }
        }
    }
    prefix_routes.sort_by_key(|r| std::cmp::Reverse(r.0.len()));
    let shared = Arc::new(Shared {
        root,
        routes,
        prefix_routes,
        log: Mutex::new(Vec::new()),
        counters: Mutex::new(Counters::default()),
    });
    let bind = |addr: SocketAddr| async move {
        tokio::net::TcpListener::bind(addr)
            .await
            .map_err(|e| crate::Error::Other(format!("serve: cannot bind {addr}: {e}")))
    };
    let mut listeners = vec![bind(first).await?];
    let addr = listeners[0]
        .local_addr()
        .map_err(|e| crate::Error::Other(format!("serve: {e}")))?;
    for ip in more {
        if !ip.is_loopback() {
            return Err(crate::Error::Other(format!(
                "serve: {ip} is not a loopback address"
            )));
        }
        listeners.push(bind(SocketAddr::new(*ip, addr.port())).await?);
    }
    let app = axum::Router::new()
        .fallback(handle)
        .with_state(shared.clone());
    let (tx, rx) = tokio::sync::watch::channel(false);
    let task = tokio::spawn(async move {
        let servers = listeners.into_iter().map(|listener| {
            let mut rx = rx.clone();
            axum::serve(listener, app.clone())
                .with_graceful_shutdown(async move {
                    let _ = rx.wait_for(|stop| *stop).await;
                })
                .into_future()
        });
        futures::future::join_all(servers).await;
    });
    Ok(FixtureServer {
        addr,
        shared,
        stop: Some(tx),
        task,
    })
}

/// Decrements the in-flight counters and stamps `finished`, even when the
/// client hangs up mid-delay and the handler future is dropped.
struct InFlight {
    shared: Arc<Shared>,
    host: String,
    index: usize,
}

impl Drop for InFlight {
    fn drop(&mut self) {
        if let Ok(mut c) = self.shared.counters.lock() {
            c.in_flight = c.in_flight.saturating_sub(1);
            if let Some(n) = c.per_host.get_mut(&self.host) {
                *n = n.saturating_sub(1);
            }
        }
        if let Ok(mut log) = self.shared.log.lock() {
            if let Some(r) = log.get_mut(self.index) {
                r.finished = Some(Instant::now());
            }
        }
    }
}

async fn handle(State(shared): State<Arc<Shared>>, req: Request) -> Response {
    let method = req.method().clone();
    let path_and_query = req
        .uri()
        .path_and_query()
        .map(|p| p.as_str().to_string())
        .unwrap_or_else(|| "/".into());
    let host = header_str(req.headers(), header::HOST);
    let user_agent = header_str(req.headers(), header::USER_AGENT);
    let conditional = Conditional {
        if_none_match: Some(header_str(req.headers(), header::IF_NONE_MATCH))
            .filter(|s| !s.is_empty()),
        if_modified_since: Some(header_str(req.headers(), header::IF_MODIFIED_SINCE))
            .filter(|s| !s.is_empty()),
        ..Default::default()
    };
    let index = {
        let mut log = shared.log.lock().expect("log lock");
        log.push(RequestRecord {
            method: method.to_string(),
            path_and_query: path_and_query.clone(),
            host: host.clone(),
            user_agent,
            started: Instant::now(),
            finished: None,
            conditional: conditional.if_none_match.is_some()
                || conditional.if_modified_since.is_some(),
        });
        log.len() - 1
    };
    {
        let mut c = shared.counters.lock().expect("counter lock");
        c.in_flight += 1;
        c.max_in_flight = c.max_in_flight.max(c.in_flight);
        let n = c.per_host.entry(host.clone()).or_insert(0);
        *n += 1;
        let n = *n;
        c.max_per_host = c.max_per_host.max(n);
    }
    let _guard = InFlight {
        shared: shared.clone(),
        host,
        index,
    };
    let (path, query) = match path_and_query.split_once('?') {
        Some((p, q)) => (p.to_string(), q.to_string()),
        None => (path_and_query.clone(), String::new()),
    };
    let body = axum::body::to_bytes(req.into_body(), 1 << 20)
        .await
        .unwrap_or_default();
    answer(&shared, &method, &path, &query, &body, conditional).await
}

fn header_str(h: &HeaderMap, name: header::HeaderName) -> String {
    h.get(name)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string()
}

async fn answer(
    shared: &Shared,
    method: &Method,
    path: &str,
    query: &str,
    body: &[u8],
    conditional: Conditional,
) -> Response {
    let found = shared.routes.get(path).map(|(r, c)| (r, c)).or_else(|| {
        shared
            .prefix_routes
            .iter()
            .find(|(p, _, _)| path.starts_with(p.as_str()))
            .map(|(_, r, c)| (r, c))
    });
    let Some((route, count)) = found else {
        return serve_file(
            &shared.root,
            path,
            None,
            StatusCode::OK,
            &BTreeMap::new(),
            Some(&conditional),
        );
    };
    let n = count.fetch_add(1, Ordering::SeqCst);
    if let Some(ms) = route.delay_ms {
        tokio::time::sleep(Duration::from_millis(ms)).await;
    }
    let status = route
        .status
        .and_then(|s| StatusCode::from_u16(s).ok())
        .unwrap_or(StatusCode::OK);
    if let Some(limit) = route.fail_first {
        if n < limit {
            return literal(
                status,
                route.body.clone().unwrap_or_default(),
                &route.headers,
            );
        }
        // After the failures: serve normally.
        return serve_file(
            &shared.root,
            path,
            route.content_type.as_deref(),
            StatusCode::OK,
            &BTreeMap::new(),
            None,
        );
    }
    if method == Method::HEAD {
        if let Some(s) = route.head_status.and_then(|s| StatusCode::from_u16(s).ok()) {
            return literal(s, String::new(), &route.headers);
        }
    }
    if let Some(target) = &route.redirect {
        let mut r = literal(
            route
                .status
                .and_then(|s| StatusCode::from_u16(s).ok())
                .unwrap_or(StatusCode::FOUND),
            String::new(),
            &route.headers,
        );
        if let Ok(v) = HeaderValue::from_str(target) {
            r.headers_mut().insert(header::LOCATION, v);
        }
        return r;
    }
    if route.handler.as_deref() == Some("jcms-dataproxy") {
        return jcms_dataproxy(shared, route, query, body);
    }
    if route.handler.as_deref() == Some("calendar") {
        return calendar(route, path);
    }
    if route.handler.as_deref() == Some("hops") {
        return hops(route, path);
    }
    if route.repeat.is_some()
        || route.trickle_ms.is_some()
        || route.content_length.is_some()
        || route.reset_after.is_some()
        || route.encoding.is_some()
    {
        return hostile(shared, route, path, status);
    }
    if let Some(b) = &route.body {
        let mut r = literal(status, b.clone(), &route.headers);
        if let Some(ct) = route
            .content_type
            .as_deref()
            .and_then(|c| HeaderValue::from_str(c).ok())
        {
            r.headers_mut().insert(header::CONTENT_TYPE, ct);
        }
        return r;
    }
    let conditional = conditional.for_route(route);
    let mut r = serve_file(
        &shared.root,
        path,
        route.content_type.as_deref(),
        status,
        &route.headers,
        (status == StatusCode::OK).then_some(&conditional),
    );
    if r.status() == StatusCode::NOT_FOUND && status != StatusCode::OK {
        // A status route for a path with no file: empty body with that status.
        *r.status_mut() = status;
        *r.body_mut() = Body::empty();
    }
    r
}

/// `/hops/N` redirects to `/hops/N-1`; `/hops/0` (or no number) answers 200.
fn hops(route: &Route, path: &str) -> Response {
    let (prefix, n) = path.rsplit_once('/').unwrap_or(("", path));
    match n.parse::<u64>() {
        Ok(n) if n > 0 => {
            let mut r = literal(StatusCode::FOUND, String::new(), &route.headers);
            if let Ok(v) = HeaderValue::from_str(&format!("{prefix}/{}", n - 1)) {
                r.headers_mut().insert(header::LOCATION, v);
            }
            r
        }
        _ => {
            let mut r = literal(
                StatusCode::OK,
                "<html><head><title>终点</title></head><body><p>重定向链的终点</p></body></html>"
                    .into(),
                &route.headers,
            );
            r.headers_mut().insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/html; charset=utf-8"),
            );
            r
        }
    }
}

/// A misbehaving answer: the body (literal or the file) repeated, trickled,
/// cut off by a dropped connection, or under a lying Content-Length.
fn hostile(shared: &Shared, route: &Route, path: &str, status: StatusCode) -> Response {
    let unit: bytes::Bytes = match &route.body {
        Some(b) => b.clone().into_bytes().into(),
        None => match file_for(&shared.root, path).and_then(|f| std::fs::read(f).ok()) {
            Some(b) => b.into(),
            None => return literal(StatusCode::NOT_FOUND, String::new(), &BTreeMap::new()),
        },
    };
    let unit_len = unit.len();
    let times = route.repeat.unwrap_or(1);
    let endless = times == 0;
    let units = futures::stream::iter((0..).take_while(move |i| endless || *i < times))
        .map(move |_| unit.clone());
    let encoder = match route.encoding.as_deref() {
        None => None,
        Some(name) => match Encoder::new(name) {
            Some(e) => Some(e),
            None => {
                let msg = format!("_routes.toml: unknown encoding {name:?} (gzip or br)");
                return literal(StatusCode::INTERNAL_SERVER_ERROR, msg, &BTreeMap::new());
            }
        },
    };
    // Compressed as it goes, 64 KiB of body at a time, each batch flushed:
    // an endless body stays an endless stream whose bytes come steadily
    // (one compressed batch is a few hundred bytes), and no batch holds the
    // server's threads for long.
    let batch = (64 * 1024 / unit_len.max(1)).max(1);
    let units: futures::stream::BoxStream<'static, bytes::Bytes> = match encoder {
        None => units.boxed(),
        Some(enc) => {
            let enc = Arc::new(Mutex::new(Some(enc)));
            let tail = enc.clone();
            units
                .chunks(batch)
                .map(move |us| {
                    let mut guard = enc.lock().expect("encoder lock");
                    let e = guard.as_mut()?;
                    us.iter().for_each(|u| e.write(u));
                    Some(e.flush())
                })
                .chain(futures::stream::once(async move {
                    tail.lock()
                        .expect("encoder lock")
                        .take()
                        .map(Encoder::finish)
                }))
                .filter_map(|b| futures::future::ready(b.filter(|b| !b.is_empty())))
                .boxed()
        }
    };
    // One byte at a time when trickling, else whole units.
    let pieces: futures::stream::BoxStream<'static, bytes::Bytes> = match route.trickle_ms {
        Some(ms) => units
            .flat_map(|u| futures::stream::iter((0..u.len()).map(move |i| u.slice(i..i + 1))))
            .then(move |b| async move {
                tokio::time::sleep(Duration::from_millis(ms)).await;
                b
            })
            .boxed(),
        None => units.boxed(),
    };
    let reset_after = route.reset_after;
    let mut sent = 0usize;
    let stream = pieces
        .then(move |b| {
            let out = match reset_after {
                Some(limit) if sent + b.len() > limit => {
                    if sent >= limit {
                        Err(std::io::Error::new(
                            std::io::ErrorKind::ConnectionReset,
                            "fixture: connection dropped mid-body",
                        ))
                    } else {
                        Ok(b.slice(..limit - sent))
                    }
                }
                _ => Ok(b),
            };
            if let Ok(b) = &out {
                sent += b.len();
            }
            async move {
                if out.is_err() {
                    // Let the bytes sent so far reach the client first.
                    tokio::time::sleep(Duration::from_millis(20)).await;
                }
                out
            }
        })
        .take_while({
            let mut failed = false;
            move |r| {
                let go = !failed;
                failed |= r.is_err();
                futures::future::ready(go)
            }
        });
    // A pause before the stream ends (or fails) lets the server flush what
    // was sent: the client must see the head and the first bytes, then the
    // connection go.
    let stream = stream.chain(
        futures::stream::once(tokio::time::sleep(Duration::from_millis(20)))
            .filter_map(|_| futures::future::ready(None)),
    );
    let mut r = Response::new(Body::from_stream(stream));
    *r.status_mut() = status;
    let ct = route.content_type.as_deref().unwrap_or_else(|| {
        file_for(&shared.root, path)
            .map(|f| mime_for(&f))
            .unwrap_or("text/html")
    });
    if let Ok(v) = HeaderValue::from_str(ct) {
        r.headers_mut().insert(header::CONTENT_TYPE, v);
    }
    if let Some(n) = route.content_length {
        r.headers_mut()
            .insert(header::CONTENT_LENGTH, HeaderValue::from(n));
    }
    if let Some(name) = &route.encoding {
        if let Ok(v) = HeaderValue::from_str(name) {
            r.headers_mut().insert(header::CONTENT_ENCODING, v);
        }
    }
    add_headers(&mut r, &route.headers);
    r
}

/// A streaming compressor for the `encoding` route option (both boxed: with
/// flate2's zlib-rs backend, which zip's deflate feature brings, a
/// GzEncoder is a few hundred bytes).
enum Encoder {
    Gzip(Box<flate2::write::GzEncoder<Vec<u8>>>),
    Brotli(Box<brotli::CompressorWriter<Vec<u8>>>),
}

impl Encoder {
    fn new(name: &str) -> Option<Encoder> {
        match name {
            "gzip" => Some(Encoder::Gzip(Box::new(flate2::write::GzEncoder::new(
                Vec::new(),
                flate2::Compression::default(),
            )))),
            "br" => Some(Encoder::Brotli(Box::new(brotli::CompressorWriter::new(
                Vec::new(),
                4096,
                5,
                22,
            )))),
            _ => None,
        }
    }

    /// Compress `data` (into a buffer written to memory: cannot fail).
    fn write(&mut self, data: &[u8]) {
        use std::io::Write;
        let _ = match self {
            Encoder::Gzip(e) => e.write_all(data),
            Encoder::Brotli(e) => e.write_all(data),
        };
    }

    /// Flush what was written so far; returns the compressed bytes.
    fn flush(&mut self) -> bytes::Bytes {
        use std::io::Write;
        let out = match self {
            Encoder::Gzip(e) => {
                let _ = e.flush();
                e.get_mut()
            }
            Encoder::Brotli(e) => {
                let _ = e.flush();
                e.get_mut()
            }
        };
        std::mem::take(out).into()
    }

    /// End the stream; returns the last compressed bytes.
    fn finish(self) -> bytes::Bytes {
        match self {
            Encoder::Gzip(e) => e.finish().unwrap_or_default().into(),
            Encoder::Brotli(e) => e.into_inner().into(),
        }
    }
}

fn literal(status: StatusCode, body: String, headers: &BTreeMap<String, String>) -> Response {
    let mut r = Response::new(Body::from(body));
    *r.status_mut() = status;
    add_headers(&mut r, headers);
    r
}

fn add_headers(r: &mut Response, headers: &BTreeMap<String, String>) {
    for (k, v) in headers {
        if let (Ok(k), Ok(v)) = (
            header::HeaderName::from_bytes(k.as_bytes()),
            HeaderValue::from_str(v),
        ) {
            r.headers_mut().insert(k, v);
        }
    }
}

/// Map a URL path to a file under `root` (percent-decoded, no `..`), with
/// `index.html` for folders.
fn file_for(root: &Path, path: &str) -> Option<PathBuf> {
    let decoded = percent_decode(path)?;
    let mut p = root.to_path_buf();
    for c in Path::new(decoded.trim_start_matches('/')).components() {
        match c {
            Component::Normal(s) => p.push(s),
            Component::CurDir => {}
            _ => return None,
        }
    }
    if p.is_dir() {
        p.push("index.html");
    }
    p.is_file().then_some(p)
}

fn percent_decode(s: &str) -> Option<String> {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' && i + 2 < b.len() {
            let hex = std::str::from_utf8(&b[i + 1..i + 3]).ok()?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

fn serve_file(
    root: &Path,
    path: &str,
    content_type: Option<&str>,
    status: StatusCode,
    headers: &BTreeMap<String, String>,
    conditional: Option<&Conditional>,
) -> Response {
    let Some(file) = file_for(root, path) else {
        return literal(StatusCode::NOT_FOUND, String::new(), &BTreeMap::new());
    };
    let bytes = match std::fs::read(&file) {
        Ok(b) => b,
        Err(_) => return literal(StatusCode::NOT_FOUND, String::new(), &BTreeMap::new()),
    };
    let bytes = bytes::Bytes::from(bytes);
    let mut r = Response::new(Body::from(bytes.clone()));
    *r.status_mut() = status;
    let ct = content_type.unwrap_or_else(|| mime_for(&file));
    if let Ok(v) = HeaderValue::from_str(ct) {
        r.headers_mut().insert(header::CONTENT_TYPE, v);
    }
    add_headers(&mut r, headers);
    if let Some(c) = conditional {
        c.apply(&mut r, &file, &bytes);
    }
    r
}

/// Content type by extension; text/html carries no charset on purpose so
/// fixtures can test charset detection from `<meta>` or the bytes.
fn mime_for(file: &Path) -> &'static str {
    let ext = file
        .extension()
        .and_then(|e| e.to_str())
        .unwrap_or("")
        .to_ascii_lowercase();
    match ext.as_str() {
        "html" | "htm" | "shtml" | "jsp" => "text/html",
        "css" => "text/css",
        "js" => "application/javascript",
        "xml" => "text/xml",
        "json" => "application/json",
        "txt" => "text/plain",
        "pdf" => "application/pdf",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        "svg" => "image/svg+xml",
        "doc" => "application/msword",
        "docx" => "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "xls" => "application/vnd.ms-excel",
        "xlsx" => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "zip" => "application/zip",
        _ => "application/octet-stream",
    }
}

fn form_pairs(s: &str) -> Vec<(String, String)> {
    s.split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            let dec = |x: &str| percent_decode(&x.replace('+', " ")).unwrap_or_else(|| x.into());
            (dec(k), dec(v))
        })
        .collect()
}

/// The 大汉 JCMS `dataproxy.jsp`: slices `<records>/<columnid>.xml`.
fn jcms_dataproxy(shared: &Shared, route: &Route, query: &str, body: &[u8]) -> Response {
    let mut params = form_pairs(query);
    params.extend(form_pairs(&String::from_utf8_lossy(body)));
    let get = |k: &str| {
        params
            .iter()
            .find(|(key, _)| key.eq_ignore_ascii_case(k))
            .map(|(_, v)| v.clone())
    };
    let num = |k: &str| get(k).and_then(|v| v.trim().parse::<usize>().ok());
    let Some(columnid) = get("columnid").filter(|c| {
        !c.is_empty()
            && c.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
    }) else {
        return literal(
            StatusCode::BAD_REQUEST,
            "no columnid".into(),
            &BTreeMap::new(),
        );
    };
    let dir = shared
        .root
        .join(route.records.as_deref().unwrap_or("_jcms"));
    let Ok(xml) = std::fs::read_to_string(dir.join(format!("{columnid}.xml"))) else {
        return literal(StatusCode::NOT_FOUND, String::new(), &BTreeMap::new());
    };
    let records = split_records(&xml);
    let perpage = num("perpage").unwrap_or(15).max(1);
    let start = num("startrecord").unwrap_or(1).max(1);
    let end = num("endrecord").unwrap_or(start + perpage - 1).max(start);
    let mut out = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?><datastore><totalrecord>{}</totalrecord><recordset>",
        records.len()
    );
    for r in records.iter().skip(start - 1).take(end + 1 - start) {
        out.push_str(r);
    }
    out.push_str("</recordset></datastore>");
    let mut r = literal(StatusCode::OK, out, &route.headers);
    r.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/xml; charset=UTF-8"),
    );
    r
}

/// The `<record>…</record>` elements of a datastore, verbatim.
fn split_records(xml: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut rest = xml;
    while let Some(s) = rest.find("<record>") {
        let Some(e) = rest[s..].find("</record>") else {
            break;
        };
        let end = s + e + "</record>".len();
        out.push(&rest[s..end]);
        rest = &rest[end..];
    }
    out
}

/// An endless calendar: `/cal/2026/11/` links the next month, for ever.
fn calendar(route: &Route, path: &str) -> Response {
    let prefix = route.path.trim_end_matches('*');
    let rest = path.strip_prefix(prefix).unwrap_or("");
    let mut nums = rest.split('/').filter_map(|s| s.parse::<u32>().ok());
    let (y, m) = match (nums.next(), nums.next()) {
        (Some(y), Some(m)) if (1..=12).contains(&m) => (y, m),
        _ => (2026, 1),
    };
    let (ny, nm) = if m == 12 { (y + 1, 1) } else { (y, m + 1) };
    let html = format!(
        "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>{y}年{m}月 活动日历</title></head>\
         <body><h1>{y}年{m}月</h1><a href=\"{prefix}{ny}/{nm}/index.html\">下个月</a></body></html>"
    );
    let mut r = literal(StatusCode::OK, html, &route.headers);
    r.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    r
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percent_decoding_and_traversal() {
        assert_eq!(
            percent_decode("/a%20b/%E4%B8%AD.html").unwrap(),
            "/a b/中.html"
        );
        let root = Path::new("/nonexistent-root");
        assert!(file_for(root, "/../etc/passwd").is_none());
    }

    #[test]
    fn records_are_split_verbatim() {
        let xml = "<datastore><recordset><record><![CDATA[<li>a</li>]]></record>\n<record><![CDATA[<li>b</li>]]></record></recordset></datastore>";
        assert_eq!(
            split_records(xml),
            vec![
                "<record><![CDATA[<li>a</li>]]></record>",
                "<record><![CDATA[<li>b</li>]]></record>"
            ]
        );
    }
}
