//! Validation of raw packs into compiled rules. Every problem becomes a diagnostic that
//! points into the pack file, and all packs are checked before any proposal is read.

use super::language::{cue_matcher, toml_to_value, Cues, FieldPredicate, FieldTest, Qualifiers, Trigger, Vocab};
use super::matcher::{compile, Dialect, Matcher, Prefilter, Source};
use super::schema::{RawFieldPredicate, RawLanguage, RawPackFile, RawRule, RawWhen};
use super::{
    Check, Corroboration, CoveredBy, Example, FieldSpec, NotNeededRefused, PackInfo, Rule, RuleSet, StageOverride, When, ENABLERS,
    PRINCIPLES, STAGES,
};
use crate::diag::{Diagnostic, Severity, ToolCode};
use crate::model::Format;
use crate::parse::Aliases;
use crate::sections::{Catalog, RawCatalog};
use crate::source::{FileId, SourceDb, SourceFile};
use crate::span::Span;
use rayon::prelude::*;
use std::collections::{BTreeMap, BTreeSet};
use toml::Spanned;

const LANGUAGE: &str = "language.toml";
const SECTIONS: &str = "sections.toml";

pub(super) fn plain_error(message: String) -> Diagnostic {
    Diagnostic::tool(ToolCode::InvalidRulePack, usize::MAX, Span::default(), message)
}

struct Ctx<'a> {
    file: FileId,
    diags: &'a mut Vec<Diagnostic>,
    /// A pack not embedded in the binary: its patterns are built at load, so that one over
    /// the size limit is reported rather than silently matching nothing.
    user: bool,
    /// The file is an embedded pack, whose regexes the test suite compiles: compiling
    /// them again at every start-up would only cost time.
    trusted: bool,
}

impl Ctx<'_> {
    fn error(&mut self, span: impl Into<Span>, message: impl Into<String>) {
        let message = message.into();
        self.diags.push(Diagnostic::tool(ToolCode::InvalidRulePack, self.file, span.into(), message.clone()).with_label(message));
    }
}

fn file_name(path: &str) -> &str {
    path.rsplit(['/', '\\']).next().unwrap_or(path)
}

pub(super) fn compile_all(files: Vec<(String, String)>, db: &mut SourceDb) -> Result<RuleSet, Vec<Diagnostic>> {
    let mut diags = Vec::new();
    // Vocabulary comes from the first language/sections file: the built-in one, or with
    // --no-builtin-rules, the one in the user's directory.
    let mut language: Option<(FileId, String)> = None;
    let mut sections: Option<(FileId, String)> = None;
    let mut packs: Vec<(FileId, String)> = Vec::new();
    let mut trusted: Vec<FileId> = Vec::new();
    for (path, text) in files {
        let id = db.add(SourceFile::new(path.clone(), text.clone()));
        if super::BUILTIN.iter().any(|(p, t)| *p == path && *t == text) {
            trusted.push(id);
        }
        match file_name(&path) {
            LANGUAGE if language.is_none() => language = Some((id, text)),
            SECTIONS if sections.is_none() => sections = Some((id, text)),
            LANGUAGE | SECTIONS => diags.push(
                Diagnostic::tool(ToolCode::InvalidRulePack, id, Span::point(0), format!("{path} would replace the built-in vocabulary"))
                    .with_help("user packs extend the rules; to replace the vocabulary too, pass --no-builtin-rules"),
            ),
            _ => packs.push((id, text)),
        }
    }
    let (Some((lang_id, lang_text)), Some((sec_id, sec_text))) = (language, sections) else {
        diags.push(plain_error(
            "rules need a language.toml and a sections.toml; with --no-builtin-rules, put both in a --rules directory".into(),
        ));
        return Err(diags);
    };
    // The packs' TOML is read on one core while the vocabulary compiles on the other: only
    // compiling their rules needs it.
    let (vocabulary, raws) = rayon::join(
        || {
            let catalog = match toml::from_str::<RawCatalog>(&sec_text) {
                Ok(raw) => match Catalog::from_raw(raw) {
                    Ok(c) => Some(c),
                    Err(m) => {
                        diags.push(Diagnostic::tool(ToolCode::InvalidRulePack, sec_id, Span::point(0), m));
                        None
                    }
                },
                Err(e) => {
                    diags.push(de_error(sec_id, &e));
                    None
                }
            };
            let vocab = match toml::from_str::<RawLanguage>(&lang_text) {
                Ok(raw) => {
                    compile_language(raw, &mut Ctx { file: lang_id, diags: &mut diags, user: false, trusted: trusted.contains(&lang_id) })
                }
                Err(e) => {
                    diags.push(de_error(lang_id, &e));
                    None
                }
            };
            catalog.zip(vocab)
        },
        || packs.par_iter().map(|(file, text)| (*file, toml::from_str::<RawPackFile>(text))).collect::<Vec<_>>(),
    );
    let Some((catalog, mut vocab)) = vocabulary else {
        return Err(diags);
    };

    // Rules are compiled on all cores (each pattern's literal analysis); the checks across
    // packs, and every diagnostic, then follow in pack and rule order.
    let db_ref: &SourceDb = db;
    let compiled: Vec<Result<CompiledPack, Box<Diagnostic>>> =
        raws.into_par_iter().map(|(file, raw)| compile_pack(file, raw, db_ref, &trusted, &vocab, &catalog)).collect();
    let mut rules = Vec::new();
    let mut infos = Vec::new();
    let mut seen_ids: BTreeMap<String, (FileId, Span)> = BTreeMap::new();
    let mut seen_names: BTreeSet<String> = BTreeSet::new();
    for pack in compiled {
        let pack = match pack {
            Ok(p) => p,
            Err(d) => {
                diags.push(*d);
                continue;
            }
        };
        let file = pack.file;
        let mut ctx = Ctx { file, diags: &mut diags, user: false, trusted: false };
        ctx.diags.append(&mut { pack.header_diags });
        infos.push(pack.info);
        for one in pack.rules {
            if let Some((_, _)) = seen_ids.get(&one.id.0) {
                ctx.error(one.id.1, format!("duplicate rule id `{}`", one.id.0));
            }
            seen_ids.insert(one.id.0.clone(), (file, one.span));
            if !seen_names.insert(one.name.0.clone()) {
                ctx.error(one.name.1, format!("duplicate rule name `{}`", one.name.0));
            }
            ctx.diags.extend(one.diags);
            rules.extend(one.rule.map(|r| (file, r)));
        }
    }
    if !diags.is_empty() {
        return Err(diags);
    }
    rules.sort_by(|a, b| a.1.id.cmp(&b.1.id));
    let rules = resolve_covered_by(rules, &mut diags);
    if !diags.is_empty() {
        return Err(diags);
    }
    let (prefilter, ()) = rayon::join(|| Prefilter::new(all_matchers(&vocab, &rules)), || catalog.prepare());
    vocab.prefilter = prefilter;
    Ok(RuleSet { rules, packs: infos, vocab, catalog })
}

/// Turns every rule's `covered-by` ids into indices of the sorted rules; an unknown id,
/// or the rule itself, is an error at the id.
fn resolve_covered_by(rules: Vec<(FileId, Rule)>, diags: &mut Vec<Diagnostic>) -> Vec<Rule> {
    let index: BTreeMap<String, usize> = rules.iter().enumerate().map(|(i, (_, r))| (r.id.clone(), i)).collect();
    rules
        .into_iter()
        .map(|(file, mut rule)| {
            if let Some(covered) = &mut rule.covered_by {
                let mut ctx = Ctx { file, diags: &mut *diags, user: false, trusted: false };
                for (id, span) in &covered.ids {
                    match index.get(id) {
                        Some(&i) if *id != rule.id => covered.rules.push(i),
                        Some(_) => ctx.error(*span, format!("rule `{id}` cannot be covered by itself")),
                        None => ctx.error(*span, format!("`covered-by` names unknown rule `{id}`")),
                    }
                }
            }
            rule
        })
        .collect()
}

/// One pack, compiled on its own: what the checks across packs need, in order.
struct CompiledPack {
    file: FileId,
    info: PackInfo,
    header_diags: Vec<Diagnostic>,
    rules: Vec<CompiledRule>,
}

struct CompiledRule {
    id: (String, Span),
    name: (String, Span),
    span: Span,
    rule: Option<Rule>,
    diags: Vec<Diagnostic>,
}

fn compile_pack(
    file: FileId,
    raw: Result<RawPackFile, toml::de::Error>,
    db: &SourceDb,
    trusted: &[FileId],
    vocab: &Vocab,
    catalog: &Catalog,
) -> Result<CompiledPack, Box<Diagnostic>> {
    let raw = raw.map_err(|e| Box::new(de_error(file, &e)))?;
    let path = db.get(file).path.clone();
    let user = !super::BUILTIN.iter().any(|(p, t)| *p == path && *t == db.get(file).text);
    let trusted = trusted.contains(&file);
    let mut header_diags = Vec::new();
    let mut ctx = Ctx { file, diags: &mut header_diags, user, trusted };
    let header = raw.pack.get_ref();
    let principle = header.principle.as_ref().map(|p| p.get_ref().clone());
    if let Some(p) = &header.principle {
        if !PRINCIPLES.contains(&p.get_ref().as_str()) {
            ctx.error(p.span(), format!("unknown principle `{}`; expected one of {}", p.get_ref(), PRINCIPLES.join(", ")));
        }
    }
    let prefix = header.prefix.get_ref().clone();
    if prefix.is_empty() || !prefix.chars().all(|c| c.is_ascii_uppercase()) || prefix == "PL" {
        ctx.error(header.prefix.span(), format!("prefix `{prefix}` must be capital letters (and `PL` is the tool's own)"));
    }
    let corroboration = header.corroboration.as_ref().map(|c| {
        let min_rules = *c.get_ref().min_rules.get_ref();
        if min_rules < 2 {
            ctx.error(c.get_ref().min_rules.span(), "`min-rules` must be at least 2: with 1, no finding would ever be a note");
        }
        Corroboration { min_rules, note: c.get_ref().note.clone() }
    });
    let info = PackInfo {
        path: path.clone(),
        principle: principle.clone(),
        prefix: prefix.clone(),
        title: header.title.clone().unwrap_or_else(|| prefix.clone()),
        summary: header.summary.clone().unwrap_or_default(),
        corroboration,
    };
    // Rule by rule, so that one large pack does not leave a core idle.
    let rules = raw
        .rule
        .into_par_iter()
        .map(|raw_rule| {
            let span = Span::from(raw_rule.span());
            let r = raw_rule.into_inner();
            let id = (r.id.get_ref().clone(), Span::from(r.id.span()));
            let name = (r.name.get_ref().clone(), Span::from(r.name.span()));
            let mut diags = Vec::new();
            let mut ctx = Ctx { file, diags: &mut diags, user, trusted };
            let rule = compile_rule(r, &prefix, principle.clone(), &path, span, vocab, catalog, &mut ctx);
            CompiledRule { id, name, span, rule, diags }
        })
        .collect();
    Ok(CompiledPack { file, info, header_diags, rules })
}

/// Every matcher a run can search with, cues and qualifiers first (every block needs them).
fn all_matchers<'a>(vocab: &'a Vocab, rules: &'a [Rule]) -> Vec<&'a Matcher> {
    let c = &vocab.cues;
    let q = &vocab.qualifiers;
    let mut out = vec![&c.negation, &c.hedge, &c.deferral, &c.not_needed, &c.reasons, &c.placeholders];
    out.extend(&c.negation_after);
    out.extend(&c.excluded);
    out.extend([&q.status, &q.plan, &q.owner, &q.reference, &q.date]);
    out.extend(vocab.triggers.iter().filter_map(|t| t.matcher.as_ref()));
    for r in rules {
        match &r.check {
            Check::RequireEvidence { matcher, with, .. } => {
                out.push(matcher);
                out.extend(with);
            }
            Check::Forbid { matcher, .. } | Check::Consistency { matcher, .. } => out.push(matcher),
            Check::RequireField { alternative, .. } => out.extend(alternative),
            Check::RequireSection { .. } => {}
        }
        out.extend(&r.when.matcher);
    }
    out
}

fn de_error(file: FileId, e: &toml::de::Error) -> Diagnostic {
    let span = e.span().map_or(Span::point(0), Span::from);
    let message = e.message().trim().to_string();
    Diagnostic::tool(ToolCode::InvalidRulePack, file, span, format!("invalid rule file: {message}")).with_label(message)
}

fn compile_language(raw: RawLanguage, ctx: &mut Ctx<'_>) -> Option<Vocab> {
    let dialect = Dialect::new(&raw.spelling.pairs, raw.macros.clone());
    for (name, body) in &raw.macros {
        if ctx.trusted {
            break;
        }
        if let Err(e) = compile(body) {
            ctx.error(Span::point(0), format!("macro `{name}` is not a valid regex: {e}"));
        }
    }
    let cue = |list: &[String], ctx: &mut Ctx<'_>| -> Option<Matcher> {
        let m = cue_matcher(&dialect, list);
        if !ctx.trusted {
            compile(m.as_str()).map_err(|e| ctx.error(Span::point(0), format!("cue list does not compile: {e}"))).ok()?;
        }
        Some(m)
    };
    let negation = cue(&raw.cues.negation, ctx);
    let negation_after = if raw.cues.negation_after.is_empty() { None } else { cue(&raw.cues.negation_after, ctx) };
    let hedge = cue(&raw.cues.hedge, ctx);
    let deferral = cue(&raw.cues.deferral, ctx);
    let not_needed = cue(&raw.cues.not_needed, ctx);
    let reasons = cue(&raw.cues.reasons, ctx);
    let placeholders = cue(&raw.cues.placeholders, ctx);
    let excluded = if raw.cues.excluded.is_empty() { None } else { cue(&raw.cues.excluded, ctx) };
    let q = &raw.qualifiers;
    let qual = |s: &Spanned<String>, ctx: &mut Ctx<'_>| -> Option<Matcher> {
        if !ctx.trusted {
            compile(s.get_ref()).map_err(|e| ctx.error(s.span(), format!("qualifier does not compile: {e}"))).ok()?;
        }
        Matcher::new(&dialect, vec![Source::Pattern(s.get_ref().clone())])
    };
    let status = qual(&q.status, ctx);
    let plan = qual(&q.plan, ctx);
    let owner = qual(&q.owner, ctx);
    let reference = qual(&q.reference, ctx);
    let date = qual(&q.date, ctx);
    let mut triggers = Vec::new();
    let mut ids = BTreeSet::new();
    for t in raw.trigger {
        let t = t.into_inner();
        if !ids.insert(t.id.get_ref().clone()) {
            ctx.error(t.id.span(), format!("duplicate trigger `{}`", t.id.get_ref()));
        }
        let matcher = phrase_matcher(&dialect, &t.terms, &t.patterns, ctx);
        let fields = t.fields.iter().filter_map(|f| field_predicate(f, t.id.span(), ctx)).collect();
        triggers.push(Trigger { id: t.id.into_inner(), label: t.label, fields, matcher });
    }
    let aliases = Aliases::new(raw.aliases);
    Some(Vocab {
        cues: Cues {
            negation: negation?,
            negation_after,
            hedge: hedge?,
            deferral: deferral?,
            not_needed: not_needed?,
            reasons: reasons?,
            placeholders: placeholders?,
            out_of_scope: lower_case_list(&raw.cues.out_of_scope),
            excluded,
            refers_back: lower_case_list(&raw.cues.refers_back),
        },
        qualifiers: Qualifiers { status: status?, plan: plan?, owner: owner?, reference: reference?, date: date? },
        dialect,
        aliases,
        triggers,
        prefilter: Prefilter::default(),
    })
}

/// A cue list as lower-case phrases, empty ones dropped.
fn lower_case_list(list: &[String]) -> Vec<String> {
    list.iter().map(|c| c.trim().to_lowercase()).filter(|c| !c.is_empty()).collect()
}

fn field_predicate(f: &RawFieldPredicate, span: std::ops::Range<usize>, ctx: &mut Ctx<'_>) -> Option<FieldPredicate> {
    let test = if let Some(v) = &f.equals {
        FieldTest::Equals(toml_to_value(v))
    } else if let Some(vs) = &f.in_values {
        FieldTest::In(vs.iter().map(toml_to_value).collect())
    } else if f.nonempty == Some(true) {
        FieldTest::NonEmpty
    } else if f.positive == Some(true) {
        FieldTest::Positive
    } else if let Some(items) = &f.contains {
        FieldTest::Contains(items.clone())
    } else {
        ctx.error(span, format!("field predicate on `{}` needs one of equals, in, nonempty, positive or contains", f.key));
        return None;
    };
    Some(FieldPredicate { key: f.key.clone(), test })
}

/// Terms and patterns into one matcher; bad patterns are reported on their own span.
fn phrase_matcher(dialect: &Dialect, terms: &[Spanned<String>], patterns: &[Spanned<String>], ctx: &mut Ctx<'_>) -> Option<Matcher> {
    let mut sources = Vec::new();
    for t in terms {
        if t.get_ref().trim().is_empty() {
            ctx.error(t.span(), "empty term");
            continue;
        }
        sources.push(Source::Term(t.get_ref()));
    }
    for p in patterns {
        // A regex `\\b` matches a backslash then `b`: never meant in proposal text, and the
        // usual slip when a pattern moves from a basic string to a '...' literal one.
        if ["\\\\b", "\\\\d", "\\\\s", "\\\\w"].iter().any(|doubled| p.get_ref().contains(doubled)) {
            ctx.error(
                p.span(),
                "pattern has a doubled backslash (`\\\\b`, `\\\\d`, ...), which matches a literal backslash; in a '...' string write `\\b`",
            );
        }
        let checked = if ctx.trusted { dialect.pattern_source(p.get_ref()) } else { dialect.pattern_regex(p.get_ref()) };
        match checked {
            Ok(src) if ctx.user => match super::matcher::compile(&src) {
                Ok(_) => sources.push(Source::Pattern(src)),
                Err(e) => ctx.error(p.span(), format!("pattern does not compile: {}", e.to_string().lines().last().unwrap_or(""))),
            },
            Ok(src) => sources.push(Source::Pattern(src)),
            Err(e) => ctx.error(p.span(), format!("pattern does not compile: {}", e.lines().last().unwrap_or(&e))),
        }
    }
    // Built the first time a proposal needs it; one over the size limit matches nothing.
    Matcher::new(dialect, sources)
}

fn severity(s: &Spanned<String>, ctx: &mut Ctx<'_>, allow_off: bool) -> Option<Option<Severity>> {
    if allow_off && s.get_ref() == "off" {
        return Some(None);
    }
    match Severity::parse(s.get_ref()) {
        Some(sev) => Some(Some(sev)),
        None => {
            let expected = if allow_off { "error, warning, info or off" } else { "error, warning or info" };
            ctx.error(s.span(), format!("unknown severity `{}`; expected {expected}", s.get_ref()));
            None
        }
    }
}

#[allow(clippy::too_many_arguments)]
fn compile_rule(
    r: RawRule,
    prefix: &str,
    principle: Option<String>,
    pack: &str,
    span: Span,
    vocab: &Vocab,
    catalog: &Catalog,
    ctx: &mut Ctx<'_>,
) -> Option<Rule> {
    let before = ctx.diags.len();
    let id = r.id.get_ref();
    let valid_id = id
        .strip_prefix(prefix)
        .and_then(|rest| rest.strip_prefix('-'))
        .is_some_and(|n| n.len() == 3 && n.chars().all(|c| c.is_ascii_digit()));
    if !valid_id {
        ctx.error(r.id.span(), format!("rule id `{id}` must look like `{prefix}-001`"));
    }
    let name = r.name.get_ref();
    if name.is_empty() || !name.split('-').all(|w| !w.is_empty() && w.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit())) {
        ctx.error(r.name.span(), format!("rule name `{name}` must be kebab-case"));
    }
    let sev = severity(&r.severity, ctx, false).flatten();
    if let Some(e) = &r.enabler {
        if !ENABLERS.contains(&e.get_ref().as_str()) {
            ctx.error(e.span(), format!("unknown enabler `{}`; expected one of {}", e.get_ref(), ENABLERS.join(", ")));
        }
    }
    if principle.is_none() && r.enabler.is_none() && prefix != "GOV" {
        ctx.error(r.id.span(), "a rule needs a principle (from its pack) or an enabler");
    }
    for text in [&r.message, &r.why, &r.help] {
        if text.trim().is_empty() {
            ctx.error(span, "message, why and help must not be empty");
        }
    }
    let mut sections = Vec::new();
    for s in &r.sections {
        if catalog.contains(s.get_ref()) {
            sections.push(s.get_ref().clone());
        } else {
            ctx.error(s.span(), format!("unknown section `{}`", s.get_ref()));
        }
    }
    let dialect = &vocab.dialect;
    let matcher = phrase_matcher(dialect, &r.terms, &r.patterns, ctx);
    let with = phrase_matcher(dialect, &r.with_terms, &r.with_patterns, ctx);
    let min_level = match &r.min_level {
        Some(l) if !(1..=3).contains(l.get_ref()) => {
            ctx.error(l.span(), "min-level must be 1, 2 or 3");
            1
        }
        Some(l) => *l.get_ref(),
        None => 1,
    };
    let check_kind = r.check.get_ref().as_str();
    let needs = |what: &str, ok: bool, ctx: &mut Ctx<'_>| {
        if !ok {
            ctx.error(r.check.span(), format!("check `{check_kind}` needs {what}"));
        }
    };
    if let Some(text) = &r.replace {
        if check_kind != "forbid" {
            ctx.error(r.check.span(), "`replace` is only for `forbid` rules");
        } else if text.trim().is_empty() || text.contains(['\n', '\r', '"', '\'', '\\']) {
            // It must fit inside any Markdown line and any TOML string the match sits in.
            ctx.error(r.check.span(), "`replace` must be one line of text without quotes or backslashes");
        }
    }
    if r.not_needed.is_some() && check_kind != "require-evidence" {
        ctx.error(r.check.span(), "`[rule.not-needed]` is only for `require-evidence` rules");
    }
    let check = match check_kind {
        "require-section" => {
            needs("`sections`", !r.sections.is_empty(), ctx);
            Some(Check::RequireSection { sections: sections.clone(), min_words: r.min_words.unwrap_or(25) })
        }
        "require-evidence" => {
            needs("`terms` or `patterns`", matcher.is_some(), ctx);
            let fields = r
                .fields
                .iter()
                .map(|f| super::Record { key: f.get_ref().key.clone(), with: f.get_ref().with.clone().unwrap_or_default() })
                .collect();
            matcher.clone().map(|m| Check::RequireEvidence {
                matcher: m,
                with: with.clone(),
                sections: sections.clone(),
                min_level,
                fields,
            })
        }
        "forbid" => {
            needs("`terms` or `patterns`", matcher.is_some(), ctx);
            matcher.clone().map(|m| Check::Forbid {
                matcher: m,
                sections: sections.clone(),
                suggest: r.suggest.clone(),
                replace: r.replace.clone(),
                negated_too: r.negated_too.unwrap_or(false),
            })
        }
        "require-field" => {
            needs("`fields`", !r.fields.is_empty(), ctx);
            let fields = r
                .fields
                .iter()
                .map(|f| {
                    let spec = f.get_ref();
                    if let Some(ty) = &spec.ty {
                        if !["string", "bool", "integer", "number", "date", "array", "table"].contains(&ty.as_str()) {
                            ctx.error(f.span(), format!("unknown type `{ty}`"));
                        }
                    }
                    FieldSpec {
                        key: spec.key.clone(),
                        ty: spec.ty.clone(),
                        allowed: spec.allowed.iter().flatten().map(toml_to_value).collect(),
                        required: spec.required.unwrap_or(true),
                    }
                })
                .collect();
            Some(Check::RequireField { fields, alternative: matcher.clone() })
        }
        "consistency" => {
            needs("`field` and `equals`", r.field.is_some() && r.equals.is_some(), ctx);
            let (text_matcher, label) = match &r.trigger {
                Some(t) => match vocab.trigger(t.get_ref()) {
                    Some(trig) => (trig.matcher.clone(), trig.label.clone()),
                    None => {
                        ctx.error(t.span(), format!("unknown trigger `{}`", t.get_ref()));
                        (None, String::new())
                    }
                },
                None => (matcher.clone(), "the text says otherwise".to_string()),
            };
            needs("`trigger`, `terms` or `patterns`", text_matcher.is_some() || r.trigger.is_some(), ctx);
            let negated = match &r.polarity {
                Some(p) if p.get_ref() == "negated" => true,
                Some(p) if p.get_ref() == "asserted" => false,
                Some(p) => {
                    ctx.error(p.span(), "polarity must be `asserted` or `negated`");
                    false
                }
                None => false,
            };
            match (r.field.as_ref(), r.equals.as_ref(), text_matcher) {
                (Some(f), Some(eq), Some(m)) => {
                    Some(Check::Consistency { field: f.get_ref().clone(), equals: toml_to_value(eq), matcher: m, negated, label })
                }
                _ => None,
            }
        }
        other => {
            ctx.error(
                r.check.span(),
                format!("unknown check `{other}`; expected require-section, require-evidence, forbid, require-field or consistency"),
            );
            None
        }
    };
    let when = r.when.as_ref().map(|w| compile_when(w.get_ref(), w.span(), vocab, ctx)).unwrap_or_default();
    let not_needed_refused = r.not_needed.map(|n| NotNeededRefused { triggers: trigger_ids(&n.refused_when, vocab, ctx), note: n.note });
    let mut stages = BTreeMap::new();
    for (stage, ov) in &r.stage {
        if !STAGES.contains(&stage.as_str()) {
            ctx.error(ov.span(), format!("unknown stage `{stage}`; expected one of {}", STAGES.join(", ")));
            continue;
        }
        let o = ov.get_ref();
        let severity = o.severity.as_ref().and_then(|s| severity(s, ctx, true));
        if let Some(l) = o.min_level {
            if !(1..=3).contains(&l) {
                ctx.error(ov.span(), "min-level must be 1, 2 or 3");
            }
        }
        stages.insert(stage.clone(), StageOverride { severity, min_level: o.min_level });
    }
    let mut examples = Vec::new();
    for ex in &r.example {
        let e = ex.get_ref();
        let expect_fail = match e.expect.get_ref().as_str() {
            "fail" => true,
            "pass" => false,
            other => {
                ctx.error(e.expect.span(), format!("expect must be `fail` or `pass`, not `{other}`"));
                continue;
            }
        };
        let format = match e.format.as_deref() {
            None | Some("markdown") => Format::Markdown,
            Some("toml") => Format::Toml,
            Some(other) => {
                ctx.error(ex.span(), format!("unknown example format `{other}`"));
                continue;
            }
        };
        examples.push(Example { expect_fail, text: e.text.clone(), format, span: ex.span().into() });
    }
    if !examples.iter().any(|e| e.expect_fail) || !examples.iter().any(|e| !e.expect_fail) {
        ctx.error(r.id.span(), format!("rule `{id}` needs at least one `fail` and one `pass` example"));
    }
    if ctx.diags.len() > before {
        return None;
    }
    Some(Rule {
        id: id.clone(),
        name: name.clone(),
        principle,
        enabler: r.enabler.map(Spanned::into_inner),
        severity: sev?,
        message: r.message,
        why: r.why,
        help: r.help,
        standards: r.standards,
        check: check?,
        when,
        stages,
        not_needed_refused,
        covered_by: r.covered_by.map(|c| CoveredBy {
            ids: c.rules.into_iter().map(|id| (id.get_ref().clone(), Span::from(id.span()))).collect(),
            rules: Vec::new(),
            note: c.note,
        }),
        examples,
        pack: pack.to_string(),
        span,
    })
}

fn trigger_ids(list: &[Spanned<String>], vocab: &Vocab, ctx: &mut Ctx<'_>) -> Vec<usize> {
    list.iter()
        .filter_map(|t| {
            let idx = vocab.trigger_index(t.get_ref());
            if idx.is_none() {
                let known: Vec<&str> = vocab.triggers.iter().map(|t| t.id.as_str()).collect();
                ctx.error(t.span(), format!("unknown trigger `{}`; known: {}", t.get_ref(), known.join(", ")));
            }
            idx
        })
        .collect()
}

fn compile_when(w: &RawWhen, span: std::ops::Range<usize>, vocab: &Vocab, ctx: &mut Ctx<'_>) -> When {
    let triggers = trigger_ids(&w.triggers, vocab, ctx);
    let all_triggers = trigger_ids(&w.all_triggers, vocab, ctx);
    let stages = w
        .stages
        .iter()
        .filter_map(|s| {
            if STAGES.contains(&s.get_ref().as_str()) {
                Some(s.get_ref().clone())
            } else {
                ctx.error(s.span(), format!("unknown stage `{}`", s.get_ref()));
                None
            }
        })
        .collect();
    let field = match (&w.field, &w.equals, &w.in_values) {
        (Some(key), Some(eq), _) => Some(FieldPredicate { key: key.clone(), test: FieldTest::Equals(toml_to_value(eq)) }),
        (Some(key), None, Some(vs)) => {
            Some(FieldPredicate { key: key.clone(), test: FieldTest::In(vs.iter().map(toml_to_value).collect()) })
        }
        (Some(key), None, None) => Some(FieldPredicate { key: key.clone(), test: FieldTest::NonEmpty }),
        (None, Some(_), _) | (None, _, Some(_)) => {
            ctx.error(span, "`equals` and `in` need a `field`");
            None
        }
        (None, None, None) => None,
    };
    let matcher = phrase_matcher(&vocab.dialect, &w.terms, &w.patterns, ctx);
    When { triggers, all_triggers, stages, nations: w.nations.iter().map(|n| n.to_lowercase()).collect(), field, matcher }
}
