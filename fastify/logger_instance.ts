/**
 * `sluiceLogger(log)`: a logger for Fastify's `loggerInstance`, whose `plugin` adds sluice's
 * request logging.
 *
 * @module
 */
import type { FastifyBaseLogger, FastifyPluginCallback, FastifyReply, FastifyRequest } from "fastify";
import { CLIENT_CLOSED, type HttpLogOptions, httpRequestLog, type RequestLog } from "../lib/http_request_log.ts";
import type { Logger } from "../lib/logger.ts";
import { PinoShapedLogger } from "./pino_logger.ts";

/**
 * Options of {@linkcode sluiceLogger}: the request id header and maker, the children's
 * category, and `skip` (paths or a predicate) for requests whose line is not written.
 *
 * @example
 * ```ts
 * import type { SluiceFastifyOptions } from "./logger_instance.ts";
 * const options: SluiceFastifyOptions = { skip: ["/health"] };
 * ```
 */
export type SluiceFastifyOptions = HttpLogOptions;

/**
 * What {@linkcode sluiceLogger} returns: a logger Fastify takes as `loggerInstance`, and the
 * plugin that logs each request the sluice way.
 *
 * @example
 * ```ts
 * import Fastify from "fastify";
 * import { createLogger } from "../mod.ts";
 * import { sluiceLogger, type SluiceFastifyLogger } from "./logger_instance.ts";
 * const logger: SluiceFastifyLogger = sluiceLogger(createLogger());
 * const app = Fastify({ loggerInstance: logger });
 * app.register(logger.plugin);
 * ```
 */
export type SluiceFastifyLogger = FastifyBaseLogger & {
  /**
   * The Fastify plugin (`app.register(logger.plugin)`): each request's `request.log` carries
   * `reqId` (from `X-Request-Id`, else made, and answered) and the `traceparent` ids, the
   * request runs inside `withContext` with them, a thrown error is logged with its stack, and
   * one `request` line is written when the response has been sent.
   */
  readonly plugin: FastifyPluginCallback;
};

const REQUEST_LOG = Symbol("sluice.requestLog");
type WithRequestLog = { [REQUEST_LOG]?: RequestLog };

/**
 * A logger for `Fastify({ loggerInstance })`: Fastify's own records (startup, `incoming request`,
 * `request completed`, errors) go through sluice, its serializers applied, and `request.log` is
 * a child. Register `logger.plugin` for sluice's request logging: the request id from
 * `X-Request-Id` (or made) answered in it, trace ids from `traceparent`, the request inside
 * `withContext` (every logger called in the handler carries `reqId`), a thrown error at `error`
 * with its stack, and one `request` line (`method`, `path`, `status`, `duration_ms`, `bytes`
 * when `Content-Length` is set; `info` below 400, `warn` for 4xx, `error` for 5xx) unless
 * `skip` says otherwise. With the plugin, `logController: new LogController({
 * disableRequestLogging: true })` leaves that one line per request instead of Fastify's two more
 * (its own error record too: the plugin logs the error).
 *
 * @param log The logger to write to.
 * @param options Request id header and maker, category, skip.
 * @returns The logger, with its `plugin`.
 * @example
 * ```ts
 * import Fastify, { LogController } from "fastify";
 * import { createLogger } from "sluice";
 * import { sluiceLogger } from "sluice/fastify";
 * const logger = sluiceLogger(createLogger(), { skip: ["/health"] });
 * const app = Fastify({ loggerInstance: logger, logController: new LogController({ disableRequestLogging: true }) });
 * app.register(logger.plugin);
 * app.get("/items", (request) => { request.log.info("listing"); return []; });
 * ```
 */
export function sluiceLogger(log: Logger, options: SluiceFastifyOptions = {}): SluiceFastifyLogger {
  const shaped = new PinoShapedLogger(log, {});
  const begin = httpRequestLog(log, options);
  const plugin = (app: { log: unknown; addHook: (name: string, hook: (...args: never[]) => void) => void }, _opts: unknown, done: () => void) => {
    const base = app.log instanceof PinoShapedLogger ? app.log : shaped;
    app.addHook("onRequest", (request: FastifyRequest & WithRequestLog, reply: FastifyReply, next: () => void) => {
      const url = request.url;
      const q = url.indexOf("?");
      const req = begin(request.method, q === -1 ? url : url.slice(0, q), (name) => {
        const v = request.headers[name];
        return Array.isArray(v) ? v[0] : v;
      });
      request[REQUEST_LOG] = req;
      // around the child Fastify made for the route (its logLevel and logSerializers), when it is ours
      const made = request.log instanceof PinoShapedLogger ? request.log : base;
      const child = made.around(req.log) as unknown as FastifyBaseLogger;
      request.log = child;
      reply.log = child;
      reply.header(req.header, req.reqId);
      // Fastify's onResponse comes only when the answer was sent whole: a client that went away
      // gets its line here (499 before any answer), once (the line's own guard)
      reply.raw.once("close", () => req.end(reply.raw.headersSent ? reply.raw.statusCode : CLIENT_CLOSED, undefined));
      req.run(next);
    });
    app.addHook("onError", (request: WithRequestLog, _reply: unknown, error: unknown, next: () => void) => {
      request[REQUEST_LOG]?.error(error);
      next();
    });
    app.addHook("onResponse", (request: WithRequestLog, reply: FastifyReply, next: () => void) => {
      const length = reply.getHeader("content-length");
      request[REQUEST_LOG]?.end(reply.statusCode, length === undefined ? undefined : Number(length));
      next();
    });
    done();
  };
  // the hooks apply to the whole app, not to an encapsulated context
  Object.assign(plugin, { [Symbol.for("skip-override")]: true, [Symbol.for("fastify.display-name")]: "sluice" });
  Object.defineProperty(shaped, "plugin", { value: plugin });
  return shaped as unknown as SluiceFastifyLogger;
}
