//! Exact spans on awkward files: CRLF, a BOM, tabs, non-ASCII text, escapes, broken input.
//! A small test pack (`tests/data/span-pack`) flags "TBC", so positions do not depend on
//! the built-in rules.

mod common;
use serde_json::Value;

fn diagnostics_for(path: &str, rule: &str) -> Vec<Value> {
    let (_, doc) = common::check_json(&["--rules", "tests/data/span-pack", path]);
    doc["diagnostics"].as_array().unwrap().iter().filter(|d| d["rule"] == rule).cloned().collect()
}

/// (start, end, line, column, end_line, end_column) of the only diagnostic of `rule`.
fn only_span(path: &str, rule: &str) -> (u64, u64, u64, u64, u64, u64) {
    let found = diagnostics_for(path, rule);
    assert_eq!(found.len(), 1, "{path}: expected one {rule}, got {found:#?}");
    let s = &found[0]["span"];
    let n = |k: &str| s[k].as_u64().unwrap();
    (n("start"), n("end"), n("line"), n("column"), n("end_line"), n("end_column"))
}

fn text_at(path: &str, start: u64, end: u64) -> Vec<u8> {
    let bytes = std::fs::read(common::root().join(path)).unwrap();
    bytes[start as usize..end as usize].to_vec()
}

#[test]
fn crlf_spans_are_byte_exact() {
    let span = only_span("fixtures/edge/crlf.md", "TST-001");
    assert_eq!(span, (60, 63, 5, 15, 5, 18));
    assert_eq!(text_at("fixtures/edge/crlf.md", span.0, span.1), b"TBC");
}

#[test]
fn bom_keeps_offsets_and_takes_no_column() {
    let span = only_span("fixtures/edge/bom.md", "TST-001");
    assert_eq!(text_at("fixtures/edge/bom.md", span.0, span.1), b"TBC");
    assert_eq!((span.2, span.3), (5, 15));
}

#[test]
fn tabs_count_as_one_column() {
    let span = only_span("fixtures/edge/tabs.md", "TST-001");
    assert_eq!(text_at("fixtures/edge/tabs.md", span.0, span.1), b"TBC");
    assert_eq!((span.2, span.3, span.5), (5, 31, 34));
}

#[test]
fn non_ascii_columns_count_characters() {
    let span = only_span("fixtures/edge/non-ascii.md", "TST-001");
    assert_eq!(text_at("fixtures/edge/non-ascii.md", span.0, span.1), b"TBC");
    assert_eq!((span.2, span.3), (5, 41));
}

#[test]
fn setext_and_yaml_front_matter_bodies_are_read() {
    assert_eq!(only_span("fixtures/edge/setext.md", "TST-001").2, 7);
    assert_eq!(only_span("fixtures/edge/yaml-front-matter.md", "TST-001").2, 10);
}

#[test]
fn toml_escapes_map_back_to_the_file() {
    let span = only_span("fixtures/edge/escapes.toml", "TST-001");
    assert_eq!(text_at("fixtures/edge/escapes.toml", span.0, span.1), b"TBC");
    assert_eq!((span.2, span.3), (5, 48));
}

#[test]
fn code_and_comments_are_never_evidence() {
    let span = only_span("fixtures/edge/code-and-comments.md", "TST-001");
    assert_eq!(span.2, 11, "only the prose line counts");
}

#[test]
fn invalid_utf8_names_the_byte_offset() {
    let span = only_span("fixtures/edge/invalid-utf8.md", "PL002");
    assert_eq!(span, (19, 19, 3, 4, 3, 4));
}

#[test]
fn invalid_toml_reports_the_parser_span() {
    let found = diagnostics_for("fixtures/edge/invalid.toml", "PL004");
    assert_eq!(found.len(), 1, "{found:#?}");
    assert_eq!((found[0]["span"]["line"].as_u64(), found[0]["span"]["column"].as_u64()), (Some(3), Some(9)));
}

#[test]
fn utf16_is_reported_not_garbled() {
    assert_eq!(diagnostics_for("fixtures/edge/utf16.md", "PL008").len(), 1);
}

#[test]
fn unclosed_front_matter_is_reported_and_the_body_still_read() {
    let span = only_span("fixtures/edge/unclosed-front-matter.md", "PL007");
    assert_eq!((span.0, span.1, span.2, span.3), (0, 3, 1, 1));
    assert_eq!(diagnostics_for("fixtures/edge/unclosed-front-matter.md", "TST-001").len(), 1);
}

#[test]
fn empty_heading_only_and_front_matter_only_files_are_checked() {
    for path in ["fixtures/edge/empty.md", "fixtures/edge/heading-only.md", "fixtures/edge/front-matter-only.md"] {
        let (code, doc) = common::check_json(&[path]);
        assert!(code == 0 || code == 1, "{path} exits {code}");
        assert_eq!(doc["files"][0]["status"], "checked", "{path}");
        for d in doc["diagnostics"].as_array().unwrap() {
            let s = &d["span"];
            assert!(s["start"].as_u64() <= s["end"].as_u64());
            assert!(s["line"].as_u64().unwrap() >= 1 && s["column"].as_u64().unwrap() >= 1);
        }
    }
}

#[test]
fn a_broken_file_does_not_stop_the_run() {
    let (code, doc) = common::check_json(&["fixtures/edge/invalid.toml", "fixtures/edge/crlf.md", "fixtures/edge/invalid-utf8.md"]);
    assert_eq!(code, 1);
    let statuses: Vec<&str> = doc["files"].as_array().unwrap().iter().map(|f| f["status"].as_str().unwrap()).collect();
    assert_eq!(statuses, vec!["checked", "error", "error"]);
}
