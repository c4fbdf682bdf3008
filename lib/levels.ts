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
 * createLogger({ level: "silent" }); // nothing is written
 * ```
 */
export type LevelThreshold = LevelName | "silent";

const VALUES: Record<LevelThreshold, number> = {
  trace: 10,
  debug: 20,
  info: 30,
  warn: 40,
  error: 50,
  fatal: 60,
  silent: Infinity,
};

/**
 * The numeric value of a level (trace 10 … fatal 60, silent Infinity), the scale pino uses.
 *
 * @param level A level name or `"silent"`.
 * @returns Its value; throws a `TypeError` naming the valid levels when `level` is unknown.
 * @example
 * ```ts
 * import { levelValue } from "./levels.ts";
 * levelValue("error"); // 50
 * ```
 */
export function levelValue(level: LevelThreshold): number {
  const v = VALUES[level];
  if (v === undefined || !Object.hasOwn(VALUES, level)) {
    throw new TypeError(
      `sluice: unknown level ${JSON.stringify(level)}; expected one of ${[...LEVEL_NAMES, "silent"].join(", ")}`,
    );
  }
  return v;
}
