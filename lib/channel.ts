/**
 * A channel: one sink's bounded queue and the pipe its batches flow through. What became of
 * the records lives in {@linkcode ChannelLedger}, the writes and their retries in
 * {@linkcode BatchWrites}.
 *
 * @module
 */
import { type LossReason, toError } from "./errors.ts";
import { retryDelay, SINK_WRITE_RETRY, sleep } from "./retry.ts";
import { levelValue } from "./levels.ts";
import type { LogRecord } from "./record.ts";
import type { OnFull, Sink } from "./sink.ts";
import { type QueueOptions, resolveQueue } from "./queue_options.ts";
import { type BatchLimits, Batcher } from "./stream/batcher.ts";
import { ChannelLedger, type SinkStats } from "./channel_ledger.ts";
import { BatchWrites } from "./channel_writes.ts";
import { scopeNote } from "./context.ts";

export type { SinkStats } from "./channel_ledger.ts";

/**
 * What a channel needs from its logger.
 *
 * @example
 * ```ts
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

const recordSize = (r: LogRecord) => r.json.length;

/**
 * Feeds one sink: records are queued, grouped by a {@linkcode Batcher}, and flow as batches
 * through a `ReadableStream` piped into a `WritableStream` that encodes and writes them. At
 * most one batch is in the pipe at a time, so batches grow while a sink is busy (up to the sink's
 * `maxBatch` when it has one: then the backlog goes as several batches). Everything
 * not yet written stays reachable, so {@linkcode Channel.drainSync} can write it in order on
 * exit or when a `"block"` queue is full.
 *
 * @example
 * ```ts
 * import { Channel } from "./channel.ts";
 * import { createRecord } from "./record.ts";
 * import { streamSink } from "./sinks/stream_sink.ts";
 * const ch = new Channel(streamSink(new WritableStream()), { onError: console.error, unrefTimer: () => {} });
 * ch.push(createRecord(Date.now(), "info", undefined, "hi", "}"));
 * await ch.close();
 * ```
 */
export class Channel<C = unknown> {
  /** The sink this channel feeds. */
  readonly sink: Sink<C>;
  /** The lowest level value this channel takes. */
  readonly minLevel: number;
  readonly #maxQueued: number;
  readonly #maxBytes: number;
  /** Records done with, in queue order: written, lost by their sink, or dropped as the oldest. */
  #finished = 0;
  readonly #unrefTimer: (timer: unknown) => void;
  readonly #onFull: OnFull;
  readonly #onError: (err: Error) => void;
  readonly #batcher: Batcher<LogRecord>;
  readonly #ledger: ChannelLedger;
  readonly #writes: BatchWrites<C>;
  readonly #controller: ReadableStreamDefaultController<LogRecord[]>;
  readonly #done: Promise<void>;
  #queued = 0;
  #queuedBytes = 0;
  #closed = false;
  #closing = false;

  /**
   * @param sink The sink to feed.
   * @param options Queue and batch limits, the error reporter and the runtime's timer unref.
   */
  constructor(sink: Sink<C>, options: ChannelOptions) {
    this.sink = sink;
    this.minLevel = sink.level === undefined ? 0 : levelValue(sink.level);
    const q = resolveQueue(sink, options.queue);
    this.#maxQueued = q.maxRecords;
    this.#maxBytes = q.maxBytes;
    this.#onFull = q.onFull;
    this.#onError = options.onError;
    this.#unrefTimer = options.unrefTimer;
    const ledger = this.#ledger = new ChannelLedger(sink.name, q.maxRecords, options.onError);
    const lost = (n: number, cause: unknown) => {
      ledger.written -= n;
      ledger.lose("sink-error", n, cause);
    };
    this.#writes = new BatchWrites(sink, {
      ledger,
      complete: (records, started, err) => this.#complete(records, started, err),
      settled: () => {
        if (this.#batcher.due) this.#onDue();
      },
      lost,
      closing: () => this.#closing,
      onError: options.onError,
      unrefTimer: options.unrefTimer,
    });
    sink.connect?.({ report: options.onError, lost, unrefTimer: options.unrefTimer });
    this.#batcher = new Batcher<LogRecord>(
      { ...sink.batch, ...options.batch, sizeOf: recordSize },
      () => this.#onDue(),
      options.unrefTimer,
    );
    let controller!: ReadableStreamDefaultController<LogRecord[]>;
    const batches = new ReadableStream<LogRecord[]>({ start: (c) => void (controller = c) });
    this.#controller = controller;
    this.#done = batches.pipeTo(new WritableStream({ write: (records) => this.#writes.writeNext(records) }));
  }

  /** Records waiting in this channel. */
  get queued(): number {
    return this.#queued;
  }

  /** Queues one record, applying the full-queue policy. Never throws. */
  push(record: LogRecord): void {
    scopeNote?.(record); // still inside the log call: its withContext scope is the current one
    if (this.#closed) return this.#ledger.lose("closed", 1);
    if (this.#queued >= this.#maxQueued || this.#queuedBytes >= this.#maxBytes) {
      if (this.#onFull === "block") this.drainSync();
      else {
        const oldest = this.#onFull === "drop-oldest" ? this.#batcher.shift() : undefined;
        if (oldest === undefined) return this.#ledger.lose("queue-full", 1);
        this.#finished++;
        this.#queued--;
        this.#queuedBytes -= recordSize(oldest);
        this.#ledger.lose("queue-full", 1);
      }
    } else this.#ledger.roomAgain();
    this.#queued++;
    this.#queuedBytes += recordSize(record);
    this.#batcher.add(record);
  }

  /**
   * Writes everything queued, in order, synchronously, when the sink can (`sync` sinks, or
   * asynchronous ones with a `writeSync`, such as an HTTP sink's spool). Used on exit and by
   * `"block"`; `final` (exit, sync mode) also flushes the sink's own buffers. Returns false (and
   * writes nothing) for sinks that cannot.
   */
  drainSync(final = false): boolean {
    if (!this.sink.sync && this.sink.writeSync === undefined) return false;
    this.#writes.takeOver();
    while (this.#batcher.length > 0) {
      this.#ledger.enqueued++;
      this.#writes.writeSync(this.#batcher.take(this.sink.maxBatch), undefined);
    }
    if (final) {
      try {
        void this.sink.flush?.();
      } catch (err) {
        this.#onError(toError(err));
      }
    }
    return true;
  }

  /**
   * Resolves once every record queued before the call is written (or counted as lost), and
   * the sink has flushed.
   */
  async flush(): Promise<void> {
    const ledger = this.#ledger;
    // records are done with in queue order; bounded batches take a backlog in several turns
    const goal = this.#finished + this.#queued;
    while (this.#finished < goal) {
      const target = ledger.enqueued + (this.#batcher.length > 0 ? 1 : 0);
      this.#batcher.expedite();
      await ledger.completed(target);
    }
    for (let attempt = 0; ; attempt++) {
      try {
        await this.sink.flush?.();
        ledger.failing = false;
        return;
      } catch (err) {
        if (attempt === 0) this.#onError(toError(err));
        if (!this.sink.retry || this.#closing) return;
        ledger.failing = true;
        ledger.retries++;
        await sleep(retryDelay(SINK_WRITE_RETRY, attempt + 1), this.#unrefTimer);
      }
    }
  }

  /**
   * Hands the waiting batch to the sink now instead of at its age limit. Starts no work when
   * nothing is waiting, so calling it when the event loop runs dry cannot spin.
   */
  expedite(): void {
    this.#batcher.expedite();
  }

  /**
   * Resolves when the queue has room (at most half full, or not full at the time of the call);
   * rejects with `DrainTimeoutError` after `timeoutMs`.
   */
  drained(timeoutMs: number): Promise<void> {
    return this.#ledger.room(() => this.#queued, timeoutMs);
  }

  /** Flushes, then stops the pipeline and closes the sink. Later records count as `closed`. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closing = true;
    try {
      this.sink.closing?.();
    } catch (err) {
      this.#onError(toError(err));
    }
    await this.flush();
    this.#closed = true;
    this.#controller.close();
    await this.#done;
    await this.#writes.finish();
    try {
      await this.sink.close();
    } catch (err) {
      this.#onError(toError(err));
    }
  }

  /** Counts whatever is still queued as lost for `reason` (used at exit for asynchronous sinks). */
  abandon(reason: LossReason): void {
    if (this.#queued > 0) this.#ledger.lose(reason, this.#queued);
  }

  /** This channel's counters. */
  stats(): SinkStats {
    return { ...this.#ledger.stats(this.#queued, this.#queuedBytes), details: this.sink.details?.(), stages: this.sink.stageStats?.() };
  }

  #onDue(): void {
    if (this.#writes.busy || this.#closed) return;
    const records = this.#batcher.take(this.sink.maxBatch);
    this.#writes.start(records);
    this.#ledger.enqueued++;
    this.#controller.enqueue(records);
  }

  #complete(records: readonly LogRecord[], started: number, err?: unknown): void {
    const n = records.length;
    this.#finished += n;
    this.#queued -= n;
    for (let i = 0; i < n; i++) this.#queuedBytes -= recordSize(records[i]);
    this.#ledger.complete(n, started, this.#queued, err);
  }
}
