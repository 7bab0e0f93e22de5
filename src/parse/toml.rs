//! TOML forms and TOML front matter, read with spans. Metadata tables become fields;
//! every other table becomes a section whose strings are Markdown body text.

use super::markdown::{finish_extents, normalise_key, MdBuilder};
use super::Aliases;
use crate::diag::{Diagnostic, ToolCode};
use crate::model::{Field, Format, Proposal, Section, Segment, Title, Value};
use crate::source::{FileId, SourceFile};
use crate::span::Span;
use toml::de::{DeTable, DeValue};
use toml::Spanned;

/// Top-level tables that hold metadata rather than narrative (the proposal schema).
const METADATA_TABLES: &[&str] = &[
    "schema",
    "proposal",
    "governance",
    "data",
    "ai",
    "service",
    "hosting",
    "suppliers",
    "budget",
    "risk",
    "assessments",
    "sustainability",
    "lga",
    "benefits",
    "measures",
    "lint",
    "waivers",
    "surveillance",
    "devices",
    "meta",
    "metadata",
];

/// Keys of a section table whose string is the section's own text rather than a sub-section.
const BODY_KEYS: &[&str] = &["body", "text", "content", "description", "narrative", "details", "summary"];

pub fn has_proposal_table(text: &str) -> bool {
    let text = text.strip_prefix(crate::source::BOM).unwrap_or(text);
    match DeTable::parse(text) {
        Ok(table) => table.get_ref().iter().any(|(k, v)| k.get_ref() == "proposal" && matches!(v.get_ref(), DeValue::Table(_))),
        // A broken form is still linted, so that its syntax error is reported.
        Err(_) => text.lines().any(|l| {
            let l = l.trim_start();
            l.starts_with("[proposal]") || l.starts_with("[proposal.")
        }),
    }
}

pub(super) fn parse(file: &SourceFile, id: FileId, aliases: &Aliases, diags: &mut Vec<Diagnostic>) -> Proposal {
    let bom = file.bom_len();
    let text = &file.text[bom..];
    let mut proposal = Proposal::new(Format::Toml, file.text.trim_end().len());
    let (table, errors) = DeTable::parse_recoverable(text);
    if !errors.is_empty() {
        for e in errors {
            diags.push(toml_error(id, &e, bom, file.text.len(), ToolCode::InvalidToml));
        }
        return proposal;
    }
    for (key, value) in table.get_ref() {
        let name = key.get_ref().as_ref();
        let key_span = Span::from(key.span()).shift(bom);
        if name == "sections" {
            if let DeValue::Table(sections) = value.get_ref() {
                for (k, v) in sections {
                    if let DeValue::Table(t) = v.get_ref() {
                        add_table_section(&mut proposal, file, k, t, 2, None, bom);
                    }
                }
            }
            continue;
        }
        match value.get_ref() {
            DeValue::Table(t) if !METADATA_TABLES.contains(&name) => add_table_section(&mut proposal, file, key, t, 2, None, bom),
            _ => {
                let path = if METADATA_TABLES.contains(&name) { name.to_string() } else { top_level_key(name, aliases) };
                flatten(&path, key_span, value, bom, &mut proposal.fields);
            }
        }
    }
    if let Some(span) = table.get_ref().iter().find(|(k, _)| k.get_ref() == "proposal").map(|(k, _)| Span::from(k.span()).shift(bom)) {
        proposal.metadata_span = Some(span);
    }
    set_title_from_fields(&mut proposal);
    finish_extents(&mut proposal);
    proposal
}

/// Reads TOML front matter (`inner` is the text between the fences) into fields.
pub(super) fn read_metadata(
    file: &SourceFile,
    id: FileId,
    inner: Span,
    aliases: &Aliases,
    proposal: &mut Proposal,
    diags: &mut Vec<Diagnostic>,
) {
    let text = &file.text[inner.range()];
    let (table, errors) = DeTable::parse_recoverable(text);
    if !errors.is_empty() {
        for e in errors {
            diags.push(toml_error(id, &e, inner.start, inner.end, ToolCode::InvalidFrontMatter));
        }
        return;
    }
    for (key, value) in table.get_ref() {
        let name = key.get_ref().as_ref();
        if name == "sections" {
            continue;
        }
        let path = if METADATA_TABLES.contains(&name) { name.to_string() } else { top_level_key(name, aliases) };
        flatten(&path, Span::from(key.span()).shift(inner.start), value, inner.start, &mut proposal.fields);
    }
    set_title_from_fields(proposal);
}

fn top_level_key(name: &str, aliases: &Aliases) -> String {
    aliases.top_level(&normalise_key(name)).cloned().unwrap_or_else(|| name.to_string())
}

fn set_title_from_fields(proposal: &mut Proposal) {
    if proposal.title.is_none() {
        if let Some(f) = proposal.field("proposal.title").or_else(|| proposal.field("title")) {
            if let Value::Str(s) = &f.value {
                proposal.title = Some(Title { text: s.clone(), span: f.span });
            }
        }
    }
}

fn toml_error(id: FileId, e: &toml::de::Error, shift: usize, limit: usize, code: ToolCode) -> Diagnostic {
    let span = e.span().map_or(Span::point(shift), |r| Span::new((r.start + shift).min(limit), (r.end + shift).min(limit)));
    let message = e.message().lines().next().unwrap_or("invalid TOML").trim().to_string();
    let what = if code == ToolCode::InvalidFrontMatter { "invalid TOML front matter" } else { "invalid TOML" };
    Diagnostic::tool(code, id, span, format!("{what}: {message}")).with_label(message)
}

fn flatten(path: &str, key_span: Span, value: &Spanned<DeValue<'_>>, shift: usize, out: &mut Vec<Field>) {
    let span = Span::from(value.span()).shift(shift);
    match value.get_ref() {
        DeValue::Table(t) => {
            out.push(Field { key: path.to_string(), value: Value::Table, span: key_span });
            for (k, v) in t {
                let child = format!("{path}.{}", k.get_ref());
                flatten(&child, Span::from(k.span()).shift(shift), v, shift, out);
            }
        }
        DeValue::Array(items) => {
            let values: Vec<Value> = items.iter().map(|v| scalar(v.get_ref())).collect();
            out.push(Field { key: path.to_string(), value: Value::Array(values), span });
            for item in items.iter() {
                if let DeValue::Table(t) = item.get_ref() {
                    for (k, v) in t {
                        let child = format!("{path}.{}", k.get_ref());
                        flatten(&child, Span::from(k.span()).shift(shift), v, shift, out);
                    }
                }
            }
        }
        other => out.push(Field { key: path.to_string(), value: scalar(other), span }),
    }
}

fn scalar(v: &DeValue<'_>) -> Value {
    match v {
        DeValue::String(s) => Value::Str(s.to_string()),
        DeValue::Boolean(b) => Value::Bool(*b),
        DeValue::Integer(i) => {
            let digits = i.as_str().replace('_', "");
            let digits = digits.trim_start_matches("0x").trim_start_matches("0o").trim_start_matches("0b");
            i64::from_str_radix(digits, i.radix()).map_or_else(|_| Value::Str(i.as_str().to_string()), Value::Int)
        }
        DeValue::Float(f) => f.as_str().replace('_', "").parse().map_or_else(|_| Value::Str(f.as_str().to_string()), Value::Float),
        DeValue::Datetime(d) => Value::Date(d.to_string()),
        DeValue::Array(a) => Value::Array(a.iter().map(|v| scalar(v.get_ref())).collect()),
        DeValue::Table(_) => Value::Table,
    }
}

fn humanise(key: &str) -> String {
    let words = key.replace(['_', '-'], " ");
    let mut chars = words.trim().chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

fn add_table_section(
    proposal: &mut Proposal,
    file: &SourceFile,
    key: &Spanned<std::borrow::Cow<'_, str>>,
    table: &DeTable<'_>,
    level: u8,
    parent: Option<usize>,
    shift: usize,
) {
    let key_span = Span::from(key.span()).shift(shift);
    let heading = table
        .iter()
        .find(|(k, _)| k.get_ref() == "title")
        .and_then(|(_, v)| v.get_ref().as_str().map(str::to_string))
        .unwrap_or_else(|| humanise(key.get_ref()));
    proposal.sections.push(Section { heading, heading_span: key_span, level, parent, ids: Vec::new(), inferred: false, end: key_span.end });
    let idx = proposal.sections.len() - 1;
    for (k, v) in table {
        let name = k.get_ref().as_ref();
        if name == "title" {
            continue;
        }
        match v.get_ref() {
            DeValue::String(_) if BODY_KEYS.contains(&name) => add_string_body(proposal, file, v, idx, shift),
            DeValue::String(_) | DeValue::Array(_) => {
                let target = if BODY_KEYS.contains(&name) {
                    idx
                } else {
                    let sub_span = Span::from(k.span()).shift(shift);
                    proposal.sections.push(Section {
                        heading: humanise(name),
                        heading_span: sub_span,
                        level: level + 1,
                        parent: Some(idx),
                        ids: Vec::new(),
                        inferred: false,
                        end: sub_span.end,
                    });
                    proposal.sections.len() - 1
                };
                match v.get_ref() {
                    DeValue::Array(items) => {
                        for item in items.iter() {
                            if matches!(item.get_ref(), DeValue::String(_)) {
                                add_string_body(proposal, file, item, target, shift);
                            }
                        }
                    }
                    _ => add_string_body(proposal, file, v, target, shift),
                }
            }
            DeValue::Table(t) => add_table_section(proposal, file, k, t, level + 1, Some(idx), shift),
            _ => {}
        }
    }
}

/// A string value's text as Markdown inside `section`, with spans into the file.
fn add_string_body(proposal: &mut Proposal, file: &SourceFile, value: &Spanned<DeValue<'_>>, section: usize, shift: usize) {
    let span = Span::from(value.span()).shift(shift);
    let raw = file.slice(span);
    let level = proposal.sections[section].level;
    let (delim, literal) = if raw.starts_with("'''") {
        ("'''", true)
    } else if raw.starts_with('\'') {
        ("'", true)
    } else if raw.starts_with("\"\"\"") {
        ("\"\"\"", false)
    } else if raw.starts_with('"') {
        ("\"", false)
    } else {
        return;
    };
    if raw.len() < delim.len() * 2 {
        return;
    }
    let mut content_start = span.start + delim.len();
    let content_end = span.end - delim.len();
    if delim.len() == 3 {
        // A line break right after a multi-line opener is not part of the string.
        let rest = &file.text[content_start..content_end];
        if rest.starts_with("\r\n") {
            content_start += 2;
        } else if rest.starts_with('\n') {
            content_start += 1;
        }
    }
    if content_start > content_end {
        return;
    }
    if literal {
        let mut builder = MdBuilder::new(proposal, &file.text, level, Some(section));
        builder.run(&file.text[content_start..content_end], content_start);
        return;
    }
    // A basic string is parsed after unescaping, then every span is mapped back to the file.
    let (text, pieces) = unescape(&file.text[content_start..content_end], content_start);
    let (first_section, first_block) = (proposal.sections.len(), proposal.blocks.len());
    let mut builder = MdBuilder::new(proposal, &text, level, Some(section));
    builder.run(&text, 0);
    for s in &mut proposal.sections[first_section..] {
        s.heading_span = map_through(&pieces, s.heading_span);
        s.end = s.heading_span.end;
    }
    for b in &mut proposal.blocks[first_block..] {
        b.segments = remap_segments(&b.segments, &pieces);
    }
}

/// Splits segments that point into an unescaped string along the escapes, so that plain
/// runs stay exact and only an escape maps to its whole escape sequence.
fn remap_segments(segments: &[Segment], pieces: &[Piece]) -> Vec<Segment> {
    let mut out = Vec::new();
    for seg in segments {
        if !seg.exact {
            let span = map_through(pieces, Span::new(seg.src, seg.src + seg.src_len));
            out.push(Segment { plain: seg.plain, len: seg.len, src: span.start, src_len: span.len(), exact: false });
            continue;
        }
        let (from, to) = (seg.src, seg.src + seg.len);
        for p in pieces.iter().filter(|p| p.plain < to && p.plain + p.len > from) {
            let lo = p.plain.max(from);
            let hi = (p.plain + p.len).min(to);
            let plain = seg.plain + (lo - from);
            if p.len == p.src_len {
                out.push(Segment { plain, len: hi - lo, src: p.src + (lo - p.plain), src_len: hi - lo, exact: true });
            } else {
                out.push(Segment { plain, len: hi - lo, src: p.src, src_len: p.src_len, exact: false });
            }
        }
    }
    out
}

/// One piece of an unescaped basic string: `len` output bytes at `plain` came from
/// `src_len` file bytes at `src`.
#[derive(Clone, Copy)]
struct Piece {
    plain: usize,
    len: usize,
    src: usize,
    src_len: usize,
}

fn map_through(pieces: &[Piece], s: Span) -> Span {
    let locate = |at: usize, is_end: bool| -> usize {
        let idx = pieces.partition_point(|p| p.plain + p.len < at + usize::from(!is_end));
        let Some(p) = pieces.get(idx.min(pieces.len().saturating_sub(1))) else {
            return 0;
        };
        if p.len == p.src_len {
            p.src + at.saturating_sub(p.plain).min(p.len)
        } else if is_end {
            p.src + p.src_len
        } else {
            p.src
        }
    };
    let start = locate(s.start, false);
    Span::new(start, locate(s.end, true).max(start))
}

/// Unescapes a TOML basic string body, keeping a map back to the file.
fn unescape(raw: &str, base: usize) -> (String, Vec<Piece>) {
    let mut out = String::with_capacity(raw.len());
    let mut pieces: Vec<Piece> = Vec::new();
    let bytes = raw.as_bytes();
    let mut i = 0;
    let mut run_start = 0;
    let flush_run = |out: &mut String, pieces: &mut Vec<Piece>, from: usize, to: usize| {
        if to > from {
            pieces.push(Piece { plain: out.len(), len: to - from, src: base + from, src_len: to - from });
            out.push_str(&raw[from..to]);
        }
    };
    while i < bytes.len() {
        if bytes[i] != b'\\' {
            i += 1;
            continue;
        }
        flush_run(&mut out, &mut pieces, run_start, i);
        let esc_start = i;
        let (ch, consumed): (Option<char>, usize) = match bytes.get(i + 1) {
            Some(b'n') => (Some('\n'), 2),
            Some(b't') => (Some('\t'), 2),
            Some(b'r') => (Some('\r'), 2),
            Some(b'b') => (Some('\u{8}'), 2),
            Some(b'f') => (Some('\u{c}'), 2),
            Some(b'e') => (Some('\u{1b}'), 2),
            Some(b'"') => (Some('"'), 2),
            Some(b'\\') => (Some('\\'), 2),
            Some(b'x') => (hex(raw, i + 2, 2), 4),
            Some(b'u') => (hex(raw, i + 2, 4), 6),
            Some(b'U') => (hex(raw, i + 2, 8), 10),
            Some(b' ' | b'\t' | b'\r' | b'\n') => {
                // Line-ending backslash: skip all whitespace up to the next non-blank.
                let mut j = i + 1;
                while j < bytes.len() && matches!(bytes[j], b' ' | b'\t' | b'\r' | b'\n') {
                    j += 1;
                }
                (None, j - i)
            }
            _ => (None, 1),
        };
        let consumed = consumed.min(bytes.len() - esc_start);
        if let Some(c) = ch {
            let mut buf = [0u8; 4];
            let s = c.encode_utf8(&mut buf);
            pieces.push(Piece { plain: out.len(), len: s.len(), src: base + esc_start, src_len: consumed });
            out.push_str(s);
        }
        i = esc_start + consumed;
        while i < bytes.len() && !raw.is_char_boundary(i) {
            i += 1;
        }
        run_start = i;
    }
    flush_run(&mut out, &mut pieces, run_start, bytes.len());
    (out, pieces)
}

fn hex(raw: &str, at: usize, digits: usize) -> Option<char> {
    raw.get(at..at + digits).and_then(|h| u32::from_str_radix(h, 16).ok()).and_then(char::from_u32)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unescape_maps_escapes_to_their_source() {
        let raw = r"a\tb\u00e9c";
        let (text, pieces) = unescape(raw, 100);
        assert_eq!(text, "a\tbéc");
        let c = text.find('c').unwrap();
        assert_eq!(map_through(&pieces, Span::new(c, c + 1)), Span::new(100 + raw.find('c').unwrap(), 101 + raw.find('c').unwrap()));
        let e = text.find('é').unwrap();
        assert_eq!(map_through(&pieces, Span::new(e, e + 2)), Span::new(104, 110));
    }
}
