/**
 * The read API under `/api/*`, for read tokens only: `GET /api/tail` (Server-Sent Events fed
 * from ingest) and `GET /api/producers` (each producer's health and counts, and the totals).
 *
 * @module
 */
import type { Context, Hono } from "hono";
import type { LogRecord } from "../../lib/record.ts";
import { BadCursorError } from "../tail/tail_hub.ts";
import { QueryError } from "../../lib/query/query_error.ts";
import type { Exchange } from "../exchange.ts";

/** Makes a record filter from the `q` parameter, or throws `QueryError` (a 400 with its position and what was expected). */
export type TailFilterOf = (query: string) => (record: LogRecord) => boolean;

const everything = () => true;

/**
 * Mounts the read-token check on `/api/*` (so any route mounted under it later is behind it
 * too), `GET /api/tail` and `GET /api/producers`.
 *
 * @param app The collector's app.
 * @param x Its parts.
 * @param filterOf Compiles `q` (the query language) into a record filter.
 * @example
 * ```ts
 * mountRead(app, exchange, (q) => compileQuery(q).matches);
 * ```
 */
export function mountRead(app: Hono, x: Exchange, filterOf: TailFilterOf): void {
  const { tail, producers, activity, metrics } = x.parts;
  app.use("/api/*", async (c, next) => {
    const reader = x.reader(c);
    if (reader instanceof Response) return reader;
    await next();
  });
  app.get("/api/tail", (c) => {
    // a HEAD gets the stream's head, and no stream: its body would be dropped unread, holding a place
    if (c.req.method === "HEAD") return new Response(null, { headers: { "content-type": "text/event-stream; charset=utf-8", "cache-control": "no-store" } });
    const q = (c.req.query("q") ?? "").trim();
    let filter: (record: LogRecord) => boolean = everything;
    if (q !== "") {
      try {
        filter = filterOf(q);
      } catch (err) {
        return badQuery(x, c, err);
      }
    }
    const backlog = c.req.query("backlog") ?? "0";
    if (!/^\d{1,9}$/.test(backlog)) return x.answer(c, 400, { error: `backlog must be a whole number of records, got ${JSON.stringify(backlog.slice(0, 40))}` });
    let body: ReadableStream<Uint8Array> | "full" | "share";
    try {
      body = tail.open(filter, c.req.header("last-event-id"), Number(backlog), x.reader(c) as string, c.req.raw.signal);
    } catch (err) {
      if (err instanceof BadCursorError) return x.answer(c, 400, { error: err.message });
      throw err;
    }
    if (typeof body === "string") {
      metrics.refuse("tail-clients");
      return body === "full"
        ? x.answer(c, 503, { error: `${tail.options.maxClients} tail clients follow already (--max-tail-clients); retry later` }, { "Retry-After": "5" })
        : x.answer(c, 429, { error: `this token follows with ${tail.slots.share} tail clients already, its share of --max-tail-clients ${tail.options.maxClients}; close one first` }, { "Retry-After": "5" });
    }
    metrics.answered(200);
    return new Response(body, {
      headers: {
        "content-type": "text/event-stream; charset=utf-8",
        "cache-control": "no-store",
        // proxies (nginx) must not hold the events back
        "x-accel-buffering": "no",
      },
    });
  });
  app.get("/api/producers", (c) => {
    return x.answer(c, 200, {
      producers: activity.health(producers.list()),
      totals: {
        accepted: metrics.records.accepted,
        rejected: metrics.records.rejected,
        refused: activity.refusedByStatus,
        tailDropped: tail.counts.dropped,
        tailClients: tail.clients,
      },
    });
  });
}

/** A 400 for a query that does not parse: where, and what was expected there. */
function badQuery(x: Exchange, c: Context, err: unknown): Response {
  if (!(err instanceof QueryError)) throw err;
  return x.answer(c, 400, { error: `the query does not parse: ${err.message}`, position: err.position, expected: err.expected });
}
