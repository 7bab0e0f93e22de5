//! `proplint.toml`: found by walking up from each linted file's folder (the closest wins),
//! or given with `--config`. Unknown keys and bad values are errors with their span.

use crate::diag::{Diagnostic, Severity, ToolCode};
use crate::source::{SourceDb, SourceFile};
use crate::span::Span;
use globset::{Glob, GlobSet, GlobSetBuilder};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use toml::Spanned;

pub const FILE_NAME: &str = "proplint.toml";

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawConfig {
    #[serde(default)]
    select: Option<Vec<Spanned<String>>>,
    #[serde(default)]
    extend_select: Vec<Spanned<String>>,
    #[serde(default)]
    ignore: Vec<Spanned<String>>,
    #[serde(default)]
    severity: BTreeMap<String, Spanned<String>>,
    #[serde(default)]
    per_file_ignores: BTreeMap<String, Vec<Spanned<String>>>,
    #[serde(default)]
    include: Vec<Spanned<String>>,
    #[serde(default)]
    exclude: Vec<Spanned<String>>,
    #[serde(default)]
    rules: Vec<Spanned<String>>,
    stage: Option<Spanned<String>>,
    nation: Option<Spanned<String>>,
    require_reason: Option<bool>,
    waivers: Option<Spanned<String>>,
}

/// A selector as written (`ETH-002`, `ETH`, `ethical`, `dpia-not-evidenced`, `ALL`), with
/// where it came from so that an unknown one can be reported.
#[derive(Debug, Clone)]
pub struct Selector {
    pub text: String,
    pub origin: Origin,
}

/// Where a setting came from: a span in a config file, or the command line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    File { path: String, span: Span },
    CommandLine,
    Default,
}

impl Origin {
    pub fn describe(&self, db: &SourceDb) -> String {
        match self {
            Origin::File { path, span } => {
                let line = db.find(path).map_or(0, |id| db.get(id).position(span.start).line);
                format!("{path}:{line}")
            }
            Origin::CommandLine => "command line".into(),
            Origin::Default => "default".into(),
        }
    }
}

#[derive(Debug, Clone)]
pub struct PerFileIgnore {
    pub pattern: String,
    pub matcher: GlobSet,
    pub selectors: Vec<Selector>,
}

/// One configuration file, validated. Paths inside it are relative to `dir`.
#[derive(Debug, Clone, Default)]
pub struct Config {
    pub path: Option<String>,
    pub dir: PathBuf,
    pub select: Option<Vec<Selector>>,
    pub extend_select: Vec<Selector>,
    pub ignore: Vec<Selector>,
    pub severity: Vec<(Selector, Severity)>,
    pub per_file_ignores: Vec<PerFileIgnore>,
    pub include: Option<GlobSet>,
    pub exclude: Option<GlobSet>,
    pub rule_dirs: Vec<PathBuf>,
    pub stage: Option<(String, Origin)>,
    pub nation: Option<(String, Origin)>,
    pub require_reason: bool,
    pub waivers: Option<PathBuf>,
}

impl Config {
    pub fn empty(dir: PathBuf) -> Config {
        Config { dir, require_reason: true, ..Config::default() }
    }

    /// Whether discovery should lint `path` (relative paths are taken from `dir`).
    pub fn includes(&self, path: &Path) -> bool {
        let rel = relative(path, &self.dir);
        let rel = rel.as_path();
        if self.exclude.as_ref().is_some_and(|g| g.is_match(rel)) {
            return false;
        }
        self.include.as_ref().is_none_or(|g| g.is_match(rel))
    }

    /// Per-file ignores that apply to `path`.
    pub fn ignores_for(&self, path: &Path) -> Vec<&Selector> {
        let rel = relative(path, &self.dir);
        let rel = rel.as_path();
        self.per_file_ignores.iter().filter(|p| p.matcher.is_match(rel)).flat_map(|p| p.selectors.iter()).collect()
    }
}

/// `path` relative to `dir`, with `.` components dropped, for matching globs.
pub fn relative(path: &Path, dir: &Path) -> PathBuf {
    let clean = |p: &Path| -> PathBuf { p.components().filter(|c| !matches!(c, std::path::Component::CurDir)).collect() };
    let (path, dir) = (clean(path), clean(dir));
    path.strip_prefix(&dir).map_or(path.clone(), Path::to_path_buf)
}

/// Reads and validates one config file; problems are diagnostics pointing into it.
pub fn load(path: &Path, db: &mut SourceDb) -> Result<Config, Vec<Diagnostic>> {
    let display = crate::walk::display_path(path);
    let text = std::fs::read_to_string(path)
        .map_err(|e| vec![Diagnostic::tool(ToolCode::InvalidConfig, usize::MAX, Span::default(), format!("cannot read {display}: {e}"))])?;
    let id = db.add(SourceFile::new(display.clone(), text.clone()));
    let raw: RawConfig = toml::from_str(&text).map_err(|e| {
        let span = e.span().map_or(Span::point(0), Span::from);
        let message = e.message().trim().to_string();
        vec![Diagnostic::tool(ToolCode::InvalidConfig, id, span, format!("invalid configuration: {message}")).with_label(message)]
    })?;
    let dir = path.parent().map_or_else(|| PathBuf::from("."), Path::to_path_buf);
    let mut diags = Vec::new();
    let origin = |s: &Spanned<String>| Origin::File { path: display.clone(), span: Span::from(s.span()) };
    let selectors =
        |list: &[Spanned<String>]| list.iter().map(|s| Selector { text: s.get_ref().clone(), origin: origin(s) }).collect::<Vec<_>>();
    let mut error = |span: Span, message: String| {
        diags.push(Diagnostic::tool(ToolCode::InvalidConfig, id, span, message.clone()).with_label(message));
    };
    let mut severity = Vec::new();
    for (rule, sev) in &raw.severity {
        match Severity::parse(sev.get_ref()) {
            Some(s) => severity.push((Selector { text: rule.clone(), origin: origin(sev) }, s)),
            None => error(Span::from(sev.span()), format!("unknown severity `{}`; expected error, warning or info", sev.get_ref())),
        }
    }
    let globs = |list: &[Spanned<String>], error: &mut dyn FnMut(Span, String)| -> Option<GlobSet> {
        if list.is_empty() {
            return None;
        }
        let mut b = GlobSetBuilder::new();
        for g in list {
            match Glob::new(g.get_ref()) {
                Ok(glob) => {
                    b.add(glob);
                }
                Err(e) => error(Span::from(g.span()), format!("invalid glob: {e}")),
            }
        }
        b.build().ok()
    };
    let include = globs(&raw.include, &mut error);
    let exclude = globs(&raw.exclude, &mut error);
    let mut per_file_ignores = Vec::new();
    for (pattern, list) in &raw.per_file_ignores {
        match Glob::new(pattern) {
            Ok(glob) => {
                let mut b = GlobSetBuilder::new();
                b.add(glob);
                if let Ok(matcher) = b.build() {
                    per_file_ignores.push(PerFileIgnore { pattern: pattern.clone(), matcher, selectors: selectors(list) });
                }
            }
            Err(e) => error(list.first().map_or(Span::point(0), |s| Span::from(s.span())), format!("invalid glob `{pattern}`: {e}")),
        }
    }
    let check_enum =
        |v: &Option<Spanned<String>>, allowed: &[&str], what: &str, error: &mut dyn FnMut(Span, String)| -> Option<(String, Origin)> {
            let v = v.as_ref()?;
            let norm = v.get_ref().trim().to_lowercase().replace([' ', '-'], "_");
            if allowed.contains(&norm.as_str()) {
                Some((norm, origin(v)))
            } else {
                error(Span::from(v.span()), format!("unknown {what} `{}`; expected one of {}", v.get_ref(), allowed.join(", ")));
                None
            }
        };
    let stage = check_enum(&raw.stage, &crate::rules::STAGES, "stage", &mut error);
    let nation = check_enum(&raw.nation, &["england", "wales", "scotland", "northern_ireland"], "nation", &mut error);
    if !diags.is_empty() {
        return Err(diags);
    }
    Ok(Config {
        path: Some(display.clone()),
        select: raw.select.as_deref().map(selectors),
        extend_select: selectors(&raw.extend_select),
        ignore: selectors(&raw.ignore),
        severity,
        per_file_ignores,
        include,
        exclude,
        rule_dirs: raw.rules.iter().map(|r| dir.join(r.get_ref())).collect(),
        stage,
        nation,
        require_reason: raw.require_reason.unwrap_or(true),
        waivers: raw.waivers.as_ref().map(|w| dir.join(w.get_ref())),
        dir,
    })
}

/// The nearest `proplint.toml` at or above `start` (a file's folder).
pub fn find_for(start: &Path) -> Option<PathBuf> {
    let start = if start.as_os_str().is_empty() { Path::new(".") } else { start };
    let abs = std::fs::canonicalize(start).ok()?;
    let mut dir = Some(abs.as_path());
    while let Some(d) = dir {
        let candidate = d.join(FILE_NAME);
        if candidate.is_file() {
            return Some(relative_to_cwd(&candidate));
        }
        dir = d.parent();
    }
    None
}

fn relative_to_cwd(path: &Path) -> PathBuf {
    std::env::current_dir().ok().and_then(|cwd| path.strip_prefix(&cwd).ok().map(Path::to_path_buf)).unwrap_or_else(|| path.to_path_buf())
}
