// What one request may cost is bounded before the work: lines, errors reported, bodies read at
// once, bytes inflated; a rate limit that every batch can meet. Checked against the app and,
// for memory, against a real `sluice serve` process (VmHWM from /proc).
import { afterAll, describe, expect, test } from "bun:test";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { createGzip } from "node:zlib";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createIngestApp, type IngestOptions } from "../server.ts";
import { RateLimiter } from "../collector/rate_limit.ts";
import { serveRuntimes, startServe } from "./helpers/serve_process.ts";

const TOKEN = "budget-token";
const apps: { close(): Promise<void> }[] = [];
afterAll(async () => { for (const a of apps) await a.close(); });
const gzip = async (text: string) => new Uint8Array(await new Response(new Blob([text]).stream().pipeThrough(new CompressionStream("gzip"))).arrayBuffer());

function make(extra: Partial<IngestOptions> = {}) {
  const dir = mkdtempSync(join(tmpdir(), "sluice-budget-"));
  const app = createIngestApp({ dir, tokens: [{ name: "t", token: TOKEN }], ...extra });
  apps.push(app);
  const post = (body: BodyInit, headers: Record<string, string> = {}) =>
    app.fetch(new Request("http://collector/ingest", { method: "POST", body, headers: { authorization: `Bearer ${TOKEN}`, "content-type": "application/x-ndjson", ...headers } }));
  const metrics = async () => (await app.fetch(new Request("http://collector/metrics", { headers: { authorization: `Bearer ${TOKEN}` } }))).text();
  return { app, dir, post, metrics };
}

describe("per-request budgets", () => {
  test("more lines than --max-lines: 413 naming the bound, nothing written, counted", async () => {
    const { app, dir, post, metrics } = make({ maxLines: 10 });
    const res = await post(Array.from({ length: 11 }, (_, i) => `{"msg":"m${i}"}`).join("\n"));
    expect(res.status).toBe(413);
    expect(await res.json()).toMatchObject({ maxLines: 10, error: expect.stringContaining("--max-lines") });
    expect((await post(Array.from({ length: 10 }, (_, i) => `{"msg":"m${i}"}`).join("\n"))).status).toBe(200);
    await app.writer.flush();
    expect(readFileSync(join(dir, "default.ndjson"), "utf8").trim().split("\n").length).toBe(10);
    expect(await metrics()).toContain('sluice_ingest_refused_total{bound="lines"} 1');
  });

  test("the first --max-errors rejected lines are reported, all are counted; JSON-array records have the line bound", async () => {
    const { post } = make({ maxErrors: 3, maxLineBytes: 100 });
    const body = await (await post(["{\"msg\":\"ok\"}", ...Array.from({ length: 50 }, () => "nope")].join("\n"))).json();
    expect(body).toMatchObject({ accepted: 1, rejected: 50 });
    expect(body.errors.length).toBe(3);
    const arr = await (await post(JSON.stringify([{ msg: "short" }, { msg: "x".repeat(200) }]), { "content-type": "application/json" })).json();
    expect(arr).toMatchObject({ accepted: 1, rejected: 1, errors: [{ line: 2, error: "record is longer than 100 bytes" }] });
  });

  test("bodies read at once past --max-concurrent-bodies (batches and heartbeats): 503 with Retry-After, and the rest are served", async () => {
    const { app, post, metrics } = make({ maxConcurrentBodies: 2 });
    // two bodies that stall keep the two slots busy
    const stalled = [0, 1].map(() => {
      let push: (c: Uint8Array) => void = () => {};
      const body = new ReadableStream<Uint8Array>({ start: (c) => { push = (x) => c.enqueue(x); } });
      const res = post(body as unknown as BodyInit);
      return { res, finish: () => push(new TextEncoder().encode('{"msg":"late"}\n')) };
    });
    await new Promise((r) => setTimeout(r, 50));
    const third = await post('{"msg":"third"}\n');
    expect(third.status).toBe(503);
    expect(third.headers.get("retry-after")).toBe("1");
    // heartbeats have turns of their own: the batches in flight do not keep them out, and they cannot be a way round the bound
    const heartbeat = (body: BodyInit) => app.fetch(new Request("http://collector/heartbeat", { method: "POST", body, headers: { authorization: `Bearer ${TOKEN}`, "content-type": "application/json" } }));
    expect((await heartbeat(JSON.stringify({ nextCheckInMs: 60_000 }))).status).toBe(200);
    const trickling = [0, 1].map(() => heartbeat(new ReadableStream<Uint8Array>({ start() {} }) as unknown as BodyInit));
    await new Promise((r) => setTimeout(r, 50));
    expect((await heartbeat(JSON.stringify({ nextCheckInMs: 60_000 }))).status).toBe(503);
    expect(await metrics()).toContain('sluice_ingest_refused_total{bound="concurrent-bodies"} 2');
    void stalled, void trickling;
  });

  test("a token past its share of --max-memory-bytes gets 503 Retry-After while another token is served; a slow body 408s; every byte is given back", async () => {
    const dir = mkdtempSync(join(tmpdir(), "sluice-share-"));
    const app = createIngestApp({ dir, tokens: [{ name: "a", token: "ta" }, { name: "b", token: "tb" }], maxMemoryBytes: 1 << 20, bodyGraceMs: 200, minBodyBytesPerSec: 1000 });
    apps.push(app);
    const post = (token: string, body: BodyInit, length?: number) => app.fetch(new Request("http://collector/ingest", {
      method: "POST", body, duplex: "half",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/x-ndjson", ...(length === undefined ? {} : { "content-length": String(length) }) },
    } as RequestInit));
    const metric = async (name: string) => Number(new RegExp(`^${name} (\\d+)$`, "m").exec(await (await app.fetch(new Request("http://collector/metrics", { headers: { authorization: "Bearer tb" } }))).text())?.[1]);
    // token a declares 400 KB and sends 1 KB: reserved before it is read, so a second one passes a's half (512 KiB)
    const stalled = new ReadableStream<Uint8Array>({ start: (c) => c.enqueue(new Uint8Array(1000).fill(32)) });
    const first = post("ta", stalled as unknown as BodyInit, 400_000);
    await new Promise((r) => setTimeout(r, 20));
    const second = await post("ta", '{"msg":"a"}\n', 400_000);
    expect(second.status).toBe(503);
    expect(second.headers.get("retry-after")).toBe("1");
    expect((await second.json()).error).toContain("half of --max-memory-bytes");
    expect((await post("tb", '{"msg":"b"}\n')).status).toBe(200);
    expect(await metric("sluice_ingest_memory_bytes")).toBe(400_000);
    // the stalled body has sent 1000 bytes: under 1000 B/s once its 200 ms grace is over
    const late = await first;
    expect(late.status).toBe(408);
    expect(late.headers.get("connection")).toBe("close");
    expect((await late.json()).error).toContain("under the 1000 bytes/s required");
    expect(await metric("sluice_ingest_memory_bytes")).toBe(0);
    expect(await metric("sluice_ingest_memory_peak_bytes")).toBe(400_012); // a's 400 KB and b's 12 bytes
    expect(await metric('sluice_ingest_refused_total\\{bound="token-memory"\\}')).toBe(1);
    expect(await metric('sluice_ingest_refused_total\\{bound="body-rate"\\}')).toBe(1);
    expect(() => createIngestApp({ dir, noAuth: true, maxMemoryBytes: 1000 })).toThrow("maxMemoryBytes must be a whole number ≥ 1 MiB");
  });
});

describe("rate limits that can always be met", () => {
  test("a batch larger than the burst is admitted when the bucket is full, and the debt is paid before the next", () => {
    const limiter = new RateLimiter(100, 50);
    expect(limiter.take("t", 400, 0)).toBe(0);      // full bucket: admitted, 350 in debt
    expect(limiter.take("t", 10, 1000)).toBe(3);    // 1 s later: -250; 10 fit in 2.6 s → 3
    expect(limiter.take("t", 10, 3600)).toBe(0);
    expect(limiter.take("t", 400, 3600)).toBe(1);   // not full: wait until it is (Retry-After from the bucket)
  });

  test("through the app: Retry-After is computed from the bucket and names the limit; invalid lines count", async () => {
    const { post } = make({ rateLimit: { recordsPerSec: 10, burst: 20 } });
    expect((await post(Array.from({ length: 30 }, () => '{"msg":"m"}').join("\n"))).status).toBe(200); // over the burst, bucket full
    const res = await post('{"msg":"m"}\nbad\n');
    expect(res.status).toBe(429);
    expect(Number(res.headers.get("retry-after"))).toBe(2); // 10 in debt, 2 needed, 10/s
    expect((await res.json()).error).toContain("rate limit of 10 records/s (burst 20)");
  });
});

/** `n` bytes of newlines, gzipped (1 GiB gives about 1 MB), made as a stream so that nothing holds the whole. */
async function gzipBomb(n: number): Promise<Uint8Array> {
  const z = createGzip({ level: 9 });
  const out: Uint8Array[] = [];
  z.on("data", (d: Uint8Array) => out.push(d));
  const chunk = new Uint8Array(1 << 20).fill(10);
  for (let i = 0; i < n >> 20; i++) if (!z.write(chunk)) await new Promise((r) => z.once("drain", r));
  z.end();
  await new Promise((r) => z.once("end", r));
  return new Uint8Array(await new Blob(out).arrayBuffer());
}

describe("memory: one budget for all requests in flight", () => {
  let bomb: Uint8Array | undefined;
  for (const [name, cmd] of serveRuntimes) {
    test(`${name}: 24 concurrent 1 GiB gzip bombs from three tokens are each 413 or 503 (Retry-After), peak RSS under 768 MiB, counted; /healthz and an ingest 200 after, on the same client`, async () => {
      bomb ??= await gzipBomb(1 << 30);
      expect(bomb.length).toBeLessThan(1_100_000);
      const dir = mkdtempSync(join(tmpdir(), `sluice-memory-${name}-`));
      writeFileSync(join(dir, "tokens"), "a:token-a\nb:token-b\nc:token-c\n");
      // the default --max-memory-bytes (256 MiB), half of it per token. A longer --header-timeout:
      // on this shared 2-core machine a collector inflating bombs can be starved of CPU for more
      // than 5 s, and node:http (Node, Deno) then closes connections whose heads it had no turn to
      // read (ECONNRESET for about 15 of 24 in one run of four); that bound is tested elsewhere
      const s = await startServe(cmd, join(dir, "logs"), ["--tokens", join(dir, "tokens"), "--public-metrics", "--header-timeout", "30s"]);
      try {
        const send = (token: string) => fetch(`${s.url}/ingest`, { method: "POST", body: bomb, headers: { authorization: `Bearer ${token}`, "content-type": "application/x-ndjson", "content-encoding": "gzip" } });
        const answers = await Promise.all(Array.from({ length: 24 }, async (_, i) => {
          try {
            const res = await send(`token-${"abc"[i % 3]}`);
            await res.text();
            return { status: res.status, retryAfter: res.headers.get("retry-after") };
          } catch (err) {
            return { status: String(err), retryAfter: null };
          }
        }));
        expect(answers.filter((a) => !(a.status === 413 || (a.status === 503 && a.retryAfter === "1")))).toEqual([]);
        const hwm = Number(/VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${s.proc.pid}/status`, "utf8"))![1]) / 1024;
        expect(hwm).toBeLessThan(768);
        // all 24 may be refused for memory when their inflating interleaves evenly (seen once on
        // Deno under CI's load); with the budget given back, one bomb alone meets its own bound
        const alone = await send("token-b");
        await alone.text();
        expect(alone.status).toBe(413);
        expect((await fetch(`${s.url}/healthz`)).status).toBe(200);
        const ok = await fetch(`${s.url}/ingest`, { method: "POST", body: '{"msg":"after"}\n', headers: { authorization: "Bearer token-a", "content-type": "application/x-ndjson" } });
        expect(ok.status).toBe(200);
        const metrics = await (await fetch(`${s.url}/metrics`)).text();
        const refusedForMemory = [...metrics.matchAll(/sluice_ingest_refused_total\{bound="(?:token-)?memory"\} (\d+)/g)].reduce((n, m) => n + Number(m[1]), 0);
        expect(refusedForMemory).toBe(answers.filter((a) => a.status === 503).length);
        expect(metrics).toMatch(/sluice_ingest_memory_peak_bytes \d+/);
        expect(metrics).toMatch(/^sluice_ingest_memory_bytes 0$/m); // every reservation given back
      } finally {
        s.proc.kill("SIGTERM");
      }
    }, 90_000);
  }
});

describe("memory: tiny requests cannot cost gigabytes", () => {
  for (const [name, cmd] of serveRuntimes) {
    test(`${name}: a gzip body of millions of invalid lines and a gzip bomb answer 413 quickly; peak RSS stays bounded`, async () => {
      const dir = mkdtempSync(join(tmpdir(), `sluice-budget-${name}-`));
      const s = await startServe(cmd, dir, ["--no-auth"]);
      try {
        const lines = await gzip("x\n".repeat(4_000_000));         // ~8 MB inflated, a few KB on the wire
        const bomb = await gzip("\n".repeat(256 << 20));            // 256 MiB of nothing
        expect(lines.length).toBeLessThan(64 << 10);
        const t0 = performance.now();
        const a = await fetch(`${s.url}/ingest`, { method: "POST", body: lines, headers: { "content-type": "application/x-ndjson", "content-encoding": "gzip" } });
        expect(a.status).toBe(413);
        const b = await Promise.all([0, 1, 2, 3].map(() => fetch(`${s.url}/ingest`, { method: "POST", body: bomb, headers: { "content-type": "application/x-ndjson", "content-encoding": "gzip" } })));
        // one token (no auth) holds at most half of --max-memory-bytes: a bomb past that is a 503
        expect(b.every((r) => r.status === 413 || r.status === 503) && b.some((r) => r.status === 413)).toBe(true);
        expect(performance.now() - t0).toBeLessThan(15_000);
        expect((await fetch(`${s.url}/healthz`)).status).toBe(200);
        const hwm = Number(/VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${s.proc.pid}/status`, "utf8"))![1]) / 1024;
        expect(hwm).toBeLessThan(600);
      } finally {
        s.proc.kill("SIGTERM");
      }
    }, 60_000);
  }
});
