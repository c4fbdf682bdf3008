// What one ingest token can do to other categories and to the collector's state: a category
// named like another's rotated file (its retention and search), a line in sluice's form with a
// "\r" (the tail's SSE framing), and a damaged idempotency journal at start; and a GET whose
// answer takes longer than the idle bound (Bun).
import { afterEach, describe, expect, test } from "bun:test";
import { appendFileSync, mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Server } from "../server.ts";
import { categoryFileName } from "../lib/files/category_name.ts";
import { rotatedTime } from "../lib/files/rotation_names.ts";
import { auth, closeCollectors, get, open, post, READ, readCollector } from "./helpers/read_collector.ts";
import { SseReader } from "./helpers/sse.ts";
import type { RecordSearcher } from "../collector/search/searcher.ts";

afterEach(closeCollectors);
const collector = (dir?: string) => readCollector("sluice-ingest-attacks-", dir === undefined ? {} : { dir });

describe("a category named like another category's rotated file", () => {
  // category "http.2099-01-01T00-00-00-000Z" was written to http.2099-01-01T00-00-00-000Z.ndjson:
  // the name of a file rotated from http.ndjson in 2099, so an ingest token could hide another
  // category's records from search and make its retention delete them
  const stamp = (d: number) => `2099-01-0${d}T00-00-00-000Z`;

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
    const dir = mkdtempSync(join(tmpdir(), "sluice-ingest-attacks-rot-"));
    const s = await readCollector("", { dir, rotate: { maxBytes: 2000, maxFiles: 2 } });
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

test("a line in sluice's form with a carriage return between its members is stored and tailed without it (one record, one SSE event)", async () => {
  // the rest of a line in sluice's form was kept as sent, "\r" included: on disk mid-line, and
  // in /api/tail's data line, where an SSE client ends the line at "\r" (the console and
  // tail --remote got '{"time":…,"msg":"x",' and lost the rest)
  const dir = mkdtempSync(join(tmpdir(), "sluice-ingest-attacks-cr-"));
  const s = await collector(dir);
  const res = await fetch(`${s.url}/api/tail`, { headers: auth(READ) });
  const sse = new SseReader(res.body!);
  expect((await sse.next()).comment).toBe("connected");
  const time = new Date(Date.now() - 1000).toISOString();
  const lines = [`{"time":"${time}","level":"info","msg":"x",\r"a":1}`, `{"time":"${time}","level":"info","msg":"y","b":2\r}`, `{"time":"${time}","level":"info","msg":"z",\n"c":3}`];
  const posted = await post(s, lines);
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
  const dir = mkdtempSync(join(tmpdir(), "sluice-ingest-attacks-journal-"));
  const send = (s: Server, key: string) => post(s, ['{"msg":"once"}'], { "idempotency-key": key });
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

test("a search that takes longer than the idle bound is answered, not cut (Bun's idleTimeout is the header timeout)", async () => {
  // the idle bound (--header-timeout, 5 s) closed the connection of a GET whose answer took
  // longer to compute: a search over gigabytes was a connection reset, never an answer
  const slow: RecordSearcher = {
    search: () => new Promise((resolve) => setTimeout(() => resolve({ lines: ['{"msg":"late"}'], cursor: undefined }), 5000)),
    histogram: () => Promise.reject(new Error("not used")),
  };
  const s = await readCollector("sluice-ingest-attacks-slow-", { headerTimeoutMs: 1000, searcher: slow });
  const res = await get(s, "/api/search");
  expect(res.status).toBe(200);
  expect(await res.text()).toBe('{"msg":"late"}\n');
}, 20_000);
