// Search over the files on a runtime (Deno, Node on the built package): a live file, a rotated
// one and a gzipped one (DecompressionStream) newest first, a rare word found by the SIMD scan
// (WebAssembly), a numeric comparison, a page and its cursor, and a histogram by level.
// `server` is that runtime's sluice/server module.
import { strict as assert } from "node:assert";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";

export async function searchFilesScenario({ server, dir }) {
  const { FileSearcher, searchRequest, histogramRequest, QueryError } = server;
  const now = Date.now();
  const line = (ago, level, msg, extra = {}) => JSON.stringify({ time: new Date(now - ago).toISOString(), level, category: "http", msg, ...extra });
  const stamp = (ms) => new Date(ms).toISOString().replace(/[:.]/g, "-");
  mkdirSync(join(dir, ".sluice"), { recursive: true });
  writeFileSync(join(dir, ".sluice", "state"), line(0, "error", "state ZEBRAFISH") + "\n");
  writeFileSync(join(dir, `http.${stamp(now - 3_000_000)}.ndjson.gz`), gzipSync(line(3_500_000, "warn", "gz Zebrafish", { ms: 900 }) + "\n"));
  writeFileSync(join(dir, `http.${stamp(now - 1_000_000)}.ndjson`), Array.from({ length: 2000 }, (_, i) => line(2_000_000 - i, "info", `filler ${i}`, { ms: i % 100 })).join("\n") + "\n");
  writeFileSync(join(dir, "http.ndjson"), [line(60_000, "error", "live zebrafish", { ms: 1200 }), line(30_000, "info", "live ok", { ms: 5 })].join("\n") + "\n");
  const s = new FileSearcher(dir);

  const rare = await s.search(searchRequest({ q: "zebrafish" }, now));
  assert.deepEqual(rare.lines.map((l) => JSON.parse(l).msg), ["live zebrafish", "gz Zebrafish"]);
  const slow = await s.search(searchRequest({ q: "ms:>=900", limit: "1" }, now));
  assert.deepEqual(slow.lines.map((l) => JSON.parse(l).msg), ["live zebrafish"]);
  const next = await s.search(searchRequest({ q: "ms:>=900", limit: "1", cursor: slow.cursor }, now));
  assert.deepEqual(next.lines.map((l) => JSON.parse(l).msg), ["gz Zebrafish"]);
  assert.equal(next.cursor, undefined);
  const h = await s.histogram(histogramRequest({ from: "1h", buckets: "2" }, now));
  assert.equal(h.buckets.reduce((n, b) => n + b.count, 0), 2003);
  assert.deepEqual(h.buckets[1].levels, { error: 1, info: 1 });
  assert.throws(() => searchRequest({ q: "(x" }, now), QueryError);
}
