//! Rich terminal output through codespan-reporting, then a summary per principle.

use super::{neutralise, Tally};
use crate::diag::{Diagnostic, Severity};
use crate::source::{FileId, SourceDb};
use codespan_reporting::diagnostic::{Diagnostic as CsDiagnostic, Label as CsLabel, Severity as CsSeverity};
use codespan_reporting::files::{Error as FilesError, Files};
use codespan_reporting::term::{self, termcolor::Buffer, Config};
use std::fmt::Write;
use std::ops::Range;

/// Lines longer than this (bytes) are shown as a window around the labels on them: a
/// generated file can hold one line of megabytes, and each finding on it printed it
/// whole (12,500 findings on a 1 MB line ran to gigabytes).
const LONG_LINE: usize = 1024;
/// Bytes of a long line shown either side of the labels on it.
const CONTEXT: usize = 120;

/// The summary lines after the findings.
pub(super) fn summary(files: usize, tally: &Tally, quiet: bool) -> String {
    let mut out = String::new();
    if quiet {
        return out;
    }
    let c = &tally.counts;
    let _ = writeln!(out, "{}", c.summary_line(files));
    let per: Vec<String> =
        tally.per_principle().into_iter().filter(|(_, e, w)| e + w > 0).map(|(p, e, w)| format!("{p} {e}E/{w}W")).collect();
    if !per.is_empty() {
        let _ = writeln!(out, "by principle: {}", per.join(", "));
    }
    out
}

/// One diagnostic as codespan renders it, with source lines and carets.
pub fn render_diagnostic(db: &SourceDb, d: &Diagnostic, color: bool) -> String {
    let severity = match d.severity {
        Severity::Error => CsSeverity::Error,
        Severity::Warning => CsSeverity::Warning,
        Severity::Info => CsSeverity::Note,
    };
    let file = db.get(d.primary.file);
    let mut labels = Vec::new();
    if !file.text.is_empty() || d.primary.span.is_empty() {
        labels.push(CsLabel::primary(d.primary.file, d.primary.span.range()).with_message(neutralise(&d.primary.message)));
        for l in &d.secondary {
            labels.push(CsLabel::secondary(l.file, l.span.range()).with_message(neutralise(&l.message)));
        }
    }
    let mut notes = Vec::new();
    if let Some(p) = &d.principle {
        notes.push(format!("principle: {p}{}", d.enabler.as_ref().map(|e| format!(" (enabler: {e})")).unwrap_or_default()));
    } else if let Some(e) = &d.enabler {
        notes.push(format!("enabler: {e}"));
    }
    if let Some(why) = &d.why {
        notes.push(format!("why: {why}"));
    }
    if let Some(help) = &d.help {
        notes.push(format!("help: {help}"));
    }
    if let Some(w) = &d.waived {
        notes.push(neutralise(&super::waiver_note(w)));
    }
    let mut cs = CsDiagnostic::new(severity)
        .with_code(d.rule.clone())
        .with_message(format!("{} [{}]", neutralise(&d.message), d.name))
        .with_labels(labels)
        .with_notes(notes);
    let config = Config::default();
    let mut buffer = if color { Buffer::ansi() } else { Buffer::no_color() };
    let view = Windowed::new(db, &mut cs.labels);
    if term::emit_to_write_style(&mut buffer, &config, &view, &cs).is_err() {
        let pos = file.position(d.primary.span.start);
        return format!("{}[{}]: {}\n  --> {}:{}:{}\n\n", d.severity, d.rule, neutralise(&d.message), file.path, pos.line, pos.column);
    }
    String::from_utf8_lossy(buffer.as_slice()).into_owned()
}

/// The files as one diagnostic's snippet shows them: a long line is cut down to a window
/// around the labels on it (or its start, for a line a label only passes through), and
/// the labels are kept inside their windows. Line and column numbers stay the file's.
struct Windowed<'a> {
    db: &'a SourceDb,
    windows: Vec<(FileId, usize, Range<usize>)>,
}

impl<'a> Windowed<'a> {
    fn new(db: &'a SourceDb, labels: &mut [CsLabel<FileId>]) -> Self {
        let mut view = Windowed { db, windows: Vec::new() };
        // Per label, the long line each of its ends is on, looked up once for both passes.
        let long_lines: Vec<[Option<usize>; 2]> =
            labels.iter().map(|l| [l.range.start, l.range.end].map(|at| view.long_line_of(l.file_id, at))).collect();
        // Every label end on a long line widens that line's window.
        let mut ends: Vec<(FileId, usize, usize)> = Vec::new();
        for (label, lines) in labels.iter().zip(&long_lines) {
            for (at, line) in [label.range.start, label.range.end].into_iter().zip(lines) {
                if let Some(line) = *line {
                    ends.push((label.file_id, line, at));
                }
            }
        }
        ends.sort_unstable();
        for group in ends.chunk_by(|a, b| (a.0, a.1) == (b.0, b.1)) {
            let (file, line, first) = group[0];
            let last = group[group.len() - 1].2.min(first + LONG_LINE);
            let Ok(whole) = db.line_range(file, line) else { continue };
            let text = &db.get(file).text;
            let start = floor_boundary(text, first.saturating_sub(CONTEXT).max(whole.start));
            let end = ceil_boundary(text, (last + CONTEXT).min(whole.end));
            view.windows.push((file, line, start..end));
        }
        for (label, [start_line, end_line]) in labels.iter_mut().zip(long_lines) {
            let file = label.file_id;
            let clamp = |at: usize, line: Option<usize>| match line.and_then(|line| view.window(file, line)) {
                Some(w) => at.clamp(w.start, w.end),
                None => at,
            };
            let (start, end) = (clamp(label.range.start, start_line), clamp(label.range.end, end_line));
            label.range = start..end.max(start);
        }
        view
    }

    /// The line holding `at`, when it is a long one.
    fn long_line_of(&self, file: FileId, at: usize) -> Option<usize> {
        let line = self.db.line_index(file, at).ok()?;
        self.is_long(file, line).then_some(line)
    }

    /// True for a line over `LONG_LINE` bytes, its line break aside.
    fn is_long(&self, file: FileId, line: usize) -> bool {
        self.db.try_get(file).is_some_and(|f| line < f.lines.line_count() && f.lines.line_range(&f.text, line).len() > LONG_LINE)
    }

    fn window(&self, file: FileId, line: usize) -> Option<Range<usize>> {
        self.windows.iter().find(|(f, l, _)| (*f, *l) == (file, line)).map(|(_, _, w)| w.clone())
    }
}

fn floor_boundary(text: &str, mut at: usize) -> usize {
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    at
}

fn ceil_boundary(text: &str, mut at: usize) -> usize {
    while !text.is_char_boundary(at) {
        at += 1;
    }
    at
}

impl<'a> Files<'a> for Windowed<'a> {
    type FileId = FileId;
    type Name = &'a str;
    type Source = &'a str;

    fn name(&'a self, id: FileId) -> Result<&'a str, FilesError> {
        self.db.name(id)
    }

    fn source(&'a self, id: FileId) -> Result<&'a str, FilesError> {
        self.db.source(id)
    }

    fn line_index(&'a self, id: FileId, byte_index: usize) -> Result<usize, FilesError> {
        self.db.line_index(id, byte_index)
    }

    fn line_range(&'a self, id: FileId, line_index: usize) -> Result<Range<usize>, FilesError> {
        let whole = self.db.line_range(id, line_index)?;
        if !self.is_long(id, line_index) {
            return Ok(whole);
        }
        Ok(self.window(id, line_index).unwrap_or_else(|| {
            let text = &self.db.get(id).text;
            whole.start..floor_boundary(text, whole.start + 2 * CONTEXT)
        }))
    }

    fn column_number(&'a self, id: FileId, line_index: usize, byte_index: usize) -> Result<usize, FilesError> {
        self.db.column_number(id, line_index, byte_index)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diag::ToolCode;
    use crate::source::SourceFile;
    use crate::span::Span;

    fn rendered(text: String, span: Span) -> String {
        let mut db = SourceDb::default();
        let file = db.add(SourceFile::new("long.md", text));
        render_diagnostic(&db, &Diagnostic::tool(ToolCode::InvalidToml, file, span, "here"), false)
    }

    /// The caret line's carets start under `found` in the source line before it.
    fn caret_under(out: &str, found: &str) -> bool {
        let lines: Vec<&str> = out.lines().collect();
        lines.windows(2).any(|w| match (w[0].find(found), w[1].find('^')) {
            (Some(at), Some(caret)) => w[0][..at].chars().count() == w[1][..caret].chars().count(),
            _ => false,
        })
    }

    /// A finding far into a megabyte line shows a window of it, with the file's own line
    /// and column, and the carets under the match; in ASCII and in two-byte letters.
    #[test]
    fn long_lines_are_shown_as_a_window_around_the_finding() {
        for filler in ["x", "é"] {
            let before = filler.repeat(500_000);
            let text = format!("# Title\n\n{before}needle{}\n", filler.repeat(500_000));
            let start = text.find("needle").unwrap();
            let out = rendered(text, Span::new(start, start + 6));
            assert!(out.contains("long.md:3:500001"), "{out}");
            assert!(caret_under(&out, "needle"), "{out}");
            assert!(out.len() < 2 * (2 * CONTEXT * filler.len() + 200), "{} bytes", out.len());
        }
    }

    /// A label from inside one long line to inside another, across a third, keeps every
    /// line it shows to a window.
    #[test]
    fn labels_across_long_lines_stay_windowed() {
        let line = "word ".repeat(100_000);
        let text = format!("{line}\n{line}\n{line}\n");
        let out = rendered(text, Span::new(250_000, 2 * 500_001 + 250_000));
        assert!(out.contains("long.md:1:250001"), "{out}");
        assert!(out.len() < 4_000, "{} bytes", out.len());
    }

    /// Lines up to the limit are shown whole, as before.
    #[test]
    fn ordinary_lines_are_shown_whole() {
        let line = format!("{}needle", "a".repeat(LONG_LINE - 6));
        let out = rendered(format!("{line}\n"), Span::new(LONG_LINE - 6, LONG_LINE));
        assert!(out.contains(&line), "{out}");
        assert!(caret_under(&out, "needle"));
    }
}
