/**
 * The one error a query that does not parse throws.
 *
 * @module
 */

/**
 * A query that does not parse: where (`position`, a 0-based offset into the query text, in
 * UTF-16 code units as JavaScript counts them) and what was expected there. The message reads
 * `at 14: expected ")"`. The collector answers it with a 400 carrying both fields.
 *
 * @example
 * ```ts
 * import { parseQuery } from "./parse.ts";
 * import { QueryError } from "./query_error.ts";
 * try {
 *   parseQuery("(level:warn");
 * } catch (err) {
 *   if (err instanceof QueryError) console.log(err.position, err.expected); // 11 ")"
 * }
 * ```
 */
export class QueryError extends Error {
  /** Where in the query text, 0-based. */
  readonly position: number;
  /** What was expected there: `")"`, `a term`, `a number`, ... */
  readonly expected: string;

  /**
   * Makes the error.
   *
   * @param position Where, 0-based.
   * @param expected What was expected there.
   */
  constructor(position: number, expected: string) {
    super(`at ${position}: expected ${expected}`);
    this.name = "QueryError";
    this.position = position;
    this.expected = expected;
  }
}
