/**
 * The `q` of `/api/tail` as a record filter, in the query language search uses.
 *
 * @module
 */
import type { LogRecord } from "../../lib/record.ts";
import { compileQuery } from "../../lib/query/compile.ts";

/**
 * A record filter for `q`: the line prefilter first (most lines are refused from their text),
 * then the record's parsed fields. Throws `QueryError` (position, expected) for a query that
 * does not parse.
 *
 * @example
 * ```ts
 * import { queryFilter } from "./query_filter.ts";
 * queryFilter("level:>=warn producer:edge-*")(record); // true for edge-1's warnings
 * ```
 */
export function queryFilter(query: string): (record: LogRecord) => boolean {
  const q = compileQuery(query);
  return (r) => q.mayMatchLine(r.json) && q.matches(JSON.parse(r.json));
}
