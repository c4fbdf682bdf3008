#!/usr/bin/env bash
# Interleaved A/B of mitata lines (bench/micro.bench.ts): BEFORE (default ../bench-before)
# against this checkout, ROUNDS rounds (default 5), on RUNTIME (bun or deno). This checkout's
# micro.bench.ts runs in both trees (copied into BEFORE for the run and put back after), so a
# line added since exists on both sides: in BEFORE it runs on the old code. Prints each line's
# median (p50, ns) per run and the median of those per tree. Prints the load average first.
# Usage: ROUNDS=5 RUNTIME=bun BENCH_FILTER="baseline|disabled" BEFORE=/tmp/bench-before bench/ab_micro.sh
set -eu
here=$(cd "$(dirname "$0")/.." && pwd)
before=$(cd "${BEFORE:-$here/../bench-before}" && pwd)
runtime=${RUNTIME:-bun}
saved=$(mktemp)
cp "$before/bench/micro.bench.ts" "$saved"
trap 'cp "$saved" "$before/bench/micro.bench.ts"; rm -f "$saved"' EXIT
cp "$here/bench/micro.bench.ts" "$before/bench/micro.bench.ts"
out=$(mktemp)
uptime
for r in $(seq 1 "${ROUNDS:-5}"); do
  for tree in "$before" "$here"; do
    cd "$tree"
    if [ "$runtime" = deno ]; then cmd=(node_modules/.bin/deno run -A --config deno.json bench/micro.bench.ts); else cmd=(node_modules/.bin/bun bench/micro.bench.ts); fi
    BENCH_P50=1 BENCH_FILTER="${BENCH_FILTER:-}" "${cmd[@]}" 2>/dev/null | grep '^p50' | sed "s|^p50|$(basename "$tree")\t$r|" | tee -a "$out"
  done
done
uptime
echo "medians of the per-run p50s (ns):"
node -e '
const rows = require("fs").readFileSync(process.argv[1], "utf8").trim().split("\n").map((l) => l.split("\t"));
const by = new Map();
for (const [tree, , line, ns] of rows) by.set(line + "\t" + tree, [...(by.get(line + "\t" + tree) ?? []), Number(ns)]);
for (const [key, v] of [...by].sort()) { v.sort((a, b) => a - b); console.log(key + "\t" + v[(v.length - 1) >> 1].toFixed(3) + "\t(" + v.join(" ") + ")"); }
' "$out"
rm -f "$out"
