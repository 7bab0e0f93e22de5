//! The stable JSON format (version 1), documented in README.md.

use super::Counts;
use crate::check::FileEntry;
use crate::diag::{Diagnostic, Fix, Label};
use crate::source::SourceDb;
use serde::Serialize;
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
    // Pretty-printed at the depth of a list element in an object (the `diagnostics` list's
    // own), so that it comes out indented as it stands in the document.
    #[derive(Serialize)]
    struct AtDepth<'a> {
        d: [JsonDiagnostic<'a>; 1],
    }
    const BEFORE: &str = "{\n  \"d\": [\n    ";
    const AFTER: &str = "\n  ]\n}";
    let Ok(text) = serde_json::to_string_pretty(&AtDepth { d: [diagnostic(db, d)] }) else {
        return;
    };
    let Some(element) = text.strip_prefix(BEFORE).and_then(|t| t.strip_suffix(AFTER)) else {
        debug_assert!(false, "serde_json's pretty layout changed: {text}");
        return;
    };
    out.push_str(ITEM);
    out.push_str(element);
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

// Fields in alphabetical order: the order of the document's other objects (serde_json
// maps are sorted), which the format has always had.

#[derive(Serialize)]
struct JsonSpan {
    column: usize,
    end: usize,
    end_column: usize,
    end_line: usize,
    line: usize,
    start: usize,
}

#[derive(Serialize)]
struct JsonLabel<'a> {
    message: &'a str,
    path: &'a str,
    span: JsonSpan,
}

#[derive(Serialize)]
struct JsonWaived<'a> {
    approved_by: &'a str,
    decision: Option<&'a str>,
    expires: Option<&'a str>,
    reason: &'a str,
    source: &'a str,
}

#[derive(Serialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
enum JsonFix<'a> {
    InsertSection { section: &'a str },
    Replace { span: JsonSpan, text: &'a str },
}

/// One finding as the JSON and JSON Lines formats write it.
#[derive(Serialize)]
pub(crate) struct JsonDiagnostic<'a> {
    enabler: Option<&'a str>,
    fix: Option<JsonFix<'a>>,
    help: Option<&'a str>,
    label: &'a str,
    labels: Vec<JsonLabel<'a>>,
    message: &'a str,
    name: &'a str,
    path: &'a str,
    principle: Option<&'a str>,
    rule: &'a str,
    section: Option<&'a str>,
    severity: &'static str,
    span: JsonSpan,
    standards: &'a [String],
    waived: Option<JsonWaived<'a>>,
    why: Option<&'a str>,
}

fn span_json(db: &SourceDb, file: crate::source::FileId, span: crate::span::Span) -> JsonSpan {
    let file = db.get(file);
    let start = file.position(span.start);
    let end = file.position(span.end);
    JsonSpan { column: start.column, end: span.end, end_column: end.column, end_line: end.line, line: start.line, start: span.start }
}

pub(crate) fn diagnostic<'a>(db: &'a SourceDb, d: &'a Diagnostic) -> JsonDiagnostic<'a> {
    let label = |l: &'a Label| JsonLabel { message: &l.message, path: &db.get(l.file).path, span: span_json(db, l.file, l.span) };
    JsonDiagnostic {
        enabler: d.enabler.as_deref(),
        // Where a section stub goes depends on the file (the next heading, or the end of
        // a form); `--diff` shows the exact text.
        fix: d.fix.as_ref().map(|f| match f {
            Fix::InsertSection { section, .. } => JsonFix::InsertSection { section },
            Fix::Replace { span, text, .. } => JsonFix::Replace { span: span_json(db, d.primary.file, *span), text },
        }),
        help: d.help.as_deref(),
        label: &d.primary.message,
        labels: d.secondary.iter().map(label).collect(),
        message: &d.message,
        name: &d.name,
        path: &db.get(d.primary.file).path,
        principle: d.principle.as_deref(),
        rule: &d.rule,
        section: d.section.as_deref(),
        severity: d.severity.as_str(),
        span: span_json(db, d.primary.file, d.primary.span),
        standards: &d.standards,
        waived: d.waived.as_ref().map(|w| JsonWaived {
            approved_by: &w.approved_by,
            decision: w.decision.as_deref(),
            expires: w.expires.as_deref(),
            reason: &w.reason,
            source: &w.source,
        }),
        why: d.why.as_deref(),
    }
}
