// A sink's `through` option: user stages in a sink's path, between the batches and the encoder.
// Synchronous stages (syncStage) keep the sink synchronous; a TransformStream makes it
// asynchronous. Every record goes through in order, a failing stage is a sink error, nothing is
// lost silently. (Exit with either kind runs on Bun, Deno and Node in tests/contract/cases.mjs.)
import { afterEach, describe, expect, spyOn, test } from "bun:test";
import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  categoryFileSink, consoleSink, createLogger, createRecord, fileSink, httpSink, LogLossError, type LogRecord, portSink,
  recordFields, rotatingFileSink, type Sink, streamSink, syncStage, withThrough,
} from "../mod.ts";

const dir = () => mkdtempSync(join(tmpdir(), "sluice-through-"));
const lines = (path: string) => readFileSync(path, "utf8").split("\n").filter(Boolean).map((l) => JSON.parse(l));
const i = (r: LogRecord) => recordFields(r).i as number;
/** A record with one more field, as a stage would make it. */
const tagged = (r: LogRecord, tail: string) => createRecord(r.time, r.level, r.category, r.msg, tail + r.json.slice(r.fieldsAt));
/** A TransformStream stage that waits a little over each batch, as one doing I/O would. */
const slowStage = (f: (batch: readonly LogRecord[]) => LogRecord[] = (b) => [...b]) =>
  new TransformStream<readonly LogRecord[], LogRecord[]>({ transform: async (batch, c) => { await Bun.sleep(1); c.enqueue(f(batch)); } });

describe("a synchronous stage (syncStage)", () => {
  test("sees every record once, in order, through block drains and the pipe; the file gets its output; the sink stays synchronous", async () => {
    const seen: number[] = [];
    const stage = syncStage((batch: readonly LogRecord[]) => {
      for (const r of batch) seen.push(i(r));
      return batch.filter((r) => i(r) % 3 !== 0).map((r) => tagged(r, ',"host":"web-1"'));
    });
    const path = join(dir(), "app.ndjson");
    const sink = fileSink(path, { through: [stage] });
    expect(sink.sync).toBe(true);
    expect(sink.defaultOnFull).toBe("block");
    const log = createLogger({ sinks: [sink], maxQueuedRecords: 64 }); // a burst of 5000 drains synchronously
    for (let n = 0; n < 5000; n++) log.info("rec", { i: n });
    await log.close();
    expect(seen).toEqual([...Array(5000).keys()]);
    const out = lines(path);
    expect(out.map((l) => l.i)).toEqual([...Array(5000).keys()].filter((n) => n % 3 !== 0));
    expect(out.every((l) => l.host === "web-1")).toBe(true);
    expect(log.stats()).toMatchObject({ logged: 5000, written: 5000, dropped: {} });
  });

  test("a stage that throws counts its batch as sink-error and reports it; the batches after it are written", async () => {
    const errors: Error[] = [];
    const stage = syncStage((batch: readonly LogRecord[]) => {
      if (batch.some((r) => r.msg === "poison")) throw new Error("stage broke");
      return [...batch];
    });
    const path = join(dir(), "app.ndjson");
    const log = createLogger({ sinks: [fileSink(path, { through: [stage] })], onError: (e) => errors.push(e) });
    log.info("a");
    await log.flush();
    log.info("poison");
    log.info("b");
    await log.flush();
    log.info("c");
    await log.close();
    expect(lines(path).map((l) => l.msg)).toEqual(["a", "c"]);
    expect(log.stats()).toMatchObject({ logged: 4, written: 2, dropped: { "sink-error": 2 } });
    const loss = errors.find((e) => e instanceof LogLossError) as LogLossError;
    expect(loss.reason).toBe("sink-error");
    expect(String((loss.cause as Error).message)).toBe("stage broke");
  });
});

describe("a TransformStream stage (no synchronous form)", () => {
  test("two in a row see every record once, in order; flush() means their output is written; the sink becomes asynchronous", async () => {
    const seen: number[] = [];
    const path = join(dir(), "app.ndjson");
    const sink = fileSink(path, {
      through: [slowStage((batch) => (batch.forEach((r) => seen.push(i(r))), [...batch])), slowStage((batch) => batch.map((r) => tagged(r, ',"seen":true')))],
    });
    expect(sink.sync).toBe(false);
    expect(sink.writeSync).toBeUndefined();
    expect(sink.defaultOnFull).toBe("drop-newest");
    const log = createLogger({ sinks: [sink], maxQueuedRecords: 100_000 });
    for (let n = 0; n < 3000; n++) {
      log.info("rec", { i: n });
      if (n % 1000 === 999) await Bun.sleep(2); // several batches, some while the stage is busy
    }
    await log.flush();
    expect(lines(path).map((l) => l.i)).toEqual([...Array(3000).keys()]);
    expect(lines(path).every((l) => l.seen === true)).toBe(true);
    expect(seen).toEqual([...Array(3000).keys()]);
    expect(log.stats()).toMatchObject({ logged: 3000, written: 3000, dropped: {}, queued: 0 });
    await log.close();
  });

  test("stages run in the order given, mixed kinds too", async () => {
    const path = join(dir(), "app.ndjson");
    const add = (k: string) => (batch: readonly LogRecord[]) => batch.map((r) => createRecord(r.time, r.level, r.category, r.msg + k, r.json.slice(r.fieldsAt)));
    const log = createLogger({ sinks: [fileSink(path, { through: [syncStage(add("1")), slowStage(add("2")), syncStage(add("3"))] })] });
    log.info("m");
    await log.close();
    expect(lines(path).map((l) => l.msg)).toEqual(["m123"]);
  });

  test("a stage that errors counts its batch and every later one as sink-error, reported; close() still ends", async () => {
    const errors: Error[] = [];
    const breaking = new TransformStream<readonly LogRecord[], LogRecord[]>({
      transform(batch, c) {
        if (batch.some((r) => r.msg === "poison")) throw new Error("stage broke");
        c.enqueue([...batch]);
      },
    });
    const path = join(dir(), "app.ndjson");
    const log = createLogger({ sinks: [fileSink(path, { through: [breaking] })], onError: (e) => errors.push(e) });
    log.info("a");
    await log.flush();
    log.info("poison");
    await log.flush();
    log.info("b");
    log.info("c");
    await log.flush();
    await log.close();
    expect(lines(path).map((l) => l.msg)).toEqual(["a"]);
    expect(log.stats()).toMatchObject({ logged: 4, written: 1, dropped: { "sink-error": 3 } });
    const losses = errors.filter((e) => e instanceof LogLossError) as LogLossError[];
    expect(losses.map((e) => [e.reason, e.records])).toEqual([["sink-error", 1], ["sink-error", 2]]);
    expect(String((losses[0].cause as Error).message)).toBe("stage broke");
  });

  test("a stage that passes on something other than records counts the batch as sink-error, saying why", async () => {
    const errors: Error[] = [];
    const wrong = new TransformStream<readonly LogRecord[], LogRecord[]>({ transform: (batch, c) => c.enqueue(batch.map((r) => r.msg) as unknown as LogRecord[]) });
    const log = createLogger({ sinks: [streamSink(new WritableStream(), { through: [wrong] })], onError: (e) => errors.push(e) });
    log.info("a");
    await log.close();
    expect(log.stats().dropped).toEqual({ "sink-error": 1 });
    expect(String(((errors[0] as LogLossError).cause as Error).message)).toBe("sluice: a through stage must pass on arrays of records");
  });

  test("what a stage passes on at its end is written when the logger closes", async () => {
    let held: LogRecord[] = [];
    const holding = new TransformStream<readonly LogRecord[], LogRecord[]>({
      transform: (batch) => void held.push(...batch), // keeps everything back
      flush: (c) => c.enqueue(held),
    });
    const path = join(dir(), "app.ndjson");
    const log = createLogger({ sinks: [fileSink(path, { through: [holding] })] });
    log.info("a");
    log.info("b");
    await log.close();
    expect(lines(path).map((l) => l.msg)).toEqual(["a", "b"]);
    held = [];
  });

  test("a stage that never finishes keeps no process alive: the script ends and what it held is counted as exit", () => {
    const d = dir();
    const script = join(d, "hang.ts");
    writeFileSync(script, `
      import { createLogger, fileSink } from ${JSON.stringify(join(import.meta.dir, "../mod.ts"))};
      const pass = new TransformStream({ transform: (b, c) => c.enqueue(b) });
      const hang = new TransformStream({ transform: () => new Promise(() => {}) }); // waits for ever
      const log = createLogger({ sinks: [fileSink(${JSON.stringify(join(d, "out.ndjson"))}, { through: [pass, hang] })], onError: (e) => console.error(e.reason, e.records) });
      log.info("a");
      log.info("b");`);
    const started = Date.now();
    const r = Bun.spawnSync([process.execPath, script], { timeout: 20_000 });
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(r.exitCode).toBe(0);
    expect(r.stderr.toString()).toBe("exit 2\n");
  }, 25_000);

  test("block, sync mode, reuse and wrong stages are clear errors", () => {
    const path = join(dir(), "app.ndjson");
    expect(() => createLogger({ sinks: [fileSink(path, { through: [slowStage()] })], onFull: "block" }))
      .toThrow(/"block" needs a sink that can write synchronously/);
    expect(() => createLogger({ sinks: [fileSink(path, { through: [slowStage()] })], mode: "sync" })).toThrow(/mode "sync" needs sinks/);
    const stage = slowStage();
    fileSink(path, { through: [stage] });
    expect(() => fileSink(path, { through: [stage] })).toThrow(TypeError); // one stream, one path
    expect(() => fileSink(path, { through: [{ nope: 1 } as never] })).toThrow("sluice: a through stage is a TransformStream of record batches or a syncStage");
    // sync stages keep what the sink had
    expect(createLogger({ sinks: [fileSink(path, { through: [syncStage((b: readonly LogRecord[]) => [...b])] })], mode: "sync" })).toBeDefined();
  });
});

describe("every sink takes `through`", () => {
  afterEach(() => {
    for (const s of spies.splice(0)) s.mockRestore();
  });
  const spies: { mockRestore(): void }[] = [];
  const keep = () => syncStage((b: readonly LogRecord[]) => b.filter((r) => r.msg !== "drop"));

  test("file, rotating, category, stream, console, port and http sinks write only what the stage passes on", async () => {
    const d = dir();
    const streamed: string[] = [];
    const printed: string[] = [];
    spies.push(spyOn(console, "info").mockImplementation((line: string) => void printed.push(line)));
    const posted: string[] = [];
    const frames: Uint8Array[] = [];
    const sinks: Sink[] = [
      fileSink(join(d, "file.ndjson"), { through: [keep()] }),
      rotatingFileSink(join(d, "rotating.ndjson"), { through: [keep()] }),
      categoryFileSink(join(d, "cats"), { through: [keep()] }),
      streamSink(new WritableStream({ write: (b) => void streamed.push(new TextDecoder().decode(b)) }), { through: [keep()] }),
      consoleSink({ format: "ndjson", color: false, through: [keep()] }),
      portSink({ postMessage: (f: Uint8Array) => void frames.push(f) } as never, { through: [keep()] }),
      httpSink("http://127.0.0.1:1/ingest", { gzip: false, through: [keep()], fetch: async (_u, init) => (posted.push(String(init!.body)), new Response("{}")) }),
    ];
    const log = createLogger({ sinks });
    log.info("drop");
    log.info("keep");
    await log.close();
    const msgs = (text: string) => text.split("\n").filter(Boolean).map((l) => JSON.parse(l).msg);
    expect(msgs(readFileSync(join(d, "file.ndjson"), "utf8"))).toEqual(["keep"]);
    expect(msgs(readFileSync(join(d, "rotating.ndjson"), "utf8"))).toEqual(["keep"]);
    expect(readdirSync(join(d, "cats"))).toEqual(["default.ndjson"]);
    expect(msgs(readFileSync(join(d, "cats/default.ndjson"), "utf8"))).toEqual(["keep"]);
    expect(msgs(streamed.join(""))).toEqual(["keep"]);
    expect(msgs(printed.join("\n"))).toEqual(["keep"]);
    expect(frames.length).toBe(1);
    expect(new TextDecoder().decode(frames[0]).endsWith('"msg":"keep"}\n')).toBe(true);
    expect(msgs(posted.join(""))).toEqual(["keep"]);
  });

  test("without stages a sink is untouched: the default path is the one it always was", () => {
    const sink = streamSink(new WritableStream());
    expect(withThrough(sink, undefined)).toBe(sink);
    expect(withThrough(sink, [])).toBe(sink);
    expect(fileSink(join(dir(), "a.ndjson")).sync).toBe(true); // no stream stages wrapped around it
  });
});
