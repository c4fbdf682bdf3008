// The router owns failover on Node, from the built package (dist/mod.js): three default httpSink
// targets, one answering 503 or never answering, a spooled one letting go of refused batches
// (tests/scenarios/route_failover.mjs; Bun's suite is tests/route_failover.test.ts).
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as sluice from "../../dist/mod.js";
import { runFailover } from "../scenarios/route_failover.mjs";

test("three default httpSink targets, one answering 503: every refused record accepted elsewhere within 5 s, none lost or doubled", async () => {
  const r = await runFailover(sluice, { records: 10_000, rate: 10_000, bad: "503" });
  assert.ok(r.refused > 0);
  assert.deepEqual({ lost: r.lost, doubled: r.doubled, dropped: r.dropped, bad: r.accepted[0] }, { lost: 0, doubled: 0, dropped: {}, bad: 0 });
  assert.ok(r.worstMs < 5_000, `worst ${r.worstMs} ms`);
});

test("a target that never answers gives its batches up at the breaker's timeoutMs (2 s); a spooled one keeps none of them", async () => {
  const dirs = [0, 1, 2].map(() => mkdtempSync(join(tmpdir(), "sluice-route-spool-")));
  const r = await runFailover(sluice, { records: 3_000, rate: 10_000, bad: "hang", target: (i) => ({ spool: dirs[i] }) });
  assert.ok(r.refused > 0);
  assert.deepEqual({ lost: r.lost, doubled: r.doubled }, { lost: 0, doubled: 0 });
  assert.ok(r.worstMs >= 1_900 && r.worstMs < 4_000, `worst ${r.worstMs} ms`);
  for (const d of dirs) assert.deepEqual(readdirSync(d).filter((n) => n.endsWith(".batch")), []);
});
