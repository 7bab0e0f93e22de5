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

/// Lines with their breaks (LF, CRLF or a lone CR), as `source::LineIndex` counts them.
pub(crate) fn lines_inclusive(text: &str) -> impl Iterator<Item = &str> {
    let bytes = text.as_bytes();
    let mut start = 0;
    std::iter::from_fn(move || {
        if start >= text.len() {
            return None;
        }
        let mut end = start;
        while end < bytes.len() {
            let b = bytes[end];
            end += 1;
            if b == b'\n' {
                break;
            }
            if b == b'\r' {
                end += usize::from(bytes.get(end) == Some(&b'\n'));
                break;
            }
        }
        let line = &text[start..end];
        start = end;
        Some(line)
    })
}

pub fn parse(file: &SourceFile, id: FileId, format: Format, aliases: &Aliases, diags: &mut Vec<Diagnostic>) -> Proposal {
    match format {
        Format::Markdown => markdown::parse(file, id, aliases, diags),
        Format::Toml => toml::parse(file, id, aliases, diags),
    }
}
