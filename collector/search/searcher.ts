/**
 * What answers `/api/search`, `/api/histogram` and `sluice search`: the files
 * ({@linkcode FileSearcher}) or another store (PostgreSQL) behind one interface, with the same
 * query language and the same answers.
 *
 * @module
 */
import type { HistogramRequest, SearchRequest } from "./search_input.ts";

/**
 * One page of a search: the matching records' lines as stored, newest first, and the cursor of
 * the next page when more remain.
 *
 * @example
 * ```ts
 * const page: SearchPage = { lines: ['{"time":"2026-12-06T10:00:00.000Z","level":"info","msg":"hi"}'], cursor: undefined };
 * ```
 */
export interface SearchPage {
  /** The records' lines as stored, newest first. */
  lines: string[];
  /** The cursor of the next page, when more records match. */
  cursor: string | undefined;
  /** What was read: bytes, files, and lines that were not records (not JSON, too long). */
  scanned?: { bytes: number; files: number; badLines: number; problems: string[] };
}

/**
 * Hits over time: `buckets[i]` counts the matching records in `[t, t + stepMs)`, in all and by
 * level (`levels` has only the levels seen; `other` for a level that is none of the six).
 *
 * @example
 * ```ts
 * const h: Histogram = {
 *   from: "2026-12-06T10:00:00.000Z", to: "2026-12-06T11:00:00.000Z", stepMs: 60_000,
 *   buckets: [{ t: "2026-12-06T10:00:00.000Z", count: 3, levels: { info: 2, warn: 1 } }],
 * };
 * ```
 */
export interface Histogram {
  /** The range's start, ISO 8601. */
  from: string;
  /** The range's end, ISO 8601. */
  to: string;
  /** Each bucket's width, ms. */
  stepMs: number;
  /** The buckets, oldest first: start, count, count by level. */
  buckets: { t: string; count: number; levels: Record<string, number> }[];
}

/**
 * A store that can be searched.
 *
 * @example
 * ```ts
 * import { FileSearcher } from "./file_searcher.ts";
 * import { searchRequest } from "./search_input.ts";
 * const searcher: RecordSearcher = new FileSearcher("./logs");
 * const page = await searcher.search(searchRequest({ q: "level:>=warn", from: "1h" }, Date.now()));
 * ```
 */
export interface RecordSearcher {
  /** One page of matches, newest first; throws `SearchInputError` for a cursor it did not give. */
  search(request: SearchRequest): Promise<SearchPage>;
  /** Matches counted by time bucket and level. */
  histogram(request: HistogramRequest): Promise<Histogram>;
}

/**
 * An empty histogram's frame: `buckets` buckets of equal width (a whole number of ms, at least
 * 1) from `from`; the last may reach past `to`.
 *
 * @param request The histogram's range and buckets.
 * @returns The frame, every count 0.
 * @example
 * ```ts
 * import { histogramFrame } from "./searcher.ts";
 * import { compileQuery } from "../../lib/query/compile.ts";
 * histogramFrame({ query: compileQuery(""), from: 0, to: 60_000, buckets: 2 }).stepMs; // 30000
 * ```
 */
export function histogramFrame(request: HistogramRequest): Histogram {
  const { from, to } = request;
  const stepMs = Math.max(1, Math.ceil((to - from) / request.buckets));
  const n = Math.ceil((to - from) / stepMs);
  return {
    from: new Date(from).toISOString(),
    to: new Date(to).toISOString(),
    stepMs,
    buckets: Array.from({ length: n }, (_, i) => ({ t: new Date(from + i * stepMs).toISOString(), count: 0, levels: {} })),
  };
}

/**
 * Counts one record into a histogram frame.
 *
 * @param h The frame from {@linkcode histogramFrame}.
 * @param from Its start (ms).
 * @param t The record's time (ms), within `[from, to)`.
 * @param level The level to count it under.
 * @example
 * ```ts
 * import { countInto, histogramFrame } from "./searcher.ts";
 * import { compileQuery } from "../../lib/query/compile.ts";
 * const h = histogramFrame({ query: compileQuery(""), from: 0, to: 60_000, buckets: 2 });
 * countInto(h, 0, 45_000, "warn");
 * h.buckets[1]; // { t: "1970-01-01T00:00:30.000Z", count: 1, levels: { warn: 1 } }
 * ```
 */
export function countInto(h: Histogram, from: number, t: number, level: string): void {
  const b = h.buckets[Math.floor((t - from) / h.stepMs)];
  if (b === undefined) return;
  b.count++;
  b.levels[level] = (b.levels[level] ?? 0) + 1;
}
