/**
 * `sluice/hono`: Hono middleware that gives each request a child logger (`c.var.log`) with a
 * request id, and logs one line per request. Needs `hono` (the app's own); adds nothing to the
 * core entry.
 *
 * @example
 * ```ts
 * import { sluiceLogger } from "./hono.ts";
 * ```
 *
 * @module
 */
export { sluiceLogger } from "./hono/logger_middleware.ts";
export type { SluiceLoggerOptions, SluiceVariables } from "./hono/logger_middleware.ts";
