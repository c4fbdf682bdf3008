/**
 * A bound on what a JSON text parses into, checked before it is parsed.
 *
 * @module
 */
import { TooManyLinesError } from "../errors.ts";

/** Strings (skipped whole, escapes and all) and the characters that open an object or array. */
const CONTAINERS = /"[^"\\]*(?:\\.[^"\\]*)*"|[{[]/g;

/** The most objects and arrays a JSON body of `maxLines` records may hold: 16 a record. */
export const CONTAINERS_PER_RECORD = 16;

/**
 * Throws a {@linkcode TooManyLinesError} when `text` holds more than `maxLines` times
 * {@linkcode CONTAINERS_PER_RECORD} objects and arrays: `JSON.parse` makes an object of each, so
 * a body of 64 MiB of `[{},{},…]` would be tens of millions of them (gigabytes) before the
 * records could be counted. A scan of the text, strings skipped, that stops at the bound; a text
 * shorter than twice the bound is not scanned (it cannot hold more).
 *
 * @param text A JSON text (a body).
 * @param maxLines The records the body may hold.
 * @example
 * ```ts
 * import { boundJsonValues } from "./json_values.ts";
 * boundJsonValues('[{"a":[1]},{}]', 10); // fine: 4 objects and arrays
 * ```
 */
export function boundJsonValues(text: string, maxLines: number): void {
  const max = maxLines * CONTAINERS_PER_RECORD;
  // each takes two characters at least (`{}`): a text that short cannot hold more (most bodies)
  if (!(max < text.length / 2)) return;
  let n = 0;
  CONTAINERS.lastIndex = 0;
  for (let m = CONTAINERS.exec(text); m !== null; m = CONTAINERS.exec(text)) {
    if (m[0].length === 1 && ++n > max) throw new TooManyLinesError(maxLines);
  }
}
