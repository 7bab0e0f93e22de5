//! `require-field`: metadata present, of the right type, with an allowed value.

use crate::diag::{Diagnostic, Severity};
use crate::engine::Ctx;
use crate::model::Value;
use crate::rules::language::{loosely_equal, normalise_enum};
use crate::rules::{FieldSpec, Matcher, Rule};
use crate::span::Span;

pub(super) fn run(ctx: &Ctx<'_>, rule: &Rule, severity: Severity, fields: &[FieldSpec], alternative: Option<&Matcher>) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for spec in fields {
        match ctx.proposal.field(&spec.key) {
            None => {
                if !spec.required || alternative.is_some_and(|m| ctx.first_asserted(m).is_some()) {
                    continue;
                }
                let at = ctx.proposal.metadata_span.unwrap_or_else(|| ctx.proposal.title.as_ref().map_or(Span::point(0), |t| t.span));
                let message = format!("{} (`{}` is missing)", rule.message, spec.key);
                out.push(ctx.diagnostic(rule, severity, message, at, format!("add `{}` to the metadata", spec.key)));
            }
            Some(field) => {
                // "Decision sought from: TBC" names nobody: a placeholder is a missing value.
                let placeholder = field.value.as_text().filter(|t| spec.required && is_placeholder_value(ctx, t));
                if let Some(text) = placeholder.filter(|_| alternative.is_none_or(|m| ctx.first_asserted(m).is_none())) {
                    let message = format!("{} (`{}` is a placeholder: `{}`)", rule.message, spec.key, text.trim());
                    out.push(ctx.diagnostic(rule, severity, message, field.span, "replace the placeholder with the real value"));
                    continue;
                }
                if let Some(ty) = &spec.ty {
                    if !type_matches(&field.value, ty) {
                        let message = format!("{} (`{}` should be {ty}, not {})", rule.message, spec.key, field.value.type_name());
                        out.push(ctx.diagnostic(rule, severity, message, field.span, format!("expected {ty}")));
                        continue;
                    }
                }
                if !spec.allowed.is_empty() && !allowed(&field.value, &spec.allowed) {
                    let names: Vec<String> = spec.allowed.iter().filter_map(Value::as_text).collect();
                    let shown = field.value.as_text().unwrap_or_else(|| field.value.type_name().to_string());
                    let message = format!("{} (`{}` is `{shown}`)", rule.message, spec.key);
                    out.push(ctx.diagnostic(rule, severity, message, field.span, format!("expected one of: {}", names.join(", "))));
                }
            }
        }
    }
    out
}

fn type_matches(value: &Value, ty: &str) -> bool {
    match ty {
        "string" => matches!(value, Value::Str(_)),
        "bool" => value.as_bool().is_some(),
        "integer" => matches!(value, Value::Int(_)) || matches!(value, Value::Str(s) if s.trim().replace(',', "").parse::<i64>().is_ok()),
        "number" => value.as_number().is_some(),
        "date" => matches!(value, Value::Date(_) | Value::Str(_)),
        "array" => matches!(value, Value::Array(_)),
        "table" => matches!(value, Value::Table),
        _ => true,
    }
}

fn allowed(value: &Value, allowed: &[Value]) -> bool {
    match value {
        Value::Array(items) => items.iter().all(|v| allowed.iter().any(|a| loosely_equal(v, a))),
        Value::Str(s) => {
            let n = normalise_enum(s);
            allowed.iter().any(|a| loosely_equal(value, a) || a.as_text().is_some_and(|t| normalise_enum(&t) == n))
        }
        _ => allowed.iter().any(|a| loosely_equal(value, a)),
    }
}

/// A value that is nothing but placeholders ("TBC", "[insert name]").
fn is_placeholder_value(ctx: &Ctx<'_>, text: &str) -> bool {
    let cues = &ctx.set.vocab.cues.placeholders;
    cues.is_match(text) && cues.replace_all(text, " ").split_whitespace().all(|w| !w.chars().any(char::is_alphanumeric))
}
