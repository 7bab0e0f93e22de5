#!/usr/bin/env bash
# Whole-run benchmark: proplint side by side with the linters users know, on the synthetic
# corpus from ../shared/bench/gen_corpus.py. Run from anywhere; see docs/performance.md.
#
#   scripts/bench.sh                 # 1,000 and 10,000 files, one 50 MB file and the
#                                    # shapes, 5 runs each
#   RUNS=3 SETS="1k 10k" scripts/bench.sh
#   SETS=shapes scripts/bench.sh     # linear growth only: awkward files at 1 and 4 MB
#   SETS=formats scripts/bench.sh    # every output format on the 1,000 files
#   FORMATS_CORPUS=10k SETS=formats scripts/bench.sh   # ... on the 10,000 files
#   SETS=startup scripts/bench.sh    # one small file and one typical proposal: start-up
#
# Generated corpora and installed peers live under target/ (never committed). Each run is
# timed with /usr/bin/time -v, and the tools take turns within each round so that a busy
# machine slows them alike: compare ratios from one run, not figures across runs.
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
gen="$root/../shared/bench/gen_corpus.py"
work="${BENCH_DIR:-$root/target/bench}"
peers="${BENCH_PEERS:-$root/target/bench-peers}"
runs="${RUNS:-5}"
limit="${BENCH_TIMEOUT:-600}" # seconds; a run that takes longer is stopped and marked
sets="${SETS:-1k 10k 50mb shapes formats startup}"
formats_corpus="${FORMATS_CORPUS:-1k}"
mkdir -p "$work" "$peers"

[ -f "$gen" ] || { echo "bench: $gen not found (the shared folder sits beside the repository)" >&2; exit 2; }
if [ ! -x /usr/bin/time ]; then
    echo "bench: installing GNU time for peak memory figures" >&2
    apt-get install -y time >/dev/null 2>&1 || { apt-get update >/dev/null && apt-get install -y time >/dev/null; }
fi

# The corpus: deterministic, so it is made once and kept.
[ -d "$work/corpus-1k" ] || python3 "$gen" --out "$work/corpus-1k" --count 1000
[ -d "$work/corpus-10k" ] || python3 "$gen" --out "$work/corpus-10k" --count 10000
[ -f "$work/big-50mb.md" ] || python3 "$gen" --single "$work/big-50mb.md" --single-mb 50
[ -f "$work/rules.rg" ] || python3 "$gen" --patterns "$work/rules.rg" --pattern-count 300
# Awkward shapes at two sizes: their time ratio shows any step that is not linear.
for mb in 1 4; do
    python3 "$root/scripts/shapes.py" "$((mb * 1000000))" "$work/shapes-${mb}mb"
done

cargo build --release --locked --quiet
proplint="$root/target/release/proplint"

# Peers, installed outside the repository's tracked files.
mdl="$peers/node_modules/.bin/markdownlint-cli2"
if [ ! -x "$mdl" ] && command -v npm >/dev/null; then
    echo "bench: installing markdownlint-cli2 into $peers" >&2
    npm install --prefix "$peers" --no-save --no-audit --no-fund markdownlint-cli2 >/dev/null 2>&1 || true
fi
rg_bin="$(command -v rg || true)"
if [ -z "$rg_bin" ] && command -v apt-get >/dev/null; then
    apt-get install -y ripgrep >/dev/null 2>&1 || true
    rg_bin="$(command -v rg || true)"
fi

results="$work/results.tsv"
: >"$results"
# One timed run: set, tool, round, then the command. Output goes to /dev/null; a tool that
# reports findings exits non-zero, which is not a failure here.
timed() {
    local set="$1" tool="$2" round="$3"
    shift 3
    local log="$work/time-$set-$tool-$round.txt" status=0
    /usr/bin/time -v -o "$log" timeout "$limit" "$@" >/dev/null 2>&1 || status=$?
    printf '%s\t%s\t%s\t%s\t%s\n' "$set" "$tool" "$round" "$log" "$status" >>"$results"
}

for set in $sets; do
    case "$set" in
        1k | 10k) target="$work/corpus-$set" ;;
        50mb) target="$work/big-50mb.md" ;;
        shapes)
            echo "bench: shapes ($runs rounds)" >&2
            for round in $(seq 1 "$runs"); do
                for file in "$work"/shapes-1mb/*; do
                    for mb in 1 4; do
                        name="$(basename "$file")"
                        timed "shape:$name:$mb" proplint "$round" "$proplint" check --format json --max-file-size 100000000 "$work/shapes-${mb}mb/$name"
                    done
                done
            done
            continue
            ;;
        formats)
            echo "bench: formats ($runs rounds)" >&2
            for round in $(seq 1 "$runs"); do
                for format in json human concise json-lines sarif github gitlab junit markdown html; do
                    timed "format:$format" proplint "$round" "$proplint" check --format "$format" "$work/corpus-$formats_corpus"
                done
            done
            continue
            ;;
        startup)
            # Milliseconds: /usr/bin/time counts in hundredths of a second, so these are
            # timed here, 30 runs each (more with RUNS over 5), fastest and median.
            echo "bench: startup" >&2
            mkdir -p "$work/startup/none"
            printf '# Summary\n\nA small file.\n' >"$work/startup/small.md"
            python3 - "$proplint" "$work/startup.md" "$((runs > 5 ? runs * 6 : 30))" \
                "$work/startup/none" "$work/startup/small.md" \
                "$root/fixtures/proposals/housing-repairs-reporting.md" \
                "$root/fixtures/proposals/digital-inclusion-pilot.toml" <<'PY'
import os, re, shutil, statistics, subprocess, sys, time
binary, out, n, *targets = sys.argv[1:]
rows = []
for target in targets:
    cmd = [binary, "check", "--no-config", "--format", "json", target]
    walls = []
    for _ in range(int(n)):
        t = time.perf_counter()
        subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        walls.append((time.perf_counter() - t) * 1000)
    instructions = "-"
    if shutil.which("valgrind"):
        run = subprocess.run(["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null"] + cmd,
                             stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        m = re.search(r"refs:\s+([\d,]+)", run.stderr)
        instructions = f"{int(m.group(1).replace(',', '')) / 1e6:.0f} M" if m else "-"
    name = "no files (start-up alone)" if os.path.isdir(target) else f"{os.path.basename(target)}, {os.path.getsize(target):,} bytes"
    rows.append(f"| {name} | {min(walls):.1f} ms | {statistics.median(walls):.1f} ms | {instructions} |")
with open(out, "w") as f:
    f.write(f"\n### startup: one run of `check --format json`, fastest and median of {n}\n\n")
    f.write("| input | fastest | median | instructions (callgrind) |\n|---|---|---|---|\n")
    f.write("\n".join(rows) + "\n")
PY
            continue
            ;;
        *) echo "bench: unknown set $set" >&2; exit 2 ;;
    esac
    echo "bench: $set ($runs rounds)" >&2
    for round in $(seq 1 "$runs"); do
        timed "$set" proplint "$round" "$proplint" check --format json --max-file-size 100000000 "$target"
        timed "$set" cat "$round" sh -c 'find "$1" -type f -print0 | xargs -0 cat' sh "$target"
        if [ -x "$mdl" ]; then
            if [ "$set" = 50mb ]; then
                timed "$set" markdownlint-cli2 "$round" "$mdl" "$target"
            else
                timed "$set" markdownlint-cli2 "$round" "$mdl" "$target/**/*.md"
            fi
        fi
        if [ -n "$rg_bin" ]; then
            timed "$set" rg-300-patterns "$round" "$rg_bin" --no-config -c -f "$work/rules.rg" "$target"
        fi
    done
done

python3 - "$results" "$work" "$formats_corpus" <<'EOF'
import os, re, statistics, sys
results, work = sys.argv[1], sys.argv[2]
rows = [line.rstrip("\n").split("\t") for line in open(results) if line.strip()]

def parse(log):
    text = open(log).read()
    def field(name):
        m = re.search(re.escape(name) + r": (.+)", text)
        return m.group(1).strip() if m else "0"
    wall = field("Elapsed (wall clock) time (h:mm:ss or m:ss)")
    secs = 0.0
    for part in wall.split(":"):
        secs = secs * 60 + float(part)
    cpu = float(field("User time (seconds)")) + float(field("System time (seconds)"))
    return secs, cpu, int(field("Maximum resident set size (kbytes)")) / 1024

def size(set_name):
    path = os.path.join(work, "big-50mb.md" if set_name == "50mb" else f"corpus-{set_name}")
    if os.path.isfile(path):
        return 1, os.path.getsize(path)
    files = total = 0
    for d, _, names in os.walk(path):
        for n in names:
            files += 1
            total += os.path.getsize(os.path.join(d, n))
    return files, total

by = {}
timeouts = {}
shapes = {}
formats = {}
for set_name, tool, _, log, status in rows:
    if set_name.startswith("format:"):
        formats.setdefault(set_name.split(":", 1)[1], []).append(parse(log))
        continue
    if set_name.startswith("shape:"):
        _, name, mb = set_name.split(":")
        shapes.setdefault(name, {}).setdefault(int(mb), []).append(parse(log)[0])
        continue
    by.setdefault(set_name, {}).setdefault(tool, []).append(parse(log))
    if status == "124":
        timeouts[(set_name, tool)] = timeouts.get((set_name, tool), 0) + 1
print(f"nproc {os.cpu_count()}; CPU {next((l.split(':', 1)[1].strip() for l in open('/proc/cpuinfo') if l.startswith('model name')), '?')}")
for set_name, tools in by.items():
    files, total = size(set_name)
    print(f"\n### {set_name}: {files} files, {total / 1e6:.1f} MB\n")
    print("| tool | wall (median) | CPU (median) | peak RSS | files/s | MB/s | proplint is |")
    print("|---|---|---|---|---|---|---|")
    base = max(statistics.median(r[0] for r in tools["proplint"]), 1e-3)
    for tool, runs in tools.items():
        wall = statistics.median(r[0] for r in runs)
        cpu = statistics.median(r[1] for r in runs)
        rss = max(r[2] for r in runs)
        # GNU time reports to the hundredth: a run under 5 ms reads as 0.00 s.
        w = max(wall, 1e-3)
        ratio = "" if tool == "proplint" else f"{w / base:.1f}x faster" if w >= base else f"{base / w:.1f}x slower"
        note = f" (stopped after {wall:.0f} s in {timeouts[(set_name, tool)]} of {len(runs)} runs)" if (set_name, tool) in timeouts else ""
        rate = files / w
        rate = f"{rate:,.0f}" if rate >= 10 else f"{rate:.2f}"
        print(f"| {tool}{note} | {wall:.2f} s | {cpu:.2f} s | {rss:.0f} MB | {rate} | {total / 1e6 / w:.1f} | {ratio} |")
if formats:
    print(f"\n### formats: corpus-{sys.argv[3]} in each output format (proplint, median)\n")
    print("| format | wall | CPU | peak RSS | wall / json's |")
    print("|---|---|---|---|---|")
    json_wall = max(statistics.median(r[0] for r in formats.get("json", [(1.0, 0, 0)])), 1e-2)
    for name, runs in formats.items():
        wall = statistics.median(r[0] for r in runs)
        cpu = statistics.median(r[1] for r in runs)
        rss = max(r[2] for r in runs)
        print(f"| {name} | {wall:.2f} s | {cpu:.2f} s | {rss:.0f} MB | {wall / json_wall:.1f} |")
if shapes:
    # Four times the text should cost about four times as much; start-up makes small
    # files' ratios lower. Over 6 means some step grows faster than the text.
    print("\n### shapes: one file each, 1 MB and 4 MB (proplint wall, median)\n")
    print("| shape | 1 MB | 4 MB | 4 MB / 1 MB |")
    print("|---|---|---|---|")
    for name, sizes in sorted(shapes.items()):
        one, four = (statistics.median(sizes.get(mb, [0.0])) for mb in (1, 4))
        ratio = four / max(one, 1e-2)
        flag = " (not linear)" if ratio > 6 else ""
        print(f"| {name} | {one:.2f} s | {four:.2f} s | {ratio:.1f}{flag} |")
EOF
case " $sets " in
    *" startup "*) cat "$work/startup.md" ;;
esac
