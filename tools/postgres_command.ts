/**
 * `sluice postgres init`: creates the PostgreSQL table sluice stores records in, or checks the
 * one that is there without changing it. The driver is loaded only when the command runs.
 *
 * @module
 */
import type { CommandSpec, FlagSpec } from "./flags.ts";

/** `--postgres URL`: shared by serve, consume, search and postgres init. */
export const POSTGRES_URL_FLAG: FlagSpec = { type: "string", value: "URL", help: "PostgreSQL, such as postgres://logs@127.0.0.1:5432/logs (the password may be in the URL or PGPASSWORD)" };
/** `--table NAME`: the table's name. */
export const TABLE_FLAG: FlagSpec = { type: "string", value: "NAME", default: "logs", help: "the table (lower-case letters, digits, _); its key table is <NAME>_keys" };

/** The flags of `sluice postgres init`. */
export const POSTGRES: CommandSpec = {
  name: "postgres",
  summary: "`sluice postgres init`: create sluice's PostgreSQL table, or check an existing one (never changed;\nexit 3 when it differs from sluice's shape).",
  positionals: "init",
  flags: {
    postgres: POSTGRES_URL_FLAG,
    table: TABLE_FLAG,
  },
};

/**
 * Runs `sluice postgres init`.
 *
 * @param flags The parsed flags of {@linkcode POSTGRES}.
 * @param positionals `["init"]`.
 * @param print Where the report goes.
 * @returns 0 when the table was made or is as sluice makes it, 3 when it differs.
 * @example
 * ```ts ignore
 * import { postgresCommand } from "./postgres_command.ts";
 * await postgresCommand({ postgres: "postgres://logs@127.0.0.1/logs" }, ["init"]);
 * ```
 */
export async function postgresCommand(flags: Record<string, string | boolean | undefined>, positionals: string[], print = console.log): Promise<number> {
  if (positionals.length !== 1 || positionals[0] !== "init") throw new TypeError("sluice postgres: the subcommand is init (sluice postgres --help)");
  const url = flags.postgres as string | undefined;
  if (url === undefined) throw new TypeError("sluice postgres init: --postgres URL is required");
  const { openPostgres, safeUrl } = await import("../postgres/connect.ts");
  const { ensureTable, tableNames } = await import("../postgres/table.ts");
  const names = tableNames((flags.table as string | undefined) ?? "logs");
  const sql = openPostgres(url, { maxConnections: 1 });
  try {
    const r = await ensureTable(sql, names).catch((err) => {
      throw new TypeError(`sluice postgres init: cannot reach PostgreSQL at ${safeUrl(url)}: ${(err as Error).message}`);
    });
    if (r.action === "created") {
      print(`created table ${names.name} (partitioned by day on time, a default partition, indexes on time and category, key table ${names.name}_keys)`);
      return 0;
    }
    if (r.differences.length === 0) {
      print(`table ${names.name} exists as sluice makes it (left unchanged)`);
      return 0;
    }
    print(`table ${names.name} exists (left unchanged):`);
    for (const d of r.differences) print(`  differs from sluice's: ${d}`);
    return 3;
  } finally {
    await sql.end({ timeout: 1 });
  }
}

/** The flags `sluice serve` takes for PostgreSQL. */
export const POSTGRES_SERVE_FLAGS: Record<string, FlagSpec> = {
  postgres: { ...POSTGRES_URL_FLAG, help: "store accepted records in a PostgreSQL table instead of <dir> (postgres://user@host:port/db); 2xx only after the commit; PostgreSQL away at the start: 503 until it is reached" },
  table: { ...TABLE_FLAG, help: "the table (with --postgres); created when missing, a table that differs stops the start" },
  retention: { type: "string", value: "DURATION", help: "drop day partitions older than this, such as 14d (with --postgres; default: keep all)" },
  "write-timeout": { type: "string", value: "5s", default: "5s", help: "a commit PostgreSQL has not made by then is answered 503 (with --postgres)" },
  commits: { type: "string", value: "N", help: "transactions committing at once, 1 to 4 (with --postgres; default 2); requests that arrive meanwhile share the next one" },
};

/**
 * `sluice serve --postgres URL [--table] [--retention] [--write-timeout] [--commits]`: the PostgreSQL store,
 * its table checked (or created), with the searcher over it; or undefined without `--postgres`.
 *
 * @param str The flag's value by name.
 * @returns The store, or undefined.
 * @example
 * ```ts ignore
 * const store = await postgresServeStore((name) => flags[name] as string | undefined);
 * ```
 */
export async function postgresServeStore(str: (name: string) => string | undefined): Promise<(import("../collector/postgres_store.ts").PostgresStore & { searcher: import("../postgres/search.ts").PostgresSearcher }) | undefined> {
  const url = str("postgres");
  if (url === undefined) {
    for (const f of ["table", "retention", "write-timeout", "commits"]) if (str(f) !== undefined) throw new TypeError(`sluice serve: --${f} goes with --postgres URL`);
    return undefined;
  }
  if (str("jetstream") !== undefined) throw new TypeError("sluice serve: --postgres and --jetstream are two stores; pick one (sluice consume --postgres takes JetStream's records into PostgreSQL)");
  const { positiveDuration, wholeNumber } = await import("./flags.ts");
  const commitsInFlight = str("commits") === undefined ? undefined : wholeNumber(str("commits")!, "sluice serve: --commits", 1, 4);
  const retentionMs = str("retention") === undefined ? undefined : positiveDuration(str("retention")!, "sluice serve: --retention");
  const writeTimeoutMs = str("write-timeout") === undefined ? 5000 : positiveDuration(str("write-timeout")!, "sluice serve: --write-timeout");
  // loaded only with --postgres: the driver is not part of the plain collector
  const { postgresStore } = await import("../collector/postgres_store.ts");
  const { PostgresSearcher } = await import("../postgres/search.ts");
  const store = await postgresStore({ url, table: str("table") ?? "logs", retentionMs, writeTimeoutMs, commitsInFlight });
  // /api/search and /api/histogram answer from the table
  return Object.assign(store, { searcher: new PostgresSearcher(store.sql, store.names) });
}

/**
 * Runs `run` with a searcher over the table of `--postgres URL --table NAME` (`sluice search
 * --postgres`), closing the pool after.
 *
 * @param flags The search's flags.
 * @param run The search, given the searcher.
 * @returns What `run` returns.
 * @example
 * ```ts ignore
 * await withPostgresSearcher(flags, (searcher) => search(flags, positionals, searcher));
 * ```
 */
export async function withPostgresSearcher<T>(flags: Record<string, string | boolean | undefined>, run: (searcher: import("../postgres/search.ts").PostgresSearcher) => Promise<T>): Promise<T> {
  const { openPostgres } = await import("../postgres/connect.ts");
  const { tableNames } = await import("../postgres/table.ts");
  const { PostgresSearcher } = await import("../postgres/search.ts");
  const names = tableNames((flags.table as string | undefined) ?? "logs");
  const sql = openPostgres(flags.postgres as string, { maxConnections: 1 });
  try {
    return await run(new PostgresSearcher(sql, names));
  } finally {
    await sql.end({ timeout: 1 });
  }
}
