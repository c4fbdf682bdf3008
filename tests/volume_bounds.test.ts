// The volume stages' memory bounds, measured where they live: the peak resident memory (VmHWM)
// of a child process that pushes far more than the bounds through a stage.
import { expect, test } from "bun:test";
import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const mod = new URL("../mod.ts", import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), "sluice-volume-bounds-"));
/** Runs `body` in a fresh Bun process; returns its VmHWM in MiB (printed by the child itself) and a baseline run's. */
function peakMiB(body: string): number {
  const file = join(dir, `child-${Math.random().toString(36).slice(2)}.ts`);
  writeFileSync(file, `import * as sluice from ${JSON.stringify(mod)};\n${body}\nBun.gc(true);\nconst hwm = /VmHWM:\\s+(\\d+) kB/.exec(require("node:fs").readFileSync("/proc/self/status", "utf8"))![1];\nconsole.log(Number(hwm) / 1024);`);
  const r = spawnSync(process.execPath, [file], { encoding: "utf8", timeout: 60_000 });
  if (r.status !== 0) throw new Error(r.stderr);
  return Number(r.stdout.trim().split("\n").at(-1));
}

test("throttle: 1,000 distinct 200 KB messages (200 MB) keep a few KB of keys, not the messages", () => {
  const base = peakMiB("");
  const peak = peakMiB(`
    const stage = sluice.throttle({ max: 1, windowMs: 60_000 });
    const big = "x".repeat(200_000);
    for (let i = 0; i < 1_000; i++) stage.transform([sluice.createRecord(0, "info", undefined, i + big, "}")]);
    if (stage.stats().keys !== 1_000) throw new Error("keys " + stage.stats().keys);
  `);
  console.log(`throttle flood: VmHWM ${peak.toFixed(0)} MiB, baseline ${base.toFixed(0)} MiB`);
  expect(peak - base).toBeLessThan(100); // the messages kept as keys would be 200 MB (400 MiB as UTF-16 key copies)
}, 60_000);

test("fingersCrossed: 2,000 requests of 20 x 10 KB records (400 MB) hold at most maxScopes x bufferSize", () => {
  const base = peakMiB("");
  const peak = peakMiB(`
    const sink = sluice.withThrough({ name: "void", sync: true, defaultOnFull: "block", encode: (r) => r.length, write() {}, close() {} }, [sluice.fingersCrossed({ maxScopes: 100, bufferSize: 10 })]);
    const log = sluice.createLogger({ level: "debug", sinks: [sink], maxQueuedRecords: 1000 });
    const payload = "y".repeat(10_000);
    for (let i = 0; i < 2_000; i++) sluice.withContext({ reqId: i }, () => { for (let j = 0; j < 20; j++) log.debug("step", { j, payload }); });
    await log.flush();
    const s = log.stats().sinks[0].stages[0];
    if (s.held !== 1_000 || s.held + s.discarded !== 40_000) throw new Error(JSON.stringify(s));
    await log.close();
  `);
  console.log(`fingersCrossed flood: VmHWM ${peak.toFixed(0)} MiB, baseline ${base.toFixed(0)} MiB`);
  expect(peak - base).toBeLessThan(250); // held: 1,000 x 10 KB = 10 MB (+ the queue's 1,000); unbounded: 400 MB
}, 60_000);
