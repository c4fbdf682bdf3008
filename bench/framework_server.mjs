// One server of bench/run_frameworks.mjs: `<runtime> bench/framework_server.mjs <variant>` serves
// GET /items (the same JSON in every variant, the handler logs nothing itself) on 127.0.0.1 at a
// free port, prints "port N", and on SIGTERM closes its logger (everything flushed) and exits.
// With `--inproc N` it serves N requests in process instead (Elysia's app.handle, Fastify's
// inject, Express through light-my-request, Fastify's own inject engine), after 2,000 to warm
// up, and prints "cpu <µs per request>": the process's CPU time, its logger's writes included.
// Every logger writes to /dev/null: sluice through fileSink("/dev/null"), pino through
// pino.destination("/dev/null") (pino's default file destination, as Fastify's logger.file and
// @bogeychan/elysia-logger's fileLogger make it).
const [variant, flag, count] = process.argv.slice(2);
const [framework, logging] = variant.split("-");
const sluice = await import(process.versions.bun ? "../mod.ts" : "../dist/mod.js");
const entry = (name) => import(process.versions.bun ? `../${name}.ts` : `../dist/${name}.js`);
const body = [{ id: 1, name: "widget", tags: ["a", "b"] }];
const log = logging.startsWith("sluice") ? sluice.createLogger({ sinks: [sluice.fileSink("/dev/null")] }) : undefined;

/** The app of the variant: how to listen, and how to answer one request in process. */
async function build() {
  if (framework === "elysia") {
    const { Elysia } = await import("elysia");
    let app = new Elysia();
    if (logging === "sluice") app = app.use((await entry("elysia")).sluiceLogger(log));
    if (logging === "pino") app = app.use((await import("@bogeychan/elysia-logger")).fileLogger({ file: "/dev/null" }));
    app = app.get("/items", () => body);
    return {
      listen: () => {
        app.listen({ port: 0, hostname: "127.0.0.1" });
        return { port: app.server.port, stop: () => app.stop() };
      },
      request: async () => void await (await app.handle(new Request("http://127.0.0.1/items"))).text(),
    };
  }
  if (framework === "express") {
    const express = (await import("express")).default;
    const app = express();
    if (logging === "sluice") app.use((await entry("express")).sluiceLogger(log));
    if (logging === "pino") {
      const pino = (await import("pino")).default;
      app.use((await import("pino-http")).default({ logger: pino(pino.destination("/dev/null")) }));
    }
    app.get("/items", (_req, res) => res.json(body));
    const inject = (await import("light-my-request")).default;
    return {
      listen: async () => {
        const server = await new Promise((resolve) => {
          const s = app.listen(0, "127.0.0.1", () => resolve(s));
        });
        return { port: server.address().port, stop: () => new Promise((r) => server.close(r)) };
      },
      request: () => inject(app, { method: "GET", url: "/items" }),
    };
  }
  if (framework === "fastify") {
    const { default: Fastify, LogController } = await import("fastify");
    let options = {};
    let logger;
    if (logging === "pino") options = { logger: { file: "/dev/null" } };
    if (logging === "sluice") options = { loggerInstance: (await entry("fastify")).sluiceLogger(log) };
    if (logging === "sluiceplugin") {
      logger = (await entry("fastify")).sluiceLogger(log);
      options = { loggerInstance: logger, logController: new LogController({ disableRequestLogging: true }) };
    }
    const app = Fastify(options);
    if (logger) app.register(logger.plugin);
    app.get("/items", () => body);
    await app.ready();
    return {
      listen: async () => {
        await app.listen({ port: 0, host: "127.0.0.1" });
        return { port: app.server.address().port, stop: () => app.close() };
      },
      request: () => app.inject({ method: "GET", url: "/items" }),
    };
  }
  throw new Error(`unknown variant ${variant}`);
}

const app = await build();
if (flag === "--inproc") {
  await new Promise((r) => setTimeout(r, 100)); // a destination opened asynchronously is open
  for (let i = 0; i < 2000; i++) await app.request();
  const n = Number(count);
  const before = process.cpuUsage();
  for (let i = 0; i < n; i++) await app.request();
  await log?.flush();
  const used = process.cpuUsage(before);
  console.log(`cpu ${(used.user + used.system) / n}`);
  await log?.close();
  process.exit(0);
}
const { port, stop } = await app.listen();
console.log(`port ${port}`);
process.on("SIGTERM", async () => {
  await stop();
  await log?.close();
  process.exit(0);
});
