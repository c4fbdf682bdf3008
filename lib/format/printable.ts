/**
 * Record text made safe to show on a terminal.
 *
 * @module
 */

/**
 * The characters {@linkcode printable} escapes, as a regular expression's class: C0 controls but
 * tab and newline, DEL, C1 controls, the bidirectional marks, overrides and isolates, the line
 * and paragraph separators, and the zero-width no-break space.
 *
 * @example
 * ```ts
 * import { CONTROL_CLASS } from "./printable.ts";
 * new RegExp(`[${CONTROL_CLASS}]`).test("\x1b[2K"); // true
 * ```
 */
export const CONTROL_CLASS = "\\x00-\\x08\\x0b-\\x1f\\x7f-\\x9f\\u061c\\u200e\\u200f\\u2028\\u2029\\u202a-\\u202e\\u2066-\\u2069\\ufeff";
const CONTROLS = new RegExp(`[${CONTROL_CLASS}]`, "g");

/**
 * `text` with its control characters written as `\uXXXX`: a record's sender could otherwise
 * move the cursor, rewrite or hide lines, set the terminal's title or clipboard (escape
 * sequences, `\r`), or reorder what is shown (bidirectional overrides) on the terminal of whoever
 * reads the logs. Tabs and newlines are kept.
 *
 * @param text A message, category, field name or value from a record.
 * @returns The text to print.
 * @example
 * ```ts
 * import { printable } from "./printable.ts";
 * printable("ok\x1b]52;c;aGk=\x07"); // "ok\\u001b]52;c;aGk=\\u0007"
 * ```
 */
export function printable(text: string): string {
  return text.replace(CONTROLS, (c) => "\\u" + c.charCodeAt(0).toString(16).padStart(4, "0"));
}
