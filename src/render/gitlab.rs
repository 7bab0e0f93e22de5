//! GitLab Code Quality (a subset of the Code Climate issue format): a JSON array with
//! description, check_name, fingerprint, severity and location per finding.

use super::{fingerprints, fnv1a, push_indented, region};
use crate::diag::{Diagnostic, Severity};
use crate::source::SourceDb;
use serde_json::json;

/// One file's issues (`diags`, all under one path) as elements of the report's array,
/// each laid out as serde_json's pretty printer lays out the whole array.
pub(super) fn group(out: &mut String, db: &SourceDb, diags: &[Diagnostic]) {
    let prints = fingerprints(db, diags);
    // Code Quality has no notion of an accepted finding; a waived one would read as open.
    for (d, fp) in diags.iter().zip(&prints).filter(|(d, _)| d.waived.is_none()) {
        let path = &db.get(d.primary.file).path;
        let r = region(db, &d.primary);
        // Fingerprints must be unique across the whole report, so the path joins in.
        let fingerprint = format!("{:016x}{:016x}", fnv1a(path.as_bytes()), fnv1a(format!("{path}\u{0}{fp}").as_bytes()));
        let issue = json!({
            "type": "issue",
            "description": format!("{}: {}", d.rule, d.message),
            "check_name": d.rule,
            "fingerprint": fingerprint,
            "severity": severity(d),
            "categories": ["Style"],
            "location": {"path": path, "lines": {"begin": r.start_line, "end": r.end_line}},
        });
        if !out.is_empty() {
            out.push_str(separator(true));
        }
        push_indented(out, &serde_json::to_string_pretty(&issue).unwrap_or_default(), "  ");
    }
}

/// What goes before a file's issues: the array's opening before the first.
pub(super) fn separator(after_others: bool) -> &'static str {
    if after_others {
        ",\n"
    } else {
        "[\n"
    }
}

/// The end of the array; `[]` when no issue was written.
pub(super) fn end(any: bool) -> &'static str {
    if any {
        "\n]\n"
    } else {
        "[]\n"
    }
}

/// A file the tool could not check at all is critical: nothing about it is known.
fn severity(d: &Diagnostic) -> &'static str {
    match d.severity {
        Severity::Info => "info",
        Severity::Warning => "minor",
        Severity::Error if d.is_tool() => "critical",
        Severity::Error => "major",
    }
}
