/**
 * The live line `sluice load` shows on a terminal while it runs.
 *
 * @module
 */
import type { LoggerStats } from "../../lib/logger_stats.ts";

/**
 * One progress line: elapsed time, records/s so far, written, drops and the flush p99.
 *
 * @param elapsedMs Time since the run began.
 * @param durationMs The run's length.
 * @param stats The logger's stats now.
 * @returns The line, without a newline.
 * @example
 * ```ts
 * import { progressLine } from "./progress.ts";
 * progressLine(2000, 30000, log.stats()); // "sluice load  2.0/30 s  10500 rec/s  written 21000  drops 0  flush p99 0.4 ms"
 * ```
 */
export function progressLine(elapsedMs: number, durationMs: number, stats: LoggerStats): string {
  const drops = Object.values(stats.dropped).reduce((n, d) => n + d, 0);
  const rate = elapsedMs > 0 ? Math.round(stats.written / (elapsedMs / 1000)) : 0;
  return `sluice load  ${(elapsedMs / 1000).toFixed(1)}/${durationMs / 1000} s  ${rate} rec/s  written ${stats.written}  drops ${drops}  flush p99 ${stats.flushLatencyMs.p99} ms`;
}

/**
 * Shows {@linkcode progressLine} in place (carriage return, clear to end of line) every
 * `everyMs` until the returned function is called, which clears the line.
 *
 * @example
 * ```ts
 * import { showProgress } from "./progress.ts";
 * const stop = showProgress((s) => process.stdout.write(s), 30_000, () => log.stats());
 * stop();
 * ```
 */
export function showProgress(write: (text: string) => void, durationMs: number, stats: () => LoggerStats, everyMs = 250): () => void {
  const started = performance.now();
  const timer = setInterval(() => write("\r" + progressLine(performance.now() - started, durationMs, stats()) + "\x1b[K"), everyMs);
  return () => {
    clearInterval(timer);
    write("\r\x1b[K");
  };
}
