/**
 * Write-behind byte buffers for many files.
 *
 * @module
 */

/**
 * One batch split by destination, what categoryFileSink's `encode` returns: per file key, its
 * text, the records in it, and whether it holds an error or fatal record (written at once).
 *
 * @example
 * ```ts
 * import type { RoutedBatch } from "./write_buffers.ts";
 * const batch: RoutedBatch = [["app.ndjson", '{"msg":"a"}\n', 1, false]];
 * ```
 */
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
const EMPTY = new Uint8Array(0);
const NONE: ReadonlySet<string> = new Set();

/**
 * A growable UTF-8 byte buffer per key (per file), so that many small batches reach a file as
 * one write and the text itself can be collected young. A batch for one file that fills a
 * buffer by itself is written straight through. A buffer is written when the next text
 * would take it past `fileBytes`, when it holds an error or fatal record, and on
 * {@linkcode WriteBuffers.writeAll}. The buffers' capacity over all keys is brought back within
 * `maxBytes` by each {@linkcode WriteBuffers.writeDue}, and room is made before a batch is
 * taken: the least recently filled buffers (error and fatal ones first) are written and freed.
 * Between the two, one batch may take the capacity past the bound by its own size. `fileBytes`
 * 0 writes each batch's text at once.
 *
 * A batch is taken all or nothing: writes that make room happen before any of it is taken, and
 * a failed write leaves its buffer as it was, to be written again later.
 *
 * @example
 * ```ts
 * import { WriteBuffers } from "./write_buffers.ts";
 * const out: string[] = [];
 * const buffers = new WriteBuffers(65536, 1 << 20, (key, bytes) => out.push(key + ":" + (typeof bytes === "string" ? bytes : new TextDecoder().decode(bytes))));
 * buffers.take([["http", '{"msg":"a"}\n', 1, false]]);
 * buffers.writeDue(); // nothing: the buffer is far from full
 * buffers.writeAll(); // out: ['http:{"msg":"a"}\n']
 * ```
 */
export class WriteBuffers {
  readonly #fileBytes: number;
  readonly #maxBytes: number;
  readonly #write: (key: string, data: string | Uint8Array) => void;
  /** Least recently filled first. */
  readonly #buffers = new Map<string, FileBuffer>();
  #capacity = 0;
  #used = 0;

  /**
   * @param fileBytes A buffer is written before it would pass this many bytes; 0 writes every batch.
   * @param maxBytes The bound on all buffers' capacity together.
   * @param write Writes one file's bytes (or, for a batch written straight through, its text),
   *   all of it, or throws having written none of it (the bytes are kept).
   */
  constructor(fileBytes: number, maxBytes: number, write: (key: string, data: string | Uint8Array) => void) {
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
   * Takes one batch into the buffers, all or nothing: every write that makes room for it (a
   * file's buffer about to pass `fileBytes`, buffers freed for the memory bound) happens first,
   * and if one fails this throws having taken none of it.
   */
  take(batch: RoutedBatch): void {
    if (batch.length === 1 && batch[0][1].length >= this.#fileBytes) {
      // one file, a buffer's worth or more: written straight through, after what that file holds
      const [key, text] = batch[0];
      const b = this.#buffers.get(key);
      if (b !== undefined && b.used > 0) this.#writeOut(key, b);
      this.#write(key, text);
      return;
    }
    let fresh = 0;
    for (const [key, text] of batch) {
      const b = this.#buffers.get(key);
      if (b !== undefined && b.used > 0 && b.used + text.length > this.#fileBytes) this.#writeOut(key, b);
      fresh += text.length; // the bytes of ASCII text; other text takes more, and writeDue evens it out
    }
    if (this.#capacity + fresh > this.#maxBytes) this.#free(this.#capacity + fresh - this.#maxBytes, new Set(batch.map(([key]) => key)));
    for (const [key, text, records, urgent] of batch) {
      let b = this.#buffers.get(key);
      if (b === undefined) b = { bytes: EMPTY, used: 0, records: 0, urgent: false };
      else this.#buffers.delete(key);
      this.#buffers.set(key, b); // most recently filled last
      if (b.bytes.length < b.used + text.length) this.#grow(b, b.used + text.length);
      const first = utf8.encodeInto(text, b.bytes.subarray(b.used));
      b.used += first.written;
      this.#used += first.written;
      if (first.read < text.length) {
        // not all ASCII: the rest takes at most 3 bytes per UTF-16 unit
        const rest = text.slice(first.read);
        this.#grow(b, b.used + rest.length * 3);
        const n = utf8.encodeInto(rest, b.bytes.subarray(b.used)).written;
        b.used += n;
        this.#used += n;
      }
      b.records += records;
      b.urgent ||= urgent;
    }
  }

  /**
   * Writes the buffers that are due (those with an error or fatal record first, then full
   * ones), then writes and frees the least recently filled until the buffers' capacity is
   * within `maxBytes` again.
   */
  writeDue(): void {
    this.#writeUrgent();
    for (const [key, b] of this.#buffers) if (b.used > 0 && b.used >= this.#fileBytes) this.#settle(key, b);
    if (this.#capacity > this.#maxBytes) this.#free(this.#capacity - this.#maxBytes, NONE);
  }

  /**
   * Writes every buffer, error and fatal ones first, and frees the ones that had nothing since
   * the last time. Throws at the first failed write; what was written stays written.
   */
  writeAll(): void {
    for (const [key, b] of this.#buffers) if (b.used === 0) this.#drop(key, b);
    this.#writeUrgent();
    for (const [key, b] of this.#buffers) if (b.used > 0) this.#settle(key, b);
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

  /** Writes and frees buffers not in `keep`, error and fatal ones first, then the least recently filled, until `bytes` are freed or none is left. */
  #free(bytes: number, keep: ReadonlySet<string>): void {
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

  /** Grows a buffer to hold at least `want` bytes: doubling from 4 KiB up to `fileBytes`, or just `want` past it. */
  /** Writes the buffers holding an error or fatal record. */
  #writeUrgent(): void {
    for (const [key, b] of this.#buffers) if (b.urgent) this.#settle(key, b);
  }

  #grow(b: FileBuffer, want: number): void {
    const size = Math.max(want, Math.min(this.#fileBytes, MIN_CAPACITY * 2 ** Math.ceil(Math.log2(Math.max(1, want / MIN_CAPACITY)))));
    const bytes = new Uint8Array(size);
    bytes.set(b.bytes.subarray(0, b.used));
    this.#capacity += size - b.bytes.length;
    b.bytes = bytes;
  }

  /** Writes a buffer out; one grown past the usual size for a large text is freed. */
  #settle(key: string, b: FileBuffer): void {
    this.#writeOut(key, b);
    if (b.bytes.length > Math.max(this.#fileBytes, MIN_CAPACITY)) this.#drop(key, b);
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
