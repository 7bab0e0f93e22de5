//! One line per finding: `path:line:col: severity[ID] message`.

use super::{neutralise, Report};
use std::fmt::Write;

pub(super) fn render(report: &Report<'_>, quiet: bool) -> String {
    let mut out = String::new();
    for d in report.diagnostics {
        let file = report.db.get(d.primary.file);
        let pos = file.position(d.primary.span.start);
        let _ = writeln!(out, "{}:{}:{}: {}[{}] {}", file.path, pos.line, pos.column, d.severity, d.rule, neutralise(&d.message));
    }
    if quiet {
        return out;
    }
    let c = report.counts();
    let _ = writeln!(
        out,
        "{} file{} checked: {} error{}, {} warning{}, {} info",
        report.files.len(),
        plural(report.files.len()),
        c.errors,
        plural(c.errors),
        c.warnings,
        plural(c.warnings),
        c.infos
    );
    out
}

pub(super) fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}
