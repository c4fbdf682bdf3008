// httpSink against scripted HTTP servers on 127.0.0.1:0: the wire format, retries,
// Retry-After, refusals, outages, hangs, full queues, the spool and heartbeats.
import { afterEach, describe, expect, test } from "bun:test";
import { createLogger, HttpStatusError, type LogLossError } from "../mod.ts";
import { httpSink } from "../lib/sinks/http_sink.ts";
import { retryAfterMs } from "../lib/retry.ts";
import { closedPort, collector, ok, records, runCleanup, scripted, sleep, until, UUID } from "./helpers/http.ts";
import type { Seen } from "./helpers/http.ts";
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

afterEach(runCleanup);

describe("httpSink: the wire format", () => {
  test("records arrive as NDJSON lines with the bearer token, the producer header and extra headers", async () => {
    const s = scripted(ok);
    const log = createLogger({ sinks: [httpSink(s.url, { token: "t0k", producer: "svc-a", headers: { "x-region": "eu" }, gzip: false })] });
    log.info("one", { i: 1 });
    log.child({ reqId: "r9" }, { category: "http" }).warn("two", { i: 2 });
    await log.flush();
    expect(s.seen.length).toBe(1);
    const r = s.seen[0];
    expect(r).toMatchObject({ path: "/ingest", method: "POST", gzip: false, auth: "Bearer t0k", producer: "svc-a", contentType: "application/x-ndjson" });
    expect(r.header("x-region")).toBe("eu");
    expect(r.key).toMatch(UUID);
    expect(r.text.endsWith("\n")).toBe(true);
    expect(r.lines.map((l) => JSON.parse(l))).toEqual([
      { time: expect.any(String), level: "info", msg: "one", i: 1 },
      { time: expect.any(String), level: "warn", category: "http", msg: "two", reqId: "r9", i: 2 },
    ]);
    expect(log.stats()).toMatchObject({ written: 2, dropped: {} });
    await log.close();
  });

  test("gzip bodies decompress to the same lines as plain ones; each batch gets a fresh key", async () => {
    const zipped = scripted(ok);
    const plain = scripted(ok);
    const log = createLogger({
      sinks: [
        httpSink(zipped.url, { gzip: true, batch: { maxRecords: 5 } }),
        httpSink(plain.url, { gzip: false, batch: { maxRecords: 5 } }),
      ],
    });
    for (let round = 0; round < 4; round++) { // a batch grows while one is in flight: flush per round for 4 batches
      for (let i = round * 5; i < round * 5 + 5; i++) log.info("r", { i, pad: "x".repeat(i * 10) });
      await log.flush();
    }
    expect(zipped.seen.every((r) => r.gzip && r.header("content-encoding") === "gzip" && r.raw[0] === 0x1f && r.raw[1] === 0x8b)).toBe(true);
    expect(plain.seen.every((r) => !r.gzip && r.header("content-encoding") === null)).toBe(true);
    const lines = (x: { seen: Seen[] }) => x.seen.flatMap((r) => r.lines);
    expect(lines(zipped).length).toBe(20);
    expect(lines(zipped)).toEqual(lines(plain));
    expect(new Set(zipped.seen.map((r) => r.key)).size).toBe(zipped.seen.length);
    expect(zipped.seen.length).toBe(4);
    await log.close();
  });

  test("on Bun, a server entry's httpSink gzips with node:zlib at once, not through CompressionStream (whose steps wait their turns behind a busy event loop: a producer at full speed fell behind and dropped records)", async () => {
    const zipped = scripted(ok);
    const saved = globalThis.CompressionStream;
    // deno-lint-ignore no-explicit-any -- replaced for the test, put back after
    (globalThis as any).CompressionStream = class {
      constructor() {
        throw new Error("CompressionStream used");
      }
    };
    const errors: Error[] = [];
    try {
      const log = createLogger({ sinks: [httpSink(zipped.url, { gzip: true })], onError: (e) => errors.push(e) });
      for (let i = 0; i < 3; i++) log.info("zipped", { i, text: "é€😀" });
      await log.close();
    } finally {
      globalThis.CompressionStream = saved;
    }
    expect(errors).toEqual([]);
    expect(zipped.seen.length).toBeGreaterThan(0);
    expect(zipped.seen.every((r) => r.gzip && r.header("content-encoding") === "gzip" && r.raw[0] === 0x1f && r.raw[1] === 0x8b)).toBe(true);
    expect(zipped.seen.flatMap((r) => r.lines).map((l) => JSON.parse(l)).map((l) => [l.msg, l.i, l.text])).toEqual([0, 1, 2].map((i) => ["zipped", i, "é€😀"]));
  });

  test("encode builds the NDJSON body and a fresh Idempotency-Key", () => {
    const sink = httpSink("http://127.0.0.1:1/ingest");
    expect(sink).toMatchObject({ sync: false, defaultOnFull: "drop-newest", queue: { maxQueuedRecords: 10_000 }, batch: { maxRecords: 1000, maxBytes: 1 << 20, maxAgeMs: 1000 } });
    const rec = { time: 0, level: "info", category: undefined, msg: "a", json: '{"msg":"a"}', fieldsAt: 10 } as const;
    const a = sink.encode([rec, rec]);
    const b = sink.encode([rec]);
    expect(a.body).toBe('{"msg":"a"}\n{"msg":"a"}\n');
    expect(a.records).toBe(2);
    expect(a.key).toMatch(UUID);
    expect(b.key).not.toBe(a.key);
    expect(httpSink("http://x/ingest", { onFull: "drop-oldest", batch: { maxAgeMs: 5 }, name: "n" })).toMatchObject({ defaultOnFull: "drop-oldest", name: "n", batch: { maxRecords: 1000, maxAgeMs: 5 } });
  });
});

describe("httpSink: retries", () => {
  test("503 then 200: each batch is retried with the SAME Idempotency-Key and accepted once per key", async () => {
    const tries = new Map<string | null, number>();
    const s = scripted((_, r) => {
      const n = (tries.get(r.key) ?? 0) + 1;
      tries.set(r.key, n);
      return n === 1 ? new Response("busy", { status: 503 }) : ok();
    });
    const log = createLogger({ sinks: [httpSink(s.url, { token: "t", producer: "p", retry: { baseDelayMs: 5 } })], onError: () => {} });
    for (let round = 0; round < 3; round++) { // three batches of two
      log.info("r", { i: 2 * round });
      log.info("r", { i: 2 * round + 1 });
      await log.flush();
    }
    const keys = new Set(s.seen.map((r) => r.key));
    expect(keys.size).toBe(3);
    expect(s.seen.length).toBe(6);
    for (const key of keys) {
      const forKey = s.answered.filter((a) => a.key === key);
      expect(forKey.map((a) => a.status)).toEqual([503, 200]);
      expect(forKey[0].lines).toEqual(forKey[1].lines); // the retry resends the same batch
    }
    const accepted = s.answered.filter((a) => a.status === 200).flatMap((a) => a.lines.map((l) => JSON.parse(l).i));
    expect(accepted.sort()).toEqual([0, 1, 2, 3, 4, 5]);
    expect(s.seen.every((r) => r.auth === "Bearer t" && r.producer === "p")).toBe(true);
    expect(log.stats()).toMatchObject({ written: 6, dropped: {} });
  });

  test("408, 429, 500, 502 and 504 are retried too", async () => {
    const statuses = [408, 429, 500, 502, 504];
    const s = scripted((n) => (n <= statuses.length ? new Response("", { status: statuses[n - 1] }) : ok()));
    const log = createLogger({ sinks: [httpSink(s.url, { retry: { baseDelayMs: 1, maxAttempts: 6 } })], onError: () => {} });
    log.info("x");
    await log.flush();
    expect(s.answered.map((a) => a.status)).toEqual([...statuses, 200]);
    expect(new Set(s.seen.map((r) => r.key)).size).toBe(1);
    expect(log.stats().written).toBe(1);
  });

  test("Retry-After: 1 on a 429 delays the retry about a second", async () => {
    const s = scripted((n) => (n === 1 ? new Response("slow down", { status: 429, headers: { "retry-after": "1" } }) : ok()));
    const log = createLogger({ sinks: [httpSink(s.url, { retry: { baseDelayMs: 1 } })] });
    log.info("x");
    await log.flush();
    expect(s.seen.length).toBe(2);
    expect(s.seen[1].at - s.seen[0].at).toBeGreaterThanOrEqual(900);
    expect(s.seen[1].key).toBe(s.seen[0].key);
    expect(log.stats().written).toBe(1);
  });

  test("Retry-After never waits past maxDelayMs; retryAfterMs reads seconds and HTTP dates", async () => {
    const s = scripted((n) => (n === 1 ? new Response("", { status: 503, headers: { "retry-after": "3600" } }) : ok()));
    const log = createLogger({ sinks: [httpSink(s.url, { retry: { maxDelayMs: 50 } })], onError: () => {} });
    log.info("x");
    await log.flush();
    expect(s.seen.length).toBe(2);
    expect(s.seen[1].at - s.seen[0].at).toBeLessThan(900);
    expect(retryAfterMs("2")).toBe(2000);
    expect(retryAfterMs("0")).toBe(0);
    expect(retryAfterMs(null)).toBeUndefined();
    expect(retryAfterMs("")).toBeUndefined();
    expect(retryAfterMs("  ")).toBeUndefined();
    expect(retryAfterMs("soon")).toBeUndefined();
    const inThree = retryAfterMs(new Date(Date.now() + 3000).toUTCString())!;
    expect(inThree).toBeGreaterThan(1000);
    expect(inThree).toBeLessThanOrEqual(3000);
    expect(retryAfterMs(new Date(Date.now() - 60_000).toUTCString())).toBe(0);
  });

  test("a 400 is not retried: counted as sink-error, reported with the status and the body's first 200 characters", async () => {
    const s = scripted(() => new Response("bad batch: " + "x".repeat(500), { status: 400 }));
    const errors: LogLossError[] = [];
    const log = createLogger({ sinks: [httpSink(s.url, { retry: { baseDelayMs: 1 } })], onError: (e) => errors.push(e as LogLossError) });
    log.info("x");
    log.info("y");
    await log.flush();
    await sleep(50);
    expect(s.seen.length).toBe(1);
    expect(log.stats().dropped["sink-error"]).toBe(2);
    expect(log.stats().written).toBe(0);
    expect(errors.length).toBe(1);
    expect(errors[0].reason).toBe("sink-error");
    const cause = String((errors[0].cause as Error)?.message ?? "") + errors[0].message;
    expect(cause).toContain("400");
    expect(cause).toContain("bad batch: " + "x".repeat(189));
    expect(cause).not.toContain("x".repeat(190));
  });

  test("a collector that is down (closed port): retries run out, the batch is counted as sink-error", async () => {
    const url = `http://127.0.0.1:${closedPort()}/ingest`;
    let calls = 0;
    const counting: typeof fetch = Object.assign((...args: Parameters<typeof fetch>) => { calls++; return fetch(...args); }, { preconnect: fetch.preconnect });
    const errors: Error[] = [];
    const log = createLogger({ sinks: [httpSink(url, { fetch: counting, retry: { maxAttempts: 3, baseDelayMs: 5 } })], onError: (e) => errors.push(e) });
    log.info("x");
    log.info("y");
    await log.flush();
    expect(calls).toBe(3);
    expect(log.stats().dropped["sink-error"]).toBe(2);
    expect(errors.length).toBe(1);
    expect(errors[0].message).toContain(url);
    expect(errors[0].message).toMatch(/after 3 attempts: network error/);
  });

  test("retries that run out on a 503 name the URL, the status and the attempts", async () => {
    const s = scripted(() => new Response("down for maintenance", { status: 503 }));
    const errors: Error[] = [];
    const log = createLogger({ sinks: [httpSink(s.url, { retry: { maxAttempts: 2, baseDelayMs: 1 } })], onError: (e) => errors.push(e) });
    log.info("x");
    await log.flush();
    expect(s.seen.length).toBe(2);
    expect(log.stats().dropped["sink-error"]).toBe(1);
    expect(errors[0].message).toContain(s.url);
    expect(errors[0].message).toContain("after 2 attempts");
    expect(errors[0].message).toContain("HTTP 503 down for maintenance");
  });

  test("the unrefTimer option is called on the sink's timers", async () => {
    const s = scripted((n) => (n === 1 ? new Response("", { status: 503 }) : ok()));
    const timers: unknown[] = [];
    const log = createLogger({ sinks: [httpSink(s.url, { retry: { baseDelayMs: 1 }, unrefTimer: (t) => { timers.push(t); (t as { unref?: () => void }).unref?.(); } })], onError: () => {} });
    log.info("x");
    await log.flush();
    expect(timers.length).toBe(3); // two request timeouts and one backoff
  });
});

describe("httpSink: flush, hangs and full queues", () => {
  test("flush() resolves only after the server has answered 2xx for everything logged before it", async () => {
    const s = scripted(async () => { await sleep(100); return ok(); });
    const log = createLogger({ sinks: [httpSink(s.url, { batch: { maxRecords: 10, maxAgeMs: 60_000 } })] });
    for (let i = 0; i < 35; i++) log.info("r", { i });
    const t = performance.now();
    await log.flush();
    expect(performance.now() - t).toBeGreaterThanOrEqual(90);
    const answered = s.answered.filter((a) => a.status === 200).flatMap((a) => a.lines.map((l) => JSON.parse(l).i));
    expect(answered.sort((a, b) => a - b)).toEqual([...Array(35).keys()]);
    expect(log.stats()).toMatchObject({ written: 35, queued: 0 });
    log.info("late");
    await log.flush();
    expect(s.answered.at(-1)!.lines.map((l) => JSON.parse(l).msg)).toEqual(["late"]);
    await log.close();
  });

  test("a server that never answers: requests time out, a small queue counts queue-full, the rest sink-error", async () => {
    const s = scripted(() => new Promise<Response>(() => {}));
    const errors: LogLossError[] = [];
    const log = createLogger({ sinks: [httpSink(s.url, { timeoutMs: 100, maxQueuedRecords: 10, retry: { maxAttempts: 2, baseDelayMs: 5 } })], onError: (e) => errors.push(e as LogLossError) });
    for (let i = 0; i < 100; i++) log.info("x", { i });
    expect(log.stats().dropped["queue-full"]).toBe(90);
    await log.flush();
    const st = log.stats();
    expect(st.dropped["sink-error"]).toBe(10);
    expect(st.written).toBe(0);
    expect(s.seen.length).toBe(2);
    expect(errors.filter((e) => e.reason === "queue-full").length).toBe(1); // the first of a run is reported
    const sinkError = errors.find((e) => e.reason === "sink-error")!;
    expect(String((sinkError.cause as Error).message)).toMatch(/after 2 attempts: network error: .*timed out after 100 ms/);
  });

  test("the timeout holds even with a fetch that ignores its signal, and covers a refusal's body", async () => {
    const hanging = scripted(() => new Promise<Response>(() => {}));
    const deaf: typeof fetch = Object.assign((input: RequestInfo | URL, init?: RequestInit) => fetch(input, { ...init, signal: undefined }), { preconnect: fetch.preconnect });
    const stalled = scripted(() => new Response(new ReadableStream({ start: (c) => c.enqueue(new TextEncoder().encode("partial")) }), { status: 503 }));
    const log = createLogger({
      sinks: [
        httpSink(hanging.url, { fetch: deaf, timeoutMs: 80, retry: { maxAttempts: 2, baseDelayMs: 1 } }),
        httpSink(stalled.url, { timeoutMs: 80, retry: { maxAttempts: 2, baseDelayMs: 1 } }),
      ],
      onError: () => {},
    });
    log.info("x");
    const t = performance.now();
    await log.flush();
    expect(performance.now() - t).toBeLessThan(2000);
    expect(log.stats().sinks.map((x) => x.dropped["sink-error"])).toEqual([1, 1]);
    expect(hanging.seen.length).toBe(2);
    expect(stalled.seen.length).toBe(2);
  });

  test("drop-oldest keeps the newest records when the server is slow", async () => {
    const s = scripted(async () => { await sleep(150); return ok(); });
    const log = createLogger({ sinks: [httpSink(s.url, { maxQueuedRecords: 10, onFull: "drop-oldest", batch: { maxRecords: 5, maxAgeMs: 1 } })], onError: () => {} });
    for (let i = 0; i < 5; i++) log.info("r", { i });
    await until(() => s.seen.length === 1); // the first batch is in flight and cannot be dropped
    for (let i = 5; i < 30; i++) log.info("r", { i });
    await log.flush();
    const got = s.answered.flatMap((a) => a.lines.map((l) => JSON.parse(l).i));
    expect(got).toEqual([0, 1, 2, 3, 4, 25, 26, 27, 28, 29]);
    expect(log.stats().dropped["queue-full"]).toBe(20);
  });
});

describe("httpSink: the spool", () => {
  test("a full queue goes to the spool, and batches spooled while a resend is under way are sent by it, each once", async () => {
    const dir = mkdtempSync(join(tmpdir(), "sluice-spool-"));
    // an old batch left in the spool by a sink that could not reach its collector
    const first = createLogger({ sinks: [httpSink("http://127.0.0.1:1/ingest", { spool: dir, retry: { maxAttempts: 1 }, fetch: async () => { throw new Error("refused"); } })], onError: () => {} });
    first.info("old", { i: -1 });
    await first.close();
    expect(readdirSync(dir).filter((n) => n.endsWith(".batch")).length).toBe(1);
    const keys = new Map<string, number>();
    let calls = 0;
    const slowFirst: typeof fetch = async (_url, init) => {
      if (calls++ === 0) await new Promise((r) => setTimeout(r, 300)); // the resend of the old batch takes a while
      const lines = String(init!.body).split("\n").filter(Boolean).length;
      keys.set((init!.headers as Record<string, string>)["idempotency-key"], lines);
      return new Response("{}");
    };
    const log = createLogger({ sinks: [httpSink("http://127.0.0.1:1/ingest", { spool: dir, gzip: false, fetch: slowFirst, maxQueuedRecords: 5, batch: { maxRecords: 5 }, spoolRetryMs: 60_000 })] });
    for (let i = 0; i < 40; i++) log.info("new", { i }); // the queue fills while the old batch is on its way
    expect(log.stats().dropped).toEqual({});
    await until(() => readdirSync(dir).filter((n) => n.endsWith(".batch")).length === 0, 3000);
    expect(readdirSync(dir).filter((n) => n.endsWith(".batch"))).toEqual([]);
    await log.close();
    expect([...keys.values()].reduce((a, b) => a + b, 0)).toBe(41); // every record once, by key
  });

  test("the web entry carries no spool and no heartbeats: either option there is a TypeError that says why", () => {
    const web = new URL("../mod.web.ts", import.meta.url).pathname;
    const script = `import { httpSink } from ${JSON.stringify(web)};
      for (const options of [{ spool: "./spool" }, { heartbeat: { intervalMs: 1000 } }]) {
        try { httpSink("http://127.0.0.1:1/ingest", options); console.log("made"); } catch (err) { console.log(err.name + ": " + err.message); }
      }
      httpSink("http://127.0.0.1:1/ingest"); console.log("without them: made");`;
    const r = Bun.spawnSync([process.execPath, "-e", script]);
    const refusal = "TypeError: sluice: httpSink's spool and heartbeat need a server runtime\n";
    expect(r.stdout.toString()).toBe(refusal + refusal + "without them: made\n");
  });
});

describe("httpSink: heartbeats", () => {
  test("heartbeats carry the producer and nextCheckInMs with the auth headers; close() sends shutdown: true and stops them", async () => {
    const s = scripted(ok);
    const log = createLogger({ sinks: [httpSink(s.url, { token: "hb", producer: "worker-3", heartbeat: { intervalMs: 50, graceMs: 25 } })] });
    const beats = () => s.seen.filter((r) => r.path === "/heartbeat");
    await until(() => beats().length >= 3);
    expect(beats().length).toBeGreaterThanOrEqual(3);
    for (const b of beats()) {
      expect(JSON.parse(b.text)).toEqual({ producer: "worker-3", nextCheckInMs: 50, graceMs: 25 });
      expect(b).toMatchObject({ method: "POST", auth: "Bearer hb", producer: "worker-3", contentType: "application/json" });
    }
    await log.close();
    const last = beats().at(-1)!;
    expect(JSON.parse(last.text)).toEqual({ producer: "worker-3", shutdown: true });
    const n = beats().length;
    await sleep(150);
    expect(beats().length).toBe(n);
    expect(s.seen.some((r) => r.path === "/ingest")).toBe(false);
  });

  test("heartbeatUrl is used when given, and failed heartbeats are reported, not fatal", async () => {
    const s = scripted((_, r) => (r.path === "/beat" ? new Response("nope", { status: 500 }) : ok()));
    const errors: Error[] = [];
    const log = createLogger({ sinks: [httpSink(s.url, { producer: "w", heartbeatUrl: `${s.base}/beat`, heartbeat: { intervalMs: 40 } })], onError: (e) => errors.push(e) });
    await until(() => errors.length >= 2);
    expect(errors.length).toBeGreaterThanOrEqual(2);
    expect(errors[0].message).toContain(`${s.base}/beat`);
    expect(errors[0].message).toContain("500");
    expect(errors[0].cause).toBeInstanceOf(HttpStatusError);
    expect([(errors[0].cause as HttpStatusError).status, (errors[0].cause as HttpStatusError).body]).toEqual([500, "nope"]);
    expect(s.seen.every((r) => r.path === "/beat")).toBe(true);
    expect(JSON.parse(s.seen[0].text)).toEqual({ producer: "w", nextCheckInMs: 40 });
    log.info("still logging");
    await log.flush();
    expect(log.stats().written).toBe(1);
    await log.close();
    expect(JSON.parse(s.seen.filter((r) => r.path === "/beat").at(-1)!.text)).toEqual({ producer: "w", shutdown: true });
  });
});

describe("httpSink: poison batches never block the spool", () => {
  test("a batch refused for its content (400), or answered 500 on every attempt, goes to dead/ with its reason; later batches flow; every record delivered or counted", async () => {
    const dir = mkdtempSync(join(tmpdir(), "sluice-dead-"));
    const delivered: string[] = [];
    const poison: typeof fetch = async (_url, init) => {
      const body = String(init!.body);
      if (body.includes('"poison400"')) return new Response("bad record", { status: 400 });
      if (body.includes('"poison500"')) return new Response("boom", { status: 500 });
      delivered.push(...body.split("\n").filter(Boolean).map((l) => JSON.parse(l).msg));
      return new Response("{}");
    };
    const errors: unknown[] = [];
    const log = createLogger({
      sinks: [httpSink("http://127.0.0.1:1/ingest", { spool: dir, gzip: false, fetch: poison, batch: { maxRecords: 1 }, retry: { maxAttempts: 2, baseDelayMs: 1 } })],
      onError: (e) => errors.push(e),
    });
    for (const msg of ["a", "poison400", "b", "poison500", "c"]) {
      log.info(msg);
      await log.flush();
    }
    await log.close();
    expect(delivered).toEqual(["a", "b", "c"]);
    expect(log.stats().dropped).toEqual({ "sink-error": 2 });
    expect(readdirSync(dir).filter((n) => n.endsWith(".batch"))).toEqual([]);
    const dead = readdirSync(join(dir, "dead")).sort();
    expect(dead.filter((n) => n.endsWith(".batch")).length).toBe(2);
    const reasons = dead.filter((n) => n.endsWith(".reason")).map((n) => readFileSync(join(dir, "dead", n), "utf8"));
    expect(reasons.some((r) => r.includes("HTTP 400 bad record"))).toBe(true);
    expect(reasons.some((r) => r.includes("after 2 attempts: HTTP 500 boom"))).toBe(true);
    expect(String(errors.map(String))).toContain("moved to");
  });

  test("a spool file that is no whole batch (cut short by a power cut, emptied, damaged) goes to dead/ with its reason; the batches behind it are sent", async () => {
    const dir = mkdtempSync(join(tmpdir(), "sluice-spool-damaged-"));
    const down = createLogger({ sinks: [httpSink("http://127.0.0.1:1/ingest", { spool: dir, retry: { maxAttempts: 1 }, batch: { maxRecords: 1 }, fetch: async () => { throw new Error("down"); } })], onError: () => {} });
    for (const msg of ["cut", "x", "y"]) {
      down.info(msg);
      await down.flush();
    }
    await down.close();
    const files = readdirSync(dir).filter((n) => n.endsWith(".batch")).sort();
    const first = join(dir, files[0]);
    writeFileSync(first, readFileSync(first, "utf8").slice(0, -5)); // the body cut short
    writeFileSync(join(dir, "000000000000000-000000-empty.batch"), ""); // renamed, its bytes never reached the disk
    writeFileSync(join(dir, "000000000000001-000000-junk.batch"), "{not json\n{}\n");
    const delivered: string[] = [];
    const errors: string[] = [];
    const log = createLogger({
      sinks: [httpSink("http://127.0.0.1:1/ingest", { spool: dir, gzip: false, fetch: async (_u, init) => {
        delivered.push(...String(init!.body).split("\n").filter(Boolean).map((l) => JSON.parse(l).msg));
        return new Response("{}");
      } })],
      onError: (e) => errors.push(e.message),
    });
    await until(() => delivered.length === 2, 3000);
    await log.close();
    expect(delivered).toEqual(["x", "y"]);
    expect(readdirSync(join(dir, "dead")).filter((n) => n.endsWith(".batch")).length).toBe(3);
    expect(errors.filter((m) => m.includes("not a whole spooled batch")).length).toBe(3);
  });

  test("a spool left by an earlier process: a poison batch among them goes to dead/, the ones behind it are sent", async () => {
    const dir = mkdtempSync(join(tmpdir(), "sluice-dead-resend-"));
    const down = createLogger({ sinks: [httpSink("http://127.0.0.1:1/ingest", { spool: dir, retry: { maxAttempts: 1 }, batch: { maxRecords: 1 }, fetch: async () => { throw new Error("down"); } })], onError: () => {} });
    for (const msg of ["x", "poison400", "y"]) {
      down.info(msg);
      await down.flush();
    }
    await down.close();
    expect(readdirSync(dir).filter((n) => n.endsWith(".batch")).length).toBe(3);
    const delivered: string[] = [];
    const log = createLogger({
      sinks: [httpSink("http://127.0.0.1:1/ingest", { spool: dir, gzip: false, fetch: async (_u, init) => {
        const body = String(init!.body);
        if (body.includes("poison400")) return new Response("no", { status: 422 });
        delivered.push(...body.split("\n").filter(Boolean).map((l) => JSON.parse(l).msg));
        return new Response("{}");
      } })],
      onError: () => {},
    });
    await until(() => delivered.length === 2, 3000);
    await log.close();
    expect(delivered).toEqual(["x", "y"]);
    expect(readdirSync(join(dir, "dead")).filter((n) => n.endsWith(".batch")).length).toBe(1);
  });
});
