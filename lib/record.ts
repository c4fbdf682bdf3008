/**
 * The log record: what a log call captures and what every stage downstream sees.
 *
 * @module
 */
import type { LevelName } from "./levels.ts";

/**
 * One log record, captured at call time. Fields and bindings are serialized to JSON when the
 * call is made, so a record is a snapshot: changing an object after logging it does not
 * change what is written.
 *
 * @example Read a record's fields
 * ```ts
 * import { recordFields, type LogRecord } from "./record.ts";
 * const rec: LogRecord = { time: 0, level: "info", category: undefined, msg: "hi", data: ',"n":1' };
 * recordFields(rec).n; // 1
 * ```
 */
export interface LogRecord {
  /** Milliseconds since the epoch when the call was made. */
  readonly time: number;
  /** The record's level. */
  readonly level: LevelName;
  /** The logger's category (`"http"`, `"http.db"`), or `undefined`. */
  readonly category: string | undefined;
  /** The message. */
  readonly msg: string;
  /** Bindings and fields as JSON object members, each preceded by a comma (`,"k":1`), or `""`. */
  readonly data: string;
}

/**
 * Parses a record's bindings and fields back into an object.
 *
 * @param record A record.
 * @returns A fresh object holding the record's bindings and fields.
 * @example
 * ```ts
 * import { recordFields } from "./record.ts";
 * recordFields({ time: 0, level: "info", category: undefined, msg: "", data: "" }); // {}
 * ```
 */
export function recordFields(record: LogRecord): Record<string, unknown> {
  return record.data === "" ? {} : JSON.parse("{" + record.data.slice(1) + "}");
}
