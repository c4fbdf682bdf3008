// The by-hand floor of issue 20: the ingest workload's rows sent straight to the table with COPY
// by the same driver (postgres.js), C loops of B-record batches for T seconds; one JSON line out.
import postgres from "postgres";
const [url, table, C, B, T] = [process.env.URL, process.env.TABLE ?? "floor", Number(process.env.C ?? 8), Number(process.env.B ?? 1000), Number(process.env.T ?? 5)];
const sql = postgres(url, { max: C, onnotice: () => {} });
const esc = (s) => s.replace(/[\\\t\n\r]/g, (c) => ({ "\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r" })[c]);
// the rows made once, as ingest_load.ts makes its body once: both sides send the same rows (times
// included; a batch of equal times costs PostgreSQL's time index more than ever-new ones)
const rows = (n) => Array.from({ length: n }, (_, i) => {
  const time = new Date().toISOString();
  const record = JSON.stringify({ time, level: "info", msg: "request handled", i, user: "alice", route: "/api/items", producer: "floor" });
  return `${time}\tinfo\t\\N\tfloor\trequest handled\t${esc(record)}\n`;
}).join("");
const batch = rows(B);
let sent = 0;
const end = Date.now() + T * 1000;
await Promise.all(Array.from({ length: C }, async () => {
  const conn = await sql.reserve(); // a connection of its own: a COPY cannot share one
  while (Date.now() < end) {
    const copy = await conn.unsafe(`copy ${table} (time, level, category, producer, msg, record) from stdin`).writable();
    await new Promise((resolve, reject) => (copy.on("error", reject), copy.once("finish", resolve), copy.end(batch)));
    sent += B;
  }
  conn.release();
}));
await sql.end();
const cpu = process.cpuUsage();
console.log(JSON.stringify({ records: sent, recordsPerSec: Math.round(sent / T), cpuSeconds: (cpu.user + cpu.system) / 1e6 }));
