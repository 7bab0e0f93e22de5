//! Discovery: which files are proposals. Honours ignore files and skips hidden files,
//! repository meta files at the top of a walked folder, and anything under `.github/`.

use crate::model::Format;
use ignore::WalkBuilder;
use std::path::{Component, Path, PathBuf};

/// A file to lint. `explicit` when named on the command line rather than found by walking.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Input {
    pub display: String,
    pub path: PathBuf,
    pub format: Format,
    pub explicit: bool,
    pub stdin: bool,
}

const META_FILES: &[&str] = &[
    "readme",
    "changelog",
    "contributing",
    "code_of_conduct",
    "code-of-conduct",
    "license",
    "licence",
    "security",
    "history",
    "authors",
    "notice",
];

/// The format a file name implies, if it is one proplint reads.
pub fn format_of(path: &Path) -> Option<Format> {
    let ext = path.extension()?.to_str()?.to_ascii_lowercase();
    match ext.as_str() {
        "md" | "markdown" => Some(Format::Markdown),
        "toml" => Some(Format::Toml),
        _ => None,
    }
}

/// A path as users see it: relative to the current directory where possible, `/`-separated.
pub fn display_path(path: &Path) -> String {
    let cwd = std::env::current_dir().ok();
    let rel = match (&cwd, path.is_absolute()) {
        (Some(cwd), true) => path.strip_prefix(cwd).unwrap_or(path),
        _ => path,
    };
    let mut parts = Vec::new();
    for c in rel.components() {
        match c {
            Component::CurDir => {}
            Component::Normal(s) => parts.push(escape_name(s)),
            Component::ParentDir => parts.push("..".into()),
            Component::RootDir => parts.insert(0, String::new()),
            Component::Prefix(p) => parts.push(escape_name(p.as_os_str())),
        }
    }
    let joined = parts.join("/");
    if joined.is_empty() {
        ".".into()
    } else {
        joined
    }
}

/// A file name as text: bytes that are not UTF-8 become `\xNN` and control characters
/// `\u{NN}`, so that two names never print alike and no name can drive a terminal or
/// inject a line into a CI log.
fn escape_name(name: &std::ffi::OsStr) -> String {
    let mut out = String::new();
    for chunk in name.as_encoded_bytes().utf8_chunks() {
        for c in chunk.valid().chars() {
            if c.is_control() {
                out.push_str(&format!("\\u{{{:X}}}", u32::from(c)));
            } else {
                out.push(c);
            }
        }
        for b in chunk.invalid() {
            out.push_str(&format!("\\x{b:02X}"));
        }
    }
    out
}

pub struct Discovery {
    pub inputs: Vec<Input>,
    /// Paths that could not be used, with the reason.
    pub problems: Vec<(String, String)>,
}

/// Finds the proposals under `paths`. `stdin_name` names the `-` input.
pub fn discover(paths: &[PathBuf], no_ignore: bool, stdin_name: Option<&str>) -> Discovery {
    let mut inputs = Vec::new();
    let mut problems = Vec::new();
    for root in paths {
        if root.as_os_str() == "-" {
            let display = stdin_name.unwrap_or("-").to_string();
            let format = format_of(Path::new(&display)).unwrap_or(Format::Markdown);
            inputs.push(Input { display, path: root.clone(), format, explicit: true, stdin: true });
            continue;
        }
        let meta = match std::fs::metadata(root) {
            Ok(m) => m,
            Err(e) => {
                problems.push((display_path(root), format!("cannot read: {e}")));
                continue;
            }
        };
        // Anything named that is not a folder is read as it is: a pipe from process
        // substitution (`<(git show main:proposal.md)`) or a device, as well as a file.
        if !meta.is_dir() {
            let format = format_of(root).unwrap_or(Format::Markdown);
            inputs.push(Input { display: display_path(root), path: root.clone(), format, explicit: true, stdin: false });
            continue;
        }
        let walker = WalkBuilder::new(root)
            .hidden(true)
            .git_ignore(!no_ignore)
            .git_global(!no_ignore)
            .git_exclude(!no_ignore)
            .ignore(!no_ignore)
            .parents(!no_ignore)
            .require_git(false)
            .follow_links(false)
            .build();
        for entry in walker {
            let entry = match entry {
                Ok(e) => e,
                Err(e) => {
                    problems.push((display_path(root), format!("while walking: {e}")));
                    continue;
                }
            };
            if !entry.file_type().is_some_and(|t| t.is_file()) {
                continue;
            }
            let path = entry.path();
            let Some(format) = format_of(path) else { continue };
            if is_skipped(root, path, entry.depth()) {
                continue;
            }
            inputs.push(Input { display: display_path(path), path: path.to_path_buf(), format, explicit: false, stdin: false });
        }
    }
    inputs.sort();
    inputs.dedup_by(|a, b| a.display == b.display);
    Discovery { inputs, problems }
}

fn is_skipped(root: &Path, path: &Path, depth: usize) -> bool {
    let rel = path.strip_prefix(root).unwrap_or(path);
    if rel.components().any(|c| c.as_os_str() == ".github") {
        return true;
    }
    if depth == 1 {
        let stem = path.file_stem().and_then(|s| s.to_str()).unwrap_or("").to_ascii_lowercase();
        if META_FILES.contains(&stem.as_str()) {
            return true;
        }
    }
    false
}
