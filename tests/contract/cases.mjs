// DESIGN.md's contract, as test cases any runner can register: bun:test, deno test and
// node --test each run them against their own runtime and entry (mod.ts or dist/mod.js).
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { memorySink, memoryWritable, readLines, sleep, tempDir } from "./helpers.mjs";

const childScript = new URL("../fixtures/child.mjs", import.meta.url).pathname;

/**
 * @param lib the library module under test
 * @param env { cmd: string[] to run a script on this runtime, mod: the entry's absolute path }
 * @returns {{ name: string, fn: () => unknown }[]}
 */
export function contractCases(lib, env) {
  const { createLogger, fileSink, streamSink, LogLossError, DrainTimeoutError } = lib;
  const cases = [];
  const test = (name, fn) => cases.push({ name, fn });
  const runChild = (scenario, extra = {}) => {
    const out = join(tempDir(), "child.ndjson");
    const r = spawnSync(env.cmd[0], [...env.cmd.slice(1), childScript], {
      env: { ...process.env, MOD: env.mod, OUT: out, SCENARIO: scenario, N: "20000", ...extra },
      encoding: "utf8",
      timeout: 20000,
    });
    return { status: r.status, signal: r.signal, stderr: r.stderr, lines: readLines(out), error: r.error };
  };

  test("a log call never throws: throwing getters, toJSON, lazy messages and onError", () => {
    const errors = [];
    const { sink, lines } = memorySink();
    const log = createLogger({ sinks: [sink], onError: (e) => { errors.push(e); throw new Error("onError broke"); } });
    const evil = { get boom() { throw new Error("getter"); } };
    log.info("getter", evil);
    log.info("toJSON", { x: { toJSON() { throw new Error("tojson"); } } });
    log.info(() => { throw new Error("lazy"); });
    log.info("fields fn", () => { throw new Error("lazy fields"); });
    log.info("bigint", { n: 1n });
    const circ = { a: 1 }; circ.self = circ;
    log.info("circular", { circ });
    return log.flush().then(() => {
      assert.equal(lines.length, 4);
      assert.deepEqual(lines.map((l) => l.msg), ["getter", "toJSON", "bigint", "circular"]);
      assert.ok(JSON.parse(lines[0].json).boom.startsWith("[Throws: getter"));
      assert.equal(errors.length, 2, "the two throwing lazy calls reach onError");
    });
  });

  test("records are snapshots: changing an object after logging does not change the record", async () => {
    const dir = tempDir();
    const log = createLogger({ sinks: [fileSink(join(dir, "a.ndjson"))] });
    const user = { name: "alice", tags: ["a"] };
    log.info("before", { user });
    user.name = "bob";
    user.tags.push("b");
    await log.close();
    const [rec] = readLines(join(dir, "a.ndjson"));
    assert.deepEqual(rec.user, { name: "alice", tags: ["a"] });
  });

  test("flush means written: every record logged before flush() is in the file when it resolves", async () => {
    const file = join(tempDir(), "f.ndjson");
    const log = createLogger({ sinks: [fileSink(file)] });
    for (let i = 0; i < 5000; i++) log.info("r", { i });
    await log.flush();
    const lines = readLines(file);
    assert.equal(lines.length, 5000);
    assert.deepEqual(lines.map((l) => l.i), [...Array(5000).keys()]);
    log.info("after");
    await log.flush();
    assert.equal(readLines(file).length, 5001);
    await log.close();
  });

  test("NDJSON record format: time, level, category, msg, bindings, fields", async () => {
    const file = join(tempDir(), "fmt.ndjson");
    const log = createLogger({ sinks: [fileSink(file)], bindings: { app: "shop" } });
    log.child({ reqId: "r1" }, { category: "http" }).warn("slow", { ms: 900 });
    await log.close();
    const text = readFileSync(file, "utf8");
    assert.match(text, /^\{"time":"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z","level":"warn","category":"http","msg":"slow","app":"shop","reqId":"r1","ms":900\}\n$/);
  });

  test("block (the file default): a full queue is drained synchronously, nothing lost, order kept", async () => {
    const file = join(tempDir(), "b.ndjson");
    const log = createLogger({ sinks: [fileSink(file)], maxQueuedRecords: 64 });
    for (let i = 0; i < 10000; i++) {
      log.info("r", { i });
      if (i % 777 === 0) await Promise.resolve();
    }
    await log.close();
    const lines = readLines(file);
    assert.deepEqual(lines.map((l) => l.i), [...Array(10000).keys()]);
    assert.deepEqual(log.stats().dropped, {});
    assert.equal(log.stats().written, 10000);
  });

  test("drop-newest: a slow stream drops new records, counts them and reports once", async () => {
    const mem = memoryWritable();
    mem.pause();
    const errors = [];
    const log = createLogger({ sinks: [streamSink(mem.writable)], maxQueuedRecords: 100, onError: (e) => errors.push(e) });
    for (let i = 0; i < 1000; i++) log.info("r", { i });
    const s = log.stats();
    assert.equal(s.dropped["queue-full"], 900);
    assert.equal(s.queued, 100);
    assert.equal(errors.length, 1);
    assert.ok(errors[0] instanceof LogLossError);
    assert.equal(errors[0].reason, "queue-full");
    mem.resume();
    await log.close();
    assert.deepEqual(mem.lines().map((l) => l.i), [...Array(100).keys()]);
    const end = log.stats();
    assert.equal(end.written + end.dropped["queue-full"], end.logged);
  });

  test("drop-oldest: a slow stream keeps the newest records", async () => {
    const mem = memoryWritable();
    const log = createLogger({ sinks: [streamSink(mem.writable, { onFull: "drop-oldest" })], maxQueuedRecords: 100, onError: () => {} });
    log.info("first");
    await sleep(5); // the first batch is now in the sink
    mem.pause();
    log.info("second");
    await sleep(5);
    for (let i = 0; i < 1000; i++) log.info("r", { i });
    mem.resume();
    await log.close();
    const lines = mem.lines();
    const s = log.stats();
    assert.equal(s.written + s.dropped["queue-full"], s.logged);
    assert.equal(lines.at(-1).i, 999);
    assert.ok(s.dropped["queue-full"] > 0);
    assert.ok(lines.length <= 102);
  });

  test("drop-oldest keeps maxQueuedBytes when large records follow small ones: as many of the oldest go as make room", async () => {
    const mem = memoryWritable();
    const log = createLogger({ sinks: [streamSink(mem.writable, { onFull: "drop-oldest" })], maxQueuedRecords: 1000, maxQueuedBytes: 64 * 1024, batch: { maxBytes: 1 << 30, maxAgeMs: 5000 }, onError: () => {} });
    mem.pause();
    for (let i = 0; i < 700; i++) log.info("small " + "x".repeat(80));
    const big = "y".repeat(32 * 1024);
    let most = 0;
    for (let i = 0; i < 100; i++) {
      log.info("big", { i, big });
      most = Math.max(most, log.stats().sinks[0].queuedBytes);
    }
    // the bound and at most one record over it (a record is taken whole)
    assert.ok(most <= 64 * 1024 + big.length + 200, `${most} bytes queued`);
    mem.resume();
    await log.close();
    const s = log.stats();
    assert.equal(s.written + s.dropped["queue-full"], s.logged);
    assert.equal(mem.lines().at(-1).i, 99);
  });

  test("drained() waits for room when the queue is full by bytes too", async () => {
    const mem = memoryWritable();
    mem.pause();
    const log = createLogger({ sinks: [streamSink(mem.writable)], maxQueuedRecords: 1000, maxQueuedBytes: 4096, onError: () => {} });
    for (let i = 0; i < 10; i++) log.info("r", { i, pad: "x".repeat(500) });
    await assert.rejects(log.drained({ timeoutMs: 30 }), (e) => e instanceof DrainTimeoutError);
    const waiting = log.drained({ timeoutMs: 2000 });
    mem.resume();
    await waiting;
    assert.ok(log.stats().sinks[0].queuedBytes <= 2048);
    await log.close();
  });

  test("drained() waits for room and rejects with a clear error when the queue stays full", async () => {
    const mem = memoryWritable();
    mem.pause();
    const log = createLogger({ sinks: [streamSink(mem.writable)], maxQueuedRecords: 10, onError: () => {} });
    for (let i = 0; i < 20; i++) log.info("r", { i });
    await assert.rejects(log.drained({ timeoutMs: 30 }), (e) => e instanceof DrainTimeoutError && /still holds 10 records/.test(e.message) && e.sink === "stream" && e.queued === 10 && e.timeoutMs === 30);
    const waiting = log.drained({ timeoutMs: 2000 });
    mem.resume();
    await waiting;
    await log.close();
  });

  test("a sink that throws is counted as sink-error and reported, never thrown at the caller", async () => {
    const { sink, lines } = memorySink();
    const errors = [];
    const log = createLogger({ sinks: [sink], onError: (e) => errors.push(e) });
    log.info("ok");
    await log.flush();
    sink.fail = true;
    log.info("lost 1");
    log.info("lost 2");
    await log.flush();
    sink.fail = false;
    log.info("ok again");
    await log.close();
    assert.deepEqual(lines.map((l) => l.msg), ["ok", "ok again"]);
    assert.equal(log.stats().dropped["sink-error"], 2);
    assert.equal(errors[0].reason, "sink-error");
    assert.match(errors[0].message, /disk on fire/);
  });

  test("a stream that rejects is counted as sink-error", async () => {
    const errors = [];
    const writable = new WritableStream({ write: () => Promise.reject(new Error("socket closed")) });
    const log = createLogger({ sinks: [streamSink(writable)], onError: (e) => errors.push(e) });
    log.info("a");
    await log.flush();
    assert.equal(log.stats().dropped["sink-error"], 1);
    assert.match(errors[0].message, /socket closed/);
  });

  test("logging after close is counted as closed, not thrown", async () => {
    const { sink } = memorySink();
    const errors = [];
    const log = createLogger({ sinks: [sink], onError: (e) => errors.push(e) });
    await log.close();
    log.info("late");
    assert.equal(log.stats().dropped.closed, 1);
    assert.equal(errors[0].reason, "closed");
  });

  test("a record logged while close() runs is counted as closed: none stays queued, neither written nor counted", async () => {
    const errors = [];
    const sink = streamSink(new WritableStream({ write: () => sleep(30) }));
    const log = createLogger({ sinks: [sink], onError: (e) => errors.push(e) });
    for (let i = 0; i < 10; i++) log.info("before", { i });
    const closing = log.close();
    for (let i = 0; i < 5; i++) log.info("during", { i });
    await closing;
    const s = log.stats();
    assert.deepEqual({ written: s.written, closed: s.dropped.closed, queued: s.queued }, { written: 10, closed: 5, queued: 0 });
    assert.equal(errors[0].reason, "closed");
  });

  test("mode sync: the record is in the file when the call returns", async () => {
    const file = join(tempDir(), "s.ndjson");
    const log = createLogger({ sinks: [fileSink(file)], mode: "sync" });
    log.info("now");
    assert.equal(readLines(file).length, 1);
    await log.close();
  });

  test("configuration errors are clear", () => {
    const mem = memoryWritable();
    assert.throws(() => createLogger({ sinks: [streamSink(mem.writable)], onFull: "block" }), /"block" needs a sink that can write synchronously/);
    assert.throws(() => createLogger({ sinks: [streamSink(mem.writable)], mode: "sync" }), /mode "sync" needs sinks/);
    assert.throws(() => createLogger({ level: "verbose" }), /unknown level "verbose"/);
    assert.throws(() => createLogger({ sinks: [memorySink().sink], maxQueuedRecords: 0 }), /maxQueuedRecords must be a positive integer/);
    assert.throws(() => fileSink("/dev/null/not-a-dir/app.ndjson"), /cannot open log file/);
  });

  test("old option spellings are refused at construction, naming the new one, and nothing is made", () => {
    const { rotatingFileSink, categoryFileSink } = lib;
    const dir = tempDir();
    const refused = (make, pattern) => assert.throws(make, (e) => e instanceof TypeError && pattern.test(e.message));
    refused(() => createLogger({ sinks: [memorySink().sink], queue: { maxRecords: 10 } }), /createLogger's option queue was renamed; use maxQueuedRecords, maxQueuedBytes and onFull/);
    for (const [old, value] of [["maxBytes", 1000], ["interval", "daily"], ["maxFiles", 3], ["maxAgeMs", 1000], ["compress", "gzip"]]) {
      refused(() => rotatingFileSink(join(dir, "r.ndjson"), { [old]: value }), new RegExp(`rotatingFileSink's option ${old} was renamed; use rotate: \\{ ${old} \\}`));
      refused(() => fileSink(join(dir, "f.ndjson"), { [old]: value }), new RegExp(`fileSink's option ${old} was renamed; use rotate: \\{ ${old} \\}`));
      refused(() => categoryFileSink(join(dir, "c"), { [old]: value }), new RegExp(`categoryFileSink's option ${old} was renamed; use rotate: \\{ ${old} \\}`));
    }
    // a sink of one's own that still gives its queue defaults in the old spelling
    const custom = { ...memorySink().sink, name: "mine", queue: { maxRecords: 5 } };
    refused(() => createLogger({ sinks: [custom] }), /mine's queue: \{ maxRecords, maxBytes \} was renamed; use maxQueuedRecords, maxQueuedBytes and onFull/);
    // refused before anything was opened: no file was created
    assert.deepEqual(readdirSync(dir), []);
  });

  test("maxQueuedBytes bounds a sink's queue in bytes, counted as queue-full", async () => {
    const bytes = createLogger({ sinks: [streamSink(memoryWritable().writable)], maxQueuedBytes: 200, onError: () => {} });
    for (let i = 0; i < 25; i++) bytes.info("a record of some fifty bytes or so", { i });
    assert.ok(bytes.stats().dropped["queue-full"] > 15, JSON.stringify(bytes.stats().dropped));
    await bytes.close();
  });

  test("process.exit() right after logging loses nothing", () => {
    const r = runChild("exit");
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.lines.length, 20000);
    assert.equal(r.lines.at(-1).i, 19999);
  });

  test("the end of a script with records pending loses nothing", () => {
    const r = runChild("end");
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.lines.length, 20000);
  });

  test("SIGTERM with no other handler writes everything and exits 143", () => {
    const r = runChild("sigterm");
    assert.equal(r.lines.length, 20000, r.stderr);
    assert.equal(r.status, 143);
  });

  test("the logger never keeps a process alive", () => {
    const started = Date.now();
    const r = runChild("idle");
    assert.equal(r.status, 0, r.stderr);
    assert.ok(Date.now() - started < 15000);
    assert.ok(r.lines.length >= 20000);
  });

  test("at exit, records an asynchronous sink could not write are counted and reported", () => {
    const r = runChild("async-sink-exit");
    assert.equal(r.status, 0);
    assert.equal(r.lines.length, 20000);
    assert.match(r.stderr, /onError: exit \d+/);
  });

  test("process.exit() with a synchronous through stage in a file's path: every record goes through it, nothing is lost", () => {
    const r = runChild("sync-stage-exit");
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.lines.length, 10000); // the stage keeps the even records of 20000
    assert.ok(r.lines.every((l, k) => l.i === 2 * k));
    assert.equal(r.stderr, 'dropped: {}\n');
  });

  test("process.exit() with a TransformStream stage (no synchronous form): what is left is counted, as exit (or queue-full), never silently", () => {
    const r = runChild("async-stage-exit");
    assert.equal(r.status, 0, r.stderr);
    const dropped = JSON.parse(r.stderr.match(/dropped: (.*)/)[1]);
    assert.ok(dropped.exit > 0 && /onError: exit \d+/.test(r.stderr), r.stderr);
    assert.deepEqual(Object.keys(dropped).filter((k) => k !== "exit" && k !== "queue-full"), []);
    assert.equal(r.lines.length + dropped.exit + (dropped["queue-full"] ?? 0), 20000);
  });

  return cases;
}
