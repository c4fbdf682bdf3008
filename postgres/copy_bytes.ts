/**
 * COPY rows made from the bytes of a body whose lines were taken as sent: the `record` column is
 * each line's bytes (with the producer member in place of its closing brace), copied with its
 * backslashes doubled, rather than a string built per record and encoded again.
 *
 * @module
 */
import type { LogRecord } from "../lib/record.ts";
import { copyRow, copyText, jsonbSafe, pgTime } from "./rows.ts";

const utf8 = new TextEncoder();
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
 * @returns The rows.
 * @example
 * ```ts
 * import { parseNdjson } from "../lib/format/ndjson_decode.ts";
 * import { copyBytesAsSent } from "./copy_bytes.ts";
 * const text = '{"time":"2026-01-01T00:00:00.000Z","level":"info","msg":"ok","n":1}\n';
 * const rows = copyBytesAsSent(parseNdjson(text, "edge-1", 1 << 20).records, new TextEncoder().encode(text), "edge-1");
 * new TextDecoder().decode(rows); // '2026-01-01T00:00:00.000Z\tinfo\t\\N\tedge-1\tok\t{"time":…,"n":1,"producer":"edge-1"}\n'
 * ```
 */
export function copyBytesAsSent(records: readonly LogRecord[], body: Uint8Array, producer: string): Uint8Array {
  const producerField = utf8.encode(copyText(producer) + "\t");
  const recordEnd = utf8.encode(copyText(jsonbSafe(',"producer":' + JSON.stringify(producer) + "}")) + "\n");
  let out = new Uint8Array(body.length + records.length * (recordEnd.length + producerField.length + 64));
  let o = 0, a = 0;
  let category: string | undefined | null = null, categoryField = new Uint8Array();
  let level = "", levelField = new Uint8Array();
  for (const r of records) {
    if (a >= body.length) return fallback(records);
    let e = body.indexOf(NL, a);
    if (e < 0) e = body.length;
    const close = e - 1;
    if (r.level !== level) levelField = utf8.encode((level = r.level) + "\t");
    if (r.category !== category) categoryField = utf8.encode(((category = r.category) === undefined ? "\\N" : copyText(category)) + "\t");
    // the row at its largest: the time, the fields, the message at 6 bytes a UTF-16 unit (escaped), the line with each byte doubled
    const most = 32 + levelField.length + categoryField.length + producerField.length + 6 * r.msg.length + 2 * (e - a) + recordEnd.length;
    if (o + most > out.length) {
      const bigger = new Uint8Array(2 * out.length + most);
      bigger.set(out.subarray(0, o));
      out = bigger;
    }
    if (body[close] !== 125 || hasTabOrUnicodeEscape(body, a, close)) {
      o += utf8.encodeInto(copyRow(r, producer), out.subarray(o)).written;
      a = e + 1;
      continue;
    }
    o += utf8.encodeInto(pgTime(r.time), out.subarray(o)).written;
    out[o++] = TAB;
    out.set(levelField, o), (o += levelField.length);
    out.set(categoryField, o), (o += categoryField.length);
    out.set(producerField, o), (o += producerField.length);
    o += utf8.encodeInto(copyText(r.msg), out.subarray(o)).written;
    out[o++] = TAB;
    // the line to its closing brace, each backslash doubled (COPY's escape)
    let from = a;
    for (let b = body.indexOf(BACKSLASH, from); b >= 0 && b < close; b = body.indexOf(BACKSLASH, b + 1)) {
      out.set(body.subarray(from, b + 1), o);
      o += b + 1 - from;
      out[o++] = BACKSLASH;
      from = b + 1;
    }
    out.set(body.subarray(from, close), o);
    o += close - from;
    out.set(recordEnd, o);
    o += recordEnd.length;
    a = e + 1;
  }
  return a >= body.length ? out.subarray(0, o) : fallback(records);

  function fallback(rs: readonly LogRecord[]): Uint8Array {
    let text = "";
    for (const r of rs) text += copyRow(r, producer);
    return utf8.encode(text);
  }
}

/** Whether `body[a, e)` holds a raw tab (a column break in COPY) or a `\u` escape (`jsonb` refuses some). */
function hasTabOrUnicodeEscape(body: Uint8Array, a: number, e: number): boolean {
  const t = body.indexOf(TAB, a);
  if (t >= 0 && t < e) return true;
  for (let b = body.indexOf(BACKSLASH, a); b >= 0 && b < e; b = body.indexOf(BACKSLASH, b + 2)) if (body[b + 1] === U) return true;
  return false;
}
