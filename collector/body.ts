/**
 * Reading request bodies within limits, before and after decompression.
 *
 * @module
 */
import { errorMessage } from "../lib/errors.ts";
import { BadBodyError, BodyTimeoutError, BodyTooLargeError, BodyTooSlowError, MemoryBudgetError } from "./errors.ts";

const utf8 = new TextDecoder("utf-8", { fatal: true });

/** Gzip inflates at most about 1032 to 1. */
const MAX_INFLATE_RATIO = 1032;
/** The slices inflation is fed (see {@linkcode slices}). */
const SLICE_BYTES = 4096;

/** Requests whose body was read to its end: an answer to any other request with a body closes the connection. */
const readWhole = new WeakSet<Request>();

/**
 * Where the bytes a body holds are reserved before they are kept (the collector's memory
 * budget): `take` throws when they do not fit.
 *
 * @example
 * ```ts
 * const hold: BodyHold = { take(n) { if (n > 1024) throw new RangeError("no room"); } };
 * ```
 */
export interface BodyHold {
  /** Reserves `n` more bytes, or throws. */
  take(n: number): void;
}

/**
 * How {@linkcode readLimited} bounds a read besides its byte limit.
 *
 * @example
 * ```ts
 * const bounds: ReadBounds = { timeoutMs: 30_000, minBytesPerSec: 1024, graceMs: 5000 };
 * ```
 */
export interface ReadBounds {
  /** Time allowed for the whole stream, in ms; no limit when absent. */
  timeoutMs?: number;
  /** Past `graceMs`, the bytes read must average at least this many a second since the read began. */
  minBytesPerSec?: number;
  /** When the rate starts being checked, ms. @default 0 */
  graceMs?: number;
  /** The length the sender declared, when it did: reserved at once, and read into one array of that size (up to 1 MiB). */
  expected?: number;
  /** Where the bytes kept are reserved before they are kept. */
  hold?: BodyHold;
  /**
   * How a refused read tells its source to stop. @default cancelling the stream (which tells
   * the connection). An inflater's output is not cancelled (Node 20's DecompressionStream
   * throws an uncaught error, and the process exits, when its gunzip emits into a cancelled
   * stream); its input is ended instead.
   */
  stop?: () => void;
}

/**
 * Reads a stream to the end, failing as soon as it passes `limit` bytes (the rest is not read),
 * or, with `bounds`, when it has not ended in time or arrives slower than the rate asked for
 * past its grace (the stream is then cancelled), or when `bounds.hold` has no room for it.
 *
 * @param stream The bytes.
 * @param limit Bytes allowed.
 * @param what Named in the error.
 * @param bounds Time, rate, declared length, memory.
 * @returns The bytes; throws {@linkcode BodyTooLargeError}, {@linkcode BodyTimeoutError} or {@linkcode BodyTooSlowError}, or what `hold.take` throws.
 * @example
 * ```ts
 * import { readLimited } from "./body.ts";
 * const bytes = await readLimited(req.body!, 8 << 20, "body");
 * ```
 */
export async function readLimited(stream: ReadableStream<Uint8Array>, limit: number, what: "body" | "decompressed body", bounds: ReadBounds = {}): Promise<Uint8Array> {
  const { timeoutMs, minBytesPerSec = 0, graceMs = 0, expected = -1, hold } = bounds;
  const reader = stream.getReader();
  const refuse = bounds.stop ?? (() => void reader.cancel().catch(() => {}));
  // a declared length is reserved before anything is read; more is reserved as it comes
  let reserved = expected >= 0 && expected <= limit ? expected : 0;
  try {
    hold?.take(reserved);
  } catch (err) {
    refuse();
    throw err;
  }
  // with a declared length (up to 1 MiB: nothing larger is set aside before it arrives) the
  // bytes go straight into one array; otherwise they are gathered
  let whole = expected >= 0 && expected <= Math.min(limit, 1 << 20) ? new Uint8Array(expected) : undefined;
  const parts: Uint8Array[] = [];
  let size = 0;
  let late: Error | undefined;
  // one timer checks the deadline and, past the grace, the rate; cancelling the reader ends a
  // read that is waiting, and tells the source (the connection)
  const started = Date.now();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const check = () => {
    const elapsed = Date.now() - started;
    if (timeoutMs !== undefined && elapsed >= timeoutMs) late = new BodyTimeoutError(timeoutMs);
    else if (minBytesPerSec > 0 && elapsed >= graceMs && size < (minBytesPerSec * elapsed) / 1000) late = new BodyTooSlowError(minBytesPerSec, size, elapsed);
    else return void (timer = setTimeout(check, nextCheck(elapsed, timeoutMs, minBytesPerSec > 0 ? graceMs : undefined)));
    reader.cancel().catch(() => {});
  };
  if (timeoutMs !== undefined || minBytesPerSec > 0) timer = setTimeout(check, nextCheck(0, timeoutMs, minBytesPerSec > 0 ? graceMs : undefined));
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (late) throw late;
      if (done) break;
      if (size + value.length > limit) {
        refuse();
        throw new BodyTooLargeError(what, limit);
      }
      if (hold !== undefined && size + value.length > reserved) {
        try {
          hold.take(size + value.length - reserved);
        } catch (err) {
          refuse();
          throw err;
        }
        reserved = size + value.length;
      }
      if (whole !== undefined && size + value.length <= whole.length) whole.set(value, size);
      else {
        if (whole !== undefined) parts.push(whole.subarray(0, size)); // more than declared: gather from here
        whole = undefined;
        parts.push(value);
      }
      size += value.length;
    }
  } finally {
    clearTimeout(timer);
  }
  if (whole !== undefined) return size === whole.length ? whole : whole.subarray(0, size);
  if (parts.length === 1) return parts[0];
  hold?.take(size); // the copy, while the parts are still held
  const out = new Uint8Array(size);
  let off = 0;
  for (const p of parts) {
    out.set(p, off);
    off += p.length;
  }
  return out;
}

/** When the next check of a read's deadline and rate is due, ms from now: at the grace, then every second, never past the deadline. */
function nextCheck(elapsed: number, timeoutMs: number | undefined, graceMs: number | undefined): number {
  let next = graceMs === undefined ? Infinity : elapsed < graceMs ? graceMs - elapsed : 1000;
  if (timeoutMs !== undefined) next = Math.min(next, timeoutMs - elapsed);
  return Math.max(1, next);
}

/** Limits of {@linkcode readBodyBytes}. */
export interface BodyLimits {
  /** Bytes on the wire. */
  maxBodyBytes: number;
  /** Bytes after decompression. */
  maxDecompressedBytes: number;
  /** Time allowed for the whole body to arrive, in ms (a client that stalls is answered 408). @default no limit */
  bodyTimeoutMs?: number;
  /** Past `bodyGraceMs`, a body must have averaged this many bytes a second (a client that trickles is answered 408). @default no limit */
  minBodyBytesPerSec?: number;
  /** Time before the rate is checked, ms. @default 0 */
  bodyGraceMs?: number;
}

/**
 * A request's body as bytes: limited on the wire, gunzipped when `Content-Encoding: gzip`
 * (limited again after); with `hold`, every byte kept (on the wire and inflated) is reserved
 * there first.
 *
 * @param req The request.
 * @param limits Byte, time and rate limits.
 * @param hold Where the bytes are reserved.
 * @returns The bytes; throws {@linkcode BodyTooLargeError}, {@linkcode BadBodyError}, {@linkcode BodyTimeoutError}, or what `hold.take` throws.
 * @example
 * ```ts
 * import { readBodyBytes } from "./body.ts";
 * const bytes = await readBodyBytes(req, { maxBodyBytes: 8 << 20, maxDecompressedBytes: 64 << 20 });
 * ```
 */
export async function readBodyBytes(req: Request, limits: BodyLimits, hold?: BodyHold): Promise<Uint8Array> {
  const declared = Number(req.headers.get("content-length") ?? NaN);
  if (declared > limits.maxBodyBytes) throw new BodyTooLargeError("body", limits.maxBodyBytes);
  if (req.body === null) return new Uint8Array(0);
  const raw = await readLimited(req.body, limits.maxBodyBytes, "body", {
    timeoutMs: limits.bodyTimeoutMs,
    minBytesPerSec: limits.minBodyBytesPerSec,
    graceMs: limits.bodyGraceMs,
    expected: declared >= 0 ? declared : -1,
    hold,
  });
  readWhole.add(req);
  const encoding = (req.headers.get("content-encoding") ?? "identity").toLowerCase().trim();
  if (encoding === "identity") return raw;
  if (encoding !== "gzip") throw new BadBodyError(`unsupported Content-Encoding ${JSON.stringify(encoding)}; use gzip or none`);
  // what the inflater makes of its next slice before that output is counted
  hold?.take(Math.min(SLICE_BYTES, raw.length) * MAX_INFLATE_RATIO);
  const input = slices(raw, SLICE_BYTES);
  const inflated = input.stream.pipeThrough(new DecompressionStream("gzip") as unknown as TransformStream<Uint8Array, Uint8Array>);
  try {
    return await readLimited(inflated, limits.maxDecompressedBytes, "decompressed body", { hold, stop: input.stop });
  } catch (err) {
    if (err instanceof BodyTooLargeError || err instanceof MemoryBudgetError) throw err;
    throw new BadBodyError(`body is not valid gzip: ${errorMessage(err)}`);
  }
}

/**
 * The bytes as a stream of `size`-byte pieces, one per pull, and a way to end it early. Inflation
 * is fed this way because a runtime may inflate all it is given at once (Deno did: a 1 MB gzip
 * bomb became 1 GiB before the limit was checked); 4 KiB of gzip inflates to at most about 4 MiB,
 * so the limit is met within a few MiB of where it lies.
 */
function slices(bytes: Uint8Array, size: number): { stream: ReadableStream<Uint8Array>; stop(): void } {
  let at = 0;
  const stream = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (at >= bytes.length) return controller.close();
      controller.enqueue(bytes.subarray(at, (at += size)));
    },
  }, { highWaterMark: 0 });
  return { stream, stop: () => void (at = bytes.length) };
}

/**
 * Whether an answer to `req` leaves part of its body unread (it has one, and it was not read to
 * its end): such an answer must close the connection, or the rest would be read as the next
 * request.
 *
 * @param req The request answered.
 * @returns True when the connection must close after the answer.
 * @example
 * ```ts
 * if (unreadBody(c.req.raw)) c.res.headers.set("connection", "close");
 * ```
 */
export function unreadBody(req: Request): boolean {
  if (req.method === "GET" || req.method === "HEAD" || readWhole.has(req)) return false;
  const length = req.headers.get("content-length");
  return length === null ? req.headers.has("transfer-encoding") : length !== "0";
}

/**
 * Bytes as strict UTF-8 text; throws {@linkcode BadBodyError} when they are not UTF-8.
 *
 * @example
 * ```ts
 * import { utf8Text } from "./body.ts";
 * utf8Text(new Uint8Array([104, 105])); // "hi"
 * ```
 */
export function utf8Text(bytes: Uint8Array): string {
  try {
    return utf8.decode(bytes);
  } catch {
    throw new BadBodyError("body is not valid UTF-8");
  }
}

/**
 * A request's body as text: {@linkcode readBodyBytes}, then strict UTF-8.
 *
 * @param req The request.
 * @param limits Byte limits.
 * @returns The text; throws {@linkcode BodyTooLargeError} or {@linkcode BadBodyError}.
 * @example
 * ```ts
 * import { readBodyText } from "./body.ts";
 * const text = await readBodyText(req, { maxBodyBytes: 8 << 20, maxDecompressedBytes: 64 << 20 });
 * ```
 */
export async function readBodyText(req: Request, limits: BodyLimits, hold?: BodyHold): Promise<string> {
  return utf8Text(await readBodyBytes(req, limits, hold));
}
