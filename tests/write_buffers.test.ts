// WriteBuffers: the category sink's write-behind byte buffers, on their own.
import { describe, expect, test } from "bun:test";
import { type RoutedBatch, WriteBuffers } from "../lib/files/write_buffers.ts";

const decode = (b: Uint8Array) => new TextDecoder().decode(b);

/** Buffers over a fake disk: each write is recorded; `failing` makes writes throw. */
function make(fileBytes: number, maxBytes: number) {
  const state = { failing: false, writes: [] as [string, string][] };
  const buffers = new WriteBuffers(fileBytes, maxBytes, (key, data) => {
    if (state.failing) throw new Error("ENOSPC: no space left on device");
    state.writes.push([key, typeof data === "string" ? data : decode(data)]);
  });
  const text = (key: string) => state.writes.filter(([k]) => k === key).map(([, t]) => t).join("");
  return { buffers, state, text };
}

const line = (key: string, i: number, pad = 0) => JSON.stringify({ key, i, pad: "x".repeat(pad) }) + "\n";
const batch = (keys: string[], i: number, pad = 0, urgent = false): RoutedBatch => keys.map((k) => [k, line(k, i, pad), 1, urgent]);

describe("WriteBuffers", () => {
  test("many batches reach each file in few writes, in order, nothing lost", () => {
    const { buffers, state, text } = make(65536, 16 << 20);
    const keys = Array.from({ length: 8 }, (_, k) => `k${k}`);
    for (let i = 0; i < 2000; i++) {
      buffers.take(batch(keys, i, 40));
      buffers.writeDue();
    }
    buffers.writeAll();
    for (const k of keys) {
      const got = text(k).trimEnd().split("\n").map((l) => JSON.parse(l));
      expect(got.map((r) => r.i)).toEqual(Array.from({ length: 2000 }, (_, i) => i));
      expect(got.every((r) => r.key === k)).toBe(true);
    }
    // about 130 KB a file: a few writes each, not 2,000
    expect(state.writes.length).toBeLessThanOrEqual(8 * 4);
    expect(buffers.bytes).toBe(0);
  });

  test("fileBytes 0 writes every batch at once", () => {
    const { buffers, state } = make(0, 1 << 20);
    for (let i = 0; i < 5; i++) {
      buffers.take(batch(["a", "b"], i));
      buffers.writeDue();
    }
    expect(state.writes.length).toBe(10);
    expect(buffers.bytes).toBe(0);
  });

  test("error and fatal records are written at once, before the others", () => {
    const { buffers, state } = make(65536, 1 << 20);
    buffers.take(batch(["calm"], 0));
    buffers.take([["calm", line("calm", 1), 1, false], ["alarm", line("alarm", 1), 1, true]]);
    buffers.writeDue();
    expect(state.writes.map(([k]) => k)).toEqual(["alarm"]);
    buffers.writeAll();
    expect(state.writes.map(([k]) => k)).toEqual(["alarm", "calm"]);
  });

  test("multi-byte text is encoded whole, across buffer growth", () => {
    const { buffers, text } = make(1 << 20, 16 << 20);
    let want = "";
    for (let i = 0; i < 300; i++) {
      const t = `{"msg":"héllo wörld ✓ 😀 ${i}"}\n`.repeat(7);
      want += t;
      buffers.take([["u", t, 7, false]]);
    }
    buffers.writeAll();
    expect(text("u")).toBe(want);
  });

  test("a text bigger than a file's buffer is taken and written whole", () => {
    const { buffers, state } = make(4096, 1 << 20);
    const big = line("a", 0, 20000);
    buffers.take([["a", big, 1, false]]);
    buffers.writeDue();
    expect(state.writes).toEqual([["a", big]]);
  });

  test("capacity stays within maxBytes with 1,000 keys", () => {
    const { buffers, text } = make(65536, 256 * 1024);
    let worst = 0;
    for (let i = 0; i < 20; i++) {
      for (let k = 0; k < 1000; k += 50) {
        buffers.take(batch(Array.from({ length: 50 }, (_, j) => `k${k + j}`), i, 100));
        buffers.writeDue();
        worst = Math.max(worst, buffers.capacity);
      }
    }
    buffers.writeAll();
    expect(worst).toBeLessThanOrEqual(256 * 1024);
    for (const k of ["k0", "k499", "k999"]) expect(text(k).trimEnd().split("\n").length).toBe(20);
  });

  test("a failed write while making room takes none of the batch; retried, nothing is lost or doubled", () => {
    const { buffers, state, text } = make(8192, 1 << 20);
    let i = 0;
    for (; buffers.bytes < 7000; i++) buffers.take(batch(["a"], i, 50));
    state.failing = true;
    const before = buffers.bytes;
    expect(() => buffers.take(batch(["a"], i, 2000))).toThrow(/ENOSPC/);
    expect(buffers.bytes).toBe(before);
    state.failing = false;
    buffers.take(batch(["a"], i, 2000));
    buffers.writeAll();
    const got = text("a").trimEnd().split("\n").map((l) => JSON.parse(l).i);
    expect(got).toEqual(Array.from({ length: i + 1 }, (_, n) => n));
  });

  test("one batch of many new keys, or one huge text: after writeDue the capacity is within the bound again, everything written whole", () => {
    const { buffers, text } = make(65536, 64 * 1024);
    const keys = Array.from({ length: 40 }, (_, k) => `k${k}`);
    buffers.take(batch(keys, 0, 100));
    buffers.writeDue();
    expect(buffers.capacity).toBeLessThanOrEqual(64 * 1024);
    const huge = make(65536, 1 << 20);
    const big = line("a", 0, 600_000);
    huge.buffers.take([["a", big, 1, false], ["b", line("b", 0), 1, false]]);
    huge.buffers.writeDue();
    expect(huge.buffers.capacity).toBeLessThanOrEqual(1 << 20);
    huge.buffers.writeAll();
    expect(huge.text("a")).toBe(big);
    buffers.writeAll();
    for (const k of keys) expect(JSON.parse(text(k)).key).toBe(k);
  });

  test("a batch for one file that fills a buffer by itself goes straight through, after what the file held; a failure takes none of it", () => {
    const { buffers, state, text } = make(4096, 1 << 20);
    const small = line("a", 0), big = line("a", 1, 5000);
    buffers.take([["a", small, 1, false]]);
    state.failing = true;
    expect(() => buffers.take([["a", big, 1, false]])).toThrow(/ENOSPC/);
    expect(buffers.bytes).toBe(small.length);
    state.failing = false;
    buffers.take([["a", big, 1, false]]);
    expect(state.writes).toEqual([["a", small], ["a", big]]);
    expect(buffers.bytes).toBe(0);
    expect(text("a")).toBe(small + big);
  });

  test("a key twice in one batch: both texts are kept whole, in order", () => {
    const { buffers, text } = make(65536, 1 << 20);
    const a = line("a", 0, 30000), b = line("a", 1, 30000);
    buffers.take([["a", a, 1, false], ["a", b, 1, false]]);
    buffers.writeAll();
    expect(text("a")).toBe(a + b);
  });

  test("a failed write while freeing other files' buffers for the bound takes none of the batch", () => {
    const { buffers, state, text } = make(65536, 16 * 1024);
    buffers.take(batch(["old"], 0, 10000));
    state.failing = true;
    expect(() => buffers.take(batch(["new"], 0, 10000))).toThrow(/ENOSPC/);
    state.failing = false;
    buffers.take(batch(["new"], 0, 10000));
    buffers.writeAll();
    expect(JSON.parse(text("old")).i).toBe(0);
    expect(text("new").trimEnd().split("\n").length).toBe(1);
  });

  test("a failed writeAll keeps what it could not write; discard counts it", () => {
    const { buffers, state } = make(65536, 1 << 20);
    buffers.take([["a", line("a", 0), 1, false], ["b", line("b", 0) + line("b", 1), 2, false]]);
    state.failing = true;
    expect(() => buffers.writeAll()).toThrow(/ENOSPC/);
    expect(buffers.discard()).toBe(3);
    expect(buffers.bytes).toBe(0);
    expect(buffers.capacity).toBe(0);
  });
});
