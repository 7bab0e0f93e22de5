//! The HTML report in a real browser: Chromium opens it from a file as a board member would,
//! with no console error, network request, dialog or injected script, and axe-core finds no
//! WCAG 2.2 A or AA violation (see `tests/browser/check-report.mjs`). Ignored by default:
//! `.ci/run` installs Chromium and the npm packages, then runs it.
//! `PROPLINT_SCREENSHOT=docs/report.png` also refreshes the README's screenshot.

mod common;
use std::path::Path;
use std::process::Command;

fn report(paths: &[&str], to: &Path) {
    let out = Command::new(env!("CARGO_BIN_EXE_proplint"))
        .current_dir(common::root())
        .args(["check", "--format"])
        .arg(format!("html={}", to.display()))
        .args(paths)
        .output()
        .expect("proplint runs");
    assert!(matches!(out.status.code(), Some(0 | 1)), "{}", String::from_utf8_lossy(&out.stderr));
}

fn check_in_browser(report: &Path, screenshot: Option<&std::ffi::OsStr>) {
    let mut cmd = Command::new("node");
    cmd.current_dir(common::root()).arg("tests/browser/check-report.mjs").arg(report);
    if let Some(shot) = screenshot {
        cmd.arg("--screenshot").arg(shot);
    }
    let out = cmd.output().expect("node runs (install Node.js)");
    let (stdout, stderr) = (String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    println!("{stdout}");
    assert!(out.status.success(), "{stdout}\n{stderr}");
}

#[test]
#[ignore = "needs Chromium and `npm ci --prefix tests/browser`; run by .ci/run"]
fn the_report_in_chromium() {
    let modules = common::root().join("tests/browser/node_modules");
    assert!(modules.join("playwright-core").is_dir() && modules.join("axe-core").is_dir(), "run `npm ci --prefix tests/browser` first");
    let dir = tempfile::tempdir().unwrap();
    let all = dir.path().join("report.html");
    report(&["fixtures/proposals", "fixtures/html/injection.md"], &all);
    check_in_browser(&all, None);
    // The README's screenshot shows the example proposals without the injection fixture.
    if let Some(shot) = std::env::var_os("PROPLINT_SCREENSHOT") {
        let examples = dir.path().join("examples.html");
        report(&["fixtures/proposals"], &examples);
        check_in_browser(&examples, Some(&shot));
    }
}
