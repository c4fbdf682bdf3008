// GET /api/search and /api/histogram on a real collector: read tokens only, NDJSON of the stored
// lines newest first with Sluice-Cursor pages, 400s with position and expected, the histogram's
// shape, and the bound on searches at once (a read token filling it gets 503, ingest goes on).
import { afterEach, expect, test } from "bun:test";
import type { ServeOptions, Server } from "../server.ts";
import type { RecordSearcher } from "../collector/search/searcher.ts";
import { auth, closeCollectors, INGEST, post, READ, readCollector } from "./helpers/read_collector.ts";

afterEach(closeCollectors);
const collector = (extra: Partial<ServeOptions> = {}): Promise<Server> => readCollector("sluice-search-api-", extra);
const get = (s: Server, path: string, token = READ) => fetch(s.url + path, { headers: auth(token) });
const now = Date.now();
const at = (i: number) => new Date(now - 60_000 + i).toISOString();

test("search: NDJSON of the stored lines, newest first, pages by Sluice-Cursor; an ingest token gets 403", async () => {
  const s = await collector();
  const lines = Array.from({ length: 25 }, (_, i) => JSON.stringify({ time: at(i >> 2), level: i % 5 === 0 ? "error" : "info", msg: `m${i}`, n: i }));
  expect((await post(s, lines)).status).toBe(200);
  expect((await get(s, "/api/search?q=m1", INGEST)).status).toBe(403);
  expect((await fetch(`${s.url}/api/search`)).status).toBe(401);

  const seen: string[] = [];
  let cursor: string | null = null;
  for (let page = 0; page < 10; page++) {
    const res: Response = await get(s, `/api/search?from=5m&limit=4${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toStartWith("application/x-ndjson");
    const body = await res.text();
    seen.push(...body.split("\n").filter(Boolean));
    cursor = res.headers.get("sluice-cursor");
    if (cursor === null) break;
  }
  expect(seen.length).toBe(25);
  expect(new Set(seen.map((l) => JSON.parse(l).n)).size).toBe(25);
  const times = seen.map((l) => Date.parse(JSON.parse(l).time));
  expect(times).toEqual([...times].sort((a, b) => b - a));
  // each line as the collector stored it (with its producer)
  expect(JSON.parse(seen[0]).producer).toBe("edge");

  const errors = await (await get(s, `/api/search?q=${encodeURIComponent("level:>=error n:<10")}`)).text();
  expect(errors.split("\n").filter(Boolean).map((l) => JSON.parse(l).n)).toEqual([5, 0]);
  const none = await get(s, "/api/search?q=nothing-like-this");
  expect(none.headers.get("sluice-cursor")).toBeNull();
  expect(await none.text()).toBe("");
});

test("bad input is a 400 saying what is wrong: the query with position and expected, times, limit, cursor", async () => {
  const s = await collector();
  const res = await get(s, `/api/search?q=${encodeURIComponent("level:>=warn (route:/api*")}`);
  expect(res.status).toBe(400);
  expect(await res.json()).toEqual({ error: 'the query does not parse: at 25: expected ")"', position: 25, expected: '")"' });
  const h = await get(s, `/api/histogram?q=${encodeURIComponent("ms:>fast")}`);
  expect(h.status).toBe(400);
  expect(await h.json()).toMatchObject({ position: 4, expected: "a number" });
  for (const q of ["from=yesterday", "to=soon", "limit=0", "limit=20000", "cursor=nope", "from=1h&to=2h"]) {
    const r = await get(s, `/api/search?${q}`);
    expect({ q, status: r.status }).toEqual({ q, status: 400 });
    expect((await r.json()).error).toBeString();
  }
  expect((await get(s, "/api/histogram?buckets=5000")).status).toBe(400);
});

test("histogram: from, to, stepMs and buckets counted by level", async () => {
  const s = await collector();
  const base = Math.floor(now / 60_000) * 60_000 - 120_000;
  const lines = [
    JSON.stringify({ time: new Date(base + 1000).toISOString(), level: "info", msg: "a" }),
    JSON.stringify({ time: new Date(base + 2000).toISOString(), level: "warn", msg: "b" }),
    JSON.stringify({ time: new Date(base + 61_000).toISOString(), level: "error", msg: "c" }),
  ];
  expect((await post(s, lines)).status).toBe(200);
  const from = new Date(base).toISOString(), to = new Date(base + 120_000).toISOString();
  const res = await get(s, `/api/histogram?from=${from}&to=${to}&buckets=2`);
  expect(res.status).toBe(200);
  expect(await res.json()).toEqual({
    from,
    to,
    stepMs: 60_000,
    buckets: [
      { t: from, count: 2, levels: { info: 1, warn: 1 } },
      { t: new Date(base + 60_000).toISOString(), count: 1, levels: { error: 1 } },
    ],
  });
  const warn = await (await get(s, `/api/histogram?q=level:>=warn&from=${from}&to=${to}&buckets=2`)).json();
  expect(warn.buckets.map((b: { count: number }) => b.count)).toEqual([1, 1]);
  // the default: the last hour in 60 buckets
  const last = await (await get(s, "/api/histogram")).json();
  expect(last.buckets.length).toBe(60);
  expect(last.stepMs).toBe(60_000);
});

/** A searcher whose searches wait until `release()`; `started()` counts those begun. */
function heldSearcher(): { slow: RecordSearcher; release: () => void; started: () => number } {
  let release!: () => void;
  const held = new Promise<void>((r) => (release = r));
  let started = 0;
  const slow: RecordSearcher = {
    async search() {
      started++;
      await held;
      return { lines: [], cursor: undefined };
    },
    histogram() {
      return Promise.reject(new Error("not used"));
    },
  };
  return { slow, release, started: () => started };
}

test("searches at once are bounded, and shared out by read token: one token past its share (half, at least two) gets 429, everyone past the bound 503, each with Retry-After and counted; ingest is not held", async () => {
  const { slow, release, started } = heldSearcher();
  const tokens = [{ name: "edge", token: INGEST }, { name: "ops", token: READ, role: "read" as const }, { name: "console", token: "console-token", role: "read" as const }, { name: "audit", token: "audit-token", role: "read" as const }];
  const s = await collector({ searcher: slow, maxConcurrentSearches: 4, tokens });
  const search = (token: string) => fetch(`${s.url}/api/search`, { headers: auth(token) });
  const first = [search(READ), search(READ)];
  for (let i = 0; i < 100 && started() < 2; i++) await Bun.sleep(10);
  // ops holds its share (two of four): its third search is its own limit, not everyone's
  const again = await search(READ);
  expect([again.status, again.headers.get("retry-after"), (await again.json()).error]).toEqual([429, "1", "this token runs 2 searches already, its share of 4 at once; retry when one ends"]);
  first.push(search("console-token"), search("console-token"));
  for (let i = 0; i < 100 && started() < 4; i++) await Bun.sleep(10);
  expect(started()).toBe(4);
  const fifth = await search("audit-token");
  expect([fifth.status, fifth.headers.get("retry-after")]).toEqual([503, "1"]);
  expect((await post(s, [JSON.stringify({ level: "info", msg: "still in" })])).status).toBe(200);
  const metrics = await (await fetch(`${s.url}/metrics`, { headers: auth(READ) })).text();
  expect(metrics).toContain('sluice_ingest_refused_total{bound="searches"} 2');
  release();
  for (const r of await Promise.all(first)) expect(r.status).toBe(200);
  expect((await search(READ)).status).toBe(200);
});

test("one reader (one read token, or anonymous readers) may use every search slot: no share keeps half of them for nobody", async () => {
  const { slow, release, started } = heldSearcher();
  const s = await collector({ searcher: slow, maxConcurrentSearches: 3 });
  const first = [0, 1, 2].map(() => fetch(`${s.url}/api/search`, { headers: auth(READ) }));
  for (let i = 0; i < 100 && started() < 3; i++) await Bun.sleep(10);
  expect(started()).toBe(3);
  expect((await fetch(`${s.url}/api/search`, { headers: auth(READ) })).status).toBe(503);
  release();
  for (const r of await Promise.all(first)) expect(r.status).toBe(200);
});
