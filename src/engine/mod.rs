//! The rule engine: runs compiled rules over one proposal and returns diagnostics. Each
//! check kind lives in its own module under `checks`; this module holds what they share:
//! trigger state, `when` conditions, evidence search and insertion points.

mod checks;
pub mod text;

use crate::diag::{Diagnostic, Label, Severity};
use crate::model::{BlockKind, Proposal};
use crate::rules::{Matcher, Rule, RuleSet};
use crate::source::FileId;
use crate::span::Span;
use text::{Analysis, Grade};

/// Where a trigger fired, if it did.
#[derive(Debug, Clone, Copy, Default)]
struct TriggerHit {
    field: Option<Span>,
    text: Option<Span>,
}

impl TriggerHit {
    fn fired(&self) -> bool {
        self.field.is_some() || self.text.is_some()
    }

    fn span(&self) -> Option<Span> {
        self.text.or(self.field)
    }
}

/// One match of an evidence pattern, graded.
#[derive(Debug, Clone)]
pub(crate) struct Hit {
    pub block: usize,
    pub span: Span,
    pub grade: Grade,
    pub in_sections: bool,
}

pub(crate) struct Ctx<'a> {
    pub proposal: &'a Proposal,
    pub file: FileId,
    pub set: &'a RuleSet,
    pub analysis: Analysis<'a>,
    triggers: Vec<TriggerHit>,
    pub stage: Option<String>,
    pub nation: Option<String>,
    /// Real words in each section's subtree, counted once per proposal on first use.
    real_words: std::sync::OnceLock<Vec<usize>>,
    /// Per block, whether it is in what the proposal says it leaves out.
    left_out: std::sync::OnceLock<Vec<bool>>,
    section_keywords: std::sync::OnceLock<checks::require_section::SectionKeywords>,
}

/// A proposal this large (bytes) is itself checked on all cores, a block or rule at a
/// time; below it, one file per core is cheaper.
const PARALLEL_WITHIN: usize = 512 * 1024;

/// What became of one rule on one proposal: the compliance checklist behind JUnit and
/// summary reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RuleStatus {
    /// Off at this stage, or its `when` condition does not hold.
    NotApplicable,
    /// Applied and found what it needs (advisory notes allowed).
    Met,
    /// Applied and reported at least one finding.
    Failed,
}

impl RuleStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            RuleStatus::NotApplicable => "not-applicable",
            RuleStatus::Met => "met",
            RuleStatus::Failed => "failed",
        }
    }
}

/// Diagnostics for one proposal, and the status of every selected rule (by index into
/// `set.rules`, in `selected` order).
#[derive(Debug, Clone, Default)]
pub struct Checked {
    pub diagnostics: Vec<Diagnostic>,
    pub statuses: Vec<(usize, RuleStatus)>,
}

/// What to run on one proposal: the selected rules (indices into `set.rules`), severity
/// overrides from configuration, and the stage and nation to assume when the proposal
/// declares none.
#[derive(Debug, Clone, Default)]
pub struct Options {
    pub selected: Vec<usize>,
    pub severity: std::collections::BTreeMap<usize, Severity>,
    pub default_stage: Option<String>,
    pub default_nation: Option<String>,
    /// The size (bytes) from which one proposal is checked on all cores; `None` for the
    /// default, 512 KB.
    pub parallel_from: Option<usize>,
}

impl Options {
    pub fn only(selected: Vec<usize>) -> Self {
        Options { selected, ..Options::default() }
    }
}

/// Runs the selected rules over one proposal.
pub fn check(proposal: &Proposal, file: FileId, set: &RuleSet, options: &Options) -> Checked {
    let parallel = proposal.end >= options.parallel_from.unwrap_or(PARALLEL_WITHIN);
    let analysis = Analysis::new(proposal, &set.vocab, parallel);
    let stage = proposal.stage().or_else(|| options.default_stage.clone());
    let nation = proposal.nation().or_else(|| options.default_nation.clone());
    let mut ctx = Ctx {
        proposal,
        file,
        set,
        analysis,
        triggers: Vec::new(),
        stage,
        nation,
        real_words: Default::default(),
        left_out: Default::default(),
        section_keywords: Default::default(),
    };
    ctx.triggers = in_order(&set.vocab.triggers, parallel, |t| ctx.trigger_hit(&t.fields, t.matcher.as_ref()));
    let mut results = in_order(&options.selected, parallel, |&i| (i, ctx.run_rule(i, options)));
    covered_by_others(set, &mut results);
    corroborate(set, options, &mut results);
    let mut out = Checked::default();
    for (i, result) in results {
        match result {
            Some(found) => {
                let failed = found.iter().any(|d| !d.advisory);
                out.statuses.push((i, if failed { RuleStatus::Failed } else { RuleStatus::Met }));
                out.diagnostics.extend(found);
            }
            None => out.statuses.push((i, RuleStatus::NotApplicable)),
        }
    }
    out
}

/// A rule whose `covered-by` rule is met (applied, nothing but notes) reports its findings
/// as notes: the covering evidence answers it ("the DPIA records the lawful basis").
fn covered_by_others(set: &RuleSet, results: &mut [(usize, Option<Vec<Diagnostic>>)]) {
    let mut met = vec![false; set.rules.len()];
    for (i, found) in results.iter() {
        met[*i] = found.as_ref().is_some_and(|found| found.iter().all(|d| d.advisory));
    }
    for (i, found) in results.iter_mut() {
        let Some(by) = &set.rules[*i].covered_by else {
            continue;
        };
        let Some(found) = found.as_mut().filter(|_| by.rules.iter().any(|&j| met[j])) else {
            continue;
        };
        for d in found.iter_mut().filter(|d| !d.advisory) {
            make_note(d, &by.note);
        }
    }
}

/// In a pack with `corroboration`, when fewer than `min_rules` of its rules report and at
/// least that many are met, the missing-evidence findings become notes. A severity the
/// user set in configuration is kept as set.
fn corroborate(set: &RuleSet, options: &Options, results: &mut [(usize, Option<Vec<Diagnostic>>)]) {
    for pack in &set.packs {
        let Some(corroboration) = &pack.corroboration else {
            continue;
        };
        let in_pack = |i: usize| set.rules[i].pack == pack.path;
        let (mut reporting, mut met) = (0, 0);
        for (i, found) in results.iter() {
            match found.as_ref().filter(|_| in_pack(*i)) {
                Some(found) if found.iter().any(|d| !d.advisory) => reporting += 1,
                Some(_) => met += 1,
                None => {}
            }
        }
        if reporting == 0 || reporting >= corroboration.min_rules || met < corroboration.min_rules {
            continue;
        }
        let verb = if reporting == 1 { "reports" } else { "report" };
        let note =
            format!("only {reporting} of the {} checks {verb} here and {met} are met: {}", pack.title.to_lowercase(), corroboration.note);
        for (i, found) in results.iter_mut() {
            let rule = &set.rules[*i];
            if !in_pack(*i) || !rule.check.reports_absence() || options.severity.contains_key(i) {
                continue;
            }
            for d in found.iter_mut().flatten().filter(|d| !d.advisory) {
                make_note(d, &note);
            }
        }
    }
}

/// A finding answered by other evidence: a note that says why, with no fix to apply.
fn make_note(d: &mut Diagnostic, why: &str) {
    d.severity = Severity::Info;
    d.advisory = true;
    d.fix = None;
    d.message = format!("{}; {why}", d.message);
}

/// `f` of every item, in order, worked out on all cores when `parallel`.
fn in_order<T: Sync, R: Send>(items: &[T], parallel: bool, f: impl Fn(&T) -> R + Sync + Send) -> Vec<R> {
    if parallel {
        use rayon::prelude::*;
        items.par_iter().map(f).collect()
    } else {
        items.iter().map(f).collect()
    }
}

impl<'a> Ctx<'a> {
    /// Rule `i`'s findings, or `None` when it does not apply.
    fn run_rule(&self, i: usize, options: &Options) -> Option<Vec<Diagnostic>> {
        let rule = &self.set.rules[i];
        let ((stage_severity, min_level), labels) =
            rule.at_stage(self.stage.as_deref()).and_then(|level| self.applies(rule).map(|labels| (level, labels)))?;
        let severity = options.severity.get(&i).copied().unwrap_or(stage_severity);
        let mut found = checks::run(self, rule, severity, min_level);
        for d in &mut found {
            if !d.advisory {
                d.secondary.extend(labels.iter().cloned());
            }
        }
        Some(found)
    }

    pub(crate) fn real_words(&self) -> &[usize] {
        self.real_words.get_or_init(|| {
            crate::sections::real_words(self.proposal, &|text: &str| checks::require_section::is_placeholder_text(self, text))
        })
    }

    fn trigger_hit(&self, fields: &[crate::rules::FieldPredicate], matcher: Option<&Matcher>) -> TriggerHit {
        let field = fields.iter().find_map(|p| p.holds(self.proposal));
        // The author has declared the opposite (`public_facing = false`): the text alone
        // does not override the declaration; consistency rules compare the two instead.
        let declared_false = field.is_none()
            && fields.iter().any(|p| {
                matches!(p.test, crate::rules::FieldTest::Equals(crate::model::Value::Bool(true)))
                    && self.proposal.field(&p.key).and_then(|f| f.value.as_bool()) == Some(false)
            });
        let text = if declared_false { None } else { matcher.and_then(|m| self.first_asserted(m)) };
        TriggerHit { field, text }
    }

    /// The first match in evidence text that is not negated and not in what the proposal
    /// says it leaves out.
    /// Per block, whether the proposal says it leaves it out: a list after "Out of scope:"
    /// (item by item, to the end of the list), or anything under an exclusions heading.
    fn left_out(&self) -> &[bool] {
        self.left_out.get_or_init(|| {
            let cues = &self.set.vocab.cues;
            let headings: Vec<bool> = self.proposal.sections.iter().map(|s| cues.out_of_scope_heading(&s.heading)).collect();
            let mut lead_in: Option<Option<usize>> = None;
            self.proposal
                .blocks
                .iter()
                .map(|block| {
                    if block.kind != BlockKind::ListItem {
                        lead_in = (block.kind == BlockKind::Prose && cues.out_of_scope_label(&block.text)).then_some(block.section);
                    }
                    let lead_in_excludes = lead_in == Some(block.section) && block.kind == BlockKind::ListItem;
                    lead_in_excludes || block.section.is_some_and(|s| headings[s])
                })
                .collect()
        })
    }

    pub(crate) fn first_asserted(&self, matcher: &Matcher) -> Option<Span> {
        let cues = &self.set.vocab.cues;
        let left_out = self.left_out();
        for (bi, block) in self.proposal.blocks.iter().enumerate() {
            if !block.kind.is_evidence() || left_out[bi] {
                continue;
            }
            let mut line_starts = block.line_starts();
            for m in self.analysis.find_iter(matcher, bi, &block.text) {
                // "In: ...", then "Out: ..." on the next line of one paragraph: the label
                // starts the match's own line.
                let line_start = line_starts.of(m.start());
                if !cues.out_of_scope_label(&block.text[line_start..])
                    && !self.analysis.is_negated(&block.text, bi, m.range())
                    && !self.analysis.is_excluded(&block.text, bi, m.range())
                {
                    return Some(block.source_span(m.range()));
                }
            }
        }
        None
    }

    /// The first match that is negated ("no personal data is processed").
    pub(crate) fn first_negated(&self, matcher: &Matcher) -> Option<Span> {
        for (bi, block) in self.proposal.blocks.iter().enumerate() {
            if !block.kind.is_evidence() {
                continue;
            }
            for m in self.analysis.find_iter(matcher, bi, &block.text) {
                if self.analysis.is_negated(&block.text, bi, m.range()) {
                    return Some(block.source_span(m.range()));
                }
            }
        }
        None
    }

    /// `None` when the rule does not apply; otherwise the labels that say why it does.
    fn applies(&self, rule: &Rule) -> Option<Vec<Label>> {
        let w = &rule.when;
        let mut labels = Vec::new();
        if !w.stages.is_empty() && !self.stage.as_ref().is_some_and(|s| w.stages.contains(s)) {
            return None;
        }
        if !w.nations.is_empty() && !self.nation.as_ref().is_some_and(|n| w.nations.contains(n)) {
            return None;
        }
        if !w.triggers.is_empty() {
            let hit = w.triggers.iter().find(|&&t| self.triggers[t].fired())?;
            labels.extend(self.trigger_label(*hit));
        }
        for &t in &w.all_triggers {
            if !self.triggers[t].fired() {
                return None;
            }
            labels.extend(self.trigger_label(t));
        }
        if let Some(p) = &w.field {
            let span = p.holds(self.proposal)?;
            labels.push(self.label(span, format!("because `{}` is set here", p.key)));
        }
        if let Some(m) = &w.matcher {
            let span = self.first_asserted(m)?;
            labels.push(self.label(span, "this is why the rule applies"));
        }
        labels.dedup_by(|a, b| a.span == b.span);
        Some(labels)
    }

    /// The trigger that refuses `rule` a "not needed" answer here, if one fired.
    pub(crate) fn refuses_not_needed(&self, rule: &Rule) -> Option<usize> {
        rule.not_needed_refused.as_ref()?.triggers.iter().copied().find(|&t| self.triggers[t].fired())
    }

    fn trigger_label(&self, index: usize) -> Option<Label> {
        let hit = self.triggers[index];
        let label = &self.set.vocab.triggers[index].label;
        hit.span().map(|span| self.label(span, label.clone()))
    }

    pub(crate) fn label(&self, span: Span, message: impl Into<String>) -> Label {
        Label { file: self.file, span, message: message.into() }
    }

    /// Every graded match of `matcher` (with `with` in the same sentence, if given).
    pub(crate) fn hits(&self, matcher: &Matcher, with: Option<&Matcher>, sections: &[String]) -> Vec<Hit> {
        let mut hits = Vec::new();
        for (bi, block) in self.proposal.blocks.iter().enumerate() {
            if !block.kind.is_evidence() {
                continue;
            }
            let mut in_sections = None;
            // Whether the last sentence asked about holds `with`: matches share sentences,
            // and asking again for each made a long unpunctuated block quadratic.
            let mut sentence_has_with: Option<(usize, bool)> = None;
            for m in self.analysis.find_iter(matcher, bi, &block.text) {
                if let Some(with) = with {
                    let Some((si, s)) = self.analysis.sentence_of(bi, m.start()) else {
                        continue;
                    };
                    let has_with = match sentence_has_with {
                        Some((known, has)) if known == si => has,
                        _ => {
                            let has = self.analysis.is_match_in(with, bi, &block.text, s.range.clone());
                            sentence_has_with = Some((si, has));
                            has
                        }
                    };
                    if !has_with {
                        continue;
                    }
                }
                let in_sections = *in_sections.get_or_insert_with(|| {
                    sections.is_empty() || self.proposal.block_section_ids(block).iter().any(|id| sections.iter().any(|s| s == id))
                });
                let grade = self.analysis.grade(&block.text, bi, m.range());
                hits.push(Hit { block: bi, span: block.source_span(m.range()), grade, in_sections });
            }
        }
        hits
    }

    /// The first section carrying one of `ids`, in document order.
    pub(crate) fn section_with(&self, ids: &[String]) -> Option<usize> {
        self.proposal.sections.iter().position(|s| s.ids.iter().any(|i| ids.contains(i)))
    }

    /// Where a missing section `id` belongs: after the nearest section that usually precedes
    /// it, else at the end of the document.
    pub(crate) fn insertion_point(&self, id: &str) -> Span {
        let catalog = &self.set.catalog;
        let Some(target) = catalog.position(id) else {
            return Span::point(self.proposal.end);
        };
        let mut best: Option<(usize, usize)> = None;
        for (i, s) in self.proposal.sections.iter().enumerate() {
            for sid in &s.ids {
                if let Some(pos) = catalog.position(sid) {
                    if pos < target && best.is_none_or(|(bp, _)| pos >= bp) {
                        best = Some((pos, i));
                    }
                }
            }
        }
        match best {
            Some((_, i)) => Span::point(self.proposal.sections[i].end),
            None => Span::point(self.proposal.end),
        }
    }

    /// The heading level a new section `id` takes at its insertion point: that of the
    /// catalogue section before it, else the level most recognised sections use, else 2.
    pub(crate) fn insertion_level(&self, id: &str) -> u8 {
        let catalog = &self.set.catalog;
        let sections = &self.proposal.sections;
        let target = catalog.position(id).unwrap_or(usize::MAX);
        let before = sections
            .iter()
            .filter_map(|s| s.ids.iter().filter_map(|sid| catalog.position(sid)).filter(|&p| p < target).max().map(|p| (p, s.level)))
            .max_by_key(|&(p, _)| p);
        if let Some((_, level)) = before {
            return level;
        }
        let mut counts = [0usize; 7];
        for s in sections.iter().filter(|s| !s.ids.is_empty() && (1..=6).contains(&s.level)) {
            counts[s.level as usize] += 1;
        }
        // Ties go to the higher level (fewer #), the one a title sits above.
        (1..=6).rev().max_by_key(|&l| counts[l]).filter(|&l| counts[l] > 0).map_or(2, |l| l as u8)
    }

    /// A secondary label on the title, or on the metadata when there is no title.
    pub(crate) fn title_label(&self, message: impl Into<String>) -> Option<Label> {
        let span = self.proposal.title.as_ref().map(|t| t.span).or(self.proposal.metadata_span)?;
        Some(self.label(span, message))
    }

    /// A diagnostic for `rule` with the rule's text filled in.
    pub(crate) fn diagnostic(
        &self,
        rule: &Rule,
        severity: Severity,
        message: String,
        primary: Span,
        label: impl Into<String>,
    ) -> Diagnostic {
        Diagnostic {
            rule: rule.id.clone(),
            name: rule.name.clone(),
            principle: rule.principle.clone(),
            enabler: rule.enabler.clone(),
            severity,
            message,
            primary: self.label(primary, label),
            secondary: Vec::new(),
            why: Some(rule.why.clone()),
            help: Some(rule.help.clone()),
            standards: rule.standards.clone(),
            section: rule.check.sections().first().cloned(),
            advisory: false,
            waived: None,
            fix: None,
        }
    }
}
