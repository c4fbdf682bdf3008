/**
 * Searching sluice's PostgreSQL table with the query language: what answers `/api/search`,
 * `/api/histogram` and `sluice search --postgres` when the records are in PostgreSQL.
 *
 * @module
 */
import type { Sql } from "postgres";
import type { Histogram, RecordSearcher, SearchPage } from "../collector/search/searcher.ts";
import { histogramFrame } from "../collector/search/searcher.ts";
import { type HistogramRequest, SearchInputError, type SearchRequest } from "../collector/search/search_input.ts";
import { querySql } from "./query_sql.ts";
import type { TableNames } from "./table.ts";

/**
 * Searches a sluice table: records newest first (by `time`, then by where they are stored, so
 * records that share a millisecond are neither skipped nor repeated across pages), each line
 * the record with `time`, `level`, `category` and `msg` first, as sluice writes it (the other
 * members in `jsonb`'s order). Every value of the query is a bound parameter.
 *
 * @example
 * ```ts ignore
 * import { PostgresSearcher, openPostgres, tableNames } from "sluice/postgres";
 * const searcher = new PostgresSearcher(openPostgres("postgres://logs@127.0.0.1/logs"), tableNames("logs"));
 * ```
 */
export class PostgresSearcher implements RecordSearcher {
  readonly #sql: Sql;
  readonly #names: TableNames;
  readonly #maxPageBytes: number;
  /**
   * Makes the searcher over a pool and a table.
   *
   * @param sql A postgres.js pool.
   * @param names The table's names.
   * @param options `maxPageBytes`: the most characters of records a page holds (at least one
   *   record; past it the page ends early with a cursor), 32 MiB by default.
   */
  constructor(sql: Sql, names: TableNames, options: { maxPageBytes?: number } = {}) {
    this.#sql = sql;
    this.#names = names;
    this.#maxPageBytes = options.maxPageBytes ?? 32 << 20;
  }

  /**
   * One page of matches, newest first.
   *
   * @param request The compiled query, the time range, the limit and the previous page's cursor.
   * @returns The records' lines and the next page's cursor when more remain.
   * @example
   * ```ts ignore
   * const page = await searcher.search(searchRequest({ q: "level:>=warn", from: "1h" }, Date.now()));
   * ```
   */
  async search(request: SearchRequest): Promise<SearchPage> {
    const params: (string | number)[] = [];
    const where = [...timeRange(request.from, request.to, params)];
    if (request.cursor !== undefined) {
      const c = decodeCursor(request.cursor);
      params.push(c.t, c.oid, c.ctid);
      where.push(`(time, tableoid, ctid) < ($${params.length - 2}::timestamptz, $${params.length - 1}::oid, $${params.length}::tid)`);
    }
    where.push(querySql(request.query.node, params).sql);
    params.push(request.limit + 1);
    // rows a few at a time, so a page of large records stops at maxPageBytes instead of
    // holding limit of them (up to 1 MiB each) in the collector; ctid's text is not named ctid,
    // or ORDER BY would sort by the text ("(0,9)" after "(0,10)") while the cursor compares tids
    const lines: string[] = [];
    let bytes = 0, more = false, last: Cursor | undefined;
    await this.#cancellable(request.signal, (sql) =>
      sql.unsafe(
        `select time::text as t, tableoid::int8 as oid, ctid::text as row_ctid, record from ${this.#names.table} where ${where.join(" and ")} order by time desc, tableoid desc, ctid desc limit $${params.length}`,
        params as never,
      ).cursor(ROWS_AT_ONCE, (rows) => {
        for (const r of rows) {
          const line = recordLine(r.record);
          if (lines.length === request.limit || (lines.length > 0 && bytes + line.length > this.#maxPageBytes)) {
            more = true;
            return sql.CLOSE;
          }
          lines.push(line);
          bytes += line.length;
          last = { t: r.t, oid: String(r.oid), ctid: r.row_ctid };
        }
      })
    ).catch((err) => {
      // a cursor's time that PostgreSQL cannot read (a data exception): not one of ours
      if (request.cursor !== undefined && String((err as { code?: string }).code).startsWith("22")) throw new SearchInputError("cursor is not one this collector gave");
      throw err;
    });
    return { lines, cursor: more && last ? encodeCursor(last) : undefined };
  }

  /**
   * Runs statements on a connection of their own whose backend PostgreSQL cancels
   * (`pg_cancel_backend`) when `signal` aborts (the client went away): a scan is not left
   * running for nobody, also while it waits for a lock or is still being planned.
   */
  async #cancellable<T>(signal: AbortSignal | undefined, run: (sql: Sql) => Promise<T>): Promise<T> {
    if (signal === undefined) return run(this.#sql);
    signal.throwIfAborted();
    const conn = await this.#sql.reserve();
    // a cancel still on its way when the statement ends is waited for before the connection goes
    // back to the pool, where it would cancel someone else's statement (an ingest commit)
    let cancelling: Promise<unknown> | undefined;
    try {
      const [{ pid }] = await conn`select pg_backend_pid() as pid`;
      const cancel = () => void (cancelling = this.#sql`select pg_cancel_backend(${pid})`.catch(() => {}));
      signal.addEventListener("abort", cancel, { once: true });
      try {
        signal.throwIfAborted(); // gone while the connection was found: nothing ran yet
        return await run(conn as unknown as Sql);
      } finally {
        signal.removeEventListener("abort", cancel);
      }
    } finally {
      await cancelling;
      conn.release();
    }
  }

  /**
   * Matches counted by time bucket and level, counted by PostgreSQL.
   *
   * @param request The compiled query, the range and the number of buckets.
   * @returns The histogram.
   * @example
   * ```ts ignore
   * const h = await searcher.histogram(histogramRequest({ q: "level:>=warn" }, Date.now()));
   * ```
   */
  async histogram(request: HistogramRequest): Promise<Histogram> {
    const h = histogramFrame(request);
    const params: (string | number)[] = [request.from, h.stepMs];
    const where = [...timeRange(request.from, request.to, params), querySql(request.query.node, params).sql];
    const rows = await this.#cancellable(request.signal, (sql) =>
      sql.unsafe(
        `select floor((extract(epoch from time) * 1000 - $1::float8) / $2::float8)::int as b, level, count(*)::int as n from ${this.#names.table} where ${where.join(" and ")} group by 1, 2`,
        params as never,
      ));
    for (const r of rows) {
      const b = h.buckets[r.b as number];
      if (b === undefined) continue;
      b.count += r.n as number;
      b.levels[r.level as string] = (b.levels[r.level as string] ?? 0) + (r.n as number);
    }
    return h;
  }
}

/** PostgreSQL's earliest timestamptz (4714-11-24 BC), ms: no row is older. */
const PG_EARLIEST_MS = -210_866_803_200_000;
/** Rows fetched from PostgreSQL at a time while a page is filled. */
const ROWS_AT_ONCE = 64;
/** Years 1 to 9999: the ISO 8601 text PostgreSQL reads (year 0 and six-digit years it refuses). */
const ISO_FIRST_MS = -62_135_596_800_000, ISO_LAST_MS = 253_402_300_799_999;

/**
 * The time range's conditions on the `time` column (bound), none for an open end or a start
 * before any row PostgreSQL can hold; a time outside years 1 to 9999 goes as epoch seconds.
 */
function timeRange(from: number, to: number, params: (string | number)[]): string[] {
  const out: string[] = [];
  const bound = (ms: number) => {
    if (ms >= ISO_FIRST_MS && ms <= ISO_LAST_MS) return params.push(new Date(ms).toISOString()), `$${params.length}::timestamptz`;
    return params.push(ms / 1000), `to_timestamp($${params.length}::float8)`;
  };
  if (Number.isFinite(from) && from > PG_EARLIEST_MS) out.push(`time >= ${bound(from)}`);
  if (Number.isFinite(to)) out.push(to > PG_EARLIEST_MS ? `time < ${bound(to)}` : "false");
  return out;
}

/** A stored record as the line sluice writes: time, level, category, msg first. */
function recordLine(record: Record<string, unknown>): string {
  const { time, level, category, msg, ...rest } = record;
  return JSON.stringify({ time, level, ...(category === undefined ? {} : { category }), msg, ...rest });
}

interface Cursor {
  t: string;
  oid: string;
  ctid: string;
}

function encodeCursor(c: Cursor): string {
  return "pg." + btoa(JSON.stringify([c.t, c.oid, c.ctid])).replaceAll("=", "");
}

function decodeCursor(text: string): Cursor {
  try {
    if (!text.startsWith("pg.")) throw new Error();
    const [t, oid, ctid] = JSON.parse(atob(text.slice(3)));
    if (typeof t !== "string" || !/^[\w :.+-]{1,40}$/.test(t) || !/^\d{1,10}$/.test(oid) || !/^\(\d{1,10},\d{1,5}\)$/.test(ctid)) throw new Error();
    return { t, oid, ctid };
  } catch {
    throw new SearchInputError("cursor is not one this collector gave");
  }
}
