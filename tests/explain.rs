//! `proplint rules`, `proplint explain` and the generated docs/rules.md.

mod common;

use proplint::rules::{self, RuleSources};
use proplint::source::SourceDb;

fn builtin() -> (rules::RuleSet, SourceDb) {
    let mut db = SourceDb::default();
    let set = rules::load(&RuleSources::default(), &mut db).expect("built-in packs load");
    (set, db)
}

#[test]
fn rules_table_fits_80_columns_and_lists_every_rule_by_principle() {
    let out = common::proplint().arg("rules").output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8(out.stdout).unwrap();
    for line in text.lines() {
        assert!(line.chars().count() <= 80, "wider than 80 columns: {line:?}");
    }
    let (set, _) = builtin();
    for r in &set.rules {
        assert!(text.lines().any(|l| l.starts_with(&r.id) && l.ends_with(&r.name)), "{} missing", r.id);
    }
    // Principles come in the framework's order, governance last.
    let pos = |s: &str| text.find(s).unwrap_or_else(|| panic!("no {s}"));
    assert!(pos("\nDemocratic (") < pos("\nEthical (") && pos("\nEthical (") < pos("\nUser-centric ("));
    assert!(pos("\nUser-centric (") < pos("GOV-001"));
}

#[test]
fn rules_json_has_the_documented_fields_and_the_filter_works() {
    let out = common::proplint().args(["rules", "--format", "json", "--principle", "inclusive"]).output().unwrap();
    let list: Vec<serde_json::Value> = serde_json::from_slice(&out.stdout).unwrap();
    assert!(!list.is_empty());
    for r in &list {
        assert_eq!(r["principle"], "inclusive");
        assert!(r["id"].as_str().unwrap().starts_with("INC-"));
        for key in ["name", "severity", "fixable", "standards", "check", "group", "enabler"] {
            assert!(r.get(key).is_some(), "{key} missing in {r}");
        }
    }
    let out = common::proplint().args(["rules", "--principle", "kindness"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("principles: democratic"));
}

#[test]
fn explain_documents_a_rule_by_id_or_name() {
    for query in ["ETH-002", "dpia-not-evidenced", "eth-002"] {
        let out = common::proplint().args(["explain", query]).output().unwrap();
        assert_eq!(out.status.code(), Some(0), "{query}");
        let text = String::from_utf8(out.stdout).unwrap();
        for part in [
            "# ETH-002 dpia-not-evidenced",
            "## What it checks",
            "UK GDPR Art 35",
            "| L2 |",
            "## What does not count",
            "## Failing example",
            "## Passing example",
            "proplint-disable ETH-002",
            "[[waivers]]",
        ] {
            assert!(text.contains(part), "{query}: no {part:?} in\n{text}");
        }
    }
}

#[test]
fn explain_suggests_the_closest_ids_for_an_unknown_rule() {
    let out = common::proplint().args(["explain", "ETH-02"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("did you mean ETH-002"), "{err}");
    let out = common::proplint().args(["explain", "dpia-not-evidencd"]).output().unwrap();
    assert!(String::from_utf8_lossy(&out.stderr).contains("did you mean ETH-002"));
}

#[test]
fn every_rule_explains_with_both_examples() {
    let (set, db) = builtin();
    for r in &set.rules {
        let doc = proplint::explain::explain(&set, &db, &r.id).expect("known rule");
        assert!(doc.contains(&r.why), "{}", r.id);
        assert!(doc.contains("## Failing example") && doc.contains("## Passing example"), "{}", r.id);
    }
}

#[test]
fn docs_rules_md_is_up_to_date() {
    let (set, db) = builtin();
    let fresh = proplint::explain::markdown(&set, &db, None);
    let path = common::root().join("docs/rules.md");
    let committed = std::fs::read_to_string(&path).unwrap_or_default().replace("\r\n", "\n");
    assert!(fresh.starts_with(proplint::explain::GENERATED_HEADER));
    assert!(committed == fresh, "docs/rules.md is stale: the rule packs changed. Refresh it with\n    scripts/update-generated-docs.sh");
}

#[test]
fn readme_rule_table_is_up_to_date() {
    let (set, _) = builtin();
    let fresh = proplint::explain::summary(&set, None);
    let readme = std::fs::read_to_string(common::root().join("README.md")).unwrap().replace("\r\n", "\n");
    let start = readme.find("<!-- rules-table:start").expect("README.md has the rules-table:start marker");
    let body_start = start + readme[start..].find('\n').unwrap() + 1;
    let end = readme.find("<!-- rules-table:end -->").expect("README.md has the rules-table:end marker");
    assert_eq!(fresh.lines().count(), set.rules.len() + 2);
    assert!(
        readme[body_start..end] == fresh,
        "the rule table in README.md is stale: the rule packs changed. Refresh it with\n    scripts/update-generated-docs.sh"
    );
}

/// The worked example in docs/writing-rules.md: the packs it shows are the files, their
/// tests pass, and checking the fixtures gives the output the guide prints.
#[test]
fn the_council_pack_worked_example_runs_as_documented() {
    let guide = std::fs::read_to_string(common::root().join("docs/writing-rules.md")).unwrap().replace("\r\n", "\n");
    for pack in ["sandholt-data.toml", "sandholt-style.toml"] {
        let text = std::fs::read_to_string(common::root().join("examples/council-pack/rules").join(pack)).unwrap();
        assert!(guide.contains(&text), "docs/writing-rules.md does not show {pack} as it is");
    }
    let pack = ["--rules", "examples/council-pack/rules"];
    let out = common::proplint()
        .args(["test-rules", "--fixtures", "examples/council-pack/fixtures", "--only", "SAN"])
        .args(pack)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert_eq!(out.status.code(), Some(0), "{stdout}");
    assert!(guide.contains(&format!("--only SAN\n{stdout}")), "the guide shows other test-rules output than {stdout:?}");
    let out = common::proplint()
        .args(["check", "--no-config", "--select", "SAN", "--format", "concise"])
        .args(pack)
        .arg("examples/council-pack/fixtures")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert_eq!(out.status.code(), Some(1));
    assert!(stdout.contains("SAN-001/fail.md") && stdout.contains("SAN-002/fail.md") && !stdout.contains("pass.md"), "{stdout}");
    assert!(guide.contains(&format!("examples/council-pack/fixtures\n{stdout}```")), "the guide shows other check output than {stdout:?}");
}
