// routeSink: weighted shares, consistent hashing, the breaker's states, failover that loses and
// doubles nothing (in-memory targets and real local HTTP analyzers killed and restarted).
import { expect, test } from "bun:test";
import { createLogger, createRecord, httpSink, routeSink, type LogRecord, type RouteTarget, type Sink } from "../api.ts";
import { Breaker } from "../lib/sinks/route/breaker.ts";
import { HashRing } from "../lib/sinks/route/hash_ring.ts";
import { until } from "./helpers/http.ts";

/** A target sink keeping the `n` field of every record it wrote; `fail()` makes writes reject, `hang` holds them. */
function memory(name: string) {
  const got: number[] = [];
  const state = { down: false, hang: undefined as Promise<void> | undefined, writes: 0 };
  const sink: Sink<LogRecord[]> = {
    name, sync: false, defaultOnFull: "drop-newest",
    encode: (records) => records.slice(),
    async write(records) {
      state.writes++;
      if (state.hang) await state.hang;
      if (state.down) throw new Error(`${name} is down`);
      for (const r of records) got.push(JSON.parse(r.json).n);
    },
    close: () => {},
  };
  return { sink, got, state };
}
const rec = (n: number, level: "info" | "error" = "info", category?: string) => createRecord(Date.now(), level, category, "m", `,"n":${n}}`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
function expectEachOnce(all: number[], n: number) {
  const sorted = all.slice().sort((a, b) => a - b);
  expect(sorted.length).toBe(n);
  expect(sorted).toEqual(Array.from({ length: n }, (_, i) => i));
}

test("over 100,000 records each target's share is within 5% of its weight", async () => {
  const ts = [memory("a"), memory("b"), memory("c")];
  const weights = [5, 3, 2];
  const route = routeSink({ targets: ts.map((t, i) => ({ name: t.sink.name, weight: weights[i], sink: t.sink })) });
  const log = createLogger({ sinks: [route], maxQueuedRecords: 200_000 });
  for (let n = 0; n < 100_000; n++) log.info("m", { n });
  await log.close();
  expectEachOnce(ts.flatMap((t) => t.got), 100_000);
  for (const [i, t] of ts.entries()) expect(Math.abs(t.got.length / 100_000 - weights[i] / 10)).toBeLessThan(0.05 * weights[i] / 10);
  expect(route.routeStats().targets.map((t) => Math.round(t.share * 10))).toEqual(weights);
});

test("sticky by key: the same key always goes to one target, and adding a target moves only the keys it takes", () => {
  const three = new HashRing([{ name: "a", weight: 1 }, { name: "b", weight: 1 }, { name: "c", weight: 1 }]);
  const four = new HashRing([{ name: "a", weight: 1 }, { name: "b", weight: 1 }, { name: "c", weight: 1 }, { name: "d", weight: 1 }]);
  let moved = 0;
  for (let k = 0; k < 20_000; k++) {
    const before = three.walk(`key-${k}`, () => true)!.name;
    const after = four.walk(`key-${k}`, () => true)!.name;
    expect(three.walk(`key-${k}`, () => true)!.name).toBe(before);
    if (before !== after) {
      expect(after).toBe("d");
      moved++;
    }
  }
  expect(Math.abs(moved / 20_000 - 0.25)).toBeLessThan(0.05);
});

test("the breaker: closed → open after N failures → half-open after openMs with one probe → closed, or open again", () => {
  let now = 0;
  const b = new Breaker({ failures: 3, openMs: 1000 }, () => now);
  b.failure(); b.failure();
  expect(b.state).toBe("closed");
  b.success(); b.failure(); b.failure();
  expect(b.state).toBe("closed"); // a success resets the count
  b.failure();
  expect(b.state).toBe("open");
  expect(b.allow()).toBe(false);
  now = 999;
  expect(b.state).toBe("open");
  now = 1000;
  expect(b.state).toBe("half-open");
  expect(b.allow()).toBe(true);
  expect(b.allow()).toBe(false); // one probe at a time
  b.failure();
  expect(b.state).toBe("open"); // a failed probe opens it again
  now = 2000;
  expect(b.allow()).toBe(true);
  b.success();
  expect(b.state).toBe("closed");
  b.failure(true);
  expect(b.state).toBe("open"); // a timeout trips it at once
  expect(b.opened).toBe(3);
  expect(() => new Breaker({ failures: 0 }, () => 0)).toThrow(RangeError);
});

test("a target that fails under load: its records move to the others, it comes back after a probe, nothing lost or doubled", async () => {
  const [a, b, c] = [memory("a"), memory("b"), memory("c")];
  const route = routeSink({ targets: [a, b, c].map((t) => ({ name: t.sink.name, sink: t.sink })), breaker: { failures: 2, openMs: 100 } });
  const errors: Error[] = [];
  const log = createLogger({ sinks: [route], batch: { maxRecords: 50, maxAgeMs: 1 }, onError: (e) => errors.push(e) });
  let n = 0;
  const burst = async (count: number) => {
    for (let i = 0; i < count; i++) {
      log.info("m", { n: n++ });
      if (i % 50 === 0) await sleep(1);
    }
  };
  await burst(2000);
  b.state.down = true;
  await burst(2000);
  await log.flush();
  expect(route.routeStats().targets[1].state).not.toBe("closed");
  const duringOutage = b.got.length;
  b.state.down = false;
  await sleep(150);
  await burst(2000);
  await log.close();
  expectEachOnce([...a.got, ...b.got, ...c.got], 6000);
  expect(b.got.length).toBeGreaterThan(duringOutage); // back in the rotation
  const s = route.routeStats();
  expect(s.targets[1].state).toBe("closed");
  expect(s.targets[1].opened).toBeGreaterThanOrEqual(1);
  expect(s.failedOver).toBeGreaterThan(0);
  expect(log.stats().sinks[0].dropped).toEqual({});
});

test("a target that hangs trips its breaker after timeoutMs; its batch stays with it (written once) while new records go elsewhere", async () => {
  const [a, b] = [memory("a"), memory("b")];
  let release!: () => void;
  b.state.hang = new Promise((r) => (release = r));
  const route = routeSink({ targets: [a, b].map((t) => ({ name: t.sink.name, sink: t.sink })), breaker: { timeoutMs: 50, openMs: 60_000 } });
  const log = createLogger({ sinks: [route], batch: { maxRecords: 10, maxAgeMs: 1 } });
  for (let n = 0; n < 10; n++) log.info("m", { n });
  await sleep(120);
  expect(route.routeStats().targets[1].state).toBe("open");
  for (let n = 10; n < 1010; n++) log.info("m", { n });
  await sleep(50);
  expect(a.got.filter((n) => n >= 10).length).toBe(1000); // all new records went to a within the timeout
  b.state.hang = undefined;
  release();
  await log.close();
  expectEachOnce([...a.got, ...b.got], 1010);
  expect(b.got.length).toBe(5);
});

test("a slow target holds up only its own part: the others get new records at once, and its waiting part moves on when its breaker opens", async () => {
  const [a, b] = [memory("a"), memory("b")];
  let release!: () => void;
  b.state.hang = new Promise((r) => (release = r));
  const route = routeSink({ targets: [a, b].map((t) => ({ name: t.sink.name, sink: t.sink })), breaker: { timeoutMs: 1000, openMs: 60_000 } });
  const log = createLogger({ sinks: [route], batch: { maxRecords: 10, maxAgeMs: 1 } });
  for (let n = 0; n < 10; n++) log.info("m", { n }); // 5 to a, 5 to b, whose write hangs
  await until(() => b.state.writes === 1 && a.got.length === 5);
  const started = performance.now();
  for (let n = 10; n < 20; n++) log.info("m", { n }); // 5 more each
  await until(() => a.got.length === 10, 900);
  expect(a.got.length).toBe(10); // a got its part at once, not after b's timeoutMs
  expect(performance.now() - started).toBeLessThan(500);
  expect(b.state.writes).toBe(1); // one write at a time per target: b's second part waits for the first
  expect(route.routeStats().targets[1]).toMatchObject({ state: "closed", inflight: 10 });
  await until(() => route.routeStats().targets[1].state === "open");
  await until(() => a.got.length === 15, 200);
  expect(a.got.slice(10).sort((x, y) => x - y)).toEqual([11, 13, 15, 17, 19]); // b's waiting part, moved when its breaker opened
  b.state.hang = undefined;
  release();
  await log.close();
  expectEachOnce([...a.got, ...b.got], 20);
  expect(b.got).toEqual([1, 3, 5, 7, 9]); // the part it held, written once
  expect(route.routeStats().failedOver).toBe(5);
  expect(b.state.writes).toBe(1);
});

test("a target whose write hangs past timeoutMs takes no new parts, half-open or not, until that write ends", async () => {
  const [a, b] = [memory("a"), memory("b")];
  let release!: () => void;
  b.state.hang = new Promise((r) => (release = r));
  const route = routeSink({ targets: [a, b].map((t) => ({ name: t.sink.name, sink: t.sink })), breaker: { timeoutMs: 50, openMs: 50 } });
  const log = createLogger({ sinks: [route], batch: { maxRecords: 10, maxAgeMs: 1 } });
  for (let n = 0; n < 10; n++) log.info("m", { n });
  await until(() => b.state.writes === 1);
  await sleep(150); // b's breaker opened at 50 ms and is half-open now, its write still hanging
  expect(route.routeStats().targets[1].state).toBe("half-open");
  for (let n = 10; n < 110; n++) log.info("m", { n });
  await until(() => a.got.length === 105, 500);
  expect(a.got.length).toBe(105); // none of them waits behind b's hung write
  expect(route.routeStats().targets[1].inflight).toBe(5);
  b.state.hang = undefined;
  release();
  await log.close();
  expectEachOnce([...a.got, ...b.got], 110);
  expect(b.got).toEqual([1, 3, 5, 7, 9]);
  expect(b.state.writes).toBe(1);
});

test("targets slower than the records: the router holds at most maxQueuedRecords handed to them (plus a batch), the rest waits in its queue or is dropped as queue-full", async () => {
  const a = memory("a");
  let release!: () => void;
  a.state.hang = new Promise((r) => (release = r));
  const route = routeSink({ targets: [{ name: "a", sink: a.sink }], breaker: { timeoutMs: 60_000 }, maxQueuedRecords: 100, batch: { maxRecords: 10, maxAgeMs: 1 } });
  const log = createLogger({ sinks: [route], onError: () => {} });
  let most = 0;
  for (let n = 0; n < 1000; n++) {
    log.info("m", { n });
    if (n % 10 === 0) await sleep(1);
    most = Math.max(most, route.routeStats().targets[0].inflight);
  }
  expect(most).toBeGreaterThan(90);
  expect(most).toBeLessThanOrEqual(110);
  a.state.hang = undefined;
  release();
  await log.close();
  const dropped = log.stats().dropped["queue-full"] ?? 0;
  expect(dropped).toBeGreaterThan(0);
  expect(a.got.length + dropped).toBe(1000);
  expect(new Set(a.got).size).toBe(a.got.length);
});

test("with every target down: records go to a target's spool (writeSync), or are counted as all-targets-down", async () => {
  const a = memory("a");
  a.state.down = true;
  const spooled: number[] = [];
  const b = memory("b");
  b.state.down = true;
  const withSpool: Sink<LogRecord[]> = { ...b.sink, writeSync: (rs) => void spooled.push(...rs.map((r) => JSON.parse(r.json).n)) };
  const route = routeSink({ targets: [{ name: "a", sink: a.sink }, { name: "b", sink: withSpool }], breaker: { failures: 1, openMs: 60_000 } });
  const log = createLogger({ sinks: [route], onError: () => {} });
  for (let n = 0; n < 100; n++) log.info("m", { n });
  await log.close();
  expectEachOnce(spooled, 100);
  expect(route.routeStats().spooled).toBe(100);

  const c = memory("c");
  c.state.down = true;
  const lonely = routeSink({ targets: [{ name: "c", sink: c.sink }], breaker: { failures: 1 } });
  const log2 = createLogger({ sinks: [lonely], onError: () => {} });
  for (let n = 0; n < 100; n++) log2.info("m", { n });
  await log2.close();
  expect(lonely.routeStats().dropped).toEqual({ "all-targets-down": 100 });
  expect(log2.stats().sinks[0]).toMatchObject({ written: 0, dropped: { "sink-error": 100 } });
});

test("filters pick targets by level, category prefix and predicate; copy targets get everything they take; the rest is unmatched", async () => {
  const [errs, http, even, archive] = [memory("errs"), memory("http"), memory("even"), memory("archive")];
  const targets: RouteTarget[] = [
    { name: "errs", sink: errs.sink, level: "error" },
    { name: "http", sink: http.sink, categoryPrefix: "http" },
    { name: "even", sink: even.sink, filter: (r) => JSON.parse(r.json).n % 2 === 0 && r.level === "info" },
    { name: "archive", sink: archive.sink, copy: true },
  ];
  const route = routeSink({ targets });
  const records = [rec(0, "error"), rec(1, "info", "http.db"), rec(2), rec(3), rec(4, "info", "other")];
  await route.write(route.encode(records));
  expect(errs.got).toEqual([0]);
  expect(http.got).toEqual([1]);
  expect(even.got).toEqual([2, 4]);
  expect(archive.got).toEqual([0, 1, 2, 3, 4]);
  expect(route.routeStats().unmatched).toBe(1);
  expect(() => routeSink({ targets: [{ name: "x", sink: errs.sink }, { name: "x", sink: http.sink }] })).toThrow(/unique/);
  expect(() => routeSink({ targets: [{ name: "x", sink: errs.sink, weight: 0 }] })).toThrow(/weight/);
});

test("real HTTP analyzers: one killed and restarted under load, every record arrives exactly once", async () => {
  const seen: number[] = [];
  const analyzer = (port = 0) => Bun.serve({
    port, hostname: "127.0.0.1",
    async fetch(req) {
      for (const line of (await req.text()).split("\n")) if (line) seen.push(JSON.parse(line).n);
      return new Response(null, { status: 204 });
    },
  });
  const servers = [analyzer(), analyzer(), analyzer()];
  const ports = servers.map((s) => s.port);
  const route = routeSink({
    targets: ports.map((p, i) => ({ name: `a${i}`, sink: httpSink(`http://127.0.0.1:${p}/ingest`, { gzip: false }) })),
    breaker: { failures: 1, openMs: 200, timeoutMs: 1000 },
  });
  const log = createLogger({ sinks: [route], batch: { maxRecords: 100, maxAgeMs: 2 }, onError: () => {} });
  const total = 6000;
  let writtenBeforeRestart = 0;
  for (let n = 0; n < total; n++) {
    if (n === 2000) servers[1].stop(true);
    if (n === 4000) {
      servers[1] = analyzer(ports[1]);
      writtenBeforeRestart = route.routeStats().targets[1].written;
      await sleep(250); // past openMs: the next batch for a1 is its probe
    }
    log.info("m", { n });
    if (n % 100 === 0) await sleep(2);
  }
  await log.close();
  for (const s of servers) s.stop(true);
  expectEachOnce(seen, total);
  expect(route.routeStats().targets[1].opened).toBeGreaterThanOrEqual(1);
  expect(route.routeStats().targets[1].state).toBe("closed");
  expect(route.routeStats().targets[1].written).toBeGreaterThan(writtenBeforeRestart); // back in the rotation
});

test("reconfigure: a removed target's batch in flight stays with it (written once), flush() waits for it, and it is closed after; new weights apply; a bad table keeps the old one", async () => {
  const [a, b, c] = [memory("a"), memory("b"), memory("c")];
  let closedA = 0;
  a.sink.close = () => void closedA++;
  let release!: () => void;
  a.state.hang = new Promise<void>((r) => (release = r));
  // a's first part hangs; its second waits behind it, and moves on to b and c once a is removed
  const route = routeSink({ targets: [{ name: "a", sink: a.sink }, { name: "b", sink: b.sink }], breaker: { timeoutMs: 50, openMs: 60_000 } });
  const log = createLogger({ sinks: [route], batch: { maxRecords: 10, maxAgeMs: 1 } });
  for (let n = 0; n < 20; n++) log.info("m", { n });
  await until(() => route.routeStats().targets[0].inflight > 0, 2000);
  expect(() => route.reconfigure({ targets: [{ name: "b", sink: b.sink }, { name: "b", sink: c.sink }] })).toThrow(/unique/);
  route.reconfigure({ targets: [{ name: "b", weight: 1, sink: b.sink }, { name: "c", weight: 3, sink: c.sink }] });
  const held = route.routeStats().targets.find((t) => t.name === "a")!.inflight; // taken once a is removed: it gets nothing new
  expect(held).toBeGreaterThan(0); // a holds its part of the batch
  expect(route.routeStats().targets.map((t) => [t.name, t.state])).toEqual([["b", "closed"], ["c", "closed"], ["a", "retiring"]]);
  for (let n = 20; n < 4020; n++) log.info("m", { n });
  // flush() means written: it waits for the part a still holds, so it is pending while a hangs
  let flushed = false;
  const flushing = log.flush().then(() => void (flushed = true));
  await until(() => b.got.length + c.got.length === 4020 - held, 3000);
  expect(b.got.length + c.got.length).toBe(4020 - held); // everything else written by b and c meanwhile
  await sleep(100);
  expect(flushed).toBe(false);
  expect(closedA).toBe(0);
  expect(route.routeStats().targets.find((t) => t.name === "a")).toMatchObject({ state: "retiring", inflight: held });
  a.state.hang = undefined;
  release();
  await flushing; // a answered: its part is written, then a is flushed and closed
  expect(closedA).toBe(1);
  expect(route.routeStats().targets.map((t) => t.name)).toEqual(["b", "c"]);
  await log.close();
  expect(closedA).toBe(1);
  expect(a.got).toHaveLength(held);
  expectEachOnce([...a.got, ...b.got, ...c.got], 4020);
  expect(Math.abs(c.got.length / (b.got.length + c.got.length) - 0.75)).toBeLessThan(0.05 * 0.75);
  expect(route.routeStats().reconfigured).toBe(1);
});

test("log.stats() carries the router's counters as the sink's details", async () => {
  const [a, b] = [memory("a"), memory("b")];
  const route = routeSink({ targets: [{ name: "a", weight: 1, sink: a.sink }, { name: "b", weight: 1, sink: b.sink }] });
  const log = createLogger({ sinks: [route] });
  for (let n = 0; n < 100; n++) log.info("m", { n });
  await log.flush();
  const details = log.stats().sinks[0].details as ReturnType<typeof route.routeStats>;
  expect(details.targets.map((t) => [t.name, t.written, t.share, t.state])).toEqual([["a", 50, 0.5, "closed"], ["b", 50, 0.5, "closed"]]);
  await log.close();
});

test("a route target copies the messages of a part that has waited 1 s already when it arrives (moved on from a failed target), not of a fresh one", async () => {
  const { makeTable } = await import("../lib/sinks/route/route_targets.ts");
  const { targetTurns } = await import("../lib/sinks/route/target_turns.ts");
  const hanging: Sink = { name: "hanging", sync: false, defaultOnFull: "drop-newest", encode: (r) => r, write: () => new Promise(() => {}), close: () => {} };
  const [t] = makeTable({ targets: [{ name: "t", sink: hanging }] }, undefined, Date.now).distributed;
  const timers: ReturnType<typeof setTimeout>[] = [];
  const turn = targetTurns({ timeoutMs: () => 60_000, unrefTimer: (x) => timers.push(x as ReturnType<typeof setTimeout>), report: () => {} });
  // a record whose message setter tells when keepOwnMessage gives it a copy
  const watched = () => {
    let msg = "m", copies = 0;
    const rec = Object.defineProperty({ ...createRecord(0, "info", undefined, "m", "}") }, "msg", { get: () => msg, set: (v: string) => ((msg = v), copies++) });
    return { rec: rec as LogRecord, copies: () => copies };
  };
  const first = watched(), fresh = watched(), late = watched();
  void turn(t, [first.rec], performance.now()); // in flight, unanswered: t is busy, not slow yet
  void turn(t, [fresh.rec], performance.now());
  void turn(t, [late.rec], performance.now() - 1500);
  expect([first.copies(), fresh.copies(), late.copies()]).toEqual([0, 0, 1]);
  expect(t.slow).toBe(false);
  for (const x of timers) clearTimeout(x);
});
