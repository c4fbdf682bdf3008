/**
 * Records of lines taken as they came: an NDJSON line already in sluice's own form keeps its
 * text, and only the producer is appended. Made while a body is parsed, or again later from the
 * body's text (a body whose records are made only when something reads them).
 *
 * @module
 */
import type { LevelName } from "../levels.ts";
import type { LogRecord } from "../record.ts";
import { ownFormCheck, type OwnFormCheck } from "./own_form.ts";

/**
 * The record of a line already in sluice's own NDJSON form (what httpSink sends), or undefined:
 * when the line is exactly what sluice writes for its value (`ownForm`) and sends no `producer`
 * of its own, its fields are kept as sent and only the producer is appended: nothing is
 * serialized again.
 *
 * @param v The line's parsed value.
 * @param src The text the line stands in.
 * @param from Where the line starts.
 * @param to Where it ends (its closing brace's index + 1).
 * @param producerTail What the closing brace gives way to (`,"producer":"…"}`).
 * @param ownForm A check made by `ownFormCheck` for this body's lines.
 * @returns The record, or undefined for a line not taken as it came.
 * @example
 * ```ts
 * import { asSent } from "./sent_record.ts";
 * import { ownFormCheck } from "./own_form.ts";
 * const line = '{"time":"1970-01-01T00:00:00.000Z","level":"info","msg":"a"}';
 * asSent(JSON.parse(line), line, 0, line.length, ',"producer":"p"}', ownFormCheck())?.json; // …"msg":"a","producer":"p"}
 * ```
 */
export function asSent(v: Record<string, unknown>, src: string, from: number, to: number, producerTail: string, ownForm: OwnFormCheck): LogRecord | undefined {
  const fieldsAt = sentFieldsAt(v, src, from, to, ownForm);
  if (fieldsAt < 0) return undefined;
  // a rope over the body: parseNdjson makes it a string of its own unless the body is taken whole
  const json = src.slice(from, to - 1) + producerTail;
  return { time: ownForm.ms, level: v.level as LevelName, category: v.category as string | undefined, msg: v.msg as string, json, fieldsAt };
}

/**
 * Whether a line is taken as it came ({@linkcode asSent}'s check, without making the record):
 * its record's `fieldsAt`, or -1.
 *
 * @param v The line's parsed value.
 * @param src The text the line stands in.
 * @param from Where the line starts.
 * @param to Where it ends.
 * @param ownForm A check made by `ownFormCheck` for this body's lines (its `ms` is then the record's time).
 * @returns Where the record's fields start in its line, or -1.
 * @example
 * ```ts
 * import { sentFieldsAt } from "./sent_record.ts";
 * import { ownFormCheck } from "./own_form.ts";
 * const line = '{"time":"1970-01-01T00:00:00.000Z","level":"info","msg":"a","producer":"x"}';
 * sentFieldsAt(JSON.parse(line), line, 0, line.length, ownFormCheck()); // -1: it names its own producer
 * ```
 */
export function sentFieldsAt(v: Record<string, unknown>, src: string, from: number, to: number, ownForm: OwnFormCheck): number {
  return Object.hasOwn(v, "producer") ? -1 : ownForm(src, v, from, to);
}

/**
 * Where each of the first `count` lines of a text starts (one `\n` after each line but perhaps
 * the last), then one past the last one's end + 1: line `i` is `text.slice(starts[i], starts[i + 1] - 1)`.
 *
 * @param text The text.
 * @param count How many lines.
 * @returns `count + 1` offsets.
 * @example
 * ```ts
 * import { lineStarts } from "./sent_record.ts";
 * lineStarts("{}\n{}", 2); // Uint32Array [0, 3, 6]
 * ```
 */
export function lineStarts(text: string, count: number): Uint32Array {
  const starts = new Uint32Array(count + 1);
  for (let k = 0, at = 0; k < count; k++) {
    const end = text.indexOf("\n", at);
    at = (end < 0 ? text.length : end) + 1;
    starts[k + 1] = at;
  }
  return starts;
}

/**
 * The object the JSON text `text.slice(from, to)` holds, or undefined (not JSON, or not an object).
 *
 * @param text The text.
 * @param from Where the JSON starts.
 * @param to Where it ends.
 * @returns The object, or undefined.
 * @example
 * ```ts
 * import { parsedObject } from "./sent_record.ts";
 * parsedObject('x{"a":1}', 1, 8); // { a: 1 }
 * parsedObject("[1]", 0, 3); // undefined
 * ```
 */
export function parsedObject(text: string, from: number, to: number): Record<string, unknown> | undefined {
  try {
    const v: unknown = JSON.parse(text.slice(from, to));
    return typeof v === "object" && v !== null && !Array.isArray(v) ? v as Record<string, unknown> : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The record `parseNdjson` made of one line of a body it took whole (`asSent`), made again from
 * the body's text: so a body can be kept as its text alone and its records made only when read
 * (the collector's tail ring).
 *
 * @param text The body.
 * @param from Where the line starts.
 * @param to Where it ends (its closing brace's index + 1).
 * @param tail `asSent.tail`: what the line's closing brace gives way to.
 * @param ownForm A check made by `ownFormCheck` for this body's lines (it keeps what they share).
 * @returns The record.
 * @throws A TypeError for a line parseNdjson would not have taken as it came (or not JSON at all).
 * @example
 * ```ts
 * import { sentRecord } from "./sent_record.ts";
 * import { ownFormCheck } from "./own_form.ts";
 * const text = '{"time":"1970-01-01T00:00:00.000Z","level":"info","msg":"a"}\n';
 * sentRecord(text, 0, text.indexOf("\n"), ',"producer":"p"}', ownFormCheck()).json; // …"msg":"a","producer":"p"}
 * ```
 */
export function sentRecord(text: string, from: number, to: number, tail: string, ownForm: OwnFormCheck): LogRecord {
  const v = parsedObject(text, from, to);
  const r = v === undefined ? undefined : asSent(v, text, from, to, tail, ownForm);
  if (r === undefined) throw new TypeError(`sluice: line ${JSON.stringify(text.slice(from, Math.min(to, from + 80)))} is not in sluice's own form`);
  return r;
}

/**
 * The records of lines `[first, count)` of a text whose lines were all taken as they came (one
 * `\n` after each but perhaps the last), made again ({@linkcode sentRecord}).
 *
 * @param text The body.
 * @param count How many lines the text has.
 * @param tail `asSent.tail`.
 * @param first The first line made.
 * @returns The records, in order.
 * @example
 * ```ts
 * import { sentRecords } from "./sent_record.ts";
 * sentRecords('{"time":"1970-01-01T00:00:00.000Z","level":"info","msg":"a"}\n', 1, ',"producer":"p"}').length; // 1
 * ```
 */
export function sentRecords(text: string, count: number, tail: string, first = 0): LogRecord[] {
  const check = ownFormCheck(true);
  const starts = lineStarts(text, count);
  const records: LogRecord[] = [];
  for (let i = first; i < count; i++) records.push(sentRecord(text, starts[i], starts[i + 1] - 1, tail, check));
  return records;
}
