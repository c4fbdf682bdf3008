// Files at scale on Node, against the built npm output: rotation with gzip, categories through
// a small handle pool.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { categoryFileSink, createLogger, rotatingFileSink } from "../../dist/mod.js";

const lines = (text) => text.split("\n").filter(Boolean).map((l) => JSON.parse(l));

test("rotation by size with gzip keeps every line once, in order", async () => {
  const dir = mkdtempSync(join(tmpdir(), "sluice-node-rot-"));
  const log = createLogger({ sinks: [rotatingFileSink(join(dir, "app.ndjson"), { rotate: { maxBytes: 2000, compress: "gzip" } })], batch: { maxRecords: 10 } });
  for (let i = 0; i < 400; i++) {
    log.info("r", { i });
    if (i % 10 === 0) await new Promise((r) => setTimeout(r, 0));
  }
  await log.close();
  const rotated = readdirSync(dir).filter((n) => n !== "app.ndjson").sort();
  assert.ok(rotated.length > 3 && rotated.every((n) => n.endsWith(".ndjson.gz")));
  const all = [...rotated.map((n) => gunzipSync(readFileSync(join(dir, n))).toString()), readFileSync(join(dir, "app.ndjson"), "utf8")].flatMap(lines);
  assert.deepEqual(all.map((r) => r.i), [...Array(400).keys()]);
});

test("200 categories through 8 open files: each record in its own category's file", async () => {
  const dir = mkdtempSync(join(tmpdir(), "sluice-node-cat-"));
  const log = createLogger({ sinks: [categoryFileSink(dir, { maxOpenFiles: 8 })] });
  for (let i = 0; i < 2000; i++) log.child({}, { category: `k${i % 200}` }).info("r", { i });
  await log.close();
  let total = 0;
  for (const f of readdirSync(dir)) {
    const recs = lines(readFileSync(join(dir, f), "utf8"));
    assert.ok(recs.every((r) => `${r.category}.ndjson` === f && r.i % 200 === Number(r.category.slice(1))), f);
    total += recs.length;
  }
  assert.equal(total, 2000);
});
