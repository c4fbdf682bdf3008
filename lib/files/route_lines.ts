/**
 * Records split into one text per category file.
 *
 * @module
 */
import type { Formatter } from "../format/formatter.ts";
import type { LogRecord } from "../record.ts";
import type { RoutedBatch } from "./write_buffers.ts";

/**
 * Formats records and groups the lines by file key (`keyOf(category)`), in order within each
 * file: `[key, text, records, holds an error or fatal record]` per file. What
 * `categoryFileSink` buffers and the collector appends.
 *
 * @param records The records.
 * @param format The line format (without the newline, which is added).
 * @param keyOf The file key of a category.
 * @returns One entry per file.
 * @example
 * ```ts
 * import { routeLines } from "./route_lines.ts";
 * routeLines(records, formatNdjson, categoryFileName); // [["billing", '{"msg":"a",...}\n', 1, false], ...]
 * ```
 */
export function routeLines(records: readonly LogRecord[], format: Formatter, keyOf: (category: string | undefined) => string): RoutedBatch {
  const texts = new Map<string, { text: string; records: number; urgent: boolean }>();
  for (const r of records) {
    const key = keyOf(r.category);
    const b = texts.get(key);
    const urgent = r.level === "error" || r.level === "fatal";
    if (b === undefined) texts.set(key, { text: format(r) + "\n", records: 1, urgent });
    else {
      // two appends, as formatLines makes its text
      b.text += format(r);
      b.text += "\n";
      b.records++;
      b.urgent ||= urgent;
    }
  }
  const routed: RoutedBatch = [];
  for (const [k, b] of texts) {
    b.text.charCodeAt(0); // flatten the rope now, while its pieces are young
    routed.push([k, b.text, b.records, b.urgent]);
  }
  return routed;
}
