//! Output formats as their consumers read them: snapshots of every format, SARIF checked
//! against the official schema, JUnit parsed as XML, GitLab and JSON Lines parsed as JSON,
//! and workflow-command injection attempts that must stay inert.
//!
//! Most tests use a small pack (`tests/data/format-pack`) with the built-in vocabulary and
//! no built-in rules, so snapshots change when a format changes, not when rules are tuned.

use assert_cmd::Command;
use serde_json::Value;
use std::collections::HashSet;
use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// A rules directory: the built-in vocabulary and sections plus the format test pack.
fn pack_dir() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for (from, name) in [
        ("rules/language.toml", "language.toml"),
        ("rules/sections.toml", "sections.toml"),
        ("tests/data/format-pack/formats.toml", "formats.toml"),
    ] {
        std::fs::copy(root().join(from), dir.path().join(name)).unwrap();
    }
    dir
}

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

fn proplint(cwd: &Path, args: &[&str]) -> Run {
    let out = Command::cargo_bin("proplint")
        .unwrap()
        .current_dir(cwd)
        .env("NO_COLOR", "1")
        .env_remove("CLICOLOR_FORCE")
        .env_remove("GITHUB_SERVER_URL")
        .env_remove("GITHUB_REPOSITORY")
        .env_remove("GITHUB_SHA")
        // The HTML page's date, so that two runs give the same page.
        .env("SOURCE_DATE_EPOCH", "1772496000")
        .arg("check")
        .args(args)
        .output()
        .unwrap();
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8(out.stdout).unwrap(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// Runs the format pack (no built-in rules) from the repository root.
fn with_pack(args: &[&str]) -> Run {
    let pack = pack_dir();
    let pack_path = pack.path().to_str().unwrap().to_string();
    let mut all = vec!["--no-builtin-rules", "--rules", &pack_path];
    all.extend_from_slice(args);
    proplint(&root(), &all)
}

const FIXTURES: [&str; 3] = ["tests/data/formats", "fixtures/edge/bom.md", "fixtures/edge/invalid.toml"];

fn snapshot(name: &str, text: &str) {
    insta::with_settings!({
        filters => vec![(regex_escape(env!("CARGO_PKG_VERSION")).as_str(), "[VERSION]")],
        prepend_module_to_snapshot => false,
    }, {
        insta::assert_snapshot!(name, text);
    });
}

fn regex_escape(s: &str) -> String {
    s.chars().flat_map(|c| if c.is_ascii_alphanumeric() { vec![c] } else { vec!['\\', c] }).collect()
}

#[test]
fn every_format_on_the_fixtures() {
    for format in ["human", "concise", "json", "json-lines", "sarif", "github", "gitlab", "junit", "markdown"] {
        let mut args = vec!["--format", format];
        args.extend_from_slice(&FIXTURES);
        let run = with_pack(&args);
        assert_eq!(run.code, 1, "{format}: {}", run.stderr);
        snapshot(&format!("pack-{format}"), &run.stdout);
    }
}

#[test]
fn builtin_rules_summary_and_checklist() {
    // Real rules on a real proposal: these change with rule tuning, and are re-accepted then.
    let paths = ["fixtures/proposals/library-room-booking.toml", "fixtures/proposals/staff-laptop-refresh.md"];
    for format in ["markdown", "concise"] {
        let mut args = vec!["--format", format];
        args.extend_from_slice(&paths);
        let run = proplint(&root(), &args);
        snapshot(&format!("builtin-{format}"), &run.stdout);
    }
}

fn sarif_validator() -> jsonschema::Validator {
    // The official OASIS schema (errata 01), copied from the design notes' schemas folder.
    let text = std::fs::read_to_string(root().join("tests/data/sarif-schema-2.1.0.json")).unwrap();
    let schema: Value = serde_json::from_str(&text).unwrap();
    jsonschema::options().should_validate_formats(true).build(&schema).expect("the SARIF schema compiles")
}

fn assert_valid_sarif(validator: &jsonschema::Validator, doc: &Value) {
    let errors: Vec<String> = validator.iter_errors(doc).map(|e| format!("{} at {}", e, e.instance_path())).collect();
    assert!(errors.is_empty(), "SARIF does not validate:\n{}", errors.join("\n"));
    let run = &doc["runs"][0];
    assert_eq!(run["columnKind"], "unicodeCodePoints");
    let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
    let ids: HashSet<&str> = rules.iter().map(|r| r["id"].as_str().unwrap()).collect();
    assert_eq!(ids.len(), rules.len(), "rule ids are unique");
    for r in rules {
        for key in ["name", "shortDescription", "fullDescription", "help", "defaultConfiguration"] {
            assert!(!r[key].is_null(), "rule {} lacks {key}", r["id"]);
        }
        assert!(r["fullDescription"]["text"].as_str().unwrap().chars().count() <= 1024);
        assert!(r["help"]["markdown"].is_string());
    }
    let mut fingerprints = HashSet::new();
    for res in run["results"].as_array().unwrap() {
        let index = res["ruleIndex"].as_u64().unwrap() as usize;
        assert_eq!(rules[index]["id"], res["ruleId"], "ruleIndex points at the rule");
        let locations = res["locations"].as_array().unwrap();
        assert_eq!(locations.len(), 1, "exactly one primary location");
        let mut all = locations.clone();
        all.extend(res["relatedLocations"].as_array().cloned().unwrap_or_default());
        for loc in all {
            let uri = loc["physicalLocation"]["artifactLocation"]["uri"].as_str().unwrap();
            assert!(!uri.starts_with('/') && !uri.contains('\\') && !uri.contains(' '), "uri {uri}");
            let r = &loc["physicalLocation"]["region"];
            let n = |k: &str| r[k].as_u64().unwrap();
            assert!(n("startLine") >= 1 && n("startColumn") >= 1);
            assert!(n("endLine") > n("startLine") || (n("endLine") == n("startLine") && n("endColumn") >= n("startColumn")), "{r}");
        }
        let fp = res["partialFingerprints"]["proplint/v1"].as_str().unwrap();
        assert!(fingerprints.insert((uri_of(res), fp.to_string())), "fingerprint {fp} repeats in one file");
    }
}

fn uri_of(result: &Value) -> String {
    result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"].as_str().unwrap().to_string()
}

#[test]
fn sarif_validates_against_the_official_schema() {
    let validator = sarif_validator();
    // Built-in rules on every fixture, edge cases included.
    let run = proplint(&root(), &["--format", "sarif", "fixtures/proposals", "fixtures/edge"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    let doc: Value = serde_json::from_str(&run.stdout).unwrap();
    assert_valid_sarif(&validator, &doc);
    let run0 = &doc["runs"][0];
    assert_eq!(run0["invocations"][0]["exitCode"], 1);
    assert_eq!(run0["invocations"][0]["executionSuccessful"], true);
    assert!(run0["automationDetails"]["id"].as_str().unwrap().starts_with("proplint/"));
    let driver = &run0["tool"]["driver"];
    assert_eq!(driver["name"], "proplint");
    assert_eq!(driver["semanticVersion"], env!("CARGO_PKG_VERSION"));
    assert!(driver["informationUri"].as_str().unwrap().starts_with("https://"));
    let tags: Vec<&str> = driver["rules"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|r| r["properties"]["tags"].as_array().unwrap())
        .filter_map(Value::as_str)
        .collect();
    assert!(tags.contains(&"principle:inclusive") && tags.contains(&"principle:governance"));
    let results = run0["results"].as_array().unwrap();
    assert!(results.iter().any(|r| r["relatedLocations"].is_array()), "secondary labels become relatedLocations");
    let empty = results.iter().any(|r| {
        let reg = &r["locations"][0]["physicalLocation"]["region"];
        reg["startLine"] == reg["endLine"] && reg["startColumn"] == reg["endColumn"]
    });
    assert!(empty, "insertion points are present, as empty regions");
}

#[test]
fn sarif_uris_are_relative_and_percent_encoded() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("board papers")).unwrap();
    std::fs::copy(root().join("tests/data/formats/placeholders.md"), dir.path().join("board papers/Ŵales, 50% plan#1.md")).unwrap();
    let pack = pack_dir();
    let run = proplint(dir.path(), &["--no-builtin-rules", "--rules", pack.path().to_str().unwrap(), "--format", "sarif", "."]);
    let doc: Value = serde_json::from_str(&run.stdout).unwrap();
    assert_valid_sarif(&sarif_validator(), &doc);
    let uris: HashSet<String> = doc["runs"][0]["results"].as_array().unwrap().iter().map(uri_of).collect();
    assert_eq!(uris, HashSet::from(["board%20papers/%C5%B4ales%2C%2050%25%20plan%231.md".to_string()]));
}

#[test]
fn sarif_regions_count_code_points_and_stay_valid_for_insertion_points() {
    let run = with_pack(&["--format", "sarif", "fixtures/edge/non-ascii.md", "tests/data/formats/placeholders.md"]);
    let doc: Value = serde_json::from_str(&run.stdout).unwrap();
    assert_valid_sarif(&sarif_validator(), &doc);
    let results = doc["runs"][0]["results"].as_array().unwrap();
    let region = |rule: &str, uri: &str| {
        results
            .iter()
            .find(|r| r["ruleId"] == rule && uri_of(r) == uri)
            .map(|r| r["locations"][0]["physicalLocation"]["region"].clone())
            .unwrap()
    };
    // The span tests pin "TBC" at line 5, column 41 (code points) in this file.
    let tbc = region("FMT-001", "fixtures/edge/non-ascii.md");
    assert_eq!(
        (&tbc["startLine"], &tbc["startColumn"], &tbc["endLine"], &tbc["endColumn"]),
        (&5.into(), &41.into(), &5.into(), &44.into())
    );
    let missing = region("FMT-002", "tests/data/formats/placeholders.md");
    assert_eq!(missing["startLine"], missing["endLine"]);
    assert_eq!(missing["startColumn"], missing["endColumn"]);
}

#[test]
fn sarif_fingerprints_survive_edits_elsewhere() {
    let dir = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string(root().join("fixtures/proposals/housing-repairs-reporting.md")).unwrap();
    let file = dir.path().join("proposal.md");
    let prints = |content: &str| {
        std::fs::write(&file, content).unwrap();
        let run = proplint(dir.path(), &["--format", "sarif", "proposal.md"]);
        let doc: Value = serde_json::from_str(&run.stdout).unwrap();
        let mut v: Vec<(String, String, u64)> = doc["runs"][0]["results"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| {
                let line = r["locations"][0]["physicalLocation"]["region"]["startLine"].as_u64().unwrap();
                (r["ruleId"].as_str().unwrap().to_string(), r["partialFingerprints"]["proplint/v1"].as_str().unwrap().to_string(), line)
            })
            .collect();
        v.sort();
        v
    };
    let before = prints(&text);
    // Three lines after the title that are not evidence: every later finding moves down.
    let (title, rest) = text.split_once('\n').unwrap();
    let after = prints(&format!("{title}\n\n<!-- reviewed by the design authority -->\n{rest}"));
    let strip = |v: &[(String, String, u64)]| v.iter().map(|(r, f, _)| (r.clone(), f.clone())).collect::<Vec<_>>();
    assert_eq!(strip(&before), strip(&after));
    assert!(before.iter().zip(&after).any(|(b, a)| b.2 != a.2), "lines moved, fingerprints did not");
}

/// Lines of `github` output must each be a command this renderer wrote.
fn assert_only_our_commands(out: &str, diagnostics: usize) {
    let mut annotations = 0;
    for line in out.lines() {
        let ok = line.starts_with("::group::")
            || line == "::endgroup::"
            || ["::error file=", "::warning file=", "::notice file="].iter().any(|p| line.starts_with(p));
        assert!(ok, "unexpected line in github output: {line:?}");
        if !line.starts_with("::group::") && line != "::endgroup::" {
            annotations += 1;
            let (props, _) = line.split_once(' ').unwrap().1.split_once("::").unwrap();
            for prop in props.split(',') {
                let (key, _) = prop.split_once('=').unwrap();
                assert!(["file", "line", "endLine", "col", "endColumn", "title"].contains(&key), "property {key} in {line:?}");
            }
        }
    }
    assert_eq!(annotations, diagnostics, "one annotation per finding");
}

#[test]
fn github_annotations_cannot_be_injected() {
    let dir = tempfile::tempdir().unwrap();
    // Proposal text reaches messages through quoted headings of stub sections (a TOML title
    // can hold line breaks); file names reach the `file` property and group titles.
    std::fs::write(
        dir.path().join("evil.md"),
        "# ::error::title\n\n## Summary\n\nThe budget is TBC.\n\n## %0A::error::encoded ::warning file=x.md,line=1:: security\n\nText.\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("form.toml"),
        "[proposal]\ntitle = \"Form\"\n\n[sections.one]\ntitle = \"Security\\n::error::injected\\r\\n::set-output name=x::y\"\nbody = '''\nTBC.\n'''\n",
    )
    .unwrap();
    std::fs::write(dir.path().join("a,b:c%0A.md"), "# A\n\n## Summary\n\nThe budget is TBC.\n").unwrap();
    let newline_name = "line\n::error::from-a-file-name.md";
    let has_newline_file = std::fs::write(dir.path().join(newline_name), "# N\n\nThe budget is TBC.\n").is_ok();
    let pack = pack_dir();
    let pack_path = pack.path().to_str().unwrap();
    let run = proplint(dir.path(), &["--no-builtin-rules", "--rules", pack_path, "--format", "github", "."]);
    let json = proplint(dir.path(), &["--no-builtin-rules", "--rules", pack_path, "--format", "json", "."]);
    let doc: Value = serde_json::from_str(&json.stdout).unwrap();
    let count = doc["diagnostics"].as_array().unwrap().len();
    assert!(count >= 6, "{}", json.stdout);
    assert!(doc["diagnostics"].as_array().unwrap().iter().any(|d| d["message"].as_str().unwrap().contains("::error::")));
    assert_only_our_commands(&run.stdout, count);
    assert!(run.stdout.contains("file=a%2Cb%3Ac%250A.md,"), "{}", run.stdout);
    assert!(run.stdout.contains("Security%0A::error::injected%0D%0A::set-output"), "{}", run.stdout);
    assert!(run.stdout.contains("the '%250A::error::encoded ::warning file=x.md,line=1:: security' section"), "{}", run.stdout);
    if has_newline_file {
        // Escaped here (%0A) or already in the display path: either way one line, one command.
        assert!(
            run.stdout.lines().any(|l| l.contains(" file=line") && l.contains("%3A%3Aerror%3A%3Afrom-a-file-name.md,")),
            "{}",
            run.stdout
        );
    }
    // The same from standard input, with a hostile --stdin-filename.
    let out = Command::cargo_bin("proplint")
        .unwrap()
        .current_dir(dir.path())
        .args(["check", "--no-builtin-rules", "--rules", pack_path, "--format", "github", "--stdin-filename", "x\r\n::error::y.md", "-"])
        .write_stdin("# ::error::t\n\n## Summary\n\nThe budget is TBC.\n")
        .output()
        .unwrap();
    assert_only_our_commands(&String::from_utf8(out.stdout).unwrap(), 3);
}

#[test]
fn github_drops_columns_on_multi_line_spans() {
    // The built-in rules report missing metadata on whole multi-line front matter blocks.
    let run = proplint(&root(), &["--format", "github", "fixtures/proposals"]);
    let mut multi = 0;
    for line in run.stdout.lines().filter(|l| l.contains(" file=")) {
        let props = line.split_once(' ').unwrap().1.split_once("::").unwrap().0;
        let get = |k: &str| props.split(',').find_map(|p| p.strip_prefix(&format!("{k}=")).map(str::to_string));
        let (l, el) = (get("line").unwrap(), get("endLine").unwrap());
        if l == el {
            let (c, ec) = (get("col").unwrap().parse::<u64>().unwrap(), get("endColumn").unwrap().parse::<u64>().unwrap());
            assert!(ec >= c, "{line}");
        } else {
            multi += 1;
            assert!(get("col").is_none() && get("endColumn").is_none(), "{line}");
        }
    }
    assert!(multi > 0, "the fixtures have multi-line findings");
}

/// The testcase whose name starts with `prefix`.
fn case<'a, 'i>(suite: roxmltree::Node<'a, 'i>, prefix: &str) -> roxmltree::Node<'a, 'i> {
    suite.children().find(|c| c.attribute("name").is_some_and(|n| n.starts_with(prefix))).unwrap_or_else(|| panic!("{prefix}"))
}

#[test]
fn junit_is_well_formed_and_a_checklist() {
    let dir = tempfile::tempdir().unwrap();
    // `]]>`, markup and a control character reach the XML through a quoted stub heading.
    std::fs::write(
        dir.path().join("x.toml"),
        "[proposal]\ntitle = \"X\"\n\n[sections.a]\ntitle = \"Security ]]> <b>&amp; \\u0001 \\\"q\\\"\"\nbody = '''\nTBC.\n'''\n",
    )
    .unwrap();
    for f in ["placeholders.md", "cameras-crlf.md", "complete.md"] {
        std::fs::copy(root().join("tests/data/formats").join(f), dir.path().join(f)).unwrap();
    }
    std::fs::copy(root().join("fixtures/edge/invalid.toml"), dir.path().join("invalid.toml")).unwrap();
    let pack = pack_dir();
    let run = proplint(dir.path(), &["--no-builtin-rules", "--rules", pack.path().to_str().unwrap(), "--format", "junit", "."]);
    let xml = roxmltree::Document::parse(&run.stdout).unwrap_or_else(|e| panic!("{e}\n{}", run.stdout));
    let top = xml.root_element();
    assert_eq!(top.tag_name().name(), "testsuites");
    let suites: Vec<_> = top.children().filter(|n| n.is_element()).collect();
    assert_eq!(suites.len(), 5, "one testsuite per file");
    let attr = |n: &roxmltree::Node, k: &str| n.attribute(k).unwrap().parse::<usize>().unwrap();
    let mut total = 0;
    for s in &suites {
        let cases: Vec<_> = s.children().filter(|n| n.is_element()).collect();
        let with = |child: &str| cases.iter().filter(|c| c.children().any(|n| n.has_tag_name(child))).count();
        assert_eq!(attr(s, "tests"), cases.len());
        assert_eq!(attr(s, "failures"), with("failure"));
        assert_eq!(attr(s, "errors"), with("error"));
        assert_eq!(attr(s, "skipped"), with("skipped"));
        total += cases.len();
    }
    assert_eq!(attr(&top, "tests"), total);
    let suite = |name: &str| *suites.iter().find(|s| s.attribute("name") == Some(name)).unwrap();
    // Failed, skipped with the reason, met.
    let placeholders = suite("placeholders.md");
    assert!(case(placeholders, "FMT-001").children().any(|n| n.has_tag_name("failure")));
    let skipped = case(placeholders, "FMT-003").children().find(|n| n.has_tag_name("skipped")).unwrap();
    assert!(skipped.attribute("message").unwrap().contains("cctv"), "{skipped:?}");
    assert!(case(suite("cameras-crlf.md"), "FMT-003").children().all(|n| !n.is_element()), "met rules pass");
    assert!(case(suite("invalid.toml"), "PL004").children().any(|n| n.has_tag_name("error")));
    // Text survives the round trip; the control character is replaced, not dropped silently.
    let failure = case(suite("x.toml"), "FMT-002").descendants().find(|n| n.has_tag_name("failure")).unwrap();
    let expected = "the 'Security ]]> <b>&amp; \u{FFFD} \"q\"' section is a stub";
    assert!(failure.text().unwrap().contains(expected), "{failure:?}");
    assert!(failure.attribute("message").unwrap().contains(expected), "{failure:?}");
}

#[test]
fn gitlab_code_quality_shape() {
    let run = with_pack(&["--format", "gitlab", "tests/data/formats", "fixtures/edge/bom.md", "fixtures/edge/invalid.toml"]);
    let issues: Vec<Value> = serde_json::from_str(&run.stdout).unwrap();
    assert!(!issues.is_empty());
    let mut prints = HashSet::new();
    for i in &issues {
        for key in ["description", "check_name", "fingerprint", "severity"] {
            assert!(i[key].as_str().is_some_and(|s| !s.is_empty()), "{key} in {i}");
        }
        assert!(["info", "minor", "major", "critical", "blocker"].contains(&i["severity"].as_str().unwrap()));
        assert!(i["location"]["path"].is_string());
        assert!(i["location"]["lines"]["begin"].as_u64().unwrap() <= i["location"]["lines"]["end"].as_u64().unwrap());
        assert!(prints.insert(i["fingerprint"].as_str().unwrap().to_string()), "fingerprints are unique");
    }
    let severity_of = |rule: &str| issues.iter().find(|i| i["check_name"] == rule).unwrap()["severity"].as_str().unwrap().to_string();
    assert_eq!(
        (severity_of("FMT-001"), severity_of("FMT-002"), severity_of("FMT-004"), severity_of("PL004")),
        ("minor".into(), "major".into(), "info".into(), "critical".into())
    );
}

#[test]
fn json_lines_match_the_json_diagnostics() {
    let lines = with_pack(&["--format", "json-lines", "tests/data/formats", "fixtures/edge/invalid.toml"]);
    let doc = with_pack(&["--format", "json", "tests/data/formats", "fixtures/edge/invalid.toml"]);
    let from_lines: Vec<Value> = lines.stdout.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    let doc: Value = serde_json::from_str(&doc.stdout).unwrap();
    assert_eq!(&Value::Array(from_lines), &doc["diagnostics"]);
}

#[test]
fn markdown_escapes_proposal_text_and_links_lines() {
    let dir = tempfile::tempdir().unwrap();
    // A TOML title keeps markup that a Markdown heading would lose.
    std::fs::write(
        dir.path().join("p.toml"),
        "[proposal]\ntitle = \"P\"\n\n[sections.a]\ntitle = \"Security | <img src=x> [a](b) *c*\"\nbody = '''\nTBC.\n'''\n",
    )
    .unwrap();
    let pack = pack_dir();
    let run = Command::cargo_bin("proplint")
        .unwrap()
        .current_dir(dir.path())
        .env("GITHUB_SERVER_URL", "https://github.example")
        .env("GITHUB_REPOSITORY", "council/proposals")
        .env("GITHUB_SHA", "abc123")
        .args(["check", "--no-builtin-rules", "--rules", pack.path().to_str().unwrap(), "--format", "markdown", "p.toml"])
        .output()
        .unwrap();
    let out = String::from_utf8(run.stdout).unwrap();
    assert!(out.contains("Security \\| &lt;img src=x&gt; \\[a\\](b) \\*c\\*"), "{out}");
    assert!(out.contains("[p.toml:7](https://github.example/council/proposals/blob/abc123/p.toml#L7)"), "{out}");
    assert!(out.contains("| File | Democratic | Ethical | Inclusive |"), "{out}");
}

#[test]
fn several_formats_in_one_run_write_only_the_named_files() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    std::fs::create_dir(&out).unwrap();
    let arg = |f: &str, name: &str| format!("{f}={}", out.join(name).display());
    let (sarif, junit, md) = (arg("sarif", "p.sarif"), arg("junit", "p.xml"), arg("markdown", "summary.md"));
    let run = with_pack(&["--format", &sarif, "--format", &junit, "--format", &md, "--format", "concise", "tests/data/formats"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    let single = |f: &str| with_pack(&["--format", f, "tests/data/formats"]).stdout;
    assert_eq!(run.stdout, single("concise"));
    assert_eq!(std::fs::read_to_string(out.join("p.sarif")).unwrap(), single("sarif"));
    assert_eq!(std::fs::read_to_string(out.join("p.xml")).unwrap(), single("junit"));
    assert_eq!(std::fs::read_to_string(out.join("summary.md")).unwrap(), single("markdown"));
    let mut names: Vec<String> = std::fs::read_dir(&out).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
    names.sort();
    assert_eq!(names, ["p.sarif", "p.xml", "summary.md"]);
    // -o for a single format; an existing file is overwritten.
    let o = out.join("p.sarif");
    let run = with_pack(&["--format", "gitlab", "-o", o.to_str().unwrap(), "tests/data/formats"]);
    assert_eq!((run.code, run.stdout.as_str()), (1, ""));
    assert_eq!(std::fs::read_to_string(&o).unwrap(), single("gitlab"));
}

/// Every format is written a chunk of files at a time, to standard output or to a file;
/// with `--fix`, `--diff` or a waiver register the run is rendered whole, as the library's
/// `render::render` does. Both must give the same bytes, over many chunks, with findings
/// and without any.
#[test]
fn streamed_output_is_the_whole_run_output() {
    let dir = tempfile::tempdir().unwrap();
    let (many, clean) = (dir.path().join("many"), dir.path().join("clean"));
    let out = dir.path().join("out");
    for d in [&many, &clean, &out] {
        std::fs::create_dir(d).unwrap();
    }
    // Far more files than one chunk, and findings enough to pass the Markdown budget.
    for i in 0..60 {
        for name in ["complete.md", "placeholders.md", "cameras-crlf.md"] {
            let text = std::fs::read(root().join("tests/data/formats").join(name)).unwrap();
            std::fs::write(many.join(format!("{i:03}-{name}")), &text).unwrap();
            if name == "complete.md" && i < 40 {
                std::fs::write(clean.join(format!("{i:03}-{name}")), &text).unwrap();
            }
        }
    }
    // The page's date is the run's: one date for both.
    let undated = |page: &str| regex::Regex::new("Generated on [^<]+? by").unwrap().replace_all(page, "Generated on DATE by").into_owned();
    for (tree, findings) in [(&many, true), (&clean, false)] {
        for format in ["human", "concise", "json", "json-lines", "sarif", "github", "gitlab", "junit", "markdown", "html"] {
            let streamed = with_pack(&["--format", format, tree.to_str().unwrap()]);
            let to_file = out.join(format!("{format}.streamed"));
            let streamed_to_file = with_pack(&["--format", &format!("{format}={}", to_file.display()), tree.to_str().unwrap()]);
            assert_eq!(streamed.code, i32::from(findings), "{format}: {}", streamed.stderr);
            assert_eq!(streamed_to_file.code, streamed.code, "{format}");
            let whole = undated(&whole_run(tree, format, streamed.code));
            same(&undated(&streamed.stdout), &whole, &format!("{format} on standard output"));
            same(&undated(&std::fs::read_to_string(&to_file).unwrap()), &whole, &format!("{format} to a file"));
        }
    }
    let markdown = std::fs::read_to_string(out.join("markdown.streamed")).unwrap();
    assert!(markdown.contains("No errors or warnings."), "the last tree was clean");
    let summary = with_pack(&["--format", "markdown", many.to_str().unwrap()]).stdout;
    assert!(summary.contains("more findings not listed here"), "the list was cut");
    assert!(summary.contains("### "), "some findings were listed");
}

/// `tree` linted with the format pack and rendered as one report.
fn whole_run(tree: &Path, format: &str, exit_code: i32) -> String {
    use proplint::check::{self, FileSettings, Options};
    use proplint::render::{self, OutputFormat, RenderOptions, Report};
    let pack = pack_dir();
    let dirs = [pack.path().to_path_buf()];
    let set = proplint::rules::load(&proplint::rules::RuleSources { no_builtin: true, dirs: &dirs }, &mut Default::default()).unwrap();
    let inputs = proplint::walk::discover(&[tree.to_path_buf()], false, None).inputs;
    let selected: Vec<usize> = (0..set.rules.len()).collect();
    let settings = |_: &proplint::walk::Input| FileSettings::only(selected.clone());
    let options = Options { max_size: 10 << 20, settings: &settings, stdin: None, progress: false };
    let mut db = proplint::source::SourceDb::default();
    let outcome = check::run(&inputs, &set, &options, &mut db);
    let report = Report { db: &db, files: &outcome.files, diagnostics: &outcome.diagnostics, rules: Some(&set) };
    let format = <OutputFormat as clap::ValueEnum>::from_str(format, false).unwrap();
    render::render(format, &report, &RenderOptions { exit_code, ..Default::default() }).unwrap()
}

/// Fails with where two long texts part, not both of them whole.
fn same(got: &str, expected: &str, what: &str) {
    if got != expected {
        let at = got.bytes().zip(expected.bytes()).take_while(|(a, b)| a == b).count();
        let around = |t: &str| String::from_utf8_lossy(&t.as_bytes()[at.saturating_sub(80)..(at + 80).min(t.len())]).into_owned();
        panic!("{what}: differs from byte {at}\n got: {:?}\nwant: {:?}", around(got), around(expected));
    }
}

/// A file output is written only when the run gets to its end, as when the whole run is
/// rendered at once: a run that finds no proposal leaves an existing file alone.
#[test]
fn a_run_that_finds_nothing_writes_no_output_file() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("notes.txt"), "not a proposal").unwrap();
    let kept = dir.path().join("kept.sarif");
    std::fs::write(&kept, "before").unwrap();
    let run = with_pack(&["--format", &format!("sarif={}", kept.display()), dir.path().to_str().unwrap()]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert_eq!(std::fs::read_to_string(&kept).unwrap(), "before");
}

#[test]
fn statistics_count_findings_per_rule() {
    let run = with_pack(&["--statistics", "tests/data/formats", "fixtures/edge/bom.md"]);
    assert_eq!(run.code, 1);
    let rows: Vec<Vec<&str>> = run.stdout.lines().map(|l| l.split_whitespace().collect()).collect();
    assert_eq!(
        rows,
        vec![
            vec!["5", "FMT-001", "warning", "placeholder-text"],
            vec!["2", "FMT-002", "error", "security-section-missing"],
            vec!["1", "FMT-004", "info", "summary-missing"]
        ]
    );
    let json = with_pack(&["--statistics", "--format", "json", "tests/data/formats", "fixtures/edge/bom.md"]);
    let doc: Value = serde_json::from_str(&json.stdout).unwrap();
    assert_eq!(doc[0]["rule"], "FMT-001");
    assert_eq!(doc[0]["count"], 5);
}

#[test]
fn quiet_drops_the_summary_lines() {
    let loud = with_pack(&["--format", "concise", "tests/data/formats"]);
    let quiet = with_pack(&["--format", "concise", "--quiet", "tests/data/formats"]);
    assert_eq!(quiet.code, loud.code);
    assert!(loud.stdout.contains("files checked"));
    assert!(!quiet.stdout.contains("files checked"));
    assert_eq!(quiet.stdout.lines().count() + 1, loud.stdout.lines().count());
}

#[test]
fn markdown_stays_under_the_comment_size_limit() {
    let run = proplint(&root(), &["--format", "markdown", "fixtures/proposals", "fixtures/edge"]);
    assert!(run.stdout.chars().count() < 65_536, "{} characters", run.stdout.chars().count());
    assert!(run.stdout.contains("more findings not listed here"), "the fixtures have more findings than fit");
}

#[test]
fn waived_findings_are_marked_or_left_out_per_format() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("w.toml"),
        "[proposal]\ntitle = \"W\"\n\n[[waivers]]\nrule = \"FMT-001\"\nreason = \"The budget is set by Cabinet in March; the board accepted the gap until then.\"\napproved_by = \"Design Authority\"\nexpires = \"2099-12-31\"\n\n[sections.summary]\ntitle = \"Summary\"\nbody = '''\nThe budget is TBC until Cabinet.\n'''\n",
    )
    .unwrap();
    let pack = pack_dir();
    let run = |format: &str| {
        proplint(dir.path(), &["--no-builtin-rules", "--rules", pack.path().to_str().unwrap(), "--format", format, "w.toml"]).stdout
    };
    let note = "waived: The budget is set by Cabinet in March; the board accepted the gap until then. (approved by Design Authority, expires 2099-12-31)";
    // SARIF keeps the result, suppressed, and stays valid.
    let sarif: Value = serde_json::from_str(&run("sarif")).unwrap();
    assert_valid_sarif(&sarif_validator(), &sarif);
    let results = sarif["runs"][0]["results"].as_array().unwrap();
    let waived = results.iter().find(|r| r["ruleId"] == "FMT-001").unwrap();
    assert_eq!(waived["suppressions"][0]["kind"], "inSource");
    assert_eq!(waived["suppressions"][0]["justification"], note);
    assert!(results.iter().find(|r| r["ruleId"] == "FMT-002").unwrap()["suppressions"].is_null());
    // Annotations and Code Quality show only what is still open.
    let github = run("github");
    assert!(!github.contains("FMT-001") && github.contains("FMT-002"), "{github}");
    let gitlab: Vec<Value> = serde_json::from_str(&run("gitlab")).unwrap();
    assert_eq!(gitlab.iter().map(|i| i["check_name"].as_str().unwrap()).collect::<Vec<_>>(), ["FMT-002"]);
    // The checklist skips the waived rule with the board's decision.
    let junit = run("junit");
    let xml = roxmltree::Document::parse(&junit).unwrap();
    let suite = xml.root_element().children().find(|n| n.is_element()).unwrap();
    let skipped = case(suite, "FMT-001").children().find(|n| n.has_tag_name("skipped")).unwrap();
    assert_eq!(skipped.attribute("message"), Some(note));
    // People see it, marked.
    assert!(run("concise").contains(&format!("[{note}]")));
    assert!(run("markdown").contains("1 waived"));
}
