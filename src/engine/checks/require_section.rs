//! `require-section`: a canonical section exists with enough real text.

use crate::diag::{Diagnostic, Fix, Severity};
use crate::engine::Ctx;
use crate::rules::Rule;

pub(super) fn run(ctx: &Ctx<'_>, rule: &Rule, severity: Severity, sections: &[String], min_words: usize) -> Vec<Diagnostic> {
    let proposal = ctx.proposal;
    let candidates: Vec<usize> =
        (0..proposal.sections.len()).filter(|&i| proposal.sections[i].ids.iter().any(|id| sections.contains(id))).collect();
    let words = ctx.real_words();
    let counted: Vec<(usize, usize)> = candidates.iter().map(|&i| (i, words[i])).collect();
    if counted.iter().any(|&(_, words)| words >= min_words) {
        return Vec::new();
    }
    let title = ctx.set.catalog.title(&sections[0]);
    // Real proposals put topics under headings of their own ("Running the service" for
    // security): a section that is substantially about the topic counts, with a note.
    if let Some(i) = covered_elsewhere(ctx, &sections[0], min_words) {
        let heading = &proposal.sections[i].heading;
        let mut d = ctx.diagnostic(
            rule,
            Severity::Info,
            format!("the {} topic is covered under '{heading}'; a '{title}' heading helps reviewers find it", title.to_lowercase()),
            proposal.sections[i].heading_span,
            format!("reads as the '{title}' section"),
        );
        d.advisory = true;
        return vec![d];
    }
    if let Some(&(i, words)) = counted.iter().max_by_key(|&&(_, w)| w) {
        let section = &proposal.sections[i];
        let label = if words == 0 {
            "this section has no real text (only placeholders, comments or nothing)".to_string()
        } else {
            format!("only {words} word{} of real text here; at least {min_words} expected", if words == 1 { "" } else { "s" })
        };
        let message = format!("{} (the '{}' section is a stub)", rule.message, section.heading);
        return vec![ctx.diagnostic(rule, severity, message, section.heading_span, label)];
    }
    let at = ctx.insertion_point(&sections[0]);
    let mut d = ctx.diagnostic(rule, severity, rule.message.clone(), at, format!("a '{title}' section belongs here"));
    d.fix = Some(Fix::InsertSection { at: at.start, section: sections[0].clone(), level: ctx.insertion_level(&sections[0]) });
    d.secondary.extend(ctx.title_label(format!("this proposal has no '{title}' section")));
    vec![d]
}

/// A section (any heading) whose own text uses at least three distinct topic keywords of
/// `id` and has enough real words.
fn covered_elsewhere(ctx: &Ctx<'_>, id: &str, min_words: usize) -> Option<usize> {
    let def = ctx.set.catalog.sections.iter().find(|s| s.id == id)?;
    let proposal = ctx.proposal;
    let distinct = |text: &str| def.keywords.iter().filter(|k| crate::sections::contains_keyword(text, k)).count();
    // Each section's own text and its subtree's, in one pass over the blocks: searching all
    // blocks for every section was quadratic (10,000 headings took seconds per rule).
    let n = proposal.sections.len();
    let (mut own, mut subtree) = (vec![String::new(); n], vec![String::new(); n]);
    let mut whole = String::new();
    let join = |into: &mut String, text: &str| {
        if !into.is_empty() {
            into.push(' ');
        }
        into.push_str(text);
    };
    for b in proposal.blocks.iter().filter(|b| b.kind.is_evidence()) {
        let lower = b.text.to_lowercase();
        join(&mut whole, &lower);
        if let Some(s) = b.section {
            join(&mut own[s], &lower);
        }
        let mut cur = b.section;
        while let Some(i) = cur {
            join(&mut subtree[i], &lower);
            cur = proposal.sections[i].parent;
        }
    }
    let words = ctx.real_words();
    let best = (0..n).find(|&i| distinct(&subtree[i]) >= 3 && words[i] >= min_words);
    // Spread across the proposal rather than in one place: still covered, if widely.
    best.or_else(|| {
        if distinct(&whole) < 4 {
            return None;
        }
        (0..n).max_by_key(|&i| distinct(&own[i]))
    })
}

/// A block that says nothing but "TBC", "N/A", "lorem ipsum" and the like.
pub(crate) fn is_placeholder_text(ctx: &Ctx<'_>, text: &str) -> bool {
    let re = &ctx.set.vocab.cues.placeholders;
    if !re.is_match(text) {
        return false;
    }
    if text.to_lowercase().contains("lorem ipsum") {
        return true;
    }
    let remaining = re.replace_all(text, " ");
    remaining.split_whitespace().filter(|w| w.chars().any(char::is_alphanumeric)).count() <= 3
}
