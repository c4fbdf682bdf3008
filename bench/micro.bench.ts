// mitata micro-benchmarks of the log call (ns per call): a disabled level, an enabled call
// into a file sink in async mode, the same through a child with bindings, with caller: true
// (from the stack, and in code transformed by sluice/caller),
// and inside a withContext scope (a call outside any scope is the plain enabled line: it must
// cost what it did before withContext existed; compare with the same line on the previous commit); beside them, in the
// same run, the work itself with no logger (the floor's loop body), its two largest
// parts alone, and the anchors pino (async destination) and LogTape (non-blocking file sink).
// Every logger is warmed with one record first, so a file's first open is not timed.
// Run: bun bench/micro.bench.ts (also: deno run -A --config deno.json bench/micro.bench.ts);
// BENCH_FILTER=regex runs only the lines whose name matches (e.g. BENCH_FILTER="async|caller").
import { bench, do_not_optimize, group, run, summary } from "mitata";
import { closeSync, mkdtempSync, openSync, rmSync, writeSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { once } from "node:events";
import pino from "pino";
import { configure, dispose, getLogger, jsonLinesFormatter } from "@logtape/logtape";
import { getFileSink } from "@logtape/file";
import { AsyncLocalStorage } from "node:async_hooks";
import process from "node:process";
import { readFileSync, writeFileSync } from "node:fs";
import { createLogger, fileSink, withContext } from "../mod.ts";
import { callerTransform } from "../caller.ts";

const dir = mkdtempSync(join(tmpdir(), "sluice-micro-"));
const log = createLogger({ level: "info", sinks: [fileSink(join(dir, "sluice.ndjson"))] });
const child = log.child({ reqId: "r1" }, { category: "http" });
// levels per category with 20 patterns (a default and 19 rules); the timed logger is a child whose
// category one of them names, at a level it disables
const patterns = Array.from({ length: 18 }, (_, i) => `svc${i}.*=${i % 2 ? "warn" : "trace"}`);
const leveled = createLogger({ levels: ["info", ...patterns, "app.web=info"].join(","), sinks: [fileSink(join(dir, "leveled.ndjson"))] })
  .child({ reqId: "r1" }, { category: "app" }).child({}, { category: "web" });
const located = createLogger({ level: "info", caller: true, sinks: [fileSink(join(dir, "caller.ndjson"))] });
located.info("warm-up");
// the same call in a module loaded through sluice/caller's transform (what callerPlugin does)
const site = new URL("workloads/caller_site.mjs", import.meta.url);
writeFileSync(join(dir, "caller_site.mjs"), callerTransform(readFileSync(site, "utf8"), site.pathname));
const { logTransformed } = await import(join(dir, "caller_site.mjs"));
logTransformed(located, -1);
log.info("warm-up");
await log.flush();

const dest = pino.destination({ dest: join(dir, "pino.ndjson"), sync: false, minLength: 4096 });
await once(dest, "ready");
const plog = pino({ base: undefined }, dest);
plog.info("warm-up");

await configure({
  sinks: { file: getFileSink(join(dir, "logtape.ndjson"), { formatter: jsonLinesFormatter, nonBlocking: true, bufferSize: 8192 }) },
  loggers: [{ category: ["app"], sinks: ["file"], lowestLevel: "info" }, { category: ["logtape", "meta"], sinks: [] }],
});
const tlog = getLogger(["app"]);
tlog.info("warm-up");

// the floor's loop body (bench/workloads/floor.mjs): cached ISO time, JSON.stringify, 1 MiB writeSync chunks
const floorFd = openSync(join(dir, "floor.ndjson"), "w");
const enc = new TextEncoder();
let buf = "", lastMs = 0, iso = "";
const byHand = (i: number) => {
  const now = Date.now();
  if (now !== lastMs) (lastMs = now), (iso = new Date(now).toISOString());
  buf += JSON.stringify({ time: iso, level: "info", msg: "request handled", i, user: "alice", route: "/api/items" }) + "\n";
  if (buf.length > 1 << 20) (writeSync(floorFd, enc.encode(buf)), (buf = ""));
};

// a function that runs its argument inside a withContext scope (AsyncLocalStorage.snapshot's own
// cost is its own bench line), so the log call inside can be timed without withContext's
const inScope = withContext({ reqId: "r1", user: "alice" }, () => AsyncLocalStorage.snapshot());

// the floor of caller: true: capturing the one frame of a function's caller and reading its line
// (lib/caller.ts does this, plus a cached file name and the record's member)
// deno-lint-ignore no-explicit-any -- V8's and JSC's non-standard Error API
const ErrorApi = Error as any;
const holder: { stack?: unknown } = {};
const structured = (_: unknown, sites: unknown[]) => sites;
function callerLine(): number {
  const limit = ErrorApi.stackTraceLimit;
  ErrorApi.stackTraceLimit = 1;
  ErrorApi.prepareStackTrace = structured;
  ErrorApi.captureStackTrace(holder, callerLine);
  const line = (holder.stack as { getLineNumber(): number }[])[0].getLineNumber();
  ErrorApi.stackTraceLimit = limit;
  ErrorApi.prepareStackTrace = undefined;
  return line;
}

let i = 0;
const noop = (_msg: string, _fields: object) => {};

group("log call", () => {
  summary(() => {
    bench("baseline: an empty function, same arguments", () => noop("x", { a: 1 }));
    bench("sluice: disabled level (debug at info)", () => log.debug("x", { a: 1 }));
    bench("sluice: disabled level under levels with 20 patterns (debug at info)", () => leveled.debug("x", { a: 1 }));
    bench("sluice: enabled, file sink, async", () => log.info("request handled", { i: i++, user: "alice", route: "/api/items" }));
    bench("sluice: enabled, child with bindings", () => child.info("request handled", { i: i++, user: "alice", route: "/api/items" }));
    bench("sluice: enabled, caller: true (file:line from the stack)", () => located.info("request handled", { i: i++, user: "alice", route: "/api/items" }));
    bench("sluice: enabled, caller: true, transformed (sluice/caller: no stack capture)", () => logTransformed(located, i++));
    bench("part of it: the line of the caller's frame (one-frame captureStackTrace)", () => do_not_optimize(callerLine()));
    bench("sluice: enabled, inside a withContext scope (via snapshot)", () => inScope(() => log.info("request handled", { i: i++, user: "alice", route: "/api/items" })));
    bench("part of it: AsyncLocalStorage.snapshot() run, empty", () => inScope(() => 0));
    bench("no logger: the same work by hand (floor)", () => byHand(i++));
    bench("part of it: Date.now()", () => do_not_optimize(Date.now()));
    bench("part of it: JSON.stringify of the fields", () => do_not_optimize(JSON.stringify({ i: i++, user: "alice", route: "/api/items" })));
    bench("pino: enabled, async destination", () => plog.info({ i: i++, user: "alice", route: "/api/items" }, "request handled"));
    bench("LogTape: enabled, non-blocking file sink", () => tlog.info("request handled", { i: i++, user: "alice", route: "/api/items" }));
  });
});

const result = await run({ filter: new RegExp(process.env.BENCH_FILTER ?? "") });
// BENCH_P50=1 adds each line's median and mean, tab-separated, for A/B scripts to read (the mean
// counts what a line does once in many calls, such as writing a batch)
if (process.env.BENCH_P50) for (const b of result.benchmarks) console.log(`p50\t${b.alias}\t${b.runs[0].stats?.p50.toFixed(3)}\t${b.runs[0].stats?.avg.toFixed(3)}`);
await log.close();
await leveled.close();
await located.close();
dest.flushSync();
dest.end();
await dispose();
writeSync(floorFd, enc.encode(buf));
closeSync(floorFd);
console.log(`sluice records written: ${log.stats().written}, dropped: ${JSON.stringify(log.stats().dropped)}`);
rmSync(dir, { recursive: true, force: true });
