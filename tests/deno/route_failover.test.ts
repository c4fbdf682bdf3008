// The router owns failover on Deno: three default httpSink targets, one answering 503 or never
// answering, a spooled one letting go of refused batches (tests/scenarios/route_failover.mjs;
// Bun's suite is tests/route_failover.test.ts).
import * as sluice from "../../mod.ts";
import { runFailover } from "../scenarios/route_failover.mjs";

function same(actual: unknown, expected: unknown) {
  if (JSON.stringify(actual) !== JSON.stringify(expected)) throw new Error(`expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`);
}

Deno.test("three default httpSink targets, one answering 503: every refused record accepted elsewhere within 5 s, none lost or doubled", async () => {
  const r = await runFailover(sluice, { records: 10_000, rate: 10_000, bad: "503" });
  if (!(r.refused > 0)) throw new Error("the bad target refused nothing");
  same({ lost: r.lost, doubled: r.doubled, dropped: r.dropped, bad: r.accepted[0] }, { lost: 0, doubled: 0, dropped: {}, bad: 0 });
  if (!(r.worstMs < 5_000)) throw new Error(`worst ${r.worstMs} ms`);
});

Deno.test("a target that never answers gives its batches up at the breaker's timeoutMs (2 s); a spooled one keeps none of them", async () => {
  const dirs = [0, 1, 2].map(() => Deno.makeTempDirSync({ prefix: "sluice-route-spool-" }));
  const r = await runFailover(sluice, { records: 3_000, rate: 10_000, bad: "hang", target: (i: number) => ({ spool: dirs[i] }) });
  if (!(r.refused > 0)) throw new Error("the bad target was sent nothing");
  same({ lost: r.lost, doubled: r.doubled }, { lost: 0, doubled: 0 });
  if (!(r.worstMs >= 1_900 && r.worstMs < 4_000)) throw new Error(`worst ${r.worstMs} ms`);
  for (const d of dirs) same([...Deno.readDirSync(d)].filter((e) => e.name.endsWith(".batch")), []);
});
