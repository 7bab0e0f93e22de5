//! The closed set of check kinds, one module each.

mod consistency;
mod forbid;
mod require_evidence;
mod require_field;
pub(super) mod require_section;

use super::Ctx;
use crate::diag::{Diagnostic, Severity};
use crate::rules::{Check, Rule};

pub(super) fn run(ctx: &Ctx<'_>, rule: &Rule, severity: Severity, min_level: u8) -> Vec<Diagnostic> {
    match &rule.check {
        Check::RequireSection { sections, min_words } => require_section::run(ctx, rule, severity, sections, *min_words),
        Check::RequireEvidence { matcher, with, sections, fields, .. } => {
            let evidence = require_evidence::Evidence { matcher, with: with.as_ref(), sections, fields };
            require_evidence::run(ctx, rule, severity, &evidence, min_level)
        }
        Check::Forbid { matcher, sections, suggest, replace, negated_too } => {
            forbid::run(ctx, rule, severity, matcher, sections, (suggest.as_deref(), replace.as_deref()), *negated_too)
        }
        Check::RequireField { fields, alternative } => require_field::run(ctx, rule, severity, fields, alternative.as_ref()),
        Check::Consistency { field, equals, matcher, negated, label } => {
            consistency::run(ctx, rule, severity, field, equals, matcher, *negated, label)
        }
    }
}
