// Preloaded into the collector by bench/run_soak.mjs (`bun --preload` / `node --import`): on
// SIGUSR2 it runs a full garbage collection and writes a V8-format heap snapshot to
// `$SOAK_PROBE_DIR/heap-<n>.heapsnapshot`, then a line `{n, file, heapUsed}` to
// `$SOAK_PROBE_DIR/probe.ndjson`. Nothing else in the collector changes.
import { appendFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

const dir = process.env.SOAK_PROBE_DIR;
let n = 0;
if (dir) {
  process.on("SIGUSR2", async () => {
    const file = join(dir, `heap-${++n}.heapsnapshot`);
    let heapUsed;
    if (globalThis.Bun) {
      Bun.gc(true);
      writeFileSync(file, Bun.generateHeapSnapshot("v8"));
      heapUsed = (await import("bun:jsc")).heapStats().heapSize;
    } else {
      const v8 = await import("node:v8");
      globalThis.gc?.();
      v8.writeHeapSnapshot(file);
      heapUsed = v8.getHeapStatistics().used_heap_size;
    }
    appendFileSync(join(dir, "probe.ndjson"), JSON.stringify({ n, file, heapUsed, at: Date.now() }) + "\n");
  });
}
