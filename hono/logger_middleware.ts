/**
 * `sluiceLogger(log)`: Hono middleware giving each request a child logger and one log line.
 *
 * @module
 */
import type { MiddlewareHandler } from "hono";
import type { Logger } from "../lib/logger.ts";
import { parseTraceparent } from "../lib/trace_context.ts";

/**
 * Options of {@linkcode sluiceLogger}.
 *
 * @example
 * ```ts
 * import { Hono } from "hono";
 * import { createLogger } from "../mod.ts";
 * import { sluiceLogger } from "./logger_middleware.ts";
 * const log = createLogger();
 * const app = new Hono();
 * app.use(sluiceLogger(log, { requestIdHeader: "x-correlation-id", category: "http" }));
 * ```
 */
export interface SluiceLoggerOptions {
  /**
   * The header a request id is taken from (and answered in); one is made when it is absent,
   * empty or longer than 200 characters.
   * @default "x-request-id"
   */
  requestIdHeader?: string;
  /** Makes a request id. @default crypto.randomUUID() */
  makeRequestId?: () => string;
  /** The child loggers' category (appended to the logger's). */
  category?: string;
}

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
 * Hono middleware: each request gets `c.var.log`, a child of `log` with `reqId` (from
 * `X-Request-Id`, else made, and answered in `X-Request-Id`) and the `traceparent` header's
 * `trace_id`/`span_id`/`trace_flags`; one line per request (`method`, `path`, `status`,
 * `duration_ms`, `bytes`; `info` below 400, `warn` for 4xx, `error` for 5xx) written when the
 * response body has been sent; a thrown error logged at `error` with its stack (`err`). On
 * workers the flush is handed to `executionCtx.waitUntil`, so the isolate stays until the
 * records are sent.
 *
 * @param log The logger to make children of.
 * @param options Request id header, id maker, category.
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
  const header = options.requestIdHeader ?? "x-request-id";
  const makeId = options.makeRequestId ?? (() => crypto.randomUUID());
  return async (c, next) => {
    const start = performance.now();
    const given = c.req.header(header);
    const reqId = given !== undefined && given !== "" && given.length <= 200 ? given : makeId();
    const traceparent = c.req.header("traceparent");
    const trace = traceparent === undefined ? undefined : parseTraceparent(traceparent);
    const child = log.child(trace === undefined ? { reqId } : { reqId, ...trace }, options.category === undefined ? {} : { category: options.category });
    c.set("log", child);
    c.set("requestId", reqId);
    await next();
    if (c.error !== undefined) child.error(c.error instanceof Error ? c.error : String(c.error), { err: c.error });
    c.header(header, reqId);
    const res = c.res;
    const line = (bytes: number | undefined) => {
      const status = res.status;
      const fields = { method: c.req.method, path: c.req.path, status, duration_ms: Math.round((performance.now() - start) * 1000) / 1000, bytes };
      if (status >= 500) child.error("request", fields);
      else if (status >= 400) child.warn("request", fields);
      else child.info("request", fields);
    };
    let done: Promise<void>;
    const declared = res.headers.get("content-length");
    if (res.body === null || declared !== null) {
      line(res.body === null ? 0 : Number(declared));
      done = Promise.resolve();
    } else {
      // the size of a streamed body is known when it has been sent: the line waits for it
      let bytes = 0;
      let ended!: () => void;
      done = new Promise((r) => (ended = r));
      const counted = res.body.pipeThrough(new TransformStream<Uint8Array, Uint8Array>({
        transform(chunk, ctl) {
          bytes += chunk.byteLength;
          ctl.enqueue(chunk);
        },
        flush() {
          line(bytes);
          ended();
        },
        // the client went away: the line says how much was sent (where the runtime calls this)
        cancel() {
          line(bytes);
          ended();
        },
      } as Transformer<Uint8Array, Uint8Array>));
      c.res = new Response(counted, res);
    }
    let waitUntil: ((p: Promise<unknown>) => void) | undefined;
    try {
      const ctx = c.executionCtx;
      waitUntil = ctx.waitUntil.bind(ctx);
    } catch { /* not on a worker: no ExecutionContext */ }
    waitUntil?.(done.then(() => child.flush()));
  };
}
