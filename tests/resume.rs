//! A run killed mid-crawl and started again finishes with a complete report
//! (issue 8): the real `govaudit audit` binary on a district whose last
//! department answers slowly, SIGKILLed once the other departments are
//! checkpointed. The previous report must be intact (reports and snapshots
//! are written atomically and swapped in whole), and the restarted run, with
//! the same SITES.toml and as_of, reuses the finished sites (no request for
//! them) and writes the same report as an uninterrupted run.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use govaudit::serve::{serve_dir, FixtureServer};

/// fixtures/sched-shared-host (eight departments on one host) staged with
/// department d8 answering every request after 600 ms.
fn stage() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let from = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/sched-shared-host");
    copy(&from, dir.path());
    let routes = dir.path().join("_routes.toml");
    let mut text = std::fs::read_to_string(&routes).unwrap();
    text.insert_str(
        0,
        "# staged by tests/resume.rs: the last department is slow\n[[route]]\npath = \"/d8/*\"\ndelay_ms = 600\n\n",
    );
    std::fs::write(routes, text).unwrap();
    dir
}

fn copy(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        if e.path().is_dir() {
            copy(&e.path(), &to.join(e.file_name()));
        } else {
            std::fs::copy(e.path(), to.join(e.file_name())).unwrap();
        }
    }
}

fn audit(config: &Path, out: &Path) -> Command {
    audit_as_of(config, out, "2026-11-26")
}

fn audit_as_of(config: &Path, out: &Path, as_of: &str) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_govaudit"));
    c.args(["audit", "--no-history", "--quiet", "--as-of", as_of])
        .arg("--config")
        .arg(config)
        .arg("--out")
        .arg(out)
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    c
}

/// report.json without the time it was written.
fn report(out: &Path) -> serde_json::Value {
    let mut v: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("report.json")).unwrap()).unwrap();
    v.as_object_mut().unwrap().remove("generated_at");
    v
}

fn requests_for(server: &FixtureServer, prefix: &str) -> usize {
    server
        .requests()
        .iter()
        .filter(|r| r.path_and_query.starts_with(prefix))
        .count()
}

fn checkpointed(partial: &Path) -> usize {
    std::fs::read_dir(partial.join("sites"))
        .map(|d| {
            d.filter_map(|e| e.ok())
                .filter(|e| {
                    let n = e.file_name().to_string_lossy().into_owned();
                    n.ends_with(".json") && !n.starts_with('.')
                })
                .count()
        })
        .unwrap_or(0)
}

#[test]
fn a_killed_audit_restarts_from_its_checkpoint_and_completes() {
    let fixture = stage();
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let server = rt
        .block_on(serve_dir(
            fixture.path().to_path_buf(),
            "127.0.0.1:0".parse().unwrap(),
        ))
        .unwrap();
    let work = tempfile::tempdir().unwrap();
    let config = work.path().join("SITES.toml");
    let text = std::fs::read_to_string(fixture.path().join("SITES.toml"))
        .unwrap()
        .replace("{{base}}", &server.addr().to_string());
    std::fs::write(&config, format!("{text}\n[crawl]\nper_host_delay_ms = 0\n")).unwrap();
    let out: PathBuf = work.path().join("report");

    // 1. An uninterrupted run: the report to compare with.
    let status = audit(&config, &out).status().unwrap();
    assert!(matches!(status.code(), Some(0 | 1)), "{status:?}");
    let complete = report(&out);
    let complete_bytes = std::fs::read(out.join("report.json")).unwrap();
    assert_eq!(complete["sites"].as_array().unwrap().len(), 8);

    // 2. The same audit again, SIGKILLed once the seven quick departments
    //    are checkpointed while the slow one is still crawling.
    let partial = out.join(".crawl.partial");
    let mut child = audit(&config, &out).spawn().unwrap();
    let deadline = Instant::now() + Duration::from_secs(120);
    while checkpointed(&partial) < 7 {
        assert!(
            child.try_wait().unwrap().is_none(),
            "the audit ended before it could be killed mid-crawl"
        );
        assert!(Instant::now() < deadline, "no checkpoint appeared");
        std::thread::sleep(Duration::from_millis(20));
    }
    assert!(
        child.try_wait().unwrap().is_none(),
        "the slow department must still be crawling"
    );
    child.kill().unwrap(); // SIGKILL
    child.wait().unwrap();
    assert!(partial.join("checkpoint.json").is_file());
    // The previous report and snapshot are untouched.
    assert_eq!(
        std::fs::read(out.join("report.json")).unwrap(),
        complete_bytes
    );
    let manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("crawl/manifest.json")).unwrap()).unwrap();
    assert_eq!(manifest["sites"].as_array().unwrap().len(), 8);

    // 3. Started again: the seven finished departments are reused (not one
    //    request to them), the slow one is crawled, the report is complete
    //    and the same as the uninterrupted run's.
    let quick_before = requests_for(&server, "/d1/");
    let slow_before = requests_for(&server, "/d8/");
    let o = audit(&config, &out)
        .stderr(Stdio::piped())
        .output()
        .unwrap();
    assert!(matches!(o.status.code(), Some(0 | 1)), "{o:?}");
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert!(stderr.contains("复用其已完成的 7 个站点"), "{stderr}");
    assert_eq!(requests_for(&server, "/d1/"), quick_before);
    assert!(requests_for(&server, "/d8/") > slow_before);
    assert_eq!(report(&out), complete);
    assert!(!partial.exists(), "the checkpoint is gone once complete");
    let manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("crawl/manifest.json")).unwrap()).unwrap();
    let ids: Vec<&str> = manifest["sites"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    assert_eq!(ids, ["d1", "d2", "d3", "d4", "d5", "d6", "d7", "d8"]);
    assert!(!out.join("crawl/checkpoint.json").exists());

    // 4. A different as_of is another audit: nothing is reused.
    let mut child = audit_as_of(&config, &out, "2026-11-27").spawn().unwrap();
    while checkpointed(&partial) < 1 {
        assert!(child.try_wait().unwrap().is_none());
        std::thread::sleep(Duration::from_millis(20));
    }
    child.kill().unwrap();
    child.wait().unwrap();
    let quick_before = requests_for(&server, "/d1/");
    let o = audit(&config, &out)
        .stderr(Stdio::piped())
        .output()
        .unwrap();
    assert!(matches!(o.status.code(), Some(0 | 1)), "{o:?}");
    assert!(!String::from_utf8_lossy(&o.stderr).contains("续跑"));
    assert!(requests_for(&server, "/d1/") > quick_before);
}
