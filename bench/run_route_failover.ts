// Issue 18's routing target: routeSink over three httpSink targets with default options (and the
// default breaker), real HTTP servers on 127.0.0.1 in this process, the first answering 503
// (Retry-After: 1) or never answering: records lost, doubled, and the time from a refusal to the
// acceptance elsewhere. The case lives in tests/helpers/route_failover.ts (the test runs it small).
// Env: RECORDS (default 120000), RATE (records/s, default 10000), BAD (503 | hang, default both).
// Run: node_modules/.bin/bun bench/run_route_failover.ts
import { type BadMode, runFailover } from "../tests/helpers/route_failover.ts";

const records = Number(process.env.RECORDS ?? 120_000);
const rate = Number(process.env.RATE ?? 10_000);
const modes = (process.env.BAD ?? "503,hang").split(",") as BadMode[];
for (const bad of modes) {
  const r = await runFailover({ records, rate, bad });
  console.log(JSON.stringify({ bad, ...r }));
}
