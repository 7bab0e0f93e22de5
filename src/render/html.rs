//! The board pack: one self-contained HTML page for a design authority. An overview of every
//! proposal against the six principles and governance, then per proposal its facts, a
//! scorecard, the findings with source excerpts, and the waiver register.
//!
//! No script and nothing fetched: a Content-Security-Policy allows only the one inline
//! stylesheet, by its hash. Every piece of proposal text and every path is escaped. Status is
//! always given in words and by icon shape, never by colour alone.

use super::{group_of, region, sentence_case, Counts, Report};
use crate::check::{FileEntry, FileStatus};
use crate::diag::{Diagnostic, Severity};
use crate::engine::RuleStatus;
use crate::rules::{Rule, PRINCIPLES};
use crate::spill::Spill;
use rayon::prelude::*;
use std::collections::HashMap;
use std::fmt::Write;

/// Context lines shown around a finding, and the most lines of a long span shown.
const CONTEXT: usize = 2;
const SPAN_LINES: usize = 6;
/// Bytes of one source line shown at most: a hostile file's megabyte line stays readable.
const LINE_BYTES: usize = 1200;

/// The page, written as the run goes: each chunk's contents entries, overview rows and
/// proposal sections go into `Spill`s, and the masthead, whose totals come first, is
/// written at the end with the rest. A run over thousands of files holds no finding.
#[derive(Default)]
pub(super) struct Page {
    /// Proposals so far: the next one's anchor is `proposal-{files + 1}`.
    files: usize,
    contents: Spill,
    overview: Spill,
    proposals: Spill,
    /// Findings in files that are not proposals (a waiver register, say).
    others: Spill,
    others_count: usize,
    others_path: Option<String>,
}

impl Page {
    pub(super) fn add(&mut self, report: &Report<'_>) {
        let rules: HashMap<&str, &Rule> = report.rules.map(|s| s.rules.iter().map(|r| (r.id.as_str(), r)).collect()).unwrap_or_default();
        // Findings by file, once: a run over thousands of files stays linear.
        let mut by_path: HashMap<&str, Vec<&Diagnostic>> = HashMap::new();
        for d in report.diagnostics {
            by_path.entry(report.path_of(d)).or_default().push(d);
        }
        let views: Vec<View<'_>> = report
            .files
            .iter()
            .enumerate()
            .map(|(i, f)| View::new(&rules, f, by_path.remove(f.path.as_str()).unwrap_or_default(), self.files + i))
            .collect();
        self.files += views.len();
        let others: Vec<&Diagnostic> = report.diagnostics.iter().filter(|d| by_path.contains_key(report.path_of(d))).collect();
        let mut out = String::new();
        for v in &views {
            let _ = writeln!(out, "<li><a href=\"#{}\">{}</a></li>", v.anchor, esc(&v.title));
        }
        self.contents.push(out.as_bytes());
        out.clear();
        for v in &views {
            overview_row(v, &mut out);
        }
        self.overview.push(out.as_bytes());
        out.clear();
        // Each proposal's section on the pool: the next chunk is not linted until these are done.
        let sections: Vec<String> = views
            .par_iter()
            .map(|v| {
                let mut section = String::new();
                proposal(report, &rules, v, &mut section);
                section
            })
            .collect();
        for section in sections {
            self.proposals.push(section.as_bytes());
        }
        for d in others {
            let path = report.path_of(d);
            self.others_count += 1;
            if self.others_path.as_deref() != Some(path) {
                self.others_path = Some(path.to_string());
                let _ = writeln!(out, "<h3 id=\"other-{}\">{}</h3>", self.others_count, esc(path));
            }
            finding(report, &rules, d, &format!("other-finding-{}", self.others_count), &mut out);
        }
        self.others.push(out.as_bytes());
    }

    pub(super) fn finish(self, c: &Counts, write: &mut dyn FnMut(&[u8])) -> std::io::Result<()> {
        let date = long_date(&generated_on());
        let version = env!("CARGO_PKG_VERSION");
        let files = self.files;
        let mut out = String::with_capacity(64 * 1024);
        let _ = write!(
            out,
            "<!DOCTYPE html>\n<html lang=\"en-GB\">\n<head>\n<meta charset=\"utf-8\">\n\
             <meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src '{}'; img-src data:; base-uri 'none'; form-action 'none'\">\n\
             <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<meta name=\"referrer\" content=\"no-referrer\">\n\
             <meta name=\"generator\" content=\"proplint {version}\">\n<title>Board report: {} proposal{} checked against the digitalisation principles</title>\n\
             <style>{STYLE}</style>\n</head>\n<body>\n<a class=\"skip-link\" href=\"#main\">Skip to main content</a>\n",
            style_hash(),
            files,
            plural(files),
        );
        let _ = write!(
            out,
            "<header class=\"masthead\">\n<div class=\"wrap\">\n<p class=\"kicker\">proplint board report</p>\n\
             <h1>Proposals against the Local Government Digitalisation Framework</h1>\n\
             <p class=\"lede\">{} proposal{} checked against the six principles (democratic, ethical, inclusive, sustainable, \
             cyber-resilient and user-centric) and governance: {} error{}, {} warning{}, {} note{} and {} waived finding{}.</p>\n\
             <p class=\"meta\">Generated on {} by proplint {version}.</p>\n</div>\n</header>\n",
            files,
            plural(files),
            c.errors,
            plural(c.errors),
            c.warnings,
            plural(c.warnings),
            c.infos,
            plural(c.infos),
            c.waived,
            plural(c.waived),
            esc(&date),
        );
        out.push_str("<nav class=\"contents\" aria-labelledby=\"contents-title\">\n<div class=\"wrap\">\n<h2 id=\"contents-title\">Contents</h2>\n<ol>\n<li><a href=\"#overview\">Overview of all proposals</a></li>\n");
        write(out.as_bytes());
        self.contents.drain(&mut *write)?;
        out.clear();
        if !self.others.is_empty() {
            out.push_str("<li><a href=\"#other-files\">Findings in other files</a></li>\n");
        }
        out.push_str("</ol>\n</div>\n</nav>\n<main id=\"main\" tabindex=\"-1\">\n<div class=\"wrap\">\n");
        overview_head(&mut out);
        write(out.as_bytes());
        self.overview.drain(&mut *write)?;
        write(b"</tbody>\n</table>\n</div>\n</section>\n");
        self.proposals.drain(&mut *write)?;
        if !self.others.is_empty() {
            write(b"<section class=\"proposal\" aria-labelledby=\"other-files\">\n<h2 id=\"other-files\">Findings in other files</h2>\n<p>Problems proplint found in files that are not proposals, such as a waiver register.</p>\n");
            self.others.drain(&mut *write)?;
            write(b"</section>\n");
        }
        out.clear();
        let _ = write!(
            out,
            "</div>\n</main>\n<footer class=\"footer\">\n<div class=\"wrap\">\n<p>Generated on {} by proplint {version}. Each finding names the \
             rule behind it; <code>proplint explain RULE</code> prints what the rule checks, why, and how to meet it.</p>\n\
             <p>A rule is met when the proposal gives the evidence it asks for; waived when the board has accepted the gap; \
             not applicable when the proposal does not involve what the rule is about, or not at its stage.</p>\n</div>\n</footer>\n</body>\n</html>\n",
            esc(&date)
        );
        write(out.as_bytes());
        Ok(())
    }
}

/// The six principles, then governance (the enablers' rules).
fn groups() -> impl Iterator<Item = &'static str> {
    PRINCIPLES.iter().copied().chain(["governance"])
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Status {
    Met,
    Gaps,
    Waived,
    NotApplicable,
}

impl Status {
    fn word(self) -> &'static str {
        match self {
            Status::Met => "Met",
            Status::Gaps => "Gaps",
            Status::Waived => "Waived",
            Status::NotApplicable => "Not applicable",
        }
    }

    fn class(self) -> &'static str {
        match self {
            Status::Met => "met",
            Status::Gaps => "gaps",
            Status::Waived => "waived",
            Status::NotApplicable => "na",
        }
    }

    /// Each status has its own shape, so it reads without colour: a ticked circle, a
    /// triangle with an exclamation mark, a square with a bar, an empty circle with a dash.
    fn icon(self) -> &'static str {
        match self {
            Status::Met => {
                "<svg class=\"icon\" viewBox=\"0 0 20 20\" width=\"20\" height=\"20\" aria-hidden=\"true\" focusable=\"false\"><circle cx=\"10\" cy=\"10\" r=\"9\" fill=\"#00703c\"/><path d=\"M5.5 10.5l3 3 6-7\" fill=\"none\" stroke=\"#fff\" stroke-width=\"2.5\"/></svg>"
            }
            Status::Gaps => {
                "<svg class=\"icon\" viewBox=\"0 0 20 20\" width=\"20\" height=\"20\" aria-hidden=\"true\" focusable=\"false\"><path d=\"M10 1.5L19.5 18.5H0.5z\" fill=\"#d4351c\"/><path d=\"M10 7v5.5\" stroke=\"#fff\" stroke-width=\"2.5\"/><circle cx=\"10\" cy=\"15.5\" r=\"1.5\" fill=\"#fff\"/></svg>"
            }
            Status::Waived => {
                "<svg class=\"icon\" viewBox=\"0 0 20 20\" width=\"20\" height=\"20\" aria-hidden=\"true\" focusable=\"false\"><rect x=\"2\" y=\"2\" width=\"16\" height=\"16\" fill=\"#fff\" stroke=\"#505a5f\" stroke-width=\"2.5\"/><path d=\"M5.5 10h9\" stroke=\"#505a5f\" stroke-width=\"3\"/></svg>"
            }
            Status::NotApplicable => {
                "<svg class=\"icon\" viewBox=\"0 0 20 20\" width=\"20\" height=\"20\" aria-hidden=\"true\" focusable=\"false\"><circle cx=\"10\" cy=\"10\" r=\"8.5\" fill=\"#fff\" stroke=\"#505a5f\" stroke-width=\"2\" stroke-dasharray=\"3 2\"/><path d=\"M6.5 10h7\" stroke=\"#505a5f\" stroke-width=\"2\"/></svg>"
            }
        }
    }

    fn badge(self) -> String {
        format!("<span class=\"status s-{}\">{}<span>{}</span></span>", self.class(), self.icon(), self.word())
    }
}

/// One principle (or governance) on one proposal: rules applicable, met, waived, not met,
/// and the open findings by severity.
#[derive(Debug, Default, Clone)]
struct Tally {
    applicable: usize,
    met: usize,
    waived: usize,
    not_met: usize,
    errors: usize,
    warnings: usize,
    notes: usize,
}

impl Tally {
    fn status(&self) -> Status {
        // A criterion missed at info severity is advice, not a gap a board must close.
        if self.errors + self.warnings > 0 {
            Status::Gaps
        } else if self.waived > 0 {
            Status::Waived
        } else if self.applicable > 0 {
            Status::Met
        } else {
            Status::NotApplicable
        }
    }

    /// "5 of 7 criteria met, 1 waived".
    fn score(&self) -> String {
        if self.applicable == 0 {
            return "no criteria applied".into();
        }
        let mut s = format!("{} of {} criteri{} met", self.met, self.applicable, if self.applicable == 1 { "on" } else { "a" });
        if self.waived > 0 {
            let _ = write!(s, ", {} waived", self.waived);
        }
        s
    }

    /// "5 of 7 met, 1 waived", for the overview's narrow cells.
    fn short_score(&self) -> String {
        let mut s = format!("{} of {} met", self.met, self.applicable);
        if self.waived > 0 {
            let _ = write!(s, ", {} waived", self.waived);
        }
        s
    }

    /// "1 error, 2 warnings", or empty.
    fn severities(&self) -> String {
        severities(self.errors, self.warnings, self.notes)
    }
}

fn severities(errors: usize, warnings: usize, notes: usize) -> String {
    [(errors, "error"), (warnings, "warning"), (notes, "note")]
        .iter()
        .filter(|(n, _)| *n > 0)
        .map(|(n, w)| format!("{n} {w}{}", plural(*n)))
        .collect::<Vec<_>>()
        .join(", ")
}

/// One linted file as the report shows it.
struct View<'a> {
    entry: &'a FileEntry,
    anchor: String,
    title: String,
    diags: Vec<&'a Diagnostic>,
    tallies: Vec<(&'static str, Tally)>,
    errors: usize,
    warnings: usize,
    notes: usize,
    waived: usize,
}

impl<'a> View<'a> {
    fn new(rules: &HashMap<&str, &Rule>, entry: &'a FileEntry, diags: Vec<&'a Diagnostic>, index: usize) -> Self {
        let mut tallies: Vec<(&'static str, Tally)> = groups().map(|g| (g, Tally::default())).collect();
        for (id, status) in &entry.rules {
            let group = rules.get(id.as_str()).map_or("governance", |r| group_of(r.principle.as_deref()));
            let Some((_, t)) = tallies.iter_mut().find(|(g, _)| *g == group) else { continue };
            match status {
                RuleStatus::NotApplicable => {}
                RuleStatus::Met => {
                    t.applicable += 1;
                    t.met += 1;
                }
                RuleStatus::Failed => {
                    t.applicable += 1;
                    let found: Vec<&&Diagnostic> = diags.iter().filter(|d| d.rule == *id && !d.advisory).collect();
                    if !found.is_empty() && found.iter().all(|d| d.waived.is_some()) {
                        t.waived += 1;
                    } else {
                        t.not_met += 1;
                    }
                }
            }
        }
        for d in diags.iter().filter(|d| !d.is_tool() && d.waived.is_none()) {
            if let Some((_, t)) = tallies.iter_mut().find(|(g, _)| *g == group_of(d.principle.as_deref())) {
                match d.severity {
                    Severity::Error => t.errors += 1,
                    Severity::Warning => t.warnings += 1,
                    Severity::Info => t.notes += 1,
                }
            }
        }
        let open = |s: Severity| diags.iter().filter(|d| d.waived.is_none() && d.severity == s).count();
        View {
            entry,
            anchor: format!("proposal-{}", index + 1),
            title: entry.title.clone().filter(|t| !t.trim().is_empty()).unwrap_or_else(|| entry.path.clone()),
            errors: open(Severity::Error),
            warnings: open(Severity::Warning),
            notes: open(Severity::Info),
            waived: diags.iter().filter(|d| d.waived.is_some()).count(),
            diags,
            tallies,
        }
    }

    fn checked(&self) -> bool {
        self.entry.status == FileStatus::Checked
    }
}

/// The overview's legend and the head of its table, whose rows follow.
fn overview_head(out: &mut String) {
    out.push_str(
        "<section class=\"overview\" aria-labelledby=\"overview\">\n<h2 id=\"overview\">Overview of all proposals</h2>\n\
         <p>Each cell gives the status of one proposal against one principle, with the criteria met out of those that apply to it:</p>\n\
         <ul class=\"legend\">\n",
    );
    for (s, meaning) in [
        (Status::Met, "no error or warning: every criterion that applies is met, or missed only with advice (notes)"),
        (Status::Gaps, "at least one error or warning; the findings say what is missing"),
        (Status::Waived, "no open gap, but the board has accepted at least one"),
        (Status::NotApplicable, "no criterion of this principle applies to the proposal"),
    ] {
        let _ = writeln!(out, "<li>{}: {meaning}</li>", s.badge());
    }
    out.push_str(
        "</ul>\n<div class=\"table-wrap\" role=\"region\" aria-labelledby=\"overview-caption\" tabindex=\"0\">\n<table class=\"overview-table\">\n\
         <caption id=\"overview-caption\">Status of each proposal against the six principles and governance, with its open errors and warnings and its waived findings</caption>\n\
         <thead>\n<tr><th scope=\"col\">Proposal</th>",
    );
    for g in groups() {
        let _ = write!(out, "<th scope=\"col\">{}</th>", esc(&sentence_case(g)));
    }
    out.push_str("<th scope=\"col\" class=\"num\">Errors</th><th scope=\"col\" class=\"num\">Warnings</th><th scope=\"col\" class=\"num\">Waived</th></tr>\n</thead>\n<tbody>\n");
}

/// One proposal's row of the overview table.
fn overview_row(v: &View<'_>, out: &mut String) {
    let _ = write!(
        out,
        "<tr><th scope=\"row\"><a href=\"#{}\">{}</a><span class=\"path\">{}</span></th>",
        v.anchor,
        esc(&v.title),
        esc(&v.entry.path)
    );
    if v.checked() {
        for (_, t) in &v.tallies {
            let status = t.status();
            let _ = write!(out, "<td class=\"cell\">{}", status.badge());
            if status != Status::NotApplicable {
                let _ = write!(out, "<span class=\"sub\">{}</span>", esc(&t.short_score()));
            }
            let sev = t.severities();
            if !sev.is_empty() {
                let _ = write!(out, "<span class=\"sub\">{sev}</span>");
            }
            out.push_str("</td>");
        }
    } else {
        let _ = write!(
            out,
            "<td colspan=\"{}\">Not checked ({}): proplint could not read or parse this file; see its findings.</td>",
            groups().count(),
            v.entry.status.as_str()
        );
    }
    let _ =
        writeln!(out, "<td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td></tr>", v.errors, v.warnings, v.waived);
}

fn proposal(report: &Report<'_>, rules: &HashMap<&str, &Rule>, v: &View<'_>, out: &mut String) {
    let a = &v.anchor;
    let _ = write!(
        out,
        "<section class=\"proposal\" aria-labelledby=\"{a}\">\n<h2 id=\"{a}\">{}</h2>\n<p class=\"file\">File: <code>{}</code> ({}, {})</p>\n",
        esc(&v.title),
        esc(&v.entry.path),
        v.entry.format.as_str(),
        v.entry.status.as_str()
    );
    let _ = write!(out, "<h3 id=\"{a}-about\">About this proposal</h3>\n<dl class=\"facts\">\n");
    for (label, value) in &v.entry.facts {
        let _ = writeln!(out, "<div><dt>{}</dt><dd>{}</dd></div>", esc(label), esc(&date_text(value)));
    }
    let _ = write!(
        out,
        "<div><dt>Open findings</dt><dd>{}</dd></div>\n<div><dt>Waived findings</dt><dd>{}</dd></div>\n</dl>\n",
        esc(&or_none(&severities(v.errors, v.warnings, v.notes))),
        v.waived
    );
    if v.checked() {
        let _ = writeln!(out, "<h3 id=\"{a}-scorecard\">Scorecard</h3>");
        scorecard(v, out);
    } else {
        let _ = writeln!(
            out,
            "<p class=\"warning-text\">proplint could not check this file ({}): no rule ran. The problem is listed below.</p>",
            v.entry.status.as_str()
        );
    }
    for (group, tally) in &v.tallies {
        let found: Vec<&Diagnostic> =
            ordered(v.diags.iter().copied().filter(|d| !d.is_tool() && group_of(d.principle.as_deref()) == *group));
        if !v.checked() && found.is_empty() {
            continue;
        }
        let _ = write!(
            out,
            "<h3 id=\"{a}-{group}\">{}</h3>\n<p class=\"group-status\">{} ",
            esc(&sentence_case(group)),
            tally.status().badge()
        );
        let _ = writeln!(out, "{}.{}</p>", esc(&sentence_case(&tally.score())), if found.is_empty() { " No findings." } else { "" });
        for (i, d) in found.iter().enumerate() {
            finding(report, rules, d, &format!("{a}-{group}-{}", i + 1), out);
        }
        not_applicable(report, rules, v, group, out);
    }
    waiver_register(report, v, out);
    let tool: Vec<&Diagnostic> = ordered(v.diags.iter().copied().filter(|d| d.is_tool()));
    if !tool.is_empty() {
        let _ = writeln!(
            out,
            "<h3 id=\"{a}-tool\">Notes about the file</h3>\n<p>What proplint noticed about how the proposal is written or read, rather than about its substance.</p>"
        );
        for (i, d) in tool.iter().enumerate() {
            finding(report, rules, d, &format!("{a}-tool-{}", i + 1), out);
        }
    }
    out.push_str("</section>\n");
}

/// The group's rules that did not apply, each with the reason taken from its own conditions.
fn not_applicable(report: &Report<'_>, rules: &HashMap<&str, &Rule>, v: &View<'_>, group: &str, out: &mut String) {
    let Some(set) = report.rules else { return };
    let off: Vec<&Rule> = v
        .entry
        .rules
        .iter()
        .filter(|(_, s)| *s == RuleStatus::NotApplicable)
        .filter_map(|(id, _)| rules.get(id.as_str()).copied())
        .filter(|r| group_of(r.principle.as_deref()) == group)
        .collect();
    if off.is_empty() {
        return;
    }
    out.push_str("<p class=\"na-title\">Criteria that do not apply to this proposal:</p>\n<ul class=\"na-list\">\n");
    for r in off {
        let reason = super::junit::applicability(r, set);
        let reason = reason.trim_start_matches("not applicable").trim_start_matches([':', ';', ' ']);
        let reason = if reason.is_empty() { "not at its stage or in its setting" } else { reason };
        let _ = writeln!(out, "<li><span class=\"rule-id\">{}</span> {}: {}</li>", esc(&r.id), esc(&r.name), esc(reason));
    }
    out.push_str("</ul>\n");
}

/// Open errors, then warnings, then notes, then waived findings; file order within each.
fn ordered<'a>(diags: impl Iterator<Item = &'a Diagnostic>) -> Vec<&'a Diagnostic> {
    let mut v: Vec<&Diagnostic> = diags.collect();
    v.sort_by_key(|d| (d.waived.is_some(), std::cmp::Reverse(d.severity)));
    v
}

/// A horizontal bar per principle: met criteria (solid) and waived ones (hatched) against the
/// applicable ones (the outlined track), with the numbers written beside each bar.
fn scorecard(v: &View<'_>, out: &mut String) {
    const LABEL: f64 = 150.0;
    const BAR: f64 = 330.0;
    const ROW: f64 = 34.0;
    let a = &v.anchor;
    let height = ROW * v.tallies.len() as f64 + 8.0;
    let mut desc = Vec::new();
    let mut body = String::new();
    for (i, (group, t)) in v.tallies.iter().enumerate() {
        let y = 8.0 + ROW * i as f64;
        let name = sentence_case(group);
        let words = format!("{}, {}", t.status().word(), t.score());
        desc.push(format!("{name}: {words}."));
        let _ = write!(body, "<text x=\"0\" y=\"{:.1}\" class=\"sc-label\">{}</text>", y + 15.0, esc(&name));
        if t.applicable > 0 {
            let unit = BAR / t.applicable as f64;
            let _ = write!(
                body,
                "<rect x=\"{LABEL}\" y=\"{y:.1}\" width=\"{BAR}\" height=\"20\" fill=\"#ffffff\" stroke=\"#505a5f\" stroke-width=\"1.5\"/>"
            );
            if t.met > 0 {
                let _ =
                    write!(body, "<rect x=\"{LABEL}\" y=\"{y:.1}\" width=\"{:.1}\" height=\"20\" fill=\"#1d70b8\"/>", unit * t.met as f64);
            }
            if t.waived > 0 {
                let _ = write!(
                    body,
                    "<rect x=\"{:.1}\" y=\"{y:.1}\" width=\"{:.1}\" height=\"20\" fill=\"url(#{a}-hatch)\" stroke=\"#1d70b8\" stroke-width=\"1.5\"/>",
                    LABEL + unit * t.met as f64,
                    unit * t.waived as f64
                );
            }
        } else {
            let _ = write!(
                body,
                "<line x1=\"{LABEL}\" y1=\"{:.1}\" x2=\"{:.1}\" y2=\"{:.1}\" stroke=\"#505a5f\" stroke-width=\"1.5\" stroke-dasharray=\"4 4\"/>",
                y + 10.0,
                LABEL + BAR,
                y + 10.0
            );
        }
        let _ = write!(body, "<text x=\"{:.1}\" y=\"{:.1}\" class=\"sc-value\">{}</text>", LABEL + BAR + 14.0, y + 15.0, esc(&words));
    }
    let _ = writeln!(
        out,
        "<figure class=\"scorecard\">\n<svg role=\"img\" aria-labelledby=\"{a}-sc-title {a}-sc-desc\" viewBox=\"0 0 860 {height:.0}\" width=\"860\" height=\"{height:.0}\">\
         <title id=\"{a}-sc-title\">Scorecard: criteria met against those that apply, per principle</title><desc id=\"{a}-sc-desc\">{}</desc>\
         <defs><pattern id=\"{a}-hatch\" width=\"6\" height=\"6\" patternUnits=\"userSpaceOnUse\" patternTransform=\"rotate(45)\"><rect width=\"6\" height=\"6\" fill=\"#ffffff\"/><rect width=\"3\" height=\"6\" fill=\"#1d70b8\"/></pattern></defs>{body}</svg>\n\
         <figcaption>Solid bar: criteria met. Hatched: criteria not met but waived by the board. Empty outline: criteria not met. Dashed line: no criterion applies.</figcaption>\n</figure>",
        esc(&desc.join(" "))
    );
}

fn finding(report: &Report<'_>, rules: &HashMap<&str, &Rule>, d: &Diagnostic, id: &str, out: &mut String) {
    let (class, word) = match (d.waived.is_some(), d.severity) {
        (true, _) => ("waived", "Waived"),
        (false, Severity::Error) => ("error", "Error"),
        (false, Severity::Warning) => ("warning", "Warning"),
        (false, Severity::Info) => ("note", "Note"),
    };
    let _ = write!(
        out,
        "<div class=\"finding f-{class}\">\n<h4 id=\"{id}\"><span class=\"tag t-{class}\">{word}</span> <span class=\"rule-id\">{}</span> {}</h4>\n<p class=\"message\">{}</p>\n<dl class=\"about-finding\">\n",
        esc(&d.rule),
        esc(&d.name),
        esc(&sentence_case(&d.message))
    );
    if d.waived.is_some() {
        let _ = writeln!(out, "<div><dt>Severity</dt><dd>{} (waived)</dd></div>", sentence_case(d.severity.as_str()));
    }
    let file = report.db.get(d.primary.file);
    let r = region(report.db, &d.primary);
    let mut at = if file.text.is_empty() {
        "the file as a whole".to_string()
    } else if d.primary.span.is_empty() {
        format!("line {}, column {} (where the missing text belongs)", r.start_line, r.start_column)
    } else if r.start_line == r.end_line {
        format!("line {}, column {}", r.start_line, r.start_column)
    } else {
        format!("lines {} to {}", r.start_line, r.end_line)
    };
    if !d.primary.message.is_empty() {
        let _ = write!(at, ": {}", d.primary.message);
    }
    let _ = writeln!(out, "<div><dt>Where</dt><dd>{}</dd></div>", esc(&at));
    for l in d.secondary.iter().take(5) {
        let lr = region(report.db, l);
        let _ = writeln!(out, "<div><dt>See also</dt><dd>line {}: {}</dd></div>", lr.start_line, esc(&l.message));
    }
    if let Some(why) = &d.why {
        let _ = writeln!(out, "<div><dt>Why it matters</dt><dd>{}</dd></div>", esc(why));
    }
    if let Some(help) = &d.help {
        let _ = writeln!(out, "<div><dt>How to fix it</dt><dd>{}</dd></div>", esc(help));
    }
    if !d.standards.is_empty() {
        let _ = writeln!(out, "<div><dt>Standards</dt><dd>{}</dd></div>", esc(&d.standards.join("; ")));
    }
    if let Some(w) = &d.waived {
        let _ = writeln!(out, "<div><dt>Waiver</dt><dd>{}</dd></div>", esc(&waiver_words(w)));
    }
    if let Some(rule) = rules.get(d.rule.as_str()).filter(|r| r.name != d.name) {
        let _ = writeln!(out, "<div><dt>Rule</dt><dd>{}</dd></div>", esc(&rule.name));
    }
    out.push_str("</dl>\n");
    excerpt(report, d, out);
    out.push_str("</div>\n");
}

/// "Reason. Approved by X (decision D); expires 31 December 2026; recorded in the proposal."
fn waiver_words(w: &crate::diag::Waived) -> String {
    let mut s = format!("{} Approved by {}", w.reason.trim_end(), w.approved_by);
    if let Some(dec) = &w.decision {
        let _ = write!(s, " (decision {dec})");
    }
    if let Some(e) = &w.expires {
        let _ = write!(s, "; expires {}", date_text(e));
    }
    let _ = write!(s, "; recorded in {}.", w.source);
    s
}

/// A few lines around the finding with line numbers; the text it points at in `<mark>`.
fn excerpt(report: &Report<'_>, d: &Diagnostic, out: &mut String) {
    let file = report.db.get(d.primary.file);
    if file.text.is_empty() {
        return;
    }
    let text = &file.text;
    let span = d.primary.span;
    let (start, end) = (span.start.min(text.len()), span.end.min(text.len()));
    let first_span = file.lines.line_of(start);
    let last_span = if end > start { file.lines.line_of(end - 1) } else { first_span };
    let shown_last_span = last_span.min(first_span + SPAN_LINES - 1);
    let first = first_span.saturating_sub(CONTEXT);
    let last = if shown_last_span < last_span { shown_last_span } else { (last_span + CONTEXT).min(file.lines.line_count() - 1) };
    let _ = write!(
        out,
        "<figure class=\"excerpt\">\n<figcaption>{}, lines {} to {}; the text the finding points at is highlighted and underlined{}.</figcaption>\n<pre><code>",
        esc(&file.path),
        first + 1,
        last + 1,
        if shown_last_span < last_span { format!(" (it goes on to line {})", last_span + 1) } else { String::new() }
    );
    for line in first..=last {
        let mut range = file.lines.line_range(text, line);
        if line == 0 {
            range.start = file.bom_len().min(range.end);
        }
        let _ = write!(out, "<span class=\"line\"><span class=\"ln\">{}</span>", line + 1);
        if span.is_empty() {
            if line == first_span {
                let at = start.clamp(range.start, range.end);
                let (a, b) = window(text, range.start, range.end, at);
                out.push_str(&esc(&text[a..at]));
                out.push_str("<mark class=\"point\">\u{2190}\u{a0}here</mark>");
                out.push_str(&esc(&text[at..b]));
            } else {
                let (a, b) = window(text, range.start, range.end, range.start);
                out.push_str(&esc(&text[a..b]));
            }
        } else {
            let hs = start.clamp(range.start, range.end);
            let he = end.clamp(range.start, range.end);
            let (a, b) = window(text, range.start, range.end, hs);
            let (hs, he) = (hs.clamp(a, b), he.clamp(a, b));
            if a > range.start {
                out.push('\u{2026}');
            }
            out.push_str(&esc(&text[a..hs]));
            if he > hs {
                let _ = write!(out, "<mark>{}</mark>", esc(&text[hs..he]));
            }
            out.push_str(&esc(&text[he..b]));
            if b < range.end {
                out.push('\u{2026}');
            }
        }
        out.push_str("</span>");
    }
    out.push_str("</code></pre>\n</figure>\n");
}

/// The part of the line `start..end` to show: all of it when short, else up to `LINE_BYTES`
/// bytes from a little before the highlight at `hs`, on character boundaries.
fn window(text: &str, start: usize, end: usize, hs: usize) -> (usize, usize) {
    if end - start <= LINE_BYTES {
        return (start, end);
    }
    let mut a = hs.saturating_sub(LINE_BYTES / 3).max(start);
    let mut b = (a + LINE_BYTES).min(end);
    while a > start && !text.is_char_boundary(a) {
        a -= 1;
    }
    while b < end && !text.is_char_boundary(b) {
        b += 1;
    }
    (a, b.max(a))
}

fn waiver_register(report: &Report<'_>, v: &View<'_>, out: &mut String) {
    let a = &v.anchor;
    let waived: Vec<&Diagnostic> = v.diags.iter().copied().filter(|d| d.waived.is_some()).collect();
    let _ = writeln!(out, "<h3 id=\"{a}-waivers\">Waiver register</h3>");
    if waived.is_empty() {
        out.push_str("<p>No finding on this proposal has been waived.</p>\n");
        return;
    }
    let _ = write!(
        out,
        "<div class=\"table-wrap\" role=\"region\" aria-labelledby=\"{a}-waivers-caption\" tabindex=\"0\">\n<table class=\"waivers\">\n\
         <caption id=\"{a}-waivers-caption\">Findings on this proposal the board has accepted, with the reason, who approved it and when it expires</caption>\n\
         <thead>\n<tr><th scope=\"col\">Rule</th><th scope=\"col\">Finding</th><th scope=\"col\">Reason</th><th scope=\"col\">Approved by</th><th scope=\"col\">Decision</th><th scope=\"col\">Expires</th><th scope=\"col\">Recorded in</th></tr>\n</thead>\n<tbody>\n"
    );
    for d in waived {
        let Some(w) = &d.waived else { continue };
        let line = region(report.db, &d.primary).start_line;
        let _ = writeln!(
            out,
            "<tr><th scope=\"row\">{}</th><td>{} (line {line})</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            esc(&d.rule),
            esc(&sentence_case(&d.message)),
            esc(&w.reason),
            esc(&w.approved_by),
            esc(w.decision.as_deref().unwrap_or("Not recorded")),
            esc(&w.expires.as_deref().map_or_else(|| "No expiry date".to_string(), date_text)),
            esc(&w.source)
        );
    }
    out.push_str("</tbody>\n</table>\n</div>\n");
}

/// The date the report is dated: `SOURCE_DATE_EPOCH` (seconds, as reproducible-build tools
/// set it) when given, so a report can be regenerated identically; otherwise today.
fn generated_on() -> String {
    match std::env::var("SOURCE_DATE_EPOCH").ok().and_then(|v| v.trim().parse::<i64>().ok()) {
        Some(secs) => crate::waivers::civil_from_days(secs.div_euclid(86_400)),
        None => crate::waivers::today(),
    }
}

const MONTHS: [&str; 12] =
    ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"];

/// `2026-03-03` (or a date-time starting so) as "3 March 2026"; anything else unchanged.
fn long_date(text: &str) -> String {
    let t = text.trim();
    let parsed = (|| {
        let (date, rest) = (t.get(..10)?, t.get(10..)?);
        if !(rest.is_empty() || rest.starts_with(['T', ' '])) {
            return None;
        }
        let mut parts = date.split('-');
        let (y, m, d) = (parts.next()?, parts.next()?, parts.next()?);
        if y.len() != 4 || m.len() != 2 || d.len() != 2 || !date.bytes().all(|b| b.is_ascii_digit() || b == b'-') {
            return None;
        }
        let (m, d): (usize, u32) = (m.parse().ok()?, d.parse().ok()?);
        let month = MONTHS.get(m.checked_sub(1)?)?;
        (1..=31).contains(&d).then(|| format!("{d} {month} {y}"))
    })();
    parsed.unwrap_or_else(|| text.to_string())
}

fn date_text(text: &str) -> String {
    long_date(text)
}

fn or_none(s: &str) -> String {
    if s.is_empty() {
        "None".into()
    } else {
        s.to_string()
    }
}

fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

/// Text that stays text, in element content and attribute values alike. Control characters
/// (other than tab and line feed) become U+FFFD, which HTML allows everywhere.
fn esc(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 16);
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            '\t' | '\n' => out.push(c),
            c if c.is_control() || ('\u{FDD0}'..='\u{FDEF}').contains(&c) || (c as u32) & 0xFFFE == 0xFFFE => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
    out
}

/// `sha256-...` of the stylesheet, for the Content-Security-Policy.
fn style_hash() -> String {
    format!("sha256-{}", base64(&sha256(STYLE.as_bytes())))
}

/// SHA-256 (FIPS 180-4), for the one hash the policy needs; not worth a dependency.
fn sha256(data: &[u8]) -> [u8; 32] {
    const K: [u32; 64] = [
        0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be,
        0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa,
        0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85,
        0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3,
        0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f,
        0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
    ];
    let mut h: [u32; 8] = [0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19];
    let mut msg = data.to_vec();
    msg.push(0x80);
    while msg.len() % 64 != 56 {
        msg.push(0);
    }
    msg.extend_from_slice(&((data.len() as u64).wrapping_mul(8)).to_be_bytes());
    for block in msg.chunks_exact(64) {
        let mut w = [0u32; 64];
        for (i, word) in block.chunks_exact(4).enumerate() {
            w[i] = u32::from_be_bytes([word[0], word[1], word[2], word[3]]);
        }
        for i in 16..64 {
            let s0 = w[i - 15].rotate_right(7) ^ w[i - 15].rotate_right(18) ^ (w[i - 15] >> 3);
            let s1 = w[i - 2].rotate_right(17) ^ w[i - 2].rotate_right(19) ^ (w[i - 2] >> 10);
            w[i] = w[i - 16].wrapping_add(s0).wrapping_add(w[i - 7]).wrapping_add(s1);
        }
        let [mut a, mut b, mut c, mut d, mut e, mut f, mut g, mut hh] = h;
        for i in 0..64 {
            let s1 = e.rotate_right(6) ^ e.rotate_right(11) ^ e.rotate_right(25);
            let ch = (e & f) ^ (!e & g);
            let t1 = hh.wrapping_add(s1).wrapping_add(ch).wrapping_add(K[i]).wrapping_add(w[i]);
            let s0 = a.rotate_right(2) ^ a.rotate_right(13) ^ a.rotate_right(22);
            let maj = (a & b) ^ (a & c) ^ (b & c);
            let t2 = s0.wrapping_add(maj);
            hh = g;
            g = f;
            f = e;
            e = d.wrapping_add(t1);
            d = c;
            c = b;
            b = a;
            a = t1.wrapping_add(t2);
        }
        for (x, y) in h.iter_mut().zip([a, b, c, d, e, f, g, hh]) {
            *x = x.wrapping_add(y);
        }
    }
    let mut out = [0u8; 32];
    for (chunk, word) in out.chunks_exact_mut(4).zip(h) {
        chunk.copy_from_slice(&word.to_be_bytes());
    }
    out
}

fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let n = (u32::from(chunk[0]) << 16) | (u32::from(*chunk.get(1).unwrap_or(&0)) << 8) | u32::from(*chunk.get(2).unwrap_or(&0));
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(ALPHABET[(n >> (18 - 6 * i)) as usize & 63] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// GOV.UK-like restraint: system fonts, near-black text, one blue accent; status colours
/// only ever next to words and shapes. Contrast: text 4.5:1 or more, bars, icons and focus
/// outlines 3:1 or more against white.
const STYLE: &str = r#"
*,*::before,*::after{box-sizing:border-box}
html{-webkit-text-size-adjust:100%}
body{margin:0;font-family:system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif;font-size:1rem;line-height:1.5;color:#0b0c0c;background:#fff}
.wrap{max-width:1240px;margin:0 auto;padding:0 24px}
a{color:#1d70b8;text-decoration:underline;text-underline-offset:.15em}
a:visited{color:#4c2c92}
a:hover{color:#003078;text-decoration-thickness:3px}
a:focus-visible,[tabindex]:focus-visible{outline:3px solid #0b0c0c;outline-offset:2px;background:#ffdd00;color:#0b0c0c;text-decoration:none;box-shadow:0 0 0 6px #ffdd00}
main:focus{outline:none}
.skip-link{position:absolute;left:-9999px;top:0;padding:8px 16px;background:#ffdd00;color:#0b0c0c}
.skip-link:focus{left:8px;top:8px;z-index:10;outline:3px solid #0b0c0c}
.masthead{background:#0b0c0c;color:#fff;border-bottom:10px solid #1d70b8;padding:20px 0 24px}
.kicker{margin:0 0 4px;font-weight:700;letter-spacing:.02em}
h1{font-size:2rem;line-height:1.2;margin:0 0 12px}
.lede{font-size:1.1875rem;margin:0 0 8px;max-width:60em}
.meta{margin:0;color:#fff}
.contents{border-bottom:1px solid #b1b4b6;padding:16px 0}
.contents h2{font-size:1.1875rem;margin:0 0 8px}
.contents ol{margin:0;padding-left:2em;columns:4 16em;column-gap:32px;font-size:.9375rem}
.contents li{break-inside:avoid;margin-bottom:2px}
h2{font-size:1.5rem;line-height:1.25;margin:40px 0 12px}
h3{font-size:1.25rem;line-height:1.3;margin:32px 0 8px;padding-top:8px;border-top:1px solid #b1b4b6}
h4{font-size:1.0625rem;margin:0 0 4px}
code,pre{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,"Liberation Mono",monospace;font-size:.875rem}
.legend{list-style:none;padding:0;margin:0 0 16px;display:flex;flex-wrap:wrap;gap:6px 24px}
.legend li{display:flex;align-items:center}
.status{display:inline-flex;align-items:center;gap:6px;font-weight:700;white-space:nowrap}
.icon{flex:none;width:20px;height:20px}
.table-wrap{overflow-x:auto;margin:0 0 16px}
table{border-collapse:collapse;width:100%}
caption{text-align:left;font-weight:700;padding:0 0 8px}
th,td{text-align:left;vertical-align:top;padding:8px 8px 8px 0;border-bottom:1px solid #b1b4b6}
thead th{border-bottom:2px solid #0b0c0c;font-size:.9375rem}
th[scope=row]{font-weight:400;min-width:12em;max-width:20em}
th[scope=row] a{font-weight:700}
.path{display:block;color:#505a5f;font-size:.8125rem;overflow-wrap:anywhere}
.cell{min-width:6.5em;font-size:.9375rem}
.sub{display:block;color:#505a5f;font-size:.8125rem}
.num{text-align:right;padding-right:12px;font-variant-numeric:tabular-nums}
.proposal{break-before:page;margin-top:56px;border-top:4px solid #1d70b8}
.proposal>h2{margin-top:16px}
.file{color:#505a5f;margin:0 0 8px}
.facts{display:grid;grid-template-columns:repeat(auto-fill,minmax(17em,1fr));gap:4px 24px;margin:0}
.facts div{border-bottom:1px solid #b1b4b6;padding:6px 0}
.facts dt{font-weight:700;font-size:.875rem;color:#505a5f}
.facts dd{margin:0;overflow-wrap:anywhere}
.scorecard{margin:0 0 8px;max-width:860px}
.scorecard svg{width:100%;height:auto;display:block}
.scorecard text{font-family:system-ui,-apple-system,"Segoe UI",Roboto,Arial,sans-serif;font-size:15px;fill:#0b0c0c}
.scorecard .sc-label{font-weight:700}
figcaption{color:#505a5f;font-size:.875rem;margin-top:4px}
.group-status{margin:0 0 12px;display:flex;flex-wrap:wrap;align-items:center;gap:4px 8px}
.group-status .status{margin-right:4px}
.finding{border-left:5px solid #b1b4b6;padding:4px 0 4px 16px;margin:0 0 24px}
.f-error{border-left-color:#d4351c}
.f-warning{border-left-color:#f47738}
.f-note{border-left-color:#1d70b8}
.f-waived{border-left-color:#505a5f;border-left-style:double;border-left-width:6px}
.tag{display:inline-block;padding:1px 8px;margin-right:4px;font-size:.875rem;font-weight:700;letter-spacing:.02em;text-transform:uppercase;vertical-align:1px}
.t-error{color:#2a0b06;background:#f4cdc6}
.t-warning{color:#6e3619;background:#fcd6c3}
.t-note{color:#0c2d4a;background:#bbd4ea}
.t-waived{color:#383f43;background:#e5e6e7}
.rule-id{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,"Liberation Mono",monospace;font-weight:700}
.message{margin:0 0 8px;font-size:1.0625rem}
.about-finding{margin:0 0 8px}
.about-finding div{display:grid;grid-template-columns:9em 1fr;gap:12px;padding:2px 0}
.about-finding dt{font-weight:700}
.about-finding dd{margin:0;max-width:52em;overflow-wrap:anywhere}
.excerpt{margin:8px 0 0}
.excerpt pre{margin:0;padding:8px 12px;background:#f3f2f1;border:1px solid #b1b4b6;white-space:pre-wrap;overflow-wrap:anywhere}
.line{display:block;padding-left:5.5ch;text-indent:-5.5ch}
.ln{display:inline-block;width:4.5ch;margin-right:1ch;text-align:right;text-indent:0;color:#505a5f;user-select:none}
mark{background:#ffdd00;color:#0b0c0c;text-decoration:underline;text-decoration-thickness:2px;text-underline-offset:3px;-webkit-print-color-adjust:exact;print-color-adjust:exact}
mark.point{font-weight:700;padding:0 2px;outline:2px solid #0b0c0c}
.waivers{font-size:.9375rem}
.warning-text{font-weight:700}
.na-title{margin:16px 0 4px;font-weight:700}
.na-list{margin:0 0 16px;padding-left:1.25em;color:#0b0c0c}
.na-list li{margin-bottom:2px}
.footer{margin-top:48px;border-top:1px solid #b1b4b6;padding:16px 0 32px;color:#0b0c0c;font-size:.9375rem}
@media (max-width:640px){.about-finding div{grid-template-columns:1fr;gap:0}h1{font-size:1.5rem}}
@media print{
@page{margin:16mm 14mm}
body{font-size:10.5pt}
.skip-link{display:none}
.masthead{background:#fff;color:#0b0c0c;border-bottom:4px solid #0b0c0c;padding:0 0 8px}
.meta{color:#0b0c0c}
.wrap{max-width:none;padding:0}
.contents{break-after:page}
.proposal{break-before:page;margin-top:0;border-top:none}
.table-wrap{overflow:visible}
a{color:#0b0c0c;text-decoration:none}
thead{display:table-header-group}
tr,.finding,.scorecard,.excerpt{break-inside:avoid}
h2,h3,h4{break-after:avoid}
.excerpt pre{background:#fff}
.status svg,.scorecard svg,.tag{-webkit-print-color-adjust:exact;print-color-adjust:exact}
}
"#;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sha256_and_base64_match_known_values() {
        assert_eq!(base64(&sha256(b"abc")), "ungWv48Bz+pBQUDeXa4iI7ADYaOWF3qctBD/YfIAFa0=");
        assert_eq!(base64(&sha256(b"")), "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=");
        assert_eq!(base64(b"ab"), "YWI=");
    }

    #[test]
    fn dates_read_as_words() {
        assert_eq!(long_date("2026-03-03"), "3 March 2026");
        assert_eq!(long_date("2099-12-31T00:00:00Z"), "31 December 2099");
        assert_eq!(long_date("12 May 2026"), "12 May 2026");
        assert_eq!(long_date("2026-13-01"), "2026-13-01");
        assert_eq!(long_date("2026-1é-01"), "2026-1é-01");
    }

    #[test]
    fn escapes_markup_and_controls() {
        assert_eq!(esc("<a href='x'>\"&\u{1b}</a>"), "&lt;a href=&#39;x&#39;&gt;&quot;&amp;\u{FFFD}&lt;/a&gt;");
    }

    #[test]
    fn windows_stay_on_character_boundaries() {
        let text = "é".repeat(2000);
        let (a, b) = window(&text, 0, text.len(), 1001);
        assert!(text.is_char_boundary(a) && text.is_char_boundary(b) && a < b);
    }
}
