/**
 * `GET /api/search` and `GET /api/histogram`: the stored records through a
 * {@linkcode RecordSearcher} (the files, or another store), for read tokens only (mounted after
 * the read-token check on `/api/*`).
 *
 * @module
 */
import type { Context, Hono } from "hono";
import { QueryError } from "../../lib/query/query_error.ts";
import type { Exchange } from "../exchange.ts";
import type { RecordSearcher } from "../search/searcher.ts";
import { histogramRequest, type SearchArgs, SearchInputError, searchRequest } from "../search/search_input.ts";
import { HolderSlots } from "../holder_slots.ts";

/**
 * Options of {@linkcode mountSearch}.
 *
 * @example
 * ```ts
 * const options: SearchRouteOptions = { maxConcurrent: 2 };
 * ```
 */
export interface SearchRouteOptions {
  /**
   * Searches and histograms running at once; past it a request gets 503 with Retry-After. With
   * more than one reader, a read token runs at most half of them (at least two: the console asks
   * for a search and its histogram at once); past its share it gets 429. @default 4
   */
  maxConcurrent?: number;
  /** How many read tokens there may be (1 for anonymous readers). @default 1 */
  readers?: number;
  /** The present, in ms (tests). @default Date.now */
  now?: () => number;
}

/**
 * Mounts `GET /api/search?q&from&to&limit&cursor` (NDJSON, newest first, `Sluice-Cursor` when
 * more remain) and `GET /api/histogram?q&from&to&buckets` (JSON). A query that does not parse
 * is a 400 with `position` and `expected`; another bad argument a 400 naming it. Mount it after
 * the read-token check on `/api/*` (`mountRead`), so only read tokens reach it.
 *
 * @param app The collector's app.
 * @param x Its parts (answers, metrics).
 * @param searcher What answers.
 * @param options The concurrency bound.
 * @example
 * ```ts
 * import { FileSearcher } from "../search/file_searcher.ts";
 * mountSearch(app, exchange, new FileSearcher("./logs"));
 * ```
 */
export function mountSearch(app: Hono, x: Exchange, searcher: RecordSearcher, options: SearchRouteOptions = {}): void {
  const slots = new HolderSlots(options.maxConcurrent ?? 4, options.readers ?? 1);
  const now = options.now ?? Date.now;
  const gated = (work: (c: Context) => Promise<Response>) => async (c: Context): Promise<Response> => {
    const reader = x.reader(c) as string; // /api/* let only readers in
    const refused = slots.take(reader);
    if (refused !== undefined) {
      x.parts.metrics.refuse("searches");
      return refused === "full"
        ? x.answer(c, 503, { error: `${slots.max} searches run already; retry shortly` }, { "Retry-After": "1" })
        : x.answer(c, 429, { error: `this token runs ${slots.share} searches already, its share of ${slots.max} at once; retry when one ends` }, { "Retry-After": "1" });
    }
    try {
      return await work(c);
    } catch (err) {
      return refusal(x, c, err);
    } finally {
      slots.give(reader);
    }
  };
  app.get("/api/search", gated(async (c) => {
    const request = searchRequest(args(c), now());
    const page = await searcher.search({ ...request, signal: c.req.raw.signal });
    x.parts.metrics.answered(200);
    const headers: Record<string, string> = { "content-type": "application/x-ndjson; charset=utf-8", "cache-control": "no-store" };
    if (page.cursor !== undefined) headers["sluice-cursor"] = page.cursor;
    return new Response(page.lines.length === 0 ? "" : page.lines.join("\n") + "\n", { headers });
  }));
  app.get("/api/histogram", gated(async (c) => {
    const request = histogramRequest(args(c), now());
    return x.answer(c, 200, await searcher.histogram({ ...request, signal: c.req.raw.signal }), { "cache-control": "no-store" });
  }));
}

function args(c: Context): SearchArgs {
  const q = c.req.query();
  return { q: q.q, from: q.from, to: q.to, limit: q.limit, cursor: q.cursor, buckets: q.buckets };
}

/**
 * The 400 for bad search input: a query that does not parse (with `position` and `expected`) or
 * another argument; anything else is rethrown.
 *
 * @param x The answers.
 * @param c The request.
 * @param err What was thrown.
 * @returns The answer.
 * @example
 * ```ts
 * app.get("/api/x", (c) => { try { compileQuery(c.req.query("q") ?? ""); } catch (err) { return refusal(x, c, err); } });
 * ```
 */
export function refusal(x: Exchange, c: Context, err: unknown): Response {
  if (err instanceof QueryError) {
    return x.answer(c, 400, { error: `the query does not parse: ${err.message}`, position: err.position, expected: err.expected });
  }
  if (err instanceof SearchInputError) return x.answer(c, 400, { error: err.message });
  throw err;
}
