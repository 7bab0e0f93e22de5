//! Diagnostics: what every check and every failure of the tool produces, and what every
//! renderer consumes.

use crate::source::FileId;
use crate::span::Span;
use serde::Serialize;
use std::fmt;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Info,
    Warning,
    Error,
}

impl Severity {
    pub fn parse(s: &str) -> Option<Severity> {
        match s {
            "error" => Some(Severity::Error),
            "warning" => Some(Severity::Warning),
            "info" => Some(Severity::Info),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "info",
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Label {
    pub file: FileId,
    pub span: Span,
    pub message: String,
}

/// One finding. `principle` is `None` for the tool's own `PL` diagnostics and for
/// governance rules that belong to an enabler only.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnostic {
    pub rule: String,
    pub name: String,
    pub principle: Option<String>,
    pub enabler: Option<String>,
    pub severity: Severity,
    pub message: String,
    pub primary: Label,
    pub secondary: Vec<Label>,
    pub why: Option<String>,
    pub help: Option<String>,
    pub standards: Vec<String>,
    /// The canonical section the finding concerns, for fingerprints and grouping.
    pub section: Option<String>,
    /// An advisory note from a rule that is satisfied (evidence found outside its usual
    /// section); never a failure of the rule.
    pub advisory: bool,
    /// Set when a governance board's waiver accepts this finding: shown, never a failure.
    pub waived: Option<Waived>,
    /// How `check --fix` resolves the finding, when it can.
    pub fix: Option<Fix>,
}

/// A change that resolves a finding. The engine says what to change; `fix.rs` writes the
/// text, in the file's own line endings.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Fix {
    /// Add the canonical section `section` at byte offset `at` (Markdown: a heading of
    /// `level`; TOML forms: a new `[sections.*]` table at the end).
    InsertSection { at: usize, section: String, level: u8 },
    /// Replace `span`, which must still read `expect`, with `text`.
    Replace { span: Span, expect: String, text: String },
}

/// The board decision that accepted a finding.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Waived {
    pub reason: String,
    pub approved_by: String,
    pub decision: Option<String>,
    pub expires: Option<String>,
    /// Where the waiver is recorded: the proposal itself or a register file.
    pub source: String,
}

/// The tool's own diagnostics: problems with input, not with the proposal's substance.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ToolCode {
    UnreadableFile,
    InvalidUtf8,
    FileTooLarge,
    InvalidToml,
    InvalidRulePack,
    NotAProposal,
    UnclosedFrontMatter,
    UnsupportedEncoding,
    SectionInferred,
    InvalidFrontMatter,
    InvalidConfig,
    SuppressionWithoutReason,
    UnusedSuppression,
    WaiverExpired,
    UnusedWaiver,
    WaiverUnknownRule,
    WaiverIncomplete,
}

impl ToolCode {
    pub fn id(self) -> &'static str {
        match self {
            ToolCode::UnreadableFile => "PL001",
            ToolCode::InvalidUtf8 => "PL002",
            ToolCode::FileTooLarge => "PL003",
            ToolCode::InvalidToml => "PL004",
            ToolCode::InvalidRulePack => "PL005",
            ToolCode::NotAProposal => "PL006",
            ToolCode::UnclosedFrontMatter => "PL007",
            ToolCode::UnsupportedEncoding => "PL008",
            ToolCode::InvalidFrontMatter => "PL009",
            ToolCode::InvalidConfig => "PL010",
            ToolCode::SectionInferred => "PL100",
            ToolCode::SuppressionWithoutReason => "PL201",
            ToolCode::UnusedSuppression => "PL202",
            ToolCode::WaiverExpired => "PL203",
            ToolCode::UnusedWaiver => "PL204",
            ToolCode::WaiverUnknownRule => "PL205",
            ToolCode::WaiverIncomplete => "PL206",
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            ToolCode::UnreadableFile => "unreadable-file",
            ToolCode::InvalidUtf8 => "invalid-utf8",
            ToolCode::FileTooLarge => "file-too-large",
            ToolCode::InvalidToml => "invalid-toml",
            ToolCode::InvalidRulePack => "invalid-rule-pack",
            ToolCode::NotAProposal => "not-a-proposal",
            ToolCode::UnclosedFrontMatter => "unclosed-front-matter",
            ToolCode::UnsupportedEncoding => "unsupported-encoding",
            ToolCode::InvalidFrontMatter => "invalid-front-matter",
            ToolCode::InvalidConfig => "invalid-config",
            ToolCode::SectionInferred => "section-topic-inferred",
            ToolCode::SuppressionWithoutReason => "suppression-without-reason",
            ToolCode::UnusedSuppression => "unused-suppression",
            ToolCode::WaiverExpired => "waiver-expired",
            ToolCode::UnusedWaiver => "unused-waiver",
            ToolCode::WaiverUnknownRule => "waiver-unknown-rule",
            ToolCode::WaiverIncomplete => "waiver-incomplete",
        }
    }

    pub fn severity(self) -> Severity {
        match self {
            ToolCode::SectionInferred => Severity::Info,
            ToolCode::SuppressionWithoutReason | ToolCode::UnusedSuppression | ToolCode::UnusedWaiver => Severity::Warning,
            _ => Severity::Error,
        }
    }
}

impl Diagnostic {
    pub fn tool(code: ToolCode, file: FileId, span: Span, message: impl Into<String>) -> Self {
        Diagnostic {
            rule: code.id().to_string(),
            name: code.name().to_string(),
            principle: None,
            enabler: None,
            severity: code.severity(),
            message: message.into(),
            primary: Label { file, span, message: String::new() },
            secondary: Vec::new(),
            why: None,
            help: None,
            standards: Vec::new(),
            section: None,
            advisory: false,
            waived: None,
            fix: None,
        }
    }

    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    pub fn with_label(mut self, message: impl Into<String>) -> Self {
        self.primary.message = message.into();
        self
    }

    pub fn is_tool(&self) -> bool {
        self.rule.starts_with("PL")
    }
}
