/**
 * One top-level field of a record, read from its JSON text without parsing the whole record.
 *
 * @module
 */
import type { LogRecord } from "./record.ts";

const QUOTE = 34, BACKSLASH = 92, COMMA = 44;

/** True when `at` in `json` is outside any string and at the record's own level, scanning from `from` (a comma at that level). */
function topLevel(json: string, from: number, at: number): boolean {
  let depth = 0;
  for (let i = from; i < at; i++) {
    const c = json.charCodeAt(i);
    if (c === QUOTE) {
      for (i++; i < at && json.charCodeAt(i) !== QUOTE; i++) if (json.charCodeAt(i) === BACKSLASH) i++;
      if (i >= at) return false; // `at` is inside a string
    } else if (c === 123 || c === 91) depth++;
    else if (c === 125 || c === 93) depth--;
  }
  return depth === 0;
}

/**
 * The value of a record's top-level field `name` as text: a string as it is, any other value as
 * its JSON; `undefined` when the record has no such field at its top level or it is `null`.
 * When the name occurs twice (a binding and a field), the last wins, as with `JSON.parse`. A
 * string without escapes is cut out of the record's JSON; anything else is parsed, the value
 * alone where it can be.
 *
 * @param record The record.
 * @param name The field's name.
 * @param quoted `name` as JSON followed by `:` (pass it when reading the same field of many records).
 * @returns The value's text, or `undefined`.
 * @example
 * ```ts
 * import { recordField } from "./record_field.ts";
 * import { createRecord } from "./record.ts";
 * const r = createRecord(0, "info", undefined, "req", ',"trace_id":"4bf9","n":{"trace_id":"x"}}');
 * recordField(r, "trace_id"); // "4bf9"
 * recordField(r, "n"); // '{"trace_id":"x"}'
 * ```
 */
export function recordField(record: LogRecord, name: string, quoted: string = JSON.stringify(name) + ":"): string | undefined {
  const { json, fieldsAt } = record;
  // the last top-level occurrence wins, as with JSON.parse (a binding and a field may share a name)
  let found = -1;
  for (let at = json.indexOf(quoted, fieldsAt); at !== -1; at = json.indexOf(quoted, at + 1)) {
    if (json.charCodeAt(at - 1) === COMMA && topLevel(json, fieldsAt, at)) found = at;
  }
  if (found !== -1) {
    const v = found + quoted.length;
    if (json.charCodeAt(v) === QUOTE) {
      let end = v + 1, escaped = false;
      for (; json.charCodeAt(end) !== QUOTE; end++) {
        if (json.charCodeAt(end) === BACKSLASH) (escaped = true), end++;
      }
      return escaped ? JSON.parse(json.slice(v, end + 1)) : json.slice(v + 1, end);
    }
    const c = json.charCodeAt(v);
    if (c !== 123 && c !== 91) { // not an object or an array (those are parsed with the record, below)
      let end = v;
      while (end < json.length && json.charCodeAt(end) !== COMMA && json.charCodeAt(end) !== 125) end++;
      const value = JSON.parse(json.slice(v, end));
      return value === null ? undefined : JSON.stringify(value);
    }
  }
  if (!json.includes(quoted, fieldsAt)) return undefined;
  const value = (JSON.parse(json) as Record<string, unknown>)[name];
  return value === undefined || value === null ? undefined : typeof value === "string" ? value : JSON.stringify(value);
}
