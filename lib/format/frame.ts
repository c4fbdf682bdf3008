/**
 * The binary batch frame: a checked envelope around a batch's NDJSON lines, for handing
 * batches between threads and as an HTTP body type.
 *
 * Layout (version 1), all numbers unsigned 32-bit little-endian:
 *
 * | bytes | what |
 * | --- | --- |
 * | 0–3 | magic `SLF` and the version byte `1` |
 * | 4–7 | payload length in bytes |
 * | 8–11 | records in the payload |
 * | 12–15 | CRC-32 of the payload |
 * | 16–19 | CRC-32 of bytes 0–15, so a damaged length is caught before the payload is awaited |
 * | 20… | payload: UTF-8 NDJSON, one record a line, each ending in `\n` |
 *
 * Frames can follow each other in one byte stream. A reader checks everything (magic,
 * version, the header's checksum, length, the payload's checksum, UTF-8, record count) before
 * it returns any of a frame: a truncated or corrupt frame is a {@linkcode FrameError}, never a
 * half-decoded batch, and a damaged length is caught from the header alone, never awaited.
 *
 * @module
 */
import { crc32 } from "./crc32.ts";
import { FrameError } from "../errors.ts";

export { FrameError };

/**
 * The `Content-Type` of a body made of frames.
 *
 * @example
 * ```ts
 * import { encodeFrame, FRAME_CONTENT_TYPE } from "./frame.ts";
 * const body = encodeFrame('{"msg":"a"}\n{"msg":"b"}\n', 2);
 * const req = new Request("http://127.0.0.1:8080/ingest", { method: "POST", body: body as Uint8Array<ArrayBuffer>, headers: { "content-type": FRAME_CONTENT_TYPE } });
 * ```
 */
export const FRAME_CONTENT_TYPE = "application/vnd.sluice.frame";
/** Bytes before a frame's payload. */
export const FRAME_HEADER_BYTES = 20;
/** The largest payload a reader takes unless told otherwise: 64 MiB. */
export const DEFAULT_MAX_FRAME_BYTES = 64 << 20;
const VERSION = 1;
const MAGIC = [0x53, 0x4c, 0x46]; // "SLF"
const NEWLINE = 10;

const utf8 = new TextEncoder();
const strictUtf8 = /* @__PURE__ */ new TextDecoder("utf-8", { fatal: true });

/**
 * Wraps NDJSON lines in one frame.
 *
 * @param lines The records' lines, each ending in `\n`.
 * @param records How many lines there are.
 * @returns The frame's bytes.
 * @example
 * ```ts
 * import { decodeFrames, encodeFrame } from "./frame.ts";
 * const frame = encodeFrame('{"msg":"a"}\n{"msg":"b"}\n', 2);
 * decodeFrames(frame); // '{"msg":"a"}\n{"msg":"b"}\n'
 * ```
 */
export function encodeFrame(lines: string, records: number): Uint8Array {
  return frameBytes(utf8.encode(lines), records);
}

/**
 * Wraps an already encoded payload in one frame (no check that it is UTF-8 NDJSON: readers do
 * that).
 *
 * @param payload The payload's bytes.
 * @param records How many lines it holds.
 * @returns The frame's bytes.
 * @example
 * ```ts
 * import { frameBytes } from "./frame.ts";
 * frameBytes(new TextEncoder().encode('{"msg":"a"}\n'), 1).length; // 32
 * ```
 */
export function frameBytes(payload: Uint8Array, records: number): Uint8Array {
  const out = new Uint8Array(FRAME_HEADER_BYTES + payload.length);
  out.set(MAGIC);
  out[3] = VERSION;
  const view = new DataView(out.buffer);
  view.setUint32(4, payload.length, true);
  view.setUint32(8, records, true);
  view.setUint32(12, crc32(payload), true);
  view.setUint32(16, crc32(out.subarray(0, 16)), true);
  out.set(payload, FRAME_HEADER_BYTES);
  return out;
}

/**
 * The whole size of the frame that starts at `offset`, once its header is there.
 *
 * @param bytes Bytes holding the start of a frame.
 * @param offset Where the frame starts.
 * @param maxFrameBytes The largest payload taken.
 * @returns Header plus payload bytes, or `undefined` while the header is incomplete.
 * @throws {FrameError} When the header is not a good one (magic, version, checksum, size).
 * @example
 * ```ts
 * import { encodeFrame, frameSize } from "./frame.ts";
 * frameSize(encodeFrame('{"msg":"a"}\n', 1), 0); // 32
 * ```
 */
export function frameSize(bytes: Uint8Array, offset: number, maxFrameBytes = DEFAULT_MAX_FRAME_BYTES): number | undefined {
  const have = bytes.length - offset;
  for (let i = 0; i < 3 && i < have; i++) {
    if (bytes[offset + i] !== MAGIC[i]) throw new FrameError(`not a frame (bad magic at byte ${offset})`);
  }
  if (have > 3 && bytes[offset + 3] !== VERSION) {
    throw new FrameError(`version ${bytes[offset + 3]} is not supported (this reader knows version ${VERSION})`);
  }
  if (have < FRAME_HEADER_BYTES) return undefined;
  const view = new DataView(bytes.buffer, bytes.byteOffset + offset, FRAME_HEADER_BYTES);
  if (crc32(bytes.subarray(offset, offset + 16)) !== view.getUint32(16, true)) {
    throw new FrameError(`header checksum mismatch in the frame at byte ${offset} (corrupt header)`);
  }
  const length = view.getUint32(4, true);
  if (length > maxFrameBytes) throw new FrameError(`a payload of ${length} bytes is over the ${maxFrameBytes}-byte limit`);
  return FRAME_HEADER_BYTES + length;
}

/**
 * Reads the frame that starts at `offset`.
 *
 * @param bytes Bytes holding one or more frames, or the start of one.
 * @param offset Where the frame starts.
 * @param maxFrameBytes The largest payload taken.
 * @returns The frame's lines and where the next frame starts, or `undefined` when `bytes` ends
 *   before the frame does.
 * @throws {FrameError} When what is there is not a good frame.
 * @example
 * ```ts
 * import { encodeFrame, readFrame } from "./frame.ts";
 * readFrame(encodeFrame('{"msg":"a"}\n', 1), 0); // { lines: '{"msg":"a"}\n', end: 32 }
 * ```
 */
export function readFrame(bytes: Uint8Array, offset: number, maxFrameBytes = DEFAULT_MAX_FRAME_BYTES): { lines: string; end: number } | undefined {
  const size = frameSize(bytes, offset, maxFrameBytes);
  if (size === undefined || offset + size > bytes.length) return undefined;
  const view = new DataView(bytes.buffer, bytes.byteOffset + offset, FRAME_HEADER_BYTES);
  const records = view.getUint32(8, true);
  const end = offset + size;
  const payload = bytes.subarray(offset + FRAME_HEADER_BYTES, end);
  if (crc32(payload) !== view.getUint32(12, true)) throw new FrameError(`checksum mismatch in the frame at byte ${offset} (corrupt payload)`);
  if (payload.length > 0 && payload[payload.length - 1] !== NEWLINE) throw new FrameError(`the frame at byte ${offset} does not end in a newline`);
  let lines = 0;
  for (let i = payload.indexOf(NEWLINE); i !== -1; i = payload.indexOf(NEWLINE, i + 1)) lines++;
  if (lines !== records) throw new FrameError(`the frame at byte ${offset} says ${records} records but holds ${lines} lines`);
  try {
    return { lines: strictUtf8.decode(payload), end };
  } catch {
    throw new FrameError(`the frame at byte ${offset} is not valid UTF-8`);
  }
}

/**
 * Reads a whole body of frames, every one checked before any is returned.
 *
 * @param bytes One or more frames, back to back.
 * @param maxFrameBytes The largest payload taken.
 * @returns The NDJSON lines of all frames, in order.
 * @throws {FrameError} When a frame is truncated, corrupt, of another version or too large.
 * @example
 * ```ts
 * import { decodeFrames, encodeFrame } from "./frame.ts";
 * decodeFrames(encodeFrame('{"msg":"a"}\n', 1)); // '{"msg":"a"}\n'
 * ```
 */
export function decodeFrames(bytes: Uint8Array, maxFrameBytes = DEFAULT_MAX_FRAME_BYTES): string {
  let text = "";
  for (let offset = 0; offset < bytes.length;) {
    const frame = readFrame(bytes, offset, maxFrameBytes);
    if (frame === undefined) throw new FrameError(`truncated: the frame at byte ${offset} ends after ${bytes.length - offset} of its bytes`);
    text += frame.lines;
    offset = frame.end;
  }
  return text;
}
