/**
 * What a line's text tells about a query before it is parsed: `true` (the record matches),
 * `false` (it cannot) or `undefined` (parse it to know). A reader skips the parse for most lines
 * of a field comparison (`ms:>250`) or a level query, where the prefilter lets every line through.
 *
 * Per node: a level comparison is decided by the level the reader read from the line's start;
 * `field:>N` (and `field:*`) on a top-level field by the field's key in the text: no key
 * anywhere, or a single one whose value is not a number or fails the comparison, is `false`
 * (were that key nested, the top-level field would be missing, which fails too); a word, a
 * phrase or a value is `false` when the line holds none of its needles; `-`, AND and OR combine
 * the three values. A line that could hide a key (a `\u` escape) is left to the parse.
 *
 * @module
 */
import { LEVEL_VALUES, type LevelName } from "../levels.ts";
import type { CompareOp, QueryNode } from "./ast.ts";
import { coverPattern, lineCover } from "./prefilter.ts";

/**
 * A line's verdict: its text (any characters for non-ASCII bytes), and its level when the reader
 * read it from the line's start.
 *
 * @example
 * ```ts
 * import { lineVerdict } from "./line_verdict.ts";
 * import { parseQuery } from "./parse.ts";
 * const verdict: LineVerdict = lineVerdict(parseQuery("ms:>250"));
 * verdict('{"msg":"x","ms":12}', undefined); // false
 * ```
 */
export type LineVerdict = (line: string, level: LevelName | undefined) => boolean | undefined;

/**
 * Builds the verdict of a query tree.
 *
 * @param node The tree.
 * @returns The verdict function.
 * @example
 * ```ts
 * import { lineVerdict } from "./line_verdict.ts";
 * import { parseQuery } from "./parse.ts";
 * const v = lineVerdict(parseQuery('level:>=warn -"health check"'));
 * v('{"time":"…","level":"error","msg":"disk full"}', "error"); // true, without parsing
 * v('{"time":"…","level":"error","msg":"health check failed"}', "error"); // false
 * ```
 */
export function lineVerdict(node: QueryNode): LineVerdict {
  switch (node.kind) {
    case "all":
      return () => true;
    case "level": {
      const { op } = node;
      const want = LEVEL_VALUES[node.level];
      return (_, level) => (level === undefined ? undefined : compare(op, LEVEL_VALUES[level], want));
    }
    case "compare":
    case "field": {
      const probe = node.path.length === 1 && (node.kind === "compare" || node.op === "exists") ? keyProbe(node.path[0], node) : undefined;
      if (probe !== undefined) return probe;
      const cover = lineCover(node);
      if (cover === undefined) return () => undefined;
      const pattern = coverPattern(cover);
      return (line) => (pattern.test(line) ? undefined : false);
    }
    case "text": {
      const cover = lineCover(node);
      if (cover === undefined) return () => undefined;
      const pattern = coverPattern(cover);
      return (line) => (pattern.test(line) ? undefined : false);
    }
    case "not": {
      const inner = lineVerdict(node.node);
      return (line, level) => {
        const v = inner(line, level);
        return v === undefined ? undefined : !v;
      };
    }
    case "and": {
      const parts = node.nodes.map(lineVerdict);
      return (line, level) => {
        let known = true;
        for (const p of parts) {
          const v = p(line, level);
          if (v === false) return false;
          if (v === undefined) known = false;
        }
        return known ? true : undefined;
      };
    }
    case "or": {
      const parts = node.nodes.map(lineVerdict);
      return (line, level) => {
        let known = true;
        for (const p of parts) {
          const v = p(line, level);
          if (v === true) return true;
          if (v === undefined) known = false;
        }
        return known ? false : undefined;
      };
    }
  }
}

function compare(op: CompareOp, a: number, b: number): boolean {
  return op === ">" ? a > b : op === ">=" ? a >= b : op === "<" ? a < b : a <= b;
}

/** The verdict of `key:>N` or `key:*` from the key's occurrences as a key in the text; undefined when the key cannot be probed. */
function keyProbe(key: string, node: QueryNode): LineVerdict | undefined {
  const quoted = JSON.stringify(key);
  // a key JSON may write otherwise (\/, non-ASCII) is left to the parse
  if (/[^\x20-\x7e]|\\|\//.test(quoted.slice(1, -1))) return undefined;
  return (line) => {
    if (line.includes("\\u")) return undefined;
    let count = 0, valueAt = -1;
    for (let i = line.indexOf(quoted); i >= 0; i = line.indexOf(quoted, i + 1)) {
      let slashes = 0;
      while (line.charCodeAt(i - 1 - slashes) === 92) slashes++;
      if (slashes % 2 === 1) continue; // an escaped quote: inside a string
      let j = i + quoted.length;
      while (line.charCodeAt(j) === 32 || line.charCodeAt(j) === 9) j++;
      if (line.charCodeAt(j) !== 58) continue; // a value that reads like the key, not a key
      if (++count > 1) return undefined;
      valueAt = j + 1;
    }
    if (count === 0) return false;
    if (node.kind !== "compare") return undefined; // present, at some depth
    while (line.charCodeAt(valueAt) === 32 || line.charCodeAt(valueAt) === 9) valueAt++;
    let e = valueAt;
    for (let c = line.charCodeAt(e); (c >= 48 && c <= 57) || c === 45 || c === 43 || c === 46 || c === 101 || c === 69; c = line.charCodeAt(++e));
    const n = e > valueAt ? Number(line.slice(valueAt, e)) : NaN;
    // not a number: fails here, or the top-level field is missing
    if (Number.isNaN(n)) return false;
    return compare(node.op, n, node.value) ? undefined : false;
  };
}
