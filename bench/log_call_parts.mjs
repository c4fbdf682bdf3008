// The log call's parts on Bun or Deno, in process: 20,000-call blocks of each line interleaved
// 30 times (the first 5 left out), a timer's turn between blocks so async sinks write; medians
// (and the first quartile) in ns a call. Lines: the work by hand (the naive floor's loop body),
// sluice into a file sink, into a sink that writes nothing, the record without a sink, the
// fields' tail alone, JSON.stringify of the fields. Run: bun bench/log_call_parts.mjs (V=hand,sluice to choose)
import { closeSync, mkdtempSync, openSync, rmSync, writeSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createLogger, fileSink } from "../mod.ts";
import { serializeTail } from "../lib/serialize.ts";
import { buildRecord, recordPrefix } from "../lib/record.ts";

const dir = mkdtempSync(join(tmpdir(), "sluice-call-parts-"));
const log = createLogger({ level: "info", sinks: [fileSink(join(dir, "s.ndjson"))] });
const nul = createLogger({ level: "info", sinks: [{ name: "nul", sync: true, defaultOnFull: "block", encode: (r) => r, write() {}, close() {} }] });
const fd = openSync(join(dir, "floor.ndjson"), "w");
const enc = new TextEncoder();
let buf = "", lastMs = 0, iso = "";
const byHand = (i) => {
  const now = Date.now();
  if (now !== lastMs) (lastMs = now), (iso = new Date(now).toISOString());
  buf += JSON.stringify({ time: iso, level: "info", msg: "request handled", i, user: "alice", route: "/api/items" }) + "\n";
  if (buf.length > 1 << 20) (writeSync(fd, enc.encode(buf)), (buf = ""));
};
const prefix = recordPrefix("info", undefined);
let sum = 0;
const lines = {
  hand: (i) => byHand(i),
  sluice: (i) => log.info("request handled", { i, user: "alice", route: "/api/items" }),
  nulsink: (i) => nul.info("request handled", { i, user: "alice", route: "/api/items" }),
  record: (i) => { sum += buildRecord(Date.now(), "info", undefined, prefix, "request handled", serializeTail({ i, user: "alice", route: "/api/items" })).json.length; },
  tail: (i) => { sum += serializeTail({ i, user: "alice", route: "/api/items" }).length; },
  stringify: (i) => { sum += JSON.stringify({ i, user: "alice", route: "/api/items" }).length; },
};
const names = (process.env.V ?? Object.keys(lines).join(",")).split(",");
const ns = Object.fromEntries(names.map((n) => [n, []]));
let i = 0;
for (let round = 0; round < 30; round++) {
  for (const n of names) {
    const f = lines[n];
    const t = performance.now();
    for (let k = 0; k < 20_000; k++) f(i++);
    ns[n].push((performance.now() - t) * 1e6 / 20_000);
    await new Promise((r) => setTimeout(r, 1));
  }
}
for (const n of names) {
  const s = ns[n].slice(5).sort((a, b) => a - b);
  console.log(`${n.padEnd(10)} ${s[s.length >> 1].toFixed(1)} ns a call (first quartile ${s[s.length >> 2].toFixed(1)})`);
}
await log.close();
await nul.close();
closeSync(fd);
rmSync(dir, { recursive: true, force: true });
console.log(sum > 0 ? "" : "(nothing measured)");
