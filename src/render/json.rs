//! The stable JSON format (version 1), documented in README.md.

use super::Counts;
use crate::check::FileEntry;
use crate::diag::{Diagnostic, Fix, Label};
use crate::source::SourceDb;
use serde::Serialize;
use serde_json::{json, Value};

// The document is written a finding at a time (no tree of the whole run is built). Its
// keys are in serde_json's order (sorted), so the findings come first and the files,
// known only at the end, after them; each finding is written straight into the output in
// the layout serde_json's pretty printer gives the whole document (serialising each one
// through serde and re-indenting it was a tenth of a JSON run).

const ITEM: &str = ",\n    ";
const OPEN: &str = "{\n  \"diagnostics\": [\n    ";
const EMPTY_LIST: &str = "{\n  \"diagnostics\": []";
/// How deep a finding sits in the document: an element of the top object's list.
const ITEM_INDENT: usize = 4;

/// One finding as an element of the `diagnostics` list, after a separator.
pub(super) fn item(out: &mut String, db: &SourceDb, d: &Diagnostic) {
    out.push_str(ITEM);
    pretty_diagnostic(out, &diagnostic(db, d), ITEM_INDENT);
}

/// `d` as serde_json's pretty printer lays it out at `indent` spaces.
fn pretty_diagnostic(out: &mut String, d: &JsonDiagnostic<'_>, indent: usize) {
    let mut o = Nested::open(out, indent, ('{', '}'));
    o.key("enabler").opt_str(d.enabler);
    match &d.fix {
        None => o.key("fix").null(),
        Some(fix) => {
            let mut f = o.key("fix").object();
            match fix {
                JsonFix::InsertSection { section } => {
                    f.key("kind").str("insert-section");
                    f.key("section").str(section);
                }
                JsonFix::Replace { span, text } => {
                    f.key("kind").str("replace");
                    f.key("span").span(span);
                    f.key("text").str(text);
                }
            }
            f.close();
        }
    }
    o.key("help").opt_str(d.help);
    o.key("label").str(d.label);
    let mut labels = o.key("labels").array();
    for l in &d.labels {
        let mut lo = labels.element().object();
        lo.key("message").str(l.message);
        lo.key("path").str(l.path);
        lo.key("span").span(&l.span);
        lo.close();
    }
    labels.close();
    o.key("message").str(d.message);
    o.key("name").str(d.name);
    o.key("path").str(d.path);
    o.key("principle").opt_str(d.principle);
    o.key("rule").str(d.rule);
    o.key("section").opt_str(d.section);
    o.key("severity").str(d.severity);
    o.key("span").span(&d.span);
    let mut standards = o.key("standards").array();
    for s in d.standards {
        standards.element().str(s);
    }
    standards.close();
    match &d.waived {
        None => o.key("waived").null(),
        Some(w) => {
            let mut wo = o.key("waived").object();
            wo.key("approved_by").str(w.approved_by);
            wo.key("decision").opt_str(w.decision);
            wo.key("expires").opt_str(w.expires);
            wo.key("reason").str(w.reason);
            wo.key("source").str(w.source);
            wo.close();
        }
    }
    o.key("why").opt_str(d.why);
    o.close();
}

/// A line break (after a comma unless `first`) and `indent` spaces.
fn push_line(out: &mut String, first: bool, indent: usize) {
    const BREAK: &str = ",\n                                ";
    let from = usize::from(first);
    match BREAK.get(from..2 + indent) {
        Some(text) => out.push_str(text),
        None => {
            out.push_str(&BREAK[from..2]);
            out.extend(std::iter::repeat_n(' ', indent));
        }
    }
}

/// An object or array being written: its opening bracket, then a member or element per
/// line, then its closing bracket on a line of its own (or straight after, when empty).
struct Nested<'o> {
    out: &'o mut String,
    indent: usize,
    empty: bool,
    close: char,
}

/// Where one value goes, at the depth of the line it starts on.
struct Slot<'o> {
    out: &'o mut String,
    indent: usize,
}

impl<'o> Nested<'o> {
    fn open(out: &'o mut String, indent: usize, (open, close): (char, char)) -> Nested<'o> {
        out.push(open);
        Nested { out, indent, empty: true, close }
    }

    /// Starts the next element, whose value the returned slot writes.
    fn element(&mut self) -> Slot<'_> {
        push_line(self.out, self.empty, self.indent + 2);
        self.empty = false;
        Slot { out: self.out, indent: self.indent + 2 }
    }

    /// Starts the member `key` of an object.
    fn key(&mut self, key: &str) -> Slot<'_> {
        let slot = self.element();
        slot.out.push('"');
        slot.out.push_str(key);
        slot.out.push_str("\": ");
        slot
    }

    fn close(self) {
        if !self.empty {
            push_line(self.out, true, self.indent);
        }
        self.out.push(self.close);
    }
}

impl<'o> Slot<'o> {
    fn null(self) {
        self.out.push_str("null");
    }

    fn str(self, s: &str) {
        push_json_string(self.out, s);
    }

    fn opt_str(self, s: Option<&str>) {
        match s {
            Some(s) => self.str(s),
            None => self.null(),
        }
    }

    fn number(self, mut n: usize) {
        let mut digits = [0u8; 20];
        let mut at = digits.len();
        loop {
            at -= 1;
            digits[at] = b'0' + (n % 10) as u8;
            n /= 10;
            if n == 0 {
                break;
            }
        }
        self.out.extend(digits[at..].iter().map(|&d| d as char));
    }

    fn object(self) -> Nested<'o> {
        Nested::open(self.out, self.indent, ('{', '}'))
    }

    fn array(self) -> Nested<'o> {
        Nested::open(self.out, self.indent, ('[', ']'))
    }

    fn span(self, span: &JsonSpan) {
        let mut o = self.object();
        o.key("column").number(span.column);
        o.key("end").number(span.end);
        o.key("end_column").number(span.end_column);
        o.key("end_line").number(span.end_line);
        o.key("line").number(span.line);
        o.key("start").number(span.start);
        o.close();
    }
}

/// `s` as a JSON string, escaped as serde_json escapes it: quote, backslash and control
/// characters (the short forms where JSON has them), everything else as it is.
fn push_json_string(out: &mut String, s: &str) {
    out.reserve(s.len() + 2);
    out.push('"');
    let bytes = s.as_bytes();
    let mut copied = 0;
    while let Some(i) = next_to_escape(bytes, copied) {
        out.push_str(&s[copied..i]);
        let b = bytes[i];
        match b {
            b'"' => out.push_str("\\\""),
            b'\\' => out.push_str("\\\\"),
            b'\n' => out.push_str("\\n"),
            b'\r' => out.push_str("\\r"),
            b'\t' => out.push_str("\\t"),
            0x08 => out.push_str("\\b"),
            0x0C => out.push_str("\\f"),
            _ => {
                const HEX: &[u8; 16] = b"0123456789abcdef";
                out.push_str("\\u00");
                out.push(HEX[(b >> 4) as usize] as char);
                out.push(HEX[(b & 0xF) as usize] as char);
            }
        }
        copied = i + 1;
    }
    out.push_str(&s[copied..]);
    out.push('"');
}

/// The first byte from `from` on that JSON must escape.
fn next_to_escape(bytes: &[u8], from: usize) -> Option<usize> {
    let mut i = from;
    // Eight bytes at a time while none of them needs escaping, which is nearly always.
    while let Some(chunk) = bytes.get(i..i + 8) {
        let word = u64::from_le_bytes([chunk[0], chunk[1], chunk[2], chunk[3], chunk[4], chunk[5], chunk[6], chunk[7]]);
        if needs_escape(word) {
            break;
        }
        i += 8;
    }
    bytes[i..].iter().position(|&b| b < 0x20 || b == b'"' || b == b'\\').map(|p| i + p)
}

/// True when one of the eight bytes in `word` is a control character, a quote or a
/// backslash (bytes of multi-byte UTF-8 characters are all 0x80 or above, never these).
fn needs_escape(word: u64) -> bool {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGHS: u64 = 0x8080_8080_8080_8080;
    let below = |x: u64, n: u64| x.wrapping_sub(ONES * n) & !x & HIGHS;
    let zero = |x: u64| below(x, 1);
    (below(word, 0x20) | zero(word ^ (ONES * b'"' as u64)) | zero(word ^ (ONES * b'\\' as u64))) != 0
}

/// The first findings text from `item`, written as the document's opening.
pub(super) fn open_list(items: &str, write: &mut impl FnMut(&str)) {
    write(OPEN);
    write(items.strip_prefix(ITEM).unwrap_or(items));
}

/// The rest of the document after the findings (all of it when there were none).
pub(super) fn end(files: &[FileEntry], c: &Counts, any: bool) -> String {
    let files: Vec<Value> =
        files.iter().map(|f| json!({"path": f.path, "format": f.format.as_str(), "status": f.status.as_str()})).collect();
    let doc = json!({
        "version": 1,
        "tool": {"name": "proplint", "version": env!("CARGO_PKG_VERSION")},
        "files": files,
        "diagnostics": [],
        "summary": {
            "files": files.len(), "errors": c.errors, "warnings": c.warnings, "infos": c.infos, "waived": c.waived,
            "fixable": c.fixable,
        },
    });
    let mut s = serde_json::to_string_pretty(&doc).unwrap_or_default();
    s.push('\n');
    match s.strip_prefix(EMPTY_LIST) {
        Some(rest) if any => format!("\n  ]{rest}"),
        _ => s,
    }
}

// Fields in alphabetical order: the order of the document's other objects (serde_json
// maps are sorted), which the format has always had.

#[derive(Serialize)]
struct JsonSpan {
    column: usize,
    end: usize,
    end_column: usize,
    end_line: usize,
    line: usize,
    start: usize,
}

#[derive(Serialize)]
struct JsonLabel<'a> {
    message: &'a str,
    path: &'a str,
    span: JsonSpan,
}

#[derive(Serialize)]
struct JsonWaived<'a> {
    approved_by: &'a str,
    decision: Option<&'a str>,
    expires: Option<&'a str>,
    reason: &'a str,
    source: &'a str,
}

#[derive(Serialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
enum JsonFix<'a> {
    InsertSection { section: &'a str },
    Replace { span: JsonSpan, text: &'a str },
}

/// One finding as the JSON and JSON Lines formats write it.
#[derive(Serialize)]
pub(crate) struct JsonDiagnostic<'a> {
    enabler: Option<&'a str>,
    fix: Option<JsonFix<'a>>,
    help: Option<&'a str>,
    label: &'a str,
    labels: Vec<JsonLabel<'a>>,
    message: &'a str,
    name: &'a str,
    path: &'a str,
    principle: Option<&'a str>,
    rule: &'a str,
    section: Option<&'a str>,
    severity: &'static str,
    span: JsonSpan,
    standards: &'a [String],
    waived: Option<JsonWaived<'a>>,
    why: Option<&'a str>,
}

fn span_json(db: &SourceDb, file: crate::source::FileId, span: crate::span::Span) -> JsonSpan {
    let file = db.get(file);
    let start = file.position(span.start);
    let end = file.position(span.end);
    JsonSpan { column: start.column, end: span.end, end_column: end.column, end_line: end.line, line: start.line, start: span.start }
}

pub(crate) fn diagnostic<'a>(db: &'a SourceDb, d: &'a Diagnostic) -> JsonDiagnostic<'a> {
    let label = |l: &'a Label| JsonLabel { message: &l.message, path: &db.get(l.file).path, span: span_json(db, l.file, l.span) };
    JsonDiagnostic {
        enabler: d.enabler.as_deref(),
        // Where a section stub goes depends on the file (the next heading, or the end of
        // a form); `--diff` shows the exact text.
        fix: d.fix.as_ref().map(|f| match f {
            Fix::InsertSection { section, .. } => JsonFix::InsertSection { section },
            Fix::Replace { span, text, .. } => JsonFix::Replace { span: span_json(db, d.primary.file, *span), text },
        }),
        help: d.help.as_deref(),
        label: &d.primary.message,
        labels: d.secondary.iter().map(label).collect(),
        message: &d.message,
        name: &d.name,
        path: &db.get(d.primary.file).path,
        principle: d.principle.as_deref(),
        rule: &d.rule,
        section: d.section.as_deref(),
        severity: d.severity.as_str(),
        span: span_json(db, d.primary.file, d.primary.span),
        standards: &d.standards,
        waived: d.waived.as_ref().map(|w| JsonWaived {
            approved_by: &w.approved_by,
            decision: w.decision.as_deref(),
            expires: w.expires.as_deref(),
            reason: &w.reason,
            source: &w.source,
        }),
        why: d.why.as_deref(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Strings with every byte serde_json escapes, at every offset of an eight-byte chunk.
    fn awkward_strings() -> Vec<String> {
        let mut specials: Vec<String> = (0u8..0x20).map(|b| (b as char).to_string()).collect();
        specials.extend(["\"", "\\", "\u{7f}", "é", "£", "—", "😀", "/", " "].map(String::from));
        let mut out = vec![String::new(), "plain text".to_string()];
        for special in &specials {
            for before in 0..10 {
                out.push(format!("{}{special}{}", "a".repeat(before), "b".repeat(9 - before)));
            }
        }
        out.push(specials.concat());
        out
    }

    #[test]
    fn strings_are_escaped_as_serde_json_escapes_them() {
        for s in awkward_strings() {
            let mut got = String::new();
            push_json_string(&mut got, &s);
            assert_eq!(got, serde_json::to_string(&s).unwrap(), "{s:?}");
        }
    }

    #[test]
    fn lines_break_at_any_depth() {
        for indent in [0, 6, 30, 31, 40] {
            for first in [true, false] {
                let mut got = String::new();
                push_line(&mut got, first, indent);
                assert_eq!(got, format!("{}\n{}", if first { "" } else { "," }, " ".repeat(indent)));
            }
        }
    }

    fn span(n: usize) -> JsonSpan {
        JsonSpan { column: n, end: n + 10, end_column: n + 2, end_line: n + 3, line: n + 1, start: n * 7 }
    }

    #[test]
    fn findings_are_laid_out_as_serde_json_pretty_prints_them() {
        let strings = awkward_strings();
        let standards = vec!["WCAG 2.2".to_string(), "Service Standard \"point 5\"".to_string()];
        let no_standards: Vec<String> = Vec::new();
        let mut cases = Vec::new();
        for (i, s) in strings.iter().enumerate() {
            let some = |k: usize| (i % k != 0).then_some(s.as_str());
            cases.push(JsonDiagnostic {
                enabler: some(2),
                fix: match i % 3 {
                    0 => None,
                    1 => Some(JsonFix::InsertSection { section: s }),
                    _ => Some(JsonFix::Replace { span: span(i), text: s }),
                },
                help: some(3),
                label: s,
                labels: (0..i % 3).map(|k| JsonLabel { message: s, path: "a/b.md", span: span(k) }).collect(),
                message: s,
                name: "name",
                path: s,
                principle: some(4),
                rule: "R-1",
                section: some(5),
                severity: "warning",
                span: span(i),
                standards: if i % 2 == 0 { &standards } else { &no_standards },
                waived: (i % 4 == 1).then_some(JsonWaived {
                    approved_by: s,
                    decision: some(2),
                    expires: some(3),
                    reason: s,
                    source: "proplint.toml",
                }),
                why: some(6),
            });
        }
        for d in &cases {
            let mut got = String::new();
            pretty_diagnostic(&mut got, d, 0);
            assert_eq!(got, serde_json::to_string_pretty(d).unwrap());
        }
        // At its depth in the document, as a list element of the top object.
        #[derive(Serialize)]
        struct Doc<'a> {
            diagnostics: &'a [JsonDiagnostic<'a>],
        }
        let mut got = String::new();
        for (i, d) in cases.iter().enumerate() {
            got.push_str(if i == 0 { OPEN } else { ITEM });
            pretty_diagnostic(&mut got, d, ITEM_INDENT);
        }
        got.push_str("\n  ]\n}");
        assert_eq!(got, serde_json::to_string_pretty(&Doc { diagnostics: &cases }).unwrap());
    }
}
