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
    /// List the rules
    Rules(RulesArgs),
    /// Run every rule's examples and fixtures (for pack authors)
    TestRules(TestRulesArgs),
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

#[derive(Debug, Args)]
pub struct CheckArgs {
    /// Files or directories to lint; `-` reads standard input
    #[arg(value_name = "PATH", default_value = ".")]
    pub paths: Vec<PathBuf>,
    /// Output format
    #[arg(long, value_enum, default_value_t = OutputFormat::Human)]
    pub format: OutputFormat,
    /// When to use colour in human output (NO_COLOR is honoured)
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,
    /// Lowest severity that makes the run fail with exit code 1
    #[arg(long, value_enum, default_value_t = FailOn::Error)]
    pub fail_on: FailOn,
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
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum RulesFormat {
    Table,
    Json,
}

#[derive(Debug, Args)]
pub struct RulesArgs {
    /// Only the rules of this principle (or `governance`)
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
