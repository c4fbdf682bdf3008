// Levels per category: the spec's grammar (with the namespace cases debug checks and the
// hierarchical lowestLevel cases LogTape and log4js check), children taking their category's
// level, setLevels on loggers already made, SLUICE_LEVEL, malformed specs, and a seeded fuzz
// against a plain reference matcher.
import { describe, expect, test } from "bun:test";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { createLogger, detectRuntime, type LevelThreshold, type LogRecord, parseLevels, type Sink } from "../mod.ts";
import { globMatches } from "../lib/level_spec.ts";

function memory() {
  const records: LogRecord[] = [];
  const sink: Sink<readonly LogRecord[]> = {
    name: "memory", sync: true, defaultOnFull: "block",
    encode: (r) => [...r], write: (r) => void records.push(...r), close() {},
  };
  return { sink, records, msgs: () => records.map((r) => r.msg) };
}
/** A logger in sync mode over a memory sink, with no exit hooks and no environment. */
function logger(options: Parameters<typeof createLogger>[0] = {}) {
  const m = memory();
  const runtime = { ...detectRuntime(), env: () => undefined };
  return { m, log: createLogger({ runtime, mode: "sync", exitHooks: false, sinks: [m.sink], ...options }) };
}
const levelOf = (spec: string, category?: string) => parseLevels(spec).levelOf(category) ?? "info";

describe("the spec", () => {
  test("a default level, patterns with their descendants, wildcards, -silence, bare patterns at debug", () => {
    const spec = "info,db=debug,http.*=warn,noisy=silent";
    expect(levelOf(spec, "db")).toBe("debug");
    expect(levelOf(spec, "db.pool")).toBe("debug"); // a descendant
    expect(levelOf(spec, "dbx")).toBe("info"); // not a descendant: the dot counts
    expect(levelOf(spec, "http")).toBe("info"); // http.* names what is below http only
    expect(levelOf(spec, "http.in")).toBe("warn");
    expect(levelOf(spec, "http.in.body")).toBe("warn");
    expect(levelOf(spec, "noisy")).toBe("silent");
    expect(levelOf(spec, undefined)).toBe("info");
    expect(levelOf("app.*,-app.secret", "app.web")).toBe("debug");
    expect(levelOf("app.*,-app.secret", "app.secret")).toBe("silent");
    expect(levelOf("app.*,-app.secret", "other")).toBe("info");
    expect(levelOf("*.db=trace", "billing.db")).toBe("trace");
    expect(levelOf("*.db=trace", "billing.dbx")).toBe("info");
  });

  test("commas or white space separate parts; empty parts are skipped; level names in any case", () => {
    expect(levelOf(" WARN ,, db=Debug\n http=ERROR\t", "db")).toBe("debug");
    expect(levelOf(" WARN ,, db=Debug\n http=ERROR\t", "http")).toBe("error");
    expect(levelOf(" WARN ,, db=Debug\n http=ERROR\t", "x")).toBe("warn");
    expect(parseLevels("").levelOf("x")).toBeUndefined();
    expect(parseLevels("db=warn").levelOf("x")).toBeUndefined();
  });

  test("the most specific pattern wins, whatever the order; among equals the later part", () => {
    // log4js's subcategories case: each level down the tree overrides the one above
    const spec = "sub1.sub11.sub111=warn,sub1=warn,sub1.sub11=trace,sub1.sub12=info";
    expect(levelOf(spec, "sub1")).toBe("warn");
    expect(levelOf(spec, "sub1.sub11")).toBe("trace");
    expect(levelOf(spec, "sub1.sub11.sub111")).toBe("warn");
    expect(levelOf(spec, "sub1.sub11.sub111.x")).toBe("warn");
    expect(levelOf(spec, "sub1.sub12")).toBe("info");
    expect(levelOf(spec, "sub1.sub13")).toBe("warn");
    // more literal characters beat fewer; no wildcard beats a wildcard of the same length
    expect(levelOf("http.*=warn,http.in=trace", "http.in")).toBe("trace");
    expect(levelOf("http.in=trace,http.*=warn", "http.in")).toBe("trace");
    expect(levelOf("ab=error,a*b=trace", "ab")).toBe("error");
    expect(levelOf("a*b=trace,ab=error", "ab")).toBe("error");
    expect(levelOf("db=debug,db=error", "db")).toBe("error");
    expect(levelOf("a*=debug,*a=error", "aa")).toBe("error");
    expect(levelOf("-x,x", "x")).toBe("debug");
    expect(levelOf("x,-x", "x")).toBe("silent");
  });

  // debug's namespace cases (debug-js/debug test.js), in sluice's grammar
  test("debug's cases: one name, names with skips, everything, nothing, escaped characters", () => {
    expect(levelOf("warn,test.12345", "test.12345")).toBe("debug");
    expect(levelOf("warn,test.12345", "test.67890")).toBe("warn");
    const names = "warn,test,abc*,-abc";
    expect(levelOf(names, "test")).toBe("debug");
    expect(levelOf(names, "abcd")).toBe("debug");
    expect(levelOf(names, "abc")).toBe("silent");
    expect(levelOf(names, "other")).toBe("warn");
    expect(levelOf("warn,*", "anything.at.all")).toBe("debug");
    expect(levelOf("warn,*", undefined)).toBe("debug"); // * names a logger without category too
    expect(levelOf("-*", "anything")).toBe("silent");
    expect(levelOf("", "anything")).toBe("info");
    // pattern characters are literal except *: a dot is a dot, [ ( + ? are themselves
    expect(levelOf("[*=trace", "[foo")).toBe("trace");
    expect(levelOf("a.b=trace", "axb")).toBe("info");
    expect(levelOf("a+(b)?=trace", "a+(b)?")).toBe("trace");
    expect(levelOf("a+(b)?=trace", "aab")).toBe("info");
  });

  test("seeded fuzz: a pattern matches a category as the regular expression it stands for does; one that backtracked for ever on a long category does not", () => {
    const unit = fc.constantFrom("a", "b", ".", "*", "-", "\n");
    fc.assert(fc.property(fc.array(unit, { maxLength: 8 }).map((u) => u.join("")), fc.array(fc.constantFrom("a", "b", ".", "-", "\n", "*"), { maxLength: 12 }).map((u) => u.join("")), (pattern, category) => {
      const regex = new RegExp(`^${pattern.replace(/[.+?^${}()|[\]\\]/g, "\\$&").replaceAll("*", ".*")}$`, "s");
      expect(globMatches(pattern, category)).toBe(regex.test(category));
    }), { numRuns: 2000, seed: 22 });
    // as a regular expression this took about 13 times longer for every 4 more characters (52 ms at 28)
    const spec = parseLevels("info," + "*a".repeat(12) + "*b=debug");
    expect(spec.levelOf("a".repeat(400))).toBe("info");
    expect(spec.levelOf("a".repeat(12) + "b")).toBe("debug");
  });

  test("a malformed spec is a TypeError that quotes the spec and names the part", () => {
    const cases: [string, string][] = [
      ["info,db=verbose", 'part "db=verbose": unknown level "verbose"; expected one of trace, debug, info, warn, error, fatal, silent'],
      ["db=", 'part "db=": unknown level ""; expected one of trace, debug, info, warn, error, fatal, silent'],
      ["=debug", 'part "=debug": no category'],
      ["-", 'part "-": no category'],
      ["-=warn", 'part "-=warn": no category'],
      ["a=b=c", 'part "a=b=c": more than one "="'],
      ["-db=debug", 'part "-db=debug": "-" silences and takes no level'],
      ["info,db=debug,warn", 'part "warn": a second default level (the first is "info")'],
    ];
    for (const [spec, why] of cases) {
      expect(() => parseLevels(spec)).toThrow(TypeError);
      expect(() => parseLevels(spec)).toThrow(`sluice: levels ${JSON.stringify(spec)}, ${why}`);
    }
    expect(() => createLogger({ levels: "db=loud", sinks: [] })).toThrow('sluice: levels "db=loud", part "db=loud": unknown level "loud"');
  });

  test("seeded fuzz: any spec parses or throws a TypeError naming its part; parsed, it agrees with a plain matcher", () => {
    const levels = ["trace", "debug", "info", "warn", "error", "fatal", "silent", "loud", "INFO", ""];
    const piece = fc.constantFrom("a", "b", "db", "*", ".", "-", "=", "[", "+", "x.y");
    const part = fc.array(piece, { minLength: 0, maxLength: 5 }).map((p) => p.join(""));
    const withLevel = fc.tuple(part, fc.constantFrom(...levels), fc.boolean()).map(([p, l, eq]) => (eq ? `${p}=${l}` : p));
    const specArb = fc.array(fc.oneof(withLevel, fc.constantFrom(...levels)), { maxLength: 6 }).map((ps) => ps.join(","));
    const category = fc.array(fc.constantFrom("a", "b", "db", "x", "y", "[", "+"), { minLength: 0, maxLength: 3 }).map((p) => p.join("."));
    fc.assert(
      fc.property(specArb, fc.array(category, { maxLength: 8 }), (spec, categories) => {
        let parsed;
        try {
          parsed = parseLevels(spec);
        } catch (err) {
          expect(err).toBeInstanceOf(TypeError);
          const m = /, part "((?:[^"\\]|\\.)*)": /.exec((err as Error).message);
          expect(m).not.toBeNull();
          expect(spec.split(/[\s,]+/)).toContain(JSON.parse(`"${m![1]}"`));
          return;
        }
        for (const c of categories) expect(parsed.levelOf(c) ?? null).toBe(reference(spec, c));
      }),
      { seed: 21, numRuns: 3000 },
    );
  });

  test("past the cache's bound (1000 categories) every answer is still right", () => {
    const p = parseLevels("c.1*=debug,-c.2*");
    for (let round = 0; round < 2; round++) {
      for (let i = 0; i < 2500; i++) {
        const want = String(i).startsWith("1") ? "debug" : String(i).startsWith("2") ? "silent" : undefined;
        expect(p.levelOf(`c.${i}`)).toBe(want);
      }
    }
  });
});

/**
 * The rules as a plain matcher: a glob per pattern (plus descendants), the longest literal text,
 * then no wildcard, then the last part; else the default level.
 */
function reference(spec: string, category: string): string | null {
  let best: { rank: number; index: number; level: string } | null = null;
  let base: string | null = null;
  spec.split(/[\s,]+/).filter(Boolean).forEach((part, index) => {
    const [pattern, word] = part.split("=");
    const name = pattern.startsWith("-") ? pattern.slice(1) : pattern;
    if (word === undefined && name === pattern && ["trace", "debug", "info", "warn", "error", "fatal", "silent"].includes(name.toLowerCase())) {
      base = name.toLowerCase();
      return;
    }
    const glob = (text: string, p: string): boolean => {
      if (p === "") return text === "";
      if (p[0] === "*") return [...Array(text.length + 1).keys()].some((k) => glob(text.slice(k), p.slice(1)));
      return text[0] === p[0] && glob(text.slice(1), p.slice(1));
    };
    const named = glob(category, name) || [...category].some((ch, k) => ch === "." && glob(category.slice(0, k), name));
    if (!named) return;
    const literal = name.replaceAll("*", "").length;
    const rank = literal * 2 + (name.includes("*") ? 0 : 1);
    if (!best || rank >= best.rank) best = { rank, index, level: word === undefined ? (name === pattern ? "debug" : "silent") : word.toLowerCase() };
  });
  return (best as { level: string } | null)?.level ?? base;
}

describe("loggers", () => {
  test("levels: the root and its children take their category's level; the rest the default", () => {
    const { m, log } = logger({ levels: "warn,db=debug,http.*=error,noisy=silent" });
    const db = log.child({}, { category: "db" });
    const pool = db.child({ pool: 1 }, { category: "pool" });
    const http = log.child({}, { category: "http" }).child({}, { category: "in" });
    const noisy = log.child({}, { category: "noisy" });
    log.info("root info");
    log.warn("root warn");
    db.debug("db debug");
    pool.debug("pool debug");
    http.warn("http warn");
    http.error("http error");
    noisy.fatal("noisy fatal");
    expect(m.msgs()).toEqual(["root warn", "db debug", "pool debug", "http error"]);
    expect([log.level, db.level, pool.level, http.level, noisy.level]).toEqual(["warn", "debug", "debug", "error", "silent"]);
    expect(db.isLevelEnabled("debug")).toBe(true);
    expect(db.isLevelEnabled("trace")).toBe(false);
  });

  test("the root's own category is looked up too; level is the default when levels names none", () => {
    const { m, log } = logger({ level: "error", levels: "api=debug", category: "api" });
    log.debug("root debug");
    log.child({}, { category: "x" }).warn("child warn"); // api.x: a descendant of api
    expect(m.msgs()).toEqual(["root debug", "child warn"]);
    const other = logger({ level: "error", levels: "api=debug" });
    other.log.child({}, { category: "web" }).warn("below error");
    other.log.error("at error");
    expect(other.m.msgs()).toEqual(["at error"]);
    expect(logger({ level: "error", levels: "warn" }).log.level).toBe("warn"); // the spec's default first
  });

  test("setLevels changes every logger of the root, children already made included; a bad spec changes nothing", () => {
    const { m, log } = logger({ levels: "info" });
    const db = log.child({ c: 1 }, { category: "db" });
    const req = db.child({ reqId: "r1" });
    db.debug("before");
    log.setLevels("info,db=debug");
    db.debug("after");
    req.debug("child after");
    expect(req.level).toBe("debug");
    db.setLevels("warn,-db"); // any logger of the root sets the root's levels
    db.error("silenced");
    log.info("below warn");
    log.warn("root warn");
    expect(() => log.setLevels("warn,db=chatty")).toThrow('sluice: setLevels "warn,db=chatty", part "db=chatty": unknown level "chatty"');
    db.error("still silenced");
    log.warn("still warn");
    log.setLevels("-*");
    log.fatal("nothing");
    expect(m.msgs()).toEqual(["after", "child after", "root warn", "still warn"]);
    // debug's re-enabling existing instances: off, on, off again
    log.setLevels("trace");
    req.trace("on again");
    log.setLevels("-db");
    req.fatal("off again");
    expect(m.msgs().slice(4)).toEqual(["on again"]);
  });

  test("setLevels with what is neither text nor a parsed spec is a TypeError that changes nothing; log calls go on", () => {
    const errors: Error[] = [];
    const { m, log } = logger({ levels: "info,db=debug", onError: (e) => errors.push(e) });
    const db = log.child({}, { category: "db" });
    for (const bad of [{}, { levelOf: 1 }, 5, null, ["info"], () => "info"]) {
      expect(() => log.setLevels(bad as never)).toThrow(TypeError);
      expect(() => log.setLevels(bad as never)).toThrow(/^sluice: setLevels takes a spec such as "info,db=debug" \(or what parseLevels returns\), got /);
    }
    expect(() => createLogger({ levels: {} as never, exitHooks: false, sinks: [] })).toThrow(/^sluice: levels takes a spec/);
    db.debug("db debug");
    log.debug("root debug");
    log.info("root info");
    expect(m.msgs()).toEqual(["db debug", "root info"]);
    expect(errors).toEqual([]);
    // a spec made by parseLevels is taken as it is
    log.setLevels(parseLevels("warn"));
    db.info("no");
    db.warn("db warn");
    expect(m.msgs()).toEqual(["db debug", "root info", "db warn"]);
  });

  test("a level set in code holds for the logger and children of its category, until setLevels", () => {
    const { m, log } = logger({ levels: "info,db=debug" });
    const quiet = log.child({}, { level: "error" });
    const quietReq = quiet.child({ reqId: "r" });
    const quietDb = quiet.child({}, { category: "db" }); // a new category: its own level
    const quietWeb = quiet.child({}, { category: "web" });
    quietReq.warn("no");
    quietDb.debug("db debug");
    quietWeb.debug("no either");
    log.level = "trace";
    const tracing = log.child({ n: 1 });
    tracing.trace("trace");
    expect(m.msgs()).toEqual(["db debug", "trace"]);
    log.setLevels("info,db=debug"); // the same spec: levels set in code give way
    quiet.warn("quiet warn now");
    tracing.trace("no trace now");
    expect(m.msgs()).toEqual(["db debug", "trace", "quiet warn now"]);
    expect([log.level, quiet.level, quietReq.level, quietDb.level]).toEqual(["info", "info", "info", "debug"]);
  });

  test("emit and a sink's own level follow setLevels", () => {
    const { m, log } = logger({ levels: "warn" });
    log.setLevels("trace");
    log.emit({ time: 0, level: "debug", category: undefined, msg: "forwarded", json: '{"msg":"forwarded"}', fieldsAt: 18 });
    expect(m.msgs()).toEqual(["forwarded"]);
  });

  test("emit refuses a record at \"silent\" or at no level, reported to onError; the next records pass", () => {
    const errors: Error[] = [];
    const { m, log } = logger({ level: "trace", onError: (e) => errors.push(e) });
    const record = (level: string, msg: string) => ({ time: 0, level, category: undefined, msg, json: `{"msg":"${msg}"}`, fieldsAt: 10 }) as LogRecord;
    for (const level of ["silent", "verbose", "toString", "INFO"]) log.emit(record(level, level));
    log.emit(record("fatal", "after"));
    expect(m.msgs()).toEqual(["after"]);
    expect(errors.map((e) => [e.name, e.message])).toEqual(["silent", "verbose", "toString", "INFO"].map((level) => [
      "TypeError", `sluice: unknown level ${JSON.stringify(level)}; expected one of trace, debug, info, warn, error, fatal`,
    ]));
    expect(log.stats().logged).toBe(1);
  });

  test("with caller: true, the first call after setLevels carries its own line", () => {
    const { m, log } = logger({ level: "info", caller: true });
    log.debug("off");
    log.setLevels("debug");
    const line = Number(new Error().stack!.split("\n")[1].match(/:(\d+):\d+\)?$/)![1]) + 1;
    log.debug("on");
    log.setLevels("warn");
    log.info("off again");
    expect(m.msgs()).toEqual(["on"]);
    expect(JSON.parse(m.records[0].json).caller).toBe(`levels.test.ts:${line}`);
  });
});

describe("SLUICE_LEVEL", () => {
  const runtime = (value: string | undefined) => ({ ...detectRuntime(), env: (name: string) => (name === "SLUICE_LEVEL" ? value : undefined) });

  test("read when the code sets neither level nor levels, with the same grammar", () => {
    const m = memory();
    const log = createLogger({ runtime: runtime("warn,db=trace"), mode: "sync", exitHooks: false, sinks: [m.sink] });
    log.info("no");
    log.child({}, { category: "db" }).trace("db trace");
    expect(m.msgs()).toEqual(["db trace"]);
    for (const options of [{ level: "debug" as LevelThreshold }, { levels: "debug" }]) {
      expect(createLogger({ ...options, runtime: runtime("error"), sinks: [] }).level).toBe("debug");
    }
    expect(createLogger({ runtime: runtime(undefined), sinks: [] }).level).toBe("info");
    expect(createLogger({ runtime: runtime(""), sinks: [] }).level).toBe("info");
  });

  test("a malformed SLUICE_LEVEL is an error that names the variable and the part", () => {
    expect(() => createLogger({ runtime: runtime("info,db:debug=x"), sinks: [] }))
      .toThrow('sluice: SLUICE_LEVEL "info,db:debug=x", part "db:debug=x": unknown level "x"');
  });

  test("from the real environment, in a Bun process", () => {
    const dir = mkdtempSync(join(tmpdir(), "sluice-levels-"));
    const script = join(dir, "env.ts");
    writeFileSync(script, `import { createLogger, fileSink } from ${JSON.stringify(new URL("../mod.ts", import.meta.url).pathname)};
const log = createLogger({ sinks: [fileSink("out.ndjson")] });
log.info("root info");
log.child({}, { category: "db" }).debug("db debug");
log.child({}, { category: "http" }).warn("http warn");
await log.close();`);
    const r = spawnSync(process.execPath, [script], { cwd: dir, encoding: "utf8", env: { ...process.env, SLUICE_LEVEL: "error,db=debug" } });
    expect(r.stderr).toBe("");
    expect(readFileSync(join(dir, "out.ndjson"), "utf8").trim().split("\n").map((l) => JSON.parse(l).msg)).toEqual(["db debug"]);
    const bad = spawnSync(process.execPath, [script], { cwd: dir, encoding: "utf8", env: { ...process.env, SLUICE_LEVEL: "db=verbose" } });
    expect(bad.status).not.toBe(0);
    expect(bad.stderr).toContain('sluice: SLUICE_LEVEL "db=verbose", part "db=verbose": unknown level "verbose"');
  });
});

describe("the web entry", () => {
  test("leaves the parser out: levels as text is a clear error, parseLevels(spec) works", () => {
    const dir = mkdtempSync(join(tmpdir(), "sluice-levels-web-"));
    const script = join(dir, "web.ts");
    writeFileSync(script, `import { createLogger, parseLevels, type LogRecord } from ${JSON.stringify(new URL("../mod.web.ts", import.meta.url).pathname)};
const records: LogRecord[] = [];
const sink = { name: "memory", sync: true, defaultOnFull: "block" as const, encode: (r: readonly LogRecord[]) => [...r], write: (r: LogRecord[]) => void records.push(...r), close() {} };
try { createLogger({ levels: "db=debug", sinks: [] }); } catch (err) { console.log((err as Error).message); }
const log = createLogger({ levels: parseLevels("warn,db=debug"), mode: "sync", sinks: [sink] });
log.child({}, { category: "db" }).debug("db debug");
log.info("no");
try { log.setLevels("trace"); } catch (err) { console.log((err as Error).message); }
log.setLevels(parseLevels("trace"));
log.trace("trace");
console.log(records.map((r) => r.msg).join(","));`);
    const r = spawnSync(process.execPath, [script], { cwd: dir, encoding: "utf8", env: { ...process.env, SLUICE_LEVEL: "fatal" } });
    expect(r.stderr).toBe("");
    expect(r.stdout.trim().split("\n")).toEqual([
      "sluice: levels as text needs the server entry (web: parseLevels)",
      "sluice: levels as text needs the server entry (web: parseLevels)",
      "db debug,trace",
    ]);
  });
});
