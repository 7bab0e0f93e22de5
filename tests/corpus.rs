//! The real corpus (`../shared/corpus`, proposals written by other people): linted in one
//! process, the run must end with 0 or 1 (never 2 or a signal), report every proposal file
//! as checked or deliberately skipped, and give only valid spans. Ignored by default
//! (`.ci/run` runs it); skipped with a message when the corpus is absent.

mod common;
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::Path;
use std::time::Instant;

/// Files a walk should lint: Markdown or TOML, not hidden, not under `.github/`, and not a
/// repository meta file at the top of the walked folder (see README "proplint check").
fn expected_proposals(root: &Path) -> Vec<String> {
    fn visit(dir: &Path, root: &Path, out: &mut Vec<String>) {
        for entry in std::fs::read_dir(dir).unwrap().filter_map(Result::ok) {
            let path = entry.path();
            let name = entry.file_name().to_string_lossy().into_owned();
            let Ok(kind) = entry.file_type() else { continue };
            if name.starts_with('.') || kind.is_symlink() {
                continue;
            }
            if kind.is_dir() {
                visit(&path, root, out);
                continue;
            }
            let lower = name.to_ascii_lowercase();
            if !(lower.ends_with(".md") || lower.ends_with(".markdown")) {
                continue;
            }
            let rel = path.strip_prefix(root).unwrap();
            let stem = lower.rsplit_once('.').map_or(lower.as_str(), |(s, _)| s);
            let meta = ["readme", "changelog", "contributing", "code_of_conduct", "license", "licence", "security"];
            if rel.components().count() == 1 && meta.contains(&stem) {
                continue;
            }
            out.push(rel.to_string_lossy().into_owned());
        }
    }
    let mut out = Vec::new();
    visit(root, root, &mut out);
    out.sort();
    out
}

#[test]
#[ignore = "needs ../shared/corpus; run by .ci/run"]
fn the_real_corpus() {
    let corpus = common::root().join("../shared/corpus");
    if !corpus.is_dir() {
        eprintln!("skipped: no corpus at ../shared/corpus");
        return;
    }
    let bytes: u64 = walk_bytes(&corpus);
    let started = Instant::now();
    let out = common::proplint().args(["check", "--format", "json", "--no-ignore"]).arg(&corpus).output().expect("runs");
    let took = started.elapsed();
    let code = out.status.code().unwrap_or_else(|| panic!("killed by a signal: {:?}", out.status));
    assert!(code == 0 || code == 1, "exit {code}: {}", String::from_utf8_lossy(&out.stderr));
    let doc: Value = serde_json::from_slice(&out.stdout).expect("JSON");

    let prefix = format!("{}/", proplint::walk::display_path(&corpus));
    let mut reported: BTreeMap<String, &str> = BTreeMap::new();
    for f in doc["files"].as_array().unwrap() {
        let path = f["path"].as_str().unwrap();
        let status = f["status"].as_str().unwrap();
        assert!(status == "checked" || status == "skipped", "{path} has status {status}");
        reported.insert(path.strip_prefix(&prefix).unwrap_or(path).to_string(), status);
    }
    let expected = expected_proposals(&corpus);
    let missing: Vec<&String> = expected.iter().filter(|p| !reported.contains_key(*p)).collect();
    assert!(missing.is_empty(), "not reported: {missing:?}");

    let mut texts: BTreeMap<String, Vec<u8>> = BTreeMap::new();
    let mut per_rule: BTreeMap<String, usize> = BTreeMap::new();
    for d in doc["diagnostics"].as_array().unwrap() {
        *per_rule.entry(d["rule"].as_str().unwrap().to_string()).or_default() += 1;
        let path = d["path"].as_str().unwrap();
        let text = texts.entry(path.to_string()).or_insert_with(|| std::fs::read(common::root().join(path)).unwrap());
        let spans = std::iter::once(&d["span"]).chain(d["labels"].as_array().unwrap().iter().map(|l| &l["span"]));
        for s in spans {
            let (start, end) = (s["start"].as_u64().unwrap() as usize, s["end"].as_u64().unwrap() as usize);
            assert!(start <= end && end <= text.len(), "{path}: span {start}..{end} outside {} bytes", text.len());
            let str_text = std::str::from_utf8(text).unwrap();
            assert!(str_text.is_char_boundary(start) && str_text.is_char_boundary(end), "{path}: span {start}..{end} splits a character");
            assert!(s["line"].as_u64().unwrap() >= 1 && s["column"].as_u64().unwrap() >= 1, "{path}: {s}");
        }
    }
    let skipped = reported.values().filter(|s| **s == "skipped").count();
    eprintln!(
        "corpus: {} files reported ({} skipped) of {} expected, {bytes} bytes on disk, {} findings in {took:.1?}",
        reported.len(),
        skipped,
        expected.len(),
        doc["diagnostics"].as_array().unwrap().len()
    );
    eprintln!("findings per rule: {per_rule:?}");
}

fn walk_bytes(dir: &Path) -> u64 {
    std::fs::read_dir(dir)
        .unwrap()
        .filter_map(Result::ok)
        .map(|e| match e.file_type() {
            Ok(t) if t.is_dir() => walk_bytes(&e.path()),
            Ok(t) if t.is_file() => e.metadata().map_or(0, |m| m.len()),
            _ => 0,
        })
        .sum()
}
