/**
 * Redaction of named paths in fields and bindings.
 *
 * @module
 */
import { attempt, copiedFrom, jsonOf, readMember, writtenMembers } from "./read_value.ts";
import { MAX_DEPTH } from "./serialize.ts";

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
 * Builds a function that copies an object with the values at the given paths replaced by
 * `"[Redacted]"`. A path is dot-separated keys; `*` matches any key at its level. Only the
 * objects along a matched path are copied; the input is never changed.
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
  return <T extends object>(value: T) => apply(value, tree) as T;
}

function apply(value: unknown, tree: PathTree | undefined, hops = 0): unknown {
  // what cannot be read (a Proxy's trap that throws) is marked as the serializer marks it, and only it
  return typeof value !== "object" || value === null || !tree ? value : attempt(() => {
    // what the serializer writes: an error's members, a Map's entries, else what toJSON gives (an
    // error's or a Map's is not called), which stands for the value and is redacted as it is
    // written: its own toJSON called in turn, each once a record, and a chain that never ends
    // ends where the serializer ends it
    let src = writtenMembers(value) as Record<string, unknown>;
    if (!src && (src = jsonOf(value) as Record<string, unknown>) !== value) return hops < MAX_DEPTH ? apply(src, tree, hops + 1) : "[Truncated]";
    let copy: Record<string, unknown> | undefined;
    const any = tree.get("*");
    for (const key of Object.keys(src)) {
      // a key's own rule and `*`'s both apply (a missing rule leaves the value as it is)
      const named = tree.get(key);
      if (!named && !any) continue;
      const was = readMember(src, key);
      // a value left out of the line (undefined: an error without a cause, say) stays left out
      const next = was === undefined ? was : named === true || any === true ? REDACTED : apply(apply(was, named), any);
      // copied member by member: a getter that throws is marked as the serializer marks it, and the record is kept
      if (next !== was) {
        if (!copy) {
          copy = (Array.isArray(src) ? new Array(src.length) : {}) as Record<string, unknown>;
          // the serializer takes the copy for the value when it looks for cycles
          copiedFrom.set(copy, value);
          for (const k of Object.keys(src)) copy[k] = readMember(src, k);
        }
        copy[key] = next;
      }
    }
    return copy ?? value;
  });
}
