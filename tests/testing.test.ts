// sluice/testing on Bun: records as production writes them (levels, categories, bindings,
// redaction, context), each assertion and its failure message, bad queries, clear(), no
// SLUICE_LEVEL, and bun:test counting a failed assertion (tests/deno/ and tests/node/ run the
// same runner check in deno test and node:test).
import { describe, expect, test } from "bun:test";
import { spawnSync } from "node:child_process";
import { withContext } from "../mod.ts";
import { createTestLogger } from "../testing.ts";
import { failureLines, runnerFixture } from "./scenarios/testing.mjs";

const message = (fn: () => unknown) => {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(Error);
    return (err as Error).message;
  }
  throw new Error("expected a throw");
};

describe("records", () => {
  test("are there when the call returns, as production writes them", () => {
    const log = createTestLogger({ levels: "info,api.db=debug", redact: ["password", "*.token"], bindings: { app: "shop" }, category: "api" });
    const db = log.child({ pool: 1 }, { category: "db" });
    db.debug("query", { sql: "select 1", auth: { token: "t0k" } });
    log.debug("below info");
    withContext({ reqId: "r1" }, () => log.info("login", { user: "ada", password: "hunter2", at: new Date(0), n: 10n }));
    log.error(new Error("boom"));
    expect(log.records.map((r) => [r.level, r.category, r.msg])).toEqual([
      ["debug", "api.db", "query"],
      ["info", "api", "login"],
      ["error", "api", "boom"],
    ]);
    expect(log.records[0].fields).toEqual({ app: "shop", pool: 1, sql: "select 1", auth: { token: "[Redacted]" } });
    expect(log.records[1].fields).toEqual({ app: "shop", reqId: "r1", user: "ada", password: "[Redacted]", at: "1970-01-01T00:00:00.000Z", n: "10" });
    expect(log.records[2].fields.err).toMatchObject({ name: "Error", message: "boom" });
    expect(JSON.parse(log.records[1].json)).toMatchObject({ level: "info", category: "api", msg: "login", password: "[Redacted]" });
    expect(typeof log.records[0].time).toBe("number");
  });

  test("every level by default, whatever SLUICE_LEVEL says; setLevels and clear() work", () => {
    const saved = process.env.SLUICE_LEVEL;
    process.env.SLUICE_LEVEL = "fatal";
    try {
      const log = createTestLogger();
      log.trace("t");
      expect(log.records.map((r) => r.msg)).toEqual(["t"]);
      log.setLevels("warn");
      log.info("dropped");
      log.warn("kept");
      expect(log.records.map((r) => r.msg)).toEqual(["t", "kept"]);
      log.clear();
      expect(log.records).toEqual([]);
      log.error("after clear");
      expect(log.records.map((r) => r.msg)).toEqual(["after clear"]);
      expect(createTestLogger({ level: "error" }).isLevelEnabled("warn")).toBe(false);
    } finally {
      if (saved === undefined) delete process.env.SLUICE_LEVEL;
      else process.env.SLUICE_LEVEL = saved;
    }
  });
});

describe("assertLogged", () => {
  const log = createTestLogger();
  log.child({ reqId: "r1" }, { category: "http" }).warn("upstream timeout", { status: 504, tags: ["a", "b"], peer: { host: "api", port: 443 } });
  log.info("login", { user: "ada" });

  test("matches on level, the whole message or a pattern, category and fields (partial, deep, arrays, patterns); returns the record", () => {
    expect(log.assertLogged({ msg: "login" }).fields).toEqual({ user: "ada" });
    const hit = log.assertLogged({ level: "warn", msg: /time/, category: "http", fields: { status: 504, tags: ["a", /^b$/], peer: { host: "api" }, reqId: /^r\d$/ } });
    expect(hit.msg).toBe("upstream timeout");
    const g = /time/g;
    log.assertLogged({ msg: g });
    log.assertLogged({ msg: g }); // a g flag's lastIndex does not make the second call miss
    log.assertLogged({});
  });

  test("a miss names the query and prints the closest records with what differs, closest first", () => {
    const text = message(() => log.assertLogged({ level: "warn", msg: "upstream timeout", fields: { status: 503, tags: ["a"], peer: { port: 80 }, missing: 1 } }));
    expect(text).toStartWith('sluice/testing: no record matches { level: "warn", msg: "upstream timeout", fields: {"status":503,"tags":["a"],"peer":{"port":80},"missing":1} }\n2 record(s) logged; the closest:\n');
    const [, , first, firstDiff, second, secondDiff] = text.split("\n");
    expect(first).toBe('  {"level":"warn","category":"http","msg":"upstream timeout","reqId":"r1","status":504,"tags":["a","b"],"peer":{"host":"api","port":443}}');
    expect(firstDiff).toBe('    fields.status is 504, not 503; fields.tags is ["a","b"], not an array of 1; fields.peer.port is 443, not 80; fields.missing is missing');
    expect(second).toBe('  {"level":"info","msg":"login","user":"ada"}');
    expect(secondDiff).toStartWith('    level is info, not warn; msg is "login", not "upstream timeout"; fields.status is missing');
    expect(message(() => createTestLogger().assertLogged({ msg: "x" }))).toBe(
      'sluice/testing: no record matches { msg: "x" }\nno record was logged (since the start or the last clear())',
    );
  });

  test("at most three records are printed", () => {
    const many = createTestLogger();
    for (let i = 0; i < 10; i++) many.info(`line ${i}`, { i });
    const text = message(() => many.assertLogged({ msg: "line 7", fields: { i: 8 } }));
    expect(text.split("\n").filter((l) => l.startsWith("  {")).length).toBe(3);
    expect(text).toContain('  {"level":"info","msg":"line 7","i":7}\n    fields.i is 7, not 8');
  });
});

describe("assertNotLogged and bad queries", () => {
  test("assertNotLogged passes when nothing matches and prints what matched otherwise", () => {
    const log = createTestLogger();
    for (let i = 0; i < 5; i++) log.error("failed", { i });
    log.assertNotLogged({ level: "fatal" });
    log.assertNotLogged({ msg: "failed", fields: { i: 9 } });
    const text = message(() => log.assertNotLogged({ level: "error" }));
    expect(text.split("\n")).toEqual([
      'sluice/testing: 5 record(s) match { level: "error" }, expected none:',
      '  {"level":"error","msg":"failed","i":0}',
      '  {"level":"error","msg":"failed","i":1}',
      '  {"level":"error","msg":"failed","i":2}',
      "  … and 2 more",
    ]);
  });

  test("a query with a typo, a bad level or fields that are not an object is a TypeError, not a match", () => {
    const log = createTestLogger();
    log.info("x");
    expect(() => log.assertLogged({ message: "x" } as never)).toThrow('sluice/testing: unknown query key "message"; a query has level, msg, category, fields');
    expect(() => log.assertNotLogged({ lvl: "info" } as never)).toThrow(TypeError);
    expect(() => log.assertLogged({ level: "loud" as never })).toThrow('sluice/testing: unknown level "loud" in a query');
    expect(() => log.assertLogged({ level: "silent" as never })).toThrow(TypeError);
    expect(() => log.assertLogged({ fields: "x" as never })).toThrow("sluice/testing: a query's fields is an object");
    expect(() => log.assertLogged(null as never)).toThrow(TypeError);
  });
});

test("bun:test counts a failed assertion as a failed test and prints its message", () => {
  const file = runnerFixture({ testing: new URL("../testing.ts", import.meta.url).pathname, mod: new URL("../mod.ts", import.meta.url).pathname, header: 'import { test } from "bun:test";', ext: "ts" });
  const r = spawnSync(process.execPath, ["test", file], { encoding: "utf8", timeout: 60_000 });
  const out = r.stdout + r.stderr;
  expect(r.status).toBe(1);
  expect(out).toMatch(/1 pass\s+1 fail/);
  for (const line of failureLines) expect(out).toContain(line);
});
