//! `check --fix` and `--diff`: turns the fixes the engine attached to findings into new
//! file text. Every byte outside an inserted stub or a replaced phrase is kept as it was,
//! stubs use the file's own line endings, and a result that no longer parses is refused.

use crate::diag::{Diagnostic, Fix};
use crate::diff::Change;
use crate::model::Format;
use crate::rules::RuleSet;
use crate::source::SourceFile;
use crate::template::{guidance, PLACEHOLDER};
use std::fmt::Write as _;
use std::path::Path;

/// The rewritten text of one file and how many findings it resolves.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rewrite {
    pub text: String,
    pub fixed: usize,
    /// Where each edit landed, in order, for `--diff`.
    pub changes: Vec<Change>,
}

/// Why a file's fixes were not applied.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refused {
    /// The fixed text would not parse (for example a TOML form whose `sections` table is
    /// written inline, so a new `[sections.*]` table would clash with it).
    WouldNotParse(String),
}

/// One edit: bytes `start..end` become `text`.
struct Edit {
    start: usize,
    end: usize,
    text: String,
}

/// The new text of `source` with the fixes of `diags` (findings in that file) applied, or
/// `None` when none applies.
pub fn rewrite(source: &SourceFile, format: Format, diags: &[&Diagnostic], set: &RuleSet) -> Result<Option<Rewrite>, Refused> {
    let text = source.text.as_str();
    let newline = line_ending(text);
    let parsed = |text: &str| {
        let file = SourceFile::new(source.path.as_str(), text);
        let mut diags = Vec::new();
        let proposal = crate::parse::parse(&file, 0, format, &set.vocab.aliases, &mut diags);
        (proposal, diags)
    };
    // A section's content can end before its last block's markup does (a closing code
    // fence): a stub goes at the next heading, never inside a block.
    let heading_starts: Vec<usize> =
        if format == Format::Markdown { parsed(text).0.sections.iter().map(|s| s.heading_span.start).collect() } else { Vec::new() };
    let mut edits = Vec::new();
    let mut fixed = 0;

    // Sections: one stub per missing section, whichever rules asked for it; stubs at the
    // same point keep catalogue order.
    let mut stubs: Vec<(usize, usize, &str, u8, Vec<&str>)> = Vec::new();
    for d in diags.iter().filter(|d| d.waived.is_none()) {
        match &d.fix {
            Some(Fix::InsertSection { at, section, level }) => {
                fixed += 1;
                match stubs.iter_mut().find(|s| s.2 == section) {
                    Some(stub) => stub.4.push(&d.rule),
                    None => {
                        let order = set.catalog.position(section).unwrap_or(usize::MAX);
                        let at = match format {
                            Format::Toml => text.len(),
                            Format::Markdown => heading_starts.iter().copied().find(|&h| h >= *at).unwrap_or(text.len()),
                        };
                        let at = insertion_line(text, at);
                        stubs.push((at, order, section, *level, vec![&d.rule]));
                    }
                }
            }
            // The span must still hold exactly the matched words: a match that crossed
            // markup or escapes is left for the author.
            Some(Fix::Replace { span, expect, text: with }) if text.get(span.start..span.end) == Some(expect.as_str()) => {
                fixed += 1;
                edits.push(Edit { start: span.start, end: span.end, text: with.clone() });
            }
            Some(Fix::Replace { .. }) | None => {}
        }
    }
    stubs.sort_by_key(|s| (s.0, s.1));
    let mut i = 0;
    while i < stubs.len() {
        let at = stubs[i].0;
        let mut body = String::new();
        while i < stubs.len() && stubs[i].0 == at {
            let (_, _, section, level, rules) = &stubs[i];
            if !body.is_empty() {
                body.push_str(newline);
            }
            let notes: Vec<String> = rules.iter().filter_map(|id| set.rule(id)).map(guidance).collect();
            body.push_str(&match format {
                Format::Toml => toml_stub(&free_table_key(text, section), set.catalog.title(section), &notes, newline),
                Format::Markdown => markdown_stub(set.catalog.title(section), *level, &notes, newline),
            });
            i += 1;
        }
        edits.push(Edit { start: at, end: at, text: surround(text, at, body, newline, source.bom_len()) });
    }
    if edits.is_empty() {
        return Ok(None);
    }

    // Later edits first: an edit overlapping one already kept is dropped rather than
    // guessed at. The kept ones are then written in order in one pass (replacing each in
    // place moved the rest of the file once per edit).
    edits.sort_by(|a, b| b.start.cmp(&a.start).then(b.end.cmp(&a.end)));
    let mut floor = usize::MAX;
    edits.retain(|e| {
        let overlaps = e.end > floor;
        if overlaps {
            fixed -= 1;
        } else {
            floor = e.start;
        }
        !overlaps
    });
    edits.reverse();
    let mut out = String::with_capacity(text.len() + edits.iter().map(|e| e.text.len()).sum::<usize>());
    let mut changes = Vec::with_capacity(edits.len());
    let mut copied = 0;
    for e in &edits {
        out.push_str(&text[copied..e.start]);
        let at = out.len();
        out.push_str(&e.text);
        changes.push(Change { old: e.start..e.end, new: at..out.len() });
        copied = e.end;
    }
    out.push_str(&text[copied..]);
    // The result must parse, and every stub must read as a section of its own (a file that
    // ends inside an unclosed code fence would swallow it).
    let (before, _) = parsed(text);
    let (after, diags) = parsed(&out);
    if let Some(d) = diags.iter().find(|d| d.is_tool() && d.severity == crate::diag::Severity::Error) {
        return Err(Refused::WouldNotParse(d.message.clone()));
    }
    if after.sections.len() != before.sections.len() + stubs.len() {
        return Err(Refused::WouldNotParse("a new section would not read as a heading".into()));
    }
    Ok(Some(Rewrite { text: out, fixed, changes }))
}

/// The file's line ending, from its first line break; `\n` when it has none.
fn line_ending(text: &str) -> &'static str {
    match text.find(['\n', '\r']) {
        Some(i) if text[i..].starts_with("\r\n") => "\r\n",
        Some(i) if text.as_bytes()[i] == b'\r' => "\r",
        _ => "\n",
    }
}

/// The first line start at or after `at` that is not a blank line, so a stub goes
/// straight before the next heading and the blank lines already there stay above it.
fn insertion_line(text: &str, at: usize) -> usize {
    let mut at = line_start_at_or_after(text, at);
    while at < text.len() {
        let next = line_start_at_or_after(text, at + 1);
        if !text[at..next].trim().is_empty() {
            break;
        }
        at = next;
    }
    at
}

/// `at` if it starts a line (or is the end), else the start of the next line.
fn line_start_at_or_after(text: &str, at: usize) -> usize {
    let at = at.min(text.len());
    if at == 0 || at == text.len() || matches!(text.as_bytes()[at - 1], b'\n' | b'\r') && text.as_bytes()[at] != b'\n' {
        return at;
    }
    text[at..].find(['\n', '\r']).map_or(text.len(), |i| {
        let j = at + i;
        if text[j..].starts_with("\r\n") {
            j + 2
        } else {
            j + 1
        }
    })
}

/// Blank lines around an inserted block, and the file's trailing-newline habit kept.
fn surround(text: &str, at: usize, mut body: String, newline: &str, bom: usize) -> String {
    let before = &text[..at];
    let ends_line = before.ends_with(['\n', '\r']);
    let blank_before = at <= bom || before[bom..].trim_end_matches([' ', '\t']).is_empty() || ends_with_blank_line(before);
    let prefix = if blank_before {
        ""
    } else if ends_line {
        newline
    } else {
        // The file ended without a line break: end its last line, then leave a blank one.
        if newline == "\r\n" {
            "\r\n\r\n"
        } else if newline == "\r" {
            "\r\r"
        } else {
            "\n\n"
        }
    };
    if at < text.len() {
        body.push_str(newline);
    } else if !text.is_empty() && !text.ends_with(['\n', '\r']) {
        // Keep "no newline at end of file" for files that had none.
        body.truncate(body.len() - newline.len());
    }
    format!("{prefix}{body}")
}

fn ends_with_blank_line(before: &str) -> bool {
    let trimmed = before.strip_suffix("\r\n").or_else(|| before.strip_suffix(['\n', '\r']));
    trimmed.is_some_and(|t| t.is_empty() || t.ends_with(['\n', '\r']))
}

fn markdown_stub(title: &str, level: u8, notes: &[String], nl: &str) -> String {
    let mut s = String::new();
    let _ = write!(s, "{} {title}{nl}{nl}", "#".repeat(level.clamp(1, 6) as usize));
    if !notes.is_empty() {
        let _ = write!(s, "<!-- {} -->{nl}{nl}", notes.join(&format!("{nl}     ")));
    }
    let _ = write!(s, "{PLACEHOLDER}{nl}");
    s
}

/// `id`, or `id_2`, `id_3`, ... when the form already has a `[sections.id]` table whose
/// title made it read as some other section ("Device set-up" under `[sections.security]`).
fn free_table_key(text: &str, id: &str) -> String {
    let taken = |key: &str| {
        let header = format!("[sections.{key}]");
        text.lines().any(|l| l.trim_start().starts_with(&header))
    };
    (1..).map(|n| if n == 1 { id.to_string() } else { format!("{id}_{n}") }).find(|k| !taken(k)).unwrap_or_default()
}

fn toml_stub(id: &str, title: &str, notes: &[String], nl: &str) -> String {
    let mut s = format!("[sections.{id}]{nl}");
    for n in notes {
        let _ = write!(s, "# {n}{nl}");
    }
    let _ = write!(s, "title = \"{}\"{nl}body = '''{nl}{PLACEHOLDER}{nl}'''{nl}", title.replace(['"', '\\'], ""));
    s
}

/// Replaces `path` with `text` atomically: a temporary file beside the target (through any
/// symlink), flushed to disk, given the original's permissions, then renamed over it.
pub fn write_atomically(path: &Path, text: &str) -> std::io::Result<()> {
    use std::io::Write;
    let target = std::fs::canonicalize(path)?;
    let dir = target.parent().ok_or_else(|| std::io::Error::other("file has no parent folder"))?;
    let name = target.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let metadata = std::fs::metadata(&target)?;
    if !metadata.is_file() {
        return Err(std::io::Error::other("not a regular file"));
    }
    let permissions = metadata.permissions();
    let mut attempt = 0;
    let (tmp, mut file) = loop {
        let tmp = dir.join(format!(".{name}.proplint-{}-{attempt}.tmp", std::process::id()));
        match std::fs::OpenOptions::new().write(true).create_new(true).open(&tmp) {
            Ok(f) => break (tmp, f),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists && attempt < 100 => attempt += 1,
            Err(e) => return Err(e),
        }
    };
    let result = file
        .write_all(text.as_bytes())
        .and_then(|()| file.sync_all())
        .and_then(|()| std::fs::set_permissions(&tmp, permissions))
        .and_then(|()| std::fs::rename(&tmp, &target));
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_regular_file_is_replaced() {
        let dir = tempfile::tempdir().unwrap();
        let err = write_atomically(dir.path(), "text").unwrap_err();
        assert_eq!(err.to_string(), "not a regular file");
        assert!(dir.path().is_dir());
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
    }

    #[test]
    fn a_taken_table_key_gets_a_number() {
        assert_eq!(free_table_key("[proposal]\n", "security"), "security");
        assert_eq!(free_table_key("[sections.security]\ntitle = \"Device set-up\"\n", "security"), "security_2");
        assert_eq!(free_table_key("[sections.security]\n[sections.security_2]\n", "security"), "security_3");
    }

    #[test]
    fn line_endings_follow_the_first_break() {
        assert_eq!(line_ending("a\r\nb\n"), "\r\n");
        assert_eq!(line_ending("a\nb\r\n"), "\n");
        assert_eq!(line_ending("a\rb"), "\r");
        assert_eq!(line_ending("one line"), "\n");
    }

    #[test]
    fn insertion_moves_to_a_line_start() {
        let text = "# T\n\nabc\n## Next\n";
        assert_eq!(line_start_at_or_after(text, 0), 0);
        assert_eq!(line_start_at_or_after(text, 7), 9);
        assert_eq!(line_start_at_or_after(text, 9), 9);
        assert_eq!(line_start_at_or_after(text, text.len()), text.len());
        assert_eq!(line_start_at_or_after("a\r\nb", 2), 3);
        assert_eq!(insertion_line("a\n\n \n## B\n", 2), 5);
        assert_eq!(insertion_line("a\r\n\r\n", 3), 5);
    }

    #[test]
    fn surrounding_keeps_blank_lines_and_missing_final_newline() {
        assert_eq!(surround("# T\n\ntext\n", 10, "## S\n".into(), "\n", 0), "\n## S\n");
        assert_eq!(surround("# T\n\ntext\n\n", 11, "## S\n".into(), "\n", 0), "## S\n");
        assert_eq!(surround("# T\n\ntext", 9, "## S\n".into(), "\n", 0), "\n\n## S");
        assert_eq!(surround("# T\n\n## B\n", 5, "## S\n".into(), "\n", 0), "## S\n\n");
        assert_eq!(surround("# T\r\ntext\r\n", 11, "## S\r\n".into(), "\r\n", 0), "\r\n## S\r\n");
    }
}
