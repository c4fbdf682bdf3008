/**
 * Safe, fast JSON rendering of log fields.
 *
 * Plain JSON-able fields (strings, numbers, booleans, null, plain objects and arrays, Dates)
 * take one `JSON.stringify`. Anything else takes the safe path, which never throws and
 * renders each special value one documented way:
 *
 * | value | rendering |
 * | --- | --- |
 * | `Error` | `{ "name", "message", "stack", ...own props, "cause"?, "errors"? }` (cause chain and AggregateError members, recursively) |
 * | circular reference | `"[Circular]"` |
 * | `bigint` | its decimal digits as a string: `"12345678901234567890"` |
 * | `Map` | an object: `{ String(key): value }` (a symbol key left out) |
 * | `Set` | an array of its members |
 * | `Date` | ISO-8601 string (invalid dates: `null`), as `JSON.stringify` |
 * | `undefined` | omitted as an object property, `null` in an array, as `JSON.stringify` |
 * | function | `"[Function: name]"` |
 * | symbol | `"Symbol(description)"` |
 * | typed array / ArrayBuffer | `"[Uint8Array(12)]"` (its type and length, not its bytes) |
 * | a getter or `toJSON` that throws | `"[Throws: message]"` |
 * | a value that cannot be read at all (a Proxy's trap, an iterator that throws, an array with an element's getter that throws) | `"[Throws: message]"` in its place, the rest kept |
 * | nesting deeper than 64 | `"[Truncated]"` |
 *
 * @module
 */

import { errorMessage } from "./errors.ts";
import { attempt, errorMembers, jsonOf, readMember } from "./read_value.ts";

/** How deep a value is written (a `toJSON` chain counts a level a call) before `"[Truncated]"`. */
const MAX_DEPTH = 64;
const SCAN_DEPTH = 8;
const objectProto = Object.prototype;

/**
 * Renders `fields` as the members of a JSON object, each preceded by a comma
 * (`,"a":1,"b":"x"`), or `""` when there are none. Never throws.
 *
 * @param fields The fields of one record.
 * @returns JSON members, ready to be spliced into a record object.
 * @example
 * ```ts
 * import { serializeMembers } from "./serialize.ts";
 * serializeMembers({ n: 1n, tags: new Set(["a"]) }); // ',"n":"1","tags":["a"]'
 * ```
 */
export function serializeMembers(fields: object): string {
  return serializeTail(fields).slice(0, -1);
}

/**
 * The end of a record's line from its fields on: their members and the closing brace
 * (`,"a":1}`, or `}` for no members), as {@linkcode serializeObject} renders them.
 *
 * @param fields The fields of one record.
 * @returns The members, each with a leading comma, then `}`.
 * @example
 * ```ts
 * import { serializeTail } from "./serialize.ts";
 * serializeTail({ a: 1 }); // ',"a":1}'
 * serializeTail({}); // '}'
 * ```
 */
export function serializeTail(fields: object): string {
  const json = serializeObject(fields);
  return json.length > 2 ? "," + json.slice(1) : "}";
}

/**
 * The renderer of a log call's fields as the end of its line: {@linkcode serializeTail}, unless
 * the server entries registered a faster one with the same output ({@linkcode registerFieldsTail}).
 *
 * @example
 * ```ts
 * import { fieldsTail } from "./serialize.ts";
 * fieldsTail({ a: 1 }); // ',"a":1}'
 * ```
 */
export let fieldsTail: (fields: object) => string = serializeTail;

/**
 * Replaces {@linkcode fieldsTail} (done on Node by `adapters/server_runtimes.ts` with the shape
 * serializer); the replacement must render exactly as `serializeTail` does.
 *
 * @param render The renderer.
 * @example
 * ```ts
 * import { registerFieldsTail } from "./serialize.ts";
 * import { shapeTail } from "./shape_serializer.ts";
 * registerFieldsTail(shapeTail);
 * ```
 */
export function registerFieldsTail(render: (fields: object) => string): void {
  fieldsTail = render;
}

/**
 * Renders an object as JSON text (`{"a":1}`) with the safe renderings of this module: one
 * `JSON.stringify` for plain fields. Never throws.
 *
 * @param fields The fields of one record.
 * @returns A JSON object text.
 * @example
 * ```ts
 * import { serializeObject } from "./serialize.ts";
 * serializeObject({ n: 1n }); // '{"n":"1"}'
 * ```
 */
export function serializeObject(fields: object): string {
  try {
    if (isPlain(fields, 0)) {
      const json = JSON.stringify(fields);
      if (json !== undefined && json.charCodeAt(0) === 123) return json;
    }
  } catch {
    // a cycle, a bigint deeper than the scan, or a throwing getter: the safe path renders it
  }
  const safe = safeJson(fields, true);
  return safe.charCodeAt(0) === 123 ? safe : JSON.stringify({ value: JSON.parse(safe) });
}

/**
 * The record's own members (`time`, `level`, `msg`, `category`) come first in its JSON; a field
 * of the same name would override them for every reader, so it is written with a `_` in front
 * (`_time`, and `__time` if `_time` is taken too). Renames in `v`, the fields already made
 * JSON-safe (a new object, so the caller's is untouched): an `Error`'s or a `Map`'s members and
 * what a `toJSON` gives are kept from overriding them too.
 */
function keepRecordMembers(v: unknown): unknown {
  if (typeof v !== "object" || v === null || Array.isArray(v)) return v;
  const out = v as Record<string, unknown>;
  for (const k of ["time", "level", "msg", "category"]) {
    if (!Object.hasOwn(out, k)) continue;
    let name = "_" + k;
    while (Object.hasOwn(out, name)) name = "_" + name;
    out[name] = out[k];
    delete out[k];
  }
  return out;
}

/** `value` as JSON by the safe renderings (as the fields of a record with `asFields`). Never throws. */
function safeJson(value: unknown, asFields: boolean): string {
  try {
    const v = toJsonValue(value, [], 0);
    return JSON.stringify(asFields ? keepRecordMembers(v) : v) ?? "null";
  } catch (err) {
    // what JSON.stringify still cannot write of the safe renderings' plain values: kept as a last resort
    return JSON.stringify({ serializeError: errorMessage(err) });
  }
}

/**
 * Renders any value as JSON with the safe renderings of this module. Never throws.
 *
 * @param value Anything.
 * @returns A JSON text.
 * @example
 * ```ts
 * import { safeStringify } from "./serialize.ts";
 * const a: Record<string, unknown> = {}; a.self = a;
 * safeStringify(a); // '{"self":"[Circular]"}'
 * ```
 */
export function safeStringify(value: unknown): string {
  return safeJson(value, false);
}

/**
 * True when `JSON.stringify` renders `v` the documented way (it may still throw on a cycle).
 *
 * @param v A value.
 * @param depth Its depth in the fields (0: the fields themselves, whose record-member keys do not count as plain).
 * @returns Whether one `JSON.stringify` renders it.
 * @example
 * ```ts
 * import { isPlain } from "./serialize.ts";
 * isPlain({ a: [1, "x"] }, 1); // true
 * isPlain({ n: 1n }, 1); // false
 * ```
 */
export function isPlain(v: unknown, depth: number): boolean {
  if (typeof v !== "object" || v === null) {
    const t = typeof v;
    return t !== "bigint" && t !== "function" && t !== "symbol";
  }
  if (depth > SCAN_DEPTH) return false;
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) if (!isPlain(v[i], depth + 1)) return false;
    return true;
  }
  const proto = Object.getPrototypeOf(v);
  if (proto !== objectProto && proto !== null) {
    if (v instanceof Date) return true;
    if (v instanceof Error || v instanceof Map || v instanceof Set || ArrayBuffer.isView(v) || v instanceof ArrayBuffer || typeof (v as { toJSON?: unknown }).toJSON === "function") return false;
  }
  for (const k in v) {
    if (depth === 0 && (k === "time" || k === "level" || k === "msg" || k === "category")) return false;
    const x = (v as Record<string, unknown>)[k];
    const t = typeof x;
    if (t === "object" ? x !== null && !isPlain(x, depth + 1) : t === "bigint" || t === "function" || t === "symbol") return false;
  }
  return true;
}

/**
 * A value as the safe path writes it, made of new plain objects, arrays and JSON primitives
 * (`undefined` where a member is left out): errors, Maps, Sets, `toJSON`, typed arrays, cycles
 * and depth rendered one way, each getter and `toJSON` read once. Redaction works on it.
 *
 * @param v Any value.
 * @returns The value as it is written.
 * @example
 * ```ts
 * import { renderValue } from "./serialize.ts";
 * renderValue({ n: 1n, tags: new Set(["a"]) }); // { n: "1", tags: ["a"] }
 * ```
 */
export function renderValue(v: unknown): unknown {
  return toJsonValue(v, [], 0);
}

function toJsonValue(v: unknown, stack: object[], depth: number): unknown {
  if (typeof v === "bigint" || typeof v === "symbol") return v.toString();
  if (typeof v === "function") return `[Function: ${v.name || "anonymous"}]`;
  if (typeof v !== "object" || v === null) return v;
  if (stack.includes(v)) return "[Circular]";
  if (depth >= MAX_DEPTH) return "[Truncated]";
  // the path to it, a copy: a throw anywhere below leaves the caller's as it was. What even the
  // safe renderings cannot read (a Proxy's trap, an iterator that throws) is marked, and only it
  return attempt(() => objectToJson(v, [...stack, v], depth + 1));
}

function objectToJson(obj: object, stack: object[], depth: number): unknown {
  if (obj instanceof Error) return ownProps(errorMembers(obj), stack, depth);
  // a Map's entries as members (keys as property keys: a symbol key is left out)
  if (obj instanceof Map) return ownProps(Object.fromEntries(obj), stack, depth);
  if (ArrayBuffer.isView(obj) || obj instanceof ArrayBuffer) {
    const len = "length" in obj ? obj.length : obj.byteLength; // a typed array's length, else (ArrayBuffer, DataView) bytes
    return `[${obj.constructor?.name ?? "ArrayBuffer"}(${len})]`;
  }
  // an array's toJSON is called as JSON.stringify calls it
  const json = jsonOf(obj);
  if (json !== obj) return toJsonValue(json, stack, depth);
  return Array.isArray(obj) || obj instanceof Set ? Array.from(obj, (x) => toJsonValue(x, stack, depth)) : ownProps(obj, stack, depth);
}

function ownProps(obj: object, stack: object[], depth: number) {
  // a getter that throws is marked (the marker, a string, renders as itself)
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(obj)) out[k] = toJsonValue(readMember(obj, k), stack, depth);
  return out;
}
