// The per-token caps survive a restart (<dir>/.sluice/token-names; a corrupt file is rebuilt,
// never a crash), trusted forwarders have their own producer cap, producers= patterns are
// compiled once, and the heartbeat bounds are options and `serve` flags (issue 18, point 5).
import { afterEach, describe, expect, test } from "bun:test";
import fc from "fast-check";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createIngestApp, type IngestOptions, parseTokens } from "../server.ts";
import { detectRuntime } from "../lib/runtime/detect.ts";
import { createRecord } from "../lib/record.ts";
import { Identities } from "../collector/identity.ts";
import { TokenNames } from "../collector/token_names.ts";
import { exited, serveRuntimes, startServe } from "./helpers/serve_process.ts";

const apps: { close(): Promise<void> }[] = [];
afterEach(async () => { for (const a of apps.splice(0)) await a.close(); });
const tokens = parseTokens("edge:edge-token:producers=edge-*\ncentral:central-token\nother:other-token\n");
const newDir = () => mkdtempSync(join(tmpdir(), "sluice-caps-"));

function start(dir: string, extra: Partial<IngestOptions> = {}) {
  const app = createIngestApp({ dir, tokens, heartbeatCheckMs: 60_000, ...extra });
  apps.push(app);
  const post = (path: string, token: string, body: string, producer?: string) =>
    app.fetch(new Request(`http://collector${path}`, {
      method: "POST", body,
      headers: { authorization: `Bearer ${token}`, "content-type": "application/x-ndjson", ...(producer ? { "x-sluice-producer": producer } : {}) },
    }));
  const ingest = async (token: string, producer?: string, body = '{"msg":"a"}\n') => (await post("/ingest", token, body, producer)).status;
  const close = async () => {
    apps.splice(apps.indexOf(app), 1);
    await app.close();
  };
  return { app, post, ingest, close };
}
const namesFile = (dir: string) => join(dir, ".sluice", "token-names");

describe("caps kept across restarts", () => {
  test("producer names and categories: a restart does not give a token a fresh cap", async () => {
    const dir = newDir();
    const limits = { maxProducersPerToken: 3, maxCategoriesPerToken: 2 };
    const first = start(dir, limits);
    for (const p of ["edge", "edge-1", "edge-2"]) expect(await first.ingest("edge-token", p)).toBe(200);
    expect(await first.ingest("edge-token", undefined, '{"msg":"a","category":"c1"}\n{"msg":"b","category":"c2"}\n')).toBe(200);
    await first.close();

    const second = start(dir, limits);
    expect(await second.ingest("edge-token", "edge-3")).toBe(403);
    expect(await second.ingest("edge-token", "edge-1")).toBe(200); // known names keep working
    expect(await second.ingest("edge-token", undefined, '{"msg":"c","category":"c3"}\n{"msg":"d","category":"c1"}\n')).toBe(200);
    await second.app.writer.flush();
    const lines = (f: string) => readFileSync(join(dir, f), "utf8").split("\n").filter(Boolean).map((l) => JSON.parse(l));
    expect(lines("overflow.ndjson").map((r) => r.overflowCategory)).toEqual(["c3"]);
    expect(lines("c1.ndjson").map((r) => r.msg)).toEqual(["a", "d"]);
    expect(await second.ingest("other-token", "other")).toBe(200); // each token its own cap
    await second.close();
  });

  test("bodies in sluice's own form, whose records are made only when needed, meet the same caps: a new category past the cap and the reserved one go to overflow, each record counted", async () => {
    const dir = newDir();
    const { app, ingest } = start(dir, { maxCategoriesPerToken: 1 });
    const body = (category: string, n: number) => Array.from({ length: n }, (_, i) => createRecord(i, "info", category, `${category}${i}`, "}").json + "\n").join("");
    expect(await ingest("central-token", undefined, body("c1", 3))).toBe(200);
    expect(await ingest("central-token", undefined, body("c2", 4))).toBe(200);
    expect(await ingest("central-token", undefined, body("sluice", 2))).toBe(200);
    expect(await ingest("central-token", undefined, body("c1", 1))).toBe(200);
    await app.writer.flush();
    const lines = (f: string) => readFileSync(join(dir, f), "utf8").split("\n").filter(Boolean).map((l) => JSON.parse(l));
    expect(lines("c1.ndjson").map((r) => r.msg)).toEqual(["c10", "c11", "c12", "c10"]);
    expect(lines("overflow.ndjson").map((r) => [r.msg, r.overflowCategory])).toEqual([["c20", "c2"], ["c21", "c2"], ["c22", "c2"], ["c23", "c2"], ["sluice0", "sluice"], ["sluice1", "sluice"]]);
    const metrics = await (await app.fetch(new Request("http://collector/metrics", { headers: { authorization: "Bearer central-token" } }))).text();
    expect(metrics).toMatch(/^sluice_identity_refused_total\{bound="categories"\} 4$/m);
    expect(metrics).toMatch(/^sluice_identity_refused_total\{bound="reserved"\} 2$/m);
  });

  test("a category longer than 256 characters goes to overflow, is not kept as one of the token's names, and takes none of its cap", async () => {
    const dir = newDir();
    const { app, ingest } = start(dir, { maxCategoriesPerToken: 2 });
    const long = "c".repeat(257);
    expect(await ingest("edge-token", "edge", JSON.stringify({ msg: "x", category: long }) + "\n" + JSON.stringify({ msg: "y", category: "c".repeat(256) }) + "\n")).toBe(200);
    expect(await ingest("edge-token", "edge", '{"msg":"z","category":"c1"}\n')).toBe(200); // the cap of 2 still has room
    await app.writer.flush();
    const lines = (f: string) => readFileSync(join(dir, f), "utf8").split("\n").filter(Boolean).map((l) => JSON.parse(l));
    expect(lines("overflow.ndjson").map((r) => [r.msg, r.overflowCategory])).toEqual([["x", long]]);
    expect(lines("c1.ndjson").map((r) => r.msg)).toEqual(["z"]);
    expect(readFileSync(namesFile(dir), "utf8")).not.toContain(long);
    expect((await (await app.fetch(new Request("http://collector/metrics", { headers: { authorization: "Bearer edge-token" } }))).text())).toContain('sluice_identity_refused_total{bound="long"} 1');
  });

  test("a category holding a lone surrogate goes to overflow and the names file is still written; a long name in an older file is skipped when it is read", async () => {
    const dir = newDir();
    const first = start(dir, { maxCategoriesPerToken: 2 });
    expect(await first.ingest("edge-token", "edge", JSON.stringify({ msg: "s", category: "a\ud800b" }) + "\n" + '{"msg":"t","category":"c1"}\n')).toBe(200);
    await first.app.writer.flush();
    const lines = (f: string) => readFileSync(join(dir, f), "utf8").split("\n").filter(Boolean).map((l) => JSON.parse(l));
    expect(lines("overflow.ndjson").map((r) => [r.msg, r.overflowCategory])).toEqual([["s", "a\ud800b"]]);
    expect(readFileSync(namesFile(dir), "utf8")).toContain("c1"); // the file was not given up
    await first.close();
    // a file written before the bound, holding a 300-character name: skipped, its slot free
    writeFileSync(namesFile(dir), readFileSync(namesFile(dir), "utf8") + readFileSync(namesFile(dir), "utf8").split("\n").find((l) => l.includes("c1"))!.replace("c1", "d".repeat(300)) + "\n");
    const second = start(dir, { maxCategoriesPerToken: 2 });
    expect(await second.ingest("edge-token", "edge", '{"msg":"u","category":"c2"}\n')).toBe(200); // the cap of 2 holds c1 and c2
    await second.app.writer.flush();
    expect(lines("c2.ndjson").map((r) => r.msg)).toEqual(["u"]);
    await second.close();
  });

  test("the disk writer keeps no long category of a trusted forwarder as a file key: 300 categories of 64 Ki characters leave the heap within 8 MiB (kept, 19 MiB)", async () => {
    // the tail keeps one record: the categories it keeps are not what is measured
    const { app, post } = start(newDir(), { trustedForwarders: ["central"], tailBufferRecords: 1 });
    const body = (i: number) => JSON.stringify({ msg: "f", category: String(i).padEnd(1 << 16, "x") }) + "\n";
    expect((await post("/ingest", "central-token", body(-1), "edge-0")).status).toBe(200);
    Bun.gc(true);
    const before = process.memoryUsage().heapUsed;
    for (let i = 0; i < 300; i++) expect((await post("/ingest", "central-token", body(i), "edge-0")).status).toBe(200);
    await app.writer.flush();
    Bun.gc(true);
    expect((process.memoryUsage().heapUsed - before) / 2 ** 20).toBeLessThan(8);
  }, 30_000);

  test("a token flooding long categories keeps none of them: 2,000 categories of 64 Ki characters leave the heap within 16 MiB (the 1,000 its cap allows would be 64 MiB)", () => {
    const ids = new Identities({ maxCategoriesPerToken: 1000 });
    const record = (category: string) => ({ time: 0, level: "info" as const, category, msg: "m", json: '{"msg":"m"}', fieldsAt: 10 });
    Bun.gc(true);
    const before = process.memoryUsage().heapUsed;
    for (let i = 0; i < 2000; i++) ids.admitCategories("t", [record(String(i).padEnd(1 << 16, "x"))], false);
    Bun.gc(true);
    const grown = (process.memoryUsage().heapUsed - before) / 2 ** 20;
    expect(grown).toBeLessThan(16);
    expect(ids.refused.long).toBe(2000);
  });

  for (const [runtime, cmd] of serveRuntimes) {
    test(`${runtime}: sluice serve killed with SIGKILL keeps the names it admitted and the rate bucket it wrote, the caps hold after the restart, and a garbage names file is rebuilt at the next`, async () => {
      const dir = newDir();
      const tokensFile = join(dir, "tokens");
      writeFileSync(tokensFile, "edge:edge-token:producers=edge-*\n");
      const args = ["--tokens", tokensFile, "--max-producers-per-token", "2", "--rate-limit", "1"];
      const roomy = ["--tokens", tokensFile, "--max-producers-per-token", "2", "--rate-limit", "1000"];
      const post = (url: string, producer: string) =>
        fetch(`${url}/ingest`, { method: "POST", headers: { authorization: "Bearer edge-token", "x-sluice-producer": producer, "content-type": "application/x-ndjson" }, body: '{"msg":"x"}\n' }).then((r) => r.status);
      const kill = async (p: Awaited<ReturnType<typeof startServe>>) => {
        p.proc.kill("SIGKILL");
        await exited(p.proc);
      };
      try {
        const one = await startServe(cmd, dir, roomy);
        expect([await post(one.url, "edge-1"), await post(one.url, "edge-2"), await post(one.url, "edge-3")]).toEqual([200, 200, 403]);
        await kill(one);
        const two = await startServe(cmd, dir, args);
        expect(await post(two.url, "edge-9")).toBe(403);
        // a known name still works: a batch past the burst (2 x 1/s) is let in and leaves the token about 98 s in debt
        const big = await fetch(`${two.url}/ingest`, { method: "POST", headers: { authorization: "Bearer edge-token", "x-sluice-producer": "edge-2", "content-type": "application/x-ndjson" }, body: '{"msg":"x"}\n'.repeat(100) });
        expect(big.status).toBe(200);
        await new Promise((r) => setTimeout(r, 1_300)); // the buckets are written every second
        await kill(two);
        writeFileSync(namesFile(dir), new Uint8Array([0x50, 0x20, 0xff, 0xfe, 0x0a, 0x43, 0x20, 0xc3, 0x28, 0x20, 0x78, 0x0a, 0x50, 0x20, 0x65]));
        const three = await startServe(cmd, dir, args);
        const owed = await fetch(`${three.url}/ingest`, { method: "POST", headers: { authorization: "Bearer edge-token", "x-sluice-producer": "edge-2", "content-type": "application/x-ndjson" }, body: '{"msg":"x"}\n' });
        expect(owed.status).toBe(429); // the debt outlived the SIGKILL
        expect(Number(owed.headers.get("retry-after"))).toBeGreaterThan(60);
        await kill(three);
        rmSync(join(dir, ".sluice", "rate-buckets"));
        const four = await startServe(cmd, dir, args);
        // the garbage names file was rebuilt with what three admitted since (edge-2)
        expect([await post(four.url, "edge-7"), await post(four.url, "edge-8")]).toEqual([200, 403]);
        await kill(four);
        expect(readFileSync(namesFile(dir), "utf8")).toBe("P edge edge-2\nP edge edge-7\n");
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    }, 60_000);
  }

  test("a truncated file: the whole lines are kept, the torn one and those of a token no longer configured are dropped, and the file is rebuilt", async () => {
    const dir = newDir();
    mkdirSync(join(dir, ".sluice"));
    writeFileSync(namesFile(dir), "P edge edge-1\nP gone x\nP edge edge-2\nC edge c1\nP edge ed"); // "gone" is no longer a token
    const app = start(dir, { maxProducersPerToken: 3 });
    expect(await app.ingest("edge-token", "edge-3")).toBe(200); // "ed" was not counted
    expect(await app.ingest("edge-token", "edge-4")).toBe(403);
    expect(readFileSync(namesFile(dir), "utf8")).toBe("P edge edge-1\nP edge edge-2\nC edge c1\nP edge edge-3\n"); // rebuilt, then appended
    await app.close();
  });

  test("garbage in place of the file (not UTF-8, a directory): the collector starts and answers, never a crash", async () => {
    const dir = newDir();
    mkdirSync(join(dir, ".sluice"));
    writeFileSync(namesFile(dir), new Uint8Array([0xff, 0xfe, 0x00, 0x50, 0x20, 0xc3, 0x28, 0x0a, 0x80]));
    const a = start(dir, { maxProducersPerToken: 1 });
    expect(await a.ingest("edge-token", "edge-1")).toBe(200);
    expect(await a.ingest("edge-token", "edge-2")).toBe(403);
    await a.close();
    expect(readFileSync(namesFile(dir), "utf8")).toBe("P edge edge-1\n");

    const other = newDir();
    mkdirSync(namesFile(other), { recursive: true }); // a directory where the file should be
    const b = start(other, { maxProducersPerToken: 1 });
    expect(await b.ingest("edge-token", "edge-1")).toBe(200);
    expect(await b.ingest("edge-token", "edge-2")).toBe(403); // still capped, in memory
    await b.close();
  });

  test("seeded fuzz: any mix of lines and garbage is read without a throw, keeps exactly the well-formed names within the caps, and is rewritten to them", () => {
    const runtime = detectRuntime();
    const dir = newDir();
    const path = join(dir, "names");
    const name = fc.stringMatching(/^[a-z0-9%é/ -]{1,8}$/);
    const line = fc.oneof(
      fc.tuple(fc.constantFrom("P", "C"), fc.constantFrom("edge", "central", "a b"), name).map(([k, t, n]) => `${k} ${encodeURIComponent(t)} ${encodeURIComponent(n)}`),
      fc.string({ maxLength: 30 }),
      fc.constantFrom("P edge %E0%A4%A", "C  x", "P edge a b", "X edge a"),
    );
    fc.assert(fc.property(fc.array(line, { maxLength: 40 }), fc.boolean(), (lines, torn) => {
      const text = lines.join("\n") + (torn ? "" : "\n");
      writeFileSync(path, text);
      const cap = 3;
      const names = new TokenNames(path, runtime, () => cap);
      names.close();
      // what a careful reader keeps: whole lines of the form, the first `cap` per kind and token
      const whole = text.split("\n").slice(0, -1); // a last line without its newline is torn
      const kept = new Map<string, string[]>();
      for (const l of whole) {
        const m = /^([PC]) ([\w.!~*'()%-]+) ([\w.!~*'()%-]+)$/.exec(l); // URI-encoded fields only
        if (!m) continue;
        let t: string, n: string;
        try {
          [t, n] = [decodeURIComponent(m[2]), decodeURIComponent(m[3])];
        } catch {
          continue;
        }
        const k = `${m[1]} ${encodeURIComponent(t)}`;
        const list = kept.get(k) ?? kept.set(k, []).get(k)!;
        if (!list.includes(n) && list.length < cap) list.push(n);
      }
      const expected = [...kept].flatMap(([k, ns]) => ns.map((n) => `${k} ${encodeURIComponent(n)}\n`)).join("");
      expect(readFileSync(path, "utf8").split("\n").sort()).toEqual(expected.split("\n").sort());
      for (const [k, ns] of kept) for (const n of ns) expect(names.has(k[0] as "P", decodeURIComponent(k.slice(2)), n)).toBe(true);
    }), { seed: 18, numRuns: 300 });
  });
});

describe("rate-limit buckets kept across restarts", () => {
  const rateLimit = { recordsPerSec: 1, burst: 5 };
  const five = '{"msg":"a"}\n'.repeat(5);

  test("a token that spent its burst gets 429 after a restart too (it got a fresh burst before)", async () => {
    const dir = newDir();
    const first = start(dir, { rateLimit });
    expect(await first.ingest("edge-token", undefined, five)).toBe(200);
    expect(await first.ingest("edge-token", undefined, '{"msg":"b"}\n{"msg":"c"}\n')).toBe(429);
    await first.close();
    const second = start(dir, { rateLimit });
    const res = await second.post("/ingest", "edge-token", '{"msg":"b"}\n{"msg":"c"}\n');
    expect(res.status).toBe(429);
    expect(Number(res.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
    expect(await second.ingest("other-token", undefined, five)).toBe(200); // another token's bucket is its own
  });

  test("without a close (a crash), the buckets written within the last second count", async () => {
    const dir = newDir();
    const first = start(dir, { rateLimit });
    expect(await first.ingest("edge-token", undefined, five)).toBe(200);
    const file = join(dir, ".sluice", "rate-buckets");
    const deadline = performance.now() + 3_000;
    while (!(readFileSync(file, { encoding: "utf8", flag: "a+" }).startsWith("edge ")) && performance.now() < deadline) await Bun.sleep(50);
    const second = start(dir, { rateLimit }); // the first one never closed
    expect(await second.ingest("edge-token", undefined, '{"msg":"b"}\n{"msg":"c"}\n{"msg":"d"}\n')).toBe(429);
  });

  test("a garbage file leaves the buckets full and is rewritten; a line for a token no longer configured is dropped", async () => {
    const dir = newDir();
    mkdirSync(join(dir, ".sluice"));
    const file = join(dir, ".sluice", "rate-buckets");
    writeFileSync(file, "gone -1000 1\nedge NaN 1\n\xff\xfe garbage\nedge 1e999 1\nother -3 99999999999999");
    const app = start(dir, { rateLimit });
    expect(await app.ingest("edge-token", undefined, five)).toBe(200);
    expect(await app.ingest("other-token", undefined, five)).toBe(200); // a torn last line is not read
    await app.close();
    expect(readFileSync(file, "utf8").split("\n").filter(Boolean).map((l) => l.split(" ")[0]).sort()).toEqual(["edge", "other"]);
  });
});

describe("trusted forwarders", () => {
  test("a trusted forwarder's token has its own producer cap; other tokens keep theirs", async () => {
    const { ingest, post } = start(newDir(), { maxProducersPerToken: 2, maxProducersPerForwarder: 5, trustedForwarders: ["central"] });
    for (let i = 0; i < 5; i++) expect(await ingest("central-token", `site-${i}`)).toBe(200);
    const res = await post("/ingest", "central-token", '{"msg":"a"}\n', "site-5");
    expect(res.status).toBe(403);
    expect((await res.json()).error).toContain("--max-producers-per-forwarder");
    expect([await ingest("edge-token", "edge-1"), await ingest("edge-token", "edge-2"), await ingest("edge-token", "edge-3")]).toEqual([200, 200, 403]);
  });
});

test("producers= patterns are compiled once, with the tokens: checking names makes no RegExp", () => {
  const many = parseTokens("edge:t:producers=edge-*,web,*-worker,a.b\n");
  const ids = new Identities({ maxProducersPerToken: 100_000 }, many);
  const Real = globalThis.RegExp;
  let made = 0;
  globalThis.RegExp = new Proxy(Real, { construct: (t, args) => (made++, new t(...(args as [string]))), apply: (t, _, args) => (made++, t(...(args as [string]))) });
  try {
    const verdicts = [];
    for (let i = 0; i < 1000; i++) verdicts.push(ids.refuseProducer(many[0], i % 2 ? `edge-${i}` : `x${i}-worker`, false));
    expect(verdicts.every((v) => v === undefined)).toBe(true);
    expect(ids.refuseProducer(many[0], "aXb", false)).toContain("may not speak as"); // '.' is a dot
    expect(ids.refuseProducer(many[0], "a.b", false)).toBeUndefined();
    expect(ids.refuseProducer(many[0], "web2", false)).toContain("may not speak as"); // whole names only
  } finally {
    globalThis.RegExp = Real;
  }
  expect(made).toBe(0);
});

describe("heartbeat bounds", () => {
  test("maxCheckInMs and maxGraceMs bound what a heartbeat may announce; the message names the flag", async () => {
    const { post } = start(newDir(), { maxCheckInMs: 60_000, maxGraceMs: 5_000 });
    const beat = (b: object) => post("/heartbeat", "edge-token", JSON.stringify(b));
    expect((await beat({ nextCheckInMs: 60_000, graceMs: 5_000 })).status).toBe(200);
    const long = await beat({ nextCheckInMs: 60_001 });
    expect(long.status).toBe(400);
    expect((await long.json()).error).toBe("nextCheckInMs must be a number of milliseconds from 0 to 60000 (--max-check-in)");
    const grace = await beat({ graceMs: 5_001 });
    expect((await grace.json()).error).toContain("from 0 to 5000 (--max-grace)");
  });

  test("the defaults stay a week and a day", async () => {
    const { post } = start(newDir());
    const beat = (b: object) => post("/heartbeat", "edge-token", JSON.stringify(b)).then((r) => r.status);
    expect([await beat({ nextCheckInMs: 7 * 86_400_000, graceMs: 86_400_000 }), await beat({ nextCheckInMs: 7 * 86_400_000 + 1 }), await beat({ graceMs: 86_400_001 })]).toEqual([200, 400, 400]);
  });

  test("sluice serve --max-check-in 1m --max-grace 2s; a bad duration stops the start with a clear error", async () => {
    const dir = newDir();
    const serve = await startServe(serveRuntimes[0][1], dir, ["--no-auth", "--max-check-in", "1m", "--max-grace", "2s"]);
    try {
      const beat = (b: object) => fetch(`${serve.url}/heartbeat`, { method: "POST", body: JSON.stringify(b) }).then((r) => r.status);
      expect([await beat({ nextCheckInMs: 60_000, graceMs: 2_000 }), await beat({ nextCheckInMs: 61_000 }), await beat({ graceMs: 2_001 })]).toEqual([200, 400, 400]);
    } finally {
      serve.proc.kill();
      await exited(serve.proc);
    }
    await expect(startServe(serveRuntimes[0][1], dir, ["--no-auth", "--max-check-in", "soon"])).rejects.toThrow(/--max-check-in: bad duration "soon"/);
  }, 60_000);
});
