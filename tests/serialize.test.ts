// The safe serializer: one documented rendering per special value, and JSON round-trips.
import { describe, expect, test } from "bun:test";
import fc from "fast-check";
import { createLogger, createRecord, streamSink } from "../mod.ts";
import { safeStringify, serializeMembers, serializeObject, serializeTail } from "../lib/serialize.ts";
import { parseNdjson } from "../lib/format/ndjson_decode.ts";

/** A record's line as the logger makes it (lib/logger.ts: fields serialized, then built). */
const recordLine = (msg: string, fields: object) => createRecord(Date.now(), "warn", undefined, msg, serializeTail(fields)).json;

const members = (fields: object) => JSON.parse("{" + serializeMembers(fields).slice(1) + "}");

describe("serializeMembers", () => {
  test("plain fields render as JSON members, empty fields as nothing", () => {
    expect(serializeMembers({ a: 1, b: "x", c: [true, null], d: { e: 2 } })).toBe(',"a":1,"b":"x","c":[true,null],"d":{"e":2}');
    expect(serializeMembers({})).toBe("");
  });

  test("Error: name, message, stack, own props, cause chain", () => {
    const err = Object.assign(new TypeError("bad", { cause: new Error("root") }), { code: "E_BAD" });
    const out = members({ err }).err;
    expect(out.name).toBe("TypeError");
    expect(out.message).toBe("bad");
    expect(out.stack).toContain("TypeError: bad");
    expect(out.code).toBe("E_BAD");
    expect(out.cause.message).toBe("root");
  });

  test("AggregateError members", () => {
    const out = members({ err: new AggregateError([new Error("a"), new Error("b")], "both") }).err;
    expect(out.message).toBe("both");
    expect(out.errors.map((e: { message: string }) => e.message)).toEqual(["a", "b"]);
  });

  test("circular references become [Circular]; shared references are written twice", () => {
    const a: Record<string, unknown> = { n: 1 };
    a.self = a;
    const shared = { s: 1 };
    expect(members({ a, x: shared, y: shared })).toEqual({ a: { n: 1, self: "[Circular]" }, x: { s: 1 }, y: { s: 1 } });
  });

  test("bigint, Map, Set, Date, undefined, functions, symbols, typed arrays", () => {
    function named() {}
    expect(members({
      big: 12345678901234567890n,
      map: new Map<unknown, unknown>([["k", 1], [2, "two"], [Symbol("left out"), 3]]),
      set: new Set([1, 2]),
      date: new Date(0),
      bad: new Date(NaN),
      undef: undefined,
      arr: [undefined, 1],
      fn: named,
      anon: (() => () => {})(),
      sym: Symbol("s"),
      bytes: new Uint8Array(3),
    })).toEqual({
      big: "12345678901234567890",
      map: { k: 1, "2": "two" },
      set: [1, 2],
      date: "1970-01-01T00:00:00.000Z",
      bad: null,
      arr: [null, 1],
      fn: "[Function: named]",
      anon: "[Function: anonymous]",
      sym: "Symbol(s)",
      bytes: "[Uint8Array(3)]",
    });
  });

  test("special values nested in plain objects and arrays take the safe path too", () => {
    expect(members({ deep: { list: [{ e: new Error("x") }] } }).deep.list[0].e.message).toBe("x");
    expect(members({ deep: { n: 2n } })).toEqual({ deep: { n: "2" } });
  });

  test("throwing getters and toJSON are marked, never thrown", () => {
    const obj = { get bad() { throw new Error("no"); }, ok: 1 };
    expect(members({ obj })).toEqual({ obj: { bad: "[Throws: no]", ok: 1 } });
    expect(members({ t: { toJSON() { throw new Error("nope"); } } })).toEqual({ t: "[Throws: nope]" });
  });

  test("an array's or a Set's toJSON is called in the safe path as JSON.stringify calls it; a toJSON that never stops giving a new value with a toJSON is truncated", () => {
    const arr = Object.assign([1], { toJSON: () => "array" });
    // a bigint beside it sends the fields down the safe path; the array is written as the fast path writes it
    expect(members({ arr, n: 1n })).toEqual({ arr: "array", n: "1" });
    expect(members({ arr })).toEqual({ arr: "array" });
    expect(members({ set: Object.assign(new Set([1]), { toJSON: () => "set" }) })).toEqual({ set: "set" });
    const endless = (): object => ({ toJSON: endless });
    expect(members({ endless: endless() })).toEqual({ endless: "[Truncated]" });
  });

  test("a throwing getter named like a record member (time, level, msg, category) is marked too, not thrown", () => {
    const fields = Object.defineProperty({ n: 1 }, "time", { get() { throw new Error("no time"); }, enumerable: true });
    expect(members(fields)).toEqual({ n: 1, _time: "[Throws: no time]" });
  });

  test("very deep nesting is truncated, not a stack overflow", () => {
    let v: Record<string, unknown> = {};
    const root = v;
    for (let i = 0; i < 10000; i++) v = (v.next = {}) as Record<string, unknown>;
    expect(serializeMembers({ root })).toContain("[Truncated]");
  });

  test("property: any JSON value round-trips unchanged", () => {
    fc.assert(fc.property(fc.dictionary(fc.string(), fc.jsonValue()), (fields) => {
      expect(members(fields)).toEqual(JSON.parse(JSON.stringify(fields)));
    }), { numRuns: 500 });
  });

  test("property: any value at all serializes to valid JSON without throwing", () => {
    fc.assert(fc.property(fc.dictionary(fc.string(), fc.anything({ withBigInt: true, withMap: true, withSet: true, withDate: true, withTypedArray: true })), (fields) => {
      JSON.parse("{" + serializeMembers(fields).slice(1) + "}");
    }), { numRuns: 300 });
  });

  test("safeStringify renders a top-level special value", () => {
    expect(safeStringify(5n)).toBe('"5"');
    expect(safeStringify(undefined)).toBe("null");
  });
});

describe("fields named like the record's own members", () => {
  test("time, level, msg and category in fields or bindings never override the record's; they are kept as _time, _level, ...", async () => {
    const out: string[] = [];
    const log = createLogger({ sinks: [streamSink(new WritableStream({ write(c) { out.push(new TextDecoder().decode(c)); } }))], bindings: { level: "b" } });
    const nanos = Date.now() * 1e6;
    log.info("x", { time: nanos, msg: "m", category: "c", _time: 1, n: 1 });
    await log.close();
    const r = JSON.parse(out.join(""));
    expect(r).toMatchObject({ level: "info", msg: "x", _level: "b", _time: 1, __time: nanos, _msg: "m", _category: "c", n: 1 });
    expect(Date.parse(r.time)).toBeGreaterThan(Date.now() - 60_000);
    expect("category" in r).toBe(false);
  });

  test("an Error's or a Map's members and what a toJSON gives are renamed too, and the Error keeps its name, message and stack", () => {
    const err = Object.assign(new Error("boom"), { time: 5, level: "x" });
    expect(members(err)).toMatchObject({ name: "Error", message: "boom", _time: 5, _level: "x" });
    expect(members(err).stack).toContain("boom");
    expect(members(new Map<string, unknown>([["time", 1], ["n", 2]]))).toEqual({ n: 2, _time: 1 });
    expect(members({ toJSON: () => ({ level: "x", n: 1 }) })).toEqual({ n: 1, _level: "x" });
    // the caller's object is left as it was
    expect(Object.keys(err)).toEqual(["time", "level"]);
  });

  test("what the safe renderings cannot read (an array element's getter that throws, a Proxy's trap, an iterator that throws) is marked in its place; the other fields are kept", async () => {
    const list = [1, 2];
    Object.defineProperty(list, 0, { get() { throw new Error("no element"); }, enumerable: true });
    const trap = new Proxy({ a: 1 }, { getOwnPropertyDescriptor() { throw new Error("no descriptor"); } });
    const map = new Map([["a", 1]]);
    Object.defineProperty(map, Symbol.iterator, { value: () => { throw new Error("no entries"); } });
    expect(JSON.parse(serializeObject({ time: 1, list }))).toEqual({ _time: 1, list: "[Throws: no element]" });
    expect(JSON.parse(serializeObject({ ok: 1, trap, map, nested: { toJSON: () => [list] } }))).toEqual({ ok: 1, trap: "[Throws: no descriptor]", map: "[Throws: no entries]", nested: ["[Throws: no element]"] });
    expect(JSON.parse(serializeObject(trap))).toEqual({ value: "[Throws: no descriptor]" });
    const out: string[] = [];
    const errors: unknown[] = [];
    const log = createLogger({ sinks: [streamSink(new WritableStream({ write(c) { out.push(new TextDecoder().decode(c)); } }))], onError: (e) => void errors.push(e) });
    log.info("kept", { time: 1, list, n: 2 });
    await log.close();
    expect(errors).toEqual([]);
    expect(JSON.parse(out.join(""))).toMatchObject({ msg: "kept", _time: 1, list: "[Throws: no element]", n: 2 });
  });

  test("property: whatever the fields, the library's line is one the collector's decoder accepts as the same record", () => {
    fc.assert(fc.property(fc.dictionary(fc.oneof(fc.constantFrom("time", "level", "msg", "category", "_time", "producer"), fc.string()), fc.jsonValue()), fc.string(), (fields, msg) => {
      const line = recordLine(msg, fields);
      const parsed = parseNdjson(line + "\n", "p", 1 << 20);
      expect(parsed.errors).toEqual([]);
      expect(parsed.records[0].msg).toBe(msg);
      expect(parsed.records[0].level).toBe("warn");
    }), { seed: 7, numRuns: 300 });
  });
});
