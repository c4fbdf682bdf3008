// Issue 18's routing target: routeSink over three httpSink targets with default options (and the
// default breaker), real HTTP servers on 127.0.0.1 in this process, the first answering 503
// (Retry-After: 1) or never answering: records lost, doubled, and the time from a refusal to the
// acceptance elsewhere. The case lives in tests/scenarios/route_failover.mjs (the tests run it small).
// Env: RECORDS (default 120000), RATE (records/s, default 10000), BAD (503 | hang, default both).
// Run: node_modules/.bin/bun bench/run_route_failover.ts
import * as sluice from "../mod.ts";
import { runFailover } from "../tests/scenarios/route_failover.mjs";

const records = Number(process.env.RECORDS ?? 120_000);
const rate = Number(process.env.RATE ?? 10_000);
const modes = (process.env.BAD ?? "503,hang").split(",");
for (const bad of modes) {
  const r = await runFailover(sluice, { records, rate, bad });
  console.log(JSON.stringify({ bad, ...r }));
}
