//! `--statistics`: how many findings each rule produced, most frequent first, as ruff
//! prints it (instead of the findings on standard output).

use super::Report;
use crate::diag::Diagnostic;
use std::collections::BTreeMap;
use std::fmt::Write;

/// Text columns, or a JSON array when `json` is set.
pub fn render(report: &Report<'_>, json: bool) -> String {
    let mut statistics = Statistics::default();
    statistics.add(report.diagnostics);
    statistics.render(json)
}

/// Findings per rule, added up a chunk of files at a time.
#[derive(Debug, Default)]
pub struct Statistics {
    /// Count, name and severity per rule id (the name and severity of its first finding).
    counts: BTreeMap<String, (usize, String, &'static str)>,
}

impl Statistics {
    pub fn add(&mut self, diagnostics: &[Diagnostic]) {
        // Waived findings are accepted, not waiting to be fixed.
        for d in diagnostics.iter().filter(|d| d.waived.is_none()) {
            match self.counts.get_mut(&d.rule) {
                Some(row) => row.0 += 1,
                None => {
                    self.counts.insert(d.rule.clone(), (1, d.name.clone(), d.severity.as_str()));
                }
            }
        }
    }

    /// Text columns, or a JSON array when `json` is set.
    pub fn render(&self, json: bool) -> String {
        let mut rows: Vec<(&str, usize, &str, &str)> =
            self.counts.iter().map(|(id, (n, name, sev))| (id.as_str(), *n, name.as_str(), *sev)).collect();
        // BTreeMap order breaks ties by rule id; the stable sort keeps it.
        rows.sort_by_key(|r| std::cmp::Reverse(r.1));
        if json {
            let list: Vec<serde_json::Value> =
                rows.iter().map(|(id, n, name, sev)| serde_json::json!({"rule": id, "name": name, "severity": sev, "count": n})).collect();
            return serde_json::to_string_pretty(&list).unwrap_or_default() + "\n";
        }
        let width = rows.iter().map(|r| r.1.to_string().len()).max().unwrap_or(1);
        let id_width = rows.iter().map(|r| r.0.len()).max().unwrap_or(0);
        let mut out = String::new();
        for (id, n, name, sev) in rows {
            let _ = writeln!(out, "{n:>width$}  {id:<id_width$}  {sev:<7}  {name}");
        }
        out
    }
}
