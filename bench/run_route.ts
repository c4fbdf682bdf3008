// Seed 004's four scenarios (bench/workloads/route_scenarios.ts) for routeSink inside the
// producer process, scaled to this machine (run on Bun):
//   steady   10 analyzers, equal weights, a steady rate
//   bursts   10 analyzers, a base rate with 10x spikes
//   failures 8 analyzers; 2 killed a third of the way in and restarted at two thirds
//   scaling  4 -> 20 analyzers (a new routeSink per step) while the rate grows
// Analyzers run in their own process (bench/workloads/analyzers.ts). Each record carries an id
// and its send time: the analyzers count lost (never received) and doubled ids and end-to-end
// latency. Env: RATE (records/s, default 10000), SECONDS (per scenario, default 20),
// SCENARIOS (comma list). Smoke run: RATE=500 SECONDS=2 bun bench/run_route.ts
// The same scenarios through the collector: bench/run_route_collector.ts.
import { createLogger, httpSink, routeSink, type RouteSink } from "../mod.ts";
import { drive, peakRssMb, report, row, SCENARIOS, scenario, SECONDS, settle, startAnalyzers } from "./workloads/route_scenarios.ts";

function router(ports: number[]): RouteSink {
  return routeSink({
    targets: ports.map((p) => ({ name: `a${p}`, sink: httpSink(`http://127.0.0.1:${p}/ingest`, { gzip: false }) })), // the breaker is the retry policy
    breaker: { failures: 3, openMs: 1000, timeoutMs: 1000 },
    batch: { maxRecords: 500, maxAgeMs: 10 },
    maxQueuedRecords: 200_000,
  });
}

const results: Record<string, string | number>[] = [];
for (const name of SCENARIOS) {
  const sc = scenario(name);
  const a = await startAnalyzers(sc.analyzers);
  let id = 0;
  let ports = a.ports.slice(0, sc.targetsAt(0));
  let route = router(ports);
  const logs = [createLogger({ sinks: [route], onError: () => {} })];
  const routes = [route];
  const events: string[] = [];
  let killedAt = 0;
  let redistributedMs: number | undefined;
  const at = async (t: number) => {
    if (sc.killAt !== undefined && t >= sc.killAt && killedAt === 0) {
      for (const p of ports.slice(0, 2)) await a.call(`/stop?port=${p}`);
      killedAt = performance.now();
      events.push(`killed 2 at ${t.toFixed(1)} s`);
    }
    if (killedAt > 0 && redistributedMs === undefined && route.routeStats().targets.slice(0, 2).every((s) => s.state !== "closed")) {
      redistributedMs = Math.round(performance.now() - killedAt);
    }
    if (sc.restartAt !== undefined && t >= sc.restartAt && !events.some((e) => e.startsWith("restarted"))) {
      for (const p of ports.slice(0, 2)) await a.call(`/start?port=${p}`);
      events.push(`restarted 2 at ${t.toFixed(1)} s`);
    }
    if (sc.targetsAt(t) > ports.length) {
      ports = a.ports.slice(0, sc.targetsAt(t));
      route = router(ports);
      routes.push(route);
      const old = logs.at(-1)!;
      logs.push(createLogger({ sinks: [route], onError: () => {} }));
      void old.close();
    }
  };
  const sent = await drive(SECONDS, sc.rate, at, () => logs.at(-1)!.info("event", { id: id++, t: Date.now() }));
  await Promise.all(logs.map((l) => l.close()));
  await settle(a.counts, sent);
  results.push({
    ...row(sc, sent, await a.stats()), redistributedMs: redistributedMs ?? "", events: events.join("; "),
    "analyzers peak RSS MB": peakRssMb(a.child.pid), "router peak RSS MB": peakRssMb("self"),
    failedOver: routes.reduce((x, r) => x + r.routeStats().failedOver, 0),
  });
  a.child.kill();
  await a.child.exited;
}
report(results);
