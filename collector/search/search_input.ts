/**
 * The arguments of a search or a histogram as a user gives them (`q`, `from`, `to`, `limit`,
 * `cursor`, `buckets`, in the URL or on the command line), checked once for both.
 *
 * @module
 */
import { compileQuery, type CompiledQuery } from "../../lib/query/compile.ts";

/**
 * A search argument that is not valid (a time, a limit, a cursor): the collector answers 400
 * with its message, the CLI prints it. A query that does not parse is a `QueryError`.
 *
 * @example
 * ```ts
 * import { parseTimeArg, SearchInputError } from "./search_input.ts";
 * try {
 *   parseTimeArg("yesterday", "from", Date.now());
 * } catch (err) {
 *   if (err instanceof SearchInputError) console.log(err.message);
 * }
 * ```
 */
export class SearchInputError extends Error {
  /**
   * Makes the error.
   *
   * @param message What is wrong.
   */
  constructor(message: string) {
    super(message);
    this.name = "SearchInputError";
  }
}

/**
 * The most records one page holds.
 *
 * @example
 * ```ts
 * import { MAX_SEARCH_LIMIT } from "./search_input.ts";
 * MAX_SEARCH_LIMIT; // 10000
 * ```
 */
export const MAX_SEARCH_LIMIT = 10_000;

/**
 * The most buckets a histogram has.
 *
 * @example
 * ```ts
 * import { MAX_BUCKETS } from "./search_input.ts";
 * MAX_BUCKETS; // 1000
 * ```
 */
export const MAX_BUCKETS = 1000;

/** The furthest a Date reaches either side of 1970, in ms. */
const MAX_TIME_MS = 8.64e15;
const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };
const ISO = /^\d{4}-\d\d-\d\d(?:[T ]\d\d:\d\d(?::\d\d(?:\.\d{1,9})?)?(?:Z|[+-]\d\d:?\d\d)?)?$/;

/**
 * Reads a time: ISO 8601 (`2026-12-06T10:00:00Z`, `2026-12-06`, with an offset or `Z`; without
 * one, UTC) or a time ago (`15m`, `2h`, `7d`; units ms, s, m, h, d, w).
 *
 * @param text The time.
 * @param name The argument's name, for the error.
 * @param now The present (ms).
 * @returns The time in ms since the epoch.
 * @throws {SearchInputError} When it is neither.
 * @example
 * ```ts
 * import { parseTimeArg } from "./search_input.ts";
 * parseTimeArg("2h", "from", 7_200_000); // 0
 * parseTimeArg("1970-01-01T00:00:01Z", "to", 0); // 1000
 * ```
 */
export function parseTimeArg(text: string, name: string, now: number): number {
  const rel = /^(\d{1,12})(ms|s|m|h|d|w)$/.exec(text.trim());
  if (rel !== null) {
    const ms = now - Number(rel[1]) * UNITS[rel[2]];
    // 999999999999w ago is no time a Date (or a record) can hold: a 400, not a RangeError later
    if (!(Math.abs(ms) <= MAX_TIME_MS)) throw new SearchInputError(`${name}: ${JSON.stringify(text.slice(0, 60))} is further back than any time a record can have`);
    return ms;
  }
  const t = text.trim();
  if (ISO.test(t)) {
    const utc = /[T ]\d\d:\d\d/.test(t) && !/(Z|[+-]\d\d:?\d\d)$/.test(t) ? t + "Z" : t;
    const ms = Date.parse(utc.replace(" ", "T"));
    if (Number.isFinite(ms)) return ms;
  }
  throw new SearchInputError(`${name}: ${JSON.stringify(text.slice(0, 60))} is neither an ISO 8601 time nor a time ago such as 15m, 2h, 7d`);
}

/**
 * A whole number argument within bounds.
 *
 * @param text The number, or undefined for the default.
 * @param name The argument's name.
 * @param fallback The default.
 * @param max The largest accepted.
 * @returns The number.
 * @throws {SearchInputError} When it is not a whole number from 1 to `max`.
 * @example
 * ```ts
 * import { countArg } from "./search_input.ts";
 * countArg("50", "limit", 100, 10_000); // 50
 * ```
 */
export function countArg(text: string | undefined, name: string, fallback: number, max: number): number {
  if (text === undefined || text === "") return fallback;
  const n = /^\d{1,9}$/.test(text) ? Number(text) : NaN;
  if (!(n >= 1 && n <= max)) throw new SearchInputError(`${name} must be a whole number from 1 to ${max}, got ${JSON.stringify(text.slice(0, 20))}`);
  return n;
}

/**
 * A search as the searchers take it.
 *
 * @example
 * ```ts
 * import { compileQuery } from "../../lib/query/compile.ts";
 * const req: SearchRequest = { query: compileQuery("level:>=warn"), from: 0, to: Infinity, limit: 100 };
 * ```
 */
export interface SearchRequest {
  /** The compiled query (`query.node` is its tree, for a backend that translates it). */
  query: CompiledQuery;
  /** From this time (ms, inclusive). */
  from: number;
  /** To this time (ms, exclusive); `Infinity` for no end. */
  to: number;
  /** Records per page, 1 to {@linkcode MAX_SEARCH_LIMIT}. */
  limit: number;
  /** The previous page's `Sluice-Cursor`, for the next page. */
  cursor?: string;
  /** Stops the scan (a client gone). */
  signal?: AbortSignal;
  /** Called as files are read: bytes read so far and bytes to read in all. */
  onProgress?: (read: number, total: number) => void;
}

/**
 * A histogram as the searchers take it.
 *
 * @example
 * ```ts
 * import { compileQuery } from "../../lib/query/compile.ts";
 * const req: HistogramRequest = { query: compileQuery(""), from: 0, to: 3_600_000, buckets: 60 };
 * ```
 */
export interface HistogramRequest {
  /** The compiled query. */
  query: CompiledQuery;
  /** From this time (ms, inclusive). */
  from: number;
  /** To this time (ms, exclusive, finite). */
  to: number;
  /** How many buckets, 1 to {@linkcode MAX_BUCKETS}. */
  buckets: number;
  /** Stops the scan (a client gone). */
  signal?: AbortSignal;
}

/**
 * The raw arguments, as strings (URL parameters or flags).
 *
 * @example
 * ```ts
 * const args: SearchArgs = { q: "level:>=warn", from: "1h", limit: "50" };
 * ```
 */
export interface SearchArgs {
  /** The query. */
  q?: string;
  /** ISO 8601, or a time ago (`15m`). */
  from?: string;
  /** ISO 8601, or a time ago. */
  to?: string;
  /** Records a page. */
  limit?: string;
  /** The previous page's `Sluice-Cursor`. */
  cursor?: string;
  /** A histogram's buckets. */
  buckets?: string;
}

/**
 * Checks the arguments of a search: the query compiled, times resolved (from defaults to the
 * beginning, to to no end), limit 1 to {@linkcode MAX_SEARCH_LIMIT} (default 100).
 *
 * @param args The raw arguments.
 * @param now The present (ms).
 * @returns The request.
 * @throws {QueryError} For a query that does not parse.
 * @throws {SearchInputError} For any other bad argument.
 * @example
 * ```ts
 * import { searchRequest } from "./search_input.ts";
 * searchRequest({ q: "timeout", from: "1h" }, Date.now()).limit; // 100
 * ```
 */
export function searchRequest(args: SearchArgs, now: number): SearchRequest {
  const query = compileQuery(args.q ?? "");
  const from = args.from ? parseTimeArg(args.from, "from", now) : -Infinity;
  const to = args.to ? parseTimeArg(args.to, "to", now) : Infinity;
  if (!(from < to)) throw new SearchInputError("from must be before to");
  return { query, from, to, limit: countArg(args.limit, "limit", 100, MAX_SEARCH_LIMIT), cursor: args.cursor || undefined };
}

/**
 * Checks the arguments of a histogram: from defaults to an hour ago, to to now, buckets 1 to
 * {@linkcode MAX_BUCKETS} (default 60).
 *
 * @param args The raw arguments.
 * @param now The present (ms).
 * @returns The request.
 * @throws {QueryError} For a query that does not parse.
 * @throws {SearchInputError} For any other bad argument.
 * @example
 * ```ts
 * import { histogramRequest } from "./search_input.ts";
 * histogramRequest({ from: "2h", buckets: "120" }, Date.now()).buckets; // 120
 * ```
 */
export function histogramRequest(args: SearchArgs, now: number): HistogramRequest {
  const query = compileQuery(args.q ?? "");
  const from = args.from ? parseTimeArg(args.from, "from", now) : now - 3_600_000;
  const to = args.to ? parseTimeArg(args.to, "to", now) : now;
  if (!(from < to)) throw new SearchInputError("from must be before to");
  return { query, from, to, buckets: countArg(args.buckets, "buckets", 60, MAX_BUCKETS) };
}
