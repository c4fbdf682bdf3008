/**
 * The pretty format: aligned, coloured lines for a person at a terminal, used by `consoleSink`
 * (its `"auto"` format on a terminal) and by `sluice pretty`.
 *
 * @module
 */
import { isoTime } from "../iso_time.ts";
import { recordFields, type LogRecord } from "../record.ts";
import type { Formatter } from "./formatter.ts";
import { LEVEL_COLORS, RESET } from "./text.ts";
import { CONTROL_CLASS, printable } from "./printable.ts";

/**
 * Options of {@linkcode prettyFormatter}.
 *
 * @example
 * ```ts
 * import type { PrettyOptions } from "./pretty.ts";
 * const options: PrettyOptions = { color: true, time: "elapsed", ignore: ["pid", "hostname"] };
 * ```
 */
export interface PrettyOptions {
  /**
   * Colour with ANSI escapes: the level by its colour, the time and field names dimmed, errors red.
   * @default false
   */
  color?: boolean;
  /**
   * The time column: `"local"` the time of day in the local zone (`17:14:28.123`), `"iso"` the
   * whole ISO-8601 UTC time, `"elapsed"` seconds since the first record this formatter wrote (`+1.250s`).
   * @default "local"
   */
  time?: "iso" | "local" | "elapsed";
  /** Fields left out; `"time"` and `"category"` leave out those columns. */
  ignore?: readonly string[];
  /**
   * One line per record: an error's stack is not written below it, and newlines in the message are escaped.
   * @default false
   */
  singleLine?: boolean;
}

const DIM = "\x1b[2m";
const RED = "\x1b[31m";
const BLUE = "\x1b[34m";
/** The widest category column: longer categories push the message, shorter ones are padded to the widest seen. */
const MAX_CATEGORY_WIDTH = 20;
/** A string written without quotes: no space, quote, `=`, backslash or character {@linkcode printable} escapes. */
const BARE = new RegExp(`^[^\\s"=\\\\${CONTROL_CLASS}]+$`);

const two = (n: number) => (n < 10 ? "0" : "") + n;

/** A serialized error, as sluice writes one: `{ name, message, stack, cause?, ... }` (pino: `type` for `name`). */
type ErrorJson = { name?: unknown; type?: unknown; message?: unknown; stack?: unknown; cause?: unknown; [k: string]: unknown };
const isError = (v: unknown): v is ErrorJson =>
  typeof v === "object" && v !== null && !Array.isArray(v) && typeof (v as ErrorJson).message === "string" &&
  (typeof (v as ErrorJson).stack === "string" || typeof (v as ErrorJson).name === "string");
const errorName = (e: ErrorJson) => (typeof e.name === "string" ? e.name : typeof e.type === "string" ? e.type : "");

/**
 * Makes the pretty formatter: one record as
 * `17:14:28.123 INFO  http  request handled route=/api/items ms=12`. The category column is as
 * wide as the widest category seen (up to 20); strings without spaces or quotes are written
 * bare, others as JSON; an error field shows `Name: message`, then its stack and causes on the
 * lines below (unless `singleLine`).
 *
 * @param options Colour, time, ignored fields, single line.
 * @returns The formatter (it keeps the column width and, for `"elapsed"`, the first time).
 * @example
 * ```ts
 * import { prettyFormatter } from "./pretty.ts";
 * import { createRecord } from "../record.ts";
 * const fmt = prettyFormatter({ time: "iso" });
 * fmt(createRecord(0, "warn", "db", "slow", ',"ms":900,"table":"users"}'));
 * // "1970-01-01T00:00:00.000Z WARN  db slow ms=900 table=users"
 * ```
 */
export function prettyFormatter(options: PrettyOptions = {}): Formatter {
  const color = options.color ?? false;
  const time = options.time ?? "local";
  if (time !== "local" && time !== "iso" && time !== "elapsed") throw new TypeError(`sluice: time must be "iso", "local" or "elapsed", got ${JSON.stringify(time)}`);
  const ignore = new Set(options.ignore ?? []);
  const singleLine = options.singleLine ?? false;
  const paint = (code: string, text: string) => (color ? code + text + RESET : text);
  let first: number | undefined;
  let width = 0;

  const clock = (ms: number) => {
    if (time === "iso") return isoTime(ms);
    if (time === "elapsed") {
      first ??= ms;
      return ("+" + ((ms - first) / 1000).toFixed(3) + "s").padStart(9);
    }
    const d = new Date(ms);
    return two(d.getHours()) + ":" + two(d.getMinutes()) + ":" + two(d.getSeconds()) + "." + String(d.getMilliseconds()).padStart(3, "0");
  };
  // what the record's sender wrote is shown, not obeyed by the terminal (printable)
  const value = (v: unknown): string => {
    if (typeof v === "string") return v !== "" && BARE.test(v) ? v : printable(JSON.stringify(v));
    if (isError(v)) return paint(RED, printable((errorName(v) && errorName(v) + ": ") + v.message));
    return printable(JSON.stringify(v) ?? String(v));
  };
  /** The stack frames and causes of an error, each line indented under the record. */
  const stackLines = (err: ErrorJson, out: string[], depth: number) => {
    if (typeof err.stack === "string") {
      const lines = err.stack.split("\n");
      // a V8 stack starts with "Name: message", already on the record's line
      const head = lines[0].includes(String(err.message)) ? 1 : 0;
      for (let i = head; i < lines.length; i++) if (lines[i].trim() !== "") out.push("    " + paint(DIM, printable(lines[i].trim())));
    }
    if (isError(err.cause) && depth < 8) {
      out.push("    " + paint(RED, "caused by: " + value(err.cause)));
      stackLines(err.cause, out, depth + 1);
    }
  };

  return (r: LogRecord) => {
    let line = ignore.has("time") ? "" : paint(DIM, clock(r.time)) + " ";
    line += paint(LEVEL_COLORS[r.level], r.level.toUpperCase().padEnd(5));
    if (!ignore.has("category")) {
      const cat = printable(r.category ?? "");
      if (cat.length > width) width = Math.min(cat.length, MAX_CATEGORY_WIDTH);
      if (width > 0) line += " " + paint(BLUE, cat.padEnd(width));
    }
    line += " " + printable(singleLine ? r.msg.replace(/\r?\n/g, "\\n") : r.msg);
    if (r.json.length - r.fieldsAt <= 1) return line;
    const below: string[] = [];
    const fields = recordFields(r);
    for (const k in fields) {
      if (ignore.has(k)) continue;
      const v = fields[k];
      line += " " + paint(DIM, printable(k) + "=") + value(v);
      if (!singleLine && isError(v)) stackLines(v, below, 0);
    }
    return below.length === 0 ? line : line + "\n" + below.join("\n");
  };
}
