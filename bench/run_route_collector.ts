// Seed 004's four scenarios (bench/workloads/route_scenarios.ts) through the collector, as
// users run it (Bun): PRODUCERS processes (bench/workloads/route_producer.ts), each with
// EMITTERS loggers whose `httpSink` sends, under its own producer name and a token, to
// `sluice serve --route routes.json` (a child process: `bun cli.ts serve`, or with
// COLLECTOR=node the built `node dist/cli.js serve`), which routes to the analyzers
// (bench/workloads/analyzers.ts, their own process).
//   failures  2 of 8 analyzers killed at a third and restarted at two thirds: the collector's
//             breakers must move their share (redistributed: from the kill until /metrics shows
//             both not closed). FAIL=hang: they stop answering instead (take requests, answer
//             none until two thirds; their targets' timeoutMs is longer than that, so what they
//             took is written by them once, not retried elsewhere)
//   scaling   routes.json rewritten (atomically) from 4 to 20 targets in steps while the rate
//             grows; the collector reloads it (its poll, every second)
// Lost and doubled are counted by record id at the analyzers; end to end is from the log call to
// the analyzer's receipt. Peak RSS is VmHWM from /proc/<pid>/status. Every child is killed at
// the end, on error too. Exits 1 if a record was lost or doubled or a share was off by > 5%.
// Env: RATE (records/s, 10000), SECONDS (per scenario, 20), SCENARIOS, PRODUCERS (2),
// EMITTERS (5 per producer), COLLECTOR (bun | node), FAIL (kill | hang), WARMUP (1: seconds of
// records before each scenario, the scenario's first second played once more, counted for lost
// and doubled but not timed, so p50/p99 are of the steady state; 0 times all). Smoke: RATE=1000 SECONDS=3 bun bench/run_route_collector.ts
import type { Subprocess } from "bun";
import { mkdtempSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { firstLine, peakRssMb, RATE, report, row, type Scenario, SCENARIOS, scenario, SECONDS, settle, sleep, startAnalyzers, WARMUP } from "./workloads/route_scenarios.ts";

const root = new URL("../", import.meta.url).pathname;
const PRODUCERS = Number(process.env.PRODUCERS ?? 2);
const EMITTERS = Number(process.env.EMITTERS ?? 5);
const TOKEN = `bench-${crypto.randomUUID()}`;
const BREAKER = { failures: 3, openMs: 1000, timeoutMs: 1000 };
const FAIL = process.env.FAIL === "hang" ? "hang" : "stop";
const children = new Set<Subprocess>();
const spawn = (cmd: string[], env: Record<string, string> = {}) => {
  const child = Bun.spawn(cmd, { cwd: root, stdout: "pipe", stderr: "inherit", env: { ...process.env, ...env } });
  children.add(child);
  return child;
};
const killAll = () => { for (const c of children) c.kill("SIGKILL"); };
const dirs = new Set<string>();
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.on(signal, () => {
    killAll();
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
    process.exit(130);
  });
}

/** A value of the collector's /metrics: the line `name{labels} value`. */
const metric = (text: string, name: string, labels = "") =>
  Number(text.split("\n").find((l) => l.startsWith(`${name}${labels ? `{${labels}}` : ""} `))?.split(" ").at(-1) ?? NaN);

async function runScenario(sc: Scenario, dir: string): Promise<Record<string, string | number>> {
  const a = await startAnalyzers(sc.analyzers);
  children.add(a.child);
  const routesFile = join(dir, "routes.json");
  const writeRoutes = (n: number) => {
    const targets = a.ports.slice(0, n).map((p) => ({ name: `a${p}`, url: `http://127.0.0.1:${p}/ingest`, ...(FAIL === "hang" ? { timeoutMs: 60_000 } : {}) }));
    writeFileSync(`${routesFile}.tmp`, JSON.stringify({ breaker: BREAKER, targets }));
    renameSync(`${routesFile}.tmp`, routesFile); // a reader sees the old file or the new one, never half
  };
  let targets = sc.targetsAt(0);
  writeRoutes(targets);
  writeFileSync(join(dir, "tokens"), `bench:${TOKEN}:producers=p*\n`);
  const cli = process.env.COLLECTOR === "node" ? ["node", join(root, "dist/cli.js")] : [process.execPath, join(root, "cli.ts")];
  const collector = spawn([...cli, "serve", "--port", "0", "--dir", join(dir, "logs"), "--tokens", join(dir, "tokens"), "--route", routesFile]);
  const banner = await firstLine(collector.stdout, (l) => l.includes("listening on"));
  const url = /listening on (https?:\/\/[^/,\s]+)/.exec(banner)![1];
  const metrics = () => fetch(`${url}/metrics`, { headers: { authorization: `Bearer ${TOKEN}` } }).then((r) => r.text());

  const startAt = Date.now() + 1000 + WARMUP * 1000; // the scenario's clock starts here, after the producers' warm-up
  const producers = Array.from({ length: PRODUCERS }, (_, i) =>
    spawn([process.execPath, join(root, "bench/workloads/route_producer.ts")], {
      URL: `${url}/ingest`, TOKEN, SCENARIO: sc.name, INDEX: String(i), PRODUCERS: String(PRODUCERS), EMITTERS: String(EMITTERS), START_AT: String(startAt),
      RATE: String(RATE), SECONDS: String(SECONDS), WARMUP: String(WARMUP),
    })
  );
  const outputs = producers.map((p) => new Response(p.stdout).text());

  // the scenario's events, on the producers' clock
  await sleep(startAt - Date.now());
  const events: string[] = [];
  const killed = a.ports.slice(0, 2);
  let killedAt = 0;
  let redistributedMs: number | string = "";
  for (let t = 0; t < SECONDS; t = (Date.now() - startAt) / 1000) {
    if (sc.killAt !== undefined && t >= sc.killAt && killedAt === 0) {
      for (const p of killed) await a.call(`/${FAIL}?port=${p}`);
      killedAt = performance.now();
      events.push(`${FAIL === "hang" ? "hung" : "killed"} 2 at ${t.toFixed(1)} s`);
    }
    if (killedAt > 0 && redistributedMs === "") {
      const m = await metrics();
      // /metrics has one state line per target, the state it is in
      if (killed.every((p) => metric(m, "sluice_route_target_state", `target="a${p}",state="closed"`) !== 1)) redistributedMs = Math.round(performance.now() - killedAt);
    }
    if (sc.restartAt !== undefined && t >= sc.restartAt && !events.some((e) => e.startsWith("restarted"))) {
      for (const p of killed) await a.call(`/start?port=${p}`);
      events.push(`restarted 2 at ${t.toFixed(1)} s`);
    }
    if (sc.targetsAt(t) > targets) writeRoutes(targets = sc.targetsAt(t));
    await sleep(50);
  }
  if (killedAt > 0 && redistributedMs === "") redistributedMs = "not within the run";
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error("the producers did not finish within 30 s of the run's end")), 30_000)));
  const made = (await Promise.race([Promise.all(outputs), late]).finally(() => clearTimeout(timer))).map((text, i) => {
    const last = text.trim().split("\n").at(-1) ?? "";
    if (!last.startsWith("{")) throw new Error(`producer ${i} printed no result (exit ${producers[i].exitCode})`);
    return JSON.parse(last) as { logged: number; dropped: Record<string, number>; peakRssMb: number };
  });
  const sent = made.reduce((n, p) => n + p.logged, 0);
  await settle(a.counts, sent);
  const [s, m] = [await a.stats(), await metrics()];
  const collectorRss = peakRssMb(collector.pid);
  collector.kill("SIGTERM");
  await Promise.race([collector.exited, sleep(5000)]);
  const droppedAtProducers = made.reduce((n, p) => n + Object.values(p.dropped).reduce((x, y) => x + y, 0), 0);
  return {
    ...row(sc, sent, s, SECONDS + WARMUP), redistributedMs, events: events.join("; "),
    "failed over": metric(m, "sluice_route_records_total", 'result="failed_over"'),
    "all down (spooled)": metric(m, "sluice_route_records_total", 'result="spooled"'),
    "dropped at producers": droppedAtProducers,
    reloads: `${metric(m, "sluice_route_reloads_total", 'result="applied"')} applied, ${metric(m, "sluice_route_reloads_total", 'result="rejected"')} rejected`,
    "analyzers used": Object.values(s.counts).filter((n) => n > 0).length,
    "collector peak RSS MB": collectorRss,
    "producers peak RSS MB": Math.max(...made.map((p) => p.peakRssMb)),
    "analyzers peak RSS MB": peakRssMb(a.child.pid),
  };
}

const results: Record<string, string | number>[] = [];
try {
  for (const name of SCENARIOS) {
    const dir = mkdtempSync(join(tmpdir(), "sluice-route-bench-"));
    dirs.add(dir);
    try {
      results.push(await runScenario(scenario(name), dir));
    } finally {
      killAll();
      await Promise.all([...children].map((c) => c.exited));
      children.clear();
      rmSync(dir, { recursive: true, force: true });
      dirs.delete(dir);
    }
  }
} finally {
  killAll();
}
console.log(`collector: ${process.env.COLLECTOR === "node" ? "node dist/cli.js" : "bun cli.ts"} serve --route; ${PRODUCERS} producer processes x ${EMITTERS} emitters; ${RATE} records/s for ${SECONDS} s per scenario after ${WARMUP} s of warm-up (counted, not timed)`);
report(results);
