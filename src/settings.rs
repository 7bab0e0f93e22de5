//! Settings for one run: each file's closest `proplint.toml` (or `--config`), merged with
//! the command line, resolved into what the engine runs on that file. The ripgrep
//! "low args to high args" step.

use crate::check::FileSettings;
use crate::config::{self, Config, Origin, Selector};
use crate::diag::{Diagnostic, ToolCode};
use crate::rules::{select, RuleSet};
use crate::source::SourceDb;
use crate::span::Span;
use crate::waivers::{self, Waiver};
use crate::walk::Input;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Selection flags given on the command line; they override the files.
#[derive(Debug, Clone, Default)]
pub struct CliSelection {
    pub select: Option<Vec<String>>,
    pub extend_select: Vec<String>,
    pub ignore: Vec<String>,
}

pub struct Settings {
    pub configs: Vec<Config>,
    /// For each input (same order), the index of its config, if any.
    pub config_of: Vec<Option<usize>>,
    pub cli: CliSelection,
    /// Register waivers, each with the folder its `files` globs are relative to.
    pub register: Vec<(Waiver, PathBuf)>,
    pub today: String,
}

/// Every configuration found, and for each input the index of its own.
pub type Found = (Vec<Config>, Vec<Option<usize>>);

/// Finds and loads the configuration of every input.
pub fn load(inputs: &[Input], explicit: Option<&Path>, no_config: bool, db: &mut SourceDb) -> Result<Found, Vec<Diagnostic>> {
    let mut configs: Vec<Config> = Vec::new();
    let mut by_path: BTreeMap<PathBuf, usize> = BTreeMap::new();
    let mut config_of = Vec::with_capacity(inputs.len());
    let mut errors = Vec::new();
    let mut get = |path: PathBuf, db: &mut SourceDb, errors: &mut Vec<Diagnostic>| -> Option<usize> {
        if let Some(&i) = by_path.get(&path) {
            return Some(i);
        }
        match config::load(&path, db) {
            Ok(c) => {
                configs.push(c);
                by_path.insert(path, configs.len() - 1);
                Some(configs.len() - 1)
            }
            Err(mut d) => {
                errors.append(&mut d);
                None
            }
        }
    };
    let mut dir_cache: BTreeMap<PathBuf, Option<PathBuf>> = BTreeMap::new();
    for input in inputs {
        if no_config {
            config_of.push(None);
            continue;
        }
        if let Some(path) = explicit {
            config_of.push(get(path.to_path_buf(), db, &mut errors));
            continue;
        }
        let dir = if input.stdin { PathBuf::from(".") } else { input.path.parent().map_or_else(|| PathBuf::from("."), Path::to_path_buf) };
        let found = dir_cache.entry(dir.clone()).or_insert_with(|| config::find_for(&dir)).clone();
        config_of.push(found.and_then(|p| get(p, db, &mut errors)));
    }
    if errors.is_empty() {
        Ok((configs, config_of))
    } else {
        Err(errors)
    }
}

impl Settings {
    /// Every unknown selector, in configuration files and on the command line.
    pub fn check_selectors(&self, set: &RuleSet, db: &SourceDb) -> Vec<Diagnostic> {
        let mut out = Vec::new();
        let mut report = |sel: &Selector| {
            if select::is_known(set, &sel.text) {
                return;
            }
            let message = format!("`{}` selects no rule (use a rule id, prefix, principle, enabler or rule name)", sel.text);
            let (file, span) = match &sel.origin {
                Origin::File { path, span } => (db.find(path).unwrap_or(usize::MAX), *span),
                _ => (usize::MAX, Span::default()),
            };
            out.push(Diagnostic::tool(ToolCode::InvalidConfig, file, span, message.clone()).with_label(message));
        };
        for c in &self.configs {
            c.select.iter().flatten().chain(&c.extend_select).chain(&c.ignore).for_each(&mut report);
            c.severity.iter().for_each(|(s, _)| report(s));
            c.per_file_ignores.iter().flat_map(|p| &p.selectors).for_each(&mut report);
        }
        let cli = |text: &String| Selector { text: text.clone(), origin: Origin::CommandLine };
        for s in self.cli.select.iter().flatten().chain(&self.cli.extend_select).chain(&self.cli.ignore) {
            report(&cli(s));
        }
        out
    }

    /// Loads the waiver registers: each config's `waivers` file, or `waivers.toml` beside it.
    /// Invalid register entries are reported once and left out.
    pub fn load_registers(&mut self, set: &RuleSet, db: &mut SourceDb) -> Vec<Diagnostic> {
        let mut problems = Vec::new();
        let mut seen = Vec::new();
        for c in &self.configs {
            let path = c.waivers.clone().unwrap_or_else(|| c.dir.join("waivers.toml"));
            if seen.contains(&path) || (c.waivers.is_none() && !path.is_file()) {
                continue;
            }
            seen.push(path.clone());
            match waivers::load_register(&path, db) {
                Ok((list, dir)) => {
                    for w in list {
                        match waivers::validate(&w, set, &self.today) {
                            Some(p) => problems.push(p),
                            None => self.register.push((w, dir.clone())),
                        }
                    }
                }
                Err(d) => problems.push(*d),
            }
        }
        problems
    }

    /// What runs on `input` (the `index`-th input).
    pub fn for_input(&self, set: &RuleSet, index: usize, input: &Input) -> FileSettings<'_> {
        let config = self.config_of.get(index).copied().flatten().map(|i| &self.configs[i]);
        let texts = |list: &[Selector]| list.iter().map(|s| s.text.clone()).collect::<Vec<_>>();
        let select: Option<Vec<String>> = self.cli.select.clone().or_else(|| config.and_then(|c| c.select.as_deref().map(texts)));
        let mut extend: Vec<String> = config.map(|c| texts(&c.extend_select)).unwrap_or_default();
        extend.extend(self.cli.extend_select.iter().cloned());
        let mut ignore: Vec<String> = config.map(|c| texts(&c.ignore)).unwrap_or_default();
        ignore.extend(self.cli.ignore.iter().cloned());
        if let Some(c) = config {
            ignore.extend(c.ignores_for(&input.path).into_iter().map(|s| s.text.clone()));
        }
        let select_refs: Option<Vec<&str>> = select.as_ref().map(|v| v.iter().map(String::as_str).collect());
        let extend_refs: Vec<&str> = extend.iter().map(String::as_str).collect();
        let ignore_refs: Vec<&str> = ignore.iter().map(String::as_str).collect();
        let selected = select::resolve(set, select_refs.as_deref(), &extend_refs, &ignore_refs);
        let mut severity = BTreeMap::new();
        if let Some(c) = config {
            for (sel, sev) in &c.severity {
                for &i in &selected {
                    if select::matches(&set.rules[i], &sel.text) {
                        severity.insert(i, *sev);
                    }
                }
            }
        }
        let register = self
            .register
            .iter()
            .enumerate()
            .filter(|(_, (w, dir))| {
                let rel = config::relative(&input.path, dir);
                w.files.as_ref().is_some_and(|g| g.is_match(&rel) || g.is_match(&input.path))
            })
            .map(|(i, (w, _))| (i, w))
            .collect();
        FileSettings {
            engine: crate::engine::Options {
                selected,
                severity,
                default_stage: config.and_then(|c| c.stage.as_ref().map(|s| s.0.clone())),
                default_nation: config.and_then(|c| c.nation.as_ref().map(|s| s.0.clone())),
                parallel_from: None,
            },
            require_reason: config.is_none_or(|c| c.require_reason),
            register,
            today: self.today.clone(),
        }
    }

    /// Register waivers no file used: the gaps they accepted are closed.
    pub fn unused_register(&self, used: &std::collections::BTreeSet<usize>) -> Vec<Diagnostic> {
        self.register.iter().enumerate().filter(|(i, _)| !used.contains(i)).map(|(_, (w, _))| waivers::unused(w)).collect()
    }

    /// `proplint config`: the resolved settings for one file and where each came from.
    pub fn describe(&self, set: &RuleSet, db: &SourceDb, index: usize, input: &Input) -> String {
        let config = self.config_of.get(index).copied().flatten().map(|i| &self.configs[i]);
        let fs = self.for_input(set, index, input);
        let mut out = String::new();
        out.push_str(&format!("file: {}\n", input.display));
        out.push_str(&format!("config: {}\n", config.and_then(|c| c.path.clone()).unwrap_or_else(|| "none (defaults)".into())));
        let origin = |o: Option<&Origin>| o.map_or_else(|| "default".to_string(), |o| o.describe(db));
        let sel = |list: &[Selector]| list.iter().map(|s| format!("{} ({})", s.text, s.origin.describe(db))).collect::<Vec<_>>().join(", ");
        match (&self.cli.select, config.and_then(|c| c.select.as_ref())) {
            (Some(cli), _) => out.push_str(&format!("select: {} (command line)\n", cli.join(", "))),
            (None, Some(s)) => out.push_str(&format!("select: {}\n", sel(s))),
            (None, None) => out.push_str("select: ALL (default)\n"),
        }
        if let Some(c) = config {
            if !c.extend_select.is_empty() {
                out.push_str(&format!("extend-select: {}\n", sel(&c.extend_select)));
            }
            if !c.ignore.is_empty() {
                out.push_str(&format!("ignore: {}\n", sel(&c.ignore)));
            }
            for p in &c.per_file_ignores {
                if p.matcher.is_match(config::relative(&input.path, &c.dir)) {
                    out.push_str(&format!("per-file-ignores[{}]: {}\n", p.pattern, sel(&p.selectors)));
                }
            }
            for (s, sev) in &c.severity {
                out.push_str(&format!("severity: {} = {} ({})\n", s.text, sev, s.origin.describe(db)));
            }
        }
        if !self.cli.extend_select.is_empty() {
            out.push_str(&format!("extend-select: {} (command line)\n", self.cli.extend_select.join(", ")));
        }
        if !self.cli.ignore.is_empty() {
            out.push_str(&format!("ignore: {} (command line)\n", self.cli.ignore.join(", ")));
        }
        out.push_str(&format!(
            "stage default: {} ({})\n",
            fs.engine.default_stage.as_deref().unwrap_or("none"),
            origin(config.and_then(|c| c.stage.as_ref().map(|s| &s.1)))
        ));
        out.push_str(&format!(
            "nation default: {} ({})\n",
            fs.engine.default_nation.as_deref().unwrap_or("none"),
            origin(config.and_then(|c| c.nation.as_ref().map(|s| &s.1)))
        ));
        out.push_str(&format!("require-reason: {}\n", fs.require_reason));
        out.push_str(&format!("rules selected: {} of {}\n", fs.engine.selected.len(), set.rules.len()));
        out.push_str(&format!("register waivers covering this file: {}\n", fs.register.len()));
        out
    }
}
