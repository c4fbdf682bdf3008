// The router owns failover (issue 18): routeSink tells its distribution targets (Sink.routed)
// that its breaker is the retry policy, so httpSink targets with default options fail over
// within the breaker's bounds, a spooled one lets go of a failed batch, and copies keep their
// own retries. Real HTTP servers on 127.0.0.1 (tests/scenarios/route_failover.mjs, also run on Deno
// and Node); the full-size figure is bench/run_route_failover.ts.
import { afterEach, expect, test } from "bun:test";
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as sluice from "../mod.ts";
import { createLogger, httpSink, type LogRecord, routeSink, type RoutedPolicy, type Sink } from "../mod.ts";
import { runFailover as run } from "./scenarios/route_failover.mjs";
import { cleanup, runCleanup, sleep, until } from "./helpers/http.ts";

afterEach(runCleanup);
const runFailover = (options: Parameters<typeof run>[1]) => run(sluice, options);

test("three default httpSink targets, one answering 503: every refused record is accepted elsewhere within 5 s, none lost or doubled", async () => {
  const r = await runFailover({ records: 20_000, rate: 10_000, bad: "503" });
  expect(r.refused).toBeGreaterThan(0);
  expect(r.lost).toBe(0);
  expect(r.doubled).toBe(0);
  expect(r.worstMs).toBeLessThan(5_000);
  expect(r.accepted[0]).toBe(0);
  expect(r.accepted[1] + r.accepted[2]).toBe(20_000);
  expect(r.failedOver).toBeGreaterThanOrEqual(r.refused); // and the parts that waited for it when its breaker opened
  expect(r.dropped).toEqual({});
}, 30_000);

test("a default httpSink target that never answers gives its batch up at the breaker's timeoutMs (2 s), not its own 10 s: nothing lost or doubled", async () => {
  const r = await runFailover({ records: 20_000, rate: 10_000, bad: "hang" });
  expect(r.refused).toBeGreaterThan(0);
  expect(r.lost).toBe(0);
  expect(r.doubled).toBe(0);
  expect(r.worstMs).toBeGreaterThanOrEqual(1_900);
  expect(r.worstMs).toBeLessThan(4_000);
  expect(r.dropped).toEqual({});
}, 30_000);

test("an httpSink's own retry and timeout options do not apply under a router: one attempt each, within the breaker's timeout", async () => {
  const r = await runFailover({
    records: 5_000, rate: 10_000, bad: "503",
    target: () => ({ retry: { maxAttempts: 8, baseDelayMs: 2_000 }, timeoutMs: 60_000 }),
  });
  expect({ lost: r.lost, doubled: r.doubled }).toEqual({ lost: 0, doubled: 0 });
  expect(r.worstMs).toBeLessThan(1_000); // a second attempt would have waited for Retry-After: 1
}, 30_000);

test("a spooled httpSink under a router lets go of a refused batch: it moves to another target and its spool is left empty", async () => {
  const dirs = [0, 1, 2].map(() => mkdtempSync(join(tmpdir(), "sluice-route-spool-")));
  const r = await runFailover({ records: 5_000, rate: 10_000, bad: "503", target: (i) => ({ spool: dirs[i] }) });
  expect({ lost: r.lost, doubled: r.doubled }).toEqual({ lost: 0, doubled: 0 });
  expect(r.refused).toBeGreaterThan(0);
  expect(r.worstMs).toBeLessThan(5_000);
  for (const d of dirs) expect(readdirSync(d).filter((n) => n.endsWith(".batch"))).toEqual([]);
}, 30_000);

/** A server answering 503 until `up()`, then 200; keeps every accepted `n`. */
function flaky() {
  const got: number[] = [];
  let isUp = false;
  let requests = 0;
  const server = Bun.serve({
    port: 0, hostname: "127.0.0.1",
    async fetch(req) {
      requests++;
      const text = await new Response(req.body!.pipeThrough(new DecompressionStream("gzip"))).text();
      if (!isUp) return new Response("busy", { status: 503 });
      for (const l of text.split("\n")) if (l) got.push(JSON.parse(l).n);
      return new Response("{}");
    },
  });
  cleanup.push(() => server.stop(true));
  return { url: `http://127.0.0.1:${server.port}/ingest`, got, up: () => void (isUp = true), requests: () => requests };
}

test("with its only target down, a spooled httpSink under a router keeps the records in its spool and delivers each once when the target is back", async () => {
  const dir = mkdtempSync(join(tmpdir(), "sluice-route-spool-"));
  const a = flaky();
  const route = routeSink({ targets: [{ name: "a", sink: httpSink(a.url, { spool: dir, spoolRetryMs: 50 }) }] });
  const log = createLogger({ sinks: [route], onError: () => {} });
  for (let n = 0; n < 500; n++) log.info("m", { n });
  await log.flush();
  await until(() => readdirSync(dir).some((f) => f.endsWith(".batch")));
  expect(readdirSync(dir).some((f) => f.endsWith(".batch"))).toBe(true);
  expect(a.got).toEqual([]);
  a.up();
  await until(() => a.got.length >= 500, 5_000);
  await log.close();
  expect(a.got.slice().sort((x, y) => x - y)).toEqual(Array.from({ length: 500 }, (_, i) => i));
  expect(readdirSync(dir).filter((f) => f.endsWith(".batch"))).toEqual([]);
  expect(route.routeStats().spooled).toBe(500);
});

test("a copy target keeps its own retries (a failed copy is not moved): its 503s are retried and it gets every copy", async () => {
  const archive = flaky();
  const got: number[] = [];
  const main: Sink<LogRecord[]> = { name: "main", sync: false, defaultOnFull: "drop-newest", encode: (rs) => rs.slice(), write: (rs) => void got.push(...rs.map((r) => JSON.parse(r.json).n)), close() {} };
  const route = routeSink({
    targets: [{ name: "main", sink: main }, { name: "archive", copy: true, sink: httpSink(archive.url, { retry: { baseDelayMs: 20, maxDelayMs: 50 } }) }],
  });
  const log = createLogger({ sinks: [route], onError: () => {} });
  for (let n = 0; n < 100; n++) log.info("m", { n });
  await until(() => archive.requests() >= 2);
  expect(archive.requests()).toBeGreaterThanOrEqual(2); // refused (503) before it was up, and tried again
  archive.up();
  await log.close();
  expect(got.length).toBe(100);
  expect(archive.got.slice().sort((x, y) => x - y)).toEqual(Array.from({ length: 100 }, (_, i) => i));
  expect(route.routeStats().dropped).toEqual({});
});

test("routed: each distribution target is told the breaker's timeoutMs, again after reconfigure; copy targets and sinks without the hook are left alone", () => {
  const told: Record<string, RoutedPolicy[]> = { a: [], b: [], copy: [] };
  const sink = (name: string, hook = true): Sink<LogRecord[]> => ({
    name, sync: false, defaultOnFull: "drop-newest", encode: (rs) => rs.slice(), write() {}, close() {},
    ...(hook ? { routed: (p: RoutedPolicy) => void told[name].push(p) } : {}),
  });
  const [a, b, copy, plain] = [sink("a"), sink("b"), sink("copy"), sink("plain", false)];
  const route = routeSink({ targets: [{ name: "a", sink: a }, { name: "plain", sink: plain }, { name: "copy", sink: copy, copy: true }] });
  expect(told).toEqual({ a: [{ timeoutMs: 2_000 }], b: [], copy: [] });
  route.reconfigure({ targets: [{ name: "a", sink: a }, { name: "b", sink: b }], breaker: { timeoutMs: 300 } });
  expect(told).toEqual({ a: [{ timeoutMs: 2_000 }, { timeoutMs: 300 }], b: [{ timeoutMs: 300 }], copy: [] });
});

test("a routed httpSink times a request out at the router's timeoutMs when it is shorter than its own", async () => {
  const server = Bun.serve({ port: 0, hostname: "127.0.0.1", fetch: () => new Promise<Response>(() => {}) });
  cleanup.push(() => server.stop(true));
  const sink = httpSink(`http://127.0.0.1:${server.port}/ingest`, { timeoutMs: 30_000 });
  sink.routed!({ timeoutMs: 150 });
  const started = performance.now();
  const err = await Promise.resolve(sink.write(sink.encode([]))).catch((e: Error) => e);
  expect(String(err)).toMatch(/after 1 attempts: network error: timed out after 150 ms/);
  expect(performance.now() - started).toBeLessThan(1_000);
  await sleep(0);
});

test("while a half-open target's probe is out, new records go to the others instead of waiting behind it", async () => {
  const got = { a: [] as number[], b: [] as number[] };
  let bDown = true;
  const gate: { hold?: Promise<void> } = {};
  let release = () => {};
  const target = (name: "a" | "b"): Sink<LogRecord[]> => ({
    name, sync: false, defaultOnFull: "drop-newest", encode: (rs) => rs.slice(), close() {},
    async write(rs) {
      if (name === "b") {
        if (gate.hold) await gate.hold;
        if (bDown) throw new Error("b is down");
      }
      got[name].push(...rs.map((r) => JSON.parse(r.json).n));
    },
  });
  const route = routeSink({ targets: [{ name: "a", sink: target("a") }, { name: "b", sink: target("b") }], breaker: { failures: 1, openMs: 50, timeoutMs: 10_000 } });
  const log = createLogger({ sinks: [route], batch: { maxRecords: 10, maxAgeMs: 1 }, onError: () => {} });
  let n = 0;
  for (; n < 20; n++) log.info("m", { n });
  await log.flush();
  expect(route.routeStats().targets[1].state).toBe("open");
  await sleep(60);
  gate.hold = new Promise<void>((r) => (release = r));
  for (; n < 30; n++) log.info("m", { n }); // its part for b is the probe, and hangs
  await sleep(20);
  for (; n < 230; n++) {
    log.info("m", { n });
    if (n % 10 === 0) await sleep(1);
  }
  await until(() => got.a.filter((x) => x >= 30).length === 200, 1_000);
  expect(got.a.filter((x) => x >= 30).length).toBe(200); // none waited behind the probe (before: half of them)
  bDown = false;
  release();
  await log.close();
  expect([...got.a, ...got.b].sort((x, y) => x - y)).toEqual(Array.from({ length: 230 }, (_, i) => i));
  expect(route.routeStats().targets[1].state).toBe("closed");
});

test("with every target down, records go to the spool of a target that answers rather than one whose write hangs", async () => {
  const spooled = { a: 0, b: 0 };
  let release = () => {};
  const hang = new Promise<void>((r) => (release = r));
  const target = (name: "a" | "b"): Sink<LogRecord[]> => ({
    name, sync: false, defaultOnFull: "drop-newest", encode: (rs) => rs.slice(), close() {},
    async write() {
      if (name === "a") await hang; // a's write hangs, then fails
      throw new Error(`${name} is down`);
    },
    writeSync: (rs) => void (spooled[name] += rs.length),
  });
  const route = routeSink({ targets: [{ name: "a", sink: target("a") }, { name: "b", sink: target("b") }], breaker: { failures: 1, openMs: 60_000, timeoutMs: 20 } });
  const log = createLogger({ sinks: [route], batch: { maxRecords: 10, maxAgeMs: 1 }, onError: () => {} });
  for (let n = 0; n < 10; n++) log.info("m", { n });
  await sleep(50); // a is stuck past timeoutMs, b refused and is open
  for (let n = 10; n < 210; n++) log.info("m", { n });
  await sleep(50);
  expect(spooled.a).toBe(0);
  expect(spooled.b).toBeGreaterThanOrEqual(200);
  release();
  await log.close();
  expect(spooled.a + spooled.b).toBe(210); // a's hung part failed at last and was spooled too
});

test("a backlog behind a slow target drains in writes of up to its sink's batch limit, not one write per part; nothing lost or doubled", async () => {
  const sizes: number[] = [];
  const got: number[] = [];
  const slow: Sink<LogRecord[]> = {
    name: "slow", sync: false, defaultOnFull: "drop-newest", encode: (rs) => rs.slice(), close() {},
    batch: { maxRecords: 500 },
    async write(rs) {
      sizes.push(rs.length);
      await sleep(30);
      got.push(...rs.map((r) => JSON.parse(r.json).n));
    },
  };
  const route = routeSink({ targets: [{ name: "slow", sink: slow }] });
  const log = createLogger({ sinks: [route], batch: { maxRecords: 10, maxAgeMs: 1 }, maxQueuedRecords: 10_000 });
  for (let n = 0; n < 3000; n++) {
    log.info("m", { n });
    if (n % 10 === 9) await sleep(0); // parts of about 10 records
  }
  await log.close();
  expect(got.slice().sort((a, b) => a - b)).toEqual(Array.from({ length: 3000 }, (_, i) => i));
  expect(Math.max(...sizes)).toBeLessThanOrEqual(500);
  expect(sizes.length).toBeLessThan(40); // one write per part would be about 300
});

test("a batch given up at the breaker's timeout and spooled to the same target (no other is up) keeps its Idempotency-Key: a collector that wrote it while the write hung writes it once", async () => {
  const keys: string[] = [];
  let hang = true;
  const server = Bun.serve({
    port: 0, hostname: "127.0.0.1",
    async fetch(req) {
      keys.push(req.headers.get("idempotency-key") ?? "");
      await req.text();
      if (hang) {
        hang = false;
        await Bun.sleep(800); // written, but answered after the breaker's 300 ms
      }
      return new Response("{}");
    },
  });
  const dir = mkdtempSync(join(tmpdir(), "sluice-route-key-"));
  const log = createLogger({
    sinks: [routeSink({ targets: [{ name: "only", sink: httpSink(`http://127.0.0.1:${server.port}/ingest`, { spool: dir, gzip: false, spoolRetryMs: 100 }) }], breaker: { timeoutMs: 300 } })],
    onError: () => {},
  });
  try {
    log.info("once", { n: 1 });
    for (const deadline = Date.now() + 5000; keys.length < 2 && Date.now() < deadline;) await Bun.sleep(20);
    await log.close();
  } finally {
    server.stop(true);
  }
  expect(keys.length).toBeGreaterThanOrEqual(2);
  expect(new Set(keys).size).toBe(1);
}, 15_000);

test("at exit, the records a router handed to a hanging target are kept in its spool (the write in flight under the key it was sent with), none lost silently", async () => {
  const keys: string[] = [];
  const server = Bun.serve({
    port: 0, hostname: "127.0.0.1",
    async fetch(req) {
      if (new URL(req.url).pathname === "/ingest") keys.push(req.headers.get("idempotency-key") ?? "");
      await req.text();
      await Bun.sleep(60_000); // never answers while the producer lives
      return new Response("{}");
    },
  });
  const dir = mkdtempSync(join(tmpdir(), "sluice-route-exit-"));
  const script = join(dir, "producer.mjs");
  writeFileSync(script, `
    const { createLogger, httpSink, routeSink } = await import(${JSON.stringify(new URL("../mod.ts", import.meta.url).pathname)});
    const sink = httpSink("http://127.0.0.1:${server.port}/ingest", { spool: ${JSON.stringify(join(dir, "spool"))}, gzip: false, batch: { maxRecords: 10 } });
    const copy = httpSink("http://127.0.0.1:${server.port}/copy", { gzip: false, batch: { maxRecords: 10 } });
    const route = routeSink({ targets: [{ name: "only", sink }, { name: "copy", sink: copy, copy: true }], breaker: { timeoutMs: 60000 }, batch: { maxRecords: 10, maxAgeMs: 1 } });
    const log = createLogger({ sinks: [route] });
    for (let i = 0; i < 30; i++) { log.info("r", { i }); await new Promise((r) => setTimeout(r, 5)); }
    await new Promise((r) => setTimeout(r, 300));
    process.on("exit", () => console.log(JSON.stringify(route.routeStats().dropped)));
    process.exit(0);
  `);
  try {
    const child = Bun.spawn([process.execPath, script], { stdout: "pipe", stderr: "pipe" });
    expect(await child.exited).toBe(0);
    // the copies (one write in flight, the rest waiting) are counted as failed copies, not dropped silently
    expect(JSON.parse((await new Response(child.stdout).text()).trim().split("\n").at(-1)!)).toEqual({ "copy-failed": 30 });
  } finally {
    server.stop(true);
  }
  const files = readdirSync(join(dir, "spool")).filter((n) => n.endsWith(".batch"));
  const spooled = files.flatMap((n) => readFileSync(join(dir, "spool", n), "utf8").split("\n").slice(1).filter(Boolean).map((l) => JSON.parse(l).i));
  expect(spooled.sort((a, b) => a - b)).toEqual([...Array(30).keys()]);
  expect(keys.length).toBe(1); // one write in flight, the rest waiting behind it
  expect(files.some((n) => n.includes(keys[0]))).toBe(true);
}, 20_000);
