// Records waiting in a queue keep no larger string alive on Bun: 50 pieces cut from 4 MiB strings,
// through a field, a child's bindings, an emitted record and the message (with a sink whose write
// stalls, one whose write fails, behind a route target whose write stalls or whose writes are slow,
// and held by fingersCrossed), hold less than 50 MiB of heap, not 200 (half of them held: 100)
// (tests/deno/record_retention.test.ts runs the same on Deno, the Node suite on Node).
import { expect, test } from "bun:test";

test("records waiting keep no larger string alive (a field, bindings, an emitted record; the message on a stalled and a failing sink, behind a stalled or a slow route target, held by fingersCrossed)", () => {
  const helper = new URL("./helpers/queued_retention.mjs", import.meta.url).pathname;
  for (const via of ["field", "bindings", "emit", "msg", "msg-failing", "msg-routed", "msg-routed-slow", "msg-held"]) {
    const r = Bun.spawnSync([process.execPath, helper, "../../mod.ts", via]);
    expect(r.exitCode).toBe(0);
    const { heapMiB, waiting } = JSON.parse(r.stdout.toString());
    expect(waiting).toBeGreaterThanOrEqual(via === "msg-routed-slow" ? 49 : 50);
    expect(heapMiB).toBeLessThan(50);
  }
}, 30_000); // eight runs, four of them waiting over a second for a write to stall
