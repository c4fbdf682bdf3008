/**
 * ISO-8601 timestamps with millisecond precision, cached per millisecond.
 *
 * @module
 */

let lastMs = NaN;
let lastIso = "";

/**
 * Formats epoch milliseconds as ISO-8601 UTC (`2026-11-22T17:14:28.123Z`). Consecutive calls
 * within the same millisecond reuse one string, so a burst of records costs one `Date`.
 *
 * @param ms Milliseconds since the epoch.
 * @returns The ISO-8601 string.
 * @example
 * ```ts
 * import { isoTime } from "./iso_time.ts";
 * isoTime(0); // "1970-01-01T00:00:00.000Z"
 * ```
 */
export function isoTime(ms: number): string {
  if (ms !== lastMs) {
    lastMs = ms;
    lastIso = new Date(ms).toISOString();
  }
  return lastIso;
}
