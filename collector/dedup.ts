/**
 * Idempotency keys that survive a restart.
 *
 * @module
 */
import type { FileDriver, Runtime } from "../lib/runtime/runtime.ts";

/**
 * Remembers the `Idempotency-Key`s of written batches for `ttlMs`, in memory and in an
 * append-only file (`expiresAtMs key` a line), so a batch retried after a collector restart
 * is still written once. The file is compacted when it holds many expired keys.
 *
 * @example
 * ```ts
 * import { IdempotencyStore } from "./dedup.ts";
 * const keys = new IdempotencyStore("./logs/.sluice/idempotency-keys", runtime, 86_400_000);
 * if (!keys.has(key)) { write(); keys.add(key); }
 * ```
 */
export class IdempotencyStore {
  readonly #path: string | undefined;
  readonly #runtime: Runtime;
  readonly #ttlMs: number;
  readonly #keys = new Map<string, number>();
  #file: FileDriver | undefined;
  #lines = 0;

  /**
   * @param path The file, or undefined to keep keys in memory only.
   * @param runtime Files.
   * @param ttlMs How long a key is remembered.
   */
  constructor(path: string | undefined, runtime: Runtime, ttlMs: number) {
    this.#path = path;
    this.#runtime = runtime;
    this.#ttlMs = ttlMs;
    if (path === undefined) return;
    const now = Date.now();
    for (const line of (runtime.fs?.readText(path) ?? "").split("\n")) {
      const sp = line.indexOf(" ");
      const expires = Number(line.slice(0, sp));
      if (sp > 0 && expires > now) this.#keys.set(line.slice(sp + 1), expires);
    }
    this.#compact();
  }

  /** True when `key`'s batch was written within the TTL. */
  has(key: string): boolean {
    const expires = this.#keys.get(key);
    if (expires === undefined) return false;
    if (expires > Date.now()) return true;
    this.#keys.delete(key);
    return false;
  }

  /** Remembers `key`, on disk before it returns. */
  add(key: string): void {
    const expires = Date.now() + this.#ttlMs;
    this.#keys.set(key, expires);
    if (this.#file === undefined) return;
    this.#file.write(`${expires} ${key}\n`);
    if (++this.#lines > 4 * this.#keys.size + 10_000) this.#compact();
  }

  /** Closes the file. */
  close(): void {
    this.#file?.close();
    this.#file = undefined;
  }

  #compact(): void {
    if (this.#path === undefined) return;
    const now = Date.now();
    for (const [k, e] of this.#keys) if (e <= now) this.#keys.delete(k);
    this.#file?.close();
    const fs = this.#runtime.fs!;
    const tmp = this.#path + ".tmp";
    fs.remove(tmp);
    const f = this.#runtime.openFile!(tmp);
    let text = "";
    for (const [k, e] of this.#keys) text += `${e} ${k}\n`;
    if (text !== "") f.write(text);
    f.sync();
    f.close();
    fs.rename(tmp, this.#path);
    this.#file = this.#runtime.openFile!(this.#path);
    this.#lines = this.#keys.size;
  }
}
