/**
 * Stages: a step of a pipeline as one synchronous function and the `TransformStream` that
 * wraps it, so the same work runs in a stream and, where a stream cannot wait (the exit drain,
 * a `"block"` queue), synchronously.
 *
 * @module
 */
import type { LogRecord } from "../record.ts";

/**
 * A stage with a synchronous form: `transform` does the work on one chunk, and `stream()` makes
 * a `TransformStream` that does the same to each chunk it is given.
 *
 * @typeParam I What goes in.
 * @typeParam O What comes out.
 * @example
 * ```ts
 * import type { SyncStage } from "./stage.ts";
 * const upper: SyncStage<string, string> = {
 *   transform: (s) => s.toUpperCase(),
 *   stream: () => new TransformStream({ transform: (s, c) => c.enqueue(s.toUpperCase()) }),
 * };
 * upper.transform("a"); // "A"
 * ```
 */
export interface SyncStage<I, O> {
  /** The stage's work on one chunk, synchronously. */
  transform(chunk: I): O;
  /** A new `TransformStream` that runs `transform` on each chunk. */
  stream(): TransformStream<I, O>;
}

/**
 * A stage a sink's records go through before they are encoded (a sink's `through` option): a
 * `TransformStream` from record batches to record batches, or a {@linkcode SyncStage} of them
 * (made with {@linkcode syncStage}). A plain `TransformStream` has no synchronous form, so a
 * sink with one writes asynchronously (see {@linkcode withThrough}).
 *
 * @example
 * ```ts
 * import type { RecordStage } from "./stage.ts";
 * const noDebug: RecordStage = new TransformStream({ transform: (batch, c) => c.enqueue(batch.filter((r) => r.level !== "debug")) });
 * ```
 */
export type RecordStage = TransformStream<readonly LogRecord[], LogRecord[]> | SyncStage<readonly LogRecord[], LogRecord[]>;

/**
 * Makes a {@linkcode SyncStage} from one function: `transform` is the function, and `stream()`
 * a `TransformStream` that passes on, for each chunk, what the function returns.
 *
 * @param transform The work on one chunk.
 * @returns The stage.
 * @example Drop a noisy category's records before they are written
 * ```ts
 * import { syncStage } from "./stage.ts";
 * import type { LogRecord } from "../record.ts";
 * const quiet = syncStage((batch: readonly LogRecord[]) => batch.filter((r) => r.category !== "noisy"));
 * quiet.transform([]); // []
 * ```
 */
export function syncStage<I, O>(transform: (chunk: I) => O): SyncStage<I, O> {
  return {
    transform,
    stream: () => new TransformStream<I, O>({ transform: (chunk, controller) => controller.enqueue(transform(chunk)) }),
  };
}
