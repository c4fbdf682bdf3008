// Seed 004's four routing scenarios, shared by bench/run_route.ts (routeSink in the producer)
// and bench/run_route_collector.ts (producers -> `sluice serve --route` -> analyzers): what
// each scenario is (analyzers, rate over time, its events), the analyzers' process
// (bench/workloads/analyzers.ts), the loop that logs at a rate, and the table of results.
import { readFileSync } from "node:fs";

export const RATE = Number(process.env.RATE ?? 10_000);
export const SECONDS = Number(process.env.SECONDS ?? 20);
/** Seconds of records before the scenario's clock starts, counted but not timed (bench/run_route_collector.ts). */
export const WARMUP = Number(process.env.WARMUP ?? 1);
export const SCENARIOS = (process.env.SCENARIOS ?? "steady,bursts,failures,scaling").split(",");
export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** One scenario: analyzers started, the rate at `t` s, and when its events happen. */
export interface Scenario {
  name: string;
  /** Analyzers started (scaling starts 20 and routes to the first 4 at first). */
  analyzers: number;
  rate(t: number): number;
  /** Targets in use at `t` s (scaling: 4 -> 20 in steps; else all). */
  targetsAt(t: number): number;
  /** failures: 2 analyzers killed at `killAt` s and restarted at `restartAt` s. */
  killAt?: number;
  restartAt?: number;
}

/**
 * The scenario called `name` at `rate` records/s for `seconds`: steady (10 analyzers, equal
 * weights), bursts (10x spikes for 0.2 s every 2 s), failures (8 analyzers, 2 killed at a
 * third, restarted at two thirds), scaling (4 -> 20 analyzers while the rate grows from 20%).
 */
export function scenario(name: string, rate = RATE, seconds = SECONDS): Scenario {
  const all = (n: number) => () => n;
  if (name === "steady") return { name, analyzers: 10, rate: () => rate, targetsAt: all(10) };
  if (name === "bursts") return { name, analyzers: 10, rate: (t) => ((t % 2) < 0.2 ? rate : rate / 10), targetsAt: all(10) };
  if (name === "failures") return { name, analyzers: 8, rate: () => rate, targetsAt: all(8), killAt: seconds / 3, restartAt: (2 * seconds) / 3 };
  if (name === "scaling") {
    return { name, analyzers: 20, rate: (t) => rate * (0.2 + 0.8 * t / seconds), targetsAt: (t) => Math.min(20, 4 + Math.floor((t / seconds) * 17)) };
  }
  throw new TypeError(`unknown scenario ${name} (steady, bursts, failures, scaling)`);
}

/** Records per analyzer port and doubled ids. */
export interface Counts {
  counts: Record<string, number>;
  duplicates: number;
}

/** The analyzers' stats: the counts and end-to-end latency (ms). */
export interface AnalyzerStats extends Counts {
  p50: number;
  p99: number;
  max: number;
}

/** Starts `n` analyzers in their own process; `call` reaches its control server (/stats, /counts, /stop?port=, /start?port=). */
export async function startAnalyzers(n: number) {
  const child = Bun.spawn([process.execPath, new URL("./analyzers.ts", import.meta.url).pathname, String(n)], { stdout: "pipe", stderr: "inherit" });
  const { control, ports } = JSON.parse(await firstLine(child.stdout)) as { control: number; ports: number[] };
  const call = <T = unknown>(path: string): Promise<T> =>
    fetch(`http://127.0.0.1:${control}${path}`, { method: /^\/(stop|start)\b/.test(path) ? "POST" : "GET" }).then((r) => r.json() as Promise<T>);
  return { child, ports, call, stats: () => call<AnalyzerStats>("/stats"), counts: () => call<Counts>("/counts") };
}

/** The first line a child prints that passes `test` (its ports, its address); the rest of its output is read and dropped, so it never blocks on a full pipe. */
export async function firstLine(stream: ReadableStream<Uint8Array>, test: (line: string) => boolean = () => true): Promise<string> {
  const reader = stream.getReader();
  const decoder = new TextDecoder();
  let text = "";
  for (;;) {
    const lines = text.split("\n");
    const found = lines.slice(0, -1).find(test);
    if (found !== undefined) {
      void (async () => { while (!(await reader.read()).done); })().catch(() => {});
      return found;
    }
    const { value, done } = await reader.read();
    if (done) throw new Error(`the child ended before printing the line awaited (printed: ${JSON.stringify(text)})`);
    text += decoder.decode(value, { stream: true });
  }
}

/**
 * Calls `emit` at `rate(t)` records/s for `seconds` (what is owed since the last tick, every
 * ~10 ms); `at(t)` runs scenario events before each tick. Returns the records emitted.
 */
export async function drive(seconds: number, rate: (t: number) => number, at: (t: number) => Promise<void>, emit: () => void): Promise<number> {
  const start = performance.now();
  let sent = 0;
  let owed = 0;
  let last = start;
  for (let now = start; now - start < seconds * 1000; now = performance.now()) {
    const t = (now - start) / 1000;
    await at(t);
    owed += (rate(t) * (now - last)) / 1000;
    last = now;
    for (; owed >= 1; owed--, sent++) emit();
    await sleep(10);
  }
  return sent;
}

/** A process's peak resident set (VmHWM in /proc/<pid>/status), in MB; 0 when it cannot be read. */
export function peakRssMb(pid: number | "self"): number {
  try {
    return Math.round(Number(/VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1] ?? 0) / 1024);
  } catch {
    return 0;
  }
}

/** Waits until the analyzers hold `sent` distinct records, or nothing more arrives for `quietMs` (bounded by `maxMs`). */
export async function settle(stats: () => Promise<Counts>, sent: number, quietMs = 1_000, maxMs = 15_000): Promise<void> {
  const end = performance.now() + maxMs;
  let s = await stats();
  let seen = received(s);
  let since = performance.now();
  while (received(s) - s.duplicates < sent && performance.now() < end && performance.now() - since < quietMs) {
    await sleep(100);
    s = await stats();
    if (received(s) !== seen) (seen = received(s), since = performance.now());
  }
}

const received = (s: Counts) => Object.values(s.counts).reduce((x, y) => x + y, 0);

/**
 * The common columns of a scenario's row: rate, sent, received, lost and doubled (by id, at
 * the analyzers), each analyzer's share against an equal one (steady and bursts, where all
 * weights are equal for the whole run), end-to-end p50/p99.
 */
export function row(sc: Scenario, sent: number, s: AnalyzerStats, seconds = SECONDS): Record<string, string | number> {
  const got = received(s);
  const spread = Object.values(s.counts);
  const equal = got / sc.analyzers;
  const shares = sc.name === "steady" || sc.name === "bursts";
  return {
    scenario: sc.name, "rate/s": Math.round(sent / seconds), analyzers: sc.name === "scaling" ? "4->20" : sc.analyzers, sent, received: got,
    lost: sent - (got - s.duplicates), doubled: s.duplicates,
    "share min/max vs weight": shares ? `${(Math.min(...spread) / equal).toFixed(3)} / ${(Math.max(...spread) / equal).toFixed(3)}` : "",
    // within 5% of its weight, or within 2 records of it when a smoke run gives each only a few
    "share ok": shares ? (spread.length === sc.analyzers && spread.every((n) => Math.abs(n - equal) <= Math.max(0.05 * equal, 2)) ? "yes" : "no") : "",
    "e2e p50/p99 ms": `${s.p50} / ${s.p99}`,
  };
}

/** Prints the table; exits 1 naming the scenarios that lost or doubled a record, or whose share was off by more than 5%. */
export function report(results: Record<string, string | number>[]): void {
  console.table(results);
  const bad = results.filter((r) => r.lost !== 0 || r.doubled !== 0);
  const off = results.filter((r) => r["share ok"] === "no");
  if (bad.length > 0) console.error("records lost or doubled:", bad.map((r) => r.scenario).join(", "));
  if (off.length > 0) console.error("share off its weight by more than 5%:", off.map((r) => r.scenario).join(", "));
  if (bad.length + off.length > 0) process.exit(1);
}
