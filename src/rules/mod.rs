//! Rule packs: loading, validation and the compiled rule set. Packs are data; this module
//! knows the closed set of check kinds and nothing about any particular rule.

mod builtin;
mod compile;
pub mod language;
pub mod matcher;
mod schema;
pub mod select;

use crate::diag::{Diagnostic, Severity};
use crate::model::{Format, Value};
use crate::sections::Catalog;
use crate::source::SourceDb;
use crate::span::Span;
use std::collections::BTreeMap;
use std::path::Path;

pub use builtin::BUILTIN;
pub use language::{FieldPredicate, FieldTest, Vocab};
pub use matcher::Matcher;

pub const PRINCIPLES: [&str; 6] = ["democratic", "ethical", "inclusive", "sustainable", "cyber-resilient", "user-centric"];
pub const ENABLERS: [&str; 6] = ["data", "connectivity", "leadership", "capability", "collaboration", "value"];
pub const STAGES: [&str; 6] = ["idea", "discovery", "alpha", "beta", "live", "retire"];

#[derive(Debug, Clone)]
pub struct FieldSpec {
    pub key: String,
    pub ty: Option<String>,
    pub allowed: Vec<Value>,
    pub required: bool,
}

/// A metadata record that counts as evidence: `assessments.dpia = { status, ref, date }`,
/// or a table (or array of tables) that must hold every key of `with`, such as
/// `[[measures]]` with `baseline` and `target`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Record {
    pub key: String,
    pub with: Vec<String>,
}

impl std::fmt::Display for Record {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "`{}`", self.key)?;
        if !self.with.is_empty() {
            let keys: Vec<String> = self.with.iter().map(|k| format!("`{k}`")).collect();
            write!(f, " with {}", keys.join(" and "))?;
        }
        Ok(())
    }
}

#[derive(Debug, Clone)]
pub enum Check {
    RequireSection {
        sections: Vec<String>,
        min_words: usize,
    },
    RequireEvidence {
        matcher: Matcher,
        with: Option<Matcher>,
        sections: Vec<String>,
        min_level: u8,
        /// Metadata records that count as evidence, such as `assessments.dpia`.
        fields: Vec<Record>,
    },
    Forbid {
        matcher: Matcher,
        sections: Vec<String>,
        suggest: Option<String>,
        /// What `check --fix` writes in place of a match.
        replace: Option<String>,
        negated_too: bool,
    },
    RequireField {
        fields: Vec<FieldSpec>,
        alternative: Option<Matcher>,
    },
    Consistency {
        field: String,
        equals: Value,
        matcher: Matcher,
        negated: bool,
        label: String,
    },
}

impl Check {
    pub fn kind(&self) -> &'static str {
        match self {
            Check::RequireSection { .. } => "require-section",
            Check::RequireEvidence { .. } => "require-evidence",
            Check::Forbid { .. } => "forbid",
            Check::RequireField { .. } => "require-field",
            Check::Consistency { .. } => "consistency",
        }
    }

    /// True for checks that report missing evidence, which corroboration may turn into notes.
    pub fn reports_absence(&self) -> bool {
        matches!(self, Check::RequireSection { .. } | Check::RequireEvidence { .. } | Check::RequireField { .. })
    }

    /// The canonical sections the rule is about, first one preferred for insertion points.
    pub fn sections(&self) -> &[String] {
        match self {
            Check::RequireSection { sections, .. } | Check::RequireEvidence { sections, .. } | Check::Forbid { sections, .. } => sections,
            _ => &[],
        }
    }
}

#[derive(Debug, Clone, Default)]
pub struct When {
    pub triggers: Vec<usize>,
    pub all_triggers: Vec<usize>,
    pub stages: Vec<String>,
    pub nations: Vec<String>,
    pub field: Option<FieldPredicate>,
    pub matcher: Option<Matcher>,
}

impl When {
    pub fn is_empty(&self) -> bool {
        self.triggers.is_empty()
            && self.all_triggers.is_empty()
            && self.stages.is_empty()
            && self.nations.is_empty()
            && self.field.is_none()
            && self.matcher.is_none()
    }
}

/// Triggers under which a "not needed" statement, whatever its reason, does not answer the
/// rule: a DPIA for special category data is required, not optional.
#[derive(Debug, Clone)]
pub struct NotNeededRefused {
    /// Indices into `Vocab::triggers`; any one fired refuses a "not needed".
    pub triggers: Vec<usize>,
    /// Why, added to the finding's message.
    pub note: String,
}

/// Other rules whose evidence answers this one too: when one of them is met, this rule's
/// findings become an advisory note that says so.
#[derive(Debug, Clone)]
pub struct CoveredBy {
    /// The covering rules' ids as written, and where.
    pub ids: Vec<(String, Span)>,
    /// Their indices into `RuleSet::rules`, filled in once every pack is loaded.
    pub rules: Vec<usize>,
    /// Why the evidence counts, added to the note.
    pub note: String,
}

/// A stage's override: `None` severity means the rule is off at that stage.
#[derive(Debug, Clone, Copy)]
pub struct StageOverride {
    pub severity: Option<Option<Severity>>,
    pub min_level: Option<u8>,
}

#[derive(Debug, Clone)]
pub struct Example {
    pub expect_fail: bool,
    pub text: String,
    pub format: Format,
    /// Span of the example table in its pack, for failures of `test-rules`.
    pub span: Span,
}

#[derive(Debug, Clone)]
pub struct Rule {
    pub id: String,
    pub name: String,
    pub principle: Option<String>,
    pub enabler: Option<String>,
    pub severity: Severity,
    pub message: String,
    pub why: String,
    pub help: String,
    pub standards: Vec<String>,
    pub check: Check,
    pub when: When,
    pub stages: BTreeMap<String, StageOverride>,
    pub covered_by: Option<CoveredBy>,
    /// Triggers under which a justified "not needed" still does not answer the rule.
    pub not_needed_refused: Option<NotNeededRefused>,
    pub examples: Vec<Example>,
    /// The pack file (repository-relative for built-in packs) and the rule's span in it.
    pub pack: String,
    pub span: Span,
}

impl Rule {
    /// Severity and minimum evidence level at a stage; `None` when the rule is off there.
    pub fn at_stage(&self, stage: Option<&str>) -> Option<(Severity, u8)> {
        let base_level = match &self.check {
            Check::RequireEvidence { min_level, .. } => *min_level,
            _ => 1,
        };
        let ov = stage.and_then(|s| self.stages.get(s));
        let severity = match ov.and_then(|o| o.severity) {
            Some(s) => s?,
            None => self.severity,
        };
        Some((severity, ov.and_then(|o| o.min_level).unwrap_or(base_level)))
    }
}

#[derive(Debug, Clone)]
pub struct PackInfo {
    pub path: String,
    pub principle: Option<String>,
    pub prefix: String,
    pub title: String,
    pub summary: String,
    pub corroboration: Option<Corroboration>,
}

/// A board judges a principle as a whole: when fewer than `min_rules` of the pack's rules
/// report on a proposal and at least as many are met, its missing-evidence findings are
/// notes, since one or two missing items do not send an otherwise evidenced case back.
/// Stated practices (`forbid`) and contradictions (`consistency`) always stand.
#[derive(Debug, Clone)]
pub struct Corroboration {
    pub min_rules: usize,
    /// Why the findings are notes, added to their message.
    pub note: String,
}

/// Everything a run needs to check proposals, compiled once.
#[derive(Debug, Clone)]
pub struct RuleSet {
    pub rules: Vec<Rule>,
    pub packs: Vec<PackInfo>,
    pub vocab: Vocab,
    pub catalog: Catalog,
}

impl RuleSet {
    pub fn rule(&self, id: &str) -> Option<&Rule> {
        self.rules.iter().find(|r| r.id == id || r.name == id)
    }
}

/// Where rules come from: the embedded packs unless `no_builtin`, plus each user directory.
#[derive(Debug, Clone, Default)]
pub struct RuleSources<'a> {
    pub no_builtin: bool,
    pub dirs: &'a [std::path::PathBuf],
}

/// Loads and validates every pack. All problems are collected; the set is returned only
/// when there are none.
pub fn load(sources: &RuleSources<'_>, db: &mut SourceDb) -> Result<RuleSet, Vec<Diagnostic>> {
    let mut files: Vec<(String, String)> = Vec::new();
    let mut diags = Vec::new();
    if !sources.no_builtin {
        files.extend(BUILTIN.iter().map(|(p, t)| ((*p).to_string(), (*t).to_string())));
    }
    for dir in sources.dirs {
        match read_pack_dir(dir) {
            Ok(found) => files.extend(found),
            Err(message) => diags.push(compile::plain_error(message)),
        }
    }
    if !diags.is_empty() {
        return Err(diags);
    }
    compile::compile_all(files, db)
}

/// Compiles packs given as `(path, text)` pairs, exactly as `load` does after reading them
/// (for the rule-pack fuzzer and tests of the loader).
pub fn load_texts(files: Vec<(String, String)>, db: &mut SourceDb) -> Result<RuleSet, Vec<Diagnostic>> {
    compile::compile_all(files, db)
}

fn read_pack_dir(dir: &Path) -> Result<Vec<(String, String)>, String> {
    let entries = std::fs::read_dir(dir).map_err(|e| format!("cannot read rule directory {}: {e}", dir.display()))?;
    let mut paths: Vec<_> =
        entries.filter_map(Result::ok).map(|e| e.path()).filter(|p| p.extension().is_some_and(|x| x == "toml")).collect();
    paths.sort();
    let mut out = Vec::new();
    for path in paths {
        let text = std::fs::read_to_string(&path).map_err(|e| format!("cannot read rule pack {}: {e}", path.display()))?;
        out.push((crate::walk::display_path(&path), text));
    }
    Ok(out)
}
