//! Command-line arguments (clap derive). Only parsing lives here; `lib::run` acts on them.

use crate::render::OutputFormat;
use clap::{Args, Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

#[derive(Debug, Parser)]
#[command(
    name = "proplint",
    version,
    about = "Lint project proposals against the LGA Local Government Digitalisation Framework principles",
    propagate_version = true
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Lint proposals (Markdown, Markdown with TOML front matter, TOML forms)
    Check(CheckArgs),
    /// List the rules, grouped by principle
    Rules(RulesArgs),
    /// Show a rule's full documentation: what it checks, why, what counts, examples
    Explain(ExplainArgs),
    /// Write a proposal template with every section the rules expect at a stage
    Init(InitArgs),
    /// Print a shell completion script
    Completions(CompletionsArgs),
    /// Print the man page (roff)
    Man,
    /// Run every rule's examples and fixtures (for pack authors)
    TestRules(TestRulesArgs),
    /// Show the resolved configuration for a file and where each value came from
    Config(ConfigCmdArgs),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FailOn {
    Error,
    Warning,
    Info,
    Never,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

#[derive(Debug, Clone, Args)]
pub struct RuleArgs {
    /// Add the rule packs (*.toml) in this directory; repeatable
    #[arg(long = "rules", value_name = "DIR")]
    pub rules: Vec<PathBuf>,
    /// Do not load the embedded packs (a --rules directory must then hold language.toml and sections.toml)
    #[arg(long)]
    pub no_builtin_rules: bool,
}

#[derive(Debug, Clone, Args)]
pub struct CheckArgs {
    /// Files or directories to lint; `-` reads standard input
    #[arg(value_name = "PATH", default_value = ".")]
    pub paths: Vec<PathBuf>,
    /// Output format, optionally written to FILE; repeat to write several in one run (at
    /// most one without a FILE goes to standard output). Formats: human, concise, json,
    /// json-lines, sarif, github, gitlab, junit, markdown, html
    #[arg(long = "format", value_name = "FORMAT[=FILE]", value_parser = parse_format_spec)]
    pub formats: Vec<FormatSpec>,
    /// Write the (single) output format to FILE instead of standard output
    #[arg(short = 'o', long = "output", value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// When to use colour in human output (NO_COLOR is honoured)
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,
    /// Lowest severity that makes the run fail with exit code 1
    #[arg(long, value_enum, default_value_t = FailOn::Error)]
    pub fail_on: FailOn,
    /// Always exit 0 when the run itself worked, whatever it found
    #[arg(long)]
    pub exit_zero: bool,
    /// Also fail (exit 1) when there are more than N warnings
    #[arg(long, value_name = "N")]
    pub max_warnings: Option<usize>,
    /// Print how many findings each rule produced, most frequent first, instead of the
    /// findings on standard output (files named with FORMAT=FILE are still written)
    #[arg(long)]
    pub statistics: bool,
    /// Print findings only, without the summary lines of human and concise output
    #[arg(short, long)]
    pub quiet: bool,
    /// Write the fixes proplint knows into the files (a stub for each missing section, the
    /// replacement wording of rules that have one), then report what is left
    #[arg(long, conflicts_with = "diff")]
    pub fix: bool,
    /// Print the fixes `--fix` would make as a unified diff and change nothing; exit 1 when
    /// there is at least one
    #[arg(long)]
    pub diff: bool,
    /// Skip named files that are not proposals (TOML without a [proposal] table) and exit 0
    /// when none is left, for pre-commit and other tools that pass every changed file
    #[arg(long)]
    pub skip_non_proposals: bool,
    /// Do not honour .gitignore and .ignore files
    #[arg(long)]
    pub no_ignore: bool,
    /// Path (and so format) to report for standard input
    #[arg(long, value_name = "PATH")]
    pub stdin_filename: Option<String>,
    /// Skip files larger than this many bytes
    #[arg(long, value_name = "BYTES", default_value_t = crate::check::DEFAULT_MAX_SIZE)]
    pub max_file_size: u64,
    #[command(flatten)]
    pub rule_args: RuleArgs,
    #[command(flatten)]
    pub config_args: ConfigArgs,
    /// Report only findings that are not in this baseline file
    #[arg(long, value_name = "FILE")]
    pub baseline: Option<PathBuf>,
    /// Write the current findings to this baseline file
    #[arg(long, value_name = "FILE")]
    pub write_baseline: Option<PathBuf>,
    /// With --baseline: remove entries that no longer match any finding
    #[arg(long, requires = "baseline")]
    pub prune_baseline: bool,
}

/// Configuration discovery and rule selection, shared by `check` and `config`.
#[derive(Debug, Clone, Args)]
pub struct ConfigArgs {
    /// Use this configuration file instead of the closest proplint.toml
    #[arg(long, value_name = "FILE", conflicts_with = "no_config")]
    pub config: Option<PathBuf>,
    /// Ignore proplint.toml files
    #[arg(long)]
    pub no_config: bool,
    /// Run only these rules: ids, prefixes, principles, enablers or names (replaces the file's `select`)
    #[arg(long, value_name = "RULES", value_delimiter = ',')]
    pub select: Option<Vec<String>>,
    /// Add these rules to the selection
    #[arg(long, value_name = "RULES", value_delimiter = ',')]
    pub extend_select: Vec<String>,
    /// Do not run these rules
    #[arg(long, value_name = "RULES", value_delimiter = ',')]
    pub ignore: Vec<String>,
}

#[derive(Debug, Args)]
pub struct ConfigCmdArgs {
    /// The proposal whose resolved configuration to show
    #[arg(value_name = "FILE")]
    pub file: PathBuf,
    #[command(flatten)]
    pub config_args: ConfigArgs,
    #[command(flatten)]
    pub rule_args: RuleArgs,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum RulesFormat {
    Table,
    Json,
    /// The Markdown of docs/rules.md
    Markdown,
    /// One Markdown table row per rule: the rule table in README.md
    Summary,
}

#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell to complete for
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum InitFormat {
    Markdown,
    Toml,
}

#[derive(Debug, Args)]
pub struct InitArgs {
    /// Markdown with TOML front matter, or a TOML form (default: from FILE's extension, else markdown)
    #[arg(long, value_enum)]
    pub format: Option<InitFormat>,
    /// The stage the proposal is for
    #[arg(long, default_value = "discovery", value_parser = clap::builder::PossibleValuesParser::new(crate::rules::STAGES))]
    pub stage: String,
    /// The nation the council is in
    #[arg(long, default_value = "england", value_parser = ["england", "wales", "scotland", "northern_ireland"])]
    pub nation: String,
    /// Replace FILE if it exists
    #[arg(long)]
    pub force: bool,
    /// Where to write the template (default: standard output)
    #[arg(value_name = "FILE")]
    pub file: Option<PathBuf>,
    #[command(flatten)]
    pub rule_args: RuleArgs,
}

#[derive(Debug, Args)]
pub struct ExplainArgs {
    /// A rule id (ETH-002) or name (dpia-not-evidenced)
    #[arg(value_name = "ID|NAME")]
    pub rule: String,
    #[command(flatten)]
    pub rule_args: RuleArgs,
}

#[derive(Debug, Args)]
pub struct RulesArgs {
    /// Only the rules of this principle (or `governance`, or an enabler)
    #[arg(long)]
    pub principle: Option<String>,
    #[arg(long, value_enum, default_value_t = RulesFormat::Table)]
    pub format: RulesFormat,
    #[command(flatten)]
    pub rule_args: RuleArgs,
}

#[derive(Debug, Args)]
pub struct TestRulesArgs {
    /// Fixture folders named by rule id, each with fail.* and pass.* files
    #[arg(long, value_name = "DIR", default_value = "fixtures/rules")]
    pub fixtures: PathBuf,
    /// Only rules whose id starts with this
    #[arg(long)]
    pub only: Option<String>,
    #[command(flatten)]
    pub rule_args: RuleArgs,
}

/// One `--format FORMAT[=FILE]` value. `file` is `None` for standard output (also `=-`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FormatSpec {
    pub format: OutputFormat,
    pub file: Option<PathBuf>,
}

fn parse_format_spec(value: &str) -> Result<FormatSpec, String> {
    let (name, file) = match value.split_once('=') {
        Some((n, "")) => return Err(format!("no file name after `{n}=`")),
        Some((n, "-")) => (n, None),
        Some((n, f)) => (n, Some(PathBuf::from(f))),
        None => (value, None),
    };
    let format = OutputFormat::from_str(name, true).map_err(|_| {
        let names: Vec<String> =
            OutputFormat::value_variants().iter().filter_map(|v| v.to_possible_value()).map(|v| v.get_name().to_string()).collect();
        format!("unknown format `{name}` (expected one of: {})", names.join(", "))
    })?;
    Ok(FormatSpec { format, file })
}

impl CheckArgs {
    /// The formats to write and where: checked here so that a bad combination fails before
    /// any work is done. Without `--format`, human output goes to standard output.
    pub fn outputs(&self) -> Result<Vec<FormatSpec>, String> {
        let mut specs = self.formats.clone();
        if specs.is_empty() {
            specs.push(FormatSpec { format: OutputFormat::Human, file: None });
        }
        if let Some(out) = &self.output {
            if specs.len() > 1 || specs[0].file.is_some() {
                return Err("--output takes a single --format without =FILE; use --format FORMAT=FILE for several".into());
            }
            specs[0].file = Some(out.clone());
        }
        if specs.iter().filter(|s| s.file.is_none()).count() > 1 {
            return Err("at most one --format can go to standard output; give the others a file with FORMAT=FILE".into());
        }
        for (i, s) in specs.iter().enumerate() {
            if let Some(f) = &s.file {
                if specs[..i].iter().any(|o| o.file.as_ref() == Some(f)) {
                    return Err(format!("two formats would write to {}", f.display()));
                }
            }
        }
        Ok(specs)
    }
}
