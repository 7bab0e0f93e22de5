//! One line per finding: `path:line:col: severity[ID] message`.

use super::{neutralise, Counts};
use crate::diag::Diagnostic;
use crate::source::SourceDb;
use std::fmt::Write;

/// One finding's line.
pub(super) fn line(out: &mut String, db: &SourceDb, d: &Diagnostic) {
    let file = db.get(d.primary.file);
    let pos = file.position(d.primary.span.start);
    let waived = d.waived.as_ref().map(|w| format!(" [{}]", neutralise(&super::waiver_note(w)))).unwrap_or_default();
    let _ = writeln!(out, "{}:{}:{}: {}[{}] {}{waived}", file.path, pos.line, pos.column, d.severity, d.rule, neutralise(&d.message));
}

/// The summary line after the findings.
pub(super) fn summary(files: usize, c: &Counts, quiet: bool) -> String {
    let mut out = String::new();
    if quiet {
        return out;
    }
    let _ = writeln!(out, "{}", c.summary_line(files));
    out
}

/// ", N waived" when a board waived any finding.
pub(super) fn waived_count(n: usize) -> String {
    if n == 0 {
        String::new()
    } else {
        format!(", {n} waived")
    }
}
