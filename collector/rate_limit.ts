/**
 * Per-token rate limits, kept across restarts in `<dir>/.sluice/rate-buckets`.
 *
 * @module
 */
import type { Runtime } from "../lib/runtime/runtime.ts";

/** Where a limiter keeps its buckets (see {@linkcode RateLimiter}). */
export interface BucketFile {
  path: string;
  runtime: Runtime;
  /** Keys whose buckets are read back (the tokens configured now). */
  keep(key: string): boolean;
  /** How often changed buckets are written. @default 1000 */
  saveMs?: number;
}

/**
 * A token bucket per key: `ratePerSec` records a second on average, bursts up to `burst`. With a
 * file, the buckets are written (whole, through a rename) every `saveMs` while they change and at
 * `close()`, and read back at start, refilled for the time in between: a restart does not hand a
 * token a full burst. A line that does not parse, or a key not kept, is dropped; an unreadable
 * file leaves the buckets full, never a crash.
 *
 * @example
 * ```ts
 * import { RateLimiter } from "./rate_limit.ts";
 * const limits = new RateLimiter(10_000, 50_000);
 * const wait = limits.take("edge-1", 1000); // 0 when allowed, else seconds to wait
 * ```
 */
export class RateLimiter {
  /** Average records a second. */
  readonly rate: number;
  /** The most records at once. */
  readonly burst: number;
  readonly #buckets = new Map<string, { tokens: number; at: number }>();
  readonly #file: BucketFile | undefined;
  #changed = false;
  #timer: unknown;

  /**
   * @param ratePerSec Average records a second.
   * @param burst The most records at once.
   * @param file Where the buckets are kept across restarts; in memory only without it (or without a file system).
   */
  constructor(ratePerSec: number, burst: number, file?: BucketFile) {
    if (!(ratePerSec > 0) || !(burst > 0)) throw new RangeError("sluice: rate limits must be positive");
    this.rate = ratePerSec;
    this.burst = burst;
    if (file?.runtime.fs === undefined || file.runtime.openFile === undefined) return;
    this.#file = file;
    this.#load(file);
    this.#timer = setInterval(() => this.#changed && this.save(), file.saveMs ?? 1000);
    file.runtime.unrefTimer(this.#timer);
  }

  /** Writes the buckets now (a failed write is tried again at the next interval). */
  save(): void {
    const file = this.#file;
    if (file === undefined) return;
    let text = "";
    for (const [key, b] of this.#buckets) text += `${encodeURIComponent(key)} ${b.tokens} ${b.at}\n`;
    this.#changed = false;
    try {
      const tmp = file.path + ".tmp";
      file.runtime.fs!.remove(tmp);
      const f = file.runtime.openFile!(tmp);
      try {
        f.write(text);
      } finally {
        f.close();
      }
      file.runtime.fs!.rename(tmp, file.path);
    } catch {
      this.#changed = true; // a full disk: next time
    }
  }

  /** Stops the periodic writes and writes the buckets a last time. */
  close(): void {
    clearInterval(this.#timer as number);
    if (this.#changed) this.save();
  }

  #load(file: BucketFile): void {
    let text = "";
    try {
      text = file.runtime.fs!.readText(file.path) ?? "";
    } catch { /* unreadable: the buckets start full */ }
    const now = Date.now();
    const lines = text.split("\n");
    lines.pop(); // "" after the last newline, or a line cut short
    for (const line of lines) {
      const m = /^([\w.!~*'()%-]+) (-?\d+(?:\.\d+)?(?:e[-+]?\d+)?) (\d+)$/.exec(line);
      if (m === null) continue;
      let key: string;
      try {
        key = decodeURIComponent(m[1]);
      } catch {
        continue;
      }
      const tokens = Number(m[2]);
      if (!file.keep(key) || !Number.isFinite(tokens)) continue;
      this.#buckets.set(key, { tokens: Math.min(this.burst, tokens), at: Math.min(now, Number(m[3])) });
    }
  }

  /**
   * Takes `n` records from `key`'s bucket. A batch larger than the burst can never fit, so it is
   * admitted when the bucket is full and leaves it in debt: the token then waits until the
   * excess is paid back at the rate. So every batch is eventually admitted, and the average
   * rate still holds.
   *
   * @returns 0 when allowed (and taken), else the whole seconds until the bucket holds enough
   *   (`min(n, burst)` records).
   */
  take(key: string, n: number, now = Date.now()): number {
    let b = this.#buckets.get(key);
    if (b === undefined) this.#buckets.set(key, (b = { tokens: this.burst, at: now }));
    b.tokens = Math.min(this.burst, b.tokens + ((now - b.at) / 1000) * this.rate);
    b.at = now;
    this.#changed = true;
    if (b.tokens >= Math.min(n, this.burst)) {
      b.tokens -= n;
      return 0;
    }
    return Math.max(1, Math.ceil((Math.min(n, this.burst) - b.tokens) / this.rate));
  }
}
