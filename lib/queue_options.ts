/**
 * The bounded queue in front of each sink: its options and their checking.
 *
 * @module
 */
import type { OnFull, Sink } from "./sink.ts";

/**
 * The bounded queue in front of each sink.
 *
 * @example
 * ```ts
 * createLogger({ queue: { maxRecords: 4096, maxBytes: 8 << 20, onFull: "block" } });
 * ```
 */
export interface QueueOptions {
  /**
   * Records waiting for one sink (batched or being written) before `onFull` applies. Small by
   * default: a burst larger than this in one turn of the event loop is written right away
   * (with `"block"`), which keeps few records alive and the garbage collector's work small.
   * @default 1024, or the sink's own (streams: 16384)
   */
  maxRecords?: number;
  /**
   * Approximate bytes of records waiting for one sink before `onFull` applies.
   * @default 67108864 (64 MiB), or the sink's own
   */
  maxBytes?: number;
  /**
   * What a full queue does; the default is the sink's own (`"block"` for files and the
   * console, `"drop-newest"` for streams).
   */
  onFull?: OnFull;
}

const ON_FULL: readonly OnFull[] = ["block", "drop-newest", "drop-oldest"];

/**
 * A sink's queue limits: the logger's options over the sink's own over the defaults, checked.
 *
 * @param sink The sink (its `queue`, `defaultOnFull`, and whether it can write synchronously).
 * @param given The logger's `queue` option.
 * @returns The limits; throws a `RangeError` or `TypeError` saying what is wrong.
 * @example
 * ```ts
 * import { resolveQueue } from "./queue_options.ts";
 * resolveQueue(fileSink("./logs/app.ndjson"), { maxRecords: 4096 }); // { maxRecords: 4096, maxBytes: 67108864, onFull: "block" }
 * ```
 */
export function resolveQueue(sink: Sink, given: QueueOptions | undefined): Required<QueueOptions> {
  const q = { ...sink.queue, ...given };
  const maxRecords = q.maxRecords ?? 1024;
  if (!(maxRecords >= 1) || !Number.isInteger(maxRecords)) {
    throw new RangeError(`sluice: queue.maxRecords must be a positive integer, got ${q.maxRecords}`);
  }
  const maxBytes = q.maxBytes ?? 64 << 20;
  if (!(maxBytes > 0)) throw new RangeError(`sluice: queue.maxBytes must be positive, got ${q.maxBytes}`);
  const onFull = q.onFull ?? sink.defaultOnFull;
  if (!ON_FULL.includes(onFull)) {
    throw new TypeError(`sluice: queue.onFull must be one of ${ON_FULL.join(", ")}, got ${JSON.stringify(q.onFull)}`);
  }
  if (onFull === "block" && !sink.sync && sink.writeSync === undefined) {
    throw new TypeError(
      `sluice: queue.onFull "block" needs a sink that can write synchronously; ${sink.name} cannot. Use "drop-newest" or "drop-oldest".`,
    );
  }
  return { maxRecords, maxBytes, onFull };
}
