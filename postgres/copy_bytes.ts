/**
 * COPY rows made from the bytes of a body whose lines were taken as sent: the `record` column is
 * each line's bytes (with the producer member in place of its closing brace), copied with its
 * backslashes doubled, rather than a string built per record and encoded again.
 *
 * @module
 */
import type { LogRecord } from "../lib/record.ts";
import { Buffer, type Bytes, CopyBuffer } from "./copy_buffer.ts";
import { copyRow, copyText, jsonbSafe, pgTime } from "./rows.ts";

const NL = 10, TAB = 9, BACKSLASH = 92, U = 117;

/**
 * The COPY text of records that came as the lines of `body` (NDJSON in sluice's own form, one
 * record a line, in order, each tagged with `,"producer":<producer>}` in place of its closing
 * brace, as `ParsedBody.asSent` says), as UTF-8 bytes: the same bytes as the records'
 * {@linkcode copyRow} lines joined and encoded. A line with a tab or a `\u` escape (which
 * `jsonb` may refuse) goes through `copyRow`; so does the whole body when its lines and the
 * records do not pair up.
 *
 * @param records The body's records, one a line.
 * @param body The body's bytes.
 * @param producer The producer each record was tagged with.
 * @param into The buffer the rows are appended to (a new one by default).
 * @returns The rows: the bytes appended to `into`.
 * @example
 * ```ts
 * import { parseNdjson } from "../lib/format/ndjson_decode.ts";
 * import { copyBytesAsSent } from "./copy_bytes.ts";
 * const text = '{"time":"2026-01-01T00:00:00.000Z","level":"info","msg":"ok","n":1}\n';
 * const rows = copyBytesAsSent(parseNdjson(text, "edge-1", 1 << 20).records, new TextEncoder().encode(text), "edge-1");
 * new TextDecoder().decode(rows); // '2026-01-01T00:00:00.000Z\tinfo\t\\N\tedge-1\tok\t{"time":…,"n":1,"producer":"edge-1"}\n'
 * ```
 */
export function copyBytesAsSent(records: readonly LogRecord[], body: Uint8Array, producer: string, into: CopyBuffer = new CopyBuffer(body.length)): Uint8Array {
  const src = Buffer.from(body.buffer, body.byteOffset, body.length);
  const producerField = copyText(producer) + "\t";
  const recordEnd = Buffer.from(copyText(jsonbSafe(',"producer":' + JSON.stringify(producer) + "}")) + "\n");
  // the body's backslashes and tabs, found once (native byte search), walked along with the lines
  const backslashes = positions(src, BACKSLASH), tabs = positions(src, TAB);
  let nextBackslash = 0, nextTab = 0;
  const start = into.length;
  let out = into.room(body.length + records.length * (recordEnd.length + producerField.length + 64));
  let o = start, a = 0;
  // a time or a message like the last one's is copied from where that was written (batches share them)
  let time = NaN, timeAt = 0, timeEnd = 0, msg: string | undefined, msgAt = 0, msgEnd = 0;
  // "level\tcategory\tproducer\t", as bytes, for the run of records that share level and category
  let level = "", category: string | undefined | null = null, fields = Buffer.alloc(0);
  for (const r of records) {
    if (a >= body.length) return fallback(records);
    let e = src.indexOf(NL, a);
    if (e < 0) e = body.length;
    const close = e - 1;
    if (r.level !== level || r.category !== category) {
      level = r.level;
      category = r.category;
      fields = Buffer.from(level + "\t" + (category === undefined ? "\\N" : copyText(category)) + "\t" + producerField);
    }
    // the row at its largest: the time, the fields, the message at 6 (escaped), the line with each byte doubled
    const most = 32 + fields.length + 6 * r.msg.length + 2 * (e - a) + recordEnd.length;
    if (o + most > out.length) {
      into.length = o;
      out = into.room(most);
    }
    while (nextTab < tabs.length && tabs[nextTab] < a) nextTab++;
    while (nextBackslash < backslashes.length && backslashes[nextBackslash] < a) nextBackslash++;
    if (src[close] !== 125 || (nextTab < tabs.length && tabs[nextTab] < close) || unicodeEscape(src, backslashes, nextBackslash, close)) {
      o += out.write(copyRow(r, producer), o);
      a = e + 1;
      continue;
    }
    if (r.time === time) out.copyWithin(o, timeAt, timeEnd), (o += timeEnd - timeAt);
    else (time = r.time), (timeAt = o), (timeEnd = o += out.write(pgTime(time), o, "latin1"));
    out[o++] = TAB;
    o += fields.copy(out, o);
    if (r.msg === msg) out.copyWithin(o, msgAt, msgEnd), (o += msgEnd - msgAt);
    else (msg = r.msg), (msgAt = o), (msgEnd = o += out.write(copyText(msg), o));
    out[o++] = TAB;
    // the line to its closing brace, each backslash doubled (COPY's escape)
    let from = a;
    for (let i = nextBackslash; i < backslashes.length && backslashes[i] < close; i++) {
      const b = backslashes[i];
      o += src.copy(out, o, from, b + 1);
      out[o++] = BACKSLASH;
      from = b + 1;
    }
    o += src.copy(out, o, from, close);
    o += recordEnd.copy(out, o);
    a = e + 1;
  }
  into.length = o;
  return a >= body.length ? into.view(start) : fallback(records);

  function fallback(rs: readonly LogRecord[]): Uint8Array {
    into.length = start;
    return copyRecords(rs, producer, into);
  }
}

/**
 * The COPY rows of records ({@linkcode copyRow}), appended to `into` as UTF-8: for records that
 * did not come as sent, and for a body whose lines and records do not pair up.
 *
 * @param records The records.
 * @param producer The producer each record was tagged with, when they were.
 * @param into The buffer the rows are appended to.
 * @returns The rows: the bytes appended to `into`.
 * @example
 * ```ts
 * import { createRecord } from "../lib/record.ts";
 * import { CopyBuffer } from "./copy_buffer.ts";
 * import { copyRecords } from "./copy_bytes.ts";
 * copyRecords([createRecord(0, "info", undefined, "ok", "}")], undefined, new CopyBuffer(64)); // one row
 * ```
 */
export function copyRecords(records: readonly LogRecord[], producer: string | undefined, into: CopyBuffer): Uint8Array {
  const start = into.length;
  let text = "";
  for (const r of records) text += copyRow(r, producer);
  into.text(text);
  return into.view(start);
}

/** Where `byte` is in `src`, in order. */
function positions(src: Bytes, byte: number): number[] {
  const at: number[] = [];
  for (let i = src.indexOf(byte); i >= 0; i = src.indexOf(byte, i + 1)) at.push(i);
  return at;
}

/** Whether a backslash from `backslashes[i]` on, before `end`, begins a `\u` escape (`jsonb` refuses some); an escaped backslash is skipped whole. */
function unicodeEscape(src: Bytes, backslashes: number[], i: number, end: number): boolean {
  for (; i < backslashes.length && backslashes[i] < end; i++) {
    const b = backslashes[i];
    if (src[b + 1] === U) return true;
    if (src[b + 1] === BACKSLASH) i++;
  }
  return false;
}
