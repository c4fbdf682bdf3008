/**
 * The sink contract: where a logger's batches end up.
 *
 * @module
 */
import type { LevelName } from "./levels.ts";
import type { LogRecord } from "./record.ts";
import type { QueueOptions } from "./queue_options.ts";
import type { BatchLimits } from "./stream/batcher.ts";
import type { StageStats } from "./stream/counting_stage.ts";

/**
 * What a full queue does with the next record:
 * - `"block"`: write the whole queue synchronously, then accept the record (nothing is lost;
 *   only for sinks with a synchronous write, such as files and the console);
 * - `"drop-newest"`: count the new record as dropped (`queue-full`);
 * - `"drop-oldest"`: drop the oldest record not yet handed to the sink, keep the new one.
 *
 * @example
 * ```ts
 * import { createLogger, streamSink } from "../mod.ts";
 * const { writable } = new TransformStream<Uint8Array, Uint8Array>(); // a socket's, say
 * createLogger({ sinks: [streamSink(writable)], onFull: "drop-oldest" });
 * ```
 */
export type OnFull = "block" | "drop-newest" | "drop-oldest";

/**
 * What a channel hands its sink; see {@linkcode Sink.connect}.
 *
 * @example A sink that reports its own background failures
 * ```ts
 * import type { Sink, SinkHooks } from "./sink.ts";
 * let hooks: SinkHooks | undefined;
 * const sink: Sink<string> = {
 *   name: "mine", sync: true, defaultOnFull: "block",
 *   connect: (h) => void (hooks = h),
 *   encode: (records) => records.map((r) => r.json).join("\n"),
 *   write: () => {},
 *   close: () => hooks?.report(new Error("closed with nothing to say")),
 * };
 * ```
 */
export interface SinkHooks {
  /** Reports an error to the logger's `onError`. */
  report(err: Error): void;
  /** Counts `records` the sink took and will not write after all as lost (`sink-error`: accepted earlier, or refused for what they hold), and reports `cause`. */
  lost(records: number, cause: unknown): void;
  /** Makes a timer not keep the process alive (the runtime adapter's). */
  unrefTimer(timer: unknown): void;
}

/**
 * What a router ({@linkcode Sink.routed}) tells a target sink: its breaker is the retry policy, so
 * each write is tried once and fails within `timeoutMs`.
 *
 * @example
 * ```ts
 * import type { RoutedPolicy } from "./sink.ts";
 * const policy: RoutedPolicy = { timeoutMs: 2_000 }; // routeSink's breaker.timeoutMs
 * ```
 */
export interface RoutedPolicy {
  /** The router's breaker timeout: a write not answered within it has failed. */
  readonly timeoutMs: number;
}

/**
 * A sink's stages that have no synchronous form (`TransformStream`s in its `through` option),
 * which run on each batch, one batch at a time, before the sink's `encode` (the pipe that
 * `withThrough` puts into such a sink's path).
 *
 * @example
 * ```ts
 * import type { AsyncStages } from "./sink.ts";
 * const none: AsyncStages = { run: async (batch) => [...batch], close: async () => [] };
 * ```
 */
export interface AsyncStages {
  /** Puts one batch through; resolves with what came out of the last stage, rejects when a stage failed. */
  run(batch: readonly LogRecord[]): Promise<LogRecord[]>;
  /** Ends the stages; resolves with what they passed on at their end. */
  close(): Promise<LogRecord[]>;
}

/**
 * A destination for records. Sinks are made by `fileSink`, `consoleSink`, `streamSink` and
 * friends; a logger gives each sink its own bounded queue and batching pipeline. Write your
 * own by implementing this interface, or wrap any `WritableStream` with `streamSink`.
 *
 * @typeParam C The chunk one batch is encoded to.
 * @example A sink that collects lines in memory
 * ```ts
 * import type { Sink } from "./sink.ts";
 * import { formatNdjson } from "./format/ndjson.ts";
 * const lines: string[] = [];
 * const memory: Sink<string[]> = {
 *   name: "memory", sync: true, defaultOnFull: "block",
 *   encode: (records) => records.map(formatNdjson),
 *   write: (chunk) => { lines.push(...chunk); },
 *   close: () => {},
 * };
 * ```
 */
export interface Sink<C = unknown> {
  /** A name for stats and error reports, such as `file:./logs/app.ndjson`. */
  readonly name: string;
  /** The lowest level this sink takes; below it records skip this sink. */
  readonly level?: LevelName;
  /** True when `write` finishes synchronously, so exit and `"block"` can drain into it. */
  readonly sync: boolean;
  /** The queue policy used unless the logger's options name one. */
  readonly defaultOnFull: OnFull;
  /** Batch limits for this sink's pipeline; the logger's `batch` option overrides them. */
  readonly batch?: BatchLimits<LogRecord>;
  /**
   * The most one batch may hold: records that piled up while the sink was busy go out as several
   * batches of at most `maxRecords` records and (beyond the first record) `maxBytes` bytes, as a
   * receiver such as a collector refuses larger bodies. Without it a batch takes everything
   * waiting, which saves writes for files.
   */
  readonly maxBatch?: { readonly maxRecords: number; readonly maxBytes: number };
  /** Queue limits for this sink (`maxQueuedRecords`, `maxQueuedBytes`, `onFull`); the logger's queue options override them. */
  readonly queue?: QueueOptions;
  /**
   * True when a failed write may be tried again (files: a full disk, a permission fixed later).
   * The channel then keeps the batch, reports the error, retries with backoff, and holds later
   * records behind it within the queue's bounds.
   */
  readonly retry?: boolean;
  /**
   * Receives the channel's hooks: `report` for errors of the sink's own background work, and
   * `lost` for records the sink had accepted but finally could not write (counted as
   * `sink-error`).
   */
  connect?(hooks: SinkHooks): void;
  /** Reopens the sink's files (after an external log rotation). */
  reopen?(): void;
  /** Encodes one batch. Must not keep references to the array it is given. */
  encode(records: readonly LogRecord[]): C;
  /** Writes one encoded batch; throwing or rejecting counts the batch as `sink-error`. */
  write(chunk: C): void | Promise<void>;
  /**
   * For sinks whose `write` is asynchronous: puts a batch somewhere durable synchronously (an
   * HTTP sink's spool), so the exit hook can save what is queued instead of losing it.
   */
  writeSync?(chunk: C): void;
  /**
   * Writes out anything the sink buffers and makes it durable where asked (fsync). Must be
   * synchronous for sinks with `sync: true`; throwing means nothing was lost yet and the flush
   * is tried again (for `retry` sinks).
   */
  flush?(): void | Promise<void>;
  /**
   * Told that the logger is closing, before its last flush: a sink that can keep its batches
   * elsewhere (an HTTP sink's spool) stops waiting on retries and keeps them there.
   */
  closing?(): void;
  /**
   * Told at the process's exit, synchronously, after the channel wrote or counted what it
   * queues: a sink that holds records of its own it took as written (a router's parts at its
   * targets) puts them somewhere durable (a spool) or counts them lost, never drops them silently.
   */
  exit?(): void;
  /**
   * Told by a router (`routeSink`) that owns failover for this sink: the router's breaker is the
   * retry policy. The sink then tries each write once, fails it within `policy.timeoutMs`, and
   * keeps no failed batch of its own (the router moves it to another target). `httpSink`
   * implements it; a sink without it keeps its own policy.
   */
  routed?(policy: RoutedPolicy): void;
  /** Releases the sink's handles. */
  close(): void | Promise<void>;
  /**
   * The sink's own counters (a router's targets, an alert sink's folds), shown as `details` in
   * its entry of `log.stats().sinks` and by the collector's `/metrics`.
   */
  details?(): object;
  /** The counters of the counting stages in its `through` option (`throttle`, `sample`, ...), in order; set by `withThrough`. */
  stageStats?(): StageStats[];
}
