/**
 * Write-behind byte buffers for many files.
 *
 * @module
 */

/** One batch split by destination: key, text, records in it, holds an error or fatal record. */
export type RoutedBatch = [key: string, text: string, records: number, urgent: boolean][];

interface FileBuffer {
  bytes: Uint8Array;
  used: number;
  records: number;
  urgent: boolean;
}

const utf8 = new TextEncoder();
/** The smallest buffer made: a few lines' worth. */
const MIN_CAPACITY = 4096;

/**
 * A growable UTF-8 byte buffer per key (per file), so that many small batches reach a file as
 * one write and the text itself can be collected young. A buffer is written when the next text
 * might not fit in `fileBytes`, when it holds an error or fatal record, and on
 * {@linkcode WriteBuffers.writeAll}. The buffers' capacity over all keys stays within
 * `maxBytes`: past it the least recently filled buffers (error and fatal ones first) are written
 * and freed. `fileBytes` 0 writes each batch's text at once.
 *
 * A batch is taken all or nothing: writes that make room happen before any of it is taken, and
 * a failed write leaves its buffer as it was, to be written again later.
 *
 * @example
 * ```ts
 * import { WriteBuffers } from "./write_buffers.ts";
 * const out: string[] = [];
 * const buffers = new WriteBuffers(65536, 1 << 20, (key, bytes) => out.push(key + ":" + new TextDecoder().decode(bytes)));
 * buffers.take([["http", '{"msg":"a"}\n', 1, false]]);
 * buffers.writeDue(); // nothing: the buffer is far from full
 * buffers.writeAll(); // out: ['http:{"msg":"a"}\n']
 * ```
 */
export class WriteBuffers {
  readonly #fileBytes: number;
  readonly #maxBytes: number;
  readonly #write: (key: string, bytes: Uint8Array) => void;
  /** Least recently filled first. */
  readonly #buffers = new Map<string, FileBuffer>();
  #capacity = 0;
  #used = 0;

  /**
   * @param fileBytes A buffer is written before it would pass this many bytes; 0 writes every batch.
   * @param maxBytes The bound on all buffers' capacity together.
   * @param write Writes one file's bytes, all of them, or throws (the bytes are kept).
   */
  constructor(fileBytes: number, maxBytes: number, write: (key: string, bytes: Uint8Array) => void) {
    this.#fileBytes = fileBytes;
    this.#maxBytes = maxBytes;
    this.#write = write;
  }

  /** Bytes waiting in the buffers. */
  get bytes(): number {
    return this.#used;
  }

  /** Bytes held by the buffers, used or not. */
  get capacity(): number {
    return this.#capacity;
  }

  /**
   * Takes one batch into the buffers, all or nothing: throws, having taken none of it, when a
   * write that makes room fails.
   */
  take(batch: RoutedBatch): void {
    const grow = new Map<string, number>();
    let fresh = 0;
    for (const [key, text] of batch) {
      const need = text.length * 3; // UTF-8 takes at most 3 bytes per UTF-16 unit
      const b = this.#buffers.get(key);
      const cap = b?.bytes.length ?? 0;
      if (b !== undefined && b.used + need <= cap) continue;
      if (b !== undefined && b.used > 0 && b.used + need > this.#fileBytes) {
        this.#writeOut(key, b);
        if (need <= cap) continue;
      }
      const want = (b?.used ?? 0) + need;
      const size = Math.max(want, Math.min(this.#fileBytes, MIN_CAPACITY * 2 ** Math.ceil(Math.log2(Math.max(1, want / MIN_CAPACITY)))));
      grow.set(key, size);
      fresh += size - cap;
    }
    if (this.#capacity + fresh > this.#maxBytes) this.#free(this.#capacity + fresh - this.#maxBytes, batch);
    for (const [key, text, records, urgent] of batch) {
      let b = this.#buffers.get(key);
      const size = grow.get(key);
      if (b === undefined) b = { bytes: new Uint8Array(size!), used: 0, records: 0, urgent: false };
      else {
        this.#buffers.delete(key);
        if (size !== undefined) {
          const bytes = new Uint8Array(size);
          bytes.set(b.bytes.subarray(0, b.used));
          this.#capacity -= b.bytes.length;
          b.bytes = bytes;
        }
      }
      if (size !== undefined) this.#capacity += size;
      this.#buffers.set(key, b);
      const n = utf8.encodeInto(text, b.bytes.subarray(b.used)).written;
      b.used += n;
      this.#used += n;
      b.records += records;
      b.urgent ||= urgent;
    }
  }

  /** Writes the buffers that are due: those with an error or fatal record first, then full ones. */
  writeDue(): void {
    for (const [key, b] of this.#buffers) if (b.urgent) this.#writeOut(key, b);
    for (const [key, b] of this.#buffers) if (b.used > 0 && b.used >= this.#fileBytes) this.#writeOut(key, b);
  }

  /**
   * Writes every buffer, error and fatal ones first, and frees the ones that had nothing since
   * the last time. Throws at the first failed write; what was written stays written.
   */
  writeAll(): void {
    for (const [key, b] of this.#buffers) if (b.urgent) this.#writeOut(key, b);
    for (const [key, b] of this.#buffers) {
      if (b.used > 0) this.#writeOut(key, b);
      else this.#drop(key, b);
    }
  }

  /** Empties every buffer without writing; returns the records that were in them. */
  discard(): number {
    let records = 0;
    for (const b of this.#buffers.values()) records += b.records;
    this.#buffers.clear();
    this.#capacity = 0;
    this.#used = 0;
    return records;
  }

  /** Writes and frees buffers not in `batch`, error and fatal ones first, until `bytes` are freed or none is left. */
  #free(bytes: number, batch: RoutedBatch): void {
    const keep = new Set(batch.map(([key]) => key));
    let freed = 0;
    for (const urgentPass of [true, false]) {
      for (const [key, b] of this.#buffers) {
        if (freed >= bytes) return;
        if (keep.has(key) || b.urgent !== urgentPass) continue;
        if (b.used > 0) this.#writeOut(key, b);
        freed += b.bytes.length;
        this.#drop(key, b);
      }
    }
  }

  #writeOut(key: string, b: FileBuffer): void {
    this.#write(key, b.bytes.subarray(0, b.used));
    this.#used -= b.used;
    b.used = 0;
    b.records = 0;
    b.urgent = false;
  }

  #drop(key: string, b: FileBuffer): void {
    this.#buffers.delete(key);
    this.#capacity -= b.bytes.length;
  }
}
