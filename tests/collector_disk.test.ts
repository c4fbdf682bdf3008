// The collector when the disk fails, through app.fetch with an injected failing file system:
// 503 with Retry-After, /readyz says why, nothing of a refused request stays on disk (no torn
// line, no part of a batch), and the retry writes each record once.
import { afterEach, describe, expect, test } from "bun:test";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createIngestApp, type IngestApp, type IngestOptions } from "../server.ts";
import { createRecord, detectRuntime, type Runtime } from "../mod.ts";
import { recordBatch as batch, recordsOnDisk } from "./helpers/disk_records.ts";

const TOKEN = "s3cret-token";
const apps: IngestApp[] = [];
afterEach(async () => { for (const a of apps.splice(0)) await a.close(); });

/**
 * A runtime whose log files fail like a disk does: `full` writes the first half of what it is
 * given and then throws ENOSPC (a short write), `failOn` names the files that fail (all when
 * empty), `open` makes opening fail too (EROFS).
 */
function failingDisk() {
  const base = detectRuntime();
  const state = { full: false, readOnly: false, failOn: [] as string[] };
  const fails = (path: string) => state.failOn.length === 0 || state.failOn.some((n) => path.endsWith(n));
  const runtime: Runtime = {
    ...base,
    fs: base.fs,
    openFile(path) {
      if (state.readOnly) throw Object.assign(new Error(`EROFS: read-only file system, open '${path}'`), { code: "EROFS" });
      const f = base.openFile!(path);
      return {
        ...f,
        write(data) {
          if (!state.full || !fails(path)) return f.write(data);
          f.write(data.slice(0, Math.max(1, data.length >> 1)));
          throw Object.assign(new Error("ENOSPC: no space left on device, write"), { code: "ENOSPC" });
        },
      };
    },
  };
  return { state, runtime };
}

function make(extra: Partial<IngestOptions> = {}, dir = mkdtempSync(join(tmpdir(), "sluice-disk-"))) {
  const app = createIngestApp({ dir, tokens: [{ name: "edge-1", token: TOKEN }], ...extra });
  apps.push(app);
  const post = (body: string, key?: string) =>
    app.fetch(new Request("http://collector/ingest", {
      method: "POST",
      body,
      headers: { authorization: `Bearer ${TOKEN}`, "content-type": "application/x-ndjson", ...(key ? { "idempotency-key": key } : {}) },
    }));
  const get = (path: string) => app.fetch(new Request(`http://collector${path}`, { headers: { authorization: `Bearer ${TOKEN}` } }));
  /** Every log file's text (the journal under .sluice/ left out). */
  const files = () => Object.fromEntries(readdirSync(dir).filter((n) => n.endsWith(".ndjson")).map((n) => [n, readFileSync(join(dir, n), "utf8")]));
  return { app, dir, post, get, files };
}

describe("the collector on a failing disk", () => {
  test("ENOSPC on the last file of a batch: 503 Retry-After, the parts already written are cut back, /readyz says why; the retry writes each record once", async () => {
    const { state, runtime } = failingDisk();
    const { post, get, dir, files } = make({ runtime });
    expect((await post(batch(0, 30))).status).toBe(200);
    const before = files();
    state.full = true;
    state.failOn = ["c.ndjson"]; // a.ndjson and b.ndjson take their part, then c's write fails halfway
    const res = await post(batch(30, 30), "k1");
    expect(res.status).toBe(503);
    expect(res.headers.get("retry-after")).toBe("5");
    expect((await res.json()).error).toMatch(/ENOSPC/);
    expect(files()).toEqual(before); // nothing of the refused request, no torn line
    const ready = await get("/readyz");
    expect(ready.status).toBe(503);
    expect(await ready.json()).toMatchObject({ ready: false, reason: expect.stringMatching(/ENOSPC/) });
    expect(await (await get("/metrics")).text()).toContain('sluice_writer_records_total{result="refused"} 30');
    expect((await post(batch(30, 30), "k1")).status).toBe(503); // still full

    state.full = false; // space returns
    expect((await post(batch(30, 30), "k1")).status).toBe(200);
    expect(await (await post(batch(30, 30), "k1")).json()).toMatchObject({ duplicate: true });
    expect((await get("/readyz")).status).toBe(200);
    expect(recordsOnDisk(dir)).toEqual([...Array(60).keys()]);
  });

  test("every write failing, the journal's too: 503, the collector stays up, and a probe finds the disk back within a second", async () => {
    const { state, runtime } = failingDisk();
    const { post, get, dir } = make({ runtime });
    state.full = true;
    for (let k = 0; k < 3; k++) expect((await post(batch(0, 9), "same")).status).toBe(503);
    expect(recordsOnDisk(dir)).toEqual([]);
    state.full = false;
    // no write comes: the probe behind /readyz notices on its own
    await new Promise((r) => setTimeout(r, 1100));
    expect((await get("/readyz")).status).toBe(200);
    expect((await post(batch(0, 9), "same")).status).toBe(200);
    expect(recordsOnDisk(dir)).toEqual([...Array(9).keys()]);
  });

  test("a read-only file system (EROFS on open): 503 with the reason, then writes again once it is writable", async () => {
    const { state, runtime } = failingDisk();
    const { post, get, dir } = make({ runtime });
    state.readOnly = true;
    const res = await post(batch(0, 6));
    expect(res.status).toBe(503);
    expect((await res.json()).error).toMatch(/EROFS/);
    expect((await (await get("/readyz")).json()).reason).toMatch(/EROFS/);
    state.readOnly = false;
    expect((await post(batch(0, 6))).status).toBe(200);
    expect(recordsOnDisk(dir)).toEqual([...Array(6).keys()]);
  });

  test("the directory deleted under a running collector: it is made again and the records land in it, not in the deleted files", async () => {
    const { post, dir } = make();
    expect((await post(batch(0, 6), "k1")).status).toBe(200);
    rmSync(dir, { recursive: true });
    expect((await post(batch(6, 6), "k2")).status).toBe(200);
    expect(existsSync(join(dir, "a.ndjson"))).toBe(true);
    expect(recordsOnDisk(dir)).toEqual([6, 7, 8, 9, 10, 11]);
    // the keys are rewritten into the new directory's journal
    expect(await (await post(batch(0, 6), "k1")).json()).toMatchObject({ duplicate: true });
  });

  test("a restart on a full disk does not crash; the keys journaled before still count", async () => {
    const dir = mkdtempSync(join(tmpdir(), "sluice-disk-"));
    const first = make({}, dir);
    expect((await first.post(batch(0, 6), "k1")).status).toBe(200);
    await first.app.close();
    apps.splice(apps.indexOf(first.app), 1);
    const { state, runtime } = failingDisk();
    state.full = true;
    const second = make({ runtime }, dir);
    expect((await second.post(batch(6, 6), "k2")).status).toBe(503);
    expect(await (await second.post(batch(0, 6), "k1")).json()).toMatchObject({ duplicate: true });
    state.full = false;
    expect((await second.post(batch(6, 6), "k2")).status).toBe(200);
    expect(recordsOnDisk(dir)).toEqual([...Array(12).keys()]);
  });

  test("idempotency keys are bounded per token: past --max-idempotency-keys the oldest is forgotten and counted; a key costs ~60 bytes on disk", async () => {
    const { post, get, dir } = make({ maxIdempotencyKeys: 3 });
    const longKey = (n: number) => `${"k".repeat(190)}${n}`;
    for (let n = 0; n < 5; n++) expect((await post(batch(n, 1), longKey(n))).status).toBe(200);
    const metrics = await (await get("/metrics")).text();
    expect(metrics).toContain("sluice_idempotency_keys 3");
    expect(metrics).toContain("sluice_idempotency_keys_evicted_total 2");
    expect(await (await post(batch(4, 1), longKey(4))).json()).toMatchObject({ duplicate: true });
    expect(await (await post(batch(0, 1), longKey(0))).json()).toMatchObject({ accepted: 1 }); // forgotten: written again
    const journal = readFileSync(join(dir, ".sluice/idempotency-keys"), "utf8");
    expect(journal.length / 6).toBeLessThan(120); // 6 journaled writes of 200-character keys
  });
});

describe("the bytes written", () => {
  test("large and small bodies, one category or several, in sluice's form or not: each file holds exactly the lines sent, with the producer (texts that fit the writer's scratch buffer together, one that does not, then small ones reusing it)", async () => {
    const { post, files } = make();
    const own = (i: number, category: string, pad: number) => createRecord(1_700_000_000_000 + i, "info", category, `m${i} é😀`, `,"pad":"${"x".repeat(pad)}"}`).json;
    const stored = (line: string) => line.slice(0, -1) + ',"producer":"edge-1"}\n';
    const expected: Record<string, string> = {};
    const send = async (lines: string[]) => {
      expect((await post(lines.join("\n") + "\n")).status).toBe(200);
      // a line not in sluice's form (a space before it) is written in it
      for (const l of lines) expected[`${JSON.parse(l).category}.ndjson`] = (expected[`${JSON.parse(l).category}.ndjson`] ?? "") + stored(l.trim());
    };
    let i = 0;
    // four categories of ~700 KB in one body: the first three fit the 4 MiB scratch (3 bytes a character counted), the fourth does not
    await send(["a", "b", "c", "d"].flatMap((c) => Array.from({ length: 70 }, () => own(i++, c, 10_000))));
    // one category of 1.5 M characters, in sluice's form: taken as it came, too large for the scratch
    await send(Array.from({ length: 150 }, () => own(i++, "a", 10_000)));
    // small ones after, one category and several, one line not in sluice's form
    await send(Array.from({ length: 5 }, () => own(i++, "b", 10)));
    await send([own(i++, "c", 10), " " + own(i++, "d", 10), own(i++, "a", 10)]);
    expect(files()).toEqual(expected);
  });
});
