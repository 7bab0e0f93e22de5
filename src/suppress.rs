//! Inline suppressions: `<!-- proplint-disable ID -- reason -->` in Markdown and
//! `# proplint-disable ID -- reason` in TOML. A directive without a reason, and one that
//! silences nothing, are findings themselves (as eslint reports unused disables).

use crate::diag::{Diagnostic, ToolCode};
use crate::model::{BlockKind, Format, Proposal};
use crate::rules::{select, Rule, RuleSet};
use crate::source::SourceFile;
use crate::span::Span;
use std::collections::BTreeMap;

/// Findings as (offset, index into the diagnostics).
type Offsets = Vec<(usize, usize)>;

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
    suppress_covered(set, &mut directives, diags);
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

/// Removes the diagnostics a directive covers and selects, and marks each directive that
/// covers and selects one as used. Works rule by rule on sorted offsets, so thousands of
/// directives over thousands of findings cost no more than sorting them (every directive
/// tried on every finding was quadratic: 8.6 s for 50,000 of each).
fn suppress_covered(set: &RuleSet, directives: &mut [Directive], diags: &mut Vec<Diagnostic>) {
    // Each rule's findings (those directives can silence) by offset: (offset, index).
    let mut by_rule: BTreeMap<&str, (&Rule, Offsets)> = BTreeMap::new();
    for (i, d) in diags.iter().enumerate() {
        if d.is_tool() && d.rule != ToolCode::SectionInferred.id() {
            continue;
        }
        if let Some(rule) = set.rule(&d.rule) {
            by_rule.entry(rule.id.as_str()).or_insert_with(|| (rule, Vec::new())).1.push((d.primary.span.start, i));
        }
    }
    let mut silenced = vec![false; diags.len()];
    for (rule, findings) in by_rule.values_mut() {
        findings.sort_unstable();
        // How many directives cover each finding, as differences along the sorted list.
        let mut covering = vec![0i64; findings.len() + 1];
        for dir in directives.iter_mut() {
            if !dir.selectors.iter().any(|s| select::matches(rule, s)) {
                continue;
            }
            let (from, to) = match dir.scope {
                Scope::File => (0, usize::MAX),
                Scope::Range(r) => (r.start, r.end),
            };
            let first = findings.partition_point(|&(at, _)| at < from);
            let past = findings.partition_point(|&(at, _)| at <= to);
            if first < past {
                dir.used = true;
                covering[first] += 1;
                covering[past] -= 1;
            }
        }
        let mut depth = 0;
        for (&(_, i), change) in findings.iter().zip(&covering) {
            depth += change;
            silenced[i] = depth > 0;
        }
    }
    let mut index = 0;
    diags.retain(|_| {
        index += 1;
        !silenced[index - 1]
    });
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
    use super::*;
    use proptest::prelude::*;

    /// Every directive tried on every finding: what `suppress_covered` must agree with.
    fn plainly(set: &RuleSet, directives: &mut [Directive], diags: &mut Vec<Diagnostic>) {
        diags.retain(|d| {
            if d.is_tool() && d.rule != ToolCode::SectionInferred.id() {
                return true;
            }
            let Some(rule) = set.rule(&d.rule) else {
                return true;
            };
            let at = d.primary.span.start;
            let mut suppressed = false;
            for dir in directives.iter_mut() {
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
    }

    fn rule_set() -> &'static RuleSet {
        static SET: std::sync::OnceLock<RuleSet> = std::sync::OnceLock::new();
        SET.get_or_init(|| crate::rules::load(&crate::rules::RuleSources::default(), &mut crate::source::SourceDb::default()).unwrap())
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(300))]

        /// Findings of a few rules (and tool findings) under nested, overlapping and
        /// file-wide directives selecting by id, prefix and principle.
        #[test]
        fn covered_findings_are_those_a_directive_covers_and_selects(
            findings in proptest::collection::vec((0usize..6, 0usize..60), 0..40),
            dirs in proptest::collection::vec((0usize..6, 0usize..60, 0usize..30, any::<bool>()), 0..12),
        ) {
            const RULES: [&str; 6] = ["GOV-002", "ETH-002", "ETH-001", "DEM-002", "PL005", "ETH"];
            let diags: Vec<Diagnostic> = findings
                .iter()
                .map(|&(r, at)| {
                    let mut d = Diagnostic::tool(ToolCode::SectionInferred, 0, Span::point(at), "m");
                    d.rule = if RULES[r] == "ETH" { ToolCode::SectionInferred.id().to_string() } else { RULES[r].to_string() };
                    d
                })
                .collect();
            let directives: Vec<Directive> = dirs
                .iter()
                .map(|&(r, start, len, whole_file)| Directive {
                    span: Span::point(start),
                    selectors: vec![if r == 4 { "ethical".to_string() } else { RULES[r].to_string() }],
                    reason: None,
                    scope: if whole_file { Scope::File } else { Scope::Range(Span::new(start, start + len)) },
                    used: false,
                })
                .collect();
            let (mut fast, mut fast_dirs) = (diags.clone(), directives.clone());
            suppress_covered(rule_set(), &mut fast_dirs, &mut fast);
            let (mut plain, mut plain_dirs) = (diags, directives);
            plainly(rule_set(), &mut plain_dirs, &mut plain);
            let kept = |v: &[Diagnostic]| v.iter().map(|d| (d.rule.clone(), d.primary.span.start)).collect::<Vec<_>>();
            prop_assert_eq!(kept(&fast), kept(&plain));
            prop_assert_eq!(fast_dirs.iter().map(|d| d.used).collect::<Vec<_>>(), plain_dirs.iter().map(|d| d.used).collect::<Vec<_>>());
        }
    }

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
