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
export { createIngestApp } from "./collector/app.ts";
export type { ForwardOptions, IngestApp, IngestOptions, RouteOptions } from "./collector/app.ts";
export { parseTokens } from "./collector/auth.ts";
export type { TokenEntry } from "./collector/auth.ts";
export { serve } from "./collector/listen.ts";
export type { ServeOptions, Server } from "./collector/listen.ts";
