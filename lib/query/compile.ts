/**
 * A query parsed once and ready to run: the record predicate and the raw-line prefilter
 * together.
 *
 * @module
 */
import type { QueryNode } from "./ast.ts";
import { recordPredicate } from "./match.ts";
import { parseQuery } from "./parse.ts";
import { coverPattern, type LineCover, lineCover } from "./prefilter.ts";
import { type LineVerdict, lineVerdict } from "./line_verdict.ts";

/**
 * A compiled query.
 *
 * @example
 * ```ts
 * import { compileQuery } from "./compile.ts";
 * const q = compileQuery('level:>=warn -"health check"');
 * const line = '{"time":"2026-12-06T10:00:00.000Z","level":"error","msg":"disk full"}';
 * q.mayMatchLine(line) && q.matches(JSON.parse(line)); // true
 * ```
 */
export interface CompiledQuery {
  /** The query text. */
  readonly text: string;
  /** Its tree, for a backend that translates it (SQL). */
  readonly node: QueryNode;
  /** Whether a record (as `JSON.parse` returns it) matches. */
  matches(record: Record<string, unknown>): boolean;
  /**
   * Whether an NDJSON line may match, from its text: never false for a line whose record
   * matches, so lines it refuses need not be parsed.
   */
  mayMatchLine(line: string): boolean;
  /** The needles of the prefilter, or undefined when every line may match. */
  readonly cover: LineCover | undefined;
  /**
   * What a line's text tells before it is parsed: true (matches), false (cannot), undefined
   * (parse it); `level` is the level read from the line's start, when the reader read it.
   */
  readonly lineVerdict: LineVerdict;
}

/**
 * Parses and compiles a query.
 *
 * @param text The query.
 * @returns The compiled query.
 * @throws {QueryError} When it does not parse.
 * @example
 * ```ts
 * import { compileQuery } from "./compile.ts";
 * const q = compileQuery("err.message:timeout OR ms:>=1000");
 * q.matches({ msg: "x", err: { message: "Timeout" } }); // true
 * q.mayMatchLine('{"msg":"fine"}'); // false: no needle, no need to parse it
 * ```
 */
export function compileQuery(text: string): CompiledQuery {
  const node = parseQuery(text);
  const cover = lineCover(node);
  const pattern = cover === undefined ? undefined : coverPattern(cover);
  return {
    text,
    node,
    matches: recordPredicate(node),
    mayMatchLine: pattern === undefined ? () => true : (line) => pattern.test(line),
    cover,
    lineVerdict: lineVerdict(node),
  };
}
