//! Rule selection by id (`ETH-002`), prefix (`ETH`), principle (`ethical`), enabler
//! (`value`), pack (`governance`), name (`dpia-not-evidenced`) or `ALL`, as ruff does.

use super::{Rule, RuleSet};

/// Whether `selector` names `rule`.
pub fn matches(rule: &Rule, selector: &str) -> bool {
    let s = selector.trim();
    if s.eq_ignore_ascii_case("all") {
        return true;
    }
    if rule.id.eq_ignore_ascii_case(s) || rule.name == s {
        return true;
    }
    // A prefix: `ETH`, `ETH-`, `ETH-00`.
    let upper = s.to_ascii_uppercase();
    if !upper.is_empty() && upper.chars().all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '-') && rule.id.starts_with(&upper) {
        let rest = &rule.id[upper.len()..];
        if upper.ends_with('-') || rest.starts_with('-') || upper.contains('-') {
            return true;
        }
    }
    let lower = s.to_ascii_lowercase();
    rule.principle.as_deref() == Some(lower.as_str())
        || rule.enabler.as_deref() == Some(lower.as_str())
        || (lower == "governance" && rule.principle.is_none())
}

/// Whether any rule in the set answers to `selector` (an unknown selector is an error).
pub fn is_known(set: &RuleSet, selector: &str) -> bool {
    set.rules.iter().any(|r| matches(r, selector))
}

/// Indices of the rules chosen by `select` (all when `None`), plus `extend`, minus `ignore`.
pub fn resolve<'a>(set: &RuleSet, select: Option<&[&'a str]>, extend: &[&'a str], ignore: &[&'a str]) -> Vec<usize> {
    set.rules
        .iter()
        .enumerate()
        .filter(|(_, r)| {
            let chosen = select.is_none_or(|sel| sel.iter().any(|s| matches(r, s))) || extend.iter().any(|s| matches(r, s));
            chosen && !ignore.iter().any(|s| matches(r, s))
        })
        .map(|(i, _)| i)
        .collect()
}
