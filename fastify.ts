/**
 * `sluice/fastify`: a sluice logger for `Fastify({ loggerInstance })`, so Fastify's own records
 * go through sluice, and the plugin that logs each request with a request id, trace ids and
 * `withContext`. Needs `fastify` (the app's own; only its types are imported); adds nothing to
 * the core entry.
 *
 * @example
 * ```ts
 * import { sluiceLogger } from "./fastify.ts";
 * ```
 *
 * @module
 */
export { sluiceLogger } from "./fastify/logger_instance.ts";
export type { SluiceFastifyLogger, SluiceFastifyOptions } from "./fastify/logger_instance.ts";
export { formatMessage, PinoShapedLogger } from "./fastify/pino_logger.ts";
export type { PinoLevels, Serializers } from "./fastify/pino_logger.ts";
export type { SkipRequest } from "./lib/http_request_log.ts";
