// throttle: exactly max records per key per window (a fake clock), one "suppressed" record per
// key with the count when the window ends (a timer), at flush, at close and at exit; its keys bounded.
import { describe, expect, test } from "bun:test";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createLogger, type LogRecord, recordFields, throttle } from "../mod.ts";
import { clock, memory, rec } from "./helpers/volume.ts";

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

  test("a window longer than a timer's longest delay (about 24.8 days) arms one timer, not one a millisecond", async () => {
    const { sink } = memory([throttle({ max: 1, windowMs: 30 * 24 * 3600_000 })]);
    const real = globalThis.setTimeout;
    const delays: number[] = [];
    globalThis.setTimeout = ((fn: () => void, ms?: number) => (delays.push(ms ?? 0), real(fn, ms))) as typeof setTimeout;
    try {
      const log = createLogger({ sinks: [sink] });
      log.warn("disk almost full");
      log.warn("disk almost full");
      await Bun.sleep(100);
      // the throttle's timers: longer than any other (a batch's age, a stall's)
      const throttleTimers = delays.filter((ms) => ms >= 2 ** 31 - 1);
      expect(throttleTimers).toEqual([2 ** 31 - 1]);
      await log.close();
    } finally {
      globalThis.setTimeout = real;
    }
  });

  test("a key that gives no string (a category that is undefined) is taken as its text: the batch is not lost", async () => {
    const { lines, sink } = memory([throttle({ max: 1, windowMs: 60_000, key: (r) => r.category as string })]);
    const errors: unknown[] = [];
    const log = createLogger({ sinks: [sink], onError: (e) => void errors.push(e) });
    log.error("a");
    log.fatal("b");
    await log.close();
    expect(errors).toEqual([]);
    expect(lines.map((l) => l.msg)).toEqual(["a", "suppressed"]);
    expect(lines[1]).toMatchObject({ key: "undefined", suppressed: 1 });
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
    // a number's text (from an environment variable) is not a number
    expect(() => throttle({ max: 1, windowMs: "1000" as unknown as number })).toThrow(/windowMs must be a number above 0, got "1000"/);
    expect(() => throttle({ max: 1, windowMs: 1, maxKeys: 0 })).toThrow(/maxKeys/);
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
