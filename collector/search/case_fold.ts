/**
 * ASCII lower-casing of a block of bytes, sixteen at a time with WebAssembly SIMD (a JavaScript
 * loop where that is missing), so a case-insensitive search is a plain byte search on the copy.
 *
 * The module is small enough to write out by hand; its text form:
 *
 * ```wat
 * (module
 *   (memory (export "mem") 1)
 *   (func (export "lower") (param $src i32) (param $dst i32) (param $n i32) (result i32)
 *     (local $end i32) (local $v v128) (local $high v128) (local $backslash v128)
 *     (local.set $end (i32.add (local.get $src) (local.get $n)))
 *     (block (loop
 *       (br_if 1 (i32.ge_u (local.get $src) (local.get $end)))
 *       ;; v | ((v - 'A') <u 26 ? 0x20 : 0): only A-Z change; bytes >= 0x80 stay
 *       (v128.store (local.get $dst)
 *         (v128.or (local.get $v)
 *           (v128.and (i8x16.lt_u (i8x16.sub (local.tee $v (v128.load (local.get $src))) (i8x16.splat 0x41)) (i8x16.splat 26))
 *                     (i8x16.splat 0x20))))
 *       (local.set $high (v128.or (local.get $high) (local.get $v)))
 *       (local.set $backslash (v128.or (local.get $backslash) (i8x16.eq (local.get $v) (i8x16.splat 0x5c))))
 *       (local.set $src (i32.add (local.get $src) (i32.const 16)))
 *       (local.set $dst (i32.add (local.get $dst) (i32.const 16)))
 *       (br 0)))
 *     ;; bit 0: a byte >= 0x80 was seen; bit 1: a backslash
 *     (i32.or (i32.ne (i8x16.bitmask (local.get $high)) (i32.const 0))
 *             (i32.shl (v128.any_true (local.get $backslash)) (i32.const 1))))
 *   ;; the first pos in [pos, end) (rounded up to 16) where mem[pos] = first and mem[pos + k] = last, or -1
 *   (func (export "find") (param $pos i32) (param $end i32) (param $first i32) (param $last i32) (param $k i32) (result i32)
 *     (local $f v128) (local $l v128) (local $mask i32)
 *     (local.set $f (i8x16.splat (local.get $first)))
 *     (local.set $l (i8x16.splat (local.get $last)))
 *     (block (loop
 *       (br_if 1 (i32.ge_u (local.get $pos) (local.get $end)))
 *       (local.set $mask (i8x16.bitmask (v128.and
 *         (i8x16.eq (v128.load (local.get $pos)) (local.get $f))
 *         (i8x16.eq (v128.load (i32.add (local.get $pos) (local.get $k))) (local.get $l)))))
 *       (if (local.get $mask) (then (return (i32.add (local.get $pos) (i32.ctz (local.get $mask))))))
 *       (local.set $pos (i32.add (local.get $pos) (i32.const 16)))
 *       (br 0)))
 *     (i32.const -1)))
 * ```
 *
 * @module
 */

const splat = (b: number) => new Array<number>(16).fill(b);
const BODY = [
  0x02, 0x01, 0x7f, 0x03, 0x7b, // locals: one i32 ($end), three v128 ($v, $high, $backslash)
  0x20, 0x00, 0x20, 0x02, 0x6a, 0x21, 0x03, // end = src + n
  0x02, 0x40, 0x03, 0x40, // block, loop
  0x20, 0x00, 0x20, 0x03, 0x4f, 0x0d, 0x01, // br_if 1 (src >= end)
  0x20, 0x01, // dst, the store's address
  0x20, 0x00, 0xfd, 0x00, 0x00, 0x00, 0x22, 0x04, // v = v128.load(src)
  0xfd, 0x0c, ...splat(0x41), 0xfd, 0x71, // - 'A'
  0xfd, 0x0c, ...splat(0x1a), 0xfd, 0x26, // <u 26
  0xfd, 0x0c, ...splat(0x20), 0xfd, 0x4e, // & 0x20
  0x20, 0x04, 0xfd, 0x50, // | v
  0xfd, 0x0b, 0x00, 0x00, // v128.store
  0x20, 0x05, 0x20, 0x04, 0xfd, 0x50, 0x21, 0x05, // high |= v
  0x20, 0x06, 0x20, 0x04, 0xfd, 0x0c, ...splat(0x5c), 0xfd, 0x23, 0xfd, 0x50, 0x21, 0x06, // backslash |= (v == '\\')
  0x20, 0x00, 0x41, 0x10, 0x6a, 0x21, 0x00, // src += 16
  0x20, 0x01, 0x41, 0x10, 0x6a, 0x21, 0x01, // dst += 16
  0x0c, 0x00, 0x0b, 0x0b, // br 0, end, end
  0x20, 0x05, 0xfd, 0x64, 0x41, 0x00, 0x47, // bitmask(high) != 0
  0x20, 0x06, 0xfd, 0x53, 0x41, 0x01, 0x74, 0x72, // | any_true(backslash) << 1
  0x0b,
];

const FIND = [
  0x02, 0x02, 0x7b, 0x01, 0x7f, // locals: two v128 ($f, $l), one i32 ($mask)
  0x20, 0x02, 0xfd, 0x0f, 0x21, 0x05, // f = splat(first)
  0x20, 0x03, 0xfd, 0x0f, 0x21, 0x06, // l = splat(last)
  0x02, 0x40, 0x03, 0x40, // block, loop
  0x20, 0x00, 0x20, 0x01, 0x4f, 0x0d, 0x01, // br_if 1 (pos >= end)
  0x20, 0x00, 0xfd, 0x00, 0x00, 0x00, 0x20, 0x05, 0xfd, 0x23, // load(pos) == f
  0x20, 0x00, 0x20, 0x04, 0x6a, 0xfd, 0x00, 0x00, 0x00, 0x20, 0x06, 0xfd, 0x23, // load(pos + k) == l
  0xfd, 0x4e, 0xfd, 0x64, 0x22, 0x07, // mask = bitmask(and)
  0x04, 0x40, 0x20, 0x00, 0x20, 0x07, 0x68, 0x6a, 0x0f, 0x0b, // if mask: return pos + ctz(mask)
  0x20, 0x00, 0x41, 0x10, 0x6a, 0x21, 0x00, // pos += 16
  0x0c, 0x00, 0x0b, 0x0b, // br 0, end, end
  0x41, 0x7f, 0x0b, // -1
];

function leb(n: number): number[] {
  const out: number[] = [];
  do {
    let b = n & 0x7f;
    n >>>= 7;
    if (n !== 0) b |= 0x80;
    out.push(b);
  } while (n !== 0);
  return out;
}
const section = (id: number, bytes: number[]) => [id, ...leb(bytes.length), ...bytes];
const name = (s: string) => [s.length, ...[...s].map((c) => c.charCodeAt(0))];
const MODULE = new Uint8Array([
  0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
  ...section(1, [0x02, 0x60, 0x03, 0x7f, 0x7f, 0x7f, 0x01, 0x7f, 0x60, 0x05, 0x7f, 0x7f, 0x7f, 0x7f, 0x7f, 0x01, 0x7f]), // (i32 x3) -> i32, (i32 x5) -> i32
  ...section(3, [0x02, 0x00, 0x01]),
  ...section(5, [0x01, 0x00, 0x01]), // one memory, one page at first
  ...section(7, [0x03, ...name("lower"), 0x00, 0x00, ...name("find"), 0x00, 0x01, ...name("mem"), 0x02, 0x00]),
  ...section(10, [0x02, ...leb(BODY.length), ...BODY, ...leb(FIND.length), ...FIND]),
]);

const PAGE = 65536;
let compiled: WebAssembly.Module | undefined;
const round16 = (n: number) => Math.ceil(n / 16) * 16;

/**
 * Lower-cases ASCII letters of byte blocks into its own buffer.
 *
 * @example
 * ```ts
 * import { CaseFolder } from "./case_fold.ts";
 * const folded = new CaseFolder().fold(new TextEncoder().encode("Hello ÀB"), 9);
 * new TextDecoder().decode(folded); // "hello Àb"
 * ```
 */
export class CaseFolder {
  readonly #lower: ((src: number, dst: number, n: number) => number) | undefined;
  readonly #find: ((pos: number, end: number, first: number, last: number, k: number) => number) | undefined;
  #seen = 0;
  /** Where the folded copy starts in the module's memory, and its length. */
  #at = 0;
  #n = 0;
  #heap: Uint8Array = new Uint8Array(0);
  readonly #memory: WebAssembly.Memory | undefined;
  /** The size of the region at the memory's start handed out by `source`. */
  #source = 0;
  #js: Uint8Array = new Uint8Array(0);

  /** @param simd Use the WebAssembly module when it runs (false: the JavaScript loop, which gives the same results). */
  constructor(simd = true) {
    if (!simd) return;
    try {
      const instance = new WebAssembly.Instance(compiled ??= new WebAssembly.Module(MODULE));
      this.#lower = instance.exports.lower as (src: number, dst: number, n: number) => number;
      this.#find = instance.exports.find as (pos: number, end: number, first: number, last: number, k: number) => number;
      this.#memory = instance.exports.mem as WebAssembly.Memory;
    } catch {
      // no WebAssembly SIMD here: the loop below does the same
    }
  }

  /** Whether the SIMD module runs (else the JavaScript loop). */
  get simd(): boolean {
    return this.#lower !== undefined;
  }

  /**
   * A buffer of `size` bytes at the start of the module's memory, for a reader to read blocks
   * into: folding a block from there needs no copy. Undefined without the module.
   *
   * @param size Its size.
   * @returns The buffer.
   */
  source(size: number): Uint8Array | undefined {
    const memory = this.#memory;
    if (memory === undefined) return undefined;
    this.#source = size;
    this.#reserve(size);
    return new Uint8Array(memory.buffer, 0, size);
  }

  /**
   * The first `n` bytes of `src`, ASCII letters lower-cased; valid until the next call.
   *
   * @param src The bytes: the `source` buffer, or any other (copied in first).
   * @param n How many.
   * @returns The folded copy.
   */
  fold(src: Uint8Array, n: number): Uint8Array {
    const memory = this.#memory;
    if (memory === undefined) return this.#foldJs(src, n);
    const inPlace = src.buffer === memory.buffer && src.byteOffset === 0;
    // a copy from elsewhere may need more room, which moves the memory (and leaves `source` behind)
    if (!inPlace) this.#reserve(n);
    const dst = round16(Math.max(n, this.#source) + 16);
    const heap = new Uint8Array(memory.buffer);
    if (!inPlace) heap.set(src.subarray(0, n), 0);
    const whole = n & ~15;
    let seen = this.#lower!(0, dst, whole);
    for (let i = whole; i < n; i++) {
      const b = heap[i];
      heap[dst + i] = b - 65 < 26 && b >= 65 ? b | 0x20 : b;
      seen |= (b >> 7) | (b === 0x5c ? 2 : 0);
    }
    this.#seen = seen;
    this.#at = dst;
    this.#n = n;
    this.#heap = heap;
    return heap.subarray(dst, dst + n);
  }

  /** Room for `n` bytes at the start, their folded copy after them, and find's 16-byte reads past its end. */
  #reserve(n: number): void {
    const memory = this.#memory!;
    const need = round16(Math.max(n, this.#source) + 16) + n + 48;
    if (need > memory.buffer.byteLength) memory.grow(Math.ceil((need - memory.buffer.byteLength) / PAGE));
  }

  /**
   * Where `needle` (lower-case) first occurs in the last block folded, at or after `from`; -1
   * when it does not.
   *
   * @param needle The bytes, lower-cased.
   * @param from Where to start.
   * @returns The position in the block, or -1.
   */
  indexOf(needle: Uint8Array, from: number): number {
    const n = this.#n, len = needle.length, k = len - 1;
    const heap = this.#heap, at = this.#at;
    const last = n - len; // the last position where the needle fits
    if (this.#find === undefined) {
      for (let i = from; i <= last; i++) if (matchesAt(heap, at + i, needle)) return i;
      return -1;
    }
    for (let i = from; i <= last;) {
      const p = this.#find(at + i, at + last + 1, needle[0], needle[k], k) - at;
      if (p < 0 || p > last) return -1;
      if (matchesAt(heap, at + p, needle)) return p;
      i = p + 1;
    }
    return -1;
  }

  /** Whether the last block folded had a byte of 0x80 or more (non-ASCII). */
  get sawNonAscii(): boolean {
    return (this.#seen & 1) !== 0;
  }

  /** Whether the last block folded had a backslash. */
  get sawBackslash(): boolean {
    return (this.#seen & 2) !== 0;
  }

  #foldJs(src: Uint8Array, n: number): Uint8Array {
    if (this.#js.length < n) this.#js = new Uint8Array(n);
    this.#heap = this.#js;
    this.#at = 0;
    this.#n = n;
    const out = this.#js;
    let seen = 0;
    for (let i = 0; i < n; i++) {
      const b = src[i];
      out[i] = b - 65 < 26 && b >= 65 ? b | 0x20 : b;
      seen |= (b >> 7) | (b === 0x5c ? 2 : 0);
    }
    this.#seen = seen;
    return out.subarray(0, n);
  }
}

function matchesAt(heap: Uint8Array, at: number, needle: Uint8Array): boolean {
  for (let j = 0; j < needle.length; j++) if (heap[at + j] !== needle[j]) return false;
  return true;
}
