//! GitLab Code Quality (a subset of the Code Climate issue format): a JSON array with
//! description, check_name, fingerprint, severity and location per finding.

use super::{fingerprints, fnv1a, region, Report};
use crate::diag::{Diagnostic, Severity};
use serde_json::{json, Value};

pub(super) fn render(report: &Report<'_>) -> String {
    let prints = fingerprints(report);
    let issues: Vec<Value> = report
        .diagnostics
        .iter()
        .zip(&prints)
        // Code Quality has no notion of an accepted finding; a waived one would read as open.
        .filter(|(d, _)| d.waived.is_none())
        .map(|(d, fp)| {
            let path = report.path_of(d);
            let r = region(report.db, &d.primary);
            // Fingerprints must be unique across the whole report, so the path joins in.
            let fingerprint = format!("{:016x}{:016x}", fnv1a(path.as_bytes()), fnv1a(format!("{path}\u{0}{fp}").as_bytes()));
            json!({
                "type": "issue",
                "description": format!("{}: {}", d.rule, d.message),
                "check_name": d.rule,
                "fingerprint": fingerprint,
                "severity": severity(d),
                "categories": ["Style"],
                "location": {"path": path, "lines": {"begin": r.start_line, "end": r.end_line}},
            })
        })
        .collect();
    let mut s = serde_json::to_string_pretty(&issues).unwrap_or_default();
    s.push('\n');
    s
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
