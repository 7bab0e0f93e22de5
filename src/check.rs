//! One run of `proplint check`: read each input once, parse, classify sections, run the
//! rules, and collect diagnostics. Files are independent, so they run in parallel; the
//! result is sorted so that it never depends on thread timing.

use crate::diag::{Diagnostic, ToolCode};
use crate::model::Format;
use crate::rules::RuleSet;
use crate::source::{SourceDb, SourceFile};
use crate::span::Span;
use crate::walk::Input;
use rayon::prelude::*;
use std::io::Read;

pub const DEFAULT_MAX_SIZE: u64 = 10 * 1024 * 1024;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileStatus {
    Checked,
    Skipped,
    Error,
}

impl FileStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            FileStatus::Checked => "checked",
            FileStatus::Skipped => "skipped",
            FileStatus::Error => "error",
        }
    }
}

#[derive(Debug, Clone)]
pub struct FileEntry {
    pub path: String,
    pub format: Format,
    pub status: FileStatus,
    /// Title, stage and other facts renderers show; `None` when the file was not parsed.
    pub title: Option<String>,
    /// Every selected rule's status on this file (empty when the file was not parsed).
    pub rules: Vec<(String, crate::engine::RuleStatus)>,
    /// What the proposal declares about itself (owner, stage, data, AI), as labelled text
    /// for the HTML board report; empty when the file was not parsed.
    pub facts: Vec<(String, String)>,
}

impl FileEntry {
    /// An input not yet read: an error until linting says otherwise.
    fn unread(input: &Input) -> Self {
        FileEntry {
            path: input.display.clone(),
            format: input.format,
            status: FileStatus::Error,
            title: None,
            rules: Vec::new(),
            facts: Vec::new(),
        }
    }
}

#[derive(Debug, Default)]
pub struct Outcome {
    pub files: Vec<FileEntry>,
    pub diagnostics: Vec<Diagnostic>,
    /// Indices of register waivers that accepted at least one finding.
    pub register_used: std::collections::BTreeSet<usize>,
}

/// What applies to one file: the rules to run and how (from configuration and the
/// command line), whether suppressions need a reason, and the register waivers covering it
/// (each with its index in the run's register, so unused ones can be reported once).
#[derive(Debug, Clone, Default)]
pub struct FileSettings<'a> {
    pub engine: crate::engine::Options,
    pub require_reason: bool,
    pub register: Vec<(usize, &'a crate::waivers::Waiver)>,
    pub today: String,
}

impl FileSettings<'_> {
    pub fn only(selected: Vec<usize>) -> Self {
        FileSettings {
            engine: crate::engine::Options::only(selected),
            require_reason: true,
            register: Vec::new(),
            today: crate::waivers::today(),
        }
    }
}

pub struct Options<'a> {
    pub max_size: u64,
    pub settings: &'a (dyn Fn(&Input) -> FileSettings<'a> + Sync),
    /// Text for a `-` input, read once by the caller.
    pub stdin: Option<&'a [u8]>,
    /// Draw a progress bar on standard error (the caller decides: a terminal, a long run).
    pub progress: bool,
}

/// Runs shorter than this finish before a progress bar would tell anyone anything.
pub const PROGRESS_MIN_FILES: usize = 200;

struct Processed {
    entry: FileEntry,
    source: Option<SourceFile>,
    diagnostics: Vec<Diagnostic>,
    register_used: Vec<usize>,
}

impl Processed {
    /// The path its findings are filed under (its source, when it has one, bears the
    /// same display path).
    fn path(&self) -> &str {
        &self.entry.path
    }
}

/// Lints every input. Diagnostics point into files added to `db`.
pub fn run(inputs: &[Input], set: &RuleSet, options: &Options<'_>, db: &mut SourceDb) -> Outcome {
    let bar = progress_bar(options.progress, inputs.len());
    let processed = process_all(inputs.par_iter(), inputs.len(), set, options, &bar);
    bar.finish_and_clear();
    collect(processed, db)
}

/// Lints inputs on the thread pool, moving the progress bar on as each file is done.
fn process_all<'a>(
    inputs: impl IndexedParallelIterator<Item = &'a Input>,
    files_in_run: usize,
    set: &RuleSet,
    options: &Options<'_>,
    bar: &indicatif::ProgressBar,
) -> Vec<Processed> {
    // With fewer files than cores (a pre-commit hook, an editor), each file's rules share
    // the cores instead, which also builds the regexes they need side by side.
    let within_file = files_in_run < rayon::current_num_threads();
    inputs
        .map(|input| {
            let p = process(input, set, options, within_file);
            bar.inc(1);
            p
        })
        .collect()
}

fn progress_bar(show: bool, files: usize) -> indicatif::ProgressBar {
    if !show {
        return indicatif::ProgressBar::hidden();
    }
    let bar = indicatif::ProgressBar::with_draw_target(Some(files as u64), indicatif::ProgressDrawTarget::stderr());
    if let Ok(style) = indicatif::ProgressStyle::with_template("{spinner} checking {pos}/{len} files [{bar:30}] {per_sec}, {eta} left") {
        bar.set_style(style.progress_chars("=> "));
    }
    // Drawn at once, so even a run that ends quickly shows it began.
    bar.tick();
    bar
}

/// Lints inputs in path order, `chunk` files at a time, handing each chunk's outcome and a
/// database of just its files to `each`, so that no more than a chunk is held at once.
/// The outcomes joined are `run`'s when no two inputs share a display path.
pub fn run_chunked(inputs: &[Input], set: &RuleSet, options: &Options<'_>, chunk: usize, mut each: impl FnMut(Outcome, &SourceDb)) {
    let mut order: Vec<&Input> = inputs.iter().collect();
    order.sort_by(|a, b| a.display.cmp(&b.display));
    let bar = progress_bar(options.progress, inputs.len());
    for part in order.chunks(chunk.max(1)) {
        let processed = process_all(part.par_iter().copied(), inputs.len(), set, options, &bar);
        let mut db = SourceDb::default();
        let outcome = collect(processed, &mut db);
        // The bar is drawn on stderr: hidden while a chunk's findings are written.
        bar.suspend(|| each(outcome, &db));
    }
    bar.finish_and_clear();
}

/// Lints one input from bytes already in hand, exactly as `run` would after reading them
/// (for fuzzing and tests: any bytes in, diagnostics out).
pub fn run_bytes(input: &Input, bytes: Vec<u8>, set: &RuleSet, selected: &[usize], db: &mut SourceDb) -> Outcome {
    let settings = FileSettings::only(selected.to_vec());
    let entry = FileEntry::unread(input);
    collect(vec![process_bytes(input, entry, bytes, set, &settings)], db)
}

fn collect(mut processed: Vec<Processed>, db: &mut SourceDb) -> Outcome {
    // Files in path order, then each path's findings in offset order: the order `sort`
    // gives the whole list, without comparing paths for every pair of findings or moving
    // every finding of a chunk through one sort (2% of a run over many files).
    processed.sort_by(|a, b| a.path().cmp(b.path()));
    let mut outcome = Outcome::default();
    // Grown a push at a time, a chunk's findings were copied a dozen times over.
    outcome.diagnostics.reserve_exact(processed.iter().map(|p| p.diagnostics.len()).sum());
    outcome.files.reserve_exact(processed.len());
    let mut same_path_from = 0;
    for p in processed {
        outcome.register_used.extend(p.register_used.iter().copied());
        // A walked TOML file that is not a proposal form is not part of the run at all.
        if p.entry.status == FileStatus::Skipped && p.diagnostics.is_empty() {
            continue;
        }
        if outcome.files.last().map(|f| f.path.as_str()) != Some(p.path()) {
            sort_within_file(&mut outcome.diagnostics[same_path_from..]);
            same_path_from = outcome.diagnostics.len();
        }
        if let Some(source) = p.source {
            let id = db.add(source);
            for mut d in p.diagnostics {
                d.primary.file = id;
                for l in &mut d.secondary {
                    l.file = id;
                }
                outcome.diagnostics.push(d);
            }
        } else {
            // No text to point into: keep the diagnostic, renderers show the path alone.
            let id = db.add(SourceFile::new(p.entry.path.clone(), String::new()));
            for mut d in p.diagnostics {
                d.primary.file = id;
                d.primary.span = Span::point(0);
                outcome.diagnostics.push(d);
            }
        }
        outcome.files.push(p.entry);
    }
    sort_within_file(&mut outcome.diagnostics[same_path_from..]);
    outcome
}

/// Stable order: path, then offset, then rule id, then message.
pub fn sort(diags: &mut [Diagnostic], db: &SourceDb) {
    diags.sort_by(|a, b| db.get(a.primary.file).path.cmp(&db.get(b.primary.file).path).then_with(|| within_file_order(a, b)));
}

/// `sort` for findings that all share a path.
fn sort_within_file(diags: &mut [Diagnostic]) {
    diags.sort_by(within_file_order);
}

fn within_file_order(a: &Diagnostic, b: &Diagnostic) -> std::cmp::Ordering {
    a.primary.span.start.cmp(&b.primary.span.start).then(a.rule.cmp(&b.rule)).then(a.message.cmp(&b.message))
}

fn process(input: &Input, set: &RuleSet, options: &Options<'_>, within_file: bool) -> Processed {
    let mut entry = FileEntry::unread(input);
    let fail = |entry: FileEntry, code: ToolCode, message: String, help: Option<&str>| {
        let mut d = Diagnostic::tool(code, 0, Span::point(0), message);
        d.help = help.map(str::to_string);
        Processed { entry, source: None, diagnostics: vec![d], register_used: Vec::new() }
    };
    let bytes = if input.stdin {
        options.stdin.unwrap_or_default().to_vec()
    } else {
        match read_limited(input, options.max_size) {
            Ok(b) => b,
            Err(ReadError::TooLarge(size)) => {
                entry.status = FileStatus::Skipped;
                let max = options.max_size;
                let message = match size {
                    Some(size) => format!("file is {size} bytes, over the limit of {max} bytes; skipped"),
                    None => format!("file is over the limit of {max} bytes; skipped"),
                };
                return fail(entry, ToolCode::FileTooLarge, message, Some("raise the limit with --max-file-size"));
            }
            Err(ReadError::Io(e)) => return fail(entry, ToolCode::UnreadableFile, format!("cannot read file: {e}"), None),
        }
    };
    let mut settings = (options.settings)(input);
    if within_file {
        settings.engine.parallel_from = Some(0);
    }
    process_bytes(input, entry, bytes, set, &settings)
}

fn process_bytes(input: &Input, entry: FileEntry, bytes: Vec<u8>, set: &RuleSet, settings: &FileSettings<'_>) -> Processed {
    if bytes.starts_with(&[0xFF, 0xFE]) || bytes.starts_with(&[0xFE, 0xFF]) {
        let mut d = Diagnostic::tool(
            ToolCode::UnsupportedEncoding,
            0,
            Span::point(0),
            "file is UTF-16 (it starts with a UTF-16 byte order mark); proplint reads UTF-8 only",
        );
        d.help = Some("save the file as UTF-8".into());
        return Processed { entry, source: None, diagnostics: vec![d], register_used: Vec::new() };
    }
    // A NUL byte means a binary file or UTF-16 without a byte order mark, never a proposal:
    // report it rather than lint text that is not what the author sees. Whichever comes
    // first, a NUL or invalid UTF-8, is reported; the text before it is kept for context.
    let valid = std::str::from_utf8(&bytes).map_or_else(|e| e.valid_up_to(), |_| bytes.len());
    let (code, at, message, label) = match bytes[..valid].iter().position(|&b| b == 0) {
        Some(at) => (
            ToolCode::UnsupportedEncoding,
            at,
            format!("file contains a NUL byte at offset {at}: it is binary, or text in an encoding other than UTF-8"),
            "NUL byte here",
        ),
        None if valid < bytes.len() => {
            (ToolCode::InvalidUtf8, valid, format!("file is not valid UTF-8: invalid byte at offset {valid}"), "invalid UTF-8 starts here")
        }
        None => {
            let text = String::from_utf8(bytes).unwrap_or_default();
            return process_text(input, entry, text, set, settings);
        }
    };
    let prefix = String::from_utf8_lossy(&bytes[..at]).into_owned();
    let d = Diagnostic::tool(code, 0, Span::point(at), message).with_label(label).with_help("save the file as UTF-8 text");
    Processed { entry, source: Some(SourceFile::new(input.display.clone(), prefix)), diagnostics: vec![d], register_used: Vec::new() }
}

fn process_text(input: &Input, mut entry: FileEntry, text: String, set: &RuleSet, settings: &FileSettings<'_>) -> Processed {
    let source = SourceFile::new(input.display.clone(), text);
    if input.format == Format::Toml && !crate::parse::has_proposal_table(&source.text) {
        if input.explicit {
            let d = Diagnostic::tool(
                ToolCode::NotAProposal,
                0,
                Span::point(source.bom_len()),
                "this TOML file is not a proposal form: it has no top-level [proposal] table",
            )
            .with_help("start the form with a [proposal] table holding at least `title`");
            return Processed { entry, source: Some(source), diagnostics: vec![d], register_used: Vec::new() };
        }
        entry.status = FileStatus::Skipped;
        return Processed { entry, source: None, diagnostics: Vec::new(), register_used: Vec::new() };
    }
    let mut linted = lint_source(&source, input.format, set, &settings.engine);
    entry.status = if linted.parsed { FileStatus::Checked } else { FileStatus::Error };
    entry.title = linted.title.take();
    entry.facts = linted.proposal.as_ref().map(crate::model::Proposal::facts).unwrap_or_default();
    entry.rules = linted.statuses.iter().map(|(i, s)| (set.rules[*i].id.clone(), *s)).collect();
    let mut diagnostics = linted.diagnostics;
    let mut register_used = Vec::new();
    if let Some(proposal) = &linted.proposal {
        crate::suppress::apply(&source, proposal, set, settings.require_reason, &mut diagnostics);
        register_used = apply_waivers(&source, input.format, set, settings, &mut diagnostics);
    }
    Processed { entry, source: Some(source), diagnostics, register_used }
}

/// Waivers from the proposal and from the register; returns the register entries used.
fn apply_waivers(
    source: &SourceFile,
    format: Format,
    set: &RuleSet,
    settings: &FileSettings<'_>,
    diags: &mut Vec<Diagnostic>,
) -> Vec<usize> {
    let own = crate::waivers::in_proposal(source, format);
    let mut valid: Vec<&crate::waivers::Waiver> = Vec::new();
    let mut problems = Vec::new();
    for w in &own {
        match crate::waivers::validate(w, set, &settings.today) {
            Some(problem) => problems.push(problem),
            None => valid.push(w),
        }
    }
    let own_count = valid.len();
    valid.extend(settings.register.iter().map(|(_, w)| *w));
    let used = crate::waivers::apply(&valid, set, diags);
    for (w, was_used) in valid.iter().zip(&used).take(own_count) {
        if !was_used {
            problems.push(crate::waivers::unused(w));
        }
    }
    diags.extend(problems);
    settings.register.iter().zip(&used[own_count..]).filter(|(_, u)| **u).map(|((i, _), _)| *i).collect()
}

/// The result of linting one source: diagnostics point at file id 0.
#[derive(Debug, Default)]
pub struct Linted {
    pub diagnostics: Vec<Diagnostic>,
    pub title: Option<String>,
    pub statuses: Vec<(usize, crate::engine::RuleStatus)>,
    /// False when the file could not be parsed, in which case no rule ran.
    pub parsed: bool,
    /// The parsed proposal, for suppressions and waivers.
    pub proposal: Option<crate::model::Proposal>,
}

/// Parses and checks one source.
pub fn lint_source(source: &SourceFile, format: Format, set: &RuleSet, options: &crate::engine::Options) -> Linted {
    let mut diags = Vec::new();
    let mut proposal = crate::parse::parse(source, 0, format, &set.vocab.aliases, &mut diags);
    if diags.iter().any(|d| d.rule == ToolCode::InvalidToml.id()) {
        return Linted { diagnostics: diags, ..Linted::default() };
    }
    for inf in set.catalog.classify(&mut proposal) {
        let s = &proposal.sections[inf.section];
        let names: Vec<&str> = inf.ids.iter().map(|i| set.catalog.title(i)).collect();
        diags.push(
            Diagnostic::tool(
                ToolCode::SectionInferred,
                0,
                s.heading_span,
                format!("treated '{}' as {} from its wording", s.heading, names.join(" and ")),
            )
            .with_label("heading not recognised")
            .with_help(format!(
                "use a conventional heading such as '{}' so reviewers and tools find it",
                names.first().copied().unwrap_or("")
            )),
        );
    }
    let checked = crate::engine::check(&proposal, 0, set, options);
    diags.extend(checked.diagnostics);
    Linted {
        diagnostics: diags,
        title: proposal.title.as_ref().map(|t| t.text.clone()),
        statuses: checked.statuses,
        parsed: true,
        proposal: Some(proposal),
    }
}

enum ReadError {
    /// Over the limit: the file's size when it says one, `None` for a pipe or device (or
    /// a file that grew while read), which is read only as far as the limit.
    TooLarge(Option<u64>),
    Io(std::io::Error),
}

fn read_limited(input: &Input, max: u64) -> Result<Vec<u8>, ReadError> {
    let file = std::fs::File::open(&input.path).map_err(ReadError::Io)?;
    let len = file.metadata().map_err(ReadError::Io)?.len();
    if len > max {
        return Err(ReadError::TooLarge(Some(len)));
    }
    let mut bytes = Vec::with_capacity(len as usize);
    file.take(max + 1).read_to_end(&mut bytes).map_err(ReadError::Io)?;
    if bytes.len() as u64 > max {
        return Err(ReadError::TooLarge(None));
    }
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn processed(path: &str, offsets: &[usize]) -> Processed {
        let input = Input { display: path.into(), path: path.into(), format: Format::Markdown, explicit: true, stdin: false };
        let text = "x".repeat(100);
        let diagnostics =
            offsets.iter().map(|&at| Diagnostic::tool(ToolCode::SectionInferred, 0, Span::new(at, at + 1), format!("at {at}"))).collect();
        Processed { entry: FileEntry::unread(&input), source: Some(SourceFile::new(path, text)), diagnostics, register_used: Vec::new() }
    }

    #[test]
    fn findings_come_out_by_path_then_offset_whatever_order_files_and_rules_gave() {
        let mut db = SourceDb::default();
        let outcome = collect(
            vec![processed("b.md", &[40, 3]), processed("a.md", &[9, 2, 5]), processed("0.md", &[]), processed("c.md", &[7, 1])],
            &mut db,
        );
        let order: Vec<(&str, usize)> =
            outcome.diagnostics.iter().map(|d| (db.get(d.primary.file).path.as_str(), d.primary.span.start)).collect();
        assert_eq!(order, [("a.md", 2), ("a.md", 5), ("a.md", 9), ("b.md", 3), ("b.md", 40), ("c.md", 1), ("c.md", 7)]);
        let files: Vec<&str> = outcome.files.iter().map(|f| f.path.as_str()).collect();
        assert_eq!(files, ["0.md", "a.md", "b.md", "c.md"]);
    }
}
