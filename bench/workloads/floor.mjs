// The floor: N records ({ time, level, msg, i, user, route }) serialized and written with no
// logger at all: JSON.stringify each, the ISO time cached per millisecond, 1 MiB writeSync chunks.
// The same work as ../shared/bench/floor.mjs, kept here so the benchmarks run without ../shared.
// Env: OUT (file), N (records, default 1M).
import { closeSync, openSync, writeSync } from "node:fs";

const n = Number(process.env.N ?? 1_000_000);
const fd = openSync(process.env.OUT, "w");
const encoder = new TextEncoder();
let chunk = "";
let ms = 0;
let time = "";
for (let i = 0; i < n; i++) {
  const now = Date.now();
  if (now !== ms) time = new Date((ms = now)).toISOString();
  chunk += JSON.stringify({ time, level: "info", msg: "request handled", i, user: "alice", route: "/api/items" }) + "\n";
  if (chunk.length > 1 << 20) {
    writeSync(fd, encoder.encode(chunk));
    chunk = "";
  }
}
writeSync(fd, encoder.encode(chunk));
closeSync(fd);
