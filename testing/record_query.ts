/**
 * What `assertLogged` looks for: a query on a record's level, message, category and fields, how
 * close a record comes to it, and the text a failed assertion prints.
 *
 * @module
 */
import { LEVEL_NAMES, type LevelName } from "../lib/levels.ts";
import type { LogRecord } from "../lib/record.ts";

/**
 * A record the test logger kept: the logger's own record (`time` in ms, `level`, `category`,
 * `msg`, `json`: the line as a sink gets it) and `fields`, its bindings and fields as written
 * (redacted, serialized: an `Error` is `{ name, message, stack }`, a `Date` its ISO string).
 *
 * @example
 * ```ts
 * import { createTestLogger } from "../testing.ts";
 * const log = createTestLogger();
 * log.info("hi", { n: 1 });
 * log.records[0].fields; // { n: 1 }
 * ```
 */
export interface TestRecord extends LogRecord {
  /** Bindings and fields, as written. */
  readonly fields: Record<string, unknown>;
}

/**
 * What a record must have; every given key must match.
 *
 * @example
 * ```ts
 * import type { RecordQuery } from "../testing.ts";
 * const q: RecordQuery = { level: "warn", msg: /timeout/, category: "http", fields: { status: 504 } };
 * ```
 */
export interface RecordQuery {
  /** The record's level, exactly. */
  level?: LevelName;
  /** The whole message, or a pattern it matches. */
  msg?: string | RegExp;
  /** The record's category, exactly (`undefined` never matches a query's category). */
  category?: string;
  /**
   * Fields the record has: each value equals the written one; a `RegExp` matches a string;
   * an object matches an object that has at least its keys (recursively); an array matches an
   * array of the same length element by element.
   */
  fields?: Record<string, unknown>;
}

const KEYS = ["level", "msg", "category", "fields"];

/** Throws a `TypeError` naming what is wrong with a query (a typo must not match everything). */
export function checkQuery(query: RecordQuery): void {
  if (query === null || typeof query !== "object") throw new TypeError(`sluice/testing: a query is an object such as { level: "warn", msg: /timeout/ }, got ${String(query)}`);
  const unknown = Object.keys(query).filter((k) => !KEYS.includes(k));
  if (unknown.length) throw new TypeError(`sluice/testing: unknown query key ${JSON.stringify(unknown[0])}; a query has ${KEYS.join(", ")}`);
  if (query.level !== undefined && !LEVEL_NAMES.includes(query.level)) {
    throw new TypeError(`sluice/testing: unknown level ${JSON.stringify(query.level)} in a query`);
  }
  if (query.fields !== undefined && (query.fields === null || typeof query.fields !== "object")) throw new TypeError("sluice/testing: a query's fields is an object");
}

/**
 * How `record` differs from `query`: one line per criterion it misses (empty when it matches),
 * so `[]` is a match and the shortest list is the closest record.
 */
export function differences(record: TestRecord, query: RecordQuery): string[] {
  const out: string[] = [];
  if (query.level !== undefined && record.level !== query.level) out.push(`level is ${record.level}, not ${query.level}`);
  if (query.msg !== undefined && !(query.msg instanceof RegExp ? test(query.msg, record.msg) : record.msg === query.msg)) {
    out.push(`msg is ${JSON.stringify(record.msg)}, not ${show(query.msg)}`);
  }
  if (query.category !== undefined && record.category !== query.category) out.push(`category is ${show(record.category)}, not ${JSON.stringify(query.category)}`);
  for (const [key, want] of Object.entries(query.fields ?? {})) valueDifferences(record.fields, key, want, `fields.${key}`, out);
  return out;
}

function valueDifferences(holder: Record<string, unknown>, key: string, want: unknown, path: string, out: string[]): void {
  if (!Object.hasOwn(holder, key)) {
    out.push(`${path} is missing`);
    return;
  }
  const got = holder[key];
  if (want instanceof RegExp) {
    if (typeof got !== "string" || !test(want, got)) out.push(`${path} is ${show(got)}, not a string matching ${show(want)}`);
  } else if (Array.isArray(want)) {
    if (!Array.isArray(got) || got.length !== want.length) out.push(`${path} is ${show(got)}, not an array of ${want.length}`);
    else want.forEach((w, i) => valueDifferences(got as unknown as Record<string, unknown>, String(i), w, `${path}[${i}]`, out));
  } else if (want !== null && typeof want === "object") {
    if (got === null || typeof got !== "object" || Array.isArray(got)) out.push(`${path} is ${show(got)}, not an object`);
    else for (const [k, w] of Object.entries(want)) valueDifferences(got as Record<string, unknown>, k, w, `${path}.${k}`, out);
  } else if (!Object.is(got, want)) out.push(`${path} is ${show(got)}, not ${show(want)}`);
}

/** A RegExp's test from its start, whatever its `g`/`y` flags left in `lastIndex`. */
function test(re: RegExp, text: string): boolean {
  re.lastIndex = 0;
  return re.test(text);
}

/** A value as a failure message shows it: JSON, a RegExp as `/…/`, cut at 200 characters. */
export function show(value: unknown): string {
  let text: string;
  if (value instanceof RegExp) text = String(value);
  else if (value === undefined) text = "undefined";
  else {
    try {
      text = JSON.stringify(value, (_k, v) => (v instanceof RegExp ? String(v) : typeof v === "bigint" ? `${v}n` : v)) ?? String(value);
    } catch {
      text = String(value);
    }
  }
  return text.length > 200 ? text.slice(0, 199) + "…" : text;
}

/** A query as a failure message names it: `{ level: "warn", msg: /timeout/ }`. */
export function describeQuery(query: RecordQuery): string {
  const parts = Object.entries(query).filter(([, v]) => v !== undefined).map(([k, v]) => `${k}: ${show(v)}`);
  return `{ ${parts.join(", ")} }`;
}
