//! The systemd units in contrib/systemd (README "Scheduling"): every
//! ExecStart is a command line govaudit accepts, the audit service treats
//! exit 1 (a site fails) as success, and `systemd-analyze verify` finds
//! nothing to say about the units when it is installed (Debian's systemd).

use std::path::{Path, PathBuf};
use std::process::Command;

fn units() -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("contrib/systemd");
    let mut v: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| {
            matches!(
                p.extension().and_then(|e| e.to_str()),
                Some("service" | "timer")
            )
        })
        .collect();
    v.sort();
    v
}

const INSTALLED: &str = "/usr/local/bin/govaudit";

#[test]
fn exec_start_lines_are_valid_govaudit_commands() {
    let services: Vec<PathBuf> = units()
        .into_iter()
        .filter(|p| p.extension().unwrap() == "service")
        .collect();
    assert_eq!(services.len(), 2, "audit and probe services");
    for unit in services {
        let text = std::fs::read_to_string(&unit).unwrap();
        let exec = text
            .lines()
            .find_map(|l| l.strip_prefix("ExecStart="))
            .unwrap_or_else(|| panic!("{}: no ExecStart", unit.display()));
        let args: Vec<&str> = exec.split_whitespace().collect();
        assert_eq!(args[0], INSTALLED);
        // Point --config at a missing file: a command line govaudit accepts
        // then fails reading the config (exit 2), not parsing the flags.
        let args: Vec<String> = args[1..]
            .iter()
            .map(|a| {
                if a.ends_with("SITES.toml") {
                    "/nonexistent/SITES.toml".to_string()
                } else {
                    a.to_string()
                }
            })
            .collect();
        let dir = tempfile::tempdir().unwrap();
        let o = Command::new(env!("CARGO_BIN_EXE_govaudit"))
            .args(&args)
            .current_dir(dir.path())
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "{}: {stderr}", unit.display());
        assert!(
            stderr.contains("/nonexistent/SITES.toml") && stderr.contains("cannot read"),
            "{stderr}"
        );
        if args[0] == "audit" {
            assert!(
                text.lines().any(|l| l == "SuccessExitStatus=1"),
                "exit 1 is not a failed job"
            );
        }
    }
}

#[test]
fn systemd_analyze_verify_accepts_the_units() {
    let Ok(version) = Command::new("systemd-analyze").arg("--version").output() else {
        eprintln!("systemd-analyze not installed: unit verification skipped");
        return;
    };
    assert!(version.status.success());
    // Verify copies whose ExecStart is the binary just built (verify checks
    // that the executable exists).
    let dir = tempfile::tempdir().unwrap();
    let mut files = Vec::new();
    for unit in units() {
        let text = std::fs::read_to_string(&unit)
            .unwrap()
            .replace(INSTALLED, env!("CARGO_BIN_EXE_govaudit"));
        let copy = dir.path().join(unit.file_name().unwrap());
        std::fs::write(&copy, text).unwrap();
        files.push(copy);
    }
    let o = Command::new("systemd-analyze")
        .args(["verify", "--man=no"])
        .args(&files)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert!(o.status.success(), "{stderr}");
    // Unknown keys and bad values are only warnings: none may be printed.
    assert!(stderr.trim().is_empty(), "{stderr}");
}
