//! `--statistics`: how many findings each rule produced, most frequent first, as ruff
//! prints it (instead of the findings on standard output).

use super::Report;
use std::collections::BTreeMap;
use std::fmt::Write;

/// Text columns, or a JSON array when `json` is set.
pub fn render(report: &Report<'_>, json: bool) -> String {
    let mut counts: BTreeMap<&str, (usize, &str, &str)> = BTreeMap::new();
    // Waived findings are accepted, not waiting to be fixed.
    for d in report.diagnostics.iter().filter(|d| d.waived.is_none()) {
        counts.entry(&d.rule).or_insert((0, &d.name, d.severity.as_str())).0 += 1;
    }
    let mut rows: Vec<(&str, usize, &str, &str)> = counts.into_iter().map(|(id, (n, name, sev))| (id, n, name, sev)).collect();
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
