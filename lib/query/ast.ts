/**
 * The query language's syntax tree: what {@linkcode parseQuery} returns and what every backend
 * (the file matcher, the raw-line prefilter, a SQL translation) reads. One tree, one meaning:
 *
 * - `all`: the empty query, or a bare `*`; every record matches.
 * - `text`: a word or a phrase. Matches when the text occurs, ignoring case, in any value of the
 *   record at any depth (the message, strings, array items; numbers, `true`/`false` and `null`
 *   by their JSON text). Keys are not searched.
 * - `field` with `op`:
 *   - `"eq"`: the value at `path` is a string, number, boolean or null whose text equals `value`
 *     ignoring case; when `number` is set (a bare value that reads as a number), a number value
 *     equal to it also matches (`ms:3` matches `3` and `3.0`, `status:200` matches `"200"`).
 *   - `"prefix"`: that text starts with `value`, ignoring case (`route:/api*`).
 *   - `"exists"`: the record has a value at `path`, of any type (`err:*`).
 * - `compare`: the value at `path` is a JSON number and `value op number` holds; any other value
 *   (a string, even one that reads as a number) does not match.
 * - `level`: the record's `level` (a level name, any case, or a pino-style number) compared by
 *   severity with `level`'s value (trace 10 … fatal 60).
 * - `not`, `and`, `or`: the usual.
 *
 * A `path` is the field name split at dots: `err.message` is `["err", "message"]`, the member
 * `message` of the object `err`. Each step must be an object's own member; arrays are not
 * entered (a field whose value is an array only matches `exists`). Field names match exactly
 * (case matters); values ignore case (JavaScript's `toLowerCase()` on both sides).
 *
 * @module
 */
import type { LevelName } from "../levels.ts";

/**
 * A comparison operator of `field:>N`, `>=`, `<`, `<=`.
 *
 * @example
 * ```ts
 * import type { CompareOp } from "./ast.ts";
 * const op: CompareOp = ">=";
 * ```
 */
export type CompareOp = ">" | ">=" | "<" | "<=";

/**
 * One node of a parsed query (see the module doc for what each kind matches).
 *
 * @example The tree of `level:>=warn -"health check" (ms:>250 OR err:*)`
 * ```ts
 * import type { QueryNode } from "./ast.ts";
 * const tree: QueryNode = {
 *   kind: "and",
 *   nodes: [
 *     { kind: "level", op: ">=", level: "warn" },
 *     { kind: "not", node: { kind: "text", text: "health check" } },
 *     {
 *       kind: "or",
 *       nodes: [
 *         { kind: "compare", path: ["ms"], op: ">", value: 250 },
 *         { kind: "field", path: ["err"], op: "exists" },
 *       ],
 *     },
 *   ],
 * };
 * ```
 */
export type QueryNode =
  | { readonly kind: "all" }
  | { readonly kind: "text"; readonly text: string }
  | { readonly kind: "field"; readonly path: readonly string[]; readonly op: "eq"; readonly value: string; readonly number?: number }
  | { readonly kind: "field"; readonly path: readonly string[]; readonly op: "prefix"; readonly value: string }
  | { readonly kind: "field"; readonly path: readonly string[]; readonly op: "exists" }
  | { readonly kind: "compare"; readonly path: readonly string[]; readonly op: CompareOp; readonly value: number }
  | { readonly kind: "level"; readonly op: CompareOp; readonly level: LevelName }
  | { readonly kind: "not"; readonly node: QueryNode }
  | { readonly kind: "and"; readonly nodes: readonly QueryNode[] }
  | { readonly kind: "or"; readonly nodes: readonly QueryNode[] };
