/**
 * The NDJSON record format: one JSON object a line.
 *
 * @module
 */
import type { LogRecord } from "../record.ts";

/**
 * Formats a record as one NDJSON object: `time`, `level`, `category` when set, `msg`, then
 * bindings and fields in the order they were given. The text is built when the log call is
 * made, so this only hands it over.
 *
 * @param record The record.
 * @returns One line of JSON, without the newline.
 * @example
 * ```ts
 * import { formatNdjson } from "./ndjson.ts";
 * import { createRecord } from "../record.ts";
 * formatNdjson(createRecord(0, "info", "http", "ok", ',"ms":3}'));
 * // '{"time":"1970-01-01T00:00:00.000Z","level":"info","category":"http","msg":"ok","ms":3}'
 * ```
 */
export function formatNdjson(record: LogRecord): string {
  return record.json;
}
