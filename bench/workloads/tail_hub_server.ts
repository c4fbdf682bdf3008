// The tail's own cost, apart from ingest: the collector's TailHub fed 1,000-record batches by a
// timer (BATCHES_PER_SEC, default 200) and served by Bun.serve at /api/tail (no token check).
// Prints its port; bench/run_console.mjs reads its CPU time from /proc with and without clients.
import { TailHub } from "../../collector/tail/tail_hub.ts";
import { createRecord } from "../../lib/record.ts";

const hub = new TailHub({ maxRecords: 10_000, maxBytes: 16 << 20, heartbeatMs: 15_000, maxClients: 64, maxEventsPerSec: Number(process.env.RATE ?? 1000) });
const batch = Array.from({ length: 1000 }, (_, i) => createRecord(Date.now(), "info", undefined, "request handled", `,"i":${i},"user":"alice","route":"/api/items"}`));
const server = Bun.serve({ port: 0, hostname: "127.0.0.1", fetch: () => new Response(hub.open(() => true, undefined)!, { headers: { "content-type": "text/event-stream" } }) });
console.log(server.port);
setInterval(() => hub.publish(batch), 1000 / Number(process.env.BATCHES_PER_SEC ?? 200));
