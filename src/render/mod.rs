//! Renderers: one module per output format, each a pure function from a report to text.

mod concise;
mod human;
mod json;

use crate::check::FileEntry;
use crate::diag::{Diagnostic, Severity};
use crate::rules::{RuleSet, PRINCIPLES};
use crate::source::SourceDb;

pub use human::render_diagnostic;

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum OutputFormat {
    Human,
    Concise,
    Json,
}

/// Everything a renderer may show about one run.
pub struct Report<'a> {
    pub db: &'a SourceDb,
    pub files: &'a [FileEntry],
    pub diagnostics: &'a [Diagnostic],
    pub rules: Option<&'a RuleSet>,
}

#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Counts {
    pub errors: usize,
    pub warnings: usize,
    pub infos: usize,
}

impl Report<'_> {
    pub fn counts(&self) -> Counts {
        let mut c = Counts::default();
        for d in self.diagnostics {
            match d.severity {
                Severity::Error => c.errors += 1,
                Severity::Warning => c.warnings += 1,
                Severity::Info => c.infos += 1,
            }
        }
        c
    }

    /// Errors and warnings per principle, in the framework's order.
    pub fn per_principle(&self) -> Vec<(&'static str, usize, usize)> {
        PRINCIPLES
            .iter()
            .map(|p| {
                let of = |s: Severity| self.diagnostics.iter().filter(|d| d.severity == s && d.principle.as_deref() == Some(*p)).count();
                (*p, of(Severity::Error), of(Severity::Warning))
            })
            .collect()
    }

    pub fn path_of(&self, d: &Diagnostic) -> &str {
        &self.db.get(d.primary.file).path
    }
}

pub struct RenderOptions {
    pub color: bool,
}

pub fn render(format: OutputFormat, report: &Report<'_>, options: &RenderOptions) -> String {
    match format {
        OutputFormat::Human => human::render(report, options.color),
        OutputFormat::Concise => concise::render(report),
        OutputFormat::Json => json::render(report),
    }
}

/// Replaces terminal control characters in proposal text so it cannot move the cursor,
/// change colours or rewrite a line in someone's terminal.
pub fn neutralise(text: &str) -> String {
    text.chars().map(|c| if c.is_control() && c != '\n' && c != '\t' { '\u{FFFD}' } else { c }).collect()
}
