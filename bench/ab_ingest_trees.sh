#!/bin/bash
# The collector's ingest from several checkouts, interleaved: bench/workloads/ingest_load.ts (C=8
# loops of 1,000-record batches, 4 s) against `bun cli.ts serve` of each tree, ROUNDS rounds;
# prints records/s, p50 and the collector's CPU seconds (user + system from /proc) per run.
#   TREES="/tmp/before ." bash bench/ab_ingest_trees.sh     (a tree: a checkout with node_modules,
#   e.g. git worktree add /tmp/before <commit> && ln -s "$PWD/node_modules" /tmp/before/)
set -u
root=$(cd "$(dirname "$0")/.." && pwd)
bun=$root/node_modules/.bin/bun
trees=${TREES:?set TREES to the checkouts to compare}
port=18300
for r in $(seq 1 "${ROUNDS:-3}"); do
  for dir in $trees; do
    port=$((port + 1)); D=$(mktemp -d)
    (cd "$dir" && exec "$bun" cli.ts serve --port $port --dir "$D" --no-auth --rate-limit 10000000 > /dev/null 2>&1) &
    sleep 1.5
    out=$(URL=http://127.0.0.1:$port/ingest C=8 T=4 B=1000 "$bun" "$root/bench/workloads/ingest_load.ts" | tail -1)
    pid=$(pgrep -f "serve --port $port "); cpu=$(awk '{print ($14+$15)/100}' /proc/$pid/stat 2>/dev/null)
    kill "$pid" 2>/dev/null; wait 2>/dev/null; rm -rf "$D"
    echo "$r $dir $(echo "$out" | grep -o '"recordsPerSec":[0-9]*' | cut -d: -f2) rec/s, p50 $(echo "$out" | grep -o '"p50ms":"[0-9.]*"' | cut -d'"' -f4) ms, collector cpu ${cpu}s, records $(echo "$out" | grep -o '"records":[0-9]*' | cut -d: -f2)"
  done
done
