//! `proplint init`: a fresh template parses and reports only placeholders and missing
//! evidence, and an existing file is never overwritten without --force.

mod common;

use proplint::rules::{self, RuleSources};
use proplint::source::SourceDb;

#[test]
fn a_fresh_template_reports_only_placeholders_and_missing_evidence() {
    let mut db = SourceDb::default();
    let set = rules::load(&RuleSources::default(), &mut db).unwrap();
    let dir = tempfile::tempdir().unwrap();
    for (file, args) in [
        ("alpha.md", &["--stage", "alpha"][..]),
        ("discovery.toml", &["--stage", "discovery"][..]),
        ("wales-beta.md", &["--stage", "beta", "--nation", "wales"][..]),
        ("live-form.toml", &["--stage", "live", "--format", "toml"][..]),
    ] {
        let path = dir.path().join(file);
        let out = common::proplint().arg("init").args(args).arg(&path).output().unwrap();
        assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
        let text = std::fs::read_to_string(&path).unwrap();
        let (_, doc) = common::check_json(&["--no-config", path.to_str().unwrap()]);
        assert_eq!(doc["files"][0]["status"], "checked", "{file}");
        let diags = doc["diagnostics"].as_array().unwrap();
        assert!(!diags.is_empty());
        for d in diags {
            let id = d["rule"].as_str().unwrap();
            let rule = set.rule(id).unwrap_or_else(|| panic!("{file}: tool diagnostic {d}"));
            let kind = rule.check.kind();
            let (start, end) = (d["span"]["start"].as_u64().unwrap() as usize, d["span"]["end"].as_u64().unwrap() as usize);
            let ok = match kind {
                "require-section" | "require-evidence" | "require-field" => true,
                // A forbid finding may only be the placeholder itself.
                "forbid" => &text[start..end] == proplint::template::PLACEHOLDER,
                _ => false,
            };
            assert!(ok, "{file}: unexpected {id} ({kind}): {}", d["message"]);
        }
    }
}

#[test]
fn init_lists_the_sections_the_rules_expect_and_never_overwrites() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("p.md");
    std::fs::write(&path, "my draft\n").unwrap();
    let out = common::proplint().arg("init").arg(&path).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--force"));
    assert_eq!(std::fs::read_to_string(&path).unwrap(), "my draft\n");
    let out = common::proplint().args(["init", "--force", "--nation", "wales"]).arg(&path).output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(text.starts_with("+++\n[proposal]\n"));
    // Sections come from the packs, in sections.toml order.
    let pos = |s: &str| text.find(s).unwrap_or_else(|| panic!("no {s}"));
    assert!(pos("\n## Welsh language\n") < pos("\n## Security\n"));
    let out = common::proplint().args(["init", "--format", "toml"]).output().unwrap();
    assert!(String::from_utf8_lossy(&out.stdout).contains("[sections.security]"));
}

#[test]
fn completions_and_man_page_come_from_the_clap_definitions() {
    for shell in ["bash", "zsh", "fish", "powershell"] {
        let out = common::proplint().args(["completions", shell]).output().unwrap();
        assert_eq!(out.status.code(), Some(0), "{shell}");
        let text = String::from_utf8(out.stdout).unwrap();
        assert!(text.contains("explain") && text.contains("init"), "{shell}");
    }
    let out = common::proplint().arg("man").output().unwrap();
    let roff = String::from_utf8(out.stdout).unwrap();
    assert!(roff.starts_with(".ie") || roff.contains(".TH proplint"), "{roff}");
    assert!(roff.contains("explain"));
}
