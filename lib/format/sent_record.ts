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
  if (Object.hasOwn(v, "producer")) return undefined;
  const fieldsAt = ownForm(src, v, from, to);
  if (fieldsAt < 0) return undefined;
  // a rope over the body: parseNdjson makes it a string of its own unless the body is taken whole
  const json = src.slice(from, to - 1) + producerTail;
  return { time: ownForm.ms, level: v.level as LevelName, category: v.category as string | undefined, msg: v.msg as string, json, fieldsAt };
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
 * @returns The record; a TypeError for a line parseNdjson would not have taken as it came.
 * @example
 * ```ts
 * import { sentRecord } from "./sent_record.ts";
 * import { ownFormCheck } from "./own_form.ts";
 * const text = '{"time":"1970-01-01T00:00:00.000Z","level":"info","msg":"a"}\n';
 * sentRecord(text, 0, text.indexOf("\n"), ',"producer":"p"}', ownFormCheck()).json; // …"msg":"a","producer":"p"}
 * ```
 */
export function sentRecord(text: string, from: number, to: number, tail: string, ownForm: OwnFormCheck): LogRecord {
  const v: unknown = JSON.parse(text.slice(from, to));
  const r = typeof v === "object" && v !== null && !Array.isArray(v) ? asSent(v as Record<string, unknown>, text, from, to, tail, ownForm) : undefined;
  if (r === undefined) throw new TypeError(`sluice: line ${JSON.stringify(text.slice(from, Math.min(to, from + 80)))} is not in sluice's own form`);
  return r;
}

/**
 * The records of `count` lines of a text whose lines were all taken as they came (one `\n`
 * after each but perhaps the last), from the line starting at `from`, made again
 * ({@linkcode sentRecord}).
 *
 * @param text The body.
 * @param count How many lines.
 * @param tail `asSent.tail`.
 * @param from Where the first of them starts.
 * @returns The records, in order.
 * @example
 * ```ts
 * import { sentRecords } from "./sent_record.ts";
 * sentRecords('{"time":"1970-01-01T00:00:00.000Z","level":"info","msg":"a"}\n', 1, ',"producer":"p"}').length; // 1
 * ```
 */
export function sentRecords(text: string, count: number, tail: string, from = 0): LogRecord[] {
  const check = ownFormCheck(true);
  const records: LogRecord[] = [];
  for (let at = from; records.length < count;) {
    let end = text.indexOf("\n", at);
    if (end < 0) end = text.length;
    records.push(sentRecord(text, at, end, tail, check));
    at = end + 1;
  }
  return records;
}
