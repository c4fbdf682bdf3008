/**
 * A bounded pool of open files.
 *
 * @module
 */
import type { RotatingFile } from "./rotating_file.ts";

const EXHAUSTED = new Set(["EMFILE", "ENFILE"]);

/**
 * Keeps at most `maxOpen` files open, closing the least recently used first. When the OS runs
 * out of descriptors anyway (EMFILE/ENFILE), it closes half of its open files and tries once
 * more before giving up.
 *
 * @example
 * ```ts
 * import { HandlePool } from "./handle_pool.ts";
 * const pool = new HandlePool(16, (key) => new RotatingFile(`./logs/${key}.ndjson`, {}, runtime, console.error));
 * pool.get("billing").write("...\n");
 * ```
 */
export class HandlePool {
  readonly #maxOpen: number;
  readonly #create: (key: string) => RotatingFile;
  readonly #files = new Map<string, RotatingFile>();
  readonly #open = new Map<string, RotatingFile>();

  /**
   * @param maxOpen The most files open at once.
   * @param create Makes the (closed) file for a key.
   */
  constructor(maxOpen: number, create: (key: string) => RotatingFile) {
    if (!(Number.isInteger(maxOpen) && maxOpen >= 1)) throw new RangeError(`sluice: maxOpenFiles must be a whole number ≥ 1, got ${maxOpen}`);
    this.#maxOpen = maxOpen;
    this.#create = create;
  }

  /** Every file the pool has made, open or not. */
  files(): IterableIterator<RotatingFile> {
    return this.#files.values();
  }

  /** The open file for `key`, opening it (and closing the least recently used) as needed. */
  get(key: string): RotatingFile {
    let file = this.#open.get(key);
    if (file !== undefined) {
      this.#open.delete(key);
      this.#open.set(key, file);
      return file;
    }
    file = this.#files.get(key);
    if (file === undefined) {
      file = this.#create(key);
      this.#files.set(key, file);
    }
    while (this.#open.size >= this.#maxOpen) this.#closeOldest();
    try {
      file.open();
    } catch (err) {
      if (!EXHAUSTED.has((err as { code?: string })?.code ?? "") || this.#open.size === 0) throw err;
      for (let n = Math.ceil(this.#open.size / 2); n > 0; n--) this.#closeOldest();
      file.open();
    }
    this.#open.set(key, file);
    return file;
  }

  /** Closes every open file; the next `get` reopens. */
  releaseAll(): void {
    while (this.#open.size > 0) this.#closeOldest();
  }

  #closeOldest(): void {
    const [key, file] = this.#open.entries().next().value!;
    this.#open.delete(key);
    file.release();
  }
}
