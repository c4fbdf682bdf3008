// On Node the server entry renders a log call's fields with the serializer that knows the shape
// (lib/shape_serializer.ts), from the built package: the lines are those of serializeMembers.
import { test } from "node:test";
import assert from "node:assert/strict";
import { createLogger, streamSink } from "../../dist/mod.js";
import { serializeMembers } from "../../dist/lib/serialize.js";

test("Node registers shapeTail; the logger's lines are those serializeMembers makes, redaction included", async () => {
  const lines = [];
  const decoder = new TextDecoder();
  const log = createLogger({ redact: ["user"], sinks: [streamSink(new WritableStream({ write: (c) => void lines.push(...decoder.decode(c).trim().split("\n")) }))] });
  // the built package's logger learns a shape it has not seen (one renderer made with new
  // Function, its keys in the code) and renders the shape's next call with no new one
  const bodies = [];
  const RealFunction = globalThis.Function;
  globalThis.Function = new Proxy(RealFunction, { construct: (target, args) => (bodies.push(args.at(-1)), Reflect.construct(target, args)) });
  try {
    log.info("first", { aShapeOnlyThisTestUses: 1 });
    log.info("second", { aShapeOnlyThisTestUses: 2 });
  } finally {
    globalThis.Function = RealFunction;
  }
  assert.equal(bodies.length, 1);
  assert.match(bodies[0], /"aShapeOnlyThisTestUses"/);
  const calls = [{ i: 1, user: "a", ok: true }, { i: 2, user: "b", ok: false }, { i: 3, user: "c", ok: null, err: new Error("x") }, { ok: 1n, i: NaN }];
  for (const f of calls) log.info("m", f);
  await log.close();
  assert.equal(lines.length, calls.length + 2);
  lines.splice(0, 2);
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

test("records waiting keep no larger string alive: 50 pieces cut from 4 MiB strings (a field, bindings, an emitted record; the message on a stalled sink (also dated ahead), a failing and a slow one, behind a stalled or a slow route target, held by fingersCrossed) hold less than 50 MiB of heap, not 200", async () => {
  const { spawnSync } = await import("node:child_process");
  const helper = new URL("../helpers/queued_retention.mjs", import.meta.url).pathname;
  for (const via of ["field", "bindings", "emit", "msg", "msg-ahead", "msg-failing", "msg-slow", "msg-routed", "msg-routed-slow", "msg-held"]) {
    const r = spawnSync(process.execPath, ["--expose-gc", helper, "../../dist/mod.js", via], { encoding: "utf8" });
    assert.equal(r.status, 0, r.stderr);
    const { heapMiB, waiting } = JSON.parse(r.stdout);
    assert.ok(waiting >= (via.endsWith("-slow") ? 49 : 50), `${via}: ${waiting} records waiting`);
    assert.ok(heapMiB < 50, `${via}: heap after gc ${heapMiB.toFixed(1)} MiB`);
  }
});

test("the collector's tail ring keeps no body alive through a record taken as it came: 20 bodies of one good line and a rejected 2 MiB one leave the heap under 25 MiB", async () => {
  const { spawnSync } = await import("node:child_process");
  const helper = new URL("../helpers/tail_ring_retention.mjs", import.meta.url).pathname;
  const r = spawnSync(process.execPath, ["--expose-gc", helper, "../../dist/server.js"], { encoding: "utf8" });
  assert.equal(r.status, 0, r.stderr);
  const { heapMiB } = JSON.parse(r.stdout);
  assert.ok(heapMiB < 25, `heap after gc ${heapMiB.toFixed(1)} MiB`);
});
