/**
 * A stream stage that groups items into batches.
 *
 * @module
 */
import { type BatchLimits, type Batcher, createBatcher } from "./batcher.ts";

/**
 * Options of {@linkcode BatchStream}.
 *
 * @example
 * ```ts
 * import { BatchStream } from "./batch_stream.ts";
 * import type { LogRecord } from "../record.ts";
 * new BatchStream<LogRecord>({ maxRecords: 1000, maxAgeMs: 50 });
 * ```
 */
export type BatchStreamOptions<T> = BatchLimits<T>;

/**
 * Groups a stream of items into arrays, closing a batch at `maxRecords` items, `maxBytes`
 * bytes (by `sizeOf`) or `maxAgeMs` after its first item, whichever comes first. What is left
 * when the input ends is emitted as a last batch.
 *
 * @example Batch records by count
 * ```ts
 * import { BatchStream } from "./batch_stream.ts";
 * const batches = ReadableStream.from([1, 2, 3]).pipeThrough(new BatchStream<number>({ maxRecords: 2 }));
 * for await (const b of batches) console.log(b); // [1, 2] then [3]
 * ```
 */
export class BatchStream<T> extends TransformStream<T, T[]> {
  /**
   * A stream that batches by the given limits.
   *
   * @param options The batch limits.
   */
  constructor(options: BatchStreamOptions<T> = {}) {
    let batcher: Batcher<T>;
    let controller: TransformStreamDefaultController<T[]>;
    super({
      start(c) {
        controller = c;
        batcher = createBatcher(options, () => controller.enqueue(batcher.take()));
      },
      transform(item) {
        batcher.add(item);
      },
      flush() {
        if (batcher.items.length > 0) controller.enqueue(batcher.take());
      },
    });
  }
}
