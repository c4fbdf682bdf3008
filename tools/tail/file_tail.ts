/**
 * Reading log files as they grow, for `sluice tail`: the last records over many files merged by
 * time, then what is appended, across rotation and truncation.
 *
 * @module
 */
import { errorMessage } from "../../lib/errors.ts";
import type { FileReader, FsOps } from "../../lib/runtime/runtime.ts";
import { readTailLine, type TailFilter, type TailLine } from "./tail_line.ts";

/** Options of {@linkcode FileTail}. */
export interface FileTailOptions {
  /** The file system (the runtime adapter's `fs`). */
  fs: FsOps;
  /** Records shown by {@linkcode FileTail.showLast}. @default 10 */
  lines?: number;
  /** Which records to show. */
  filter?: TailFilter;
  /** Receives each line shown, oldest first. */
  onLine: (line: TailLine) => void;
  /** Told of files that cannot be read, and of files past `maxFiles`, once each. @default nothing */
  onWarning?: (message: string) => void;
  /** The most files followed at once (each holds a descriptor). @default 512 */
  maxFiles?: number;
}

interface Tracked {
  path: string;
  reader: FileReader;
  /** Bytes read so far (up to the end of the last whole line seen). */
  offset: number;
  /** The start of a line whose end has not been written yet. */
  partial: Uint8Array;
  /** The file's first bytes when first read: if they change, it was rewritten in place. */
  head: Uint8Array;
}

/** The most read from one file in one look, and from all files in one look: bounds memory. */
const FILE_BUDGET = 1 << 20;
const POLL_BUDGET = 8 << 20;
/** Bytes kept to tell whether a file was rewritten in place. */
const HEAD_BYTES = 64;
/** A line longer than this with no newline yet is shown as it is, not held. */
const MAX_PARTIAL = 1 << 20;
/** Bytes read at a time when looking back for the last records. */
const BACK_CHUNK = 64 << 10;
const NEWLINE = 10;
const EMPTY: Uint8Array = new Uint8Array(0);
const utf8 = new TextDecoder();

/**
 * Follows log files: each path a file, or a directory whose `.ndjson` files are all followed
 * (files that appear later included). Each file is held open and known by identity (device
 * and inode), so a file renamed or deleted by rotation is read to its end before it is let go,
 * and the new file at its path is read from its start: nothing twice, nothing skipped. A file
 * that shrinks, or whose first bytes or last line read change, was truncated or rewritten and
 * is read again from its start. Memory stays bounded: a few MiB a look, whatever the files.
 *
 * @example
 * ```ts
 * import { FileTail } from "./file_tail.ts";
 * const tail = new FileTail(["./logs"], { fs: detectRuntime().fs!, onLine: (l) => console.log(l.raw) });
 * tail.showLast();
 * setInterval(() => tail.poll(), 250);
 * ```
 */
export class FileTail {
  readonly #paths: readonly string[];
  readonly #fs: FsOps;
  readonly #lines: number;
  readonly #filter: TailFilter;
  readonly #onLine: (line: TailLine) => void;
  readonly #warn: (message: string) => void;
  readonly #maxFiles: number;
  readonly #warned = new Set<string>();
  readonly #files = new Map<string, Tracked>();

  /**
   * @param paths Files or directories; each must exist.
   * @param options File system, how many records first, filter, and where lines go.
   */
  constructor(paths: readonly string[], options: FileTailOptions) {
    const lines = options.lines ?? 10;
    if (!(Number.isInteger(lines) && lines >= 0)) throw new RangeError(`sluice tail: lines must be a whole number, got ${lines}`);
    for (const p of paths) if (options.fs.stat(p) === undefined) throw new Error(`sluice tail: ${p} does not exist`);
    this.#paths = paths;
    this.#fs = options.fs;
    this.#lines = lines;
    this.#filter = options.filter ?? {};
    this.#onLine = options.onLine;
    const warn = options.onWarning ?? (() => {});
    this.#warn = (m) => {
      if (!this.#warned.has(m)) this.#warned.add(m), warn(m);
    };
    this.#maxFiles = options.maxFiles ?? 512;
  }

  /** Shows the last `lines` records over all the files, merged by time, and starts following each file from its end. */
  showLast(): void {
    const shown: TailLine[] = [];
    for (const f of this.#discover()) {
      const t = this.#track(f.path, f.id);
      if (t === undefined) continue;
      const { lines, end } = this.#lastLines(t.reader);
      shown.push(...lines);
      t.offset = end;
    }
    this.#emit(shown, this.#lines);
  }

  /** Shows what was appended since the last look, merged by time. */
  poll(): void {
    const present = new Set<string>();
    for (const f of this.#discover()) {
      present.add(f.id);
      // a file not seen before appeared after the start: all of it is new
      if (!this.#files.has(f.id)) this.#track(f.path, f.id);
      else this.#files.get(f.id)!.path = f.path;
    }
    const shown: TailLine[] = [];
    let budget = POLL_BUDGET;
    for (const [id, t] of this.#files) {
      let size: number;
      try {
        size = t.reader.size();
        if (this.#rewritten(t, size)) {
          t.offset = 0;
          t.partial = EMPTY;
          t.head = EMPTY;
        }
      } catch (err) {
        this.#warn(`sluice tail: cannot read ${t.path}: ${errorMessage(err)}`);
        this.#forget(id, t);
        continue;
      }
      const from = t.offset + t.partial.length;
      const n = Math.min(size - from, FILE_BUDGET, budget);
      if (n > 0) {
        budget -= n;
        this.#take(t, t.reader.read(from, n), shown);
      }
      // renamed away or deleted (rotation): let it go once it is read to its end
      if (!present.has(id) && t.offset + t.partial.length >= size) this.#forget(id, t);
    }
    this.#emit(shown, Infinity);
  }

  /** Closes every file. */
  close(): void {
    for (const [id, t] of this.#files) this.#forget(id, t);
  }

  /** Every file the paths name now, with its identity; each once. */
  #discover(): { path: string; id: string }[] {
    const out = new Map<string, { path: string; id: string }>();
    const add = (path: string) => {
      const st = this.#fs.stat(path);
      if (st !== undefined && !st.directory && !out.has(st.id)) out.set(st.id, { path, id: st.id });
    };
    for (const p of this.#paths) {
      const st = this.#fs.stat(p);
      if (st === undefined) continue;
      if (!st.directory) add(p);
      else for (const name of this.#fs.list(p).sort()) if (name.endsWith(".ndjson")) add(`${p}/${name}`);
    }
    return [...out.values()];
  }

  /** Opens a file to follow (from its start); `undefined` when it is gone or there are too many. */
  #track(path: string, id: string): Tracked | undefined {
    if (this.#files.size >= this.#maxFiles) {
      this.#warn(`sluice tail: following the first ${this.#maxFiles} files only; name fewer paths`);
      return undefined;
    }
    let reader: FileReader;
    try {
      reader = this.#fs.openReader(path);
    } catch (err) {
      if ((err as { code?: string })?.code !== "ENOENT") this.#warn(`sluice tail: cannot open ${path}: ${errorMessage(err)}`);
      return undefined;
    }
    const existing = this.#files.get(reader.id);
    if (existing !== undefined || reader.id !== id) {
      // the name moved on between the look and the open: that file is (or will be) followed by its own identity
      reader.close();
      return existing;
    }
    const t: Tracked = { path, reader, offset: 0, partial: EMPTY, head: EMPTY };
    this.#files.set(id, t);
    return t;
  }

  #forget(id: string, t: Tracked): void {
    this.#files.delete(id);
    try {
      t.reader.close();
    } catch { /* already gone */ }
  }

  /** True when the file shrank, or its first bytes or the end of the last line read changed. */
  #rewritten(t: Tracked, size: number): boolean {
    const from = t.offset + t.partial.length;
    if (size < from) return true;
    if (size === from || t.offset === 0) return false;
    if (t.reader.read(t.offset - 1, 1)[0] !== NEWLINE) return true;
    const head = t.reader.read(0, t.head.length);
    for (let i = 0; i < t.head.length; i++) if (head[i] !== t.head[i]) return true;
    return false;
  }

  /** Takes whole lines from bytes read at the end of what was read before. */
  #take(t: Tracked, bytes: Uint8Array, shown: TailLine[]): void {
    if (t.head.length < HEAD_BYTES && t.offset === 0) t.head = concat(t.partial, bytes).slice(0, HEAD_BYTES);
    let all = t.partial.length === 0 ? bytes : concat(t.partial, bytes);
    let cut = all.lastIndexOf(NEWLINE) + 1;
    if (cut === 0 && all.length > MAX_PARTIAL) cut = all.length; // a line with no end in sight: shown as it is
    for (const raw of splitLines(all.subarray(0, cut))) {
      const line = readTailLine(raw, this.#filter);
      if (line !== undefined) shown.push(line);
    }
    t.offset += cut;
    all = all.subarray(cut);
    t.partial = all.length === 0 ? EMPTY : all.slice();
  }

  /**
   * The last `lines` shown lines of a file, read backwards a chunk at a time (memory stays
   * within a chunk and the lines kept), and where its last whole line ends.
   */
  #lastLines(reader: FileReader): { lines: TailLine[]; end: number } {
    const size = reader.size();
    const t = this.#files.get(reader.id)!;
    t.head = reader.read(0, Math.min(HEAD_BYTES, size));
    const tailBytes = reader.read(Math.max(0, size - BACK_CHUNK), Math.min(size, BACK_CHUNK));
    const end = Math.max(0, size - tailBytes.length) + tailBytes.lastIndexOf(NEWLINE) + 1;
    const found: TailLine[] = [];
    if (this.#lines === 0) return { lines: found, end };
    let pos = end;
    let carry = EMPTY; // the start of a line whose beginning is further back
    while (pos > 0 && found.length < this.#lines) {
      const start = Math.max(0, pos - BACK_CHUNK);
      const chunk = concat(reader.read(start, pos - start), carry);
      const first = start === 0 ? 0 : chunk.indexOf(NEWLINE) + 1;
      if (first === 0 && start > 0) {
        if (chunk.length > MAX_PARTIAL) break; // one line longer than we will hold: stop looking back
        carry = chunk;
        pos = start;
        continue;
      }
      const lines = splitLines(chunk.subarray(first));
      for (let i = lines.length - 1; i >= 0 && found.length < this.#lines; i--) {
        const line = readTailLine(lines[i], this.#filter);
        if (line !== undefined) found.push(line);
      }
      carry = chunk.slice(0, first);
      pos = start;
    }
    return { lines: found.reverse(), end };
  }

  /** Shows the last `limit` of `lines`, oldest first (lines that are not records keep their place). */
  #emit(lines: TailLine[], limit: number): void {
    let t = -Infinity;
    const keyed = lines.map((line) => ({ line, t: (t = line.record?.time ?? t) }));
    keyed.sort((a, b) => a.t - b.t);
    for (const { line } of keyed.slice(Math.max(0, keyed.length - limit))) this.#onLine(line);
  }
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  if (a.length === 0) return b;
  if (b.length === 0) return a;
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}

/** The non-empty lines of whole-line bytes. */
function splitLines(bytes: Uint8Array): string[] {
  const out: string[] = [];
  for (let start = 0; start < bytes.length;) {
    let end = bytes.indexOf(NEWLINE, start);
    if (end < 0) end = bytes.length;
    if (end > start) out.push(utf8.decode(bytes.subarray(start, end)));
    start = end + 1;
  }
  return out;
}
