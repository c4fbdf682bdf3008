// httpSink end to end: against the real collector (serve) and against scripted servers for
// retries, Retry-After, refusals, outages, hangs and heartbeats. Servers bind 127.0.0.1:0.
import { afterEach, describe, expect, test } from "bun:test";
import { existsSync, mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { createLogger, httpSink, retryAfterMs, type LogLossError } from "../mod.ts";
import { serve, type Server } from "../server.ts";

const TOKEN = "edge-token";
const cleanup: (() => unknown)[] = [];
afterEach(async () => { for (const f of cleanup.splice(0).reverse()) await f(); });

async function collector(dir = mkdtempSync(join(tmpdir(), "sluice-http-")), port = 0): Promise<Server & { dir: string }> {
  const s = await serve({ port, dir, tokens: [{ name: "edge", token: TOKEN }], handleSignals: false, heartbeatCheckMs: 20 });
  cleanup.push(() => s.close());
  return Object.assign(s, { dir });
}

/** A scripted server: `answer` decides each response; every request is recorded. */
function scripted(answer: (n: number, req: Request) => Response | Promise<Response>) {
  const seen: { key: string | null; lines: string[]; gzip: boolean; auth: string | null; producer: string | null }[] = [];
  const server = Bun.serve({
    port: 0,
    hostname: "127.0.0.1",
    async fetch(req) {
      const raw = new Uint8Array(await req.arrayBuffer());
      const gzip = req.headers.get("content-encoding") === "gzip";
      const text = new TextDecoder().decode(gzip ? gunzipSync(raw) : raw);
      seen.push({ key: req.headers.get("idempotency-key"), lines: text.split("\n").filter(Boolean), gzip, auth: req.headers.get("authorization"), producer: req.headers.get("x-sluice-producer") });
      return answer(seen.length, req);
    },
  });
  cleanup.push(() => server.stop(true));
  return { url: `http://127.0.0.1:${server.port}/ingest`, seen };
}

const records = (dir: string, file = "default.ndjson") => readFileSync(join(dir, file), "utf8").split("\n").filter(Boolean).map((l) => JSON.parse(l));

describe("httpSink", () => {
  test("end to end: gzip batches reach the collector's files, tagged with the producer, before flush() resolves", async () => {
    const c = await collector();
    const log = createLogger({ sinks: [httpSink(`${c.url}/ingest`, { token: TOKEN, producer: "edge-7", batch: { maxRecords: 100 } })] });
    for (let i = 0; i < 1000; i++) log.info("checkout", { i });
    await log.flush();
    const got = records(c.dir);
    expect(got.length).toBe(1000);
    expect(new Set(got.map((r) => r.i)).size).toBe(1000);
    expect(got[0]).toMatchObject({ msg: "checkout", producer: "edge-7" });
    expect(log.stats()).toMatchObject({ written: 1000, dropped: {} });
    await log.close();
  });

  test("a 503 is retried with the same Idempotency-Key; bearer token and producer are sent", async () => {
    const s = scripted((n) => new Response(n <= 2 ? "busy" : "{}", { status: n <= 2 ? 503 : 200 }));
    const log = createLogger({ sinks: [httpSink(s.url, { token: "t", producer: "p", gzip: true, retry: { baseDelayMs: 5 } })], onError: () => {} });
    log.info("a");
    log.info("b");
    await log.flush();
    expect(s.seen.length).toBe(3);
    expect(new Set(s.seen.map((r) => r.key)).size).toBe(1);
    expect(s.seen[2]).toMatchObject({ gzip: true, auth: "Bearer t", producer: "p" });
    expect(s.seen[2].lines.map((l) => JSON.parse(l).msg)).toEqual(["a", "b"]);
    expect(log.stats().written).toBe(2);
  });

  test("Retry-After is honoured", async () => {
    const s = scripted((n) => (n === 1 ? new Response("slow down", { status: 429, headers: { "retry-after": "1" } }) : new Response("{}")));
    const log = createLogger({ sinks: [httpSink(s.url, { retry: { baseDelayMs: 1 } })] });
    const t = performance.now();
    log.info("x");
    await log.flush();
    expect(performance.now() - t).toBeGreaterThanOrEqual(900);
    expect(s.seen.length).toBe(2);
    expect(retryAfterMs("2")).toBe(2000);
    expect(retryAfterMs(new Date(Date.now() + 3000).toUTCString())!).toBeGreaterThan(1000);
  });

  test("a 400 is not retried: counted as sink-error and reported with the status", async () => {
    const s = scripted(() => new Response('{"error":"nothing valid"}', { status: 400 }));
    const errors: LogLossError[] = [];
    const log = createLogger({ sinks: [httpSink(s.url)], onError: (e) => errors.push(e as LogLossError) });
    log.info("x");
    await log.flush();
    expect(s.seen.length).toBe(1);
    expect(log.stats().dropped["sink-error"]).toBe(1);
    expect(errors[0].reason).toBe("sink-error");
    expect(errors[0].message).toContain("HTTP 400");
  });

  test("a collector that is down: retries run out and the batch is counted", async () => {
    const errors: Error[] = [];
    const log = createLogger({ sinks: [httpSink("http://127.0.0.1:9/ingest", { retry: { maxAttempts: 3, baseDelayMs: 5 } })], onError: (e) => errors.push(e) });
    log.info("x");
    await log.flush();
    expect(log.stats().dropped["sink-error"]).toBe(1);
    expect(errors[0].message).toMatch(/after 3 attempts: network error/);
  });

  test("a server that hangs: requests time out and a full queue drops newest, counted", async () => {
    const s = scripted(() => new Promise<Response>(() => {}));
    const log = createLogger({ sinks: [httpSink(s.url, { timeoutMs: 100, maxQueuedRecords: 10, retry: { maxAttempts: 2, baseDelayMs: 5 } })], onError: () => {} });
    for (let i = 0; i < 100; i++) log.info("x", { i });
    expect(log.stats().dropped["queue-full"]).toBe(90);
    await log.flush();
    const s2 = log.stats();
    expect(s2.dropped["sink-error"]).toBe(10);
    expect(s2.written).toBe(0);
  });

  test("the collector goes away and comes back: the backlog is written once, within seconds", async () => {
    const first = await collector();
    const port = first.port;
    const log = createLogger({ sinks: [httpSink(`${first.url}/ingest`, { token: TOKEN, batch: { maxRecords: 50, maxAgeMs: 5 }, retry: { maxAttempts: 50, baseDelayMs: 20, maxDelayMs: 200 } })], onError: () => {} });
    for (let i = 0; i < 100; i++) log.info("r", { i });
    await log.flush();
    await first.close();
    for (let i = 100; i < 300; i++) log.info("r", { i });
    await new Promise((r) => setTimeout(r, 300));
    const back = performance.now();
    const second = await collector(first.dir, port);
    await log.flush();
    expect(performance.now() - back).toBeLessThan(5000);
    const got = records(second.dir).map((r) => r.i);
    expect(got.length).toBe(300);
    expect(new Set(got).size).toBe(300);
    await log.close();
  });

  test("a spool keeps batches across a collector outage and a producer restart; each record is written once", async () => {
    const spool = mkdtempSync(join(tmpdir(), "sluice-spool-"));
    const child = (url: string, start: number, n: number, m: number) => Bun.spawn([process.execPath, new URL("./fixtures/spool_child.mjs", import.meta.url).pathname], {
      env: { ...process.env, MOD: new URL("../mod.ts", import.meta.url).pathname, URL: url, SPOOL: spool, TOKEN, START: String(start), N: String(n), M: String(m) },
    }).exited; // not spawnSync: the collector answering it lives in this process
    // the collector is down: 50 records give up into the spool, 25 more are spooled at exit
    expect(await child("http://127.0.0.1:9/ingest", 0, 50, 25)).toBe(0);
    expect(readdirSync(spool).filter((n) => n.endsWith(".batch")).length).toBeGreaterThan(0);
    const c = await collector();
    // a new producer process with the same spool sends the backlog first, then its own records
    expect(await child(`${c.url}/ingest`, 75, 25, 0)).toBe(0);
    const deadline = Date.now() + 5000;
    let got: number[] = [];
    while (Date.now() < deadline) {
      got = existsSync(join(c.dir, "default.ndjson")) ? records(c.dir).map((r) => r.i).sort((a, b) => a - b) : [];
      if (got.length >= 100) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(got).toEqual([...Array(100).keys()]);
    expect(readdirSync(spool)).toEqual([]);
  }, 20_000);

  test("heartbeats: the collector lists the producer, and close() ends it without a warning", async () => {
    const c = await collector();
    const log = createLogger({ sinks: [httpSink(`${c.url}/ingest`, { token: TOKEN, producer: "worker-3", heartbeat: { intervalMs: 50, graceMs: 50 } })] });
    await new Promise((r) => setTimeout(r, 80));
    const list = async () => (await (await fetch(`${c.url}/producers`, { headers: { authorization: `Bearer ${TOKEN}` } })).json()).producers;
    expect((await list())[0]).toMatchObject({ producer: "worker-3", status: "ok" });
    await log.close();
    expect((await list())[0]).toMatchObject({ producer: "worker-3", status: "stopped" });
    await new Promise((r) => setTimeout(r, 150));
    expect(readdirSync(c.dir).includes("sluice.ndjson")).toBe(false);
  });
});
