// sluice/hono's middleware on any runtime, through app.request (and, in workerd, through the
// worker's own fetch): c.var.log with a request id, one line per request with its level by
// status, thrown errors with their stack, streamed bodies counted, traceparent ids.
// Throws on the first broken expectation; resolves with the records it checked.

function check(cond, what, detail) {
  if (!cond) throw new Error(`hono scenario failed: ${what}${detail === undefined ? "" : ": " + JSON.stringify(detail)}`);
}

/** An app with the middleware and a logger writing into memory. */
export function makeApp({ Hono, createLogger, streamSink, sluiceLogger }, sinks) {
  let text = "";
  const decoder = new TextDecoder();
  const log = createLogger({ exitHooks: false, sinks: sinks ?? [streamSink(new WritableStream({ write(c) { text += decoder.decode(c); } }))] });
  const app = new Hono();
  app.onError((_err, c) => c.text("failed", 500)); // quiet: the middleware logs it
  app.use(sluiceLogger(log, { countBytes: true }));
  app.get("/items", (c) => {
    c.var.log.info("listing", { n: 0 });
    return c.json([]);
  });
  app.get("/boom", () => {
    throw new Error("kaboom");
  });
  app.get("/stream", (c) => c.body(new ReadableStream({
    start(ctl) {
      for (const s of ["abc", "defg", "hi"]) ctl.enqueue(new TextEncoder().encode(s));
      ctl.close();
    },
  })));
  return { app, log, records: () => text.split("\n").filter(Boolean).map((l) => JSON.parse(l)) };
}

/** @param deps `{ Hono, createLogger, streamSink, sluiceLogger }`. */
export async function honoScenario(deps) {
  const { app, log, records } = makeApp(deps);
  const r1 = await app.request("/items", { headers: { "x-request-id": "abc-1" } });
  check(r1.status === 200 && (await r1.text()) === "[]", "the route answers");
  check(r1.headers.get("x-request-id") === "abc-1", "the request id is answered", r1.headers.get("x-request-id"));
  const r2 = await app.request("/items");
  await r2.text();
  const made = r2.headers.get("x-request-id");
  check(/^[0-9a-f-]{36}$/.test(made ?? ""), "a request id is made when there is none", made);
  const r3 = await app.request("/missing");
  check(r3.status === 404, "an unknown route is a 404");
  await r3.text();
  const r4 = await app.request("/boom");
  check(r4.status === 500, "a thrown error is a 500", r4.status);
  await r4.text();
  const r5 = await app.request("/stream", { headers: { traceparent: "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01" } });
  check((await r5.text()) === "abcdefghi", "a streamed body passes unchanged");
  await log.close();

  const recs = records();
  const lines = recs.filter((r) => r.msg === "request");
  check(lines.length === 5, "one line per request", lines.length);
  const [l1, l2, l3, l4, l5] = lines;
  check(recs.find((r) => r.msg === "listing")?.reqId === "abc-1", "c.var.log carries the request id");
  check(l1.reqId === "abc-1" && l1.level === "info" && l1.method === "GET" && l1.path === "/items" && l1.status === 200 && l1.bytes === 2 && typeof l1.duration_ms === "number" && l1.duration_ms >= 0,
    "the request line of a 200", l1);
  check(l2.reqId === made && l2.reqId !== l1.reqId, "the made id is on the line", l2);
  check(l3.level === "warn" && l3.status === 404, "a 4xx line is a warning", l3);
  check(l4.level === "error" && l4.status === 500, "a 5xx line is an error", l4);
  const thrown = recs.find((r) => r.msg === "kaboom");
  check(thrown?.level === "error" && thrown.err?.message === "kaboom" && /kaboom[\s\S]*at /.test(thrown.err?.stack ?? "") && thrown.reqId === l4.reqId,
    "a thrown error is logged with its stack and the request id", thrown);
  check(l5.bytes === 9 && l5.status === 200, "a streamed body's bytes are counted", l5);
  check(l5.trace_id === "0af7651916cd43dd8448eb211c80319c" && l5.span_id === "b7ad6b7169203331" && l5.trace_flags === "01", "traceparent ids are on the request's records", l5);
  return recs;
}
