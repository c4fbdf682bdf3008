/**
 * The collector's store in PostgreSQL (`sluice serve --postgres`): a request's records and its
 * Idempotency-Key are committed in one transaction, and the producer is answered only after
 * the commit. Requests that arrive while commits run share the next transaction.
 *
 * @module
 */
import type { Sql } from "postgres";
import { errorMessage } from "../lib/errors.ts";
import { latencyRecorder } from "../lib/latency.ts";
import { createRecord, type LogRecord } from "../lib/record.ts";
import type { Sink, SinkHooks } from "../lib/sink.ts";
import { openPostgres, safeUrl } from "../postgres/connect.ts";
import { ensureTable, maintain, type TableNames, tableNames } from "../postgres/table.ts";
import { commitBatches, refusedForWhatItHolds } from "../postgres/write.ts";
import { GroupCommit } from "../postgres/group_commit.ts";
import { family, latencyFamily } from "./prometheus.ts";
import { type RecordStore, RecordsRefusedError, refusedAsLost, StoreRefusedError } from "./store.ts";

/**
 * Retry-After on a 503 while PostgreSQL is away, slow or refusing.
 *
 * @example
 * ```ts
 * import { POSTGRES_RETRY_AFTER_S } from "./postgres_store.ts";
 * POSTGRES_RETRY_AFTER_S; // 2
 * ```
 */
export const POSTGRES_RETRY_AFTER_S = 2;

/**
 * Options of {@linkcode postgresStore}.
 *
 * @example
 * ```ts
 * import type { PostgresStoreOptions } from "./postgres_store.ts";
 * const o: PostgresStoreOptions = { url: "postgres://logs@127.0.0.1/logs", retentionMs: 14 * 86_400_000 };
 * ```
 */
export interface PostgresStoreOptions {
  /** `postgres://user:password@host:port/db`. */
  url: string;
  /** The table. @default "logs" */
  table?: string;
  /** A commit not done by then is answered 503 (it may still commit: a retry is then `duplicate: true`). @default 5000 */
  writeTimeoutMs?: number;
  /** Day partitions ending longer ago than this are dropped (checked at start and hourly). @default keep everything */
  retentionMs?: number;
  /** How long an Idempotency-Key is remembered. @default 86400000 (a day) */
  keyTtlMs?: number;
  /** Connections in the pool. @default 8 */
  maxConnections?: number;
  /**
   * Transactions committing at once (at most half of `maxConnections`: the rest serve searches
   * and the readiness checks); requests that arrive meanwhile
   * share the next one. More keeps a large server busier; on a small one they contend (2 vCPUs,
   * PostgreSQL beside the collector: 4 took 7.8–12 µs of PostgreSQL's CPU a record, 2 took 6.9).
   * @default 2
   */
  commitsInFlight?: number;
}

/**
 * A running PostgreSQL store's counts, beside the {@linkcode RecordStore} interface.
 *
 * @example
 * ```ts ignore
 * const store = await postgresStore({ url });
 * store.counts.commits;
 * ```
 */
export interface PostgresStore extends RecordStore {
  /** Transactions committed, requests found duplicate, writes failed. */
  readonly counts: { commits: number; duplicates: number; failures: number };
  /** Whether the table is checked and writes can go in. */
  readonly ready: boolean;
  /** The table's names. */
  readonly names: TableNames;
  /** The pool (a `PostgresSearcher` over it and `names` answers `/api/search`). */
  readonly sql: Sql;
}

const RECONNECT_MS = 1000;
// while it takes writes, PostgreSQL is asked every 5 s, so /readyz says it is away before a request finds out
const WATCH_MS = 5000;
const PROBE_TIMEOUT_MS = 2000;
const MAINTAIN_MS = 3_600_000;

/**
 * Opens the store: connects, creates the table when it is missing, and refuses (throws) a table
 * that differs from sluice's shape. PostgreSQL away at the start is no error: the store answers
 * every write with a 503 and `/readyz` says why, trying again every second until it can check
 * the table. PostgreSQL is asked every 5 s while it takes writes; while it is away (a commit
 * failed, or it did not answer within 2 s) writes are refused the same way and it is probed
 * every second with a commit of a transaction that wrote one record and its key and rolled
 * them back to a savepoint, so a PostgreSQL that answers but refuses writes, or whose commits
 * wait for a synchronous standby that is down, stays away.
 *
 * @param options The URL, table, timeout, retention.
 * @returns The store for `createIngestApp({ store })`.
 * @example
 * ```ts ignore
 * import { serve } from "sluice/server";
 * import { postgresStore } from "sluice/postgres";
 * const store = await postgresStore({ url: "postgres://logs@127.0.0.1/logs" });
 * await serve({ port: 8080, dir: "./logs", tokens: [{ name: "edge", token: "s3cret" }], store });
 * ```
 */
export async function postgresStore(options: PostgresStoreOptions): Promise<PostgresStore> {
  const names = tableNames(options.table ?? "logs");
  const sql = openPostgres(options.url, { maxConnections: options.maxConnections });
  const timeoutMs = options.writeTimeoutMs ?? 5000;
  const keyTtlMs = options.keyTtlMs ?? 86_400_000;
  const counts = { commits: 0, duplicates: 0, failures: 0 };
  const latency = latencyRecorder();
  let ready = false;
  let away: string | undefined = "PostgreSQL has not been reached yet";
  let closed = false;
  const timers = new Set<ReturnType<typeof setTimeout>>();
  const schedule = (f: () => Promise<void>, ms: number) => {
    if (closed) return;
    const timer = setTimeout(() => (timers.delete(timer), void f()), ms);
    timers.add(timer);
    (timer as { unref?: () => void }).unref?.();
  };
  const runMaintenance = async () => {
    try {
      await maintain(sql, names, options.retentionMs, keyTtlMs, Date.now());
    } catch { /* away: the next round tries again */ }
    schedule(runMaintenance, MAINTAIN_MS);
  };
  // connects and checks the table; a table that differs is fatal, PostgreSQL away is not
  const check = async (): Promise<void> => {
    try {
      const r = await ensureTable(sql, names);
      if (r.differences.length) throw new PostgresTableError(`sluice: the table ${names.name} at ${safeUrl(options.url)} is not as sluice makes it (left unchanged; sluice postgres init says the same): ${r.differences.join("; ")}`);
      ready = true;
      away = undefined;
      void runMaintenance();
      schedule(watch, WATCH_MS);
    } catch (err) {
      if (err instanceof PostgresTableError) throw err;
      away = `PostgreSQL at ${safeUrl(options.url)} is away: ${errorMessage(err)}`;
      schedule(() => check().catch((e) => void (away = errorMessage(e))), RECONNECT_MS);
    }
  };
  // `query` answered within PROBE_TIMEOUT_MS (a stopped server never answers)
  const answers = async (query: () => Promise<unknown> = () => sql`select 1`) => {
    let t: ReturnType<typeof setTimeout> | undefined;
    try {
      await Promise.race([query(), new Promise<never>((_, reject) => (t = setTimeout(() => reject(new Error(`no answer within ${PROBE_TIMEOUT_MS} ms`)), PROBE_TIMEOUT_MS)))]);
    } finally {
      clearTimeout(t);
    }
  };
  // while away, the probe is a commit of a transaction that wrote one record with a key inside a
  // savepoint and rolled back to it: PostgreSQL answering `select 1` is not enough (a trigger or a
  // privilege may refuse every write), nor is a plain rollback (a commit may wait for a
  // synchronous standby that is down), and writes let in again only to fail made /readyz and the
  // producers' requests flap. It needs only the INSERT a commit needs, and leaves nothing. One
  // probe at a time: one that did not answer is waited for, not joined by more (each holds a
  // connection of the pool)
  let probing: Promise<unknown> | undefined;
  const writeProbe = () => probing ??= commitBatches(sql, names, [{ records: [createRecord(Date.now(), "info", "sluice", "probe", "}")], key: { token: "sluice", hash: "probe" } }], true).finally(() => probing = undefined);
  const probe = async () => {
    try {
      await answers(writeProbe);
      away = undefined;
    } catch (err) {
      away = `PostgreSQL at ${safeUrl(options.url)} is away: ${errorMessage(err)}`;
      schedule(probe, RECONNECT_MS);
    }
  };
  const watch = async () => {
    if (away === undefined) {
      try {
        await answers();
      } catch (err) {
        if (away === undefined) {
          away = `PostgreSQL at ${safeUrl(options.url)} is away: ${errorMessage(err)}`;
          schedule(probe, RECONNECT_MS);
        }
      }
    }
    schedule(watch, WATCH_MS);
  };
  try {
    await check();
  } catch (err) {
    await sql.end({ timeout: 1 });
    throw err;
  }

  // requests that arrive while commits run share the next transaction (one COPY)
  const group = new GroupCommit((batches) => commitBatches(sql, names, batches), Math.min(options.commitsInFlight ?? 2, Math.max(1, Math.floor((options.maxConnections ?? 8) / 2))));
  const commit = async (records: readonly LogRecord[], key: { token: string; hash: string } | undefined, sent?: { producer: string; body: Uint8Array }): Promise<boolean> => {
    // while PostgreSQL is away (a failed or timed-out commit, a failed probe: /readyz says the
    // same) requests are refused at once, not queued behind commits that do not end
    if (!ready || closed || away !== undefined) throw new StoreRefusedError(`${away ?? "the store is closed"}; nothing of this request was written; retry later`, POSTGRES_RETRY_AFTER_S);
    const start = performance.now();
    let t: ReturnType<typeof setTimeout> | undefined;
    const batch = { records, key, ...sent };
    try {
      const duplicate = await Promise.race([
        group.add(batch),
        new Promise<never>((_, reject) => (t = setTimeout(() => reject(new Error(`no commit within ${timeoutMs} ms`)), timeoutMs))),
      ]);
      latency.record(performance.now() - start);
      if (duplicate) counts.duplicates++;
      else counts.commits++;
      return duplicate;
    } catch (err) {
      counts.failures++;
      group.withdraw(batch); // not begun: it never will be, and its records and body are let go
      // a record PostgreSQL refuses for what it holds (a data exception, class 22, or past a
      // program limit, class 54: a number jsonb cannot hold, JSON nested too deep) is the batch's
      // fault, not PostgreSQL's: 422 for it, and the store stays ready (the group commit wrote
      // the other batches of its transaction alone)
      if (refusedForWhatItHolds(err)) throw new RecordsRefusedError(`PostgreSQL refused a record of this request (${errorMessage(err)}); nothing of it was written; it will refuse it again`, { cause: err });
      if (away === undefined) {
        away = `PostgreSQL at ${safeUrl(options.url)} failed a commit: ${errorMessage(err)}`;
        schedule(probe, RECONNECT_MS);
      }
      throw new StoreRefusedError(`PostgreSQL did not commit the records (${errorMessage(err)}); nothing of this request counts as written; retry later`, POSTGRES_RETRY_AFTER_S, { cause: err });
    } finally {
      clearTimeout(t);
    }
  };

  return {
    counts,
    names,
    sql,
    get ready() {
      return ready;
    },
    has: () => false,
    async write(records, key, from) {
      // records taken as sent are the body's lines, each with the caller's producer as its last member
      return { duplicate: await commit(records, key, from.asSent === undefined ? undefined : { producer: from.producer, body: from.body }) };
    },
    failure: () => away,
    retryAfterS: POSTGRES_RETRY_AFTER_S,
    sink(): Sink<{ id: string; records: readonly LogRecord[] }> {
      let hooks: SinkHooks | undefined;
      return {
        name: "collector-postgres",
        sync: false,
        retry: true,
        // an async sink cannot block the caller; past the queue the collector's own records are counted as lost
        defaultOnFull: "drop-newest",
        connect: (h) => void (hooks = h),
        // the key is made once per batch, so the logger's retries of it are committed once
        encode: (records) => ({ id: crypto.randomUUID(), records }),
        write: (c) => refusedAsLost(c.records.length, hooks, () => commit(c.records, { token: "sluice", hash: c.id })),
        close: () => {},
      };
    },
    metricLines: () => [
      ...family("sluice_postgres_commits_total", "counter", "Requests committed to PostgreSQL: written, or duplicate (their Idempotency-Key was committed before).", [[{ result: "written" }, counts.commits], [{ result: "duplicate" }, counts.duplicates]]),
      ...family("sluice_postgres_failures_total", "counter", "Commits that failed or timed out (answered 503).", counts.failures),
      ...family("sluice_postgres_connected", "gauge", "1 while PostgreSQL takes writes, 0 while it is away (see /readyz for why).", ready && away === undefined ? 1 : 0),
      ...latencyFamily("sluice_postgres_commit_latency_ms", "A request's transaction, from its start to its commit.", latency.summary()),
    ],
    async close() {
      closed = true;
      for (const t of timers) clearTimeout(t);
      await sql.end({ timeout: 5 });
    },
  };
}

/**
 * The table exists with another shape than sluice's: the collector refuses to start on it.
 *
 * @example
 * ```ts
 * import { PostgresTableError } from "./postgres_store.ts";
 * new PostgresTableError("the table logs differs").name; // "PostgresTableError"
 * ```
 */
export class PostgresTableError extends Error {
  /** Makes the error. @param message What differs. */
  constructor(message: string) {
    super(message);
    this.name = "PostgresTableError";
  }
}
