/**
 * Redaction of named paths in fields and bindings.
 *
 * @module
 */
import { attempt } from "./read_value.ts";
import { renderValue } from "./serialize.ts";

/**
 * What a redacted value is replaced with.
 *
 * @example
 * ```ts
 * import { createLogger } from "../mod.ts";
 * createLogger({ redact: ["password"] }); // {"password":"[Redacted]"}
 * ```
 */
export const REDACTED = "[Redacted]";

type PathTree = Map<string, PathTree | true>;

/**
 * Builds a function that gives an object's fields with the values at the given paths replaced
 * by `"[Redacted]"`. A path is dot-separated keys; `*` matches any key at its level. When a path
 * names one of the fields, the fields are first rendered as the serializer writes them (errors,
 * Maps, Sets, `toJSON`, typed arrays, cycles and depth, each getter and `toJSON` read once) into
 * new plain objects, and the rules are applied to those: what is redacted is exactly what would
 * have been written. The input is never changed; fields no path names are given back as they are.
 *
 * @param paths Paths such as `"password"`, `"headers.authorization"`, `"*.token"`.
 * @returns The redacting function.
 * @example
 * ```ts
 * import { createRedactor } from "./redact.ts";
 * const redact = createRedactor(["user.password"]);
 * redact({ user: { name: "a", password: "x" } }); // { user: { name: "a", password: "[Redacted]" } }
 * ```
 */
export function createRedactor(paths: readonly string[]): <T extends object>(value: T) => T {
  const tree: PathTree = new Map();
  for (const path of paths) {
    const keys = typeof path === "string" ? path.split(".") : [""];
    if (keys.includes("")) {
      throw new TypeError(`sluice: invalid redact path ${JSON.stringify(path)}; use dot-separated keys like "user.password"`);
    }
    let node: PathTree | true = tree;
    // a shorter path already redacts the whole subtree: nothing below it to add
    for (let i = 0; node !== true && i < keys.length; i++) {
      const next: PathTree | true = i === keys.length - 1 ? true : node.get(keys[i]) ?? new Map();
      node.set(keys[i], next);
      node = next;
    }
  }
  const anyKey = tree.has("*");
  return <T extends object>(value: T) => {
    // plain fields of which no key is named: nothing to render twice (what has members of another
    // kind, a Map's, an error's, what toJSON gives, or cannot be read, is rendered to be looked at)
    if (!anyKey && isPlainUnnamed(value, tree)) return value;
    const written = renderValue(value);
    redactWritten(written, tree);
    return written as T;
  };
}

/** Whether `value` is a plain object none of whose keys `tree` names (false when it cannot be read: a Proxy's trap). */
function isPlainUnnamed(value: object, tree: PathTree): boolean {
  return attempt(() => {
    const proto = Object.getPrototypeOf(value);
    if (proto !== Object.prototype && proto !== null) return false;
    for (const k in value) if (tree.has(k)) return false;
    return true;
  }) === true;
}

/** Replaces, in place, the values at the paths of `tree` in `v` (a plain value the serializer rendered: fresh objects, no cycles). */
function redactWritten(v: unknown, tree: PathTree | true | undefined): void {
  if (typeof v !== "object" || v === null || typeof tree !== "object") return;
  const any = tree.get("*");
  const o = v as Record<string, unknown>;
  for (const key of Object.keys(o)) {
    // a key's own rule and `*`'s both apply; a value left out of the line (undefined) stays left out
    const named = tree.get(key);
    if (o[key] === undefined) continue;
    if (named === true || any === true) o[key] = REDACTED;
    else redactWritten(o[key], named), redactWritten(o[key], any);
  }
}
