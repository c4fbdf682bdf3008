/**
 * `sluice load`: replays the seed's multi-event workload in one process (to local category
 * files, or to a collector through `httpSink`) and reports throughput and flush latency.
 *
 * @module
 */
import { categoryFileSink, createLogger, httpSink } from "../api.ts";
import { latencyRecorder } from "../lib/latency.ts";
import { detectRuntime } from "../lib/runtime/detect.ts";
import { type CommandSpec, parseDuration, parseEvents, wholeNumber } from "./flags.ts";
import { showProgress } from "./load/progress.ts";
import { formatLoadReport } from "./load/report.ts";
import { runLoad } from "./load/run_load.ts";

/** The flags of `sluice load`. */
export const LOAD: CommandSpec = {
  name: "load",
  summary: "Replay the multi-event workload in one process and report throughput and flush latency.\nOn a terminal a live line shows progress (not with --json).",
  renamed: { "max-bytes": "--rotation-max-bytes" },
  flags: {
    events: { type: "string", value: "a=350,b=350,c=300", default: "a=350,b=350,c=300", help: "records/s per event (0 allowed)" },
    duration: { type: "string", value: "30s", default: "30s", help: "how long to produce (ms, s, m, h)" },
    concurrency: { type: "string", value: "N", default: "4", help: "producers, shared among active events by rate" },
    "rotation-interval": { type: "string", value: "1h", help: "rotate each event's file (hourly, daily or a duration)" },
    "rotation-max-bytes": { type: "string", value: "BYTES", help: "rotate each event's file by size" },
    "max-open-files": { type: "string", value: "N", default: "32", help: "descriptors open at once" },
    dir: { type: "string", value: "DIR", default: "./logs/load", help: "where the files go (emptied first)" },
    durable: { type: "boolean", help: "fsync on every flush" },
    target: { type: "string", value: "URL", help: "drive a collector's /ingest through httpSink instead of local files" },
    token: { type: "string", value: "TOKEN", help: "the collector's token (or env SLUICE_TOKEN)" },
    gzip: { type: "boolean", help: "gzip request bodies (with --target)" },
    json: { type: "boolean", help: "print the report as JSON, and no progress line" },
  },
};

/**
 * Runs `sluice load` with parsed flags.
 *
 * @example
 * ```ts
 * import { load } from "./load_command.ts";
 * await load({ events: "a=500", duration: "5s", json: true });
 * ```
 */
export async function load(flags: Record<string, string | boolean | undefined>): Promise<void> {
  // deno-lint-ignore no-explicit-any -- an untyped runtime global or driver object (no @types for Bun, Deno and Node here)
  const proc = (globalThis as any).process;
  const str = (name: string) => flags[name] as string | undefined;
  const events = parseEvents(str("events") ?? "a=350,b=350,c=300");
  const concurrency = wholeNumber(str("concurrency") ?? "4", "sluice load: --concurrency", 1);
  const durationMs = parseDuration(str("duration") ?? "30s", "sluice load: --duration");
  const ri = str("rotation-interval");
  const interval = ri === undefined ? undefined : ri === "hourly" || ri === "daily" ? ri : parseDuration(ri, "sluice load: --rotation-interval");
  const dir = str("dir") ?? "./logs/load";
  const fs = proc.getBuiltinModule("node:fs");
  const target = str("target");
  if (!target) fs.rmSync(dir, { recursive: true, force: true });
  let errors = 0;
  const endToEnd = latencyRecorder();
  const sink = target
    ? httpSink(target, {
      token: str("token") ?? proc.env.SLUICE_TOKEN,
      gzip: flags.gzip === true,
      batch: { maxAgeMs: 20 },
      maxQueuedRecords: 1_000_000,
      onDelivered: ({ oldestMs }) => endToEnd.record(Date.now() - oldestMs),
    })
    : categoryFileSink(dir, {
      maxOpenFiles: wholeNumber(str("max-open-files") ?? "32", "sluice load: --max-open-files", 1),
      durable: flags.durable === true,
      rotate: { interval, maxBytes: str("rotation-max-bytes") ? wholeNumber(str("rotation-max-bytes")!, "sluice load: --rotation-max-bytes", 1) : undefined },
    });
  const log = createLogger({
    sinks: [sink],
    onError: (err) => {
      errors++;
      console.error(String(err));
    },
  });
  const json = flags.json === true;
  const stop = !json && detectRuntime().isTerminal?.() === true
    ? showProgress((s) => proc.stdout.write(s), durationMs, () => log.stats())
    : () => {};
  const report = await runLoad({ events, durationMs, concurrency, logger: log, rss: () => proc.memoryUsage().rss }, () => errors).finally(stop);
  await log.close();
  if (target) {
    const e2e = endToEnd.summary();
    console.log(json ? JSON.stringify({ ...report, endToEndMs: e2e }) : formatLoadReport(report) +
      `\n  end to end     p50 ${e2e.p50} ms  p99 ${e2e.p99}  max ${e2e.max}  (log call to 2xx, oldest record of each batch)`);
    return;
  }
  const bytes = (fs.readdirSync(dir) as string[]).reduce((n, f) => n + fs.statSync(`${dir}/${f}`).size, 0);
  console.log(json ? JSON.stringify({ ...report, bytes }) : formatLoadReport(report, bytes));
}
