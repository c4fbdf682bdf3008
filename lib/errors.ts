/**
 * Every error class the library throws or reports, each with the fields a caller acts on, and
 * the two helpers that turn anything thrown into an `Error` or a message. The collector's
 * refusals (a body too large, too slow, undecodable; a disk that refuses) are in
 * collector/errors.ts.
 *
 * @module
 */

/**
 * Why records were not written.
 *
 * @example
 * ```ts
 * import { createLogger } from "../mod.ts";
 * const log = createLogger();
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
  declare readonly reason: LossReason;
  /** The sink's name. */
  declare readonly sink: string;
  /** How many records. */
  declare readonly records: number;

  /**
   * A loss report.
   *
   * @param reason Why.
   * @param sink The sink's name.
   * @param records How many records.
   * @param cause The underlying error, if any.
   */
  constructor(reason: LossReason, sink: string, records: number, cause?: unknown) {
    super(`sluice: ${records} record(s) not written to ${sink} (${reason})${cause === undefined ? "" : `: ${errorMessage(cause)}`}`, { cause });
    Object.assign(this, { name: "LogLossError", reason, sink, records });
  }
}

/**
 * Thrown by `drained()` when a queue stays full past its timeout.
 *
 * @example
 * ```ts
 * import { DrainTimeoutError } from "./errors.ts";
 * import { createLogger } from "../mod.ts";
 * const log = createLogger();
 * try { await log.drained({ timeoutMs: 100 }); } catch (e) { if (e instanceof DrainTimeoutError) console.warn("the sinks fall behind"); }
 * ```
 */
export class DrainTimeoutError extends Error {
  /** The sink whose queue stayed full. */
  declare readonly sink: string;
  /** Records waiting in it when `drained()` gave up. */
  declare readonly queued: number;
  /** How long `drained()` waited, in ms. */
  declare readonly timeoutMs: number;

  /**
   * A queue that stayed full.
   *
   * @param sink The sink whose queue stayed full.
   * @param queued Records waiting in it.
   * @param timeoutMs How long `drained()` waited.
   */
  constructor(sink: string, queued: number, timeoutMs: number) {
    super(`sluice: the queue of ${sink} still holds ${queued} records after ${timeoutMs} ms`);
    Object.assign(this, { name: "DrainTimeoutError", sink, queued, timeoutMs });
  }
}

/**
 * A batch httpSink could not deliver: refused by the collector, or still failing after its
 * last attempt. `status` is the last HTTP status, or undefined after a network error or timeout.
 *
 * @example
 * ```ts
 * import { HttpSendError } from "./errors.ts";
 * const err = new HttpSendError("refused", "http://127.0.0.1:8080/ingest", 10, 413, "HTTP 413 too large");
 * err.status; // 413
 * ```
 */
export class HttpSendError extends Error {
  /** "refused": the collector said no (not retried); "gave-up": attempts ran out. */
  declare readonly kind: "refused" | "gave-up";
  /** The URL the batch was sent to. */
  declare readonly target: string;
  /** Records in the batch. */
  declare readonly records: number;
  /** The last HTTP status, if there was an answer. */
  declare readonly status: number | undefined;
  /**
   * Some attempt met the collector away (network error, timeout, 408, 429, 502, 503, 504), so
   * the batch itself may be fine and is worth sending later; false when every answer was about it.
   */
  declare readonly away: boolean;

  /**
   * A batch not delivered.
   *
   * @param kind Refused, or gave up.
   * @param target The URL.
   * @param records Records in the batch.
   * @param status The last HTTP status, if any.
   * @param detail The last answer or network error, as text.
   * @param attempts How many attempts were made (for "gave-up").
   * @param away Whether some attempt met the collector away.
   */
  constructor(kind: "refused" | "gave-up", target: string, records: number, status: number | undefined, detail: string, attempts = 1, away = false) {
    super(kind === "refused"
      ? `sluice: ${target} refused a batch of ${records} records: ${detail}`
      : `sluice: gave up sending a batch of ${records} records to ${target} after ${attempts} attempts: ${detail}`);
    Object.assign(this, { name: "HttpSendError", kind, target, records, status, away });
  }
}

/**
 * A request answered with a status that is not 2xx where no batch of records is at stake (a
 * heartbeat, an alert message): the status and the start of the answer's body, as fields. It is
 * the `cause` of the report a caller's `onError` receives.
 *
 * @example
 * ```ts
 * import { HttpStatusError } from "./errors.ts";
 * const err = new HttpStatusError(429, "slow down");
 * [err.status, err.message]; // [429, "HTTP 429 slow down"]
 * ```
 */
export class HttpStatusError extends Error {
  /** The answer's HTTP status. */
  readonly status: number;
  /** The answer's body, cut to 200 characters. */
  readonly body: string;

  /**
   * A non-2xx answer.
   *
   * @param status The HTTP status.
   * @param body The answer's body (cut to 200 characters).
   */
  constructor(status: number, body: string) {
    const cut = body.slice(0, 200);
    super(`HTTP ${status} ${cut}`);
    this.name = "HttpStatusError";
    this.status = status;
    this.body = cut;
  }
}

/**
 * A frame that cannot be read: truncated, corrupt, of another version, or too large.
 *
 * @example
 * ```ts
 * import { decodeFrames } from "./format/frame.ts";
 * import { FrameError } from "./errors.ts";
 * try { decodeFrames(new Uint8Array([1, 2, 3])); } catch (err) { err instanceof FrameError; } // true
 * ```
 */
export class FrameError extends Error {
  /**
   * A frame that cannot be read.
   *
   * @param message What is wrong with the frame.
   */
  constructor(message: string) {
    super(`sluice frame: ${message}`);
    this.name = "FrameError";
  }
}

/**
 * A body with more lines (or array elements) than its budget allows; decoding stopped there.
 *
 * @example
 * ```ts
 * import { TooManyLinesError } from "./errors.ts";
 * new TooManyLinesError(10).maxLines; // 10
 * ```
 */
export class TooManyLinesError extends RangeError {
  /** The budget that was passed. */
  readonly maxLines: number;
  /** @param maxLines The budget. @param message What was past it, when not the records. */
  constructor(maxLines: number, message = `the body holds more than ${maxLines} records (--max-lines); send smaller batches`) {
    super(message);
    this.name = "TooManyLinesError";
    this.maxLines = maxLines;
  }
}

/**
 * Anything thrown, as an `Error`: errors as they are, anything else wrapped with its text. Never
 * throws (what cannot be read, a Proxy whose traps throw, is said to be so).
 *
 * @example
 * ```ts
 * import { toError } from "./errors.ts";
 * toError("disk full").message; // "disk full"
 * ```
 */
export function toError(err: unknown): Error {
  try {
    return err instanceof Error ? err : new Error(String(err));
  } catch {
    return new Error(UNREADABLE); // a thrown Proxy whose traps throw, an object String() refuses
  }
}

const UNREADABLE = "sluice: a thrown value that cannot be read";

/**
 * The message of anything thrown: an error's `message`, or the value as text. Never throws.
 *
 * @example
 * ```ts
 * import { errorMessage } from "./errors.ts";
 * errorMessage(new Error("EACCES")); // "EACCES"
 * errorMessage(42);                  // "42"
 * ```
 */
export function errorMessage(err: unknown): string {
  try {
    return String((err as Error)?.message ?? err);
  } catch {
    return UNREADABLE;
  }
}
