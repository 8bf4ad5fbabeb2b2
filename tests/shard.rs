//! A province-wide audit split by site across workers: `audit --shard I/N`
//! audits its share of SITES.toml, `merge` joins the shard reports, and the
//! result equals one unsharded audit. Real runs of the binary against
//! fixture sites served on 127.0.0.1.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use govaudit::report::Report;
use govaudit::serve::{serve_dir, FixtureServer};

const AS_OF: &str = "2026-11-26";

fn govaudit(args: &[&str], cwd: &Path, env: &[(&str, &str)]) -> Output {
    let mut c = Command::new(env!("CARGO_BIN_EXE_govaudit"));
    c.args(args)
        .current_dir(cwd)
        .env_remove("JOB_COMPLETION_INDEX");
    for (k, v) in env {
        c.env(k, v);
    }
    c.output().expect("run govaudit")
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn fixture(id: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures")
        .join(id)
}

fn read_report(path: &Path) -> Report {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn ids(r: &Report) -> Vec<String> {
    r.sites.iter().map(|s| s.id.clone()).collect()
}

/// Per site, sorted: id, verdict, score, vetoes and the sorted ids of its findings.
fn judged(r: &Report) -> Vec<String> {
    let mut v: Vec<String> = r
        .sites
        .iter()
        .map(|s| {
            let mut f: Vec<&str> = r.findings_of(&s.id).map(|f| f.id.as_str()).collect();
            f.sort();
            format!(
                "{} {:?} {:.2} {:?} {:?}",
                s.id, s.verdict, s.score, s.vetoes, f
            )
        })
        .collect();
    v.sort();
    v
}

const CRAWL: &str = "[crawl]\nper_host_concurrency = 4\nper_host_delay_ms = 0\nretries = 1\nretry_backoff_ms = 10\ntimeout_secs = 5\nconnect_timeout_secs = 5\n";

/// Three sites from two fixture servers: kong and full (column-empty),
/// lianjie (broken-link), interleaved so each shard of two mixes them.
fn three_sites(empty: &FixtureServer, broken: &FixtureServer) -> String {
    let (e, b) = (empty.addr(), broken.addr());
    format!(
        "[audit]\nname = \"分片测试省\"\n\n{CRAWL}
[[sites]]
id = \"kong\"
name = \"区空栏局\"
url = \"http://{e}/kong/\"
columns = [
  {{ url = \"gzdt/index.html\", class = \"dynamic\" }},
  {{ url = \"tzgg/index.html\", class = \"notice\" }},
  {{ url = \"rsxx/index.html\", class = \"long-term\" }},
  {{ url = \"zcwj/index.html\", class = \"policy\" }}
]

[[sites]]
id = \"lianjie\"
name = \"区链接局\"
url = \"http://{b}/lianjie/\"
columns = [
  {{ url = \"gzdt/index.html\", class = \"dynamic\" }},
  {{ url = \"tzgg/index.html\", class = \"notice\" }}
]

[[sites]]
id = \"full\"
name = \"区满栏局\"
url = \"http://{e}/full/\"
columns = [
  {{ url = \"gzdt/index.html\", class = \"dynamic\" }},
  {{ url = \"tzgg/index.html\", class = \"notice\" }}
]
"
    )
}

fn audit_args<'a>(out: &'a str, extra: &[&'a str]) -> Vec<&'a str> {
    let mut a = vec![
        "audit",
        "--config",
        "SITES.toml",
        "--as-of",
        AS_OF,
        "--out",
        out,
        "--quiet",
    ];
    a.extend_from_slice(extra);
    a
}

fn expected_code(r: &Report) -> Option<i32> {
    Some(if r.failing() > 0 { 1 } else { 0 })
}

#[test]
fn two_shards_partition_the_sites_and_merge_to_the_unsharded_report() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let any = std::net::SocketAddr::from(([127, 0, 0, 1], 0));
    let empty = runtime
        .block_on(serve_dir(fixture("column-empty"), any))
        .unwrap();
    let broken = runtime
        .block_on(serve_dir(fixture("broken-link"), any))
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let cwd = dir.path();
    std::fs::write(cwd.join("SITES.toml"), three_sites(&empty, &broken)).unwrap();

    let whole = govaudit(&audit_args("whole", &[]), cwd, &[]);
    let whole_report = read_report(&cwd.join("whole/report.json"));
    assert_eq!(whole.status.code(), expected_code(&whole_report));
    assert_eq!(ids(&whole_report), ["kong", "lianjie", "full"]);
    assert!(
        whole_report
            .findings
            .iter()
            .any(|f| f.rule == "column-empty")
            && whole_report
                .findings
                .iter()
                .any(|f| f.rule == "broken-link"),
        "the fixtures must produce findings for the comparison to mean something"
    );

    let s0 = govaudit(&audit_args("s0", &["--shard", "0/2"]), cwd, &[]);
    let s1 = govaudit(&audit_args("s1", &["--shard", "1/2"]), cwd, &[]);
    let r0 = read_report(&cwd.join("s0/report.json"));
    let r1 = read_report(&cwd.join("s1/report.json"));
    assert_eq!(s0.status.code(), expected_code(&r0), "{}", stderr(&s0));
    assert_eq!(s1.status.code(), expected_code(&r1), "{}", stderr(&s1));
    // Positions 0 and 2 to shard 0, position 1 to shard 1, in SITES.toml order.
    assert_eq!(ids(&r0), ["kong", "full"]);
    assert_eq!(ids(&r1), ["lianjie"]);
    assert!(r0.findings.iter().all(|f| f.site != "lianjie"));
    assert!(r1.findings.iter().all(|f| f.site == "lianjie"));

    // A folder and a file path are both accepted; order is the order given.
    let m = govaudit(
        &["merge", "--out", "merged", "s1", "s0/report.json"],
        cwd,
        &[],
    );
    assert!(m.stdout.is_empty(), "stdout only with --format json");
    let merged = read_report(&cwd.join("merged/report.json"));
    assert_eq!(
        m.status.code(),
        expected_code(&whole_report),
        "{}",
        stderr(&m)
    );
    assert_eq!(ids(&merged), ["lianjie", "kong", "full"]);
    assert_eq!(judged(&merged), judged(&whole_report));
    assert_eq!(merged.findings.len(), whole_report.findings.len());
    assert_eq!(merged.as_of, whole_report.as_of);
    assert_eq!(merged.profile, whole_report.profile);
    assert_eq!(merged.title.as_deref(), Some("分片测试省"));
    assert_eq!(merged.typo_allow_district, whole_report.typo_allow_district);
    assert!(
        merged.generated_at.ends_with("+08:00"),
        "{}",
        merged.generated_at
    );
    for f in ["report.html", "report.md", "findings.csv"] {
        assert!(cwd.join("merged").join(f).is_file(), "{f} written");
    }
    let html = std::fs::read_to_string(cwd.join("merged/report.html")).unwrap();
    assert!(html.contains("区链接局") && html.contains("区满栏局"));

    // --format json prints the merged report.json on stdout.
    let m = govaudit(
        &["merge", "--out", "merged2", "s0", "s1", "--format", "json"],
        cwd,
        &[],
    );
    let printed: Report = serde_json::from_slice(&m.stdout).expect("report.json on stdout");
    assert_eq!(ids(&printed), ["kong", "full", "lianjie"]);

    // Shards of another monitoring date or profile cannot be merged.
    for (field, value) in [
        ("as_of", serde_json::json!("2026-11-27")),
        ("profile", serde_json::json!("city-strict")),
        ("pass_mark", serde_json::json!(80.0)),
    ] {
        let mut v: serde_json::Value =
            serde_json::from_slice(&std::fs::read(cwd.join("s1/report.json")).unwrap()).unwrap();
        v[field] = value;
        std::fs::create_dir_all(cwd.join("odd")).unwrap();
        std::fs::write(cwd.join("odd/report.json"), v.to_string()).unwrap();
        let o = govaudit(&["merge", "--out", "bad", "s0", "odd"], cwd, &[]);
        assert_eq!(o.status.code(), Some(2), "{field}: {}", stderr(&o));
        let err = stderr(&o);
        assert_eq!(err.trim_end().lines().count(), 1, "{err}");
        assert!(
            err.contains(&format!("odd/report.json: {field}: ")),
            "{err}"
        );
        assert!(o.stdout.is_empty());
    }
    assert!(
        !cwd.join("bad").exists(),
        "nothing written on a refused merge"
    );

    // A site in two inputs (overlapping shards, or a shard next to the whole).
    let o = govaudit(&["merge", "--out", "bad", "s0", "whole"], cwd, &[]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    let err = stderr(&o);
    assert_eq!(err.trim_end().lines().count(), 1, "{err}");
    assert!(
        err.contains("whole/report.json") && err.contains("s0/report.json") && err.contains("kong"),
        "{err}"
    );

    drop(empty);
    drop(broken);
}

fn unreachable_site(dir: &Path) {
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    std::fs::write(
        dir.join("SITES.toml"),
        format!(
            "[audit]\nname = \"x\"\n\n[crawl]\nretries = 0\ntimeout_secs = 2\nconnect_timeout_secs = 2\n\n[[sites]]\nid = \"gone\"\nname = \"区无法访问局\"\nurl = \"http://127.0.0.1:{port}/gone/\"\n"
        ),
    )
    .unwrap();
}

#[test]
fn bad_shard_values_are_exit_2_naming_the_flag() {
    let dir = tempfile::tempdir().unwrap();
    unreachable_site(dir.path());
    for bad in ["2/2", "0/0", "x/2", "1/y", "1", "-1/2"] {
        let o = govaudit(&audit_args("out", &["--shard", bad]), dir.path(), &[]);
        assert_eq!(o.status.code(), Some(2), "{bad}: {}", stderr(&o));
        let err = stderr(&o);
        assert_eq!(err.trim_end().lines().count(), 1, "{bad}: {err}");
        assert!(err.contains("--shard"), "{bad}: {err}");
    }
    let o = govaudit(&audit_args("out", &["--shard", "auto/2"]), dir.path(), &[]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("JOB_COMPLETION_INDEX"),
        "{}",
        stderr(&o)
    );
    assert!(
        !dir.path().join("out").exists(),
        "nothing crawled or written"
    );
}

#[test]
fn an_empty_shard_passes_and_auto_reads_the_job_index() {
    let dir = tempfile::tempdir().unwrap();
    unreachable_site(dir.path());
    // One site: shard 1 of 2 has none. An empty report, exit 0.
    let o = govaudit(&audit_args("e1", &["--shard", "1/2"]), dir.path(), &[]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let r = read_report(&dir.path().join("e1/report.json"));
    assert!(r.sites.is_empty() && r.findings.is_empty());
    // The same through the Kubernetes indexed-job index.
    let o = govaudit(
        &audit_args("e2", &["--shard", "auto/2"]),
        dir.path(),
        &[("JOB_COMPLETION_INDEX", "1")],
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(read_report(&dir.path().join("e2/report.json"))
        .sites
        .is_empty());
    // Index 0 gets the (unreachable, so failing) site.
    let o = govaudit(
        &audit_args("e3", &["--shard", "auto/2"]),
        dir.path(),
        &[("JOB_COMPLETION_INDEX", "0")],
    );
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let r = read_report(&dir.path().join("e3/report.json"));
    assert_eq!(ids(&r), ["gone"]);
    // Merging an empty shard with the other changes nothing.
    let o = govaudit(&["merge", "--out", "m", "e1", "e3"], dir.path(), &[]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let m = read_report(&dir.path().join("m/report.json"));
    assert_eq!(judged(&m), judged(&r));
}
