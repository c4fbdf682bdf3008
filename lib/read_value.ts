/**
 * Reading a value as it is written (the serializer's, lib/serialize.ts; the logger reads a
 * message with it): what cannot be read is marked `"[Throws: message]"` in its place, and an
 * error's and a Map's members are read one way.
 *
 * @module
 */
import { errorMessage } from "./errors.ts";

/**
 * An error's members as it is written: `name`, `message`, `stack`, its own enumerable members,
 * `cause` and an `AggregateError`'s `errors` (each read as {@linkcode readMember} reads it).
 *
 * @example
 * ```ts
 * import { errorMembers } from "./read_value.ts";
 * errorMembers(Object.assign(new Error("no", { cause: 1 }), { code: "E1" })); // { name, message, stack, code, cause }
 * ```
 */
export function errorMembers(err: Error): Record<string, unknown> {
  // an undefined stack, or cause when there is none, is left out by JSON.stringify, as it would be if never set
  const out: Record<string, unknown> = {};
  for (const k of ["name", "message", "stack", ...Object.keys(err), "cause", ...(err instanceof AggregateError ? ["errors"] : [])]) out[k] = readMember(err, k);
  return out;
}

/**
 * What `obj.toJSON()` gives, or `obj` itself when it has no `toJSON`; throws what reading or
 * calling it throws (its callers mark the value `"[Throws: message]"` with {@linkcode attempt}).
 *
 * @example
 * ```ts
 * import { jsonOf } from "./read_value.ts";
 * jsonOf(new Date(0)); // "1970-01-01T00:00:00.000Z"
 * ```
 */
export function jsonOf(obj: object): unknown {
  const toJSON = (obj as { toJSON?: unknown }).toJSON;
  return typeof toJSON === "function" ? toJSON.call(obj) : obj;
}

/**
 * `obj[key]`, or `"[Throws: message]"` when reading it throws (a getter).
 *
 * @example
 * ```ts
 * import { readMember } from "./read_value.ts";
 * readMember({ get a() { throw new Error("no") } }, "a"); // "[Throws: no]"
 * ```
 */
export function readMember(obj: object, key: string): unknown {
  return attempt(() => (obj as Record<string, unknown>)[key]);
}

/**
 * What `read` gives, or `"[Throws: message]"` when it throws: how a value that cannot be read
 * is written in its place.
 *
 * @example
 * ```ts
 * import { attempt } from "./read_value.ts";
 * attempt(() => { throw new Error("no"); }); // "[Throws: no]"
 * ```
 */
export function attempt(read: () => unknown): unknown {
  try {
    return read();
  } catch (err) {
    return `[Throws: ${errorMessage(err)}]`;
  }
}
