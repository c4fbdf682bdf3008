/**
 * `sluice/elysia`: the Elysia plugin that gives each handler `log` with a request id and trace
 * ids, handles the request inside `withContext`, and logs one line per request. Needs `elysia`
 * (the app's own; only its types are imported); adds nothing to the core entry.
 *
 * @example
 * ```ts
 * import { sluiceLogger } from "./elysia.ts";
 * ```
 *
 * @module
 */
export { sluiceLogger } from "./elysia/logger_plugin.ts";
export type { SluiceContext, SluiceElysiaOptions, SluicePlugin } from "./elysia/logger_plugin.ts";
export type { SkipRequest } from "./lib/http_request_log.ts";
