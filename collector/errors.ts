/**
 * The collector's errors: each is a refusal the collector answers with its own status (413,
 * 400, 408, 503), carrying the fields the answer and its metrics need. The library's errors
 * (including `TooManyLinesError`, which the NDJSON decoder throws) are in
 * lib/errors.ts.
 *
 * @module
 */
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
  readonly what: "body" | "decompressed body" | "the records it makes";
  /** The bytes allowed. */
  readonly limit: number;
  /** @param what Which bound. @param limit Bytes allowed. */
  constructor(what: "body" | "decompressed body" | "the records it makes", limit: number) {
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
 * A request body that arrives slower than `--min-body-rate` once its grace is over; the
 * collector answers 408 and closes the connection.
 *
 * @example
 * ```ts
 * import { BodyTooSlowError } from "./errors.ts";
 * new BodyTooSlowError(1024, 20, 5000).message; // "the body arrived at 4 bytes/s (20 bytes in 5000 ms), under the 1024 bytes/s required"
 * ```
 */
export class BodyTooSlowError extends BodyTimeoutError {
  /** The rate required, bytes a second. */
  readonly minBytesPerSec: number;
  /** @param minBytesPerSec The rate required. @param received Bytes received. @param elapsedMs Time since the read began. */
  constructor(minBytesPerSec: number, received: number, elapsedMs: number) {
    super(elapsedMs);
    this.message = `the body arrived at ${Math.floor((received * 1000) / elapsedMs)} bytes/s (${received} bytes in ${elapsedMs} ms), under the ${minBytesPerSec} bytes/s required`;
    this.name = "BodyTooSlowError";
    this.minBytesPerSec = minBytesPerSec;
  }
}

/**
 * The bytes requests hold at once (bodies buffered and inflated) would pass the collector's
 * memory budget, or the token's share of it; the collector answers 503 with Retry-After.
 *
 * @example
 * ```ts
 * import { MemoryBudgetError } from "./errors.ts";
 * new MemoryBudgetError("memory", 256 << 20).bound; // "memory"
 * ```
 */
export class MemoryBudgetError extends Error {
  /** Which bound: the whole collector's (`memory`) or one token's share (`token-memory`). */
  readonly bound: "memory" | "token-memory";
  /** @param bound Which bound. @param limit Its bytes. */
  constructor(bound: "memory" | "token-memory", limit: number) {
    super(bound === "memory"
      ? `the collector holds as many request bytes as it may (--max-memory-bytes ${limit}); retry shortly`
      : `this token's requests hold as many bytes as one token may (${limit}, half of --max-memory-bytes); retry shortly`);
    this.name = "MemoryBudgetError";
    this.bound = bound;
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
 * new DiskWriteError("ENOSPC: no space left on device", { cause: new Error("ENOSPC") }).cause;
 * ```
 */
export class DiskWriteError extends Error {
  /** @param message Why the disk refused. @param options The OS's error as `cause`. */
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "DiskWriteError";
  }
}
