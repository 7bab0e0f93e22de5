//! JSON Lines: one diagnostic per line, the same object as in the `json` format's
//! `diagnostics` array, so streams and documents are read by the same code.

use super::Report;

pub(super) fn render(report: &Report<'_>) -> String {
    let mut out = String::new();
    for d in report.diagnostics {
        // serde_json escapes line breaks inside strings, so one object stays on one line.
        out.push_str(&serde_json::to_string(&super::json::diagnostic(report.db, d)).unwrap_or_default());
        out.push('\n');
    }
    out
}
