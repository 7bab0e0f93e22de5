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

/// The template filled with a complete proposal's text passes: each template section gets
/// the text of the proposal's sections of the same kind (sections it has no text for are
/// deleted, as the template's guidance says), the proposal's other sections follow, and
/// the metadata is the proposal's own. So the template's headings, comments and layout add
/// no finding of their own, and every metadata key it asks for is one the rules read.
#[test]
fn a_template_filled_with_a_complete_proposals_text_passes() {
    use proplint::model::Format;
    use proplint::source::SourceFile;
    let mut db = SourceDb::default();
    let set = rules::load(&RuleSources::default(), &mut db).unwrap();
    let fixture = "fixtures/proposals/adult-social-care-case-management.md";
    let (_, doc) = common::check_json(&["--no-config", fixture]);
    let clean = |doc: &serde_json::Value| {
        doc["diagnostics"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|d| d["severity"] != "info")
            .map(|d| d["message"].to_string())
            .collect::<Vec<_>>()
    };
    assert!(clean(&doc).is_empty(), "the source proposal itself must be clean: {:?}", clean(&doc));

    let text = std::fs::read_to_string(common::root().join(fixture)).unwrap();
    let source = SourceFile::new(fixture, text.clone());
    let mut diags = Vec::new();
    let mut proposal = proplint::parse::parse(&source, 0, Format::Markdown, &set.vocab.aliases, &mut diags);
    set.catalog.classify(&mut proposal);
    let front_matter = &text[..text.find("\n+++\n").unwrap() + 5];
    let title = proposal.title.as_ref().unwrap().text.clone();
    // Each section's own text: from the end of its heading line to the next heading.
    let heading_starts: Vec<usize> = proposal.sections.iter().map(|s| s.heading_span.start).collect();
    let own = |i: usize| {
        let s = &proposal.sections[i];
        let body_start = s.heading_span.end + text[s.heading_span.end..].find('\n').map_or(0, |n| n + 1);
        let body_end = heading_starts.iter().copied().filter(|&h| h > s.heading_span.start).min().unwrap_or(text.len());
        text[body_start..body_end].trim().to_string()
    };
    let mut used = vec![false; proposal.sections.len()];
    let mut filled = format!("{front_matter}\n# {title}\n");
    let template = proplint::template::render(&set, proplint::template::Form::Markdown, "beta", "england");
    for (id, section_title, _) in proplint::template::sections(&set, "beta", "england") {
        let mut body = Vec::new();
        for (i, s) in proposal.sections.iter().enumerate() {
            if !used[i] && s.level > 1 && s.ids.iter().any(|x| x == id) {
                used[i] = true;
                body.push(own(i));
            }
        }
        if body.is_empty() {
            continue;
        }
        // The template's own heading and guidance comment, with the text in place of TBC.
        let start = template.find(&format!("\n## {section_title}\n")).unwrap();
        let stub = &template[start..];
        let stub = &stub[..stub.find("\nTBC\n").unwrap()];
        filled.push_str(stub);
        filled.push_str(&format!("\n{}\n", body.join("\n\n")));
    }
    for (i, s) in proposal.sections.iter().enumerate() {
        if !used[i] && s.level > 1 {
            filled.push_str(&format!("\n{} {}\n\n{}\n", "#".repeat(s.level as usize), s.heading, own(i)));
        }
    }
    // Every metadata key the template asks for must be one the proposal (and so the rules) uses.
    let template_meta = &template[4..template[4..].find("+++").unwrap() + 4];
    let fixture_meta: toml::Table = front_matter.trim_matches(|c| c == '+' || c == '\n').parse().unwrap();
    let mut table = String::new();
    for line in template_meta.lines() {
        if let Some(t) = line.strip_prefix('[') {
            table = t.trim_end_matches(']').to_string();
        } else if let Some((key, _)) = line.trim_start_matches("# ").split_once(" =") {
            assert!(
                fixture_meta.get(&table).and_then(|t| t.get(key.trim())).is_some(),
                "template key {table}.{key} is not in the proposal"
            );
        }
    }

    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("filled.md");
    std::fs::write(&path, &filled).unwrap();
    let (code, doc) = common::check_json(&["--no-config", path.to_str().unwrap()]);
    assert!(clean(&doc).is_empty(), "the filled template has findings: {:#?}\n{filled}", clean(&doc));
    assert_eq!(code, 0);
}
