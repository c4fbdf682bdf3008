/**
 * The errors sluice reports.
 *
 * @module
 */

/**
 * Why records were not written.
 *
 * @example
 * ```ts
 * log.stats().dropped["queue-full"]; // records a full queue dropped
 * ```
 */
export type LossReason = "queue-full" | "closed" | "sink-error" | "exit";

/**
 * Reported to `onError` when records were not written: how many, why, and in which sink.
 * Log calls never throw it; it only reaches `onError` and `stats()`.
 *
 * @example
 * ```ts
 * import { createLogger, streamSink } from "../mod.ts";
 * const log = createLogger({
 *   sinks: [streamSink(new WritableStream())],
 *   onError: (err) => { if (err instanceof LogLossError) console.warn(err.reason, err.records); },
 * });
 * ```
 */
export class LogLossError extends Error {
  /** Why the records were lost. */
  readonly reason: LossReason;
  /** The sink's name. */
  readonly sink: string;
  /** How many records. */
  readonly records: number;

  /**
   * @param reason Why.
   * @param sink The sink's name.
   * @param records How many records.
   * @param cause The underlying error, if any.
   */
  constructor(reason: LossReason, sink: string, records: number, cause?: unknown) {
    const detail = cause === undefined ? "" : `: ${(cause as Error)?.message ?? String(cause)}`;
    super(`sluice: ${records} record(s) not written to ${sink} (${reason})${detail}`, { cause });
    this.name = "LogLossError";
    this.reason = reason;
    this.sink = sink;
    this.records = records;
  }
}

/**
 * Thrown by `drained()` when a queue stays full past its timeout.
 *
 * @example
 * ```ts
 * import { DrainTimeoutError } from "./errors.ts";
 * try { await log.drained({ timeoutMs: 100 }); } catch (e) { if (e instanceof DrainTimeoutError) backOff(); }
 * ```
 */
export class DrainTimeoutError extends Error {
  /**
   * @param sink The sink whose queue stayed full.
   * @param queued Records waiting in it.
   * @param timeoutMs How long `drained()` waited.
   */
  constructor(sink: string, queued: number, timeoutMs: number) {
    super(`sluice: the queue of ${sink} still holds ${queued} records after ${timeoutMs} ms; its sink is not keeping up`);
    this.name = "DrainTimeoutError";
  }
}
