//! The packs embedded in the binary, under the paths they have in the repository.

pub const BUILTIN: &[(&str, &str)] = &[
    ("rules/language.toml", include_str!("../../rules/language.toml")),
    ("rules/sections.toml", include_str!("../../rules/sections.toml")),
    ("rules/democratic.toml", include_str!("../../rules/democratic.toml")),
    ("rules/ethical.toml", include_str!("../../rules/ethical.toml")),
    ("rules/inclusive.toml", include_str!("../../rules/inclusive.toml")),
    ("rules/sustainable.toml", include_str!("../../rules/sustainable.toml")),
    ("rules/cyber-resilient.toml", include_str!("../../rules/cyber-resilient.toml")),
    ("rules/user-centric.toml", include_str!("../../rules/user-centric.toml")),
    ("rules/governance.toml", include_str!("../../rules/governance.toml")),
];
