//! The HTML board report: a snapshot on the format fixtures, proposal text and file names
//! that try to inject markup and scripts, self-containment (no script, no external
//! resource), balanced markup, and every principle on every proposal. `tests/browser.rs`
//! opens the report in a real browser.

mod common;
use assert_cmd::Command;
use std::collections::BTreeSet;
use std::path::Path;

/// 3 March 2026, 00:00 UTC: the report's date comes from `SOURCE_DATE_EPOCH` when set.
const EPOCH: &str = "1772496000";

fn html(cwd: &Path, args: &[&str]) -> (i32, String) {
    let out = Command::cargo_bin("proplint")
        .unwrap()
        .current_dir(cwd)
        .env("SOURCE_DATE_EPOCH", EPOCH)
        .env("PROPLINT_TODAY", "2026-03-03")
        .args(["check", "--format", "html"])
        .args(args)
        .output()
        .unwrap();
    (out.status.code().unwrap_or(-1), String::from_utf8(out.stdout).unwrap())
}

/// Every tag in the document as (name, the text between `<` and `>`). Proposal text has its
/// `<` escaped, so every tag found here is one the renderer wrote.
fn tags(doc: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut rest = doc;
    while let Some(i) = rest.find('<') {
        let after = &rest[i + 1..];
        let end = after.find('>').expect("every tag is closed");
        let inner = &after[..end];
        let name: String = inner.trim_start_matches('/').chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '!').collect();
        out.push((name.to_ascii_lowercase(), inner.to_string()));
        rest = &after[end + 1..];
    }
    out
}

/// The elements the renderer uses; anything else came from a proposal.
const ALLOWED: [&str; 43] = [
    "!doctype",
    "html",
    "head",
    "meta",
    "title",
    "style",
    "body",
    "a",
    "header",
    "nav",
    "main",
    "footer",
    "section",
    "div",
    "p",
    "h1",
    "h2",
    "h3",
    "h4",
    "ol",
    "ul",
    "li",
    "span",
    "code",
    "pre",
    "mark",
    "dl",
    "dt",
    "dd",
    "table",
    "caption",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
    "figure",
    "figcaption",
    "svg",
    "desc",
    "defs",
    "pattern",
    "rect",
];
const SVG_SHAPES: [&str; 4] = ["circle", "path", "line", "text"];

fn assert_inert(doc: &str) {
    let mut open: Vec<String> = Vec::new();
    for (name, inner) in tags(doc) {
        assert!(ALLOWED.contains(&name.as_str()) || SVG_SHAPES.contains(&name.as_str()), "unexpected element <{inner}>");
        let lower = inner.to_ascii_lowercase();
        assert!(!lower.split_whitespace().any(|w| w.starts_with("on") && w.contains('=')), "event handler in <{inner}>");
        assert!(!lower.contains("src="), "a source attribute in <{inner}>");
        assert!(!lower.contains("http:") && !lower.contains("https:") && !lower.contains("javascript:"), "a URL in <{inner}>");
        if let Some(at) = lower.find("href=\"") {
            assert!(lower[at + 6..].starts_with('#'), "a link leaving the page: <{inner}>");
        }
        // Balanced markup: a proposal's `</dd></dl>` cannot close the renderer's elements.
        if name == "!doctype" || name == "meta" || inner.ends_with('/') {
            continue;
        }
        if inner.starts_with('/') {
            assert_eq!(open.pop().as_deref(), Some(name.as_str()), "</{name}> closes the wrong element");
        } else {
            open.push(name);
        }
    }
    assert!(open.is_empty(), "unclosed: {open:?}");
    assert_eq!(doc.matches("<style>").count(), 1);
    let lower = doc.to_ascii_lowercase();
    assert!(!lower.contains("<script") && !lower.contains("<link") && !lower.contains("<img") && !lower.contains("<iframe"));
}

#[test]
fn snapshot_on_the_format_fixtures() {
    let pack = tempfile::tempdir().unwrap();
    for (from, name) in [
        ("rules/language.toml", "language.toml"),
        ("rules/sections.toml", "sections.toml"),
        ("tests/data/format-pack/formats.toml", "formats.toml"),
    ] {
        std::fs::copy(common::root().join(from), pack.path().join(name)).unwrap();
    }
    let (code, doc) = html(
        &common::root(),
        &[
            "--no-builtin-rules",
            "--rules",
            pack.path().to_str().unwrap(),
            "tests/data/formats",
            "fixtures/edge/bom.md",
            "fixtures/edge/invalid.toml",
        ],
    );
    assert_eq!(code, 1);
    assert_inert(&doc);
    // The stylesheet and its hash are left out: the snapshot is about content and structure.
    insta::with_settings!({
        filters => vec![
            (r"(?s)<style>.*?</style>", "<style>[STYLE]</style>"),
            (r"sha256-[A-Za-z0-9+/=]+", "sha256-[HASH]"),
            (r"proplint \d+\.\d+\.\d+", "proplint [VERSION]"),
        ],
        prepend_module_to_snapshot => false,
    }, {
        insta::assert_snapshot!("html-pack", doc);
    });
}

#[test]
fn proposal_text_and_file_names_never_become_markup() {
    let dir = tempfile::tempdir().unwrap();
    let name = "<img src=x onerror=alert(1)>'&\".md";
    std::fs::copy(common::root().join("fixtures/html/injection.md"), dir.path().join(name)).unwrap();
    let (code, doc) = html(dir.path(), &["."]);
    assert_eq!(code, 1);
    assert_inert(&doc);
    // The text is all there, as text.
    for shown in [
        "&lt;script&gt;window.__pwned = &#39;heading&#39;; alert(1)&lt;/script&gt;",
        "&lt;img src=&quot;x&quot; onerror=&quot;window.__pwned=&#39;body-img&#39;&quot;&gt;",
        "&lt;img src=x onerror=alert(1)&gt;&#39;&amp;&quot;.md",
        "&lt;b onmouseover=&quot;window.__pwned=&#39;sro&#39;&quot;&gt;Sam&lt;/b&gt;",
    ] {
        assert!(doc.contains(shown), "{shown} missing");
    }
    // The waiver register: reason, approver, decision and a long-form expiry date, escaped.
    assert!(doc.contains("<caption id=\"proposal-1-waivers-caption\">"), "waiver register");
    assert!(doc.contains("&lt;/td&gt;&lt;script&gt;window.__pwned=&#39;waiver&#39;&lt;/script&gt;"));
    assert!(doc.contains("Design Authority &lt;img src=x onerror=alert(1)&gt;"));
    assert!(doc.contains("<td>31 December 2099</td>"));
    assert!(doc.contains("Generated on 3 March 2026"));
}

#[test]
fn self_contained_with_every_principle_for_every_proposal() {
    let (code, doc) = html(&common::root(), &["fixtures/proposals", "fixtures/html/injection.md"]);
    assert_eq!(code, 1);
    assert_inert(&doc);
    assert!(doc.starts_with("<!DOCTYPE html>\n<html lang=\"en-GB\">"));
    let csp = "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'sha256-";
    assert!(doc.contains(csp));
    for landmark in ["<header", "<nav", "<main", "<footer"] {
        assert_eq!(doc.matches(landmark).count(), 1, "{landmark}");
    }
    let proposals = doc.matches("<section class=\"proposal\"").count();
    assert_eq!(proposals, 25);
    let principles = ["Democratic", "Ethical", "Inclusive", "Sustainable", "Cyber-resilient", "User-centric", "Governance"];
    for p in principles {
        assert!(doc.contains(&format!("<th scope=\"col\">{p}</th>")), "{p} column");
        // A heading per proposal, and a row in each scorecard.
        assert_eq!(doc.matches(&format!("\">{p}</h3>")).count(), proposals, "{p} heading");
        assert_eq!(doc.matches(&format!("class=\"sc-label\">{p}</text>")).count(), proposals, "{p} bar");
    }
    // Status in words beside every icon, one row per proposal.
    let rows = doc.matches("<tr><th scope=\"row\"><a href=\"#proposal-").count();
    assert_eq!(rows, proposals);
    let statuses: BTreeSet<&str> =
        ["Met", "Gaps", "Waived", "Not applicable"].into_iter().filter(|s| doc.contains(&format!("<span>{s}</span></span>"))).collect();
    assert_eq!(statuses.len(), 4, "{statuses:?}");
    assert_eq!(doc.matches("aria-hidden=\"true\"").count(), doc.matches("<svg class=\"icon\"").count());
    assert_eq!(doc.matches("<svg role=\"img\" aria-labelledby=").count(), proposals);
}

#[test]
fn register_waivers_and_findings_in_other_files() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(common::root().join("fixtures/html/injection.md"), dir.path().join("kiosk.md")).unwrap();
    std::fs::write(dir.path().join("proplint.toml"), "waivers = \"waivers.toml\"\n").unwrap();
    std::fs::write(
        dir.path().join("waivers.toml"),
        "[[waivers]]\nrule = \"GOV-010\"\nreason = \"The risk register is kept by the programme office; the board accepted the gap.\"\n\
         approved_by = \"Design Authority\"\nexpires = 2099-01-05\nfiles = [\"kiosk.md\"]\n\n\
         [[waivers]]\nrule = \"CYB-012\"\nreason = \"Accepted <b>until</b> the supplier is chosen; the board agreed.\"\n\
         approved_by = \"Design Authority\"\nfiles = [\"kiosk.md\"]\n",
    )
    .unwrap();
    let (code, doc) = html(dir.path(), &["kiosk.md"]);
    assert_eq!(code, 1);
    assert_inert(&doc);
    assert!(doc.contains("<td>5 January 2099</td>"), "register waiver in the register table");
    assert!(doc.contains("<li><a href=\"#other-files\">Findings in other files</a></li>"));
    assert!(doc.contains("<h3 id=\"other-1\">waivers.toml</h3>"), "the unused register waiver");
    assert!(doc.contains("PL204"));
}
