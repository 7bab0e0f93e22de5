//! Rich terminal output through codespan-reporting, then a summary per principle.

use super::{neutralise, Tally};
use crate::diag::{Diagnostic, Severity};
use crate::source::SourceDb;
use codespan_reporting::diagnostic::{Diagnostic as CsDiagnostic, Label as CsLabel, Severity as CsSeverity};
use codespan_reporting::term::{self, termcolor::Buffer, Config};
use std::fmt::Write;

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
    let cs = CsDiagnostic::new(severity)
        .with_code(d.rule.clone())
        .with_message(format!("{} [{}]", neutralise(&d.message), d.name))
        .with_labels(labels)
        .with_notes(notes);
    let config = Config::default();
    let mut buffer = if color { Buffer::ansi() } else { Buffer::no_color() };
    if term::emit_to_write_style(&mut buffer, &config, db, &cs).is_err() {
        let pos = file.position(d.primary.span.start);
        return format!("{}[{}]: {}\n  --> {}:{}:{}\n\n", d.severity, d.rule, neutralise(&d.message), file.path, pos.line, pos.column);
    }
    String::from_utf8_lossy(buffer.as_slice()).into_owned()
}
