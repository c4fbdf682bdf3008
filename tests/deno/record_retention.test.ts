// Records waiting in a queue keep no larger string alive on Deno: 50 pieces cut from 4 MiB strings,
// through a field, a child's bindings, an emitted record and the message (with a sink whose write
// stalls, one whose write fails, one whose writes are slow, behind a route target whose write stalls or whose writes are slow,
// and held by fingersCrossed), hold less than 50 MiB of heap, not 200 (half of them held: 100). The
// same run on Node is tests/node/shape_serializer.test.mjs's, on Bun
// tests/record_retention.test.ts's.
// A second test: the collector's tail ring keeps no body alive (tests/helpers/tail_ring_retention.mjs).
import assert from "node:assert/strict";

Deno.test("records waiting keep no larger string alive (a field, bindings, an emitted record; the message on a stalled sink (also dated ahead), a failing and a slow one, behind a stalled or a slow route target, held by fingersCrossed)", async () => {
  const helper = new URL("../helpers/queued_retention.mjs", import.meta.url).pathname;
  for (const via of ["field", "bindings", "emit", "msg", "msg-ahead", "msg-failing", "msg-slow", "msg-routed", "msg-routed-slow", "msg-held"]) {
    const r = await new Deno.Command(Deno.execPath(), { args: ["run", "-A", "--v8-flags=--expose-gc", helper, "../../mod.ts", via], stdout: "piped", stderr: "piped" }).output();
    assert.equal(r.code, 0, new TextDecoder().decode(r.stderr));
    const { heapMiB, waiting } = JSON.parse(new TextDecoder().decode(r.stdout));
    assert.ok(waiting >= (via.endsWith("-slow") ? 49 : 50), `${via}: ${waiting} records waiting`);
    assert.ok(heapMiB < 50, `${via}: heap after gc ${heapMiB.toFixed(1)} MiB`);
  }
});

Deno.test("the collector's tail ring keeps no body alive through a record taken as it came: 20 bodies of one good line and a rejected 2 MiB one leave the heap under 25 MiB, not 50", async () => {
  const helper = new URL("../helpers/tail_ring_retention.mjs", import.meta.url).pathname;
  const r = await new Deno.Command(Deno.execPath(), { args: ["run", "-A", "--v8-flags=--expose-gc", helper, "../../server.ts"], stdout: "piped", stderr: "piped" }).output();
  assert.equal(r.code, 0, new TextDecoder().decode(r.stderr));
  const { heapMiB } = JSON.parse(new TextDecoder().decode(r.stdout));
  assert.ok(heapMiB < 25, `heap after gc ${heapMiB.toFixed(1)} MiB`);
});
