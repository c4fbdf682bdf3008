// Seed 004's four scenarios for routeSink, scaled to this machine (run on Bun):
//   steady   10 analyzers, equal weights, a steady rate
//   bursts   10 analyzers, a base rate with 10x spikes
//   failures 8 analyzers; 2 killed a third of the way in and restarted at two thirds
//   scaling  4 -> 20 analyzers (a new routeSink per step) while the rate grows
// Analyzers run in their own process (bench/workloads/analyzers.ts). Each record carries an id
// and its send time: the analyzers count lost (never received) and doubled ids and end-to-end
// latency. Env: RATE (records/s, default 10000), SECONDS (per scenario, default 20),
// SCENARIOS (comma list). Smoke run: RATE=500 SECONDS=2 bun bench/run_route.ts
import { createLogger, httpSink, routeSink, type RouteSink } from "../mod.ts";

const RATE = Number(process.env.RATE ?? 10_000);
const SECONDS = Number(process.env.SECONDS ?? 20);
const SCENARIOS = (process.env.SCENARIOS ?? "steady,bursts,failures,scaling").split(",");
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function startAnalyzers(n: number) {
  const child = Bun.spawn([process.execPath, new URL("./workloads/analyzers.ts", import.meta.url).pathname, String(n)], { stdout: "pipe", stderr: "inherit" });
  const reader = child.stdout.getReader();
  let text = "";
  while (!text.includes("\n")) text += new TextDecoder().decode((await reader.read()).value);
  const { control, ports } = JSON.parse(text) as { control: number; ports: number[] };
  const call = (path: string) => fetch(`http://127.0.0.1:${control}${path}`, { method: path === "/stats" ? "GET" : "POST" }).then((r) => r.json());
  return { child, ports, call };
}

function router(ports: number[]): RouteSink {
  return routeSink({
    targets: ports.map((p) => ({ name: `a${p}`, sink: httpSink(`http://127.0.0.1:${p}/ingest`, { gzip: false, timeoutMs: 1000, retry: { maxAttempts: 1 }, batch: { maxRecords: 500, maxAgeMs: 20 } }) })),
    breaker: { failures: 3, openMs: 1000, timeoutMs: 1000 },
    batch: { maxRecords: 500, maxAgeMs: 10 },
    maxQueuedRecords: 200_000,
  });
}

/** Logs at `rate(t)` records/s for `seconds` (what is owed since the last tick, every ~10 ms); `at(t)` runs scenario events. */
async function drive(seconds: number, rate: (t: number) => number, at: (t: number) => Promise<void>, id: { n: number }, logs: ReturnType<typeof createLogger>[]) {
  const start = performance.now();
  let sent = 0;
  let owed = 0;
  let last = start;
  for (let now = start; now - start < seconds * 1000; now = performance.now()) {
    const t = (now - start) / 1000;
    await at(t);
    owed += (rate(t) * (now - last)) / 1000;
    last = now;
    const log = logs.at(-1)!;
    for (; owed >= 1; owed--, sent++) log.info("event", { id: id.n++, t: Date.now() });
    await sleep(10);
  }
  return sent;
}

const results: Record<string, unknown>[] = [];
for (const name of SCENARIOS) {
  const n = name === "steady" || name === "bursts" ? 10 : name === "failures" ? 8 : 20;
  const a = await startAnalyzers(n);
  const id = { n: 0 };
  let ports = name === "scaling" ? a.ports.slice(0, 4) : a.ports;
  let route = router(ports);
  const logs = [createLogger({ sinks: [route], onError: () => {} })];
  const routes = [route];
  const events: string[] = [];
  let killedAt = 0;
  let redistributedMs: number | undefined;
  const rate = name === "bursts" ? (t: number) => ((t % 2) < 0.2 ? RATE : RATE / 10)
    : name === "scaling" ? (t: number) => RATE * (0.2 + 0.8 * t / SECONDS) : () => RATE;
  const at = async (t: number) => {
    if (name === "failures") {
      if (t >= SECONDS / 3 && killedAt === 0) {
        for (const p of ports.slice(0, 2)) await a.call(`/stop?port=${p}`);
        killedAt = performance.now();
        events.push(`killed 2 at ${t.toFixed(1)} s`);
      }
      if (killedAt > 0 && redistributedMs === undefined && route.routeStats().targets.slice(0, 2).every((s) => s.state !== "closed")) {
        redistributedMs = Math.round(performance.now() - killedAt);
      }
      if (t >= (2 * SECONDS) / 3 && !events.some((e) => e.startsWith("restarted"))) {
        for (const p of ports.slice(0, 2)) await a.call(`/start?port=${p}`);
        events.push(`restarted 2 at ${t.toFixed(1)} s`);
      }
    }
    if (name === "scaling") {
      const want = Math.min(20, 4 + Math.floor((t / SECONDS) * 17));
      if (want > ports.length) {
        ports = a.ports.slice(0, want);
        route = router(ports);
        routes.push(route);
        const old = logs.at(-1)!;
        logs.push(createLogger({ sinks: [route], onError: () => {} }));
        void old.close();
      }
    }
  };
  const sent = await drive(SECONDS, rate, at, id, logs);
  await Promise.all(logs.map((l) => l.close()));
  await sleep(200);
  const s = await a.call("/stats");
  const received = Object.values(s.counts as Record<string, number>).reduce((x, y) => x + y, 0);
  const spread = Object.values(s.counts as Record<string, number>);
  results.push({
    scenario: name, "rate/s": Math.round(sent / SECONDS), analyzers: name === "scaling" ? "4->20" : n, sent, received, lost: sent - (received - s.duplicates), doubled: s.duplicates,
    "share min/max vs equal": name === "steady" ? `${(Math.min(...spread) / (received / n)).toFixed(3)} / ${(Math.max(...spread) / (received / n)).toFixed(3)}` : "",
    "e2e p50/p99 ms": `${s.p50} / ${s.p99}`, redistributedMs: redistributedMs ?? "", events: events.join("; "),
    "analyzers RSS MB": s.rssMb, "router RSS MB": Math.round(process.memoryUsage().rss / 2 ** 20),
    failedOver: routes.reduce((x, r) => x + r.routeStats().failedOver, 0),
  });
  a.child.kill();
  await a.child.exited;
}
console.table(results);
const bad = results.filter((r) => r.lost !== 0 || r.doubled !== 0);
if (bad.length > 0) {
  console.error("records lost or doubled:", bad.map((r) => r.scenario).join(", "));
  process.exit(1);
}
