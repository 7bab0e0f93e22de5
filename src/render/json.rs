//! The stable JSON format (version 1), documented in README.md.

use super::Report;
use crate::diag::{Diagnostic, Label};
use crate::source::SourceDb;
use serde_json::{json, Value};

pub(super) fn render(report: &Report<'_>) -> String {
    let files: Vec<Value> =
        report.files.iter().map(|f| json!({"path": f.path, "format": f.format.as_str(), "status": f.status.as_str()})).collect();
    let diagnostics: Vec<Value> = report.diagnostics.iter().map(|d| diagnostic(report.db, d)).collect();
    let c = report.counts();
    let doc = json!({
        "version": 1,
        "tool": {"name": "proplint", "version": env!("CARGO_PKG_VERSION")},
        "files": files,
        "diagnostics": diagnostics,
        "summary": {"files": report.files.len(), "errors": c.errors, "warnings": c.warnings, "infos": c.infos, "waived": c.waived},
    });
    let mut s = serde_json::to_string_pretty(&doc).unwrap_or_default();
    s.push('\n');
    s
}

pub(crate) fn span_json(db: &SourceDb, label: &Label) -> Value {
    let file = db.get(label.file);
    let start = file.position(label.span.start);
    let end = file.position(label.span.end);
    json!({
        "start": label.span.start, "end": label.span.end,
        "line": start.line, "column": start.column,
        "end_line": end.line, "end_column": end.column,
    })
}

pub(crate) fn diagnostic(db: &SourceDb, d: &Diagnostic) -> Value {
    let labels: Vec<Value> =
        d.secondary.iter().map(|l| json!({"message": l.message, "path": db.get(l.file).path, "span": span_json(db, l)})).collect();
    json!({
        "path": db.get(d.primary.file).path,
        "rule": d.rule,
        "name": d.name,
        "principle": d.principle,
        "enabler": d.enabler,
        "severity": d.severity.as_str(),
        "message": d.message,
        "span": span_json(db, &d.primary),
        "label": d.primary.message,
        "labels": labels,
        "why": d.why,
        "help": d.help,
        "standards": d.standards,
        "section": d.section,
        "waived": d.waived.as_ref().map(|w| json!({
            "reason": w.reason, "approved_by": w.approved_by, "decision": w.decision,
            "expires": w.expires, "source": w.source,
        })),
    })
}
