//! `proplint test-rules`: every rule's own examples, and its fixture files, run through
//! that rule alone. A failing example must produce the rule's id; a passing one must not.

use crate::check::lint_source;
use crate::model::Format;
use crate::rules::{Rule, RuleSet};
use crate::source::SourceFile;
use crate::walk::format_of;
use std::path::Path;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    pub rule: String,
    pub case: String,
    pub problem: String,
}

/// Runs one text through one rule; returns whether that rule reported a finding (an
/// advisory note alone is not one), plus the messages for diagnosis.
pub fn fires(set: &RuleSet, index: usize, text: &str, format: Format, name: &str) -> (bool, Vec<String>) {
    let source = SourceFile::new(name, text);
    let linted = lint_source(&source, format, set, &crate::engine::Options::only(vec![index]));
    let (diags, ok) = (linted.diagnostics, linted.parsed);
    let rule = &set.rules[index];
    let mine: Vec<String> = diags.iter().filter(|d| d.rule == rule.id).map(|d| format!("{}: {}", d.severity, d.message)).collect();
    let fired = diags.iter().any(|d| d.rule == rule.id && !d.advisory);
    let mut notes = mine;
    if !ok {
        notes.extend(diags.iter().filter(|d| d.is_tool()).map(|d| d.message.clone()));
    }
    (fired, notes)
}

pub fn run(set: &RuleSet, fixtures: &Path, only: Option<&str>) -> (usize, Vec<Failure>) {
    let mut cases = 0;
    let mut failures = Vec::new();
    for (index, rule) in set.rules.iter().enumerate() {
        if only.is_some_and(|o| !rule.id.starts_with(o)) {
            continue;
        }
        for (n, ex) in rule.examples.iter().enumerate() {
            cases += 1;
            let name = format!("{}#example{}.{}", rule.id, n + 1, if ex.format == Format::Toml { "toml" } else { "md" });
            check_case(set, index, rule, &ex.text, ex.format, ex.expect_fail, &name, &mut failures);
        }
        let dir = fixtures.join(&rule.id);
        let Ok(entries) = std::fs::read_dir(&dir) else { continue };
        let mut paths: Vec<_> = entries.filter_map(Result::ok).map(|e| e.path()).collect();
        paths.sort();
        for path in paths {
            let stem = path.file_stem().and_then(|s| s.to_str()).unwrap_or("");
            let expect_fail = if stem.starts_with("fail") {
                true
            } else if stem.starts_with("pass") {
                false
            } else {
                continue;
            };
            let Some(format) = format_of(&path) else { continue };
            let name = crate::walk::display_path(&path);
            match std::fs::read_to_string(&path) {
                Ok(text) => {
                    cases += 1;
                    check_case(set, index, rule, &text, format, expect_fail, &name, &mut failures);
                }
                Err(e) => failures.push(Failure { rule: rule.id.clone(), case: name, problem: format!("cannot read: {e}") }),
            }
        }
    }
    (cases, failures)
}

#[allow(clippy::too_many_arguments)]
fn check_case(
    set: &RuleSet,
    index: usize,
    rule: &Rule,
    text: &str,
    format: Format,
    expect_fail: bool,
    name: &str,
    failures: &mut Vec<Failure>,
) {
    let (fired, notes) = fires(set, index, text, format, name);
    if fired != expect_fail {
        let problem = if expect_fail {
            format!(
                "expected {} to fire, but it did not{}",
                rule.id,
                if notes.is_empty() { String::new() } else { format!(" ({})", notes.join("; ")) }
            )
        } else {
            format!("expected {} not to fire, but it did: {}", rule.id, notes.join("; "))
        };
        failures.push(Failure { rule: rule.id.clone(), case: name.to_string(), problem });
    }
}
