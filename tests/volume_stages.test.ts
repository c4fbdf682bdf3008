// The stages for volume: throttle, sample, fingersCrossed. What they pass, hold, drop and say,
// what stats() counts, and their bounds (a fake clock wherever time matters).
import { describe, expect, test } from "bun:test";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  createLogger, createRecord, fingersCrossed, type LogRecord, recordFields, sample, type Sink, throttle, withContext, withThrough,
  type RecordStage,
} from "../mod.ts";

type Line = Record<string, unknown> & { level: string; msg: string };
/** A synchronous sink that keeps the lines it is given, with stages in its path. */
function memory(through: RecordStage[]) {
  const lines: Line[] = [];
  const sink: Sink<string[]> = {
    name: "memory",
    sync: true,
    defaultOnFull: "block",
    encode: (records) => records.map((r) => r.json),
    write: (chunk) => void lines.push(...chunk.map((l) => JSON.parse(l))),
    close() {},
  };
  return { lines, sink: withThrough(sink, through) };
}
const rec = (level: LogRecord["level"], msg: string, fields = "", category?: string) => createRecord(0, level, category, msg, fields + "}");
const clock = (t = 0) => ({ now: () => t, set: (v: number) => void (t = v) });

describe("throttle", () => {
  test("passes exactly max per key per window, and says how many each window left out (fake clock)", () => {
    const c = clock(1_000);
    const stage = throttle({ max: 3, windowMs: 1000, now: c.now });
    const out: LogRecord[] = [];
    for (let w = 0; w < 3; w++) {
      c.set(1_000 + w * 1000 + 10);
      const batch: LogRecord[] = [];
      for (let i = 0; i < 50; i++) batch.push(rec("warn", "disk full"), rec("info", "tick"), rec("warn", "tick")); // three keys: level is part of the key
      for (let i = 0; i < batch.length; i += 7) out.push(...stage.transform(batch.slice(i, i + 7)));
      out.push({ ...rec("debug", "window end"), msg: `--${w}` } as LogRecord);
    }
    out.push(...stage.drain(true));
    const windows: LogRecord[][] = [[]];
    for (const r of out) r.msg.startsWith("--") ? windows.push([]) : windows.at(-1)!.push(r);
    // window w's summaries come at the start of window w+1 (the first batch that sees the new window), the last at close
    for (let w = 0; w < 3; w++) {
      const passed = windows[w].filter((r) => r.msg !== "suppressed");
      expect(passed.filter((r) => r.msg === "disk full").length).toBe(3);
      expect(passed.filter((r) => r.msg === "tick" && r.level === "info").length).toBe(3);
      expect(passed.filter((r) => r.msg === "tick" && r.level === "warn").length).toBe(3);
      const summaries = windows[w + 1].filter((r) => r.msg === "suppressed").map((r) => [r.level, recordFields(r)]);
      expect(summaries).toEqual([
        ["warn", { key: "disk full", suppressed: 47, windowMs: 1000 }],
        ["info", { key: "tick", suppressed: 47, windowMs: 1000 }],
        ["warn", { key: "tick", suppressed: 47, windowMs: 1000 }],
      ]);
    }
    expect(stage.stats()).toEqual({ stage: "throttle", passed: 27, suppressed: 423, summaries: 9, keys: 3 });
  });

  test("through a logger: max lines, then one suppressed record at close; stats say so", async () => {
    const c = clock(5_000);
    const { lines, sink } = memory([throttle({ max: 5, windowMs: 10_000, now: c.now })]);
    const log = createLogger({ sinks: [sink] });
    for (let i = 0; i < 100; i++) log.warn("disk almost full", { i });
    log.info("other");
    await log.close();
    expect(lines.map((l) => l.msg)).toEqual([...Array(5).fill("disk almost full"), "other", "suppressed"]);
    expect(lines.slice(0, 5).map((l) => l.i)).toEqual([0, 1, 2, 3, 4]);
    expect(lines[6]).toMatchObject({ level: "warn", msg: "suppressed", key: "disk almost full", suppressed: 95, windowMs: 10_000 });
    expect(log.stats().sinks[0].stages).toEqual([{ stage: "throttle", passed: 6, suppressed: 95, summaries: 1, keys: 2 }]);
  });

  test("flush() writes what was left out so far; later ones are counted again, nothing twice", async () => {
    const c = clock(0);
    const { lines, sink } = memory([throttle({ max: 1, windowMs: 60_000, now: c.now })]);
    const log = createLogger({ sinks: [sink] });
    for (let i = 0; i < 10; i++) log.info("retrying");
    await log.flush();
    expect(lines.map((l) => [l.msg, l.suppressed])).toEqual([["retrying", undefined], ["suppressed", 9]]);
    for (let i = 0; i < 4; i++) log.info("retrying"); // same window: max already used
    await log.flush();
    await log.flush(); // nothing new: no empty summary
    c.set(60_000); // next window
    log.info("retrying");
    await log.close();
    expect(lines.map((l) => [l.msg, l.suppressed])).toEqual([["retrying", undefined], ["suppressed", 9], ["suppressed", 4], ["retrying", undefined]]);
  });

  test("a window that ends while nothing is logged is summarized by a timer on a synchronous sink", async () => {
    const { lines, sink } = memory([throttle({ max: 2, windowMs: 40 })]);
    const log = createLogger({ sinks: [sink] });
    for (let i = 0; i < 10; i++) log.error("boom");
    const deadline = Date.now() + 3_000;
    while (!lines.some((l) => l.msg === "suppressed") && Date.now() < deadline) await Bun.sleep(10);
    expect(lines.map((l) => l.msg)).toEqual(["boom", "boom", "suppressed"]);
    expect(lines[2]).toMatchObject({ level: "error", suppressed: 8 });
    await log.close();
    expect(lines.length).toBe(3);
  });

  test("a flood of distinct keys shares one budget past maxKeys; keys seen before keep theirs; all counted", () => {
    const stage = throttle({ max: 2, windowMs: 1000, maxKeys: 100, now: () => 0 });
    const out = stage.transform([rec("info", "steady"), ...Array.from({ length: 10_000 }, (_, i) => rec("info", `user ${i} not found`)), rec("info", "steady"), rec("info", "steady")]);
    const rest = stage.drain(true);
    expect(out.filter((r) => r.msg === "steady").length).toBe(2);
    // 99 flood keys fit in the table with "steady" and pass; the other 9,901 share "(other keys)": 2 pass
    expect(out.length).toBe(2 + 99 + 2);
    expect(stage.stats()).toMatchObject({ passed: 103, suppressed: 9_900, keys: 101 });
    expect(rest.map((r) => [recordFields(r).key, recordFields(r).suppressed])).toEqual([["steady", 1], ["(other keys)", 9_899]]);
  });

  test("a window ends exactly at its edge; category, level and message each make a key (LogTape's fixed-window and grouping cases)", () => {
    let now = 1000;
    const stage = throttle({ max: 2, windowMs: 100, now: () => now });
    const one = (r: LogRecord) => stage.transform([r]).filter((x) => x.msg !== "suppressed").length;
    const r = rec("warn", "Database failed", "", "db");
    expect([one(r), one(r), one(r)]).toEqual([1, 1, 0]);
    now = 1099;
    expect(one(r)).toBe(0);
    now = 1100;
    expect(one(r)).toBe(1);
    expect([one(rec("warn", "Database failed", "", "other")), one(rec("error", "Database failed", "", "db")), one(rec("warn", "Other failure", "", "db"))]).toEqual([1, 1, 1]);
  });

  test("long keys are cut to 200 characters and a hash: messages differing only at their end keep their own budgets", () => {
    const stage = throttle({ max: 1, windowMs: 1000, now: () => 0 });
    const long = "y".repeat(5000);
    const out = stage.transform([rec("info", long + "a"), rec("info", long + "b"), rec("info", long + "a")]);
    expect(out.map((r) => r.msg.at(-1))).toEqual(["a", "b"]);
    const [summary] = stage.drain(false);
    expect(String(recordFields(summary).key)).toMatch(/^y{200}…#[0-9a-z]+$/);
    expect(recordFields(summary).suppressed).toBe(1);
  });

  test("a custom key; bad options are a TypeError naming the option", () => {
    const stage = throttle({ max: 1, windowMs: 1000, now: () => 0, key: (r) => String(recordFields(r).user) });
    const out = stage.transform([rec("info", "a", ',"user":1'), rec("warn", "b", ',"user":1'), rec("info", "c", ',"user":2')]);
    expect(out.map((r) => r.msg)).toEqual(["a", "c"]);
    expect(stage.drain(false).map((r) => recordFields(r))).toEqual([{ key: "1", suppressed: 1, windowMs: 1000 }]);
    expect(() => throttle({ max: -1, windowMs: 1 })).toThrow(/max must be a whole number/);
    expect(() => throttle({ max: 1, windowMs: 0 })).toThrow(/windowMs must be a number above 0/);
    expect(() => throttle({ max: 1, windowMs: 1, maxKeys: 0 })).toThrow(/maxKeys/);
  });
});

describe("sample", () => {
  const traceId = (i: number) => (i * 2654435761 >>> 0).toString(16).padStart(8, "0") + "a3ce929d0e0e4736a3ce9290";

  test("keeps 10% ± 2% of 10,000 traced records, exactly 10% of untraced ones, and every warning", () => {
    const stage = sample({ rate: 0.1 });
    const traced = stage.transform(Array.from({ length: 10_000 }, (_, i) => rec("info", "req", `,"trace_id":"${traceId(i)}"`)));
    expect(traced.length).toBeGreaterThanOrEqual(800);
    expect(traced.length).toBeLessThanOrEqual(1200);
    const plain = stage.transform(Array.from({ length: 10_000 }, () => rec("debug", "tick")));
    expect(plain.length).toBe(1000);
    const loud = stage.transform(Array.from({ length: 500 }, (_, i) => rec(i % 2 ? "warn" : "fatal", "bad", `,"trace_id":"${traceId(i)}"`)));
    expect(loud.length).toBe(500);
    expect(stage.stats()).toEqual({ stage: "sample", kept: traced.length + 1000 + 500, sampledOut: 20_500 - traced.length - 1500 });
  });

  test("keeps or drops a trace's records together, the same way in two processes' stages", () => {
    const batch = Array.from({ length: 5000 }, (_, i) => rec("info", `step ${i % 5}`, `,"trace_id":"${traceId(Math.floor(i / 5))}"`));
    const a = sample({ rate: 0.25, by: "trace_id" }).transform(batch);
    const b = sample({ rate: 0.25 }).transform([...batch].reverse());
    const count = new Map<string, number>();
    for (const r of a) count.set(recordFields(r).trace_id as string, (count.get(recordFields(r).trace_id as string) ?? 0) + 1);
    expect([...count.values()].every((n) => n === 5)).toBe(true);
    expect(new Set(b.map((r) => recordFields(r).trace_id))).toEqual(new Set(count.keys()));
  });

  test("by another field, keep another level; a nested field of that name is not the record's", () => {
    const stage = sample({ rate: 0.5, by: "user", keep: "error" });
    const out = stage.transform([
      ...Array.from({ length: 100 }, () => rec("warn", "w", ',"user":"ann"')),
      ...Array.from({ length: 100 }, () => rec("warn", "w", ',"user":"bob"')),
      ...Array.from({ length: 10 }, () => rec("warn", "nested", ',"req":{"user":"ann"}')),
    ]);
    const users = out.filter((r) => r.msg === "w").map((r) => recordFields(r).user);
    expect(users.length === 0 || users.length === 100 || users.length === 200).toBe(true);
    expect(out.filter((r) => r.msg === "nested").length).toBe(5); // no top-level user: the counter
    expect(() => sample({ rate: 1.5 })).toThrow(/rate must be a number from 0 to 1/);
  });

  test("in a logger's path: stats show what was sampled out", async () => {
    const { lines, sink } = memory([sample({ rate: 0.5 })]);
    const log = createLogger({ sinks: [sink] });
    for (let i = 0; i < 100; i++) log.info("row", { i });
    log.warn("kept");
    await log.close();
    expect(lines.length).toBe(51);
    expect(log.stats().sinks[0].stages).toEqual([{ stage: "sample", kept: 51, sampledOut: 50 }]);
  });
});

describe("fingersCrossed", () => {
  const run = (stage: ReturnType<typeof fingersCrossed>, ...records: LogRecord[]) => stage.transform(records).map((r) => r.msg);

  test("holds records below the trigger, writes them in order before it, then passes the rest (LogTape's basic case)", () => {
    const s = fingersCrossed();
    expect(run(s, rec("trace", "t"), rec("debug", "d"), rec("info", "i"), rec("warn", "w"))).toEqual([]);
    expect(run(s, rec("error", "e"))).toEqual(["t", "d", "i", "w", "e"]);
    expect(run(s, rec("debug", "after"), rec("fatal", "f"))).toEqual(["after", "f"]);
    expect(s.stats()).toMatchObject({ passed: 3, released: 4, held: 0, discarded: 0 });
  });

  test("a custom trigger; fatal triggers an error trigger; a trigger with nothing held", () => {
    expect(run(fingersCrossed({ trigger: "warn" }), rec("info", "i"), rec("warn", "w"))).toEqual(["i", "w"]);
    expect(run(fingersCrossed(), rec("debug", "d"), rec("fatal", "f"))).toEqual(["d", "f"]);
    expect(run(fingersCrossed(), rec("error", "e"), rec("debug", "d"))).toEqual(["e", "d"]);
    expect(run(fingersCrossed({ trigger: "trace" }), rec("trace", "t"))).toEqual(["t"]);
  });

  test("bufferSize keeps the newest; the oldest let go are counted (0 holds nothing)", () => {
    const s = fingersCrossed({ bufferSize: 3 });
    expect(run(s, rec("trace", "t"), rec("debug", "d"), rec("info", "i"), rec("warn", "w"), rec("error", "e"))).toEqual(["d", "i", "w", "e"]);
    expect(s.stats()).toMatchObject({ overflow: 1, discarded: 1, released: 3 });
    const zero = fingersCrossed({ bufferSize: 0 });
    expect(run(zero, rec("debug", "d"), rec("info", "i"), rec("error", "e"))).toEqual(["e"]);
    expect(zero.stats()).toMatchObject({ overflow: 2, held: 0 });
    expect(() => fingersCrossed({ bufferSize: -1 })).toThrow(/bufferSize/);
    expect(() => fingersCrossed({ scope: "request" as "none" })).toThrow(/scope must be "context" or "none"/);
  });

  test("two concurrent requests never release each other's records", async () => {
    const { lines, sink } = memory([fingersCrossed()]);
    const log = createLogger({ level: "debug", sinks: [sink] });
    const request = (id: string, fail: boolean) =>
      withContext({ reqId: id }, async () => {
        for (let i = 0; i < 5; i++) {
          log.debug("step", { i });
          await Bun.sleep(1); // the two requests interleave, in the same batches
        }
        if (fail) log.error("failed");
        else log.info("done");
      });
    await Promise.all([request("r1", true), request("r2", false), request("r3", true)]);
    await log.flush();
    const by = (id: string) => lines.filter((l) => l.reqId === id).map((l) => `${l.msg}${l.i ?? ""}`);
    expect(by("r1")).toEqual(["step0", "step1", "step2", "step3", "step4", "failed"]);
    expect(by("r3")).toEqual(["step0", "step1", "step2", "step3", "step4", "failed"]);
    expect(by("r2")).toEqual([]);
    expect(log.stats().sinks[0].stages![0]).toMatchObject({ held: 6, released: 10, passed: 2 });
    await log.close();
    expect(log.stats().sinks[0].stages![0]).toMatchObject({ held: 0, closed: 6, discarded: 6 });
  });

  test("after its trigger a scope's records pass; another scope still holds; records outside any scope are their own", async () => {
    const { lines, sink } = memory([fingersCrossed()]);
    const log = createLogger({ level: "debug", sinks: [sink] });
    log.debug("boot");
    await withContext({ reqId: "a" }, async () => {
      log.error("early");
      log.debug("later");
    });
    await withContext({ reqId: "b" }, async () => log.debug("held"));
    await log.flush();
    expect(lines.map((l) => l.msg)).toEqual(["early", "later"]);
    log.error("outside");
    await log.flush();
    expect(lines.map((l) => l.msg)).toEqual(["early", "later", "boot", "outside"]);
    await log.close();
  });

  test("a nested scope's trigger releases what the enclosing scope logged; the enclosing one's releases the nested ones'", async () => {
    const { lines, sink } = memory([fingersCrossed()]);
    const log = createLogger({ level: "debug", sinks: [sink] });
    await withContext({ reqId: "r1" }, async () => {
      log.debug("parsed");
      await withContext({ step: "db" }, async () => log.error("query failed"));
    });
    await withContext({ reqId: "r2" }, async () => {
      await withContext({ step: "cache" }, async () => log.debug("miss"));
      await withContext({ step: "other" }, async () => log.debug("sibling"));
      log.error("request failed");
    });
    await withContext({ reqId: "r3" }, async () => log.debug("untouched"));
    await log.flush();
    expect(lines.map((l) => l.msg)).toEqual(["parsed", "query failed", "miss", "sibling", "request failed"]);
    await log.close();
  });

  test("maxScopes and idleMs in a logger: the least recently used scope goes first; a silent scope expires", async () => {
    let t = 0;
    const { lines, sink } = memory([fingersCrossed({ maxScopes: 2, idleMs: 1000, now: () => t })]);
    const log = createLogger({ level: "debug", sinks: [sink] });
    /** A withContext scope kept open: each call runs its function inside it (after an await, so in the scope). */
    const open = (id: string) => {
      let give!: (f: () => void) => void;
      const ready = new Promise<void>((ok) => void withContext({ reqId: id }, async () => {
        for (;;) (await new Promise<() => void>((r) => ((give = r), ok())))();
      }));
      return async (f: () => void) => {
        await ready;
        give(f);
        await Bun.sleep(0);
      };
    };
    const scopes = new Map(["r1", "r2", "r3"].map((id) => [id, open(id)]));
    for (const [id, inside] of scopes) {
      await inside(() => log.debug(`${id} start`));
      await log.flush();
    }
    // r1 was least recently used when r3 came: its record was let go
    expect(log.stats().sinks[0].stages![0]).toMatchObject({ evicted: 1, held: 2, scopes: 2 });
    await scopes.get("r1")!(() => log.error("r1 failed"));
    await log.flush();
    expect(lines.map((l) => l.msg)).toEqual(["r1 failed"]);
    t = 5_000; // r2 and r3 silent for longer than idleMs
    await scopes.get("r3")!(() => log.error("r3 failed"));
    await log.flush();
    expect(lines.map((l) => l.msg)).toEqual(["r1 failed", "r3 failed"]);
    expect(log.stats().sinks[0].stages![0]).toMatchObject({ evicted: 2, expired: 1, discarded: 3, released: 0 });
    await log.close();
  });
});

describe("counting stages beside a TransformStream stage (the sink writes asynchronously)", () => {
  test("throttle's count comes out when the streams end at close; stats are there", async () => {
    const c = clock(0);
    const { lines, sink } = memory([throttle({ max: 2, windowMs: 1000, now: c.now }), new TransformStream<readonly LogRecord[], LogRecord[]>({ transform: (b, ctl) => ctl.enqueue([...b]) })]);
    expect(sink.sync).toBe(false);
    const log = createLogger({ sinks: [sink] });
    for (let i = 0; i < 10; i++) log.info("again");
    await log.flush();
    expect(lines.map((l) => l.msg)).toEqual(["again", "again"]);
    await log.close();
    expect(lines.map((l) => l.msg)).toEqual(["again", "again", "suppressed"]);
    expect(lines[2].suppressed).toBe(8);
    expect(log.stats().sinks[0].stages).toEqual([{ stage: "throttle", passed: 2, suppressed: 8, summaries: 1, keys: 1 }]);
  });
});

describe("fingersCrossed under a flood of scopes", () => {
  test("10,000 requests that never fail hold at most maxScopes x bufferSize records; a request after the flood is whole", async () => {
    const { lines, sink } = memory([fingersCrossed({ maxScopes: 1000, bufferSize: 4 })]);
    const log = createLogger({ level: "debug", sinks: [sink] });
    for (let i = 0; i < 10_000; i++) withContext({ reqId: `flood-${i}` }, () => {
      for (let j = 0; j < 6; j++) log.debug("probe", { j });
    });
    await log.flush();
    const s = log.stats().sinks[0].stages![0] as Record<string, number>;
    expect(s.held).toBe(4000);
    expect(s.scopes).toBe(1000);
    expect(s.overflow).toBe(10_000 * 2);
    expect(s.evicted).toBe(9_000 * 4);
    expect(s.held + s.discarded).toBe(60_000); // every record held is accounted for
    await withContext({ reqId: "legit" }, async () => {
      log.debug("a");
      log.debug("b");
      log.error("failed");
    });
    await log.close();
    expect(lines.map((l) => l.msg)).toEqual(["a", "b", "failed"]);
  });
});

describe("at exit", () => {
  test("a throttle's count is written by the exit drain of a file sink (process.exit without close)", () => {
    const dir = mkdtempSync(join(tmpdir(), "sluice-volume-"));
    writeFileSync(`${dir}/app.ts`, `
      import { createLogger, fileSink, throttle } from ${JSON.stringify(new URL("../mod.ts", import.meta.url).pathname)};
      const log = createLogger({ sinks: [fileSink(${JSON.stringify(dir + "/out.ndjson")}, { through: [throttle({ max: 2, windowMs: 60_000 })] })] });
      for (let i = 0; i < 10; i++) log.warn("again", { i });
      process.exit(0);
    `);
    const r = Bun.spawnSync([process.execPath, `${dir}/app.ts`]);
    expect(r.exitCode).toBe(0);
    const lines = readFileSync(`${dir}/out.ndjson`, "utf8").trim().split("\n").map((l) => JSON.parse(l));
    expect(lines.map((l) => [l.msg, l.i ?? l.suppressed])).toEqual([["again", 0], ["again", 1], ["suppressed", 8]]);
  });
});

describe("fingersCrossed behind a framework adapter", () => {
  test("sluice/hono: a failing request's debug lines come out before its error; a good request's never, though they ran at once", async () => {
    const { Hono } = await import("hono");
    const { sluiceLogger } = await import("../hono.ts");
    const { lines, sink } = memory([fingersCrossed({ trigger: "error" })]);
    const log = createLogger({ level: "debug", sinks: [sink] });
    const app = new Hono();
    app.use(sluiceLogger(log));
    app.get("/work/:n", async (c) => {
      log.debug("loaded", { n: c.req.param("n") });
      await Bun.sleep(5);
      if (c.req.param("n") === "2") throw new Error("boom");
      return c.text("ok");
    });
    const answers = await Promise.all(["1", "2", "3"].map((n) => app.request(`/work/${n}`)));
    expect(answers.map((a) => a.status)).toEqual([200, 500, 200]);
    await log.flush();
    expect(lines.map((l) => `${l.level} ${l.msg}${l.n ? " " + l.n : ""}`)).toEqual(expect.arrayContaining(["debug loaded 2"]));
    expect(lines.some((l) => l.n === "1" || l.n === "3")).toBe(false);
    const failed = lines.filter((l) => l.reqId === lines.find((x) => x.n === "2")!.reqId).map((l) => l.level);
    expect(failed[0]).toBe("debug");
    expect(failed).toContain("error");
    await log.close();
  });
});
