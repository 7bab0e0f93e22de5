//! Sentence-level reading of a proposal's evidence text, done once per document: where
//! sentences are, which words negate, hedge or declare "not needed", and which
//! evidence-strength qualifiers each sentence carries.

use crate::model::{BlockKind, Proposal};
use crate::rules::matcher::{Matches, Scan};
use crate::rules::{Matcher, Vocab};
use std::ops::Range;
use std::sync::OnceLock;

/// How far (in words) a negation cue reaches towards an evidence term.
const NEGATION_WINDOW_BEFORE: usize = 3;
const NEGATION_WINDOW_AFTER: usize = 4;
/// "No automated decision-making or algorithmic risk scoring": a negation reaches the
/// second item of an "or" list it opens, further than its usual window.
const LIST_ITEM_WORDS: usize = 4;
const HEDGE_WINDOW: usize = 8;
const DEFERRAL_WINDOW: usize = 6;
const NOT_NEEDED_WINDOW: usize = 6;

#[derive(Debug, Clone, Default)]
pub struct Sentence {
    pub range: Range<usize>,
    pub negations: Vec<Range<usize>>,
    pub negations_after: Vec<Range<usize>>,
    pub hedges: Vec<Range<usize>>,
    pub deferrals: Vec<Range<usize>>,
    pub not_needed: Vec<Range<usize>>,
    pub exclusions: Vec<Range<usize>>,
    pub has_reason: bool,
    pub strong: bool,
    pub referenced: bool,
}

#[derive(Debug, Clone, Default)]
pub struct BlockText {
    pub sentences: Vec<Sentence>,
}

/// What a sentence makes of a match in it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Grade {
    /// 0 to 3, as in the evidence-strength model.
    pub level: u8,
    pub negated: bool,
    pub hedged: bool,
    /// "not required", with a reason given: a justified not-applicable.
    pub justified_not_needed: bool,
}

#[derive(Debug)]
pub struct Analysis<'a> {
    proposal: &'a Proposal,
    vocab: &'a Vocab,
    /// Per block, its sentences and cues, read when a match in it is first graded: in
    /// real documents half the evidence text holds nothing any rule grades.
    blocks: Vec<OnceLock<BlockText>>,
    /// Per evidence block, every literal of the rule set found in it (one search per block).
    scans: Vec<Option<Scan>>,
}

impl<'a> Analysis<'a> {
    /// Scans every evidence block; a large proposal's blocks are scanned on all cores
    /// (`parallel`).
    pub fn new(proposal: &'a Proposal, vocab: &'a Vocab, parallel: bool) -> Self {
        let scan = |b: &crate::model::Block| b.kind.is_evidence().then(|| vocab.prefilter.scan(&b.text));
        let scans = super::in_order(&proposal.blocks, parallel, scan);
        let blocks = proposal.blocks.iter().map(|_| OnceLock::new()).collect();
        Analysis { proposal, vocab, blocks, scans }
    }

    /// Block `block`'s sentences and cues.
    fn block_text(&self, block: usize) -> &BlockText {
        self.blocks[block].get_or_init(|| {
            let b = &self.proposal.blocks[block];
            if !b.kind.is_evidence() {
                return BlockText::default();
            }
            analyse(&b.text, b.kind, self.vocab, self.scans[block].as_ref())
        })
    }

    /// Every match of `matcher` in block `block`, whose text is `text`.
    pub fn find_iter<'t>(&'t self, matcher: &'t Matcher, block: usize, text: &'t str) -> Matches<'t> {
        matcher.find_iter_scanned(self.scans.get(block).and_then(Option::as_ref), text)
    }

    /// True when `matcher` matches `text[range]` searched on its own, where `text` is block `block`.
    pub fn is_match_in(&self, matcher: &Matcher, block: usize, text: &str, range: Range<usize>) -> bool {
        matcher.is_match_scanned(self.scans.get(block).and_then(Option::as_ref), text, range)
    }

    pub fn sentence_of(&self, block: usize, at: usize) -> Option<(usize, &Sentence)> {
        let sentences = &self.block_text(block).sentences;
        let idx = sentences.partition_point(|s| s.range.end <= at).min(sentences.len().saturating_sub(1));
        sentences.get(idx).map(|s| (idx, s))
    }

    /// Grades a match of an evidence term at `m` in block `block`.
    pub fn grade(&self, text: &str, block: usize, m: Range<usize>) -> Grade {
        let Some((idx, s)) = self.sentence_of(block, m.start) else {
            return Grade { level: 1, negated: false, hedged: false, justified_not_needed: false };
        };
        let negated = before(text, &s.negations, &m, LIST_ITEM_WORDS + 2).any(|n| {
            let between = &text[n.end..m.start];
            let reach = if in_relative_clause(text, n.start) { 1 } else { NEGATION_WINDOW_BEFORE };
            (words_at_most(text, n.end, m.start, reach) || (reach > 1 && second_list_item(between))) && !clause_break(between)
        }) || after(text, &s.negations_after, &m, NEGATION_WINDOW_AFTER).any(|n| !clause_break(&text[m.end..n.start]));
        // A hedge governs across commas ("we will test, where possible"); a deferral only
        // within its clause ("1.9 tCO2e now, 0.7 tCO2e after go-live" is an estimate).
        let hedged = near(text, &s.hedges, &m, HEDGE_WINDOW).next().is_some()
            || near(text, &s.deferrals, &m, DEFERRAL_WINDOW).any(|d| !clause_break(&text[gap(d, &m)]));
        let not_needed =
            after(text, &s.not_needed, &m, NOT_NEEDED_WINDOW).next().is_some() || before(text, &s.not_needed, &m, 2).next().is_some();
        if not_needed {
            return Grade {
                level: if s.has_reason { 3 } else { 0 },
                negated: !s.has_reason,
                hedged: false,
                justified_not_needed: s.has_reason,
            };
        }
        if negated || hedged {
            return Grade { level: 0, negated, hedged, justified_not_needed: false };
        }
        let next = self.block_text(block).sentences.get(idx + 1);
        let strong = s.strong || next.is_some_and(|n| n.strong);
        let referenced = s.referenced || next.is_some_and(|n| n.referenced);
        // A reference on its own shows the artefact exists (L2); with a status, L3.
        let level = match (strong, referenced) {
            (true, true) => 3,
            (true, false) | (false, true) => 2,
            (false, false) => 1,
        };
        Grade { level, negated: false, hedged: false, justified_not_needed: false }
    }

    /// True when the sentence holding `m` says that what `m` names is left out ("AI features
    /// are excluded from scope"), or the next sentence does while speaking of it ("Both
    /// suppliers showed AI features. These are out of scope for alpha.").
    pub fn is_excluded(&self, text: &str, block: usize, m: Range<usize>) -> bool {
        let Some((idx, s)) = self.sentence_of(block, m.start) else {
            return false;
        };
        if s.exclusions.iter().any(|c| !contrast(&text[gap(c, &m)])) {
            return true;
        }
        let Some(next) = self.block_text(block).sentences.get(idx + 1) else {
            return false;
        };
        let opening = text[next.range.clone()].trim_start();
        let refers_back = self.vocab.cues.refers_back.iter().any(|cue| {
            opening.get(..cue.len()).is_some_and(|o| o.eq_ignore_ascii_case(cue))
                && opening[cue.len()..].chars().next().is_none_or(|c| !c.is_alphanumeric())
        });
        refers_back && next.exclusions.iter().any(|c| !contrast(&text[next.range.start..c.start]))
    }

    /// True when the match is negated (for triggers and forbid rules, where hedges do not matter).
    pub fn is_negated(&self, text: &str, block: usize, m: Range<usize>) -> bool {
        let g = self.grade(text, block, m);
        g.negated
    }
}

// Cue lists are a matcher's leftmost, non-overlapping matches, so sorted by start and by
// end. The words between a cue and a match only grow with distance, so each search stops
// at the first cue too far away: a sentence of 20,000 cues costs a few cues per match, not
// 20,000 (a one-sentence megabyte took minutes).

/// Cues that end before `m` within `window` words of it, nearest first.
fn before<'a>(text: &'a str, cues: &'a [Range<usize>], m: &'a Range<usize>, window: usize) -> impl Iterator<Item = &'a Range<usize>> {
    let end = cues.partition_point(|c| c.end <= m.start);
    cues[..end].iter().rev().take_while(move |c| words_at_most(text, c.end, m.start, window))
}

/// Cues that start after `m` within `window` words of it, nearest first.
fn after<'a>(text: &'a str, cues: &'a [Range<usize>], m: &'a Range<usize>, window: usize) -> impl Iterator<Item = &'a Range<usize>> {
    let start = cues.partition_point(|c| c.start < m.end);
    cues[start..].iter().take_while(move |c| words_at_most(text, m.end, c.start, window))
}

/// Cues that overlap `m` or lie within `window` words of it on either side.
fn near<'a>(text: &'a str, cues: &'a [Range<usize>], m: &'a Range<usize>, window: usize) -> impl Iterator<Item = &'a Range<usize>> {
    let first = cues.partition_point(|c| c.end <= m.start);
    let overlapping = &cues[first..cues.partition_point(|c| c.start < m.end).max(first)];
    overlapping.iter().chain(before(text, cues, m, window)).chain(after(text, cues, m, window))
}

/// The text between a cue and a match, whichever comes first.
fn gap(cue: &Range<usize>, m: &Range<usize>) -> Range<usize> {
    if cue.end <= m.start {
        cue.end..m.start
    } else if cue.start >= m.end {
        m.end..cue.start
    } else {
        m.start..m.start
    }
}

/// Whether `text[from..to]` holds at most `limit` words (runs with a letter or digit),
/// reading no further than the word after the limit.
fn words_at_most(text: &str, from: usize, to: usize, limit: usize) -> bool {
    text.get(from..to).is_some_and(|s| s.split_whitespace().filter(|w| w.chars().any(char::is_alphanumeric)).nth(limit).is_none())
}

/// True when `between` (a negation's end to a term's start) is a short first item, "or" or
/// "nor", and at most one word: the term is the second item of a negated list ("no
/// profiling or automated decision-making"), not the subject of a new clause ("no
/// internet or smartphone can phone us").
fn second_list_item(between: &str) -> bool {
    let mut from_end = between.split_whitespace().rev();
    let Some(after_or) = from_end.position(|w| matches!(w, "or" | "nor")) else {
        return false;
    };
    after_or <= 1 && (1..=LIST_ITEM_WORDS).contains(&from_end.count())
}

/// "Residents who cannot go online can phone": a negation right after "who", "which" or
/// "that" belongs to the relative clause, not to what follows it.
fn in_relative_clause(text: &str, cue_start: usize) -> bool {
    let before = text[..cue_start].trim_end();
    let last = before.rsplit(|c: char| !c.is_alphanumeric()).next().unwrap_or("").to_ascii_lowercase();
    matches!(last.as_str(), "who" | "which" | "that" | "whom" | "whose")
}

/// A comma, semicolon, colon, bracket or "but" between cue and term ends the cue's reach.
fn clause_break(between: &str) -> bool {
    between.contains([',', ';', ':', '(', ')']) || between.contains(" but ") || between.contains(" however ")
}

/// "but", "however", "whereas", "while" or a semicolon: what comes after speaks of something else.
fn contrast(between: &str) -> bool {
    between.contains(';') || [" but ", " however", " whereas ", " while "].iter().any(|w| between.contains(w))
}

fn analyse(text: &str, kind: BlockKind, vocab: &Vocab, scan: Option<&Scan>) -> BlockText {
    let ranges = split_sentences(text, kind);
    let cues = &vocab.cues;
    let q = &vocab.qualifiers;
    let collect = |m: &Matcher| -> Vec<Range<usize>> { m.find_iter_scanned(scan, text).map(|m| m.range()).collect() };
    let negations = collect(&cues.negation);
    let negations_after = cues.negation_after.as_ref().map(collect).unwrap_or_default();
    let hedges = collect(&cues.hedge);
    let deferrals = collect(&cues.deferral);
    let not_needed = collect(&cues.not_needed);
    let exclusions = cues.excluded.as_ref().map(collect).unwrap_or_default();
    let reasons = collect(&cues.reasons);
    // A status word inside a promise ("will be completed") says what is to come, not what is.
    let status = collect(&q.status);
    let promises = if status.is_empty() { Vec::new() } else { collect(&q.plan) };
    let done = status.into_iter().filter(|s| !within_one(&promises, s));
    let mut strong: Vec<Range<usize>> = done.chain([&q.owner, &q.date].iter().flat_map(|re| collect(re))).collect();
    strong.sort_by_key(|m| (m.start, m.end));
    let refs = collect(&q.reference);
    // Lists are sorted by start: search, not scan, so long blocks stay linear.
    let within = |list: &[Range<usize>], r: &Range<usize>| -> Vec<Range<usize>> {
        let from = list.partition_point(|m| m.start < r.start);
        list[from..].iter().take_while(|m| m.start <= r.end).filter(|m| m.end <= r.end).cloned().collect()
    };
    let sentences = ranges
        .into_iter()
        .map(|r| Sentence {
            negations: within(&negations, &r),
            negations_after: within(&negations_after, &r),
            hedges: within(&hedges, &r),
            deferrals: within(&deferrals, &r),
            not_needed: within(&not_needed, &r),
            exclusions: within(&exclusions, &r),
            has_reason: !within(&reasons, &r).is_empty(),
            strong: !within(&strong, &r).is_empty(),
            referenced: !within(&refs, &r).is_empty(),
            range: r,
        })
        .collect();
    BlockText { sentences }
}

/// True when `r` lies inside one of `sorted`, a list of ranges in order that do not overlap.
fn within_one(sorted: &[Range<usize>], r: &Range<usize>) -> bool {
    let after = sorted.partition_point(|m| m.start <= r.start);
    after > 0 && sorted[after - 1].end >= r.end
}

/// Sentences end at `.`, `!`, `?` or `;` followed by a space and a capital, a quote or a
/// bracket; a table row's cells are one sentence together.
pub fn split_sentences(text: &str, kind: BlockKind) -> Vec<Range<usize>> {
    if kind == BlockKind::TableRow {
        return std::iter::once(0..text.len()).collect();
    }
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut start = 0;
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        // A semicolon joins clauses of one sentence: "A + B" may span it.
        if matches!(b, b'.' | b'!' | b'?') {
            let mut j = i + 1;
            while j < bytes.len() && matches!(bytes[j], b'"' | b'\'' | b')') {
                j += 1;
            }
            if j < bytes.len() && bytes[j] == b' ' {
                let mut k = j;
                while k < bytes.len() && bytes[k] == b' ' {
                    k += 1;
                }
                let next_starts = k < bytes.len() && (bytes[k].is_ascii_uppercase() || matches!(bytes[k], b'"' | b'(' | b'['));
                if next_starts && !is_abbreviation(&text[start..=i]) {
                    out.push(start..j);
                    start = k;
                    i = k;
                    continue;
                }
            }
        }
        i += 1;
    }
    if start < text.len() {
        out.push(start..text.len());
    }
    if out.is_empty() {
        out.push(0..text.len());
    }
    out
}

fn is_abbreviation(sentence: &str) -> bool {
    let last = sentence.split_whitespace().next_back().unwrap_or("").to_ascii_lowercase();
    matches!(
        last.as_str(),
        "e.g."
            | "i.e."
            | "etc."
            | "cf."
            | "vs."
            | "art."
            | "no."
            | "mr."
            | "mrs."
            | "ms."
            | "dr."
            | "st."
            | "para."
            | "sec."
            | "approx."
            | "incl."
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_sentences_but_not_abbreviations() {
        let text = "We did it. See e.g. Art. 35 here; then more. Last!";
        let s: Vec<&str> = split_sentences(text, BlockKind::Prose).into_iter().map(|r| &text[r]).collect();
        assert_eq!(s, vec!["We did it.", "See e.g. Art. 35 here; then more.", "Last!"]);
    }

    #[test]
    fn a_negation_reaches_the_second_item_of_its_list_only() {
        assert!(second_list_item(" automated decision-making or algorithmic "));
        assert!(second_list_item(" profiling or "));
        assert!(!second_list_item(" internet or smartphone can "));
        assert!(!second_list_item(" or "));
        assert!(!second_list_item(" change to how the service works or "));
        assert!(!second_list_item(" automated decision-making and "));
    }
}
