/**
 * A record's time and level, read from the start of its line when the line is in sluice's form
 * (`{"time":"2026-12-06T10:00:00.000Z","level":"info",...`) without parsing it, or from the
 * parsed record otherwise. The time is the line's first `time` (it only orders and bounds); a line
 * naming `level` again further on is left to the parse, which takes the last one.
 *
 * @module
 */
import { LEVEL_NAMES, LEVEL_VALUES, type LevelName } from "../../lib/levels.ts";

const HEAD = '{"time":"';
const LEVEL_AT = '","level":"';
let minuteKey = "";
let minuteMs = NaN;

/** Whether `key` occurs in the line again, in `[from, end)`. */
const again = (text: string, key: string, from: number, end: number) => {
  const i = text.indexOf(key, from);
  return i >= 0 && i < end;
};

const digit = (s: string, i: number) => {
  const d = s.charCodeAt(i) - 48;
  return d >= 0 && d <= 9 ? d : NaN;
};

/**
 * The time (ms) of the line starting at `at` in `text`, when it begins in sluice's form;
 * otherwise undefined (parse the line and use {@linkcode recordTime}).
 *
 * @param text Text holding the line (ASCII positions as in the line: latin1 or UTF-16 text).
 * @param at Where the line starts.
 * @param end Where it ends.
 * @returns Its time, or undefined.
 * @example
 * ```ts
 * import { lineTime } from "./line_fields.ts";
 * const line = '{"time":"1970-01-01T00:00:01.500Z","level":"info","msg":"x"}';
 * lineTime(line, 0, line.length); // 1500
 * ```
 */
export function lineTime(text: string, at: number, end: number): number | undefined {
  if (!text.startsWith(HEAD, at) || end - at < 34 || text.charCodeAt(at + 32) !== 90 /* Z */ || text.charCodeAt(at + 33) !== 34 /* " */) return undefined;
  if (text.charCodeAt(at + 25) !== 58 /* : */ || text.charCodeAt(at + 28) !== 46 /* . */) return undefined;
  const key = text.slice(at + 9, at + 25); // 2026-12-06T10:00
  if (key !== minuteKey) {
    const ms = Date.parse(`${key}:00.000Z`);
    if (Number.isNaN(ms)) return undefined;
    minuteKey = key;
    minuteMs = ms;
  }
  const s = digit(text, at + 26) * 10 + digit(text, at + 27);
  const ms = digit(text, at + 29) * 100 + digit(text, at + 30) * 10 + digit(text, at + 31);
  const t = minuteMs + s * 1000 + ms;
  return Number.isNaN(t) || s > 59 ? undefined : t;
}

/**
 * The level of a line in sluice's form (time, then level), or undefined.
 *
 * @param text Text holding the line.
 * @param at Where the line starts.
 * @param end Where it ends.
 * @returns The level name.
 * @example
 * ```ts
 * import { lineLevel } from "./line_fields.ts";
 * const line = '{"time":"1970-01-01T00:00:01.500Z","level":"warn","msg":"x"}';
 * lineLevel(line, 0, line.length); // "warn"
 * ```
 */
export function lineLevel(text: string, at: number, end: number): LevelName | undefined {
  if (!text.startsWith(LEVEL_AT, at + 33) || again(text, '"level"', at + 44, end)) return undefined;
  const from = at + 44;
  for (const name of LEVEL_NAMES) {
    if (text.startsWith(name, from) && text.charCodeAt(from + name.length) === 34) return name;
  }
  return undefined;
}

/**
 * A parsed record's time: an ISO 8601 string, or milliseconds since the epoch; undefined when
 * it has neither.
 *
 * @param record The record.
 * @returns Its time in ms.
 * @example
 * ```ts
 * import { recordTime } from "./line_fields.ts";
 * recordTime({ time: "1970-01-01T00:00:01.000Z" }); // 1000
 * ```
 */
export function recordTime(record: Record<string, unknown>): number | undefined {
  const t = record.time;
  const ms = typeof t === "string" ? Date.parse(t) : typeof t === "number" ? t : NaN;
  return Number.isFinite(ms) ? ms : undefined;
}

/**
 * A parsed record's level for counting: a level name (any case) or a pino-style number as the
 * name of the level at or below it; `"other"` for anything else.
 *
 * @param record The record.
 * @returns The name to count it under.
 * @example
 * ```ts
 * import { recordLevel } from "./line_fields.ts";
 * recordLevel({ level: 35 }); // "info"
 * ```
 */
export function recordLevel(record: Record<string, unknown>): LevelName | "other" {
  const v = record.level;
  if (typeof v === "string") {
    const name = v.toLowerCase() as LevelName;
    return LEVEL_NAMES.includes(name) ? name : "other";
  }
  if (typeof v !== "number") return "other";
  let found: LevelName | "other" = "other";
  for (const name of LEVEL_NAMES) if (LEVEL_VALUES[name] <= v) found = name;
  return found;
}
