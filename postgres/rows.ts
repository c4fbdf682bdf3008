/**
 * Records as rows of sluice's table, in `COPY ... FROM STDIN` text format: `time`, `level`,
 * `category`, `producer`, `msg`, `record`. What PostgreSQL refuses is escaped here, so a row
 * never makes the database fail: a NUL (refused in `text` and in `jsonb`) is stored as the six
 * characters `\u0000`, and a lone surrogate (not UTF-8, refused by `jsonb`) as U+FFFD.
 *
 * @module
 */
import { isoTime } from "../lib/iso_time.ts";
import type { LogRecord } from "../lib/record.ts";

/** The columns a row fills, in {@linkcode copyRow}'s order. */
export const ROW_COLUMNS = "(time, level, category, producer, msg, record)";

/**
 * One record as a line of COPY text (with its newline).
 *
 * @param r The record.
 * @param producer The record's top-level `producer` when the caller knows it (the collector
 *   tagged the record with it), else it is read from the record's JSON.
 * @returns The line.
 * @example
 * ```ts
 * import { createRecord } from "../lib/record.ts";
 * import { copyRow } from "./rows.ts";
 * copyRow(createRecord(0, "info", "http", "ok", ',"producer":"edge-1"}'));
 * // '1970-01-01T00:00:00.000Z\tinfo\thttp\tedge-1\tok\t{"time":...}\n'
 * ```
 */
export function copyRow(r: LogRecord, producer: string | undefined = recordProducer(r.json)): string {
  return pgTime(r.time) + "\t" + r.level + "\t" + (r.category === undefined ? "\\N" : copyText(r.category)) + "\t" +
    (producer === undefined ? "\\N" : copyText(producer)) + "\t" + copyText(r.msg) + "\t" + copyText(jsonbSafe(r.json)) + "\n";
}

/**
 * A time PostgreSQL reads: ISO 8601 for years 1 to 9999, otherwise its own form (five-digit
 * years, `BC`), and `-infinity` before 4713 BC (its first day), so any time a record can carry
 * is stored (the record's own `time` keeps the exact value).
 *
 * @param ms Milliseconds since the epoch.
 * @returns The text.
 * @example
 * ```ts
 * import { pgTime } from "./rows.ts";
 * pgTime(0); // "1970-01-01T00:00:00.000Z"
 * ```
 */
export function pgTime(ms: number): string {
  if (ms >= YEAR_1 && ms < YEAR_10000) return isoTime(ms);
  const d = new Date(ms);
  const y = d.getUTCFullYear();
  if (y >= 1 && y <= 9999) return isoTime(ms);
  const iso = d.toISOString(); // ±YYYYYY-MM-DDTHH:MM:SS.mmmZ
  const rest = iso.slice(iso.indexOf("-", 1) + 1, -1).replace("T", " ");
  if (y >= 1) return `${y}-${rest}+00`;
  return y > -4712 ? `${1 - y}-${rest}+00 BC` : "-infinity";
}

// the years ISO 8601 writes with four digits: 0001-01-01 and 10000-01-01
const YEAR_1 = -62_135_596_800_000;
const YEAR_10000 = 253_402_300_800_000;
const PRODUCER_TAIL = ',"producer":"';
const PLAIN = /^[^"\\]*$/;

/**
 * The record's top-level `producer` when it is a string: read from the end of its JSON when it
 * is the last member with a plain value (as the collector tags records), parsed otherwise.
 *
 * @param json A record's JSON text.
 * @returns The producer, or undefined.
 * @example
 * ```ts
 * import { recordProducer } from "./rows.ts";
 * recordProducer('{"msg":"x","producer":"edge-1"}'); // "edge-1"
 * ```
 */
export function recordProducer(json: string): string | undefined {
  if (json.endsWith('"}')) {
    // ,"producer":"..."} with nothing to unescape: a quote after a comma opens a string, so this is the top-level member
    const open = json.lastIndexOf('"', json.length - 3);
    if (open > PRODUCER_TAIL.length && json.startsWith(PRODUCER_TAIL, open - PRODUCER_TAIL.length + 1)) {
      const value = json.slice(open + 1, -2);
      if (PLAIN.test(value)) return value;
    }
  }
  if (!json.includes('"producer"')) return undefined;
  try {
    const p = (JSON.parse(json) as { producer?: unknown }).producer;
    return typeof p === "string" ? p : undefined;
  } catch {
    return undefined;
  }
}

const COPY_SPECIAL = /[\\\t\n\r]/;
// anything copyText must look at: a COPY escape, a NUL, any surrogate (one in a pair is fine, but rare)
const COPY_PLAIN = /^[^\\\t\n\r\0\ud800-\udfff]*$/;
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
const LONE_SURROGATE_ALL = new RegExp(LONE_SURROGATE.source, "g");

/**
 * Text as PostgreSQL keeps it: a NUL as the six characters `\u0000`, a lone surrogate as
 * U+FFFD, anything else as it is. Queries look for what was stored this way.
 *
 * @param s The text.
 * @returns The text stored.
 * @example
 * ```ts
 * import { storedText } from "./rows.ts";
 * storedText("a\0b"); // "a\\u0000b"
 * ```
 */
export function storedText(s: string): string {
  if (LONE_SURROGATE.test(s)) s = s.replace(LONE_SURROGATE_ALL, "\ufffd");
  return s.includes("\0") ? s.replaceAll("\0", "\\u0000") : s;
}

/**
 * Text as a COPY text-format field: {@linkcode storedText}, with backslash, tab, newline and
 * carriage return escaped.
 *
 * @param s The text.
 * @returns The field.
 * @example
 * ```ts
 * import { copyText } from "./rows.ts";
 * copyText("a\tb"); // "a\\tb"
 * ```
 */
export function copyText(s: string): string {
  if (COPY_PLAIN.test(s)) return s;
  s = storedText(s);
  if (!COPY_SPECIAL.test(s)) return s;
  return s.replace(/[\\\t\n\r]/g, (c) => (c === "\\" ? "\\\\" : c === "\t" ? "\\t" : c === "\n" ? "\\n" : "\\r"));
}

/**
 * JSON text `jsonb` accepts: a `\u0000` escape becomes the escaped text `\\u0000` (the six
 * characters `\u0000` once parsed), and a `\uD800`-`\uDFFF` escape that is not half of a pair
 * becomes `\uFFFD`; anything else is left as it is.
 *
 * @param json JSON text.
 * @returns The text, changed only where `jsonb` would refuse it.
 * @example
 * ```ts
 * import { jsonbSafe } from "./rows.ts";
 * jsonbSafe('{"msg":"a\\u0000b"}'); // '{"msg":"a\\\\u0000b"}'
 * ```
 */
export function jsonbSafe(json: string): string {
  if (!json.includes("\\u")) return json;
  let out = "";
  let from = 0;
  for (let i = json.indexOf("\\"); i >= 0 && i < json.length; i = json.indexOf("\\", i)) {
    if (json[i + 1] !== "u") {
      i += 2; // an escape of one character (\\, \", \n, ...)
      continue;
    }
    const code = parseInt(json.slice(i + 2, i + 6), 16);
    let replace: string | undefined;
    if (code === 0) replace = "\\\\u0000";
    else if (code >= 0xd800 && code <= 0xdbff) {
      const next = json.slice(i + 6, i + 8) === "\\u" ? parseInt(json.slice(i + 8, i + 12), 16) : NaN;
      if (next >= 0xdc00 && next <= 0xdfff) {
        i += 12; // a pair
        continue;
      }
      replace = "\\ufffd";
    } else if (code >= 0xdc00 && code <= 0xdfff) replace = "\\ufffd";
    if (replace !== undefined) {
      out += json.slice(from, i) + replace;
      from = i + 6;
    }
    i += 6;
  }
  return from === 0 ? json : out + json.slice(from);
}
