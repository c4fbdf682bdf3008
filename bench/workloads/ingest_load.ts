// Ingest load (Bun): C loops POST B-record NDJSON batches (the floor's records) to URL for T
// seconds; prints one JSON line: records accepted (2xx), records/s, batches, p50/p99 request latency, body bytes. KEYS=1
// sends an Idempotency-Key per request (a JetStream collector names a batch by its key, else by
// its body, and this workload's bodies are all alike).
const url = process.env.URL ?? "http://127.0.0.1:18080/ingest";
const loops = Number(process.env.C ?? 8);
const seconds = Number(process.env.T ?? 5);
const batch = Number(process.env.B ?? 1000);
const headers: Record<string, string> = { "content-type": "application/x-ndjson" };
if (process.env.TOKEN) headers.authorization = `Bearer ${process.env.TOKEN}`;
let body = "";
for (let i = 0; i < batch; i++) body += JSON.stringify({ time: new Date().toISOString(), level: "info", msg: "request handled", i, user: "alice", route: "/api/items" }) + "\n";
const keys = process.env.KEYS === "1";
let requests = 0;
let sent = 0;
const latencies: number[] = [];
const end = Date.now() + seconds * 1000;
await Promise.all(Array.from({ length: loops }, async () => {
  while (Date.now() < end) {
    const t = performance.now();
    const res = await fetch(url, { method: "POST", body, headers: keys ? { ...headers, "idempotency-key": `${process.pid}-${requests++}` } : headers });
    await res.arrayBuffer();
    latencies.push(performance.now() - t);
    if (res.ok) sent += batch;
  }
}));
latencies.sort((a, b) => a - b);
const at = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(latencies.length * q))]?.toFixed(1);
const usage = process.resourceUsage();
console.log(JSON.stringify({ cpuSeconds: (usage.userCPUTime + usage.systemCPUTime) / 1e6, records: sent, recordsPerSec: Math.round(sent / seconds), batches: latencies.length, p50ms: at(0.5), p99ms: at(0.99), bodyBytes: body.length }));
