// The serializers that know the shape (lib/shape_serializer.ts): a seeded fuzz against today's
// serializer (serializeTail) over every value kind and call sites whose shapes change, the
// logger using it with redaction, and the bound on learned shapes measured in a child's VmHWM.
import { describe, expect, test } from "bun:test";
import fc from "fast-check";
import { createLogger, streamSink } from "../mod.ts";
import { fieldsTail, registerFieldsTail, serializeMembers, serializeTail } from "../lib/serialize.ts";
import { createRedactor } from "../lib/redact.ts";
import { learnedShapes, MAX_SHAPES, shapeTail } from "../lib/shape_serializer.ts";

const KEYS = ["a", "b", "i", "user", "route", "0", "1", "10", "é", '"q\\', "\n", "", "constructor", "toString", "__proto__", "time", "msg", "\u2028", "𝒳"];

/** A string of any UTF-16 units, lone surrogates included. */
const anyUnits = fc.string({ unit: fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c)) });
const anything = fc.anything({
  withBigInt: true, withMap: true, withSet: true, withDate: true, withTypedArray: true, withNullPrototype: true,
  withBoxedValues: true, withSparseArray: true, withObjectString: true, maxDepth: 3,
});
function named() {}
class Point {
  constructor(readonly x: number, readonly y: number) {}
}
const errorValue = fc.tuple(anyUnits, fc.boolean(), fc.boolean()).map(([m, cause, aggregate]) => {
  const err = aggregate ? new AggregateError([new Error(m)], m) : new TypeError(m, cause ? { cause: new Error("root") } : undefined);
  return Object.assign(err, { code: "E_X" });
});
/** Every kind of value a field can hold. */
const fieldValue = fc.oneof(
  fc.string(), anyUnits, fc.double(), fc.integer(), fc.constantFrom(-0, NaN, Infinity, -Infinity, 1e21, 5e-324, Number.MAX_VALUE),
  fc.boolean(), fc.constant(null), fc.constant(undefined), fc.bigInt(), fc.date({ noInvalidDate: false }),
  errorValue, fc.constantFrom(named, () => {}, Symbol("s"), new Uint8Array(3), new ArrayBuffer(2), new Point(1, 2)),
  fc.constantFrom(new Map<unknown, unknown>([["k", 1], [2, "two"]]), new Set([1, "x"])),
  fc.jsonValue().map((v) => ({ toJSON: () => v })),
  fc.constant({ toJSON() { throw new Error("no toJSON"); } }),
  fc.constant([1, { toJSON: () => "arr" }]),
  // a toJSON is called with its key: one on the field itself must see the field's name
  fc.constant(Object.assign([1], { toJSON: (key: string) => "array at " + key })),
  fc.constant(Object.assign(new Date(0), { toJSON: (key: string) => "date at " + key })),
  fc.jsonValue(), anything,
  // plain objects inside the fields, rendered by their own learned shapes: tricky keys, a toJSON
  // that is not enumerable, chains deeper than the nested shapes go, with a bigint at the bottom
  fc.dictionary(fc.constantFrom(...KEYS), fc.oneof(fc.string(), fc.integer(), fc.constant(undefined), fc.jsonValue(), fc.bigInt()), { maxKeys: 5 }),
  fc.jsonValue().map((v) => Object.defineProperty({ a: 1 }, "toJSON", { value: () => v, enumerable: false })),
  fc.tuple(fc.integer({ min: 1, max: 10 }), fc.oneof(fc.integer(), fc.bigInt(), fc.string())).map(([depth, leaf]) => {
    let o: unknown = leaf;
    for (let i = 0; i < depth; i++) o = { a: o, b: i };
    return o;
  }),
);
/** A cycle or a throwing getter put into fields, after their values. */
type Twist = "none" | "self" | "nested" | "plain" | "array" | "getter";
const twist = fc.constantFrom<Twist>("none", "none", "none", "self", "nested", "plain", "array", "getter");

function makeFields(keys: readonly string[], values: readonly unknown[], how: Twist): object {
  const o: Record<string, unknown> = {};
  keys.forEach((k, i) => {
    if (k === "__proto__") Object.defineProperty(o, k, { value: values[i], enumerable: true, writable: true, configurable: true });
    else o[k] = values[i];
  });
  const k = keys[0];
  if (k === undefined || k === "__proto__") return o;
  if (how === "self") o[k] = o;
  else if (how === "nested") o[k] = { inner: [o] };
  else if (how === "plain") o[k] = { inner: { back: o, n: 1 } }; // a cycle through plain objects only
  else if (how === "array") {
    const arr: unknown[] = [1];
    arr.push(arr);
    o[k] = arr;
  } else if (how === "getter") Object.defineProperty(o, k, { get() { throw new Error("getter " + k); }, enumerable: true });
  return o;
}

/** A few call sites (shapes), then calls that pick a site, maybe reorder or drop its keys, and its values. */
const callSites = fc.uniqueArray(fc.constantFrom(...KEYS), { maxLength: 7 }).chain((base) =>
  fc.tuple(
    fc.array(fc.uniqueArray(fc.constantFrom(...KEYS), { maxLength: 7 }), { minLength: 1, maxLength: 4 }).map((s) => [base, ...s]),
    fc.array(fc.tuple(fc.nat(), fc.nat(), fc.array(fieldValue, { minLength: 7, maxLength: 7 }), twist), { minLength: 1, maxLength: 25 }),
  )
);

describe("shapeTail", () => {
  test("renders as serializeTail, learning each shape once", () => {
    expect(shapeTail({ i: 1, user: "alice", route: "/api" })).toBe(',"i":1,"user":"alice","route":"/api"}');
    expect(shapeTail({ i: 2, user: 'b"o\nb', route: undefined })).toBe(',"i":2,"user":"b\\"o\\nb"}');
    expect(shapeTail({ route: undefined })).toBe("}");
    expect(shapeTail({})).toBe("}");
    expect(shapeTail({ a: { b: 1, c: { d: "x" } }, e: {} })).toBe(',"a":{"b":1,"c":{"d":"x"}},"e":{}}');
    const before = learnedShapes();
    for (let n = 0; n < 100; n++) shapeTail({ i: n, user: "alice", route: "/api" });
    expect(learnedShapes()).toBe(before);
  });

  test("seeded fuzz: every value kind, shapes that change at a call site, the same output as serializeTail", () => {
    fc.assert(
      fc.property(callSites, ([sites, calls]) => {
        for (const [site, drop, values, how] of calls) {
          let keys = sites[site % sites.length];
          if (drop % 5 === 1) keys = [...keys].reverse(); // the same names in another order
          else if (drop % 5 === 2) keys = keys.slice(1); // one name fewer
          const fields = makeFields(keys, values, how);
          expect(shapeTail(fields)).toBe(serializeTail(fields));
        }
        // fields that are not plain objects take serializeTail whole
        for (const other of [[1, "x"], Object.assign(Object.create(null), { a: 1 }), new Point(3, 4), new Error("e")]) {
          expect(shapeTail(other)).toBe(serializeTail(other));
        }
      }),
      { seed: 22, numRuns: 300 },
    );
  });

  test("a string is quoted as JSON.stringify quotes it, for every UTF-16 unit alone, between others, and in a surrogate pair", () => {
    const differ: number[] = [];
    for (let c = 0; c <= 0xffff; c++) {
      const u = String.fromCharCode(c);
      for (const v of [u, "a" + u + "b"]) if (shapeTail({ s: v }) !== serializeTail({ s: v })) differ.push(c);
    }
    for (const pair of ["\ud83d\ude00", "x\udbff\udfffy", "\udc00\ud800"]) if (shapeTail({ s: pair }) !== serializeTail({ s: pair })) differ.push(pair.charCodeAt(0));
    expect(differ).toEqual([]);
  });

  test("the logger renders fields with it, redaction included, as serializeMembers would", async () => {
    const registered = fieldsTail; // serializeTail on Bun; tests/node/shape_serializer.test.mjs checks Node registers shapeTail
    registerFieldsTail(shapeTail);
    const lines: string[] = [];
    const decoder = new TextDecoder();
    const log = createLogger({
      redact: ["user", "*.secret"],
      sinks: [streamSink(new WritableStream({ write: (c) => void lines.push(...decoder.decode(c).trim().split("\n")) }))],
    });
    const calls = [
      { i: 1, user: "alice", auth: { secret: "s", id: 7 } },
      { i: 2, user: "bob", auth: { secret: "t", id: 8 } },
      { i: 3, user: "carol", auth: { id: 9 }, err: new Error("boom") },
      { i: 4, user: "dave", n: 5n, at: new Date(0) },
    ];
    for (const f of calls) log.info("m", f);
    registerFieldsTail(registered);
    await log.close();
    const redact = createRedactor(["user", "*.secret"]);
    expect(lines.length).toBe(calls.length);
    calls.forEach((f, i) => expect(lines[i].endsWith('"msg":"m"' + serializeMembers(redact(f)) + "}")).toBe(true));
    expect(lines[0]).toContain('"user":"[Redacted]","auth":{"secret":"[Redacted]","id":7}');
  });

  test(`a site whose keys change every call learns at most ${MAX_SHAPES} shapes: a child's VmHWM does not grow with the shapes`, () => {
    const child = (n: number) => {
      const code = `
        import { shapeTail, learnedShapes } from ${JSON.stringify(new URL("../lib/shape_serializer.ts", import.meta.url).pathname)};
        let bytes = 0;
        for (let i = 0; i < ${n}; i++) bytes += shapeTail({ ["k" + i]: i, ["v" + i]: "x" }).length;
        const hwm = /VmHWM:\\s+(\\d+)/.exec(require("fs").readFileSync("/proc/self/status", "utf8"))[1];
        console.log(JSON.stringify({ learned: learnedShapes(), hwmKb: Number(hwm), bytes }));`;
      const r = Bun.spawnSync([process.execPath, "-e", code], { stderr: "pipe" });
      expect(r.exitCode).toBe(0);
      return JSON.parse(r.stdout.toString()) as { learned: number; hwmKb: number; bytes: number };
    };
    const small = child(MAX_SHAPES), large = child(200_000);
    expect(small.learned).toBe(MAX_SHAPES);
    expect(large.learned).toBe(MAX_SHAPES);
    expect(large.bytes).toBeGreaterThan(small.bytes * 100); // every call was rendered all the same
    // 200,000 compiled shapes would take hundreds of MB; 200,000 objects of distinct keys on the
    // safe path alone leave Bun 22-25 MB higher before a GC, so the bound is well above that and
    // well below what learning every shape would take
    expect(large.hwmKb - small.hwmKb).toBeLessThan(64 * 1024);
  });
});
