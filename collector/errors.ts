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
