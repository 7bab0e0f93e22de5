//! JUnit XML as a compliance checklist: one testsuite per file and one testcase per rule
//! that was considered there. A finding is a failure, a rule that does not apply is
//! skipped with the reason, a met rule passes. The tool's own problems with a file
//! (unreadable, invalid TOML) are errors.

use super::{group_of, region, waiver_note, Report};
use crate::diag::{Diagnostic, Severity};
use crate::engine::RuleStatus;
use crate::rules::{Rule, RuleSet};
use crate::spill::Spill;
use rayon::prelude::*;
use std::collections::HashMap;
use std::fmt::Write;

#[derive(Default)]
struct Tally {
    tests: usize,
    failures: usize,
    errors: usize,
    skipped: usize,
}

/// The run's test suites, written as they come (into a `Spill`): the totals on the root
/// element, which comes first, are known at the end.
#[derive(Default)]
pub(super) struct Suites {
    total: Tally,
    spill: Spill,
}

impl Suites {
    /// Every linted file of `report`, then any other file a diagnostic points into (a
    /// register, say).
    pub(super) fn add(&mut self, report: &Report<'_>) {
        let mut paths: Vec<(&str, &[(String, RuleStatus)])> = report.files.iter().map(|f| (f.path.as_str(), f.rules.as_slice())).collect();
        // Findings by file, gathered once: looking each file's up in the whole list was
        // quadratic in a run over thousands of files.
        let mut by_path: HashMap<&str, Vec<&Diagnostic>> = paths.iter().map(|(p, _)| (*p, Vec::new())).collect();
        for d in report.diagnostics {
            let path = report.path_of(d);
            by_path
                .entry(path)
                .or_insert_with(|| {
                    paths.push((path, &[]));
                    Vec::new()
                })
                .push(d);
        }
        // Each file's suite on the pool: the next chunk is not linted until these are done.
        let rendered: Vec<(&str, String, Tally)> = paths
            .par_iter()
            .map(|&(path, rules)| {
                let (body, tally) = suite(report, path, rules, by_path.get(path).map_or(&[][..], Vec::as_slice));
                (path, body, tally)
            })
            .collect();
        let mut suites = String::new();
        for (path, body, tally) in rendered {
            let _ = writeln!(
                suites,
                "  <testsuite name=\"{}\" tests=\"{}\" failures=\"{}\" errors=\"{}\" skipped=\"{}\" file=\"{}\">",
                attr(path),
                tally.tests,
                tally.failures,
                tally.errors,
                tally.skipped,
                attr(path)
            );
            suites.push_str(&body);
            suites.push_str("  </testsuite>\n");
            self.total.tests += tally.tests;
            self.total.failures += tally.failures;
            self.total.errors += tally.errors;
            self.total.skipped += tally.skipped;
        }
        self.spill.push(suites.as_bytes());
    }

    pub(super) fn finish(self, write: &mut dyn FnMut(&[u8])) -> std::io::Result<()> {
        let total = &self.total;
        let head = format!(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"proplint\" tests=\"{}\" failures=\"{}\" errors=\"{}\" skipped=\"{}\">\n",
            total.tests, total.failures, total.errors, total.skipped
        );
        write(head.as_bytes());
        self.spill.drain(&mut *write)?;
        write(b"</testsuites>\n");
        Ok(())
    }
}

fn suite(report: &Report<'_>, path: &str, rules: &[(String, RuleStatus)], diags: &[&Diagnostic]) -> (String, Tally) {
    let mut out = String::new();
    let mut tally = Tally::default();
    let classname = path.rsplit_once('.').filter(|(stem, _)| !stem.is_empty() && !stem.ends_with('/')).map_or(path, |(s, _)| s);
    let set = report.rules;
    for (id, status) in rules {
        let rule = set.and_then(|s| s.rule(id));
        let name = rule.map(|r| format!("{id} {} ({})", r.name, group_of(r.principle.as_deref()))).unwrap_or_else(|| id.clone());
        let found: Vec<&Diagnostic> = diags.iter().copied().filter(|d| &d.rule == id).collect();
        let first_line = found.first().map(|d| region(report.db, &d.primary).start_line);
        tally.tests += 1;
        let _ = write!(out, "    <testcase name=\"{}\" classname=\"{}\" file=\"{}\"", attr(&name), attr(classname), attr(path));
        if let (RuleStatus::Failed, Some(line)) = (status, first_line) {
            let _ = write!(out, " line=\"{line}\"");
        }
        match status {
            RuleStatus::Failed => {
                let failing: Vec<&Diagnostic> = found.iter().copied().filter(|d| !d.advisory && d.waived.is_none()).collect();
                let waived: Vec<&Diagnostic> = found.iter().copied().filter(|d| d.waived.is_some()).collect();
                if let (true, Some(w)) = (failing.is_empty(), waived.first().and_then(|d| d.waived.as_ref())) {
                    // Every finding of the rule is waived: the board accepted the gap.
                    tally.skipped += 1;
                    let _ = writeln!(
                        out,
                        ">\n      <skipped message=\"{}\"/>\n      <system-out>{}</system-out>\n    </testcase>",
                        attr(&waiver_note(w)),
                        text(&details(report, &waived))
                    );
                    continue;
                }
                tally.failures += 1;
                let worst = failing.iter().map(|d| d.severity).max().unwrap_or(Severity::Error);
                let message = failing.first().map_or("rule not met", |d| d.message.as_str());
                let mut body = details(report, &failing);
                for d in &waived {
                    let r = region(report.db, &d.primary);
                    body.push_str(&format!(
                        "{}:{}:{}: {}\n",
                        report.path_of(d),
                        r.start_line,
                        r.start_column,
                        d.waived.as_ref().map(waiver_note).unwrap_or_default()
                    ));
                }
                let _ = writeln!(out, ">\n      <failure message=\"{}\" type=\"{}\">{}</failure>", attr(message), worst, text(&body));
                out.push_str("    </testcase>\n");
            }
            RuleStatus::NotApplicable => {
                tally.skipped += 1;
                let reason = match (rule, set) {
                    (Some(r), Some(s)) => applicability(r, s),
                    _ => "not applicable to this proposal".into(),
                };
                let _ = writeln!(out, ">\n      <skipped message=\"{}\"/>\n    </testcase>", attr(&reason));
            }
            RuleStatus::Met if found.is_empty() => out.push_str("/>\n"),
            RuleStatus::Met => {
                // Advisory notes from a satisfied rule.
                let _ = writeln!(out, ">\n      <system-out>{}</system-out>\n    </testcase>", text(&details(report, &found)));
            }
        }
    }
    // The tool's own diagnostics (and any finding of a rule not in the status list).
    let mut others: Vec<&str> = Vec::new();
    for d in diags {
        if !rules.iter().any(|(id, _)| *id == d.rule) && !others.contains(&d.rule.as_str()) {
            others.push(&d.rule);
        }
    }
    for id in others {
        let found: Vec<&Diagnostic> = diags.iter().copied().filter(|d| d.rule == id).collect();
        let name = format!("{id} {}", found[0].name);
        let line = region(report.db, &found[0].primary).start_line;
        tally.tests += 1;
        let _ = writeln!(
            out,
            "    <testcase name=\"{}\" classname=\"{}\" file=\"{}\" line=\"{line}\">",
            attr(&name),
            attr(classname),
            attr(path)
        );
        let body = text(&details(report, &found));
        if found.iter().any(|d| d.severity == Severity::Error) {
            tally.errors += 1;
            let _ = writeln!(out, "      <error message=\"{}\" type=\"error\">{body}</error>", attr(&found[0].message));
        } else {
            let _ = writeln!(out, "      <system-out>{body}</system-out>");
        }
        out.push_str("    </testcase>\n");
    }
    (out, tally)
}

/// `path:line:col: severity RULE message` for each finding, then why and how to fix it.
fn details(report: &Report<'_>, found: &[&Diagnostic]) -> String {
    let mut s = String::new();
    for d in found {
        let r = region(report.db, &d.primary);
        let _ = writeln!(s, "{}:{}:{}: {} {} {}", report.path_of(d), r.start_line, r.start_column, d.severity, d.rule, d.message);
    }
    if let Some(d) = found.first() {
        if let Some(why) = &d.why {
            let _ = writeln!(s, "why: {why}");
        }
        if let Some(help) = &d.help {
            let _ = writeln!(s, "help: {help}");
        }
    }
    s
}

/// Why a rule did not apply, from its own `when` conditions and stage profile.
pub(super) fn applicability(rule: &Rule, set: &RuleSet) -> String {
    let w = &rule.when;
    let trigger = |i: &usize| set.vocab.triggers.get(*i).map_or_else(String::new, |t| t.id.replace(['-', '_'], " "));
    let mut conds = Vec::new();
    if !w.triggers.is_empty() {
        conds.push(format!("it involves {}", w.triggers.iter().map(trigger).collect::<Vec<_>>().join(" or ")));
    }
    if !w.all_triggers.is_empty() {
        conds.push(format!("it involves {}", w.all_triggers.iter().map(trigger).collect::<Vec<_>>().join(" and ")));
    }
    if !w.stages.is_empty() {
        conds.push(format!("its stage is {}", w.stages.join(" or ")));
    }
    if !w.nations.is_empty() {
        conds.push(format!("it is for {}", w.nations.join(" or ")));
    }
    if let Some(f) = &w.field {
        conds.push(format!("`{}` is set", f.key));
    }
    if w.matcher.is_some() {
        conds.push("its text describes what the rule covers".into());
    }
    let off: Vec<&str> = rule.stages.iter().filter(|(_, o)| matches!(o.severity, Some(None))).map(|(s, _)| s.as_str()).collect();
    let mut reason = String::from("not applicable");
    if !conds.is_empty() {
        let _ = write!(reason, ": applies only when {}", conds.join(", and "));
    }
    if !off.is_empty() {
        let _ = write!(reason, "{} off at stage {}", if conds.is_empty() { ":" } else { ";" }, off.join(", "));
    }
    reason
}

/// Characters XML 1.0 cannot carry at all become U+FFFD.
fn xml_safe(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..)
}

/// Element text. `>` is escaped too, so `]]>` can never appear.
fn text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '\r' => out.push_str("&#13;"),
            c if xml_safe(c) => out.push(c),
            _ => out.push('\u{FFFD}'),
        }
    }
    out
}

/// Attribute values: line breaks and tabs as character references, or parsers fold them to spaces.
fn attr(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in text(s).chars() {
        match c {
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\n' => out.push_str("&#10;"),
            '\t' => out.push_str("&#9;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup_cdata_end_and_controls() {
        assert_eq!(text("a]]>b<&\u{1b}"), "a]]&gt;b&lt;&amp;\u{FFFD}");
        assert_eq!(attr("\"x\"\n'y'"), "&quot;x&quot;&#10;&apos;y&apos;");
    }
}
