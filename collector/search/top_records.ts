/**
 * The newest `limit` matches of a scan, and the cursor of the page after them.
 *
 * Records are ranked by time, newest first; records of the same millisecond by a hash of their
 * line, then by the order the scan met them. A cursor names the last record of a page by its
 * time, its line's hash and how many records of that same time and hash were handed out, so
 * the next page starts right after it: a record is neither skipped nor repeated, whatever the
 * order of the lines on disk and however many share a millisecond.
 *
 * @module
 */
import { SearchInputError } from "./search_input.ts";

/** Where a page ended: time, line hash, and how many of that time and hash were given. */
export interface CursorPosition {
  t: number;
  h: number;
  n: number;
}

interface Hit {
  t: number;
  h: number;
  seq: number;
  line: string;
}

/** FNV-1a of the line's UTF-16 code units. */
function hashLine(line: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < line.length; i++) h = Math.imul(h ^ line.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

/**
 * Encodes a cursor (opaque to clients).
 *
 * @param p The position.
 * @returns Its text.
 * @example
 * ```ts
 * import { decodeCursor, encodeCursor } from "./top_records.ts";
 * decodeCursor(encodeCursor({ t: 1000, h: 7, n: 1 })); // { t: 1000, h: 7, n: 1 }
 * ```
 */
export function encodeCursor(p: CursorPosition): string {
  return `${p.t.toString(36)}.${p.h.toString(36)}.${p.n.toString(36)}`;
}

/**
 * Decodes a cursor from {@linkcode encodeCursor}.
 *
 * @param text The cursor.
 * @returns The position.
 * @throws {SearchInputError} When it is not one.
 * @example
 * ```ts
 * import { decodeCursor } from "./top_records.ts";
 * decodeCursor("rs.7.1").t; // 1000
 * ```
 */
export function decodeCursor(text: string): CursorPosition {
  const m = /^(-?[0-9a-z]{1,12})\.([0-9a-z]{1,7})\.([0-9a-z]{1,11})$/.exec(text);
  const [t, h, n] = m === null ? [NaN, NaN, NaN] : m.slice(1).map((s) => parseInt(s, 36));
  if (!Number.isSafeInteger(t) || !(h >= 0 && h <= 0xffffffff) || !Number.isSafeInteger(n)) {
    throw new SearchInputError(`cursor ${JSON.stringify(text.slice(0, 40))} is not one this search gave`);
  }
  return { t, h, n };
}

/**
 * Keeps the newest `limit + 1` records offered (a min-heap on rank), after the cursor when
 * there is one, and no more than `maxBytes` of lines (at least one): past it the oldest kept
 * are let go, the page ends before them, and nothing ranked at or after them enters.
 *
 * @example
 * ```ts
 * import { TopRecords } from "./top_records.ts";
 * const top = new TopRecords(2, undefined);
 * for (const [t, line] of [[1, "a"], [3, "c"], [2, "b"]] as const) if (top.admits(t)) top.offer(t, line);
 * top.page(); // { lines: ["c", "b"], cursor: "…" }
 * ```
 */
export class TopRecords {
  readonly #limit: number;
  readonly #after: CursorPosition | undefined;
  readonly #heap: Hit[] = [];
  #seq = 0;
  #seenAtCursor = 0;
  readonly #maxBytes: number;
  /** Characters of the lines kept. */
  #bytes = 0;
  /** The newest record let go for `maxBytes`: it and all ranked after it are on later pages. */
  #cut: Hit | undefined;

  /**
   * @param limit Records per page.
   * @param after The previous page's end, or undefined for the first page.
   * @param maxBytes The most characters of lines a page holds (at least one line).
   */
  constructor(limit: number, after: CursorPosition | undefined, maxBytes = Infinity) {
    this.#limit = limit;
    this.#after = after;
    this.#maxBytes = maxBytes;
  }

  /** The oldest time that can still enter, or -Infinity while there is room. */
  get floor(): number {
    const full = this.#heap.length > this.#limit ? this.#heap[0].t : -Infinity;
    return this.#cut === undefined ? full : Math.max(full, this.#cut.t);
  }

  /** A quick test by time alone: false when a record of time `t` cannot enter (skip parsing it). */
  admits(t: number): boolean {
    return (this.#after === undefined || t <= this.#after.t) && t >= this.floor;
  }

  /** Offers a matching record (in scan order). */
  offer(t: number, line: string): void {
    if (!this.admits(t)) return;
    const after = this.#after;
    const hit: Hit = { t, h: -1, seq: this.#seq++, line };
    if (after !== undefined && t === after.t) {
      // the same millisecond as the previous page's last record: those ranked before it, and
      // the first n of its own hash, were on the pages before
      const h = this.#hash(hit);
      if (h > after.h || (h === after.h && ++this.#seenAtCursor <= after.n)) return;
    }
    if (this.#cut !== undefined && !this.#newer(hit, this.#cut)) return;
    const heap = this.#heap;
    if (heap.length <= this.#limit) {
      heap.push(hit);
      this.#up(heap.length - 1);
    } else if (this.#newer(hit, heap[0])) {
      this.#bytes -= heap[0].line.length;
      heap[0] = hit;
      this.#down(0);
    } else {
      return;
    }
    this.#bytes += line.length;
    while (this.#bytes > this.#maxBytes && heap.length > 1) this.#letGoOldest();
  }

  /** Lets the oldest kept record go for the byte bound: the page ends before it. */
  #letGoOldest(): void {
    const heap = this.#heap;
    const oldest = heap[0];
    const last = heap.pop()!;
    if (heap.length > 0) {
      heap[0] = last;
      this.#down(0);
    }
    this.#bytes -= oldest.line.length;
    if (this.#cut === undefined || this.#newer(oldest, this.#cut)) this.#cut = oldest;
  }

  /** The page: lines newest first, and the cursor of the next page when more remain. */
  page(): { lines: string[]; cursor: string | undefined } {
    const sorted = [...this.#heap].sort((a, b) => (this.#newer(a, b) ? -1 : 1));
    const more = sorted.length > this.#limit || this.#cut !== undefined;
    const shown = sorted.slice(0, this.#limit);
    if (!more || shown.length === 0) return { lines: shown.map((x) => x.line), cursor: undefined };
    const last = shown[shown.length - 1];
    const lastH = this.#hash(last);
    let n = 0;
    for (const x of shown) if (x.t === last.t && this.#hash(x) === lastH) n++;
    const after = this.#after;
    if (after !== undefined && after.t === last.t && after.h === lastH) n += after.n;
    return { lines: shown.map((x) => x.line), cursor: encodeCursor({ t: last.t, h: lastH, n }) };
  }

  #hash(x: Hit): number {
    if (x.h < 0) x.h = hashLine(x.line);
    return x.h;
  }

  /** Whether a ranks before (is newer than) b; hashes only for a tie in time. */
  #newer(a: Hit, b: Hit): boolean {
    if (a.t !== b.t) return a.t > b.t;
    const ha = this.#hash(a), hb = this.#hash(b);
    return ha !== hb ? ha > hb : a.seq < b.seq;
  }

  #up(i: number): void {
    const heap = this.#heap;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!this.#newer(heap[p], heap[i])) break;
      [heap[p], heap[i]] = [heap[i], heap[p]];
      i = p;
    }
  }

  #down(i: number): void {
    const heap = this.#heap;
    for (;;) {
      const l = 2 * i + 1, r = l + 1;
      let m = i;
      if (l < heap.length && this.#newer(heap[m], heap[l])) m = l;
      if (r < heap.length && this.#newer(heap[m], heap[r])) m = r;
      if (m === i) return;
      [heap[m], heap[i]] = [heap[i], heap[m]];
      i = m;
    }
  }
}
