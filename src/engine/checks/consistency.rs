//! `consistency`: the metadata claims one thing and the text says another.

use crate::diag::{Diagnostic, Severity};
use crate::engine::Ctx;
use crate::model::Value;
use crate::rules::language::loosely_equal;
use crate::rules::{Matcher, Rule};

#[allow(clippy::too_many_arguments)]
pub(super) fn run(
    ctx: &Ctx<'_>,
    rule: &Rule,
    severity: Severity,
    field: &str,
    equals: &Value,
    matcher: &Matcher,
    negated: bool,
    label: &str,
) -> Vec<Diagnostic> {
    let Some(f) = ctx.proposal.field(field) else { return Vec::new() };
    if !loosely_equal(&f.value, equals) {
        return Vec::new();
    }
    let found = if negated { ctx.first_negated(matcher) } else { ctx.first_asserted(matcher) };
    let Some(span) = found else { return Vec::new() };
    let shown = f.value.as_text().unwrap_or_default();
    let mut d = ctx.diagnostic(rule, severity, rule.message.clone(), span, label.to_string());
    d.secondary.push(ctx.label(f.span, format!("but the metadata says `{field} = {shown}`")));
    vec![d]
}
