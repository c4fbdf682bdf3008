// The collector's window of Idempotency-Key digests (collector/key_window.ts): the same answers
// as the Map it replaced under a seeded fuzz of adds, re-adds, expiries and the bound; digests
// that round-trip; and the memory a full 100,000-key window takes, from the OS (VmHWM).
import { expect, test } from "bun:test";
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { keyDigest } from "../collector/dedup.ts";
import { digestText, isKeyDigest, KeyWindow } from "../collector/key_window.ts";
import { rng } from "./helpers/seeded_random.ts";

/** The Map the window replaced, as it was (oldest first; one TTL for all). */
class MapModel {
  readonly m = new Map<string, number>();
  constructor(readonly max: number) {}
  has(h: string, now: number) {
    const e = this.m.get(h);
    return e !== undefined && e > now;
  }
  add(h: string, expires: number, now: number) {
    let evicted = 0;
    for (const [k, e] of this.m) {
      if (e > now && this.m.size < this.max) break;
      this.m.delete(k);
      if (e > now) evicted++;
    }
    this.m.delete(h);
    this.m.set(h, expires);
    return evicted;
  }
}

function digest(random: () => number): string {
  const bytes = Uint8Array.from({ length: 16 }, () => Math.floor(random() * 256));
  return digestText(bytes);
}

test("fuzz: the window answers as the Map did (adds, keys added again, expiries, the bound), 40 seeds", () => {
  for (let seed = 1; seed <= 40; seed++) {
    const random = rng(seed);
    const max = 1 + Math.floor(random() * 3000);
    // small first arrays, so that growing and compacting (slots of keys added again) are met
    const window = new KeyWindow(max, 1 + Math.floor(random() * 64)), model = new MapModel(max);
    const seen: string[] = [];
    let now = 1_000_000;
    for (let step = 0; step < 6000; step++) {
      now += Math.floor(random() * 3);
      const ttl = 50 + Math.floor(random() * 400);
      const again = seen.length > 0 && random() < 0.2;
      const h = again ? seen[Math.floor(random() * seen.length)] : digest(random);
      if (!again) seen.push(h);
      if (random() < 0.5) {
        expect(window.add(h, now + ttl, now), `seed ${seed} step ${step}`).toBe(model.add(h, now + ttl, now));
        expect(window.size).toBe(model.m.size);
      }
      const probe = seen[Math.floor(random() * seen.length)];
      expect(window.has(probe, now), `seed ${seed} step ${step}`).toBe(model.has(probe, now));
    }
    expect([...window.entries()]).toEqual([...model.m.entries()]);
  }
});

test("digests: the collector's round-trip through the window byte for byte; anything else is refused", async () => {
  const window = new KeyWindow(10);
  const h = await keyDigest("edge-1", "batch-7");
  expect(isKeyDigest(h)).toBe(true);
  window.add(h, 2, 1);
  expect([...window.entries()]).toEqual([[h, 2]]);
  for (const bad of ["", "h1", "x".repeat(23), "a".repeat(21) + "=", "a".repeat(21) + "+"]) {
    expect(isKeyDigest(bad)).toBe(false);
    expect(window.has(bad, 1)).toBe(false);
    expect(() => window.add(bad, 2, 1)).toThrow(/not a key digest/);
  }
});

test("memory: a full window of 100,000 keys takes under 10 MB of a process (VmHWM; the Map and its strings took about 20)", () => {
  // the digests are made before the mark: what grows after it is the window's
  const script = `
    import { digestText, KeyWindow } from ${JSON.stringify(join(import.meta.dir, "../collector/key_window.ts"))};
    const hwm = () => Number(/VmHWM:\\s+(\\d+)/.exec(require("node:fs").readFileSync("/proc/self/status", "utf8"))[1]) * 1024;
    const bytes = new Uint8Array(16), view = new DataView(bytes.buffer);
    const digest = (i) => {
      view.setUint32(0, i * 2654435761);
      view.setUint32(12, i);
      return digestText(bytes);
    };
    const all = Array.from({ length: 100_000 }, (_, i) => digest(i));
    Bun.gc(true);
    const before = hwm();
    const window = new KeyWindow(100_000);
    for (const d of all) window.add(d, 1e15, 1);
    Bun.gc(true);
    console.log(JSON.stringify({ size: window.size, grew: hwm() - before, first: window.has(all[0], 2), last: window.has(all[99_999], 2) }));
  `;
  const r = spawnSync(process.execPath, ["-e", script], { encoding: "utf8", timeout: 60_000 });
  if (r.status !== 0) throw new Error(r.stderr);
  const out = JSON.parse(r.stdout) as { size: number; grew: number; first: boolean; last: boolean };
  expect(out).toMatchObject({ size: 100_000, first: true, last: true });
  expect(out.grew).toBeLessThan(10 << 20);
}, 60_000);
