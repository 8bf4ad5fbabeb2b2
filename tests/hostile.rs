//! The crawler against servers that misbehave (issue 8, "Hostile servers"):
//! slowloris, an endless body, a gzip bomb, Content-Lengths that lie both
//! ways, a 50-hop redirect chain, redirects to ftp: / javascript: / https,
//! binary data as text/html, mis-declared charsets, a 3 MB single line, HTML
//! nested 100,000 deep, a connection dropped mid-body, broken robots.txt
//! files, a firewall's JavaScript challenge, endless gzip and brotli bombs
//! and HTTPS sites with self-signed or expired certificates (a TLS front
//! made here with rcgen and tokio-rustls). Every crawl finishes,
//! records what went wrong as data (a crawl error, a link fact, a finding)
//! and never panics. Served from `fixtures/hostile/*`.

mod common;

use common::*;
use govaudit::audit::{audit_config, AuditRequest};
use govaudit::config::{ColumnOverride, Config};
use govaudit::rules::broken_link::failure;
use govaudit::rules::Severity;
use govaudit::site::{ColumnClass, LinkCheck, Page, Site};
use tokio_rustls::rustls;

/// The body cap every hostile crawl runs with.
const CAP: usize = 1024 * 1024;

/// Test-sized settings: a 4 s request timeout (a slowloris page takes 30 s
/// to send; a megabyte over loopback on a loaded 2-core machine can take
/// more than the usual 1 s), no retries, a 1 MB body cap.
fn hostile_config(sites: &[(&str, &str)]) -> Config {
    let mut c = config(sites);
    c.crawl.timeout_secs = 4;
    c.crawl.retries = 0;
    c.crawl.max_body_bytes = CAP;
    c.crawl.max_redirects = 10;
    c
}

/// Audit `cfg` as of 2026-11-26 into a temp folder (the fixture servers
/// keep running on their own runtime meanwhile).
fn audit_hostile(cfg: &Config) -> govaudit::audit::Outcome {
    let out = tempfile::tempdir().unwrap();
    audit_config(
        cfg,
        &AuditRequest {
            config: "SITES.toml".into(),
            as_of: Some(chrono::NaiveDate::from_ymd_opt(2026, 11, 26).unwrap()),
            out: Some(out.path().to_path_buf()),
            profile: None,
            progress: Default::default(),
        },
    )
    .unwrap()
}

fn page<'a>(site: &'a Site, suffix: &str) -> &'a Page {
    site.pages
        .iter()
        .find(|p| p.url.ends_with(suffix))
        .unwrap_or_else(|| panic!("no page {suffix}"))
}

fn stored(site: &Site, suffix: &str) -> bool {
    site.pages.iter().any(|p| p.url.ends_with(suffix))
}

/// The crawl errors recorded for a URL ending in `suffix`, as (what, error).
fn errors(site: &Site, suffix: &str) -> Vec<(String, String)> {
    site.crawl_errors
        .iter()
        .filter(|e| e.url.ends_with(suffix))
        .map(|e| (e.what.clone(), e.error.clone()))
        .collect()
}

fn broken(l: &LinkCheck) -> bool {
    failure(l).is_some()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hostile_server_is_crawled_to_the_end_and_each_misbehaviour_recorded() {
    let other = serve(&fixture("hostile/robots-html")).await;
    let dir = stage("hostile/main", &[("OTHER", other.addr().to_string())]);
    let server = serve(dir.path()).await;
    let start = format!("{}/", server.base_url());
    let mut cfg = hostile_config(&[("hostile", &start)]);
    // A column whose list sits behind the firewall.
    cfg.sites[0].columns.push(ColumnOverride {
        url: format!("{start}tzgg/"),
        class: Some(ColumnClass::Notice),
        name: Some("通知公告".into()),
    });
    let site = crawl(&cfg).await.remove(0);
    assert!(site.start.ok, "{:?}", site.start);
    let size = |s: &str| errors(&site, s).iter().any(|(w, _)| w == "size");

    // Slowloris: one byte per 200 ms; the 4 s whole-request timeout ends it.
    let l = link(&site, "/trickle.html");
    assert_eq!(l.error.as_deref(), Some("timeout"));
    assert!(broken(l));

    // An endless body, a gzip bomb (30 MB inflated from 30 KB) and endless
    // gzip and brotli bombs: cut at the cap, the part read kept, bytes read
    // bounded. The endless bombs end only if the cap counts inflated bytes
    // as they are read: capping after inflating would never finish (and
    // record a timeout), capping the compressed bytes would never be hit.
    for s in [
        "/endless.html",
        "/bomb.html",
        "/bomb-gzip.html",
        "/bomb-br.html",
    ] {
        assert!(size(s), "{s}: {:?}", errors(&site, s));
        assert!(stored(&site, s) && !broken(link(&site, s)), "{s}");
        assert!(page(&site, s).text.len() <= CAP, "{s}");
    }
    for s in ["/endless.html", "/bomb-gzip.html", "/bomb-br.html"] {
        assert!(page(&site, s).text.contains("政务公开"), "{s}");
    }
    assert!(
        site.stats.bytes < 8 * CAP as u64,
        "read {} bytes",
        site.stats.bytes
    );

    // Content-Length promising more than comes: the body is cut off.
    let l = link(&site, "/cl-long.html");
    assert_eq!(l.error.as_deref(), Some("connection closed mid-body"));
    assert!(broken(l));
    // Promising less than is sent: the announced bytes are the page.
    assert!(!broken(link(&site, "/cl-short.html")));
    assert_eq!(page(&site, "/cl-short.html").title, "长度不符");
    // A connection dropped mid-body.
    let l = link(&site, "/reset.html");
    assert_eq!(l.error.as_deref(), Some("connection closed mid-body"));
    assert!(broken(l));

    // 50 hops: stopped after max_redirects (10), named, never followed to the end.
    let l = link(&site, "/hops/50");
    assert_eq!(l.error.as_deref(), Some("too many redirects"));
    assert_eq!(l.redirects, 11);
    assert!(broken(l));
    assert_eq!(server.hits("/hops/0"), 0);
    assert!(server.hits("/hops/38") == 0 && server.hits("/hops/39") == 0);

    // Redirects to no HTTP URL: a dead end, named by its scheme.
    let l = link(&site, "/to-ftp.html");
    assert_eq!(
        l.error.as_deref(),
        Some("redirect to a non-HTTP URL (ftp:)")
    );
    assert!(broken(l));
    let l = link(&site, "/to-js.html");
    assert_eq!(
        l.error.as_deref(),
        Some("redirect to a non-HTTP URL (javascript:)")
    );
    assert!(broken(l));
    let l = link(&site, "/to-file.html");
    assert_eq!(
        l.error.as_deref(),
        Some("redirect to a non-HTTP URL (file:)")
    );
    assert!(broken(l) && !stored(&site, "/to-file.html"));
    // To https on a port that speaks plain HTTP: a transport error, no crash.
    let l = link(&site, "/to-https.html");
    assert!(l.error.is_some() && broken(l), "{l:?}");
    assert!(l.final_url.as_deref().unwrap().starts_with("https://"));

    // Binary data served as text/html: not read as a page, and said so.
    assert!(!stored(&site, "/binary.html"));
    assert_eq!(link(&site, "/binary.html").markup, Some(false));
    assert!(errors(&site, "/binary.html")
        .iter()
        .any(|(w, e)| w == "content" && e.contains("binary")));

    // Charset headers that lie, both ways: the bytes win.
    for (s, cs) in [("/gbk-as-utf8.html", "GBK"), ("/utf8-as-gbk.html", "UTF-8")] {
        let p = page(&site, s);
        assert_eq!(p.charset, cs, "{s}");
        assert_eq!(p.title, "区发展和改革局 通知公告", "{s}");
        assert!(p.text.contains("安全生产检查"), "{s}");
    }

    // A 5 MB single line: cut at the cap inside a character, still read as UTF-8.
    assert!(size("/long-line.html"));
    let p = page(&site, "/long-line.html");
    assert_eq!(p.charset, "UTF-8");
    assert!(p.text.contains("政务公开"));

    // 100,000 nested <div>s: read up to the depth cap, and said so.
    assert!(
        stored(&site, "/deep.html"),
        "{:?}",
        errors(&site, "/deep.html")
    );
    assert!(errors(&site, "/deep.html")
        .iter()
        .any(|(w, _)| w == "depth"));

    // A firewall's JavaScript challenge: blocked, not broken …
    let l = link(&site, "/waf.html");
    assert!(l.blocked && !broken(l), "{l:?}");
    assert_eq!(l.status, Some(403));
    assert!(errors(&site, "/waf.html")
        .iter()
        .any(|(w, e)| w == "blocked" && e.contains("HTTP 403")));
    // … a column behind it is a load error, never an empty column …
    let col = site
        .columns
        .iter()
        .find(|c| c.url.ends_with("/tzgg/"))
        .unwrap();
    assert!(
        col.load_error
            .as_deref()
            .is_some_and(|e| e.starts_with("blocked")),
        "{:?}",
        col.load_error
    );
    // … while a plain 403 page (a script, no challenge) stays broken.
    let l = link(&site, "/forbidden.html");
    assert!(!l.blocked && broken(l), "{l:?}");

    // The ordinary page behind them all was reached.
    assert!(!broken(link(&site, "/ok.html")));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn robots_txt_as_an_html_error_page_or_5_mb_long_allows_the_crawl() {
    let html = serve(&fixture("hostile/robots-html")).await;
    let long = serve(&fixture("hostile/robots-long")).await;
    let cfg = hostile_config(&[
        ("robots-html", &format!("{}/", html.base_url())),
        ("robots-long", &format!("{}/", long.base_url())),
    ]);
    let mut sites = Vec::new();
    let summary = govaudit::crawl_all(&cfg, &Default::default(), |s| sites.push(s))
        .await
        .unwrap();
    for site in sites {
        assert!(site.start.ok, "{}: {:?}", site.id, site.start);
        assert!(stored(&site, "/news/a1.html"), "{}", site.id);
        assert_eq!(site.stats.robots_blocked, 0, "{}", site.id);
    }
    assert_eq!(html.hits("/robots.txt"), 1);
    assert_eq!(long.hits("/robots.txt"), 1);
    // The 5 MB robots.txt was read up to its 512 KB cap: every body byte of
    // both crawls (robots.txt files included) stays under 1 MB.
    assert!(summary.bytes < 1024 * 1024, "read {} bytes", summary.bytes);
}

#[test]
fn a_site_behind_a_javascript_challenge_is_blocked_not_unreachable_or_empty() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let waf = rt.block_on(serve(&fixture("hostile/waf")));
    let cfg = hostile_config(&[("waf", &format!("{}/", waf.base_url()))]);
    let outcome = audit_hostile(&cfg);
    let findings = &outcome.report.findings;
    let unreachable: Vec<_> = findings
        .iter()
        .filter(|f| f.rule == "site-unreachable")
        .collect();
    assert_eq!(unreachable.len(), 1, "{findings:#?}");
    let f = unreachable[0];
    assert_eq!(f.severity, Severity::Warn, "a challenge is never a veto");
    assert_eq!(f.evidence["blocked"], true);
    assert_eq!(f.evidence["status"], 412);
    assert!(f.message.contains("JavaScript验证"));
    assert!(
        findings
            .iter()
            .all(|f| f.rule != "broken-link" && f.rule != "column-empty"),
        "{findings:#?}"
    );
}

/// An HTTPS front on 127.0.0.1 for a plain fixture server: TLS with a
/// self-signed certificate for 127.0.0.1 valid from `not_before` to
/// `not_after` (year, month, day), bytes passed through both ways.
async fn https_front(
    backend: std::net::SocketAddr,
    not_before: (i32, u8, u8),
    not_after: (i32, u8, u8),
) -> String {
    let key = rcgen::KeyPair::generate().unwrap();
    let mut params = rcgen::CertificateParams::new(vec!["127.0.0.1".to_string()]).unwrap();
    params.not_before = rcgen::date_time_ymd(not_before.0, not_before.1, not_before.2);
    params.not_after = rcgen::date_time_ymd(not_after.0, not_after.1, not_after.2);
    let cert = params.self_signed(&key).unwrap();
    let key_der = rustls::pki_types::PrivatePkcs8KeyDer::from(key.serialize_der());
    let tls = rustls::ServerConfig::builder_with_provider(std::sync::Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .unwrap()
    .with_no_client_auth()
    .with_single_cert(vec![cert.der().clone()], key_der.into())
    .unwrap();
    let acceptor = tokio_rustls::TlsAcceptor::from(std::sync::Arc::new(tls));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        while let Ok((tcp, _)) = listener.accept().await {
            let acceptor = acceptor.clone();
            tokio::spawn(async move {
                // A client refusing the certificate ends the handshake here.
                let Ok(mut tls) = acceptor.accept(tcp).await else {
                    return;
                };
                let Ok(mut plain) = tokio::net::TcpStream::connect(backend).await else {
                    return;
                };
                let _ = tokio::io::copy_bidirectional(&mut tls, &mut plain).await;
            });
        }
    });
    format!("https://{addr}/")
}

#[test]
fn an_https_site_with_a_bad_certificate_is_audited_and_the_certificate_is_a_warn() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let (self_signed, expired, plain, _servers) = rt.block_on(async {
        let a = serve(&fixture("hostile/tls")).await;
        let b = serve(&fixture("hostile/tls")).await;
        let c = serve(&fixture("hostile/tls")).await;
        let self_signed = https_front(a.addr(), (2020, 1, 1), (2999, 1, 1)).await;
        let expired = https_front(b.addr(), (2020, 1, 1), (2021, 1, 1)).await;
        let plain = format!("{}/", c.base_url());
        (self_signed, expired, plain, [a, b, c])
    });
    let cfg = hostile_config(&[
        ("self-signed", &self_signed),
        ("expired", &expired),
        ("plain", &plain),
    ]);
    // A probe is the inspection's availability check, which counts a TLS
    // failure as a failed probe: the audit reads past the certificate, the
    // probe does not.
    let round = rt
        .block_on(govaudit::probe::probe_round(
            &cfg,
            "2026-11-26T02:00:00+08:00",
        ))
        .unwrap();
    for o in &round.outcomes {
        let bad_cert = o.site != "plain";
        assert_eq!(o.ok, !bad_cert, "{o:?}");
        assert_eq!(
            o.error
                .as_deref()
                .is_some_and(|e| e.contains("TLS certificate")),
            bad_cert,
            "{o:?}"
        );
    }
    assert_eq!(round.outcomes.len(), 3);
    let outcome = audit_hostile(&cfg);
    let report = &outcome.report;
    for (id, problem, zh) in [
        ("self-signed", "self-signed or untrusted issuer", "自签名"),
        ("expired", "expired", "已过期"),
    ] {
        // The content behind the certificate was audited …
        let s = report.sites.iter().find(|s| s.id == id).unwrap();
        assert!(s.stats.pages >= 2, "{id}: {:?}", s.stats);
        assert!(s.crawl_errors.is_empty(), "{id}: {:?}", s.crawl_errors);
        // … and the certificate is one warn, never a veto, said in Chinese.
        let found: Vec<_> = report
            .findings
            .iter()
            .filter(|f| f.site == id && f.rule == "site-unreachable")
            .collect();
        assert_eq!(found.len(), 1, "{id}: {:#?}", report.findings);
        let f = found[0];
        assert_eq!(f.severity, Severity::Warn, "{id}");
        assert_eq!(f.evidence["certificate"], problem, "{id}");
        assert!(
            f.message.contains("HTTPS证书") && f.message.contains(zh),
            "{id}: {}",
            f.message
        );
    }
    // The same site over plain HTTP: no certificate, no finding.
    assert!(
        report
            .findings
            .iter()
            .all(|f| !(f.site == "plain" && f.rule == "site-unreachable")),
        "{:#?}",
        report.findings
    );
}

/// A department site linking another site whose HTTPS certificate a browser
/// refuses: the link check reads past the certificate (it is no broken
/// link, nothing is deducted) and broken-link gives one warn naming the
/// certificate's problem, so the clerk can ask the other site to fix it.
#[test]
fn a_link_to_a_site_with_a_bad_certificate_is_a_warn_not_a_broken_link() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let (expired, linker, _servers, _dir) = rt.block_on(async {
        let backend = serve(&fixture("hostile/tls")).await;
        let expired = https_front(backend.addr(), (2020, 1, 1), (2021, 1, 1)).await;
        let dir = stage("hostile/tls-link", &[("EXPIRED", expired.clone())]);
        let linker = serve(dir.path()).await;
        let base = format!("{}/", linker.base_url());
        (expired, base, [backend, linker], dir)
    });
    let cfg = hostile_config(&[("linker", &linker)]);
    let outcome = audit_hostile(&cfg);
    let target = format!("{expired}news/a1.html");
    let found: Vec<_> = outcome
        .report
        .findings
        .iter()
        .filter(|f| f.rule == "broken-link")
        .collect();
    assert_eq!(found.len(), 1, "{found:#?}");
    let f = found[0];
    assert_eq!(f.target.as_deref(), Some(target.as_str()));
    assert_eq!(f.severity, Severity::Warn);
    assert_eq!(f.evidence["certificate"], "expired");
    assert_eq!(f.evidence["status"], 200);
    assert!(f.message.contains("HTTPS证书已过期"), "{}", f.message);
    // Not counted as broken, and the site itself has no certificate problem.
    let site = &outcome.report.sites[0];
    assert_eq!(site.stats.broken_links, 0, "{:?}", site.stats);
    assert!(outcome
        .report
        .findings
        .iter()
        .all(|f| f.rule != "site-unreachable"));
}
