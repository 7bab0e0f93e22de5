#!/usr/bin/env bash
# Runs every fuzz target in turn, one core, niced: `fuzz/run-all.sh [SECONDS]` (default 600).
# Needs cargo-fuzz; on a stable toolchain RUSTC_BOOTSTRAP=1 lets it pass its -Z flags.
set -uo pipefail
cd "$(dirname "$0")"
secs="${1:-600}"
export RUSTC_BOOTSTRAP=1
mkdir -p logs
for target in markdown toml check rule_pack; do
    mkdir -p "corpus/$target"
    nice cargo fuzz run -O "$target" "corpus/$target" "seeds/$target" -- \
        -max_total_time="$secs" -timeout=10 -rss_limit_mb=4096 -max_len=8192 -print_final_stats=1 \
        > "logs/$target.log" 2>&1
    echo "$target: exit $? $(grep -E '^#[0-9]+' "logs/$target.log" | tail -1)"
done
