// Records waiting in a queue keep no larger string alive on Bun: 50 pieces cut from 1 MiB
// strings, through a field, a child's bindings and an emitted record, hold a few MiB of heap,
// not 50 (tests/deno/record_retention.test.ts runs the same on Deno, the Node suite on Node).
import { expect, test } from "bun:test";

test("records waiting in a queue keep no larger string alive (a field, bindings, an emitted record)", () => {
  const helper = new URL("./helpers/queued_retention.mjs", import.meta.url).pathname;
  for (const via of ["field", "bindings", "emit"]) {
    const r = Bun.spawnSync([process.execPath, helper, "../../mod.ts", via]);
    expect(r.exitCode).toBe(0);
    const { heapMiB, queued } = JSON.parse(r.stdout.toString());
    expect(queued).toBe(50);
    expect(heapMiB).toBeLessThan(30);
  }
});
