// fingersCrossed: a withContext scope's quiet records held and written only before a trigger in
// that scope (LogTape's cases ported), concurrent requests kept apart, nested scopes, its bounds
// (per scope, number of scopes, idle), a flood of scopes, and behind sluice/hono.
import { describe, expect, test } from "bun:test";
import { createLogger, fingersCrossed, type LogRecord, withContext } from "../mod.ts";
import { memory, rec } from "./helpers/volume.ts";

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
    expect(() => fingersCrossed({ idleMs: "1000" as unknown as number })).toThrow(/idleMs must be a number above 0, got "1000"/);
    expect(() => fingersCrossed({ scope: "request" as "none" })).toThrow(/scope must be "context" or "none"/);
  });

  test("one stage in two sinks is a TypeError when the second is made: its held records would go to the other sink", () => {
    const fc = fingersCrossed();
    memory([fc]);
    expect(() => memory([fc])).toThrow(/a counting stage \(throttle, sample, fingersCrossed\) serves one sink/);
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

describe("fingersCrossed's bytes", () => {
  test("large records hold at most maxHeldBytes: the least recently used scopes go first, counted as evicted", async () => {
    const { sink } = memory([fingersCrossed({ maxHeldBytes: 1 << 20 })]);
    const log = createLogger({ level: "debug", sinks: [sink] });
    const big = "y".repeat(100 * 1024);
    let most = 0;
    for (let r = 0; r < 5; r++) withContext({ reqId: `r${r}` }, () => {
      for (let i = 0; i < 20; i++) {
        log.debug("big", { i, big });
        most = Math.max(most, (log.stats().sinks[0].stages![0] as Record<string, number>).heldBytes);
      }
    });
    await log.flush();
    const s = log.stats().sinks[0].stages![0] as Record<string, number>;
    expect(most).toBeLessThanOrEqual(1 << 20);
    expect(s.evicted).toBeGreaterThan(0);
    expect(s.held + s.discarded).toBe(100); // every record held is accounted for
    await log.close();
  });

  test("a child logging 200 MB of large debug records in 5 scopes keeps, once collected, the memory (VmRSS) 4 MiB held needs, not the 128 MB its buffers allow", () => {
    const code = `
      import { createLogger, fileSink, fingersCrossed, withContext } from ${JSON.stringify(new URL("../mod.ts", import.meta.url).pathname)};
      import { readFileSync } from "node:fs";
      const rss = () => Number(/VmRSS:\\s+(\\d+)/.exec(readFileSync("/proc/self/status", "utf8"))[1]) * 1024;
      const log = createLogger({ level: "debug", maxQueuedBytes: 1 << 20, sinks: [fileSink("/dev/null", { through: [fingersCrossed({ maxHeldBytes: 4 << 20 })] })] });
      const big = "y".repeat(256 * 1024);
      log.debug("warm", { big });
      Bun.gc(true);
      const before = rss();
      for (let r = 0; r < 5; r++) withContext({ reqId: "r" + r }, () => { for (let i = 0; i < 160; i++) log.debug("big", { i, big }); });
      Bun.gc(true);
      console.log(JSON.stringify({ grew: rss() - before, stage: log.stats().sinks[0].stages[0] }));
      await log.close();
    `;
    const r = Bun.spawnSync([process.execPath, "-e", code], { stdout: "pipe", stderr: "pipe" });
    expect(r.exitCode, r.stderr.toString()).toBe(0);
    const { grew, stage } = JSON.parse(r.stdout.toString().trim().split("\n").at(-1)!);
    expect(stage.heldBytes).toBeLessThanOrEqual(4 << 20);
    // 200 MB went through; without the bound the 500 records held (5 scopes x 100) were 128 MB
    expect(grew).toBeLessThan(64 << 20);
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
