/**
 * The sluice collector: the Hono ingest app and `serve()`.
 *
 * @example Run a collector
 * ```ts
 * import { serve } from "sluice/server";
 * const server = await serve({ port: 8080, dir: "./logs", tokens: [{ name: "edge", token: "s3cret" }] });
 * ```
 *
 * @module
 */
import "./adapters/server_runtimes.ts";
export { createIngestApp } from "./lib/ingest/ingest_app.ts";
export type { ForwardOptions, IngestApp, IngestOptions } from "./lib/ingest/ingest_app.ts";
export { parseTokens } from "./lib/ingest/auth.ts";
export type { TokenEntry } from "./lib/ingest/auth.ts";
export { serve } from "./adapters/serve.ts";
export type { ServeOptions, Server } from "./adapters/serve.ts";
