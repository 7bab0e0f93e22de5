//! Every rule's examples and fixtures, run through that rule alone: a failing case must
//! produce the rule's id, a passing one must not. Also: every rule has both fixtures, and
//! the embedded pack list matches `rules/*.toml`.

mod common;
use proplint::rules::{self, RuleSources, BUILTIN};
use proplint::source::SourceDb;

fn builtin() -> rules::RuleSet {
    let mut db = SourceDb::default();
    rules::load(&RuleSources::default(), &mut db).unwrap_or_else(|d| panic!("built-in packs load: {d:#?}"))
}

#[test]
fn every_example_and_fixture_behaves() {
    let set = builtin();
    let (cases, failures) = proplint::selftest::run(&set, &common::root().join("fixtures/rules"), None);
    let report: Vec<String> = failures.iter().map(|f| format!("{} {}: {}", f.rule, f.case, f.problem)).collect();
    assert!(failures.is_empty(), "{} of {cases} cases failed:\n{}", failures.len(), report.join("\n"));
    assert!(cases >= set.rules.len() * 4, "expected at least four cases a rule, ran {cases}");
}

#[test]
fn every_rule_has_a_failing_and_a_passing_fixture() {
    let set = builtin();
    let mut missing = Vec::new();
    for rule in &set.rules {
        let dir = common::root().join("fixtures/rules").join(&rule.id);
        let names: Vec<String> = std::fs::read_dir(&dir)
            .map(|d| d.filter_map(Result::ok).map(|e| e.file_name().to_string_lossy().into_owned()).collect())
            .unwrap_or_default();
        for kind in ["fail", "pass"] {
            if !names.iter().any(|n| n.starts_with(kind)) {
                missing.push(format!("{}/{kind}.*", rule.id));
            }
        }
    }
    assert!(missing.is_empty(), "fixtures missing: {missing:?}");
}

#[test]
fn embedded_packs_are_exactly_the_rule_files() {
    let mut on_disk: Vec<String> = std::fs::read_dir(common::root().join("rules"))
        .unwrap()
        .filter_map(Result::ok)
        .map(|e| format!("rules/{}", e.file_name().to_string_lossy()))
        .filter(|p| p.ends_with(".toml"))
        .collect();
    on_disk.sort();
    let mut embedded: Vec<String> = BUILTIN.iter().map(|(p, _)| (*p).to_string()).collect();
    embedded.sort();
    assert_eq!(embedded, on_disk);
    for (path, text) in BUILTIN {
        assert_eq!(std::fs::read_to_string(common::root().join(path)).unwrap(), *text, "{path} is stale in the binary");
    }
}

#[test]
fn a_bad_pack_is_reported_with_its_span() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("bad.toml"),
        "[pack]\nprinciple = \"ethical\"\nprefix = \"BAD\"\n\n[[rule]]\nid = \"BAD-001\"\nname = \"bad-regex\"\nseverity = \"loud\"\ncheck = \"forbid\"\nmessage = \"m\"\nwhy = \"w\"\nhelp = \"h\"\npatterns = ['(unclosed', '\\\\bfor ever\\\\b']\nreplace = \"say \\\"when\\\"\"\nsections = [\"nowhere\"]\n",
    )
    .unwrap();
    let out = common::proplint().args(["check", "--rules"]).arg(dir.path()).arg("fixtures/edge/crlf.md").output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("unknown severity `loud`"), "{err}");
    assert!(err.contains("pattern does not compile"), "{err}");
    assert!(err.contains("unknown section `nowhere`"), "{err}");
    assert!(err.contains("pattern has a doubled backslash"), "{err}");
    assert!(err.contains("`replace` must be one line of text without quotes"), "{err}");
    assert!(err.contains("needs at least one `fail` and one `pass` example"), "{err}");
    assert!(err.contains("bad.toml:8:12"), "severity span points into the pack: {err}");
}

#[test]
fn covered_by_must_name_another_rule_that_exists() {
    let rule = |id: &str, covered_by: &str| {
        format!(
            "[[rule]]\nid = \"{id}\"\nname = \"rule-{}\"\nseverity = \"error\"\ncheck = \"require-evidence\"\nmessage = \"m\"\nwhy = \"w\"\nhelp = \"h\"\nterms = [\"asset register\"]\n\n[rule.covered-by]\nrules = [\"{covered_by}\"]\nnote = \"n\"\n\n[[rule.example]]\nexpect = \"fail\"\ntext = \"# A\\n\\n## Data\\n\\nNothing here.\\n\"\n\n[[rule.example]]\nexpect = \"pass\"\ntext = \"# A\\n\\n## Data\\n\\nThe asset register entry was approved on 3 May 2026.\\n\"\n\n",
            id.to_lowercase()
        )
    };
    let err = local_pack_load_errors(&format!("{}{}", rule("LOC-001", "NOPE-999"), rule("LOC-002", "LOC-002")));
    assert!(err.contains("`covered-by` names unknown rule `NOPE-999`"), "{err}");
    assert!(err.contains("rule `LOC-002` cannot be covered by itself"), "{err}");
}

#[test]
fn not_needed_refusal_must_name_known_triggers_on_an_evidence_rule() {
    let rule = |id: &str, check: &str, trigger: &str| {
        format!(
            "[[rule]]\nid = \"{id}\"\nname = \"rule-{}\"\nseverity = \"error\"\ncheck = \"{check}\"\nmessage = \"m\"\nwhy = \"w\"\nhelp = \"h\"\nterms = [\"asset register\"]\nsections = [\"data_protection\"]\n\n[rule.not-needed]\nrefused-when = [\"{trigger}\"]\nnote = \"n\"\n\n",
            id.to_lowercase()
        )
    };
    let err = local_pack_load_errors(&format!(
        "{}{}",
        rule("LOC-001", "require-evidence", "no-such-trigger"),
        rule("LOC-002", "require-section", "special-category")
    ));
    assert!(err.contains("unknown trigger `no-such-trigger`"), "{err}");
    assert!(err.contains("`[rule.not-needed]` is only for `require-evidence` rules"), "{err}");
}

/// Loads `rules` as an ethical pack with prefix LOC beside the embedded ones, which must
/// fail (exit 2), and returns what it printed.
fn local_pack_load_errors(rules: &str) -> String {
    let dir = tempfile::tempdir().unwrap();
    let pack = format!("[pack]\nprinciple = \"ethical\"\nprefix = \"LOC\"\n\n{rules}");
    std::fs::write(dir.path().join("local.toml"), pack).unwrap();
    let out = common::proplint().args(["check", "--rules"]).arg(dir.path()).arg("fixtures/edge/crlf.md").output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[test]
fn corroboration_needs_at_least_two_rules() {
    let dir = tempfile::tempdir().unwrap();
    let pack = "[pack]\nprinciple = \"ethical\"\nprefix = \"LOC\"\n\n[pack.corroboration]\nmin-rules = 1\nnote = \"n\"\n";
    std::fs::write(dir.path().join("local.toml"), pack).unwrap();
    let out = common::proplint().args(["check", "--rules"]).arg(dir.path()).arg("fixtures/edge/crlf.md").output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("`min-rules` must be at least 2"), "{err}");
    assert!(err.contains("local.toml:6:13"), "the span points at the value: {err}");
}

/// The severity of CYB-007 on the judgement fixture whose security case has one gap.
fn one_gap_backup_severity(args: &[&str]) -> String {
    let mut args = args.to_vec();
    args.push("fixtures/judgement/security-case-one-gap.md");
    let (_, doc) = common::check_json(&args);
    let found: Vec<&str> =
        doc["diagnostics"].as_array().unwrap().iter().filter(|d| d["rule"] == "CYB-007").map(|d| d["severity"].as_str().unwrap()).collect();
    assert_eq!(found.len(), 1, "{doc}");
    found[0].to_string()
}

#[test]
fn corroboration_judges_only_a_pack_whose_rules_ran_and_keeps_configured_severities() {
    assert_eq!(one_gap_backup_severity(&["--no-config"]), "info");
    // Run alone, or with one other of its pack, the rule has too few checks to be weighed with.
    assert_eq!(one_gap_backup_severity(&["--no-config", "--select", "CYB-007"]), "warning");
    assert_eq!(one_gap_backup_severity(&["--no-config", "--select", "CYB-007,CYB-001,CYB-003"]), "warning");
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("proplint.toml");
    std::fs::write(&config, "[severity]\n\"CYB-007\" = \"error\"\n").unwrap();
    // A severity set in configuration is the user's call.
    assert_eq!(one_gap_backup_severity(&["--config", config.to_str().unwrap()]), "error");
}
