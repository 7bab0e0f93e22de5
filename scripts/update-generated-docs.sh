#!/usr/bin/env bash
# Regenerates docs/rules.md and the rule table in README.md from the rule packs
# (tests/explain.rs fails while either is stale).
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --quiet
bin=target/debug/proplint
"$bin" rules --format markdown > docs/rules.md
table="$(mktemp)"
trap 'rm -f "$table" README.md.tmp' EXIT
"$bin" rules --format summary > "$table"
awk -v table="$table" '
    /<!-- rules-table:start/ { print; while ((getline line < table) > 0) print line; skip = 1; next }
    /<!-- rules-table:end/ { skip = 0 }
    !skip { print }
' README.md > README.md.tmp
mv README.md.tmp README.md
