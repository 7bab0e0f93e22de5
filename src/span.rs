//! Byte ranges into a file as it is stored on disk. Everything downstream of reading
//! speaks in spans; line and column are derived only in `source`.

use std::ops::Range;

/// A byte range `start..end` (end exclusive) into the original file, BOM included.
/// Invariant: `start <= end`, and both lie on UTF-8 character boundaries.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Span {
    pub start: usize,
    pub end: usize,
}

impl Span {
    pub fn new(start: usize, end: usize) -> Self {
        debug_assert!(start <= end, "span start {start} after end {end}");
        Span { start, end }
    }

    /// A zero-width span: an insertion point.
    pub fn point(at: usize) -> Self {
        Span { start: at, end: at }
    }

    pub fn len(self) -> usize {
        self.end - self.start
    }

    pub fn is_empty(self) -> bool {
        self.start == self.end
    }

    pub fn shift(self, by: usize) -> Self {
        Span::new(self.start + by, self.end + by)
    }

    pub fn range(self) -> Range<usize> {
        self.start..self.end
    }

    pub fn contains(self, other: Span) -> bool {
        self.start <= other.start && other.end <= self.end
    }
}

impl From<Range<usize>> for Span {
    fn from(r: Range<usize>) -> Self {
        Span::new(r.start, r.end)
    }
}
