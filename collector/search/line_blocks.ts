/**
 * Reads a record file, plain or gzipped, as blocks of whole lines in one reused buffer, so a
 * search holds a few megabytes whatever the file's size.
 *
 * @module
 */
import type { SearchFs } from "./search_fs.ts";

/**
 * Called with each block: `bytes[0, end)` are whole lines (the file's last line may lack its
 * newline). The buffer is reused after the call returns (or the promise it returns settles, for a
 * visit that lets other work run in between). Return `false` to stop reading.
 */
export type OnBlock = (bytes: Uint8Array, end: number) => boolean | void | Promise<boolean | void>;

/**
 * Sizes of {@linkcode LineBlockReader}.
 *
 * @example
 * ```ts
 * const sizes: BlockSizes = { blockBytes: 4 << 20, maxLineBytes: 16 << 20 };
 * ```
 */
export interface BlockSizes {
  /** The buffer's size at first. @default 4 MiB */
  blockBytes?: number;
  /** The longest line read; a longer one is skipped and counted. @default 16 MiB */
  maxLineBytes?: number;
}

/** What reading a file met. */
export interface ReadCounts {
  /** Bytes read from disk (compressed bytes for a gzipped file). */
  bytes: number;
  /** Lines skipped for being longer than `maxLineBytes`. */
  longLines: number;
  /** The identity of the file read, or undefined when it was gone. */
  id?: string;
}

const NL = 10;
const READ = 1 << 20;

/**
 * Reads files as blocks of whole lines.
 *
 * @example
 * ```ts
 * import { LineBlockReader } from "./line_blocks.ts";
 * import { searchFs } from "./search_fs.ts";
 * const reader = new LineBlockReader(searchFs());
 * let lines = 0;
 * await reader.read("./logs/http.ndjson", false, (bytes, end) => {
 *   for (let i = 0; i < end; i++) if (bytes[i] === 10) lines++;
 * });
 * ```
 */
export class LineBlockReader {
  readonly #fs: SearchFs;
  readonly #max: number;
  #buf: Uint8Array;
  #used = 0;
  #skipping = false;
  #counts: ReadCounts = { bytes: 0, longLines: 0 };
  #stopped = false;

  /**
   * @param fs File operations.
   * @param sizes Buffer sizes.
   * @param buffer The buffer to read into at first (its size is the block size). @default one of `blockBytes`
   */
  constructor(fs: SearchFs, sizes: BlockSizes = {}, buffer?: Uint8Array) {
    this.#fs = fs;
    this.#buf = buffer ?? fs.alloc(sizes.blockBytes ?? 4 << 20);
    this.#max = Math.max(sizes.maxLineBytes ?? 16 << 20, this.#buf.length);
  }

  /** The buffer a block's bytes are in (for text views through the `SearchFs`). */
  get buffer(): Uint8Array {
    return this.#buf;
  }

  /**
   * Reads a file; resolves with what was read. A file that is gone reads as empty; a gzip
   * stream that turns out corrupt rejects after the blocks before the damage were given.
   *
   * @param path The file.
   * @param gzip Whether it is gzipped.
   * @param onBlock Called with each block of whole lines.
   * @param onBytes Called with the bytes read from disk as they are read (progress).
   * @param pause Awaited after each block of a plain file, to let other work run.
   */
  async read(
    path: string,
    gzip: boolean,
    onBlock: OnBlock,
    onBytes: (n: number) => void = () => {},
    pause: () => Promise<void> = () => Promise.resolve(),
  ): Promise<ReadCounts> {
    this.#used = 0;
    this.#skipping = false;
    this.#stopped = false;
    this.#counts = { bytes: 0, longLines: 0 };
    const fd = this.#fs.open(path);
    if (fd === undefined) return this.#counts;
    try {
      this.#counts.id = this.#fs.idOf(fd);
      if (gzip) await this.#readGzip(fd, onBlock, onBytes);
      else await this.#readPlain(fd, onBlock, onBytes, pause);
      if (!this.#stopped && this.#used > 0 && !this.#skipping) await onBlock(this.#buf, this.#used);
    } finally {
      this.#fs.close(fd);
    }
    return this.#counts;
  }

  async #readPlain(fd: number, onBlock: OnBlock, onBytes: (n: number) => void, pause: () => Promise<void>): Promise<void> {
    let position = 0;
    for (;;) {
      this.#makeRoom();
      const n = this.#fs.read(fd, this.#buf, this.#used, this.#buf.length - this.#used, position);
      if (n === 0) return;
      position += n;
      this.#counts.bytes += n;
      onBytes(n);
      this.#used += n;
      if (!(await this.#emit(onBlock, this.#used - n))) return;
      await pause();
    }
  }

  async #readGzip(fd: number, onBlock: OnBlock, onBytes: (n: number) => void): Promise<void> {
    const fs = this.#fs;
    let position = 0;
    const raw = new ReadableStream<Uint8Array>({
      pull: (controller) => {
        const chunk = new Uint8Array(READ);
        const n = fs.read(fd, chunk, 0, READ, position);
        if (n === 0) return controller.close();
        position += n;
        this.#counts.bytes += n;
        onBytes(n);
        controller.enqueue(chunk.subarray(0, n));
      },
    });
    const reader = raw.pipeThrough(new DecompressionStream("gzip") as unknown as TransformStream<Uint8Array, Uint8Array>).getReader();
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) return;
        for (let at = 0; at < value.length;) {
          this.#makeRoom();
          const n = Math.min(value.length - at, this.#buf.length - this.#used);
          this.#buf.set(value.subarray(at, at + n), this.#used);
          this.#used += n;
          at += n;
          if (!(await this.#emit(onBlock, this.#used - n))) return;
        }
      }
    } finally {
      await reader.cancel().catch(() => {});
    }
  }

  /** Makes room at the end of the buffer: grows it, or starts skipping a line too long. */
  #makeRoom(): void {
    if (this.#used < this.#buf.length) return;
    if (this.#buf.length * 2 <= this.#max) {
      const bigger = this.#fs.alloc(this.#buf.length * 2);
      bigger.set(this.#buf.subarray(0, this.#used));
      this.#buf = bigger;
      return;
    }
    // a line longer than the bound: drop what there is of it, and the rest up to its newline
    if (!this.#skipping) this.#counts.longLines++;
    this.#skipping = true;
    this.#used = 0;
  }

  /** Gives the whole lines in the buffer to `onBlock` and keeps the partial last one; false to stop. */
  async #emit(onBlock: OnBlock, newFrom: number): Promise<boolean> {
    const buf = this.#buf;
    if (this.#skipping) {
      const nl = buf.subarray(newFrom, this.#used).indexOf(NL);
      if (nl < 0) {
        this.#used = 0;
        return true;
      }
      buf.copyWithin(0, newFrom + nl + 1, this.#used);
      this.#used -= newFrom + nl + 1;
      this.#skipping = false;
      newFrom = 0;
    }
    const last = buf.subarray(newFrom, this.#used).lastIndexOf(NL);
    if (last < 0) return true;
    const end = newFrom + last + 1;
    if ((await onBlock(buf, end)) === false) {
      this.#stopped = true;
      return false;
    }
    buf.copyWithin(0, end, this.#used);
    this.#used -= end;
    return true;
  }
}
