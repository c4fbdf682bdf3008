// The write journal's recovery and appendAll's all-or-nothing, on files the test writes by hand:
// what a crash or a failed write can leave, and what the next start makes of it.
import { describe, expect, test } from "bun:test";
import { appendFileSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { IdempotencyStore, keyDigest, sequenceKey } from "../collector/dedup.ts";
import { appendAll } from "../lib/files/append_all.ts";
import { HandlePool } from "../lib/files/handle_pool.ts";
import { RotatingFile } from "../lib/files/rotating_file.ts";
import { detectRuntime, type Runtime } from "../mod.ts";

const runtime = detectRuntime();
const limits = { ttlMs: 60_000, maxPerToken: 100 };
const later = Date.now() + 60_000;
/** Key digests as the collector makes them (22 characters of base64url). */
const [h1, h2, old] = ["h1", "h2", "old"].map((h) => h.padEnd(22, "A"));

function setup(files: Record<string, string>, journal: string) {
  const dir = mkdtempSync(join(tmpdir(), "sluice-journal-"));
  for (const [k, text] of Object.entries(files)) writeFileSync(join(dir, `${k}.ndjson`), text);
  writeFileSync(join(dir, "journal"), journal);
  const open = () => new IdempotencyStore(join(dir, "journal"), runtime, limits, (k) => join(dir, `${k}.ndjson`));
  const read = (k: string) => readFileSync(join(dir, `${k}.ndjson`), "utf8");
  return { dir, open, read };
}

describe("journal recovery at start", () => {
  test("the last write's parts all on disk: its key counts", () => {
    const { open, read } = setup({ a: "A1\nA2\n", b: "B1\n" }, `W ${later} edge ${h1} a/0/3 b/0/3\nW ${later} edge ${h2} a/3/3\n`);
    const keys = open();
    expect(keys.has({ token: "edge", hash: h1 })).toBe(true);
    expect(keys.has({ token: "edge", hash: h2 })).toBe(true);
    expect(keys.undone).toEqual([]);
    expect(read("a")).toBe("A1\nA2\n");
  });

  test("the last write unfinished (a crash between parts, one part torn): the parts written are cut off and its key does not count", () => {
    // a/3/3 was written whole, b/3/4 only in part ("B2" of "B2x\n"), c/0/3 not at all
    const { open, read } = setup({ a: "A1\nA2\n", b: "B1\nB2", c: "" }, `W ${later} edge ${h1} a/0/3 b/0/3\nW ${later} edge ${h2} a/3/3 b/3/4 c/0/3\n`);
    const keys = open();
    expect(keys.has({ token: "edge", hash: h1 })).toBe(true);
    expect(keys.has({ token: "edge", hash: h2 })).toBe(false);
    expect(read("a")).toBe("A1\n");
    expect(read("b")).toBe("B1\n");
    expect(keys.undone.length).toBe(2);
  });

  test("a write marked undone (A) does not count; a torn journal line is ignored; expired keys are dropped", () => {
    const { open } = setup({ a: "A1\n" }, `K ${Date.now() - 1} edge ${old}\nW ${later} edge ${h1} a/0/3\nA\nW ${later} edge ${h2} a/0/3\nW ${later} ed`);
    const keys = open();
    expect(keys.has({ token: "edge", hash: h1 })).toBe(false);
    expect(keys.has({ token: "edge", hash: h2 })).toBe(true);
    expect(keys.has({ token: "edge", hash: old })).toBe(false);
    expect(keys.size).toBe(1);
  });

  test("a later write seen (a part's file rotated or truncated away, or grown past it) means the last write went through: nothing of it is cut, its key counts", () => {
    // a was rotated by the next write's start (a fresh file, smaller than where a/6/3 began), then
    // that write failed before its journal line: b's part, whole on disk, stays
    const rotated = setup({ a: "", b: "B1\nB2\n" }, `W ${later} edge ${h1} a/6/3 b/3/3\n`);
    const keys = rotated.open();
    expect([keys.has({ token: "edge", hash: h1 }), keys.undone, rotated.read("b")]).toEqual([true, [], "B1\nB2\n"]);
    // a grown past its part by a later write: b's part, short on disk, was not left short by this write
    const grown = setup({ a: "A1\nA2\nA3\n", b: "B1\nB2" }, `W ${later} edge ${h2} a/0/3 b/3/3\n`);
    expect([grown.open().has({ token: "edge", hash: h2 }), grown.read("b")]).toEqual([true, "B1\nB2"]);
  });

  test("a write refused before its journal line (its key, its directory) does not mark the write before it undone", () => {
    const dir = mkdtempSync(join(tmpdir(), "sluice-journal-abort-"));
    const journal = join(dir, "journal");
    const keys = new IdempotencyStore(journal, runtime, limits, (k) => join(dir, `${k}.ndjson`));
    writeFileSync(join(dir, "a.ndjson"), "A1\n");
    keys.journal([["a", 0, 3]], { token: "edge", hash: h1 });
    keys.commit({ token: "edge", hash: h1 });
    keys.abort(); // the next write failed before anything was journaled
    keys.journal([["a", 3, 3]], { token: "edge", hash: h2 });
    appendFileSync(join(dir, "a.ndjson"), "A2\n");
    keys.commit({ token: "edge", hash: h2 });
    keys.close();
    const again = new IdempotencyStore(journal, runtime, limits, (k) => join(dir, `${k}.ndjson`));
    expect([again.has({ token: "edge", hash: h1 }), again.has({ token: "edge", hash: h2 })]).toEqual([true, true]);
  });

  test("a journal line cut short by a full disk does not swallow the next one: the next write's key counts after a restart", () => {
    const dir = mkdtempSync(join(tmpdir(), "sluice-journal-torn-"));
    const journal = join(dir, "journal");
    let cutNext = false;
    const cutting: Runtime = {
      ...runtime,
      openFile(path) {
        const f = runtime.openFile!(path);
        return {
          ...f,
          write(text) {
            if (!cutNext) return f.write(text);
            cutNext = false;
            f.write(text.slice(0, 12)); // part of the line reached the disk
            throw Object.assign(new Error("ENOSPC: no space left on device"), { code: "ENOSPC" });
          },
        };
      },
    };
    const keys = new IdempotencyStore(journal, cutting, limits, (k) => join(dir, `${k}.ndjson`));
    writeFileSync(join(dir, "a.ndjson"), "A1\nA3\n");
    keys.journal([["a", 0, 3]], { token: "edge", hash: h1 });
    keys.commit({ token: "edge", hash: h1 });
    cutNext = true;
    expect(() => keys.journal([["a", 3, 3]], { token: "edge", hash: h2 })).toThrow("ENOSPC");
    keys.abort();
    keys.journal([["a", 3, 3]], { token: "edge", hash: old });
    keys.commit({ token: "edge", hash: old });
    keys.close();
    const again = new IdempotencyStore(journal, runtime, limits, (k) => join(dir, `${k}.ndjson`));
    expect([h1, h2, old].map((hash) => again.has({ token: "edge", hash }))).toEqual([true, false, true]);
  });

  test("keys are per token, and a digest is 22 characters whatever the key's size", async () => {
    const { open } = setup({}, "");
    const keys = open();
    const hash = await keyDigest("p".repeat(16_384), "k".repeat(200));
    expect(hash).toMatch(/^[A-Za-z0-9_-]{22}$/);
    keys.journal([["a", 0, 1]], { token: "one", hash });
    keys.commit({ token: "one", hash });
    expect(keys.has({ token: "one", hash })).toBe(true);
    expect(keys.has({ token: "two", hash })).toBe(false);
    keys.close();
  });
});

describe("keys that are not digests", () => {
  test("a journal an older sluice consume wrote (decimal sequences) is read as sequence keys; a key that is no digest is refused before anything is written", () => {
    const { dir, open, read } = setup({ a: "A1\n" }, `K ${later} stream-1 41\nW ${later} stream-1 42 a/0/3\n`);
    const keys = open();
    expect(keys.has({ token: "stream-1", hash: sequenceKey(41) })).toBe(true);
    expect(keys.has({ token: "stream-1", hash: sequenceKey(42) })).toBe(true);
    expect(keys.has({ token: "stream-1", hash: sequenceKey(43) })).toBe(false);
    expect(() => keys.journal([["a", 3, 3]], { token: "stream-1", hash: "43" })).toThrow(/must be a digest/);
    expect(read("a")).toBe("A1\n");
    keys.journal([["a", 3, 3]], { token: "stream-1", hash: sequenceKey(43) });
    appendFileSync(join(dir, "a.ndjson"), "A2\n"); // the write the entry covers
    keys.commit({ token: "stream-1", hash: sequenceKey(43) });
    keys.close();
    expect(open().has({ token: "stream-1", hash: sequenceKey(43) })).toBe(true);
  });
});

describe("appendAll", () => {
  /** A pool over files whose writes fail (ENOSPC after half) when their name is in `failing`. */
  function pool(failing: Set<string>) {
    const dir = mkdtempSync(join(tmpdir(), "sluice-append-"));
    const rt: Runtime = {
      ...runtime,
      fs: runtime.fs,
      openFile(path) {
        const f = runtime.openFile!(path);
        return {
          ...f,
          write(data) {
            if (![...failing].some((n) => path.endsWith(`/${n}`))) return f.write(data);
            f.write(data.slice(0, data.length >> 1));
            throw Object.assign(new Error("ENOSPC: no space left on device"), { code: "ENOSPC" });
          },
        };
      },
    };
    const p = new HandlePool(1, (k) => new RotatingFile(join(dir, k), {}, rt, () => {})); // one open file: parts are reopened to be cut
    return { p, read: (k: string) => readFileSync(join(dir, k), "utf8") };
  }
  const bytes = (s: string) => new TextEncoder().encode(s);

  test("a failing part: every part already written is cut back, and the journal saw where each would go", () => {
    const failing = new Set<string>();
    const { p, read } = pool(failing);
    appendAll(p, [["x", bytes("x1\n")], ["y", bytes("y1\n")]], () => {});
    failing.add("z");
    const seen: unknown[] = [];
    expect(() => appendAll(p, [["x", bytes("x2\n")], ["y", bytes("y2\n")], ["z", bytes("z2\n")]], (w) => seen.push(w))).toThrow(/ENOSPC/);
    expect(seen).toEqual([[["x", 3, 3], ["y", 3, 3], ["z", 0, 3]]]);
    expect([read("x"), read("y"), read("z")]).toEqual(["x1\n", "y1\n", ""]);
  });

  test("a journal that cannot be written: nothing is appended", () => {
    const { p, read } = pool(new Set());
    expect(() => appendAll(p, [["x", bytes("x1\n")]], () => { throw new Error("ENOSPC: journal"); })).toThrow(/journal/);
    expect(read("x")).toBe("");
  });
});

describe("RotatingFile after a failed write whose cut failed too", () => {
  test("the torn bytes are cut before the next write, even after the handle was closed and reopened", () => {
    const dir = mkdtempSync(join(tmpdir(), "sluice-torn-"));
    const state = { fail: false };
    const rt: Runtime = {
      ...runtime,
      fs: runtime.fs,
      openFile(path) {
        const f = runtime.openFile!(path);
        return {
          ...f,
          write(data) {
            if (!state.fail) return f.write(data);
            f.write(data.slice(0, 3));
            throw Object.assign(new Error("EIO: i/o error, write"), { code: "EIO" });
          },
          truncate(length) {
            if (state.fail) throw Object.assign(new Error("EIO: i/o error, truncate"), { code: "EIO" });
            f.truncate(length);
          },
        };
      },
    };
    const file = new RotatingFile(join(dir, "x.ndjson"), {}, rt, () => {});
    file.write('{"i":1}\n');
    state.fail = true;
    expect(() => file.write('{"i":2}\n')).toThrow(/EIO/);
    expect(readFileSync(join(dir, "x.ndjson"), "utf8")).toBe('{"i":1}\n{"i'); // torn, and the cut failed
    file.release();
    state.fail = false;
    file.write('{"i":3}\n');
    expect(readFileSync(join(dir, "x.ndjson"), "utf8")).toBe('{"i":1}\n{"i":3}\n');
  });
});
