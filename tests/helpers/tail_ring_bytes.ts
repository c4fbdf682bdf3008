// Run by tests/tail_ring.test.ts, one process a case (a closed collector may stay reachable a
// while, so cases in one process would measure each other): a collector in process with the
// default tail ring (16 MiB) takes 300 records with 64 Ki-character messages, one a body or all
// in one (BODIES: 300 or 1), in sluice's own form or not (OWN: 1 or 0); prints how much the heap
// grew, in MiB, after a full gc.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createIngestApp } from "../../server.ts";
import { createRecord } from "../../mod.ts";

const own = process.env.OWN === "1";
const bodies = Number(process.env.BODIES);
const dir = mkdtempSync(join(tmpdir(), "sluice-ring-bytes-"));
const app = createIngestApp({ dir, noAuth: true, rateLimit: { recordsPerSec: 1e9, burst: 1e9 }, maxBodyBytes: 64 << 20, maxDecompressedBytes: 64 << 20 });
const line = (i: number) => {
  const msg = String(i).padEnd(1 << 16, "m");
  return (own ? createRecord(1_700_000_000_000 + i, "info", undefined, msg, "}").json : JSON.stringify({ msg })) + "\n";
};
const post = async (lines: number[]) => {
  const res = await app.fetch(new Request("http://collector/ingest", { method: "POST", body: lines.map(line).join(""), headers: { "content-type": "application/x-ndjson" } }));
  if (res.status !== 200) throw new Error(`status ${res.status}: ${await res.text()}`);
};
await post([-1]);
Bun.gc(true);
const before = process.memoryUsage().heapUsed;
const each = 300 / bodies;
for (let b = 0; b < bodies; b++) await post(Array.from({ length: each }, (_, i) => b * each + i));
await app.writer.flush();
Bun.gc(true);
console.log(JSON.stringify({ grewMiB: (process.memoryUsage().heapUsed - before) / 2 ** 20 }));
await app.close();
rmSync(dir, { recursive: true, force: true });
