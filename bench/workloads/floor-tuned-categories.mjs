// The tuned floor writing the 64-category workload's files (bench/sluice_file.mjs SINK=categories):
// the same records, each with its category, written by hand the fastest way we know in JS. As
// floor-tuned.mjs: a serializer specialised to the record's shape, the ISO time cached per ms.
// Per file: the lines of 1,024 records a text (strings that die young: a text kept until its
// file's write was 2-3× slower on every runtime), encodeInto the file's own 64 KiB byte buffer
// (sluice's fileBufferBytes), writeSync when the next text would not fit. All 64 files stay
// open: no bound on descriptors, no least-recently-used order, no error handling. OUT: the
// directory (made); the files are OUT/c<N>.ndjson.
import { closeSync, mkdirSync, openSync, writeSync } from "node:fs";
const N = Number(process.env.N ?? 1000000);
const OUT = process.env.OUT;
const FILE_BYTES = 65536;
mkdirSync(OUT, { recursive: true });
const fds = Array.from({ length: 64 }, (_, c) => openSync(`${OUT}/c${c}.ndjson`, "w"));
const bufs = Array.from({ length: 64 }, () => new Uint8Array(FILE_BYTES));
const used = new Array(64).fill(0);
const texts = new Array(64).fill("");
const heads = Array.from({ length: 64 }, (_, c) => `","level":"info","category":"c${c}","msg":`);
const enc = new TextEncoder();
let lastMs = 0, iso = "";
const q = JSON.stringify;
const writeOut = (c) => { writeSync(fds[c], bufs[c], 0, used[c]); used[c] = 0; };
const take = () => {
  for (let c = 0; c < 64; c++) {
    const text = texts[c];
    if (text === "") continue;
    if (used[c] + text.length * 3 > FILE_BYTES) writeOut(c);
    used[c] += enc.encodeInto(text, bufs[c].subarray(used[c])).written;
    texts[c] = "";
  }
};
for (let i = 0; i < N; i++) {
  const now = Date.now();
  if (now !== lastMs) { lastMs = now; iso = new Date(now).toISOString(); }
  const c = i & 63;
  texts[c] += `{"time":"${iso}${heads[c]}${q("request handled")},"i":${i},"user":${q("alice")},"route":${q("/api/items")}}\n`;
  if ((i & 1023) === 1023) take();
}
take();
for (let c = 0; c < 64; c++) { writeOut(c); closeSync(fds[c]); }
