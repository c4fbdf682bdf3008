/**
 * `sluiceLogger(log)`: Express middleware giving each request `req.log` and one log line;
 * `sluiceErrorLogger()`: the error middleware that logs what a handler threw.
 *
 * @module
 */
import type { ErrorRequestHandler, Request, RequestHandler } from "express";
import { CLIENT_CLOSED, type HttpLogOptions, httpRequestLog, type RequestLog } from "../lib/http_request_log.ts";
import type { Logger } from "../lib/logger.ts";

/**
 * An Express request after {@linkcode sluiceLogger}: `req.log` and `req.requestId`. In
 * TypeScript, declare them on Express's `Request` once in the app, as pino-http's types do
 * (`declare global { namespace Express { interface Request { log: Logger; requestId: string } } }`),
 * or read them through this type.
 *
 * @example
 * ```ts
 * import type { Request } from "express";
 * import type { SluiceRequest } from "./logger_middleware.ts";
 * const handler = (req: Request) => (req as SluiceRequest).log.info("hello");
 * ```
 */
export type SluiceRequest = Request & {
  /** The request's logger: its records carry `reqId` and the trace ids. */
  log: Logger;
  /** The request id, answered in `X-Request-Id`. */
  requestId: string;
};

/**
 * Options of {@linkcode sluiceLogger}: the request id header and maker, the children's
 * category, and `skip` (paths or a predicate) for requests whose line is not written.
 *
 * @example
 * ```ts
 * import type { SluiceExpressOptions } from "./logger_middleware.ts";
 * const options: SluiceExpressOptions = { skip: ({ path, status }) => path === "/health" && status < 400 };
 * ```
 */
export type SluiceExpressOptions = HttpLogOptions;

const REQUEST_LOG = Symbol("sluice.requestLog");
type WithRequestLog = { [REQUEST_LOG]?: RequestLog };

/**
 * Express middleware: each request gets `req.log`, whose records carry `reqId` (from
 * `X-Request-Id`, else made, and answered in `X-Request-Id`) and the `traceparent` header's
 * `trace_id`/`span_id`/`trace_flags`, and `req.requestId`; the rest of the chain runs inside
 * `withContext` with them, so every logger it calls carries them too; one line per request
 * (`method`, `path` of `originalUrl`, `status`, `duration_ms`, `bytes` when `Content-Length` is
 * set; `info` below 400, `warn` for 4xx, `error` for 5xx) when the response is done or the
 * client went away, unless `skip` says otherwise. Add {@linkcode sluiceErrorLogger} after the
 * routes to log thrown errors with their stack.
 *
 * @param log The logger to write to.
 * @param options Request id header and maker, category, skip.
 * @returns The middleware.
 * @example
 * ```ts
 * import express from "express";
 * import { createLogger } from "sluice";
 * import { sluiceErrorLogger, sluiceLogger, type SluiceRequest } from "sluice/express";
 * const app = express();
 * app.use(sluiceLogger(createLogger(), { skip: ["/health"] }));
 * app.get("/items", (req, res) => { (req as SluiceRequest).log.info("listing"); res.json([]); });
 * app.use(sluiceErrorLogger());
 * ```
 */
export function sluiceLogger(log: Logger, options: SluiceExpressOptions = {}): RequestHandler {
  const begin = httpRequestLog(log, options);
  return (request, res, next) => {
    const url = request.originalUrl ?? request.url;
    const q = url.indexOf("?");
    const req = begin(request.method, q === -1 ? url : url.slice(0, q), (name) => {
      const v = request.headers[name];
      return Array.isArray(v) ? v[0] : v;
    });
    const r = request as SluiceRequest & WithRequestLog;
    r.log = req.log;
    r.requestId = req.reqId;
    r[REQUEST_LOG] = req;
    res.setHeader(req.header, req.reqId);
    // "close" comes after "finish", and alone when the client went away: before any answer
    // was sent, the status is 499, not the 200 the response holds until a handler sets one
    res.once("close", () => {
      const length = res.getHeader("content-length");
      req.end(res.headersSent ? res.statusCode : CLIENT_CLOSED, length === undefined ? undefined : Number(length));
    });
    req.run(next);
  };
}

/**
 * Express error middleware, added after the routes: logs what a handler threw (or passed to
 * `next(err)`) at `error` with its stack, on the request's logger, then passes it on to the
 * next error handler (Express's own answers 500).
 *
 * @returns The error middleware.
 * @example
 * ```ts
 * import express from "express";
 * import { createLogger } from "sluice";
 * import { sluiceErrorLogger, sluiceLogger } from "sluice/express";
 * const app = express();
 * app.use(sluiceLogger(createLogger()));
 * app.get("/boom", () => { throw new Error("kaboom"); });
 * app.use(sluiceErrorLogger());
 * ```
 */
export function sluiceErrorLogger(): ErrorRequestHandler {
  return (err, request, _res, next) => {
    (request as WithRequestLog)[REQUEST_LOG]?.error(err);
    next(err);
  };
}
