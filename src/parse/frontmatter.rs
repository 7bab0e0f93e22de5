//! Front matter at the top of a Markdown file: `+++` TOML (the proposal schema) or
//! `---` YAML (read for the same keys, a small subset of YAML: nested maps, flow maps,
//! flow and block lists, scalars).

use super::Aliases;
use crate::model::{Field, Proposal, Value};
use crate::source::SourceFile;
use crate::span::Span;

pub(super) enum Split {
    Toml { inner: Span, block: Span, body: usize },
    Yaml { inner: Span, block: Span, body: usize },
    Unclosed { open: Span },
}

/// Finds front matter starting at `start` (after any BOM).
pub(super) fn split(text: &str, start: usize) -> Option<Split> {
    let rest = &text[start..];
    let fence = if rest.starts_with("+++") {
        "+++"
    } else if rest.starts_with("---") {
        "---"
    } else {
        return None;
    };
    let first_line_end = super::lines_inclusive(rest).next().map_or(0, str::len);
    if rest[..first_line_end].trim_end() != fence {
        return None;
    }
    let inner_start = start + first_line_end;
    let mut offset = inner_start;
    for line in super::lines_inclusive(&text[inner_start..]) {
        let trimmed = line.trim_end();
        if trimmed == fence || (fence == "---" && trimmed == "...") {
            let inner = Span::new(inner_start, offset);
            let body = offset + line.len();
            let block = Span::new(start, offset + trimmed.len());
            return Some(if fence == "+++" { Split::Toml { inner, block, body } } else { Split::Yaml { inner, block, body } });
        }
        offset += line.len();
    }
    Some(Split::Unclosed { open: Span::new(start, start + 3) })
}

struct Frame {
    indent: usize,
    key: String,
}

/// Reads the YAML subset into fields; anything it does not understand is skipped, never fatal.
pub(super) fn read_yaml(file: &SourceFile, inner: Span, aliases: &Aliases, proposal: &mut Proposal) {
    let text = &file.text;
    let mut stack: Vec<Frame> = Vec::new();
    let mut offset = inner.start;
    let mut list_key: Option<(usize, String, Vec<Value>, Span)> = None;
    for line in super::lines_inclusive(&text[inner.range()]) {
        let line_start = offset;
        offset += line.len();
        let content = line.trim_end_matches(['\n', '\r']);
        let body = strip_comment(content);
        if body.trim().is_empty() {
            continue;
        }
        let indent = body.len() - body.trim_start().len();
        let trimmed = body.trim();
        if let Some(item) = trimmed.strip_prefix("- ") {
            if let Some((_, _, items, span)) = list_key.as_mut() {
                items.push(scalar(item.trim()));
                let at = line_start + body.find(item).unwrap_or(0);
                *span = Span::new(span.start, at + item.trim_end().len());
            }
            continue;
        }
        close_list(proposal, list_key.take());
        let Some(colon) = find_key_colon(trimmed) else { continue };
        let key = trimmed[..colon].trim().trim_matches(['"', '\'']);
        let value = trimmed[colon + 1..].trim();
        while stack.last().is_some_and(|f| f.indent >= indent) {
            stack.pop();
        }
        let path = join_path(&stack, key, aliases);
        let value_offset = line_start + indent + colon + 1 + (trimmed[colon + 1..].len() - trimmed[colon + 1..].trim_start().len());
        let span = Span::new(value_offset, value_offset + value.len());
        if value.is_empty() {
            stack.push(Frame { indent, key: path.clone() });
            proposal.fields.push(Field {
                key: path.clone(),
                value: Value::Table,
                span: Span::new(line_start + indent, line_start + indent + key.len()),
            });
            list_key = Some((indent, path, Vec::new(), span));
        } else if value.starts_with('{') && value.ends_with('}') {
            proposal.fields.push(Field { key: path.clone(), value: Value::Table, span });
            for part in split_flow(&value[1..value.len() - 1]) {
                if let Some(c) = find_key_colon(part.trim()) {
                    let part = part.trim();
                    let sub = part[..c].trim().trim_matches(['"', '\'']);
                    let v = part[c + 1..].trim();
                    let at = line_start + body.find(part).unwrap_or(indent);
                    proposal.fields.push(Field { key: format!("{path}.{sub}"), value: scalar(v), span: Span::new(at, at + part.len()) });
                }
            }
        } else {
            proposal.fields.push(Field { key: path, value: scalar(value), span });
        }
    }
    close_list(proposal, list_key.take());
}

/// A `key:` with nothing after it was recorded as a table; block-list items turn it into an array.
fn close_list(proposal: &mut Proposal, list: Option<(usize, String, Vec<Value>, Span)>) {
    let Some((_, key, items, span)) = list else { return };
    if items.is_empty() {
        return;
    }
    if let Some(f) = proposal.fields.iter_mut().rev().find(|f| f.key == key) {
        f.value = Value::Array(items);
        f.span = span;
    }
}

fn join_path(stack: &[Frame], key: &str, aliases: &Aliases) -> String {
    match stack.last() {
        Some(parent) => format!("{}.{}", parent.key, super::markdown::normalise_key(key)),
        None => {
            let k = super::markdown::normalise_key(key);
            aliases.top_level(&k).cloned().unwrap_or(k)
        }
    }
}

fn strip_comment(line: &str) -> &str {
    let mut in_quote = None;
    for (i, c) in line.char_indices() {
        match (c, in_quote) {
            ('"' | '\'', None) => in_quote = Some(c),
            (q, Some(open)) if q == open => in_quote = None,
            ('#', None) if i == 0 || line[..i].ends_with(' ') => return &line[..i],
            _ => {}
        }
    }
    line
}

fn find_key_colon(s: &str) -> Option<usize> {
    let bytes = s.as_bytes();
    (0..bytes.len()).find(|&i| bytes[i] == b':' && (i + 1 == bytes.len() || bytes[i + 1] == b' '))
}

fn split_flow(s: &str) -> Vec<&str> {
    let mut parts = Vec::new();
    let mut depth = 0;
    let mut start = 0;
    for (i, c) in s.char_indices() {
        match c {
            '[' | '{' => depth += 1,
            ']' | '}' => depth -= 1,
            ',' if depth == 0 => {
                parts.push(&s[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    parts.push(&s[start..]);
    parts
}

fn scalar(v: &str) -> Value {
    let v = v.trim();
    if v.starts_with('[') && v.ends_with(']') {
        let inner = &v[1..v.len() - 1];
        return Value::Array(split_flow(inner).into_iter().filter(|p| !p.trim().is_empty()).map(scalar).collect());
    }
    let unquoted = v.trim_matches(['"', '\'']);
    if unquoted.len() != v.len() {
        return Value::Str(unquoted.to_string());
    }
    match v {
        "true" | "True" | "yes" => return Value::Bool(true),
        "false" | "False" | "no" => return Value::Bool(false),
        _ => {}
    }
    if let Ok(i) = v.parse::<i64>() {
        return Value::Int(i);
    }
    if let Ok(f) = v.parse::<f64>() {
        return Value::Float(f);
    }
    if v.len() == 10 && v.as_bytes()[4] == b'-' && v.as_bytes()[7] == b'-' {
        return Value::Date(v.to_string());
    }
    Value::Str(v.to_string())
}
