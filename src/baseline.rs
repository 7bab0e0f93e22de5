//! Baselines: record today's findings so that a repository with old proposals can adopt
//! proplint now and fail only on new ones. Entries are keyed by rule, path, section and a
//! fingerprint of the finding's text, never by line number, so edits elsewhere in a file
//! do not bring them back.

use crate::diag::Diagnostic;
use crate::source::SourceDb;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entry {
    pub rule: String,
    pub path: String,
    pub section: Option<String>,
    pub fingerprint: String,
    pub message: String,
}

#[derive(Debug, Serialize, Deserialize)]
struct File {
    version: u32,
    entries: Vec<Entry>,
}

/// A stable fingerprint: rule, section and the finding's text with case and spacing
/// normalised (the message for an insertion point, which has no text).
pub fn fingerprint(d: &Diagnostic, db: &SourceDb) -> String {
    let file = db.get(d.primary.file);
    let text = file.slice(d.primary.span);
    let basis = if text.trim().is_empty() { d.message.as_str() } else { text };
    let normalised: String = basis.split_whitespace().collect::<Vec<_>>().join(" ").to_lowercase();
    let key = format!("{}\u{1f}{}\u{1f}{}", d.rule, d.section.as_deref().unwrap_or(""), normalised);
    // FNV-1a: stable across Rust versions and platforms, unlike the std hasher.
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for b in key.bytes() {
        hash ^= u64::from(b);
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    format!("{hash:016x}")
}

pub fn entry(d: &Diagnostic, db: &SourceDb) -> Entry {
    Entry {
        rule: d.rule.clone(),
        path: db.get(d.primary.file).path.clone(),
        section: d.section.clone(),
        fingerprint: fingerprint(d, db),
        message: d.message.clone(),
    }
}

pub fn to_string(entries: &[Entry]) -> String {
    let mut entries = entries.to_vec();
    entries.sort_by(|a, b| (&a.path, &a.rule, &a.fingerprint).cmp(&(&b.path, &b.rule, &b.fingerprint)));
    serde_json::to_string_pretty(&File { version: 1, entries }).unwrap_or_default() + "\n"
}

pub fn parse(text: &str) -> Result<Vec<Entry>, String> {
    let file: File = serde_json::from_str(text).map_err(|e| format!("invalid baseline: {e}"))?;
    if file.version != 1 {
        return Err(format!("unsupported baseline version {}", file.version));
    }
    Ok(file.entries)
}

/// Drops findings the baseline already knows (each entry matches one finding), and
/// returns the entries that matched nothing: fixed since the baseline was written.
pub fn apply(entries: &[Entry], diags: &mut Vec<Diagnostic>, db: &SourceDb) -> Vec<Entry> {
    let mut remaining: Vec<Option<&Entry>> = entries.iter().map(Some).collect();
    diags.retain(|d| {
        let e = entry(d, db);
        let hit =
            remaining.iter_mut().find(|slot| slot.is_some_and(|b| b.rule == e.rule && b.path == e.path && b.fingerprint == e.fingerprint));
        match hit {
            Some(slot) => {
                *slot = None;
                false
            }
            None => true,
        }
    });
    remaining.into_iter().flatten().cloned().collect()
}
