//! Baselines: record today's findings so that a repository with old proposals can adopt
//! proplint now and fail only on new ones. Entries are keyed by rule, path, section and a
//! fingerprint of the finding's text, never by line number, so edits elsewhere in a file
//! do not bring them back.

use crate::diag::Diagnostic;
use crate::source::SourceDb;
use crate::spill::Spill;
use serde::{Deserialize, Serialize};
use std::collections::{HashMap, VecDeque};

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
    sort(&mut entries);
    serde_json::to_string_pretty(&File { version: 1, entries }).unwrap_or_default() + "\n"
}

fn sort(entries: &mut [Entry]) {
    entries.sort_by(|a, b| (&a.path, &a.rule, &a.fingerprint).cmp(&(&b.path, &b.rule, &b.fingerprint)));
}

/// A baseline written as a run goes: `to_string`'s text, given the entries of files in
/// path order a chunk at a time (sorting each chunk then sorts the whole), held in a
/// `Spill` rather than in memory.
#[derive(Default)]
pub struct Recorder {
    spill: Spill,
    count: usize,
}

impl Recorder {
    pub fn add(&mut self, mut entries: Vec<Entry>) {
        sort(&mut entries);
        for e in &entries {
            self.spill.push(if self.count == 0 { b"\n" } else { b",\n" });
            let mut item = String::new();
            crate::render::push_indented(&mut item, &serde_json::to_string_pretty(e).unwrap_or_default(), ENTRY_INDENT);
            self.spill.push(item.as_bytes());
            self.count += 1;
        }
    }

    pub fn len(&self) -> usize {
        self.count
    }

    pub fn is_empty(&self) -> bool {
        self.count == 0
    }

    /// Writes the baseline file.
    pub fn write_to(self, path: &std::path::Path) -> std::io::Result<()> {
        use std::io::Write;
        let mut file = std::io::BufWriter::new(std::fs::File::create(path)?);
        if self.count == 0 {
            file.write_all(b"{\n  \"version\": 1,\n  \"entries\": []\n}\n")?;
            return file.flush();
        }
        file.write_all(b"{\n  \"version\": 1,\n  \"entries\": [")?;
        self.spill.write_into(&mut file)?;
        file.write_all(b"\n  ]\n}\n")?;
        file.flush()
    }
}

/// How deep an entry sits: an element of the top object's `entries`.
const ENTRY_INDENT: &str = "    ";

pub fn parse(text: &str) -> Result<Vec<Entry>, String> {
    let file: File = serde_json::from_str(text).map_err(|e| format!("invalid baseline: {e}"))?;
    if file.version != 1 {
        return Err(format!("unsupported baseline version {}", file.version));
    }
    Ok(file.entries)
}

/// A baseline being matched against a run's findings, a file or a chunk of files at a
/// time in report order: each entry holds back one finding.
pub struct Known<'a> {
    entries: &'a [Entry],
    /// Each key's entries in file order, the earliest matched first: searching the whole
    /// list for every finding was quadratic (69 s for 250,000 findings).
    unmatched: HashMap<(String, String, String), VecDeque<usize>>,
    matched: Vec<bool>,
}

impl<'a> Known<'a> {
    pub fn new(entries: &'a [Entry]) -> Known<'a> {
        let mut unmatched: HashMap<(String, String, String), VecDeque<usize>> = HashMap::new();
        for (i, e) in entries.iter().enumerate() {
            unmatched.entry((e.rule.clone(), e.path.clone(), e.fingerprint.clone())).or_default().push_back(i);
        }
        Known { entries, unmatched, matched: vec![false; entries.len()] }
    }

    /// Drops the findings of `diags` an entry not used yet matches.
    pub fn filter(&mut self, diags: &mut Vec<Diagnostic>, db: &SourceDb) {
        diags.retain(|d| {
            let e = entry(d, db);
            let hit = self.unmatched.get_mut(&(e.rule, e.path, e.fingerprint)).and_then(VecDeque::pop_front);
            match hit {
                Some(i) => {
                    self.matched[i] = true;
                    false
                }
                None => true,
            }
        });
    }

    /// The entries that matched no finding, in the baseline's order.
    pub fn stale(&self) -> Vec<Entry> {
        self.with_match(false)
    }

    /// The entries that matched a finding, in the baseline's order: the baseline pruned.
    /// Taken by position, not by value: of two identical entries (two identical findings
    /// in one section), one can match while the other is stale.
    pub fn kept(&self) -> Vec<Entry> {
        self.with_match(true)
    }

    fn with_match(&self, matched: bool) -> Vec<Entry> {
        self.entries.iter().zip(&self.matched).filter(|(_, m)| **m == matched).map(|(e, _)| e.clone()).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diag::ToolCode;
    use crate::source::SourceFile;
    use crate::span::Span;

    fn finding(rule: &str, start: usize, end: usize) -> Diagnostic {
        let mut d = Diagnostic::tool(ToolCode::SectionInferred, 0, Span::new(start, end), "m");
        d.rule = rule.into();
        d
    }

    /// Entries recorded a file's at a time, files in path order, give `to_string`'s text
    /// for the whole list, empty or not.
    #[test]
    fn recorded_in_chunks_is_the_whole_baseline() {
        let dir = tempfile::tempdir().unwrap();
        let entry = |path: &str, rule: &str, fp: &str| Entry {
            rule: rule.into(),
            path: path.into(),
            section: Some("summary".into()),
            fingerprint: fp.into(),
            message: "a \"quoted\" message".into(),
        };
        let chunks = [
            vec![entry("a.md", "GOV-002", "2"), entry("a.md", "ETH-001", "9"), entry("a.md", "GOV-002", "1")],
            vec![],
            vec![entry("b/c.md", "INC-003", "5"), entry("b/d.md", "CYB-001", "0")],
        ];
        for take in [0, 1, 3] {
            let mut recorder = Recorder::default();
            for chunk in chunks.iter().take(take) {
                recorder.add(chunk.clone());
            }
            let all: Vec<Entry> = chunks.iter().take(take).flatten().cloned().collect();
            assert_eq!(recorder.len(), all.len());
            let path = dir.path().join(format!("b{take}.json"));
            recorder.write_to(&path).unwrap();
            assert_eq!(std::fs::read_to_string(&path).unwrap(), to_string(&all));
        }
    }

    /// Each entry stands for one finding: of three alike, two entries hold two; an entry
    /// that matches nothing comes back, in the baseline's order.
    #[test]
    fn each_entry_holds_one_finding_and_stale_ones_keep_their_order() {
        let mut db = SourceDb::default();
        db.add(SourceFile::new("a.md", "TBC and TBC and tbc; DPIA pending"));
        let alike = [finding("GOV-002", 0, 3), finding("GOV-002", 8, 11), finding("GOV-002", 16, 19)];
        let stale_first = entry(&finding("ETH-002", 21, 25), &db);
        let stale_last = entry(&finding("ETH-001", 21, 25), &db);
        let entries = vec![stale_first.clone(), entry(&alike[0], &db), entry(&alike[1], &db), stale_last.clone()];
        let mut diags = alike.to_vec();
        let mut known = Known::new(&entries);
        known.filter(&mut diags, &db);
        assert_eq!(diags.iter().map(|d| d.primary.span.start).collect::<Vec<_>>(), [16]);
        assert_eq!(known.stale(), [stale_first, stale_last]);
        assert_eq!(known.kept(), entries[1..3]);
    }
}
