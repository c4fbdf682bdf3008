// httpSink end to end against the real collector (serve): files on disk, an outage and
// recovery, a spool across a producer restart, heartbeats seen by the collector.
import { afterEach, describe, expect, test } from "bun:test";
import { existsSync, mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createLogger } from "../mod.ts";
import { httpSink } from "../lib/sinks/http_sink.ts";
import { collector, ok, records, runCleanup, TOKEN } from "./helpers/http.ts";

afterEach(runCleanup);

describe("httpSink: against the collector", () => {
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

  test("fields named time, level, msg or category pass through the collector as _time, ...: the record keeps its own, nothing is refused", async () => {
    const c = await collector();
    const errors: unknown[] = [];
    const log = createLogger({ sinks: [httpSink(`${c.url}/ingest`, { token: TOKEN })], onError: (e) => errors.push(e) });
    const nanos = Date.now() * 1e6; // a caller's nanoseconds, out of a Date's range as ms
    const before = Date.now();
    log.child({ category: "ctx" }, { category: "billing" }).warn("charged", { time: nanos, level: "fatal", msg: "forged", n: 1 });
    await log.flush();
    await log.close();
    expect(errors).toEqual([]);
    const [r] = records(c.dir, "billing.ndjson");
    expect(r).toMatchObject({ level: "warn", category: "billing", msg: "charged", _time: nanos, _level: "fatal", _msg: "forged", _category: "ctx", n: 1, producer: "edge" });
    expect(Date.parse(r.time)).toBeGreaterThanOrEqual(before - 1);
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
