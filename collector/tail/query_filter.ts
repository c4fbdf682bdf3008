/**
 * The `q` of `/api/tail` as a record filter.
 *
 * @module
 */
import type { LogRecord } from "../../lib/record.ts";

/**
 * A record filter for `q`: every word must occur in the record's line, case-insensitively.
 *
 * @example
 * ```ts
 * import { queryFilter } from "./query_filter.ts";
 * queryFilter("timeout")(record); // true when the record mentions "timeout"
 * ```
 */
export function queryFilter(query: string): (record: LogRecord) => boolean {
  const words = query.toLowerCase().split(/\s+/).filter(Boolean);
  return (r) => {
    const line = r.json.toLowerCase();
    return words.every((w) => line.includes(w));
  };
}
