// The tuned floor, copied from ../shared/bench/floor-tuned.mjs (unchanged below this comment) so the
// benchmarks run without ../shared; bench/run_file.mjs runs it as the workload floor-tuned (ANCHOR=floor-tuned
// makes it the anchor of the ratios).
// The tuned floor: the same records as shared/bench/floor.mjs, written the fastest way we know by
// hand in JS with no logger: a serializer specialised to the record's shape (strings still escaped
// with JSON.stringify), the ISO time cached per ms, encodeInto a reused 4 MiB buffer, writeSync.
import { openSync, writeSync, closeSync } from "node:fs";
const N = Number(process.env.N ?? 1000000);
const fd = openSync(process.env.OUT, "w");
const enc = new TextEncoder();
const buf = new Uint8Array(4 << 20);
let at = 0, lastMs = 0, iso = "", s = "";
const q = JSON.stringify;
for (let i = 0; i < N; i++) {
  const now = Date.now();
  if (now !== lastMs) { lastMs = now; iso = new Date(now).toISOString(); }
  s += `{"time":"${iso}","level":"info","msg":${q("request handled")},"i":${i},"user":${q("alice")},"route":${q("/api/items")}}\n`;
  if (s.length > 65536) {
    if (at + s.length * 3 > buf.length) { writeSync(fd, buf, 0, at); at = 0; }
    at += enc.encodeInto(s, buf.subarray(at)).written; s = "";
  }
}
if (at + s.length * 3 > buf.length) { writeSync(fd, buf, 0, at); at = 0; }
at += enc.encodeInto(s, buf.subarray(at)).written;
writeSync(fd, buf, 0, at); closeSync(fd);
