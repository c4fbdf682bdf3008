// Records waiting in a queue keep no larger string alive on Bun: 50 pieces cut from 4 MiB
// strings, through a field, a child's bindings, an emitted record and the message (with a sink
// whose write stalls, and one whose write fails), hold less than 100 MiB of heap, not 200
// (tests/deno/record_retention.test.ts runs the same on Deno, the Node suite on Node).
import { expect, test } from "bun:test";

test("records waiting in a queue keep no larger string alive (a field, bindings, an emitted record, the message on a stalled and a failing sink)", () => {
  const helper = new URL("./helpers/queued_retention.mjs", import.meta.url).pathname;
  for (const via of ["field", "bindings", "emit", "msg", "msg-failing"]) {
    const r = Bun.spawnSync([process.execPath, helper, "../../mod.ts", via]);
    expect(r.exitCode).toBe(0);
    const { heapMiB, queued } = JSON.parse(r.stdout.toString());
    expect(queued).toBe(50);
    expect(heapMiB).toBeLessThan(100);
  }
});
