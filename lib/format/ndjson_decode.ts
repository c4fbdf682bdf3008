/**
 * Turning an ingest body into validated records.
 *
 * @module
 */
import { errorMessage, TooManyLinesError } from "../errors.ts";
import { LEVEL_NAMES, type LevelName } from "../levels.ts";
import { createRecord, type LogRecord } from "../record.ts";
import { ownFormCheck, type OwnFormCheck } from "./own_form.ts";
import { categoryFileName } from "../files/category_name.ts";
import { serializeObject } from "../serialize.ts";
import { asSent, parsedObject, sentFieldsAt, sentRecords } from "./sent_record.ts";
import { boundJsonValues } from "./json_values.ts";

export { TooManyLinesError };

/** One rejected line (1-based; for JSON arrays, the element's index + 1) and why. */
export interface LineError {
  line: number;
  error: string;
}

/** The records a body held and the lines rejected. */
export interface ParsedBody {
  records: LogRecord[];
  /** The first rejected lines (at most the budget's `maxErrors`). */
  errors: LineError[];
  /** How many lines were rejected in all (`errors` may hold fewer). */
  rejected: number;
  /**
   * Set when every line of the NDJSON text was taken as it came (sluice's own form, see
   * lib/format/own_form.ts), with `tail` (`,"producer":"…"}`) in place of its closing brace, all
   * for one category file, with no blank, trimmed or rejected line: the text's lines, so each
   * record's `json` is its line's text with `tail` for the brace, and a store may write the
   * body so changed instead of encoding the records again. `count` is how many records;
   * `unmade` (parseNdjson's `unmade`) says they are all in `category` and made only when
   * `records` is first read.
   */
  asSent?: { category: string | undefined; tail: string; count: number; unmade?: true };
}

/**
 * What decoding one body may cost: lines (or array elements) at most, and rejected lines kept
 * with their reason (the rest are only counted).
 *
 * @example
 * ```ts
 * const budget: DecodeBudget = { maxLines: 100_000, maxErrors: 100 };
 * ```
 */
export interface DecodeBudget {
  /** @default Infinity */
  maxLines?: number;
  /** @default Infinity */
  maxErrors?: number;
}

/** A fresh result, whose `reject` keeps the first `maxErrors` reasons and counts the rest. */
export function parsedBody(budget: DecodeBudget = {}): ParsedBody & { reject(line: number, error: string): void } {
  const maxErrors = budget.maxErrors ?? Infinity;
  const out = {
    records: [] as LogRecord[],
    errors: [] as LineError[],
    rejected: 0,
    reject(line: number, error: string) {
      if (out.errors.length < maxErrors) out.errors.push({ line, error });
      out.rejected++;
    },
  };
  return out;
}

/**
 * Validates one incoming record and makes a {@linkcode LogRecord} tagged with its producer.
 * A record is a JSON object with a string `msg`; `level` (default `info`) one of the six level
 * names; `time` (default now) an ISO-8601 string or epoch milliseconds; `category` a string.
 * Every other member is kept as a field, and `producer` is set (replacing one sent), unless
 * `producer` is undefined: then a record's own `producer` member is kept as it is.
 *
 * @param value The parsed JSON.
 * @param producer The producer's name, or `undefined` to read records as they are (`sluice tail`).
 * @param now The time to use when `time` is absent.
 * @param keepOwn Keep a record's own non-empty `producer` (records forwarded by a trusted collector).
 * @returns The record, or a string saying what is wrong.
 * @example
 * ```ts
 * import { toRecord } from "./ndjson_decode.ts";
 * toRecord({ msg: "hi", level: "warn", n: 1 }, "edge-1", Date.now());
 * ```
 */
export function toRecord(value: unknown, producer: string | undefined, now: number, keepOwn = false): LogRecord | string {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return "a record must be a JSON object";
  const v = value as Record<string, unknown>;
  if (keepOwn && typeof v.producer === "string" && v.producer !== "") producer = v.producer;
  const { time, level, category, msg } = v;
  const fields: Record<string, unknown> = {};
  const tagged = producer !== undefined;
  for (const k in v) if (k !== "time" && k !== "level" && k !== "category" && k !== "msg" && (k !== "producer" || !tagged)) fields[k] = v[k];
  if (typeof msg !== "string") return "msg must be a string";
  if (level !== undefined && !LEVEL_NAMES.includes(level as LevelName)) return `level must be one of ${LEVEL_NAMES.join(", ")}`;
  if (category !== undefined && typeof category !== "string") return "category must be a string";
  const ms = time === undefined ? now : typeof time === "number" ? time : typeof time === "string" ? Date.parse(time) : NaN;
  // a Date holds ±8.64e15 ms (years -271821 to 275760); past that there is no ISO-8601 time to write
  if (!(Math.abs(ms) <= MAX_TIME_MS)) return "time must be an ISO-8601 string or epoch milliseconds within ±8.64e15 (years -271821 to 275760)";
  if (tagged) fields.producer = producer;
  const obj = serializeObject(fields);
  return createRecord(ms, (level ?? "info") as LevelName, category as string | undefined, msg, obj === "{}" ? "}" : "," + obj.slice(1));
}

/** The largest epoch milliseconds a `Date` holds. */
const MAX_TIME_MS = 8.64e15;

/**
 * Parses NDJSON: each non-empty line one record. Lines longer than `maxLineBytes` (counted in
 * UTF-16 units) and lines that are not valid records are rejected with their line number.
 *
 * @param text The body.
 * @param producer The producer's name.
 * @param maxLineBytes The longest line accepted.
 * @param keepOwn Keep records' own `producer` (a trusted forwarding collector).
 * @param budget Lines and errors kept at most.
 * @param unmade When every line is taken as it came, all in one category, make the records only
 *   when `records` is first read (`asSent.unmade`): for a caller that may need only the text
 *   and the count (the collector writing files), as making them is a tenth of ingest's time.
 * @returns Records and rejected lines.
 * @example
 * ```ts
 * import { parseNdjson } from "./ndjson_decode.ts";
 * parseNdjson('{"msg":"a"}\n{"msg":1}\n', "p", 1 << 20).errors; // [{ line: 2, error: "msg must be a string" }]
 * ```
 */
export function parseNdjson(text: string, producer: string, maxLineBytes: number, keepOwn = false, budget: DecodeBudget = {}, unmade = false): ParsedBody {
  const out = parsedBody(budget);
  const maxLines = budget.maxLines ?? Infinity;
  let lines = 0;
  const now = Date.now();
  const producerTail = ',"producer":' + JSON.stringify(producer) + "}";
  const ownForm = ownFormCheck(!text.includes("\r"));
  let sent = true; // every line so far taken as it came, for one category file
  // with `unmade`, the lines so far taken as they came, all in `category`, whose records are not made (-1: every record is made)
  let pending = unmade ? 0 : -1;
  let category: string | undefined;
  const make = () => {
    if (pending > 0) for (const r of sentRecords(text, pending, producerTail)) out.records.push(r);
    pending = -1;
  };
  let start = 0;
  for (let line = 1; start < text.length; line++) {
    let end = text.indexOf("\n", start);
    if (end < 0) end = text.length;
    // a line read where it stands in the body (cut out, it costs more to read: JSC); one that is
    // not `{…}` is cut out and trimmed, and is not taken as it came
    let src = text, from = start, to = end;
    start = end + 1;
    const braced = text.charCodeAt(from) === 123 && text.charCodeAt(to - 1) === 125;
    if (!braced) {
      make();
      src = text.slice(from, to).trim();
      from = 0;
      to = src.length;
      sent = false;
      if (to === 0) continue;
    }
    if (++lines > maxLines) throw new TooManyLinesError(maxLines);
    if (to - from > maxLineBytes) {
      make();
      out.reject(line, `line is longer than ${maxLineBytes} bytes`);
      sent = false;
      continue;
    }
    if (pending >= 0) {
      const v = parsedObject(text, from, to);
      if (v !== undefined && sentFieldsAt(v, text, from, to, ownForm) >= 0 && (pending === 0 || v.category === category)) {
        category = v.category as string | undefined;
        pending++;
        continue;
      }
      make();
    }
    const took = collect(out, line, src, from, to, producer, now, producerTail, keepOwn, ownForm);
    if (sent) sent = took && sameFile(out.records[0].category, out.records[out.records.length - 1].category);
  }
  if (pending > 0) {
    const count = pending;
    out.asSent = { category, tail: producerTail, count, unmade: true };
    let made: LogRecord[] | undefined;
    Object.defineProperty(out, "records", { get: () => (made ??= sentRecords(text, count, producerTail)), set: (v: LogRecord[]) => void (made = v), enumerable: true, configurable: true });
  } else if (sent && out.records.length > 0) out.asSent = { category: out.records[0].category, tail: producerTail, count: out.records.length };
  else ownLines(out.records);
  return out;
}

/**
 * Makes each record's line a string of its own. A line taken as it came is a slice of its body,
 * which keeps the body alive as long as the record lives. Where all of a body's records are kept
 * together (the tail ring keeps such a body as its text) that is what a bound on their lines
 * counts anyway; but a body may be mostly rejected lines (64 MiB inflated behind one good line),
 * a queue may keep one record of each of many bodies (the collector's forwarder when its queue
 * is full), and the tail ring may keep only the last records of a body larger than it, so those
 * records get lines of their own.
 * Flattening every line costs a quarter of ingest's rate (bench/README.md), so only these are.
 *
 * @param records The records (their lines start with `{`, as every record's does).
 * @example
 * ```ts
 * import { ownLines, parseNdjson } from "./ndjson_decode.ts";
 * const { records } = parseNdjson('{"time":"1970-01-01T00:00:00.000Z","level":"info","msg":"a"}\n', "p", 1 << 20);
 * ownLines(records); // records[0].json no longer keeps the body alive
 * ```
 */
export function ownLines(records: readonly LogRecord[]): void {
  // charCodeAt flattens a rope; its result is checked, or JSC's optimizing tiers drop the call
  for (const r of records) if (r.json.charCodeAt(0) !== 123) throw new TypeError("sluice: a record's line must be a JSON object");
}

/**
 * Parses a JSON array of records.
 *
 * @param text The body.
 * @param producer The producer's name.
 * @param keepOwn Keep records' own `producer` (a trusted forwarding collector).
 * @returns Records and rejected elements; a body that is not a JSON array is one error at line 1.
 * @example
 * ```ts
 * import { parseJsonArray } from "./ndjson_decode.ts";
 * parseJsonArray('[{"msg":"a"}]', "p").records.length; // 1
 * ```
 */
export function parseJsonArray(text: string, producer: string, keepOwn = false, budget: DecodeBudget = {}, maxRecordBytes = Infinity): ParsedBody {
  const out = parsedBody(budget);
  let value: unknown;
  boundJsonValues(text, budget.maxLines ?? Infinity);
  try {
    value = JSON.parse(text);
  } catch (err) {
    out.reject(1, `invalid JSON: ${errorMessage(err)}`);
    return out;
  }
  if (!Array.isArray(value)) {
    out.reject(1, "a JSON body must be an array of records");
    return out;
  }
  if (value.length > (budget.maxLines ?? Infinity)) throw new TooManyLinesError(budget.maxLines!);
  const now = Date.now();
  value.forEach((v, i) => {
    const r = toRecord(v, producer, now, keepOwn);
    if (typeof r === "string") out.reject(i + 1, r);
    // the same bound on one record as on an NDJSON line
    else if (r.json.length > maxRecordBytes) out.reject(i + 1, `record is longer than ${maxRecordBytes} bytes`);
    else out.records.push(r);
  });
  return out;
}

/** Adds the record of the line `src.slice(from, to)` (or its rejection) to `out`: true when the line was taken as it came. */
function collect(out: ReturnType<typeof parsedBody>, line: number, src: string, from: number, to: number, producer: string, now: number, producerTail: string, keepOwn: boolean, ownForm: OwnFormCheck): boolean {
  let value: unknown;
  try {
    value = JSON.parse(from === 0 && to === src.length ? src : src.slice(from, to));
  } catch (err) {
    out.reject(line, `invalid JSON: ${errorMessage(err)}`);
    return false;
  }
  const fast = typeof value === "object" && value !== null && !Array.isArray(value) ? asSent(value as Record<string, unknown>, src, from, to, producerTail, ownForm) : undefined;
  if (fast !== undefined) {
    out.records.push(fast);
    return true;
  }
  const r = toRecord(value, producer, now, keepOwn);
  if (typeof r === "string") out.reject(line, r);
  else out.records.push(r);
  return false;
}

/** Whether two categories go to one file (the same, or another name for it: "" and none are both `default`). */
function sameFile(a: string | undefined, b: string | undefined): boolean {
  return a === b || categoryFileName(a) === categoryFileName(b);
}
