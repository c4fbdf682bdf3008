/**
 * The log record: what a log call captures and what every stage downstream sees.
 *
 * @module
 */
import { isoTime } from "./iso_time.ts";
import type { LevelName } from "./levels.ts";

/**
 * One log record, captured at call time. Its NDJSON text is built when the call is made, so a
 * record is a snapshot: changing an object after logging it does not change what is written.
 *
 * @example Read a record's fields
 * ```ts
 * import { createRecord, recordFields } from "./record.ts";
 * const rec = createRecord(0, "info", undefined, "hi", ',"n":1}');
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
  /**
   * The whole record as one NDJSON object (no newline): `time`, `level`, `category` when set,
   * `msg`, then bindings and fields in the order they were given.
   */
  readonly json: string;
  /** Where bindings and fields start in `json`: at a comma, or at the closing brace when there are none. */
  readonly fieldsAt: number;
}

let lastMsg = "";
let lastMsgJson = '""';

/**
 * Makes a record. `tail` is the JSON text after the message: `"}"` when there are no fields,
 * or the fields as object members with a leading comma and the closing brace (`',"n":1}'`).
 *
 * @param time Milliseconds since the epoch.
 * @param level The level.
 * @param category The category, or `undefined`.
 * @param msg The message.
 * @param tail The fields and the closing brace.
 * @returns The record.
 * @throws {TypeError} When `tail` does not end with the closing brace.
 * @example
 * ```ts
 * import { createRecord } from "./record.ts";
 * createRecord(0, "info", "http", "ok", ',"ms":3}').json;
 * // '{"time":"1970-01-01T00:00:00.000Z","level":"info","category":"http","msg":"ok","ms":3}'
 * ```
 */
export function createRecord(time: number, level: LevelName, category: string | undefined, msg: string, tail: string): LogRecord {
  const record = buildRecord(time, level, category, recordPrefix(level, category), msg, tail);
  // `tail` may be cut from a far larger string: the line is made flat here whatever the tier (the
  // result is checked; unchecked, JSC's and Deno's optimizing tiers drop the call, and a record
  // emitted in hot code kept the string its tail was cut from)
  if (record.json.charCodeAt(record.json.length - 1) !== 125) throw new TypeError(`sluice: a record's tail must end with its closing brace, got ${JSON.stringify(tail.slice(-20))}`);
  return record;
}

/**
 * The JSON text between a record's time and its message: `","level":"info","category":"http","msg":`
 * (no category member without a category). Loggers compute it once per level.
 *
 * @param level The level.
 * @param category The category, or `undefined`.
 * @returns The text.
 * @example
 * ```ts
 * import { recordPrefix } from "./record.ts";
 * recordPrefix("info", "http"); // '","level":"info","category":"http","msg":'
 * ```
 */
export function recordPrefix(level: LevelName, category: string | undefined): string {
  return '","level":"' + level + '"' + (category === undefined ? "" : ',"category":' + JSON.stringify(category)) + ',"msg":';
}

let lastTimeMs = NaN;
let lastTimeOpen = "";
let lastPrefix = "";
let lastHead = "";

/**
 * {@linkcode createRecord} with the text between time and message given (see
 * {@linkcode recordPrefix}).
 *
 * @example
 * ```ts
 * import { buildRecord, recordPrefix } from "./record.ts";
 * buildRecord(0, "info", "http", recordPrefix("info", "http"), "ok", "}");
 * ```
 */
export function buildRecord(
  time: number,
  level: LevelName,
  category: string | undefined,
  prefix: string,
  msg: string,
  tail: string,
): LogRecord {
  if (msg !== lastMsg || time !== lastTimeMs || prefix !== lastPrefix) {
    if (msg !== lastMsg) {
      lastMsg = msg;
      lastMsgJson = JSON.stringify(msg);
    }
    if (time !== lastTimeMs) {
      lastTimeMs = time;
      lastTimeOpen = '{"time":"' + isoTime(time);
    }
    lastPrefix = prefix;
    lastHead = lastTimeOpen + prefix + lastMsgJson;
  }
  const head = lastHead;
  const json = head + tail;
  // flattened now: a rope would keep its pieces alive for as long as the record waits in a
  // queue, which counts only json.length. Node's V8 keeps this call (without it a field cut from
  // a large string stayed alive there), JSC's and Deno's optimizing tiers drop it: a log call's
  // pieces are then its own JSON text (the retention tests check hot code on all three), and
  // createRecord, whose tail is the caller's, makes sure of it. Costs V8 11-15% of a 3M-record run.
  json.charCodeAt(json.length - 1);
  return { time, level, category, msg, json, fieldsAt: head.length };
}

/**
 * How long a write may take, or a part wait at a route target, before the records waiting count
 * as waiting long and are given messages of their own ({@linkcode keepOwnMessage}): longer than
 * a slow network's round trip, so a healthy remote sink never pays for it.
 *
 * @example
 * ```ts
 * import { STALLED_WRITE_MS } from "./record.ts";
 * setTimeout(() => console.log("stalled"), STALLED_WRITE_MS);
 * ```
 */
export const STALLED_WRITE_MS = 1000;

/**
 * Gives a record that is going to wait a message of its own. A log call's message is the
 * caller's string, which may be cut from a much larger one (a request body, a file) that it
 * keeps alive; a queue counts only a record's line, so records waiting on a stalled or failing
 * sink could hold far more than their queue's bound. A channel calls this once a write has
 * stalled or failed (and then, in the log call, for each record queued until its queue is
 * empty), the router once a part has waited past `STALLED_WRITE_MS` (and then for each part
 * handed to that target until it is idle), `fingersCrossed` once for each record it holds.
 *
 * @param record A record.
 * @example
 * ```ts
 * import { createRecord, keepOwnMessage } from "./record.ts";
 * const rec = createRecord(0, "info", undefined, "a".repeat(1 << 20).slice(0, 40), "}");
 * keepOwnMessage(rec); // rec.msg no longer keeps the 1 MiB string alive
 * ```
 */
export function keepOwnMessage(record: LogRecord): void {
  try {
    // the joined string, made flat, is a new string holding the message's text and nothing else,
    // and the slice keeps only it: cheaper than a JSON round trip (3 times on Node, 1.3-1.9 on
    // Bun, about the same on Deno; bench/README.md). Unflattened, JSC's slice would give back the
    // old string; and the flattening's result is used, or JSC's optimizing tiers drop it (the
    // retention tests check the optimized code on Bun too). A message that is no string (a
    // record made by hand and given to emit()) is left alone.
    const joined = typeof record.msg === "string" ? " " + record.msg : "";
    if (joined.charCodeAt(0) === 32) (record as { msg: string }).msg = joined.slice(1);
  } catch {
    // a record made by hand and given to emit() may be frozen: it stays as it is
  }
}

/**
 * Parses a record's bindings and fields back into an object.
 *
 * @param record A record.
 * @returns A fresh object holding the record's bindings and fields.
 * @example
 * ```ts
 * import { createRecord, recordFields } from "./record.ts";
 * recordFields(createRecord(0, "info", undefined, "", "}")); // {}
 * ```
 */
export function recordFields(record: LogRecord): Record<string, unknown> {
  const { json, fieldsAt } = record;
  return json.length - fieldsAt <= 1 ? {} : JSON.parse("{" + json.slice(fieldsAt + 1));
}
