#!/usr/bin/env bash
# Interleaved in-process A/B of the log call on Node (bench/log_cpu.mjs): BEFORE (default
# ../bench-before) against this checkout, ROUNDS rounds (default 7), each tree's dist/ built
# first. Prints every run's CPU ms and the median per tree. About 1 s of CPU per run.
# Usage: ROUNDS=7 N=500000 bench/ab_cpu.sh
set -eu
here=$(cd "$(dirname "$0")/.." && pwd)
before=$(cd "${BEFORE:-$here/../bench-before}" && pwd)
for tree in "$before" "$here"; do (cd "$tree" && node_modules/.bin/tsc -p tsconfig.build.json); done
declare -A runs
for r in $(seq 1 "${ROUNDS:-7}"); do
  for tree in "$before" "$here"; do
    ms=$(MOD="$tree/dist/mod.js" node "$here/bench/log_cpu.mjs" | cut -d' ' -f1)
    runs[$tree]="${runs[$tree]:-} $ms"
  done
done
for tree in "$before" "$here"; do
  median=$(echo ${runs[$tree]} | tr ' ' '\n' | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
  echo "$(basename "$tree"): median ${median} ms CPU; runs:${runs[$tree]}"
done
