/**
 * The human-readable summary of a load run.
 *
 * @module
 */
import type { LoadReport } from "./run_load.ts";

/**
 * Formats a load report for a terminal.
 *
 * @param r The report.
 * @param bytes Bytes on disk after the run, when known.
 * @returns Lines of text.
 * @example
 * ```ts
 * import { formatLoadReport } from "./report.ts";
 * console.log(formatLoadReport(report, 1_234_567));
 * ```
 */
export function formatLoadReport(r: LoadReport, bytes?: number): string {
  const l = r.flushLatencyMs;
  const w = r.writeLatencyMs;
  const drops = Object.entries(r.dropped).map(([k, n]) => `${k} ${n}`).join(", ") || "none";
  return [
    `sluice load: ${r.durationS} s`,
    ...Object.entries(r.events).map(([e, { rate, records }]) => `  ${e.padEnd(12)} ${String(rate).padStart(8)} rec/s asked  ${String(records).padStart(10)} records`),
    `  written        ${r.written} records, ${r.recordsPerSec} records/s${bytes === undefined ? "" : `, ${(bytes / 1048576).toFixed(1)} MiB on disk`}`,
    `  flush latency  avg ${l.avg} ms  p50 ${l.p50}  p95 ${l.p95}  p99 ${l.p99}  max ${l.max}  (${l.count} flushes, one each 100 ms)`,
    `  batch writes   avg ${w.avg} ms  p50 ${w.p50}  p95 ${w.p95}  p99 ${w.p99}  max ${w.max}  (${w.count} batches)`,
    `  drops          ${drops}`,
    `  errors         ${r.errors}`,
    ...(r.peakRssMb === undefined ? [] : [`  peak RSS       ${r.peakRssMb} MB`]),
  ].join("\n");
}
