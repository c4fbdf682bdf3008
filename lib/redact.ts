/**
 * Redaction of named paths in fields and bindings.
 *
 * @module
 */

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

function apply(value: unknown, tree: PathTree): unknown {
  if (typeof value !== "object" || value === null) return value;
  let copy: Record<string, unknown> | unknown[] | undefined;
  const src = value as Record<string, unknown>;
  for (const key of Object.keys(src)) {
    const rule = tree.get(key) ?? tree.get("*");
    if (rule === undefined) continue;
    const next = rule === true ? REDACTED : apply(src[key], rule);
    if (next !== src[key]) {
      copy ??= Array.isArray(value) ? [...value] : { ...src };
      (copy as Record<string, unknown>)[key] = next;
    }
  }
  return copy ?? value;
}
