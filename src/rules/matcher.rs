//! Phrase lists and patterns compiled into one regex each. Terms become whole-word,
//! case-insensitive patterns that accept spacing, hyphenation, plural and UK/US variants.

use regex::{Regex, RegexBuilder};
use std::collections::BTreeMap;

/// Limits that keep any user pattern linear and small (Rust's engine has no backtracking).
const SIZE_LIMIT: usize = 4 * 1024 * 1024;
const DFA_SIZE_LIMIT: usize = 8 * 1024 * 1024;

/// How terms and patterns are written: spelling pairs and `{macro}` fragments.
#[derive(Debug, Clone, Default)]
pub struct Dialect {
    spelling: BTreeMap<String, String>,
    macros: BTreeMap<String, String>,
}

impl Dialect {
    pub fn new(pairs: &[(String, String)], macros: BTreeMap<String, String>) -> Self {
        let mut spelling = BTreeMap::new();
        for (uk, us) in pairs {
            let alt = format!("(?:{}|{})", regex::escape(&uk.to_lowercase()), regex::escape(&us.to_lowercase()));
            spelling.insert(uk.to_lowercase(), alt.clone());
            spelling.insert(us.to_lowercase(), alt);
        }
        Dialect { spelling, macros }
    }

    /// The regex source for a plain phrase.
    pub fn term_regex(&self, term: &str) -> String {
        let term = term.trim();
        let case_sensitive = term.chars().any(char::is_uppercase) && !term.chars().any(char::is_lowercase);
        let words: Vec<&str> = term.split(|c: char| c.is_whitespace() || c == '-').filter(|w| !w.is_empty()).collect();
        let mut body = String::new();
        for (i, word) in words.iter().enumerate() {
            if i > 0 {
                body.push_str(r"[\s\-]*");
            }
            body.push_str(&self.word_regex(word));
        }
        let last_alpha = term.chars().last().is_some_and(char::is_alphabetic);
        if last_alpha {
            // Inflections as well as plurals: "penetration test" also finds "penetration
            // tested", "consult" finds "consulted" and "consulting".
            body.push_str(if case_sensitive {
                "s?"
            } else if term.ends_with('e') {
                "(?:s|d|r|rs)?"
            } else {
                "(?:s|es|ed|ing|er|ers)?"
            });
        }
        let starts_word = term.chars().next().is_some_and(|c| c.is_alphanumeric() || c == '_');
        let ends_word = term.chars().last().is_some_and(|c| c.is_alphanumeric() || c == '_');
        let mut out = String::new();
        if starts_word {
            out.push_str(r"\b");
        }
        out.push_str(&body);
        if ends_word {
            out.push_str(r"\b");
        }
        if case_sensitive {
            format!("(?-i:{out})")
        } else {
            format!("(?:{out})")
        }
    }

    fn word_regex(&self, word: &str) -> String {
        let lower = word.to_lowercase();
        if let Some(alt) = self.spelling.get(&lower) {
            return alt.clone();
        }
        // -ise/-ize, -isation/-ization, -yse/-yze: accept both spellings.
        for suffix in [
            "isations", "izations", "isation", "ization", "ising", "izing", "ised", "ized", "ises", "izes", "ise", "ize", "yse", "yze",
            "ysed", "yzed", "ysing", "yzing",
        ] {
            if lower.len() > suffix.len() + 2 {
                if let Some(stem) = lower.strip_suffix(suffix) {
                    let tail = &suffix[2..];
                    let head = &suffix[..1];
                    return format!("{}{}[sz]{}", regex::escape(stem), head, regex::escape(tail));
                }
            }
        }
        regex::escape(word)
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

    pub fn pattern_regex(&self, pattern: &str) -> Result<String, String> {
        let expanded = self.expand(pattern)?;
        let body = match expanded.strip_prefix("(?-i)") {
            Some(rest) => format!("(?-i:{rest})"),
            None => format!("(?:{expanded})"),
        };
        check_syntax(&body)?;
        Ok(body)
    }
}

pub fn compile(source: &str) -> Result<Regex, regex::Error> {
    RegexBuilder::new(&ascii_word_boundaries(source)).case_insensitive(true).size_limit(SIZE_LIMIT).dfa_size_limit(DFA_SIZE_LIMIT).build()
}

/// Rewrites `\b` as the ASCII word boundary `(?-u:\b)`. A Unicode word boundary rules out
/// the regex crate's DFAs and makes every search fall back to a far slower engine; for
/// proposal prose the two differ only next to non-ASCII letters.
fn ascii_word_boundaries(source: &str) -> String {
    let mut out = String::with_capacity(source.len() + 16);
    let mut chars = source.chars().peekable();
    let mut in_class = false;
    while let Some(c) = chars.next() {
        if c == '\\' {
            match chars.next() {
                Some('b') if !in_class => out.push_str("(?-u:\\b)"),
                Some(next) => {
                    out.push('\\');
                    out.push(next);
                }
                None => out.push('\\'),
            }
            continue;
        }
        match c {
            '[' => in_class = true,
            ']' => in_class = false,
            _ => {}
        }
        out.push(c);
    }
    out
}

/// Checks a pattern's syntax without building its automata (which is what costs time).
pub fn check_syntax(source: &str) -> Result<(), String> {
    regex_syntax::ParserBuilder::new()
        .case_insensitive(true)
        .build()
        .parse(&ascii_word_boundaries(source))
        .map(|_| ())
        .map_err(|e| e.to_string())
}

/// One alternation of terms and patterns, compiled the first time a proposal needs it:
/// a rule whose condition never holds never pays for its automaton.
#[derive(Debug, Clone)]
pub struct Matcher {
    source: String,
    regex: std::sync::OnceLock<Option<Regex>>,
}

impl Matcher {
    /// Builds from regex sources; their joint syntax is checked now, the automaton later.
    pub fn from_sources(sources: &[String]) -> Result<Option<Matcher>, String> {
        if sources.is_empty() {
            return Ok(None);
        }
        let joined = sources.join("|");
        check_syntax(&joined)?;
        Ok(Some(Matcher { source: joined, regex: std::sync::OnceLock::new() }))
    }

    fn regex(&self) -> Option<&Regex> {
        // A pattern over the size limit matches nothing rather than failing a run.
        self.regex.get_or_init(|| compile(&self.source).ok()).as_ref()
    }

    pub fn find_iter<'t>(&'t self, text: &'t str) -> impl Iterator<Item = regex::Match<'t>> + 't {
        self.regex().into_iter().flat_map(move |r| r.find_iter(text))
    }

    pub fn is_match(&self, text: &str) -> bool {
        self.regex().is_some_and(|r| r.is_match(text))
    }

    /// Compiles now, reporting a pattern too large to build (for loading user packs).
    pub fn build(&self) -> Result<(), String> {
        compile(&self.source).map(|_| ()).map_err(|e| e.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn matches(term: &str, text: &str) -> bool {
        let d = Dialect::new(&[("programme".into(), "program".into())], BTreeMap::new());
        compile(&d.term_regex(term)).unwrap().is_match(text)
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
    fn word_boundaries_become_ascii_outside_classes() {
        assert_eq!(ascii_word_boundaries(r"\bx\b [\b] \\b"), r"(?-u:\b)x(?-u:\b) [\b] \\b");
    }

    #[test]
    fn macros_expand_and_unknown_ones_fail() {
        let mut m = BTreeMap::new();
        m.insert("num".to_string(), r"\d+".to_string());
        let d = Dialect::new(&[], m);
        assert_eq!(d.expand(r"{num} days \{x\} a{2}").unwrap(), r"(?:\d+) days \{x\} a{2}");
        assert!(d.expand("{nope}").is_err());
    }
}
