//! `require-evidence`: a pattern found, at the required evidence strength, in a sentence
//! that neither negates, hedges nor defers it.

use crate::diag::{Diagnostic, Severity};
use crate::engine::{Ctx, Hit};
use crate::rules::{Matcher, Record, Rule};

pub(super) struct Evidence<'a> {
    pub matcher: &'a Matcher,
    pub with: Option<&'a Matcher>,
    pub sections: &'a [String],
    /// Metadata records that count as evidence, such as `assessments.dpia`.
    pub fields: &'a [Record],
}

pub(super) fn run(ctx: &Ctx<'_>, rule: &Rule, severity: Severity, ev: &Evidence<'_>, min_level: u8) -> Vec<Diagnostic> {
    let sections = ev.sections;
    let mut hits = ctx.hits(ev.matcher, ev.with, sections);
    let refused = ctx.refuses_not_needed(rule);
    if refused.is_some() {
        // Whatever the reason given, "not needed" is no answer here.
        for h in hits.iter_mut().filter(|h| h.grade.justified_not_needed) {
            h.grade.level = 0;
            h.grade.negated = true;
        }
    }
    let counts =
        |r: &&Record| record_level(ctx, r).is_some_and(|l| l >= min_level) && !(refused.is_some() && record_declares_not_needed(ctx, r));
    if let Some(record) = ev.fields.iter().find(counts) {
        let key = &record.key;
        // The metadata records it as done; the text only negates or defers it.
        let contradicted = !hits.is_empty() && hits.iter().all(|h| h.grade.level == 0 && !h.grade.justified_not_needed);
        if let (true, Some(h), Some(field)) = (contradicted, hits.first(), ctx.proposal.field(key)) {
            let message = format!("{} (the metadata records it as done, but the text says it is not, or not yet)", rule.message);
            let mut d = ctx.diagnostic(rule, severity, message, h.span, "the text says otherwise here");
            d.secondary.push(ctx.label(field.span, format!("`{key}` says it is done")));
            return vec![d];
        }
        return Vec::new();
    }
    let best =
        |inside: bool| hits.iter().filter(|h| h.in_sections == inside).max_by_key(|h| (h.grade.level, std::cmp::Reverse(h.span.start)));
    let best_in = best(true);
    if best_in.is_some_and(|h| h.grade.level >= min_level) {
        return Vec::new();
    }
    if let Some(out) = best(false).filter(|h| h.grade.level >= min_level) {
        // Evidence counts wherever it is; the author learns where a board would look.
        return vec![outside_note(ctx, rule, out, sections)];
    }
    let best_any = hits.iter().max_by_key(|h| (h.grade.level, h.in_sections, std::cmp::Reverse(h.span.start)));
    let (primary, label) = match best_any {
        Some(h) => (h.span, describe_hit(h, min_level)),
        None => match ctx.section_with(sections) {
            Some(i) => (ctx.proposal.sections[i].heading_span, "nothing found under this heading".to_string()),
            None if !sections.is_empty() => {
                let at = ctx.insertion_point(&sections[0]);
                (at, format!("evidence belongs in a '{}' section here", ctx.set.catalog.title(&sections[0])))
            }
            None => match &ctx.proposal.title {
                Some(t) => (t.span, "nothing found in this proposal".to_string()),
                None => (crate::span::Span::point(ctx.proposal.end), "nothing found in this proposal".to_string()),
            },
        },
    };
    let declared = best_any.is_some_and(|h| h.grade.justified_not_needed)
        || (best_any.is_none() && ev.fields.iter().any(|r| record_declares_not_needed(ctx, r)));
    let refusal = refused.filter(|_| declared);
    let (message, label) = match (best_any, refusal) {
        (_, Some(t)) => {
            let why = format!("declared not needed, but {}", ctx.set.vocab.triggers[t].label);
            let note = rule.not_needed_refused.as_ref().map_or("", |n| n.note.as_str());
            (format!("{} ({why}: {note})", rule.message), if best_any.is_some() { why } else { label })
        }
        (Some(h), None) => (format!("{} ({})", rule.message, found_note(h, min_level)), label),
        (None, None) => (rule.message.clone(), label),
    };
    let mut d = ctx.diagnostic(rule, severity, message, primary, label);
    if let Some(t) = refusal {
        d.secondary.extend(ctx.trigger_label(t));
    }
    if best_any.is_none() && ctx.section_with(sections).is_none() && !sections.is_empty() {
        d.secondary.extend(ctx.title_label("no evidence of this anywhere in the proposal"));
    }
    vec![d]
}

/// A record's `status`, lower case with spaces and hyphens as `_` ("signed_off").
fn record_status(ctx: &Ctx<'_>, record: &Record) -> Option<String> {
    let status = ctx.proposal.field(&format!("{}.status", record.key))?.value.as_text()?;
    Some(status.trim().to_lowercase().replace([' ', '-'], "_"))
}

fn record_declares_not_needed(ctx: &Ctx<'_>, record: &Record) -> bool {
    record_status(ctx, record).is_some_and(|s| matches!(s.as_str(), "not_required" | "not_applicable"))
}

/// The evidence level of a metadata record such as `assessments.dpia = { status, ref, date }`.
fn record_level(ctx: &Ctx<'_>, record: &Record) -> Option<u8> {
    let key = record.key.as_str();
    let field = ctx.proposal.field(key)?;
    if !record.with.is_empty() {
        // Items of an array of tables share their keys (`measures.baseline`), so this asks
        // that some item has each key, not that one item has all: near enough for forms.
        let filled = |k: &String| {
            let child = format!("{key}.{k}");
            ctx.proposal.fields.iter().any(|f| f.key == child && !f.value.is_empty() && !is_placeholder_value(&f.value))
        };
        return Some(if record.with.iter().all(filled) { 3 } else { 0 });
    }
    let text = |k: &str| ctx.proposal.field(&format!("{key}.{k}")).and_then(|f| f.value.as_text()).map(|t| t.trim().to_lowercase());
    let Some(status) = record_status(ctx, record) else {
        // A bare value: `true`, or a reference string such as "Appendix D".
        let said = field.value.as_text().map(|t| t.trim().to_lowercase()).unwrap_or_default();
        return match field.value.as_bool() {
            Some(false) => Some(0),
            _ if field.value.is_empty() || matches!(said.as_str(), "none" | "unknown" | "no" | "tbc" | "tbd" | "n/a") => Some(0),
            _ => Some(1),
        };
    };
    let has_ref = text("ref").or_else(|| text("reference")).or_else(|| text("url")).is_some_and(|r| !r.is_empty());
    let has_date = text("date").is_some();
    let level = match status.as_str() {
        "complete" | "completed" | "approved" | "published" | "signed_off" | "done" | "passed" | "certified" | "in_place" => {
            if has_ref {
                3
            } else {
                2
            }
        }
        "in_progress" | "screening" | "drafted" | "draft" | "underway" => 2,
        "planned" | "scheduled" | "booked" => {
            if has_date {
                2
            } else {
                1
            }
        }
        // A justified "not required" is a decision the board can accept.
        "not_required" | "not_applicable"
            if text("reason").or_else(|| text("justification")).is_some_and(|r| r.split_whitespace().count() >= 4) =>
        {
            3
        }
        _ => 0,
    };
    Some(level)
}

fn level_name(level: u8) -> &'static str {
    match level {
        0 => "no usable evidence (L0)",
        1 => "a mention (L1)",
        2 => "a status, date or owner (L2)",
        _ => "a status with a reference (L3)",
    }
}

fn found_note(h: &Hit, min_level: u8) -> String {
    if h.grade.negated {
        "found only a negated or unjustified not-needed statement".to_string()
    } else if h.grade.hedged {
        "found only a hedged, conditional or deferred mention".to_string()
    } else {
        format!("found {}; this stage needs {}", level_name(h.grade.level), level_name(min_level))
    }
}

fn describe_hit(h: &Hit, min_level: u8) -> String {
    if h.grade.negated {
        "negated or declared not needed without a reason".to_string()
    } else if h.grade.hedged {
        "hedged, conditional or deferred: a promise, not evidence".to_string()
    } else if min_level >= 3 && h.grade.level == 2 {
        "has a status but no reference (ID, appendix or link)".to_string()
    } else {
        "mentioned, but with no status, date, owner or reference".to_string()
    }
}

fn outside_note(ctx: &Ctx<'_>, rule: &Rule, hit: &Hit, sections: &[String]) -> Diagnostic {
    let where_found = ctx.proposal.blocks[hit.block]
        .section
        .map_or_else(|| "the preamble".to_string(), |s| format!("'{}'", ctx.proposal.sections[s].heading));
    let expected = ctx.set.catalog.title(&sections[0]);
    let message = format!("evidence for {} is under {where_found}; boards look for it under '{expected}'", rule.id);
    let mut d = ctx.diagnostic(rule, Severity::Info, message, hit.span, "found here");
    d.advisory = true;
    d.help = Some(format!("move this into a '{expected}' section, or add a short cross-reference there"));
    d
}

fn is_placeholder_value(value: &crate::model::Value) -> bool {
    value.as_text().is_some_and(|t| matches!(t.trim().to_lowercase().as_str(), "tbc" | "tbd" | "unknown" | "none" | "n/a" | "-"))
}
