/**
 * `sluiceLogger(log)`: Hono middleware giving each request a child logger and one log line.
 *
 * @module
 */
import type { MiddlewareHandler } from "hono";
import { httpRequestLog } from "../lib/http_request_log.ts";
import { finishWebResponse, type WebLogOptions } from "../lib/web_response_log.ts";
import type { Logger } from "../lib/logger.ts";

/**
 * Options of {@linkcode sluiceLogger}: the request id header and maker, the children's
 * category, `skip` (paths or a predicate) for requests whose line is not written, and
 * `countBytes` for bodies that declare no length.
 *
 * @example
 * ```ts
 * import { Hono } from "hono";
 * import { createLogger } from "../mod.ts";
 * import { sluiceLogger } from "./logger_middleware.ts";
 * const log = createLogger();
 * const app = new Hono();
 * app.use(sluiceLogger(log, { requestIdHeader: "x-correlation-id", category: "http", skip: ["/health"] }));
 * ```
 */
export type SluiceLoggerOptions = WebLogOptions;

/**
 * What the middleware puts in `c.var`.
 *
 * @example
 * ```ts
 * import { Hono } from "hono";
 * import type { SluiceVariables } from "./logger_middleware.ts";
 * const app = new Hono<{ Variables: SluiceVariables }>();
 * app.get("/", (c) => { c.var.log.info("hello", { id: c.var.requestId }); return c.text("ok"); });
 * ```
 */
export type SluiceVariables = { log: Logger; requestId: string };

/**
 * Hono middleware: each request gets `c.var.log`, whose records carry `reqId` (from
 * `X-Request-Id`, else made, and answered in `X-Request-Id`) and the `traceparent` header's
 * `trace_id`/`span_id`/`trace_flags`; the rest of the chain runs inside `withContext` with
 * them, so every logger it calls carries them too (without AsyncLocalStorage, `c.var.log` is a
 * child with them bound); one line per request (`method`, `path`, `status`, `duration_ms`,
 * `bytes`: the `Content-Length`, or with `countBytes` measured; `info` below 400, `warn` for
 * 4xx, `error` for 5xx) written when the response body has been sent, unless `skip` says
 * otherwise; a thrown error logged at `error` with its stack
 * (`err`). On workers the flush is handed to `executionCtx.waitUntil`, so the isolate stays
 * until the records are sent.
 *
 * @param log The logger to make children of.
 * @param options Request id header, id maker, category, skip, countBytes.
 * @returns The middleware.
 * @example
 * ```ts
 * import { Hono } from "hono";
 * import { createLogger } from "sluice";
 * import { sluiceLogger, type SluiceVariables } from "sluice/hono";
 * const log = createLogger();
 * const app = new Hono<{ Variables: SluiceVariables }>();
 * app.use(sluiceLogger(log));
 * app.get("/items", (c) => { c.var.log.info("listing"); return c.json([]); });
 * ```
 */
export function sluiceLogger(log: Logger, options: SluiceLoggerOptions = {}): MiddlewareHandler<{ Variables: SluiceVariables }> {
  const begin = httpRequestLog(log, options);
  const count = options.countBytes === true;
  return async (c, next) => {
    const req = begin(c.req.method, c.req.path, (name) => c.req.header(name));
    c.set("log", req.log);
    c.set("requestId", req.reqId);
    await req.run(next);
    if (c.error !== undefined) req.error(c.error);
    // a HEAD is answered from its GET route and Hono drops that body unread: nothing to count
    const { response, done } = await finishWebResponse(req, c.res, count && c.req.method !== "HEAD");
    if (response !== c.res) c.res = response;
    let waitUntil: ((p: Promise<unknown>) => void) | undefined;
    try {
      const ctx = c.executionCtx;
      waitUntil = ctx.waitUntil.bind(ctx);
    } catch { /* not on a worker: no ExecutionContext */ }
    waitUntil?.(done.then(() => req.log.flush()));
  };
}
