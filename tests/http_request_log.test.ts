// lib/http_request_log.ts, the piece every framework entry uses, and the details of each entry
// a user meets beyond the shared scenario (tests/frameworks.test.ts): skip by predicate, bad
// options, ids the header cannot give, Express's errors and aborted requests, Elysia's plugin
// reaching routes of plugins used later.
import { describe, expect, test } from "bun:test";
import { Elysia, t } from "elysia";
import express from "express";
import { Hono } from "hono";
import { HTTPException } from "hono/http-exception";
import { createLogger, streamSink } from "../mod.ts";
import { httpRequestLog } from "../lib/http_request_log.ts";
import { finishWebResponse } from "../lib/web_response_log.ts";
import { sluiceLogger as elysiaLogger } from "../elysia.ts";
import { sluiceErrorLogger, sluiceLogger as expressLogger } from "../express.ts";
import { sluiceLogger as honoLogger } from "../hono.ts";
import { memoryLogger } from "./scenarios/http_logging.mjs";

async function recordsOf(m: ReturnType<typeof memoryLogger>) {
  await m.log.flush();
  return m.lines().map((l) => JSON.parse(l));
}

describe("httpRequestLog", () => {
  test("skip as a predicate sees method, path and status when the response is known", async () => {
    const m = memoryLogger(createLogger, streamSink);
    const seen: unknown[] = [];
    const begin = httpRequestLog(m.log, { skip: (r) => (seen.push(r), r.status < 400) });
    begin("GET", "/a", () => undefined).end(200, 1);
    begin("POST", "/b", () => undefined).end(503, 0);
    expect(seen).toEqual([{ method: "GET", path: "/a", status: 200 }, { method: "POST", path: "/b", status: 503 }]);
    expect((await recordsOf(m)).map((r) => [r.path, r.level])).toEqual([["/b", "error"]]);
    await m.log.close();
  });

  test("a skip that is neither paths nor a function is a clear error when the middleware is made", () => {
    const log = createLogger({ exitHooks: false, sinks: [] });
    for (const bad of ["/health", [1], { path: "/health" }]) {
      expect(() => httpRequestLog(log, { skip: bad as never })).toThrow(/skip must be an array of paths or a function/);
    }
  });

  test("a request id that is empty or over 200 characters is replaced by a made one; the header name is any case", async () => {
    const m = memoryLogger(createLogger, streamSink);
    let n = 0;
    const begin = httpRequestLog(m.log, { requestIdHeader: "X-Correlation-Id", makeRequestId: () => `made-${++n}`, category: "http" });
    const ids = ["", "x".repeat(201), "x".repeat(200)].map((given) => begin("GET", "/", (name) => (name === "x-correlation-id" ? given : null)).reqId);
    expect(ids).toEqual(["made-1", "made-2", "x".repeat(200)]);
    const req = begin("GET", "/", () => undefined);
    expect(req.header).toBe("x-correlation-id");
    req.run(() => req.log.info("inside"));
    req.end(200, 0);
    req.end(200, 0);
    req.error("not an Error");
    req.error(new Error("second"));
    const recs = await recordsOf(m);
    expect(recs.map((r) => [r.category, r.msg, r.reqId])).toEqual([["http", "inside", "made-3"], ["http", "request", "made-3"], ["http", "not an Error", "made-3"]]);
    await m.log.close();
  });

  test("a malformed traceparent adds nothing", async () => {
    const m = memoryLogger(createLogger, streamSink);
    const req = httpRequestLog(m.log)("GET", "/", (name) => (name === "traceparent" ? "00-zzz-1-01" : undefined));
    req.end(200, 0);
    const [r] = await recordsOf(m);
    expect(r.trace_id).toBeUndefined();
    expect(typeof r.reqId).toBe("string");
    await m.log.close();
  });
});

describe("a thrown error and the answer's status", () => {
  test("Hono: an HTTPException(401) is the 401 line's error (warn, no error record); an Error that says status 404 but is answered 500 is an error record with its stack", async () => {
    const m = memoryLogger(createLogger, streamSink);
    const app = new Hono();
    app.use(honoLogger(m.log));
    app.get("/auth", () => {
      throw new HTTPException(401, { message: "no token" });
    });
    app.get("/odd", () => {
      throw Object.assign(new Error("upstream said 404"), { status: 404 });
    });
    expect((await app.request("/auth")).status).toBe(401);
    expect((await app.request("/odd")).status).toBe(500);
    const recs = await recordsOf(m);
    expect(recs.map((r) => [r.msg, r.level, r.status, r.error])).toEqual([["request", "warn", 401, "no token"], ["upstream said 404", "error", undefined, undefined], ["request", "error", 500, undefined]]);
    expect(recs[1].err.stack).toContain("upstream said 404");
    await m.log.close();
  });

  test("an error that says no 4xx behind a 4xx set before keeps its record and stack; an error after the line is logged on its own, whatever the status", async () => {
    const m = memoryLogger(createLogger, streamSink);
    const begin = httpRequestLog(m.log);
    const a = begin("GET", "/forbidden", () => undefined);
    a.error(new TypeError("cannot read x of undefined"));
    a.end(403, 0);
    const b = begin("GET", "/late", () => undefined);
    b.end(400, 0);
    b.error(Object.assign(new Error("audit failed"), { status: 400 }));
    const recs = await recordsOf(m);
    expect(recs.map((r) => [r.msg, r.level, r.status, r.error])).toEqual([["cannot read x of undefined", "error", undefined, undefined], ["request", "warn", 403, undefined], ["request", "warn", 400, undefined], ["audit failed", "error", undefined, undefined]]);
    expect(recs[0].err.stack).toContain("TypeError");
    await m.log.close();
  });

  test("Express: an error passed on with status 404 is the 404 line's error; one without a status is an error record, then the 500 line", async () => {
    const m = memoryLogger(createLogger, streamSink);
    const app = express();
    app.set("env", "test");
    app.use(expressLogger(m.log));
    app.get("/missing", (_req, _res, next) => next(Object.assign(new Error("no such item"), { status: 404 })));
    app.get("/boom", () => {
      throw new Error("kaboom");
    });
    app.use(sluiceErrorLogger());
    const server = await new Promise<import("node:http").Server>((resolve) => {
      const s = app.listen(0, "127.0.0.1", () => resolve(s));
    });
    const base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
    try {
      expect((await fetch(`${base}/missing`)).status).toBe(404);
      expect((await fetch(`${base}/boom`)).status).toBe(500);
      for (let i = 0; i < 100 && (await recordsOf(m)).filter((r) => r.msg === "request").length < 2; i++) await new Promise((r) => setTimeout(r, 10));
    } finally {
      await new Promise((r) => server.close(r));
    }
    const recs = await recordsOf(m);
    expect(recs.map((r) => [r.msg, r.level, r.status, r.error])).toEqual([["request", "warn", 404, "no such item"], ["kaboom", "error", undefined, undefined], ["request", "error", 500, undefined]]);
    await m.log.close();
  });
});

describe("finishWebResponse", () => {
  const enc = (s: string) => new TextEncoder().encode(s);
  const begin = (m: ReturnType<typeof memoryLogger>) => httpRequestLog(m.log)("GET", "/s", () => undefined);

  test("by default a body that declares no length is passed on untouched, and its line has no bytes", async () => {
    const m = memoryLogger(createLogger, streamSink);
    const res = new Response("ok");
    const { response } = await finishWebResponse(begin(m), res, false);
    expect(response).toBe(res);
    expect(await response.text()).toBe("ok");
    const [line] = await recordsOf(m);
    expect(line.status).toBe(200);
    expect("bytes" in line).toBe(false);
    await m.log.close();
  });

  test("countBytes: a body in memory is answered as bytes with its Content-Length, the line at once", async () => {
    const m = memoryLogger(createLogger, streamSink);
    const app = new Hono();
    app.use(honoLogger(m.log, { countBytes: true }));
    app.get("/j", (c) => c.json({ a: 1 }));
    const server = Bun.serve({ port: 0, hostname: "127.0.0.1", fetch: app.fetch });
    try {
      const res = await fetch(`http://127.0.0.1:${server.port}/j`);
      expect(res.headers.get("content-length")).toBe("7");
      expect(res.headers.get("transfer-encoding")).toBeNull();
      expect(await res.json()).toEqual({ a: 1 });
    } finally {
      server.stop(true);
    }
    expect((await recordsOf(m)).map((r) => r.bytes)).toEqual([7]);
    await m.log.close();
  });

  test("countBytes and a HEAD request to a streaming route (Hono answers it from the GET route and drops the body): the line is written and waitUntil's promise settles", async () => {
    const m = memoryLogger(createLogger, streamSink);
    const app = new Hono();
    app.use(honoLogger(m.log, { countBytes: true }));
    let more!: () => void;
    const later = new Promise<void>((r) => (more = r));
    app.get("/events", (c) => c.body(new ReadableStream({ async start(ctl) { ctl.enqueue(enc("a")); await later; ctl.close(); } })));
    const waited: Promise<unknown>[] = [];
    const ctx = { waitUntil: (p: Promise<unknown>) => void waited.push(p), passThroughOnException() {}, props: {} };
    const res = await app.request("/events", { method: "HEAD" }, {}, ctx as never);
    expect([res.status, await res.text()]).toEqual([200, ""]);
    expect(waited.length).toBe(1);
    const settled = await Promise.race([waited[0].then(() => true), new Promise((r) => setTimeout(() => r(false), 2000))]);
    more();
    expect(settled).toBe(true);
    expect((await recordsOf(m)).map((r) => [r.method, r.status])).toEqual([["HEAD", 200]]);
    await m.log.close();
  });

  test("a stream whose next chunk comes later is answered at once and counted as it passes", async () => {
    const m = memoryLogger(createLogger, streamSink);
    let more!: () => void;
    const later = new Promise<void>((r) => (more = r));
    const res = new Response(new ReadableStream({
      async start(ctl) {
        ctl.enqueue(enc("first"));
        await later;
        ctl.enqueue(enc("second"));
        ctl.close();
      },
    }));
    const { response, done } = await finishWebResponse(begin(m), res, true); // resolves before "second" exists
    const reader = response.body!.getReader();
    expect(new TextDecoder().decode((await reader.read()).value)).toBe("first");
    expect((await recordsOf(m)).length).toBe(0);
    more();
    expect(new TextDecoder().decode((await reader.read()).value)).toBe("second");
    expect((await reader.read()).done).toBe(true);
    await done;
    expect((await recordsOf(m)).map((r) => r.bytes)).toEqual([11]);
    await m.log.close();
  });

  test("a stream that never sends anything does not hold the response back; a client going away gets the line", async () => {
    const m = memoryLogger(createLogger, streamSink);
    let cancelled: unknown;
    const res = new Response(new ReadableStream({ cancel(reason) { cancelled = reason; } }));
    const { response, done } = await finishWebResponse(begin(m), res, true);
    await response.body!.cancel("gone");
    await done;
    expect(cancelled).toBe("gone");
    expect((await recordsOf(m)).map((r) => [r.msg, r.bytes])).toEqual([["request", 0]]);
    await m.log.close();
  });

  test("a stream that fails mid-way ends the response with its error, and the line says what was sent", async () => {
    const m = memoryLogger(createLogger, streamSink);
    let fail!: (e: Error) => void;
    const res = new Response(new ReadableStream({
      async start(ctl) {
        ctl.enqueue(enc("abc"));
        await new Promise<void>((_r, reject) => (fail = reject)).catch((e) => ctl.error(e));
      },
    }));
    const { response, done } = await finishWebResponse(begin(m), res, true);
    const reader = response.body!.getReader();
    await reader.read();
    fail(new Error("upstream broke"));
    await expect(reader.read()).rejects.toThrow("upstream broke");
    await done;
    expect((await recordsOf(m)).map((r) => r.bytes)).toEqual([3]);
    await m.log.close();
  });

  test("a stream that fails at once: the response is still made, its body fails when read, the line is written", async () => {
    const m = memoryLogger(createLogger, streamSink);
    const res = new Response(new ReadableStream({ start: (c) => c.error(new Error("no data")) }));
    const { response, done } = await finishWebResponse(begin(m), res, true);
    await expect(response.text()).rejects.toThrow("no data");
    await done;
    expect((await recordsOf(m)).map((r) => r.bytes)).toEqual([0]);
    await m.log.close();
  });

  test("an empty stream is 0 bytes; immutable headers are answered through a copy", async () => {
    const m = memoryLogger(createLogger, streamSink);
    const empty = await finishWebResponse(begin(m), new Response(new ReadableStream({ start: (c) => c.close() })), true);
    expect(await empty.response.text()).toBe("");
    const frozen = Response.redirect("http://127.0.0.1/elsewhere", 302); // its headers are immutable
    const copied = await finishWebResponse(begin(m), frozen, true);
    expect(copied.response.headers.get("x-request-id")).not.toBeNull();
    expect([copied.response.status, copied.response.headers.get("location")]).toEqual([302, "http://127.0.0.1/elsewhere"]);
    expect((await recordsOf(m)).map((r) => r.bytes)).toEqual([0, 0]);
    await m.log.close();
  });
});

describe("sluice/express", () => {
  async function listen(app: ReturnType<typeof express>) {
    const server = await new Promise<import("node:http").Server>((resolve) => {
      const s = app.listen(0, "127.0.0.1", () => resolve(s));
    });
    return { base: `http://127.0.0.1:${(server.address() as { port: number }).port}`, stop: () => new Promise((r) => server.close(r)) };
  }

  test("sluiceErrorLogger passes the error on: Express's own handler still answers 500, the error is logged once", async () => {
    const m = memoryLogger(createLogger, streamSink);
    const app = express();
    app.set("env", "test"); // Express's final handler prints the stack otherwise
    app.use(expressLogger(m.log));
    app.get("/boom", async () => {
      await Promise.resolve();
      throw new Error("async kaboom");
    });
    app.use(sluiceErrorLogger());
    const s = await listen(app);
    try {
      const res = await fetch(`${s.base}/boom`, { headers: { "x-request-id": "e-1" } });
      expect(res.status).toBe(500);
      await res.text();
      for (let i = 0; i < 50 && !m.lines().some((l) => l.includes('"msg":"request"')); i++) await new Promise((r) => setTimeout(r, 10));
    } finally {
      await s.stop();
    }
    const recs = await recordsOf(m);
    expect(recs.map((r) => [r.msg, r.reqId, r.level])).toEqual([["async kaboom", "e-1", "error"], ["request", "e-1", "error"]]);
    expect(recs[0].err.stack).toContain("async kaboom");
    await m.log.close();
  });

  test("a client that goes away mid-response still gets its line", async () => {
    const m = memoryLogger(createLogger, streamSink);
    const app = express();
    app.use(expressLogger(m.log));
    let release!: () => void;
    const released = new Promise<void>((r) => (release = r));
    app.get("/hang", async (_req, res) => {
      res.write("partial");
      await released;
      res.end();
    });
    const s = await listen(app);
    try {
      const ac = new AbortController();
      const res = await fetch(`${s.base}/hang`, { signal: ac.signal });
      const reader = res.body!.getReader();
      await reader.read();
      ac.abort();
      for (let i = 0; i < 100 && !m.lines().some((l) => l.includes('"msg":"request"')); i++) await new Promise((r) => setTimeout(r, 10));
    } finally {
      release();
      await s.stop();
    }
    const lines = (await recordsOf(m)).filter((r) => r.msg === "request");
    expect(lines.map((r) => [r.path, r.status])).toEqual([["/hang", 200]]);
    await m.log.close();
  });

  test("a client that goes away before any answer: its line says 499 at warn, not the 200 a response holds before a handler sets one", async () => {
    const m = memoryLogger(createLogger, streamSink);
    const app = express();
    app.use(expressLogger(m.log));
    let release!: () => void;
    const released = new Promise<void>((r) => (release = r));
    let arrived!: () => void;
    const inHandler = new Promise<void>((r) => (arrived = r));
    app.get("/stuck", async (_req, res) => {
      arrived();
      await released;
      if (!res.writableEnded) res.end();
    });
    const s = await listen(app);
    try {
      const ac = new AbortController();
      const res = fetch(`${s.base}/stuck`, { signal: ac.signal }).catch(() => undefined);
      await inHandler;
      ac.abort();
      await res;
      for (let i = 0; i < 100 && !m.lines().some((l) => l.includes('"msg":"request"')); i++) await new Promise((r) => setTimeout(r, 10));
    } finally {
      release();
      await s.stop();
    }
    const lines = (await recordsOf(m)).filter((r) => r.msg === "request");
    expect(lines.map((r) => [r.path, r.status, r.level])).toEqual([["/stuck", 499, "warn"]]);
    await m.log.close();
  });

  test("path is originalUrl's, without the query, also inside a mounted router", async () => {
    const m = memoryLogger(createLogger, streamSink);
    const app = express();
    const router = express.Router();
    router.use(expressLogger(m.log, { skip: ["/api/health"] }));
    router.get("/items", (_req, res) => {
      res.json([1]);
    });
    router.get("/health", (_req, res) => {
      res.send("ok");
    });
    app.use("/api", router);
    const s = await listen(app);
    try {
      await (await fetch(`${s.base}/api/items?page=2`)).text();
      await (await fetch(`${s.base}/api/health`)).text();
      for (let i = 0; i < 50 && !m.lines().some((l) => l.includes('"msg":"request"')); i++) await new Promise((r) => setTimeout(r, 10));
    } finally {
      await s.stop();
    }
    expect((await recordsOf(m)).map((r) => [r.path, r.bytes])).toEqual([["/api/items", 3]]);
    await m.log.close();
  });
});

test("sluice/elysia reaches the routes of plugins used after it; its context has log and requestId", async () => {
  const m = memoryLogger(createLogger, streamSink);
  const users = new Elysia({ prefix: "/users" }).get("/:id", ({ params }) => ({ id: params.id }));
  const app = new Elysia().use(elysiaLogger(m.log)).get("/id", ({ requestId, log }) => {
    log.info("here");
    return requestId;
  }).use(users);
  expect(await (await app.handle(new Request("http://localhost/id", { headers: { "x-request-id": "q-1" } }))).text()).toBe("q-1");
  const res = await app.handle(new Request("http://localhost/users/7", { headers: { "x-request-id": "u-7" } }));
  expect(res.headers.get("x-request-id")).toBe("u-7");
  expect(await res.json()).toEqual({ id: "7" }); // the line is written once the body has been sent
  expect((await recordsOf(m)).map((r) => [r.msg, r.reqId, r.path])).toEqual([["here", "q-1", undefined], ["request", "q-1", "/id"], ["request", "u-7", "/users/7"]]);
  await m.log.close();
});

test("sluice/elysia: a 404 and a validation error are their warn lines' error; a route that threw is an error record with its stack, then the 500 line", async () => {
  const m = memoryLogger(createLogger, streamSink);
  const app = new Elysia().use(elysiaLogger(m.log))
    .get("/boom", () => {
      throw new Error("kaboom");
    })
    .get("/n/:n", ({ params }) => params.n, { params: t.Object({ n: t.Numeric() }) });
  expect((await app.handle(new Request("http://localhost/nope"))).status).toBe(404);
  expect((await app.handle(new Request("http://localhost/n/x"))).status).toBe(422);
  expect((await app.handle(new Request("http://localhost/boom"))).status).toBe(500);
  for (let i = 0; i < 50 && (await recordsOf(m)).filter((r) => r.msg === "request").length < 3; i++) await new Promise((r) => setTimeout(r, 10));
  const recs = await recordsOf(m);
  expect(recs.map((r) => [r.msg, r.level, r.status, typeof r.error])).toEqual([["request", "warn", 404, "string"], ["request", "warn", 422, "string"], ["kaboom", "error", undefined, "undefined"], ["request", "error", 500, "undefined"]]);
  await m.log.close();
});

test("sluice/hono: skip by predicate (only failures logged) keeps c.var.log and the answered id", async () => {
  const m = memoryLogger(createLogger, streamSink);
  const app = new Hono();
  app.use(honoLogger(m.log, { skip: ({ status }) => status < 400 }));
  app.get("/ok", (c) => {
    c.var.log.info("handled");
    return c.text("ok");
  });
  const ok = await app.request("/ok", { headers: { "x-request-id": "h-1" } });
  expect(ok.headers.get("x-request-id")).toBe("h-1");
  await (await app.request("/nope")).text();
  expect((await recordsOf(m)).map((r) => [r.msg, r.status ?? r.reqId])).toEqual([["handled", "h-1"], ["request", 404]]);
  await m.log.close();
});
