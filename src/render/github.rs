//! GitHub Actions workflow commands, one annotation per finding, grouped per file.
//! Escaping follows actions/toolkit: `%` first, then CR and LF; property values also
//! escape `:` and `,`. Every line printed starts with a command we build, so text from a
//! proposal can never start a command of its own.

use super::region;
use crate::diag::{Diagnostic, Severity};
use crate::source::SourceDb;
use std::fmt::Write;

/// One file's findings (`diags`, all under one path) as a group of annotations; nothing
/// when every one of them is waived.
pub(super) fn group(out: &mut String, db: &SourceDb, diags: &[Diagnostic]) {
    // A waived finding is the board's accepted decision, not something to fix in this change.
    let diags: Vec<_> = diags.iter().filter(|d| d.waived.is_none()).collect();
    let Some(first) = diags.first() else {
        return;
    };
    let path = &db.get(first.primary.file).path;
    let _ = writeln!(out, "::group::{}", escape_data(&format!("proplint: {path}")));
    for d in diags {
        let r = region(db, &d.primary);
        let command = match d.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "notice",
        };
        let mut props = format!("file={},line={},endLine={}", escape_property(path), r.start_line, r.end_line);
        // The runner rejects columns on multi-line annotations.
        if r.start_line == r.end_line {
            let _ = write!(props, ",col={},endColumn={}", r.start_column, r.end_column);
        }
        let _ = write!(props, ",title={}", escape_property(&format!("{} {}", d.rule, d.name)));
        let mut message = format!("{path}:{}:{}: {} {}", r.start_line, r.start_column, d.rule, d.message);
        if let Some(help) = &d.help {
            let _ = write!(message, "\nhelp: {help}");
        }
        let _ = writeln!(out, "::{command} {props}::{}", escape_data(&message));
    }
    out.push_str("::endgroup::\n");
}

/// Message escaping; other control characters are replaced so they cannot reach the log.
pub(crate) fn escape_data(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '%' => out.push_str("%25"),
            '\r' => out.push_str("%0D"),
            '\n' => out.push_str("%0A"),
            c if c.is_control() && c != '\t' => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
    out
}

pub(crate) fn escape_property(text: &str) -> String {
    escape_data(text).replace(':', "%3A").replace(',', "%2C")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percent_is_escaped_first() {
        assert_eq!(escape_data("100%\r\n::error::x"), "100%25%0D%0A::error::x");
        assert_eq!(escape_property("a:b,c%0A"), "a%3Ab%2Cc%250A");
    }
}
