/**
 * Reading request bodies within limits, before and after decompression.
 *
 * @module
 */
import { errorMessage } from "../lib/errors.ts";
import { BadBodyError, BodyTimeoutError, BodyTooLargeError } from "./errors.ts";

const utf8 = new TextDecoder("utf-8", { fatal: true });

/**
 * Reads a stream to the end, failing as soon as it passes `limit` bytes (the rest is not read),
 * or, with `timeoutMs`, when it has not ended in that time (the stream is then cancelled).
 *
 * @param stream The bytes.
 * @param limit Bytes allowed.
 * @param what Named in the error.
 * @param timeoutMs Time allowed, in ms; no limit when absent.
 * @param expected The length the sender declared, when it did: read into one array of that size.
 * @returns The bytes; throws {@linkcode BodyTooLargeError} or {@linkcode BodyTimeoutError}.
 * @example
 * ```ts
 * import { readLimited } from "./body.ts";
 * const bytes = await readLimited(req.body!, 8 << 20, "body");
 * ```
 */
export async function readLimited(stream: ReadableStream<Uint8Array>, limit: number, what: "body" | "decompressed body", timeoutMs?: number, expected = -1): Promise<Uint8Array> {
  const reader = stream.getReader();
  // with a declared length (up to 1 MiB: nothing larger is set aside before it arrives) the
  // bytes go straight into one array; otherwise they are gathered
  let whole = expected >= 0 && expected <= Math.min(limit, 1 << 20) ? new Uint8Array(expected) : undefined;
  const parts: Uint8Array[] = [];
  let size = 0;
  let late = false;
  // cancelling the reader ends a read that is waiting, and tells the source (the connection)
  const timer = timeoutMs === undefined ? undefined : setTimeout(() => {
    late = true;
    reader.cancel().catch(() => {});
  }, timeoutMs);
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (late) throw new BodyTimeoutError(timeoutMs!);
      if (done) break;
      if (size + value.length > limit) {
        await reader.cancel().catch(() => {});
        throw new BodyTooLargeError(what, limit);
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
  const out = new Uint8Array(size);
  let off = 0;
  for (const p of parts) {
    out.set(p, off);
    off += p.length;
  }
  return out;
}

/** Limits of {@linkcode readBodyBytes}. */
export interface BodyLimits {
  /** Bytes on the wire. */
  maxBodyBytes: number;
  /** Bytes after decompression. */
  maxDecompressedBytes: number;
  /** Time allowed for the whole body to arrive, in ms (a client that stalls is answered 408). @default no limit */
  bodyTimeoutMs?: number;
}

/**
 * A request's body as bytes: limited on the wire, gunzipped when `Content-Encoding: gzip`
 * (limited again after).
 *
 * @param req The request.
 * @param limits Byte limits.
 * @returns The bytes; throws {@linkcode BodyTooLargeError} or {@linkcode BadBodyError}.
 * @example
 * ```ts
 * import { readBodyBytes } from "./body.ts";
 * const bytes = await readBodyBytes(req, { maxBodyBytes: 8 << 20, maxDecompressedBytes: 64 << 20 });
 * ```
 */
export async function readBodyBytes(req: Request, limits: BodyLimits): Promise<Uint8Array> {
  const declared = Number(req.headers.get("content-length") ?? NaN);
  if (declared > limits.maxBodyBytes) throw new BodyTooLargeError("body", limits.maxBodyBytes);
  if (req.body === null) return new Uint8Array(0);
  const raw = await readLimited(req.body, limits.maxBodyBytes, "body", limits.bodyTimeoutMs, declared >= 0 ? declared : -1);
  const encoding = (req.headers.get("content-encoding") ?? "identity").toLowerCase().trim();
  if (encoding === "identity") return raw;
  if (encoding !== "gzip") throw new BadBodyError(`unsupported Content-Encoding ${JSON.stringify(encoding)}; use gzip or none`);
  const inflated = slices(raw, 4096).pipeThrough(new DecompressionStream("gzip") as unknown as TransformStream<Uint8Array, Uint8Array>);
  try {
    return await readLimited(inflated, limits.maxDecompressedBytes, "decompressed body");
  } catch (err) {
    if (err instanceof BodyTooLargeError) throw err;
    throw new BadBodyError(`body is not valid gzip: ${errorMessage(err)}`);
  }
}

/**
 * The bytes as a stream of `size`-byte pieces, one per pull. Inflation is fed this way because a
 * runtime may inflate all it is given at once (Deno did: a 1 MB gzip bomb became 1 GiB before
 * the limit was checked); 4 KiB of gzip inflates to at most about 4 MiB, so the limit is met
 * within a few MiB of where it lies.
 */
function slices(bytes: Uint8Array, size: number): ReadableStream<Uint8Array> {
  let at = 0;
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      if (at >= bytes.length) return controller.close();
      controller.enqueue(bytes.subarray(at, (at += size)));
    },
  }, { highWaterMark: 0 });
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
export async function readBodyText(req: Request, limits: BodyLimits): Promise<string> {
  return utf8Text(await readBodyBytes(req, limits));
}
