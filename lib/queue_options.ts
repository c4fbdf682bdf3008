/**
 * The bounded queue in front of each sink: its options and their checking.
 *
 * @module
 */
import type { OnFull, Sink } from "./sink.ts";

/**
 * The bounded queue in front of each sink: `createLogger`'s options for every sink, and a
 * sink's own defaults (`Sink.queue`). Queue sizes are named `maxQueued…`, distinct from batch
 * sizes (`batch: { maxRecords, maxBytes, maxAgeMs }`) and rotation sizes (`rotate: { maxBytes }`).
 *
 * @example
 * ```ts
 * import { createLogger, fileSink } from "../mod.ts";
 * const log = createLogger({ sinks: [fileSink("./logs/app.ndjson")], maxQueuedRecords: 4096, maxQueuedBytes: 8 << 20, onFull: "block" });
 * await log.close();
 * ```
 */
export interface QueueOptions {
  /**
   * Records waiting for one sink (batched or being written) before `onFull` applies. Small by
   * default: a burst larger than this in one turn of the event loop is written right away
   * (with `"block"`), which keeps few records alive and the garbage collector's work small.
   * @default 1024, or the sink's own (streams: 16384)
   */
  maxQueuedRecords?: number;
  /**
   * Approximate bytes of records waiting for one sink before `onFull` applies.
   * @default 67108864 (64 MiB), or the sink's own
   */
  maxQueuedBytes?: number;
  /**
   * What a full queue does; the default is the sink's own (`"block"` for files and the
   * console, `"drop-newest"` for streams).
   */
  onFull?: OnFull;
}

/**
 * A sink's queue limits, resolved: what a channel enforces.
 *
 * @example
 * ```ts
 * const limits: QueueLimits = { maxRecords: 1024, maxBytes: 64 << 20, onFull: "block" };
 * ```
 */
export interface QueueLimits {
  /** Records waiting before `onFull` applies. */
  maxRecords: number;
  /** Bytes waiting before `onFull` applies. */
  maxBytes: number;
  /** What a full queue does. */
  onFull: OnFull;
}

const ON_FULL: readonly OnFull[] = ["block", "drop-newest", "drop-oldest"];
/**
 * The refusal of an old queue spelling (`what`), naming the options that replaced it.
 *
 * @param what The old spelling, as the message names it.
 * @returns The error to throw.
 * @example
 * ```ts
 * import { queueRenamed } from "./queue_options.ts";
 * queueRenamed("createLogger's option queue").message; // "sluice: createLogger's option queue was renamed; use maxQueuedRecords, maxQueuedBytes and onFull"
 * ```
 */
export function queueRenamed(what: string): TypeError {
  return new TypeError(`sluice: ${what} was renamed; use maxQueuedRecords, maxQueuedBytes and onFull`);
}

/**
 * A sink's queue limits: the logger's options over the sink's own over the defaults, checked.
 *
 * @param sink The sink (its `queue`, `defaultOnFull`, and whether it can write synchronously).
 * @param given The logger's queue options.
 * @returns The limits; throws a `RangeError` or `TypeError` saying what is wrong.
 * @example
 * ```ts
 * import { resolveQueue } from "./queue_options.ts";
 * import { streamSink } from "../mod.ts";
 * resolveQueue(streamSink(new WritableStream()), { maxQueuedBytes: 1 << 20 }); // { maxRecords: 16384, maxBytes: 1048576, onFull: "drop-newest" }
 * ```
 */
export function resolveQueue(sink: Sink, given: QueueOptions | undefined): QueueLimits {
  const own = sink.queue;
  // a sink of one's own written before the rename: its queue defaults would be ignored
  if (own && ("maxRecords" in own || "maxBytes" in own)) {
    throw queueRenamed(`${sink.name}'s queue: { maxRecords, maxBytes }`);
  }
  const maxRecords = given?.maxQueuedRecords ?? own?.maxQueuedRecords ?? 1024;
  if (!Number.isInteger(maxRecords) || maxRecords < 1) {
    throw new RangeError(`sluice: maxQueuedRecords must be a positive integer, got ${maxRecords}`);
  }
  const maxBytes = given?.maxQueuedBytes ?? own?.maxQueuedBytes ?? 64 << 20;
  if (!(maxBytes > 0)) throw new RangeError(`sluice: maxQueuedBytes must be positive, got ${maxBytes}`);
  const onFull = given?.onFull ?? own?.onFull ?? sink.defaultOnFull;
  if (!ON_FULL.includes(onFull)) {
    throw new TypeError(`sluice: onFull must be one of ${ON_FULL.join(", ")}, got ${JSON.stringify(onFull)}`);
  }
  if (onFull === "block" && !sink.sync && !sink.writeSync) {
    throw new TypeError(
      `sluice: onFull "block" needs a sink that can write synchronously; ${sink.name} cannot`,
    );
  }
  return { maxRecords, maxBytes, onFull };
}
