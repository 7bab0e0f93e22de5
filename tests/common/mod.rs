//! Helpers shared by the integration tests: run the real binary from the repository root.
#![allow(dead_code, unreachable_pub)]

use assert_cmd::Command;
use std::path::PathBuf;

pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

pub fn proplint() -> Command {
    let mut cmd = Command::cargo_bin("proplint").expect("binary builds");
    cmd.current_dir(root()).env("NO_COLOR", "1").env_remove("CLICOLOR_FORCE");
    cmd
}

/// Runs `proplint check --format json` with extra args and returns the parsed document.
pub fn check_json(args: &[&str]) -> (i32, serde_json::Value) {
    let out = proplint().arg("check").arg("--format").arg("json").args(args).output().expect("runs");
    let code = out.status.code().unwrap_or(-1);
    let doc =
        serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("stdout is JSON ({e}): {}", String::from_utf8_lossy(&out.stdout)));
    (code, doc)
}
