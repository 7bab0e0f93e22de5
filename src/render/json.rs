//! The stable JSON format (version 1), documented in README.md.

use super::Counts;
use crate::check::FileEntry;
use crate::diag::{Diagnostic, Fix, Label};
use crate::source::SourceDb;
use serde_json::{json, Value};

// The document is written a finding at a time (no tree of the whole run is built). Its
// keys are in serde_json's order (sorted), so the findings come first and the files,
// known only at the end, after them; each finding is pretty-printed on its own and
// indented to its depth, which is what pretty-printing the whole document gives.

const ITEM: &str = ",\n    ";
const OPEN: &str = "{\n  \"diagnostics\": [\n    ";
const EMPTY_LIST: &str = "{\n  \"diagnostics\": []";

/// One finding as an element of the `diagnostics` list, after a separator.
pub(super) fn item(out: &mut String, db: &SourceDb, d: &Diagnostic) {
    let text = serde_json::to_string_pretty(&diagnostic(db, d)).unwrap_or_default();
    out.push_str(ITEM);
    out.push_str(&text.replace('\n', "\n    "));
}

/// Findings text from `item`, opening the document first if these are the first.
pub(super) fn continue_list(items: String, first: bool) -> String {
    if first {
        format!("{OPEN}{}", &items[ITEM.len()..])
    } else {
        items
    }
}

/// The rest of the document after the findings (all of it when there were none).
pub(super) fn end(files: &[FileEntry], c: &Counts, any: bool) -> String {
    let files: Vec<Value> =
        files.iter().map(|f| json!({"path": f.path, "format": f.format.as_str(), "status": f.status.as_str()})).collect();
    let doc = json!({
        "version": 1,
        "tool": {"name": "proplint", "version": env!("CARGO_PKG_VERSION")},
        "files": files,
        "diagnostics": [],
        "summary": {
            "files": files.len(), "errors": c.errors, "warnings": c.warnings, "infos": c.infos, "waived": c.waived,
            "fixable": c.fixable,
        },
    });
    let mut s = serde_json::to_string_pretty(&doc).unwrap_or_default();
    s.push('\n');
    match s.strip_prefix(EMPTY_LIST) {
        Some(rest) if any => format!("\n  ]{rest}"),
        _ => s,
    }
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
        "fix": d.fix.as_ref().map(|f| fix_json(db, d, f)),
    })
}

/// What `check --fix` would do for a finding; `--diff` shows the exact text.
fn fix_json(db: &SourceDb, d: &Diagnostic, fix: &Fix) -> Value {
    match fix {
        // Where the stub goes depends on the file (the next heading, or the end of a form).
        Fix::InsertSection { section, .. } => json!({"kind": "insert-section", "section": section}),
        Fix::Replace { span, text, .. } => {
            let label = Label { file: d.primary.file, span: *span, message: String::new() };
            json!({"kind": "replace", "span": span_json(db, &label), "text": text})
        }
    }
}
