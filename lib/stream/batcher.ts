/**
 * The batching rule shared by {@linkcode BatchStream} and the logger's channels.
 *
 * @module
 */

/**
 * Limits of one batch; whichever is reached first closes it.
 *
 * @example
 * ```ts
 * import type { BatchLimits } from "./batcher.ts";
 * import type { LogRecord } from "../record.ts";
 * const limits: BatchLimits<LogRecord> = { maxRecords: 500, maxBytes: 1 << 20, maxAgeMs: 50 };
 * ```
 */
export interface BatchLimits<T> {
  /**
   * Items in one batch.
   * @default 4096
   */
  maxRecords?: number;
  /**
   * Approximate bytes in one batch, as measured by `sizeOf`.
   * @default 1048576
   */
  maxBytes?: number;
  /**
   * Milliseconds the first item of a batch may wait before the batch is due.
   * @default 1
   */
  maxAgeMs?: number;
  /**
   * The size of one item in bytes.
   * @default () => 0
   */
  sizeOf?: (item: T) => number;
}

/**
 * Accumulates items and says when a batch is due: it is full by count or bytes, or its first
 * item is `maxAgeMs` old. It calls `onDue` once per due batch; the owner then calls
 * {@linkcode Batcher.take}. Its timer never keeps a process alive when given an `unrefTimer`.
 *
 * @example
 * ```ts
 * import { Batcher } from "./batcher.ts";
 * const b: Batcher<number> = new Batcher({ maxRecords: 2 }, () => console.log(b.take()));
 * b.add(1); b.add(2); // logs [1, 2]
 * ```
 */
export class Batcher<T> {
  #items: T[] = [];
  #bytes = 0;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #due = false;
  readonly #maxRecords: number;
  readonly #maxBytes: number;
  readonly #maxAgeMs: number;
  readonly #sizeOf: ((item: T) => number) | undefined;
  readonly #onDue: () => void;
  readonly #unrefTimer: (timer: unknown) => void;

  /**
   * @param limits When a batch is due.
   * @param onDue Called when the current batch becomes due.
   * @param unrefTimer Makes a timer not keep the process alive (from the runtime adapter).
   */
  constructor(limits: BatchLimits<T>, onDue: () => void, unrefTimer: (timer: unknown) => void = () => {}) {
    this.#maxRecords = limit(limits.maxRecords ?? 4096, "maxRecords");
    this.#maxBytes = limit(limits.maxBytes ?? 1 << 20, "maxBytes");
    this.#maxAgeMs = limit(limits.maxAgeMs ?? 1, "maxAgeMs", true);
    this.#sizeOf = limits.sizeOf;
    this.#onDue = onDue;
    this.#unrefTimer = unrefTimer;
  }

  /** Items waiting in the current batch. */
  get length(): number {
    return this.#items.length;
  }

  /** True once the current batch is full or old enough. */
  get due(): boolean {
    return this.#due;
  }

  /** Adds an item; calls `onDue` when this makes the batch due. */
  add(item: T): void {
    const items = this.#items;
    items.push(item);
    if (this.#sizeOf !== undefined) this.#bytes += this.#sizeOf(item);
    if (this.#due) return;
    if (items.length >= this.#maxRecords || this.#bytes >= this.#maxBytes) this.#becomeDue();
    else if (this.#timer === undefined) {
      this.#timer = setTimeout(() => {
        this.#timer = undefined;
        if (this.#items.length > 0) this.#becomeDue();
      }, this.#maxAgeMs);
      this.#unrefTimer(this.#timer);
    }
  }

  /** Marks the current batch due now (a flush); calls `onDue` when it holds anything. */
  expedite(): void {
    if (this.#items.length > 0 && !this.#due) this.#becomeDue();
  }

  /**
   * Removes and returns every waiting item, and starts a new batch. With `max`, takes only the
   * items up to `max.maxRecords` items or `max.maxBytes` bytes; the rest stays, due at once (the
   * owner takes it next).
   */
  take(max?: { maxRecords: number; maxBytes: number }): T[] {
    const items = this.#items;
    clearTimeout(this.#timer);
    this.#timer = undefined;
    let n = items.length, bytes = this.#bytes;
    if (max) for (n = bytes = 0; n < items.length && !(n > 0 && (n >= max.maxRecords || bytes >= max.maxBytes));) bytes += this.#sizeOf?.(items[n++]) ?? 0;
    this.#items = items.splice(n);
    this.#bytes -= bytes;
    this.#due = this.#items.length > 0;
    return items;
  }

  /** Removes and returns the oldest waiting item. */
  shift(): T | undefined {
    const item = this.#items.shift();
    if (item !== undefined && this.#sizeOf !== undefined) this.#bytes -= this.#sizeOf(item);
    return item;
  }

  #becomeDue(): void {
    this.#due = true;
    this.#onDue();
  }
}

/** `n` when it is a finite number above zero (or at least zero with `zero`), else a RangeError naming `batch.<name>`. */
function limit(n: number, name: string, zero = false): number {
  if (!(zero ? n >= 0 : n > 0) || !Number.isFinite(n)) {
    throw new RangeError(`sluice: batch.${name} must be ${zero ? "zero or more" : "a positive number"}, got ${n}`);
  }
  return n;
}
