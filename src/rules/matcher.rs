//! Phrase lists and patterns, and how they are searched. Terms become whole-word,
//! case-insensitive phrases that accept spacing, hyphenation, plural and UK/US variants.
//!
//! A matcher is an ordered list of alternatives (terms, then patterns) with the meaning of
//! one leftmost-first regex alternation of them all. Searching is built for many matchers
//! over short blocks: a rule set's `Prefilter` finds, in one pass over a block, which
//! alternatives could match (from literals every match must hold); only those are tried.
//! Terms are verified directly around their rarest word's position; patterns are compiled
//! on first use, so a run pays only for the regexes its text needs.

use aho_corasick::{AhoCorasick, AhoCorasickKind, MatchKind};
use regex::{Regex, RegexBuilder};
use regex_automata::nfa::thompson;
use regex_automata::util::pool::Pool;
use regex_automata::Input;
use regex_automata::{hybrid, meta};
use regex_syntax::ast::{self, Ast};
use regex_syntax::hir::{Hir, HirKind, Look};
use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap};
use std::hash::BuildHasherDefault;
use std::ops::Range;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, OnceLock};

/// Limits that keep any user pattern linear and small (Rust's engine has no backtracking).
const SIZE_LIMIT: usize = 4 * 1024 * 1024;
const DFA_SIZE_LIMIT: usize = 8 * 1024 * 1024;
/// Per regex and thread: the lazy DFA starts again when full; a bigger cache only held
/// states that one unusual proposal needed, for the rest of the run.
const HYBRID_CACHE: usize = 512 * 1024;

/// How terms and patterns are written: spelling pairs and `{macro}` fragments.
#[derive(Debug, Clone, Default)]
pub struct Dialect {
    spelling: BTreeMap<String, (String, String)>,
    macros: BTreeMap<String, String>,
}

/// One word of a term: a literal, a UK/US pair, or an -ise/-ize stem (`head` `[sz]` `tail`).
#[derive(Debug, Clone)]
enum Word {
    Lit(String),
    Pair(String, String),
    Stem(String, String),
}

/// A term as a structure: what `spec_regex` writes out, and what `Term` matches directly.
#[derive(Debug, Clone)]
struct TermSpec {
    words: Vec<Word>,
    case_sensitive: bool,
    /// Endings tried in order after the last word (then none).
    suffixes: &'static [&'static str],
    starts_word: bool,
    ends_word: bool,
}

impl Dialect {
    pub fn new(pairs: &[(String, String)], macros: BTreeMap<String, String>) -> Self {
        let mut spelling = BTreeMap::new();
        for (uk, us) in pairs {
            let pair = (uk.to_lowercase(), us.to_lowercase());
            spelling.insert(uk.to_lowercase(), pair.clone());
            spelling.insert(us.to_lowercase(), pair);
        }
        Dialect { spelling, macros }
    }

    fn term_spec(&self, term: &str) -> TermSpec {
        let term = term.trim();
        let case_sensitive = term.chars().any(char::is_uppercase) && !term.chars().any(char::is_lowercase);
        let words = term.split(|c: char| c.is_whitespace() || c == '-').filter(|w| !w.is_empty()).map(|w| self.word(w)).collect();
        let last_alpha = term.chars().last().is_some_and(char::is_alphabetic);
        // Inflections as well as plurals: "penetration test" also finds "penetration
        // tested", "consult" finds "consulted" and "consulting".
        let suffixes: &[&str] = if !last_alpha {
            &[]
        } else if case_sensitive {
            &["s"]
        } else if term.ends_with('e') {
            &["s", "d", "r", "rs"]
        } else {
            &["s", "es", "ed", "ing", "er", "ers"]
        };
        TermSpec {
            words,
            case_sensitive,
            suffixes,
            starts_word: term.chars().next().is_some_and(|c| c.is_alphanumeric() || c == '_'),
            ends_word: term.chars().last().is_some_and(|c| c.is_alphanumeric() || c == '_'),
        }
    }

    /// The regex source for a plain phrase.
    pub fn term_regex(&self, term: &str) -> String {
        Dialect::spec_regex(&self.term_spec(term))
    }

    /// The regex source of a term already read into its structure.
    fn spec_regex(spec: &TermSpec) -> String {
        let mut body = String::new();
        for (i, word) in spec.words.iter().enumerate() {
            if i > 0 {
                body.push_str(r"[\s\-]*");
            }
            match word {
                Word::Lit(w) => body.push_str(&regex::escape(w)),
                Word::Pair(uk, us) => body.push_str(&format!("(?:{}|{})", regex::escape(uk), regex::escape(us))),
                Word::Stem(head, tail) => {
                    let (stem, h) = head.split_at(head.len() - 1);
                    body.push_str(&format!("{}{h}[sz]{}", regex::escape(stem), regex::escape(tail)));
                }
            }
        }
        if spec.case_sensitive && !spec.suffixes.is_empty() {
            body.push_str("s?");
        } else if !spec.suffixes.is_empty() {
            body.push_str(&format!("(?:{})?", spec.suffixes.join("|")));
        }
        let mut out = String::new();
        if spec.starts_word {
            out.push_str(r"\b");
        }
        out.push_str(&body);
        if spec.ends_word {
            out.push_str(r"\b");
        }
        if spec.case_sensitive {
            format!("(?-i:{out})")
        } else {
            format!("(?:{out})")
        }
    }

    fn word(&self, word: &str) -> Word {
        let lower = word.to_lowercase();
        if let Some((uk, us)) = self.spelling.get(&lower) {
            return Word::Pair(uk.clone(), us.clone());
        }
        // -ise/-ize, -isation/-ization, -yse/-yze: accept both spellings.
        for suffix in [
            "isations", "izations", "isation", "ization", "ising", "izing", "ised", "ized", "ises", "izes", "ise", "ize", "yse", "yze",
            "ysed", "yzed", "ysing", "yzing",
        ] {
            if lower.len() > suffix.len() + 2 {
                if let Some(stem) = lower.strip_suffix(suffix) {
                    return Word::Stem(format!("{stem}{}", &suffix[..1]), suffix[2..].to_string());
                }
            }
        }
        Word::Lit(word.to_string())
    }

    /// Expands `{macro}` references; `\{` stays a literal brace.
    pub fn expand(&self, pattern: &str) -> Result<String, String> {
        let mut out = String::with_capacity(pattern.len());
        let bytes = pattern.as_bytes();
        let mut i = 0;
        while i < bytes.len() {
            if bytes[i] == b'\\' && i + 1 < bytes.len() {
                out.push_str(&pattern[i..i + 2]);
                i += 2;
                continue;
            }
            if bytes[i] == b'{' {
                if let Some(close) = pattern[i..].find('}') {
                    let name = &pattern[i + 1..i + close];
                    if !name.is_empty() && name.chars().all(|c| c.is_ascii_alphabetic() || c == '-' || c == '_') {
                        let Some(body) = self.macros.get(name) else {
                            return Err(format!(
                                "unknown macro `{{{name}}}`; known: {}",
                                self.macros.keys().map(|k| format!("{{{k}}}")).collect::<Vec<_>>().join(", ")
                            ));
                        };
                        out.push_str("(?:");
                        out.push_str(body);
                        out.push(')');
                        i += close + 1;
                        continue;
                    }
                }
            }
            let ch = pattern[i..].chars().next().unwrap_or(' ');
            out.push(ch);
            i += ch.len_utf8();
        }
        Ok(out)
    }

    /// The regex source for a pattern, its syntax checked.
    pub fn pattern_regex(&self, pattern: &str) -> Result<String, String> {
        let body = self.pattern_source(pattern)?;
        check_syntax(&body)?;
        Ok(body)
    }

    /// The regex source for a pattern, unchecked (for packs known to compile).
    pub fn pattern_source(&self, pattern: &str) -> Result<String, String> {
        let expanded = self.expand(pattern)?;
        Ok(match expanded.strip_prefix("(?-i)") {
            Some(rest) => format!("(?-i:{rest})"),
            None => format!("(?:{expanded})"),
        })
    }
}

pub fn compile(source: &str) -> Result<Regex, regex::Error> {
    RegexBuilder::new(&dialect_classes(source, Form::Unicode))
        .case_insensitive(true)
        .size_limit(SIZE_LIMIT)
        .dfa_size_limit(DFA_SIZE_LIMIT)
        .build()
}

/// The letters `\w` matches besides ASCII ones: the accented Latin letters of Welsh,
/// Irish, Scottish Gaelic and European names. Unicode's whole `\w` (and `\d`, with the
/// digits of every script) made each pattern's automata several times larger for letters
/// no proposal uses; RE2 and Go, which Vale uses, keep these classes ASCII.
const LATIN_LETTERS: &str = r"\x{C0}-\x{D6}\x{D8}-\x{F6}\x{F8}-\x{24F}\x{1E00}-\x{1EFF}";

/// Which text a pattern is rewritten for: the ASCII form leaves out non-ASCII letters,
/// which ASCII text cannot hold.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Form {
    Ascii,
    Unicode,
}

/// Rewrites the pattern classes as the packs mean them: `\b` as the ASCII word boundary
/// `(?-u:\b)` (a Unicode one rules out the regex crate's DFAs), `\d` as `[0-9]`, and `\w`
/// as ASCII word characters and Latin letters. A nested class such as `[0-9]` is valid
/// inside a bracketed class too, so `[\w-]` needs no special case.
///
/// The parser case-folds a bracketed class code point by code point: outside brackets the
/// word class, already closed under case, is marked case-sensitive, and "any character"
/// written `[\s\S]` becomes `(?s:.)` (folding all of Unicode took 17 ms per pattern).
fn dialect_classes(source: &str, form: Form) -> String {
    const ANY: [&str; 6] = [r"[\s\S]", r"[\S\s]", r"[\w\W]", r"[\W\w]", r"[\d\D]", r"[\D\d]"];
    // Where Unicode is off, a class cannot hold non-ASCII letters (and `\w` always meant
    // ASCII there).
    let latin = if form == Form::Unicode && !turns_unicode_off(source) { LATIN_LETTERS } else { "" };
    let mut out = String::with_capacity(source.len() + 16);
    let mut in_class = false;
    let mut rest = source;
    while let Some(c) = rest.chars().next() {
        if !in_class {
            if let Some(any) = ANY.iter().find(|any| rest.starts_with(**any)) {
                out.push_str("(?s:.)");
                rest = &rest[any.len()..];
                continue;
            }
        }
        rest = &rest[c.len_utf8()..];
        if form == Form::Ascii && !c.is_ascii() {
            // A byte that ASCII text never holds: the character can match nothing there,
            // in a class or out of one, and the pattern still parses without Unicode.
            out.push_str("\\x80");
            continue;
        }
        if c != '\\' {
            match c {
                '[' => in_class = true,
                ']' => in_class = false,
                _ => {}
            }
            out.push(c);
            continue;
        }
        let Some(next) = rest.chars().next() else {
            out.push('\\');
            break;
        };
        rest = &rest[next.len_utf8()..];
        let (open, close) = if in_class { ("", "") } else { ("(?-i:", ")") };
        match next {
            'b' if !in_class => out.push_str("(?-u:\\b)"),
            'd' => out.push_str("[0-9]"),
            'D' => out.push_str("[^0-9]"),
            'w' | 'W' => {
                out.push_str(open);
                out.push_str(if next == 'w' { "[0-9A-Za-z_" } else { "[^0-9A-Za-z_" });
                out.push_str(latin);
                out.push(']');
                out.push_str(close);
            }
            _ => {
                out.push('\\');
                out.push(next);
            }
        }
    }
    out
}

/// True when a flag group in the pattern, such as `(?-u:…)` or `(?i-u)`, turns Unicode off.
fn turns_unicode_off(source: &str) -> bool {
    source.match_indices("(?").any(|(i, _)| {
        let flags = source[i + 2..].split([':', ')']).next().unwrap_or("");
        flags.split_once('-').is_some_and(|(_, off)| off.contains('u'))
    })
}

/// Checks a pattern's syntax without building its automata (which is what costs time).
pub fn check_syntax(source: &str) -> Result<(), String> {
    regex_syntax::ParserBuilder::new()
        .case_insensitive(true)
        .build()
        .parse(&dialect_classes(source, Form::Unicode))
        .map(|_| ())
        .map_err(|e| e.to_string())
}

/// What a haystack holds, which decides the cheapest regex that means the same on it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TextKind {
    /// All ASCII: Unicode classes can be cut down to ASCII, which makes far smaller automata.
    Ascii,
    Unicode,
}

impl TextKind {
    pub fn of(text: &str) -> TextKind {
        if text.is_ascii() {
            TextKind::Ascii
        } else {
            TextKind::Unicode
        }
    }
}

/// A regex compiled on first use, as written and, for ASCII text, cut down to ASCII (the
/// two agree on ASCII text).
#[derive(Debug)]
struct Lazy {
    source: String,
    hir: OnceLock<Option<Hir>>,
    forms: [OnceLock<Option<meta::Regex>>; 2],
    /// Forward-only automata for searches anchored at known starts, which need no reverse
    /// NFA (half of building a full regex).
    forward: [OnceLock<Option<Box<Forward>>>; 2],
}

/// Why an anchored search stopped before it knew the answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Stop {
    /// The block's allowance of bytes for anchored searches ran out: searching the rest of
    /// it once, unanchored, keeps the whole search linear.
    Budget,
    /// The lazy DFA gave up or met a byte it cannot decide on.
    Unsupported,
    /// The ASCII form met a non-ASCII byte.
    NonAscii,
}

/// A lazy DFA that finds where a match starting at a given offset ends.
struct Forward {
    dfa: hybrid::dfa::DFA,
    caches: Pool<hybrid::dfa::Cache, CacheFn>,
}

type CacheFn = Box<dyn Fn() -> hybrid::dfa::Cache + Send + Sync>;

impl std::fmt::Debug for Forward {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Forward").finish_non_exhaustive()
    }
}

impl Forward {
    /// `None` when the pattern needs the full regex (too large for the cache).
    fn build(hir: &Hir) -> Option<Box<Forward>> {
        let nfa = thompson::Compiler::new()
            .configure(
                thompson::Config::new()
                    .utf8(true)
                    .nfa_size_limit(Some(SIZE_LIMIT))
                    .shrink(false)
                    .which_captures(thompson::WhichCaptures::None),
            )
            .build_from_hir(hir)
            .ok()?;
        let dfa = hybrid::dfa::DFA::builder()
            .configure(
                hybrid::dfa::Config::new()
                    .match_kind(regex_automata::MatchKind::LeftmostFirst)
                    .unicode_word_boundary(true)
                    .cache_capacity(HYBRID_CACHE)
                    // Give up (and let the full regex search) rather than thrash the cache.
                    .minimum_cache_clear_count(Some(3))
                    .minimum_bytes_per_state(Some(10)),
            )
            .build_from_nfa(nfa)
            .ok()?;
        let for_cache = dfa.clone();
        let caches = Pool::new(Box::new(move || for_cache.create_cache()) as CacheFn);
        Some(Box::new(Forward { dfa, caches }))
    }

    /// The end of the leftmost-first match that starts at `at`, stepping the lazy DFA a
    /// byte at a time so that every byte read is counted against `budget`. With
    /// `ascii_bytes_only`, a non-ASCII byte stops the search undecided.
    fn end(&self, hay: &str, at: usize, budget: &mut usize, ascii_bytes_only: bool) -> Result<Option<usize>, Stop> {
        let mut cache = self.caches.get();
        let input = Input::new(hay).range(at..).anchored(regex_automata::Anchored::Yes);
        let mut state = self.dfa.start_state_forward(&mut cache, &input).map_err(|_| Stop::Unsupported)?;
        let mut end = None;
        let rest = &hay.as_bytes()[at..];
        // The bytes this search may read: past them, it stops for the budget.
        let allowed = rest.len().min(*budget);
        let (read, outcome) = 'search: {
            for (i, &byte) in rest[..allowed].iter().enumerate() {
                if ascii_bytes_only && !byte.is_ascii() {
                    break 'search (i + 1, Err(Stop::NonAscii));
                }
                if !state.is_tagged() {
                    // The cached transition, without the check for one not yet computed.
                    let next = self.dfa.next_state_untagged(&cache, state, byte);
                    if !next.is_tagged() {
                        state = next;
                        continue;
                    }
                }
                state = match self.dfa.next_state(&mut cache, state, byte) {
                    Ok(next) => next,
                    Err(_) => break 'search (i + 1, Err(Stop::Unsupported)),
                };
                // A DFA reports a match one byte late: this state means one ended at `i`.
                if state.is_match() {
                    end = Some(at + i);
                } else if state.is_dead() {
                    break 'search (i + 1, Ok(end));
                } else if state.is_quit() {
                    break 'search (i + 1, Err(Stop::Unsupported));
                }
            }
            if allowed < rest.len() {
                break 'search (allowed, Err(Stop::Budget));
            }
            let at_end = self.dfa.next_eoi_state(&mut cache, state).map_err(|_| Stop::Unsupported);
            (allowed, at_end.map(|state| if state.is_match() { Some(hay.len()) } else { end }))
        };
        *budget -= read;
        outcome
    }
}

impl Lazy {
    fn new(source: String) -> Self {
        Lazy { source, hir: OnceLock::new(), forms: Default::default(), forward: Default::default() }
    }

    fn hir(&self) -> Option<&Hir> {
        self.hir
            .get_or_init(|| {
                regex_syntax::ParserBuilder::new()
                    .case_insensitive(true)
                    .utf8(true)
                    .build()
                    .parse(&dialect_classes(&self.source, Form::Unicode))
                    .ok()
            })
            .as_ref()
    }

    fn build(hir: &Hir) -> Option<meta::Regex> {
        let config = meta::Config::new()
            .match_kind(regex_automata::MatchKind::LeftmostFirst)
            .utf8_empty(true)
            .nfa_size_limit(Some(SIZE_LIMIT))
            .hybrid_cache_capacity(HYBRID_CACHE)
            // Blocks are searched only where the rule set's own literals occur, so the
            // regex crate's literal analysis mostly repeats that work at build time.
            .auto_prefilter(false)
            .which_captures(regex_automata::nfa::thompson::WhichCaptures::Implicit);
        meta::Builder::new().configure(config).build_from_hir(hir).ok()
    }

    /// The pattern read without Unicode: ASCII classes and case folding, byte classes for
    /// negations. On ASCII text it means what the Unicode form means, and it parses and
    /// compiles far faster; `None` when the pattern needs Unicode (`\pL`).
    fn ascii_hir(&self) -> Option<Hir> {
        regex_syntax::ParserBuilder::new()
            .case_insensitive(true)
            .unicode(false)
            .utf8(false)
            .build()
            .parse(&dialect_classes(&self.source, Form::Ascii))
            .ok()
    }

    /// The regex for a haystack of `kind`; `None` for a pattern over the size limit, which
    /// matches nothing rather than failing a run.
    fn get(&self, kind: TextKind) -> Option<&meta::Regex> {
        self.form(&self.forms, kind, Lazy::build)
    }

    /// The automaton in `slots` for text of `kind`, built on first use: the ASCII form for
    /// ASCII text unless it cannot be built, else the Unicode one.
    fn form<'a, T>(&self, slots: &'a [OnceLock<Option<T>>; 2], kind: TextKind, build: fn(&Hir) -> Option<T>) -> Option<&'a T> {
        let ascii = (kind == TextKind::Ascii).then(|| {
            slots[0].get_or_init(|| match self.ascii_hir() {
                Some(h) => build(&h),
                None => self.hir().and_then(|h| build(&ascii_only(h))),
            })
        });
        ascii.and_then(Option::as_ref).or_else(|| slots[1].get_or_init(|| self.hir().and_then(build)).as_ref())
    }

    fn find_at(&self, hay: &str, kind: TextKind, at: usize) -> Option<(usize, usize)> {
        if at > hay.len() {
            return None;
        }
        self.get(kind)?.search(&Input::new(hay).range(at..)).map(|m| (m.start(), m.end()))
    }

    /// The search from `start`, the next of the known starts: `Some` with the answer when a
    /// match starts there or the budget ran out (the rest of the block, searched unanchored,
    /// answers then: every earlier start failed); `None` to try the next start.
    fn search_from_start(&self, hay: &str, kind: TextKind, start: usize, budget: &mut usize) -> Option<Option<(usize, usize)>> {
        match self.find_anchored(hay, kind, start, budget) {
            Ok(Some(found)) => Some(Some(found)),
            Ok(None) => None,
            Err(_) => Some(self.find_at(hay, kind, start)),
        }
    }

    /// The match that starts at `at`, if there is one; `Err` when `budget` ran out first.
    fn find_anchored(&self, hay: &str, kind: TextKind, at: usize, budget: &mut usize) -> Result<Option<(usize, usize)>, Stop> {
        // The two forms agree on ASCII text, so they step through the same states while
        // they read ASCII bytes: the ASCII form decides every search that reads no other,
        // even in a block with a pound sign or a dash elsewhere, and the Unicode form (a
        // second parse and a larger automaton) is built only for the rest.
        // The byte before the start is read too, by word boundaries, so it must be ASCII.
        let ascii_before = at == 0 || hay.as_bytes()[at - 1].is_ascii();
        let forms = match kind {
            TextKind::Unicode if ascii_before => &[TextKind::Ascii, TextKind::Unicode][..],
            TextKind::Unicode => &[TextKind::Unicode][..],
            TextKind::Ascii => &[TextKind::Ascii][..],
        };
        for &form in forms {
            let ascii_bytes_only = form != kind;
            match self.form(&self.forward, form, Forward::build).map(|f| f.end(hay, at, budget, ascii_bytes_only)) {
                Some(Ok(end)) => return Ok(end.map(|end| (at, end))),
                Some(Err(Stop::Budget)) => return Err(Stop::Budget),
                Some(Err(Stop::NonAscii)) => continue,
                Some(Err(Stop::Unsupported)) | None => break,
            }
        }
        let input = Input::new(hay).range(at..).anchored(regex_automata::Anchored::Yes);
        Ok(self.get(kind).and_then(|r| r.search(&input)).map(|m| (m.start(), m.end())))
    }
}

/// The same regex for ASCII text: classes cut down to ASCII, non-ASCII literals that can
/// never match, and ASCII word boundaries (the same as Unicode ones there).
fn ascii_only(hir: &Hir) -> Hir {
    use regex_syntax::hir::{Class, ClassUnicode, ClassUnicodeRange};
    match hir.kind() {
        HirKind::Class(Class::Unicode(c)) => {
            let mut c = c.clone();
            c.intersect(&ClassUnicode::new([ClassUnicodeRange::new('\0', '\x7F')]));
            Hir::class(Class::Unicode(c))
        }
        HirKind::Literal(lit) if !lit.0.is_ascii() => Hir::fail(),
        HirKind::Repetition(r) => {
            let mut r = r.clone();
            r.sub = Box::new(ascii_only(&r.sub));
            Hir::repetition(r)
        }
        HirKind::Capture(c) => {
            let mut c = c.clone();
            c.sub = Box::new(ascii_only(&c.sub));
            Hir::capture(c)
        }
        HirKind::Concat(subs) => Hir::concat(subs.iter().map(ascii_only).collect()),
        HirKind::Alternation(subs) => Hir::alternation(subs.iter().map(ascii_only).collect()),
        _ => ascii_boundaries(hir),
    }
}

/// The same regex with Unicode word boundaries made ASCII ones: identical on ASCII text.
fn ascii_boundaries(hir: &Hir) -> Hir {
    match hir.kind() {
        HirKind::Look(look) => Hir::look(match *look {
            Look::WordUnicode => Look::WordAscii,
            Look::WordUnicodeNegate => Look::WordAsciiNegate,
            Look::WordStartUnicode => Look::WordStartAscii,
            Look::WordEndUnicode => Look::WordEndAscii,
            Look::WordStartHalfUnicode => Look::WordStartHalfAscii,
            Look::WordEndHalfUnicode => Look::WordEndHalfAscii,
            other => other,
        }),
        HirKind::Repetition(r) => {
            let mut r = r.clone();
            r.sub = Box::new(ascii_boundaries(&r.sub));
            Hir::repetition(r)
        }
        HirKind::Capture(c) => {
            let mut c = c.clone();
            c.sub = Box::new(ascii_boundaries(&c.sub));
            Hir::capture(c)
        }
        HirKind::Concat(subs) => Hir::concat(subs.iter().map(ascii_boundaries).collect()),
        HirKind::Alternation(subs) => Hir::alternation(subs.iter().map(ascii_boundaries).collect()),
        _ => hir.clone(),
    }
}

/// A term matched without a regex, with exactly the regex's meaning. Only ASCII terms
/// whose words start with a letter or digit take this form; others stay regexes.
#[derive(Debug)]
struct Term {
    /// Per word, the spellings to try in order (lower case unless `case_sensitive`).
    words: Vec<Vec<Box<[u8]>>>,
    case_sensitive: bool,
    suffixes: &'static [&'static str],
    starts_word: bool,
    ends_word: bool,
    /// The word the prefilter looks for: the one whose shortest spelling is longest, as
    /// "in due course" is found far less often by "course" than by "in".
    anchor: usize,
    /// ASCII bytes (lower case) of the words before the anchor: a match's text between
    /// its start and its anchor holds only these, spaces and hyphens.
    lead: [bool; 128],
}

impl Term {
    fn from_spec(spec: &TermSpec) -> Option<Term> {
        let mut words = Vec::new();
        for w in &spec.words {
            let options: Vec<String> = match w {
                Word::Lit(s) => vec![s.clone()],
                Word::Pair(uk, us) => vec![uk.clone(), us.clone()],
                // `[sz]` expands to the two spellings; nothing else in the term can differ.
                Word::Stem(head, tail) => vec![format!("{head}s{tail}"), format!("{head}z{tail}")],
            };
            let simple = |o: &String| o.is_ascii() && o.bytes().next().is_some_and(|b| b.is_ascii_alphanumeric());
            if !options.iter().all(simple) {
                return None;
            }
            let fold = |o: String| if spec.case_sensitive { o } else { o.to_ascii_lowercase() };
            words.push(options.into_iter().map(|o| fold(o).into_bytes().into_boxed_slice()).collect());
        }
        if words.is_empty() {
            return None;
        }
        let shortest = |w: &Vec<Box<[u8]>>| w.iter().map(|o| o.len()).min().unwrap_or(0);
        let anchor = (0..words.len()).rev().max_by_key(|&i| shortest(&words[i])).unwrap_or(0);
        let mut lead = [false; 128];
        for b in words[..anchor].iter().flatten().flat_map(|o| o.iter()) {
            lead[usize::from(b.to_ascii_lowercase())] = true;
        }
        Some(Term {
            words,
            case_sensitive: spec.case_sensitive,
            suffixes: spec.suffixes,
            starts_word: spec.starts_word,
            ends_word: spec.ends_word,
            anchor,
            lead,
        })
    }

    /// The literals every match holds: the anchor word's spellings.
    fn literals(&self) -> Vec<String> {
        self.words[self.anchor].iter().map(|w| String::from_utf8_lossy(w).into_owned()).collect()
    }

    /// Where the text that can lead up to an anchor at `anchor` begins, not before `floor`:
    /// the run of lead bytes, spaces and hyphens before it (none when the anchor is the
    /// first word).
    fn lead_start(&self, hay: &str, anchor: usize, floor: usize) -> usize {
        if self.anchor == 0 || floor >= anchor {
            return anchor;
        }
        let mut start = anchor;
        for c in hay[floor..anchor].chars().rev() {
            let leads = c == '-' || c.is_whitespace() || (c.is_ascii() && self.lead[usize::from(c.to_ascii_lowercase() as u8)]);
            if !leads {
                break;
            }
            start -= c.len_utf8();
        }
        start
    }

    /// The leftmost match starting at or after `at`, given where the anchor's spelling
    /// `literal` occurs (offsets into `hay`, in order). Every start is tried once, in order:
    /// a start `s` belongs to the lead run of the first occurrence at or after it, because
    /// the run of a later occurrence that reaches back past `s` also covers that one.
    fn find_from(&self, hay: &str, at: usize, occurrences: impl Iterator<Item = usize>) -> Option<(usize, usize)> {
        let mut tried = at;
        for p in occurrences {
            let from = self.lead_start(hay, p, tried);
            for s in from..=p {
                if hay.is_char_boundary(s) {
                    if let Some(e) = self.match_at(hay, s) {
                        return Some((s, e));
                    }
                }
            }
            tried = tried.max(p + 1);
        }
        None
    }

    /// The end of the regex's match starting at `at`, if it matches there.
    fn match_at(&self, hay: &str, at: usize) -> Option<usize> {
        if self.starts_word && !is_word_boundary(hay, at) {
            return None;
        }
        self.words_from(hay, 0, at)
    }

    fn words_from(&self, hay: &str, i: usize, mut at: usize) -> Option<usize> {
        if i == self.words.len() {
            return self.suffix(hay, at);
        }
        if i > 0 {
            // `[\s\-]*` is greedy, and no word starts with a space or hyphen, so taking the
            // longest run is the only way on.
            at = skip_space_hyphen(hay, at);
        }
        for option in &self.words[i] {
            if self.starts_with(hay, at, option) {
                if let Some(end) = self.words_from(hay, i + 1, at + option.len()) {
                    return Some(end);
                }
            }
        }
        None
    }

    fn suffix(&self, hay: &str, at: usize) -> Option<usize> {
        self.suffixes
            .iter()
            .chain(std::iter::once(&""))
            .filter(|s| self.starts_with(hay, at, s.as_bytes()))
            .map(|s| at + s.len())
            .find(|&end| !self.ends_word || is_word_boundary(hay, end))
    }

    fn starts_with(&self, hay: &str, at: usize, lit: &[u8]) -> bool {
        let Some(bytes) = hay.as_bytes().get(at..at + lit.len()) else { return false };
        if self.case_sensitive {
            bytes == lit
        } else {
            bytes.iter().zip(lit).all(|(h, l)| h.to_ascii_lowercase() == *l)
        }
    }
}

fn skip_space_hyphen(hay: &str, mut at: usize) -> usize {
    while let Some(c) = hay.get(at..).and_then(|s| s.chars().next()) {
        if c != '-' && !c.is_whitespace() {
            break;
        }
        at += c.len_utf8();
    }
    at
}

/// `(?-u:\b)`, the word boundary rule regexes use: an ASCII word byte on one side only.
fn is_word_boundary(hay: &str, at: usize) -> bool {
    let word = |b: &u8| b.is_ascii_alphanumeric() || *b == b'_';
    let bytes = hay.as_bytes();
    let before = at > 0 && bytes.get(at - 1).is_some_and(word);
    let after = bytes.get(at).is_some_and(word);
    before != after
}

#[derive(Debug)]
enum AltKind {
    Term(Term),
    Pattern(Lazy),
}

#[derive(Debug)]
struct Alt {
    kind: AltKind,
    plan: Plan,
}

/// The shortest gate word worth looking for: shorter ones are in nearly every block.
const MIN_GATE: usize = 4;

/// Where a pattern's matches can start: known starts are searched anchored, which keeps
/// bounded repeats such as `[^.]{0,80}` from multiplying the lazy DFA's states the way an
/// unanchored search over the whole block does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Starts {
    Anywhere,
    /// At an occurrence of one of the alternative's literals.
    AtLiterals,
    /// At the start of a line: the pattern begins with `(?m)^`.
    AtLines,
    /// At one of a few bytes rare in prose (a digit, `£`): money, dates written in
    /// figures, percentages.
    AtBytes(ByteSet),
}

/// How an alternative is searched: what the literal analysis of a pattern concludes.
/// Reading a pattern's syntax tree for it was a fifth of a one-proposal run, so the
/// embedded packs' plans are worked out ahead, in `planned.rs`.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Plan {
    /// Every match holds one of these (ASCII case aside); `None` when unknown.
    literals: Option<Vec<String>>,
    /// Where a pattern's matches can start.
    starts: Starts,
    /// True when the alternative can match the empty string.
    may_be_empty: bool,
    /// Symbols one of which every match also holds, besides its literals (the `|` of a
    /// table row): a block without any is not searched, which spares the patterns whose
    /// common words would have them tried on nearly every paragraph.
    guard: Option<Vec<String>>,
    /// Words one of which every match also holds, rarer than the literals it starts with
    /// (`later` in "we will ... at a later date"): found by the prefilter with the rest, and
    /// a block without any is not searched.
    gate: Option<Vec<String>>,
}

impl Plan {
    fn of(source: &str) -> Plan {
        let parsed = ast::parse::Parser::new().parse(source).ok();
        let (prefixes, inner, may_be_empty, guard) = match parsed.as_ref().map(analyse) {
            Some(a) => (a.prefixes.and_then(finish), a.necessary, a.min_len == 0, a.guard),
            None => (None, None, true, None),
        };
        let prefixes = prefixes.filter(|set| inner.as_ref().is_none_or(|i| quality(set).0 >= quality(i).0.min(3)));
        let gate = match (&prefixes, &inner) {
            (Some(starts), Some(rarer)) if quality(rarer).0 >= MIN_GATE.max(quality(starts).0 + 1) => Some(rarer.clone()),
            _ => None,
        };
        // Anchored searches need only a forward automaton, half of what an unanchored one
        // costs to build; their budget keeps a pattern that matches at no start linear.
        let starts = match &prefixes {
            Some(_) => Starts::AtLiterals,
            None if parsed.as_ref().is_some_and(starts_line) => Starts::AtLines,
            None => match parsed.as_ref().and_then(first_bytes).filter(ByteSet::rare_in_prose) {
                Some(first) => Starts::AtBytes(first),
                None => Starts::Anywhere,
            },
        };
        Plan { literals: prefixes.or(inner), starts, may_be_empty, guard, gate }
    }
}

/// A plan worked out ahead for a pattern of the embedded packs.
struct Planned {
    source: &'static str,
    literals: Option<&'static [&'static str]>,
    starts: Starts,
    may_be_empty: bool,
    guard: Option<&'static [&'static str]>,
    gate: Option<&'static [&'static str]>,
}

impl Planned {
    fn to_plan(&self) -> Plan {
        let owned = |set: Option<&[&str]>| set.map(|s| s.iter().map(|l| (*l).to_string()).collect());
        Plan {
            literals: owned(self.literals),
            starts: self.starts,
            may_be_empty: self.may_be_empty,
            guard: owned(self.guard),
            gate: owned(self.gate),
        }
    }
}

// The plans of the embedded packs' patterns, sorted by source: generated by the test
// `planned_is_current` (set PROPLINT_REGENERATE=1), which fails when they are stale.
include!("planned.rs");

impl Alt {
    fn term(spec: &TermSpec) -> Alt {
        match Term::from_spec(spec) {
            Some(t) => Alt {
                plan: Plan { literals: Some(t.literals()), starts: Starts::Anywhere, may_be_empty: false, guard: None, gate: None },
                kind: AltKind::Term(t),
            },
            None => Alt::pattern(Dialect::spec_regex(spec)),
        }
    }

    fn pattern(source: String) -> Alt {
        let plan = match PLANNED.binary_search_by(|p| p.source.cmp(&source)) {
            Ok(i) => PLANNED[i].to_plan(),
            Err(_) => Plan::of(&source),
        };
        Alt { kind: AltKind::Pattern(Lazy::new(source)), plan }
    }

    /// The leftmost match at or after `at` in `hay`, which starts at offset `base` of the
    /// block `scan` was made from.
    /// Anchored searches read at most `budget` bytes in all; past it, the rest of the block
    /// is searched unanchored (and `budget` stays 0 for the calls after).
    fn find_at(
        &self,
        hay: &str,
        at: usize,
        scan: &Scan,
        literals: Option<&[u32]>,
        base: usize,
        budget: &mut usize,
    ) -> Option<(usize, usize)> {
        let kind = scan.kind;
        match (&self.kind, literals) {
            // A term starts with one of its literals: try it only where one is.
            (AltKind::Term(t), Some(lits)) => lits
                .iter()
                .filter_map(|&l| t.find_from(hay, at, scan.starts_from(l, base + at).map(|s| s - base).take_while(|&s| s < hay.len())))
                .min(),
            (AltKind::Term(t), None) => {
                (at..hay.len()).filter(|&s| hay.is_char_boundary(s)).find_map(|s| t.match_at(hay, s).map(|e| (s, e)))
            }
            (AltKind::Pattern(p), _) if *budget == 0 => p.find_at(hay, kind, at),
            (AltKind::Pattern(p), _) if self.plan.starts == Starts::AtLines => {
                let first = (at == 0 || hay.as_bytes().get(at - 1) == Some(&b'\n')).then_some(at);
                let after_newlines = hay.get(at..)?.match_indices('\n').map(|(i, _)| at + i + 1);
                first
                    .into_iter()
                    .chain(after_newlines)
                    .filter(|&s| s <= hay.len())
                    .find_map(|s| p.search_from_start(hay, kind, s, budget))?
            }
            (AltKind::Pattern(p), Some(lits)) if self.plan.starts == Starts::AtLiterals => {
                let mut cursors: Vec<usize> = lits.iter().map(|&l| scan.first_hit(l, base + at)).collect();
                let mut tried = None;
                loop {
                    // The next start among the literals' occurrences, in order.
                    let (i, start) = cursors
                        .iter()
                        .zip(lits)
                        .enumerate()
                        .filter_map(|(i, (&c, &l))| scan.hits.get(c).filter(|h| h.0 == l).map(|h| (i, h.1 as usize)))
                        .min_by_key(|&(_, start)| start)?;
                    cursors[i] += 1;
                    let s = start - base;
                    if s >= hay.len() {
                        return None;
                    }
                    if tried != Some(s) {
                        tried = Some(s);
                        if let Some(answer) = p.search_from_start(hay, kind, s, budget) {
                            return answer;
                        }
                    }
                }
            }
            (AltKind::Pattern(p), _) => match self.plan.starts {
                Starts::AtBytes(first) => {
                    let bytes = hay.as_bytes();
                    (at..bytes.len()).filter(|&s| first.contains(bytes[s])).find_map(|s| p.search_from_start(hay, kind, s, budget))?
                }
                _ => p.find_at(hay, kind, at),
            },
        }
    }
}

/// Where a matcher sits in a rule set's prefilter.
#[derive(Debug)]
struct Slot {
    prefilter: u64,
    /// Where its alternatives start in the prefilter's numbering of all alternatives.
    alt_base: u32,
    /// Per alternative, its literals' ids; `None` when it has to be tried everywhere.
    literals: Vec<Option<Vec<u32>>>,
}

impl Slot {
    /// Its alternatives' numbers in the prefilter.
    fn alts(&self) -> Range<usize> {
        let base = self.alt_base as usize;
        base..base + self.literals.len()
    }
}

#[derive(Debug)]
struct Inner {
    /// Per alternative, what its regex source is written from: most terms are matched
    /// without a regex, so the whole alternation's source is written only when needed.
    parts: Vec<Part>,
    source: OnceLock<String>,
    alts: Vec<Alt>,
    /// False when an alternative can match the empty string: the whole alternation is
    /// then searched as one regex, whose rules for empty matches are not worth copying.
    split: bool,
    whole: OnceLock<Lazy>,
    slot: OnceLock<Slot>,
}

#[derive(Debug)]
enum Part {
    Regex(String),
    Term(TermSpec),
}

impl Inner {
    fn source(&self) -> &str {
        self.source.get_or_init(|| {
            let sources: Vec<Cow<'_, str>> = self
                .parts
                .iter()
                .map(|p| match p {
                    Part::Regex(r) => Cow::Borrowed(r.as_str()),
                    Part::Term(spec) => Cow::Owned(Dialect::spec_regex(spec)),
                })
                .collect();
            sources.join("|")
        })
    }

    fn whole(&self) -> &Lazy {
        self.whole.get_or_init(|| Lazy::new(self.source().to_string()))
    }
}

/// One alternation of terms and patterns, compiled on first use.
#[derive(Debug, Clone)]
pub struct Matcher {
    inner: Arc<Inner>,
}

impl Default for Matcher {
    /// A matcher that matches nothing.
    fn default() -> Self {
        let never = r"[^\s\S]".to_string();
        Matcher::from_alts(vec![Part::Regex(never.clone())], vec![Alt::pattern(never)])
    }
}

/// One match: byte offsets into the haystack.
#[derive(Debug, Clone, Copy)]
pub struct Match<'t> {
    hay: &'t str,
    start: usize,
    end: usize,
}

impl<'t> Match<'t> {
    pub fn start(&self) -> usize {
        self.start
    }

    pub fn end(&self) -> usize {
        self.end
    }

    pub fn range(&self) -> Range<usize> {
        self.start..self.end
    }

    pub fn as_str(&self) -> &'t str {
        &self.hay[self.start..self.end]
    }
}

/// A term or a pattern, as written in a pack, for `Matcher::new`.
pub(crate) enum Source<'a> {
    Term(&'a str),
    Pattern(String),
}

impl Matcher {
    pub(crate) fn new(dialect: &Dialect, sources: Vec<Source<'_>>) -> Option<Matcher> {
        if sources.is_empty() {
            return None;
        }
        let mut alts = Vec::with_capacity(sources.len());
        let mut parts = Vec::with_capacity(sources.len());
        for s in sources {
            match s {
                Source::Term(t) => {
                    let spec = dialect.term_spec(t);
                    alts.push(Alt::term(&spec));
                    parts.push(Part::Term(spec));
                }
                Source::Pattern(p) => {
                    parts.push(Part::Regex(p.clone()));
                    alts.push(Alt::pattern(p));
                }
            }
        }
        Some(Matcher::from_alts(parts, alts))
    }

    fn from_alts(parts: Vec<Part>, alts: Vec<Alt>) -> Matcher {
        let split = !alts.iter().any(|a| a.plan.may_be_empty);
        let inner = Inner { parts, source: OnceLock::new(), alts, split, whole: OnceLock::new(), slot: OnceLock::new() };
        Matcher { inner: Arc::new(inner) }
    }

    /// The regex source of the whole alternation.
    pub fn as_str(&self) -> &str {
        self.inner.source()
    }

    /// Compiles every regex now, reporting the first that fails (for tests and checks).
    pub fn compile_all(&self) -> Result<(), String> {
        let lazies = std::iter::once(self.inner.whole()).chain(self.inner.alts.iter().filter_map(|a| match &a.kind {
            AltKind::Pattern(p) => Some(p),
            AltKind::Term(_) => None,
        }));
        for l in lazies {
            for kind in [TextKind::Ascii, TextKind::Unicode] {
                l.get(kind).ok_or_else(|| format!("does not compile: {}", l.source))?;
            }
        }
        Ok(())
    }

    /// Compiles now, reporting a pattern too large to build (for loading user packs).
    pub fn build(&self) -> Result<(), String> {
        compile(self.inner.source()).map(|_| ()).map_err(|e| e.to_string())
    }

    /// Every match in `text`, as the whole alternation finds them.
    pub fn find_iter<'t>(&'t self, text: &'t str) -> Matches<'t> {
        self.find_iter_scanned(None, text)
    }

    pub fn is_match(&self, text: &str) -> bool {
        self.inner.whole().get(TextKind::of(text)).is_some_and(|r| r.is_match(text))
    }

    /// Replaces every match with `rep`, as `Regex::replace_all` does.
    pub fn replace_all<'t>(&self, text: &'t str, rep: &str) -> Cow<'t, str> {
        let mut out = String::new();
        let mut last = 0;
        for m in self.find_iter(text) {
            out.push_str(&text[last..m.start]);
            out.push_str(rep);
            last = m.end;
        }
        if last == 0 && out.is_empty() {
            return Cow::Borrowed(text);
        }
        out.push_str(&text[last..]);
        Cow::Owned(out)
    }

    /// The slot in `scan`'s prefilter, if this matcher is registered there and the scan
    /// can stand for the text.
    fn slot_in(&self, scan: Option<&Scan>) -> Option<&Slot> {
        let scan = scan?;
        let slot = self.inner.slot.get()?;
        (self.inner.split && scan.safe && slot.prefilter == scan.prefilter).then_some(slot)
    }

    /// Every match in a block's `text`, using the block's scan to try only the
    /// alternatives that can match there.
    pub fn find_iter_scanned<'t>(&'t self, scan: Option<&'t Scan>, text: &'t str) -> Matches<'t> {
        let kind = scan.map_or_else(|| TextKind::of(text), |s| s.kind);
        let Some((slot, scan)) = self.slot_in(scan).zip(scan) else {
            let state = match self.inner.whole().get(kind) {
                Some(re) => State::Whole(re.find_iter(text)),
                None => State::Done,
            };
            return Matches { alts: &self.inner.alts, hay: text, state };
        };
        if !scan.alts.any_in(slot.alts()) {
            return Matches { alts: &self.inner.alts, hay: text, state: State::Done };
        }
        let cands = candidates(&self.inner, slot, scan, text);
        Matches { alts: &self.inner.alts, hay: text, state: State::Split(Split { scan, at: 0, cands }) }
    }

    /// True when the matcher matches in `text[range]`, searched on its own, where `text`
    /// is the block `scan` was made from.
    pub fn is_match_scanned(&self, scan: Option<&Scan>, text: &str, range: Range<usize>) -> bool {
        let hay = &text[range.clone()];
        let Some((slot, scan)) = self.slot_in(scan).zip(scan) else {
            return self.inner.whole().get(TextKind::of(hay)).is_some_and(|r| r.is_match(hay));
        };
        if !scan.alts.any_in(slot.alts()) {
            return false;
        }
        candidates(&self.inner, slot, scan, hay)
            .into_iter()
            .any(|mut c| self.inner.alts[c.alt].find_at(hay, 0, scan, c.literals, range.start, &mut c.budget).is_some())
    }
}

/// One alternative worth trying in a block, with the literals it starts with.
#[derive(Debug, Clone)]
struct Cand<'a> {
    alt: usize,
    literals: Option<&'a [u32]>,
    next: Option<(usize, usize)>,
    done: bool,
    /// Bytes left for this alternative's anchored searches in the haystack.
    budget: usize,
}

/// How many bytes anchored searches may read per alternative and haystack: a few times the
/// haystack, which ordinary patterns never approach.
fn anchored_budget(hay: &str) -> usize {
    hay.len().saturating_mul(2).saturating_add(4096)
}

fn candidates<'a>(inner: &Inner, slot: &'a Slot, scan: &Scan, hay: &str) -> Vec<Cand<'a>> {
    let budget = anchored_budget(hay);
    let base = slot.alt_base as usize;
    scan.alts
        .ones_in(slot.alts())
        .map(|global| global - base)
        .filter(|&alt| {
            inner.alts.get(alt).is_some_and(|a| a.plan.guard.as_ref().is_none_or(|g| g.iter().any(|sym| hay.contains(sym.as_str()))))
        })
        .map(|alt| Cand { alt, literals: slot.literals.get(alt).and_then(Option::as_deref), next: None, done: false, budget })
        .collect()
}

enum State<'t> {
    Done,
    Whole(meta::FindMatches<'t, 't>),
    Split(Split<'t>),
}

struct Split<'t> {
    scan: &'t Scan,
    at: usize,
    cands: Vec<Cand<'t>>,
}

/// Matches of a matcher in one haystack.
pub struct Matches<'t> {
    alts: &'t [Alt],
    hay: &'t str,
    state: State<'t>,
}

impl<'t> Iterator for Matches<'t> {
    type Item = Match<'t>;

    fn next(&mut self) -> Option<Match<'t>> {
        let hay = self.hay;
        match &mut self.state {
            State::Done => None,
            State::Whole(it) => it.next().map(|m| Match { hay, start: m.start(), end: m.end() }),
            State::Split(split) => split.next(hay, self.alts),
        }
    }
}

impl<'t> Split<'t> {
    fn next(&mut self, hay: &'t str, alts: &[Alt]) -> Option<Match<'t>> {
        // Leftmost-first over the alternatives: the earliest start wins, and at the same
        // start the alternative written first; each alternative's next match is kept
        // until the search moves past its start.
        let mut best: Option<(usize, usize)> = None;
        for c in &mut self.cands {
            if c.done {
                continue;
            }
            if c.next.is_none_or(|(s, _)| s < self.at) {
                c.next = alts[c.alt].find_at(hay, self.at, self.scan, c.literals, 0, &mut c.budget);
                if c.next.is_none() {
                    c.done = true;
                    continue;
                }
            }
            if let Some((s, e)) = c.next {
                if best.is_none_or(|(bs, _)| s < bs) {
                    best = Some((s, e));
                }
            }
        }
        let (start, end) = best?;
        self.at = end;
        Some(Match { hay, start, end })
    }
}

/// A set of small integers.
#[derive(Debug, Clone, Default)]
pub struct Bits(Vec<u64>);

impl Bits {
    fn with_len(n: usize) -> Self {
        Bits(vec![0; n.div_ceil(64)])
    }

    fn insert(&mut self, i: usize) -> bool {
        let (w, b) = (i / 64, 1u64 << (i % 64));
        let fresh = self.0[w] & b == 0;
        self.0[w] |= b;
        fresh
    }

    fn contains(&self, i: usize) -> bool {
        self.0.get(i / 64).is_some_and(|w| w & (1 << (i % 64)) != 0)
    }

    fn remove(&mut self, i: usize) {
        if let Some(w) = self.0.get_mut(i / 64) {
            *w &= !(1 << (i % 64));
        }
    }

    /// The words holding `range`, each with its first member's index and the bits outside
    /// the range masked off.
    fn words_in(&self, range: Range<usize>) -> impl Iterator<Item = (usize, u64)> + '_ {
        let (start, end) = (range.start, range.end);
        let words = self.0.get(start / 64..end.div_ceil(64).min(self.0.len())).unwrap_or_default();
        words.iter().enumerate().map(move |(k, &word)| {
            let base = (start / 64 + k) * 64;
            let low = if base < start { !0u64 << (start - base) } else { !0 };
            let high = if end - base < 64 { (1u64 << (end - base)) - 1 } else { !0 };
            (base, word & low & high)
        })
    }

    /// The members in `range`, in order.
    fn ones_in(&self, range: Range<usize>) -> impl Iterator<Item = usize> + '_ {
        self.words_in(range).flat_map(|(base, mut word)| {
            std::iter::from_fn(move || {
                let i = base + word.trailing_zeros() as usize;
                (word != 0).then(|| {
                    word &= word - 1;
                    i
                })
            })
        })
    }

    /// True when `range` holds a member.
    fn any_in(&self, range: Range<usize>) -> bool {
        self.words_in(range).any(|(_, word)| word != 0)
    }
}

static PREFILTER_IDS: AtomicU64 = AtomicU64::new(1);

/// Every literal of every matcher in a rule set, found in one pass over a block.
#[derive(Debug, Clone)]
pub struct Prefilter {
    id: u64,
    ac: Option<AhoCorasick>,
    /// Per literal, the alternatives (numbered across all matchers) that start with it.
    alts_of: Vec<Vec<u32>>,
    /// The alternatives with no literal, as a block's alternatives start.
    always_alts: Bits,
    /// Alternatives with a gate, and its words' ids: not worth trying without one.
    gated: Vec<(u32, Vec<u32>)>,
    literals: usize,
    /// Every matcher it was given, registered or not.
    all: Vec<Matcher>,
}

impl Default for Prefilter {
    fn default() -> Self {
        Prefilter::new(std::iter::empty())
    }
}

/// FNV-1a, for the prefilter's few thousand short literals, interned at every start-up:
/// the keys come from the rule packs, so SipHash's guard against chosen keys buys nothing
/// there, and it cost more than the interning itself.
struct Fnv(u64);

impl Default for Fnv {
    fn default() -> Self {
        Fnv(0xcbf2_9ce4_8422_2325)
    }
}

impl std::hash::Hasher for Fnv {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0 ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
        }
    }
}

/// What a block holds of a prefilter's literals.
#[derive(Debug, Clone)]
pub struct Scan {
    prefilter: u64,
    kind: TextKind,
    /// False when the text has a character that case-folds to an ASCII letter (the long s
    /// and the Kelvin sign), which literal search does not see: matchers then search as one regex.
    safe: bool,
    /// The alternatives worth trying: without literals, or with one of theirs in the block
    /// and a gate word too if they have a gate. (A block's own literal set is not kept:
    /// a 50 MB proposal has hundreds of thousands of blocks.)
    alts: Bits,
    /// (literal, start) for every occurrence, sorted.
    hits: Vec<(u32, u32)>,
}

impl Scan {
    /// The index in `hits` of `literal`'s first occurrence at or after `from`.
    fn first_hit(&self, literal: u32, from: usize) -> usize {
        self.hits.partition_point(|&(l, s)| (l, s as usize) < (literal, from))
    }

    /// Where `literal` starts in the block, from offset `from` on, in order.
    fn starts_from(&self, literal: u32, from: usize) -> impl Iterator<Item = usize> + '_ {
        self.hits[self.first_hit(literal, from)..].iter().take_while(move |&&(l, _)| l == literal).map(|&(_, s)| s as usize)
    }
}

impl Prefilter {
    /// Registers every matcher (a matcher already in another prefilter is left out and
    /// searched as one regex).
    pub fn new<'a>(matchers: impl IntoIterator<Item = &'a Matcher>) -> Prefilter {
        let id = PREFILTER_IDS.fetch_add(1, Ordering::Relaxed);
        let mut ids: HashMap<String, u32, BuildHasherDefault<Fnv>> = HashMap::default();
        let mut patterns: Vec<String> = Vec::new();
        let mut alts_of: Vec<Vec<u32>> = Vec::new();
        let mut alt_count = 0u32;
        let mut always_alts = Vec::new();
        let mut gated = Vec::new();
        let mut all = Vec::new();
        for m in matchers {
            all.push(m.clone());
            if m.inner.slot.get().is_some() || !m.inner.split {
                continue;
            }
            let mut intern = |lits: &[String]| -> Vec<u32> {
                let mut lit_ids: Vec<u32> = lits
                    .iter()
                    .map(|lit| {
                        // Most literals are already lower case: looked up without a copy.
                        let key = if lit.bytes().any(|b| b.is_ascii_uppercase()) {
                            Cow::Owned(lit.to_ascii_lowercase())
                        } else {
                            Cow::Borrowed(lit.as_str())
                        };
                        if let Some(&id) = ids.get(key.as_ref()) {
                            return id;
                        }
                        let id = patterns.len() as u32;
                        let key = key.into_owned();
                        ids.insert(key.clone(), id);
                        patterns.push(key);
                        alts_of.push(Vec::new());
                        id
                    })
                    .collect();
                lit_ids.sort_unstable();
                lit_ids.dedup();
                lit_ids
            };
            let mut literals = Vec::with_capacity(m.inner.alts.len());
            let mut gates = Vec::with_capacity(m.inner.alts.len());
            for alt in &m.inner.alts {
                gates.push(alt.plan.gate.as_deref().map(&mut intern));
                literals.push(alt.plan.literals.as_deref().map(&mut intern));
            }
            if m.inner.slot.set(Slot { prefilter: id, alt_base: alt_count, literals }).is_err() {
                continue;
            }
            let Some(slot) = m.inner.slot.get() else { continue };
            // A gate word alone does not make an alternative worth trying; its literals do.
            for (lits, gate) in slot.literals.iter().zip(gates) {
                let alt = alt_count;
                alt_count += 1;
                if let Some(gate) = gate {
                    gated.push((alt, gate));
                }
                match lits {
                    None => always_alts.push(alt),
                    Some(lits) => {
                        for &lid in lits {
                            alts_of[lid as usize].push(alt);
                        }
                    }
                }
            }
        }
        let ac = (!patterns.is_empty())
            .then(|| {
                AhoCorasick::builder().match_kind(MatchKind::Standard).kind(Some(AhoCorasickKind::ContiguousNFA)).build(&patterns).ok()
            })
            .flatten();
        let mut always_alts_bits = Bits::with_len(alt_count as usize);
        for alt in always_alts {
            always_alts_bits.insert(alt as usize);
        }
        Prefilter { id, ac, alts_of, always_alts: always_alts_bits, gated, literals: patterns.len(), all }
    }

    /// Every matcher of the rule set.
    pub fn matchers(&self) -> &[Matcher] {
        &self.all
    }

    /// Finds every literal in `text`.
    pub fn scan(&self, text: &str) -> Scan {
        let kind = TextKind::of(text);
        let safe = kind == TextKind::Ascii || !text.contains(['\u{17F}', '\u{212A}']);
        let mut scan = Scan {
            prefilter: self.id,
            kind,
            safe,
            alts: self.always_alts.clone(),
            // Prose holds about one literal per six bytes: growing from empty reallocated
            // a block's list a dozen times.
            hits: Vec::with_capacity(text.len() / 8),
        };
        let mut literals = Bits::with_len(self.literals);
        if let Some(ac) = &self.ac {
            // The literals are lower case: searching a lower-cased copy (same offsets)
            // halves the automaton that ASCII case folding would build.
            let lowered;
            let hay = if text.bytes().any(|b| b.is_ascii_uppercase()) {
                lowered = text.to_ascii_lowercase();
                lowered.as_str()
            } else {
                text
            };
            for m in ac.find_overlapping_iter(hay) {
                let lit = m.pattern().as_u32();
                scan.hits.push((lit, m.start() as u32));
                if literals.insert(lit as usize) {
                    for &alt in &self.alts_of[lit as usize] {
                        scan.alts.insert(alt as usize);
                    }
                }
            }
        }
        for (alt, gate) in &self.gated {
            if !gate.iter().any(|&id| literals.contains(id as usize)) {
                scan.alts.remove(*alt as usize);
            }
        }
        scan.hits.sort_unstable();
        scan
    }
}

// Literal extraction from a pattern's syntax tree, without the cost of compiling it.

/// Sets of prefixes: (literal, exact) where exact means the literal is the whole match
/// of the piece so far and can be extended by what follows. `None` means anything.
type Prefixes = Option<Vec<(String, bool)>>;

const MAX_PREFIXES: usize = 64;
/// The longest literal kept, in bytes: longer ones find no fewer candidates.
const MAX_LITERAL: usize = 24;
const MAX_CLASS: usize = 10;

/// Literals one of which starts every match, or `None` when there is no such set.
#[cfg(test)]
fn literals_of(ast: &Ast) -> Option<Vec<String>> {
    analyse(ast).prefixes.and_then(finish)
}

/// A character literal search can stand for: ASCII (searched ignoring ASCII case), or
/// a character with no other case.
fn plain_char(c: char) -> bool {
    c.is_ascii() || {
        let mut class = regex_syntax::hir::ClassUnicode::new([regex_syntax::hir::ClassUnicodeRange::new(c, c)]);
        class.case_fold_simple();
        class.ranges().len() == 1 && class.ranges()[0].start() == c && class.ranges()[0].end() == c
    }
}

/// What the literal analysis knows of a piece of a pattern.
struct Analysis {
    prefixes: Prefixes,
    /// Literals one of which occurs in every match (anywhere in it): the best of the
    /// prefix sets of every piece and every run of pieces.
    necessary: Option<Vec<String>>,
    /// The fewest characters a match can have (0 when it can be empty).
    min_len: usize,
    /// A small necessary set of symbols (no letters, so case does not matter): see `Alt`.
    guard: Option<Vec<String>>,
}

/// Analyses every node once, bottom up: asking each node for its prefixes and its
/// necessary literals separately walked each subtree once per level above it.
fn analyse(ast: &Ast) -> Analysis {
    match ast {
        Ast::Group(g) => analyse(&g.ast),
        Ast::Repetition(r) => {
            use ast::{RepetitionKind as K, RepetitionRange as R};
            let (min, max) = match &r.op.kind {
                K::ZeroOrOne => (0, Some(1)),
                K::ZeroOrMore => (0, None),
                K::OneOrMore => (1, None),
                K::Range(R::Exactly(n)) => (*n, Some(*n)),
                K::Range(R::AtLeast(n)) => (*n, None),
                K::Range(R::Bounded(a, b)) => (*a, Some(*b)),
            };
            let once = max == Some(1);
            let sub = analyse(&r.ast);
            let min_len = (min as usize).saturating_mul(sub.min_len);
            let prefixes = if min == 0 {
                sub.prefixes.map(|sub| {
                    let mut set = vec![(String::new(), true)];
                    set.extend(sub.into_iter().map(|(l, e)| (l, e && once)));
                    set
                })
            } else {
                sub.prefixes.map(|sub| sub.into_iter().map(|(l, e)| (l, e && min == 1 && once)).collect())
            };
            let necessary = if min >= 1 { sub.necessary } else { prefixes.clone().and_then(finish) };
            let guard = if min >= 1 { sub.guard } else { None };
            Analysis { prefixes, necessary, min_len, guard }
        }
        Ast::Alternation(a) => {
            let branches: Vec<Analysis> = a.asts.iter().map(analyse).collect();
            let min_len = branches.iter().map(|b| b.min_len).min().unwrap_or(0);
            let mut prefixes = Some(Vec::new());
            for branch in &branches {
                match (&mut prefixes, &branch.prefixes) {
                    (Some(set), Some(more)) if set.len() <= MAX_PREFIXES => set.extend(more.iter().cloned()),
                    _ => prefixes = None,
                }
            }
            let prefixes = prefixes.filter(|set| set.len() <= MAX_PREFIXES);
            let mut necessary = Some(Vec::new());
            for branch in branches {
                match (&mut necessary, branch.necessary) {
                    (Some(all), Some(more)) => all.extend(more),
                    _ => necessary = None,
                }
            }
            if let Some(all) = &mut necessary {
                all.sort();
                all.dedup();
            }
            Analysis { prefixes, necessary, min_len, guard: None }
        }
        Ast::Concat(c) => {
            // A run of plain characters is one piece: a run starting inside it, or one of its
            // characters alone, is never a better literal than the run from its first, and
            // analysing it a character at a time cost allocations for every character.
            let mut pieces: Vec<Analysis> = Vec::with_capacity(c.asts.len());
            // A run after a plain character is that character's run less one letter: never
            // better, and trying every suffix of a long literal was quadratic.
            let mut after_plain: Vec<bool> = Vec::with_capacity(c.asts.len());
            let mut word = String::new();
            for (i, piece) in c.asts.iter().enumerate() {
                if let Ast::Literal(l) = piece {
                    if plain_char(l.c) {
                        word.push(l.c);
                        if !matches!(c.asts.get(i + 1), Some(Ast::Literal(next)) if plain_char(next.c)) {
                            let min_len = word.chars().count();
                            let mut set = vec![(std::mem::take(&mut word), true)];
                            truncate_long(&mut set);
                            let guard = Some(vec![set[0].0.clone()]).filter(|g| is_guard(g));
                            pieces.push(Analysis { prefixes: Some(set), necessary: None, min_len, guard });
                            after_plain.push(false);
                        }
                        continue;
                    }
                }
                pieces.push(analyse(piece));
                after_plain.push(i > 0 && matches!(&c.asts[i - 1], Ast::Literal(l) if l.c.is_ascii_alphanumeric()));
            }
            let min_len = pieces.iter().map(|p| p.min_len).sum();
            let guard = pieces
                .iter_mut()
                .flat_map(|p| [p.guard.take(), p.necessary.as_ref().filter(|set| is_guard(set)).cloned()])
                .flatten()
                .min_by_key(|set| (set.len(), std::cmp::Reverse(quality(set).0)));
            let mut best: Option<Vec<String>> = None;
            for i in 0..pieces.len() {
                let run = if after_plain[i] { None } else { prefixes_of_run(pieces[i..].iter().map(|p| &p.prefixes)).and_then(finish) };
                for set in [run, pieces[i].necessary.take()].into_iter().flatten() {
                    if best.as_ref().is_none_or(|b| quality(&set) > quality(b)) {
                        best = Some(set);
                    }
                }
            }
            let prefixes = prefixes_of_run(pieces.iter().map(|p| &p.prefixes));
            Analysis { prefixes, necessary: best, min_len, guard }
        }
        leaf => {
            let prefixes = leaf_prefixes(leaf);
            let min_len = usize::from(!matches!(leaf, Ast::Empty(_) | Ast::Flags(_) | Ast::Assertion(_)));
            let necessary = prefixes.clone().and_then(finish);
            let guard = necessary.as_ref().filter(|set| is_guard(set)).cloned();
            Analysis { necessary, prefixes, min_len, guard }
        }
    }
}

/// A set of byte values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
struct ByteSet([u64; 4]);

impl ByteSet {
    fn insert(&mut self, b: u8) {
        self.0[usize::from(b / 64)] |= 1 << (b % 64);
    }

    fn contains(&self, b: u8) -> bool {
        self.0[usize::from(b / 64)] & (1 << (b % 64)) != 0
    }

    fn union(&mut self, other: ByteSet) {
        for (w, o) in self.0.iter_mut().zip(other.0) {
            *w |= o;
        }
    }

    /// A character's first byte in any case it folds to (the Kelvin sign for `k`).
    fn insert_char(&mut self, c: char) {
        use regex_syntax::hir::{ClassUnicode, ClassUnicodeRange};
        let mut folds = ClassUnicode::new([ClassUnicodeRange::new(c, c)]);
        folds.case_fold_simple();
        for r in folds.iter() {
            for c in r.start()..=r.end() {
                self.insert(c.encode_utf8(&mut [0; 4]).as_bytes()[0]);
            }
        }
    }

    fn insert_digits(&mut self) {
        for b in b'0'..=b'9' {
            self.insert(b);
        }
    }

    fn insert_non_ascii(&mut self) {
        for b in 0xC2..=0xF4 {
            self.insert(b);
        }
    }

    /// True without ASCII letters or white space, the bytes most of any text is made of.
    fn rare_in_prose(&self) -> bool {
        !(0..=127u8).any(|b| self.contains(b) && (b.is_ascii_alphabetic() || b.is_ascii_whitespace()))
    }
}

/// The bytes a match of the pattern can start with (in either case, and every non-ASCII
/// lead byte where one could); `None` when it can match the empty string or anything can
/// start it.
fn first_bytes(ast: &Ast) -> Option<ByteSet> {
    match first_bytes_of(ast)? {
        (set, false) => Some(set),
        (_, true) => None,
    }
}

/// The bytes a match can start with, and whether it can be empty (so that what follows
/// can start it too); `None` for anything.
fn first_bytes_of(ast: &Ast) -> Option<(ByteSet, bool)> {
    let mut set = ByteSet::default();
    match ast {
        Ast::Empty(_) | Ast::Flags(_) | Ast::Assertion(_) => Some((set, true)),
        Ast::Literal(l) => {
            set.insert_char(l.c);
            Some((set, false))
        }
        Ast::ClassPerl(c) => Some((perl_first_bytes(c)?, false)),
        Ast::ClassBracketed(c) => Some((bracketed_first_bytes(c)?, false)),
        Ast::Dot(_) | Ast::ClassUnicode(_) => None,
        Ast::Repetition(r) => {
            let (sub, nullable) = first_bytes_of(&r.ast)?;
            let optional = matches!(
                r.op.kind,
                ast::RepetitionKind::ZeroOrOne
                    | ast::RepetitionKind::ZeroOrMore
                    | ast::RepetitionKind::Range(
                        ast::RepetitionRange::Exactly(0) | ast::RepetitionRange::AtLeast(0) | ast::RepetitionRange::Bounded(0, _)
                    )
            );
            Some((sub, nullable || optional))
        }
        Ast::Group(g) => first_bytes_of(&g.ast),
        Ast::Concat(c) => {
            for piece in &c.asts {
                let (first, nullable) = first_bytes_of(piece)?;
                set.union(first);
                if !nullable {
                    return Some((set, false));
                }
            }
            Some((set, true))
        }
        Ast::Alternation(a) => {
            let mut nullable = false;
            for branch in &a.asts {
                let (first, empty) = first_bytes_of(branch)?;
                set.union(first);
                nullable |= empty;
            }
            Some((set, nullable))
        }
    }
}

/// Digits, which the dialect reads as ASCII ones (`dialect_classes`); white space and word
/// characters count as anything.
fn perl_first_bytes(c: &ast::ClassPerl) -> Option<ByteSet> {
    if c.negated || c.kind != ast::ClassPerlKind::Digit {
        return None;
    }
    let mut set = ByteSet::default();
    set.insert_digits();
    Some(set)
}

fn bracketed_first_bytes(c: &ast::ClassBracketed) -> Option<ByteSet> {
    if c.negated {
        return None;
    }
    match &c.kind {
        ast::ClassSet::Item(item) => item_first_bytes(item),
        ast::ClassSet::BinaryOp(_) => None,
    }
}

fn item_first_bytes(item: &ast::ClassSetItem) -> Option<ByteSet> {
    use ast::ClassSetItem as I;
    let mut set = ByteSet::default();
    match item {
        I::Empty(_) => {}
        I::Literal(l) => set.insert_char(l.c),
        I::Range(r) => {
            for c in r.start.c..=r.end.c {
                if !c.is_ascii() {
                    set.insert_non_ascii();
                    break;
                }
                set.insert_char(c);
            }
        }
        I::Perl(p) => set = perl_first_bytes(p)?,
        I::Bracketed(b) => set = bracketed_first_bytes(b)?,
        I::Union(u) => {
            for item in &u.items {
                set.union(item_first_bytes(item)?);
            }
        }
        I::Ascii(a) if !a.negated && a.kind == ast::ClassAsciiKind::Digit => set.insert_digits(),
        I::Ascii(_) | I::Unicode(_) => return None,
    }
    Some(set)
}

/// True when every match starts a line: the pattern opens with `^` in multi-line mode,
/// set before it (`(?m)^`) or by a group around it (`(?m:^ ...)`).
fn starts_line(ast: &Ast) -> bool {
    opens_with_line_start(ast, false)
}

fn opens_with_line_start(ast: &Ast, multi_line: bool) -> bool {
    let with_flags = |multi_line: bool, flags: &ast::Flags| flags.flag_state(ast::Flag::MultiLine).unwrap_or(multi_line);
    match ast {
        Ast::Group(g) => opens_with_line_start(&g.ast, g.flags().map_or(multi_line, |f| with_flags(multi_line, f))),
        Ast::Assertion(a) => multi_line && a.kind == ast::AssertionKind::StartLine,
        Ast::Concat(c) => {
            let mut multi_line = multi_line;
            for item in &c.asts {
                match item {
                    Ast::Flags(f) => multi_line = with_flags(multi_line, &f.flags),
                    _ => return opens_with_line_start(item, multi_line),
                }
            }
            false
        }
        _ => false,
    }
}

/// True for a set small enough to look for in a block directly, of literals without
/// letters, which no case folding can change.
fn is_guard(set: &[String]) -> bool {
    const MAX_GUARD: usize = 4;
    !set.is_empty()
        && set.len() <= MAX_GUARD
        && set.iter().all(|l| !l.trim().is_empty() && l.is_ascii() && !l.bytes().any(|b| b.is_ascii_alphabetic()))
}

/// Longer shortest literals find fewer false candidates; then fewer literals.
fn quality(set: &[String]) -> (usize, std::cmp::Reverse<usize>) {
    (set.iter().map(String::len).min().unwrap_or(0), std::cmp::Reverse(set.len()))
}

fn finish(set: Vec<(String, bool)>) -> Option<Vec<String>> {
    if set.iter().any(|(l, _)| l.is_empty()) {
        return None;
    }
    let mut out: Vec<String> = set.into_iter().map(|(l, _)| l).collect();
    out.sort();
    out.dedup();
    Some(out)
}

fn single(s: String) -> Prefixes {
    Some(vec![(s, true)])
}

/// The prefixes of a piece with no pieces inside it.
fn leaf_prefixes(ast: &Ast) -> Prefixes {
    match ast {
        Ast::Literal(l) if plain_char(l.c) => single(l.c.to_string()),
        Ast::ClassBracketed(c) => {
            let chars = class_chars(c)?;
            Some(chars.into_iter().map(|c| (c.to_string(), true)).collect())
        }
        Ast::Empty(_) | Ast::Flags(_) | Ast::Assertion(_) => single(String::new()),
        _ => None,
    }
}

/// The prefixes of a run of pieces matched one after another, from each piece's own.
fn prefixes_of_run<S: std::borrow::Borrow<Prefixes>>(pieces: impl Iterator<Item = S>) -> Prefixes {
    let mut cur = vec![(String::new(), true)];
    for piece in pieces {
        if !cur.iter().any(|(_, e)| *e) {
            break;
        }
        let Some(next) = piece.borrow() else {
            inexact(&mut cur);
            break;
        };
        if let [(n, ne)] = next.as_slice() {
            // One way on (a plain character): extend in place, the common case by far.
            for (l, e) in cur.iter_mut().filter(|(_, e)| *e) {
                l.push_str(n);
                *e = *ne;
            }
            truncate_long(&mut cur);
            continue;
        }
        let mut grown = Vec::new();
        for (l, e) in &cur {
            if !e {
                grown.push((l.clone(), false));
                continue;
            }
            for (n, ne) in next {
                grown.push((format!("{l}{n}"), *ne));
            }
        }
        if grown.len() > MAX_PREFIXES {
            inexact(&mut cur);
            break;
        }
        cur = grown;
        truncate_long(&mut cur);
    }
    Some(cur)
}

/// Cuts literals to `MAX_LITERAL` bytes: a cut literal is no longer the whole match.
fn truncate_long(set: &mut [(String, bool)]) {
    for (l, e) in set {
        if l.len() > MAX_LITERAL {
            let mut cut = MAX_LITERAL;
            while !l.is_char_boundary(cut) {
                cut -= 1;
            }
            l.truncate(cut);
            *e = false;
        }
    }
}

fn inexact(set: &mut [(String, bool)]) {
    for (_, e) in set {
        *e = false;
    }
}

fn class_chars(c: &ast::ClassBracketed) -> Option<Vec<char>> {
    if c.negated {
        return None;
    }
    let mut out = Vec::new();
    set_chars(&c.kind, &mut out)?;
    out.sort_unstable();
    out.dedup();
    (out.len() <= MAX_CLASS && out.iter().all(|&c| plain_char(c))).then_some(out)
}

fn set_chars(set: &ast::ClassSet, out: &mut Vec<char>) -> Option<()> {
    match set {
        ast::ClassSet::Item(item) => item_chars(item, out),
        ast::ClassSet::BinaryOp(_) => None,
    }
}

fn item_chars(item: &ast::ClassSetItem, out: &mut Vec<char>) -> Option<()> {
    use ast::ClassSetItem as I;
    match item {
        I::Empty(_) => Some(()),
        I::Literal(l) => {
            out.push(l.c);
            Some(())
        }
        I::Range(r) => {
            let (a, b) = (r.start.c as u32, r.end.c as u32);
            if b < a || b - a >= MAX_CLASS as u32 {
                return None;
            }
            out.extend((a..=b).filter_map(char::from_u32));
            Some(())
        }
        I::Bracketed(b) if !b.negated => set_chars(&b.kind, out),
        I::Union(u) => u.items.iter().try_for_each(|i| item_chars(i, out)),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Where `m` matches in `text`, searched through `scan` (the text's scan).
    pub(super) fn scanned(m: &Matcher, scan: &Scan, text: &str) -> Vec<(usize, usize)> {
        m.find_iter_scanned(Some(scan), text).map(|x| (x.start(), x.end())).collect()
    }

    /// Where `whole` (a matcher's alternation as one regex) matches in `text`.
    pub(super) fn found(whole: &Regex, text: &str) -> Vec<(usize, usize)> {
        whole.find_iter(text).map(|x| (x.start(), x.end())).collect()
    }

    /// `planned.rs` as the embedded packs and today's literal analysis make it.
    fn planned_text() -> String {
        use std::fmt::Write;
        let files = crate::rules::BUILTIN.iter().map(|(p, t)| ((*p).to_string(), (*t).to_string())).collect();
        let set = crate::rules::load_texts(files, &mut crate::source::SourceDb::default()).expect("the embedded packs compile");
        let mut sources: Vec<&str> = set
            .vocab
            .prefilter
            .matchers()
            .iter()
            .flat_map(|m| &m.inner.alts)
            .filter_map(|a| match &a.kind {
                AltKind::Pattern(l) => Some(l.source.as_str()),
                AltKind::Term(_) => None,
            })
            .collect();
        sources.sort_unstable();
        sources.dedup();
        let list = |set: &Option<Vec<String>>| match set {
            Some(set) => format!("Some(&{set:?})"),
            None => "None".to_string(),
        };
        let mut out = String::from(
            "// Generated by the test `rules::matcher::tests::planned_is_current` from the embedded\n\
             // packs: do not edit. Run it with PROPLINT_REGENERATE=1 after changing a pack's\n\
             // patterns or the literal analysis.\n\
             static PLANNED: &[Planned] = &[\n",
        );
        for source in sources {
            let plan = Plan::of(source);
            writeln!(
                out,
                "    Planned {{\n        source: {source:?},\n        literals: {},\n        starts: Starts::{:?},\n        \
                 may_be_empty: {},\n        guard: {},\n        gate: {},\n    }},",
                list(&plan.literals),
                plan.starts,
                plan.may_be_empty,
                list(&plan.guard),
                list(&plan.gate),
            )
            .unwrap();
        }
        out.push_str("];\n");
        out
    }

    /// The plans worked out ahead are today's: a pack or analysis change that leaves them
    /// stale fails here (and PROPLINT_REGENERATE=1 rewrites them).
    #[test]
    fn planned_is_current() {
        let want = planned_text();
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src/rules/planned.rs");
        if std::env::var_os("PROPLINT_REGENERATE").is_some() {
            std::fs::write(&path, &want).unwrap();
        }
        let have = std::fs::read_to_string(&path).unwrap();
        assert!(have == want, "src/rules/planned.rs is stale: run `PROPLINT_REGENERATE=1 cargo test --lib planned_is_current`");
    }

    /// A planned pattern gets exactly the plan its analysis would give it.
    #[test]
    fn planned_plans_are_the_analysis() {
        assert!(PLANNED.len() > 100, "the embedded packs' patterns are planned ahead");
        assert!(PLANNED.windows(2).all(|w| w[0].source < w[1].source), "sorted for the binary search");
        for p in PLANNED {
            assert_eq!(p.to_plan(), Plan::of(p.source), "{}", p.source);
        }
    }

    /// Members are read in order, only inside the range, across word boundaries; a range
    /// holds one exactly when a member is read from it.
    #[test]
    fn bits_read_in_a_range() {
        let members = [0, 1, 63, 64, 65, 127, 128, 200];
        let mut bits = Bits::with_len(201);
        for &i in &members {
            bits.insert(i);
        }
        for (start, end) in
            [(0, 201), (1, 64), (63, 65), (64, 64), (2, 63), (65, 200), (129, 201), (0, 1000), (300, 400), (66, 127), (129, 200)]
        {
            let want: Vec<usize> = members.iter().copied().filter(|i| (start..end).contains(i)).collect();
            assert_eq!(bits.ones_in(start..end).collect::<Vec<_>>(), want, "{start}..{end}");
            assert_eq!(bits.any_in(start..end), !want.is_empty(), "{start}..{end}");
        }
    }

    fn dialect() -> Dialect {
        Dialect::new(&[("programme".into(), "program".into())], BTreeMap::new())
    }

    fn matches(term: &str, text: &str) -> bool {
        compile(&dialect().term_regex(term)).unwrap().is_match(text)
    }

    #[test]
    fn terms_accept_variants() {
        assert!(matches("cyber security", "our cybersecurity plan"));
        assert!(matches("cyber security", "Cyber-Security"));
        assert!(matches("organisation", "the organization"));
        assert!(matches("minimise", "we minimize data"));
        assert!(matches("risk", "key risks"));
        assert!(matches("programme", "the program"));
        assert!(!matches("AI", "we said"));
        assert!(!matches("AI", "ai"));
        assert!(matches("AI", "the AI model"));
        assert!(!matches("risk", "brisk"));
        assert!(matches("Sustainable Web Design", "using the Sustainable Web Design model"));
        assert!(matches("penetration test", "the portal was penetration tested"));
        assert!(matches("approve", "approved by the DPO"));
        assert!(!matches("test", "testament"));
    }

    #[test]
    fn macros_expand_and_unknown_ones_fail() {
        let mut m = BTreeMap::new();
        m.insert("num".to_string(), r"\d+".to_string());
        let d = Dialect::new(&[], m);
        assert_eq!(d.expand(r"{num} days \{x\} a{2}").unwrap(), r"(?:\d+) days \{x\} a{2}");
        assert!(d.expand("{nope}").is_err());
    }

    /// Literal search ignores ASCII case only; these are the characters (other than ASCII
    /// letters) that Unicode case folding maps onto ASCII letters, which a scan must treat
    /// as unsafe.
    #[test]
    fn only_long_s_and_kelvin_fold_to_ascii() {
        let hir = regex_syntax::ParserBuilder::new().case_insensitive(true).build().parse("[a-z]").unwrap();
        let HirKind::Class(regex_syntax::hir::Class::Unicode(class)) = hir.kind() else { panic!("not a class") };
        let odd: Vec<char> = class.ranges().iter().flat_map(|r| r.start()..=r.end()).filter(|c| !c.is_ascii()).collect();
        assert_eq!(odd, vec!['\u{17F}', '\u{212A}']);
    }

    #[test]
    fn space_class_agrees_with_the_regex_crate() {
        let space = Regex::new(r"\A\s\z").unwrap();
        for c in (0..=0x10FFFF).filter_map(char::from_u32) {
            assert_eq!(space.is_match(&c.to_string()), c.is_whitespace(), "{c:?}");
        }
    }

    #[test]
    fn word_boundaries_become_ascii_outside_classes() {
        assert_eq!(dialect_classes(r"\bx\b [\b] \\b", Form::Unicode), r"(?-u:\b)x(?-u:\b) [\b] \\b");
    }

    #[test]
    fn word_and_digit_classes_are_ascii_and_latin_letters() {
        let ascii = dialect_classes(r"\w[\w-]\W\d[^\D][\s\S]", Form::Ascii);
        assert_eq!(ascii, r"(?-i:[0-9A-Za-z_])[[0-9A-Za-z_]-](?-i:[^0-9A-Za-z_])[0-9][^[^0-9]](?s:.)");
        let word = compile(r"\A\w+\z").unwrap();
        for text in ["Môn", "Ynys", "ŵyr", "naïve", "Ẃ", "x_1"] {
            assert!(word.is_match(text), "{text}");
        }
        for text in ["π", "×", "÷", "–", "’", "日本"] {
            assert!(!word.is_match(text), "{text}");
        }
        assert!(compile(r"\A\W\z").unwrap().is_match("×"));
        assert!(!compile(r"\A\d\z").unwrap().is_match("٣"));
        let any = compile(r"\Aa[\s\S]b[\w\W]c\z").unwrap();
        assert!(any.is_match("a\nbπC") && any.is_match("A\u{3000}B\nc"));
        assert!(compile(r"\Ax[\w]+\z").unwrap().is_match("XŴ"));
        // Where a pattern turns Unicode off, `\w` is ASCII, as it always was there.
        assert!(check_syntax(r"(?-u:\w+)x").is_ok() && check_syntax(r"(?i-u)\w").is_ok());
        assert!(compile(r"\A(?-u:\w+)\z").unwrap().is_match("abc") && !compile(r"\A(?-u:\w)\z").unwrap().is_match("é"));
    }

    fn literals(pattern: &str) -> Option<Vec<String>> {
        literals_of(&ast::parse::Parser::new().parse(pattern).unwrap())
    }

    fn strings(v: &[&str]) -> Option<Vec<String>> {
        Some(v.iter().map(|s| s.to_string()).collect())
    }

    #[test]
    fn guards_are_symbols_every_match_holds() {
        let guard = |p: &str| Alt::pattern(p.to_string()).plan.guard;
        assert_eq!(guard(r"(?m)^\|?\s*[^|\n]{0,60}?\bcost\b[^|\n]{0,60}\|\s*\d+"), strings(&["|"]));
        assert_eq!(guard(r"\bowner\s*:"), strings(&[":"]));
        assert_eq!(guard(r"(?:\bact\s+(?:19|20)\d\d)"), strings(&["19", "20"]));
        assert_eq!(guard(r"(?:wcag\s*2\.2)+"), strings(&["2.2"]));
        // Optional, in one branch only, or with letters (which fold case): no guard.
        for p in [r"cost\s*\|?\s*\d", r"(?:a:|b)", r"\bcost\b", r"x(?:\|)*y", r"[0-9]+ days", r"cost\s+\d"] {
            assert_eq!(guard(p), None, "{p}");
        }
    }

    #[test]
    fn gates_are_rarer_words_every_match_holds() {
        let gate = |p: &str| Alt::pattern(p.to_string()).plan.gate;
        assert_eq!(gate(r"\b(?:will|may)\b[^.\n]{0,60}?\bat\s+a\s+later\s+date"), strings(&["later"]));
        assert_eq!(gate(r"\b(?:will|may)\b[^.\n]{0,60}?\b(?:some\s+point|a\s+later\s+date)"), strings(&["later", "point"]));
        // Nothing rarer than the starting words, or nothing required besides them.
        for p in [r"\bcabinet\b", r"\b(?:will|may)\s+\w+", r"\b(?:will|may)\b.{0,9}(?:now|then)", r"\bwill\b(?:.{0,9}later)?"] {
            assert_eq!(gate(p), None, "{p}");
        }
    }

    /// For each `(text, skipped)`: the pattern, searched on its own through a prefilter,
    /// finds what its whole regex finds, and is no candidate there exactly when `skipped`.
    fn assert_skipped_only_where_it_cannot_match(pattern: &str, cases: &[(&str, bool)]) {
        let m = Matcher::new(&dialect(), vec![Source::Pattern(pattern.into())]).unwrap();
        let pre = Prefilter::new([&m]);
        let whole = compile(m.as_str()).unwrap();
        let slot = m.inner.slot.get().unwrap();
        for &(text, skipped) in cases {
            let scan = pre.scan(text);
            let got = scanned(&m, &scan, text);
            let want = found(&whole, text);
            assert_eq!(got, want, "{text:?}");
            assert_eq!(candidates(&m.inner, slot, &scan, text).is_empty(), skipped, "{text:?}");
        }
    }

    /// A gated alternative is not tried in a block without one of its gate words, in any
    /// case, and that changes no match.
    #[test]
    fn gated_patterns_find_what_their_regexes_find() {
        assert_skipped_only_where_it_cannot_match(
            r"\b(?:will|may)\b[^.\n]{0,60}?\bat\s+a\s+later\s+date",
            &[
                ("We will do it at a later date.", false),
                ("WE WILL DO IT AT A LATER DATE.", false),
                ("We will do it soon. Later, a date.", false),
                ("We will do it soon, at a date to be agreed.", true),
                ("Nothing here.", true),
            ],
        );
    }

    /// A guarded alternative is not tried in a block without its symbol, and that changes
    /// no match.
    #[test]
    fn guarded_patterns_find_what_their_regexes_find() {
        assert_skipped_only_where_it_cannot_match(
            r"(?m)^\|?\s*[^|\n]{0,60}?\bcost\b[^|\n]{0,60}\|\s*\d+",
            &[
                ("Unit cost | 120 | 80", false),
                ("The unit cost is 120 and will be 80.", true),
                ("cost\n| 12", false),
                ("x\nTotal cost (£) | 12 | 9", false),
            ],
        );
    }

    #[test]
    fn patterns_know_where_their_matches_start() {
        let d = dialect();
        let m = Matcher::new(
            &d,
            vec![
                Source::Pattern(d.pattern_source(r"(?m)^\|?\s*risk").unwrap()),
                Source::Pattern(d.pattern_source(r"\bowner\b.*named").unwrap()),
                Source::Pattern(d.pattern_source(r"^risk").unwrap()),
                Source::Pattern(d.pattern_source(r"\w+ officer").unwrap()),
                Source::Pattern(d.pattern_source(r"(a+)+$").unwrap()),
                Source::Pattern(d.pattern_source(r"\bowner\b[^.]{0,40}named").unwrap()),
                Source::Pattern(d.pattern_source(r"(?m)^\|?[^|\n]{0,20}risk").unwrap()),
                Source::Pattern(d.pattern_source(r"(?m:^\s*(?:n/?a|none)\s*$)").unwrap()),
                Source::Pattern(d.pattern_source(r"(?m:(?-m)^\s*(?:n/?a|none)\s*$)").unwrap()),
                Source::Pattern(d.pattern_source(r"(?m:\s*^(?:n/?a|none)\s*$)").unwrap()),
            ],
        )
        .unwrap();
        let starts: Vec<Starts> = m.inner.alts.iter().map(|a| a.plan.starts).collect();
        // Only a pattern with neither known literals nor line starts is searched unanchored;
        // `(a+)+$` is anchored too, its budget keeping "aaaa…" linear.
        let expected = [
            Starts::AtLines,
            Starts::AtLiterals,
            Starts::AtLiterals,
            Starts::Anywhere,
            Starts::AtLiterals,
            Starts::AtLiterals,
            Starts::AtLines,
            Starts::AtLines,
            Starts::Anywhere,
            Starts::Anywhere,
        ];
        assert_eq!(starts, expected);
    }

    /// A pattern with no literal start is tried at the bytes that can start it when those
    /// are rare in prose: digits, symbols, the first byte of `£` or of a dash.
    #[test]
    fn patterns_starting_with_rare_bytes_are_tried_there() {
        let d = dialect();
        let first = |p: &str| match Alt::pattern(d.pattern_source(p).unwrap()).plan.starts {
            Starts::AtBytes(set) => Some((0..=255u8).filter(|&b| set.contains(b)).collect::<Vec<u8>>()),
            _ => None,
        };
        let digits: Vec<u8> = (b'0'..=b'9').collect();
        assert_eq!(first(r"\b\d+(?:\.\d+)?\s?%"), Some(digits.clone()));
        assert_eq!(first(r"(?:£\s?)?\d+k\b"), Some([&digits[..], &[0xC2]].concat()));
        assert_eq!(first(r"[-–]?\d+"), Some([&[b'-'][..], &digits, &[0xE2]].concat()));
        assert_eq!(first(r"[#0-9]\d{3}"), Some([&[b'#'][..], &digits].concat()));
        // Letters, white space or anything at all can start these.
        for p in [r"\d*\s?%", r"(?:\d+|one)\s+years?", r"\w+ officer", r"[^a]\d", r".\d", r"\s\d+", r"(?:\d+)?"] {
            assert_eq!(first(p), None, "{p}");
        }
    }

    #[test]
    fn anchored_searches_past_their_budget_agree_with_the_whole_regex() {
        let d = dialect();
        let sources = vec![
            Source::Pattern(d.pattern_source(r"a[a\n]*!x").unwrap()),
            Source::Term("risk"),
            Source::Pattern(d.pattern_source(r"(?m)^a[a\n]*!x").unwrap()),
        ];
        let m = Matcher::new(&d, sources).unwrap();
        let pre = Prefilter::new([&m]);
        let whole = compile(m.as_str()).unwrap();
        // From every `a`, and every line start, the patterns read on to the `!` and fail.
        let text = format!("{}!y risk a!x\naa!x", "a\n".repeat(3000));
        let scan = pre.scan(&text);
        let got = scanned(&m, &scan, &text);
        let want = found(&whole, &text);
        assert_eq!(got, want);
        assert!(m.is_match_scanned(Some(&scan), &text, 0..text.len()));
        let AltKind::Pattern(first) = &m.inner.alts[0].kind else { panic!("a pattern") };
        let mut budget = anchored_budget(&text);
        let mut ran_out = false;
        for start in (0..6000).step_by(2) {
            match first.find_anchored(&text, TextKind::Ascii, start, &mut budget) {
                Ok(found) => assert_eq!(found, None),
                Err(stop) => {
                    assert_eq!(stop, Stop::Budget);
                    ran_out = true;
                    break;
                }
            }
        }
        assert!(ran_out && budget == 0, "the budget is {budget}");
    }

    #[test]
    fn the_ascii_form_hands_non_ascii_bytes_to_the_unicode_form() {
        let d = dialect();
        let m = Matcher::new(&d, vec![Source::Pattern(d.pattern_source(r"\brisks?\b[^.\n]{0,20}\bowner").unwrap())]).unwrap();
        let pre = Prefilter::new([&m]);
        let whole = compile(m.as_str()).unwrap();
        // Ten characters but 26 bytes between the first "risk" and "owner", which only the
        // Unicode form counts as the pattern means; then an ASCII match in the same block.
        let text = "the risk ’’’’’’’’ owner; risk ’’’’’’’’’’’’’’’’’’’’ owner; risk, the owner";
        let scan = pre.scan(text);
        assert_eq!(scan.kind, TextKind::Unicode);
        let got = scanned(&m, &scan, text);
        let want = found(&whole, text);
        assert_eq!(got.len(), 2);
        assert_eq!(got, want);
        // The character before a start is context the ASCII form would misread too.
        let m = Matcher::new(&d, vec![Source::Pattern(d.pattern_source(r"\Bsk").unwrap())]).unwrap();
        let pre = Prefilter::new([&m]);
        let text = "ésk and task";
        let scan = pre.scan(text);
        let got = scanned(&m, &scan, text);
        assert_eq!(got, [(2, 4), (11, 13)]);
    }

    #[test]
    fn non_ascii_characters_keep_the_ascii_form() {
        // A pound sign, a curly apostrophe or a dash can match nothing in ASCII text, in a
        // class or out of one, so the pattern still has a cheap ASCII form.
        assert_eq!(dialect_classes("(?:£ ?)?[^|£]x[a-’]", Form::Ascii), r"(?:\x80 ?)?[^|\x80]x[a-\x80]");
        let pattern = r"\b(?:£\s?)?\d+\s+(?:[\w’-]+\s+){0,2}?residents\b[^.£]{0,20}\bsurveyed";
        let d = dialect();
        let lazy = Lazy::new(d.pattern_source(pattern).unwrap());
        assert!(lazy.ascii_hir().is_some());
        let m = Matcher::new(&d, vec![Source::Pattern(d.pattern_source(pattern).unwrap())]).unwrap();
        let pre = Prefilter::new([&m]);
        let whole = compile(m.as_str()).unwrap();
        for text in ["we surveyed 40 local residents who were surveyed in May", "12 older residents were surveyed; 5 residents, £ surveyed"]
        {
            let scan = pre.scan(text);
            assert_eq!(scan.kind, TextKind::of(text));
            assert_eq!(scanned(&m, &scan, text), found(&whole, text), "{text}");
        }
    }

    #[test]
    fn literals_start_every_match() {
        assert_eq!(literals(r"\b(?:keep|kept)\s+the\b"), Some(vec!["keep".into(), "kept".into()]));
        assert_eq!(literals(r"\bback(?:s|ed)?[\s-]?ups?\b"), Some(vec!["back".into(), "backed".into(), "backs".into()]));
        assert_eq!(literals(r"organi[sz]ation"), Some(vec!["organisation".into(), "organization".into()]));
        assert_eq!(literals(r"£\s?\d"), Some(vec!["£".into()]));
        assert_eq!(literals(r"\w+ officer"), None);
        assert_eq!(literals(r"(?:a|\d)x"), None);
        assert_eq!(literals(r"x?y"), Some(vec!["xy".into(), "y".into()]));
        assert_eq!(literals(r"é"), None);
    }

    /// Every regex of the embedded packs compiles (start-up does not check them again), and
    /// for every matcher, the split search finds what its whole alternation finds, on the
    /// rule examples, the fixture proposals and awkward text.
    #[test]
    fn builtin_matchers_agree_with_their_regexes() {
        let mut db = crate::source::SourceDb::default();
        let set = crate::rules::load(&crate::rules::RuleSources::default(), &mut db).unwrap();
        let mut texts: Vec<String> = Vec::new();
        for rule in &set.rules {
            texts.extend(rule.examples.iter().flat_map(|e| e.text.split("\n\n").map(str::to_string)));
        }
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/proposals");
        for entry in std::fs::read_dir(dir).unwrap() {
            let text = std::fs::read_to_string(entry.unwrap().path()).unwrap();
            texts.extend(text.split("\n\n").map(str::to_string));
        }
        texts.extend(
            [
                "Café DPIA résumé: the DPIA was approved; naïve risk owner",
                "The £120,000 budget – agreed on 3 March 2025 – see “Appendix B” and the council’s DPO.",
                "ſecurity riſk Kelvin K testing; a penetration teſt",
                "Données personnelles: aucune. Ŵ Ŷ ŵy ŷ",
            ]
            .map(String::from),
        );
        let pre = &set.vocab.prefilter;
        assert!(!pre.matchers().is_empty());
        for m in pre.matchers() {
            m.compile_all().unwrap();
            let whole = compile(m.as_str()).unwrap();
            for text in &texts {
                let scan = pre.scan(text);
                let got = scanned(m, &scan, text);
                let want = found(&whole, text);
                assert_eq!(got, want, "{} on {text:?}", m.as_str());
                for sentence in crate::engine::text::split_sentences(text, crate::model::BlockKind::Prose) {
                    let hay = &text[sentence.clone()];
                    assert_eq!(m.is_match_scanned(Some(&scan), text, sentence.clone()), whole.is_match(hay), "{} on {hay:?}", m.as_str());
                }
            }
        }
    }

    /// The split search (terms matched directly, patterns one by one) finds exactly what
    /// the whole alternation finds.
    #[test]
    fn split_search_agrees_with_the_whole_regex() {
        let d = dialect();
        let sources = vec![
            Source::Term("programme board"),
            Source::Term("risk"),
            Source::Term("risk register"),
            Source::Term("AI"),
            Source::Term("organisation"),
            Source::Pattern(d.pattern_source(r"\brisks?\b[^.\n]{0,20}\bowner").unwrap()),
            Source::Term("data protection impact assessment"),
            Source::Term("DPIA"),
            Source::Term("CE+"),
            // Found by a later word: repeated words, a lead run that crosses other matches.
            Source::Term("in due course"),
            Source::Term("e learning"),
            Source::Term("a a ab"),
            Source::Term("data to data"),
            Source::Pattern(d.pattern_source(r"(?m)^\|?\s*[^|\n]{0,20}?\brisk\b[^|\n]{0,20}\|\s*\d").unwrap()),
            Source::Pattern(d.pattern_source(r"\b(?:owner|lead)s?\b[^.\n]{0,30}?\bnamed").unwrap()),
            // A Unicode non-boundary: the lazy DFA cannot decide it past non-ASCII text.
            Source::Pattern(d.pattern_source(r"riſ?k\Bé?s").unwrap()),
        ];
        let m = Matcher::new(&d, sources).unwrap();
        let pre = Prefilter::new([&m]);
        let whole = compile(m.as_str()).unwrap();
        let texts = [
            "The risk register, risks and the programme  board; a risk owner is named. Risky? riskregister",
            "Programme-Board and PROGRAM board and programmes board",
            "AI ai Ai the AIs; organisations and ORGANIZATION; risk tested, riskers, the testament",
            "A Data-Protection Impact  Assessments was done; the DPIA and DPIAs; CE+ and CE+s",
            "£10 risk – the risk’s owner é risk éowner ŵrisk riskŵ",
            "ſ risk riſk ſecurity Kelvin K",
            "in in due  due course; in due\u{a0}course, in-due-courses; eLearning e - learning e learned",
            "a a a ab a a abs; a aab aa ab; data to data to data to data; data todata",
            "| risk | 3 |\n| the risk owner | 4 |\n|risk|x|\n  risk | 5\nrisk|6 risk | 7",
            "Owner named. The lead is named; owners leads named, owner\nnamed",
            "",
        ];
        for text in texts {
            let scan = pre.scan(text);
            let got = scanned(&m, &scan, text);
            let want = found(&whole, text);
            assert_eq!(got, want, "{text}");
            for (a, _) in text.char_indices() {
                for (b, _) in text[a..].char_indices().step_by(7) {
                    let r = a..a + b;
                    assert_eq!(m.is_match_scanned(Some(&scan), text, r.clone()), whole.is_match(&text[r.clone()]), "{:?}", &text[r]);
                }
            }
        }
    }
}

#[cfg(test)]
mod term_props {
    use super::tests::{found, scanned};
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

        /// Terms found by a later word find what their regex finds, on text made of their
        /// own letters, where lead runs are long and matches overlap.
        #[test]
        fn terms_found_by_a_later_word_agree_with_their_regex(
            terms in proptest::collection::vec(proptest::sample::select(vec!["a ab", "ab a a", "data to data", "to data", "a-da", "dat ad", "ta"]), 1..4),
            text in "[adt ob\u{a0}\n-]{0,60}",
        ) {
            let d = Dialect::default();
            let m = Matcher::new(&d, terms.iter().map(|t| Source::Term(t)).collect()).unwrap();
            let pre = Prefilter::new([&m]);
            let whole = compile(m.as_str()).unwrap();
            let scan = pre.scan(&text);
            let got = scanned(&m, &scan, &text);
            let want = found(&whole, &text);
            prop_assert_eq!(got, want);
        }

        /// Patterns tried only at the rare bytes they can start with find what their regex
        /// finds, in ASCII and non-ASCII text.
        #[test]
        fn patterns_tried_at_their_first_bytes_agree_with_their_regex(
            patterns in proptest::collection::vec(proptest::sample::select(vec![
                r"(?:£\s?\d[\d,]*(?:\.\d+)?\s?(?:k|m)?\b|\b\d[\d,]*\s?(?:pounds|gbp)\b)",
                r"\b\d+(?:\.\d+)?\s?%",
                r"(?:[-–]\s?)?\d+\s?(?:kg|t)\b",
                r"\d{1,2}\s+(?:jan|feb)\b",
                r"[0-9]{2}/[0-9]{2}",
            ]), 1..4),
            pieces in proptest::collection::vec(proptest::sample::select(vec![
                "9", "19", "0", "£", "%", " ", "kg", "t", "jan", "–", "-", "/", "05", "é", "\u{212a}", "pounds", ".", ",", "\n", "m", "k", "x",
            ]), 0..24),
        ) {
            let text = pieces.concat();
            let d = Dialect::default();
            let m = Matcher::new(&d, patterns.iter().map(|p| Source::Pattern(d.pattern_source(p).unwrap())).collect()).unwrap();
            prop_assert!(m.inner.alts.iter().all(|a| matches!(a.plan.starts, Starts::AtBytes(_))));
            let pre = Prefilter::new([&m]);
            let whole = compile(m.as_str()).unwrap();
            let scan = pre.scan(&text);
            let got = scanned(&m, &scan, &text);
            let want = found(&whole, &text);
            prop_assert_eq!(got, want);
        }
    }
}
