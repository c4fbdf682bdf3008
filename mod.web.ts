/**
 * sluice for browsers and edge workers (workerd, Deno Deploy, Vercel Edge): the same API as
 * `mod.ts`, without the Bun, Deno and Node adapters, so a worker bundle stays small. The npm
 * package maps `sluice` here under the `workerd`, `worker` and `browser` export conditions.
 *
 * @example Ship an edge function's logs to a collector
 * ```ts
 * import { createLogger, httpSink } from "./mod.web.ts";
 * const log = createLogger({ sinks: [httpSink("https://logs.example.com/ingest", { token: "…" })] });
 * log.info("checkout", { cart: 3 });
 * ```
 *
 * @module
 */
export * from "./api.ts";
