// Files at scale on Deno: rotation with gzip and retention, categories through a small handle
// pool, and reopen, through the Deno adapter (FsFile writes, node:fs metadata).
import assert from "node:assert/strict";
import { gunzipSync } from "node:zlib";
import { categoryFileSink, createLogger, rotatingFileSink } from "../../mod.ts";

const lines = (text: string) => text.split("\n").filter(Boolean).map((l) => JSON.parse(l));

Deno.test({
  name: "rotation by size with gzip and retention keeps every line once, in order",
  sanitizeOps: false,
  sanitizeResources: false,
  fn: async () => {
    const dir = Deno.makeTempDirSync();
    const log = createLogger({ sinks: [rotatingFileSink(`${dir}/app.ndjson`, { rotate: { maxBytes: 2000, compress: "gzip", maxFiles: 1000 } })], batch: { maxRecords: 10 } });
    for (let i = 0; i < 400; i++) {
      log.info("r", { i });
      if (i % 10 === 0) await new Promise((r) => setTimeout(r, 0));
    }
    await log.close();
    const names = [...Deno.readDirSync(dir)].map((e) => e.name).sort();
    const rotated = names.filter((n) => n !== "app.ndjson");
    assert.ok(rotated.length > 3);
    assert.ok(rotated.every((n) => n.endsWith(".ndjson.gz")));
    const all = [...rotated.map((n) => new TextDecoder().decode(gunzipSync(Deno.readFileSync(`${dir}/${n}`)))), Deno.readTextFileSync(`${dir}/app.ndjson`)]
      .flatMap(lines).map((r) => r.i);
    assert.deepEqual(all, [...Array(400).keys()]);
  },
});

Deno.test({
  name: "200 categories through 8 open files: each record in its own file; reopen follows a rename",
  sanitizeOps: false,
  sanitizeResources: false,
  fn: async () => {
    const dir = Deno.makeTempDirSync();
    const log = createLogger({ sinks: [categoryFileSink(dir, { maxOpenFiles: 8 })] });
    for (let i = 0; i < 2000; i++) log.child({ c: i % 200 }, { category: `k${i % 200}` }).info("r", { i });
    await log.flush();
    Deno.renameSync(`${dir}/k0.ndjson`, `${dir}/k0.old`);
    log.reopen();
    log.child({}, { category: "k0" }).info("after");
    await log.close();
    let total = 0;
    for (const e of Deno.readDirSync(dir)) {
      if (!e.name.endsWith(".ndjson")) continue;
      const recs = lines(Deno.readTextFileSync(`${dir}/${e.name}`));
      const c = e.name.slice(1, -".ndjson".length);
      assert.ok(recs.every((r) => r.category === `k${c}`), e.name);
      total += recs.length;
    }
    assert.equal(total, 2000 - 10 + 1);
    assert.deepEqual(lines(Deno.readTextFileSync(`${dir}/k0.ndjson`)).map((r) => r.msg), ["after"]);
  },
});
