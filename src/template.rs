//! `proplint init`: a proposal template derived from the rule packs. The sections are the
//! ones the rules at the chosen stage and nation look in (require-section and
//! require-evidence `sections`), titled and ordered by sections.toml; the metadata is the
//! required fields of the require-field rules. Guidance goes in comments, which are never
//! evidence, and every value is a placeholder, so a fresh template reports placeholders
//! and missing evidence, nothing else.

use crate::rules::{Check, Rule, RuleSet};
use std::collections::BTreeMap;
use std::fmt::Write;

/// What every body and value says until the author writes it.
pub const PLACEHOLDER: &str = "TBC";

/// How many rules' help a section's guidance comment quotes.
const GUIDANCE_RULES: usize = 3;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Form {
    Markdown,
    Toml,
}

/// Whether a rule applies at this stage and nation (trigger conditions are left to the
/// author: the template cannot know whether the project handles personal data).
fn applies(rule: &Rule, stage: &str, nation: &str) -> bool {
    rule.at_stage(Some(stage)).is_some()
        && (rule.when.stages.is_empty() || rule.when.stages.iter().any(|s| s == stage))
        && (rule.when.nations.is_empty() || rule.when.nations.iter().any(|n| n == nation))
}

/// The canonical sections the rules expect, in catalogue order, each with the rules that
/// look there first.
pub fn sections<'a>(set: &'a RuleSet, stage: &str, nation: &str) -> Vec<(&'a str, &'a str, Vec<&'a Rule>)> {
    let mut wanted: BTreeMap<&str, Vec<&Rule>> = BTreeMap::new();
    for r in set.rules.iter().filter(|r| applies(r, stage, nation)) {
        if let Check::RequireSection { sections, .. } | Check::RequireEvidence { sections, .. } = &r.check {
            if let Some(first) = sections.first() {
                wanted.entry(first.as_str()).or_default().push(r);
            }
        }
    }
    set.catalog.sections.iter().filter_map(|s| wanted.remove(s.id.as_str()).map(|rules| (s.id.as_str(), s.title.as_str(), rules))).collect()
}

/// Required metadata of the rules that apply, as (dotted key, rule ids), plus stage and nation.
fn fields<'a>(set: &'a RuleSet, stage: &str, nation: &str) -> Vec<(String, Vec<&'a str>)> {
    let mut out: Vec<(String, Vec<&str>)> = Vec::new();
    for r in set.rules.iter().filter(|r| applies(r, stage, nation) && r.when.is_empty()) {
        if let Check::RequireField { fields, .. } = &r.check {
            for f in fields.iter().filter(|f| f.required) {
                match out.iter_mut().find(|(k, _)| *k == f.key) {
                    Some((_, ids)) => ids.push(&r.id),
                    None => out.push((f.key.clone(), vec![&r.id])),
                }
            }
        }
    }
    out
}

/// The first sentence of a rule's help, made safe for an HTML or TOML comment.
pub(crate) fn guidance(rule: &Rule) -> String {
    let help = rule.help.replace("--", "–").replace('\n', " ");
    // A sentence ends at ". " before a capital, except after "e.g." and "i.e.".
    let bytes = help.as_bytes();
    let end = (0..help.len().saturating_sub(2))
        .find(|&i| {
            bytes[i] == b'.'
                && bytes[i + 1] == b' '
                && bytes[i + 2].is_ascii_uppercase()
                && !help[..i].ends_with("e.g")
                && !help[..i].ends_with("i.e")
        })
        .map_or(help.len(), |i| i + 1);
    format!("{} ({})", help[..end].trim(), rule.id)
}

/// Whether `"TBC"` is a valid value for the key: only for free-text fields; others are
/// left commented out, so they read as missing rather than invalid.
fn takes_text(set: &RuleSet, key: &str) -> bool {
    set.rules.iter().all(|r| match &r.check {
        Check::RequireField { fields, .. } => {
            fields.iter().filter(|f| f.key == key).all(|f| f.allowed.is_empty() && f.ty.as_deref().is_none_or(|t| t == "string"))
        }
        _ => true,
    })
}

/// The metadata as TOML tables: `[proposal]` first, then the other tables in rule order.
fn metadata(set: &RuleSet, stage: &str, nation: &str) -> String {
    let mut tables: Vec<(String, Vec<String>)> = vec![(
        "proposal".into(),
        vec![format!("title = \"{PLACEHOLDER}\""), format!("stage = \"{stage}\""), format!("nation = \"{nation}\"")],
    )];
    for (key, ids) in fields(set, stage, nation) {
        let Some((table, rest)) = key.split_once('.') else { continue };
        if table == "proposal" && ["title", "stage", "nation"].contains(&rest) {
            continue;
        }
        let line = if takes_text(set, &key) {
            format!("{rest} = \"{PLACEHOLDER}\"   # {}", ids.join(", "))
        } else {
            format!("# {rest} =   # {}: see `proplint explain {}`", ids.join(", "), ids[0])
        };
        match tables.iter_mut().find(|(t, _)| t == table) {
            Some((_, lines)) => lines.push(line),
            None => tables.push((table.to_string(), vec![line])),
        }
    }
    let mut s = String::new();
    for (i, (table, lines)) in tables.iter().enumerate() {
        if i > 0 {
            s.push('\n');
        }
        let _ = writeln!(s, "[{table}]");
        for l in lines {
            let _ = writeln!(s, "{l}");
        }
    }
    s
}

/// The template text.
pub fn render(set: &RuleSet, form: Form, stage: &str, nation: &str) -> String {
    let sections = sections(set, stage, nation);
    let mut s = String::new();
    match form {
        Form::Markdown => {
            let _ = write!(s, "+++\n{}+++\n\n", metadata(set, stage, nation));
            let _ = writeln!(s, "# {PLACEHOLDER}\n");
            let _ = writeln!(
                s,
                "<!-- Proposal template for the {stage} stage, from `proplint init`. Replace every {PLACEHOLDER}; comments like this one are\n\
                 guidance and never count as evidence. `proplint explain ID` says more about each rule. -->\n"
            );
            for (_, title, rules) in &sections {
                let _ = writeln!(s, "## {title}\n");
                let notes: Vec<String> = rules.iter().take(GUIDANCE_RULES).map(|r| guidance(r)).collect();
                let _ = writeln!(s, "<!-- {} -->\n", notes.join("\n     "));
                let _ = writeln!(s, "{PLACEHOLDER}\n");
            }
        }
        Form::Toml => {
            let _ = writeln!(
                s,
                "# Proposal form for the {stage} stage, from `proplint init`. Replace every {PLACEHOLDER}; comments are guidance and\n\
                 # never count as evidence. `proplint explain ID` says more about each rule.\n"
            );
            s.push_str(&metadata(set, stage, nation));
            for (id, title, rules) in &sections {
                let _ = writeln!(s, "\n[sections.{id}]");
                for r in rules.iter().take(GUIDANCE_RULES) {
                    let _ = writeln!(s, "# {}", guidance(r));
                }
                let _ = writeln!(s, "title = \"{title}\"\nbody = '''\n{PLACEHOLDER}\n'''");
            }
        }
    }
    s
}
