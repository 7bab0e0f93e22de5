//! Renderers: one module per output format, each a pure function from a report to text.

mod concise;
mod github;
mod gitlab;
mod html;
mod human;
mod json;
mod json_lines;
mod junit;
mod markdown;
mod sarif;
mod statistics;

use crate::check::FileEntry;
use crate::diag::{Diagnostic, Label, Severity};
use crate::rules::{RuleSet, PRINCIPLES};
use crate::source::SourceDb;
use std::collections::HashMap;

pub use human::render_diagnostic;
pub use statistics::{render as render_statistics, Statistics};

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum OutputFormat {
    /// Source excerpts with carets, then a summary (for people)
    Human,
    /// One line per finding: `path:line:col: severity[ID] message`
    Concise,
    /// One stable JSON document (version 1)
    Json,
    /// One JSON diagnostic per line, for streaming
    JsonLines,
    /// SARIF 2.1.0 for GitHub code scanning and other SARIF viewers
    Sarif,
    /// GitHub Actions workflow commands (annotations), grouped per file
    Github,
    /// GitLab Code Quality report
    Gitlab,
    /// JUnit XML: one testsuite per file, one testcase per rule that applied
    Junit,
    /// Markdown summary for a pull-request comment or $GITHUB_STEP_SUMMARY
    Markdown,
    /// One self-contained HTML page for a board: overview, scorecards, findings, waivers
    Html,
}

impl OutputFormat {
    pub fn name(self) -> &'static str {
        match self {
            OutputFormat::Human => "human",
            OutputFormat::Concise => "concise",
            OutputFormat::Json => "json",
            OutputFormat::JsonLines => "json-lines",
            OutputFormat::Sarif => "sarif",
            OutputFormat::Github => "github",
            OutputFormat::Gitlab => "gitlab",
            OutputFormat::Junit => "junit",
            OutputFormat::Markdown => "markdown",
            OutputFormat::Html => "html",
        }
    }
}

/// Everything a renderer may show about one run.
pub struct Report<'a> {
    pub db: &'a SourceDb,
    pub files: &'a [FileEntry],
    pub diagnostics: &'a [Diagnostic],
    pub rules: Option<&'a RuleSet>,
}

#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Counts {
    pub errors: usize,
    pub warnings: usize,
    pub infos: usize,
    /// Findings a board waived: shown, but counted apart from the severities.
    pub waived: usize,
    /// Findings `check --fix` can resolve.
    pub fixable: usize,
}

impl Counts {
    /// "N files checked: E errors, W warnings, I info", with waived and fixable counts
    /// when there are any: the last line of human and concise output.
    pub(crate) fn summary_line(&self, files: usize) -> String {
        let plural = |n: usize| if n == 1 { "" } else { "s" };
        let mut line = format!(
            "{files} file{} checked: {} error{}, {} warning{}, {} info",
            plural(files),
            self.errors,
            plural(self.errors),
            self.warnings,
            plural(self.warnings),
            self.infos
        );
        if self.waived > 0 {
            line.push_str(&format!(", {} waived", self.waived));
        }
        if self.fixable > 0 {
            line.push_str(&format!(" ({} fixable with `proplint check --fix`)", self.fixable));
        }
        line
    }
}

impl Counts {
    fn add(&mut self, severity: Severity) {
        match severity {
            Severity::Error => self.errors += 1,
            Severity::Warning => self.warnings += 1,
            Severity::Info => self.infos += 1,
        }
    }
}

/// Counts per severity and per principle, added up chunk by chunk when output streams.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Tally {
    pub counts: Counts,
    /// Errors and warnings per principle, in `PRINCIPLES` order.
    principles: [(usize, usize); PRINCIPLES.len()],
}

impl Tally {
    pub fn of(diagnostics: &[Diagnostic]) -> Tally {
        let mut t = Tally::default();
        t.add(diagnostics);
        t
    }

    pub fn add(&mut self, diagnostics: &[Diagnostic]) {
        for d in diagnostics {
            if d.waived.is_some() {
                self.counts.waived += 1;
                continue;
            }
            self.counts.add(d.severity);
            self.counts.fixable += usize::from(d.fix.is_some());
            let Some(i) = d.principle.as_deref().and_then(|p| PRINCIPLES.iter().position(|q| *q == p)) else {
                continue;
            };
            match d.severity {
                Severity::Error => self.principles[i].0 += 1,
                Severity::Warning => self.principles[i].1 += 1,
                Severity::Info => {}
            }
        }
    }

    /// Errors and warnings per principle, in the framework's order.
    pub fn per_principle(&self) -> Vec<(&'static str, usize, usize)> {
        PRINCIPLES.iter().zip(&self.principles).map(|(p, &(e, w))| (*p, e, w)).collect()
    }
}

impl Report<'_> {
    pub fn counts(&self) -> Counts {
        Tally::of(self.diagnostics).counts
    }

    /// Errors and warnings per principle, in the framework's order.
    pub fn per_principle(&self) -> Vec<(&'static str, usize, usize)> {
        Tally::of(self.diagnostics).per_principle()
    }

    pub fn path_of(&self, d: &Diagnostic) -> &str {
        &self.db.get(d.primary.file).path
    }

    /// Diagnostics grouped by the path they point into, in report order.
    pub(crate) fn by_path(&self) -> Vec<(&str, Vec<&Diagnostic>)> {
        let mut groups: Vec<(&str, Vec<&Diagnostic>)> = Vec::new();
        for d in self.diagnostics {
            let path = self.path_of(d);
            match groups.last_mut() {
                Some((p, list)) if *p == path => list.push(d),
                _ => groups.push((path, vec![d])),
            }
        }
        groups
    }
}

/// What a run knows beyond its findings, for formats that record the invocation.
#[derive(Debug, Clone, Default)]
pub struct RenderOptions {
    pub color: bool,
    /// Drop summary lines from human and concise output.
    pub quiet: bool,
    /// The exit code the run will end with (SARIF `invocations`).
    pub exit_code: i32,
    /// Problems with the command line's paths, reported as tool notifications.
    pub notes: Vec<String>,
    /// Prefix for links to files in Markdown (for example a repository's blob URL at a commit).
    pub link_base: Option<String>,
}

/// The whole run in `format`, written through a `Stream` given the run as one chunk, so
/// that the streamed and the whole output cannot drift apart.
pub fn render(format: OutputFormat, report: &Report<'_>, options: &RenderOptions) -> std::io::Result<String> {
    let mut stream = Stream::new(format, options.clone());
    let mut out = Vec::new();
    stream.findings(report, |part| out.extend_from_slice(part.as_bytes()));
    stream.finish(report.files, options.exit_code, |bytes| out.extend_from_slice(bytes))?;
    // The pieces are whole strings, so the joined bytes are UTF-8.
    Ok(String::from_utf8(out).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned()))
}

/// A format written piece by piece: the findings of each chunk of a run (in report
/// order), then the end. The pieces joined are exactly what `render` returns. Formats
/// whose totals, rule lists or contents come before the findings hold their text back
/// (in a `Spill`, on disk once large) and hold no findings.
pub struct Stream {
    format: OutputFormat,
    options: RenderOptions,
    started: bool,
    tally: Tally,
    held: Held,
}

/// What a format keeps until the end of the run.
enum Held {
    Nothing,
    Sarif(sarif::Results),
    Junit(junit::Suites),
    Markdown(markdown::Summary),
    Html(html::Page),
}

impl Stream {
    pub fn new(format: OutputFormat, options: RenderOptions) -> Stream {
        let held = match format {
            OutputFormat::Html => Held::Html(html::Page::default()),
            OutputFormat::Sarif => Held::Sarif(sarif::Results::default()),
            OutputFormat::Junit => Held::Junit(junit::Suites::default()),
            OutputFormat::Markdown => Held::Markdown(markdown::Summary::default()),
            _ => Held::Nothing,
        };
        Stream { format, options, started: false, tally: Tally::default(), held }
    }

    /// The text of the findings in `report`, which follow those already rendered, handed
    /// to `write` piece by piece (a file's findings at a time, rendered on the thread pool)
    /// so that a run's megabytes of JSON are not copied into one string first.
    pub fn findings(&mut self, report: &Report<'_>, mut write: impl FnMut(&str)) {
        use rayon::prelude::*;
        self.tally.add(report.diagnostics);
        match &mut self.held {
            Held::Junit(suites) => return suites.add(report),
            Held::Markdown(summary) => return summary.add(report, &self.options),
            Held::Html(page) => return page.add(report),
            Held::Sarif(results) => results.register(report),
            Held::Nothing => {}
        }
        // By path, not by file: two inputs shown under one path make one group, as a
        // reader of the output sees them.
        let mut groups: Vec<&[Diagnostic]> = Vec::new();
        let mut rest = report.diagnostics;
        while let Some(first) = rest.first() {
            let path = report.path_of(first);
            let n = rest.iter().position(|d| report.path_of(d) != path).unwrap_or(rest.len());
            groups.push(&rest[..n]);
            rest = &rest[n..];
        }
        let (format, options, db, held) = (self.format, &self.options, report.db, &self.held);
        let parts: Vec<String> = groups
            .par_iter()
            .map(|g| {
                let mut out = String::new();
                match (format, held) {
                    (OutputFormat::Github, _) => github::group(&mut out, db, g),
                    (OutputFormat::Gitlab, _) => gitlab::group(&mut out, db, g),
                    (_, Held::Sarif(results)) => results.group(&mut out, db, g),
                    _ => {
                        for (i, d) in g.iter().enumerate() {
                            // A file's findings render to about the same length each:
                            // sized from the first, the text is not copied as it grows.
                            if i == 1 {
                                out.reserve((out.len() * (g.len() - 1)).min(GROUP_RESERVE_CAP));
                            }
                            match format {
                                OutputFormat::Human => out.push_str(&human::render_diagnostic(db, d, options.color)),
                                OutputFormat::Concise => concise::line(&mut out, db, d),
                                OutputFormat::Json => json::item(&mut out, db, d),
                                _ => json_lines::line(&mut out, db, d),
                            }
                        }
                    }
                }
                out
            })
            .collect();
        for part in parts.iter().filter(|p| !p.is_empty()) {
            match (&mut self.held, self.format) {
                (Held::Sarif(results), _) => results.push(part, self.started),
                (_, OutputFormat::Json) if !self.started => json::open_list(part, &mut write),
                (_, OutputFormat::Gitlab) => {
                    write(gitlab::separator(self.started));
                    write(part);
                }
                _ => write(part),
            }
            self.started = true;
        }
    }

    /// What follows the last finding (the summary lines, the rest of the JSON document),
    /// or for a format that held its findings back, the whole document. `exit_code` is the
    /// run's, which SARIF records.
    pub fn finish(self, files: &[FileEntry], exit_code: i32, mut write: impl FnMut(&[u8])) -> std::io::Result<()> {
        let count = files.len();
        let counts = &self.tally.counts;
        let text = match self.held {
            Held::Sarif(results) => return results.finish(&self.options, exit_code, &mut write),
            Held::Junit(suites) => return suites.finish(&mut write),
            Held::Markdown(summary) => summary.finish(count, counts),
            Held::Html(page) => return page.finish(counts, &mut write),
            Held::Nothing => match self.format {
                OutputFormat::Human => human::summary(count, &self.tally, self.options.quiet),
                OutputFormat::Concise => concise::summary(count, counts, self.options.quiet),
                OutputFormat::Json => json::end(files, counts, self.started),
                OutputFormat::Gitlab => gitlab::end(self.started).to_string(),
                _ => String::new(),
            },
        };
        write(text.as_bytes());
        Ok(())
    }
}

/// The most a file's rendered findings are sized for ahead (a first finding on a long
/// line is no guide to the rest).
const GROUP_RESERVE_CAP: usize = 4 << 20;

/// Replaces terminal control characters in proposal text so it cannot move the cursor,
/// change colours or rewrite a line in someone's terminal.
pub fn neutralise(text: &str) -> String {
    text.chars().map(|c| if c.is_control() && c != '\n' && c != '\t' { '\u{FFFD}' } else { c }).collect()
}

/// A span as 1-based lines and columns (code points, end exclusive). A non-empty span that
/// ends at the start of a line is pulled back to the end of the line before, so that a
/// section ending in a line break is not shown as reaching into the next line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Region {
    pub start_line: usize,
    pub start_column: usize,
    pub end_line: usize,
    pub end_column: usize,
}

pub(crate) fn region(db: &SourceDb, label: &Label) -> Region {
    let file = db.get(label.file);
    let start = file.position(label.span.start);
    let mut end = file.position(label.span.end);
    if !label.span.is_empty() && end.column == 1 && end.line > start.line {
        let prev = file.lines.line_range(&file.text, end.line - 2);
        end = file.position(prev.end);
    }
    Region { start_line: start.line, start_column: start.column, end_line: end.line, end_column: end.column }
}

/// Stable identities for findings, parallel to `diagnostics` (all of one file's findings
/// or more): a hash of rule, section and the normalised text under the span, plus an
/// occurrence number among identical keys in the same file. Line numbers play no part, so
/// edits elsewhere keep the identity.
pub(crate) fn fingerprints(db: &SourceDb, diagnostics: &[Diagnostic]) -> Vec<String> {
    let mut seen: HashMap<(usize, u64), usize> = HashMap::new();
    diagnostics
        .iter()
        .map(|d| {
            let text = db.get(d.primary.file).slice(d.primary.span);
            let normalised = text.split_whitespace().collect::<Vec<_>>().join(" ").to_lowercase();
            let key = format!("{}\u{0}{}\u{0}{}", d.rule, d.section.as_deref().unwrap_or(""), normalised);
            let hash = fnv1a(key.as_bytes());
            let n = seen.entry((d.primary.file, hash)).or_insert(0);
            *n += 1;
            format!("{hash:016x}:{n}")
        })
        .collect()
}

/// `text` with every line indented by `indent`, the first included: a value pretty-printed
/// on its own, placed at its depth in a larger document.
pub(crate) fn push_indented(out: &mut String, text: &str, indent: &str) {
    for (i, line) in text.split('\n').enumerate() {
        if i > 0 {
            out.push('\n');
        }
        out.push_str(indent);
        out.push_str(line);
    }
}

/// FNV-1a (64-bit): tiny, and stable across Rust releases, unlike `DefaultHasher`.
pub(crate) fn fnv1a(bytes: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in bytes {
        h ^= u64::from(*b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h
}

/// Percent-encodes a relative path for a URI (RFC 3986): unreserved characters and `/`
/// stay, everything else becomes `%XX` of its UTF-8 bytes.
pub(crate) fn percent_encode_path(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for b in path.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~' | b'/') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// "waived: reason (approved by ..., decision ..., expires ...)", for formats that show a
/// waived finding rather than leave it out.
pub(crate) fn waiver_note(w: &crate::diag::Waived) -> String {
    let mut s = format!("waived: {} (approved by {}", w.reason, w.approved_by);
    if let Some(d) = &w.decision {
        s.push_str(&format!(", decision {d}"));
    }
    if let Some(e) = &w.expires {
        s.push_str(&format!(", expires {e}"));
    }
    s.push(')');
    s
}

/// The group a rule or finding is reported under: its principle, else `governance`.
pub(crate) fn group_of(principle: Option<&str>) -> &str {
    principle.unwrap_or("governance")
}

/// Capitalises the first letter, for messages shown as titles.
pub(crate) fn sentence_case(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(c) => c.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percent_encoding_keeps_unreserved_and_slashes() {
        assert_eq!(percent_encode_path("a b/c%d,é.md"), "a%20b/c%25d%2C%C3%A9.md");
    }

    #[test]
    fn fnv_is_stable() {
        assert_eq!(fnv1a(b""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(fnv1a(b"a"), 0xaf63_dc4c_8601_ec8c);
    }
}
