//! The progress bar: on a terminal for long runs, never when standard error is not a
//! terminal, never with --quiet. `script` (util-linux, on every Debian) gives a terminal.

mod common;

use std::path::Path;
use std::process::Command;

fn many_files(dir: &Path, n: usize) {
    for i in 0..n {
        std::fs::write(dir.join(format!("p{i:04}.md")), format!("# Proposal {i}\n\n## Summary\n\nA small change.\n")).unwrap();
    }
}

/// Runs proplint under a pseudo-terminal and returns what the terminal showed.
fn on_a_terminal(args: &str) -> String {
    let bin = env!("CARGO_BIN_EXE_proplint");
    let out = Command::new("script")
        .args(["-qec", &format!("{bin} check --no-config --format concise {args} > /dev/null"), "/dev/null"])
        .env("NO_COLOR", "1")
        .output()
        .expect("`script` from util-linux runs");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn a_long_run_shows_progress_only_on_a_terminal_and_never_with_quiet() {
    let dir = tempfile::tempdir().unwrap();
    let n = proplint::check::PROGRESS_MIN_FILES + 10;
    many_files(dir.path(), n);
    let path = dir.path().to_str().unwrap();

    let shown = on_a_terminal(path);
    assert!(shown.contains(&format!("/{n} files")), "no progress bar on a terminal: {shown:?}");
    assert!(!on_a_terminal(&format!("--quiet {path}")).contains("files ["), "progress bar despite --quiet");

    let piped = common::proplint().args(["check", "--no-config", "--format", "concise", path]).output().unwrap();
    let stderr = String::from_utf8_lossy(&piped.stderr);
    assert!(!stderr.contains("files ["), "progress bar on a pipe: {stderr}");
}

#[test]
fn a_short_run_shows_no_progress() {
    let dir = tempfile::tempdir().unwrap();
    many_files(dir.path(), 3);
    let shown = on_a_terminal(dir.path().to_str().unwrap());
    assert!(!shown.contains("files ["), "{shown:?}");
}
