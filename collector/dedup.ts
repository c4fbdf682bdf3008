/**
 * The collector's write journal: where each write goes, and the Idempotency-Key it covers, in
 * one append.
 *
 * @module
 */
import type { PlacedPart } from "../lib/files/append_all.ts";
import { splitPath } from "../lib/files/rotation_names.ts";
import type { FileDriver, Runtime } from "../lib/runtime/runtime.ts";
import { digestText, isKeyDigest, KeyWindow } from "./key_window.ts";

/** An Idempotency-Key as the store keeps it: the token's name and a digest of producer and key. */
export interface ScopedKey {
  token: string;
  hash: string;
}

/** What {@linkcode IdempotencyStore} is bounded by. */
export interface KeyLimits {
  /** How long a key is remembered. */
  ttlMs: number;
  /** Keys remembered per token; past it the oldest is forgotten (and counted). */
  maxPerToken: number;
}

const utf8 = new TextEncoder();

/**
 * The digest an Idempotency-Key is remembered by: 16 bytes of SHA-256 over producer and key,
 * base64url (22 characters), whatever the sizes of the key and the producer name.
 *
 * @example
 * ```ts
 * import { keyDigest } from "./dedup.ts";
 * await keyDigest("edge-1", "batch-7"); // "q1Vw…" (22 characters)
 * ```
 */
export async function keyDigest(producer: string, key: string): Promise<string> {
  const d = new Uint8Array(await crypto.subtle.digest("SHA-256", utf8.encode(`${producer}\n${key}`)));
  return digestText(d);
}

/**
 * The digest a stream sequence is remembered by (`sluice consume` names each message's write by
 * it): its 16 bytes are eight zeros and the sequence, big-endian, as base64url, so it is a key
 * digest like {@linkcode keyDigest}'s.
 *
 * @param seq The message's stream sequence.
 * @returns 22 characters.
 * @example
 * ```ts
 * import { sequenceKey } from "./dedup.ts";
 * sequenceKey(1); // "AAAAAAAAAAAAAAAAAAAAAQ"
 * ```
 */
export function sequenceKey(seq: number): string {
  const d = new Uint8Array(16);
  new DataView(d.buffer).setBigUint64(8, BigInt(seq));
  return digestText(d);
}

/** A journal's key as the store keeps it: a digest, or (journals `sluice consume` wrote before digests) a decimal sequence. */
function journaledKey(hash: string): string {
  return /^\d{1,16}$/.test(hash) ? sequenceKey(Number(hash)) : hash;
}

/**
 * Idempotency keys that survive a restart, written in the same append as the write they cover.
 *
 * Before the collector appends a request's records (see `appendAll`), it journals one line:
 * `W <expires> <token> <digest> <file>/<offset>/<bytes> ...` (`-` for no key). The key counts
 * once the records are written. At start, only the last entry can be unfinished (writes are
 * synchronous and in order): if each of its parts is on disk whole, its key is kept; if not,
 * the parts that were written are cut off again (the producer got no answer and sends the batch
 * again), so a crash at any point leaves each record on disk once and no torn line. A write that
 * failed and was undone is marked `A` in the next append. The file is compacted to `K <expires>
 * <token> <digest>` lines. Keys are kept per token, at most `maxPerToken`, about 60 bytes each
 * on disk and 34 in memory ({@linkcode KeyWindow}).
 *
 * @example
 * ```ts
 * import { IdempotencyStore } from "./dedup.ts";
 * const keys = new IdempotencyStore("./logs/.sluice/idempotency-keys", runtime, { ttlMs: 86_400_000, maxPerToken: 100_000 }, (k) => `./logs/${k}.ndjson`);
 * keys.journal(where, key); appendRecords(); keys.commit(key);
 * ```
 */
export class IdempotencyStore {
  readonly #path: string | undefined;
  readonly #runtime: Runtime;
  readonly #limits: KeyLimits;
  readonly #keys = new Map<string, KeyWindow>();
  readonly #syncDir: ((dir: string) => void) | undefined;
  #file: FileDriver | undefined;
  #lines = 0;
  #abortPending = false;
  /** The last write's line is in the journal, and neither committed nor aborted yet. */
  #journaled = false;
  /** A journal line's write failed: part of it may be on disk, without its newline. */
  #torn = false;
  /** Keys forgotten before their time because a token had `maxPerToken`. */
  evicted = 0;
  /** Parts of an unfinished write cut off at start. */
  readonly undone: string[] = [];

  /**
   * @param path The journal, or undefined to keep keys in memory only.
   * @param runtime Files.
   * @param limits TTL and the per-token cap.
   * @param pathOf The path of a journaled file key.
   * @param syncDir fsyncs the journal's directory after a compaction renames the journal into
   *   place (`durable`), so the lines written after it are not lost with the rename in a power cut.
   */
  constructor(path: string | undefined, runtime: Runtime, limits: KeyLimits, pathOf: (key: string) => string, syncDir?: (dir: string) => void) {
    this.#path = path;
    this.#runtime = runtime;
    this.#limits = limits;
    this.#syncDir = syncDir;
    if (path === undefined) return;
    this.#recover(runtime.fs?.readText(path) ?? "", pathOf);
    try {
      this.#compact();
    } catch { /* a full disk at start: the journal is rewritten before the next write */ }
  }

  /** True when the key's batch was written within the TTL. */
  has(key: ScopedKey): boolean {
    return this.#keys.get(key.token)?.has(key.hash, Date.now()) ?? false;
  }

  /** Keys held now, over all tokens. */
  get size(): number {
    let n = 0;
    for (const m of this.#keys.values()) n += m.size;
    return n;
  }

  /** Journals a write's parts and its key, before the write; throws when the journal cannot be written, or the key is no digest (then nothing is written). */
  journal(where: readonly PlacedPart[], key: ScopedKey | undefined): void {
    if (key !== undefined && !isKeyDigest(key.hash)) throw new TypeError(`sluice: an Idempotency key must be a digest (keyDigest, sequenceKey), got ${JSON.stringify(key.hash.slice(0, 40))}`);
    if (this.#path === undefined) return;
    if (this.#file === undefined) this.#compact();
    const expires = key === undefined ? 0 : Date.now() + this.#limits.ttlMs;
    const head = key === undefined ? "- -" : `${encodeURIComponent(key.token)} ${key.hash}`;
    // after a line cut short (a full disk), a newline first: the fragment stays a line of its own
    const line = `${this.#torn ? "\n" : ""}${this.#abortPending ? "A\n" : ""}W ${expires} ${head} ${where.map(([k, off, n]) => `${k}/${off}/${n}`).join(" ")}\n`;
    try {
      this.#file!.write(line);
    } catch (err) {
      this.#torn = true;
      throw err;
    }
    this.#torn = false;
    this.#abortPending = false;
    this.#journaled = true;
    this.#lines++;
  }

  /** The journaled write is on disk: its key counts from now. */
  commit(key: ScopedKey | undefined): void {
    this.#journaled = false;
    if (key !== undefined) this.#remember(key.token, key.hash, Date.now() + this.#limits.ttlMs);
    if (this.#lines > 4 * this.size + 10_000) {
      try {
        this.#compact();
      } catch { /* retried on the next write */ }
    }
  }

  /**
   * The write failed and was undone: when it was journaled, the next append says so (a write
   * that failed before its journal line, a refused key say, leaves the line before it standing).
   */
  abort(): void {
    if (this.#journaled) this.#abortPending = true;
    this.#journaled = false;
  }

  /** Fsyncs the journal. */
  sync(): void {
    this.#file?.sync();
  }

  /** Closes the journal; the next write rewrites it from memory (after its directory was replaced). */
  close(): void {
    const f = this.#file;
    this.#file = undefined;
    try {
      f?.close();
    } catch { /* nothing buffered: node:fs and FsFile write through */ }
  }

  #remember(token: string, hash: string, expires: number): void {
    let w = this.#keys.get(token);
    if (w === undefined) this.#keys.set(token, (w = new KeyWindow(this.#limits.maxPerToken)));
    this.evicted += w.add(hash, expires, Date.now());
  }

  #recover(text: string, pathOf: (key: string) => string): void {
    const lines = text.split("\n");
    lines.pop(); // "" after the last newline, or a torn last line: its write never began
    let last: string[] | undefined;
    const remember = (f: string[]) => {
      if (f[3] !== "-") this.#remember(decodeURIComponent(f[2]), journaledKey(f[3]), Number(f[1]));
    };
    for (const line of lines) {
      const f = line.split(" ");
      if (f[0] === "A") last = undefined;
      else if (f[0] === "K" || f[0] === "W") {
        // any line after a W means its write went through; a damaged line is skipped (not a crash at start)
        if (last !== undefined) remember(last);
        const sound = soundLine(f);
        last = f[0] === "W" && sound ? f : undefined;
        if (f[0] === "K" && sound) remember(f);
      }
    }
    if (last === undefined) return;
    const parts = last.slice(4).map((p) => {
      const [k, off, n] = p.split("/");
      const path = pathOf(k);
      return { path, offset: Number(off), end: Number(off) + Number(n), size: this.#runtime.fs!.stat(path)?.size ?? 0 };
    });
    // all of it on disk, or a later write seen (a file grown past its part, or rotated or
    // truncated away: smaller than where its part began; a write begins only when the one
    // before it is done): it went through
    if (parts.every((p) => p.size >= p.end) || parts.some((p) => p.size > p.end || p.size < p.offset)) return remember(last);
    for (const p of parts) {
      if (p.size === p.offset) continue;
      const f = this.#runtime.openFile!(p.path);
      f.truncate(p.offset);
      f.close();
      this.undone.push(`${p.path}: ${p.size - p.offset} bytes`);
    }
  }

  #compact(): void {
    if (this.#path === undefined) return;
    this.close();
    const now = Date.now();
    let text = "";
    for (const [token, w] of this.#keys) {
      for (const [h, e] of w.entries()) if (e > now) text += `K ${e} ${encodeURIComponent(token)} ${h}\n`;
    }
    const fs = this.#runtime.fs!;
    const tmp = this.#path + ".tmp";
    fs.remove(tmp);
    const f = this.#runtime.openFile!(tmp);
    try {
      if (text !== "") f.write(text);
      f.sync();
    } finally {
      f.close();
    }
    fs.rename(tmp, this.#path);
    this.#syncDir?.(splitPath(this.#path).dir);
    this.#file = this.#runtime.openFile!(this.#path);
    this.#lines = 0;
    this.#abortPending = false; // the rewritten journal has no unfinished write
  }
}

/** A write's part in the journal: `<file key>/<offset>/<bytes>`. */
const PART = /^[^/]*\/\d{1,15}\/\d{1,15}$/;

/** Whether a K or W line's fields are what the store writes: a time, an escaped token, and for W file parts. */
function soundLine(f: string[]): boolean {
  if (f.length < 4 || !/^\d{1,16}$/.test(f[1]) || !(isKeyDigest(journaledKey(f[3])) || (f[0] === "W" && f[2] === "-" && f[3] === "-"))) return false;
  try {
    decodeURIComponent(f[2]);
  } catch {
    return false;
  }
  return f[0] === "K" ? f.length === 4 : f.slice(4).every((p) => PART.test(p));
}
