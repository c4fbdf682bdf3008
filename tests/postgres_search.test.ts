// Searching the PostgreSQL table with the query language, against a real PostgreSQL: the same
// records as the file matcher finds for a table of queries and a seeded fuzz of queries (ASCII
// values: the database folds case by its collation); numeric comparisons on non-numbers match
// nothing and never fail; level by severity; pages newest first with records sharing a
// millisecond neither skipped nor repeated; a histogram as the matcher counts it; and no query
// text, field name or value changes the statement (a seeded fuzz of hostile queries: the SQL
// is the SQL of the same tree with every value masked, and PostgreSQL runs it without error).
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import fc from "fast-check";
import postgres from "postgres";
import { commitBatches, ensureTable, tableNames } from "../postgres.ts";
import { PostgresSearcher } from "../postgres/search.ts";
import { querySql } from "../postgres/query_sql.ts";
import { compileQuery } from "../lib/query/compile.ts";
import { parseQuery } from "../lib/query/parse.ts";
import { QueryError } from "../lib/query/query_error.ts";
import type { QueryNode } from "../lib/query/ast.ts";
import { createRecord, type LogRecord } from "../lib/record.ts";
import { LEVEL_NAMES } from "../lib/levels.ts";
import { SearchInputError } from "../collector/search/search_input.ts";
import { type PostgresServer, postgresSuitesRun, startPostgres } from "./helpers/postgres.ts";

const run = postgresSuitesRun("postgres search suite (tests/postgres_search.test.ts)");
const T0 = Date.UTC(2026, 11, 6, 10);

/** Every string and number of a tree replaced: the shape alone. */
function masked(n: QueryNode): QueryNode {
  switch (n.kind) {
    case "text":
      return { kind: "text", text: "x" };
    case "field":
      return n.op === "exists" ? { ...n, path: n.path.map(() => "k") } : n.op === "prefix" ? { ...n, path: n.path.map(() => "k"), value: "x" } : { ...n, path: n.path.map(() => "k"), value: "x", ...(n.number === undefined ? {} : { number: 0 }) };
    case "compare":
      return { ...n, path: n.path.map(() => "k"), value: 0 };
    case "level":
      return { ...n, level: "info" };
    case "not":
      return { kind: "not", node: masked(n.node) };
    case "and":
    case "or":
      return { kind: n.kind, nodes: n.nodes.map(masked) };
    default:
      return n;
  }
}

test("no query text, field name or value changes the statement: its SQL is the SQL of the masked tree (seeded fuzz)", () => {
  const piece = fc.oneof(
    fc.string({ unit: "binary", maxLength: 12 }),
    fc.constantFrom("'", "\"", "\\", "$1", "$$", ";", "--", "/*", "'); drop table logs; --", "\0", "\ud800", "x".repeat(2000)),
  );
  const term = fc.tuple(piece, piece, fc.constantFrom("", ":", ":>", ":>=", ":<", ":*", "*")).map(([a, b, op]) => (op === "" ? JSON.stringify(a) : `${a.replace(/[\s():"]/g, "_") || "f"}${op}${op === ":" ? JSON.stringify(b) : op.startsWith(":>") || op === ":<" ? "5" : ""}`));
  let checked = 0;
  fc.assert(fc.property(fc.array(fc.tuple(term, fc.constantFrom(" ", " OR ", " -", " (", ") ")), { maxLength: 6 }), (parts) => {
    const text = parts.map(([t, j]) => j + t).join("").slice(0, 4096);
    let node: QueryNode;
    try {
      node = parseQuery(text);
    } catch (err) {
      if (err instanceof QueryError) return;
      throw err;
    }
    const { sql, params } = querySql(node);
    expect(sql).toBe(querySql(masked(node)).sql);
    for (const p of params) if (typeof p === "string" && p.length > 3) expect(sql.includes(p)).toBe(false);
    checked++;
  }), { seed: 20, numRuns: 400 });
  expect(checked).toBeGreaterThan(100);
}, 30_000);

describe.skipIf(!run)("PostgresSearcher against a real PostgreSQL", () => {
  let pg: PostgresServer;
  let sql: postgres.Sql;
  let searcher: PostgresSearcher;
  const records: LogRecord[] = [];
  const names = tableNames("q_logs");
  beforeAll(async () => {
    pg = await startPostgres();
    sql = postgres(pg.url, { onnotice: () => {} });
    await ensureTable(sql, names);
    // 600 records over 10 minutes, several per millisecond, with the kinds of value the language reads
    for (let i = 0; i < 600; i++) {
      const fields: Record<string, unknown> = {
        i,
        producer: `edge-${i % 4}`,
        route: ["/api/users", "/api/orders", "/health", "/API/Users"][i % 4],
        ms: i % 5 === 0 ? String(i) : i % 7 === 0 ? i + 0.5 : i % 300,
        status: i % 3 === 0 ? "200" : 500,
        ok: i % 2 === 0,
        none: null,
        err: i % 6 === 0 ? { message: `Timeout after ${i} ms`, code: i % 12 === 0 ? "ETIMEDOUT" : 7 } : undefined,
        tags: i % 9 === 0 ? ["alpha", "Beta"] : undefined,
      };
      const level = LEVEL_NAMES[i % 6];
      const category = [undefined, "http", "http.db", "db"][i % 4];
      records.push(createRecord(T0 + Math.floor(i / 3) * 1000, level, category, i % 10 === 0 ? "health check ok" : `request ${i} Done`, "," + JSON.stringify(fields).slice(1)));
    }
    await commitBatches(sql, names, [{ records }]);
    searcher = new PostgresSearcher(sql, names);
  }, 60_000);
  afterAll(async () => {
    await sql?.end();
    await pg?.stop();
  });

  const all = (q: string) => records.filter((r) => compileQuery(q).matches(JSON.parse(r.json))).map((r) => JSON.parse(r.json).i as number).sort((a, b) => a - b);
  const found = async (q: string) => {
    const page = await searcher.search({ query: compileQuery(q), from: -Infinity, to: Infinity, limit: 1000 });
    return page.lines.map((l) => JSON.parse(l).i as number).sort((a, b) => a - b);
  };

  test("the same records as the file matcher, for a table of queries", async () => {
    const queries = [
      "", "*", "timeout", "TIMEOUT", '"health check"', "-\"health check\"", "level:>=warn", "level:<info", "level:error", "level:>=ERROR",
      "category:http*", "category:http", "producer:edge-1", "producer:edge-*", "route:/api*", "route:/api/users", "ms:>250", "ms:<=3", "ms:>=100.5",
      "ms:5", "status:200", "status:500", "ok:true", "none:null", "err:*", "err.message:timeout*", "err.code:7", "err.code:etimedout", "tags:*", "alpha", "beta",
      "err.message:*", "tags.0:alpha", "i:>590 OR i:<3", "(level:warn OR level:error) -producer:edge-0", "msg:done", "done -request", "ms:abc*", "12", "0.5",
      "level:>=warn route:/api* -\"health check\"", "nothing-here", "err.message.x:*", "route:*", "time:*", "category:*", "-category:*",
    ];
    for (const q of queries) expect({ q, ids: await found(q) }).toEqual({ q, ids: all(q) });
  }, 30_000);

  test("the same records as the file matcher for a seeded fuzz of queries; none fails in PostgreSQL", async () => {
    const field = fc.constantFrom("i", "ms", "status", "route", "producer", "category", "level", "ok", "none", "err", "err.message", "err.code", "tags", "msg", "nope", "err.message.deeper");
    const value = fc.constantFrom("200", "500", "5", "10", "0.5", "true", "null", "edge-2", "/api", "/health", "http", "http.db", "timeout", "abc", "-3", "1e2", "warn", "Done");
    const term = fc.oneof(
      value,
      fc.tuple(field, value).map(([f, v]) => `${f}:${v}`),
      fc.tuple(field, value).map(([f, v]) => `${f}:${v}*`),
      fc.tuple(field, fc.constantFrom(">", ">=", "<", "<="), fc.constantFrom("0", "5", "250", "1.5", "-1")).map(([f, op, n]) => `${f}:${op}${n}`),
      fc.tuple(fc.constantFrom(">", ">=", "<", "<="), fc.constantFrom(...LEVEL_NAMES)).map(([op, l]) => `level:${op}${l}`),
      field.map((f) => `${f}:*`),
    );
    const query = fc.array(fc.tuple(fc.constantFrom("", "-"), term, fc.constantFrom(" ", " OR ")), { minLength: 1, maxLength: 4 }).map((ts) => ts.map(([n, t, j], k) => (k ? j : "") + n + t).join(""));
    await fc.assert(fc.asyncProperty(query, async (q) => {
      try {
        parseQuery(q);
      } catch (err) {
        if (err instanceof QueryError) return; // `level:>0` and such: a 400 before any search
        throw err;
      }
      expect({ q, ids: await found(q) }).toEqual({ q, ids: all(q) });
    }), { seed: 20, numRuns: 80 });
  }, 60_000);

  test("pages newest first: records sharing a millisecond are neither skipped nor repeated; a cursor not ours is a SearchInputError", async () => {
    const query = compileQuery("level:>=debug");
    const lines: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const page = await searcher.search({ query, from: T0 + 10_000, to: T0 + 150_000, limit: 7, cursor });
      lines.push(...page.lines);
      cursor = page.cursor;
      pages++;
    } while (cursor !== undefined && pages < 100);
    const want = records.filter((r) => r.time >= T0 + 10_000 && r.time < T0 + 150_000 && r.level !== "trace");
    expect(lines.length).toBe(want.length);
    expect(new Set(lines.map((l) => JSON.parse(l).i)).size).toBe(want.length);
    const times = lines.map((l) => Date.parse(JSON.parse(l).time));
    expect(times).toEqual([...times].sort((a, b) => b - a));
    // each line is the record as sluice writes it: time, level, category, msg first
    expect(Object.keys(JSON.parse(lines[0])).slice(0, 2)).toEqual(["time", "level"]);
    for (const bad of ["nope", "pg.eyJ0Ijo", `pg.${btoa(JSON.stringify(["2026-13-45 99:99:99+00", "1", "(0,1)"]))}`, `pg.${btoa(JSON.stringify(["x'); drop", "1", "(0,1)"]))}`]) {
      await expect(searcher.search({ query, from: -Infinity, to: Infinity, limit: 5, cursor: bad })).rejects.toBeInstanceOf(SearchInputError);
    }
  }, 30_000);

  test("a histogram counts as the matcher does, by bucket and level", async () => {
    const q = "route:/api* OR ms:>100";
    const h = await searcher.histogram({ query: compileQuery(q), from: T0, to: T0 + 200_000, buckets: 10 });
    expect(h.stepMs).toBe(20_000);
    const want = Array.from({ length: 10 }, () => ({ count: 0, levels: {} as Record<string, number> }));
    for (const r of records) {
      if (!compileQuery(q).matches(JSON.parse(r.json)) || r.time >= T0 + 200_000) continue;
      const b = want[Math.floor((r.time - T0) / 20_000)];
      b.count++;
      b.levels[r.level] = (b.levels[r.level] ?? 0) + 1;
    }
    expect(h.buckets.map(({ count, levels }) => ({ count, levels }))).toEqual(want);
  }, 30_000);
});
