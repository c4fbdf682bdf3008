/**
 * sluice on PostgreSQL: the table (`ensureTable`, `maintain`), the collector's store
 * (`postgresStore`, for `serve({ store })`), a sink for services writing to the table
 * themselves (`postgresSink`), and the write they share. A separate entry
 * (`sluice/postgres`) because it depends on the driver (`postgres`, postgres.js); the core
 * stays dependency-free.
 *
 * @example Create the table, or check the one that is there (needs a PostgreSQL server: not run by the doc tests)
 * ```ts ignore
 * import postgres from "postgres";
 * import { ensureTable, tableNames } from "sluice/postgres";
 * const sql = postgres("postgres://logs@127.0.0.1/logs");
 * console.log(await ensureTable(sql, tableNames("logs"))); // { action: "created", differences: [] }
 * await sql.end();
 * ```
 *
 * @module
 */
export { ensureTable, maintain, makePartitions, tableNames } from "./postgres/table.ts";
export type { EnsureTableResult, TableNames } from "./postgres/table.ts";
export { copyRow, copyText, jsonbSafe, pgTime, recordProducer, storedText } from "./postgres/rows.ts";
export { commitBatches } from "./postgres/write.ts";
export type { KeyedBatch } from "./postgres/write.ts";
export { openPostgres, safeUrl } from "./postgres/connect.ts";
export { postgresSink } from "./postgres/sink.ts";
export type { PostgresBatch, PostgresSinkOptions } from "./postgres/sink.ts";
export type { ConnectOptions } from "./postgres/connect.ts";
export { POSTGRES_RETRY_AFTER_S, postgresStore, PostgresTableError } from "./collector/postgres_store.ts";
export type { PostgresStore, PostgresStoreOptions } from "./collector/postgres_store.ts";
