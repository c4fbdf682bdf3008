// On Node the server entry renders a log call's fields with the serializer that knows the shape
// (lib/shape_serializer.ts), from the built package: the lines are those of serializeMembers.
import { test } from "node:test";
import assert from "node:assert/strict";
import { createLogger, streamSink } from "../../dist/mod.js";
import { fieldsTail, serializeMembers } from "../../dist/lib/serialize.js";
import { shapeTail } from "../../dist/lib/shape_serializer.js";

test("Node registers shapeTail; the logger's lines are those serializeMembers makes, redaction included", async () => {
  assert.equal(fieldsTail, shapeTail);
  const lines = [];
  const decoder = new TextDecoder();
  const log = createLogger({ redact: ["user"], sinks: [streamSink(new WritableStream({ write: (c) => void lines.push(...decoder.decode(c).trim().split("\n")) }))] });
  const calls = [{ i: 1, user: "a", ok: true }, { i: 2, user: "b", ok: false }, { i: 3, user: "c", ok: null, err: new Error("x") }, { ok: 1n, i: NaN }];
  for (const f of calls) log.info("m", f);
  await log.close();
  assert.equal(lines.length, calls.length);
  calls.forEach((f, n) => assert.ok(lines[n].endsWith('"msg":"m"' + serializeMembers({ ...f, ...("user" in f ? { user: "[Redacted]" } : {}) }) + "}"), lines[n]));
  assert.match(lines[0], /"i":1,"user":"\[Redacted\]","ok":true}$/);
});

test("with code generation refused (--disallow-code-generation-from-strings) every record is still written, as serializeTail renders it", async () => {
  const { spawnSync } = await import("node:child_process");
  const script = `
    import { createLogger, streamSink } from ${JSON.stringify(new URL("../../dist/mod.js", import.meta.url).href)};
    const out = [];
    const log = createLogger({ sinks: [streamSink(new WritableStream({ write: (c) => void out.push(new TextDecoder().decode(c)) }))] });
    for (let i = 0; i < 3; i++) log.info("m", { i, ok: true });
    await log.close();
    process.stdout.write(out.join(""));
  `;
  const r = spawnSync(process.execPath, ["--disallow-code-generation-from-strings", "--input-type=module", "-e", script], { encoding: "utf8" });
  assert.equal(r.status, 0, r.stderr);
  const lines = r.stdout.trim().split("\n");
  assert.equal(lines.length, 3);
  lines.forEach((l, i) => assert.ok(l.endsWith(`"msg":"m","i":${i},"ok":true}`), l));
});
