// sluice's PostgreSQL table against a real PostgreSQL (a throwaway cluster): `sluice postgres
// init` creates it, checks it again unchanged, and says what differs with exit 3 without
// changing it; a bad table name is refused before any SQL; a record at any time lands (the
// default partition, moved into a day partition when that day's is made); --retention drops
// whole partitions; hostile text (NUL, lone surrogates, backslashes, tabs, $1, quotes, 10 KB
// categories) is stored as data, never a database error (a seeded fuzz), and read back as sent.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { spawnSync } from "node:child_process";
import fc from "fast-check";
import postgres from "postgres";
import { commitBatches, ensureTable, maintain, recordProducer, tableNames } from "../postgres.ts";
import { createRecord } from "../lib/record.ts";
import { parseNdjson } from "../lib/format/ndjson_decode.ts";
import { type PostgresServer, postgresSuitesRun, startPostgres } from "./helpers/postgres.ts";
import { serveRuntimes } from "./helpers/serve_process.ts";

const run = postgresSuitesRun("postgres table suite (tests/postgres_table.test.ts)");
const bun = serveRuntimes[0][1];
const DAY = 86_400_000;

test("a table name that is not a plain identifier is refused before any SQL", () => {
  for (const bad of ['logs"; drop table x; --', "Logs", "1logs", "", "a".repeat(41), "logs.x", "lo gs", "$1"]) {
    expect(() => tableNames(bad)).toThrow(/table name must be lower-case letters/);
  }
  expect(tableNames("app_logs2").keys).toBe('"app_logs2_keys"');
  const cli = spawnSync(bun[0], [...bun.slice(1), "postgres", "init", "--postgres", "postgres://x@127.0.0.1:1/db", "--table", 'x"y'], { encoding: "utf8" });
  expect([cli.status, cli.stderr.trim()]).toEqual([1, 'sluice: the table name must be lower-case letters, digits and _ (at most 40, not starting with a digit), got "x\\"y"']);
  const url = spawnSync(bun[0], [...bun.slice(1), "postgres", "init", "--postgres", "http://x/y"], { encoding: "utf8" });
  expect([url.status, url.stderr.trim()]).toEqual([1, 'sluice: --postgres must be a URL such as postgres://user@127.0.0.1:5432/db, got "http://x/y"']);
}, 30_000);

test("recordProducer reads a record's top-level producer as JSON.parse does (seeded fuzz over where it is and what it holds)", () => {
  const text = fc.oneof(fc.string({ maxLength: 8 }), fc.constantFrom('"', "\\", ',"producer":"x', "}", '"}'));
  const value = fc.oneof(text, fc.integer(), fc.constant(null), fc.dictionary(fc.constantFrom("producer", "a"), text, { maxKeys: 2 }));
  fc.assert(fc.property(fc.array(fc.tuple(fc.constantFrom("producer", "msg", "a", "x"), value), { maxLength: 5 }), (members) => {
    const json = "{" + members.map(([k, v]) => `${JSON.stringify(k)}:${JSON.stringify(v)}`).join(",") + "}";
    const p = (JSON.parse(json) as { producer?: unknown }).producer;
    expect(recordProducer(json)).toBe(typeof p === "string" ? p : undefined);
  }), { seed: 20, numRuns: 3000 });
}, 30_000);

describe.skipIf(!run)("the table in a real PostgreSQL", () => {
  let pg: PostgresServer;
  let sql: postgres.Sql;
  beforeAll(async () => {
    pg = await startPostgres();
    sql = postgres(pg.url, { onnotice: () => {} });
  }, 60_000);
  afterAll(async () => {
    await sql?.end();
    await pg?.stop();
  });
  const init = (...args: string[]) => spawnSync(bun[0], [...bun.slice(1), "postgres", "init", "--postgres", pg.url, ...args], { encoding: "utf8", timeout: 20_000 });

  test("sluice postgres init creates the table, finds it unchanged the second time, and says what differs (exit 3) without changing it", () => {
    const made = init("--table", "t_init");
    expect([made.status, made.stdout.trim()]).toEqual([0, "created table t_init (partitioned by day on time, a default partition, indexes on time and category, key table t_init_keys)"]);
    expect(pg.psql("select pg_get_partkeydef('t_init'::regclass)")).toBe('RANGE ("time")');
    const parts = pg.psql("select string_agg(c.relname, ',' order by c.relname) from pg_inherits i join pg_class c on c.oid = i.inhrelid where i.inhparent = 't_init'::regclass").split(",");
    expect(parts).toContain("t_init_default");
    expect(parts).toContain(tableNames("t_init").day(Date.now()));
    expect(parts).toContain(tableNames("t_init").day(Date.now() + 2 * DAY));
    expect(pg.psql("select string_agg(indexdef, ' | ') from pg_indexes where tablename = 't_init'")).toMatch(/\(left\(category, 200\), "time"\).*|.*\("time"\)/);
    const again = init("--table", "t_init");
    expect([again.status, again.stdout.trim()]).toEqual([0, "table t_init exists as sluice makes it (left unchanged)"]);
    pg.psql("alter table t_init drop column producer; alter table t_init add column extra int; drop index t_init_time");
    const differs = init("--table", "t_init");
    expect(differs.status).toBe(3);
    expect(differs.stdout.trim().split("\n")).toEqual([
      "table t_init exists (left unchanged):",
      "  differs from sluice's: column producer text is missing",
      "  differs from sluice's: column extra integer is not sluice's",
      "  differs from sluice's: index on (time) is missing",
    ]);
    expect(pg.psql("select count(*) from information_schema.columns where table_name = 't_init' and column_name = 'extra'")).toBe("1");
    pg.psql("create table t_plain (time timestamptz)");
    const plain = init("--table", "t_plain");
    expect(plain.status).toBe(3);
    expect(plain.stdout).toContain("it is not partitioned by range on time (not partitioned)");
  }, 30_000);

  test("PostgreSQL unreachable: init says so in one line, exit 1", () => {
    const r = spawnSync(bun[0], [...bun.slice(1), "postgres", "init", "--postgres", "postgres://postgres@127.0.0.1:1/postgres"], { encoding: "utf8", timeout: 20_000 });
    expect(r.status).toBe(1);
    expect(r.stderr.trim()).toMatch(/^sluice postgres init: cannot reach PostgreSQL at postgres:\/\/postgres@127\.0\.0\.1:1\/postgres: .*ECONNREFUSED/);
  }, 30_000);

  test("a record at any time lands: far future and far past go to the default partition, and a day partition made later takes its rows from it", async () => {
    const names = tableNames("t_time");
    await ensureTable(sql, names);
    const far = Date.now() + 30 * DAY;
    const times = [far, 8.64e15, -8.64e15, -1e14, 0, Date.now()];
    await commitBatches(sql, names, [{ records: times.map((t, i) => createRecord(t, "info", "c", `r${i}`, "}")) }]);
    expect(Number(pg.psql("select count(*) from t_time"))).toBe(times.length);
    expect(Number(pg.psql("select count(*) from t_time_default"))).toBe(times.length - 1);
    // thirty days on: the partitions made then take the record of that day out of the default
    await maintain(sql, names, undefined, DAY, far);
    expect(pg.psql(`select tableoid::regclass from t_time where msg = 'r0'`)).toBe(names.day(far));
    expect(Number(pg.psql("select count(*) from t_time"))).toBe(times.length);
    // each record's own time is kept exactly in record
    expect(pg.psql("select record->>'time' from t_time where msg = 'r2'")).toBe("-271821-04-20T00:00:00.000Z");
  }, 30_000);

  test("commitBatches: a key committed before, or twice in one call, is a duplicate and its rows are not written", async () => {
    const names = tableNames("t_keys");
    await ensureTable(sql, names);
    const b = (msg: string, hash: string) => ({ records: [createRecord(Date.now(), "info", "c", msg, "}")], key: { token: "t", hash } });
    expect(await commitBatches(sql, names, [b("one", "k1"), b("two", "k1"), b("three", "k2"), { records: [createRecord(Date.now(), "info", "c", "keyless", "}")] }])).toEqual([false, true, false, false]);
    expect(await commitBatches(sql, names, [b("again", "k2"), b("four", "k3")])).toEqual([true, false]);
    expect(pg.psql("select string_agg(msg, ',' order by msg) from t_keys")).toBe("four,keyless,one,three");
  }, 30_000);

  test("commitBatches: transactions at once, their rows made from bodies as sent in reused buffers, each stored as sent", async () => {
    const names = tableNames("t_reuse");
    await ensureTable(sql, names);
    // 3 waves of 6 transactions at once, each of 1 or 2 bodies of a different size and producer:
    // a buffer given back by one transaction is written by the next while the others still send
    const expected: string[] = [];
    for (let wave = 0; wave < 3; wave++) {
      await Promise.all(Array.from({ length: 6 }, (_, t) => {
        const batches = Array.from({ length: 1 + (t % 2) }, (_, b) => {
          const producer = `p${wave}-${t}-${b}`;
          const lines = Array.from({ length: 1 + ((wave * 7 + t * 13 + b * 5) % 40) * 50 }, (_, i) => createRecord(Date.now(), "info", "c", `m${i % 3}`, `,"i":${i},"s":"${"x".repeat(i % 17)}"}`).json);
          const text = lines.join("\n") + "\n";
          const parsed = parseNdjson(text, producer, 1 << 24);
          expect(parsed.asSent).toBeDefined();
          for (const l of lines) expected.push(l.slice(0, -1) + `,"producer":"${producer}"}`);
          return { records: parsed.records, producer, body: new TextEncoder().encode(text), key: { token: "t", hash: producer } };
        });
        return commitBatches(sql, names, batches);
      }));
    }
    const stored = await sql.unsafe(`select record::text as r from ${names.table}`);
    // jsonb keeps members in an order of its own: compared with the members sorted
    const normal = (j: string) => JSON.stringify(Object.entries(JSON.parse(j)).sort());
    expect(stored.map((x) => normal(x.r)).sort()).toEqual(expected.map(normal).sort());
  }, 30_000);

  test("commitBatches: a transaction larger than the socket takes at once (the COPY's writes wait for the socket) commits whole", async () => {
    const names = tableNames("t_big");
    await ensureTable(sql, names);
    // 40,000 records of ~600 bytes: ~24 MB of rows in one COPY
    const pad = "x".repeat(500);
    const records = Array.from({ length: 40_000 }, (_, i) => createRecord(Date.now(), "info", "c", "big", `,"i":${i},"pad":"${pad}"}`));
    expect(await commitBatches(sql, names, [{ records, key: { token: "t", hash: "big" } }])).toEqual([false]);
    expect(pg.psql(`select count(*), count(distinct record->>'i') from ${names.table}`)).toBe("40000|40000");
  }, 60_000);

  test("commitBatches: a failed key insert, rows that cannot be made, or a row PostgreSQL refuses roll the whole transaction back and leave the pool usable", async () => {
    const names = tableNames("t_fail");
    await ensureTable(sql, names);
    const rec = (msg: string) => createRecord(Date.now(), "info", "c", msg, "}");
    // the keys' insert fails (PostgreSQL's text refuses NUL) while the COPY behind it waits
    await expect(commitBatches(sql, names, [{ records: [rec("lost")], key: { token: "t\0", hash: "k1" } }])).rejects.toThrow();
    // the rows cannot be made once the COPY is open (a record whose message throws when read)
    const bad = Object.defineProperty(rec("x"), "msg", { get: () => { throw new Error("unreadable record"); } });
    await expect(commitBatches(sql, names, [{ records: [rec("before"), bad], key: { token: "t", hash: "k2" } }])).rejects.toThrow("unreadable record");
    // PostgreSQL refuses a row of the COPY (a check the table was given here): the COPY's error
    // is the one reported, and nothing of either batch is kept
    pg.psql(`alter table ${names.table} add constraint no_refused check (msg <> 'refused')`);
    await expect(commitBatches(sql, names, [{ records: [rec("fine")], key: { token: "t", hash: "k3" } }, { records: [rec("refused")], key: { token: "t", hash: "k4" } }])).rejects.toThrow("no_refused");
    expect(pg.psql(`select count(*) from ${names.table}`)).toBe("0");
    expect(pg.psql(`select count(*) from ${names.keys}`)).toBe("0");
    pg.psql(`alter table ${names.table} drop constraint no_refused`);
    // the same keys commit afterwards: nothing of the failed transactions was kept
    expect(await commitBatches(sql, names, [{ records: [rec("later")], key: { token: "t", hash: "k2" } }, { records: [rec("too")], key: { token: "t", hash: "k3" } }])).toEqual([false, false]);
    expect(pg.psql(`select string_agg(msg, ',' order by msg) from ${names.table}`)).toBe("later,too");
  }, 30_000);

  test("commitBatches as a probe: under a role that may INSERT but not DELETE (an append-only table) it commits and leaves nothing; a refused write fails it", async () => {
    const names = tableNames("t_probe");
    await ensureTable(sql, names);
    pg.psql("create role appender login");
    pg.psql(`grant select, insert on ${names.table}, ${names.keys} to appender`);
    const appender = postgres(pg.url.replace("postgres://postgres@", "postgres://appender@"), { onnotice: () => {} });
    try {
      const batch = () => ({ records: [createRecord(Date.now(), "info", "sluice", "probe", "}")], key: { token: "sluice", hash: "probe" } });
      expect(await commitBatches(appender, names, [batch()], true)).toEqual([false]);
      expect(await commitBatches(appender, names, [batch()], true)).toEqual([false]); // the key was not kept either
      expect([pg.psql(`select count(*) from ${names.table}`), pg.psql(`select count(*) from ${names.keys}`)]).toEqual(["0", "0"]);
      // the probe's rows still go through the checks a commit's do
      pg.psql(`alter table ${names.table} add constraint no_probe check (msg <> 'probe')`);
      await expect(commitBatches(appender, names, [batch()], true)).rejects.toThrow("no_probe");
      pg.psql(`alter table ${names.table} drop constraint no_probe`);
      // and so do deferred constraint triggers, which a commit runs and a savepoint's rollback would drop
      pg.psql("create function refuse_deferred() returns trigger language plpgsql as $$ begin if new.msg = 'probe' then raise exception 'deferred_refusal'; end if; return null; end $$");
      pg.psql(`create constraint trigger refuse_deferred after insert on ${names.table} deferrable initially deferred for each row execute function refuse_deferred()`);
      await expect(commitBatches(appender, names, [batch()], true)).rejects.toThrow("deferred_refusal");
      // and a real commit under the same role still writes
      expect(await commitBatches(appender, names, [{ records: [createRecord(Date.now(), "info", "c", "kept", "}")], key: { token: "t", hash: "k" } }])).toEqual([false]);
      expect(pg.psql(`select string_agg(msg, ',') from ${names.table}`)).toBe("kept");
    } finally {
      await appender.end();
    }
  }, 30_000);

  test("--retention drops whole day partitions past it and the default partition's older records; keys past their TTL are forgotten", async () => {
    const names = tableNames("t_ret");
    await ensureTable(sql, names);
    const now = Date.now();
    // partitions from 20 days ago (made as if then), and records in them and in the default
    await maintain(sql, names, undefined, DAY, now - 20 * DAY);
    await commitBatches(sql, names, [
      { records: [createRecord(now - 20 * DAY, "info", "c", "old", "}"), createRecord(now - 40 * DAY, "info", "c", "older", "}"), createRecord(now, "info", "c", "new", "}")], key: { token: "t", hash: "k" } },
    ]);
    pg.psql("update t_ret_keys set time = now() - interval '2 days'");
    const dropped = await maintain(sql, names, 14 * DAY, DAY, now);
    expect(dropped).toContain(names.day(now - 20 * DAY));
    expect(dropped).not.toContain(names.day(now - DAY));
    expect(pg.psql("select string_agg(msg, ',') from t_ret")).toBe("new");
    expect(pg.psql("select count(*) from t_ret_keys")).toBe("0");
  }, 30_000);

  test("hostile text is stored as data, never a database error, and read back as sent (seeded fuzz)", async () => {
    const names = tableNames("t_fuzz");
    await ensureTable(sql, names);
    const hostile = fc.oneof(
      fc.string({ unit: "binary", maxLength: 40 }),
      fc.constantFrom("\0", "a\0b", "\ud800", "x\udc00y", "\ud83d\ude00", "\\", "\\u0000", "'; drop table t_fuzz; --", "$1", '"', "\t\n\r", "%_", "\\N"),
      fc.string({ unit: fc.constantFrom("\\", "\0", "\ud800", "\udfff", "'", '"', "$", "1", "\t", "\n", "a"), maxLength: 30 }),
    );
    // what PostgreSQL holds for a text: NUL as the six characters \u0000, a lone surrogate as U+FFFD
    const stored = (s: string) => s.replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, "\ufffd").replaceAll("\0", "\\u0000");
    let n = 0;
    await fc.assert(fc.asyncProperty(fc.array(fc.record({ cat: hostile, msg: hostile, field: hostile, value: hostile }), { minLength: 1, maxLength: 8 }), async (rows) => {
      const recs = rows.map((r) => createRecord(Date.now(), "warn", r.cat, r.msg, `,${JSON.stringify(r.field)}:${JSON.stringify(r.value)},"n":${++n}}`));
      await commitBatches(sql, names, [{ records: recs }]);
      const back = await sql.unsafe(`select category, msg, record from ${names.table} where (record->>'n')::int = any($1::int[]) order by (record->>'n')::int`, [recs.map((_, i) => n - recs.length + 1 + i)] as never);
      expect(back.length).toBe(recs.length);
      for (let i = 0; i < rows.length; i++) {
        expect(back[i].category).toBe(stored(rows[i].cat));
        expect(back[i].msg).toBe(stored(rows[i].msg));
        expect(back[i].record.msg).toBe(stored(rows[i].msg));
        if (!["time", "level", "category", "msg", "n"].includes(rows[i].field)) expect(back[i].record[stored(rows[i].field)]).toBe(stored(rows[i].value));
      }
    }), { seed: 20, numRuns: 150 });
    const long = createRecord(Date.now(), "info", "c".repeat(10_240), "m", ',"k":"' + "v".repeat(10_240) + '"}');
    const random = createRecord(Date.now(), "info", Array.from({ length: 10_240 }, (_, i) => String.fromCharCode(0x4e00 + ((i * 7919) % 20000))).join(""), "m", "}");
    await commitBatches(sql, names, [{ records: [long, random] }]);
    expect(Number(pg.psql("select count(*) from t_fuzz where length(category) = 10240"))).toBe(2);
  }, 30_000);
});
