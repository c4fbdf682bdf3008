/**
 * `sluiceLogger(log)`: the Elysia plugin giving each request `log` on the handler's context and
 * one log line.
 *
 * @module
 */
import type { AnyElysia, Elysia } from "elysia";
import { httpRequestLog, type RequestLog } from "../lib/http_request_log.ts";
import { finishWebResponse, type WebLogOptions } from "../lib/web_response_log.ts";
import type { Logger } from "../lib/logger.ts";

/**
 * Options of {@linkcode sluiceLogger}: the request id header and maker, the children's
 * category, `skip` (paths or a predicate) for requests whose line is not written, and
 * `countBytes` for bodies that declare no length.
 *
 * @example
 * ```ts
 * import type { SluiceElysiaOptions } from "./logger_plugin.ts";
 * const options: SluiceElysiaOptions = { skip: ["/health"], category: "http" };
 * ```
 */
export type SluiceElysiaOptions = WebLogOptions;

/**
 * What the plugin adds to a handler's context: the request's logger and id.
 *
 * @example
 * ```ts
 * import type { SluiceContext } from "./logger_plugin.ts";
 * const handler = ({ log, requestId }: SluiceContext) => { log.info("hello", { requestId }); return "ok"; };
 * ```
 */
export type SluiceContext = { log: Logger; requestId: string };

/**
 * The plugin {@linkcode sluiceLogger} returns: a function of the app, whose result tells Elysia
 * that every handler's context has {@linkcode SluiceContext}.
 *
 * @example
 * ```ts
 * import { Elysia } from "elysia";
 * import { createLogger } from "../mod.ts";
 * import { sluiceLogger, type SluicePlugin } from "./logger_plugin.ts";
 * const plugin: SluicePlugin = sluiceLogger(createLogger());
 * new Elysia().use(plugin).get("/", ({ log }) => { log.info("hi"); return "ok"; });
 * ```
 */
export type SluicePlugin = (
  app: AnyElysia,
) => Elysia<"", { decorator: Record<never, never>; store: Record<never, never>; derive: SluiceContext; resolve: Record<never, never> }>;

/** The part of an Elysia app the plugin calls, as it calls it. */
interface HookedApp {
  wrap(fn: (handle: (request: Request) => Response | Promise<Response>) => (request: Request) => Promise<Response>): HookedApp;
  derive(options: { as: "global" }, fn: (ctx: { request: Request }) => SluiceContext): HookedApp;
  onError(options: { as: "global" }, fn: (ctx: { code: unknown; error: unknown; request: Request }) => void): HookedApp;
}

/**
 * The Elysia plugin (`app.use(sluiceLogger(log))`): each handler gets `log`, whose records carry
 * `reqId` (from `X-Request-Id`, else made, and answered in `X-Request-Id`) and the
 * `traceparent` header's `trace_id`/`span_id`/`trace_flags`, and `requestId`; the request is
 * handled inside `withContext` with them, so every logger called in the handler carries them
 * too; a thrown error is logged at `error` with its stack; one line per request (`method`,
 * `path`, `status`, `duration_ms`, `bytes`: the `Content-Length`, or with `countBytes` measured;
 * `info` below 400, `warn` for 4xx, `error` for 5xx)
 * when the body has been sent, unless `skip` says otherwise. It applies to the whole app,
 * routes of plugins used later included. Only Elysia's types are imported.
 *
 * @param log The logger to write to.
 * @param options Request id header and maker, category, skip, countBytes.
 * @returns The plugin, a function of the app.
 * @example
 * ```ts
 * import { Elysia } from "elysia";
 * import { createLogger } from "sluice";
 * import { sluiceLogger } from "sluice/elysia";
 * const app = new Elysia()
 *   .use(sluiceLogger(createLogger(), { skip: ["/health"] }))
 *   .get("/items", ({ log }) => { log.info("listing"); return []; });
 * ```
 */
export function sluiceLogger(log: Logger, options: SluiceElysiaOptions = {}): SluicePlugin {
  const begin = httpRequestLog(log, options);
  const count = options.countBytes === true;
  const requests = new WeakMap<Request, RequestLog>();
  return (app) =>
    (app as unknown as HookedApp)
      .wrap((handle) => async (request) => {
        const url = request.url;
        const start = url.indexOf("/", url.indexOf("//") + 2);
        const q = url.indexOf("?", start);
        const req = begin(request.method, start === -1 ? "/" : url.slice(start, q === -1 ? undefined : q), (name) => request.headers.get(name));
        requests.set(request, req);
        return (await finishWebResponse(req, await req.run(() => handle(request)), count)).response;
      })
      .derive({ as: "global" }, ({ request }) => {
        const req = requests.get(request);
        return { log: req?.log ?? log, requestId: req?.reqId ?? "" };
      })
      .onError({ as: "global" }, ({ error, request }) => {
        // a route that threw becomes an error record; a 404, a validation or a parse error (their
        // status a 4xx) the line's error, as in the other adapters (lib/http_request_log.ts)
        requests.get(request)?.error(error);
      }) as never;
}
