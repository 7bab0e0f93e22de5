//! Raw serde shapes of the rule files, before validation. Spans are kept on every value a
//! load error may point at.

use serde::Deserialize;
use std::collections::BTreeMap;
use toml::Spanned;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawPackFile {
    pub pack: Spanned<RawPackHeader>,
    #[serde(default)]
    pub rule: Vec<Spanned<RawRule>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawPackHeader {
    pub principle: Option<Spanned<String>>,
    pub prefix: Spanned<String>,
    pub title: Option<String>,
    pub summary: Option<String>,
    pub corroboration: Option<Spanned<RawCorroboration>>,
}

/// How many of a pack's rules must report before its missing-evidence findings stand as
/// gaps rather than notes.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub(crate) struct RawCorroboration {
    pub min_rules: Spanned<usize>,
    pub note: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub(crate) struct RawRule {
    pub id: Spanned<String>,
    pub name: Spanned<String>,
    pub severity: Spanned<String>,
    pub check: Spanned<String>,
    pub message: String,
    pub why: String,
    pub help: String,
    #[serde(default)]
    pub standards: Vec<String>,
    pub enabler: Option<Spanned<String>>,
    #[serde(default)]
    pub sections: Vec<Spanned<String>>,
    pub min_words: Option<usize>,
    #[serde(default)]
    pub terms: Vec<Spanned<String>>,
    #[serde(default)]
    pub patterns: Vec<Spanned<String>>,
    #[serde(default)]
    pub with_terms: Vec<Spanned<String>>,
    #[serde(default)]
    pub with_patterns: Vec<Spanned<String>>,
    pub min_level: Option<Spanned<u8>>,
    pub suggest: Option<String>,
    /// forbid: text that `check --fix` puts in place of the match.
    pub replace: Option<String>,
    pub negated_too: Option<bool>,
    #[serde(default)]
    pub fields: Vec<Spanned<RawFieldSpec>>,
    pub field: Option<Spanned<String>>,
    pub equals: Option<toml::Value>,
    pub trigger: Option<Spanned<String>>,
    pub polarity: Option<Spanned<String>>,
    pub when: Option<Spanned<RawWhen>>,
    pub covered_by: Option<RawCoveredBy>,
    pub not_needed: Option<RawNotNeeded>,
    #[serde(default)]
    pub stage: BTreeMap<String, Spanned<RawStage>>,
    #[serde(default)]
    pub example: Vec<Spanned<RawExample>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawFieldSpec {
    pub key: String,
    #[serde(rename = "type")]
    pub ty: Option<String>,
    pub allowed: Option<Vec<toml::Value>>,
    pub required: Option<bool>,
    /// require-evidence: keys the record must hold (`baseline`, `target`).
    pub with: Option<Vec<String>>,
}

/// Rules whose evidence also answers this one (a signed-off DPIA records the lawful basis).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawCoveredBy {
    pub rules: Vec<Spanned<String>>,
    pub note: String,
}

/// When a "not needed" statement does not answer the rule, whatever its reason (a DPIA for
/// special category data).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub(crate) struct RawNotNeeded {
    pub refused_when: Vec<Spanned<String>>,
    pub note: String,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub(crate) struct RawWhen {
    #[serde(default)]
    pub triggers: Vec<Spanned<String>>,
    #[serde(default)]
    pub all_triggers: Vec<Spanned<String>>,
    #[serde(default)]
    pub stages: Vec<Spanned<String>>,
    #[serde(default)]
    pub nations: Vec<String>,
    pub field: Option<String>,
    pub equals: Option<toml::Value>,
    #[serde(rename = "in")]
    pub in_values: Option<Vec<toml::Value>>,
    #[serde(default)]
    pub terms: Vec<Spanned<String>>,
    #[serde(default)]
    pub patterns: Vec<Spanned<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub(crate) struct RawStage {
    pub severity: Option<Spanned<String>>,
    pub min_level: Option<u8>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawExample {
    pub expect: Spanned<String>,
    pub text: String,
    pub format: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub(crate) struct RawLanguage {
    pub cues: RawCues,
    pub qualifiers: RawQualifiers,
    #[serde(default)]
    pub macros: BTreeMap<String, String>,
    #[serde(default)]
    pub spelling: RawSpelling,
    #[serde(default)]
    pub aliases: BTreeMap<String, String>,
    #[serde(default)]
    pub trigger: Vec<Spanned<RawTrigger>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub(crate) struct RawCues {
    pub negation: Vec<String>,
    #[serde(default)]
    pub negation_after: Vec<String>,
    pub hedge: Vec<String>,
    #[serde(default)]
    pub deferral: Vec<String>,
    pub not_needed: Vec<String>,
    pub reasons: Vec<String>,
    pub placeholders: Vec<String>,
    #[serde(default)]
    pub out_of_scope: Vec<String>,
    #[serde(default)]
    pub excluded: Vec<String>,
    #[serde(default)]
    pub refers_back: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawQualifiers {
    pub status: Spanned<String>,
    pub plan: Spanned<String>,
    pub owner: Spanned<String>,
    #[serde(rename = "ref")]
    pub reference: Spanned<String>,
    pub date: Spanned<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawSpelling {
    #[serde(default)]
    pub pairs: Vec<(String, String)>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawTrigger {
    pub id: Spanned<String>,
    pub label: String,
    #[serde(default)]
    pub fields: Vec<RawFieldPredicate>,
    #[serde(default)]
    pub terms: Vec<Spanned<String>>,
    #[serde(default)]
    pub patterns: Vec<Spanned<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawFieldPredicate {
    pub key: String,
    pub equals: Option<toml::Value>,
    #[serde(rename = "in")]
    pub in_values: Option<Vec<toml::Value>>,
    pub nonempty: Option<bool>,
    pub positive: Option<bool>,
    pub contains: Option<Vec<String>>,
}
