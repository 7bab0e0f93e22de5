//! The Markdown parser (front matter, headings, blocks, inline metadata) on any UTF-8 text.
#![no_main]
use libfuzzer_sys::fuzz_target;
use proplint::model::Format;
use proplint::source::SourceFile;

fuzz_target!(init: { proplint_fuzz::rules(); }, |data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let file = SourceFile::new("fuzz.md", text);
    let mut diags = Vec::new();
    let proposal = proplint::parse::parse(&file, 0, Format::Markdown, &proplint_fuzz::rules().vocab.aliases, &mut diags);
    proplint_fuzz::check_proposal(&file, &proposal);
    for d in &diags {
        proplint_fuzz::assert_span(&file.text, d.primary.span, &d.rule);
    }
});
