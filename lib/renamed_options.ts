/**
 * Option spellings that were renamed: given the old one, a maker of loggers and sinks throws a
 * `TypeError` naming the new one, rather than ignoring it.
 *
 * @module
 */

/**
 * The rotation options, which every sink takes nested under `rotate`, never flat.
 *
 * @example
 * ```ts
 * import { FLAT_ROTATION, refuseRenamed } from "./renamed_options.ts";
 * refuseRenamed("rotatingFileSink", { rotate: { maxBytes: 1e6 } }, FLAT_ROTATION); // passes
 * try { refuseRenamed("rotatingFileSink", { maxBytes: 1e6 }, FLAT_ROTATION); } catch (e) { (e as Error).message; } // "… use rotate: { maxBytes }"
 * ```
 */
export const FLAT_ROTATION: Readonly<Record<string, string>> = {
  maxBytes: "rotate: { maxBytes }",
  interval: "rotate: { interval }",
  maxFiles: "rotate: { maxFiles }",
  maxAgeMs: "rotate: { maxAgeMs }",
  compress: "rotate: { compress }",
};

/**
 * Throws a `TypeError` when `options` holds one of the old spellings in `renamed`, naming the
 * option and its new spelling; nothing is made, so nothing runs with an option ignored.
 *
 * @param where Who takes the options, for the message (`"createLogger"`, `"rotatingFileSink"`).
 * @param options The options given.
 * @param renamed Old name → how to write it now.
 * @example
 * ```ts
 * import { refuseRenamed } from "./renamed_options.ts";
 * try {
 *   refuseRenamed("fileSink", { interval: "daily" }, { interval: "rotate: { interval }" });
 * } catch (e) {
 *   (e as TypeError).message; // "sluice: fileSink's option interval was renamed; use rotate: { interval }"
 * }
 * ```
 */
export function refuseRenamed(where: string, options: object | undefined, renamed: Readonly<Record<string, string>>): void {
  for (const old in renamed) {
    if ((options as Record<string, unknown> | undefined)?.[old] !== undefined) {
      throw new TypeError(`sluice: ${where}'s option ${old} was renamed; use ${renamed[old]}`);
    }
  }
}
