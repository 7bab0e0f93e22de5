//! Canonical sections: the catalogue from `rules/sections.toml`, heading normalisation,
//! and classification of every section of a proposal, by synonym, by stem or, failing
//! both, by inference from its words.

use crate::model::Proposal;
use aho_corasick::{AhoCorasick, AhoCorasickKind, MatchKind};
use serde::Deserialize;
use std::collections::{BTreeMap, HashMap};
use std::sync::OnceLock;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawCatalog {
    pub section: Vec<RawSection>,
    #[serde(default)]
    pub combined: BTreeMap<String, Vec<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawSection {
    pub id: String,
    pub title: String,
    #[serde(default)]
    pub synonyms: Vec<String>,
    #[serde(default)]
    pub keywords: Vec<String>,
    #[serde(default)]
    pub stems: Vec<String>,
}

#[derive(Debug, Clone)]
pub struct SectionDef {
    pub id: String,
    pub title: String,
    /// Lower case; each an index into the catalogue's keyword list.
    keywords: Vec<usize>,
    /// Normalised stems, each after a space: a stem counts where it starts a word.
    stems: Vec<String>,
}

impl SectionDef {
    /// How many of this section's keywords are among `present` (from
    /// `Catalog::keywords_present`).
    pub fn keywords_found(&self, present: &[usize]) -> usize {
        self.keywords.iter().filter(|k| present.binary_search(k).is_ok()).count()
    }
}

/// One occurrence of a catalogue keyword in a text (fields in the order hits sort by).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct KeywordHit {
    pub start: usize,
    pub end: usize,
    /// Its index in the catalogue's keyword list.
    pub keyword: usize,
    pub starts_word: bool,
}

/// The canonical sections in their usual order, with a synonym lookup.
#[derive(Debug, Clone)]
pub struct Catalog {
    pub sections: Vec<SectionDef>,
    synonyms: BTreeMap<String, Vec<String>>,
    /// Every section's keywords, each once.
    keywords: Vec<String>,
    /// All the keywords in one automaton, built on first use: a text is read once for all
    /// of them rather than once per keyword.
    keyword_search: OnceLock<Option<AhoCorasick>>,
}

/// What classification learned about a section whose heading matched nothing.
#[derive(Debug, Clone, PartialEq)]
pub struct Inference {
    pub section: usize,
    pub ids: Vec<String>,
}

impl Catalog {
    pub fn from_raw(raw: RawCatalog) -> Result<Catalog, String> {
        let mut synonyms: BTreeMap<String, Vec<String>> = BTreeMap::new();
        let ids: Vec<&str> = raw.section.iter().map(|s| s.id.as_str()).collect();
        for s in &raw.section {
            for syn in s.synonyms.iter().chain(std::iter::once(&s.id.replace('_', " "))) {
                let entry = synonyms.entry(normalise_heading(syn)).or_default();
                if !entry.contains(&s.id) {
                    entry.push(s.id.clone());
                }
            }
        }
        for (heading, targets) in raw.combined {
            if let Some(bad) = targets.iter().find(|t| !ids.contains(&t.as_str())) {
                return Err(format!("combined heading `{heading}` names unknown section `{bad}`"));
            }
            synonyms.insert(normalise_heading(&heading), targets);
        }
        let mut keywords: Vec<String> = Vec::new();
        let mut keyword_ids: HashMap<String, usize> = HashMap::new();
        let sections = raw
            .section
            .into_iter()
            .map(|s| SectionDef {
                id: s.id,
                title: s.title,
                // An empty keyword is found nowhere.
                keywords: s
                    .keywords
                    .iter()
                    .map(|k| k.to_lowercase())
                    .filter(|k| !k.is_empty())
                    .map(|k| {
                        *keyword_ids.entry(k.clone()).or_insert_with(|| {
                            keywords.push(k);
                            keywords.len() - 1
                        })
                    })
                    .collect(),
                stems: s.stems.iter().map(|k| format!(" {}", normalise_heading(k))).collect(),
            })
            .collect();
        Ok(Catalog { sections, synonyms, keywords, keyword_search: OnceLock::new() })
    }

    /// A catalogue of one section with these keywords.
    #[cfg(test)]
    pub(crate) fn with_keywords(keywords: &[&str]) -> Catalog {
        let section = RawSection {
            id: "x".into(),
            title: "X".into(),
            synonyms: vec![],
            keywords: keywords.iter().map(|k| k.to_string()).collect(),
            stems: vec![],
        };
        Catalog::from_raw(RawCatalog { section: vec![section], combined: BTreeMap::new() }).unwrap()
    }

    /// How many keywords the catalogue has (each once).
    pub fn keyword_count(&self) -> usize {
        self.keywords.len()
    }

    /// Every occurrence of every keyword in `text`, which is lower case, overlapping ones
    /// too.
    pub fn keyword_occurrences(&self, text: &str) -> Vec<KeywordHit> {
        let Some(search) = self.keyword_search() else {
            return Vec::new();
        };
        search
            .find_overlapping_iter(text)
            .map(|m| KeywordHit {
                start: m.start(),
                end: m.end(),
                keyword: m.pattern().as_usize(),
                starts_word: starts_word(text, m.start()),
            })
            .collect()
    }

    /// Builds the keyword automaton now: the rule set's loader does it on one core while
    /// the other builds the rules' prefilter, so that the first file does not wait for it.
    pub fn prepare(&self) {
        self.keyword_search();
    }

    fn keyword_search(&self) -> Option<&AhoCorasick> {
        self.keyword_search
            .get_or_init(|| {
                // A DFA over a few hundred keywords is small, and searches each proposal's
                // whole evidence text; the default (an NFA past 100 patterns) cost 4% more of
                // a run on real proposals.
                AhoCorasick::builder()
                    .match_kind(MatchKind::Standard)
                    .kind(Some(AhoCorasickKind::DFA))
                    .build(&self.keywords)
                    .ok()
                    .filter(|_| !self.keywords.is_empty())
            })
            .as_ref()
    }

    /// How many times each keyword (by index) starts a word in `text`, which is lower case:
    /// its leftmost occurrence, then the leftmost after that one ends, and so on.
    pub fn keyword_counts(&self, text: &str) -> Vec<u32> {
        count_keywords(&self.keyword_occurrences(text), self.keywords.len(), 0)
    }

    /// The keywords (by index, in order) that start a word in `text`, which is lower case.
    pub fn keywords_present(&self, text: &str) -> Vec<usize> {
        counted(&self.keyword_counts(text))
    }

    pub fn contains(&self, id: &str) -> bool {
        self.sections.iter().any(|s| s.id == id)
    }

    pub fn position(&self, id: &str) -> Option<usize> {
        self.sections.iter().position(|s| s.id == id)
    }

    pub fn title<'a>(&'a self, id: &'a str) -> &'a str {
        self.sections.iter().find(|s| s.id == id).map_or(id, |s| s.title.as_str())
    }

    /// Canonical ids for a heading, or an empty list when nothing matches.
    pub fn classify_heading(&self, heading: &str) -> Vec<String> {
        let norm = normalise_heading(heading);
        if norm.is_empty() {
            return Vec::new();
        }
        if let Some(ids) = self.synonyms.get(&norm) {
            return ids.clone();
        }
        let mut ids: Vec<String> = Vec::new();
        for part in split_topics(&norm) {
            let found = self.synonyms.get(part).cloned().or_else(|| self.by_stem(part).map(|id| vec![id]));
            for id in found.unwrap_or_default() {
                if !ids.contains(&id) {
                    ids.push(id);
                }
            }
        }
        ids
    }

    fn by_stem(&self, part: &str) -> Option<String> {
        let padded = format!(" {part} ");
        self.sections.iter().find(|s| s.stems.iter().any(|stem| padded.contains(stem.as_str()))).map(|s| s.id.clone())
    }

    /// Assigns canonical ids to every section; returns the inferred ones so the caller can
    /// tell the author.
    pub fn classify(&self, proposal: &mut Proposal) -> Vec<Inference> {
        const PARALLEL_SECTIONS: usize = 256;
        let mut inferred = Vec::new();
        // Each section's evidence blocks, found once rather than by a scan per section.
        let mut blocks: Vec<Vec<usize>> = vec![Vec::new(); proposal.sections.len()];
        for (bi, b) in proposal.blocks.iter().enumerate() {
            if let Some(s) = b.section.filter(|_| b.kind.is_evidence()) {
                blocks[s].push(bi);
            }
        }
        // (ids, inferred) per section; a long document's sections are read on all cores.
        let read = |(i, own): (usize, &Vec<usize>)| {
            let ids = self.classify_heading(&proposal.sections[i].heading);
            if !ids.is_empty() {
                return (ids, false);
            }
            match self.infer(proposal, i, own) {
                Some(id) => (vec![id], true),
                None => (Vec::new(), false),
            }
        };
        let read: Vec<(Vec<String>, bool)> = if blocks.len() >= PARALLEL_SECTIONS {
            use rayon::prelude::*;
            blocks.par_iter().enumerate().map(read).collect()
        } else {
            blocks.iter().enumerate().map(read).collect()
        };
        for (i, (ids, was_inferred)) in read.into_iter().enumerate() {
            if ids.is_empty() {
                continue;
            }
            if was_inferred {
                inferred.push(Inference { section: i, ids: ids.clone() });
                proposal.sections[i].inferred = true;
            }
            proposal.sections[i].ids = ids;
        }
        inferred
    }

    /// Scores the heading and the opening words of the section against each section's keywords.
    fn infer(&self, proposal: &Proposal, index: usize, blocks: &[usize]) -> Option<String> {
        const OPENING_WORDS: usize = 150;
        let heading = proposal.sections[index].heading.to_lowercase();
        // The first words of the section's blocks, lower case, one space apart.
        let mut opening = String::new();
        let mut words = 0;
        'blocks: for block in blocks.iter().map(|&b| &proposal.blocks[b]) {
            for word in block.text.to_lowercase().split_whitespace() {
                if words == OPENING_WORDS {
                    break 'blocks;
                }
                if words > 0 {
                    opening.push(' ');
                }
                opening.push_str(word);
                words += 1;
            }
        }
        let (in_heading, in_opening) = (self.keyword_counts(&heading), self.keyword_counts(&opening));
        let mut best: Option<(usize, &SectionDef)> = None;
        let mut tie = false;
        for def in &self.sections {
            let score: usize = def.keywords.iter().map(|&k| 3 * usize::from(in_heading[k] > 0) + (in_opening[k] as usize).min(3)).sum();
            match best {
                Some((b, _)) if score == b => tie = true,
                Some((b, _)) if score < b => {}
                _ => {
                    best = Some((score, def));
                    tie = false;
                }
            }
        }
        match best {
            Some((score, def)) if score >= 4 && !tie => Some(def.id.clone()),
            _ => None,
        }
    }
}

/// How many times each of `keywords` keywords starts a word among `hits`, read from offset
/// `from` on: its leftmost occurrence, then the leftmost after that one ends, and so on. A
/// keyword's own hits must come in order of where they start.
pub fn count_keywords<'a>(hits: impl IntoIterator<Item = &'a KeywordHit>, keywords: usize, from: usize) -> Vec<u32> {
    let mut counts = vec![0; keywords];
    let mut next_from = vec![from; keywords];
    for hit in hits {
        if hit.start < next_from[hit.keyword] {
            continue;
        }
        next_from[hit.keyword] = hit.end;
        counts[hit.keyword] += u32::from(hit.starts_word);
    }
    counts
}

/// The keywords (by index, in order) counted at least once.
pub fn counted(counts: &[u32]) -> Vec<usize> {
    counts.iter().enumerate().filter(|(_, &n)| n > 0).map(|(k, _)| k).collect()
}

/// True when no letter or digit comes right before `at`.
fn starts_word(text: &str, at: usize) -> bool {
    !text[..at].chars().next_back().is_some_and(char::is_alphanumeric)
}

/// Splits a normalised heading that joins topics: "privacy and security", "costs, benefits".
fn split_topics(norm: &str) -> Vec<&str> {
    let mut parts = vec![norm];
    for sep in [" and ", " or ", " with "] {
        parts = parts.into_iter().flat_map(|p| p.split(sep)).map(str::trim).filter(|p| !p.is_empty()).collect();
    }
    parts
}

/// Lower case, numbering and punctuation stripped, `&`/`+` as "and", UK spelling, and the
/// filler words council templates add ("our", "the", "proposed", "key", "implications").
pub fn normalise_heading(heading: &str) -> String {
    let lower = heading.to_lowercase().replace(['&', '+'], " and ");
    let cleaned: String = lower.chars().map(|c| if c.is_alphanumeric() || c == ' ' { c } else { ' ' }).collect();
    let mut words: Vec<String> = cleaned.split_whitespace().map(uk_spelling).collect();
    // Leading numbering: "4", "2 3", "a", "iv", "part two", "section 4", "step 3".
    while let Some(first) = words.first() {
        let is_number = first.chars().all(|c| c.is_ascii_digit())
            || (first.len() == 1 && words.len() > 1)
            || (is_roman(first) && words.len() > 1)
            || (matches!(first.as_str(), "part" | "section" | "chapter" | "step" | "annex" | "appendix")
                && words.len() > 2
                && is_ordinal(&words[1]));
        if !is_number {
            break;
        }
        if matches!(first.as_str(), "part" | "section" | "chapter" | "step" | "annex" | "appendix") {
            words.remove(0);
        }
        words.remove(0);
    }
    while words.len() > 1 && matches!(words[0].as_str(), "our" | "the" | "proposed" | "key" | "a" | "an") {
        words.remove(0);
    }
    while words.len() > 1 && matches!(words.last().map(String::as_str), Some("implications" | "considerations" | "implication")) {
        words.pop();
    }
    words.join(" ")
}

fn is_roman(w: &str) -> bool {
    !w.is_empty() && w.len() <= 4 && w.chars().all(|c| matches!(c, 'i' | 'v' | 'x'))
}

fn is_ordinal(w: &str) -> bool {
    w.chars().all(|c| c.is_ascii_digit())
        || is_roman(w)
        || w.len() == 1
        || matches!(w, "one" | "two" | "three" | "four" | "five" | "six" | "seven" | "eight" | "nine" | "ten")
}

fn uk_spelling(word: &str) -> String {
    let w = word.to_string();
    for (us, uk) in [("ization", "isation"), ("izations", "isations"), ("ize", "ise"), ("izing", "ising"), ("yze", "yse")] {
        if let Some(stem) = w.strip_suffix(us) {
            return format!("{stem}{uk}");
        }
    }
    match w.as_str() {
        "program" => "programme".into(),
        "center" => "centre".into(),
        "behavior" => "behaviour".into(),
        _ => w,
    }
}

/// Words of real text in each section's subtree (placeholders, code and comments
/// excluded), in one pass over the blocks: counting per section rescanned every block.
pub fn real_words(proposal: &Proposal, is_placeholder: &dyn Fn(&str) -> bool) -> Vec<usize> {
    let mut words = vec![0; proposal.sections.len()];
    for b in proposal.blocks.iter().filter(|b| b.kind.is_evidence()) {
        let Some(section) = b.section else { continue };
        let count =
            if is_placeholder(&b.text) { 0 } else { b.text.split_whitespace().filter(|w| w.chars().any(char::is_alphanumeric)).count() };
        let mut cur = Some(section);
        while let Some(i) = cur {
            words[i] += count;
            cur = proposal.sections[i].parent;
        }
    }
    words
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What `Catalog::keyword_counts` counts, one keyword at a time.
    fn count_word(text: &str, word: &str) -> u32 {
        let mut count = 0;
        let mut from = 0;
        while let Some(pos) = text[from..].find(word) {
            let at = from + pos;
            count += u32::from(starts_word(text, at));
            from = at + word.len();
        }
        count
    }

    #[test]
    fn keyword_counts_read_each_keyword_as_a_search_for_it_would() {
        // "a a" overlaps itself at a word's start: counted once in "a a a", as a search
        // that goes on after each match finds it.
        let keywords = ["aa", "a", "a a", "risk", "risks", "data protection", "protection", "é", "café"];
        let catalog = Catalog::with_keywords(&keywords);
        for text in [
            "aaaa a aa",
            "a a a",
            "risks and risk; brisk risk-averse",
            "data protection protection data protectionprotection",
            "café é écafé 1café",
            "",
        ] {
            let counts = catalog.keyword_counts(text);
            for (k, keyword) in keywords.iter().enumerate() {
                assert_eq!(counts[k], count_word(text, keyword), "{keyword:?} in {text:?}");
            }
        }
    }

    /// An unknown heading is classified from its words and the section's first 150 words,
    /// read across its blocks; a keyword after them does not count.
    #[test]
    fn unknown_headings_are_read_with_the_opening_words() {
        let catalog = Catalog::with_keywords(&["widget"]);
        let inferred = |before: usize| {
            let filler = |n: usize| vec!["word"; n].join(" ");
            let text = format!("## Widget notes\n\n{}\n\n{} widget\n", filler(100), filler(before - 100));
            let file = crate::source::SourceFile::new("p.md", text);
            let mut diags = Vec::new();
            let mut proposal = crate::parse::parse(&file, 0, crate::model::Format::Markdown, &Default::default(), &mut diags);
            catalog.classify(&mut proposal);
            proposal.sections.iter().any(|s| s.ids == ["x"])
        };
        assert!(inferred(149), "the keyword is the 150th word");
        assert!(!inferred(150), "the keyword is the 151st word");
    }

    #[test]
    fn normalises_council_headings() {
        assert_eq!(normalise_heading("4. Data Protection"), "data protection");
        assert_eq!(normalise_heading("Part 2: Financial implications"), "financial");
        assert_eq!(normalise_heading("Costs & Benefits"), "costs and benefits");
        assert_eq!(normalise_heading("Our key risks?"), "risks");
        assert_eq!(normalise_heading("2.3 Organization"), "organisation");
    }
}
