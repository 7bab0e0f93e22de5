//! `check --fix` and `--diff`: stubs for missing sections and replacement wording, written
//! atomically in the file's own line endings, idempotent, and never touching other bytes.

mod common;

use std::path::Path;

/// A proposal with CRLF line endings, a BOM, a tab, non-ASCII text, a bare "N/A" and no
/// final newline: every fix kind on the awkward cases at once.
const CRLF_BOM: &str = "\u{feff}# Tenant portal – Ynys Môn\r\n\r\n## Summary\r\n\r\nWe will build a portal\tfor tenants.\r\n\r\n## Equality and inclusion\r\n\r\nN/A\r\n\r\n## Risks\r\n\r\nNone known.";

const FORM: &str = "[proposal]\ntitle = \"Garden waste\"\nstage = \"alpha\"\n\n[sections.summary]\ntitle = \"Summary\"\nbody = \"\"\"\nWe will sell garden waste permits online.\n\"\"\"\n\n[sections.equality]\ntitle = \"Equality and inclusion\"\nbody = \"N/A\"\n";

fn write(dir: &Path, name: &str, text: &str) -> std::path::PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

fn run(args: &[&str], path: &Path) -> std::process::Output {
    common::proplint().args(["check", "--no-config", "--format", "concise"]).args(args).arg(path).output().unwrap()
}

/// The original text is the new text with whole inserted lines taken out and replaced
/// phrases put back: nothing else changed.
fn assert_only_fixes_changed(old: &str, new: &str) {
    let diff = similar::TextDiff::from_lines(old, new);
    for op in diff.ops() {
        for change in diff.iter_changes(op) {
            let line = change.value();
            match change.tag() {
                similar::ChangeTag::Delete => assert!(line.trim() == "N/A" || line.contains("body = \"N/A\""), "removed: {line:?}"),
                similar::ChangeTag::Insert => {}
                similar::ChangeTag::Equal => {}
            }
        }
    }
}

#[test]
fn fix_inserts_stubs_in_the_files_own_line_endings_and_keeps_every_other_byte() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), "portal.md", CRLF_BOM);
    let out = run(&["--fix"], &path);
    assert_eq!(out.status.code(), Some(1), "{}", String::from_utf8_lossy(&out.stderr));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("proplint: fixed "), "{stderr}");
    let fixed = std::fs::read_to_string(&path).unwrap();

    assert!(fixed.starts_with('\u{feff}'), "BOM kept");
    assert!(!fixed.ends_with('\n'), "no final newline added where there was none");
    assert!(fixed.replace("\r\n", "").find(['\n', '\r']).is_none(), "only CRLF line endings: {fixed:?}");
    assert!(fixed.contains("\r\n## Security\r\n\r\n<!-- "), "{fixed}");
    assert!(fixed.contains("\r\nNot applicable because TBC"), "{fixed}");
    assert!(fixed.contains("portal\tfor tenants"));
    assert_only_fixes_changed(CRLF_BOM, &fixed);

    // The sections now exist; what is left are their placeholders and the rules' evidence.
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.lines().filter(|l| l.contains("[CYB-001]")).all(|l| l.contains("is a stub")), "{stdout}");
    assert!(stdout.contains("(the 'Security' section is a stub)"), "{stdout}");
    assert!(!stdout.contains("GOV-004"), "{stdout}");
}

#[test]
fn fix_is_idempotent_and_diff_then_shows_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let md = write(dir.path(), "portal.md", CRLF_BOM);
    let form = write(dir.path(), "garden.toml", FORM);
    for path in [&md, &form] {
        run(&["--fix"], path);
        let once = std::fs::read(path).unwrap();
        let out = run(&["--fix"], path);
        assert!(String::from_utf8_lossy(&out.stderr).contains("fixed 0 findings in 0 files"));
        assert_eq!(std::fs::read(path).unwrap(), once, "second --fix changed {}", path.display());
        let out = run(&["--diff"], path);
        assert_eq!(out.status.code(), Some(0));
        assert!(out.stdout.is_empty(), "{}", String::from_utf8_lossy(&out.stdout));
    }
}

#[test]
fn toml_forms_get_new_tables_with_literal_strings() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), "garden.toml", FORM);
    run(&["--fix"], &path);
    let fixed = std::fs::read_to_string(&path).unwrap();
    let doc: toml::Table = fixed.parse().unwrap_or_else(|e| panic!("fixed form does not parse: {e}\n{fixed}"));
    let sections = doc["sections"].as_table().unwrap();
    assert_eq!(sections["security"]["title"].as_str(), Some("Security"));
    assert_eq!(sections["security"]["body"].as_str(), Some("TBC\n"));
    assert!(fixed.contains("[sections.security]\n# "), "guidance as a comment: {fixed}");
    assert!(fixed.contains("body = '''\nTBC\n'''"), "{fixed}");
    assert!(sections["equality"]["body"].as_str().unwrap().starts_with("Not applicable because TBC"));
    assert!(fixed.starts_with(&FORM.replace("body = \"N/A\"", "body = \"Not applicable because TBC")[..200]));
    assert_only_fixes_changed(FORM, &fixed);
}

#[test]
fn diff_prints_a_unified_diff_and_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), "garden.toml", FORM);
    let out = common::proplint()
        .current_dir(dir.path())
        .args(["check", "--no-config", "--diff", "garden.toml", "--select", "CYB-001,GOV-004"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(std::fs::read_to_string(&path).unwrap(), FORM);
    let diff = String::from_utf8(out.stdout).unwrap();
    insta::assert_snapshot!("diff_toml_form", diff);
    assert!(String::from_utf8_lossy(&out.stderr).contains("--fix would resolve 2 findings in 1 file"));
}

#[test]
fn a_fix_that_would_break_the_form_is_refused() {
    // `sections` written inline: a new [sections.*] table would redefine it.
    let text = "sections = { summary = { title = \"Summary\", body = \"We will do it.\" } }\n\n[proposal]\ntitle = \"Inline\"\nstage = \"alpha\"\n";
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), "inline.toml", text);
    let out = run(&["--fix", "--select", "CYB-001"], &path);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("fixes not applied: the result would not parse"), "{stderr}");
    assert_eq!(std::fs::read_to_string(&path).unwrap(), text);
}

#[test]
fn waived_and_suppressed_findings_are_not_fixed() {
    let text = "# Portal\n\n## Summary\n\nWe will build a portal.\n\n<!-- proplint-disable-file CYB-001 -- security is the supplier's, see contract schedule 4 -->\n";
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), "portal.md", text);
    let out = run(&["--diff", "--select", "CYB-001,SUS-001"], &path);
    let diff = String::from_utf8_lossy(&out.stdout);
    assert!(diff.contains("+## Sustainability"), "{diff}");
    assert!(!diff.contains("+## Security"), "{diff}");
}

#[cfg(unix)]
#[test]
fn fix_writes_through_a_symlink_and_keeps_permissions() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let real = write(dir.path(), "real.md", "# Portal\n\n## Summary\n\nWe will build a portal.\n");
    std::fs::set_permissions(&real, std::fs::Permissions::from_mode(0o640)).unwrap();
    let link = dir.path().join("link.md");
    std::os::unix::fs::symlink(&real, &link).unwrap();
    run(&["--fix", "--select", "CYB-001"], &link);
    assert!(std::fs::symlink_metadata(&link).unwrap().file_type().is_symlink());
    assert!(std::fs::read_to_string(&real).unwrap().contains("## Security"));
    assert_eq!(std::fs::metadata(&real).unwrap().permissions().mode() & 0o777, 0o640);
    let leftovers: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().ends_with(".tmp"))
        .collect();
    assert!(leftovers.is_empty());
}

#[test]
fn fix_refuses_standard_input() {
    let out = common::proplint().args(["check", "--no-config", "--fix", "-"]).write_stdin("# P\n").output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--diff shows the fixes"));
}

#[test]
fn a_form_whose_table_key_is_taken_gets_a_numbered_table() {
    // `[sections.security]` titled "Device set-up" does not read as the security section.
    let text = "[proposal]\ntitle = \"Device loans\"\nstage = \"alpha\"\n\n[sections.security]\ntitle = \"Device set-up\"\nbody = \"Devices are reset when returned.\"\n";
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), "loans.toml", text);
    run(&["--fix", "--select", "CYB-001"], &path);
    let fixed = std::fs::read_to_string(&path).unwrap();
    let doc: toml::Table = fixed.parse().unwrap_or_else(|e| panic!("{e}\n{fixed}"));
    assert_eq!(doc["sections"]["security_2"]["title"].as_str(), Some("Security"), "{fixed}");
    assert!(fixed.starts_with(text));
    run(&["--fix", "--select", "CYB-001"], &path);
    assert_eq!(std::fs::read_to_string(&path).unwrap(), fixed, "second --fix changed the form");
}

#[test]
fn json_says_what_fix_each_finding_has() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), "garden.toml", FORM);
    let (_, doc) = common::check_json(&["--no-config", "--select", "CYB-001,GOV-004,GOV-002", path.to_str().unwrap()]);
    let diags = doc["diagnostics"].as_array().unwrap();
    let fix_of = |rule: &str| diags.iter().find(|d| d["rule"] == rule).map(|d| d["fix"].clone()).unwrap();
    assert_eq!(fix_of("CYB-001"), serde_json::json!({"kind": "insert-section", "section": "security"}));
    let replace = fix_of("GOV-004");
    assert_eq!(replace["kind"], "replace");
    let (start, end) = (replace["span"]["start"].as_u64().unwrap() as usize, replace["span"]["end"].as_u64().unwrap() as usize);
    assert_eq!(&FORM[start..end], "N/A");
    assert_eq!(doc["summary"]["fixable"], 2);
}

/// A run over many files is linted and fixed a chunk of files at a time: `--diff` of the
/// folder is each file's diff in path order, and `--fix` leaves every file as fixing it
/// alone would.
#[test]
fn diff_and_fix_over_many_files_match_file_by_file() {
    let dir = tempfile::tempdir().unwrap();
    let (many, alone) = (dir.path().join("many"), dir.path().join("alone"));
    std::fs::create_dir(&many).unwrap();
    std::fs::create_dir(&alone).unwrap();
    let mut names = Vec::new();
    // Two chunks of files, and more.
    for i in 0..20 {
        for (name, text) in [(format!("p{i:02}.md"), CRLF_BOM), (format!("f{i:02}.toml"), FORM)] {
            write(&many, &name, text);
            names.push(name);
        }
    }
    names.sort();
    assert_eq!(run(&["--diff"], &many).status.code(), Some(1));
    let mut expected = Vec::new();
    for name in &names {
        let out = common::proplint().current_dir(&many).args(["check", "--no-config", "--diff", name]).output().unwrap();
        expected.extend(out.stdout);
    }
    let folder_diff = common::proplint().current_dir(&many).args(["check", "--no-config", "--diff", "."]).output().unwrap();
    let strip = |text: Vec<u8>| String::from_utf8(text).unwrap().replace("./", "");
    assert_eq!(strip(folder_diff.stdout), strip(expected));
    let out = run(&["--fix"], &many);
    assert!(String::from_utf8_lossy(&out.stderr).contains(&format!("in {} files", names.len())));
    for name in &names {
        let original = if name.ends_with(".md") { CRLF_BOM } else { FORM };
        let one = write(&alone, name, original);
        run(&["--fix"], &one);
        assert_eq!(std::fs::read(many.join(name)).unwrap(), std::fs::read(&one).unwrap(), "{name}");
    }
}
