//! The one section model shared by Markdown and TOML proposals. Parsers fill it; the
//! section classifier adds canonical ids; the rule engine only reads it. No parser type
//! appears here.

use crate::span::Span;
use std::ops::Range;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Format {
    Markdown,
    Toml,
}

impl Format {
    pub fn as_str(self) -> &'static str {
        match self {
            Format::Markdown => "markdown",
            Format::Toml => "toml",
        }
    }
}

/// A metadata value, typed as far as the carrier allows (inline `**Key:**` lines give strings).
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    Str(String),
    Bool(bool),
    Int(i64),
    Float(f64),
    Date(String),
    Array(Vec<Value>),
    Table,
}

impl Value {
    pub fn type_name(&self) -> &'static str {
        match self {
            Value::Str(_) => "string",
            Value::Bool(_) => "bool",
            Value::Int(_) => "integer",
            Value::Float(_) => "number",
            Value::Date(_) => "date",
            Value::Array(_) => "array",
            Value::Table => "table",
        }
    }

    /// Truthiness as a board would read it: `true`, "yes", "true" and "y" are true.
    pub fn as_bool(&self) -> Option<bool> {
        match self {
            Value::Bool(b) => Some(*b),
            Value::Str(s) => match s.trim().to_ascii_lowercase().as_str() {
                "true" | "yes" | "y" => Some(true),
                "false" | "no" | "n" | "none" => Some(false),
                _ => None,
            },
            _ => None,
        }
    }

    pub fn as_text(&self) -> Option<String> {
        match self {
            Value::Str(s) | Value::Date(s) => Some(s.clone()),
            Value::Bool(b) => Some(b.to_string()),
            Value::Int(i) => Some(i.to_string()),
            Value::Float(f) => Some(f.to_string()),
            _ => None,
        }
    }

    pub fn as_number(&self) -> Option<f64> {
        match self {
            Value::Int(i) => Some(*i as f64),
            Value::Float(f) => Some(*f),
            Value::Str(s) => s.trim().replace(',', "").parse().ok(),
            _ => None,
        }
    }

    pub fn is_empty(&self) -> bool {
        match self {
            Value::Str(s) => s.trim().is_empty(),
            Value::Array(a) => a.is_empty(),
            _ => false,
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct Field {
    /// Dotted key path after alias resolution, e.g. `data.personal_data`.
    pub key: String,
    pub value: Value,
    pub span: Span,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BlockKind {
    Prose,
    ListItem,
    TableRow,
    /// A block quotation: read as evidence, but not as the author's own wording.
    Quote,
    Code,
    Comment,
    Html,
}

impl BlockKind {
    /// Text of these kinds is kept in the model but never counts as evidence.
    pub fn is_evidence(self) -> bool {
        matches!(self, BlockKind::Prose | BlockKind::ListItem | BlockKind::TableRow | BlockKind::Quote)
    }
}

/// A piece of plain text and where it came from: `len` bytes of plain text starting at
/// `plain` stand for `src_len` bytes of the file at `src`. When `exact`, the two are the
/// same bytes; otherwise (an escape, an entity) the whole piece maps to the whole range.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Segment {
    pub plain: usize,
    pub len: usize,
    pub src: usize,
    pub src_len: usize,
    pub exact: bool,
}

/// A paragraph, list item, table row, code block or comment: the unit sentences live in.
#[derive(Clone, Debug, PartialEq)]
pub struct Block {
    pub kind: BlockKind,
    /// Index of the innermost section holding the block; `None` before the first section.
    pub section: Option<usize>,
    pub text: String,
    pub segments: Vec<Segment>,
}

impl Block {
    pub fn new(kind: BlockKind) -> Self {
        Block { kind, section: None, text: String::new(), segments: Vec::new() }
    }

    /// Appends text that is a verbatim copy of the file at `src`.
    pub fn push_exact(&mut self, text: &str, src: usize) {
        self.push(text, src, text.len(), true);
    }

    pub fn push(&mut self, text: &str, src: usize, src_len: usize, exact: bool) {
        if text.is_empty() {
            return;
        }
        self.segments.push(Segment { plain: self.text.len(), len: text.len(), src, src_len, exact });
        self.text.push_str(text);
    }

    /// Source span of a byte range of the plain text.
    pub fn source_span(&self, plain: Range<usize>) -> Span {
        let start = self.map(plain.start, false);
        let end = self.map(plain.end, true).max(start);
        Span::new(start, end)
    }

    fn map(&self, at: usize, is_end: bool) -> usize {
        if self.segments.is_empty() {
            return 0;
        }
        let idx = match self.segments.binary_search_by(|s| s.plain.cmp(&at)) {
            Ok(i) => {
                if is_end && i > 0 {
                    i - 1
                } else {
                    i
                }
            }
            Err(0) => 0,
            Err(i) => i - 1,
        };
        let seg = self.segments[idx];
        let within = at.saturating_sub(seg.plain).min(seg.len);
        if seg.exact {
            seg.src + within
        } else if is_end && within > 0 || within >= seg.len {
            seg.src + seg.src_len
        } else {
            seg.src
        }
    }

    pub fn span(&self) -> Span {
        self.source_span(0..self.text.len())
    }

    /// Where the source lines holding plain offsets start in the plain text, for offsets
    /// asked in increasing order: one pass over the segments for a block's matches, where
    /// a search from the first segment for each was quadratic in a long paragraph.
    pub fn line_starts(&self) -> LineStarts<'_> {
        LineStarts { block: self, next_segment: 0, line_start: 0, last_asked: 0 }
    }
}

/// The line starts of one block, read forward (see `Block::line_starts`).
pub struct LineStarts<'a> {
    block: &'a Block,
    next_segment: usize,
    line_start: usize,
    last_asked: usize,
}

impl LineStarts<'_> {
    /// Where the source line holding plain offset `at` starts. Soft line breaks read as
    /// spaces, so they are found from the segments: a one-space piece that stands for a
    /// line break in the file.
    pub fn of(&mut self, at: usize) -> usize {
        if at < self.last_asked {
            self.next_segment = 0;
            self.line_start = 0;
        }
        self.last_asked = at;
        let block = self.block;
        while let Some(s) = block.segments.get(self.next_segment).filter(|s| s.plain < at) {
            if !s.exact && s.len == 1 && (1..=2).contains(&s.src_len) && block.text.as_bytes()[s.plain] == b' ' {
                self.line_start = s.plain + 1;
            }
            self.next_segment += 1;
        }
        self.line_start
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct Section {
    pub heading: String,
    pub heading_span: Span,
    pub level: u8,
    pub parent: Option<usize>,
    /// Canonical ids (`security`, `data_protection`, ...); several when a heading joins topics.
    pub ids: Vec<String>,
    /// True when the ids were inferred from the words rather than matched from a synonym.
    pub inferred: bool,
    /// Where the section's subtree ends: an insertion point for content after it.
    pub end: usize,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Title {
    pub text: String,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Proposal {
    pub format: Format,
    pub title: Option<Title>,
    pub fields: Vec<Field>,
    /// Span of the metadata block (front matter or the `[proposal]` table), if any.
    pub metadata_span: Option<Span>,
    pub sections: Vec<Section>,
    pub blocks: Vec<Block>,
    /// Offset where content appended to the document would go.
    pub end: usize,
}

impl Proposal {
    pub fn new(format: Format, end: usize) -> Self {
        Proposal { format, title: None, fields: Vec::new(), metadata_span: None, sections: Vec::new(), blocks: Vec::new(), end }
    }

    /// Looks a metadata key up; a key may also be nested under `proposal.`.
    pub fn field(&self, key: &str) -> Option<&Field> {
        self.fields.iter().find(|f| f.key == key).or_else(|| self.fields.iter().find(|f| f.key.strip_prefix("proposal.") == Some(key)))
    }

    /// All fields at or below `key` (a table's members, an array of tables' entries).
    pub fn fields_under<'a>(&'a self, key: &'a str) -> impl Iterator<Item = &'a Field> + 'a {
        self.fields
            .iter()
            .filter(move |f| f.key == key || f.key.strip_prefix(key).is_some_and(|rest| rest.starts_with('.') || rest.starts_with('[')))
    }

    /// True when `section` is `ancestor` or lies inside it.
    pub fn is_within(&self, mut section: usize, ancestor: usize) -> bool {
        loop {
            if section == ancestor {
                return true;
            }
            match self.sections[section].parent {
                Some(p) => section = p,
                None => return false,
            }
        }
    }

    /// The canonical ids that apply to a block: its section's and every ancestor's.
    pub fn block_section_ids(&self, block: &Block) -> Vec<&str> {
        let mut ids = Vec::new();
        let mut cur = block.section;
        while let Some(i) = cur {
            ids.extend(self.sections[i].ids.iter().map(String::as_str));
            cur = self.sections[i].parent;
        }
        ids
    }

    pub fn stage(&self) -> Option<String> {
        let declared = self
            .field("proposal.stage")
            .and_then(|f| f.value.as_text())
            .or_else(|| self.field("proposal.business_case_stage").and_then(|f| f.value.as_text()));
        match declared {
            Some(stage) => normalise_stage(&stage),
            None => self.title.as_ref().and_then(|t| stage_from_title(&t.text)),
        }
    }

    pub fn nation(&self) -> Option<String> {
        let nation = self.field("proposal.nation")?.value.as_text()?;
        let n = nation.trim().to_ascii_lowercase().replace([' ', '-'], "_");
        Some(n)
    }
}

/// Metadata a board reads first, as (label, metadata key) pairs; shown when present.
const FACTS: [(&str, &str); 9] = [
    ("Council", "proposal.council"),
    ("Reference", "proposal.id"),
    ("Senior responsible owner", "governance.sro"),
    ("Service owner", "governance.service_owner"),
    ("Service area", "proposal.service_area"),
    ("Stage", "proposal.stage"),
    ("Nation", "proposal.nation"),
    ("Date", "proposal.date"),
    ("Decision by", "governance.decision_maker"),
];

/// Declarations that switch conditional rules on; shown even when absent, as "not declared".
const DECLARATIONS: [(&str, &str); 3] =
    [("Personal data", "data.personal_data"), ("Uses AI", "ai.uses_ai"), ("Public-facing service", "service.public_facing")];

impl Proposal {
    /// What the proposal says about itself, as (label, value) text in plain English: who
    /// owns it, its stage (with the stage proplint read it as), nation, and what it declares
    /// about personal data, AI and the public.
    pub fn facts(&self) -> Vec<(String, String)> {
        let mut out = Vec::new();
        for (label, key) in FACTS {
            let value = if key == "proposal.stage" {
                self.field(key)
                    .or_else(|| self.field("proposal.business_case_stage"))
                    .and_then(|f| f.value.as_text())
                    .map(|raw| match self.stage() {
                        Some(read) if !raw.trim().eq_ignore_ascii_case(&read) => format!("{raw} (read as {read})"),
                        _ => raw,
                    })
                    .or_else(|| self.stage().map(|read| format!("{read} (read from the title)")))
            } else {
                self.person_or_text(key)
            };
            if let Some(v) = value.filter(|v| !v.trim().is_empty()) {
                out.push((label.to_string(), readable(&v)));
            }
        }
        for (label, key) in DECLARATIONS {
            let value = self.field(key).map(|f| match f.value.as_bool() {
                Some(true) => "Yes".to_string(),
                Some(false) => "No".to_string(),
                None => f.value.as_text().unwrap_or_default(),
            });
            out.push((label.to_string(), value.filter(|v| !v.trim().is_empty()).unwrap_or_else(|| "Not declared".into())));
        }
        out
    }

    /// A text value, or a person table (`{ name, role }`) as "name, role".
    fn person_or_text(&self, key: &str) -> Option<String> {
        let field = self.field(key)?;
        if field.value != Value::Table {
            return field.value.as_text();
        }
        let part = |k: &str| self.field(&format!("{}.{k}", field.key)).and_then(|f| f.value.as_text());
        let parts: Vec<String> = [part("name"), part("role")].into_iter().flatten().collect();
        (!parts.is_empty()).then(|| parts.join(", "))
    }
}

/// Closed-set values such as `cabinet_member` or `england` read as words.
fn readable(value: &str) -> String {
    if value.bytes().all(|b| b.is_ascii_lowercase() || b == b'_') {
        let words = value.replace('_', " ");
        let mut chars = words.chars();
        chars.next().map(|c| c.to_ascii_uppercase().to_string() + chars.as_str()).unwrap_or_default()
    } else {
        value.to_string()
    }
}

/// The stage a title names as the kind of document it is ("Coroner case files: discovery
/// report", "Outline business case: ..."); a stage word alone ("Live chat") says nothing.
fn stage_from_title(title: &str) -> Option<String> {
    const KINDS: [&str; 14] = [
        "discovery report",
        "discovery write-up",
        "discovery findings",
        "discovery summary",
        "alpha assessment",
        "alpha report",
        "beta assessment",
        "live assessment",
        "strategic outline case",
        "strategic outline business case",
        "outline business case",
        "full business case",
        "(alpha)",
        "(beta)",
    ];
    let lower = title.to_lowercase();
    KINDS
        .iter()
        .filter_map(|kind| lower.find(kind).map(|at| (at, *kind)))
        .min_by_key(|&(at, _)| at)
        .and_then(|(_, kind)| normalise_stage(kind))
}

/// Maps free-text stages onto the closed set; the phase being requested wins
/// ("Discovery complete, seeking approval for alpha" is `alpha`).
pub fn normalise_stage(raw: &str) -> Option<String> {
    let lower = raw.to_ascii_lowercase();
    const STAGES: [(&str, &str); 14] = [
        ("full business case", "beta"),
        ("outline business case", "alpha"),
        ("strategic outline", "discovery"),
        ("pre-discovery", "idea"),
        ("fbc", "beta"),
        ("obc", "alpha"),
        ("soc", "discovery"),
        ("retire", "retire"),
        ("live", "live"),
        ("beta", "beta"),
        ("alpha", "alpha"),
        ("discovery", "discovery"),
        ("idea", "idea"),
        ("concept", "idea"),
    ];
    let words: Vec<&str> = lower.split(|c: char| !c.is_ascii_alphanumeric() && c != '-').filter(|w| !w.is_empty()).collect();
    let text = words.join(" ");
    // "seeking approval for alpha", "moving to beta": the requested phase is what follows.
    for marker in ["approval for", "approval to", "move to", "moving to", "into", "for", "to enter", "request"] {
        if let Some(pos) = text.find(marker) {
            let rest = &text[pos + marker.len()..];
            for (needle, stage) in STAGES {
                if rest.split(' ').any(|w| w == needle) || (needle.contains(' ') && rest.contains(needle)) {
                    return Some(stage.to_string());
                }
            }
        }
    }
    STAGES
        .iter()
        .map(|(needle, stage)| {
            let pos = if needle.contains(' ') { text.find(needle) } else { find_word(&text, needle) };
            (pos, *stage)
        })
        .filter_map(|(pos, stage)| pos.map(|p| (p, stage)))
        .min_by_key(|(p, _)| *p)
        .map(|(_, s)| s.to_string())
}

fn find_word(text: &str, word: &str) -> Option<usize> {
    let mut offset = 0;
    for w in text.split(' ') {
        if w == word {
            return Some(offset);
        }
        offset += w.len() + 1;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    /// "In: a\nOut: b *c*\r\nd": soft breaks of one and two bytes, and emphasis.
    fn block_of_three_lines() -> Block {
        let mut b = Block::new(BlockKind::Prose);
        b.push_exact("In: a", 0);
        b.push(" ", 5, 1, false);
        b.push_exact("Out: b ", 6);
        b.push_exact("c", 14);
        b.push(" ", 16, 2, false);
        b.push_exact("d", 18);
        b
    }

    #[test]
    fn line_starts_follow_soft_breaks_in_any_order_asked() {
        let b = block_of_three_lines();
        assert_eq!(b.text, "In: a Out: b c d");
        let expected = |at: usize| match at {
            0..=5 => 0,
            6..=14 => 6,
            _ => 15,
        };
        let mut forward = b.line_starts();
        for at in 0..=b.text.len() {
            assert_eq!(forward.of(at), expected(at), "at {at}");
        }
        let mut mixed = b.line_starts();
        for at in [16, 7, 7, 0, 15, 3, 12] {
            assert_eq!(mixed.of(at), expected(at), "at {at}");
        }
    }

    #[test]
    fn a_title_gives_the_stage_only_as_the_kind_of_document() {
        assert_eq!(stage_from_title("Coroner case files: discovery report").as_deref(), Some("discovery"));
        assert_eq!(stage_from_title("Outline Business Case: shared referral platform").as_deref(), Some("alpha"));
        assert_eq!(stage_from_title("Strategic Outline Business Case for libraries").as_deref(), Some("discovery"));
        assert_eq!(stage_from_title("Beta assessment and full business case: missed bins").as_deref(), Some("beta"));
        assert_eq!(stage_from_title("Live chat for council tax"), None);
        assert_eq!(stage_from_title("Alpha Road depot CCTV"), None);
    }

    #[test]
    fn the_facts_say_when_the_stage_was_read_from_the_title() {
        let mut p = Proposal::new(Format::Markdown, 0);
        p.title = Some(Title { text: "Coroner case files: discovery report".into(), span: Span::point(0) });
        assert_eq!(p.stage().as_deref(), Some("discovery"));
        assert!(p.facts().contains(&("Stage".to_string(), "discovery (read from the title)".to_string())), "{:?}", p.facts());
    }

    #[test]
    fn stage_takes_the_requested_phase() {
        assert_eq!(normalise_stage("Discovery complete, seeking approval for alpha").as_deref(), Some("alpha"));
        assert_eq!(normalise_stage("beta").as_deref(), Some("beta"));
        assert_eq!(normalise_stage("OBC").as_deref(), Some("alpha"));
        assert_eq!(normalise_stage("Private beta").as_deref(), Some("beta"));
        assert_eq!(normalise_stage("unknown"), None);
    }

    #[test]
    fn block_maps_plain_offsets_back() {
        let mut b = Block::new(BlockKind::Prose);
        b.push_exact("abc", 10);
        b.push(" ", 13, 2, false);
        b.push_exact("def", 15);
        assert_eq!(b.source_span(0..3), Span::new(10, 13));
        assert_eq!(b.source_span(4..7), Span::new(15, 18));
        assert_eq!(b.source_span(1..5), Span::new(11, 16));
    }
}
