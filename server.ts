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
import { registerServerAdapters } from "./adapters/server_runtimes.ts";
registerServerAdapters();
export { createIngestApp } from "./collector/app.ts";
export type { ForwardOptions, IngestApp, IngestOptions, RouteOptions } from "./collector/app.ts";
export { parseTokens } from "./collector/auth.ts";
export type { TokenEntry } from "./collector/auth.ts";
export { serve } from "./collector/listen.ts";
export type { ServeOptions, Server } from "./collector/listen.ts";
export { FileSearcher } from "./collector/search/file_searcher.ts";
export type { FileSearcherOptions } from "./collector/search/file_searcher.ts";
export type { Histogram, RecordSearcher, SearchPage } from "./collector/search/searcher.ts";
export { histogramRequest, SearchInputError, searchRequest } from "./collector/search/search_input.ts";
export type { HistogramRequest, SearchArgs, SearchRequest } from "./collector/search/search_input.ts";
export { compileQuery } from "./lib/query/compile.ts";
export type { CompiledQuery } from "./lib/query/compile.ts";
export { parseQuery } from "./lib/query/parse.ts";
export { QueryError } from "./lib/query/query_error.ts";
export type { CompareOp, QueryNode } from "./lib/query/ast.ts";
export type { LineCover } from "./lib/query/prefilter.ts";
export type { LineVerdict } from "./lib/query/line_verdict.ts";
