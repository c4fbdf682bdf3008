/**
 * `sluice/testing`: a logger for tests that keeps its records in memory, with assertions that
 * print the closest records when they fail. The real logger underneath, so levels, categories,
 * bindings and redaction apply as in production. Works in `bun:test`, `deno test` and
 * `node:test` (an assertion throws an `Error`).
 *
 * @example
 * ```ts
 * import { createTestLogger } from "./testing.ts";
 * const log = createTestLogger();
 * log.warn("slow query", { ms: 950 });
 * log.assertLogged({ level: "warn", msg: /slow/, fields: { ms: 950 } });
 * ```
 *
 * @module
 */
// the real logger's server parts, as `sluice` has them (its exit hooks, the levels parser)
import { registerServerAdapters } from "./adapters/server_runtimes.ts";
registerServerAdapters();
export { createTestLogger } from "./testing/test_logger.ts";
export type { TestLogger, TestLoggerOptions } from "./testing/test_logger.ts";
export type { RecordQuery, TestRecord } from "./testing/record_query.ts";
