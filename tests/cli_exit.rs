//! Every exit-code path of `proplint check`: 0 when nothing reaches the failure threshold,
//! 1 for findings, 2 only when the tool or its input fails (usage, rule packs, no
//! proposals, an output file that cannot be written), never for findings.
//!
//! The format test pack (`tests/data/format-pack`) gives fixed findings per file:
//! `complete.md` none, `cameras-crlf.md` one warning, `placeholders.md` three warnings and
//! an error.

use assert_cmd::Command;
use serde_json::Value;
use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn pack_dir() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for (from, name) in [
        ("rules/language.toml", "language.toml"),
        ("rules/sections.toml", "sections.toml"),
        ("tests/data/format-pack/formats.toml", "formats.toml"),
    ] {
        std::fs::copy(root().join(from), dir.path().join(name)).unwrap();
    }
    dir
}

/// Exit code, stdout and stderr of `proplint check` with the format pack, run in `cwd`.
fn check_in(cwd: &Path, args: &[&str]) -> (i32, String, String) {
    let pack = pack_dir();
    let out = Command::cargo_bin("proplint")
        .unwrap()
        .current_dir(cwd)
        .env("NO_COLOR", "1")
        .args(["check", "--no-builtin-rules", "--rules", pack.path().to_str().unwrap()])
        .args(args)
        .output()
        .unwrap();
    (out.status.code().unwrap_or(-1), String::from_utf8_lossy(&out.stdout).into_owned(), String::from_utf8_lossy(&out.stderr).into_owned())
}

fn code(args: &[&str]) -> i32 {
    check_in(&root(), args).0
}

const CLEAN: &str = "tests/data/formats/complete.md";
const ONE_WARNING: &str = "tests/data/formats/cameras-crlf.md";
const ERRORS: &str = "tests/data/formats/placeholders.md";

#[test]
fn clean_and_below_threshold_exit_0() {
    assert_eq!(code(&[CLEAN]), 0);
    assert_eq!(code(&[ONE_WARNING]), 0, "warnings do not fail by default");
    assert_eq!(code(&["--fail-on", "never", ERRORS]), 0);
}

#[test]
fn findings_at_or_above_fail_on_exit_1() {
    assert_eq!(code(&[ERRORS]), 1);
    assert_eq!(code(&["--fail-on", "error", ERRORS]), 1);
    assert_eq!(code(&["--fail-on", "warning", ONE_WARNING]), 1);
    assert_eq!(code(&["--fail-on", "info", ONE_WARNING]), 1);
    assert_eq!(code(&["--fail-on", "warning", CLEAN]), 0);
}

#[test]
fn max_warnings_fails_only_above_the_limit() {
    assert_eq!(code(&["--max-warnings", "1", ONE_WARNING]), 0);
    assert_eq!(code(&["--max-warnings", "0", ONE_WARNING]), 1);
    assert_eq!(code(&["--fail-on", "never", "--max-warnings", "2", ERRORS]), 1, "three warnings");
    assert_eq!(code(&["--fail-on", "never", "--max-warnings", "3", ERRORS]), 0);
}

#[test]
fn exit_zero_overrides_findings_but_not_failures() {
    assert_eq!(code(&["--exit-zero", ERRORS]), 0);
    assert_eq!(code(&["--exit-zero", "--fail-on", "info", "--max-warnings", "0", ERRORS]), 0);
    let empty = tempfile::tempdir().unwrap();
    assert_eq!(check_in(empty.path(), &["--exit-zero", "."]).0, 2, "no proposals is still a failure");
}

#[test]
fn a_file_the_tool_cannot_read_is_a_finding_not_a_failure() {
    // README: a broken file gets a diagnostic and the run goes on.
    assert_eq!(code(&["fixtures/edge/invalid.toml", CLEAN]), 1);
    assert_eq!(code(&["--exit-zero", "fixtures/edge/invalid.toml"]), 0);
}

#[test]
fn quiet_and_statistics_keep_the_exit_code() {
    assert_eq!(code(&["--quiet", ERRORS]), 1);
    assert_eq!(code(&["--statistics", ERRORS]), 1);
    assert_eq!(code(&["--quiet", CLEAN]), 0);
}

#[test]
fn sarif_records_the_exit_code() {
    for (args, expected) in [(vec![ERRORS], 1), (vec!["--exit-zero", ERRORS], 0), (vec![CLEAN], 0)] {
        let mut all = vec!["--format", "sarif"];
        all.extend(args);
        let (exit, stdout, _) = check_in(&root(), &all);
        let doc: Value = serde_json::from_str(&stdout).unwrap();
        assert_eq!(doc["runs"][0]["invocations"][0]["exitCode"], expected);
        assert_eq!(exit, expected);
    }
}

#[test]
fn no_proposals_found_exits_2() {
    let empty = tempfile::tempdir().unwrap();
    std::fs::write(empty.path().join("notes.txt"), "not a proposal").unwrap();
    let (exit, _, stderr) = check_in(empty.path(), &["."]);
    assert_eq!(exit, 2);
    assert!(stderr.contains("no proposals found"), "{stderr}");
}

#[test]
fn skip_non_proposals_is_for_tools_that_pass_every_file() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("pyproject.toml"), "[project]\nname = \"x\"\n").unwrap();
    std::fs::copy(root().join(ERRORS), dir.path().join("p.md")).unwrap();
    // Named explicitly, a non-proposal TOML file is a finding (PL006)...
    let (exit, stdout, _) = check_in(dir.path(), &["--format", "concise", "pyproject.toml"]);
    assert_eq!(exit, 1);
    assert!(stdout.contains("PL006"), "{stdout}");
    // ...unless the caller says it passes every file; with nothing left, that is clean.
    assert_eq!(check_in(dir.path(), &["--skip-non-proposals", "pyproject.toml"]).0, 0);
    assert_eq!(check_in(dir.path(), &["--skip-non-proposals", "pyproject.toml", "p.md"]).0, 1);
}

#[test]
fn broken_rule_packs_exit_2() {
    let pack = pack_dir();
    std::fs::write(pack.path().join("broken.toml"), "[pack]\nprefix = \"BRK\"\n[[rule]]\nid = \"BRK-001\"\n").unwrap();
    let out = Command::cargo_bin("proplint")
        .unwrap()
        .current_dir(root())
        .args(["check", "--no-builtin-rules", "--rules", pack.path().to_str().unwrap(), "--exit-zero", CLEAN])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let missing =
        Command::cargo_bin("proplint").unwrap().current_dir(root()).args(["check", "--rules", "no/such/dir", CLEAN]).output().unwrap();
    assert_eq!(missing.status.code(), Some(2));
}

#[test]
fn usage_errors_exit_2() {
    let cases: [&[&str]; 8] = [
        &["--format", "nonsense", CLEAN],
        &["--format", "sarif", "--format", "json", CLEAN],
        &["--format", "sarif=", CLEAN],
        &["--format", "sarif=a.sarif", "--format", "junit=a.sarif", CLEAN],
        &["--format", "sarif", "--format", "junit=x.xml", "-o", "y", CLEAN],
        &["--format", "sarif=x.sarif", "-o", "y", CLEAN],
        &["--max-warnings", "many", CLEAN],
        &["--no-such-flag", CLEAN],
    ];
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(root().join(CLEAN), dir.path().join("complete.md")).unwrap();
    for args in cases {
        let args: Vec<&str> = args.iter().map(|a| if *a == CLEAN { "complete.md" } else { a }).collect();
        let (exit, _, stderr) = check_in(dir.path(), &args);
        assert_eq!(exit, 2, "{args:?}: {stderr}");
        assert!(!stderr.is_empty(), "{args:?} says why");
    }
    let mut names: Vec<String> =
        std::fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
    names.sort();
    assert_eq!(names, ["complete.md"], "a usage error writes no file");
}

#[test]
fn an_output_file_that_cannot_be_written_exits_2() {
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("missing-folder/out.sarif");
    let good = dir.path().join("out.xml");
    let (exit, _, stderr) = check_in(
        &root(),
        &["--exit-zero", "--format", &format!("sarif={}", bad.display()), "--format", &format!("junit={}", good.display()), CLEAN],
    );
    assert_eq!(exit, 2, "{stderr}");
    assert!(stderr.contains("cannot write sarif output"), "{stderr}");
    assert!(good.exists(), "the other outputs are still written");
}

#[test]
fn standard_input_is_linted() {
    let pack = pack_dir();
    let run = |text: &str| {
        Command::cargo_bin("proplint")
            .unwrap()
            .current_dir(root())
            .args(["check", "--no-builtin-rules", "--rules", pack.path().to_str().unwrap(), "--stdin-filename", "p.md", "-"])
            .write_stdin(text)
            .output()
            .unwrap()
            .status
            .code()
    };
    assert_eq!(run(&std::fs::read_to_string(root().join(CLEAN)).unwrap()), Some(0));
    assert_eq!(run(&std::fs::read_to_string(root().join(ERRORS)).unwrap()), Some(1));
}

/// The real `pre-commit` tool runs the hook from `.pre-commit-hooks.yaml` against a
/// throwaway repository, building proplint with `pre-commit try-repo` from a snapshot of
/// this checkout (tracked and untracked files, as on disk: try-repo on the checkout itself
/// would leave out untracked files). Offline: cargo uses the crates fetched for this build.
#[test]
fn pre_commit_hook_fails_and_passes() {
    let works =
        |cmd: &[&str]| std::process::Command::new(cmd[0]).args(&cmd[1..]).arg("--version").output().is_ok_and(|o| o.status.success());
    // pip may put the script outside PATH; the module always runs.
    let pre_commit: &[&str] = if works(&["pre-commit"]) { &["pre-commit"] } else { &["python3", "-m", "pre_commit"] };
    let listed = std::process::Command::new("git").args(["ls-files", "-z", "-co", "--exclude-standard"]).current_dir(root()).output();
    let listed = listed.ok().filter(|o| o.status.success());
    let (true, Some(listed)) = (works(pre_commit), listed) else {
        // .ci/run installs pre-commit, so CI never skips.
        assert!(std::env::var_os("CI").is_none(), "pre-commit, git and a git checkout are needed in CI");
        eprintln!("skipped: pre-commit, git or a git checkout is missing");
        return;
    };
    let work = tempfile::tempdir().unwrap();
    let git = |dir: &Path, args: &[&str]| {
        let out = std::process::Command::new("git")
            .args(["-c", "user.name=proplint tests", "-c", "user.email=tests@invalid", "-c", "commit.gpgsign=false"])
            .args(args)
            .current_dir(dir)
            .output()
            .unwrap();
        assert!(out.status.success(), "git {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    };
    let hook_repo = work.path().join("proplint");
    for name in listed.stdout.split(|b| *b == 0).filter(|n| !n.is_empty()) {
        let name = std::str::from_utf8(name).unwrap();
        let (from, to) = (root().join(name), hook_repo.join(name));
        if from.is_file() {
            std::fs::create_dir_all(to.parent().unwrap()).unwrap();
            std::fs::copy(from, to).unwrap();
        }
    }
    git(&hook_repo, &["init", "-q"]);
    git(&hook_repo, &["add", "-A"]);
    git(&hook_repo, &["commit", "-q", "-m", "snapshot"]);
    let repo = work.path().join("proposals");
    std::fs::create_dir(&repo).unwrap();
    git(&repo, &["init", "-q"]);
    std::fs::copy(root().join(ERRORS), repo.join("failing.md")).unwrap();
    std::fs::copy(root().join("fixtures/proposals/adult-social-care-case-management.md"), repo.join("passing.md")).unwrap();
    std::fs::write(repo.join("README.md"), "# Proposals\n").unwrap();
    std::fs::write(repo.join("pyproject.toml"), "[project]\nname = \"x\"\n").unwrap();
    git(&repo, &["add", "."]);
    let try_repo = |files: &[&str]| {
        let out = std::process::Command::new(pre_commit[0])
            .args(&pre_commit[1..])
            .args(["try-repo", hook_repo.to_str().unwrap(), "proplint", "--files"])
            .args(files)
            .current_dir(&repo)
            .env("PRE_COMMIT_HOME", work.path().join("cache"))
            .env("CARGO_NET_OFFLINE", "true")
            .env("CARGO_TARGET_DIR", root().join("target/pre-commit"))
            // A quick release build: the hook is run, not measured.
            .env("CARGO_PROFILE_RELEASE_LTO", "false")
            .env("CARGO_PROFILE_RELEASE_CODEGEN_UNITS", "16")
            .env("CARGO_PROFILE_RELEASE_OPT_LEVEL", "1")
            .env("CARGO_PROFILE_RELEASE_DEBUG", "false")
            .output()
            .unwrap();
        let text = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
        (out.status.code(), text)
    };
    // A proposal that meets every error-level rule; README.md and pyproject.toml are not proposals.
    let (code, text) = try_repo(&["passing.md", "README.md", "pyproject.toml"]);
    assert_eq!(code, Some(0), "{text}");
    assert!(text.contains("Passed"), "{text}");
    let (code, text) = try_repo(&["failing.md", "passing.md"]);
    assert_eq!(code, Some(1), "{text}");
    assert!(text.contains("Failed") && text.contains("failing.md:") && text.contains("error["), "{text}");
}
