//! How proplint tells evidence from a mention, a promise, a negation and a placeholder:
//! each behaviour has its own fixture in fixtures/judgement, and expectations.toml says
//! what must be concluded about it.

mod common;
use serde_json::Value;

#[test]
fn judgement_fixtures_are_read_as_a_reviewer_would() {
    let expectations: toml::Table =
        toml::from_str(&std::fs::read_to_string(common::root().join("fixtures/judgement/expectations.toml")).unwrap()).unwrap();
    let (_, doc) = common::check_json(&["fixtures/judgement"]);
    let diags = doc["diagnostics"].as_array().unwrap();
    let mut failures = Vec::new();
    let cases = expectations["case"].as_array().unwrap();
    for case in cases {
        let file = case["file"].as_str().unwrap();
        let rule = case["rule"].as_str().unwrap();
        let path = format!("fixtures/judgement/{file}");
        assert!(common::root().join(&path).exists(), "{path} missing");
        let mine: Vec<&Value> = diags.iter().filter(|d| d["path"] == path.as_str() && d["rule"] == rule).collect();
        let findings: Vec<&&Value> = mine.iter().filter(|d| matches!(d["severity"].as_str(), Some("error" | "warning"))).collect();
        let messages: Vec<&str> = mine.iter().map(|d| d["message"].as_str().unwrap()).collect();
        if let Some(fires) = case.get("fires").and_then(toml::Value::as_bool) {
            if fires == findings.is_empty() {
                failures.push(format!("{file}: expected {rule} {}; got {messages:?}", if fires { "to fire" } else { "not to fire" }));
            }
        }
        for key in ["contains", "note"] {
            if let Some(text) = case.get(key).and_then(toml::Value::as_str) {
                if !messages.iter().any(|m| m.contains(text)) {
                    failures.push(format!("{file}: expected a {rule} message containing {text:?}; got {messages:?}"));
                }
            }
        }
        if let Some(n) = case.get("labels").and_then(toml::Value::as_integer) {
            if !findings.iter().any(|d| d["labels"].as_array().unwrap().len() >= n as usize) {
                failures.push(format!("{file}: expected {rule} with at least {n} secondary labels"));
            }
        }
    }
    assert!(failures.is_empty(), "{} of {} judgement cases failed:\n{}", failures.len(), cases.len(), failures.join("\n"));
}
