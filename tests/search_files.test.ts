// Search and histograms over the collector's files: live, rotated and gzipped files newest
// first; .sluice/ state, temporary files and files outside the range by name and mtime never
// read; pages through a cursor that neither skips nor repeats records sharing a millisecond
// (lines out of order on disk, identical lines); bad lines, long lines, a corrupt gzip; and the
// memory of a child scanning a file far larger than its buffer (VmHWM).
import { describe, expect, test } from "bun:test";
import { appendFileSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { spawnSync } from "node:child_process";
import { FileSearcher } from "../collector/search/file_searcher.ts";
import { histogramRequest, MAX_SEARCH_LIMIT, SearchInputError, searchRequest } from "../collector/search/search_input.ts";
import type { SearchArgs } from "../collector/search/search_input.ts";
import { QueryError } from "../lib/query/query_error.ts";

const T0 = Date.parse("2026-12-06T10:00:00.000Z");
const NOW = T0 + 3_600_000;
const iso = (ms: number) => new Date(ms).toISOString();
const line = (ms: number, level: string, msg: string, extra: Record<string, unknown> = {}) =>
  JSON.stringify({ time: iso(ms), level, category: "http", msg, ...extra });
const ndjson = (lines: string[]) => lines.join("\n") + "\n";
const stamp = (ms: number) => iso(ms).replace(/[:.]/g, "-");

function dir(): string {
  return mkdtempSync(join(tmpdir(), "sluice-search-"));
}
function put(d: string, name: string, body: string | Uint8Array, mtime?: number): void {
  writeFileSync(join(d, name), body);
  if (mtime !== undefined) utimesSync(join(d, name), mtime / 1000, mtime / 1000);
}
async function all(s: FileSearcher, args: SearchArgs, now = NOW): Promise<string[]> {
  const out: string[] = [];
  let cursor: string | undefined;
  for (let pages = 0; pages < 1000; pages++) {
    const page = await s.search(searchRequest({ ...args, cursor }, now));
    out.push(...page.lines);
    if ((cursor = page.cursor) === undefined) return out;
    expect(page.lines.length).toBe(Number(args.limit ?? 100));
  }
  throw new Error("no end of pages");
}
const msgs = (lines: string[]) => lines.map((l) => JSON.parse(l).msg);

describe("which files are read", () => {
  test("live, rotated and gzipped files, newest first; never .sluice/, temporary files, or a rotated file twice while it is compressed", async () => {
    const d = dir();
    const r1 = T0 + 600_000, r2 = T0 + 1_200_000, r3 = T0 + 1_800_000;
    put(d, `http.${stamp(r1)}.ndjson.gz`, gzipSync(ndjson([line(T0 + 1, "info", "gz-1 needle"), line(T0 + 2, "warn", "gz-2 needle")])));
    put(d, `http.${stamp(r2)}.ndjson`, ndjson([line(r1 + 1, "info", "rot-1 needle")]));
    // being compressed: both names exist for a moment; the .gz.tmp is half written
    put(d, `http.${stamp(r3)}.ndjson`, ndjson([line(r2 + 1, "info", "rot-2 needle")]));
    put(d, `http.${stamp(r3)}.ndjson.gz`, gzipSync(ndjson([line(r2 + 1, "info", "rot-2 needle")])));
    put(d, `http.${stamp(r3)}.ndjson.gz.tmp`, ndjson([line(r2 + 5, "info", "tmp needle")]));
    put(d, "http.ndjson", ndjson([line(r3 + 1, "error", "live-1 needle"), line(r3 + 2, "info", "live-2 needle")]));
    put(d, "db.ndjson", ndjson([line(r3 + 3, "info", "db needle")]));
    put(d, "notes.txt", ndjson([line(r3 + 4, "info", "txt needle")]));
    mkdirSync(join(d, ".sluice"));
    put(join(d, ".sluice"), "idempotency-keys", ndjson([line(r3 + 5, "info", "state needle")]));
    put(d, ".hidden.ndjson", ndjson([line(r3 + 6, "info", "hidden needle")]));
    const s = new FileSearcher(d);
    expect(msgs(await all(s, { q: "needle" }))).toEqual(["db needle", "live-2 needle", "live-1 needle", "rot-2 needle", "rot-1 needle", "gz-2 needle", "gz-1 needle"]);
    expect(msgs(await all(s, { q: "level:>=warn" }))).toEqual(["live-1 needle", "gz-2 needle"]);
  });

  test("files whose names and mtimes put them outside the range are not read", async () => {
    const d = dir();
    const day = 86_400_000;
    // an old rotated file (by name) and an old live file (by mtime), each holding a record
    // whose time lies in the range: not read, so not found
    put(d, `a.${stamp(NOW - 3 * day)}.ndjson`, ndjson([line(NOW - 70_000, "info", "old rotated")]));
    put(d, "b.ndjson", ndjson([line(NOW - 80_000, "info", "old live")]), NOW - 2 * day);
    // a file begun (after the previous rotation) long after the range's end
    put(d, `c.${stamp(NOW - 2 * day)}.ndjson`, ndjson([line(NOW - 2 * day - 1, "info", "c-old")]));
    put(d, `c.${stamp(NOW)}.ndjson`, ndjson([line(NOW - 5 * day, "info", "c-new-but-early")]));
    put(d, "fresh.ndjson", ndjson([line(NOW - 60_000, "info", "fresh")]), NOW);
    const s = new FileSearcher(d);
    const page = await s.search(searchRequest({ from: "1h" }, NOW));
    expect(msgs(page.lines)).toEqual(["fresh"]);
    expect(page.scanned?.files).toBe(2); // fresh.ndjson and c.<NOW> (begun within the range)
    const early = await s.search(searchRequest({ from: iso(NOW - 6 * day), to: iso(NOW - 4 * day) }, NOW));
    expect(early.scanned?.files).toBeLessThan(5);
    // without a range every file is read
    expect(msgs(await all(s, {}))).toEqual(["fresh", "old rotated", "old live", "c-old", "c-new-but-early"]);
  });
});

describe("files that rotate during a search", () => {
  test("a live file rotated and a rotated file gzipped after the listing: each record found once", async () => {
    const d = dir();
    const min = 60_000;
    put(d, "a.ndjson", ndjson([line(NOW - 1000, "info", "a needle")]), NOW);
    put(d, "http.ndjson", ndjson([line(NOW - 11 * min, "info", "before-rotation needle")]), NOW - 10 * min);
    const rotated = `r.${stamp(NOW - 20 * min)}.ndjson`;
    put(d, rotated, ndjson([line(NOW - 21 * min, "info", "compressed needle")]));
    let moved = false;
    const rotate = () => {
      if (moved) return;
      moved = true;
      renameSync(join(d, "http.ndjson"), join(d, `http.${stamp(NOW - 5 * min)}.ndjson`));
      put(d, "http.ndjson", ndjson([line(NOW - 4 * min, "info", "after-rotation needle")]), NOW - 4 * min);
      writeFileSync(join(d, rotated + ".gz"), gzipSync(readFileSync(join(d, rotated))));
      rmSync(join(d, rotated));
    };
    const s = new FileSearcher(d);
    const page = await s.search({ ...searchRequest({ q: "needle" }, NOW), onProgress: rotate });
    expect(moved).toBe(true);
    expect(msgs(page.lines)).toEqual(["a needle", "after-rotation needle", "before-rotation needle", "compressed needle"]);
    // a rotated file read plain, then gzipped before the search ends: its .gz is not read again
    const e = dir();
    const plain = `p.${stamp(NOW - min)}.ndjson`;
    put(e, plain, ndjson([line(NOW - 2 * min, "info", "plain needle")]));
    put(e, "b.ndjson", ndjson([line(NOW - 31 * min, "info", "b needle")]), NOW - 30 * min);
    let calls = 0;
    const compress = () => {
      if (++calls !== 2) return; // while b.ndjson is read
      writeFileSync(join(e, plain + ".gz"), gzipSync(readFileSync(join(e, plain))));
      rmSync(join(e, plain));
    };
    const twice = await new FileSearcher(e).search({ ...searchRequest({ q: "needle" }, NOW), onProgress: compress });
    expect(calls).toBe(2);
    expect(msgs(twice.lines)).toEqual(["plain needle", "b needle"]);
    // and with nothing moving, the second look reads nothing again
    expect(msgs((await s.search(searchRequest({ q: "needle" }, NOW))).lines)).toEqual(["a needle", "after-rotation needle", "before-rotation needle", "compressed needle"]);
  });
});

describe("pages", () => {
  test("records sharing a millisecond, out of order on disk and identical, are neither skipped nor repeated across pages", async () => {
    const d = dir();
    const lines: string[] = [];
    for (let i = 0; i < 60; i++) lines.push(line(T0 + (i % 4) * 1000, "info", `r${i % 40}`, { i: i % 40 })); // 20 identical pairs
    for (let i = lines.length - 1; i > 0; i--) {
      const j = (i * 7919) % (i + 1);
      [lines[i], lines[j]] = [lines[j], lines[i]];
    }
    put(d, "x.ndjson", ndjson(lines.slice(0, 30)));
    put(d, "y.ndjson", ndjson(lines.slice(30)));
    const s = new FileSearcher(d);
    const expected = [...lines].sort((a, b) => Date.parse(JSON.parse(b).time) - Date.parse(JSON.parse(a).time) || (a < b ? -1 : a > b ? 1 : 0));
    for (const limit of [1, 3, 7, 16, 59, 60, 61]) {
      const got = await all(s, { limit: String(limit) });
      expect(got.length).toBe(60);
      expect([...got].sort()).toEqual([...lines].sort());
      // newest first
      const times = got.map((l) => Date.parse(JSON.parse(l).time));
      expect(times).toEqual([...times].sort((a, b) => b - a));
      expect(got.map((l) => JSON.parse(l).time)).toEqual(expected.map((l) => JSON.parse(l).time));
    }
    const filtered = await all(s, { q: "i:<10", limit: "4" });
    expect(filtered.length).toBe(20);
  });

  test("limit up to 10,000 a page; a cursor not from a search is a SearchInputError", async () => {
    const d = dir();
    put(d, "x.ndjson", ndjson(Array.from({ length: 12_000 }, (_, i) => line(T0 + i, "info", `m${i}`))));
    const s = new FileSearcher(d);
    const page = await s.search(searchRequest({ limit: String(MAX_SEARCH_LIMIT) }, NOW));
    expect(page.lines.length).toBe(10_000);
    expect(JSON.parse(page.lines[0]).msg).toBe("m11999");
    const rest = await s.search(searchRequest({ limit: String(MAX_SEARCH_LIMIT), cursor: page.cursor }, NOW));
    expect(rest.lines.length).toBe(2000);
    expect(rest.cursor).toBeUndefined();
    expect(JSON.parse(rest.lines[1999]).msg).toBe("m0");
    for (const cursor of ["x", "1.2", "zzzzzzzzzzzzz.1.1", "1.zzzzzzzz.1"]) await expect(s.search(searchRequest({ cursor }, NOW))).rejects.toThrow(SearchInputError);
  });
});

describe("arguments", () => {
  test("times ISO 8601 or ago; limits and buckets in bounds; a bad query is a QueryError", () => {
    expect(searchRequest({ from: "55m", to: "2026-12-06T10:30:00Z" }, NOW)).toMatchObject({ from: NOW - 3_300_000, to: T0 + 1_800_000 });
    expect(searchRequest({ from: "2026-12-06", to: "2026-12-06T11:00" }, NOW)).toMatchObject({ from: Date.parse("2026-12-06T00:00:00Z"), to: NOW });
    expect(searchRequest({ from: "2026-12-06T12:00:00+02:00" }, NOW).from).toBe(T0);
    expect(searchRequest({ from: "7d" }, NOW).from).toBe(NOW - 7 * 86_400_000);
    for (const bad of [{ from: "yesterday" }, { to: "12" }, { from: "1h", to: "2h" }, { limit: "0" }, { limit: "10001" }, { limit: "1.5" }, { from: "2026-13-45" }]) {
      expect(() => searchRequest(bad, NOW)).toThrow(SearchInputError);
    }
    expect(() => histogramRequest({ buckets: "1001" }, NOW)).toThrow(SearchInputError);
    expect(() => searchRequest({ q: "(a" }, NOW)).toThrow(QueryError);
  });
});

describe("lines that are not records", () => {
  test("not JSON, too long, a corrupt gzip: skipped and counted, the rest found", async () => {
    const d = dir();
    const long = line(T0 + 5, "info", "long needle", { pad: "x".repeat(300_000) });
    put(d, "x.ndjson", [line(T0 + 1, "info", "a needle"), "not json needle", '["needle"]', long, line(T0 + 9, "info", "b needle"), line(T0 + 10, "info", "last needle no newline")].join("\n"));
    const gz = gzipSync(ndjson([line(T0 + 3, "info", "gz needle")]));
    put(d, `y.${stamp(T0 + 1000)}.ndjson.gz`, gz.subarray(0, gz.length >> 1));
    const s = new FileSearcher(d, { blockBytes: 64 << 10, maxLineBytes: 128 << 10 });
    const page = await s.search(searchRequest({ q: "needle" }, NOW));
    expect(msgs(page.lines)).toEqual(["last needle no newline", "b needle", "a needle"]);
    expect(page.scanned?.badLines).toBe(3); // not JSON, not an object, too long
    expect(page.scanned?.problems.length).toBe(1);
    expect(page.scanned?.problems[0]).toStartWith(`y.${stamp(T0 + 1000)}.ndjson.gz: `);
    // a last line without its newline is still being written: only a whole record counts
    put(d, "z.ndjson", line(T0 + 20, "info", "whole needle") + "\n" + line(T0 + 21, "info", "half needle").slice(0, -5));
    expect(msgs((await s.search(searchRequest({ q: "needle", limit: "2" }, NOW))).lines)).toEqual(["whole needle", "last needle no newline"]);
    expect((await s.search(searchRequest({ from: iso(T0 + 20), limit: "5" }, NOW))).lines.map((l) => JSON.parse(l).msg)).toEqual(["whole needle"]);
    // a line longer than one block but within the bound is read whole
    const wide = new FileSearcher(d, { blockBytes: 64 << 10, maxLineBytes: 1 << 20 });
    expect(msgs((await wide.search(searchRequest({ q: "long" }, NOW))).lines)).toEqual(["long needle"]);
  });
});

describe("histogram", () => {
  test("counts by bucket and level, the query applied, records outside the range left out", async () => {
    const d = dir();
    const lines = [
      line(T0 - 1, "error", "before"),
      line(T0, "info", "a"),
      line(T0 + 59_999, "warn", "b"),
      line(T0 + 60_000, "error", "c"),
      JSON.stringify({ level: 40, time: iso(T0 + 61_000), msg: "pino-style" }),
      line(T0 + 120_000, "info", "after"),
    ];
    put(d, "x.ndjson", ndjson(lines));
    const s = new FileSearcher(d);
    const h = await s.histogram(histogramRequest({ from: iso(T0), to: iso(T0 + 120_000), buckets: "2" }, NOW));
    expect(h).toEqual({
      from: iso(T0),
      to: iso(T0 + 120_000),
      stepMs: 60_000,
      buckets: [
        { t: iso(T0), count: 2, levels: { info: 1, warn: 1 } },
        { t: iso(T0 + 60_000), count: 2, levels: { error: 1, warn: 1 } },
      ],
    });
    const warn = await s.histogram(histogramRequest({ q: "level:>=warn -pino", from: iso(T0), to: iso(T0 + 120_000), buckets: "2" }, NOW));
    expect(warn.buckets.map((b) => b.count)).toEqual([1, 1]);
  });
});

test("memory: a child scanning a 512 MB file holds far less than the file, a field query included (VmHWM)", () => {
  const d = dir(), empty = dir();
  const chunk = ndjson(Array.from({ length: 4000 }, (_, i) => line(T0 + i, "info", "request done", { ms: i % 1000, pad: "p".repeat(150) })));
  const piece = chunk.repeat(Math.ceil((64 << 20) / chunk.length));
  for (let i = 0; i < 8; i++) appendFileSync(join(d, "big.ndjson"), piece);
  appendFileSync(join(d, "big.ndjson"), line(NOW, "warn", "zebrafish") + "\n");
  const run = (where: string, q: string, blockBytes = 1 << 20) => {
    const script = `
      import { FileSearcher } from ${JSON.stringify(join(import.meta.dir, "../collector/search/file_searcher.ts"))};
      import { searchRequest } from ${JSON.stringify(join(import.meta.dir, "../collector/search/search_input.ts"))};
      const s = new FileSearcher(${JSON.stringify(where)}, { blockBytes: ${blockBytes} });
      const page = await s.search(searchRequest({ q: ${JSON.stringify(q)}, limit: "1000" }, Date.now()));
      const hwm = Number(/VmHWM:\\s+(\\d+)/.exec(await Bun.file("/proc/self/status").text())[1]) * 1024;
      console.log(JSON.stringify({ lines: page.lines.length, bytes: page.scanned.bytes, hwm }));
    `;
    const r = spawnSync(process.execPath, ["-e", script], { encoding: "utf8", timeout: 60_000 });
    if (r.status !== 0) throw new Error(r.stderr);
    return JSON.parse(r.stdout) as { lines: number; bytes: number; hwm: number };
  };
  const base = run(empty, "zebrafish");
  // a rare word: only its line is decoded and parsed
  const rare = run(d, "zebrafish");
  expect(rare.lines).toBe(1);
  expect(rare.bytes).toBeGreaterThan(512 << 20);
  expect(rare.hwm - base.hwm).toBeLessThan(rare.bytes / 4);
  // every line's text looked at, 1,000 kept, through the default 4 MiB buffer: the per-line
  // strings are garbage that Bun's collector does not count (before the scan asked for a
  // collection between blocks, 73 MB over the idle process here and 260 MB over 1 GB)
  const heavy = run(d, "ms:>=990", 4 << 20);
  expect(heavy.lines).toBe(1000);
  expect(heavy.hwm - base.hwm).toBeLessThan(48 << 20);
}, 60_000);
