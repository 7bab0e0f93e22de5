//! Configuration, inline suppressions, governed waivers and baselines, each exercised in
//! a throwaway directory with the real binary.

mod common;
use serde_json::Value;
use std::path::Path;

const PROPOSAL: &str = "+++\n[proposal]\ntitle = \"Resident account\"\nstage = \"beta\"\n+++\n\n# Resident account\n\n## Summary\n\nResidents will sign in to see their council tax balance. The budget is TBC.\n\n## Data protection\n\nThe account holds names, addresses and account numbers. We will consider a DPIA if required.\n";

fn write(dir: &Path, name: &str, text: &str) {
    let path = dir.join(name);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

/// Runs `proplint check --format json ARGS` in `dir`; returns exit code, document, stderr.
fn run(dir: &Path, args: &[&str]) -> (i32, Value, String) {
    let out = assert_cmd::Command::cargo_bin("proplint")
        .unwrap()
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .arg("check")
        .arg("--format")
        .arg("json")
        .args(args)
        .output()
        .unwrap();
    let doc = serde_json::from_slice(&out.stdout).unwrap_or(Value::Null);
    (out.status.code().unwrap_or(-1), doc, String::from_utf8_lossy(&out.stderr).into_owned())
}

fn rules_for(doc: &Value, path: &str) -> Vec<String> {
    doc["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["path"] == path && d["waived"].is_null())
        .map(|d| d["rule"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn closest_config_wins_and_selectors_take_every_form() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "proplint.toml", "ignore = [\"GOV\", \"cyber-resilient\"]\n");
    write(dir.path(), "team/proplint.toml", "select = [\"ETH-002\", \"placeholder-text\"]\n");
    write(dir.path(), "a.md", PROPOSAL);
    write(dir.path(), "team/b.md", PROPOSAL);
    let (_, doc, err) = run(dir.path(), &["."]);
    let a = rules_for(&doc, "a.md");
    assert!(!a.is_empty(), "{err}");
    assert!(a.iter().all(|r| !r.starts_with("GOV") && !r.starts_with("CYB")), "{a:?}");
    let mut b = rules_for(&doc, "team/b.md");
    b.sort();
    b.dedup();
    assert_eq!(b, vec!["ETH-002", "GOV-002"], "select by id and by name");
    // Command-line --select replaces the files' selection; --ignore removes.
    let (_, doc, _) = run(dir.path(), &["--select", "ethical", "--ignore", "ETH-002", "."]);
    let a = rules_for(&doc, "a.md");
    assert!(!a.is_empty() && a.iter().all(|r| r.starts_with("ETH") && r != "ETH-002"), "{a:?}");
    // --no-config ignores both files.
    let (_, doc, _) = run(dir.path(), &["--no-config", "."]);
    assert!(rules_for(&doc, "a.md").iter().any(|r| r.starts_with("GOV")));
}

#[test]
fn severity_overrides_and_stage_defaults_apply() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "proplint.toml", "select = [\"GOV-002\"]\n[severity]\n\"GOV-002\" = \"info\"\n");
    write(dir.path(), "a.md", PROPOSAL);
    let (code, doc, _) = run(dir.path(), &["."]);
    assert_eq!(code, 0, "an info finding does not fail the run");
    assert!(doc["diagnostics"].as_array().unwrap().iter().all(|d| d["severity"] == "info"));
}

#[test]
fn bad_config_is_reported_with_its_span() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "proplint.toml", "select = [\"ETH\"]\nselekt = []\n");
    write(dir.path(), "a.md", PROPOSAL);
    let (code, _, err) = run(dir.path(), &["."]);
    assert_eq!(code, 2);
    assert!(err.contains("unknown field `selekt`") && err.contains("proplint.toml:2:1"), "{err}");
    write(dir.path(), "proplint.toml", "ignore = [\"NOPE-001\"]\nstage = \"gamma\"\n");
    let (code, _, err) = run(dir.path(), &["."]);
    assert_eq!(code, 2);
    assert!(err.contains("unknown stage `gamma`"), "{err}");
    write(dir.path(), "proplint.toml", "ignore = [\"NOPE-001\"]\n");
    let (code, _, err) = run(dir.path(), &["."]);
    assert_eq!(code, 2);
    assert!(err.contains("`NOPE-001` selects no rule") && err.contains("proplint.toml:1:11"), "{err}");
}

#[test]
fn include_and_exclude_filter_discovery() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "proplint.toml", "exclude = [\"archive/**\"]\n");
    write(dir.path(), "a.md", PROPOSAL);
    write(dir.path(), "archive/old.md", PROPOSAL);
    let (_, doc, _) = run(dir.path(), &["."]);
    let files: Vec<&str> = doc["files"].as_array().unwrap().iter().map(|f| f["path"].as_str().unwrap()).collect();
    assert_eq!(files, vec!["a.md"]);
}

#[test]
fn markdown_directives_suppress_and_report_themselves() {
    let dir = tempfile::tempdir().unwrap();
    let text = PROPOSAL
        .replace("## Data protection\n", "## Data protection\n\n<!-- proplint-disable ETH-002 -- screening booked for 3 March with the DPO -->\n")
        .replace("The budget is TBC.", "<!-- proplint-disable-next-line GOV-002 -->\nThe budget is TBC.")
        + "\n<!-- proplint-disable-file SUS-008 -- the proposal is not in Wales -->\n\n```\n<!-- proplint-disable-file ETH -- inside code: not a directive -->\n```\n";
    write(dir.path(), "a.md", &text);
    let (_, doc, err) = run(dir.path(), &["a.md"]);
    let rules = rules_for(&doc, "a.md");
    assert!(!rules.contains(&"ETH-002".to_string()), "section directive: {rules:?} {err}");
    assert!(!rules.contains(&"GOV-002".to_string()), "next-line directive: {rules:?}");
    assert!(rules.contains(&"PL201".to_string()), "a directive without a reason is a finding: {rules:?}");
    assert!(rules.contains(&"PL202".to_string()), "a directive that silences nothing is a finding: {rules:?}");
    assert!(rules.iter().any(|r| r.starts_with("ETH-0") && r != "ETH-002"), "the code block directive does nothing: {rules:?}");
}

#[test]
fn toml_comment_directives_cover_the_next_table() {
    let dir = tempfile::tempdir().unwrap();
    let form = "[proposal]\ntitle = \"Resident account\"\nstage = \"beta\"\n\n[sections.summary]\nbody = '''\nResidents will sign in to see their council tax balance.\n'''\n\n# proplint-disable GOV-002 -- the figure comes from the budget-setting meeting\n[sections.costs]\nbody = '''\nThe budget is TBC.\n'''\n";
    write(dir.path(), "a.toml", form);
    let (_, doc, _) = run(dir.path(), &["a.toml"]);
    let rules = rules_for(&doc, "a.toml");
    assert!(!rules.contains(&"GOV-002".to_string()) && !rules.contains(&"PL202".to_string()), "{rules:?}");
}

#[test]
fn waivers_in_the_proposal_and_the_register() {
    let dir = tempfile::tempdir().unwrap();
    let waiver = "[[waivers]]\nrule = \"ETH-002\"\nreason = \"The board accepted the DPIA after procurement, minute DA-2026-14.\"\napproved_by = \"Digital Design Authority\"\nexpires = 2099-12-31\n";
    write(dir.path(), "a.md", &PROPOSAL.replace("stage = \"beta\"\n", &format!("stage = \"beta\"\n\n{waiver}")));
    let (code, doc, _) = run(dir.path(), &["--select", "ETH-002", "a.md"]);
    assert_eq!(code, 0, "a waived finding does not fail the run: {doc}");
    let waived: Vec<&Value> = doc["diagnostics"].as_array().unwrap().iter().filter(|d| !d["waived"].is_null()).collect();
    assert_eq!(waived.len(), 1);
    assert_eq!(waived[0]["waived"]["approved_by"], "Digital Design Authority");
    assert_eq!(doc["summary"]["waived"], 1);
    // Expired, unknown rule, and unused waivers are findings.
    let bad = "[[waivers]]\nrule = \"ETH-002\"\nreason = \"Accepted until the supplier is chosen by the board.\"\napproved_by = \"DA\"\nexpires = 2020-01-01\n\n[[waivers]]\nrule = \"XYZ-001\"\nreason = \"A waiver naming a rule that does not exist.\"\napproved_by = \"DA\"\n\n[[waivers]]\nrule = \"SUS-005\"\nreason = \"Nothing of this rule fires on the proposal at all.\"\napproved_by = \"DA\"\n";
    write(dir.path(), "b.md", &PROPOSAL.replace("stage = \"beta\"\n", &format!("stage = \"beta\"\n\n{bad}")));
    let (code, doc, _) = run(dir.path(), &["--select", "ETH-002,SUS-005", "b.md"]);
    assert_eq!(code, 1);
    let rules = rules_for(&doc, "b.md");
    for expected in ["PL203", "PL205", "PL204", "ETH-002"] {
        assert!(rules.contains(&expected.to_string()), "{expected} in {rules:?}");
    }
    // A register waiver beside proplint.toml, matched by glob.
    write(dir.path(), "proplint.toml", "select = [\"ETH-002\"]\n");
    write(dir.path(), "waivers.toml", &format!("{}files = [\"c*.md\"]\n", waiver));
    write(dir.path(), "c.md", PROPOSAL);
    let (code, doc, _) = run(dir.path(), &["c.md"]);
    assert_eq!(code, 0, "{doc}");
    assert!(doc["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .any(|d| d["waived"]["source"].as_str().is_some_and(|s| s.starts_with("register"))));
}

#[test]
fn baselines_hold_old_findings_by_fingerprint_not_line() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "a.md", PROPOSAL);
    let (code, _, err) = run(dir.path(), &["--write-baseline", "baseline.json", "a.md"]);
    assert_eq!(code, 1);
    assert!(err.contains("wrote"), "{err}");
    let (code, doc, _) = run(dir.path(), &["--baseline", "baseline.json", "a.md"]);
    assert_eq!(code, 0, "{doc}");
    assert!(doc["diagnostics"].as_array().unwrap().is_empty(), "{doc}");
    // A line inserted above the findings moves them, but they stay baselined.
    write(dir.path(), "a.md", &PROPOSAL.replace("## Summary\n", "## Summary\n\nA new opening paragraph that moves every line down.\n"));
    let (code, doc, _) = run(dir.path(), &["--baseline", "baseline.json", "a.md"]);
    assert_eq!(code, 0, "{doc}");
    // Fixing one finding leaves a stale entry, reported and then pruned.
    write(dir.path(), "a.md", &PROPOSAL.replace("The budget is TBC.", "The budget is £40,000."));
    let (_, _, err) = run(dir.path(), &["--baseline", "baseline.json", "a.md"]);
    assert!(err.contains("no longer match"), "{err}");
    let before = std::fs::read_to_string(dir.path().join("baseline.json")).unwrap();
    let (_, _, err) = run(dir.path(), &["--baseline", "baseline.json", "--prune-baseline", "a.md"]);
    assert!(err.contains("removed"), "{err}");
    let after = std::fs::read_to_string(dir.path().join("baseline.json")).unwrap();
    assert!(after.len() < before.len());
}

/// A waiver register beside `proplint.toml`, proposals in a folder below: the run streams
/// a chunk of files at a time, and the register's findings come last, as the whole run's
/// sort puts them. A waiver that only the last file uses is not reported unused.
#[test]
fn register_findings_come_after_every_proposal_of_a_large_run() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "proplint.toml", "select = [\"ETH-002\", \"SUS-005\"]\n");
    let waiver = |rule: &str, files: &str| {
        format!("[[waivers]]\nrule = \"{rule}\"\nreason = \"The board accepted this gap for the pilot, minute DA-2026-14.\"\napproved_by = \"Digital Design Authority\"\nexpires = 2099-12-31\nfiles = [\"{files}\"]\n\n")
    };
    let register = waiver("ETH-002", "proposals/p099.md") + &waiver("SUS-005", "proposals/*.md") + &waiver("XYZ-001", "proposals/*.md");
    write(dir.path(), "waivers.toml", &register);
    for i in 0..100 {
        write(dir.path(), &format!("proposals/p{i:03}.md"), PROPOSAL);
    }
    let (code, doc, err) = run(dir.path(), &["proposals"]);
    assert_eq!(code, 1, "{err}");
    let diags = doc["diagnostics"].as_array().unwrap();
    let paths: Vec<&str> = diags.iter().map(|d| d["path"].as_str().unwrap()).collect();
    let first_register = paths.iter().position(|p| p.ends_with("waivers.toml")).expect("register findings");
    assert!(paths[first_register..].iter().all(|p| p.ends_with("waivers.toml")), "{paths:?}");
    let register_rules: Vec<&str> = diags[first_register..].iter().map(|d| d["rule"].as_str().unwrap()).collect();
    assert_eq!(register_rules, ["PL204", "PL205"], "only the SUS-005 waiver is unused; XYZ-001 is unknown");
    let waived: Vec<&str> = diags.iter().filter(|d| !d["waived"].is_null()).map(|d| d["path"].as_str().unwrap()).collect();
    assert_eq!(waived, ["proposals/p099.md"]);
}

/// Two identical findings in one section make two identical entries: fixing one prunes
/// one entry, and the other finding stays held.
#[test]
fn pruning_removes_only_the_entry_of_the_fixed_finding() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "a.md", "# Booking\n\n## Summary\n\nThe cost is TBC. The start date is TBC.\n");
    let (code, all, _) = run(dir.path(), &["--write-baseline", "baseline.json", "a.md"]);
    assert_eq!(code, 1);
    let placeholders =
        |doc: &Value| doc["diagnostics"].as_array().unwrap().iter().filter(|d| d["message"].as_str().unwrap().contains("'TBC'")).count();
    assert_eq!(placeholders(&all), 2, "{all}");
    write(dir.path(), "a.md", "# Booking\n\n## Summary\n\nThe cost is £4,000. The start date is TBC.\n");
    let (_, _, err) = run(dir.path(), &["--baseline", "baseline.json", "--prune-baseline", "a.md"]);
    assert!(err.contains("removed 1 fixed entry"), "{err}");
    let (_, doc, _) = run(dir.path(), &["--baseline", "baseline.json", "a.md"]);
    assert_eq!(placeholders(&doc), 0, "the unfixed placeholder is still held: {doc}");
}

/// Runs over many files are linted and written a chunk at a time: a baseline recorded
/// and applied that way holds every file's findings, and `--statistics` counts them all.
#[test]
fn baselines_and_statistics_cover_every_chunk_of_a_large_run() {
    let dir = tempfile::tempdir().unwrap();
    for i in 0..100 {
        write(dir.path(), &format!("p{i:03}.md"), PROPOSAL);
    }
    let (code, all, err) = run(dir.path(), &["--write-baseline", "baseline.json", "."]);
    assert_eq!(code, 1);
    let findings = all["diagnostics"].as_array().unwrap().len();
    assert!(err.contains(&format!("wrote {findings} entries")), "{err}");
    let (code, doc, _) = run(dir.path(), &["--baseline", "baseline.json", "."]);
    assert_eq!(code, 0, "{doc}");
    assert!(doc["diagnostics"].as_array().unwrap().is_empty());
    // A new finding in the last file is the only one reported; the first file's fixed
    // finding is the only stale entry.
    write(dir.path(), "p099.md", &PROPOSAL.replace("## Summary\n", "## Summary\n\nOwner: TBC.\n"));
    write(dir.path(), "p000.md", &PROPOSAL.replace("The budget is TBC.", "The budget is £40,000."));
    let (code, doc, err) = run(dir.path(), &["--baseline", "baseline.json", "."]);
    assert_eq!(code, 1, "{doc}");
    let paths: Vec<&str> = doc["diagnostics"].as_array().unwrap().iter().map(|d| d["path"].as_str().unwrap()).collect();
    assert!(!paths.is_empty() && paths.iter().all(|p| p.ends_with("p099.md")), "{paths:?}");
    assert!(err.contains("1 baseline entry no longer match"), "{err}");
    let stats =
        assert_cmd::Command::cargo_bin("proplint").unwrap().current_dir(dir.path()).args(["check", "--statistics", "."]).output().unwrap();
    let total: usize =
        String::from_utf8_lossy(&stats.stdout).lines().filter_map(|l| l.split_whitespace().next()?.parse::<usize>().ok()).sum();
    let (_, now, _) = run(dir.path(), &["."]);
    let open = now["diagnostics"].as_array().unwrap().iter().filter(|d| d["waived"].is_null()).count();
    assert_eq!(total, open);
}

#[test]
fn config_command_says_where_each_value_came_from() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "proplint.toml", "ignore = [\"GOV\"]\nstage = \"alpha\"\n[severity]\n\"SUS-005\" = \"error\"\n");
    write(dir.path(), "a.md", PROPOSAL);
    let out = assert_cmd::Command::cargo_bin("proplint").unwrap().current_dir(dir.path()).args(["config", "a.md"]).output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{text}");
    assert!(text.contains("config: proplint.toml"), "{text}");
    assert!(text.contains("ignore: GOV (proplint.toml:1)"), "{text}");
    assert!(text.contains("stage default: alpha (proplint.toml:2)"), "{text}");
    assert!(text.contains("severity: SUS-005 = error"), "{text}");
}
