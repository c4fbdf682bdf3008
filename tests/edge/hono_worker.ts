// A Hono app as a Cloudflare Worker with sluice/hono: /scenario runs the shared middleware
// scenario inside workerd; /shop/* is a real route whose records go to a collector through
// httpSink, flushed by the middleware with executionCtx.waitUntil (edge.test.mjs checks disk).
import { Hono } from "hono";
import { createLogger, httpSink, type Logger, streamSink } from "../../mod.web.ts";
import { sluiceLogger, type SluiceVariables } from "../../hono.ts";
import { honoScenario } from "../scenarios/hono.mjs";

type Env = { COLLECTOR_URL: string; SLUICE_TOKEN: string };
let log: Logger | undefined;
const app = new Hono<{ Bindings: Env; Variables: SluiceVariables }>();

app.get("/scenario", async (c) => c.text(`ok ${(await honoScenario({ Hono, createLogger, streamSink, sluiceLogger })).length}`));
app.use("/shop/*", (c, next) => {
  log ??= createLogger({ sinks: [httpSink(c.env.COLLECTOR_URL, { token: c.env.SLUICE_TOKEN, producer: "worker" })] });
  return sluiceLogger(log, { category: "shop", countBytes: true })(c, next);
});
app.get("/shop/items", (c) => {
  c.var.log.info("listing", { n: 2 });
  return c.json([1, 2]);
});

export default app;
