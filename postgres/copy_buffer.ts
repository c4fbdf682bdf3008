/**
 * The bytes a transaction's `COPY` rows are written into, and a few of them kept for the next
 * transactions. Fresh memory costs a page fault every 4 KiB when first written; on Bun, whose
 * allocator hands freed pages back to the system within 100 ms, making the rows in new memory
 * for every transaction was a tenth of the collector's CPU under ingest (bench/README.md).
 *
 * @module
 */

/** The `Buffer` operations the rows are made with: native byte search, copy and text writes. */
export interface Bytes extends Uint8Array {
  copy(target: Uint8Array, targetStart?: number, sourceStart?: number, sourceEnd?: number): number;
  write(text: string, offset: number, encoding?: "utf8" | "latin1"): number;
  indexOf(value: number, byteOffset?: number): number;
}
interface BufferClass {
  from(data: ArrayBufferLike | string, byteOffset?: number, length?: number): Bytes;
  alloc(size: number): Bytes;
  allocUnsafe(size: number): Bytes;
}
/** node:buffer's `Buffer`, which Bun, Deno and Node all have (loaded here, not imported, so a type check needs no Node types). */
export const Buffer: BufferClass = (globalThis as unknown as { process: { getBuiltinModule(id: string): { Buffer: BufferClass } } }).process.getBuiltinModule("node:buffer").Buffer;

/** Buffers kept for reuse, and the largest one kept: a rare huge transaction's memory is let go. */
const SPARE = 4, SPARE_MAX_BYTES = 4 << 20;
const spare: CopyBuffer[] = [];

/**
 * A growable byte buffer: `room(n)` makes space for `n` more bytes past `length`.
 *
 * @example
 * ```ts
 * import { CopyBuffer } from "./copy_buffer.ts";
 * const b = new CopyBuffer(16);
 * b.text("a\tb\n");
 * b.view(); // the 4 bytes written
 * ```
 */
export class CopyBuffer {
  /** The bytes; those before `length` are written. */
  bytes: Bytes;
  /** How many bytes are written. */
  length = 0;

  /**
   * Makes an empty buffer.
   *
   * @param size Its first capacity in bytes.
   */
  constructor(size: number) {
    this.bytes = Buffer.allocUnsafe(size);
  }

  /**
   * Makes room for `n` more bytes past `length`, moving the written bytes to a larger buffer when
   * they do not fit.
   *
   * @param n Bytes to be written next.
   * @returns The bytes to write them into (at `length`).
   * @example
   * ```ts
   * import { CopyBuffer } from "./copy_buffer.ts";
   * const b = new CopyBuffer(1);
   * b.room(3)[b.length] = 65;
   * ```
   */
  room(n: number): Bytes {
    if (this.length + n > this.bytes.length) {
      const bigger = Buffer.allocUnsafe(Math.max(2 * this.bytes.length, this.length + n));
      this.bytes.copy(bigger, 0, 0, this.length);
      this.bytes = bigger;
    }
    return this.bytes;
  }

  /**
   * Appends text as UTF-8.
   *
   * @param s The text.
   * @example
   * ```ts
   * import { CopyBuffer } from "./copy_buffer.ts";
   * new CopyBuffer(8).text("é"); // 2 bytes
   * ```
   */
  text(s: string): void {
    this.length += this.room(3 * s.length).write(s, this.length);
  }

  /**
   * The written bytes from `from` on (a view, not a copy).
   *
   * @param from The first byte.
   * @returns The view.
   * @example
   * ```ts
   * import { CopyBuffer } from "./copy_buffer.ts";
   * new CopyBuffer(8).view(); // empty
   * ```
   */
  view(from = 0): Uint8Array {
    return this.bytes.subarray(from, this.length);
  }
}

/**
 * An empty buffer: one given back earlier, or a new one.
 *
 * @returns The buffer; give it back with {@linkcode giveBack} once its bytes are taken.
 * @example
 * ```ts
 * import { giveBack, takeCopyBuffer } from "./copy_buffer.ts";
 * const b = takeCopyBuffer();
 * b.text("row\n");
 * giveBack(b);
 * ```
 */
export function takeCopyBuffer(): CopyBuffer {
  const b = spare.pop() ?? new CopyBuffer(1 << 16);
  b.length = 0;
  return b;
}

/**
 * Keeps a buffer for a later {@linkcode takeCopyBuffer}, once nothing reads its bytes any more
 * (a stream has called back for them). Past a few, or a large one, it is let go.
 *
 * @param b The buffer.
 * @example
 * ```ts
 * import { giveBack, takeCopyBuffer } from "./copy_buffer.ts";
 * giveBack(takeCopyBuffer());
 * ```
 */
export function giveBack(b: CopyBuffer): void {
  if (spare.length < SPARE && b.bytes.length <= SPARE_MAX_BYTES) spare.push(b);
}
