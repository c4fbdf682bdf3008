// The request logging every framework entry promises (sluice/hono, sluice/elysia, sluice/express,
// sluice/fastify), checked over real HTTP on 127.0.0.1 against an app each test builds with the
// same routes and `skip: ["/health"]`:
//   GET /items    logs "listing" on the request's logger and "query" on `db`, a logger that knows
//                 nothing of the request; answers [] (2 bytes)
//   GET /slow?n=  waits 30 ms, then logs "slow" on `db` with n (two at once must not mix)
//   GET /boom     throws Error("kaboom")
//   GET /health   answers "ok" (its line is skipped)
//   GET /stream   a streamed body "abc" "defg" "hi" without Content-Length
//   POST /echo    a JSON body {"a":n}, read by the framework; logs "body" on `db` with a, answers it
//   anything else 404
// Throws on the first broken expectation; resolves with the records.

function check(cond, what, detail) {
  if (!cond) throw new Error(`http logging scenario failed: ${what}${detail === undefined ? "" : ": " + JSON.stringify(detail)}`);
}

/** A logger writing into memory, its lines kept as text, and `db`, a child with a category. */
export function memoryLogger(createLogger, streamSink) {
  let text = "";
  const decoder = new TextDecoder();
  const log = createLogger({ exitHooks: false, sinks: [streamSink(new WritableStream({ write(c) { text += decoder.decode(c); } }))] });
  return { log, db: log.child({}, { category: "db" }), lines: () => text.split("\n").filter(Boolean) };
}

/** The streamed body of /stream. */
export function streamedBody() {
  return new ReadableStream({
    start(ctl) {
      for (const s of ["abc", "defg", "hi"]) ctl.enqueue(new TextEncoder().encode(s));
      ctl.close();
    },
  });
}

const TRACEPARENT = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";

/**
 * @param opts `{ base, log, lines, streamBytes }`: the app's URL, its logger and lines, and whether
 *   the adapter counts a streamed body's bytes (web `Response` frameworks do; Express and Fastify
 *   report only a declared Content-Length).
 */
export async function httpLoggingScenario({ base, log, lines, streamBytes }) {
  const get = (path, headers = {}) => fetch(base + path, { headers });
  const r1 = await get("/items", { "x-request-id": "abc-1" });
  check(r1.status === 200 && (await r1.text()) === "[]", "the route answers");
  check(r1.headers.get("x-request-id") === "abc-1", "the request id is answered", r1.headers.get("x-request-id"));
  const r2 = await get("/items");
  await r2.text();
  const made = r2.headers.get("x-request-id");
  check(/^[0-9a-f-]{36}$/.test(made ?? ""), "a request id is made when there is none", made);
  const r3 = await get("/missing");
  await r3.text();
  check(r3.status === 404, "an unknown route is a 404", r3.status);
  const r4 = await get("/boom", { "x-request-id": "boom-1" });
  await r4.text();
  check(r4.status === 500, "a thrown error is a 500", r4.status);
  const r5 = await get("/stream", { traceparent: TRACEPARENT });
  check((await r5.text()) === "abcdefghi", "a streamed body passes unchanged");
  const r6 = await get("/health", { "x-request-id": "health-1" });
  check((await r6.text()) === "ok" && r6.headers.get("x-request-id") === "health-1", "a skipped request is answered, with its id");
  const r7 = await fetch(base + "/echo", { method: "POST", headers: { "content-type": "application/json", "x-request-id": "p-1" }, body: JSON.stringify({ a: 5 }) });
  check(r7.status === 200 && (await r7.text()) === "5", "a JSON body is read", r7.status);
  const [s1, s2] = await Promise.all([get("/slow?n=1", { "x-request-id": "s-1" }), get("/slow?n=2", { "x-request-id": "s-2" })]);
  await Promise.all([s1.text(), s2.text()]);
  // the line is written when the response is done: give the server a moment to finish
  for (let i = 0; i < 50 && lines().filter((l) => l.includes('"msg":"request"')).length < 8; i++) await new Promise((r) => setTimeout(r, 10));
  await log.flush();

  const text = lines();
  for (const l of text) check((l.match(/"reqId":/g) ?? []).length <= 1, "reqId appears once in a record", l);
  const recs = text.map((l) => JSON.parse(l));
  const lineOf = (reqId) => recs.find((r) => r.msg === "request" && r.reqId === reqId);
  const requestLines = recs.filter((r) => r.msg === "request");
  check(requestLines.length === 8, "one line per request, none for the skipped one", requestLines.map((r) => r.path));
  check(!requestLines.some((r) => r.path === "/health"), "the skipped path has no line");

  check(recs.find((r) => r.msg === "listing")?.reqId === "abc-1", "the request's logger carries the request id");
  const query = recs.find((r) => r.msg === "query");
  check(query?.reqId === "abc-1" && query.category === "db", "another logger called in the handler carries the request id (withContext)", query);
  const l1 = lineOf("abc-1");
  check(l1?.level === "info" && l1.method === "GET" && l1.path === "/items" && l1.status === 200 && l1.bytes === 2 && typeof l1.duration_ms === "number" && l1.duration_ms >= 0,
    "the request line of a 200", l1);
  check(lineOf(made)?.path === "/items", "the made id is on the line", lineOf(made));
  const l3 = requestLines.find((r) => r.path === "/missing");
  check(l3?.level === "warn" && l3.status === 404, "a 4xx line is a warning", l3);
  const l4 = lineOf("boom-1");
  check(l4?.level === "error" && l4.status === 500, "a 5xx line is an error", l4);
  const thrown = recs.filter((r) => r.msg === "kaboom" && r.err !== undefined);
  check(thrown.length >= 1 && thrown.every((t) => t.level === "error" && t.reqId === "boom-1" && /kaboom[\s\S]*at /.test(t.err.stack ?? "")),
    "a thrown error is logged with its stack and the request id", thrown);
  const l5 = requestLines.find((r) => r.path === "/stream");
  check(l5?.status === 200 && (streamBytes ? l5.bytes === 9 : l5.bytes === undefined), "a streamed body's bytes are counted (or left out)", l5);
  check(l5.trace_id === "0af7651916cd43dd8448eb211c80319c" && l5.span_id === "b7ad6b7169203331" && l5.trace_flags === "01", "traceparent ids are on the request's records", l5);
  const body = recs.find((r) => r.msg === "body");
  check(body?.a === 5 && body.reqId === "p-1", "the handler still runs in the request's context after the body was read", body);
  check(lineOf("p-1")?.method === "POST", "the POST's line", lineOf("p-1"));
  const slow = recs.filter((r) => r.msg === "slow");
  check(slow.length === 2 && slow.every((r) => r.reqId === `s-${r.n}`), "two concurrent requests keep their own ids", slow);
  check(lineOf("s-1")?.path === "/slow" && lineOf("s-2")?.path === "/slow", "the concurrent requests' lines");
  return recs;
}
