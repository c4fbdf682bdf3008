/**
 * What searching the files needs from the file system, over `node:fs` and `node:buffer` (which
 * Bun, Deno and Node all provide; loaded with `process.getBuiltinModule`, never imported at the
 * top level): a directory's entries with size and mtime, positional reads, and byte-to-text
 * decoding without copies.
 *
 * @module
 */

/** One directory entry that is a file. */
export interface FileEntry {
  name: string;
  size: number;
  mtimeMs: number;
  /** The file's identity (device and inode): the same file under a new name has the same. */
  id: string;
}

/**
 * Byte search over a buffer: a byte or a byte sequence, as `Buffer#indexOf` does it (natively).
 *
 * @example
 * ```ts
 * import { searchFs } from "./search_fs.ts";
 * searchFs().view(new TextEncoder().encode("a\nb")).indexOf(10, 0); // 1
 * ```
 */
export interface ByteSearch {
  indexOf(value: number | Uint8Array, from: number): number;
  lastIndexOf(value: number, from: number): number;
}

/**
 * The file operations of search.
 *
 * @example
 * ```ts
 * import { searchFs } from "./search_fs.ts";
 * const files = searchFs().list("./logs");
 * ```
 */
export interface SearchFs {
  /** The files directly in `dir` (not directories, not hidden); [] when `dir` does not exist. */
  list(dir: string): FileEntry[];
  /** Opens a file for reading; undefined when it is gone. */
  open(path: string): number | undefined;
  /** An open file's identity, as {@linkcode FileEntry.id}. */
  idOf(fd: number): string;
  /** Reads up to `length` bytes at `position` into `buf` at `offset`; returns how many. */
  read(fd: number, buf: Uint8Array, offset: number, length: number, position: number): number;
  close(fd: number): void;
  /** A buffer of `size` bytes, for {@linkcode SearchFs.latin1} and {@linkcode SearchFs.utf8}. */
  alloc(size: number): Uint8Array;
  /** Bytes of a buffer from `alloc` as one character each: ASCII stays ASCII, other bytes become non-ASCII characters. */
  latin1(buf: Uint8Array, start: number, end: number): string;
  /** Bytes of a buffer from `alloc` decoded as UTF-8. */
  utf8(buf: Uint8Array, start: number, end: number): string;
  /** A byte-search view of any bytes (no copy). */
  view(bytes: Uint8Array): ByteSearch;
  /** The same bytes as a buffer `latin1` and `utf8` take (no copy). */
  wrap(bytes: Uint8Array): Uint8Array;
  /**
   * Called between blocks: on Bun, starts a young-generation collection (asynchronous, about
   * free), because JavaScriptCore does not count the text of strings made from buffers toward
   * its collection trigger, and a scan's per-line strings otherwise pile up to hundreds of MB
   * (a field query over 1 GB peaked at 300 MB; 72 MB with this). Elsewhere nothing.
   */
  collect(): void;
}

let cached: SearchFs | undefined;

/**
 * The file operations, made once.
 *
 * @returns Them.
 * @example
 * ```ts
 * import { searchFs } from "./search_fs.ts";
 * const fs = searchFs();
 * const fd = fs.open("./logs/http.ndjson");
 * if (fd !== undefined) fs.close(fd);
 * ```
 */
export function searchFs(): SearchFs {
  if (cached !== undefined) return cached;
  // deno-lint-ignore no-explicit-any -- an untyped runtime global or driver object (no @types for Bun, Deno and Node here)
  const { process: proc, Bun: bun } = globalThis as any;
  const fs = proc.getBuiltinModule("node:fs");
  const { Buffer } = proc.getBuiltinModule("node:buffer");
  const missing = (err: unknown) => (err as { code?: string }).code === "ENOENT";
  cached = {
    list(dir) {
      let names: string[];
      try {
        names = fs.readdirSync(dir);
      } catch (err) {
        if (missing(err)) return [];
        throw err;
      }
      const out: FileEntry[] = [];
      for (const name of names) {
        if (name.startsWith(".")) continue;
        try {
          const st = fs.statSync(`${dir}/${name}`);
          if (st.isFile()) out.push({ name, size: st.size, mtimeMs: st.mtimeMs, id: `${st.dev}:${st.ino}` });
        } catch (err) {
          if (!missing(err)) throw err;
        }
      }
      return out;
    },
    open(path) {
      try {
        return fs.openSync(path, "r");
      } catch (err) {
        if (missing(err)) return undefined;
        throw err;
      }
    },
    idOf(fd) {
      const st = fs.fstatSync(fd);
      return `${st.dev}:${st.ino}`;
    },
    read: (fd, buf, offset, length, position) => fs.readSync(fd, buf, offset, length, position),
    close: (fd) => fs.closeSync(fd),
    alloc: (size) => Buffer.allocUnsafe(size),
    latin1: (buf, start, end) => (buf as typeof Buffer).toString("latin1", start, end),
    utf8: (buf, start, end) => (buf as typeof Buffer).toString("utf8", start, end),
    view: (bytes) => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length),
    wrap: (bytes) => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length),
    collect: bun === undefined ? () => {} : () => bun.gc(false),
  };
  return cached;
}
