//! Properties: output that does not depend on timing, thread count or argument order, and
//! spans on generated proposals that are exactly what the rule says they are.

mod common;
use proplint::check::{self, Options};
use proplint::model::Format;
use proplint::render::{self, OutputFormat, RenderOptions, Report};
use proplint::rules::{RuleSet, RuleSources};
use proplint::source::{SourceDb, SourceFile};
use proplint::walk::Input;
use proptest::prelude::*;
use std::sync::OnceLock;

/// Built-in rules plus the span pack (TST-001 flags "TBC"), compiled once.
fn rules() -> &'static RuleSet {
    static SET: OnceLock<RuleSet> = OnceLock::new();
    SET.get_or_init(|| {
        let dirs = [common::root().join("tests/data/span-pack")];
        proplint::rules::load(&RuleSources { no_builtin: false, dirs: &dirs }, &mut SourceDb::default()).expect("rules load")
    })
}

/// Lints `inputs` on a pool of `threads` threads and renders JSON.
fn json_of(inputs: &[Input], threads: usize) -> String {
    json_checked_from(inputs, threads, None)
}

/// The same, checking each proposal on all cores from `parallel_from` bytes on.
fn json_checked_from(inputs: &[Input], threads: usize, parallel_from: Option<usize>) -> String {
    let set = rules();
    let selected: Vec<usize> = (0..set.rules.len()).collect();
    let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap();
    let mut db = SourceDb::default();
    let settings = |_: &Input| {
        let mut s = check::FileSettings::only(selected.clone());
        s.engine.parallel_from = parallel_from;
        s
    };
    let outcome = pool
        .install(|| check::run(inputs, set, &Options { max_size: 1 << 20, settings: &settings, stdin: None, progress: false }, &mut db));
    let report = Report { db: &db, files: &outcome.files, diagnostics: &outcome.diagnostics, rules: Some(set) };
    render::render(OutputFormat::Json, &report, &RenderOptions::default()).unwrap()
}

fn fixture_inputs() -> Vec<Input> {
    let d = proplint::walk::discover(&[common::root().join("fixtures/proposals"), common::root().join("fixtures/edge")], false, None);
    assert!(d.inputs.len() > 20);
    d.inputs
}

#[test]
fn json_is_identical_across_runs_threads_and_argument_order() {
    let inputs = fixture_inputs();
    let first = json_of(&inputs, 2);
    assert_eq!(first, json_of(&inputs, 2), "second run differs");
    assert_eq!(first, json_of(&inputs, 1), "one thread differs from two");
    let mut reversed = inputs.clone();
    reversed.reverse();
    assert_eq!(first, json_of(&reversed, 2), "reversed inputs differ");
}

/// A proposal checked on all cores (blocks, triggers and rules on the pool, as a large
/// one is) gives exactly the findings, in the same order, of one checked on one thread.
#[test]
fn checking_within_a_file_on_all_cores_changes_nothing() {
    let inputs = fixture_inputs();
    let serial = json_checked_from(&inputs, 2, Some(usize::MAX));
    assert!(serial.matches("\"rule\": ").count() > 100, "the fixtures give findings to compare");
    assert_eq!(json_checked_from(&inputs, 2, Some(0)), serial);
}

/// The same through the binary: RAYON_NUM_THREADS and the order of paths change nothing.
#[test]
fn the_binary_is_deterministic() {
    let run = |threads: &str, paths: &[&str]| {
        let out = common::proplint().env("RAYON_NUM_THREADS", threads).args(["check", "--format", "json"]).args(paths).output().unwrap();
        assert!(out.status.code().is_some());
        out.stdout
    };
    let a = run("1", &["fixtures/proposals", "fixtures/edge"]);
    assert_eq!(a, run("2", &["fixtures/edge", "fixtures/proposals"]));
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 8, ..ProptestConfig::default() })]

    /// Any shuffle of the inputs gives byte-identical JSON.
    #[test]
    fn any_order_of_inputs_gives_the_same_json(seed in any::<u64>()) {
        let inputs = fixture_inputs();
        let mut shuffled = inputs.clone();
        let mut state = seed | 1;
        for i in (1..shuffled.len()).rev() {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            shuffled.swap(i, (state % (i as u64 + 1)) as usize);
        }
        prop_assert_eq!(json_of(&inputs, 2), json_of(&shuffled, 2));
    }
}

/// Words that neither negate, hedge nor defer, so that every "TBC" in evidence text must be
/// reported.
const WORDS: &[&str] =
    &["council", "residents", "service", "budget", "Môn", "gwasanaeth", "data", "team", "café", "plan", "“quoted”", "2025"];
const HEADINGS: &[&str] =
    &["Summary", "Users and their needs", "Security", "Data protection", "Costs & benefits", "Next steps", "Risks", "Ŵyl"];

#[derive(Debug, Clone)]
enum Piece {
    Heading(usize, usize),
    Paragraph(Vec<(usize, bool)>),
    Item(Vec<(usize, bool)>),
    Code,
}

fn piece() -> impl Strategy<Value = Piece> {
    let words = prop::collection::vec((0..WORDS.len(), any::<bool>()), 1..12);
    prop_oneof![
        (2usize..4, 0..HEADINGS.len()).prop_map(|(l, h)| Piece::Heading(l, h)),
        words.clone().prop_map(Piece::Paragraph),
        words.prop_map(Piece::Item),
        Just(Piece::Code),
    ]
}

/// Text of a run of words, with "TBC" after each word flagged; returns the count of TBCs.
fn sentence(words: &[(usize, bool)], out: &mut String) -> usize {
    let mut n = 0;
    for (i, &(w, tbc)) in words.iter().enumerate() {
        if i > 0 {
            out.push(' ');
        }
        out.push_str(WORDS[w]);
        if tbc {
            out.push_str(" TBC");
            n += 1;
        }
    }
    out.push('.');
    n
}

/// A Markdown proposal and the number of "TBC"s in its evidence text.
fn markdown(pieces: &[Piece], newline: &str, bom: bool) -> (String, usize) {
    let mut text = String::from(if bom { "\u{feff}" } else { "" });
    text.push_str("# Proposal");
    text.push_str(newline);
    let mut count = 0;
    for p in pieces {
        text.push_str(newline);
        match p {
            Piece::Heading(level, h) => text.push_str(&format!("{} {}", "#".repeat(*level), HEADINGS[*h])),
            Piece::Paragraph(words) => count += sentence(words, &mut text),
            Piece::Item(words) => {
                text.push_str("- ");
                count += sentence(words, &mut text);
            }
            Piece::Code => text.push_str(&format!("```{newline}TBC in code{newline}```")),
        }
        text.push_str(newline);
    }
    (text, count)
}

/// A TOML form with the same pieces as section bodies, in literal or escaped basic strings.
fn toml_form(pieces: &[Piece], escaped: bool) -> (String, usize) {
    let mut text = String::from("[proposal]\ntitle = \"Proposal\"\n");
    let mut count = 0;
    for (i, p) in pieces.iter().enumerate() {
        let mut body = String::new();
        match p {
            Piece::Heading(_, h) => body.push_str(HEADINGS[*h]),
            Piece::Paragraph(words) | Piece::Item(words) => count += sentence(words, &mut body),
            Piece::Code => body.push_str("`TBC` in code"),
        }
        if matches!(p, Piece::Code) {
            continue;
        }
        text.push_str(&format!("\n[sections.s{i}]\ntitle = \"Part {i}\"\n"));
        if escaped {
            let quoted: String = body
                .chars()
                .map(|c| match c {
                    'é' => "\\u00e9".to_string(),
                    '“' => "\\u201C".to_string(),
                    '.' => ".\\t".to_string(),
                    c => c.to_string(),
                })
                .collect();
            text.push_str(&format!("body = \"{quoted}\"\n"));
        } else {
            text.push_str(&format!("body = '''\n{body}\n'''\n"));
        }
    }
    (text, count)
}

/// Every span valid, every position agreeing with the text, and each TST-001 finding
/// spanning exactly the phrase its message quotes.
fn check_spans(text: &str, format: Format, tbcs: usize) -> Result<(), TestCaseError> {
    let set = rules();
    let options = proplint::engine::Options::only((0..set.rules.len()).collect());
    let source = SourceFile::new("p", text.to_string());
    let linted = check::lint_source(&source, format, set, &options);
    prop_assert!(linted.parsed);
    let mut found = 0;
    for d in &linted.diagnostics {
        for l in std::iter::once(&d.primary).chain(&d.secondary) {
            let s = l.span;
            prop_assert!(s.start <= s.end && s.end <= text.len(), "{} span {:?}", d.rule, s);
            prop_assert!(text.is_char_boundary(s.start) && text.is_char_boundary(s.end), "{} span {:?}", d.rule, s);
            let before = &text[..s.start];
            let line = 1 + before.matches('\n').count();
            let line_start = before.rfind('\n').map_or(0, |i| i + 1);
            let column = 1 + before[line_start..].trim_start_matches('\u{feff}').chars().count();
            let p = source.position(s.start);
            prop_assert_eq!((p.line, p.column), (line, column), "{} at {}", d.rule, s.start);
        }
        if d.rule == "TST-001" {
            found += 1;
            let quoted = d.message.rsplit_once(": '").map(|(_, q)| q.trim_end_matches('\'')).unwrap_or("");
            prop_assert_eq!(source.slice(d.primary.span), quoted);
            prop_assert_eq!(quoted, "TBC");
        }
    }
    prop_assert_eq!(found, tbcs, "every TBC in evidence text is reported once");
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn markdown_spans_are_exact(pieces in prop::collection::vec(piece(), 0..16), crlf in any::<bool>(), bom in any::<bool>()) {
        let (text, tbcs) = markdown(&pieces, if crlf { "\r\n" } else { "\n" }, bom);
        check_spans(&text, Format::Markdown, tbcs)?;
    }

    #[test]
    fn toml_spans_are_exact(pieces in prop::collection::vec(piece(), 0..12), escaped in any::<bool>()) {
        let (text, tbcs) = toml_form(&pieces, escaped);
        check_spans(&text, Format::Toml, tbcs)?;
    }
}

/// `--fix` on any generated proposal: the result parses, keeps every original line in
/// order (fixes only insert whole stubs here; no generated text is a bare "N/A"), uses the
/// file's line endings, and a second fix changes nothing.
fn check_fix(text: &str, format: Format) -> Result<(), TestCaseError> {
    let set = rules();
    let options = proplint::engine::Options::only((0..set.rules.len()).collect());
    let fix_once = |text: &str| {
        let source = SourceFile::new("p", text.to_string());
        let linted = check::lint_source(&source, format, set, &options);
        let diags: Vec<&proplint::diag::Diagnostic> = linted.diagnostics.iter().collect();
        proplint::fix::rewrite(&source, format, &diags, set).map(|r| r.map(|r| r.text))
    };
    let Ok(Some(fixed)) = fix_once(text) else {
        return Ok(());
    };
    let mut original = text.split_inclusive('\n').peekable();
    for line in fixed.split_inclusive('\n') {
        if original.peek() == Some(&line) {
            original.next();
        }
    }
    prop_assert!(original.peek().is_none(), "line {:?} of the original is gone:\n{}", original.peek(), fixed);
    if text.contains("\r\n") {
        prop_assert!(fixed.replace("\r\n", "").find('\n').is_none(), "a bare LF in a CRLF file:\n{:?}", fixed);
    }
    prop_assert_eq!(fix_once(&fixed), Ok(None), "a second fix changed the text");
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 32, ..ProptestConfig::default() })]

    #[test]
    fn markdown_fixes_are_idempotent_and_keep_the_text(pieces in prop::collection::vec(piece(), 0..12), crlf in any::<bool>(), bom in any::<bool>()) {
        let (text, _) = markdown(&pieces, if crlf { "\r\n" } else { "\n" }, bom);
        check_fix(&text, Format::Markdown)?;
    }

    #[test]
    fn toml_fixes_are_idempotent_and_keep_the_text(pieces in prop::collection::vec(piece(), 0..8), escaped in any::<bool>()) {
        let (text, _) = toml_form(&pieces, escaped);
        check_fix(&text, Format::Toml)?;
    }
}
