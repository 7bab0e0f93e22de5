//! `forbid`: every asserted match of a pattern is a finding.

use crate::diag::{Diagnostic, Fix, Severity};
use crate::engine::Ctx;
use crate::model::BlockKind;
use crate::rules::{Matcher, Rule};

pub(super) fn run(
    ctx: &Ctx<'_>,
    rule: &Rule,
    severity: Severity,
    matcher: &Matcher,
    sections: &[String],
    (suggest, replace): (Option<&str>, Option<&str>),
    negated_too: bool,
) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for (bi, block) in ctx.proposal.blocks.iter().enumerate() {
        // Quotations are not the author's wording; code and comments are not text at all.
        if !block.kind.is_evidence() || block.kind == BlockKind::Quote {
            continue;
        }
        if !sections.is_empty() && !ctx.proposal.block_section_ids(block).iter().any(|id| sections.iter().any(|s| s == id)) {
            continue;
        }
        for m in ctx.analysis.find_iter(matcher, bi, &block.text) {
            if m.as_str().trim().is_empty() {
                continue;
            }
            if !negated_too && ctx.analysis.is_negated(&block.text, bi, m.range()) {
                continue;
            }
            let span = block.source_span(m.range());
            let mut d = ctx.diagnostic(rule, severity, format!("{}: '{}'", rule.message, m.as_str().trim()), span, "found here");
            if let Some(s) = suggest {
                d.help = Some(format!("{} Suggested wording: {s}", rule.help));
            }
            if let Some(text) = replace {
                let trimmed = trim_range(m.as_str(), m.range());
                let expect = block.text[trimmed.clone()].to_string();
                d.fix = Some(Fix::Replace { span: block.source_span(trimmed), expect, text: text.to_string() });
            }
            d.section = block.section.and_then(|s| ctx.proposal.sections[s].ids.first().cloned()).or(d.section);
            out.push(d);
        }
    }
    out
}

/// The part of a match without its leading and trailing whitespace.
fn trim_range(matched: &str, range: std::ops::Range<usize>) -> std::ops::Range<usize> {
    let start = range.start + (matched.len() - matched.trim_start().len());
    let end = range.end - (matched.len() - matched.trim_end().len());
    start..end.max(start)
}
