//! Stage benchmarks on single proposals: loading the embedded packs, parsing Markdown and
//! TOML, classifying sections, running every rule, one file's whole lint, and rendering
//! every output format. `cargo bench` uses example proposals from fixtures/proposals;
//! `PROPLINT_BENCH_FILE=path cargo bench` adds a file of your own (for instance one from
//! ../shared/bench/gen_corpus.py). Whole runs against other tools: scripts/bench.sh.

use clap::ValueEnum;
use divan::counter::BytesCount;
use divan::{black_box, Bencher};
use proplint::check::{self, FileEntry, FileStatus};
use proplint::engine;
use proplint::model::{Format, Proposal};
use proplint::render::{self, OutputFormat, RenderOptions, Report};
use proplint::rules::{self, RuleSet, RuleSources};
use proplint::source::{SourceDb, SourceFile};
use std::path::PathBuf;
use std::sync::OnceLock;

fn main() {
    divan::main();
}

/// Plain Markdown, Markdown with front matter, and a TOML form.
const MARKDOWN: &[&str] = &["housing-repairs-reporting.md", "adult-social-care-case-management.md"];
const TOML: &[&str] = &["library-room-booking.toml"];

/// Built once: rules compile their regexes on first use, so later iterations measure the
/// steady state a long run sees.
fn rule_set() -> &'static RuleSet {
    static SET: OnceLock<RuleSet> = OnceLock::new();
    SET.get_or_init(|| rules::load(&RuleSources::default(), &mut SourceDb::default()).expect("built-in rules load"))
}

fn every_rule() -> engine::Options {
    engine::Options::only((0..rule_set().rules.len()).collect())
}

fn path_of(name: &str) -> PathBuf {
    if name == "PROPLINT_BENCH_FILE" {
        return PathBuf::from(std::env::var_os(name).unwrap_or_default());
    }
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("fixtures/proposals").join(name)
}

/// The fixtures of one format, and the file in PROPLINT_BENCH_FILE when it has that format.
fn inputs(fixtures: &[&'static str], format: Format) -> Vec<&'static str> {
    let mut names = fixtures.to_vec();
    let own = std::env::var_os("PROPLINT_BENCH_FILE").map(PathBuf::from);
    if own.is_some_and(|p| proplint::walk::format_of(&p) == Some(format)) {
        names.push("PROPLINT_BENCH_FILE");
    }
    names
}

fn markdown_inputs() -> Vec<&'static str> {
    inputs(MARKDOWN, Format::Markdown)
}

fn toml_inputs() -> Vec<&'static str> {
    inputs(TOML, Format::Toml)
}

fn all_inputs() -> Vec<&'static str> {
    let mut names = markdown_inputs();
    names.extend(toml_inputs());
    names
}

fn source(name: &str) -> (SourceFile, Format) {
    let path = path_of(name);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    let format = proplint::walk::format_of(&path).unwrap_or(Format::Markdown);
    (SourceFile::new(path.display().to_string(), text), format)
}

fn parsed(file: &SourceFile, format: Format) -> Proposal {
    proplint::parse::parse(file, 0, format, &rule_set().vocab.aliases, &mut Vec::new())
}

/// Start-up: parse the embedded packs and build their literal search (regexes compile later).
#[divan::bench(sample_count = 20)]
fn load_packs() -> RuleSet {
    rules::load(&RuleSources::default(), &mut SourceDb::default()).expect("built-in rules load")
}

fn bench_parse(bencher: Bencher, name: &str) {
    let (file, format) = source(name);
    bencher.counter(BytesCount::new(file.text.len())).bench_local(|| parsed(black_box(&file), format));
}

#[divan::bench(args = markdown_inputs())]
fn parse_markdown(bencher: Bencher, name: &str) {
    bench_parse(bencher, name);
}

#[divan::bench(args = toml_inputs())]
fn parse_toml(bencher: Bencher, name: &str) {
    bench_parse(bencher, name);
}

/// Canonical section ids for every heading: the section model the rules read.
#[divan::bench(args = all_inputs())]
fn classify_sections(bencher: Bencher, name: &str) {
    let (file, format) = source(name);
    let proposal = parsed(&file, format);
    bencher.with_inputs(|| proposal.clone()).bench_local_values(|mut p| {
        rule_set().catalog.classify(&mut p);
        p
    });
}

/// Every rule of the embedded packs on one parsed, classified proposal.
#[divan::bench(args = all_inputs())]
fn run_all_rules(bencher: Bencher, name: &str) {
    let (file, format) = source(name);
    let mut proposal = parsed(&file, format);
    rule_set().catalog.classify(&mut proposal);
    let options = every_rule();
    bencher.counter(BytesCount::new(file.text.len())).bench_local(|| engine::check(black_box(&proposal), 0, rule_set(), &options));
}

/// Parse, classify and check: one file's whole lint.
#[divan::bench(args = all_inputs())]
fn lint_one_file(bencher: Bencher, name: &str) {
    let (file, format) = source(name);
    let options = every_rule();
    bencher.counter(BytesCount::new(file.text.len())).bench_local(|| check::lint_source(black_box(&file), format, rule_set(), &options));
}

/// Every output format, on the findings for all the example proposals together.
#[divan::bench(args = OutputFormat::value_variants())]
fn render_format(bencher: Bencher, format: &OutputFormat) {
    let mut db = SourceDb::default();
    let set = rules::load(&RuleSources::default(), &mut db).expect("built-in rules load");
    let selected: Vec<usize> = (0..set.rules.len()).collect();
    let mut files: Vec<FileEntry> = Vec::new();
    let mut diagnostics = Vec::new();
    for name in MARKDOWN.iter().chain(TOML) {
        let path = path_of(name);
        let input = proplint::walk::Input {
            display: format!("fixtures/proposals/{name}"),
            format: proplint::walk::format_of(&path).unwrap_or(Format::Markdown),
            path: path.clone(),
            explicit: true,
            stdin: false,
        };
        let bytes = std::fs::read(&path).expect("fixture is readable");
        let outcome = check::run_bytes(&input, bytes, &set, &selected, &mut db);
        files.extend(outcome.files.into_iter().filter(|f| f.status != FileStatus::Skipped));
        diagnostics.extend(outcome.diagnostics);
    }
    check::sort(&mut diagnostics, &db);
    let report = Report { db: &db, files: &files, diagnostics: &diagnostics, rules: Some(&set) };
    let options = RenderOptions::default();
    bencher.bench_local(|| render::render(*format, black_box(&report), &options).unwrap());
}
