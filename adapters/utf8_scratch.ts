/**
 * Text as UTF-8 in one scratch array shared by the file drivers.
 *
 * @module
 */

const utf8 = new TextEncoder();
/** The scratch array's bound: a longer text gets an array of its own, so one huge write does not hold its size for good. */
const MAX_SCRATCH = 4 << 20;
let scratch = new Uint8Array(1 << 16);

/**
 * `data` as UTF-8: bytes as they are, text encoded into one scratch array shared by every file
 * driver (their writes are synchronous and done with the bytes before the next), so no write
 * makes a new array, and a driver counts what it wrote in bytes: a short write of text is never
 * taken for a whole one because it is as long as the text's UTF-16 units. The result is valid
 * until the next call. A text that could take more than 4 MiB is encoded into an array of its own.
 *
 * @param data Text or bytes.
 * @returns The bytes.
 * @example
 * ```ts
 * import { utf8Scratch } from "./utf8_scratch.ts";
 * utf8Scratch("é").length; // 2
 * ```
 */
export function utf8Scratch(data: string | Uint8Array): Uint8Array {
  if (typeof data !== "string") return data;
  // UTF-8 takes at most 3 bytes per UTF-16 unit
  if (data.length * 3 > MAX_SCRATCH) return utf8.encode(data);
  if (scratch.length < data.length * 3) scratch = new Uint8Array(Math.min(MAX_SCRATCH, Math.max(data.length * 3, scratch.length * 2)));
  return scratch.subarray(0, utf8.encodeInto(data, scratch).written);
}
