// Logger features on top of the contract: levels, children, lazy messages, redaction,
// formatters, the console sink, stats, and the browser bundle.
import { afterEach, describe, expect, spyOn, test } from "bun:test";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { categoryFileSink, consoleSink, createLogger, createRecord, fileSink, recordFields, type Sink, streamSink, type LogRecord } from "../mod.ts";
import { createRedactor } from "../lib/redact.ts";
import { categoryFileName } from "../lib/files/category_name.ts";

function memory(level?: Sink["level"]) {
  const records: LogRecord[] = [];
  const sink: Sink<readonly LogRecord[]> = {
    name: "memory", level, sync: true, defaultOnFull: "block",
    encode: (r) => [...r], write: (r) => void records.push(...r), close() {},
  };
  return { sink, records, fields: () => records.map(recordFields) };
}

describe("levels", () => {
  test("records below the threshold are skipped; isLevelEnabled says so", async () => {
    const m = memory();
    const log = createLogger({ level: "warn", sinks: [m.sink] });
    log.info("no");
    log.warn("yes");
    log.fatal("yes too");
    await log.flush();
    expect(m.records.map((r) => r.msg)).toEqual(["yes", "yes too"]);
    expect(log.isLevelEnabled("info")).toBe(false);
    expect(log.isLevelEnabled("error")).toBe(true);
    log.level = "trace";
    log.trace("now");
    await log.flush();
    expect(m.records.at(-1)!.msg).toBe("now");
  });

  test("per-sink levels: each sink gets only its own; silent logs nothing", async () => {
    const all = memory(), errors = memory("error");
    const log = createLogger({ level: "debug", sinks: [all.sink, errors.sink] });
    log.debug("d");
    log.error("e");
    await log.flush();
    expect(all.records.map((r) => r.msg)).toEqual(["d", "e"]);
    expect(errors.records.map((r) => r.msg)).toEqual(["e"]);
    log.level = "silent";
    log.fatal("never");
    await log.flush();
    expect(all.records.length).toBe(2);
  });

  test("when every sink is above the logger's level, fields are not even built", () => {
    const m = memory("error");
    const log = createLogger({ level: "trace", sinks: [m.sink] });
    let called = 0;
    log.info(() => (called++, "lazy"), () => (called++, {}));
    expect(called).toBe(0);
    expect(log.isLevelEnabled("info")).toBe(false);
  });
});

describe("messages and children", () => {
  test("lazy messages and fields are called only when enabled", async () => {
    const m = memory();
    const log = createLogger({ level: "info", sinks: [m.sink] });
    let calls = 0;
    log.debug(() => { calls++; return "x"; });
    log.info(() => "built", () => ({ n: ++calls }));
    await log.flush();
    expect(calls).toBe(1);
    expect(m.records[0].msg).toBe("built");
    expect(m.fields()[0]).toEqual({ n: 1 });
  });

  test("an Error as the message logs its message and the error as err", async () => {
    const m = memory();
    const log = createLogger({ sinks: [m.sink] });
    log.error(new Error("boom"), { route: "/x" });
    await log.flush();
    expect(m.records[0].msg).toBe("boom");
    expect(m.fields()[0].err.message).toBe("boom");
    expect(m.fields()[0].route).toBe("/x");
  });

  test("a message that is no string (from JavaScript, or what a lazy message gives) is written as one: every line is JSON with a string msg, and nothing is lost", async () => {
    const m = memory();
    const errors: unknown[] = [];
    const log = createLogger({ sinks: [m.sink], onError: (e) => void errors.push(e) });
    const noMessage = Object.defineProperty(new Error("x"), "message", { get() { throw new Error("no message"); } });
    const messages: unknown[] = [
      () => undefined, () => 42, () => ({ a: 1 }), () => new Error("lazy boom"), 7, null, Symbol("s"),
      Object.create(null), { toString() { throw new Error("no string"); } }, noMessage,
    ];
    for (const msg of messages) log.info(msg as string, { n: 1 });
    await log.flush();
    expect(errors).toEqual([]);
    const lines = m.records.map((r) => JSON.parse(r.json) as Record<string, unknown>);
    // what the runtime says of String(Object.create(null)) (JSC and V8 word it apart)
    let noPrimitive = "";
    try {
      String(Object.create(null));
    } catch (e) {
      noPrimitive = (e as Error).message;
    }
    expect(lines.map((r) => r.msg)).toEqual([
      "undefined", "42", "[object Object]", "lazy boom", "7", "null", "Symbol(s)",
      `[Throws: ${noPrimitive}]`, "[Throws: no string]", "[Throws: no message]",
    ]);
    expect(lines[3].err).toMatchObject({ message: "lazy boom" });
    expect(lines.every((r) => r.n === 1)).toBe(true);
  });

  test("children add bindings, nest categories with dots, and can have their own level", async () => {
    const m = memory();
    const log = createLogger({ sinks: [m.sink], bindings: { app: "shop" }, category: "api" });
    const http = log.child({ reqId: "r1" }, { category: "http" });
    const db = http.child({ table: "users" }, { category: "db", level: "error" });
    http.info("req");
    db.info("skipped");
    db.error("failed");
    await log.flush();
    expect(m.records.map((r) => [r.category, r.msg])).toEqual([["api.http", "req"], ["api.http.db", "failed"]]);
    expect(m.fields()[1]).toEqual({ app: "shop", reqId: "r1", table: "users" });
    expect(db.category).toBe("api.http.db");
  });

  test("a category that is not a string is a TypeError where the logger is made, so no sink is handed a record it cannot file (the category sink lost the batch)", async () => {
    const dir = mkdtempSync(join(tmpdir(), "sluice-category-type-"));
    const errors: Error[] = [];
    const log = createLogger({ sinks: [categoryFileSink(join(dir, "c"))], onError: (e) => errors.push(e) });
    for (const bad of [5, { a: 1 }, null, true, Symbol("c")]) {
      expect(() => log.child({}, { category: bad as never })).toThrow(new TypeError("sluice: category must be a string"));
      expect(() => createLogger({ category: bad as never, sinks: [], exitHooks: false })).toThrow(new TypeError("sluice: category must be a string"));
    }
    log.child({}, { category: "billing" }).info("charged");
    log.info("plain");
    await log.close();
    expect(errors).toEqual([]);
    expect(readFileSync(join(dir, "c", "billing.ndjson"), "utf8")).toContain('"msg":"charged"');
    expect(readFileSync(join(dir, "c", "default.ndjson"), "utf8")).toContain('"msg":"plain"');
    expect(log.stats().sinks[0].written).toBe(2);
  });

  test("a record given to emit() with a category that is not a string is filed by its text: the category sink's batch is not lost for it", async () => {
    const dir = mkdtempSync(join(tmpdir(), "sluice-emit-category-"));
    const errors: Error[] = [];
    const log = createLogger({ sinks: [categoryFileSink(join(dir, "c"))], onError: (e) => errors.push(e) });
    log.info("before");
    log.emit(createRecord(Date.now(), "info", 5 as never, "numeric", "}"));
    log.emit(createRecord(Date.now(), "info", { toString: () => { throw new Error("no text"); } } as never, "unreadable", "}"));
    log.info("after");
    await log.close();
    expect(errors).toEqual([]);
    expect(readFileSync(join(dir, "c", "default.ndjson"), "utf8").trim().split("\n").map((l) => JSON.parse(l).msg)).toEqual(["before", "after"]);
    expect(JSON.parse(readFileSync(join(dir, "c", "5.ndjson"), "utf8")).msg).toBe("numeric");
    expect(log.stats().sinks[0].written).toBe(4);
    // one whose text is empty is the default, as an empty category is (not a hidden ".ndjson")
    for (const empty of [[], new String(""), { toString: () => "" }]) expect(categoryFileName(empty as never)).toBe("default");
  });
});

describe("forwarding", () => {
  test("emit() forwards records made elsewhere, applies the level, and never throws", async () => {
    const m = memory();
    const errors: Error[] = [];
    const log = createLogger({ level: "warn", sinks: [m.sink], onError: (e) => errors.push(e) });
    log.emit(createRecord(0, "error", "edge", "forwarded", ',"producer":"p"}'));
    log.emit(createRecord(0, "info", "edge", "below the level", "}"));
    log.emit({ ...createRecord(0, "info", undefined, "bad", "}"), level: "loud" as never });
    await log.flush();
    expect(m.records.map((r) => r.msg)).toEqual(["forwarded"]);
    expect(errors[0].message).toMatch(/unknown level "loud"/);
  });

  test("records waiting on a stalled sink keep their own messages; a frozen record or one without a string message given to emit() waits as it is; the batch due long before its write sets no negative timer (a TimeoutNegativeWarning)", async () => {
    const warnings: string[] = [];
    const onWarning = (w: Error) => void warnings.push(w.name);
    process.on("warning", onWarning);
    const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
    let release!: () => void;
    const released = new Promise<void>((resolve) => release = resolve);
    const chunks: string[] = [];
    const errors: Error[] = [];
    const stalled = streamSink(new WritableStream({ write: async (c) => void chunks.push(new TextDecoder().decode(c), await released) }));
    const log = createLogger({ sinks: [stalled], onError: (e) => errors.push(e) });
    const frozen = Object.freeze(createRecord(0, "info", undefined, "frozen", "}"));
    const odd = { ...createRecord(0, "info", undefined, "odd", "}"), msg: undefined as unknown as string };
    log.info("first");
    await sleep(20); // the first batch is written, and its write stalls
    log.emit(frozen);
    log.emit(odd);
    log.info("queued before the stall is seen");
    await sleep(1100); // the stall is seen (after 1 s): what waits keeps a message of its own
    const kept = createRecord(0, "info", undefined, "queued while stalled", "}");
    log.emit(kept);
    expect([frozen.msg, odd.msg, kept.msg]).toEqual(["frozen", undefined as unknown as string, "queued while stalled"]);
    release();
    await log.close();
    expect(errors).toEqual([]);
    expect(chunks.join("").trim().split("\n").map((l) => JSON.parse(l).msg)).toEqual(["first", "frozen", "odd", "queued before the stall is seen", "queued while stalled"]);
    await sleep(10);
    process.off("warning", onWarning);
    expect(warnings).toEqual([]);
  });
});

describe("redaction", () => {
  test("named paths in fields and bindings are redacted; the caller's objects are untouched", async () => {
    const m = memory();
    const log = createLogger({ sinks: [m.sink], redact: ["password", "headers.authorization", "*.token"] });
    const headers = { authorization: "Bearer s3cret", accept: "json" };
    const child = log.child({ password: "p" });
    child.info("login", { headers, user: { token: "t", name: "a" } });
    await log.flush();
    expect(m.fields()[0]).toEqual({
      password: "[Redacted]",
      headers: { authorization: "[Redacted]", accept: "json" },
      user: { token: "[Redacted]", name: "a" },
    });
    expect(headers.authorization).toBe("Bearer s3cret");
  });

  test("a key's own rule and `*` both apply; a Map and what toJSON gives (Bun's Request and Headers) are redacted as they are written; a getter or toJSON that throws keeps the record", async () => {
    const m = memory();
    const log = createLogger({ sinks: [m.sink], redact: ["*.token", "user.email", "a.b.c", "a.*.d", "headers.authorization", "req.headers.authorization", "bad.x", "day.x"] });
    const throwing = { get boom(): string { throw new Error("no"); }, password: "p", token: "t" };
    const req = { toJSON: () => ({ method: "GET", headers: { authorization: "Bearer y", accept: "*/*" } }) };
    const bad = { x: 1, toJSON: () => { throw new Error("cannot"); } };
    log.info("x", { user: { token: "t", email: "e", name: "n" }, a: { b: { c: 1, d: 2, e: 3 } }, headers: new Map([["authorization", "Bearer x"], ["accept", "json"]]), s: throwing, req, bad, day: new Date(0) });
    await log.flush();
    expect(m.fields()[0]).toEqual({
      user: { token: "[Redacted]", email: "[Redacted]", name: "n" },
      a: { b: { c: "[Redacted]", d: "[Redacted]", e: 3 } },
      headers: { authorization: "[Redacted]", accept: "json" },
      s: { boom: "[Throws: no]", password: "p", token: "[Redacted]" },
      req: { method: "GET", headers: { authorization: "[Redacted]", accept: "*/*" } },
      bad: "[Throws: cannot]",
      day: "1970-01-01T00:00:00.000Z",
    });
  });

  test("with redaction, a value's toJSON is called once a record, whether a rule matches inside it or not, and what it gives is written", async () => {
    const m = memory();
    const log = createLogger({ sinks: [m.sink], redact: ["*.token", "plain"] });
    let calls = 0;
    const counted = (v: unknown) => ({ toJSON: () => (calls++, v) });
    // e: what toJSON gives has a toJSON of its own, which the serializer calls: redaction reads what that one gives
    log.info("x", { a: counted({ token: "t", n: 1 }), b: counted({ n: 2 }), c: counted("text"), d: counted([1, { token: "t" }]), e: counted(counted({ token: "t" })) });
    await log.flush();
    expect(calls).toBe(6);
    expect(m.fields()[0]).toEqual({ a: { token: "[Redacted]", n: 1 }, b: { n: 2 }, c: "text", d: [1, { token: "t" }], e: { token: "[Redacted]" } });
  });

  test("with redaction, a toJSON that never stops giving a new value with a toJSON (or two that give each other) ends as the serializer ends it without redaction: the call returns and the record is kept; a toJSON that gives an error is redacted as an error", async () => {
    const m = memory();
    const log = createLogger({ sinks: [m.sink], redact: ["a.token", "b.token", "c.token"] });
    let calls = 0;
    const endless = (): object => ({ token: "t", toJSON: () => (calls++, endless()) });
    const pair: Record<string, unknown> = { token: "t" };
    pair.toJSON = () => ({ token: "t", toJSON: () => pair });
    const err = Object.assign(new Error("upstream"), { token: "t", id: 7 });
    log.info("x", { a: endless(), b: pair, c: { toJSON: () => err }, n: 1 });
    await log.flush();
    expect(calls).toBeLessThanOrEqual(65);
    const written = m.fields()[0];
    // as the serializer writes them without redaction: the chain cut at the depth, the pair a cycle
    expect(written.a).toBe("[Truncated]");
    expect(written.b).toBe("[Circular]");
    expect(written.c).toMatchObject({ name: "Error", message: "upstream", token: "[Redacted]", id: 7 });
    expect(written.n).toBe(1);
  });

  test("with redaction, a reference back to a redacted object is written [Circular] as it is without redaction, not as the object in the clear; a Proxy whose trap throws is marked in its place and the record kept", async () => {
    const m = memory();
    const log = createLogger({ sinks: [m.sink], redact: ["req.headers.authorization", "p.token"] });
    // as Node's IncomingMessage: its socket leads back to it
    const req: Record<string, unknown> = { headers: { authorization: "Bearer s3cret", accept: "*/*" } };
    req.socket = { parser: { incoming: req } };
    const p = new Proxy({ token: "t" }, { getPrototypeOf: () => { throw new Error("trap"); } });
    log.info("x", { req, p, n: 1 });
    await log.flush();
    expect(m.records[0].json).not.toContain("s3cret");
    expect(m.fields()[0]).toEqual({
      req: { headers: { authorization: "[Redacted]", accept: "*/*" }, socket: { parser: { incoming: "[Circular]" } } },
      p: "[Throws: trap]",
      n: 1,
    });
  });

  test("redaction works on the fields as they are written: a Set's members, a Buffer, a cycle through a toJSON or under two rules at one level, a toJSON that gives itself, each as without redaction but for the redacted values", async () => {
    const write = async (redact: string[] | undefined, fields: Record<string, unknown>) => {
      const m = memory();
      const log = createLogger({ sinks: [m.sink], redact });
      log.info("x", fields);
      await log.flush();
      return m.fields()[0];
    };
    // 1. a Set is written as an array: its members are looked into
    expect(await write(["users.*.password"], { users: new Set([{ name: "a", password: "s3cret" }]) })).toEqual({ users: [{ name: "a", password: "[Redacted]" }] });
    // 2. a rule through a Buffer does not turn it into its bytes
    expect(await write(["*.password"], { key: new Uint8Array([1, 2]), n: 1 })).toEqual({ key: "[Uint8Array(2)]", n: 1 });
    // 3. a cycle back under a named rule and a `*` rule at one level
    const req: Record<string, unknown> = { headers: { authorization: "Bearer s3cret", cookie: "sid=c00kie" } };
    req.socket = { parser: { incoming: req } };
    expect(await write(["req.headers.authorization", "*.headers.cookie"], { req })).toEqual({
      req: { headers: { authorization: "[Redacted]", cookie: "[Redacted]" }, socket: { parser: { incoming: "[Circular]" } } },
    });
    // 4. a cycle through toJSON results, each toJSON called once
    let calls = 0;
    class Session {
      user: unknown;
      toJSON() {
        return { user: this.user };
      }
    }
    class User {
      password = "s3cret";
      session = new Session();
      toJSON() {
        calls++;
        return { password: this.password, session: this.session };
      }
    }
    const user = new User();
    user.session.user = user;
    expect(await write(["user.password"], { user })).toEqual({ user: { password: "[Redacted]", session: { user: "[Circular]" } } });
    expect(calls).toBe(1);
    // 5. a toJSON that gives its own object, called once; a cycle under the rule's own path
    const self: Record<string, unknown> = { password: "s3cret", toJSON() { calls++; return this; } };
    const looped: Record<string, unknown> = { name: "a", password: "s3cret" };
    looped.self = looped;
    expect(await write(["o.password", "user.self.password"], { o: self, user: looped })).toEqual({ o: { password: "[Redacted]", toJSON: "[Function: toJSON]" }, user: { name: "a", password: "s3cret", self: "[Circular]" } });
    expect(calls).toBe(2);
  });

  test("an error is redacted as it is written (its own members and cause, not what a toJSON of its would give), keeping its name, message and stack", async () => {
    const m = memory();
    const log = createLogger({ sinks: [m.sink], redact: ["err.response.headers.cookie", "err.cause.token"] });
    // as an AxiosError: its toJSON leaves response out, the record does not
    class UpstreamError extends Error {
      toJSON() {
        return { message: this.message };
      }
    }
    const err = Object.assign(new UpstreamError("upstream 500", { cause: { token: "t", id: 7 } }), {
      response: { status: 500, headers: { cookie: "sid=secret", via: "proxy" } },
    });
    log.error("failed", { err });
    await log.flush();
    const written = m.fields()[0].err as Record<string, unknown>;
    expect(written.response).toEqual({ status: 500, headers: { cookie: "[Redacted]", via: "proxy" } });
    expect(written.cause).toEqual({ token: "[Redacted]", id: 7 });
    expect([written.name, written.message, String(written.stack).includes("upstream 500")]).toEqual(["Error", "upstream 500", true]);
    expect(JSON.stringify(m.records[0].json)).not.toContain("secret");
    // a value left out of the line stays left out: no cause for an error without one, no member for undefined
    const all = createLogger({ sinks: [m.sink], redact: ["err.*", "gone"] });
    all.error("plain", { err: new Error("plain"), gone: undefined });
    await all.flush();
    expect(m.fields()[1]).toEqual({ err: { name: "[Redacted]", message: "[Redacted]", stack: "[Redacted]" } });
  });

  test("seeded fuzz: every value at a matched path is redacted, every other value is written as it was", async () => {
    let seed = 0x5eed;
    const rand = (n: number) => ((seed = (Math.imul(seed ^ (seed >>> 15), 0x2c1b3c6d) + 0x6d2b79f5) >>> 0) % n);
    const KEYS = ["a", "b", "c", "token", "0", "1"];
    const value = (depth: number): unknown => {
      const kind = rand(depth > 2 ? 3 : 7);
      if (kind === 0) return rand(100);
      if (kind === 1) return KEYS[rand(KEYS.length)] + rand(10);
      if (kind === 2) return null;
      if (kind === 3) return Array.from({ length: rand(3) }, () => value(depth + 1));
      const o: Record<string, unknown> = {};
      for (let i = rand(4); i > 0; i--) o[KEYS[rand(KEYS.length)]] = value(depth + 1);
      return kind === 4 ? o : kind === 5 ? new Map(Object.entries(o)) : { secret: "hidden by toJSON", toJSON: () => o };
    };
    // the reference: a path matches a value's keys one by one, `*` any key; a match redacts the value whole
    const expected = (v: unknown, paths: string[][], at: string[]): unknown => {
      if (at.length > 0 && paths.some((p) => p.length === at.length && p.every((k, i) => k === "*" || k === at[i]))) return "[Redacted]";
      if (v instanceof Map) v = Object.fromEntries(v);
      if (typeof (v as { toJSON?: unknown })?.toJSON === "function") v = (v as { toJSON(): unknown }).toJSON();
      if (typeof v !== "object" || v === null) return v;
      const out: Record<string, unknown> | unknown[] = Array.isArray(v) ? [] : {};
      for (const k of Object.keys(v)) (out as Record<string, unknown>)[k] = expected((v as Record<string, unknown>)[k], paths, [...at, k]);
      return out;
    };
    for (let round = 0; round < 300; round++) {
      // the fields' own keys end in "_" (none is a record member): so do the paths' first keys
      const paths = Array.from({ length: 1 + rand(3) }, () => Array.from({ length: 1 + rand(3) }, (_, i) => rand(3) === 0 ? "*" : KEYS[rand(KEYS.length)] + (i === 0 ? "_" : "")));
      const fields: Record<string, unknown> = {};
      for (let i = 1 + rand(4); i > 0; i--) fields[KEYS[rand(KEYS.length)] + "_"] = value(0);
      const m = memory();
      const log = createLogger({ sinks: [m.sink], redact: paths.map((p) => p.join(".")) });
      log.info("x", fields);
      await log.flush();
      expect({ paths, got: m.fields()[0] }).toEqual({ paths, got: expected(fields, paths, []) as Record<string, unknown> });
    }
  });

  test("bad redact paths are a clear error", () => {
    expect(() => createRedactor(["a..b"])).toThrow(/invalid redact path "a..b"/);
  });
});

describe("sinks", () => {
  const spies: { mockRestore(): void }[] = [];
  afterEach(() => spies.splice(0).forEach((s) => s.mockRestore()));

  test("a file sink takes a custom formatter", async () => {
    const file = join(mkdtempSync(join(tmpdir(), "sluice-")), "custom.log");
    const log = createLogger({ sinks: [fileSink(file, { format: (r) => `${r.level.toUpperCase()} ${r.msg}` })] });
    log.warn("careful");
    await log.close();
    expect(readFileSync(file, "utf8")).toBe("WARN careful\n");
  });

  test("the console sink writes each record with its level's console method (a format named; \"auto\" piped writes NDJSON to stdout: tests/pretty.test.ts)", async () => {
    const calls: [string, string][] = [];
    for (const m of ["debug", "info", "warn", "error"] as const) {
      spies.push(spyOn(console, m).mockImplementation((line: string) => void calls.push([m, line])));
    }
    const log = createLogger({ level: "trace", sinks: [consoleSink({ format: "text", color: false })] });
    log.trace("t");
    log.info("i", { n: 1 });
    log.warn("w");
    log.fatal("f");
    await log.flush();
    expect(calls.map(([m]) => m)).toEqual(["debug", "info", "warn", "error"]);
    expect(calls[1][1]).toMatch(/^\d{4}-.*Z INFO  i n=1$/);
  });

  test("a second close() waits for the first: when it resolves, every record is written", async () => {
    const lines: string[] = [];
    const slow: Sink<string[]> = {
      name: "slow", sync: false, defaultOnFull: "drop-newest",
      encode: (records) => records.map((r) => r.json),
      write: async (chunk) => {
        await new Promise((r) => setTimeout(r, 20));
        lines.push(...chunk);
      },
      close() {},
    };
    const log = createLogger({ sinks: [slow] });
    for (let i = 0; i < 10; i++) log.info("r" + i);
    const first = log.close(); // a framework's shutdown hook
    await log.close(); // the app's own
    expect(lines.length).toBe(10);
    await first;
  });

  test("stats report logged, written, queued and batch write latency per sink", async () => {
    const m = memory();
    const log = createLogger({ sinks: [m.sink] });
    for (let i = 0; i < 10; i++) log.info("x");
    expect(log.stats().queued).toBe(10);
    await log.flush();
    const s = log.stats();
    expect(s).toMatchObject({ logged: 10, written: 10, queued: 0, dropped: {} });
    expect(s.flushLatencyMs.count).toBeGreaterThan(0);
    expect(s.sinks[0].name).toBe("memory");
  });
});

describe("edge-safe core", () => {
  test("mod.ts bundles for a browser target with no node: import", async () => {
    const out = await Bun.build({ entrypoints: [new URL("../mod.ts", import.meta.url).pathname], target: "browser", minify: true });
    expect(out.success).toBe(true);
    const code = await out.outputs[0].text();
    expect(code).not.toMatch(/(from|import|require)\s*\(?\s*["']node:/);
  });
});
