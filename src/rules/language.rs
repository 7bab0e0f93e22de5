//! The shared vocabulary from `rules/language.toml`, compiled once per run: cue lists for
//! negation, hedging and placeholders, evidence-strength qualifiers, and trigger lexicons.

use super::matcher::{Dialect, Matcher, Prefilter, Source};
use crate::model::{Proposal, Value};
use crate::parse::Aliases;

#[derive(Debug, Clone)]
pub struct Cues {
    pub negation: Matcher,
    pub negation_after: Option<Matcher>,
    pub hedge: Matcher,
    pub deferral: Matcher,
    pub not_needed: Matcher,
    pub reasons: Matcher,
    pub placeholders: Matcher,
    /// Labels and headings that introduce what a proposal leaves out ("Out of scope:"),
    /// lower case and never empty: a mention there does not make a rule apply.
    pub out_of_scope: Vec<String>,
    /// Anywhere in a sentence: what it names is left out of the proposal ("AI features are
    /// excluded from scope").
    pub excluded: Option<Matcher>,
    /// Openings of a sentence that speaks of the one before ("These are out of scope"),
    /// lower case and never empty.
    pub refers_back: Vec<String>,
}

impl Cues {
    /// Whether `text` starts with an out-of-scope label: the cue, then a colon or dash
    /// ("Out: lift lines", "**Out of scope** - CCTV" once markup is gone).
    pub fn out_of_scope_label(&self, text: &str) -> bool {
        let text = without_numbering(text);
        // Most blocks open with a letter no cue starts with: lower-casing the whole block
        // to learn that was 1% of a run.
        let first = text.chars().next().and_then(|c| c.to_lowercase().next());
        if !first.is_some_and(|c| self.out_of_scope.iter().any(|cue| cue.starts_with(c))) {
            return false;
        }
        // Only the opening characters can hold a cue: no character lower-cases to nothing,
        // so a cue of n characters is read from at most n of the text's. Lower-casing the
        // rest of a long paragraph for every match in it was quadratic.
        let longest = self.out_of_scope.iter().map(|cue| cue.chars().count()).max().unwrap_or(0);
        let cut = text.char_indices().nth(longest).map_or(text.len(), |(i, _)| i);
        let (opening, after) = text.split_at(cut);
        let lower = opening.to_lowercase();
        let separator = |t: &str| t.starts_with([':', '-', '\u{2013}', '\u{2014}']);
        self.out_of_scope.iter().any(|cue| {
            lower.strip_prefix(cue.as_str()).is_some_and(|rest| match rest.trim_start() {
                "" => separator(after.trim_start()),
                rest => separator(rest),
            })
        })
    }

    /// Whether a heading is about what is left out: the whole heading is a cue ("Out of
    /// scope", "3. Exclusions"), or starts with a cue of several words.
    pub fn out_of_scope_heading(&self, heading: &str) -> bool {
        let lower = without_numbering(heading).trim_end_matches([':', ' ']).to_lowercase();
        self.out_of_scope.iter().any(|cue| {
            lower == *cue
                || (cue.contains(' ')
                    && lower.strip_prefix(cue.as_str()).is_some_and(|rest| rest.chars().next().is_none_or(|c| !c.is_alphanumeric())))
        })
    }
}

#[derive(Debug, Clone)]
pub struct Qualifiers {
    pub status: Matcher,
    pub plan: Matcher,
    pub owner: Matcher,
    pub reference: Matcher,
    pub date: Matcher,
}

/// A metadata condition: the field has this value, one of these, is non-empty, positive,
/// or (for arrays) contains one of these.
#[derive(Debug, Clone, PartialEq)]
pub enum FieldTest {
    Equals(Value),
    In(Vec<Value>),
    NonEmpty,
    Positive,
    Contains(Vec<String>),
}

#[derive(Debug, Clone)]
pub struct FieldPredicate {
    pub key: String,
    pub test: FieldTest,
}

impl FieldPredicate {
    pub fn holds(&self, proposal: &Proposal) -> Option<crate::span::Span> {
        let field = proposal.field(&self.key)?;
        let ok = match &self.test {
            FieldTest::Equals(v) => loosely_equal(&field.value, v),
            FieldTest::In(vs) => vs.iter().any(|v| loosely_equal(&field.value, v)),
            FieldTest::NonEmpty => match &field.value {
                Value::Array(a) => !a.is_empty(),
                Value::Table => true,
                v => !v.is_empty(),
            },
            FieldTest::Positive => field.value.as_number().is_some_and(|n| n > 0.0),
            FieldTest::Contains(items) => match &field.value {
                Value::Array(a) => {
                    a.iter().any(|v| v.as_text().is_some_and(|t| items.iter().any(|i| normalise_enum(&t) == normalise_enum(i))))
                }
                other => other.as_text().is_some_and(|t| items.iter().any(|i| normalise_enum(&t).contains(&normalise_enum(i)))),
            },
        };
        ok.then_some(field.span)
    }
}

pub fn normalise_enum(s: &str) -> String {
    s.trim().to_lowercase().replace([' ', '-'], "_")
}

/// Compares metadata as a reviewer would: `true` equals "yes", "SaaS" equals "saas".
pub fn loosely_equal(actual: &Value, expected: &Value) -> bool {
    match expected {
        Value::Bool(b) => actual.as_bool() == Some(*b),
        Value::Int(_) | Value::Float(_) => actual.as_number() == expected.as_number(),
        Value::Str(s) => actual.as_text().is_some_and(|a| normalise_enum(&a) == normalise_enum(s)),
        _ => actual == expected,
    }
}

#[derive(Debug, Clone)]
pub struct Trigger {
    pub id: String,
    pub label: String,
    pub fields: Vec<FieldPredicate>,
    pub matcher: Option<Matcher>,
}

#[derive(Debug, Clone)]
pub struct Vocab {
    pub cues: Cues,
    pub qualifiers: Qualifiers,
    pub dialect: Dialect,
    pub aliases: Aliases,
    pub triggers: Vec<Trigger>,
    /// Every matcher's literals, for one search per block (built once the rules are compiled).
    pub prefilter: Prefilter,
}

impl Vocab {
    pub fn trigger(&self, id: &str) -> Option<&Trigger> {
        self.triggers.iter().find(|t| t.id == id)
    }

    pub fn trigger_index(&self, id: &str) -> Option<usize> {
        self.triggers.iter().position(|t| t.id == id)
    }
}

/// A cue list as whole-word phrases in one matcher (an empty list matches nothing).
pub(crate) fn cue_matcher(dialect: &Dialect, cues: &[String]) -> Matcher {
    Matcher::new(dialect, cues.iter().map(|c| Source::Term(c)).collect()).unwrap_or_default()
}

pub(crate) fn toml_to_value(v: &toml::Value) -> Value {
    match v {
        toml::Value::String(s) => Value::Str(s.clone()),
        toml::Value::Integer(i) => Value::Int(*i),
        toml::Value::Float(f) => Value::Float(*f),
        toml::Value::Boolean(b) => Value::Bool(*b),
        toml::Value::Datetime(d) => Value::Date(d.to_string()),
        toml::Value::Array(a) => Value::Array(a.iter().map(toml_to_value).collect()),
        toml::Value::Table(_) => Value::Table,
    }
}

/// Text without a leading list or section number ("3.2 ", "4) ").
fn without_numbering(text: &str) -> &str {
    text.trim_start().trim_start_matches(|c: char| c.is_ascii_digit() || c == '.' || c == ')').trim_start()
}

#[cfg(test)]
mod tests {
    /// Only the opening words count, in any case, after numbering, before a colon or dash.
    #[test]
    fn out_of_scope_labels_open_a_block() {
        let mut db = crate::source::SourceDb::default();
        let set = crate::rules::load(&crate::rules::RuleSources::default(), &mut db).unwrap();
        let cues = &set.vocab.cues;
        let read_in_full = |text: &str| {
            let lower = super::without_numbering(text).to_lowercase();
            cues.out_of_scope.iter().any(|cue| {
                lower.strip_prefix(cue.as_str()).is_some_and(|rest| rest.trim_start().starts_with([':', '-', '\u{2013}', '\u{2014}']))
            })
        };
        for (text, label) in [
            ("Out of scope: CCTV", true),
            ("  3. OUT OF SCOPE \u{2013} CCTV", true),
            ("Exclusions - none", true),
            ("Not in scope   : the website", true),
            ("The out of scope items: CCTV", false),
            ("Outcomes: better", false),
            ("Out", false),
            ("", false),
            ("\u{130}ncluded: nothing", false),
            ("\u{3a3}: sigma", false),
        ] {
            assert_eq!(cues.out_of_scope_label(text), label, "{text:?}");
            assert_eq!(read_in_full(text), label, "{text:?}");
        }
        // Only the opening is lower-cased: white space before the colon may run past it,
        // and a long paragraph reads the same.
        let longest = cues.out_of_scope.iter().map(|c| c.chars().count()).max().unwrap();
        let long_paragraph = format!("out of scope items {}", "and more ".repeat(10_000));
        for (text, label) in [
            (format!("Out of scope{}: CCTV", " ".repeat(longest * 3)), true),
            (format!("Out of scope{}- CCTV", "\n ".repeat(longest)), true),
            (format!("Out of scope{}x: CCTV", " ".repeat(longest * 3)), false),
            (format!("Exclusions: {}", "\u{130}".repeat(longest * 2)), true),
            (format!("{}: CCTV", "\u{130}".repeat(longest * 2)), false),
            (long_paragraph, false),
        ] {
            assert_eq!(cues.out_of_scope_label(&text), label, "{text:?}");
            assert_eq!(read_in_full(&text), label, "{text:?}");
        }
    }
}
