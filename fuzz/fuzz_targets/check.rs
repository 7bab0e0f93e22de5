//! The whole check of one document: any bytes in (the first byte picks Markdown or TOML),
//! diagnostics out, then every output format rendered.
#![no_main]
use libfuzzer_sys::fuzz_target;
use proplint::model::Format;
use proplint::source::SourceDb;
use proplint::walk::Input;

fuzz_target!(init: { proplint_fuzz::rules(); }, |data: &[u8]| {
    let Some((&first, bytes)) = data.split_first() else { return };
    let (display, format) = if first & 1 == 0 { ("fuzz.md", Format::Markdown) } else { ("fuzz.toml", Format::Toml) };
    let input = Input { display: display.into(), path: display.into(), format, explicit: true, stdin: false };
    let set = proplint_fuzz::rules();
    let selected: Vec<usize> = (0..set.rules.len()).collect();
    let mut db = SourceDb::default();
    let outcome = proplint::check::run_bytes(&input, bytes.to_vec(), set, &selected, &mut db);
    assert_eq!(outcome.files.len(), 1, "the one input is reported");
    proplint_fuzz::check_outcome(&db, &outcome, set);
});
