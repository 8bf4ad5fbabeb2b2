//! The command line as a nightly job sees it: exit codes (0 pass, 1 a site
//! fails, 2 could not run with a one-line file:line:field error), the
//! reports written to --out, stdout only with --format json, `lint`
//! replaying a snapshot with identical findings, and a closed stdout pipe
//! ending the output quietly.

use std::path::Path;
use std::process::{Command, Output};

fn govaudit(args: &[&str], cwd: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_govaudit"))
        .args(args)
        .current_dir(cwd)
        .output()
        .expect("run govaudit")
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// A loopback port with nothing listening.
fn closed_port() -> u16 {
    let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    l.local_addr().unwrap().port()
}

fn write_sites(dir: &Path, body: &str) -> std::path::PathBuf {
    let p = dir.join("SITES.toml");
    std::fs::write(&p, body).unwrap();
    p
}

fn unreachable_sites(port: u16) -> String {
    format!(
        "[audit]\nname = \"测试区\"\n\n[crawl]\nretries = 0\ntimeout_secs = 2\nconnect_timeout_secs = 2\n\n[[sites]]\nid = \"gone\"\nname = \"区无法访问局\"\nurl = \"http://127.0.0.1:{port}/gone/\"\n"
    )
}

#[test]
fn bad_sites_toml_is_exit_2_with_file_line_field() {
    let dir = tempfile::tempdir().unwrap();
    write_sites(
        dir.path(),
        "[audit]\nname = \"x\"\n\n[[sites]]\nid = \"a\"\nname = \"A\"\nurl = \"http://127.0.0.1:1/\"\nowner_email = \"x@y\"\n",
    );
    let o = govaudit(
        &["audit", "--config", "SITES.toml", "--as-of", "2026-11-26"],
        dir.path(),
    );
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    let err = stderr(&o);
    assert_eq!(err.trim_end().lines().count(), 1, "one line: {err}");
    assert!(err.contains("SITES.toml:8: sites[0].owner_email:"), "{err}");
    assert!(o.stdout.is_empty());
    assert!(!dir.path().join("reports").exists(), "nothing written");
}

#[test]
fn bad_profile_is_exit_2_with_file_line_field() {
    let dir = tempfile::tempdir().unwrap();
    write_sites(dir.path(), &unreachable_sites(closed_port()));
    let national = include_str!("../rules/national-2019.toml");
    std::fs::write(
        dir.path().join("mine.toml"),
        national.replace("cap = 20", "cap = \"twenty\""),
    )
    .unwrap();
    let o = govaudit(
        &[
            "audit",
            "--config",
            "SITES.toml",
            "--profile",
            "mine.toml",
            "--out",
            "out",
        ],
        dir.path(),
    );
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    let err = stderr(&o);
    let line = national
        .lines()
        .position(|l| l.starts_with("cap = 20"))
        .unwrap()
        + 1;
    assert!(err.contains(&format!("mine.toml:{line}: cap:")), "{err}");
    assert_eq!(err.trim_end().lines().count(), 1, "{err}");
}

#[test]
fn unwritable_out_is_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    write_sites(dir.path(), &unreachable_sites(closed_port()));
    std::fs::write(dir.path().join("afile"), "x").unwrap();
    let o = govaudit(
        &["audit", "--config", "SITES.toml", "--out", "afile/sub"],
        dir.path(),
    );
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("afile"), "{}", stderr(&o));
}

#[test]
fn failing_audit_is_exit_1_writes_reports_and_lint_replays_it() {
    let dir = tempfile::tempdir().unwrap();
    write_sites(dir.path(), &unreachable_sites(closed_port()));
    let o = govaudit(
        &[
            "audit",
            "--config",
            "SITES.toml",
            "--as-of",
            "2026-11-26",
            "--profile",
            "city-strict",
            "--quiet",
        ],
        dir.path(),
    );
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(
        o.stdout.is_empty(),
        "stdout stays empty without --format json"
    );
    // Default out: reports/<as_of>/.
    let out = dir.path().join("reports/2026-11-26");
    for f in [
        "report.json",
        "report.html",
        "report.md",
        "findings.csv",
        "crawl/manifest.json",
    ] {
        assert!(out.join(f).is_file(), "{f}");
    }
    let mut audit: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("report.json")).unwrap()).unwrap();
    // The audit is recorded in reports/history.sqlite by default; lint is
    // not: the judgement is the same, the history annotations are the run's.
    assert!(dir.path().join("reports/history.sqlite").is_file());
    for f in audit["findings"].as_array_mut().unwrap() {
        let f = f.as_object_mut().unwrap();
        assert_eq!(f.remove("status").unwrap(), "new");
        assert_eq!(f.remove("first_seen").unwrap(), "2026-11-26");
    }
    assert_eq!(audit["sites"][0]["verdict"], "fail");
    assert_eq!(audit["sites"][0]["vetoes"][0], "site-unreachable");
    assert_eq!(audit["findings"][0]["rule"], "site-unreachable");
    assert!(audit["generated_at"].as_str().unwrap().ends_with("+08:00"));

    // lint on the snapshot: same findings, and --format json prints report.json.
    let o = govaudit(
        &[
            "lint",
            "--crawl",
            "reports/2026-11-26/crawl",
            "--as-of",
            "2026-11-26",
            "--out",
            "lint",
            "--format",
            "json",
        ],
        dir.path(),
    );
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let linted: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    // The snapshot remembers the audit's profile: lint scores with it too.
    assert_eq!(audit["profile"], "city-strict");
    assert_eq!(linted["profile"], audit["profile"]);
    assert_eq!(linted["findings"], audit["findings"]);
    assert_eq!(linted["sites"], audit["sites"]);
    let file: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.path().join("lint/report.json")).unwrap())
            .unwrap();
    assert_eq!(file["findings"], audit["findings"]);
}

#[test]
fn rules_command_documents_every_rule() {
    let dir = tempfile::tempdir().unwrap();
    let o = govaudit(&["rules"], dir.path());
    assert_eq!(o.status.code(), Some(0));
    let text = String::from_utf8(o.stdout).unwrap();
    for id in govaudit::rules::RULES.iter().map(|r| r.id()) {
        assert!(
            text.contains(&format!("\n# {id} — ")) || text.starts_with(&format!("# {id} — ")),
            "{id}"
        );
    }
    assert!(text.contains("What it checks"));
    let o = govaudit(&["rules", "column-stale"], dir.path());
    let text = String::from_utf8(o.stdout).unwrap();
    assert!(text.starts_with("# column-stale — 栏目不更新") && !text.contains("# typo"));
    let o = govaudit(&["rules", "no-such-rule"], dir.path());
    assert_eq!(o.status.code(), Some(2));
}

/// `govaudit rules` into a pipe whose reader has already gone: the first
/// write meets EPIPE, and the command ends quietly (exit 0, nothing on
/// stderr) instead of panicking with a backtrace.
#[test]
fn rules_into_a_closed_pipe_exits_quietly() {
    let (reader, writer) = std::io::pipe().unwrap();
    drop(reader);
    let o = Command::new(env!("CARGO_BIN_EXE_govaudit"))
        .arg("rules")
        .stdout(writer)
        .stderr(std::process::Stdio::piped())
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(stderr(&o), "");
}

/// The same through a shell pipeline, as a user types it.
#[test]
fn rules_piped_into_head_exits_quietly() {
    let o = Command::new("bash")
        .arg("-c")
        .arg(r#"set -o pipefail; "$0" rules | head -1"#)
        .arg(env!("CARGO_BIN_EXE_govaudit"))
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(stderr(&o), "");
    let out = String::from_utf8(o.stdout).unwrap();
    assert_eq!(out.lines().count(), 1, "{out}");
    assert!(out.starts_with("# "), "{out}");
}

/// The demo portal's clean sites pass (exit 0); adding its unreachable site
/// fails the audit (exit 1).
#[test]
fn passing_audit_is_exit_0_and_one_failing_site_makes_it_1() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/demo-portal");
    let rt = tokio::runtime::Runtime::new().unwrap();
    let server = rt
        .block_on(govaudit::serve::serve_dir(
            root,
            "127.0.0.1:0".parse().unwrap(),
        ))
        .unwrap();
    let base = server.addr();
    let dir = tempfile::tempdir().unwrap();
    let site = |id: &str, name: &str| {
        format!("[[sites]]\nid = \"{id}\"\nname = \"{name}\"\nurl = \"http://{base}/{id}/\"\n\n")
    };
    let head = "[crawl]\nper_host_concurrency = 4\nper_host_delay_ms = 0\n\n";
    write_sites(
        dir.path(),
        &format!(
            "{head}{}{}",
            site("fgj", "区发展和改革局"),
            site("rsj", "区人力资源和社会保障局")
        ),
    );
    let o = govaudit(
        &[
            "audit",
            "--config",
            "SITES.toml",
            "--as-of",
            "2026-11-26",
            "--out",
            "a",
            "--quiet",
        ],
        dir.path(),
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("2 sites: 2 pass, 0 fail"),
        "{}",
        stderr(&o)
    );
    write_sites(
        dir.path(),
        &format!(
            "{head}{}{}",
            site("fgj", "区发展和改革局"),
            site("sthj", "区生态环境分局")
        ),
    );
    let o = govaudit(
        &[
            "audit",
            "--config",
            "SITES.toml",
            "--as-of",
            "2026-11-26",
            "--out",
            "b",
            "--quiet",
        ],
        dir.path(),
    );
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    drop(server);
}

/// Rule settings beside a profile given as a path: a misspelt key or a
/// settings file whose name is no rule id stops the run with exit 2 and one
/// line naming the file.
#[test]
fn bad_rule_settings_beside_a_profile_are_exit_2_naming_the_file() {
    let dir = tempfile::tempdir().unwrap();
    write_sites(dir.path(), &unreachable_sites(closed_port()));
    std::fs::write(
        dir.path().join("mine.toml"),
        "name = \"mine\"\npass-mark = 60\n[deadlines]\nhomepage = 14\n",
    )
    .unwrap();
    let run = || {
        govaudit(
            &[
                "audit",
                "--config",
                "SITES.toml",
                "--profile",
                "mine.toml",
                "--out",
                "out",
            ],
            dir.path(),
        )
    };
    std::fs::write(
        dir.path().join("broken-link.toml"),
        "include_externl = false\n",
    )
    .unwrap();
    let o = run();
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    let err = stderr(&o);
    assert!(err.contains("broken-link.toml:1: include_externl"), "{err}");
    assert_eq!(err.trim_end().lines().count(), 1, "{err}");
    std::fs::rename(
        dir.path().join("broken-link.toml"),
        dir.path().join("brokenlink.toml"),
    )
    .unwrap();
    let o = run();
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    let err = stderr(&o);
    assert!(
        err.contains("brokenlink.toml") && err.contains("not a rule id"),
        "{err}"
    );
    // Named right, with a valid key, it is read: the profile runs (exit 1: the site is down).
    std::fs::remove_file(dir.path().join("brokenlink.toml")).unwrap();
    std::fs::write(
        dir.path().join("broken-link.toml"),
        "include_external = false\n",
    )
    .unwrap();
    let o = run();
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
}
