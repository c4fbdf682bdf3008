#!/usr/bin/env bash
# Interleaved A/B of the 1M-record file workload between two checkouts: BEFORE (default
# ../bench-before, e.g. `git worktree add ../bench-before <commit>` + npm install) and this one.
# Each round runs floor and sluice on each runtime in both trees. Usage: ROUNDS=3 bench/ab_file.sh
set -u
here=$(cd "$(dirname "$0")/.." && pwd)
before=${BEFORE:-$here/../bench-before}
for r in $(seq 1 "${ROUNDS:-3}"); do
  for tree in "$before" "$here"; do
    (cd "$tree" && ROUNDS=1 SKIP_FLOOR_CHECK=1 N="${N:-1000000}" RUNTIMES="${RUNTIMES:-bun,deno,node}" WORKLOADS=floor,sluice \
      node bench/run_file.mjs 2>/dev/null | grep -E "^\| (bun|deno|node)" | sed "s#^#$(basename "$tree") r$r #")
  done
done
