//! JSON Lines: one diagnostic per line, the same object as in the `json` format's
//! `diagnostics` array, so streams and documents are read by the same code.

use crate::diag::Diagnostic;
use crate::source::SourceDb;

/// One finding's line.
pub(super) fn line(out: &mut String, db: &SourceDb, d: &Diagnostic) {
    out.push_str(&serde_json::to_string(&super::json::diagnostic(db, d)).unwrap_or_default());
    out.push('\n');
}
