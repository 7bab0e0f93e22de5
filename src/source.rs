//! Source files as read from disk, and the one place where byte offsets become lines
//! and columns. Depends only on `span`.

use crate::span::Span;
use codespan_reporting::files::{Error as FilesError, Files};
use std::ops::Range;

pub const BOM: &str = "\u{feff}";

/// Line starts of one file, built once; lookups are binary searches.
#[derive(Debug, Clone)]
pub struct LineIndex {
    starts: Vec<usize>,
    bom_len: usize,
    /// (offset, columns before it on its line) every `CHECKPOINT` bytes of long lines, so
    /// that a column on a line of megabytes costs no more than one on a short line.
    checkpoints: Vec<(usize, usize)>,
}

const CHECKPOINT: usize = 4096;

/// A 1-based line and column; columns count Unicode scalar values and a leading BOM takes none.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Position {
    pub line: usize,
    pub column: usize,
}

impl LineIndex {
    pub fn new(text: &str) -> Self {
        let mut starts = vec![0];
        // LF, CRLF or a lone CR ends a line, as in CommonMark and in editors.
        starts.extend(line_breaks(text.as_bytes()));
        let bom_len = if text.starts_with(BOM) { BOM.len() } else { 0 };
        let mut checkpoints = Vec::new();
        for (line, &start) in starts.iter().enumerate() {
            let start = if line == 0 { bom_len } else { start };
            let end = starts.get(line + 1).copied().unwrap_or(text.len());
            if end.saturating_sub(start) <= CHECKPOINT {
                continue;
            }
            let mut next = start + CHECKPOINT;
            for (column, (i, _)) in text[start..end].char_indices().enumerate() {
                if start + i >= next {
                    checkpoints.push((start + i, column));
                    next = start + i + CHECKPOINT;
                }
            }
        }
        LineIndex { starts, bom_len, checkpoints }
    }

    pub fn line_count(&self) -> usize {
        self.starts.len()
    }

    /// 0-based line containing `offset`.
    pub fn line_of(&self, offset: usize) -> usize {
        match self.starts.binary_search(&offset) {
            Ok(line) => line,
            Err(next) => next - 1,
        }
    }

    pub fn line_start(&self, line: usize) -> usize {
        self.starts[line]
    }

    /// Byte range of a 0-based line without its line break.
    pub fn line_range(&self, text: &str, line: usize) -> Range<usize> {
        let start = self.starts[line];
        let mut end = self.starts.get(line + 1).copied().unwrap_or(text.len());
        let bytes = text.as_bytes();
        if end > start && bytes[end - 1] == b'\n' {
            end -= 1;
        }
        if end > start && bytes[end - 1] == b'\r' {
            end -= 1;
        }
        start..end
    }

    pub fn position(&self, text: &str, offset: usize) -> Position {
        let offset = offset.min(text.len());
        let line = self.line_of(offset);
        let mut start = self.starts[line];
        if line == 0 {
            start = start.max(self.bom_len.min(offset));
        }
        let cp = self.checkpoints.partition_point(|&(at, _)| at <= offset);
        let (from, before) = match cp.checked_sub(1).map(|i| self.checkpoints[i]) {
            Some((at, columns)) if at >= start => (at, columns),
            _ => (start, 0),
        };
        let column = before + text.get(from..offset).map_or(0, |s| s.chars().count()) + 1;
        Position { line: line + 1, column }
    }
}

/// Offsets where lines start after the first: after each LF, and after a CR not followed by LF.
fn line_breaks(bytes: &[u8]) -> impl Iterator<Item = usize> + '_ {
    memchr::memchr2_iter(b'\n', b'\r', bytes).filter_map(|i| match bytes[i] {
        b'\r' if bytes.get(i + 1) == Some(&b'\n') => None,
        _ => Some(i + 1),
    })
}

/// One file's text and its line index. `path` is the display path (relative, `/`-separated).
#[derive(Debug, Clone)]
pub struct SourceFile {
    pub path: String,
    pub text: String,
    pub lines: LineIndex,
    /// The text as source snippets show it, when it holds control characters.
    shown: Option<String>,
}

impl SourceFile {
    pub fn new(path: impl Into<String>, text: impl Into<String>) -> Self {
        let text = text.into();
        let lines = LineIndex::new(&text);
        let shown = shown_text(&text);
        SourceFile { path: path.into(), text, lines, shown }
    }

    pub fn position(&self, offset: usize) -> Position {
        self.lines.position(&self.text, offset)
    }

    /// The length of a leading BOM, which parsers skip and spans keep.
    pub fn bom_len(&self) -> usize {
        if self.text.starts_with(BOM) {
            BOM.len()
        } else {
            0
        }
    }

    pub fn slice(&self, span: Span) -> &str {
        self.text.get(span.range()).unwrap_or("")
    }
}

/// The text with every control character but tab and line breaks replaced by `?` of the
/// same byte length, so that a snippet of a proposal cannot drive the reader's terminal
/// (ANSI escapes, backspaces) while every byte offset still points at the same place.
fn shown_text(text: &str) -> Option<String> {
    // CR and LF both end lines, so neither is ever inside a snippet line.
    let unsafe_char = |c: char| c.is_control() && !matches!(c, '\t' | '\n' | '\r');
    // Control characters are U+0000-U+001F and U+007F-U+009F: a byte below 0x20 or 0x7F,
    // or 0xC2 leading 0x80-0x9F. Read as bytes, nearly every file is cleared at memory speed.
    let bytes = text.as_bytes();
    let c0 = bytes.iter().any(|&b| (b < 0x20 && !matches!(b, b'\t' | b'\n' | b'\r')) || b == 0x7F);
    let c1 = || memchr::memchr_iter(0xC2, bytes).any(|i| bytes.get(i + 1).is_some_and(|b| (0x80..=0x9F).contains(b)));
    if !c0 && !c1() {
        return None;
    }
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if unsafe_char(c) {
            out.extend(std::iter::repeat_n('?', c.len_utf8()));
        } else {
            out.push(c);
        }
    }
    Some(out)
}

/// Every file a run reports on, including embedded rule packs, addressable by index.
#[derive(Debug, Default, Clone)]
pub struct SourceDb {
    files: Vec<SourceFile>,
}

pub type FileId = usize;

impl SourceDb {
    pub fn add(&mut self, file: SourceFile) -> FileId {
        self.files.push(file);
        self.files.len() - 1
    }

    pub fn get(&self, id: FileId) -> &SourceFile {
        &self.files[id]
    }

    /// The file `id` names, if it is in this database.
    pub fn try_get(&self, id: FileId) -> Option<&SourceFile> {
        self.files.get(id)
    }

    pub fn find(&self, path: &str) -> Option<FileId> {
        self.files.iter().position(|f| f.path == path)
    }
}

impl<'a> Files<'a> for SourceDb {
    type FileId = FileId;
    type Name = &'a str;
    type Source = &'a str;

    fn name(&'a self, id: FileId) -> Result<&'a str, FilesError> {
        self.files.get(id).map(|f| f.path.as_str()).ok_or(FilesError::FileMissing)
    }

    fn source(&'a self, id: FileId) -> Result<&'a str, FilesError> {
        self.files.get(id).map(|f| f.shown.as_deref().unwrap_or(&f.text)).ok_or(FilesError::FileMissing)
    }

    fn line_index(&'a self, id: FileId, byte_index: usize) -> Result<usize, FilesError> {
        let file = self.files.get(id).ok_or(FilesError::FileMissing)?;
        Ok(file.lines.line_of(byte_index.min(file.text.len())))
    }

    fn line_range(&'a self, id: FileId, line_index: usize) -> Result<Range<usize>, FilesError> {
        let file = self.files.get(id).ok_or(FilesError::FileMissing)?;
        if line_index >= file.lines.line_count() {
            return Err(FilesError::LineTooLarge { given: line_index, max: file.lines.line_count() - 1 });
        }
        let range = file.lines.line_range(&file.text, line_index);
        // codespan wants the line break included so that carets can point past the last character.
        let next = if line_index + 1 < file.lines.line_count() { file.lines.line_start(line_index + 1) } else { file.text.len() };
        Ok(range.start..next.max(range.end))
    }

    fn column_number(&'a self, id: FileId, _line_index: usize, byte_index: usize) -> Result<usize, FilesError> {
        let file = self.files.get(id).ok_or(FilesError::FileMissing)?;
        Ok(file.position(byte_index).column)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every character from U+0000 to U+024F, alone and between others, is judged as
    /// `char::is_control` judges it (the byte scan must agree on the C1 block's 0xC2).
    #[test]
    fn control_characters_are_found_by_their_bytes() {
        let unsafe_char = |c: char| c.is_control() && !matches!(c, '\t' | '\n' | '\r');
        for c in ('\0'..='\u{24F}').chain(['\u{2028}', '\u{FEFF}', '\u{1F600}']) {
            for text in [c.to_string(), format!("a{c}b"), format!("é{c}\u{A0}")] {
                let shown = shown_text(&text);
                assert_eq!(shown.is_some(), unsafe_char(c), "{c:?}");
                if let Some(shown) = shown {
                    assert_eq!(shown.len(), text.len());
                    assert!(!shown.chars().any(unsafe_char));
                }
            }
        }
    }

    /// LF, CRLF and a lone CR each end one line, wherever they fall.
    #[test]
    fn line_breaks_of_every_kind() {
        for (text, want) in [
            ("", vec![]),
            ("a\nb", vec![2]),
            ("a\r\nb\rc\n", vec![3, 5, 7]),
            ("\r", vec![1]),
            ("\r\r\n\n\r", vec![1, 3, 4, 5]),
            ("é\r\n", vec![4]),
        ] {
            assert_eq!(line_breaks(text.as_bytes()).collect::<Vec<_>>(), want, "{text:?}");
        }
    }

    #[test]
    fn crlf_lines_and_columns() {
        let text = "ab\r\ncd\r\n";
        let idx = LineIndex::new(text);
        assert_eq!(idx.position(text, 4), Position { line: 2, column: 1 });
        assert_eq!(idx.position(text, 5), Position { line: 2, column: 2 });
        assert_eq!(idx.line_range(text, 0), 0..2);
    }

    #[test]
    fn bom_takes_no_column() {
        let text = "\u{feff}# T\n";
        let idx = LineIndex::new(text);
        assert_eq!(idx.position(text, 3), Position { line: 1, column: 1 });
        assert_eq!(idx.position(text, 5), Position { line: 1, column: 3 });
    }

    #[test]
    fn columns_count_scalars_not_bytes() {
        let text = "\tŵ😀x";
        let idx = LineIndex::new(text);
        let x = text.find('x').unwrap();
        assert_eq!(idx.position(text, x), Position { line: 1, column: 4 });
    }
}
