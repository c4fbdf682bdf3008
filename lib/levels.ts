/**
 * Log levels, their order and their names.
 *
 * @module
 */

/**
 * The six level names, lowest first.
 *
 * @example
 * ```ts
 * LEVEL_NAMES.includes("warn"); // true
 * ```
 */
export const LEVEL_NAMES = ["trace", "debug", "info", "warn", "error", "fatal"] as const;

/**
 * A level name.
 *
 * @example Compare two levels
 * ```ts
 * import { levelValue } from "./levels.ts";
 * levelValue("warn") > levelValue("info"); // true
 * ```
 */
export type LevelName = typeof LEVEL_NAMES[number];

/**
 * A threshold: a level name, or `"silent"` to let nothing through.
 *
 * @example
 * ```ts
 * import { createLogger } from "../mod.ts";
 * createLogger({ level: "silent" }); // nothing is written
 * ```
 */
export type LevelThreshold = LevelName | "silent";

/**
 * The levels table: each level's number (the scale pino uses). Every other place that needs a
 * level's number or order reads it from here.
 *
 * @example
 * ```ts
 * import { LEVEL_VALUES } from "./levels.ts";
 * LEVEL_VALUES.warn; // 40
 * ```
 */
export const LEVEL_VALUES: Readonly<Record<LevelName, number>> = Object.freeze(
  Object.fromEntries(LEVEL_NAMES.map((name, i) => [name, i * 10 + 10])) as Record<LevelName, number>, // trace 10 ... fatal 60
);

const VALUES: Readonly<Record<LevelThreshold, number>> = { ...LEVEL_VALUES, silent: Infinity };

/**
 * The level of an OpenTelemetry `severityNumber` (1–24, four numbers per level: 1–4 trace …
 * 21–24 fatal), or undefined outside that range.
 *
 * @example
 * ```ts
 * import { levelOfSeverity } from "./levels.ts";
 * levelOfSeverity(9);  // "info"
 * levelOfSeverity(17); // "error"
 * ```
 */
export function levelOfSeverity(severityNumber: number): LevelName | undefined {
  return severityNumber >= 1 && severityNumber <= 24 ? LEVEL_NAMES[Math.floor((severityNumber - 1) / 4)] : undefined;
}

/**
 * The numeric value of a level (trace 10 … fatal 60, silent Infinity), the scale pino uses.
 *
 * @param level A level name or `"silent"`.
 * @param values The levels taken: every threshold (the default), or `LEVEL_VALUES` for a
 *   record's level, which cannot be `"silent"`.
 * @returns Its value; throws a `TypeError` naming the valid levels when `level` is not one of them.
 * @example
 * ```ts
 * import { LEVEL_VALUES, levelValue } from "./levels.ts";
 * levelValue("error"); // 50
 * levelValue("silent"); // Infinity
 * try {
 *   levelValue("silent", LEVEL_VALUES);
 * } catch (err) {
 *   console.log((err as Error).message); // sluice: unknown level "silent"; expected one of trace, debug, info, warn, error, fatal
 * }
 * ```
 */
export function levelValue(level: LevelThreshold, values: Readonly<Record<string, number>> = VALUES): number {
  if (!Object.hasOwn(values, level)) {
    throw new TypeError(`sluice: unknown level ${JSON.stringify(level)}; expected one of ${Object.keys(values).join(", ")}`);
  }
  return values[level];
}

/**
 * Whether `word` is a level name or `"silent"` (exactly: names are lower case).
 *
 * @example
 * ```ts
 * import { isLevelThreshold } from "./levels.ts";
 * isLevelThreshold("warn");    // true
 * isLevelThreshold("verbose"); // false
 * ```
 */
export function isLevelThreshold(word: string): word is LevelThreshold {
  return Object.hasOwn(VALUES, word);
}
