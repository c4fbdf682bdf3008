/**
 * Reading the JetStream messages of jetstream/message.ts back: a payload's NDJSON (inflated when
 * gzipped), its records, and whether its bytes can be appended to a category file as they are.
 *
 * @module
 */
import { errorMessage } from "../lib/errors.ts";
import { categoryFileName } from "../lib/files/category_name.ts";
import { toRecord } from "../lib/format/ndjson_decode.ts";
import { ownFormCheck } from "../lib/format/own_form.ts";
import { LEVEL_NAMES, type LevelName } from "../lib/levels.ts";
import type { LogRecord } from "../lib/record.ts";
import { unpackPayload } from "./compression.ts";

/**
 * A message that does not hold sluice records; `consume` dead-letters it with this reason.
 *
 * @example
 * ```ts
 * import { decodeMessage, MessageDecodeError } from "./message_read.ts";
 * try {
 *   decodeMessage(new TextEncoder().encode("nope\n"));
 * } catch (err) {
 *   if (!(err instanceof MessageDecodeError)) throw err;
 * }
 * ```
 */
export class MessageDecodeError extends Error {
  /** `MessageDecodeError`. */
  override name = "MessageDecodeError";
}

const LEVELS = new Set<string>(LEVEL_NAMES);

/**
 * A message's NDJSON bytes: its payload, inflated when gzipped. Throws
 * {@linkcode MessageDecodeError} for a gzipped payload that is not valid gzip or inflates past
 * 64 MiB.
 *
 * @param data The message's payload.
 * @returns The NDJSON bytes.
 * @example
 * ```ts
 * import { messageText } from "./message_read.ts";
 * messageText(new TextEncoder().encode("{}\n")).length; // 3
 * ```
 */
export function messageText(data: Uint8Array): Uint8Array {
  const text = unpackPayload(data);
  if (typeof text === "string") throw new MessageDecodeError(text);
  return text;
}

/**
 * A message's records, read back exactly as written (trusted input: the publisher validated
 * them). Throws {@linkcode MessageDecodeError} for a message that is not sluice NDJSON
 * (gzipped or not).
 *
 * @param data The message's payload.
 * @returns The records, in order.
 * @example
 * ```ts
 * import { decodeMessage } from "./message_read.ts";
 * const data = new TextEncoder().encode('{"time":"1970-01-01T00:00:00.000Z","level":"info","msg":"a"}\n');
 * decodeMessage(data)[0].msg; // "a" (a message that is not sluice NDJSON throws MessageDecodeError)
 * ```
 */
export function decodeMessage(data: Uint8Array): LogRecord[] {
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(messageText(data));
  } catch (err) {
    if (err instanceof MessageDecodeError) throw err;
    throw new MessageDecodeError("the message is not UTF-8 text");
  }
  if (!text.endsWith("\n")) throw new MessageDecodeError("the message is not NDJSON lines ending in a newline");
  const records: LogRecord[] = []; // line by line, stopping at the first bad one (64 MiB of "\n" split at once took 1.5 GB)
  const ownForm = ownFormCheck();
  for (let at = 0, end; at < text.length; at = end + 1) {
    end = text.indexOf("\n", at);
    try {
      records.push(decodeLine(text.slice(at, end), ownForm));
    } catch (err) {
      throw new MessageDecodeError(`line ${records.length + 1}: ${errorMessage(err)}`);
    }
  }
  return records;
}

/** One line back into the record whose `json` it is. */
function decodeLine(line: string, ownForm: ReturnType<typeof ownFormCheck>): LogRecord {
  const v = recordFields(JSON.parse(line));
  const ms = Date.parse(v.time);
  if (Number.isNaN(ms)) throw new Error("time is not an ISO-8601 time");
  // sluice's own form (always, for what a publisher wrote): the line is the record's text
  const fieldsAt = ownForm(line, v);
  if (fieldsAt >= 0) return { time: ms, level: v.level, category: v.category, msg: v.msg, json: line, fieldsAt };
  const r = toRecord(v, undefined, ms);
  if (typeof r === "string") throw new Error(r);
  return r;
}

/** A parsed line with its record fields checked. */
type RecordFields = Record<string, unknown> & { time: string; level: LevelName; category: string | undefined; msg: string };

/** A parsed line's record fields, checked; throws when it is not a sluice record. */
function recordFields(v: unknown): RecordFields {
  if (typeof v !== "object" || v === null || Array.isArray(v)) throw new Error("not a JSON object");
  const { time, level, category, msg } = v as Record<string, unknown>;
  if (typeof time !== "string" || typeof level !== "string" || !LEVELS.has(level) || typeof msg !== "string" || (category !== undefined && typeof category !== "string")) {
    throw new Error("not a sluice record (time, level, msg)");
  }
  return v as RecordFields;
}

/**
 * The category and record count of a message that can be appended to its file as it is: every
 * line a sluice record in sluice's own form (`{"time":"<ISO time>","level":...,"msg":"...`,
 * what `encodeBatch` writes), all for one category file. Undefined for any other message, which
 * {@linkcode decodeMessage} then reads (rewriting its records in sluice's form) or refuses with
 * the reason. Checking a line costs its `JSON.parse`; no record is rebuilt, so a consumer
 * writes the message's bytes unchanged.
 *
 * @param data The message's NDJSON ({@linkcode messageText}: a gzipped payload is undefined here).
 * @returns `{ category, count }`, or undefined.
 * @example
 * ```ts
 * import { appendableLines } from "./message_read.ts";
 * const data = new TextEncoder().encode('{"time":"1970-01-01T00:00:00.000Z","level":"info","msg":"a"}\n');
 * appendableLines(data); // { category: undefined, count: 1 }
 * ```
 */
export function appendableLines(data: Uint8Array): { category: string | undefined; count: number } | undefined {
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true }).decode(data); // a BOM kept: it fails the check, as it would be written
  } catch {
    return undefined;
  }
  if (text.length === 0 || text.charCodeAt(text.length - 1) !== 10) return undefined;
  let category: string | undefined;
  let count = 0;
  const ownForm = ownFormCheck();
  for (let at = 0; at < text.length; count++) {
    const from = at;
    const end = text.indexOf("\n", at);
    at = end + 1;
    let v: RecordFields;
    try {
      v = recordFields(JSON.parse(text.slice(from, end)));
    } catch {
      return undefined;
    }
    // one file: the same category, or another name for its file ("" and none are both default)
    if (count === 0) category = v.category;
    else if (v.category !== category && categoryFileName(v.category) !== categoryFileName(category)) return undefined;
    if (ownForm(text, v, from, end) < 0) return undefined;
  }
  return { category, count };
}
