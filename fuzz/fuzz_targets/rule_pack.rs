//! The rule-pack loader on any text as a user pack, beside the embedded vocabulary. A pack
//! that loads is then run over a small proposal; one that does not must say where.
#![no_main]
use libfuzzer_sys::fuzz_target;
use proplint::model::Format;
use proplint::rules::BUILTIN;
use proplint::source::{SourceDb, SourceFile};

const PROPOSAL: &str = "# Pilot\n\n## Summary\n\nThe budget is TBC. We will not process personal data.\n\n## Security\n\nA DPIA was approved on 3 March 2025 (IG-231).\n";

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let mut files: Vec<(String, String)> = BUILTIN
        .iter()
        .filter(|(p, _)| p.ends_with("language.toml") || p.ends_with("sections.toml"))
        .map(|(p, t)| ((*p).to_string(), (*t).to_string()))
        .collect();
    files.push(("fuzz/pack.toml".into(), text.to_string()));
    let mut db = SourceDb::default();
    match proplint::rules::load_texts(files, &mut db) {
        Ok(set) => {
            let source = SourceFile::new("p.md", PROPOSAL);
            let options = proplint::engine::Options::only((0..set.rules.len()).collect());
            let linted = proplint::check::lint_source(&source, Format::Markdown, &set, &options);
            let mut db = SourceDb::default();
            db.add(source);
            proplint_fuzz::check_diagnostics(&db, &linted.diagnostics);
        }
        Err(diags) => {
            assert!(!diags.is_empty(), "a failed load says why");
            let real: Vec<_> = diags.iter().filter(|d| d.primary.file != usize::MAX).cloned().collect();
            proplint_fuzz::check_diagnostics(&db, &real);
            for d in &real {
                proplint::render::render_diagnostic(&db, d, false);
            }
        }
    }
});
