//! Inline suppressions: `<!-- proplint-disable ID -- reason -->` in Markdown and
//! `# proplint-disable ID -- reason` in TOML. A directive without a reason, and one that
//! silences nothing, are findings themselves (as eslint reports unused disables).

use crate::diag::{Diagnostic, ToolCode};
use crate::model::{BlockKind, Format, Proposal};
use crate::rules::{select, RuleSet};
use crate::source::SourceFile;
use crate::span::Span;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Scope {
    /// From the directive to the end of its section (Markdown) or the key/table after it (TOML).
    Range(Span),
    File,
}

#[derive(Debug, Clone)]
struct Directive {
    span: Span,
    selectors: Vec<String>,
    reason: Option<String>,
    scope: Scope,
    used: bool,
}

/// Removes suppressed diagnostics and adds findings about the directives themselves.
pub fn apply(source: &SourceFile, proposal: &Proposal, set: &RuleSet, require_reason: bool, diags: &mut Vec<Diagnostic>) {
    let mut directives = match proposal.format {
        Format::Markdown => markdown_directives(source, proposal),
        Format::Toml => toml_directives(source),
    };
    if directives.is_empty() {
        return;
    }
    diags.retain(|d| {
        if d.is_tool() && d.rule != ToolCode::SectionInferred.id() {
            return true;
        }
        let Some(rule) = set.rule(&d.rule) else {
            return true;
        };
        let at = d.primary.span.start;
        let mut suppressed = false;
        for dir in &mut directives {
            let covers = match dir.scope {
                Scope::File => true,
                Scope::Range(r) => r.start <= at && at <= r.end,
            };
            if covers && dir.selectors.iter().any(|s| select::matches(rule, s)) {
                dir.used = true;
                suppressed = true;
            }
        }
        !suppressed
    });
    for dir in directives {
        if require_reason && dir.reason.is_none() {
            diags.push(
                Diagnostic::tool(ToolCode::SuppressionWithoutReason, 0, dir.span, "suppression gives no reason")
                    .with_label("add `-- reason` after the rule ids")
                    .with_help("say why the finding does not apply, e.g. `<!-- proplint-disable ETH-002 -- no personal data: counts are aggregated -->`"),
            );
        }
        if !dir.used {
            let unknown: Vec<&String> = dir.selectors.iter().filter(|s| !select::is_known(set, s)).collect();
            let message = if unknown.is_empty() {
                format!("suppression of {} silences nothing", dir.selectors.join(", "))
            } else {
                format!("suppression names unknown rules: {}", unknown.iter().map(|s| s.as_str()).collect::<Vec<_>>().join(", "))
            };
            diags.push(
                Diagnostic::tool(ToolCode::UnusedSuppression, 0, dir.span, message)
                    .with_label("remove this directive")
                    .with_help("delete the directive, or correct the rule id"),
            );
        }
    }
}

/// Parses `proplint-disable[-next-line|-file] ID[, ID] [-- reason]`; `None` when `text` is not a directive.
fn parse(text: &str) -> Option<(&str, Vec<String>, Option<String>)> {
    let body = text.trim().strip_prefix("proplint-disable")?;
    let (kind, rest) = if let Some(r) = body.strip_prefix("-next-line") {
        ("next-line", r)
    } else if let Some(r) = body.strip_prefix("-file") {
        ("file", r)
    } else {
        ("section", body)
    };
    if !rest.is_empty() && !rest.starts_with(char::is_whitespace) {
        return None;
    }
    let (ids, reason) = match rest.split_once("--") {
        Some((ids, reason)) => (ids, Some(reason.trim().to_string()).filter(|r| !r.is_empty())),
        None => (rest, None),
    };
    let selectors: Vec<String> = ids.split(|c: char| c == ',' || c.is_whitespace()).filter(|s| !s.is_empty()).map(str::to_string).collect();
    if selectors.is_empty() {
        return None;
    }
    Some((kind, selectors, reason))
}

fn markdown_directives(source: &SourceFile, proposal: &Proposal) -> Vec<Directive> {
    let mut out = Vec::new();
    for block in proposal.blocks.iter().filter(|b| b.kind == BlockKind::Comment) {
        let inner = block.text.trim().trim_start_matches("<!--").trim_end_matches("-->");
        let Some((kind, selectors, reason)) = parse(inner) else { continue };
        let span = block.span();
        let scope = match kind {
            "file" => Scope::File,
            "next-line" => {
                let line = source.lines.line_of(span.end.saturating_sub(1)) + 1;
                let next =
                    (line..source.lines.line_count()).find(|&l| !source.text[source.lines.line_range(&source.text, l)].trim().is_empty());
                match next {
                    Some(l) => {
                        let r = source.lines.line_range(&source.text, l);
                        Scope::Range(Span::new(r.start, r.end))
                    }
                    None => Scope::Range(Span::point(span.end)),
                }
            }
            _ => {
                let end = block.section.map_or(source.text.len(), |s| proposal.sections[s].end.max(span.end));
                Scope::Range(Span::new(span.end, end.max(span.end)))
            }
        };
        out.push(Directive { span, selectors, reason, scope, used: false });
    }
    out
}

/// TOML comments are invisible to the parser, so they are read from the lines, skipping
/// lines inside multi-line strings (where `#` is Markdown, not a comment).
fn toml_directives(source: &SourceFile) -> Vec<Directive> {
    let text = &source.text;
    let lines: Vec<(usize, &str)> = {
        let mut v = Vec::new();
        let mut offset = 0;
        for l in text.split_inclusive('\n') {
            v.push((offset, l));
            offset += l.len();
        }
        v
    };
    let mut in_string: Option<&str> = None;
    let mut kinds = Vec::with_capacity(lines.len());
    for (_, line) in &lines {
        let starts_inside = in_string.is_some();
        for delim in ["'''", "\"\"\""] {
            let count = line.matches(delim).count();
            if in_string == Some(delim) {
                if count % 2 == 1 {
                    in_string = None;
                }
            } else if in_string.is_none() && count % 2 == 1 {
                in_string = Some(delim);
            }
        }
        kinds.push(starts_inside);
    }
    let is_item_start = |i: usize| -> bool {
        let l = lines[i].1.trim_start();
        !kinds[i] && (l.starts_with('[') || is_key_line(l))
    };
    let mut out = Vec::new();
    for (i, (offset, line)) in lines.iter().enumerate() {
        if kinds[i] {
            continue;
        }
        let trimmed = line.trim_start();
        let Some(comment) = trimmed.strip_prefix('#') else { continue };
        let Some((kind, selectors, reason)) = parse(comment) else { continue };
        let lead = line.len() - trimmed.len();
        let span = Span::new(offset + lead, offset + line.trim_end().len());
        let scope = if kind == "file" {
            Scope::File
        } else {
            let target = (i + 1..lines.len()).find(|&j| {
                let l = lines[j].1.trim();
                !kinds[j] && !l.is_empty() && !l.starts_with('#')
            });
            match target {
                Some(j) => {
                    let is_table = lines[j].1.trim_start().starts_with('[');
                    let end = (j + 1..lines.len())
                        .find(|&k| if is_table { !kinds[k] && lines[k].1.trim_start().starts_with('[') } else { is_item_start(k) })
                        .map_or(text.len(), |k| lines[k].0);
                    Scope::Range(Span::new(lines[j].0, end))
                }
                None => Scope::Range(Span::point(text.len())),
            }
        };
        out.push(Directive { span, selectors, reason, scope, used: false });
    }
    out
}

/// `key = value`, `a.b = value` or `"quoted key" = value`.
fn is_key_line(line: &str) -> bool {
    let Some((key, _)) = line.split_once('=') else { return false };
    let key = key.trim();
    !key.is_empty()
        && (key.starts_with('"') || key.starts_with('\'') || key.chars().all(|c| c.is_alphanumeric() || matches!(c, '_' | '-' | '.')))
}

#[cfg(test)]
mod tests {
    use super::parse;

    #[test]
    fn parses_directive_forms() {
        assert_eq!(
            parse(" proplint-disable ETH-002, INC-001 -- aggregated counts only "),
            Some(("section", vec!["ETH-002".into(), "INC-001".into()], Some("aggregated counts only".into())))
        );
        assert_eq!(parse("proplint-disable-next-line GOV-003"), Some(("next-line", vec!["GOV-003".into()], None)));
        assert_eq!(parse("proplint-disable-file SUS -- reason").map(|p| p.0), Some("file"));
        assert_eq!(parse("proplint-disabled X"), None);
        assert_eq!(parse("a normal comment"), None);
    }
}
