/**
 * The query tree as a predicate over a parsed record: the meaning of every node (see ast.ts)
 * in one place.
 *
 * @module
 */
import { LEVEL_VALUES } from "../levels.ts";
import type { CompareOp, QueryNode } from "./ast.ts";

/**
 * A predicate over a record as `JSON.parse` returns it.
 *
 * @example
 * ```ts
 * import type { RecordPredicate } from "./match.ts";
 * const always: RecordPredicate = () => true;
 * ```
 */
export type RecordPredicate = (record: Record<string, unknown>) => boolean;

/**
 * The text a scalar value is compared by: strings as they are, numbers, booleans and null as
 * their JSON text; `undefined` for objects, arrays and missing values.
 *
 * @param v A value.
 * @returns Its text, or undefined.
 * @example
 * ```ts
 * import { scalarText } from "./match.ts";
 * scalarText(200); // "200"
 * scalarText({}); // undefined
 * ```
 */
export function scalarText(v: unknown): string | undefined {
  if (typeof v === "string") return v;
  if (typeof v === "number" || typeof v === "boolean" || v === null) return String(v);
  return undefined;
}

/**
 * Builds the predicate of a query tree.
 *
 * @param node The tree from `parseQuery`.
 * @returns A function telling whether a record matches.
 * @example
 * ```ts
 * import { parseQuery } from "./parse.ts";
 * import { recordPredicate } from "./match.ts";
 * const slow = recordPredicate(parseQuery("ms:>250"));
 * slow({ msg: "done", ms: 300 }); // true
 * slow({ msg: "done", ms: "300" }); // false: a string is not a number
 * ```
 */
export function recordPredicate(node: QueryNode): RecordPredicate {
  switch (node.kind) {
    case "all":
      return () => true;
    case "text": {
      const needle = node.text.toLowerCase();
      return (r) => anyValue(r, needle);
    }
    case "field": {
      const path = node.path;
      if (node.op === "exists") return (r) => valueAt(r, path) !== undefined;
      const want = node.value.toLowerCase();
      if (node.op === "prefix") return (r) => scalarText(valueAt(r, path))?.toLowerCase().startsWith(want) === true;
      const n = node.number;
      return (r) => {
        const v = valueAt(r, path);
        if (n !== undefined && typeof v === "number") return v === n;
        return scalarText(v)?.toLowerCase() === want;
      };
    }
    case "compare": {
      const { path, op, value } = node;
      return (r) => {
        const v = valueAt(r, path);
        return typeof v === "number" && compare(op, v, value);
      };
    }
    case "level": {
      const { op } = node;
      const want = LEVEL_VALUES[node.level];
      return (r) => {
        const v = levelNumber(r.level);
        return v !== undefined && compare(op, v, want);
      };
    }
    case "not": {
      const inner = recordPredicate(node.node);
      return (r) => !inner(r);
    }
    case "and": {
      const parts = node.nodes.map(recordPredicate);
      return (r) => parts.every((p) => p(r));
    }
    case "or": {
      const parts = node.nodes.map(recordPredicate);
      return (r) => parts.some((p) => p(r));
    }
  }
}

function compare(op: CompareOp, a: number, b: number): boolean {
  return op === ">" ? a > b : op === ">=" ? a >= b : op === "<" ? a < b : a <= b;
}

/** A level's severity: a level name (any case) by the levels table, a number as it is. */
function levelNumber(v: unknown): number | undefined {
  if (typeof v === "number") return v;
  if (typeof v !== "string") return undefined;
  const name = v.toLowerCase();
  return Object.hasOwn(LEVEL_VALUES, name) ? LEVEL_VALUES[name as keyof typeof LEVEL_VALUES] : undefined;
}

/** The value at a path of own object members, or undefined. */
function valueAt(r: unknown, path: readonly string[]): unknown {
  let v = r;
  for (const key of path) {
    if (typeof v !== "object" || v === null || Array.isArray(v) || !Object.hasOwn(v, key)) return undefined;
    v = (v as Record<string, unknown>)[key];
  }
  return v;
}

/** Whether any value at any depth has a text containing `needle` (lowercase); iterative, so a deep record cannot overflow the stack. */
function anyValue(r: unknown, needle: string): boolean {
  const stack: unknown[] = [r];
  while (stack.length > 0) {
    const v = stack.pop();
    if (typeof v === "object" && v !== null) {
      for (const child of Array.isArray(v) ? v : Object.values(v)) stack.push(child);
    } else if (scalarText(v)?.toLowerCase().includes(needle)) {
      return true;
    }
  }
  return false;
}
