//! proplint: lints project proposals against the LGA Local Government Digitalisation
//! Framework's six principles. Data flows one way: files, parsed documents, one section
//! model, the rule engine, diagnostics, renderers.

#![warn(clippy::print_stdout, clippy::print_stderr)]

pub mod baseline;
pub mod check;
pub mod cli;
pub mod config;
pub mod diag;
pub mod diff;
pub mod engine;
pub mod explain;
pub mod fix;
pub mod model;
pub mod parse;
pub mod render;
pub mod rules;
pub mod sections;
pub mod selftest;
pub mod settings;
pub mod source;
pub mod span;
pub mod spill;
pub mod suppress;
pub mod template;
pub mod waivers;
pub mod walk;

use cli::{CheckArgs, ColorChoice, Command, FailOn, RuleArgs, RulesArgs, RulesFormat, TestRulesArgs};
use diag::Diagnostic;
use render::{OutputFormat, RenderOptions, Report};
use rules::{RuleSet, RuleSources};
use source::SourceDb;
use std::io::{IsTerminal, Read, Write};

/// 0 clean, 1 findings at or above `--fail-on`, 2 the tool or its input failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExitStatus {
    Clean = 0,
    Findings = 1,
    Error = 2,
}

/// What a command writes: the renderers' text for stdout, and messages for stderr.
#[derive(Debug, Default)]
pub struct Output {
    pub stdout: String,
    pub stderr: String,
    /// A failure to write what was streamed to the `stdout` writer of `run_to`.
    pub write_error: Option<std::io::Error>,
}

pub fn run(cli: cli::Cli) -> (ExitStatus, Output) {
    let mut streamed = Vec::new();
    let (status, mut out) = run_to(cli, &mut streamed);
    if !streamed.is_empty() {
        out.stdout.insert_str(0, &String::from_utf8_lossy(&streamed));
    }
    (status, out)
}

/// As `run`, but `check` may write its output to `stdout` as it goes (then `Output.stdout`
/// holds only what follows it).
pub fn run_to(cli: cli::Cli, stdout: &mut dyn Write) -> (ExitStatus, Output) {
    match cli.command {
        Command::Check(args) => run_check(&args, stdout),
        Command::Rules(args) => run_rules(&args),
        Command::Explain(args) => run_explain(&args),
        Command::Init(args) => run_init(&args),
        Command::Completions(args) => generated(|buf| {
            clap_complete::generate(args.shell, &mut <cli::Cli as clap::CommandFactory>::command(), "proplint", buf);
            Ok(())
        }),
        Command::Man => generated(|buf| clap_mangen::Man::new(<cli::Cli as clap::CommandFactory>::command()).render(buf)),
        Command::TestRules(args) => run_test_rules(&args),
        Command::Config(args) => run_config(&args),
    }
}

fn load_rules(args: &RuleArgs, db: &mut SourceDb, out: &mut Output, color: bool) -> Option<RuleSet> {
    let sources = RuleSources { no_builtin: args.no_builtin_rules, dirs: &args.rules };
    match rules::load(&sources, db) {
        Ok(set) => Some(set),
        Err(diags) => {
            for d in &diags {
                out.stderr.push_str(&render_tool_error(db, d, color));
            }
            out.stderr.push_str(&format!(
                "proplint: {} problem{} in the rule packs\n",
                diags.len(),
                if diags.len() == 1 { "" } else { "s" }
            ));
            None
        }
    }
}

fn render_tool_error(db: &SourceDb, d: &Diagnostic, color: bool) -> String {
    if d.primary.file == usize::MAX {
        return format!("error[{}]: {}\n", d.rule, d.message);
    }
    render::render_diagnostic(db, d, color)
}

fn use_color(choice: ColorChoice) -> bool {
    match choice {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty()) && std::io::stdout().is_terminal(),
    }
}

fn run_check(args: &CheckArgs, stdout: &mut dyn Write) -> (ExitStatus, Output) {
    let mut out = Output::default();
    let outputs = match args.outputs() {
        Ok(o) => o,
        Err(message) => {
            out.stderr.push_str(&format!("proplint: {message}\n"));
            return (ExitStatus::Error, out);
        }
    };
    if args.fix && args.paths.iter().any(|p| p.as_os_str() == "-") {
        out.stderr.push_str("proplint: --fix cannot change standard input; --diff shows the fixes\n");
        return (ExitStatus::Error, out);
    }
    let color = use_color(args.color);
    let mut db = SourceDb::default();
    let mut discovery = walk::discover(&args.paths, args.no_ignore, args.stdin_filename.as_deref());
    // A pipe or device can be read once only, and not replaced: refused before it is read.
    if args.fix {
        let unfixable = discovery.inputs.iter().find(|i| !i.stdin && std::fs::metadata(&i.path).is_ok_and(|m| !m.is_file()));
        if let Some(input) = unfixable {
            out.stderr.push_str(&format!("proplint: --fix cannot change {}: not a regular file; --diff shows the fixes\n", input.display));
            return (ExitStatus::Error, out);
        }
    }
    let mut notes = Vec::new();
    for (path, problem) in &discovery.problems {
        out.stderr.push_str(&format!("proplint: {path}: {problem}\n"));
        notes.push(format!("{path}: {problem}"));
    }
    if args.skip_non_proposals {
        // Treated as found by walking: check.rs then drops TOML files that are not forms.
        for input in &mut discovery.inputs {
            input.explicit = false;
        }
    }
    // Configuration comes first: it may add rule packs and exclude files.
    let Some((set, settings, inputs)) = configure(&args.config_args, &args.rule_args, discovery.inputs, &mut db, &mut out, color) else {
        return (ExitStatus::Error, out);
    };
    // A check is the process's last work: freeing thousands of compiled patterns one by
    // one would only delay the exit (3% of a one-file run).
    let set = &*Box::leak(Box::new(set));
    // Bytes, not a String: invalid UTF-8 on standard input is a finding about that input,
    // reported like a file's, not a failure of the run.
    let stdin_bytes = if inputs.iter().any(|i| i.stdin) {
        let mut s = Vec::new();
        if let Err(e) = std::io::stdin().read_to_end(&mut s) {
            out.stderr.push_str(&format!("proplint: cannot read standard input: {e}\n"));
            return (ExitStatus::Error, out);
        }
        Some(s)
    } else {
        None
    };
    let mut register_problems = Vec::new();
    let mut settings = settings;
    register_problems.extend(settings.load_registers(set, &mut db));
    // Each file's settings are worked out when it is linted, not held for the whole run.
    let settings = settings;
    let index: std::collections::BTreeMap<&str, usize> = inputs.iter().enumerate().map(|(i, input)| (input.display.as_str(), i)).collect();
    let settings_of =
        |input: &walk::Input| index.get(input.display.as_str()).map(|&i| settings.for_input(set, i, &inputs[i])).unwrap_or_default();
    let progress = !args.quiet && inputs.len() >= check::PROGRESS_MIN_FILES && std::io::stderr().is_terminal();
    let options = check::Options { max_size: args.max_file_size, settings: &settings_of, stdin: stdin_bytes.as_deref(), progress };
    if registers_sort_last(&inputs, &register_problems, &settings, &db) && distinct_paths(&inputs) {
        let baseline = match read_baseline(args) {
            Ok(entries) => entries,
            Err(message) => {
                out.stderr.push_str(&format!("proplint: {message}\n"));
                return (ExitStatus::Error, out);
            }
        };
        let no_files_ok = args.skip_non_proposals && discovery.problems.is_empty();
        let register = Register { problems: register_problems, settings: &settings, db: &db };
        let streamed = Streamed { outputs, color, notes, no_files_ok, baseline, register };
        return stream_check(args, streamed, &inputs, set, &options, stdout, out);
    }
    let mut outcome = check::run(&inputs, set, &options, &mut db);
    outcome.diagnostics.extend(register_problems);
    outcome.diagnostics.extend(settings.unused_register(&outcome.register_used));
    if let Err(message) = apply_baseline(args, &mut outcome.diagnostics, &db, &mut out) {
        out.stderr.push_str(&format!("proplint: {message}\n"));
        return (ExitStatus::Error, out);
    }
    check::sort(&mut outcome.diagnostics, &db);
    if outcome.files.is_empty() {
        if args.skip_non_proposals && discovery.problems.is_empty() {
            return (ExitStatus::Clean, out);
        }
        out.stderr.push_str("proplint: no proposals found (looked for *.md, *.markdown and *.toml forms with a [proposal] table)\n");
        return (ExitStatus::Error, out);
    }
    if args.fix || args.diff {
        return fix_files(args, &inputs, &outcome.diagnostics, &db, set, out, stdout);
    }
    let report = Report { db: &db, files: &outcome.files, diagnostics: &outcome.diagnostics, rules: Some(set) };
    let status = findings_status(args, &report.counts());
    let link_base = github_blob_base();
    let mut options = RenderOptions { color, quiet: args.quiet, exit_code: status as i32, notes, link_base };
    let mut failed_write = false;
    for spec in &outputs {
        match &spec.file {
            None if args.statistics => {
                let json = matches!(spec.format, OutputFormat::Json | OutputFormat::JsonLines);
                out.stdout = render::render_statistics(&report, json);
            }
            None => match render::render(spec.format, &report, &options) {
                Ok(text) => out.stdout = text,
                Err(e) => {
                    out.stderr.push_str(&format!("proplint: cannot write {} output: {e}\n", spec.format.name()));
                    failed_write = true;
                }
            },
            Some(path) => {
                options.color = false;
                let text = render::render(spec.format, &report, &options);
                options.color = color;
                if let Err(e) = text.and_then(|text| std::fs::write(path, text)) {
                    out.stderr.push_str(&format!("proplint: cannot write {} output to {}: {e}\n", spec.format.name(), path.display()));
                    failed_write = true;
                }
            }
        }
    }
    if args.statistics && outputs.iter().all(|s| s.file.is_some()) {
        out.stdout = render::render_statistics(&report, false);
    }
    if failed_write {
        return (ExitStatus::Error, out);
    }
    (status, out)
}

/// `--diff` prints what the findings' fixes would change; `--fix` writes it, then lints
/// again to report what is left.
fn fix_files(
    args: &CheckArgs,
    inputs: &[walk::Input],
    diagnostics: &[Diagnostic],
    db: &SourceDb,
    set: &RuleSet,
    mut out: Output,
    stdout: &mut dyn Write,
) -> (ExitStatus, Output) {
    let mut fixer = Fixer::new(args, inputs, set);
    let diffs = fixer.chunk(diagnostics, db, &mut out.stderr);
    out.stdout.push_str(&diffs);
    fixer.finish(out, stdout)
}

/// `--fix` and `--diff` over a run's findings, given a file's findings at a time (a
/// chunk's, or the whole run's).
struct Fixer<'a> {
    args: &'a CheckArgs,
    set: &'a RuleSet,
    /// The first input of each display path, as a search of the inputs per file found it.
    input_of: std::collections::HashMap<&'a str, &'a walk::Input>,
    fixed: usize,
    files: usize,
    failed: bool,
}

impl<'a> Fixer<'a> {
    fn new(args: &'a CheckArgs, inputs: &'a [walk::Input], set: &'a RuleSet) -> Fixer<'a> {
        let mut input_of = std::collections::HashMap::new();
        for input in inputs {
            input_of.entry(input.display.as_str()).or_insert(input);
        }
        Fixer { args, set, input_of, fixed: 0, files: 0, failed: false }
    }

    /// Writes the fixes of the files `diagnostics` point into, or with `--diff` returns
    /// them as a diff; problems go to `stderr`.
    fn chunk(&mut self, diagnostics: &[Diagnostic], db: &SourceDb, stderr: &mut String) -> String {
        let mut diffs = String::new();
        let mut by_file: std::collections::BTreeMap<usize, Vec<&Diagnostic>> = std::collections::BTreeMap::new();
        for d in diagnostics.iter().filter(|d| d.fix.is_some()) {
            by_file.entry(d.primary.file).or_default().push(d);
        }
        for (id, diags) in by_file {
            let source = db.get(id);
            let Some(&input) = self.input_of.get(source.path.as_str()) else { continue };
            let rewrite = match fix::rewrite(source, input.format, &diags, self.set) {
                Ok(Some(r)) => r,
                Ok(None) => continue,
                Err(fix::Refused::WouldNotParse(why)) => {
                    stderr.push_str(&format!("proplint: {}: fixes not applied: the result would not parse ({why})\n", source.path));
                    continue;
                }
            };
            if self.args.diff {
                diffs.push_str(&diff::unified(&source.path, &source.text, &rewrite.text, &rewrite.changes));
            } else {
                // The file must still be what was linted: never overwrite an edit made meanwhile.
                let unchanged = std::fs::read(&input.path).is_ok_and(|bytes| bytes == source.text.as_bytes());
                let written = if unchanged {
                    fix::write_atomically(&input.path, &rewrite.text)
                } else {
                    Err(std::io::Error::other("it changed while proplint ran"))
                };
                if let Err(e) = written {
                    stderr.push_str(&format!("proplint: {}: fixes not written: {e}\n", source.path));
                    self.failed = true;
                    continue;
                }
            }
            self.fixed += rewrite.fixed;
            self.files += 1;
        }
        diffs
    }

    /// With `--diff`, the summary and the exit status; with `--fix`, the summary and a
    /// second check of what is left.
    fn finish(self, mut out: Output, stdout: &mut dyn Write) -> (ExitStatus, Output) {
        let Fixer { args, fixed, files, failed, .. } = self;
        let plural = |n: usize, one: &str, many: &str| if n == 1 { format!("{n} {one}") } else { format!("{n} {many}") };
        if args.diff {
            if args.quiet {
            } else if files == 0 {
                out.stderr.push_str("proplint: nothing to fix\n");
            } else {
                out.stderr.push_str(&format!(
                    "proplint: --fix would resolve {} in {}\n",
                    plural(fixed, "finding", "findings"),
                    plural(files, "file", "files")
                ));
            }
            let status = if failed {
                ExitStatus::Error
            } else if files > 0 {
                ExitStatus::Findings
            } else {
                ExitStatus::Clean
            };
            return (status, out);
        }
        let again = CheckArgs { fix: false, ..args.clone() };
        let (status, rest) = run_check(&again, stdout);
        if !args.quiet {
            out.stderr.push_str(&format!(
                "proplint: fixed {} in {}\n",
                plural(fixed, "finding", "findings"),
                plural(files, "file", "files")
            ));
        }
        out.stdout.push_str(&rest.stdout);
        out.stderr.push_str(&rest.stderr);
        out.write_error = rest.write_error;
        (if failed { ExitStatus::Error } else { status }, out)
    }
}

/// Files a chunk at a time when output streams: enough to keep both cores busy, few
/// enough that memory does not grow with the run.
const CHUNK: usize = 32;

/// How a streamed `check` writes.
struct Streamed<'a> {
    outputs: Vec<cli::FormatSpec>,
    color: bool,
    notes: Vec<String>,
    /// With `--skip-non-proposals`, finding no proposal is not an error.
    no_files_ok: bool,
    /// The `--baseline` entries.
    baseline: Option<Vec<baseline::Entry>>,
    register: Register<'a>,
}

/// The waiver registers of a streamed run, whose findings (problems found loading them,
/// waivers no finding used) are reported after every proposal's.
struct Register<'a> {
    problems: Vec<Diagnostic>,
    settings: &'a settings::Settings,
    /// The database the registers were read into.
    db: &'a SourceDb,
}

/// True when every waiver register's path sorts after every input's, so that a streamed
/// run can report the registers' findings last, where the whole run's sort puts them
/// (a register beside `proplint.toml` at the root, proposals in folders below it).
fn registers_sort_last(inputs: &[walk::Input], problems: &[Diagnostic], settings: &settings::Settings, db: &SourceDb) -> bool {
    let Some(last) = inputs.iter().map(|i| i.display.as_str()).max() else {
        return true;
    };
    let files = problems.iter().map(|d| d.primary.file).chain(settings.register.iter().map(|(w, _)| w.file.unwrap_or(0)));
    files.map(|id| db.try_get(id)).all(|file| file.is_some_and(|f| f.path.as_str() > last))
}

/// One output of a streamed run: its format's stream and where it goes.
struct Sink {
    format: OutputFormat,
    stream: render::Stream,
    to: Destination,
}

enum Destination {
    Stdout,
    /// A file, and what is written to it at the end: the file is only written by a run
    /// that gets there, as when the whole run is rendered at once.
    File(std::path::PathBuf, spill::Spill),
}

/// `check` in the common case: files are linted a chunk at a time in path order, and
/// each chunk's findings rendered before the next is linted, so that memory does not
/// grow with the number of files. Standard output is written as it goes;
/// a format whose totals come first, and a file, hold text back (on disk once large).
/// The output is byte for byte what rendering the whole run gives.
fn stream_check(
    args: &CheckArgs,
    streamed: Streamed<'_>,
    inputs: &[walk::Input],
    set: &RuleSet,
    options: &check::Options<'_>,
    stdout: &mut dyn Write,
    mut out: Output,
) -> (ExitStatus, Output) {
    let link_base = github_blob_base();
    let mut sinks: Vec<Sink> = Vec::new();
    // `--fix` and `--diff` take the place of every output (`--fix` lints again after).
    let mut fixer = (args.fix || args.diff).then(|| Fixer::new(args, inputs, set));
    let mut fix_problems = String::new();
    // `--statistics` takes standard output's place; files are still written.
    let mut statistics = (fixer.is_none() && args.statistics).then(|| {
        let stdout_format = streamed.outputs.iter().find(|s| s.file.is_none()).map(|s| s.format);
        (render::Statistics::default(), matches!(stdout_format, Some(OutputFormat::Json | OutputFormat::JsonLines)))
    });
    let mut known = streamed.baseline.as_deref().map(baseline::Known::new);
    let mut recorded = args.write_baseline.as_ref().map(|_| baseline::Recorder::default());
    let mut counts = render::Tally::default();
    for spec in streamed.outputs {
        if fixer.is_some() || (statistics.is_some() && spec.file.is_none()) {
            continue;
        }
        let render_options = RenderOptions {
            color: streamed.color && spec.file.is_none(),
            quiet: args.quiet,
            exit_code: 0,
            notes: streamed.notes.clone(),
            link_base: link_base.clone(),
        };
        let stream = render::Stream::new(spec.format, render_options);
        let to = spec.file.map_or(Destination::Stdout, |path| Destination::File(path, spill::Spill::default()));
        sinks.push(Sink { format: spec.format, stream, to });
    }
    let mut files: Vec<check::FileEntry> = Vec::new();
    let mut failed: Option<std::io::Error> = None;
    let mut to_stdout = |bytes: &[u8], failed: &mut Option<std::io::Error>| {
        if failed.is_none() && !bytes.is_empty() {
            *failed = stdout.write_all(bytes).err();
        }
    };
    let mut register_used = std::collections::BTreeSet::new();
    // A chunk's findings (or the registers', last): held by the baseline, recorded,
    // counted, then written to every output.
    let mut chunk = |diagnostics: &mut Vec<Diagnostic>, files: &[check::FileEntry], db: &SourceDb| {
        if let Some(known) = &mut known {
            known.filter(diagnostics, db);
        }
        if let Some(recorded) = &mut recorded {
            recorded.add(diagnostics.iter().filter(|d| d.waived.is_none()).map(|d| baseline::entry(d, db)).collect());
        }
        if let Some(fixer) = &mut fixer {
            let diffs = fixer.chunk(diagnostics, db, &mut fix_problems);
            return to_stdout(diffs.as_bytes(), &mut failed);
        }
        if let Some((statistics, _)) = &mut statistics {
            statistics.add(diagnostics);
        }
        counts.add(diagnostics);
        let report = Report { db, files, diagnostics, rules: Some(set) };
        for sink in &mut sinks {
            match &mut sink.to {
                Destination::File(_, spill) => sink.stream.findings(&report, |part| spill.push(part.as_bytes())),
                Destination::Stdout => sink.stream.findings(&report, |part| to_stdout(part.as_bytes(), &mut failed)),
            }
        }
    };
    check::run_chunked(inputs, set, options, CHUNK, |mut outcome, db| {
        chunk(&mut outcome.diagnostics, &outcome.files, db);
        register_used.extend(outcome.register_used);
        // Only the path, format and status are left to show.
        files.extend(outcome.files.into_iter().map(|f| check::FileEntry { title: None, rules: Vec::new(), ..f }));
    });
    let Register { mut problems, settings, db } = streamed.register;
    problems.extend(settings.unused_register(&register_used));
    if !problems.is_empty() && !files.is_empty() {
        check::sort(&mut problems, db);
        chunk(&mut problems, &[], db);
    }
    if let Err(message) = settle_baseline(args, known.as_ref(), recorded, &mut out) {
        out.stderr.push_str(&format!("proplint: {message}\n"));
        return (ExitStatus::Error, out);
    }
    if files.is_empty() {
        if streamed.no_files_ok {
            return (ExitStatus::Clean, out);
        }
        out.stderr.push_str("proplint: no proposals found (looked for *.md, *.markdown and *.toml forms with a [proposal] table)\n");
        return (ExitStatus::Error, out);
    }
    if let Some(fixer) = fixer {
        out.stderr.push_str(&fix_problems);
        out.write_error = failed;
        return fixer.finish(out, stdout);
    }
    let status = findings_status(args, &counts.counts);
    let mut failed_write = false;
    for Sink { format, stream, to } in sinks {
        let (written, to) = match to {
            Destination::Stdout => (stream.finish(&files, status as i32, |bytes| to_stdout(bytes, &mut failed)), String::new()),
            Destination::File(path, mut spill) => (
                stream
                    .finish(&files, status as i32, |bytes| spill.push(bytes))
                    .and_then(|()| spill.write_into(&mut std::fs::File::create(&path)?)),
                format!(" to {}", path.display()),
            ),
        };
        if let Err(e) = written {
            out.stderr.push_str(&format!("proplint: cannot write {} output{to}: {e}\n", format.name()));
            failed_write = true;
        }
    }
    if let Some((statistics, json)) = statistics {
        to_stdout(statistics.render(json).as_bytes(), &mut failed);
    }
    out.write_error = failed;
    if failed_write {
        return (ExitStatus::Error, out);
    }
    (status, out)
}

fn distinct_paths(inputs: &[walk::Input]) -> bool {
    let mut paths: Vec<&str> = inputs.iter().map(|i| i.display.as_str()).collect();
    paths.sort_unstable();
    paths.windows(2).all(|w| w[0] != w[1])
}

/// Loads configuration for the inputs, the rule packs it names, and checks its selectors.
/// Walked files outside the configuration's `include`/`exclude` are dropped.
fn configure(
    config_args: &cli::ConfigArgs,
    rule_args: &RuleArgs,
    inputs: Vec<walk::Input>,
    db: &mut SourceDb,
    out: &mut Output,
    color: bool,
) -> Option<(RuleSet, settings::Settings, Vec<walk::Input>)> {
    let (configs, config_of) = match settings::load(&inputs, config_args.config.as_deref(), config_args.no_config, db) {
        Ok(found) => found,
        Err(diags) => {
            for d in &diags {
                out.stderr.push_str(&render_tool_error(db, d, color));
            }
            return None;
        }
    };
    let (inputs, config_of): (Vec<walk::Input>, Vec<Option<usize>>) = inputs
        .into_iter()
        .zip(config_of)
        .filter(|(input, c)| input.explicit || input.stdin || c.is_none_or(|c| configs[c].includes(&input.path)))
        .unzip();
    let mut rule_args = rule_args.clone();
    for dir in configs.iter().flat_map(|c| c.rule_dirs.iter()) {
        if !rule_args.rules.contains(dir) {
            rule_args.rules.push(dir.clone());
        }
    }
    let set = load_rules(&rule_args, db, out, color)?;
    let cli = settings::CliSelection {
        select: config_args.select.clone(),
        extend_select: config_args.extend_select.clone(),
        ignore: config_args.ignore.clone(),
    };
    let settings = settings::Settings { configs, config_of, cli, register: Vec::new(), today: waivers::today() };
    let unknown = settings.check_selectors(&set, db);
    if !unknown.is_empty() {
        for d in &unknown {
            out.stderr.push_str(&render_tool_error(db, d, color));
        }
        return None;
    }
    Some((set, settings, inputs))
}

/// `--baseline`, `--prune-baseline` and `--write-baseline`.
fn apply_baseline(args: &CheckArgs, diags: &mut Vec<Diagnostic>, db: &SourceDb, out: &mut Output) -> Result<(), String> {
    let entries = read_baseline(args)?;
    let mut known = entries.as_deref().map(baseline::Known::new);
    if let Some(known) = &mut known {
        known.filter(diags, db);
    }
    let recorded = args.write_baseline.as_ref().map(|_| {
        let mut recorder = baseline::Recorder::default();
        recorder.add(diags.iter().filter(|d| d.waived.is_none()).map(|d| baseline::entry(d, db)).collect());
        recorder
    });
    settle_baseline(args, known.as_ref(), recorded, out)
}

/// The `--baseline` file's entries, when one is given.
fn read_baseline(args: &CheckArgs) -> Result<Option<Vec<baseline::Entry>>, String> {
    let Some(path) = &args.baseline else {
        return Ok(None);
    };
    let text = std::fs::read_to_string(path).map_err(|e| format!("cannot read baseline {}: {e}", path.display()))?;
    baseline::parse(&text).map(Some).map_err(|e| format!("{}: {e}", path.display()))
}

/// After a run: says which baseline entries matched nothing or prunes them, and writes
/// `recorded` (the findings left open) with `--write-baseline`.
fn settle_baseline(
    args: &CheckArgs,
    known: Option<&baseline::Known>,
    recorded: Option<baseline::Recorder>,
    out: &mut Output,
) -> Result<(), String> {
    if let (Some(path), Some(known)) = (&args.baseline, known) {
        let stale = known.stale();
        if args.prune_baseline && !stale.is_empty() {
            std::fs::write(path, baseline::to_string(&known.kept()))
                .map_err(|e| format!("cannot write baseline {}: {e}", path.display()))?;
            out.stderr.push_str(&format!(
                "proplint: removed {} fixed entr{} from {}\n",
                stale.len(),
                if stale.len() == 1 { "y" } else { "ies" },
                path.display()
            ));
        } else if !stale.is_empty() {
            out.stderr.push_str(&format!(
                "proplint: {} baseline entr{} no longer match a finding (fixed); --prune-baseline removes them\n",
                stale.len(),
                if stale.len() == 1 { "y" } else { "ies" }
            ));
        }
    }
    if let (Some(path), Some(recorded)) = (&args.write_baseline, recorded) {
        let count = recorded.len();
        recorded.write_to(path).map_err(|e| format!("cannot write baseline {}: {e}", path.display()))?;
        out.stderr.push_str(&format!("proplint: wrote {count} entr{} to {}\n", if count == 1 { "y" } else { "ies" }, path.display()));
    }
    Ok(())
}

fn run_config(args: &cli::ConfigCmdArgs) -> (ExitStatus, Output) {
    let mut out = Output::default();
    let mut db = SourceDb::default();
    let discovery = walk::discover(std::slice::from_ref(&args.file), true, None);
    let Some(input) = discovery.inputs.into_iter().next() else {
        out.stderr.push_str(&format!("proplint: cannot read {}\n", args.file.display()));
        return (ExitStatus::Error, out);
    };
    let Some((set, settings, inputs)) = configure(&args.config_args, &args.rule_args, vec![input], &mut db, &mut out, false) else {
        return (ExitStatus::Error, out);
    };
    out.stdout = settings.describe(&set, &db, 0, &inputs[0]);
    (ExitStatus::Clean, out)
}

/// Exit status from the findings alone: `--fail-on` and `--max-warnings`, unless `--exit-zero`.
fn findings_status(args: &CheckArgs, c: &render::Counts) -> ExitStatus {
    if args.exit_zero {
        return ExitStatus::Clean;
    }
    // Counts leave out waived findings: a waiver is the board's decision, not a failure.
    let over_threshold = match args.fail_on {
        FailOn::Error => c.errors > 0,
        FailOn::Warning => c.errors + c.warnings > 0,
        FailOn::Info => c.errors + c.warnings + c.infos > 0,
        FailOn::Never => false,
    };
    let too_many_warnings = args.max_warnings.is_some_and(|max| c.warnings > max);
    if over_threshold || too_many_warnings {
        ExitStatus::Findings
    } else {
        ExitStatus::Clean
    }
}

/// In GitHub Actions, Markdown links point at the files at the commit being checked.
fn github_blob_base() -> Option<String> {
    let var = |k: &str| std::env::var(k).ok().filter(|v| !v.is_empty());
    Some(format!("{}/{}/blob/{}/", var("GITHUB_SERVER_URL")?, var("GITHUB_REPOSITORY")?, var("GITHUB_SHA")?))
}

fn run_rules(args: &RulesArgs) -> (ExitStatus, Output) {
    let mut out = Output::default();
    let mut db = SourceDb::default();
    let Some(set) = load_rules(&args.rule_args, &mut db, &mut out, false) else {
        return (ExitStatus::Error, out);
    };
    let filter = args.principle.as_deref();
    if filter.is_some() && !set.rules.iter().any(|r| explain::selects(filter, r)) {
        out.stderr.push_str(&format!(
            "proplint: no rule has principle or enabler `{}` (principles: {}, governance; enablers: {})\n",
            filter.unwrap_or_default(),
            rules::PRINCIPLES.join(", "),
            rules::ENABLERS.join(", ")
        ));
        return (ExitStatus::Error, out);
    }
    out.stdout = match args.format {
        RulesFormat::Json => explain::json(&set, filter),
        RulesFormat::Table => explain::table(&set, filter),
        RulesFormat::Markdown => explain::markdown(&set, &db, filter),
        RulesFormat::Summary => explain::summary(&set, filter),
    };
    (ExitStatus::Clean, out)
}

fn run_explain(args: &cli::ExplainArgs) -> (ExitStatus, Output) {
    let mut out = Output::default();
    let mut db = SourceDb::default();
    let Some(set) = load_rules(&args.rule_args, &mut db, &mut out, false) else {
        return (ExitStatus::Error, out);
    };
    match explain::explain(&set, &db, &args.rule) {
        Ok(doc) => out.stdout = doc,
        Err(near) => {
            out.stderr.push_str(&format!("proplint: no rule `{}`; did you mean {}?\n", args.rule, near.join(", ")));
            return (ExitStatus::Error, out);
        }
    }
    (ExitStatus::Clean, out)
}

/// Completions and the man page come from the clap definitions, so they never drift.
fn generated(write: impl FnOnce(&mut Vec<u8>) -> std::io::Result<()>) -> (ExitStatus, Output) {
    let mut out = Output::default();
    let mut buf = Vec::new();
    if let Err(e) = write(&mut buf) {
        out.stderr.push_str(&format!("proplint: {e}\n"));
        return (ExitStatus::Error, out);
    }
    out.stdout = String::from_utf8_lossy(&buf).into_owned();
    (ExitStatus::Clean, out)
}

fn run_init(args: &cli::InitArgs) -> (ExitStatus, Output) {
    let mut out = Output::default();
    let mut db = SourceDb::default();
    let Some(set) = load_rules(&args.rule_args, &mut db, &mut out, false) else {
        return (ExitStatus::Error, out);
    };
    let is_toml = args.file.as_ref().is_some_and(|f| f.extension().is_some_and(|x| x == "toml"));
    let form = match args.format {
        Some(cli::InitFormat::Toml) => template::Form::Toml,
        Some(cli::InitFormat::Markdown) => template::Form::Markdown,
        None if is_toml => template::Form::Toml,
        None => template::Form::Markdown,
    };
    let text = template::render(&set, form, &args.stage, &args.nation);
    let Some(path) = &args.file else {
        out.stdout = text;
        return (ExitStatus::Clean, out);
    };
    // create_new refuses an existing file atomically, so a template never clobbers work.
    let mut options = std::fs::OpenOptions::new();
    options.write(true);
    if args.force {
        options.create(true).truncate(true);
    } else {
        options.create_new(true);
    }
    let written = options.open(path).and_then(|mut f| std::io::Write::write_all(&mut f, text.as_bytes()));
    match written {
        Ok(()) => out.stderr.push_str(&format!("proplint: wrote {}\n", path.display())),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
            out.stderr.push_str(&format!("proplint: {} exists; --force replaces it\n", path.display()));
            return (ExitStatus::Error, out);
        }
        Err(e) => {
            out.stderr.push_str(&format!("proplint: cannot write {}: {e}\n", path.display()));
            return (ExitStatus::Error, out);
        }
    }
    (ExitStatus::Clean, out)
}

fn run_test_rules(args: &TestRulesArgs) -> (ExitStatus, Output) {
    let mut out = Output::default();
    let mut db = SourceDb::default();
    let Some(set) = load_rules(&args.rule_args, &mut db, &mut out, false) else {
        return (ExitStatus::Error, out);
    };
    let (cases, failures) = selftest::run(&set, &args.fixtures, args.only.as_deref());
    for f in &failures {
        out.stdout.push_str(&format!("FAIL {} {}: {}\n", f.rule, f.case, f.problem));
    }
    out.stdout.push_str(&format!("{} passed, {} failed\n", cases - failures.len(), failures.len()));
    (if failures.is_empty() { ExitStatus::Clean } else { ExitStatus::Findings }, out)
}
