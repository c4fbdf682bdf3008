/**
 * The NDJSON record format: one JSON object a line.
 *
 * @module
 */
import { isoTime } from "../iso_time.ts";
import type { LogRecord } from "../record.ts";

let lastCategory: string | undefined;
let lastCategoryJson = "";
let lastMsg = "";
let lastMsgJson = '""';

/**
 * Formats a record as one NDJSON object: `time`, `level`, `category` when set, `msg`, then
 * bindings and fields in the order they were given.
 *
 * @param record The record.
 * @returns One line of JSON, without the newline.
 * @example
 * ```ts
 * import { formatNdjson } from "./ndjson.ts";
 * formatNdjson({ time: 0, level: "info", category: "http", msg: "ok", data: ',"ms":3' });
 * // '{"time":"1970-01-01T00:00:00.000Z","level":"info","category":"http","msg":"ok","ms":3}'
 * ```
 */
export function formatNdjson(record: LogRecord): string {
  const c = record.category;
  let cat = "";
  if (c !== undefined) {
    if (c !== lastCategory) {
      lastCategory = c;
      lastCategoryJson = ',"category":' + JSON.stringify(c);
    }
    cat = lastCategoryJson;
  }
  const m = record.msg;
  if (m !== lastMsg) {
    lastMsg = m;
    lastMsgJson = JSON.stringify(m);
  }
  return '{"time":"' + isoTime(record.time) + '","level":"' + record.level + '"' + cat + ',"msg":' + lastMsgJson +
    record.data + "}";
}
