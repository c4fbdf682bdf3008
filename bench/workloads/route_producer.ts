// One producer process of bench/run_route_collector.ts (Bun): EMITTERS loggers, each an
// `httpSink` to the collector under its own producer name (`p<INDEX>-e<i>`, token TOKEN),
// logging this process's part (1/PRODUCERS) of scenario SCENARIO's rate for SECONDS from
// START_AT (ms since the epoch), round-robin over the emitters; before that, for WARMUP s, the
// scenario's first WARMUP s with records marked `warm: 1` (counted, but not timed by the
// analyzers: the processes' JIT warm-up is not the steady state). Record ids are
// INDEX, INDEX + PRODUCERS, ... so the producers' ids never meet; each record's `t` is the time
// of its log call. Prints one JSON line at the end: records logged, records the loggers
// dropped (by reason), peak RSS in MB.
import { createLogger, httpSink } from "../../mod.ts";
import { drive, peakRssMb, scenario, SECONDS, sleep, WARMUP } from "./route_scenarios.ts";

const env = (name: string) => {
  const v = process.env[name];
  if (v === undefined) throw new TypeError(`route_producer: ${name} is required`);
  return v;
};
const index = Number(env("INDEX"));
const producers = Number(env("PRODUCERS"));
const sc = scenario(env("SCENARIO"));
const emitters = Array.from({ length: Number(process.env.EMITTERS ?? 5) }, (_, i) =>
  createLogger({
    sinks: [httpSink(env("URL"), { token: env("TOKEN"), producer: `p${index}-e${i}`, gzip: false, batch: { maxAgeMs: 20 }, maxQueuedRecords: 1_000_000 })],
    onError: (err) => console.error(`p${index}-e${i}: ${err}`),
  })
);
await sleep(Math.max(0, Number(env("START_AT")) - Date.now() - WARMUP * 1000));
let id = index;
let next = 0;
const emit = (warm?: 1) => () => {
  emitters[next++ % emitters.length].info("event", { id, t: Date.now(), warm });
  id += producers;
};
const rate = (t: number) => sc.rate(t) / producers;
const logged = await drive(WARMUP, rate, async () => {}, emit(1)) + await drive(SECONDS, rate, async () => {}, emit());
await Promise.all(emitters.map((log) => log.flush()));
const dropped: Record<string, number> = {};
for (const log of emitters) for (const [k, n] of Object.entries(log.stats().dropped)) dropped[k] = (dropped[k] ?? 0) + (n ?? 0);
await Promise.all(emitters.map((log) => log.close()));
console.log(JSON.stringify({ logged, dropped, peakRssMb: peakRssMb("self") }));
