// mitata micro-benchmarks of the volume stages and the pretty format, per batch of 1,000
// records: an identity syncStage as the anchor (the cost of being a stage at all), throttle
// (one key, most suppressed; and 1,000 distinct keys), sample (traced records: a field lookup
// and a hash; untraced: the counter), fingersCrossed (held, no scope); then per record the
// formats a console writes: text (the console's format before "auto", the anchor), pretty
// (plain and coloured, with fields).
// Run: bun bench/stages.bench.ts (also: deno run -A --config deno.json bench/stages.bench.ts);
// BENCH_P50=1 prints each line's median for scripts.
import { bench, do_not_optimize, group, run, summary } from "mitata";
import { createRecord, fingersCrossed, type LogRecord, prettyFormatter, sample, syncStage, textFormatter, throttle } from "../mod.ts";

const N = 1000;
const t0 = Date.UTC(2026, 11, 6);
const same = Array.from({ length: N }, (_, i) => createRecord(t0, "info", "http", "request handled", `,"route":"/api/items","i":${i}}`));
const distinct = Array.from({ length: N }, (_, i) => createRecord(t0, "info", "http", `request ${i} handled`, `,"route":"/api/items"}`));
const traced = Array.from({ length: N }, (_, i) => createRecord(t0, "info", "http", "request handled", `,"route":"/api/items","trace_id":"${(i * 2654435761 >>> 0).toString(16)}a3ce929d0e0e4736","span_id":"00f067aa0ba902b7"}`));

const identity = syncStage((b: readonly LogRecord[]) => [...b]);
let clock = t0;
const oneKey = throttle({ max: 10, windowMs: 1000, now: () => clock });
const manyKeys = throttle({ max: 10, windowMs: 1000, now: () => clock });
const sampled = sample({ rate: 0.1 });
const held = fingersCrossed({ scope: "none", bufferSize: 100 });

summary(() => {
  group("a batch of 1,000 records through one stage", () => {
    bench("syncStage identity (anchor)", () => do_not_optimize(identity.transform(same)));
    bench("throttle, one key", () => do_not_optimize(oneKey.transform(same)));
    bench("throttle, 1,000 keys", () => {
      clock += 1000; // a new window each time: every key counted afresh
      do_not_optimize(manyKeys.transform(distinct));
    });
    bench("sample 10%, traced", () => do_not_optimize(sampled.transform(traced)));
    bench("sample 10%, untraced", () => do_not_optimize(sampled.transform(same)));
    bench("fingersCrossed, held", () => do_not_optimize(held.transform(same)));
  });
});

const fields = createRecord(t0, "error", "http", "upstream failed", `,"reqId":"r1","route":"/api/items","ms":12,"user":{"id":42,"name":"Ann Lee"}}`);
const text = textFormatter(), plain = prettyFormatter(), colour = prettyFormatter({ color: true });
summary(() => {
  group("one record as a line", () => {
    bench("text (anchor)", () => do_not_optimize(text(fields)));
    bench("pretty", () => do_not_optimize(plain(fields)));
    bench("pretty, colour", () => do_not_optimize(colour(fields)));
  });
});

const result = await run();
// BENCH_P50=1 adds each line's median (ns), tab-separated, for a script to take medians over runs
if (process.env.BENCH_P50) for (const b of result.benchmarks) console.log(`p50\t${b.alias}\t${b.runs[0].stats?.p50.toFixed(1)}`);
