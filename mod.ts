/**
 * sluice: a structured logger whose records flow through WHATWG streams, for Bun, Deno, Node
 * and edge runtimes. It loses nothing silently: every record is written, or counted in
 * `stats()` under a named reason and reported to `onError`.
 *
 * @example Log to a file and the console
 * ```ts
 * import { createLogger, fileSink, consoleSink } from "./mod.ts";
 * const log = createLogger({ level: "info", sinks: [fileSink("./logs/app.ndjson"), consoleSink()] });
 * log.info("request handled", { route: "/api/items", ms: 12 });
 * const req = log.child({ reqId: "r1" }, { category: "http" });
 * req.error("upstream failed", { err: new Error("timeout") });
 * await log.close();
 * ```
 *
 * @module
 */
import { registerServerAdapters } from "./adapters/server_runtimes.ts";
registerServerAdapters();
export * from "./api.ts";
