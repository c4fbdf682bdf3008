/**
 * `sluice/express`: Express middleware that gives each request `req.log` with a request id and
 * trace ids, runs the request inside `withContext`, and logs one line per request. Needs
 * `express` (the app's own; only its types are imported); adds nothing to the core entry.
 *
 * @example
 * ```ts
 * import { sluiceErrorLogger, sluiceLogger } from "./express.ts";
 * ```
 *
 * @module
 */
export { sluiceErrorLogger, sluiceLogger } from "./express/logger_middleware.ts";
export type { SluiceExpressOptions, SluiceRequest } from "./express/logger_middleware.ts";
export type { SkipRequest } from "./lib/http_request_log.ts";
