// `sluice serve` on Bun, Deno and Node against a real small file system: a 256 KiB tmpfs filled
// up, remounted read-only, and freed again; a restart on a full disk; a crash (SIGKILL from the
// fault hook) between the parts of a write and between the write and the answer; one token
// creating tens of thousands of categories, with the collector's descriptors counted in /proc/<pid>/fd.
import { afterAll, describe, expect, test } from "bun:test";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { recordBatch as batch, recordsOnDisk as onDisk } from "./helpers/disk_records.ts";
import { exited, type ServeProcess, serveRuntimes, startServe } from "./helpers/serve_process.ts";
import { mountTmpfs, unmountAll } from "./helpers/tmpfs.ts";

const TOKEN = "t0ken-for-tests";
const work = mkdtempSync(join(tmpdir(), "sluice-disk-serve-"));
const tokens = join(work, "tokens.txt");
writeFileSync(tokens, `edge:${TOKEN}\n`);
const running: ServeProcess[] = [];
afterAll(() => {
  for (const s of running) s.proc.kill("SIGKILL");
  unmountAll();
  rmSync(work, { recursive: true, force: true });
}, 60_000);
const tmpfs = mountTmpfs;
const canMount = tmpfs(join(work, "probe"), "64k");
if (!canMount) {
  const msg = "collector_disk_serve: skipping the tmpfs tests: mounting a tmpfs needs root";
  if (process.env.CI === "true") throw new Error(msg);
  console.log(msg);
}

const start = async (cmd: string[], dir: string, env: Record<string, string> = {}) => {
  const s = await startServe(cmd, dir, ["--tokens", tokens], env);
  running.push(s);
  return s;
};
const ingest = (url: string, body: string, key?: string) => fetch(`${url}/ingest`, {
  method: "POST",
  body,
  headers: { authorization: `Bearer ${TOKEN}`, "content-type": "application/x-ndjson", ...(key ? { "idempotency-key": key } : {}) },
  signal: AbortSignal.timeout(10_000), // a hanging request fails the test
});
/** Fills the file system holding `dir` until a write fails. */
function fill(path: string): void {
  const chunk = new Uint8Array(4096);
  try {
    for (;;) writeFileSync(path, chunk, { flag: "a" });
  } catch (err) {
    expect((err as { code?: string }).code).toBe("ENOSPC");
  }
}
const until = async (check: () => Promise<boolean>, ms = 5000) => {
  for (const end = Date.now() + ms; Date.now() < end; await new Promise((r) => setTimeout(r, 100))) if (await check()) return;
  throw new Error("timed out");
};

describe.skipIf(!canMount)("sluice serve on a small tmpfs", () => {
  for (const [name, cmd] of serveRuntimes) {
    test(`${name}: full disk → 503 Retry-After and /readyz says why; freed → the retries land once; read-only → 503 until writable; a restart on a full disk`, async () => {
      const mnt = join(work, `mnt-${name}`);
      expect(tmpfs(mnt, "256k")).toBe(true);
      const dir = join(mnt, "logs");
      let s = await start(cmd, dir);
      expect((await ingest(s.url, batch(0, 30))).status).toBe(200);
      fill(join(mnt, "filler"));
      const refused: [number, string][] = [];
      for (let b = 1; b <= 4; b++) {
        const res = await ingest(s.url, batch(b * 30, 30, 200), `k${b}`);
        expect(res.status).toBe(503);
        expect(res.headers.get("retry-after")).toBe("5");
        refused.push([b, await res.text()]);
      }
      expect(refused[0][1]).toMatch(/ENOSPC/);
      const ready = await fetch(`${s.url}/readyz`);
      expect(ready.status).toBe(503);
      expect((await ready.json()).reason).toMatch(/ENOSPC/);
      expect(s.proc.exitCode).toBe(null);
      expect(onDisk(dir)).toEqual([...Array(30).keys()]);

      rmSync(join(mnt, "filler"));
      await until(async () => (await fetch(`${s.url}/readyz`)).status === 200);
      for (let b = 1; b <= 4; b++) expect((await ingest(s.url, batch(b * 30, 30, 200), `k${b}`)).status).toBe(200);
      expect((await (await ingest(s.url, batch(30, 30, 200), "k1")).json()).duplicate).toBe(true);
      expect(onDisk(dir)).toEqual([...Array(150).keys()]);

      // read-only (remounted while the collector is stopped: a mount with files open for writing cannot be)
      s.proc.kill("SIGTERM");
      expect(await exited(s.proc)).toBe(0);
      expect(spawnSync("mount", ["-o", "remount,ro", mnt]).status).toBe(0);
      s = await start(cmd, dir);
      const ro = await ingest(s.url, batch(150, 30), "k5");
      expect(ro.status).toBe(503);
      expect(await ro.text()).toMatch(/EROFS|read-only/);
      expect((await (await fetch(`${s.url}/readyz`)).json()).reason).toMatch(/EROFS|read-only/);
      expect(spawnSync("mount", ["-o", "remount,rw", mnt]).status).toBe(0);
      expect((await ingest(s.url, batch(150, 30), "k5")).status).toBe(200);

      // a restart on a full disk starts, refuses, and recovers
      s.proc.kill("SIGTERM");
      expect(await exited(s.proc)).toBe(0);
      fill(join(mnt, "filler"));
      s = await start(cmd, dir);
      expect((await ingest(s.url, batch(180, 30, 200), "k6")).status).toBe(503);
      expect((await (await ingest(s.url, batch(30, 30, 200), "k1")).json()).duplicate).toBe(true);
      rmSync(join(mnt, "filler"));
      expect((await ingest(s.url, batch(180, 30, 200), "k6")).status).toBe(200);
      s.proc.kill("SIGTERM");
      expect(await exited(s.proc)).toBe(0);
      expect(onDisk(dir)).toEqual([...Array(210).keys()]);
    }, 60_000);
  }
});

describe("a crash inside a write (SLUICE_FAULT_KILL_AFTER_WRITES)", () => {
  for (const [name, cmd] of serveRuntimes) {
    // a batch over three category files: killed after the first file's part, and after all
    // three (the records written, the producer not answered)
    for (const after of [1, 3]) {
      test(`${name}: SIGKILL after ${after} of 3 parts; the retry after a restart leaves each record on disk once`, async () => {
        const dir = join(work, `crash-${name}-${after}`);
        const first = await start(cmd, dir, { SLUICE_FAULT_KILL_AFTER_WRITES: String(after) });
        await expect(ingest(first.url, batch(0, 90), "crash-1")).rejects.toThrow();
        expect(await exited(first.proc)).toBe("SIGKILL");
        const second = await start(cmd, dir);
        const res = await ingest(second.url, batch(0, 90), "crash-1");
        expect(res.status).toBe(200);
        // all three parts had been written: the journal kept the key; one: the part was cut off
        expect((await res.json()).duplicate ?? false).toBe(after === 3);
        expect((await (await ingest(second.url, batch(0, 90), "crash-1")).json()).duplicate).toBe(true);
        second.proc.kill("SIGTERM");
        expect(await exited(second.proc)).toBe(0);
        expect(onDisk(dir)).toEqual([...Array(90).keys()]);
      }, 30_000);
    }
  }
});

describe("the directory deleted under a running collector", () => {
  for (const [name, cmd] of serveRuntimes) {
    test(`${name}: it is made again and the next records land in it`, async () => {
      const dir = join(work, `deleted-${name}`);
      const s = await start(cmd, dir);
      expect((await ingest(s.url, batch(0, 30), "d1")).status).toBe(200);
      rmSync(dir, { recursive: true });
      expect((await ingest(s.url, batch(30, 30), "d2")).status).toBe(200);
      expect(onDisk(dir)).toEqual(Array.from({ length: 30 }, (_, k) => 30 + k));
      expect((await (await ingest(s.url, batch(0, 30), "d1")).json()).duplicate).toBe(true);
      s.proc.kill("SIGTERM");
      expect(await exited(s.proc)).toBe(0);
    }, 30_000);
  }
});

// 40,000 on Bun (whose file driver used to keep descriptors past the pool); 10,000 on Deno and
// Node, where creating the files is slower and the bound is crossed as often either way
describe("one token, tens of thousands of categories", () => {
  for (const [name, cmd] of serveRuntimes) {
    const categories = name === "bun" ? 40_000 : 10_000;
    test(`${name}: ${categories} categories from one token: 1,000 files (--max-categories-per-token) and overflow, nothing lost; the collector never holds more descriptors than its pool (64) allows`, async () => {
      const dir = join(work, `many-${name}`);
      const s = await start(cmd, dir);
      const fds = () => readdirSync(`/proc/${s.proc.pid}/fd`).length;
      const base = fds();
      let peak = 0;
      for (let r = 0; r < categories / 1000; r++) {
        const body = Array.from({ length: 1000 }, (_, k) => JSON.stringify({ msg: "r", i: r * 1000 + k, category: `cat-${r * 1000 + k}` })).join("\n") + "\n";
        expect((await ingest(s.url, body)).status).toBe(200);
        peak = Math.max(peak, fds());
      }
      // the pool's 64 log files, the journal, and a few the runtime opens and closes by itself
      expect(peak - base).toBeLessThanOrEqual(64 + 1 + 4);
      s.proc.kill("SIGTERM");
      expect(await exited(s.proc)).toBe(0);
      const files = readdirSync(dir).filter((n) => n.endsWith(".ndjson"));
      expect(files.length).toBe(1001); // the default cap, and overflow.ndjson
      const overflow = readFileSync(join(dir, "overflow.ndjson"), "utf8").split("\n").filter(Boolean);
      expect(overflow.length).toBe(categories - 1000);
      expect(JSON.parse(overflow[0])).toMatchObject({ category: "overflow", overflowCategory: "cat-1000", i: 1000 });
      rmSync(dir, { recursive: true, force: true }); // here, within the test's time, not in afterAll
    }, 120_000);
  }
});
