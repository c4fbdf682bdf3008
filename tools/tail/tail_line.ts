/**
 * One line of a log file, read back for `sluice tail`: parsed, filtered, rendered.
 *
 * @module
 */
import { type LevelName, levelValue } from "../../lib/levels.ts";
import type { LogRecord } from "../../lib/record.ts";
import { toRecord } from "../../lib/format/ndjson_decode.ts";

/** Which records `sluice tail` shows. */
export interface TailFilter {
  /** Only records at this level or above. */
  level?: LevelName;
  /** Only this category and those under it (`http` matches `http` and `http.db`). */
  category?: string;
  /** Only records with this `producer`. */
  producer?: string;
}

/** A line read back: the record when the line is one, and the line as it was written. */
export interface TailLine {
  /** The record, or `undefined` for a line that is not one (shown as it is, unfiltered only). */
  record: LogRecord | undefined;
  /** The line, without its newline. */
  raw: string;
}

/**
 * Reads one line and applies the filter.
 *
 * @param raw The line, without its newline.
 * @param filter What to keep.
 * @returns The line, or `undefined` when the filter leaves it out.
 * @example
 * ```ts
 * import { readTailLine } from "./tail_line.ts";
 * readTailLine('{"time":"2026-01-01T00:00:00.000Z","level":"warn","msg":"slow"}', { level: "info" })?.record?.msg; // "slow"
 * ```
 */
export function readTailLine(raw: string, filter: TailFilter): TailLine | undefined {
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    value = undefined;
  }
  const r = value === undefined ? "not JSON" : toRecord(value, undefined, 0);
  const filtered = filter.level !== undefined || filter.category !== undefined || filter.producer !== undefined;
  if (typeof r === "string") return filtered ? undefined : { record: undefined, raw };
  if (filter.level !== undefined && levelValue(r.level) < levelValue(filter.level)) return undefined;
  const c = filter.category;
  if (c !== undefined && r.category !== c && !r.category?.startsWith(c + ".")) return undefined;
  if (filter.producer !== undefined && (value as { producer?: unknown }).producer !== filter.producer) return undefined;
  return { record: r, raw };
}
