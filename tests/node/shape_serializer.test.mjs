// On Node the server entry renders a log call's fields with the serializer that knows the shape
// (lib/shape_serializer.ts), from the built package: the lines are those of serializeMembers.
import { test } from "node:test";
import assert from "node:assert/strict";
import { createLogger, streamSink } from "../../dist/mod.js";
import { fieldsJson, serializeMembers } from "../../dist/lib/serialize.js";
import { shapeObject } from "../../dist/lib/shape_serializer.js";

test("Node registers shapeObject; the logger's lines are those serializeMembers makes, redaction included", async () => {
  assert.equal(fieldsJson, shapeObject);
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
