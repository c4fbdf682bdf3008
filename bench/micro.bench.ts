// mitata micro-benchmarks of the log call (ns per call): a disabled level, an enabled call
// into a file sink in async mode, and the same through a child with bindings.
// Run: bun bench/micro.bench.ts (also: deno run -A --config deno.json bench/micro.bench.ts)
import { bench, group, run, summary } from "mitata";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createLogger, fileSink } from "../mod.ts";

const dir = mkdtempSync(join(tmpdir(), "sluice-micro-"));
const log = createLogger({ level: "info", sinks: [fileSink(join(dir, "micro.ndjson"))] });
const child = log.child({ reqId: "r1" }, { category: "http" });
let i = 0;
const noop = (_msg: string, _fields: object) => {};

group("log call", () => {
  summary(() => {
    bench("baseline: an empty function, same arguments", () => noop("x", { a: 1 }));
    bench("disabled level (debug at info)", () => log.debug("x", { a: 1 }));
    bench("enabled, file sink, async", () => log.info("request handled", { i: i++, user: "alice", route: "/api/items" }));
    bench("enabled, child with bindings", () => child.info("request handled", { i: i++, user: "alice", route: "/api/items" }));
  });
});

await run();
await log.close();
console.log(`records written: ${log.stats().written}, dropped: ${JSON.stringify(log.stats().dropped)}`);
rmSync(dir, { recursive: true, force: true });
