/**
 * A record's time and level, read from the start of its line when the line is in sluice's form
 * (`{"time":"2026-12-06T10:00:00.000Z","level":"info",...`) without parsing it, or from the
 * parsed record otherwise. sluice never writes a key twice (a field named `level` or `time` is
 * written `_level`, `_time`), so the head of a line in its form is the record's.
 *
 * @module
 */
import { LEVEL_NAMES, LEVEL_VALUES, type LevelName } from "../../lib/levels.ts";

const ascii = (t: string) => Uint8Array.from(t, (c) => c.charCodeAt(0));
const HEAD = ascii('{"time":"');
const LEVEL_AT = ascii('","level":"');
const NAMES = LEVEL_NAMES.map((n) => [n, ascii(n + '"')] as const);
const minuteKey = new Uint8Array(16);
let minuteMs = NaN;

const startsWith = (bytes: Uint8Array, at: number, prefix: Uint8Array) => {
  for (let i = 0; i < prefix.length; i++) if (bytes[at + i] !== prefix[i]) return false;
  return true;
};
const digit = (bytes: Uint8Array, i: number) => {
  const d = bytes[i] - 48;
  return d >= 0 && d <= 9 ? d : NaN;
};

/**
 * The time (ms) of the line `bytes[a, e)`, when it begins in sluice's form; otherwise
 * undefined (parse the line and use {@linkcode recordTime}).
 *
 * @param bytes The block holding the line.
 * @param a Where the line starts.
 * @param e Where it ends.
 * @returns Its time, or undefined.
 * @example
 * ```ts
 * import { lineTime } from "./line_fields.ts";
 * const line = new TextEncoder().encode('{"time":"1970-01-01T00:00:01.500Z","level":"info","msg":"x"}');
 * lineTime(line, 0, line.length); // 1500
 * ```
 */
export function lineTime(bytes: Uint8Array, a: number, e: number): number | undefined {
  if (e - a < 34 || bytes[a + 32] !== 90 /* Z */ || bytes[a + 33] !== 34 /* " */ || !startsWith(bytes, a, HEAD)) return undefined;
  if (bytes[a + 25] !== 58 /* : */ || bytes[a + 28] !== 46 /* . */) return undefined;
  if (!startsWith(bytes, a + 9, minuteKey) || Number.isNaN(minuteMs)) {
    const key = bytes.subarray(a + 9, a + 25); // 2026-12-06T10:00
    const ms = Date.parse(`${String.fromCharCode(...key)}:00.000Z`);
    if (Number.isNaN(ms)) return undefined;
    minuteKey.set(key);
    minuteMs = ms;
  }
  const s = digit(bytes, a + 26) * 10 + digit(bytes, a + 27);
  const t = minuteMs + s * 1000 + digit(bytes, a + 29) * 100 + digit(bytes, a + 30) * 10 + digit(bytes, a + 31);
  return Number.isNaN(t) || s > 59 ? undefined : t;
}

/**
 * The level of the line `bytes[a, e)` in sluice's form (time, then level), or undefined.
 *
 * @param bytes The block holding the line.
 * @param a Where the line starts.
 * @returns The level name.
 * @example
 * ```ts
 * import { lineLevel } from "./line_fields.ts";
 * const line = new TextEncoder().encode('{"time":"1970-01-01T00:00:01.500Z","level":"warn","msg":"x"}');
 * lineLevel(line, 0); // "warn"
 * ```
 */
export function lineLevel(bytes: Uint8Array, a: number): LevelName | undefined {
  if (!startsWith(bytes, a + 33, LEVEL_AT)) return undefined;
  for (const [name, quoted] of NAMES) if (startsWith(bytes, a + 44, quoted)) return name;
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
