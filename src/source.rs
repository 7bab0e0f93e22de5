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
}

/// A 1-based line and column; columns count Unicode scalar values and a leading BOM takes none.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Position {
    pub line: usize,
    pub column: usize,
}

impl LineIndex {
    pub fn new(text: &str) -> Self {
        let mut starts = vec![0];
        // LF ends a line; a CR before it belongs to the line break, so splitting at LF is enough.
        starts.extend(memchr_lf(text.as_bytes()).map(|i| i + 1));
        let bom_len = if text.starts_with(BOM) { BOM.len() } else { 0 };
        LineIndex { starts, bom_len }
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
            if end > start && bytes[end - 1] == b'\r' {
                end -= 1;
            }
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
        let column = text.get(start..offset).map_or(0, |s| s.chars().count()) + 1;
        Position { line: line + 1, column }
    }
}

fn memchr_lf(bytes: &[u8]) -> impl Iterator<Item = usize> + '_ {
    bytes.iter().enumerate().filter(|(_, b)| **b == b'\n').map(|(i, _)| i)
}

/// One file's text and its line index. `path` is the display path (relative, `/`-separated).
#[derive(Debug, Clone)]
pub struct SourceFile {
    pub path: String,
    pub text: String,
    pub lines: LineIndex,
}

impl SourceFile {
    pub fn new(path: impl Into<String>, text: impl Into<String>) -> Self {
        let text = text.into();
        let lines = LineIndex::new(&text);
        SourceFile { path: path.into(), text, lines }
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
        self.files.get(id).map(|f| f.text.as_str()).ok_or(FilesError::FileMissing)
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
