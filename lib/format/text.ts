/**
 * A human-readable text format for consoles.
 *
 * @module
 */
import { isoTime } from "../iso_time.ts";
import { LEVEL_NAMES, type LevelName } from "../levels.ts";
import { recordFields, type LogRecord } from "../record.ts";
import type { Formatter } from "./formatter.ts";
import { printable } from "./printable.ts";

/**
 * Each level's ANSI colour, shared by the text and pretty formats.
 *
 * @example
 * ```ts
 * import { LEVEL_COLORS, RESET } from "./text.ts";
 * LEVEL_COLORS.error + "ERROR" + RESET;
 * ```
 */
export const LEVEL_COLORS = Object.fromEntries(
  LEVEL_NAMES.map((name, i) => [name, `\x1b[${[90, 36, 32, 33, 31, 35][i]}m`]), // grey, cyan, green, yellow, red, magenta
) as Record<LevelName, string>;
/**
 * The ANSI escape that ends a colour.
 *
 * @example
 * ```ts
 * import { RESET } from "./text.ts";
 * "\x1b[31m" + "red" + RESET;
 * ```
 */
export const RESET = "\x1b[0m";

/**
 * Options of {@linkcode textFormatter}.
 *
 * @example
 * ```ts
 * import { consoleSink, textFormatter } from "../../mod.ts";
 * consoleSink({ format: textFormatter({ color: true }) });
 * ```
 */
export interface TextFormatOptions {
  /**
   * Colour the level with ANSI escapes.
   * @default false
   */
  color?: boolean;
}

/**
 * Makes a formatter for lines such as
 * `2026-11-22T17:14:28.123Z INFO  [http] request handled route="/api/items" ms=12`.
 * Field values are written as JSON.
 *
 * @param options Whether to colour the level.
 * @returns The formatter.
 * @example
 * ```ts
 * import { textFormatter } from "./text.ts";
 * import { createRecord } from "../record.ts";
 * const fmt = textFormatter({ color: false });
 * fmt(createRecord(0, "warn", undefined, "slow", ',"ms":900}'));
 * // "1970-01-01T00:00:00.000Z WARN  slow ms=900"
 * ```
 */
export function textFormatter(options: TextFormatOptions = {}): Formatter {
  const color = options.color ?? false;
  return (r: LogRecord) => {
    const lvl = r.level.toUpperCase().padEnd(5);
    let rest = r.category === undefined ? "" : "[" + r.category + "] ";
    rest += r.msg;
    const fields = recordFields(r); // {} when there are none
    for (const k in fields) rest += " " + k + "=" + JSON.stringify(fields[k]);
    // what the record's sender wrote is shown, not obeyed by the terminal
    return isoTime(r.time) + " " + (color ? LEVEL_COLORS[r.level] + lvl + RESET : lvl) + " " + printable(rest);
  };
}
