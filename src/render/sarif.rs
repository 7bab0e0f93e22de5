//! SARIF 2.1.0 as GitHub code scanning reads it: one run, the rule set as
//! `tool.driver.rules`, one primary location per result and secondary labels as
//! `relatedLocations`. Columns count Unicode code points, as `run.columnKind` says.

use super::{fingerprints, group_of, percent_encode_path, region, sentence_case, waiver_note, RenderOptions, Report};
use crate::diag::{Diagnostic, Label, Severity};
use crate::source::SourceDb;
use serde_json::{json, Map, Value};
use std::collections::HashMap;

const SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";
/// GitHub truncates longer descriptions.
const MAX_DESCRIPTION: usize = 1024;

pub(super) fn render(report: &Report<'_>, options: &RenderOptions) -> String {
    let rules = descriptors(report);
    let index: HashMap<&str, usize> = rules.iter().enumerate().map(|(i, r)| (r.id.as_str(), i)).collect();
    let prints = fingerprints(report);
    let notifications: Vec<Value> = options.notes.iter().map(|n| json!({"level": "error", "message": {"text": n}})).collect();
    let mut invocation = json!({
        "executionSuccessful": options.exit_code != 2,
        "exitCode": options.exit_code,
        "exitCodeDescription": match options.exit_code {
            0 => "no findings at or above the failure threshold",
            1 => "findings at or above the failure threshold",
            _ => "proplint or its input failed",
        },
    });
    if !notifications.is_empty() {
        invocation["toolExecutionNotifications"] = Value::Array(notifications);
    }
    let doc = json!({
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "proplint",
                "semanticVersion": env!("CARGO_PKG_VERSION"),
                "informationUri": env!("CARGO_PKG_REPOSITORY"),
                "rules": rules.iter().map(Descriptor::to_json).collect::<Vec<_>>(),
            }},
            "automationDetails": {"id": "proplint/"},
            "invocations": [invocation],
            "columnKind": "unicodeCodePoints",
            "results": [],
        }],
    });
    let document = serde_json::to_string_pretty(&doc).unwrap_or_default();
    // The results are written into the document one at a time, each laid out as the
    // pretty printer lays out the whole: a tree of every result first took 14 KB a
    // finding (739 MB for the 1,000 bench files, against 54 MB for JSON).
    let split = document.split_once(EMPTY_RESULTS).filter(|_| !report.diagnostics.is_empty());
    let Some((head, tail)) = split else {
        return document + "\n";
    };
    let mut out = String::with_capacity(document.len() + report.diagnostics.len() * 600);
    out.push_str(head);
    out.push_str(RESULTS_KEY);
    out.push('[');
    for (i, (d, fp)) in report.diagnostics.iter().zip(&prints).enumerate() {
        out.push_str(if i == 0 { "\n" } else { ",\n" });
        let one = serde_json::to_string_pretty(&result(report.db, d, index[d.rule.as_str()], fp)).unwrap_or_default();
        push_indented(&mut out, &one, RESULT_INDENT);
    }
    out.push('\n');
    out.push_str(&RESULT_INDENT[2..]);
    out.push(']');
    out.push_str(tail);
    out.push('\n');
    out
}

/// Where the results go in the pretty-printed document: the `results` member of the one
/// run, at its depth (no string value can hold this text unescaped); with no findings
/// the document is printed as it is.
const RESULTS_KEY: &str = "\n      \"results\": ";
const EMPTY_RESULTS: &str = "\n      \"results\": []";
/// How deep a result sits: an element of `runs[0].results`.
const RESULT_INDENT: &str = "        ";

/// `text` with every line indented by `indent`, the first included.
fn push_indented(out: &mut String, text: &str, indent: &str) {
    for (i, line) in text.split('\n').enumerate() {
        if i > 0 {
            out.push('\n');
        }
        out.push_str(indent);
        out.push_str(line);
    }
}

struct Descriptor {
    id: String,
    name: String,
    short: String,
    full: String,
    help_text: String,
    help_markdown: String,
    level: &'static str,
    tags: Vec<String>,
}

impl Descriptor {
    fn to_json(&self) -> Value {
        json!({
            "id": self.id,
            "name": self.name,
            "shortDescription": {"text": self.short},
            "fullDescription": {"text": self.full},
            "help": {"text": self.help_text, "markdown": self.help_markdown},
            "defaultConfiguration": {"level": self.level},
            "properties": {"tags": self.tags},
        })
    }
}

fn level(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "note",
    }
}

fn truncate(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_string();
    }
    let mut s: String = text.chars().take(max - 1).collect();
    s.push('…');
    s
}

fn tags(principle: Option<&str>, enabler: Option<&str>) -> Vec<String> {
    let mut tags = vec![format!("principle:{}", group_of(principle))];
    if let Some(e) = enabler {
        tags.push(format!("enabler:{e}"));
    }
    tags
}

/// Every rule in the rule set, then the tool's own codes that this run produced.
fn descriptors(report: &Report<'_>) -> Vec<Descriptor> {
    let mut out: Vec<Descriptor> = Vec::new();
    for r in report.rules.map(|s| s.rules.as_slice()).unwrap_or_default() {
        let mut md = format!("**{}** ({})\n\n", sentence_case(&r.message), group_of(r.principle.as_deref()));
        md.push_str(&format!("**Why it matters:** {}\n\n**How to fix:** {}\n", r.why, r.help));
        if !r.standards.is_empty() {
            md.push_str(&format!("\n**Standards:** {}\n", r.standards.join("; ")));
        }
        let mut text = format!("{}\n\nWhy it matters: {}", r.help, r.why);
        if !r.standards.is_empty() {
            text.push_str(&format!("\n\nStandards: {}", r.standards.join("; ")));
        }
        let mut tags = tags(r.principle.as_deref(), r.enabler.as_deref());
        tags.push(format!("check:{}", r.check.kind()));
        out.push(Descriptor {
            id: r.id.clone(),
            name: r.name.clone(),
            short: sentence_case(&r.message),
            full: truncate(&r.why, MAX_DESCRIPTION),
            help_text: text,
            help_markdown: md,
            level: level(r.severity),
            tags,
        });
    }
    // Tool codes and rules from outside the set (a report built without one).
    for d in report.diagnostics {
        if out.iter().any(|r| r.id == d.rule) {
            continue;
        }
        let short = sentence_case(&d.name.replace('-', " "));
        let help = d.help.clone().unwrap_or_else(|| short.clone());
        out.push(Descriptor {
            id: d.rule.clone(),
            name: d.name.clone(),
            full: truncate(d.why.as_deref().unwrap_or(&short), MAX_DESCRIPTION),
            help_markdown: help.clone(),
            help_text: help,
            short,
            level: level(d.severity),
            tags: if d.is_tool() { vec!["proplint:tool".into()] } else { tags(d.principle.as_deref(), d.enabler.as_deref()) },
        });
    }
    out
}

/// `file:` URIs for absolute paths; relative paths stay relative (to the repository root
/// that code scanning resolves them against).
fn uri(path: &str) -> String {
    if path.starts_with('/') {
        format!("file://{}", percent_encode_path(path))
    } else {
        percent_encode_path(path)
    }
}

fn location(db: &SourceDb, label: &Label) -> Map<String, Value> {
    let r = region(db, label);
    let mut loc = Map::new();
    loc.insert(
        "physicalLocation".into(),
        json!({
            "artifactLocation": {"uri": uri(&db.get(label.file).path)},
            "region": {"startLine": r.start_line, "startColumn": r.start_column, "endLine": r.end_line, "endColumn": r.end_column},
        }),
    );
    if !label.message.is_empty() {
        loc.insert("message".into(), json!({"text": label.message}));
    }
    loc
}

fn result(db: &SourceDb, d: &Diagnostic, rule_index: usize, fingerprint: &str) -> Value {
    let mut res = json!({
        "ruleId": d.rule,
        "ruleIndex": rule_index,
        "level": level(d.severity),
        "message": {"text": d.message},
        "locations": [Value::Object(location(db, &d.primary))],
        "partialFingerprints": {"proplint/v1": fingerprint},
    });
    if !d.secondary.is_empty() {
        let related: Vec<Value> = d
            .secondary
            .iter()
            .enumerate()
            .map(|(i, l)| {
                let mut loc = location(db, l);
                loc.insert("id".into(), json!(i + 1));
                Value::Object(loc)
            })
            .collect();
        res["relatedLocations"] = Value::Array(related);
    }
    if let Some(section) = &d.section {
        res["properties"] = json!({"section": section});
    }
    if let Some(w) = &d.waived {
        // Accepted by a board: SARIF viewers show it as suppressed, not as an open alert.
        let kind = if w.source == "proposal" { "inSource" } else { "external" };
        res["suppressions"] = json!([{"kind": kind, "status": "accepted", "justification": waiver_note(w)}]);
    }
    res
}
