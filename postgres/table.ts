/**
 * The PostgreSQL table sluice stores records in: its names, its shape, its creation and the
 * check of one that exists (`sluice postgres init`, `serve --postgres` at start).
 *
 * @module
 */
import type { Sql, TransactionSql } from "postgres";

/**
 * The names of the relations behind one table name: the table, its key table, its default
 * partition, and how a day's partition is named.
 *
 * @example
 * ```ts
 * import { tableNames } from "./table.ts";
 * tableNames("logs").keys; // '"logs_keys"'
 * ```
 */
export interface TableNames {
  /** The table's name as given (validated). */
  name: string;
  /** The table, quoted for SQL. */
  table: string;
  /** The key table (Idempotency-Keys and stream sequences), quoted. */
  keys: string;
  /** The default partition (records outside the day partitions), quoted. */
  fallback: string;
  /** A day's partition name, unquoted: `<name>_pYYYYMMDD`. */
  day(ms: number): string;
}

const NAME = /^[a-z_][a-z0-9_]{0,39}$/;

/**
 * Checks a table name and makes the names that go with it. A name is lower-case letters,
 * digits and `_`, at most 40 characters, not starting with a digit: it is quoted anyway, and
 * never carries SQL.
 *
 * @param name The table's name, such as `logs`.
 * @returns The names.
 * @throws {TypeError} When the name is not such a name.
 * @example
 * ```ts
 * import { tableNames } from "./table.ts";
 * tableNames("logs").table; // '"logs"'
 * ```
 */
export function tableNames(name: string): TableNames {
  if (!NAME.test(name)) throw new TypeError(`sluice: the table name must be lower-case letters, digits and _ (at most 40, not starting with a digit), got ${JSON.stringify(name.slice(0, 80))}`);
  return {
    name,
    table: `"${name}"`,
    keys: `"${name}_keys"`,
    fallback: `"${name}_default"`,
    day: (ms) => `${name}_p${new Date(ms).toISOString().slice(0, 10).replaceAll("-", "")}`,
  };
}

/** The columns, in order, as `information_schema` names their types. */
export const COLUMNS: readonly [string, string, boolean][] = [
  ["time", "timestamp with time zone", false],
  ["level", "text", false],
  ["category", "text", true],
  ["producer", "text", true],
  ["msg", "text", true],
  ["record", "jsonb", false],
];

/**
 * The indexes by what they cover. The category index is on its first 200 characters: a btree
 * entry is limited to about 2.7 KB, and a category of any length must still be stored.
 */
const INDEXES: readonly [suffix: string, expr: string][] = [
  ["time", "(time)"],
  ["category_time", "(left(category, 200), time)"],
];

/** Days of partitions made ahead (today and the next two), and behind (yesterday). */
export const DAYS_AHEAD = 2;
const DAY_MS = 86_400_000;

/**
 * What {@linkcode ensureTable} did: created the table, or found it; and how the one found
 * differs from sluice's shape (empty when it is as sluice makes it).
 *
 * @example
 * ```ts
 * import type { EnsureTableResult } from "./table.ts";
 * const r: EnsureTableResult = { action: "exists", differences: [] };
 * ```
 */
export interface EnsureTableResult {
  /** Whether the table was made now, or was there. */
  action: "created" | "exists";
  /** How the table found differs from sluice's shape, one sentence each. */
  differences: string[];
}

/**
 * Creates the table, its default partition, indexes, key table and the partitions around today
 * when it is missing; otherwise checks it and says what differs, changing nothing (the
 * partitions around today are still made, as at every start). Runs under an advisory lock, so
 * collectors starting together make it once.
 *
 * @param sql A postgres.js connection.
 * @param names From {@linkcode tableNames}.
 * @param create Create a missing table (`false`: report it missing as a difference).
 * @returns What was done and found.
 * @example
 * ```ts ignore
 * import postgres from "postgres";
 * const r = await ensureTable(postgres("postgres://logs@127.0.0.1/logs"), tableNames("logs"));
 * ```
 */
export async function ensureTable(sql: Sql, names: TableNames, create = true): Promise<EnsureTableResult> {
  return await sql.begin(async (tx) => {
    await tx`select pg_advisory_xact_lock(hashtext(${"sluice:" + names.name}))`;
    const [found] = await tx`select to_regclass(${names.table}) as oid`;
    if (found.oid === null) {
      if (!create) return { action: "exists" as const, differences: [`there is no table ${names.name}`] };
      await tx.unsafe(`create table ${names.table} (${COLUMNS.map(([c, t, nullable]) => `${c} ${t === "timestamp with time zone" ? "timestamptz" : t}${nullable ? "" : " not null"}`).join(", ")}) partition by range (time)`);
      await tx.unsafe(`create table ${names.fallback} partition of ${names.table} default`);
      for (const [suffix, expr] of INDEXES) await tx.unsafe(`create index "${names.name}_${suffix}" on ${names.table} ${expr}`);
      await tx.unsafe(`create table if not exists ${names.keys} (token text not null, hash text not null, time timestamptz not null default now(), primary key (token, hash))`);
      await makePartitions(tx, names, Date.now());
      return { action: "created" as const, differences: [] };
    }
    const differences = await tableDifferences(tx, names);
    if (differences.length === 0) await makePartitions(tx, names, Date.now());
    return { action: "exists" as const, differences };
  });
}

/** How the existing table differs from sluice's shape. */
async function tableDifferences(sql: TransactionSql, names: TableNames): Promise<string[]> {
  const out: string[] = [];
  const cols = await sql`select column_name, data_type, is_nullable from information_schema.columns where table_schema = current_schema() and table_name = ${names.name} order by ordinal_position`;
  const want = COLUMNS.map(([c, t, n]) => `${c} ${t}${n ? "" : " not null"}`);
  const have = cols.map((c) => `${c.column_name} ${c.data_type}${c.is_nullable === "YES" ? "" : " not null"}`);
  for (const w of want) if (!have.includes(w)) out.push(`column ${w} is missing`);
  for (const h of have) if (!want.includes(h)) out.push(`column ${h} is not sluice's`);
  const [part] = await sql`select pg_get_partkeydef(to_regclass(${names.table})) as key`;
  if (part.key !== "RANGE (\"time\")") out.push(`it is not partitioned by range on time (${part.key ?? "not partitioned"})`);
  else {
    const [def] = await sql`select to_regclass(${names.fallback}) as oid`;
    if (def.oid === null) out.push(`it has no default partition ${names.name}_default (a record outside the day partitions would fail)`);
  }
  const idx = await sql`select indexdef from pg_indexes where schemaname = current_schema() and tablename = ${names.name}`;
  const defs = idx.map((i) => String(i.indexdef).replace(/^.* USING btree /, "").replaceAll('"', ""));
  for (const [, expr] of INDEXES) if (!defs.some((d) => d.replace(/\s|::text/g, "") === expr.replace(/\s/g, ""))) out.push(`index on ${expr} is missing`);
  const [keys] = await sql`select to_regclass(${names.keys}) as oid`;
  if (keys.oid === null) out.push(`the key table ${names.name}_keys is missing`);
  return out;
}

/**
 * Makes the day partitions from yesterday to `DAYS_AHEAD` days after `now` that are missing.
 * Records of such a day already in the default partition move into the new one in the same
 * transaction (PostgreSQL refuses a partition whose rows sit in the default).
 *
 * @param sql A connection, inside a transaction that holds the table's advisory lock.
 * @param names From {@linkcode tableNames}.
 * @param now The time partitions are made around, ms.
 * @returns The partitions made.
 * @example
 * ```ts ignore
 * await sql.begin((tx) => makePartitions(tx, tableNames("logs"), Date.now()));
 * ```
 */
export async function makePartitions(sql: TransactionSql, names: TableNames, now: number): Promise<string[]> {
  const made: string[] = [];
  const today = Math.floor(now / DAY_MS) * DAY_MS;
  for (let d = today - DAY_MS; d <= today + DAYS_AHEAD * DAY_MS; d += DAY_MS) {
    const part = names.day(d);
    const [exists] = await sql`select to_regclass(${`"${part}"`}) as oid`;
    if (exists.oid !== null) continue;
    const from = new Date(d).toISOString();
    const to = new Date(d + DAY_MS).toISOString();
    const [held] = await sql.unsafe(`select exists (select 1 from ${names.fallback} where time >= $1 and time < $2) as held`, [from, to]);
    if (!held.held) await sql.unsafe(`create table "${part}" partition of ${names.table} for values from ('${from}') to ('${to}')`);
    else {
      await sql.unsafe(`create table "${part}" (like ${names.table} including defaults including constraints)`);
      await sql.unsafe(`with moved as (delete from ${names.fallback} where time >= $1 and time < $2 returning *) insert into "${part}" select * from moved`, [from, to]);
      await sql.unsafe(`alter table ${names.table} attach partition "${part}" for values from ('${from}') to ('${to}')`);
    }
    made.push(part);
  }
  return made;
}

/**
 * Drops the day partitions that end before `now - retentionMs`, deletes the default
 * partition's records older than that, and forgets keys older than `keyTtlMs`.
 *
 * @param sql A postgres.js connection.
 * @param names From {@linkcode tableNames}.
 * @param retentionMs How long records are kept, or undefined to keep them all.
 * @param keyTtlMs How long an Idempotency-Key or stream sequence is remembered.
 * @param now The current time, ms.
 * @returns The partitions dropped.
 * @example
 * ```ts ignore
 * await maintain(sql, tableNames("logs"), 14 * 86_400_000, 86_400_000, Date.now());
 * ```
 */
export async function maintain(sql: Sql, names: TableNames, retentionMs: number | undefined, keyTtlMs: number, now: number): Promise<string[]> {
  return await sql.begin(async (tx) => {
    await tx`select pg_advisory_xact_lock(hashtext(${"sluice:" + names.name}))`;
    await makePartitions(tx, names, now);
    // a stream's sequences are kept by the consumer as long as its stream keeps the messages
    await tx.unsafe(`delete from ${names.keys} where time < $1 and token not like 'stream:%'`, [new Date(now - keyTtlMs).toISOString()]);
    if (retentionMs === undefined) return [];
    const cutoff = now - retentionMs;
    const parts = await tx`select c.relname from pg_inherits i join pg_class c on c.oid = i.inhrelid where i.inhparent = to_regclass(${names.table})`;
    const dropped: string[] = [];
    for (const { relname } of parts) {
      const m = new RegExp(`^${names.name}_p(\\d{4})(\\d{2})(\\d{2})$`).exec(relname);
      if (m === null) continue;
      const end = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])) + DAY_MS;
      if (end > cutoff) continue;
      await tx.unsafe(`drop table "${relname}"`);
      dropped.push(relname);
    }
    await tx.unsafe(`delete from ${names.fallback} where time < $1`, [new Date(cutoff).toISOString()]);
    return dropped;
  });
}
