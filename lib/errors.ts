/**
 * Every error class sluice throws or reports, the library's and the collector's, each with the
 * fields a caller acts on, and the two helpers that turn anything thrown into an `Error` or a
 * message.
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
  readonly reason: LossReason;
  /** The sink's name. */
  readonly sink: string;
  /** How many records. */
  readonly records: number;

  /**
   * A loss report.
   *
   * @param reason Why.
   * @param sink The sink's name.
   * @param records How many records.
   * @param cause The underlying error, if any.
   */
  constructor(reason: LossReason, sink: string, records: number, cause?: unknown) {
    const detail = cause === undefined ? "" : `: ${errorMessage(cause)}`;
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
 * import { createLogger } from "../mod.ts";
 * const log = createLogger();
 * try { await log.drained({ timeoutMs: 100 }); } catch (e) { if (e instanceof DrainTimeoutError) console.warn("the sinks fall behind"); }
 * ```
 */
export class DrainTimeoutError extends Error {
  /** The sink whose queue stayed full. */
  readonly sink: string;
  /** Records waiting in it when `drained()` gave up. */
  readonly queued: number;
  /** How long `drained()` waited, in ms. */
  readonly timeoutMs: number;

  /**
   * A queue that stayed full.
   *
   * @param sink The sink whose queue stayed full.
   * @param queued Records waiting in it.
   * @param timeoutMs How long `drained()` waited.
   */
  constructor(sink: string, queued: number, timeoutMs: number) {
    super(`sluice: the queue of ${sink} still holds ${queued} records after ${timeoutMs} ms; its sink is not keeping up`);
    this.name = "DrainTimeoutError";
    this.sink = sink;
    this.queued = queued;
    this.timeoutMs = timeoutMs;
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
  readonly kind: "refused" | "gave-up";
  /** The URL the batch was sent to. */
  readonly target: string;
  /** Records in the batch. */
  readonly records: number;
  /** The last HTTP status, if there was an answer. */
  readonly status: number | undefined;
  /**
   * Some attempt met the collector away (network error, timeout, 408, 429, 502, 503, 504), so
   * the batch itself may be fine and is worth sending later; false when every answer was about it.
   */
  readonly away: boolean;

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
    this.name = "HttpSendError";
    this.kind = kind;
    this.target = target;
    this.records = records;
    this.status = status;
    this.away = away;
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
  /** @param maxLines The budget. */
  constructor(maxLines: number) {
    super(`the body holds more than ${maxLines} records (--max-lines); send smaller batches`);
    this.name = "TooManyLinesError";
    this.maxLines = maxLines;
  }
}

/**
 * A request body larger than allowed, on the wire or once decompressed; the collector answers 413.
 *
 * @example
 * ```ts
 * import { BodyTooLargeError } from "./errors.ts";
 * const err = new BodyTooLargeError("decompressed body", 64 << 20);
 * [err.what, err.limit]; // ["decompressed body", 67108864]
 * ```
 */
export class BodyTooLargeError extends Error {
  /** Which bound was passed. */
  readonly what: "body" | "decompressed body";
  /** The bytes allowed. */
  readonly limit: number;
  /** @param what Which bound. @param limit Bytes allowed. */
  constructor(what: "body" | "decompressed body", limit: number) {
    super(`${what} is larger than ${limit} bytes`);
    this.name = "BodyTooLargeError";
    this.what = what;
    this.limit = limit;
  }
}

/**
 * A request body that cannot be decoded (an unknown encoding, bad gzip, invalid UTF-8); the
 * collector answers 400.
 *
 * @example
 * ```ts
 * import { BadBodyError } from "./errors.ts";
 * new BadBodyError("body is not valid UTF-8").message; // "body is not valid UTF-8"
 * ```
 */
export class BadBodyError extends Error {
  /** @param message What is wrong. */
  constructor(message: string) {
    super(message);
    this.name = "BadBodyError";
  }
}

/**
 * A request body that did not arrive in time; the collector answers 408.
 *
 * @example
 * ```ts
 * import { BodyTimeoutError } from "./errors.ts";
 * new BodyTimeoutError(30000).timeoutMs; // 30000
 * ```
 */
export class BodyTimeoutError extends Error {
  /** The time allowed, in ms. */
  readonly timeoutMs: number;
  /** @param timeoutMs The time allowed, in ms. */
  constructor(timeoutMs: number) {
    super(`the body did not arrive within ${timeoutMs} ms`);
    this.name = "BodyTimeoutError";
    this.timeoutMs = timeoutMs;
  }
}

/**
 * Bytes that are not a well-formed protobuf message; the collector answers 400 (the exporter
 * must not send the same bytes again).
 *
 * @example
 * ```ts
 * import { ProtoError } from "./errors.ts";
 * new ProtoError("varint longer than 10 bytes at byte 3").message; // "invalid protobuf: varint longer than 10 bytes at byte 3"
 * ```
 */
export class ProtoError extends Error {
  /** @param message What is wrong, and where. */
  constructor(message: string) {
    super(`invalid protobuf: ${message}`);
    this.name = "ProtoError";
  }
}

/**
 * The collector's disk refused a write (full, read-only, gone); nothing of the request is on
 * disk, and the collector answers 503 with Retry-After. `cause` is the OS's error.
 *
 * @example
 * ```ts
 * import { DiskWriteError } from "./errors.ts";
 * new DiskWriteError("ENOSPC: no space left on device", { cause: err });
 * ```
 */
export class DiskWriteError extends Error {
  /** @param message Why the disk refused. @param options The OS's error as `cause`. */
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "DiskWriteError";
  }
}

/**
 * Anything thrown, as an `Error`: errors as they are, anything else wrapped with its text.
 *
 * @example
 * ```ts
 * import { toError } from "./errors.ts";
 * toError("disk full").message; // "disk full"
 * ```
 */
export function toError(err: unknown): Error {
  return err instanceof Error ? err : new Error(String(err));
}

/**
 * The message of anything thrown: an error's `message`, or the value as text.
 *
 * @example
 * ```ts
 * import { errorMessage } from "./errors.ts";
 * errorMessage(new Error("EACCES")); // "EACCES"
 * errorMessage(42);                  // "42"
 * ```
 */
export function errorMessage(err: unknown): string {
  return String((err as Error)?.message ?? err);
}
