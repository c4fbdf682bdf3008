// The Deno adapter: detection, Deno.FsFile writes, fsync, and unref'd timers.
import assert from "node:assert/strict";
import { detectRuntime, fileSink, createLogger } from "../../mod.ts";
import { openDenoFile } from "../../adapters/deno.ts";

Deno.test("the Deno runtime is detected", () => {
  assert.equal(detectRuntime().name, "deno");
});

Deno.test("openDenoFile appends, creates its directory and writes multi-byte text whole", () => {
  const dir = Deno.makeTempDirSync();
  const path = `${dir}/nested/deeper/a.log`;
  const f = openDenoFile(path, Deno);
  f.write("héllo ✓\n");
  f.sync();
  f.close();
  const again = openDenoFile(path, Deno);
  again.write("second\n");
  again.close();
  assert.equal(Deno.readTextFileSync(path), "héllo ✓\nsecond\n");
});

Deno.test("a durable file sink fsyncs on flush and the records are on disk", async () => {
  const dir = Deno.makeTempDirSync();
  const log = createLogger({ sinks: [fileSink(`${dir}/d.ndjson`, { durable: true })] });
  log.info("durable", { ok: true });
  await log.flush();
  assert.match(Deno.readTextFileSync(`${dir}/d.ndjson`), /"msg":"durable","ok":true/);
  await log.close();
});
