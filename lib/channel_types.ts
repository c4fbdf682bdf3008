/**
 * What a channel is to its logger ({@linkcode Channel}, made by `createChannel` in channel.ts)
 * and what it needs from it ({@linkcode ChannelOptions}).
 *
 * @module
 */
import type { LossReason } from "./errors.ts";
import type { LogRecord } from "./record.ts";
import type { Sink } from "./sink.ts";
import type { SinkStats } from "./sink_stats.ts";
import type { QueueOptions } from "./queue_options.ts";
import type { BatchLimits } from "./stream/batcher.ts";

/**
 * What a channel needs from its logger.
 *
 * @example
 * ```ts
 * import type { ChannelOptions } from "./channel_types.ts";
 * const options: ChannelOptions = { queue: { maxQueuedRecords: 4096 }, onError: console.error, unrefTimer: () => {} };
 * ```
 */
export interface ChannelOptions {
  /** The logger's queue option (over the sink's own). */
  queue?: QueueOptions;
  /** The logger's batch option (over the sink's own). */
  batch?: BatchLimits<LogRecord>;
  /** Receives loss reports and sink errors. */
  onError: (err: Error) => void;
  /** Makes a timer not keep the process alive. */
  unrefTimer: (timer: unknown) => void;
}

/**
 * Feeds one sink (made by {@linkcode createChannel}): records are queued, grouped by a
 * {@linkcode Batcher}, and flow as batches through a `ReadableStream` piped into a
 * `WritableStream` that encodes and writes them. At most one batch is in the pipe at a time, so
 * batches grow while a sink is busy (up to the sink's `maxBatch` when it has one: then the
 * backlog goes as several batches). Everything not yet written stays reachable, so
 * `drainSync` can write it in order on exit or when a `"block"` queue is full.
 *
 * @example
 * ```ts
 * import { createChannel } from "./channel.ts";
 * import { createRecord } from "./record.ts";
 * import { streamSink } from "./sinks/stream_sink.ts";
 * const ch = createChannel(streamSink(new WritableStream()), { onError: console.error, unrefTimer: () => {} });
 * ch.push(createRecord(Date.now(), "info", undefined, "hi", "}"));
 * await ch.close();
 * ```
 */
export interface Channel<C = unknown> {
  /** The sink this channel feeds. */
  readonly sink: Sink<C>;
  /** The lowest level value this channel takes. */
  readonly minLevel: number;
  /** Queues one record, applying the full-queue policy. Never throws. */
  push(record: LogRecord): void;
  /**
   * Writes everything queued, in order, synchronously, when the sink can (`sync` sinks, or
   * asynchronous ones with a `writeSync`, such as an HTTP sink's spool). Used on exit and by
   * `"block"`; `final` (exit, sync mode) also flushes the sink's own buffers. Returns false (and
   * writes nothing) for sinks that cannot.
   */
  drainSync(final?: boolean): boolean;
  /** Resolves once every record queued before the call is written (or counted as lost), and the sink has flushed. */
  flush(): Promise<void>;
  /**
   * Hands the waiting batch to the sink now instead of at its age limit. Starts no work when
   * nothing is waiting, so calling it when the event loop runs dry cannot spin.
   */
  expedite(): void;
  /**
   * Resolves when the queue has room (at most half full, or not full at the time of the call);
   * rejects with `DrainTimeoutError` after `timeoutMs`.
   */
  drained(timeoutMs: number): Promise<void>;
  /** Flushes, then stops the pipeline and closes the sink. Later records count as `closed`. */
  close(): Promise<void>;
  /** Counts whatever is still queued as lost for `reason` (used at exit for asynchronous sinks). */
  abandon(reason: LossReason): void;
  /** This channel's counters. */
  stats(): SinkStats;
}
