/**
 * `postgresSink`: a server process writes its records straight into sluice's PostgreSQL table.
 *
 * @module
 */
import type { Sql } from "postgres";
import type { LevelName } from "../lib/levels.ts";
import type { LogRecord } from "../lib/record.ts";
import type { OnFull, Sink } from "../lib/sink.ts";
import type { BatchLimits } from "../lib/stream/batcher.ts";
import { openPostgres } from "./connect.ts";
import { ensureTable, tableNames } from "./table.ts";
import { commitBatches } from "./write.ts";

/**
 * What `postgresSink` takes besides the URL: the table, and the queue and batch limits every
 * sink has.
 *
 * @example
 * ```ts
 * import type { PostgresSinkOptions } from "sluice/postgres";
 * const o: PostgresSinkOptions = { table: "logs", producer: "api-1", batch: { maxRecords: 500 } };
 * ```
 */
export interface PostgresSinkOptions {
  /** The table; created (as `sluice postgres init` makes it) when missing. @default "logs" */
  table?: string;
  /** This service's name: each batch's key is `<producer>` + a random id. @default "postgres-sink" */
  producer?: string;
  /** The lowest level written. */
  level?: LevelName;
  /** Batch limits. @default { maxRecords: 1000, maxBytes: 1 MiB, maxAgeMs: 1000 } */
  batch?: BatchLimits<LogRecord>;
  /** Records waiting before `onFull`. @default 10000 */
  maxQueuedRecords?: number;
  /** What a full queue drops (counted as `queue-full`). @default "drop-newest" */
  onFull?: Exclude<OnFull, "block">;
  /** Connections in the pool. @default 2 */
  maxConnections?: number;
}

/**
 * One batch of `postgresSink` and the key it keeps across retries.
 *
 * @example
 * ```ts
 * import type { PostgresBatch } from "sluice/postgres";
 * const b: PostgresBatch = { id: crypto.randomUUID(), records: [] };
 * ```
 */
export interface PostgresBatch {
  /** A random id made when the batch is encoded, committed with its rows. */
  id: string;
  /** The batch's records. */
  records: readonly LogRecord[];
}

/**
 * A sink committing each batch to sluice's PostgreSQL table in one transaction with `COPY`,
 * its random key committed in the same transaction: a failed commit (PostgreSQL away, a
 * connection lost) is retried by the logger's one retry policy (10 ms doubling to 1 s, while
 * the logger is open) with the same key, so a batch that was committed but whose answer was lost
 * is not written twice. The table is checked (made when missing) on the first batch; a table
 * that differs fails every write, reported to `onError`.
 *
 * Exit: `await log.flush()` waits for the commits, retrying while PostgreSQL is away;
 * `await log.close()` tries what is queued once more and counts what the table has not taken
 * as lost (`sink-error`), so flush first when PostgreSQL may be restarting. At a hard exit
 * (`process.exit()`, end of script) what is still queued cannot be written synchronously: it is
 * counted as `exit` in `stats()`.
 *
 * @param url `postgres://user:password@host:port/db`.
 * @param options The table, producer, queue and batch limits.
 * @returns The sink.
 * @example
 * ```ts ignore
 * import { createLogger } from "sluice";
 * import { postgresSink } from "sluice/postgres";
 * const log = createLogger({ sinks: [postgresSink("postgres://logs@127.0.0.1/logs", { producer: "api-1" })] });
 * log.info("started");
 * await log.close();
 * ```
 */
export function postgresSink(url: string, options: PostgresSinkOptions = {}): Sink<PostgresBatch> {
  const names = tableNames(options.table ?? "logs");
  const producer = options.producer ?? "postgres-sink";
  let sql: Sql | undefined;
  let checked: Promise<void> | undefined;
  const ready = () => {
    sql ??= openPostgres(url, { maxConnections: options.maxConnections ?? 2 });
    checked ??= ensureTable(sql, names).then((r) => {
      if (r.differences.length) throw new Error(`sluice: the table ${names.name} is not as sluice makes it: ${r.differences.join("; ")}`);
    }).catch((err) => {
      checked = undefined; // the next batch checks again
      throw err;
    });
    return checked;
  };
  return {
    name: `postgres:${names.name}`,
    level: options.level,
    sync: false,
    retry: true,
    defaultOnFull: options.onFull ?? "drop-newest",
    batch: { maxRecords: 1000, maxBytes: 1 << 20, maxAgeMs: 1000, ...options.batch },
    queue: { maxQueuedRecords: options.maxQueuedRecords ?? 10_000 },
    encode: (records) => ({ id: crypto.randomUUID(), records }),
    async write(batch) {
      await ready();
      await commitBatches(sql!, names, [{ records: batch.records, key: { token: `sink:${producer}`, hash: batch.id } }]);
    },
    async close() {
      const s = sql;
      sql = undefined;
      checked = undefined;
      await s?.end({ timeout: 5 });
    },
  };
}
