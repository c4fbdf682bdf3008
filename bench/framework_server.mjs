// One server of bench/run_frameworks.mjs: `<runtime> bench/framework_server.mjs <variant>` serves
// GET /items (the same JSON in every variant, the handler logs nothing itself) on 127.0.0.1 at a
// free port, prints "port N", and on SIGTERM closes its logger (everything flushed) and exits.
// Every logger writes to /dev/null: sluice through fileSink("/dev/null"), pino through
// pino.destination("/dev/null") (pino's default file destination, as Fastify's logger.file and
// @bogeychan/elysia-logger's fileLogger make it).
const variant = process.argv[2];
const [framework, logging] = variant.split("-");
const sluice = await import(process.versions.bun ? "../mod.ts" : "../dist/mod.js");
const entry = (name) => import(process.versions.bun ? `../${name}.ts` : `../dist/${name}.js`);
const body = [{ id: 1, name: "widget", tags: ["a", "b"] }];
const log = logging.startsWith("sluice") ? sluice.createLogger({ sinks: [sluice.fileSink("/dev/null")] }) : undefined;
let stop;

if (framework === "elysia") {
  const { Elysia } = await import("elysia");
  let app = new Elysia();
  if (logging === "sluice") app = app.use((await entry("elysia")).sluiceLogger(log));
  if (logging === "pino") app = app.use((await import("@bogeychan/elysia-logger")).fileLogger({ file: "/dev/null" }));
  app.get("/items", () => body).listen({ port: 0, hostname: "127.0.0.1" });
  console.log(`port ${app.server.port}`);
  stop = () => app.stop();
} else if (framework === "express") {
  const express = (await import("express")).default;
  const app = express();
  if (logging === "sluice") app.use((await entry("express")).sluiceLogger(log));
  if (logging === "pino") {
    const pino = (await import("pino")).default;
    app.use((await import("pino-http")).default({ logger: pino(pino.destination("/dev/null")) }));
  }
  app.get("/items", (_req, res) => res.json(body));
  const server = await new Promise((resolve) => {
    const s = app.listen(0, "127.0.0.1", () => resolve(s));
  });
  console.log(`port ${server.address().port}`);
  stop = () => new Promise((r) => server.close(r));
} else if (framework === "fastify") {
  const { default: Fastify, LogController } = await import("fastify");
  let options = {};
  if (logging === "pino") options = { logger: { file: "/dev/null" } };
  if (logging === "sluice") options = { loggerInstance: (await entry("fastify")).sluiceLogger(log) };
  let logger;
  if (logging === "sluiceplugin") {
    logger = (await entry("fastify")).sluiceLogger(log);
    options = { loggerInstance: logger, logController: new LogController({ disableRequestLogging: true }) };
  }
  const app = Fastify(options);
  if (logger) app.register(logger.plugin);
  app.get("/items", () => body);
  await app.listen({ port: 0, host: "127.0.0.1" });
  console.log(`port ${app.server.address().port}`);
  stop = () => app.close();
} else {
  throw new Error(`unknown variant ${variant}`);
}

process.on("SIGTERM", async () => {
  await stop();
  await log?.close();
  process.exit(0);
});
