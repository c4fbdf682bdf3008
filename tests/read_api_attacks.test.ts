// The read side as an attacker holding one read token uses it: arguments at their extremes are
// a 400 naming what is wrong (never a 5xx from a time no Date or PostgreSQL can hold), and a
// search built to be slow cannot hold the event loop (ingest is answered while it runs).
import { afterAll, afterEach, beforeAll, describe, expect, test } from "bun:test";
import postgres from "postgres";
import { appendFileSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { serve, type Server } from "../server.ts";
import { commitBatches, ensureTable, tableNames } from "../postgres.ts";
import { PostgresSearcher } from "../postgres/search.ts";
import { FileSearcher } from "../collector/search/file_searcher.ts";
import { decodeCursor, TopRecords } from "../collector/search/top_records.ts";
import { histogramRequest, searchRequest } from "../collector/search/search_input.ts";
import { createRecord } from "../lib/record.ts";
import { categoryFileName } from "../lib/files/category_name.ts";
import { rotatedTime } from "../lib/files/rotation_names.ts";
import { TailHub } from "../collector/tail/tail_hub.ts";
import { TAIL_FILTER_MS_PER_SEC } from "../collector/tail/tail_subscriber.ts";
import { SseReader } from "./helpers/sse.ts";
import { type PostgresServer, postgresSuitesRun, startPostgres } from "./helpers/postgres.ts";

const INGEST = "in-token";
const READ = "read-token";
const open: Server[] = [];
afterEach(async () => {
  for (const s of open.splice(0)) await s.close();
});
async function collector(dir = mkdtempSync(join(tmpdir(), "sluice-read-attacks-"))): Promise<Server> {
  const s = await serve({ port: 0, dir, handleSignals: false, tokens: [{ name: "edge", token: INGEST }, { name: "ops", token: READ, role: "read" }] });
  open.push(s);
  return s;
}
const auth = (t: string) => ({ authorization: `Bearer ${t}` });
const get = (s: Server, path: string) => fetch(s.url + path, { headers: auth(READ) });

test("times past what a Date holds are a 400 naming the argument, on search and histogram alike", async () => {
  const s = await collector();
  for (const path of ["/api/histogram?from=999999999999w", "/api/search?from=999999999999w", "/api/histogram?from=1d&to=99999999999d", "/api/search?to=-1"]) {
    const res = await get(s, path);
    const body = await res.json();
    expect({ path, status: res.status }).toEqual({ path, status: 400 });
    expect(body.error).toMatch(/^(from|to): /);
  }
  // the widest range a Date holds still answers
  const wide = await get(s, "/api/histogram?from=0001-01-01&to=9999-12-31");
  expect(wide.status).toBe(200);
  expect((await wide.json()).buckets.length).toBe(60);
});

describe.skipIf(!postgresSuitesRun("read API attacks on PostgreSQL (tests/read_api_attacks.test.ts)"))("PostgreSQL", () => {
  let pg: PostgresServer;
  let sql: ReturnType<typeof postgres>;
  const names = tableNames("attack_logs");
  const T0 = Date.UTC(2026, 11, 6, 10);
  beforeAll(async () => {
    pg = await startPostgres();
    sql = postgres(pg.url, { max: 2, onnotice: () => {} });
    await ensureTable(sql, names);
    await commitBatches(sql, names, [{ records: [createRecord(T0, "info", "http", "kept", "}")] }]);
  }, 60_000);
  afterAll(async () => {
    await sql?.end();
    await pg?.stop();
  });

  test("times PostgreSQL cannot read (year 0, before 4713 BC) bound nothing or match nothing: never a database error", async () => {
    const s = new PostgresSearcher(sql, names);
    const now = T0 + 60_000;
    for (const from of ["0000-01-01", "99999999d", "0001-01-01"]) {
      expect((await s.search(searchRequest({ from }, now))).lines.length).toBe(1);
      const h = await s.histogram(histogramRequest({ from, buckets: "1000" }, now));
      expect(h.buckets.reduce((n, b) => n + b.count, 0)).toBe(1);
    }
    expect((await s.search(searchRequest({ from: "99999999d", to: "0000-06-01" }, now))).lines).toEqual([]);
    expect((await s.search(searchRequest({ from: "99999999d", to: "99999998d" }, now))).lines).toEqual([]);
    // a bound inside PostgreSQL's range still cuts exactly at its millisecond
    expect((await s.search(searchRequest({ from: new Date(T0 + 1).toISOString() }, now))).lines).toEqual([]);
    expect((await s.search(searchRequest({ to: new Date(T0 + 1).toISOString() }, now))).lines.length).toBe(1);
  });

  test("a page holds at most maxPageBytes of records (at least one), and pages on without skipping or repeating", async () => {
    const big = tableNames("attack_big");
    await ensureTable(sql, big);
    // 30 records of ~1 KB, 10 sharing a millisecond
    const records = Array.from({ length: 30 }, (_, i) => createRecord(T0 + (i < 10 ? 0 : i), "info", "http", `r${i}`, `,"pad":"${"x".repeat(1000 + i)}"}`));
    await commitBatches(sql, big, [{ records }]);
    const s = new PostgresSearcher(sql, big, { maxPageBytes: 5_000 });
    const seen: string[] = [];
    let cursor: string | undefined;
    for (let pages = 0; pages < 40; pages++) {
      const page = await s.search(searchRequest({ limit: "10000", cursor }, T0 + 60_000));
      expect(page.lines.length).toBeGreaterThan(0);
      expect(page.lines.reduce((n, l) => n + l.length, 0)).toBeLessThanOrEqual(5_000);
      seen.push(...page.lines.map((l) => JSON.parse(l).msg));
      cursor = page.cursor;
      if (cursor === undefined) break;
    }
    expect(seen.length).toBe(30);
    expect(new Set(seen).size).toBe(30);
    const one = await new PostgresSearcher(sql, big, { maxPageBytes: 10 }).search(searchRequest({ limit: "5" }, T0 + 60_000));
    expect(one.lines.length).toBe(1);
    expect(one.cursor).toBeDefined();
  });
});

test("a tail filter that is slow to run gets a bounded share of the collector's time, not 16 looks per event it may send", async () => {
  // 8 clients whose filter costs 2 ms a record (as a query of hundreds of terms does at load):
  // before, each could look at 16,000 records a second, and ingest fell from ~270,000 to ~400
  // records/s with 8 of them; now all of them together run their filters TAIL_FILTER_MS_PER_SEC
  // a second at most, and what they could not look at is reported dropped
  const r = (i: number) => createRecord(0, "info", undefined, `m${i}`, "}");
  const hub = new TailHub({ maxRecords: 500, maxBytes: 64 << 20, heartbeatMs: 60_000, maxClients: 8, maxEventsPerSec: 1000 });
  let calls = 0;
  const slow = () => {
    calls++;
    const until = performance.now() + 2;
    while (performance.now() < until);
    return false;
  };
  // 8 clients reading as fast as they are sent (the runtime reads as the socket drains)
  const readers = Array.from({ length: 8 }, () => hub.open(slow, undefined)!.getReader());
  let dropped = 0;
  const reading = readers.map(async (reader) => {
    for (;;) {
      const { done, value } = await reader.read().catch(() => ({ done: true, value: undefined }));
      if (done) return;
      const text = new TextDecoder().decode(value);
      for (const m of text.matchAll(/"dropped":(\d+)/g)) dropped += Number(m[1]);
    }
  });
  const t0 = performance.now();
  const feeding = setInterval(() => hub.publish(Array.from({ length: 100 }, (_, i) => r(i))), 20);
  // the event loop stays free for other work (ingest): a timer set for 10 ms runs within a slice
  let worstLateMs = 0;
  for (let i = 0; i < 20; i++) {
    const set = performance.now();
    await new Promise((resolve) => setTimeout(resolve, 10));
    worstLateMs = Math.max(worstLateMs, performance.now() - set - 10);
  }
  clearInterval(feeding);
  const seconds = (performance.now() - t0) / 1000;
  const filterMs = calls * 2;
  expect(filterMs).toBeLessThanOrEqual((TAIL_FILTER_MS_PER_SEC * (seconds + 1)) + 8 * 2 * 16);
  expect(worstLateMs).toBeLessThan(250);
  for (const reader of readers) await reader.cancel();
  await Promise.all(reading);
  // what they could not look at was let go and told
  expect(dropped).toBeGreaterThan(0);
  expect(hub.clients).toBe(0);
}, 20_000);

test("a search whose query is slow to run on every line leaves the event loop free within a block", async () => {
  // one 4 MiB block of lines that every term must be tried on (a \u escape defeats the prefilter)
  // and 200 negated words: before, the block was visited in one go (8 MB held a collector's
  // ingest for 31 s at load 16); now the visit lets other work run every few milliseconds
  const dir = mkdtempSync(join(tmpdir(), "sluice-read-attacks-scan-"));
  const now = Date.now();
  let text = "";
  for (let i = 0; i < 4000; i++) text += `{"time":"${new Date(now - 10_000 + i).toISOString()}","level":"info","msg":"caf\\u00e9 ${i}","route":"/api/items","ms":${i % 300}}\n`;
  writeFileSync(join(dir, "http.ndjson"), text);
  const q = Array.from({ length: 200 }, (_, i) => `-w${i}x`).join(" ");
  let worstLateMs = 0, ticks = 0, stop = false;
  const ticking = (async () => {
    while (!stop) {
      const set = performance.now();
      await new Promise((resolve) => setTimeout(resolve, 1));
      worstLateMs = Math.max(worstLateMs, performance.now() - set - 1);
      ticks++;
    }
  })();
  const t0 = performance.now();
  const page = await new FileSearcher(dir).search(searchRequest({ q, limit: "5" }, now));
  const total = performance.now() - t0;
  stop = true;
  await ticking;
  expect(page.lines.length).toBe(5);
  expect({ total: total > 150, late: worstLateMs < total / 3 }).toEqual({ total: true, late: true });
  // two such searches side by side on one searcher, each pausing mid-block, answer as they do alone
  const searcher = new FileSearcher(dir);
  const requests = [searchRequest({ q, limit: "7" }, now), searchRequest({ q: `${q} ms:<10`, limit: "7" }, now)];
  const alone = [];
  for (const r of requests) alone.push(await searcher.search(r));
  const together = await Promise.all(requests.map((r) => searcher.search(r)));
  expect(together.map((p) => p.lines)).toEqual(alone.map((p) => p.lines));
  expect(alone[1].lines.every((l) => JSON.parse(l).ms < 10)).toBe(true);
}, 60_000);

describe("a category named like another category's rotated file", () => {
  // category "http.2099-01-01T00-00-00-000Z" was written to http.2099-01-01T00-00-00-000Z.ndjson:
  // the name of a file rotated from http.ndjson in 2099, so an ingest token could hide another
  // category's records from search and make its retention delete them
  const stamp = (d: number) => `2099-01-0${d}T00-00-00-000Z`;
  const post = (s: Server, lines: string[]) =>
    fetch(`${s.url}/ingest`, { method: "POST", headers: { ...auth(INGEST), "content-type": "application/x-ndjson" }, body: lines.join("\n") + "\n" });

  test("its file name is not one a rotation of another category can have", () => {
    const isHttpRotation = rotatedTime({ dir: ".", stem: "http", ext: ".ndjson" });
    for (const category of [`http.${stamp(1)}`, `http.${stamp(1)}.ndjson`, `http.x.${stamp(2)}`]) {
      expect(isHttpRotation(`${categoryFileName(category)}.ndjson`)).toBeUndefined();
    }
    // names that merely hold a date are kept as they are
    expect(categoryFileName("http.2099-01-01")).toBe("http.2099-01-01");
  });

  test("the histogram of the last hour still counts the category it mimics", async () => {
    const s = await collector();
    const t = new Date(Date.now() - 60_000).toISOString();
    expect((await post(s, [JSON.stringify({ time: t, level: "info", category: "http", msg: "real" }), JSON.stringify({ time: t, level: "info", category: `http.${stamp(1)}`, msg: "decoy" })])).status).toBe(200);
    const h = await (await get(s, "/api/histogram")).json();
    expect(h.buckets.reduce((n: number, b: { count: number }) => n + b.count, 0)).toBe(2);
  });

  test("the retention of the category it mimics keeps that category's own rotated files", async () => {
    const dir = mkdtempSync(join(tmpdir(), "sluice-read-attacks-rot-"));
    const s = await serve({ port: 0, dir, handleSignals: false, rotate: { maxBytes: 2000, maxFiles: 2 }, tokens: [{ name: "edge", token: INGEST }] });
    open.push(s);
    const line = (i: number, category: string) => JSON.stringify({ level: "info", category, msg: `m${i}`, pad: "x".repeat(900) });
    // decoys first: three "rotations" of http from 2099, the newest it could have
    for (let d = 1; d <= 3; d++) expect((await post(s, [line(d, `http.${stamp(d)}`)])).status).toBe(200);
    // then http itself, rotating (about every 2 records) with at most 2 rotated files kept
    for (let i = 0; i < 8; i++) expect((await post(s, [line(i, "http")])).status).toBe(200);
    const rotatedHttp = () => readdirSync(dir).filter((n) => rotatedTime({ dir, stem: "http", ext: ".ndjson" })(n) !== undefined && !n.includes("2099"));
    for (let i = 0; i < 100 && rotatedHttp().length !== 2; i++) await Bun.sleep(20);
    expect(rotatedHttp().length).toBe(2);
    // and the decoys' own records are where their category's file is
    const decoys = readdirSync(dir).filter((n) => n.includes("2099"));
    expect(decoys.length).toBe(3);
  });
});

test("a page holds at most maxPageBytes of records (at least one): pages of large records neither skip nor repeat any", async () => {
  // a page of limit=10,000 records of 1 MiB (what ingest takes by default) held ~10 GB in the
  // collector; now a page stops at maxPageBytes (32 MiB by default) and the cursor goes on
  const dir = mkdtempSync(join(tmpdir(), "sluice-read-attacks-page-"));
  const now = Date.now();
  let text = "";
  // 60 records of ~1 KB, 20 of them sharing one millisecond
  for (let i = 0; i < 60; i++) text += JSON.stringify({ time: new Date(now - 10_000 + (i < 20 ? 0 : i)).toISOString(), level: "info", msg: `r${i}`, pad: "x".repeat(1000 + i) }) + "\n";
  writeFileSync(join(dir, "big.ndjson"), text);
  const searcher = new FileSearcher(dir, { maxPageBytes: 8_000 });
  const seen: string[] = [];
  let cursor: string | undefined;
  for (let pages = 0; pages < 100; pages++) {
    const page = await searcher.search(searchRequest({ limit: "10000", cursor }, now));
    expect(page.lines.length).toBeGreaterThan(0);
    expect(page.lines.reduce((n, l) => n + l.length, 0)).toBeLessThanOrEqual(8_000);
    seen.push(...page.lines.map((l) => JSON.parse(l).msg));
    cursor = page.cursor;
    if (cursor === undefined) break;
  }
  expect(seen.length).toBe(60);
  expect(new Set(seen).size).toBe(60);
  // a record larger than the bound is still a page of its own
  const one = await new FileSearcher(dir, { maxPageBytes: 10 }).search(searchRequest({ limit: "5" }, now));
  expect(one.lines.length).toBe(1);
  expect(one.cursor).toBeDefined();
});

test("pages bounded by bytes and by count together: a seeded fuzz pages through every record exactly once", () => {
  let seed = 7;
  const rand = (n: number) => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) % n);
  for (let round = 0; round < 200; round++) {
    const records = Array.from({ length: rand(60) }, (_, i) => ({ t: rand(5), line: `r${i}:${"x".repeat(rand(300))}` }));
    const limit = 1 + rand(10), maxBytes = 1 + rand(1500);
    const seen: string[] = [];
    let cursor: string | undefined;
    for (let page = 0; page <= records.length; page++) {
      const top = new TopRecords(limit, cursor === undefined ? undefined : decodeCursor(cursor), maxBytes);
      for (const r of records) if (top.admits(r.t)) top.offer(r.t, r.line);
      const p = top.page();
      expect(p.lines.length).toBeLessThanOrEqual(limit);
      if (p.lines.length > 1) expect(p.lines.reduce((n, l) => n + l.length, 0)).toBeLessThanOrEqual(maxBytes);
      seen.push(...p.lines);
      cursor = p.cursor;
      if (cursor === undefined) break;
    }
    expect({ round, n: seen.length, unique: new Set(seen).size }).toEqual({ round, n: records.length, unique: records.length });
  }
});

test("a line in sluice's form with a carriage return between its members is stored and tailed without it (one record, one SSE event)", async () => {
  // the rest of a line in sluice's form was kept as sent, "\r" included: on disk mid-line, and
  // in /api/tail's data line, where an SSE client ends the line at "\r" (the console and
  // tail --remote got '{"time":…,"msg":"x",' and lost the rest)
  const dir = mkdtempSync(join(tmpdir(), "sluice-read-attacks-cr-"));
  const s = await collector(dir);
  const res = await fetch(`${s.url}/api/tail`, { headers: auth(READ) });
  const sse = new SseReader(res.body!);
  expect((await sse.next()).comment).toBe("connected");
  const time = new Date(Date.now() - 1000).toISOString();
  const lines = [`{"time":"${time}","level":"info","msg":"x",\r"a":1}`, `{"time":"${time}","level":"info","msg":"y","b":2\r}`, `{"time":"${time}","level":"info","msg":"z",\n"c":3}`];
  const posted = await fetch(`${s.url}/ingest`, { method: "POST", headers: { ...auth(INGEST), "content-type": "application/x-ndjson" }, body: lines.join("\n") + "\n" });
  expect((await posted.json()).accepted).toBe(2);
  const events = await sse.records(2);
  // an SSE line ends at "\r" as at "\n" (this test reader splits at "\n" only)
  expect(events.map((e) => e.data.includes("\r"))).toEqual([false, false]);
  expect(events.map((e) => JSON.parse(e.data))).toEqual([
    { time, level: "info", msg: "x", a: 1, producer: "edge" },
    { time, level: "info", msg: "y", b: 2, producer: "edge" },
  ]);
  await sse.cancel();
  const stored = readFileSync(join(dir, "default.ndjson"), "utf8");
  expect(stored.includes("\r")).toBe(false);
  expect(stored.split("\n").filter(Boolean).map((l) => JSON.parse(l).msg)).toEqual(["x", "y"]);
});

test("a damaged idempotency journal does not keep the collector from starting; its sound lines still count", async () => {
  // a bad %-escape in a K line was a URIError at start, a W line's part that is not
  // file/offset/bytes a RangeError (truncate(NaN)): the collector would not start at all
  const dir = mkdtempSync(join(tmpdir(), "sluice-read-attacks-journal-"));
  const send = (s: Server, key: string) =>
    fetch(`${s.url}/ingest`, { method: "POST", headers: { ...auth(INGEST), "content-type": "application/x-ndjson", "idempotency-key": key }, body: '{"msg":"once"}\n' });
  let s = await collector(dir);
  expect((await send(s, "kept-key")).status).toBe(200);
  await s.close();
  open.splice(open.indexOf(s), 1);
  const journal = join(dir, ".sluice", "idempotency-keys");
  const later = Date.now() + 3_600_000;
  appendFileSync(journal, `K ${later} %E0%A4%A 0123\nK x y\nW ${later} %ZZ abc default/0/5\nW ${later} edge abc default/x/y ../../etc/0/1\n`);
  s = await collector(dir);
  const again = await send(s, "kept-key");
  expect(again.status).toBe(200);
  expect((await again.json()).duplicate).toBe(true);
  expect((await send(s, "new-key")).status).toBe(200);
  expect(readFileSync(join(dir, "default.ndjson"), "utf8").split("\n").filter(Boolean).length).toBe(2);
});
