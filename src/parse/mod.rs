//! From a read file to a `Proposal`: picks the parser by format. Parse problems become
//! diagnostics; a parser never fails the run.

mod frontmatter;
mod markdown;
mod toml;

use crate::diag::Diagnostic;
use crate::model::{Format, Proposal};
use crate::source::{FileId, SourceFile};
use std::collections::BTreeMap;

pub use self::toml::has_proposal_table;

/// Inline and shorthand metadata keys mapped onto schema key paths (from `language.toml`).
#[derive(Debug, Clone, Default)]
pub struct Aliases {
    map: BTreeMap<String, String>,
}

impl Aliases {
    pub fn new(map: BTreeMap<String, String>) -> Self {
        Aliases { map }
    }

    /// The schema key for a raw key such as "Senior Responsible Owner" or "sro".
    pub fn resolve(&self, raw: &str) -> Option<String> {
        let key = markdown::normalise_key(raw);
        self.map.get(&key).cloned()
    }

    fn top_level(&self, key: &str) -> Option<&String> {
        self.map.get(key)
    }
}

pub fn parse(file: &SourceFile, id: FileId, format: Format, aliases: &Aliases, diags: &mut Vec<Diagnostic>) -> Proposal {
    match format {
        Format::Markdown => markdown::parse(file, id, aliases, diags),
        Format::Toml => toml::parse(file, id, aliases, diags),
    }
}
