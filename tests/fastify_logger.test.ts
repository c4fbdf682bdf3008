// sluice/fastify's pino-shaped logger, alone and as Fastify's loggerInstance (the behaviours
// LogTape's Fastify adapter tests check, on sluice's records): call shapes, printf messages,
// children, levels, serializers, and Fastify's own request lines going through sluice.
import { describe, expect, test } from "bun:test";
import Fastify, { LogController } from "fastify";
import { createLogger, streamSink } from "../mod.ts";
import { formatMessage, sluiceLogger } from "../fastify.ts";
import { memoryLogger } from "./scenarios/http_logging.mjs";

function setup(level?: "debug") {
  const m = memoryLogger(createLogger, streamSink);
  if (level) m.log.level = level;
  const logger = sluiceLogger(m.log);
  const records = async () => {
    await m.log.flush();
    return m.lines().map((l) => JSON.parse(l));
  };
  return { ...m, logger, records };
}

describe("the pino-shaped logger", () => {
  test("has what Fastify checks: level, child, trace … fatal, silent", () => {
    const { logger } = setup();
    for (const m of ["trace", "debug", "info", "warn", "error", "fatal", "silent", "child"] as const) expect(typeof logger[m]).toBe("function");
    expect(logger.level).toBe("info");
  });

  test("each level method writes at its level; silent writes nothing; below the level nothing", async () => {
    const { logger, records, log } = setup("debug");
    logger.trace("t");
    logger.debug("d");
    logger.info("i");
    logger.warn("w");
    logger.error("e");
    logger.fatal("f");
    logger.silent("s");
    expect((await records()).map((r) => [r.level, r.msg])).toEqual([["debug", "d"], ["info", "i"], ["warn", "w"], ["error", "e"], ["fatal", "f"]]);
    await log.close();
  });

  test("(obj, msg), ({ msg, ... }), (obj) and (err) call shapes", async () => {
    const { logger, records, log } = setup();
    logger.info({ userId: 123, action: "login" }, "User logged in");
    logger.info({ msg: "Hello", data: 456 });
    logger.info({ key: "value" });
    logger.info("");
    const err = new Error("Something went wrong");
    logger.error(err);
    logger.error({ err }, "An error occurred");
    const [a, b, c, d, e, f] = await records();
    expect([a.msg, a.userId, a.action]).toEqual(["User logged in", 123, "login"]);
    expect([b.msg, b.data, Object.keys(b).filter((k) => k === "msg").length]).toEqual(["Hello", 456, 1]);
    expect([c.msg, c.key]).toEqual(["", "value"]);
    expect(d.msg).toBe("");
    expect([e.level, e.msg, e.err.message]).toEqual(["error", "Something went wrong", "Something went wrong"]);
    expect(e.err.stack).toContain("Something went wrong");
    expect([f.msg, f.err.message]).toEqual(["An error occurred", "Something went wrong"]);
    await log.close();
  });

  test("printf-style messages: %s %d %i %f %j %o %O %%, missing arguments left as they are", () => {
    expect(formatMessage("Hello %s", ["world"])).toBe("Hello world");
    expect(formatMessage("Count: %d", [42])).toBe("Count: 42");
    expect(formatMessage("%i %f", [4.7, 1.5])).toBe("4 1.5");
    expect(formatMessage("Data: %j", [{ key: "value" }])).toBe('Data: {"key":"value"}');
    expect(formatMessage("Object: %o %O", [{ a: 1 }, [2]])).toBe('Object: {"a":1} [2]');
    expect(formatMessage("User %s performed %s %d times", ["alice", "login", 3])).toBe("User alice performed login 3 times");
    expect(formatMessage("100%% complete", [])).toBe("100% complete");
    expect(formatMessage("Hello %s %s", ["world"])).toBe("Hello world %s");
    expect(formatMessage("Value: %s %s", [null, undefined])).toBe("Value: null undefined");
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(formatMessage("%j", [cyclic])).toBe("[Circular]");
  });

  test("the message arguments of (obj, msg, ...args) and (msg, ...args)", async () => {
    const { logger, records, log } = setup();
    logger.info({ n: 1 }, "took %d ms", 12);
    logger.warn("user %s", "bob");
    expect((await records()).map((r) => r.msg)).toEqual(["took 12 ms", "user bob"]);
    await log.close();
  });

  test("children: bindings, nested, overridden, the parent's level and category kept", async () => {
    const m = memoryLogger(createLogger, streamSink);
    const logger = sluiceLogger(m.log.child({}, { category: "myapp", level: "debug" }));
    const child = logger.child({ reqId: "abc123" });
    expect(child.level).toBe("debug");
    child.info({ action: "test" }, "Message");
    child.child({ userId: 456 }).debug("Nested");
    logger.child({ key: "parent" }).child({ key: "child" }).info("Override");
    await m.log.flush();
    const [a, b, c] = m.lines().map((l) => JSON.parse(l));
    expect([a.reqId, a.action, a.category]).toEqual(["abc123", "test", "myapp"]);
    expect([b.reqId, b.userId, b.level]).toEqual(["abc123", 456, "debug"]);
    expect(c.key).toBe("child");
    await m.log.close();
  });

  test("level is writable; setting it leaves the sluice logger given as it was", async () => {
    const { logger, records, log } = setup();
    logger.level = "error";
    expect(logger.level).toBe("error");
    logger.warn("hidden");
    logger.error("shown");
    logger.child({}, { level: "warn" }).warn("child at warn");
    log.info("the root logger still writes info");
    expect((await records()).map((r) => r.msg)).toEqual(["shown", "child at warn", "the root logger still writes info"]);
    expect(log.level).toBe("info");
    await log.close();
  });

  test("serializers apply to fields and bindings by name, as pino's do", async () => {
    const { logger, records, log } = setup();
    const child = logger.child({ req: { method: "GET", url: "/x", secret: "s" } }, { serializers: { req: (r) => ({ method: (r as { method: string }).method }) } });
    child.info({ req: { method: "POST", url: "/y" }, res: { statusCode: 200 } }, "done");
    const [r] = await records();
    expect(r.req).toEqual({ method: "POST" });
    expect(r.res).toEqual({ statusCode: 200 });
    await log.close();
  });
});

describe("as Fastify's loggerInstance", () => {
  test("Fastify's own records go through sluice, its serializers applied; request.log carries Fastify's reqId", async () => {
    const { logger, records, log } = setup();
    const app = Fastify({ loggerInstance: logger });
    app.get("/test", (request) => {
      request.log.info({ customProp: "test-value" }, "Request handler log");
      return { ok: true };
    });
    await app.ready();
    const res = await app.inject({ method: "GET", url: "/test" });
    expect(res.statusCode).toBe(200);
    await app.close();
    const recs = await records();
    const incoming = recs.find((r) => r.msg === "incoming request");
    const completed = recs.find((r) => r.msg === "request completed");
    const handler = recs.find((r) => r.msg === "Request handler log");
    expect(incoming?.req).toMatchObject({ method: "GET", url: "/test" });
    expect(completed?.res).toEqual({ statusCode: 200 });
    expect(typeof completed?.responseTime).toBe("number");
    expect(handler?.customProp).toBe("test-value");
    expect(handler?.reqId).toBe(incoming?.reqId);
    await log.close();
  });

  for (const plugin of [false, true]) {
    test(`a route's logLevel and logSerializers are honoured${plugin ? " with the plugin registered (request.log then carries sluice's reqId)" : ""}`, async () => {
      const { logger, records, log } = setup();
      const app = Fastify({ loggerInstance: logger, logController: new LogController({ disableRequestLogging: true }) });
      if (plugin) app.register(logger.plugin);
      app.get("/quiet", { logLevel: "warn", logSerializers: { user: (u: { name: string }) => u.name } }, (request) => {
        request.log.info("hidden");
        request.log.warn({ user: { name: "ann", password: "p" } }, "shown");
        return "ok";
      });
      await app.inject({ method: "GET", url: "/quiet", headers: { "x-request-id": "q-1" } });
      await app.close();
      const recs = (await records()).filter((r) => r.msg !== "request");
      expect(recs.map((r) => [r.msg, r.user, plugin ? r.reqId : "q-1"])).toEqual([["shown", "ann", "q-1"]]);
      await log.close();
    });
  }

  test("with the plugin and Fastify's request lines off: one request line per request, a thrown error once with its stack", async () => {
    const { logger, records, log } = setup();
    const app = Fastify({ loggerInstance: logger, logController: new LogController({ disableRequestLogging: true }) });
    app.register(logger.plugin);
    app.get("/items", (request) => {
      request.log.info("listing");
      return [];
    });
    app.get("/boom", () => {
      throw new Error("kaboom");
    });
    const ok = await app.inject({ method: "GET", url: "/items", headers: { "x-request-id": "r-1" } });
    expect(ok.headers["x-request-id"]).toBe("r-1");
    const boom = await app.inject({ method: "GET", url: "/boom", headers: { "x-request-id": "r-2" } });
    expect(boom.statusCode).toBe(500);
    await app.close();
    const recs = (await records()).filter((r) => r.reqId !== undefined);
    expect(recs.map((r) => [r.reqId, r.msg])).toEqual([["r-1", "listing"], ["r-1", "request"], ["r-2", "kaboom"], ["r-2", "request"]]);
    expect(recs[2].err.stack).toContain("kaboom");
    expect([recs[3].level, recs[3].status]).toEqual(["error", 500]);
    await log.close();
  });

  test("with the plugin, a validation error is the 400 line's error (warn, no error record)", async () => {
    const { logger, records, log } = setup();
    const app = Fastify({ loggerInstance: logger, logController: new LogController({ disableRequestLogging: true }) });
    app.register(logger.plugin);
    app.get("/items", { schema: { querystring: { type: "object", properties: { n: { type: "integer" } }, required: ["n"] } } }, () => []);
    expect((await app.inject({ method: "GET", url: "/items?n=x" })).statusCode).toBe(400);
    await app.close();
    const recs = (await records()).filter((r) => r.reqId !== undefined && r.msg !== "incoming request");
    expect(recs.map((r) => [r.msg, r.level, r.status, typeof r.error])).toEqual([["request", "warn", 400, "string"]]);
    await log.close();
  });

  test("with the plugin, a client that goes away still gets its line: 499 at warn before any answer, the status sent when it left mid-answer (Fastify's onResponse comes only for an answer sent whole)", async () => {
    const { logger, records, log } = setup();
    const app = Fastify({ loggerInstance: logger, logController: new LogController({ disableRequestLogging: true }) });
    app.register(logger.plugin);
    let release!: () => void;
    const released = new Promise<void>((r) => (release = r));
    let arrived!: () => void;
    let inHandler = new Promise<void>((r) => (arrived = r));
    app.get("/stuck", async (_request, reply) => {
      arrived();
      await released;
      return reply.send("late");
    });
    app.get("/partial", (_request, reply) => {
      reply.raw.writeHead(200, { "content-type": "text/plain" });
      reply.raw.write("partial");
      arrived();
      void released.then(() => reply.raw.end());
      return reply.hijack();
    });
    const base = await app.listen({ port: 0, host: "127.0.0.1" });
    const leave = async (path: string, afterFirstBytes: boolean) => {
      inHandler = new Promise<void>((r) => (arrived = r));
      const ac = new AbortController();
      const res = fetch(base + path, { signal: ac.signal, headers: { "x-request-id": path } });
      await inHandler;
      if (afterFirstBytes) await (await res).body!.getReader().read();
      ac.abort();
      await res.catch(() => undefined);
    };
    try {
      await leave("/stuck", false);
      await leave("/partial", true);
      for (let i = 0; i < 100 && (await records()).filter((r) => r.msg === "request").length < 2; i++) await new Promise((r) => setTimeout(r, 10));
    } finally {
      release();
      await app.close();
    }
    const lines = (await records()).filter((r) => r.msg === "request");
    expect(lines.map((r) => [r.reqId, r.status, r.level])).toEqual([["/stuck", 499, "warn"], ["/partial", 200, "info"]]);
    await log.close();
  });
});
