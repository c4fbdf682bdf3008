// The routes of tests/scenarios/http_logging.mjs in each framework, with sluice's request
// logging and skip: ["/health"]; each starts on 127.0.0.1 at a free port and resolves with
// `{ base, stop }`. The framework and sluice's entry are passed in, so the same apps run from the
// sources (Bun) and from dist/ (Node).
import { streamedBody } from "./http_logging.mjs";

const wait = (ms) => new Promise((r) => setTimeout(r, ms));
const options = { skip: ["/health"] };
// Hono and Elysia measure bodies that declare no length when asked (the scenario's streamBytes)
const webOptions = { ...options, countBytes: true };

/** Express with sluice/express. */
export async function startExpress({ express, sluiceLogger, sluiceErrorLogger }, { log, db }) {
  const { Readable } = await import("node:stream");
  const app = express();
  app.use(sluiceLogger(log, options));
  app.get("/items", (req, res) => {
    req.log.info("listing", { n: 0 });
    db.info("query");
    res.json([]);
  });
  app.get("/slow", async (req, res) => {
    await wait(30);
    db.info("slow", { n: Number(req.query.n) });
    res.send("slow");
  });
  app.get("/boom", () => {
    throw new Error("kaboom");
  });
  app.get("/health", (_req, res) => res.send("ok"));
  app.post("/echo", express.json(), (req, res) => {
    db.info("body", { a: req.body.a });
    res.json(req.body.a);
  });
  app.get("/stream", (_req, res) => {
    Readable.fromWeb(streamedBody()).pipe(res);
  });
  app.use(sluiceErrorLogger());
  // quiet: the error is logged by sluiceErrorLogger (Express's own handler prints its stack)
  app.use((_err, _req, res, _next) => res.status(500).send("failed"));
  const server = await new Promise((resolve) => {
    const s = app.listen(0, "127.0.0.1", () => resolve(s));
  });
  return { base: `http://127.0.0.1:${server.address().port}`, stop: () => new Promise((r) => server.close(r)) };
}

/** Fastify with sluice/fastify as loggerInstance and its plugin. */
export async function startFastify({ Fastify, sluiceLogger }, { log, db }) {
  const { Readable } = await import("node:stream");
  const logger = sluiceLogger(log, options);
  const app = Fastify({ loggerInstance: logger });
  app.register(logger.plugin);
  app.get("/items", (request) => {
    request.log.info("listing", { n: 0 });
    db.info("query");
    return [];
  });
  app.get("/slow", async (request) => {
    await wait(30);
    db.info("slow", { n: Number(request.query.n) });
    return "slow";
  });
  app.get("/boom", () => {
    throw new Error("kaboom");
  });
  app.get("/health", () => "ok");
  app.post("/echo", (request) => {
    db.info("body", { a: request.body.a });
    return request.body.a;
  });
  app.get("/stream", (_request, reply) => reply.send(Readable.fromWeb(streamedBody())));
  await app.listen({ port: 0, host: "127.0.0.1" });
  return { app, base: `http://127.0.0.1:${app.server.address().port}`, stop: () => app.close() };
}

/** Elysia with sluice/elysia (Bun). */
export function startElysia({ Elysia, sluiceLogger }, { log, db }) {
  const app = new Elysia()
    .use(sluiceLogger(log, webOptions))
    .get("/items", ({ log: requestLog }) => {
      requestLog.info("listing", { n: 0 });
      db.info("query");
      return [];
    })
    .get("/slow", async ({ query }) => {
      await wait(30);
      db.info("slow", { n: Number(query.n) });
      return "slow";
    })
    .get("/boom", () => {
      throw new Error("kaboom");
    })
    .get("/health", () => "ok")
    .post("/echo", ({ body }) => {
      db.info("body", { a: body.a });
      return body.a;
    })
    .get("/stream", () => new Response(streamedBody()))
    .listen({ port: 0, hostname: "127.0.0.1" });
  return { base: `http://127.0.0.1:${app.server.port}`, stop: () => app.stop() };
}

/** Hono with sluice/hono, served by Bun.serve. */
export function startHono({ Hono, sluiceLogger }, { log, db }) {
  const app = new Hono();
  app.onError((_err, c) => c.text("failed", 500));
  app.use(sluiceLogger(log, webOptions));
  app.get("/items", (c) => {
    c.var.log.info("listing", { n: 0 });
    db.info("query");
    return c.json([]);
  });
  app.get("/slow", async (c) => {
    await wait(30);
    db.info("slow", { n: Number(c.req.query("n")) });
    return c.text("slow");
  });
  app.get("/boom", () => {
    throw new Error("kaboom");
  });
  app.get("/health", (c) => c.text("ok"));
  app.post("/echo", async (c) => {
    const { a } = await c.req.json();
    db.info("body", { a });
    return c.json(a);
  });
  app.get("/stream", (c) => c.body(streamedBody()));
  const server = Bun.serve({ port: 0, hostname: "127.0.0.1", fetch: app.fetch });
  return { base: `http://127.0.0.1:${server.port}`, stop: () => server.stop(true) };
}
