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
 * item is `maxAgeMs` old. It calls `onDue` once per due batch; the owner then calls `take`. Its
 * timer never keeps a process alive when given an `unrefTimer`. Made by {@linkcode createBatcher}.
 *
 * @example
 * ```ts
 * import { type Batcher, createBatcher } from "./batcher.ts";
 * const b: Batcher<number> = createBatcher({ maxRecords: 2 }, () => console.log(b.take()));
 * b.add(1); b.add(2); // logs [1, 2]
 * ```
 */
export interface Batcher<T> {
  /** The items waiting in the current batch, oldest first (not to be changed). */
  readonly items: readonly T[];
  /** True once the current batch is full or old enough. */
  readonly due: boolean;
  /** When the current batch became due (`performance.now()`), or 0 before it does. */
  readonly dueAt: number;
  /** Adds an item; calls `onDue` when this makes the batch due. */
  add(item: T): void;
  /** Marks the current batch due now (a flush); calls `onDue` when it holds anything. */
  expedite(): void;
  /**
   * Removes and returns every waiting item, and starts a new batch. With `max`, takes only the
   * items up to `max.maxRecords` items or `max.maxBytes` bytes; the rest stays, due at once (the
   * owner takes it next).
   */
  take(max?: { maxRecords: number; maxBytes: number }): T[];
  /** Removes and returns the oldest waiting item. */
  shift(): T | undefined;
}

/**
 * Makes a {@linkcode Batcher}.
 *
 * @param limits When a batch is due.
 * @param onDue Called when the current batch becomes due.
 * @param unrefTimer Makes a timer not keep the process alive (from the runtime adapter).
 * @returns The batcher.
 * @example
 * ```ts
 * import { createBatcher } from "./batcher.ts";
 * const b = createBatcher<string>({ maxRecords: 2 }, () => console.log(b.take()));
 * b.add("a"); b.add("b"); // logs ["a", "b"]
 * ```
 */
export function createBatcher<T>(limits: BatchLimits<T>, onDue: () => void, unrefTimer: (timer: unknown) => void = () => {}): Batcher<T> {
  const maxRecords = limit(limits.maxRecords ?? 4096, "maxRecords");
  const maxBytes = limit(limits.maxBytes ?? 1 << 20, "maxBytes");
  const maxAgeMs = limit(limits.maxAgeMs ?? 1, "maxAgeMs", true);
  const sizeOf = limits.sizeOf;
  let items: T[] = [];
  let bytes = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let due = false;
  let dueAt = 0;
  const becomeDue = () => {
    dueAt = performance.now();
    due = true;
    onDue();
  };
  return {
    get items() {
      return items;
    },
    get due() {
      return due;
    },
    get dueAt() {
      return dueAt;
    },
    add(item) {
      items.push(item);
      if (sizeOf) bytes += sizeOf(item);
      if (due) return;
      if (items.length >= maxRecords || bytes >= maxBytes) becomeDue();
      else if (timer === undefined) {
        unrefTimer(
          timer = setTimeout(() => {
            timer = undefined;
            if (items.length > 0) becomeDue();
          }, maxAgeMs),
        );
      }
    },
    expedite() {
      if (items.length > 0 && !due) becomeDue();
    },
    take(max) {
      const taken = items;
      clearTimeout(timer);
      timer = undefined;
      let n = taken.length, size = bytes;
      if (max) for (n = size = 0; n < taken.length && !(n > 0 && (n >= max.maxRecords || size >= max.maxBytes));) size += sizeOf?.(taken[n++]) ?? 0;
      items = taken.splice(n);
      bytes -= size;
      due = items.length > 0;
      return taken;
    },
    shift() {
      const item = items.shift();
      if (item !== undefined && sizeOf) bytes -= sizeOf(item);
      return item;
    },
  };
}

/** `n` when it is a finite number above zero (or at least zero with `zero`), else a RangeError naming `batch.<name>`. */
function limit(n: number, name: string, zero = false): number {
  if (!(zero ? n >= 0 : n > 0) || !Number.isFinite(n)) {
    throw new RangeError(`sluice: batch.${name} must be ${zero ? "zero or more" : "a positive number"}, got ${n}`);
  }
  return n;
}
