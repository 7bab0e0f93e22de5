//! Invariants every fuzz target checks. A failed invariant panics, which the fuzzer
//! records as a crash with the input that caused it.

use proplint::check::{FileEntry, Outcome};
use proplint::diag::Diagnostic;
use proplint::model::Proposal;
use proplint::render::{self, OutputFormat, RenderOptions, Report};
use proplint::rules::{RuleSet, RuleSources};
use proplint::source::{SourceDb, SourceFile};
use proplint::span::Span;
use std::sync::OnceLock;

/// The embedded rules, compiled once per process.
pub fn rules() -> &'static RuleSet {
    static SET: OnceLock<RuleSet> = OnceLock::new();
    SET.get_or_init(|| {
        let mut db = SourceDb::default();
        proplint::rules::load(&RuleSources::default(), &mut db).expect("built-in rules load")
    })
}

/// A span lies within the text, on character boundaries, start before end.
pub fn assert_span(text: &str, span: Span, what: &str) {
    assert!(span.start <= span.end, "{what}: start {} after end {}", span.start, span.end);
    assert!(span.end <= text.len(), "{what}: end {} past the text ({} bytes)", span.end, text.len());
    assert!(text.is_char_boundary(span.start), "{what}: start {} inside a character", span.start);
    assert!(text.is_char_boundary(span.end), "{what}: end {} inside a character", span.end);
}

/// Line and column computed the slow, obvious way: LF, CRLF or a lone CR ends a line;
/// columns count characters; a leading BOM takes no column.
pub fn naive_position(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..offset];
    let bytes = before.as_bytes();
    let mut line = 1;
    let mut line_start = 0;
    for (i, &b) in bytes.iter().enumerate() {
        let ends = b == b'\n' || (b == b'\r' && text.as_bytes().get(i + 1) != Some(&b'\n'));
        if ends {
            line += 1;
            line_start = i + 1;
        }
    }
    let from = if line == 1 && text.starts_with('\u{feff}') { 3.min(offset) } else { line_start };
    (line, before[from..].chars().count() + 1)
}

pub fn assert_position(file: &SourceFile, offset: usize, what: &str) {
    let p = file.position(offset);
    let (line, column) = naive_position(&file.text, offset);
    assert_eq!((p.line, p.column), (line, column), "{what}: position of offset {offset}");
}

/// Every span in a parsed proposal points into its file.
pub fn check_proposal(file: &SourceFile, p: &Proposal) {
    let text = &file.text;
    if let Some(t) = &p.title {
        assert_span(text, t.span, "title");
    }
    if let Some(m) = p.metadata_span {
        assert_span(text, m, "metadata");
    }
    for f in &p.fields {
        assert_span(text, f.span, &format!("field {}", f.key));
    }
    for (i, s) in p.sections.iter().enumerate() {
        assert_span(text, s.heading_span, &format!("section {i} heading"));
        assert!(s.end <= text.len(), "section {i} ends past the text");
        if let Some(parent) = s.parent {
            assert!(parent < i, "section {i} has a later parent {parent}");
        }
    }
    for (i, b) in p.blocks.iter().enumerate() {
        if let Some(s) = b.section {
            assert!(s < p.sections.len(), "block {i} in a missing section");
        }
        for seg in &b.segments {
            assert_span(text, Span::new(seg.src, seg.src + seg.src_len), &format!("block {i} segment"));
            assert!(seg.plain + seg.len <= b.text.len(), "block {i} segment past its text");
        }
        if !b.segments.is_empty() {
            assert_span(text, b.span(), &format!("block {i}"));
        }
    }
    assert!(p.end <= text.len(), "document end past the text");
}

/// Every label of every diagnostic points into its file, with a position that agrees
/// with the slow computation.
pub fn check_diagnostics(db: &SourceDb, diagnostics: &[Diagnostic]) {
    for d in diagnostics {
        for (i, l) in std::iter::once(&d.primary).chain(&d.secondary).enumerate() {
            let file = db.get(l.file);
            let what = format!("{} label {i}", d.rule);
            assert_span(&file.text, l.span, &what);
            assert_position(file, l.span.start, &what);
            assert_position(file, l.span.end, &what);
        }
    }
}

/// Every output format renders, machine formats parse, and with colour off no format lets
/// a control character (ANSI escapes, backspace, a lone CR) through from proposal text.
pub fn check_rendering(db: &SourceDb, files: &[FileEntry], diagnostics: &[Diagnostic], set: &RuleSet) {
    let report = Report { db, files, diagnostics, rules: Some(set) };
    for &format in <OutputFormat as clap::ValueEnum>::value_variants() {
        let out = render::render(format, &report, &RenderOptions::default());
        if let Some(bad) = out.chars().find(|&c| c.is_control() && !matches!(c, '\n' | '\t')) {
            panic!("{} output holds control character {:?}", format.name(), bad);
        }
        match format {
            OutputFormat::Json | OutputFormat::Sarif | OutputFormat::Gitlab => {
                serde_json::from_str::<serde_json::Value>(&out).unwrap_or_else(|e| panic!("{} output is not JSON: {e}", format.name()));
            }
            OutputFormat::JsonLines => {
                for line in out.lines() {
                    serde_json::from_str::<serde_json::Value>(line).unwrap_or_else(|e| panic!("json-lines line is not JSON: {e}"));
                }
            }
            _ => {}
        }
    }
    // With colour on, only the renderer's own escapes may appear: every ESC starts an SGR sequence.
    let out = render::render(OutputFormat::Human, &report, &RenderOptions { color: true, ..RenderOptions::default() });
    for (i, _) in out.match_indices('\u{1b}') {
        let rest = &out[i + 1..];
        let sgr = rest.strip_prefix('[').and_then(|r| r.find('m').map(|m| &r[..m]));
        assert!(sgr.is_some_and(|p| p.chars().all(|c| c.is_ascii_digit() || c == ';')), "raw ESC in coloured human output");
    }
}

pub fn check_outcome(db: &SourceDb, outcome: &Outcome, set: &RuleSet) {
    check_diagnostics(db, &outcome.diagnostics);
    check_rendering(db, &outcome.files, &outcome.diagnostics, set);
}
