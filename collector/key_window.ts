/**
 * The Idempotency-Keys one token's writes are remembered by, as a bounded window of 16-byte
 * digests in typed arrays.
 *
 * @module
 */

/**
 * The first size of a window's arrays, in keys (they double up to the window's bound): the
 * default bound's, so a window that fills makes no garbage (its memory is touched only as keys
 * come, about 4.5 MB when full).
 */
const FIRST_CAPACITY = 131_072;
/** A digest as {@linkcode KeyWindow} takes it: 22 characters of base64url (16 bytes). */
const DIGEST = /^[A-Za-z0-9_-]{22}$/;
const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
const VALUE = new Int8Array(128).fill(-1);
for (let i = 0; i < ALPHABET.length; i++) VALUE[ALPHABET.charCodeAt(i)] = i;

/**
 * The text of a key digest: 16 bytes as 22 characters of base64url.
 *
 * @param bytes The digest's 16 bytes.
 * @returns Its text.
 * @example
 * ```ts
 * import { digestText } from "./key_window.ts";
 * digestText(new Uint8Array(16)); // "AAAAAAAAAAAAAAAAAAAAAA"
 * ```
 */
export function digestText(bytes: Uint8Array): string {
  return btoa(String.fromCharCode(...bytes.subarray(0, 16))).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

/**
 * Whether a string is a key digest as the collector makes them (`keyDigest`): 22 characters of
 * base64url.
 *
 * @param s The string.
 * @returns True when {@linkcode KeyWindow} takes it.
 * @example
 * ```ts
 * import { isKeyDigest } from "./key_window.ts";
 * isKeyDigest("q1VwJ3Jm8WZ0b3VjaGVkQQ"); // true
 * isKeyDigest("h1"); // false
 * ```
 */
export function isKeyDigest(s: string): boolean {
  return DIGEST.test(s);
}

/**
 * A token's remembered keys: at most `max`, oldest first (one TTL for all, so the oldest key
 * expires first), each a 16-byte digest and its expiry in typed arrays with an open-addressing
 * index: about 34 bytes a key at the bound, 6 MB for 100,000 keys where a `Map` of digest strings
 * took about 20 MB (and a collector's memory grew by that while its window filled, over half
 * an hour at 20,000 records/s). The arrays are made for 131,072 keys (their pages taken from the OS as keys come) and double past that.
 *
 * @example
 * ```ts
 * import { KeyWindow } from "./key_window.ts";
 * const keys = new KeyWindow(100_000);
 * const now = Date.now();
 * keys.add("q1VwJ3Jm8WZ0b3VjaGVkQQ", now + 86_400_000, now); // 0: none evicted
 * keys.has("q1VwJ3Jm8WZ0b3VjaGVkQQ", now); // true
 * ```
 */
export class KeyWindow {
  readonly #max: number;
  /** Ring of slots: four words of digest, and the expiry (0: a slot whose key was added again later). */
  #words: Uint32Array;
  #expires: Float64Array;
  /** Open addressing, linear probing: slot + 1, or 0 for empty. */
  #index: Int32Array;
  #head = 0;
  #count = 0;
  #live = 0;
  readonly #d = new Uint32Array(4);

  /**
   * @param max The most keys kept; past it the oldest is forgotten.
   * @param firstCapacity The arrays' first size, in keys.
   */
  constructor(max: number, firstCapacity: number = FIRST_CAPACITY) {
    this.#max = max;
    const cap = Math.max(1, Math.min(firstCapacity, max));
    this.#words = new Uint32Array(4 * cap);
    this.#expires = new Float64Array(cap);
    this.#index = new Int32Array(indexSize(cap));
  }

  /** Keys held (expired ones not yet let go included). */
  get size(): number {
    return this.#live;
  }

  /** True when `digest` is held and expires after `now`. */
  has(digest: string, now: number): boolean {
    if (!this.#decode(digest)) return false;
    const at = this.#find();
    return at >= 0 && this.#expires[this.#index[at] - 1] > now;
  }

  /**
   * Remembers `digest` until `expires` (a key held already moves to the newest place). Lets go of
   * the expired keys at the oldest end, and of the oldest when `max` are held.
   *
   * @returns How many keys that had not expired were let go for the bound.
   */
  add(digest: string, expires: number, now: number): number {
    if (!this.#decode(digest)) throw new TypeError(`sluice: not a key digest: ${JSON.stringify(digest.slice(0, 40))}`);
    let evicted = 0;
    while (this.#count > 0) {
      const s = this.#head, e = this.#expires[s];
      if (e !== 0) {
        if (e > now && this.#live < this.#max) break;
        if (e > now) evicted++;
        this.#unindex(s);
        this.#live--;
      }
      this.#head = (s + 1) % this.#expires.length;
      this.#count--;
    }
    const held = this.#find();
    if (held >= 0) {
      const s = this.#index[held] - 1;
      this.#removeAt(held);
      this.#expires[s] = 0;
      this.#live--;
    }
    // full: larger arrays, or at the bound the same size without the slots of keys added again
    if (this.#count === this.#expires.length) this.#resize(Math.min(this.#max, 2 * this.#expires.length));
    const s = (this.#head + this.#count) % this.#expires.length;
    this.#words.set(this.#d, 4 * s);
    this.#expires[s] = expires;
    this.#insert(s);
    this.#count++;
    this.#live++;
    return evicted;
  }

  /** The keys held, oldest first, with their expiries. */
  *entries(): Generator<[string, number]> {
    const cap = this.#expires.length;
    for (let n = 0; n < this.#count; n++) {
      const s = (this.#head + n) % cap;
      if (this.#expires[s] !== 0) yield [encode(this.#words, 4 * s), this.#expires[s]];
    }
  }

  /** Reads a digest into the scratch words; false when it is not one. */
  #decode(digest: string): boolean {
    if (!DIGEST.test(digest)) return false;
    const d = this.#d;
    d.fill(0);
    // 22 characters × 6 bits: the first 128 bits, in order
    for (let i = 0, bit = 0; i < 22; i++, bit += 6) {
      const v = VALUE[digest.charCodeAt(i)];
      for (let b = 5; b >= 0 && bit + 5 - b < 128; b--) {
        const at = bit + 5 - b;
        if ((v >> b) & 1) d[at >> 5] |= 1 << (31 - (at & 31));
      }
    }
    return true;
  }

  /** The index position holding the scratch digest, or -1. */
  #find(): number {
    const d = this.#d, words = this.#words, index = this.#index, mask = index.length - 1;
    for (let at = d[3] & mask; index[at] !== 0; at = (at + 1) & mask) {
      const w = 4 * (index[at] - 1);
      if (words[w] === d[0] && words[w + 1] === d[1] && words[w + 2] === d[2] && words[w + 3] === d[3]) return at;
    }
    return -1;
  }

  #insert(slot: number): void {
    const index = this.#index, mask = index.length - 1;
    let at = this.#words[4 * slot + 3] & mask;
    while (index[at] !== 0) at = (at + 1) & mask;
    index[at] = slot + 1;
  }

  /** Takes a live slot out of the index. */
  #unindex(slot: number): void {
    const index = this.#index, mask = index.length - 1;
    let at = this.#words[4 * slot + 3] & mask;
    while (index[at] !== slot + 1) at = (at + 1) & mask;
    this.#removeAt(at);
  }

  /** Empties an index position, moving back the entries after it that probed past it. */
  #removeAt(hole: number): void {
    const index = this.#index, mask = index.length - 1;
    for (let at = (hole + 1) & mask; index[at] !== 0; at = (at + 1) & mask) {
      const home = this.#words[4 * (index[at] - 1) + 3] & mask;
      // the entry at `at` may fill the hole when its home is not in (hole, at] (cyclically)
      if (((at - home) & mask) >= ((at - hole) & mask)) {
        index[hole] = index[at];
        hole = at;
      }
    }
    index[hole] = 0;
  }

  /** Moves the held keys, oldest first, into arrays of `cap` keys, leaving out the slots of keys added again. */
  #resize(cap: number): void {
    const words = new Uint32Array(4 * cap), expires = new Float64Array(cap), old = this.#expires.length;
    let n = 0;
    for (let k = 0; k < this.#count; k++) {
      const s = (this.#head + k) % old;
      if (this.#expires[s] === 0) continue;
      for (let i = 0; i < 4; i++) words[4 * n + i] = this.#words[4 * s + i];
      expires[n++] = this.#expires[s];
    }
    this.#words = words;
    this.#expires = expires;
    this.#index = new Int32Array(indexSize(cap));
    this.#head = 0;
    this.#count = n;
    for (let s = 0; s < n; s++) this.#insert(s);
  }
}

/** The index's size for `cap` keys: a power of two at least twice as large. */
function indexSize(cap: number): number {
  let n = 2;
  while (n < 2 * cap) n *= 2;
  return n;
}

/** The text of the digest in `words[w, w + 4)` (their bits in order, as `#decode` reads them). */
function encode(words: Uint32Array, w: number): string {
  const bytes = new Uint8Array(16);
  for (let i = 0; i < 16; i++) bytes[i] = words[w + (i >> 2)] >>> (24 - 8 * (i & 3));
  return digestText(bytes);
}
