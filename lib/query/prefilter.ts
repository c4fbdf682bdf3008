/**
 * The raw-line prefilter: which NDJSON lines may match a query, told from their text without
 * parsing them. It is never false for a line whose record matches, so a reader parses only the
 * lines it lets through.
 *
 * A query's cover is a set of needles (ASCII, lowercase, as they appear in JSON text) such that
 * every matching line contains one of them, ignoring ASCII case: a word's or a value's text, a
 * field's key (`"ms"`). `AND` takes its most selective part's cover, `OR` the union; `-`, `level`
 * and `*` have none (every line passes). A line also passes, whatever its needles, when its text
 * could hide one ({@linkcode coverHatches}, {@linkcode NUMBER_FORMS}).
 *
 * @module
 */
import type { QueryNode } from "./ast.ts";

/**
 * Needles that a matching line contains at least one of, and which escape hatches apply.
 *
 * @example
 * ```ts
 * import { parseQuery } from "./parse.ts";
 * import { lineCover } from "./prefilter.ts";
 * lineCover(parseQuery("timeout ms:>5")); // { needles: ["timeout"], slash: false, numeric: false }
 * ```
 */
export interface LineCover {
  /** Lowercase ASCII texts, as JSON writes them. */
  readonly needles: readonly string[];
  /** A needle has a `/` (JSON may write it `\/`). */
  readonly slash: boolean;
  /** A needle reads as a number (JSON may write the number otherwise). */
  readonly numeric: boolean;
}

const NUMERIC = /^[0-9.eE+-]*[0-9][0-9.eE+-]*$/;

/**
 * The cover of a query: needles every matching line contains one of, or `undefined` when there
 * are none (every line may match).
 *
 * @param node A parsed query.
 * @returns Its cover, or undefined.
 * @example
 * ```ts
 * import { parseQuery } from "./parse.ts";
 * import { lineCover } from "./prefilter.ts";
 * lineCover(parseQuery("-timeout")); // undefined: any line may match
 * ```
 */
export function lineCover(node: QueryNode): LineCover | undefined {
  const needles = coverOf(node);
  if (needles === undefined) return undefined;
  const unique = [...new Set(needles)];
  return { needles: unique, slash: unique.some((n) => n.includes("/")), numeric: unique.some((n) => NUMERIC.test(n)) };
}

/**
 * The escape hatches of a cover: texts whose presence lets a line through whatever its needles,
 * because the line could hold a needle in another form: a `\u` escape; `\/` when a needle has
 * a `/`; `İ` when a needle has an `i`, `K` when one has a `k` (their lower case is ASCII).
 *
 * @param cover The cover.
 * @returns The texts.
 * @example
 * ```ts
 * import { parseQuery } from "./parse.ts";
 * import { coverHatches, lineCover } from "./prefilter.ts";
 * coverHatches(lineCover(parseQuery("route:/api*"))!); // ["\\u", "\\/"]
 * ```
 */
export function coverHatches(cover: LineCover): string[] {
  const out = ["\\u"];
  if (cover.slash) out.push("\\/");
  if (cover.needles.some((n) => n.includes("i"))) out.push("\u0130");
  if (cover.needles.some((n) => n.includes("k"))) out.push("\u212A");
  return out;
}

/**
 * The hatch of a cover whose needles read as numbers: a number JSON may write otherwise
 * (`1e3`, 16 digits or more, `0.0000001`).
 *
 * @example
 * ```ts
 * import { NUMBER_FORMS } from "./prefilter.ts";
 * NUMBER_FORMS.test('{"n":1e3}'); // true
 * ```
 */
export const NUMBER_FORMS: RegExp = /\d[eE]|\d{16}|\.0{6}/;

/**
 * A regular expression finding, in a line, where it may match: any needle (ignoring ASCII
 * case) or any escape hatch of the cover.
 *
 * @param cover The cover.
 * @returns A case-insensitive expression.
 * @example
 * ```ts
 * import { parseQuery } from "./parse.ts";
 * import { coverPattern, lineCover } from "./prefilter.ts";
 * coverPattern(lineCover(parseQuery("timeout"))!).test('{"msg":"TimeOut"}'); // true
 * ```
 */
export function coverPattern(cover: LineCover): RegExp {
  const parts = [...cover.needles, ...coverHatches(cover)].map(escape);
  if (cover.numeric) parts.push(NUMBER_FORMS.source);
  return new RegExp(parts.join("|"), "i");
}

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
}

/** A text as JSON writes it inside a string, lowercase; undefined when it is not ASCII. */
function needle(text: string): string | undefined {
  const json = JSON.stringify(text).slice(1, -1).toLowerCase();
  // deno-lint-ignore no-control-regex -- JSON.stringify escapes control characters; only non-ASCII remains to refuse
  return json === "" || /[^\x00-\x7f]/.test(json) ? undefined : json;
}

function coverOf(node: QueryNode): string[] | undefined {
  switch (node.kind) {
    case "text":
      return one(needle(node.text));
    case "field": {
      if (node.op === "exists") return one(key(node.path));
      const value = needle(node.value);
      if (node.op === "prefix" || node.number === undefined) return one(value);
      const canonical = needle(String(node.number));
      return value === undefined || canonical === undefined ? one(key(node.path)) : [value, canonical];
    }
    case "compare":
      return one(key(node.path));
    case "and": {
      let best: string[] | undefined;
      for (const child of node.nodes) {
        const c = coverOf(child);
        if (c !== undefined && (best === undefined || better(c, best))) best = c;
      }
      return best;
    }
    case "or": {
      const all: string[] = [];
      for (const child of node.nodes) {
        const c = coverOf(child);
        if (c === undefined) return undefined;
        all.push(...c);
      }
      return all;
    }
    default:
      return undefined;
  }
}

/** The key of a path's last step, in quotes as JSON writes it. */
function key(path: readonly string[]): string | undefined {
  const n = needle(path[path.length - 1]);
  return n === undefined ? undefined : `"${n}"`;
}

function one(n: string | undefined): string[] | undefined {
  return n === undefined ? undefined : [n];
}

/** Fewer needles, then a longer shortest one, is more selective. */
function better(a: string[], b: string[]): boolean {
  if (a.length !== b.length) return a.length < b.length;
  return Math.min(...a.map((s) => s.length)) > Math.min(...b.map((s) => s.length));
}
