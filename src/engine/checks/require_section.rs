//! `require-section`: a canonical section exists with enough real text.

use crate::diag::{Diagnostic, Fix, Severity};
use crate::engine::Ctx;
use crate::rules::Rule;
use crate::sections::{count_keywords, counted, Catalog, KeywordHit};

pub(super) fn run(ctx: &Ctx<'_>, rule: &Rule, severity: Severity, sections: &[String], min_words: usize) -> Vec<Diagnostic> {
    let proposal = ctx.proposal;
    let candidates: Vec<usize> =
        (0..proposal.sections.len()).filter(|&i| proposal.sections[i].ids.iter().any(|id| sections.contains(id))).collect();
    let words = ctx.real_words();
    let counted: Vec<(usize, usize)> = candidates.iter().map(|&i| (i, words[i])).collect();
    if counted.iter().any(|&(_, words)| words >= min_words) {
        return Vec::new();
    }
    let title = ctx.set.catalog.title(&sections[0]);
    // Real proposals put topics under headings of their own ("Running the service" for
    // security): a section that is substantially about one of the rule's topics counts,
    // with a note.
    if let Some((i, id)) = sections.iter().find_map(|id| covered_elsewhere(ctx, id, min_words).map(|i| (i, id))) {
        let heading = &proposal.sections[i].heading;
        let topic = ctx.set.catalog.title(id);
        let mut d = ctx.diagnostic(
            rule,
            Severity::Info,
            format!("the {} topic is covered under '{heading}'; a '{topic}' heading helps reviewers find it", topic.to_lowercase()),
            proposal.sections[i].heading_span,
            format!("reads as the '{topic}' section"),
        );
        d.advisory = true;
        return vec![d];
    }
    if let Some(&(i, words)) = counted.iter().max_by_key(|&&(_, w)| w) {
        let section = &proposal.sections[i];
        let label = if words == 0 {
            "this section has no real text (only placeholders, comments or nothing)".to_string()
        } else {
            format!("only {words} word{} of real text here; at least {min_words} expected", if words == 1 { "" } else { "s" })
        };
        let message = format!("{} (the '{}' section is a stub)", rule.message, section.heading);
        return vec![ctx.diagnostic(rule, severity, message, section.heading_span, label)];
    }
    let at = ctx.insertion_point(&sections[0]);
    let mut d = ctx.diagnostic(rule, severity, rule.message.clone(), at, format!("a '{title}' section belongs here"));
    d.fix = Some(Fix::InsertSection { at: at.start, section: sections[0].clone(), level: ctx.insertion_level(&sections[0]) });
    d.secondary.extend(ctx.title_label(format!("this proposal has no '{title}' section")));
    vec![d]
}

/// A section (any heading) whose own text uses at least three distinct topic keywords of
/// `id` and has enough real words.
fn covered_elsewhere(ctx: &Ctx<'_>, id: &str, min_words: usize) -> Option<usize> {
    let def = ctx.set.catalog.sections.iter().find(|s| s.id == id)?;
    let keywords = ctx.section_keywords.get_or_init(|| SectionKeywords::new(ctx));
    let words = ctx.real_words();
    let n = ctx.proposal.sections.len();
    let sections = &ctx.proposal.sections;
    let about: Vec<usize> = (0..n).filter(|&i| def.keywords_found(&keywords.subtree[i]) >= 3 && words[i] >= min_words).collect();
    // The deepest such section: the title's subtree holds every topic of the proposal. One
    // walk up from each marks the sections that have a qualifying one below them.
    let mut has_deeper = vec![false; n];
    for &j in &about {
        for a in std::iter::successors(sections[j].parent, |&a| sections[a].parent) {
            if std::mem::replace(&mut has_deeper[a], true) {
                break;
            }
        }
    }
    let best = about.iter().copied().find(|&i| !has_deeper[i]);
    // Spread across the proposal rather than in one place: still covered, if widely.
    best.or_else(|| {
        if def.keywords_found(&keywords.whole) < 4 {
            return None;
        }
        (0..n).max_by_key(|&i| def.keywords_found(&keywords.own[i]))
    })
}

/// The catalogue's keywords found in each section's own text, its subtree's and the whole
/// proposal's, read once per proposal for every rule that asks.
pub(crate) struct SectionKeywords {
    own: Vec<Vec<usize>>,
    subtree: Vec<Vec<usize>>,
    whole: Vec<usize>,
}

impl SectionKeywords {
    fn new(ctx: &Ctx<'_>) -> SectionKeywords {
        let proposal = ctx.proposal;
        let blocks = proposal.blocks.iter().filter(|b| b.kind.is_evidence()).map(|b| (b.text.to_lowercase(), b.section));
        let parents: Vec<Option<usize>> = proposal.sections.iter().map(|s| s.parent).collect();
        SectionKeywords::read(&ctx.set.catalog, blocks, &parents)
    }

    /// From each evidence block's text (lower case) and section, and each section's parent.
    fn read(catalog: &Catalog, blocks: impl Iterator<Item = (String, Option<usize>)>, parents: &[Option<usize>]) -> SectionKeywords {
        let n = parents.len();
        // The evidence blocks joined by spaces. A section's own text, and its subtree's, is
        // the run of it holding its blocks: one search of the whole finds what each contains
        // (searching every subtree's text again cost a pass per level).
        let mut whole = String::new();
        let mut pieces: Vec<(usize, usize, Option<usize>)> = Vec::new();
        for (text, section) in blocks {
            if !whole.is_empty() {
                whole.push(' ');
            }
            let start = whole.len();
            whole.push_str(&text);
            pieces.push((start, whole.len(), section));
        }
        let (mut own, mut subtree) = (vec![Run::default(); n], vec![Run::default(); n]);
        for (p, &(start, end, section)) in pieces.iter().enumerate() {
            if let Some(s) = section {
                own[s].add(p, start, end);
            }
            for i in self_and_ancestors(parents, section) {
                subtree[i].add(p, start, end);
            }
        }
        let found = Found::new(catalog, &whole);
        // A section whose blocks are not one run (TOML can reopen a table later) is read
        // from its own joined text, made in one more pass over the blocks.
        let mut own_text: Vec<Option<String>> = own.iter().map(|r| r.broken.then(String::new)).collect();
        let mut subtree_text: Vec<Option<String>> = subtree.iter().map(|r| r.broken.then(String::new)).collect();
        if own.iter().chain(&subtree).any(|r| r.broken) {
            let join = |into: &mut Option<String>, text: &str| {
                if let Some(into) = into {
                    if !into.is_empty() {
                        into.push(' ');
                    }
                    into.push_str(text);
                }
            };
            for &(start, end, section) in &pieces {
                if let Some(s) = section {
                    join(&mut own_text[s], &whole[start..end]);
                }
                for i in self_and_ancestors(parents, section) {
                    join(&mut subtree_text[i], &whole[start..end]);
                }
            }
        }
        let present = |runs: &[Run], texts: &[Option<String>]| -> Vec<Vec<usize>> {
            runs.iter()
                .zip(texts)
                .map(|(run, text)| match (text, run.span) {
                    (Some(text), _) => catalog.keywords_present(text),
                    (None, Some((start, end))) => found.within(start, end),
                    (None, None) => Vec::new(),
                })
                .collect()
        };
        SectionKeywords { own: present(&own, &own_text), subtree: present(&subtree, &subtree_text), whole: found.within(0, whole.len()) }
    }
}

/// `section` and the sections above it, nearest first.
fn self_and_ancestors(parents: &[Option<usize>], section: Option<usize>) -> impl Iterator<Item = usize> + '_ {
    std::iter::successors(section, |&i| parents[i])
}

/// Where one section's text lies in the joined text of the whole proposal.
#[derive(Debug, Clone, Default)]
struct Run {
    /// From its first block with text to its last block.
    span: Option<(usize, usize)>,
    last_piece: usize,
    /// A block of another section comes between two of its blocks.
    broken: bool,
}

impl Run {
    fn add(&mut self, piece: usize, start: usize, end: usize) {
        match &mut self.span {
            // Joining skips leading empty text, separators and all.
            None if start == end => {}
            None => self.span = Some((start, end)),
            Some(span) => {
                self.broken |= piece != self.last_piece + 1;
                span.1 = end;
            }
        }
        self.last_piece = piece;
    }
}

/// Every occurrence of every keyword in a text, by where it starts.
struct Found {
    hits: Vec<KeywordHit>,
    keywords: usize,
}

impl Found {
    fn new(catalog: &Catalog, text: &str) -> Found {
        let mut hits = catalog.keyword_occurrences(text);
        hits.sort_unstable();
        Found { hits, keywords: catalog.keyword_count() }
    }

    /// The keywords (by index, in order) that start a word in `text[start..end]`, read as
    /// `Catalog::keyword_counts` reads a text of its own.
    fn within(&self, start: usize, end: usize) -> Vec<usize> {
        let first = self.hits.partition_point(|h| h.start < start);
        let inside = self.hits[first..].iter().take_while(|h| h.start < end).filter(|h| h.end <= end);
        counted(&count_keywords(inside, self.keywords, start))
    }
}

/// A block that says nothing but "TBC", "N/A", "lorem ipsum" and the like.
pub(crate) fn is_placeholder_text(ctx: &Ctx<'_>, text: &str) -> bool {
    let re = &ctx.set.vocab.cues.placeholders;
    if !re.is_match(text) {
        return false;
    }
    if text.to_lowercase().contains("lorem ipsum") {
        return true;
    }
    let remaining = re.replace_all(text, " ");
    remaining.split_whitespace().filter(|w| w.chars().any(char::is_alphanumeric)).count() <= 3
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Each section's own and subtree text joined the plain way, then searched.
    fn joined(catalog: &Catalog, blocks: &[(&str, Option<usize>)], parents: &[Option<usize>]) -> SectionKeywords {
        let text = |keep: &dyn Fn(Option<usize>) -> bool| {
            let mut out = String::new();
            for (t, _) in blocks.iter().filter(|(_, s)| keep(*s)) {
                if !out.is_empty() {
                    out.push(' ');
                }
                out.push_str(t);
            }
            catalog.keywords_present(&out)
        };
        let n = parents.len();
        SectionKeywords {
            own: (0..n).map(|i| text(&|s| s == Some(i))).collect(),
            subtree: (0..n).map(|i| text(&|s| self_and_ancestors(parents, s).any(|a| a == i))).collect(),
            whole: text(&|_| true),
        }
    }

    #[test]
    fn one_search_finds_what_each_section_text_holds() {
        let keywords = ["risk", "risks", "data protection", "a a", "security"];
        let catalog = Catalog::with_keywords(&keywords);
        // Section 1 and 2 are children of 0; section 0 is reopened after section 2 (as a
        // TOML table can be), and empty blocks lead and sit between.
        let parents = [None, Some(0), Some(0), None];
        let blocks: Vec<(&str, Option<usize>)> = vec![
            ("intro risk", None),
            ("", Some(0)),
            ("data", Some(0)),
            ("protection of risks", Some(1)),
            ("xa a a", Some(1)),
            ("", Some(2)),
            ("security", Some(2)),
            ("a", Some(0)),
            ("a brisk", Some(3)),
        ];
        let fast = SectionKeywords::read(&catalog, blocks.iter().map(|(t, s)| (t.to_string(), *s)), &parents);
        let slow = joined(&catalog, &blocks, &parents);
        assert_eq!(fast.own, slow.own);
        assert_eq!(fast.subtree, slow.subtree);
        assert_eq!(fast.whole, slow.whole);
        // What the blocks are for: a phrase across two blocks of one subtree, and a
        // reopened section whose own text is not one run.
        let id = |k: &str| keywords.iter().position(|w| *w == k).unwrap();
        assert!(fast.subtree[0].contains(&id("data protection")));
        assert!(!fast.own[0].contains(&id("data protection")));
    }
}
