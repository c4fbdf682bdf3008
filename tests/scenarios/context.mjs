// withContext/getContext scenarios, run on every runtime (bun:test, deno test, node --test and a
// worker in workerd): a context kept across await, timers and streams, two interleaved
// requests that never see each other's fields, nesting, traceparent, and nothing outside.
// Throws on the first broken expectation; resolves with the records it checked.

const TRACEPARENT = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";

function check(cond, what, detail) {
  if (!cond) throw new Error(`context scenario failed: ${what}${detail === undefined ? "" : ": " + JSON.stringify(detail)}`);
}

/** @param sluice The package's exports (mod.ts, dist/mod.js or mod.web.ts). */
export async function contextScenarios(sluice) {
  const { createLogger, streamSink, withContext, getContext } = sluice;
  let text = "";
  const decoder = new TextDecoder();
  const log = createLogger({ exitHooks: false, sinks: [streamSink(new WritableStream({ write(c) { text += decoder.decode(c, { stream: true }); } }))] });
  const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

  check(getContext() === undefined, "getContext() outside any scope is undefined");
  log.info("outside");
  await withContext({ scenario: "await", reqId: "a" }, async () => {
    await sleep(1);
    await null;
    log.info("after await");
  });
  await withContext({ scenario: "timer" }, () => new Promise((resolve) => setTimeout(() => { log.info("in timer"); resolve(); }, 2)));
  await withContext({ scenario: "stream" }, () =>
    new ReadableStream({ start(c) { c.enqueue(1); c.enqueue(2); c.close(); } })
      .pipeThrough(new TransformStream({ transform(chunk, c) { log.info("in transform", { chunk }); c.enqueue(chunk); } }))
      .pipeTo(new WritableStream({ async write(chunk) { await sleep(1); log.info("in writable", { chunk }); } })));
  await Promise.all(["r1", "r2"].map((reqId, k) =>
    withContext({ scenario: "interleaved", reqId }, async () => {
      for (let i = 0; i < 5; i++) {
        await sleep(1 + k);
        check(getContext()?.reqId === reqId, "getContext() in an interleaved request is its own", getContext());
        log.info("step", { i });
      }
    })));
  let seen;
  withContext({ scenario: "nested", a: 1, b: 1 }, () => withContext({ b: 2 }, () => {
    seen = getContext();
    log.info("nested");
  }));
  check(seen?.a === 1 && seen?.b === 2 && seen?.scenario === "nested", "an inner scope adds to and overrides the outer one", seen);
  withContext({ scenario: "traceparent", traceparent: TRACEPARENT }, () => log.info("traced"));
  check(withContext({ scenario: "result" }, () => 42) === 42, "withContext returns fn's result");
  log.info("outside again");
  check(getContext() === undefined, "getContext() after every scope ended is undefined");
  await log.close();

  const records = text.split("\n").filter(Boolean).map((l) => JSON.parse(l));
  const by = (msg) => records.filter((r) => r.msg === msg);
  check(by("outside").length === 1 && by("outside")[0].scenario === undefined, "a record outside any scope has no context fields", by("outside"));
  check(by("outside again")[0]?.scenario === undefined, "a record after every scope ended has no context fields", by("outside again"));
  check(by("after await")[0]?.reqId === "a" && by("after await")[0]?.scenario === "await", "kept across await", by("after await"));
  check(by("in timer")[0]?.scenario === "timer", "kept in a timer callback", by("in timer"));
  check(by("in transform").length === 2 && by("in transform").every((r) => r.scenario === "stream"), "kept in a TransformStream's transform", by("in transform"));
  check(by("in writable").length === 2 && by("in writable").every((r) => r.scenario === "stream"), "kept in a WritableStream's write", by("in writable"));
  const steps = by("step");
  check(steps.length === 10, "ten interleaved steps", steps.length);
  for (const id of ["r1", "r2"]) {
    const mine = steps.filter((r) => r.reqId === id).map((r) => r.i);
    check(JSON.stringify(mine) === "[0,1,2,3,4]", `request ${id} logged its five steps with its own id`, mine);
  }
  check(by("nested")[0]?.a === 1 && by("nested")[0]?.b === 2, "nested fields in the record", by("nested"));
  const traced = by("traced")[0];
  check(traced?.trace_id === "0af7651916cd43dd8448eb211c80319c" && traced?.span_id === "b7ad6b7169203331" && traced?.trace_flags === "01" && traced?.traceparent === undefined,
    "a traceparent becomes trace_id, span_id, trace_flags", traced);
  return records;
}
