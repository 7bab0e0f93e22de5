//! A Markdown summary for a pull-request comment or `$GITHUB_STEP_SUMMARY`: a table of
//! errors, warnings and met rules per principle for each file, then the findings with
//! `path:line` links. Symbols always come with numbers and a legend, never colour alone.

use super::{group_of, percent_encode_path, region, Counts, RenderOptions, Report};
use crate::check::{FileEntry, FileStatus};
use crate::diag::{Diagnostic, Severity};
use crate::engine::RuleStatus;
use crate::rules::PRINCIPLES;
use std::collections::HashMap;
use std::fmt::Write;

/// GitHub rejects comments over 65,536 characters; stop listing findings well before
/// (bytes, so multi-byte text only makes the margin larger).
const BUDGET: usize = 60_000;

/// What the summary keeps until the end of a run: the table's rows and the findings it may
/// still list, not the findings themselves.
#[derive(Default)]
pub(super) struct Summary {
    rows: String,
    /// Any error or warning that is not waived (else the list says there are none).
    any_shown: bool,
    /// Each file's findings as they would be listed, while listing them could still fit.
    listed: Vec<Listed>,
    /// The length of that list with nothing before it.
    listed_len: usize,
    /// Errors and warnings of the files after it, past the budget however short the table.
    unlisted: usize,
}

/// One file's findings, each line rendered.
struct Listed {
    path: String,
    main: Vec<String>,
    notes: Vec<String>,
    waived: Vec<String>,
}

impl Summary {
    pub(super) fn add(&mut self, report: &Report<'_>, options: &RenderOptions) {
        let groups = groups();
        // Errors and warnings by file and group, counted once: counting them over the whole
        // list for every cell was quadratic in a run over thousands of files.
        let mut counted: HashMap<(&str, &str), (usize, usize)> = HashMap::new();
        for d in report.diagnostics.iter().filter(|d| !d.is_tool() && d.waived.is_none()) {
            let (errors, warnings) = counted.entry((report.path_of(d), group_of(d.principle.as_deref()))).or_default();
            match d.severity {
                Severity::Error => *errors += 1,
                Severity::Warning => *warnings += 1,
                Severity::Info => {}
            }
        }
        let out = &mut self.rows;
        for file in report.files {
            let _ = write!(out, "| {} |", link(&file.path, None, options));
            if file.status != FileStatus::Checked {
                let _ = writeln!(out, " not checked ({}): see the findings below |{}", file.status.as_str(), " |".repeat(groups.len() - 1));
                continue;
            }
            for g in &groups {
                let (errors, warnings) = counted.get(&(file.path.as_str(), *g)).copied().unwrap_or_default();
                let _ = write!(out, " {} |", cell(report, file, g, errors, warnings));
            }
            out.push('\n');
        }
        self.any_shown |= report.diagnostics.iter().any(|d| shown(&d));
        for (path, diags) in report.by_path() {
            let (waived, diags): (Vec<&Diagnostic>, Vec<&Diagnostic>) = diags.into_iter().partition(|d| d.waived.is_some());
            let (main, notes): (Vec<&Diagnostic>, Vec<&Diagnostic>) = diags.into_iter().partition(shown);
            // Once the list alone is past the budget, the table and heading before it only
            // put it further past: these files are counted, never listed.
            if self.listed_len > BUDGET {
                self.unlisted += main.len();
                continue;
            }
            let lines = |diags: Vec<&Diagnostic>| -> Vec<String> {
                diags
                    .into_iter()
                    .map(|d| {
                        let mut line = String::new();
                        item(report, options, d, &mut line);
                        line
                    })
                    .collect()
            };
            let file = Listed { path: path.to_string(), main: lines(main), notes: lines(notes), waived: lines(waived) };
            let mut alone = String::new();
            file.write(self.listed_len, &mut alone, &mut 0);
            self.listed_len += alone.len();
            self.listed.push(file);
        }
    }

    pub(super) fn finish(self, files: usize, c: &Counts) -> String {
        let mut out = String::new();
        let _ = writeln!(
            out,
            "## proplint: {} file{} checked, {} error{}, {} warning{}, {} note{}{}\n",
            files,
            plural(files),
            c.errors,
            plural(c.errors),
            c.warnings,
            plural(c.warnings),
            c.infos,
            plural(c.infos),
            super::concise::waived_count(c.waived)
        );
        out.push_str("Each cell counts errors (❌), warnings (⚠️) and rules met (✅) for one principle; – means no rule applied.\n\n");
        let groups = groups();
        out.push_str("| File |");
        for g in &groups {
            let _ = write!(out, " {} |", title(g));
        }
        out.push_str("\n| --- |");
        out.push_str(&" --- |".repeat(groups.len()));
        out.push('\n');
        out.push_str(&self.rows);
        if !self.any_shown {
            out.push_str("\nNo errors or warnings.\n");
        }
        let mut left = 0;
        for file in &self.listed {
            file.write(0, &mut out, &mut left);
        }
        left += self.unlisted;
        if left > 0 {
            let _ = writeln!(out, "\n…and {left} more finding{} not listed here; see the job log for all of them.", plural(left));
        }
        out
    }
}

impl Listed {
    /// Lists the file's findings while `out`, after `before` bytes of other text, is within
    /// the budget, and counts in `left` the errors and warnings it leaves out.
    fn write(&self, before: usize, out: &mut String, left: &mut usize) {
        let over = |out: &String| before + out.len() > BUDGET;
        if over(out) {
            *left += self.main.len();
            return;
        }
        let _ = writeln!(out, "\n### {}\n", escape(&self.path));
        for line in &self.main {
            if over(out) {
                *left += 1;
            } else {
                out.push_str(line);
            }
        }
        if !self.notes.is_empty() && !over(out) {
            let _ = writeln!(out, "\n<details><summary>{} note{}</summary>\n", self.notes.len(), plural(self.notes.len()));
            for line in &self.notes {
                if over(out) {
                    break;
                }
                out.push_str(line);
            }
            out.push_str("\n</details>\n");
        }
        if !self.waived.is_empty() && !over(out) {
            let _ = writeln!(out, "\n<details><summary>{} waived</summary>\n", self.waived.len());
            for line in &self.waived {
                out.push_str(line);
            }
            out.push_str("\n</details>\n");
        }
    }
}

/// Errors and warnings not waived: listed under each file; notes are folded away.
fn shown(d: &&Diagnostic) -> bool {
    d.severity >= Severity::Warning && d.waived.is_none()
}

fn groups() -> Vec<&'static str> {
    PRINCIPLES.iter().copied().chain(["governance"]).collect()
}

fn cell(report: &Report<'_>, file: &FileEntry, group: &str, errors: usize, warnings: usize) -> String {
    let met = file
        .rules
        .iter()
        .filter(|(id, s)| {
            *s == RuleStatus::Met && report.rules.and_then(|set| set.rule(id)).is_some_and(|r| group_of(r.principle.as_deref()) == group)
        })
        .count();
    let parts: Vec<String> =
        [("❌", errors), ("⚠️", warnings), ("✅", met)].iter().filter(|(_, n)| *n > 0).map(|(s, n)| format!("{s} {n}")).collect();
    if parts.is_empty() {
        "–".into()
    } else {
        parts.join(" ")
    }
}

fn item(report: &Report<'_>, options: &RenderOptions, d: &Diagnostic, out: &mut String) {
    let symbol = match d.severity {
        Severity::Error => "❌ error",
        Severity::Warning => "⚠️ warning",
        Severity::Info => "ℹ️ note",
    };
    let line = region(report.db, &d.primary).start_line;
    let waived = d.waived.as_ref().map(|w| format!(" — {}", escape(&super::waiver_note(w)))).unwrap_or_default();
    let _ = writeln!(
        out,
        "- {symbol} **{}** {}: {} ({}){waived}",
        escape(&d.rule),
        escape(&d.name),
        escape(&d.message),
        link(report.path_of(d), Some(line), options)
    );
}

/// `[path:line](base/path#Lline)`; without a base the target is relative to the repository.
fn link(path: &str, line: Option<usize>, options: &RenderOptions) -> String {
    let base = options.link_base.as_deref().unwrap_or("");
    match line {
        Some(l) => format!("[{}:{l}]({base}{}#L{l})", escape(path), percent_encode_path(path)),
        None => format!("[{}]({base}{})", escape(path), percent_encode_path(path)),
    }
}

fn title(group: &str) -> String {
    super::sentence_case(group)
}

/// Text that stays text: Markdown and HTML syntax are escaped, line breaks become spaces.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '\n' | '\r' => out.push(' '),
            '\\' | '`' | '*' | '_' | '[' | ']' | '|' | '#' | '~' | '!' | '$' => {
                out.push('\\');
                out.push(c);
            }
            c if c.is_control() => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
    out
}

fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}
