//! Unified diffs of the fixes `--diff` would make. The edits are known, so only the lines
//! around each are compared; a line diff of the whole file is quadratic in the number of
//! changed lines (a file with 50,000 fixed lines took minutes), and the result reads the
//! same as one: git's layout, three lines of context, hunks joined where contexts meet.

use similar::udiff::UnifiedHunkHeader;
use similar::{Algorithm, DiffOp, DiffableStr};
use std::ops::Range;

/// One edit of a rewrite: bytes `old` of the original became bytes `new` of the result.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    pub old: Range<usize>,
    pub new: Range<usize>,
}

const CONTEXT: usize = 3;

/// The unified diff from `old` to `new` (empty when they are equal), given every change
/// that made one from the other, in order.
pub fn unified(path: &str, old: &str, new: &str, changes: &[Change]) -> String {
    let (old_lines, new_lines) = (Lines::of(old), Lines::of(new));
    let ops = ops_near_changes(&old_lines, &new_lines, changes).unwrap_or_else(|| whole_file_ops(old, new));
    let (old_lines, new_lines) = (old_lines.lines, new_lines.lines);
    let mut out = String::new();
    for (i, hunk) in similar::group_diff_ops(ops, CONTEXT).iter().enumerate() {
        if i == 0 {
            out.push_str(&format!("--- a/{path}\n+++ b/{path}\n"));
        }
        out.push_str(&format!("{}\n", UnifiedHunkHeader::new(hunk)));
        for op in hunk {
            let (o, n) = (op.old_range(), op.new_range());
            match op {
                DiffOp::Equal { .. } => push_lines(&mut out, ' ', &old_lines[o]),
                DiffOp::Delete { .. } => push_lines(&mut out, '-', &old_lines[o]),
                DiffOp::Insert { .. } => push_lines(&mut out, '+', &new_lines[n]),
                DiffOp::Replace { .. } => {
                    push_lines(&mut out, '-', &old_lines[o]);
                    push_lines(&mut out, '+', &new_lines[n]);
                }
            }
        }
    }
    out
}

fn push_lines(out: &mut String, tag: char, lines: &[&str]) {
    for line in lines {
        out.push(tag);
        out.push_str(line);
        if !line.ends_with(['\r', '\n']) {
            out.push_str("\n\\ No newline at end of file\n");
        }
    }
}

fn whole_file_ops(old: &str, new: &str) -> Vec<DiffOp> {
    similar::TextDiff::from_lines(old, new).ops().to_vec()
}

/// The line diff made region by region: the whole lines each change touches (changes
/// whose lines meet are one region), compared on their own, with the lines between
/// regions equal. `None` when the lines between regions do not match up (a change that
/// joins or splits a CR LF pair moves line breaks), so the whole file is compared.
fn ops_near_changes(old_lines: &Lines<'_>, new_lines: &Lines<'_>, changes: &[Change]) -> Option<Vec<DiffOp>> {
    // Each region in bytes: (old range, new range), in order, whole lines of each side.
    let mut regions: Vec<(Range<usize>, Range<usize>)> = Vec::new();
    for c in changes {
        let start = old_lines.start_of_line_at(c.old.start);
        let mut end = old_lines.line_boundary_at_or_after(c.old.end);
        // Text put before a line without ending in a line break joins that line.
        if end == c.old.end && end < old_lines.len && !new_lines.is_boundary(c.new.end) {
            end = old_lines.line_boundary_at_or_after(end + 1);
        }
        let lead = c.old.start - start;
        let tail = end - c.old.end;
        let new_range = c.new.start.checked_sub(lead)?..c.new.end + tail;
        match regions.last_mut() {
            Some((o, n)) if start <= o.end => {
                o.end = o.end.max(end);
                n.end = n.end.max(new_range.end);
            }
            _ => regions.push((start..end, new_range)),
        }
    }
    let mut ops = Vec::new();
    let (mut old_at, mut new_at) = (0, 0);
    for (o, n) in &regions {
        let (o, n) = (old_lines.index_range(o)?, new_lines.index_range(n)?);
        push_equal(&mut ops, old_at, new_at, o.start.checked_sub(old_at)?, old_lines, new_lines, new_at..n.start)?;
        let local = similar::capture_diff_slices(Algorithm::Myers, &old_lines.lines[o.clone()], &new_lines.lines[n.clone()]);
        ops.extend(local.into_iter().map(|op| shifted(op, o.start, n.start)));
        (old_at, new_at) = (o.end, n.end);
    }
    let rest = old_lines.lines.len().checked_sub(old_at)?;
    push_equal(&mut ops, old_at, new_at, rest, old_lines, new_lines, new_at..new_lines.lines.len())?;
    Some(merge_equal_runs(ops))
}

/// An equal run of `len` lines from `old_at` and `new_at`: `None` unless the new side's
/// lines `new` are exactly those.
fn push_equal(
    ops: &mut Vec<DiffOp>,
    old_at: usize,
    new_at: usize,
    len: usize,
    old_lines: &Lines<'_>,
    new_lines: &Lines<'_>,
    new: Range<usize>,
) -> Option<()> {
    if new.len() != len || old_lines.lines.get(old_at..old_at + len)? != new_lines.lines.get(new)? {
        return None;
    }
    if len > 0 {
        ops.push(DiffOp::Equal { old_index: old_at, new_index: new_at, len });
    }
    Some(())
}

fn shifted(op: DiffOp, old_by: usize, new_by: usize) -> DiffOp {
    match op {
        DiffOp::Equal { old_index, new_index, len } => DiffOp::Equal { old_index: old_index + old_by, new_index: new_index + new_by, len },
        DiffOp::Delete { old_index, old_len, new_index } => {
            DiffOp::Delete { old_index: old_index + old_by, old_len, new_index: new_index + new_by }
        }
        DiffOp::Insert { old_index, new_index, new_len } => {
            DiffOp::Insert { old_index: old_index + old_by, new_index: new_index + new_by, new_len }
        }
        DiffOp::Replace { old_index, old_len, new_index, new_len } => {
            DiffOp::Replace { old_index: old_index + old_by, old_len, new_index: new_index + new_by, new_len }
        }
    }
}

/// Neighbouring equal runs as one, as a diff of the whole file reports them (hunks are
/// split on the length of one run).
fn merge_equal_runs(ops: Vec<DiffOp>) -> Vec<DiffOp> {
    let mut out: Vec<DiffOp> = Vec::with_capacity(ops.len());
    for op in ops {
        if let (Some(DiffOp::Equal { len, .. }), DiffOp::Equal { len: more, .. }) = (out.last_mut(), op) {
            *len += more;
            continue;
        }
        out.push(op);
    }
    out
}

/// A text's lines as `similar` splits them (after LF, CR LF or a lone CR), with where
/// each starts.
struct Lines<'a> {
    lines: Vec<&'a str>,
    starts: Vec<usize>,
    len: usize,
}

impl<'a> Lines<'a> {
    fn of(text: &'a str) -> Self {
        let lines = text.tokenize_lines();
        let mut starts = Vec::with_capacity(lines.len());
        let mut at = 0;
        for line in &lines {
            starts.push(at);
            at += line.len();
        }
        Lines { lines, starts, len: text.len() }
    }

    /// The start of the line holding byte `at` (the last line's, for the text's end).
    fn start_of_line_at(&self, at: usize) -> usize {
        match self.starts.partition_point(|&s| s <= at) {
            0 => 0,
            i => self.starts[i - 1],
        }
    }

    /// `at` when a line starts there, else where the next one does (or the text ends).
    fn line_boundary_at_or_after(&self, at: usize) -> usize {
        let i = self.starts.partition_point(|&s| s < at);
        self.starts.get(i).copied().unwrap_or(self.len)
    }

    fn is_boundary(&self, at: usize) -> bool {
        at == self.len || self.starts.binary_search(&at).is_ok()
    }

    /// The lines making up bytes `range`, which must start and end on line boundaries.
    fn index_range(&self, range: &Range<usize>) -> Option<Range<usize>> {
        let index = |at: usize| match self.starts.binary_search(&at) {
            Ok(i) => Some(i),
            Err(i) if at == self.len => Some(i),
            Err(_) => None,
        };
        Some(index(range.start)?..index(range.end)?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Whether the diff is made near the changes, not of the whole file.
    fn near(old: &str, new: &str, changes: &[Change]) -> bool {
        ops_near_changes(&Lines::of(old), &Lines::of(new), changes).is_some()
    }

    /// What a diff of the whole file says.
    fn whole(path: &str, old: &str, new: &str) -> String {
        similar::TextDiff::from_lines(old, new)
            .unified_diff()
            .context_radius(CONTEXT)
            .header(&format!("a/{path}"), &format!("b/{path}"))
            .to_string()
    }

    /// Applies `edits` (old byte range, replacement), in order, and records the changes.
    fn edited(old: &str, edits: &[(Range<usize>, &str)]) -> (String, Vec<Change>) {
        let mut new = String::new();
        let mut changes = Vec::new();
        let mut copied = 0;
        for (range, text) in edits {
            new.push_str(&old[copied..range.start]);
            let at = new.len();
            new.push_str(text);
            changes.push(Change { old: range.clone(), new: at..new.len() });
            copied = range.end;
        }
        new.push_str(&old[copied..]);
        (new, changes)
    }

    #[test]
    fn reads_as_a_diff_of_the_whole_file() {
        let text = "# T\n\n## A\n\nN/A\n\n## B\n\nsome text\nmore\n\n## C\n\nN/A\n\n## D\n\nN/A";
        let na: Vec<Range<usize>> = text.match_indices("N/A").map(|(at, _)| at..at + 3).collect();
        let (a, c, d) = (na[0].clone(), na[1].clone(), na[2].clone());
        for edits in [
            vec![(a.clone(), "Not applicable because TBC.")],
            vec![(a.clone(), "x"), (c.clone(), "y"), (d.clone(), "z")],
            vec![(c.clone(), "two\nlines")],
            vec![(a.start..a.start, "## New\n\nTBC\n\n")],
            vec![(text.len()..text.len(), "\n\n## E\n\nTBC\n")],
            vec![(0..0, "\u{feff}")],
            vec![(d.clone(), "")],
        ] {
            let (new, changes) = edited(text, &edits);
            assert!(near(text, &new, &changes), "compared near the changes only: {edits:?}");
            assert_eq!(unified("p.md", text, &new, &changes), whole("p.md", text, &new), "{edits:?}");
        }
    }

    #[test]
    fn line_ends_of_every_kind() {
        for text in ["a\r\nN/A\r\nb\r\n", "a\rN/A\rb", "N/A", "a\nN/A"] {
            let at = text.find("N/A").unwrap();
            for with in ["x", "x\r", "\n", "y\r\nz"] {
                let (new, changes) = edited(text, &[(at..at + 3, with)]);
                // Only a line feed put after a lone CR moves a line break the lines
                // around it share; that one is compared whole.
                let near = near(text, &new, &changes);
                assert!(near || (text.contains("\rN/A") && with == "\n"), "{text:?} {with:?}");
                assert_eq!(unified("p", text, &new, &changes), whole("p", text, &new), "{text:?} {with:?}");
            }
        }
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(500))]

        /// Any text of short lines with any line ends, edited anywhere that is a char
        /// boundary, with text of the same kind: the diff of the whole file.
        #[test]
        fn any_edits_read_as_a_diff_of_the_whole_file(
            pieces in proptest::collection::vec(0usize..7, 0..60),
            edits in proptest::collection::vec((0usize..200, 0usize..4, proptest::collection::vec(0usize..7, 0..6)), 0..6),
        ) {
            const PIECES: [&str; 7] = ["a", "N/A", "\n", "\r\n", "\r", " ", "é"];
            let text: String = pieces.iter().map(|&p| PIECES[p]).collect();
            let mut cuts: Vec<(Range<usize>, String)> = Vec::new();
            let mut floor = 0;
            let mut at_edits = edits.clone();
            at_edits.sort_by_key(|e| e.0);
            for (at, len, with) in at_edits {
                let start = (floor + at % (text.len() + 1 - floor.min(text.len()))).min(text.len());
                let end = (start + len).min(text.len());
                if !text.is_char_boundary(start) || !text.is_char_boundary(end) || start < floor {
                    continue;
                }
                cuts.push((start..end, with.iter().map(|&p| PIECES[p]).collect()));
                floor = end + 1;
            }
            let borrowed: Vec<(Range<usize>, &str)> = cuts.iter().map(|(r, t)| (r.clone(), t.as_str())).collect();
            let (new, changes) = edited(&text, &borrowed);
            let diff = unified("p", &text, &new, &changes);
            // Where lines repeat, a whole-file diff may line up a change with a copy of its
            // lines elsewhere; this one shows the lines each edit touched. Both patch alike.
            proptest::prop_assert_eq!(patched(&text, &diff), new.clone(), "{:?}", diff);
        }
    }

    /// `old` with a unified diff applied, read as `patch` would.
    fn patched(old: &str, diff: &str) -> String {
        let old_lines = old.tokenize_lines();
        let lines = diff.tokenize_lines();
        let mut out = String::new();
        let mut old_at = 0;
        let mut i = 0;
        while i < lines.len() {
            let line = lines[i];
            i += 1;
            if line.starts_with("--- ") || line.starts_with("+++ ") {
                continue;
            }
            if let Some(header) = line.strip_prefix("@@ -") {
                let old_range = header.split(' ').next().unwrap();
                let (start, len) = old_range.split_once(',').unwrap_or((old_range, "1"));
                let (start, len): (usize, usize) = (start.parse().unwrap(), len.parse().unwrap());
                let first = if len == 0 { start } else { start - 1 };
                while old_at < first {
                    out.push_str(old_lines[old_at]);
                    old_at += 1;
                }
                continue;
            }
            let unterminated = lines.get(i).is_some_and(|next| next.starts_with("\\ No newline"));
            let body = &line[1..];
            let body = if unterminated { body.strip_suffix('\n').unwrap() } else { body };
            if unterminated {
                i += 1;
            }
            match &line[..1] {
                " " => {
                    assert_eq!(old_lines[old_at], body, "context must match");
                    out.push_str(body);
                    old_at += 1;
                }
                "-" => {
                    assert_eq!(old_lines[old_at], body, "removed line must match");
                    old_at += 1;
                }
                "+" => out.push_str(body),
                other => panic!("unexpected line {other:?} in {diff:?}"),
            }
        }
        for line in &old_lines[old_at..] {
            out.push_str(line);
        }
        out
    }

    /// Thousands of changed lines: the same diff, without comparing the whole file.
    #[test]
    fn many_changes_far_apart_and_side_by_side() {
        let text: String = (0..3000).map(|i| if i % 3 == 0 { "N/A\n".to_string() } else { format!("line {i}\n") }).collect();
        let edits: Vec<(Range<usize>, &str)> = text.match_indices("N/A").map(|(at, _)| (at..at + 3, "Not applicable")).collect();
        let (new, changes) = edited(&text, &edits);
        assert!(near(&text, &new, &changes));
        assert_eq!(unified("p", &text, &new, &changes), whole("p", &text, &new));
    }
}
