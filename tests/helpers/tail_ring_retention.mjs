// Run by the ingest retention tests on Bun, Deno and Node (with their gc exposed):
// a collector in process takes bodies that each hold one line in sluice's own form (taken as it
// came) and one line of 2 MiB that is rejected. The tail ring keeps the 20 records; if a record's
// line were a slice of its body, the ring would keep the 20 bodies too: 40 MiB past the records.
// First 300 bodies of 1,000 such lines each, so the as-sent path runs as JSC's optimizing tiers
// made it. Prints the heap in MiB after a full gc, and the records in the ring.
// Usage: <runtime> tail_ring_retention.mjs <entry: ../../server.ts or ../../dist/server.js>
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
const [entry] = globalThis.Deno?.args ?? process.argv.slice(2);
const { createIngestApp } = await import(new URL(entry, import.meta.url).href);

const dir = mkdtempSync(join(tmpdir(), "sluice-ring-retention-"));
const app = createIngestApp({ dir, noAuth: true, rateLimit: { recordsPerSec: 1e9, burst: 1e9 } });
const line = (i) => JSON.stringify({ time: new Date(1_700_000_000_000 + i).toISOString(), level: "info", msg: "m", i });
const post = async (body) => {
  const res = await app.fetch(new Request("http://collector/ingest", { method: "POST", body, headers: { "content-type": "application/x-ndjson" } }));
  await res.arrayBuffer();
  return res.status;
};
let warm = "";
for (let i = 0; i < 1000; i++) warm += line(i) + "\n";
for (let i = 0; i < 300; i++) await post(warm);
for (let i = 0; i < 20; i++) {
  // a fresh 2 MiB rejected line each time (longer than maxLineBytes): each body its own string
  const status = await post(line(i) + "\n" + String(i).padEnd(2 << 20, "x") + "\n");
  if (status !== 200) throw new Error(`body ${i}: ${status}`);
}
const gc = globalThis.gc ? () => globalThis.gc() : () => globalThis.Bun.gc(true);
gc();
gc();
const heap = globalThis.Deno ? Deno.memoryUsage().heapUsed : process.memoryUsage().heapUsed;
console.log(JSON.stringify({ heapMiB: heap / 2 ** 20 }));
await app.close();
rmSync(dir, { recursive: true, force: true });
