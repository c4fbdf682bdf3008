// A sink's encode + write alone, without the log call: 32 prebuilt batches of 1,024 records over
// 64 categories (interned names, as child loggers give them), cycled to N records (default 1M),
// into fileSink (KIND=file) or categoryFileSink with 16 open files (KIND=categories, the default;
// FB=bytes sets fileBufferBytes). Prints wall and CPU ns a record.
// Run: bun bench/sink_write.mjs   (MOD=<entry> for another checkout's mod.ts)
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const { categoryFileSink, fileSink, createRecord } = await import(process.env.MOD ?? new URL("../mod.ts", import.meta.url).href);
const dir = mkdtempSync(join(tmpdir(), "sluice-sink-write-"));
const N = Number(process.env.N ?? 1_000_000);
const kind = process.env.KIND ?? "categories";
const sink = kind === "categories"
  ? categoryFileSink(join(dir, "c"), { maxOpenFiles: 16, fileBufferBytes: Number(process.env.FB ?? 65536) })
  : fileSink(join(dir, "f.ndjson"));
const time = Date.now();
const categories = Array.from({ length: 64 }, (_, c) => `c${c}`);
const batches = Array.from({ length: 32 }, (_, b) => Array.from({ length: 1024 }, (_, k) => {
  const i = b * 1024 + k;
  return createRecord(time, "info", categories[i & 63], "request handled", `,"i":${i},"user":"alice","route":"/api/items"}`);
}));
const started = performance.now(), cpu = process.cpuUsage();
for (let b = 0; b < N / 1024; b++) sink.write(sink.encode(batches[b & 31]));
await sink.flush?.();
const used = process.cpuUsage(cpu);
console.log(`${kind}: ${((performance.now() - started) * 1e6 / N).toFixed(1)} ns a record wall, ${((used.user + used.system) * 1e3 / N).toFixed(1)} ns CPU`);
await sink.close();
rmSync(dir, { recursive: true, force: true });
