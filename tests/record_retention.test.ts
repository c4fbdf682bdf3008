// Records waiting in a queue keep no larger string alive on Bun: 50 pieces cut from 4 MiB strings,
// through a field, a child's bindings, an emitted record and the message (with a sink whose write
// stalls, one whose write fails, one whose writes are slow, behind a route target whose write stalls or whose writes are slow,
// and held by fingersCrossed), hold less than 50 MiB of heap, not 200 (half of them held: 100)
// (tests/deno/record_retention.test.ts runs the same on Deno, the Node suite on Node).
// A third test: the collector's tail ring keeps no body alive (tests/helpers/tail_ring_retention.mjs).
import { expect, test } from "bun:test";

test("records waiting keep no larger string alive (a field, bindings, an emitted record; the message on a stalled sink (also dated ahead), a failing and a slow one, behind a stalled or a slow route target, held by fingersCrossed)", () => {
  const helper = new URL("./helpers/queued_retention.mjs", import.meta.url).pathname;
  for (const via of ["field", "bindings", "emit", "msg", "msg-ahead", "msg-failing", "msg-slow", "msg-routed", "msg-routed-slow", "msg-held"]) {
    const r = Bun.spawnSync([process.execPath, helper, "../../mod.ts", via]);
    expect(r.exitCode).toBe(0);
    const { heapMiB, waiting } = JSON.parse(r.stdout.toString());
    expect(waiting).toBeGreaterThanOrEqual(via.endsWith("-slow") ? 49 : 50);
    expect(heapMiB).toBeLessThan(50);
  }
}, 60_000); // ten runs, six of them waiting over a second for a write to stall, three warming up

test("keepOwnMessage: the same text in a string of its own; a message that is no string (never converted) or a frozen record is left as it is, without a throw", async () => {
  const { createRecord, keepOwnMessage } = await import("../lib/record.ts");
  for (const msg of ["", "a", 'q"uote\\', "ünïcödé \u{1F600}", "\ud800 lone", "x".repeat(5000)]) {
    const rec = createRecord(0, "info", undefined, msg, "}");
    keepOwnMessage(rec);
    expect(rec.msg).toBe(msg);
  }
  let converted = false;
  const odd = [undefined, 42, { toString: () => ((converted = true), "x") }, Symbol("s")];
  for (const msg of odd) {
    const rec = { ...createRecord(0, "info", undefined, "m", "}"), msg } as unknown as Parameters<typeof keepOwnMessage>[0];
    expect(() => keepOwnMessage(rec)).not.toThrow();
    expect(rec.msg as unknown).toBe(msg);
  }
  expect(converted).toBe(false); // a message that is no string is not turned into one, even to be thrown away
  const frozen = Object.freeze(createRecord(0, "info", undefined, "kept", "}"));
  expect(() => keepOwnMessage(frozen)).not.toThrow();
  expect(frozen.msg).toBe("kept");
});

test("the collector's tail ring keeps no body alive through a record taken as it came: 20 bodies of one good line and a rejected 2 MiB one leave the heap under 25 MiB, not 45", () => {
  const helper = new URL("./helpers/tail_ring_retention.mjs", import.meta.url).pathname;
  const r = Bun.spawnSync([process.execPath, helper, "../../server.ts"]);
  expect(r.exitCode).toBe(0);
  expect(JSON.parse(r.stdout.toString()).heapMiB).toBeLessThan(25);
}, 60_000);
