//! Governed waivers: a board's recorded decision to accept a gap. A waiver lives in the
//! proposal (`[[waivers]]` in a TOML form or TOML front matter) or in a register file
//! (`waivers.toml`, entries with `files` globs). A waived finding is shown as waived and
//! never fails the run; an expired waiver, one naming an unknown rule or missing its
//! reason or approver, and one that matches nothing are findings themselves.

use crate::diag::{Diagnostic, ToolCode, Waived};
use crate::rules::RuleSet;
use crate::source::{FileId, SourceDb, SourceFile};
use crate::span::Span;
use globset::{Glob, GlobSet, GlobSetBuilder};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use toml::de::{DeTable, DeValue};

#[derive(Debug, Clone)]
pub struct Waiver {
    pub rule: String,
    pub section: Option<String>,
    pub reason: String,
    pub approved_by: String,
    pub decision: Option<String>,
    pub expires: Option<String>,
    /// Where it is written: the span in the proposal (file 0) or in a register file.
    pub file: Option<FileId>,
    pub span: Span,
    pub source: String,
    pub files: Option<GlobSet>,
}

/// Today as `YYYY-MM-DD` (UTC), for expiry. `PROPLINT_TODAY` pins it for reproducible runs.
pub fn today() -> String {
    if let Ok(t) = std::env::var("PROPLINT_TODAY") {
        return t;
    }
    let days = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_secs() / 86_400) as i64;
    civil_from_days(days)
}

/// Days since 1970-01-01 to a proleptic Gregorian date (Howard Hinnant's algorithm).
pub(crate) fn civil_from_days(z: i64) -> String {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!("{y:04}-{m:02}-{d:02}")
}

fn text_of(t: &DeTable<'_>, key: &str) -> Option<String> {
    t.iter().find(|(k, _)| k.get_ref() == key).and_then(|(_, v)| match v.get_ref() {
        DeValue::String(s) => Some(s.to_string()),
        DeValue::Datetime(d) => Some(d.to_string()),
        _ => None,
    })
}

/// Waivers written in a TOML text (a form, front matter, or a register), with spans
/// shifted by `shift`. Problems with a waiver's fields are reported later, on use.
fn read_from_toml(text: &str, shift: usize, file: Option<FileId>, source: &str) -> Vec<Waiver> {
    let Ok(doc) = DeTable::parse(text) else { return Vec::new() };
    let mut out = Vec::new();
    let mut lists = Vec::new();
    for (k, v) in doc.get_ref() {
        match (k.get_ref().as_ref(), v.get_ref()) {
            ("waivers" | "waiver", DeValue::Array(a)) => lists.push(a),
            ("lint", DeValue::Table(t)) => {
                for (k2, v2) in t {
                    if let ("waivers", DeValue::Array(a)) = (k2.get_ref().as_ref(), v2.get_ref()) {
                        lists.push(a);
                    }
                }
            }
            _ => {}
        }
    }
    for list in lists {
        for item in list.iter() {
            let DeValue::Table(t) = item.get_ref() else { continue };
            let files = t.iter().find(|(k, _)| k.get_ref() == "files").and_then(|(_, v)| match v.get_ref() {
                DeValue::Array(a) => {
                    let mut b = GlobSetBuilder::new();
                    for g in a.iter().filter_map(|g| g.get_ref().as_str()) {
                        if let Ok(glob) = Glob::new(g) {
                            b.add(glob);
                        }
                    }
                    b.build().ok()
                }
                _ => None,
            });
            let span = Span::from(item.span()).shift(shift);
            out.push(Waiver {
                rule: text_of(t, "rule").unwrap_or_default(),
                section: text_of(t, "section"),
                reason: text_of(t, "reason").unwrap_or_default(),
                approved_by: text_of(t, "approved_by").or_else(|| text_of(t, "approved-by")).unwrap_or_default(),
                decision: text_of(t, "decision"),
                expires: text_of(t, "expires"),
                file,
                span,
                source: source.to_string(),
                files,
            });
        }
    }
    out
}

/// Waivers written inside a proposal: a TOML form, or TOML front matter.
pub fn in_proposal(source: &SourceFile, format: crate::model::Format) -> Vec<Waiver> {
    let bom = source.bom_len();
    let text = &source.text[bom..];
    match format {
        crate::model::Format::Toml => read_from_toml(text, bom, None, "proposal"),
        crate::model::Format::Markdown => {
            let Some(rest) = text.strip_prefix("+++") else { return Vec::new() };
            let Some(nl) = rest.find('\n') else { return Vec::new() };
            let inner_start = 3 + nl + 1;
            let Some(close) = text[inner_start..].find("\n+++").map(|i| inner_start + i + 1) else { return Vec::new() };
            read_from_toml(&text[inner_start..close], bom + inner_start, None, "proposal")
        }
    }
}

/// A repository register (`waivers.toml`): `[[waivers]]` entries with `files` globs.
pub fn load_register(path: &Path, db: &mut SourceDb) -> Result<(Vec<Waiver>, PathBuf), Box<Diagnostic>> {
    let display = crate::walk::display_path(path);
    let text = std::fs::read_to_string(path).map_err(|e| {
        Box::new(Diagnostic::tool(
            ToolCode::InvalidConfig,
            usize::MAX,
            Span::default(),
            format!("cannot read waiver register {display}: {e}"),
        ))
    })?;
    let id = db.add(SourceFile::new(display.clone(), text.clone()));
    if let Err(e) = DeTable::parse(&text) {
        let span = e.span().map_or(Span::point(0), Span::from);
        return Err(Box::new(Diagnostic::tool(
            ToolCode::InvalidConfig,
            id,
            span,
            format!("invalid waiver register: {}", e.message().trim()),
        )));
    }
    let dir = path.parent().map_or_else(|| PathBuf::from("."), Path::to_path_buf);
    Ok((read_from_toml(&text, 0, Some(id), &format!("register {display}")), dir))
}

/// A problem with the waiver itself (unknown rule, no reason or approver, expired), or
/// `None` when it can be applied.
pub fn validate(w: &Waiver, set: &RuleSet, today: &str) -> Option<Diagnostic> {
    let file = w.file.unwrap_or(0);
    let tool = |code: ToolCode, message: String| Diagnostic::tool(code, file, w.span, message);
    let Some(rule) = set.rule(&w.rule) else {
        return Some(
            tool(ToolCode::WaiverUnknownRule, format!("waiver names unknown rule `{}`", w.rule))
                .with_help("use a rule id from `proplint rules`"),
        );
    };
    if w.reason.split_whitespace().count() < 5 || w.approved_by.trim().is_empty() {
        return Some(
            tool(ToolCode::WaiverIncomplete, format!("waiver for {} needs a reason of at least a sentence and `approved_by`", rule.id))
                .with_help("record why the board accepted the gap, who approved it, and the decision reference"),
        );
    }
    match &w.expires {
        Some(expires) if expires.as_str() < today => Some(
            tool(ToolCode::WaiverExpired, format!("waiver for {} expired on {expires}", rule.id))
                .with_label("expired waiver")
                .with_help("take the gap back to the board, or remove the waiver once it is closed"),
        ),
        _ => None,
    }
}

/// Marks the findings each (valid) waiver accepts; returns whether each waiver was used.
pub fn apply(waivers: &[&Waiver], set: &RuleSet, diags: &mut [Diagnostic]) -> Vec<bool> {
    // The findings a waiver can accept, by rule and section. A waiver accepts the whole of
    // each group it names, so a group is handed out once and later waivers find it gone
    // (trying every waiver on every finding was quadratic).
    let mut groups: BTreeMap<(String, Option<String>), Vec<usize>> = BTreeMap::new();
    for (i, d) in diags.iter().enumerate().filter(|(_, d)| d.waived.is_none() && !d.advisory) {
        groups.entry((d.rule.clone(), d.section.clone())).or_default().push(i);
    }
    let mut used = vec![false; waivers.len()];
    for (i, w) in waivers.iter().enumerate() {
        let Some(rule) = set.rule(&w.rule) else { continue };
        let keys: Vec<(String, Option<String>)> = match &w.section {
            None => groups.range((rule.id.clone(), None)..).take_while(|(k, _)| k.0 == rule.id).map(|(k, _)| k.clone()).collect(),
            Some(s) => {
                let want = crate::sections::normalise_heading(s).replace(' ', "_");
                let also = (want != *s).then(|| (rule.id.clone(), Some(s.clone())));
                std::iter::once((rule.id.clone(), Some(want))).chain(also).collect()
            }
        };
        for key in keys {
            let Some(accepted) = groups.remove(&key) else { continue };
            used[i] = true;
            for d in accepted {
                diags[d].waived = Some(Waived {
                    reason: w.reason.clone(),
                    approved_by: w.approved_by.clone(),
                    decision: w.decision.clone(),
                    expires: w.expires.clone(),
                    source: w.source.clone(),
                });
            }
        }
    }
    used
}

/// The finding for a waiver that accepted nothing: the gap it covered is closed.
pub fn unused(w: &Waiver) -> Diagnostic {
    Diagnostic::tool(ToolCode::UnusedWaiver, w.file.unwrap_or(0), w.span, format!("waiver for {} matches no finding", w.rule))
        .with_help("remove the waiver: the gap it accepted is closed")
}

/// Register waivers that apply to `path`.
pub fn for_path<'a>(register: &'a [(Vec<Waiver>, PathBuf)], path: &Path) -> Vec<&'a Waiver> {
    let mut out = Vec::new();
    for (waivers, dir) in register {
        let rel = path.strip_prefix(dir).unwrap_or(path);
        out.extend(waivers.iter().filter(|w| w.files.as_ref().is_some_and(|g| g.is_match(rel) || g.is_match(path))));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Every waiver tried on every finding: what `apply` must agree with.
    fn plainly(waivers: &[&Waiver], set: &RuleSet, diags: &mut [Diagnostic]) -> Vec<bool> {
        let mut used = vec![false; waivers.len()];
        for (i, w) in waivers.iter().enumerate() {
            let Some(rule) = set.rule(&w.rule) else { continue };
            for d in diags.iter_mut().filter(|d| d.rule == rule.id && d.waived.is_none() && !d.advisory) {
                let in_section = w.section.as_ref().is_none_or(|s| {
                    let want = crate::sections::normalise_heading(s).replace(' ', "_");
                    d.section.as_deref().is_some_and(|have| have == want || have == s)
                });
                if in_section {
                    used[i] = true;
                    d.waived = Some(Waived {
                        reason: w.reason.clone(),
                        approved_by: String::new(),
                        decision: None,
                        expires: None,
                        source: String::new(),
                    });
                }
            }
        }
        used
    }

    fn rule_set() -> &'static RuleSet {
        static SET: std::sync::OnceLock<RuleSet> = std::sync::OnceLock::new();
        SET.get_or_init(|| crate::rules::load(&crate::rules::RuleSources::default(), &mut SourceDb::default()).unwrap())
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(300))]

        /// Findings of a few rules in a few sections (some advisory, some already waived)
        /// under waivers by rule id or name, with or without a section written as a
        /// heading or an id: the same findings accepted, by the same waiver, and the same
        /// waivers used.
        #[test]
        fn waivers_accept_what_trying_each_on_each_finding_accepts(
            findings in proptest::collection::vec((0usize..4, 0usize..4, any::<bool>(), 0usize..8), 0..30),
            waivers in proptest::collection::vec((0usize..6, 0usize..5), 0..10),
        ) {
            const RULES: [&str; 4] = ["GOV-002", "ETH-002", "DEM-002", "GOV-004"];
            const SECTIONS: [Option<&str>; 4] = [None, Some("data_protection"), Some("costs"), Some("Data protection")];
            const WAIVER_SECTIONS: [Option<&str>; 5] = [None, Some("Data protection"), Some("data_protection"), Some("costs"), Some("Costs ")];
            let eth_name = rule_set().rule("ETH-002").unwrap().name.clone();
            let diags: Vec<Diagnostic> = findings
                .iter()
                .map(|&(r, s, advisory, waived)| {
                    let mut d = Diagnostic::tool(ToolCode::SectionInferred, 0, Span::point(0), "m");
                    d.rule = RULES[r].into();
                    d.section = SECTIONS[s].map(str::to_string);
                    d.advisory = advisory;
                    d.waived = (waived == 0).then(|| Waived {
                        reason: "before".into(),
                        approved_by: String::new(),
                        decision: None,
                        expires: None,
                        source: String::new(),
                    });
                    d
                })
                .collect();
            let waivers: Vec<Waiver> = waivers
                .iter()
                .enumerate()
                .map(|(i, &(r, s))| Waiver {
                    rule: match r {
                        4 => eth_name.clone(),
                        5 => "no-such-rule".into(),
                        r => RULES[r].into(),
                    },
                    section: WAIVER_SECTIONS[s].map(str::to_string),
                    reason: format!("w{i}"),
                    approved_by: String::new(),
                    decision: None,
                    expires: None,
                    file: None,
                    span: Span::point(0),
                    source: String::new(),
                    files: None,
                })
                .collect();
            let waivers: Vec<&Waiver> = waivers.iter().collect();
            let (mut fast, mut plain) = (diags.clone(), diags);
            let used = apply(&waivers, rule_set(), &mut fast);
            prop_assert_eq!(used, plainly(&waivers, rule_set(), &mut plain));
            let reasons = |v: &[Diagnostic]| v.iter().map(|d| d.waived.as_ref().map(|w| w.reason.clone())).collect::<Vec<_>>();
            prop_assert_eq!(reasons(&fast), reasons(&plain));
        }
    }

    #[test]
    fn dates_from_days() {
        assert_eq!(civil_from_days(0), "1970-01-01");
        assert_eq!(civil_from_days(20_454), "2026-01-01");
        assert_eq!(civil_from_days(11_016), "2000-02-29");
    }
}
