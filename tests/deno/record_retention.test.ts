// Records waiting in a queue keep no larger string alive on Deno: 50 pieces cut from 4 MiB
// strings, through a field, a child's bindings, an emitted record and the message (with a sink
// whose write stalls, and one whose write fails), hold less than 100 MiB of heap, not 200. The
// same run on Node is tests/node/shape_serializer.test.mjs's, on Bun tests/record_retention.test.ts's.
import assert from "node:assert/strict";

Deno.test("records waiting in a queue keep no larger string alive (a field, bindings, an emitted record, the message on a stalled and a failing sink)", async () => {
  const helper = new URL("../helpers/queued_retention.mjs", import.meta.url).pathname;
  for (const via of ["field", "bindings", "emit", "msg", "msg-failing"]) {
    const r = await new Deno.Command(Deno.execPath(), { args: ["run", "-A", "--v8-flags=--expose-gc", helper, "../../mod.ts", via], stdout: "piped", stderr: "piped" }).output();
    assert.equal(r.code, 0, new TextDecoder().decode(r.stderr));
    const { heapMiB, queued } = JSON.parse(new TextDecoder().decode(r.stdout));
    assert.equal(queued, 50, via);
    assert.ok(heapMiB < 100, `${via}: heap after gc ${heapMiB.toFixed(1)} MiB`);
  }
});
