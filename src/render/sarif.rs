//! SARIF 2.1.0 as GitHub code scanning reads it: one run, the rule set as
//! `tool.driver.rules`, one primary location per result and secondary labels as
//! `relatedLocations`. Columns count Unicode code points, as `run.columnKind` says.

use super::{fingerprints, group_of, percent_encode_path, push_indented, region, sentence_case, waiver_note, RenderOptions, Report};
use crate::diag::{Diagnostic, Label, Severity};
use crate::source::SourceDb;
use crate::spill::Spill;
use serde_json::{json, Map, Value};
use std::collections::HashMap;

const SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";
/// GitHub truncates longer descriptions.
const MAX_DESCRIPTION: usize = 1024;

/// A run's results, written as they come (into a `Spill`): the rules and the invocation,
/// which come before them in the document, are written at the end, when the rules the
/// run's own diagnostics used and its exit code are known. A tree of every result first
/// took 14 KB a finding (739 MB for the 1,000 bench files, against 54 MB for JSON).
#[derive(Default)]
pub(super) struct Results {
    /// Every rule of the set (once the first chunk came), then the rules of findings from
    /// outside it in the order they were first found.
    rules: Vec<Descriptor>,
    set_described: bool,
    index: HashMap<String, usize>,
    spill: Spill,
}

impl Results {
    /// Describes the rules of `report`'s findings not described yet (`ruleIndex` points into
    /// the list): done in report order, before its results are rendered on the pool.
    pub(super) fn register(&mut self, report: &Report<'_>) {
        if !self.set_described {
            self.set_described = true;
            self.rules = set_descriptors(report);
            self.index = self.rules.iter().enumerate().map(|(i, r)| (r.id.clone(), i)).collect();
        }
        for d in report.diagnostics {
            if !self.index.contains_key(&d.rule) {
                self.index.insert(d.rule.clone(), self.rules.len());
                self.rules.push(outside_descriptor(d));
            }
        }
    }

    /// One file's results (`diags`, already registered), each laid out at its depth in the
    /// document, as the pretty printer lays out the whole.
    pub(super) fn group(&self, out: &mut String, db: &SourceDb, diags: &[Diagnostic]) {
        let prints = fingerprints(db, diags);
        for (d, fp) in diags.iter().zip(&prints) {
            if !out.is_empty() {
                out.push_str(",\n");
            }
            let one = serde_json::to_string_pretty(&result(db, d, self.index[d.rule.as_str()], fp)).unwrap_or_default();
            push_indented(out, &one, RESULT_INDENT);
        }
    }

    pub(super) fn push(&mut self, group: &str, after_others: bool) {
        self.spill.push(if after_others { b",\n" } else { b"\n" });
        self.spill.push(group.as_bytes());
    }

    pub(super) fn finish(self, options: &RenderOptions, exit_code: i32, write: &mut dyn FnMut(&[u8])) -> std::io::Result<()> {
        let notifications: Vec<Value> = options.notes.iter().map(|n| json!({"level": "error", "message": {"text": n}})).collect();
        let mut invocation = json!({
            "executionSuccessful": exit_code != 2,
            "exitCode": exit_code,
            "exitCodeDescription": match exit_code {
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
                    "rules": self.rules.iter().map(Descriptor::to_json).collect::<Vec<_>>(),
                }},
                "automationDetails": {"id": "proplint/"},
                "invocations": [invocation],
                "columnKind": "unicodeCodePoints",
                "results": [],
            }],
        });
        let document = serde_json::to_string_pretty(&doc).unwrap_or_default();
        let split = document.split_once(EMPTY_RESULTS).filter(|_| !self.spill.is_empty());
        let Some((head, tail)) = split else {
            write(document.as_bytes());
            write(b"\n");
            return Ok(());
        };
        write(head.as_bytes());
        write(RESULTS_KEY.as_bytes());
        write(b"[");
        self.spill.drain(&mut *write)?;
        write(format!("\n{}]{tail}\n", &RESULT_INDENT[2..]).as_bytes());
        Ok(())
    }
}

/// Where the results go in the pretty-printed document: the `results` member of the one
/// run, at its depth (no string value can hold this text unescaped); with no findings
/// the document is printed as it is.
const RESULTS_KEY: &str = "\n      \"results\": ";
const EMPTY_RESULTS: &str = "\n      \"results\": []";
/// How deep a result sits: an element of `runs[0].results`.
const RESULT_INDENT: &str = "        ";

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

/// Every rule in the rule set.
fn set_descriptors(report: &Report<'_>) -> Vec<Descriptor> {
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
    out
}

/// A tool code, or a rule from outside the set (a report built without one), described
/// from its first finding.
fn outside_descriptor(d: &Diagnostic) -> Descriptor {
    let short = sentence_case(&d.name.replace('-', " "));
    let help = d.help.clone().unwrap_or_else(|| short.clone());
    Descriptor {
        id: d.rule.clone(),
        name: d.name.clone(),
        full: truncate(d.why.as_deref().unwrap_or(&short), MAX_DESCRIPTION),
        help_markdown: help.clone(),
        help_text: help,
        short,
        level: level(d.severity),
        tags: if d.is_tool() { vec!["proplint:tool".into()] } else { tags(d.principle.as_deref(), d.enabler.as_deref()) },
    }
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
