/**
 * The operator's routes: `GET /producers`, `/healthz`, `/readyz`, `/metrics`, and the answer to
 * an error of the collector's own (500, logged).
 *
 * @module
 */
import type { Hono } from "hono";
import type { Exchange } from "../exchange.ts";

/**
 * Mounts the operator's routes and the error handler on `app`.
 *
 * @example
 * ```ts
 * mountOperations(app, exchange);
 * ```
 */
export function mountOperations(app: Hono, x: Exchange): void {
  const { producers, store, disk, metrics, writer, forwarder, identities, internal } = x.parts;
  app.get("/producers", (c) => x.refuseReader(c) ?? x.answer(c, 200, { producers: producers.list() }));
  app.get("/healthz", (c) => x.answer(c, 200, { ok: true }));
  app.get("/readyz", (c) => {
    const reason = store.failure();
    return reason === undefined ? x.answer(c, 200, { ready: true }) : x.answer(c, 503, { ready: false, reason }, { "Retry-After": String(store.retryAfterS) });
  });
  app.get("/metrics", (c) => {
    const refused = x.refuseReader(c);
    if (refused) return refused;
    metrics.answered(200);
    return c.text(metrics.render(disk, writer.stats(), forwarder?.stats(), identities, [...store.metricLines(), ...x.parts.tail.metricLines()]), 200, { "content-type": "text/plain; version=0.0.4" });
  });
  app.onError((err, c) => {
    internal.error("ingest request failed", { err, path: c.req.path });
    return x.answer(c, 500, { error: "internal error" });
  });
}
