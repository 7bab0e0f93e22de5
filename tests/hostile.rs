//! Hostile and broken input: each case gets its exact diagnostic (rule id and span), the run
//! goes on with the other files, and nothing panics or hangs. Inputs are made in temporary
//! folders at test time. Findings come from the small span pack (TST-001 flags "TBC") run
//! alone, so they do not depend on the built-in rules.

mod common;
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// A rules folder with the built-in vocabulary and the span pack only.
fn span_rules(dir: &Path) -> PathBuf {
    let rules = dir.join("rules");
    std::fs::create_dir_all(&rules).unwrap();
    for (from, name) in [
        ("rules/language.toml", "language.toml"),
        ("rules/sections.toml", "sections.toml"),
        ("tests/data/span-pack/spans.toml", "spans.toml"),
    ] {
        std::fs::copy(common::root().join(from), rules.join(name)).unwrap();
    }
    rules
}

/// Runs `proplint check --format json` on the span pack alone, in `dir`.
fn check_in(dir: &Path, args: &[&str]) -> (i32, Value) {
    let rules = span_rules(dir);
    let out = common::proplint()
        .current_dir(dir)
        .args(["check", "--format", "json", "--fail-on", "warning", "--no-builtin-rules", "--rules"])
        .arg(&rules)
        .args(args)
        .timeout(Duration::from_secs(300))
        .output()
        .expect("runs");
    let code = out.status.code().unwrap_or_else(|| panic!("killed by a signal: {:?}", out.status));
    let doc =
        serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("stdout is JSON ({e}): {}", String::from_utf8_lossy(&out.stderr)));
    (code, doc)
}

fn status<'a>(doc: &'a Value, path: &str) -> Option<&'a str> {
    doc["files"].as_array().unwrap().iter().find(|f| f["path"] == path).and_then(|f| f["status"].as_str())
}

/// (rule, start, end, line, column) of every diagnostic for `path`.
fn spans(doc: &Value, path: &str) -> Vec<(String, u64, u64, u64, u64)> {
    doc["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["path"] == path)
        .map(|d| {
            let s = &d["span"];
            let n = |k: &str| s[k].as_u64().unwrap();
            (d["rule"].as_str().unwrap().to_string(), n("start"), n("end"), n("line"), n("column"))
        })
        .collect()
}

fn one(rule: &str, start: u64, end: u64, line: u64, column: u64) -> Vec<(String, u64, u64, u64, u64)> {
    vec![(rule.to_string(), start, end, line, column)]
}

fn write(dir: &Path, name: &str, bytes: &[u8]) {
    std::fs::write(dir.join(name), bytes).unwrap();
}

/// Every broken file in one folder, in one run: each gets its own diagnostic and the run
/// reports every other file.
#[test]
fn broken_files_each_get_their_diagnostic_and_the_run_goes_on() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("h");
    std::fs::create_dir(&dir).unwrap();
    write(&dir, "invalid-start.md", b"\xff# T\n");
    write(&dir, "invalid-middle.md", b"# T\n\nab\xc3(cd\n");
    write(&dir, "invalid-end.md", b"# T\n\nTBC\xe2\x82");
    // A NUL makes a file binary (or UTF-16 without a BOM): reported as PL008, not linted.
    write(&dir, "nul.md", b"# T\n\nThe\x00 budget TBC\n");
    let utf16: Vec<u8> = "\u{feff}# T\n\nTBC\n".encode_utf16().flat_map(u16::to_le_bytes).collect();
    write(&dir, "utf16.md", &utf16);
    let utf16_no_bom: Vec<u8> = "# T\n\nTBC\n".encode_utf16().flat_map(u16::to_le_bytes).collect();
    write(&dir, "utf16-no-bom.md", &utf16_no_bom);
    write(&dir, "empty.md", b"");
    write(&dir, "empty.toml", b"");
    write(&dir, "big.md", &[b'x'; 1_000_001]);
    write(&dir, "twice.toml", b"[proposal]\ntitle = \"x\"\n\n[proposal]\nstage = \"alpha\"\n");
    write(&dir, "unclosed.md", b"+++\ntitle = \"x\"\n\n# T\n\nTBC\n");
    write(&dir, "crlf.md", b"# T\r\n\r\nBudget TBC\r\n");
    write(&dir, "cr.md", b"# T\r\rBudget TBC\r");
    let (code, doc) = check_in(tmp.path(), &["--max-file-size", "1000000", "h"]);
    assert_eq!(code, 1);

    assert_eq!(spans(&doc, "h/invalid-start.md"), one("PL002", 0, 0, 1, 1));
    assert_eq!(spans(&doc, "h/invalid-middle.md"), one("PL002", 7, 7, 3, 3));
    assert_eq!(spans(&doc, "h/invalid-end.md"), one("PL002", 8, 8, 3, 4));
    assert_eq!(spans(&doc, "h/nul.md"), one("PL008", 8, 8, 3, 4));
    assert_eq!(spans(&doc, "h/utf16.md"), one("PL008", 0, 0, 1, 1));
    assert_eq!(spans(&doc, "h/utf16-no-bom.md"), one("PL008", 1, 1, 1, 2));
    for path in ["h/invalid-start.md", "h/invalid-middle.md", "h/invalid-end.md", "h/nul.md", "h/utf16.md", "h/utf16-no-bom.md"] {
        assert_eq!(status(&doc, path), Some("error"), "{path}");
    }
    // An empty Markdown file is a (poor) proposal; a walked empty TOML file is not a form.
    assert_eq!(status(&doc, "h/empty.md"), Some("checked"));
    assert_eq!(spans(&doc, "h/empty.md"), vec![]);
    assert_eq!(status(&doc, "h/empty.toml"), None);
    assert_eq!(spans(&doc, "h/big.md"), one("PL003", 0, 0, 1, 1));
    assert_eq!(status(&doc, "h/big.md"), Some("skipped"));
    // The second [proposal] header is the error, pointing at its name.
    assert_eq!(spans(&doc, "h/twice.toml"), one("PL004", 25, 33, 4, 2));
    // Unclosed front matter: reported at the fence, and the body is still linted.
    assert_eq!(spans(&doc, "h/unclosed.md"), vec![("PL007".into(), 0, 3, 1, 1), ("TST-001".into(), 22, 25, 6, 1)]);
    assert_eq!(spans(&doc, "h/crlf.md"), one("TST-001", 14, 17, 3, 8));
    // A lone CR ends a line, as in CommonMark and editors.
    assert_eq!(spans(&doc, "h/cr.md"), one("TST-001", 12, 15, 3, 8));
    assert_eq!(doc["files"].as_array().unwrap().len(), 12, "every file but the walked empty TOML is reported");
}

#[test]
fn an_empty_toml_named_on_the_command_line_is_not_a_proposal() {
    let tmp = tempfile::tempdir().unwrap();
    write(tmp.path(), "empty.toml", b"");
    let (code, doc) = check_in(tmp.path(), &["empty.toml"]);
    assert_eq!(code, 1);
    assert_eq!(spans(&doc, "empty.toml"), one("PL006", 0, 0, 1, 1));
}

/// Deep nesting and many or huge headings: parsed without a stack overflow, in bounded time,
/// with findings at their exact places.
#[test]
fn deep_nesting_and_huge_headings() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let mut quotes = ">".repeat(10_000).into_bytes();
    quotes.extend_from_slice(b" deep\n\nTBC\n");
    write(dir, "quotes.md", &quotes);
    let mut mixed = "> - ".repeat(5_000).into_bytes();
    mixed.extend_from_slice(b"deep\n\nTBC\n");
    write(dir, "mixed.md", &mixed);
    let mut lists = "- ".repeat(10_000).into_bytes();
    lists.extend_from_slice(b"TBC\n");
    write(dir, "lists.md", &lists);
    let mut indented = String::new();
    for i in 0..10_000 {
        indented.push_str(&" ".repeat(2 * (i % 100)));
        indented.push_str("- item\n");
    }
    indented.push_str("\nTBC\n");
    write(dir, "indented.md", indented.as_bytes());
    let headings: String = (0..10_000).map(|i| format!("## Heading {i}\n\nTBC\n\n")).collect();
    write(dir, "headings.md", headings.as_bytes());
    let long = format!("## {}\n\nTBC\n", "word ".repeat(20_000));
    write(dir, "long-heading.md", long.as_bytes());
    let mut deep = b"[proposal]\ntitle = \"x\"\nx = ".to_vec();
    deep.extend_from_slice(&[b'['; 1000]);
    deep.extend_from_slice(&[b']'; 1000]);
    deep.push(b'\n');
    write(dir, "deep.toml", &deep);
    let dotted: Vec<String> = (0..1000).map(|i| format!("a{i}")).collect();
    write(dir, "deep-tables.toml", format!("[proposal]\ntitle = \"x\"\n[{}]\nbody = \"TBC\"\n", dotted.join(".")).as_bytes());
    let started = Instant::now();
    let (code, doc) = check_in(dir, &["."]);
    let took = started.elapsed();
    assert_eq!(code, 1);
    // Quoted text is never the author's evidence; the paragraph after the quotes is.
    let after = |text: &[u8]| text.len() as u64 - 4;
    assert_eq!(spans(&doc, "quotes.md"), one("TST-001", after(&quotes), after(&quotes) + 3, 3, 1));
    assert_eq!(spans(&doc, "mixed.md"), one("TST-001", after(&mixed), after(&mixed) + 3, 3, 1));
    assert_eq!(spans(&doc, "lists.md"), one("TST-001", 20_000, 20_003, 1, 20_001));
    assert_eq!(spans(&doc, "indented.md"), one("TST-001", after(indented.as_bytes()), after(indented.as_bytes()) + 3, 10_002, 1));
    let found = spans(&doc, "headings.md");
    assert_eq!(found.len(), 10_000);
    assert_eq!(found[0], ("TST-001".into(), 14, 17, 3, 1));
    let last = headings.len() as u64 - 5;
    assert_eq!(found[9_999], ("TST-001".into(), last, last + 3, 39_999, 1));
    assert_eq!(spans(&doc, "long-heading.md"), one("TST-001", 100_005, 100_008, 3, 1));
    // TOML nested past the parser's limit is a syntax error where the nesting goes too deep.
    assert_eq!(spans(&doc, "deep.toml"), one("PL004", 107, 108, 3, 85));
    let deep_tables = spans(&doc, "deep-tables.toml");
    assert_eq!(deep_tables.len(), 1);
    assert_eq!(deep_tables[0].0, "PL004");
    assert!(took < Duration::from_secs(120), "took {took:?}");
}

/// Every TOML escape form in a basic multi-line string, with a line-ending backslash: the
/// finding after them maps back to the exact bytes.
#[test]
fn toml_strings_with_every_escape_map_back_exactly() {
    let tmp = tempfile::tempdir().unwrap();
    let text = "[proposal]\ntitle = \"x\"\n\n[sections.summary]\nbody = \"\"\"\\b\\t\\n\\f\\r\\\"\\\\\\u00e9\\U0001F600\\e\\x41 é TBC \\\n   end TBC\"\"\"\n";
    write(tmp.path(), "escapes.toml", text.as_bytes());
    let (code, doc) = check_in(tmp.path(), &["escapes.toml"]);
    assert_eq!(code, 1);
    let found = spans(&doc, "escapes.toml");
    assert_eq!(found.len(), 2, "{found:?}");
    for (rule, start, end, ..) in &found {
        assert_eq!(rule, "TST-001");
        assert_eq!(&text.as_bytes()[*start as usize..*end as usize], b"TBC");
    }
    assert_eq!((found[0].3, found[0].4), (5, 50));
    assert_eq!((found[1].3, found[1].4), (6, 8));
}

/// A 50 MB proposal of one line: linted in linear time, columns exact at the far end.
/// (With the default limit it is skipped, without being read.)
#[test]
fn a_fifty_megabyte_line() {
    let tmp = tempfile::tempdir().unwrap();
    let unit = "The council will review the service and report back. ";
    let n = 50 * 1024 * 1024 / unit.len();
    let mut text = String::with_capacity(n * unit.len() + 12);
    text.push_str("TBC ");
    text.push_str(&unit.repeat(n / 2));
    let middle = text.len() as u64;
    text.push_str("TBC ");
    text.push_str(&unit.repeat(n - n / 2));
    let end = text.len() as u64;
    text.push_str("TBC");
    write(tmp.path(), "line.md", text.as_bytes());
    let (code, doc) = check_in(tmp.path(), &["line.md"]);
    assert_eq!(code, 1);
    assert_eq!(spans(&doc, "line.md"), one("PL003", 0, 0, 1, 1));
    assert_eq!(status(&doc, "line.md"), Some("skipped"));
    let started = Instant::now();
    let (code, doc) = check_in(tmp.path(), &["--max-file-size", "60000000", "line.md"]);
    let took = started.elapsed();
    assert_eq!(code, 1);
    let expected = vec![
        ("TST-001".to_string(), 0, 3, 1, 1),
        ("TST-001".to_string(), middle, middle + 3, 1, middle + 1),
        ("TST-001".to_string(), end, end + 3, 1, end + 1),
    ];
    assert_eq!(spans(&doc, "line.md"), expected);
    assert!(took < Duration::from_secs(240), "took {took:?}");
}

/// Many findings on one long line: terminal output shows each a window of the line, so it
/// grows with the findings, not with the findings times the line (it was 2,000 times this
/// 100 KB line, 200 MB).
#[test]
fn many_findings_on_one_long_line_in_terminal_output() {
    let tmp = tempfile::tempdir().unwrap();
    let text = "TBC, and then some more words of the line. ".repeat(2_000);
    write(tmp.path(), "line.md", text.as_bytes());
    let rules = span_rules(tmp.path());
    let out = common::proplint()
        .current_dir(tmp.path())
        .args(["check", "--format", "human", "--color", "never", "--no-builtin-rules", "--rules"])
        .arg(&rules)
        .arg("line.md")
        .timeout(Duration::from_secs(300))
        .output()
        .expect("runs");
    let shown = String::from_utf8_lossy(&out.stdout);
    assert_eq!(shown.matches("[TST-001]").count(), 2_000, "{}", String::from_utf8_lossy(&out.stderr));
    assert!(shown.contains("line.md:1:85958"), "the last finding keeps its column");
    assert!(out.stdout.len() < 4_000_000, "{} bytes", out.stdout.len());
}

/// Columns on a long line of multi-byte characters count characters, far from the start.
#[test]
fn columns_on_a_long_non_ascii_line() {
    let tmp = tempfile::tempdir().unwrap();
    let unit = "Cyngor Môn — “gwasanaeth” ŵ ŷ. ";
    let text = format!("{}TBC {}TBC", unit.repeat(3000), unit.repeat(3000));
    write(tmp.path(), "welsh.md", text.as_bytes());
    let (_, doc) = check_in(tmp.path(), &["welsh.md"]);
    let found = spans(&doc, "welsh.md");
    let chars = unit.chars().count() as u64;
    let first = unit.len() as u64 * 3000;
    let second = text.len() as u64 - 3;
    assert_eq!(
        found,
        vec![
            ("TST-001".to_string(), first, first + 3, 1, chars * 3000 + 1),
            ("TST-001".to_string(), second, second + 3, 1, chars * 6000 + 5),
        ]
    );
}

/// Symlinks are not followed when walking: a loop does not hang, and a link out of the tree
/// is not read. A link named on the command line is read, like any named file.
#[cfg(unix)]
#[test]
fn symlinks_are_not_followed_when_walking() {
    let tmp = tempfile::tempdir().unwrap();
    let tree = tmp.path().join("tree");
    let outside = tmp.path().join("outside");
    std::fs::create_dir_all(tree.join("sub")).unwrap();
    std::fs::create_dir_all(&outside).unwrap();
    write(&outside, "secret.md", b"# Secret\n\nTBC\n");
    write(&tree, "real.md", b"# Real\n\nTBC\n");
    std::os::unix::fs::symlink(&tree, tree.join("sub/loop")).unwrap();
    std::os::unix::fs::symlink(outside.join("secret.md"), tree.join("link.md")).unwrap();
    std::os::unix::fs::symlink(&outside, tree.join("out")).unwrap();
    std::os::unix::fs::symlink(tree.join("missing.md"), tree.join("dangling.md")).unwrap();
    let (code, doc) = check_in(tmp.path(), &["tree"]);
    assert_eq!(code, 1);
    let paths: Vec<&str> = doc["files"].as_array().unwrap().iter().map(|f| f["path"].as_str().unwrap()).collect();
    assert_eq!(paths, vec!["tree/real.md"]);
    let (_, doc) = check_in(tmp.path(), &["tree/link.md"]);
    assert_eq!(spans(&doc, "tree/link.md"), one("TST-001", 10, 13, 3, 1));
}

/// An unreadable file is PL001 and the run goes on. Root reads anything, so when the tests
/// run as root the same path is taken by a file that vanishes between walk and read.
#[test]
fn an_unreadable_file_is_reported_and_the_run_goes_on() {
    let tmp = tempfile::tempdir().unwrap();
    write(tmp.path(), "ok.md", b"# T\n\nTBC\n");
    write(tmp.path(), "locked.md", b"# T\n");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let locked = tmp.path().join("locked.md");
        std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o000)).unwrap();
        if std::fs::File::open(&locked).is_err() {
            let (code, doc) = check_in(tmp.path(), &["."]);
            assert_eq!(code, 1);
            assert_eq!(spans(&doc, "locked.md"), one("PL001", 0, 0, 1, 1));
            assert_eq!(status(&doc, "locked.md"), Some("error"));
            assert_eq!(spans(&doc, "ok.md"), one("TST-001", 5, 8, 3, 1));
            return;
        }
    }
    let mut db = proplint::source::SourceDb::default();
    let rules_dir = span_rules(tmp.path());
    let set = proplint::rules::load(&proplint::rules::RuleSources { no_builtin: true, dirs: std::slice::from_ref(&rules_dir) }, &mut db)
        .expect("span pack loads");
    let input = |name: &str| proplint::walk::Input {
        display: name.into(),
        path: tmp.path().join(name),
        format: proplint::model::Format::Markdown,
        explicit: false,
        stdin: false,
    };
    let inputs = vec![input("gone.md"), input("ok.md")];
    let selected: Vec<usize> = (0..set.rules.len()).collect();
    let settings = |_: &proplint::walk::Input| proplint::check::FileSettings::only(selected.clone());
    let options = proplint::check::Options { max_size: 1 << 20, settings: &settings, stdin: None, progress: false };
    let outcome = proplint::check::run(&inputs, &set, &options, &mut db);
    let statuses: Vec<_> = outcome.files.iter().map(|f| (f.path.as_str(), f.status.as_str())).collect();
    assert_eq!(statuses, vec![("gone.md", "error"), ("ok.md", "checked")]);
    let rules: Vec<(&str, &str)> = outcome.diagnostics.iter().map(|d| (db.get(d.primary.file).path.as_str(), d.rule.as_str())).collect();
    assert_eq!(rules, vec![("gone.md", "PL001"), ("ok.md", "TST-001")]);
}

/// File names that are not UTF-8, or hold control characters, are shown escaped: two
/// different names never print alike, and no name reaches a terminal or CI log raw.
#[cfg(target_os = "linux")]
#[test]
fn file_names_that_are_not_utf8_or_hold_controls_are_escaped() {
    use std::ffi::OsStr;
    use std::os::unix::ffi::OsStrExt;
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("n");
    std::fs::create_dir(&dir).unwrap();
    for name in [&b"caf\xe9.md"[..], b"caf\xe8.md", b"a\x1b[31mred.md", b"line\nbreak.md"] {
        std::fs::write(dir.join(OsStr::from_bytes(name)), b"# T\n\nTBC\n").unwrap();
    }
    let (code, doc) = check_in(tmp.path(), &["n"]);
    assert_eq!(code, 1);
    let mut paths: Vec<&str> = doc["files"].as_array().unwrap().iter().map(|f| f["path"].as_str().unwrap()).collect();
    paths.sort();
    assert_eq!(paths, vec!["n/a\\u{1B}[31mred.md", "n/caf\\xE8.md", "n/caf\\xE9.md", "n/line\\u{A}break.md"]);
    assert_eq!(doc["diagnostics"].as_array().unwrap().len(), 4);
}

/// 100,000 empty proposals in one folder: all walked and reported, in bounded time.
#[test]
fn a_folder_of_a_hundred_thousand_empty_files() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("many");
    std::fs::create_dir(&dir).unwrap();
    for i in 0..100_000 {
        std::fs::File::create(dir.join(format!("p{i:06}.md"))).unwrap();
    }
    let started = Instant::now();
    let (code, doc) = check_in(tmp.path(), &["many"]);
    let took = started.elapsed();
    assert_eq!(code, 0);
    let files = doc["files"].as_array().unwrap();
    assert_eq!(files.len(), 100_000);
    assert!(files.iter().all(|f| f["status"] == "checked"));
    assert_eq!(files[99_999]["path"], "many/p099999.md");
    assert!(took < Duration::from_secs(240), "took {took:?}");
}

/// A user pattern that backtracking engines take exponential time on, `(a+)+$`, runs in
/// linear time: Rust's engine never backtracks, and packs are size-limited.
#[test]
fn a_catastrophic_pattern_runs_in_linear_time() {
    let tmp = tempfile::tempdir().unwrap();
    let rules = span_rules(tmp.path());
    std::fs::write(
        rules.join("redos.toml"),
        "[pack]\nprinciple = \"ethical\"\nprefix = \"RED\"\ntitle = \"ReDoS\"\n\n[[rule]]\nid = \"RED-001\"\nname = \"redos\"\nseverity = \"warning\"\ncheck = \"forbid\"\nmessage = \"m\"\nwhy = \"w\"\nhelp = \"h\"\npatterns = ['(a+)+$']\n\n[[rule.example]]\nexpect = \"fail\"\ntext = \"# T\\n\\naaaa\\n\"\n\n[[rule.example]]\nexpect = \"pass\"\ntext = \"# T\\n\\naaaa!\\n\"\n",
    )
    .unwrap();
    let mut db = proplint::source::SourceDb::default();
    let set = proplint::rules::load(&proplint::rules::RuleSources { no_builtin: true, dirs: std::slice::from_ref(&rules) }, &mut db)
        .expect("pack loads");
    let options = proplint::engine::Options::only((0..set.rules.len()).collect());
    let time = |n: usize| {
        let text = format!("# T\n\n{}!\n", "a".repeat(n));
        let source = proplint::source::SourceFile::new("a.md", text);
        let started = Instant::now();
        let linted = proplint::check::lint_source(&source, proplint::model::Format::Markdown, &set, &options);
        assert!(linted.diagnostics.iter().all(|d| d.rule != "RED-001"), "no match: the text ends in '!'");
        started.elapsed()
    };
    time(1_000);
    let small = time(250_000);
    let large = time(1_000_000);
    // Backtracking would need about 2^n steps; quadratic would make `large` 16 times `small`.
    assert!(large < Duration::from_secs(30), "1 MB took {large:?}");
    assert!(large < small * 10 + Duration::from_millis(500), "250 kB took {small:?}, 1 MB took {large:?}");
}

/// Rule packs are bounded: a pattern whose compiled size passes the limit is refused with
/// a diagnostic, not compiled until memory runs out.
#[test]
fn an_oversized_pattern_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let rules = span_rules(tmp.path());
    std::fs::write(
        rules.join("huge.toml"),
        "[pack]\nprinciple = \"ethical\"\nprefix = \"HUG\"\ntitle = \"Huge\"\n\n[[rule]]\nid = \"HUG-001\"\nname = \"huge\"\nseverity = \"warning\"\ncheck = \"forbid\"\nmessage = \"m\"\nwhy = \"w\"\nhelp = \"h\"\npatterns = ['\\pL{1000}\\pL{1000}\\pL{1000}']\n\n[[rule.example]]\nexpect = \"fail\"\ntext = \"# T\\n\\naaaa\\n\"\n\n[[rule.example]]\nexpect = \"pass\"\ntext = \"# T\\n\\nb\\n\"\n",
    )
    .unwrap();
    let out =
        common::proplint().args(["check", "--no-builtin-rules", "--rules"]).arg(&rules).arg("fixtures/edge/crlf.md").output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("huge.toml") && err.contains("size limit"), "{err}");
}

const FORMATS: &[&str] = &["human", "concise", "json", "json-lines", "sarif", "github", "gitlab", "junit", "markdown"];

/// Proposal text and file names full of terminal escapes, workflow commands and markup
/// stay in their place in every output format.
#[test]
fn proposal_text_cannot_break_out_of_any_output() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("p");
    std::fs::create_dir(&dir).unwrap();
    let evil = "# T \u{1b}]0;owned\u{7}\n\n## Summary \u{1b}[2J\n\nBudget \u{1b}[31m TBC \u{1b}[0m \u{9b}31m red \u{8}\u{8}x \u{7} ]]></failure><x a=\"1\"> <script>alert(1)</script> &amp; %0A::set-output name=x::y TBC\r::error file=x::injected TBC\n";
    write(&dir, "evil.md", evil.as_bytes());
    #[cfg(target_os = "linux")]
    {
        use std::os::unix::ffi::OsStrExt;
        std::fs::write(dir.join(std::ffi::OsStr::from_bytes(b"x\n::error::name\x1b[1m.md")), b"# T\n\nTBC\n").unwrap();
    }
    let rules = span_rules(tmp.path());
    let before = listing(tmp.path());
    for format in FORMATS {
        for color in ["never", "always"] {
            let out = common::proplint()
                .current_dir(tmp.path())
                .args(["check", "--no-builtin-rules", "--rules"])
                .arg(&rules)
                .args(["--format", format, "--color", color, "--fail-on", "warning", "p"])
                .output()
                .unwrap();
            assert_eq!(out.status.code(), Some(1), "{format}: {}", String::from_utf8_lossy(&out.stderr));
            let text = String::from_utf8(out.stdout).expect("output is UTF-8");
            for (i, c) in text.char_indices() {
                if c == '\u{1b}' && color == "always" && *format == "human" {
                    let sgr = text[i + 1..].strip_prefix('[').and_then(|r| r.find('m').map(|m| &r[..m]));
                    assert!(sgr.is_some_and(|p| p.chars().all(|c| c.is_ascii_digit() || c == ';')), "raw ESC in {format}: {text}");
                    continue;
                }
                assert!(!c.is_control() || c == '\n' || c == '\t', "{format} --color {color}: control {c:?} at {i}:\n{text}");
            }
            match *format {
                "json" | "sarif" | "gitlab" => {
                    serde_json::from_str::<Value>(&text).unwrap_or_else(|e| panic!("{format} is not JSON: {e}"));
                }
                "json-lines" => text.lines().for_each(|l| {
                    serde_json::from_str::<Value>(l).unwrap_or_else(|e| panic!("json-lines: {e}: {l}"));
                }),
                "junit" => {
                    let doc = roxmltree::Document::parse(&text).unwrap_or_else(|e| panic!("junit is not XML: {e}"));
                    assert!(doc.descendants().all(|n| n.tag_name().name() != "x"), "markup from the proposal became XML");
                }
                "github" => {
                    for line in text.lines().filter(|l| l.starts_with("::")) {
                        let command = line[2..].split([' ', ':']).next().unwrap_or("");
                        assert!(["error", "warning", "notice", "group", "endgroup"].contains(&command), "{line}");
                        assert!(!line.contains("::set-output") && !line.contains("\n"), "{line}");
                    }
                    let commands = text.lines().filter(|l| l.starts_with("::error") || l.starts_with("::warning")).count();
                    let expected = if cfg!(target_os = "linux") { 4 } else { 3 };
                    assert_eq!(commands, expected, "one command per finding:\n{text}");
                }
                _ => {}
            }
        }
    }
    assert_eq!(listing(tmp.path()), before, "no files written without --output");
    let out = common::proplint()
        .current_dir(tmp.path())
        .args(["check", "--no-builtin-rules", "--rules"])
        .arg(&rules)
        .args(["--format", "json=report.json", "--fail-on", "warning", "p"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let mut expected = before.clone();
    expected.push("report.json".into());
    expected.sort();
    assert_eq!(listing(tmp.path()), expected, "only the named file is written");
}

fn listing(dir: &Path) -> Vec<String> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap().filter_map(Result::ok) {
        let name = e.file_name().to_string_lossy().into_owned();
        if e.file_type().unwrap().is_dir() {
            out.extend(listing(&e.path()).into_iter().map(|n| format!("{name}/{n}")));
        } else {
            out.push(name);
        }
    }
    out.sort();
    out
}

/// proplint makes no network access and runs nothing: no socket or process API in its source.
#[test]
fn no_network_and_no_processes_in_the_source() {
    fn visit(dir: &Path, found: &mut Vec<String>) {
        for e in std::fs::read_dir(dir).unwrap().filter_map(Result::ok) {
            let path = e.path();
            if path.is_dir() {
                visit(&path, found);
            } else if path.extension().is_some_and(|x| x == "rs") {
                let text = std::fs::read_to_string(&path).unwrap();
                for needle in ["std::net", "TcpStream", "UdpSocket", "process::Command", "Command::new"] {
                    if text.contains(needle) {
                        found.push(format!("{}: {needle}", path.display()));
                    }
                }
            }
        }
    }
    let mut found = Vec::new();
    visit(&common::root().join("src"), &mut found);
    assert!(found.is_empty(), "{found:?}");
    let lock = std::fs::read_to_string(common::root().join("Cargo.toml")).unwrap();
    let deps = lock.split("[dev-dependencies]").next().unwrap();
    for client in ["reqwest", "hyper", "ureq", "curl", "tokio"] {
        assert!(!deps.contains(client), "{client} is a dependency");
    }
}

#[test]
fn invalid_utf8_on_standard_input_is_a_finding_not_a_failure() {
    let out = common::proplint()
        .args(["check", "--no-config", "--format", "json", "--stdin-filename", "draft.md", "-"])
        .write_stdin(b"# Draft\n\nCaf\xe9 opening hours\n".to_vec())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", String::from_utf8_lossy(&out.stderr));
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let d = &doc["diagnostics"][0];
    assert_eq!(d["rule"], "PL002");
    assert_eq!(d["path"], "draft.md");
    assert_eq!(d["span"]["start"], 12);
}

/// One sentence of 5,000 clauses, each with a hedge and a forbidden phrase: every match is
/// graded against only the cues near it (this took minutes when each match looked at every
/// cue in its sentence).
#[test]
fn a_huge_single_sentence_with_thousands_of_cues_is_checked() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("run-on.md");
    let body = "we will consider MFA where possible and TBC ".repeat(5_000);
    std::fs::write(&path, format!("# Run-on\n\n## Summary\n\n{body}\n")).unwrap();
    let out = common::proplint()
        .args(["check", "--no-config", "--select", "GOV-003", "--format", "concise", "--quiet"])
        .arg(&path)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "GOV-003 warns; warnings do not fail the run");
    let found = String::from_utf8_lossy(&out.stdout).lines().filter(|l| l.contains("[GOV-003]")).count();
    // "will consider" and "where possible" in every clause.
    assert_eq!(found, 10_000);
}

/// A named pipe `piped.md` in `dir`, made with the system's `mkfifo`.
#[cfg(target_os = "linux")]
fn make_fifo(dir: &Path) -> PathBuf {
    let path = dir.join("piped.md");
    let made = std::process::Command::new("mkfifo").arg(&path).status().expect("mkfifo runs");
    assert!(made.success(), "mkfifo {}", path.display());
    path
}

/// Writes `bytes` into the pipe at `path` once a reader opens it, giving up after a minute:
/// opened without blocking, so that a run that never reads the pipe fails the test rather
/// than hanging it.
#[cfg(target_os = "linux")]
fn write_when_read(path: &Path, bytes: &[u8]) {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    const O_NONBLOCK: i32 = 0o4000;
    let deadline = Instant::now() + Duration::from_secs(60);
    while Instant::now() < deadline {
        // Until a reader has it open, opening a pipe to write without blocking fails.
        if let Ok(mut pipe) = std::fs::OpenOptions::new().write(true).custom_flags(O_NONBLOCK).open(path) {
            pipe.write_all(bytes).unwrap();
            return;
        }
        std::thread::sleep(Duration::from_millis(5));
    }
}

/// A pipe named on the command line (process substitution, `<(git show ...)`) is read as a
/// proposal; one met while walking a folder is passed over, like any file that is not a
/// regular one.
#[cfg(target_os = "linux")]
#[test]
fn a_named_pipe_is_read_when_named_and_passed_over_when_walked() {
    let tmp = tempfile::tempdir().unwrap();
    let pipe = make_fifo(tmp.path());
    let writer = {
        let pipe = pipe.clone();
        std::thread::spawn(move || write_when_read(&pipe, b"# T\n\nTBC\n"))
    };
    let (code, doc) = check_in(tmp.path(), &["piped.md"]);
    writer.join().unwrap();
    assert_eq!(code, 1);
    assert_eq!(spans(&doc, "piped.md"), one("TST-001", 5, 8, 3, 1));

    // Walked, the pipe is not opened: nobody writes to it now, so reading it would hang
    // the run until check_in's timeout kills it.
    write(tmp.path(), "ok.md", b"# T\n\nTBC\n");
    let (_, doc) = check_in(tmp.path(), &["."]);
    let paths: Vec<&str> = doc["files"].as_array().unwrap().iter().map(|f| f["path"].as_str().unwrap()).collect();
    assert_eq!(paths, vec!["ok.md"]);
}

/// `--fix` on a pipe is refused before anything reads it: a pipe cannot be read twice (the
/// fix, then the check of what is left) nor replaced by a file.
#[cfg(target_os = "linux")]
#[test]
fn fix_refuses_a_named_pipe_without_reading_it() {
    let tmp = tempfile::tempdir().unwrap();
    let pipe = make_fifo(tmp.path());
    let out = common::proplint()
        .current_dir(tmp.path())
        .args(["check", "--no-config", "--fix", "piped.md"])
        .timeout(Duration::from_secs(60))
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(2), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--fix cannot change piped.md: not a regular file"));
    use std::os::unix::fs::FileTypeExt;
    assert!(std::fs::symlink_metadata(&pipe).unwrap().file_type().is_fifo());
}

/// A pipe over `--max-file-size` is read only as far as the limit, so its size is not
/// known: the finding says it is over the limit without a figure.
#[cfg(target_os = "linux")]
#[test]
fn a_pipe_over_the_size_limit_is_skipped_without_a_size() {
    let tmp = tempfile::tempdir().unwrap();
    let pipe = make_fifo(tmp.path());
    let writer = std::thread::spawn(move || write_when_read(&pipe, &[b'x'; 2000]));
    let (code, doc) = check_in(tmp.path(), &["--max-file-size", "1000", "piped.md"]);
    writer.join().unwrap();
    assert_eq!(code, 1);
    assert_eq!(spans(&doc, "piped.md"), one("PL003", 0, 0, 1, 1));
    let message = doc["diagnostics"][0]["message"].as_str().unwrap();
    assert_eq!(message, "file is over the limit of 1000 bytes; skipped");
}
