//! Markdown proposals: front matter, headings, blocks and inline metadata, with every
//! piece of text mapped back to its bytes in the file.

use super::{frontmatter, Aliases};
use crate::diag::{Diagnostic, ToolCode};
use crate::model::{Block, BlockKind, Field, Format, Proposal, Section, Title, Value};
use crate::source::{FileId, SourceFile};
use crate::span::Span;
use pulldown_cmark::{Event, HeadingLevel, Options, Parser, Tag, TagEnd};
use regex::Regex;
use std::sync::OnceLock;

pub(super) fn parse(file: &SourceFile, id: FileId, aliases: &Aliases, diags: &mut Vec<Diagnostic>) -> Proposal {
    let text = &file.text;
    let mut proposal = Proposal::new(Format::Markdown, trimmed_end(text));
    let mut body_start = file.bom_len();
    if let Some(fm) = frontmatter::split(text, body_start) {
        match fm {
            frontmatter::Split::Toml { inner, block, body } => {
                proposal.metadata_span = Some(block);
                super::toml::read_metadata(file, id, inner, aliases, &mut proposal, diags);
                body_start = body;
            }
            frontmatter::Split::Yaml { inner, block, body } => {
                proposal.metadata_span = Some(block);
                frontmatter::read_yaml(file, inner, aliases, &mut proposal);
                body_start = body;
            }
            frontmatter::Split::Unclosed { open } => {
                diags.push(
                    Diagnostic::tool(ToolCode::UnclosedFrontMatter, id, open, "front matter is never closed")
                        .with_label("opened here")
                        .with_help("end the front matter with a line holding only the same fence (`+++` or `---`)"),
                );
            }
        }
    }
    let mut builder = MdBuilder::new(&mut proposal, text, 0, None);
    builder.run(&text[body_start..], body_start);
    builder.finish();
    read_inline_metadata(text, body_start, aliases, &mut proposal);
    proposal
}

fn trimmed_end(text: &str) -> usize {
    text.trim_end().len()
}

/// Turns Markdown (the whole file, or a TOML body string) into sections and blocks.
pub(super) struct MdBuilder<'p> {
    proposal: &'p mut Proposal,
    file_text: &'p str,
    level_offset: u8,
    base_parent: Option<usize>,
    stack: Vec<usize>,
    current: Option<Block>,
    heading: Option<(u8, usize, String)>,
    raw_kind: Option<BlockKind>,
    in_item: usize,
    in_quote: usize,
    allow_title: bool,
}

impl<'p> MdBuilder<'p> {
    pub(super) fn new(proposal: &'p mut Proposal, file_text: &'p str, level_offset: u8, base_parent: Option<usize>) -> Self {
        let allow_title = base_parent.is_none() && proposal.title.is_none();
        let stack = base_parent.into_iter().collect();
        MdBuilder {
            proposal,
            file_text,
            level_offset,
            base_parent,
            stack,
            current: None,
            heading: None,
            raw_kind: None,
            in_item: 0,
            in_quote: 0,
            allow_title,
        }
    }

    /// Parses `body`, which starts at byte `start` of the text given to `new`.
    pub(super) fn run(&mut self, body: &str, start: usize) {
        let options = Options::ENABLE_TABLES | Options::ENABLE_FOOTNOTES | Options::ENABLE_STRIKETHROUGH | Options::ENABLE_TASKLISTS;
        let map = |r: std::ops::Range<usize>| Span::new(r.start + start, r.end + start);
        for (event, range) in Parser::new_ext(body, options).into_offset_iter() {
            let raw = &body[range.clone()];
            let span = map(range.clone());
            match event {
                Event::Start(tag) => self.start(tag, span),
                Event::End(tag) => self.end(tag, span),
                Event::Text(t) => self.text(&t, raw, span, true),
                Event::Code(t) => {
                    let inner = raw.find(t.as_ref()).map(|i| Span::new(span.start + i, span.start + i + t.len()));
                    match inner {
                        Some(inner) => self.text(&t, &t, inner, true),
                        None => self.text(&t, raw, span, false),
                    }
                }
                Event::SoftBreak | Event::HardBreak => self.text(" ", raw, span, false),
                Event::Html(h) | Event::InlineHtml(h) => self.html(&h, span),
                Event::Rule => self.flush(),
                _ => {}
            }
        }
        self.flush();
    }

    fn start(&mut self, tag: Tag<'_>, span: Span) {
        match tag {
            Tag::Heading { level, .. } => {
                self.flush();
                self.heading = Some((heading_level(level), span.start, String::new()));
            }
            Tag::Paragraph => {
                let keep = self.current.as_ref().is_some_and(|b| b.kind == BlockKind::ListItem && b.text.trim().is_empty());
                if !keep {
                    self.flush();
                    self.open(if self.in_item > 0 { BlockKind::ListItem } else { BlockKind::Prose });
                }
            }
            Tag::BlockQuote(_) => {
                self.flush();
                self.in_quote += 1;
            }
            Tag::Item => {
                self.flush();
                self.in_item += 1;
                self.open(BlockKind::ListItem);
            }
            Tag::TableHead | Tag::TableRow => {
                self.flush();
                self.open(BlockKind::TableRow);
            }
            Tag::TableCell => {
                if let Some(b) = self.current.as_mut() {
                    if !b.text.is_empty() {
                        b.push(" | ", span.start, 0, false);
                    }
                }
            }
            Tag::CodeBlock(_) => {
                self.flush();
                self.raw_kind = Some(BlockKind::Code);
                self.open(BlockKind::Code);
            }
            Tag::HtmlBlock => {
                self.flush();
                self.raw_kind = Some(BlockKind::Html);
                self.open(BlockKind::Html);
            }
            _ => {}
        }
    }

    fn end(&mut self, tag: TagEnd, span: Span) {
        match tag {
            TagEnd::Heading(_) => {
                if let Some((level, start, text)) = self.heading.take() {
                    let heading_span = first_line(self.file_text, Span::new(start.min(span.end), span.end));
                    self.add_heading(level, text.trim().to_string(), heading_span, span.end);
                }
            }
            TagEnd::Paragraph | TagEnd::TableHead | TagEnd::TableRow => self.flush(),
            TagEnd::BlockQuote(_) => {
                self.flush();
                self.in_quote = self.in_quote.saturating_sub(1);
            }
            TagEnd::Item => {
                self.flush();
                self.in_item = self.in_item.saturating_sub(1);
            }
            TagEnd::CodeBlock | TagEnd::HtmlBlock => {
                if let Some(b) = self.current.as_mut() {
                    if b.kind == BlockKind::Html && b.text.trim_start().starts_with("<!--") {
                        b.kind = BlockKind::Comment;
                    }
                }
                self.flush();
                self.raw_kind = None;
            }
            _ => {}
        }
    }

    fn text(&mut self, text: &str, raw: &str, span: Span, may_be_exact: bool) {
        if let Some((_, _, h)) = self.heading.as_mut() {
            h.push_str(text);
            return;
        }
        if self.current.is_none() {
            self.open(self.raw_kind.unwrap_or(BlockKind::Prose));
        }
        let exact = may_be_exact && raw == text && span.len() == text.len();
        if let Some(b) = self.current.as_mut() {
            if exact {
                b.push_exact(text, span.start);
            } else {
                b.push(text, span.start, span.len(), false);
            }
        }
    }

    fn html(&mut self, html: &str, span: Span) {
        if self.raw_kind.is_some() {
            if let Some(b) = self.current.as_mut() {
                b.push(html, span.start, span.len(), false);
                return;
            }
        }
        // Inline HTML inside a paragraph: kept as its own marked block, a word break in the text.
        let kind = if html.trim_start().starts_with("<!--") { BlockKind::Comment } else { BlockKind::Html };
        let mut block = Block::new(kind);
        block.section = self.stack.last().copied();
        block.push(html, span.start, span.len(), false);
        self.proposal.blocks.push(block);
        if let Some(b) = self.current.as_mut() {
            b.push(" ", span.start, 0, false);
        }
    }

    fn open(&mut self, kind: BlockKind) {
        // Quoted text is someone else's words: evidence of context, never the author's claim.
        let kind = if self.in_quote > 0 && matches!(kind, BlockKind::Prose | BlockKind::ListItem) { BlockKind::Quote } else { kind };
        let mut block = Block::new(kind);
        block.section = self.stack.last().copied();
        self.current = Some(block);
    }

    fn flush(&mut self) {
        if let Some(block) = self.current.take() {
            if !block.text.trim().is_empty() {
                self.proposal.blocks.push(block);
            }
        }
    }

    fn add_heading(&mut self, level: u8, text: String, span: Span, end: usize) {
        if self.allow_title && level == 1 && self.proposal.sections.is_empty() && self.proposal.title.is_none() {
            self.proposal.title = Some(Title { text, span });
            self.allow_title = false;
            return;
        }
        self.allow_title = false;
        let level = level + self.level_offset;
        while let Some(&top) = self.stack.last() {
            if Some(top) != self.base_parent && self.proposal.sections[top].level >= level {
                self.stack.pop();
            } else {
                break;
            }
        }
        let parent = self.stack.last().copied();
        self.proposal.sections.push(Section { heading: text, heading_span: span, level, parent, ids: Vec::new(), inferred: false, end });
        self.stack.push(self.proposal.sections.len() - 1);
    }

    /// Sets each section's `end` to where its subtree stops.
    pub(super) fn finish(self) {
        finish_extents(self.proposal);
    }
}

pub(super) fn finish_extents(proposal: &mut Proposal) {
    let doc_end = proposal.end;
    let mut last_end = vec![0usize; proposal.sections.len()];
    for (i, section) in proposal.sections.iter().enumerate() {
        last_end[i] = section.heading_span.end;
    }
    for block in &proposal.blocks {
        let mut cur = block.section;
        let end = block.span().end;
        while let Some(i) = cur {
            last_end[i] = last_end[i].max(end);
            cur = proposal.sections[i].parent;
        }
    }
    for i in (0..proposal.sections.len()).rev() {
        if let Some(p) = proposal.sections[i].parent {
            last_end[p] = last_end[p].max(last_end[i]);
        }
    }
    for (i, section) in proposal.sections.iter_mut().enumerate() {
        section.end = last_end[i].min(doc_end.max(last_end[i]));
    }
}

fn heading_level(level: HeadingLevel) -> u8 {
    match level {
        HeadingLevel::H1 => 1,
        HeadingLevel::H2 => 2,
        HeadingLevel::H3 => 3,
        HeadingLevel::H4 => 4,
        HeadingLevel::H5 => 5,
        HeadingLevel::H6 => 6,
    }
}

/// A heading's range includes its line break (and a setext underline); keep the first line's text.
fn first_line(text: &str, span: Span) -> Span {
    let Some(slice) = text.get(span.range()) else { return span };
    let line = slice.split(['\n', '\r']).next().unwrap_or("");
    Span::new(span.start, span.start + line.trim_end().len())
}

fn inline_line_re() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        Regex::new(r"^[ \t]*(?:[-*+][ \t]+)?(?:\*\*|__)([^*_\n]{1,60}?)(?:\*\*|__)[ \t]*:?[ \t]*(.*?)[ \t\r]*$").expect("valid regex")
    })
}

fn plain_line_re() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| Regex::new(r"^[ \t]*(?:[-*+][ \t]+)?([A-Za-z][A-Za-z /'()-]{1,40}?):[ \t]+(.*?)[ \t\r]*$").expect("valid regex"))
}

fn table_line_re() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| Regex::new(r"^[ \t]*\|[ \t]*([^|\n]+?)[ \t]*\|[ \t]*([^|\n]*?)[ \t]*\|?[ \t\r]*$").expect("valid regex"))
}

/// `**Key:** value` lines, `Key: value` lines with a known key, and two-column tables
/// before the first section heading. Front matter wins when both give a key.
fn read_inline_metadata(text: &str, body_start: usize, aliases: &Aliases, proposal: &mut Proposal) {
    let end = proposal.sections.first().map_or(text.len(), |s| s.heading_span.start);
    let region_start = proposal.title.as_ref().map_or(body_start, |t| t.span.end.max(body_start));
    if region_start >= end {
        return;
    }
    let mut offset = region_start;
    let mut in_fence = false;
    let mut found = Vec::new();
    for line in super::lines_inclusive(&text[region_start..end]) {
        let line_start = offset;
        offset += line.len();
        let content = line.trim_end_matches(['\n', '\r']);
        let trimmed = content.trim_start();
        if trimmed.starts_with("```") || trimmed.starts_with("~~~") {
            in_fence = !in_fence;
            continue;
        }
        if in_fence || trimmed.starts_with("<!--") {
            continue;
        }
        let (caps, known_only) = if let Some(c) = inline_line_re().captures(content) {
            (c, false)
        } else if let Some(c) = table_line_re().captures(content) {
            (c, true)
        } else if let Some(c) = plain_line_re().captures(content) {
            (c, true)
        } else {
            continue;
        };
        let (Some(k), Some(v)) = (caps.get(1), caps.get(2)) else { continue };
        let raw_key = k.as_str().trim().trim_end_matches(':').trim();
        let value = v.as_str().trim();
        if value.is_empty() || raw_key.chars().all(|c| c == '-' || c == ':' || c == ' ') {
            continue;
        }
        let key = match aliases.resolve(raw_key) {
            Some(key) => key,
            None if known_only => continue,
            None => normalise_key(raw_key),
        };
        if proposal.field(&key).is_some() {
            continue;
        }
        let span = Span::new(line_start + v.start(), line_start + v.start() + value.len());
        found.push(Field { key, value: Value::Str(value.to_string()), span });
    }
    proposal.fields.extend(found);
}

pub(super) fn normalise_key(raw: &str) -> String {
    let mut out = String::new();
    for c in raw.trim().chars() {
        if c.is_alphanumeric() {
            out.extend(c.to_lowercase());
        } else if c == '.' {
            out.push('.');
        } else if !out.ends_with('_') && !out.is_empty() {
            out.push('_');
        }
    }
    out.trim_end_matches('_').to_string()
}
