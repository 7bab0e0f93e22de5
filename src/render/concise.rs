//! One line per finding: `path:line:col: severity[ID] message`.

use super::{neutralise, Report};
use std::fmt::Write;

pub(super) fn render(report: &Report<'_>, quiet: bool) -> String {
    let mut out = String::new();
    for d in report.diagnostics {
        let file = report.db.get(d.primary.file);
        let pos = file.position(d.primary.span.start);
        let waived = d.waived.as_ref().map(|w| format!(" [{}]", neutralise(&super::waiver_note(w)))).unwrap_or_default();
        let _ = writeln!(out, "{}:{}:{}: {}[{}] {}{waived}", file.path, pos.line, pos.column, d.severity, d.rule, neutralise(&d.message));
    }
    if quiet {
        return out;
    }
    let _ = writeln!(out, "{}", report.summary_line());
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
