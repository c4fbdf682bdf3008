/**
 * The mapping from a category to a file name.
 *
 * @module
 */
import { attempt } from "../read_value.ts";

const SAFE = /^[A-Za-z0-9_.-]$/;
const MAX = 120;
/** What rotation appends to a stem (rotation_names.ts): `.` and an ISO time with `-` for `:` and `.`. */
const ROTATION_SUFFIX = /\.(\d{4}-\d\d-\d\dT\d\d-\d\d-\d\d-\d{3}Z)$/;

/**
 * Maps a category to a safe file name stem. Letters, digits, `_`, `-` and `.` stay; every
 * other character (`/`, `\`, `:`, spaces, control characters, non-ASCII) becomes `%` and the
 * hex of its UTF-8 bytes, as in a URL; a leading `.` becomes `%2E`, so no name is hidden,
 * `.` or `..`; the `.` before a trailing rotation stamp (`http.2026-12-06T10-00-00-000Z`) becomes
 * `%2E` too, so no category's file has the name of a file rotated from another's (whose retention
 * would delete it, and whose search would be misled by its time). Names longer than 120 characters are cut to 100 and end in `~` and a hash of
 * the whole category. No category is an absolute path or reaches outside the directory. An
 * absent or empty category maps to `default`; one that is not a string (a record given to
 * `emit()` from JavaScript) is named by its text.
 *
 * @param category The record's category.
 * @returns The file name stem.
 * @example
 * ```ts
 * import { categoryFileName } from "./category_name.ts";
 * categoryFileName("http.db");    // "http.db"
 * categoryFileName("../../etc");  // "%2E%2E%2F.%2E%2Fetc"
 * ```
 */
export function categoryFileName(category: string | undefined): string {
  // a record made elsewhere (emit()) may carry another type: named by its text, so one such
  // record cannot make its batch fail for the others
  if (category !== undefined && typeof category !== "string") category = attempt(() => String(category)) as string;
  if (category === undefined || category === "") return "default";
  let out = "";
  for (const ch of category) {
    if (SAFE.test(ch)) out += ch;
    else for (const b of new TextEncoder().encode(ch)) out += "%" + b.toString(16).toUpperCase().padStart(2, "0");
  }
  out = out.replace(/\./g, (dot, i: number) => (i === 0 || out[i - 1] === "." ? "%2E" : dot));
  out = out.replace(ROTATION_SUFFIX, "%2E$1");
  if (out.length > MAX) out = out.slice(0, 100) + "~" + fnv1a(category);
  return out;
}

function fnv1a(s: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h.toString(16).padStart(8, "0");
}
