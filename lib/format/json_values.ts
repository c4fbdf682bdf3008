/**
 * A bound on what a JSON text parses into, checked before it is parsed.
 *
 * @module
 */
import { TooManyLinesError } from "../errors.ts";

/** The most objects and arrays a JSON body of `maxLines` records may hold: 16 a record. */
export const CONTAINERS_PER_RECORD = 16;

/**
 * Throws a {@linkcode TooManyLinesError} when `text` holds more than `maxLines` times
 * {@linkcode CONTAINERS_PER_RECORD} objects and arrays: `JSON.parse` makes an object of each, so
 * a body of 64 MiB of `[{},{},…]` would be tens of millions of them (gigabytes) before the
 * records could be counted. One pass over the text, strings skipped (linear whatever the text:
 * a string that never closes ends the pass), that stops at the bound; a text shorter than twice
 * the bound is not scanned (it cannot hold more).
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
  if (!(max < text.length / 2)) return;
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 34) {
      // a string: to its closing quote, a backslash's character skipped
      for (i++; i < text.length; i++) {
        const d = text.charCodeAt(i);
        if (d === 92) i++;
        else if (d === 34) break;
      }
    } else if ((c === 123 || c === 91) && ++n > max) {
      throw new TooManyLinesError(maxLines, `the body holds more than ${max} objects and arrays (${CONTAINERS_PER_RECORD} a record of --max-lines ${maxLines}) before it is parsed; send smaller batches`);
    }
  }
}
