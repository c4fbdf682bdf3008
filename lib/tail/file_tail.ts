/**
 * Reading log files as they grow, for `sluice tail`: the last records over many files merged by
 * time, then what is appended, across rotation and truncation.
 *
 * @module
 */
import type { FsOps } from "../runtime.ts";
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
}

interface Tracked {
  path: string;
  /** Bytes read so far (up to the end of the last whole line seen). */
  offset: number;
  /** The start of a line whose end has not been written yet. */
  partial: Uint8Array;
}

/** The most read from one file in one look: bounds memory when a file grows fast. */
const MAX_READ = 4 << 20;
const NEWLINE = 10;
const EMPTY = new Uint8Array(0);
const utf8 = new TextDecoder();

/**
 * Follows log files: each path a file, or a directory whose `.ndjson` files are all followed
 * (files that appear later included). Files are tracked by identity (device and inode), so a
 * file renamed by rotation is read to its end and the new file from its start: nothing twice,
 * nothing skipped. A file that shrinks, or whose last line read no longer ends where it did, was
 * truncated and is read again from its start.
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
  #files = new Map<string, Tracked>();

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
  }

  /** Shows the last `lines` records over all the files, merged by time, and starts following each file from its end. */
  showLast(): void {
    const shown: TailLine[] = [];
    for (const f of this.#discover()) {
      const { lines, end } = this.#lastLines(f.path, f.size);
      shown.push(...lines);
      this.#files.set(f.id, { path: f.path, offset: end, partial: EMPTY });
    }
    this.#emit(shown, this.#lines);
  }

  /** Shows what was appended since the last look, merged by time. */
  poll(): void {
    const seen = new Map<string, Tracked>();
    const shown: TailLine[] = [];
    for (const f of this.#discover()) {
      // a file not seen before appeared after the start: all of it is new
      const t = this.#files.get(f.id) ?? { path: f.path, offset: 0, partial: EMPTY };
      t.path = f.path;
      seen.set(f.id, t);
      const from = t.offset + t.partial.length;
      if (f.size < from || (f.size > from && t.offset > 0 && this.#fs.readRange(f.path, t.offset - 1, 1)[0] !== NEWLINE)) {
        // shrunk, or rewritten so that a line no longer ends where the last one read did: truncated
        t.offset = 0;
        t.partial = EMPTY;
      }
      if (f.size <= t.offset + t.partial.length) continue;
      const start = t.offset + t.partial.length;
      const bytes = this.#fs.readRange(f.path, start, Math.min(f.size - start, MAX_READ));
      const all = t.partial.length === 0 ? bytes : concat(t.partial, bytes);
      const cut = all.lastIndexOf(NEWLINE) + 1;
      for (const raw of splitLines(all.subarray(0, cut))) {
        const line = readTailLine(raw, this.#filter);
        if (line !== undefined) shown.push(line);
      }
      t.offset += cut;
      t.partial = all.slice(cut);
    }
    this.#files = seen;
    this.#emit(shown, Infinity);
  }

  /** Every file the paths name now, with its size and identity. */
  #discover(): { path: string; id: string; size: number }[] {
    const out: { path: string; id: string; size: number }[] = [];
    for (const p of this.#paths) {
      const st = this.#fs.stat(p);
      if (st === undefined) continue;
      if (!st.directory) {
        out.push({ path: p, id: st.id, size: st.size });
        continue;
      }
      for (const name of this.#fs.list(p).sort()) {
        if (!name.endsWith(".ndjson")) continue;
        const path = `${p}/${name}`;
        const f = this.#fs.stat(path);
        if (f !== undefined && !f.directory) out.push({ path, id: f.id, size: f.size });
      }
    }
    return out;
  }

  /** The last `lines` shown lines of a file (reading back until there are enough), and where its last whole line ends. */
  #lastLines(path: string, size: number): { lines: TailLine[]; end: number } {
    let window = 64 << 10;
    for (;;) {
      const start = Math.max(0, size - window);
      const bytes = this.#fs.readRange(path, start, size - start);
      const cut = bytes.lastIndexOf(NEWLINE) + 1;
      const first = start === 0 ? 0 : bytes.indexOf(NEWLINE) + 1;
      const lines: TailLine[] = [];
      if (first > 0 || start === 0) {
        for (const raw of splitLines(bytes.subarray(first, Math.max(first, cut)))) {
          const line = readTailLine(raw, this.#filter);
          if (line !== undefined) lines.push(line);
        }
      }
      if (lines.length >= this.#lines || start === 0) return { lines: lines.slice(Math.max(0, lines.length - this.#lines)), end: start + cut };
      window *= 4;
    }
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
