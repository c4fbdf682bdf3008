/**
 * A channel: one sink's bounded queue and batching pipeline.
 *
 * @module
 */
import { DrainTimeoutError, errorMessage, type LossReason, LogLossError, toError } from "./errors.ts";
import { retryDelay, SINK_WRITE_RETRY, sleep } from "./retry.ts";
import { LatencyRecorder, type LatencySummary } from "./latency.ts";
import { levelValue } from "./levels.ts";
import type { LogRecord } from "./record.ts";
import type { OnFull, Sink } from "./sink.ts";
import { type QueueOptions, resolveQueue } from "./queue_options.ts";
import { type BatchLimits, Batcher } from "./stream/batcher.ts";

/**
 * One sink's counters.
 *
 * @example
 * ```ts
 * for (const s of log.stats().sinks) console.log(s.name, s.written, s.queued, s.failing);
 * ```
 */
export interface SinkStats {
  /** The sink's name. */
  name: string;
  /** Records written. */
  written: number;
  /** Records not written, by reason. */
  dropped: Partial<Record<LossReason, number>>;
  /** Records waiting. */
  queued: number;
  /** Approximate bytes of the records waiting. */
  queuedBytes: number;
  /** Failed writes tried again (a full disk, say). */
  retries: number;
  /** True while a failed write or flush is waiting to be tried again. */
  failing: boolean;
  /** How long each batch took to write, in milliseconds. */
  flushLatencyMs: LatencySummary;
}

/** What a channel needs from its logger. */
export interface ChannelOptions {
  queue?: QueueOptions;
  batch?: BatchLimits<LogRecord>;
  onError: (err: Error) => void;
  unrefTimer: (timer: unknown) => void;
}

interface Inflight<C> {
  records: LogRecord[];
  /** Set once encoded, so a retry or a takeover writes exactly what is left of it. */
  chunk: C | undefined;
  /** Written or given up by {@linkcode Channel.drainSync}; the pipe skips it. */
  taken: boolean;
}

const recordSize = (r: LogRecord) => r.json.length;

/**
 * Feeds one sink: records are queued, grouped by a {@linkcode Batcher}, and flow as batches
 * through a `ReadableStream` piped into a `WritableStream` that encodes and writes them. At
 * most one batch is in the pipe at a time, so batches grow while a sink is busy. Everything
 * not yet written stays reachable, so {@linkcode Channel.drainSync} can write it in order on
 * exit or when a `"block"` queue is full.
 *
 * @example
 * ```ts
 * import { Channel } from "./channel.ts";
 * const ch = new Channel(mySink, { onError: console.error, unrefTimer: () => {} });
 * ch.push(record);
 * await ch.flush();
 * ```
 */
export class Channel<C = unknown> {
  /** The sink this channel feeds. */
  readonly sink: Sink<C>;
  /** The lowest level value this channel takes. */
  readonly minLevel: number;
  readonly #maxQueued: number;
  readonly #maxBytes: number;
  readonly #unrefTimer: (timer: unknown) => void;
  readonly #onFull: OnFull;
  readonly #onError: (err: Error) => void;
  readonly #batcher: Batcher<LogRecord>;
  readonly #inflight: Inflight<C>[] = [];
  readonly #controller: ReadableStreamDefaultController<LogRecord[]>;
  readonly #done: Promise<void>;
  readonly #latency = new LatencyRecorder();
  readonly #dropped: Partial<Record<LossReason, number>> = {};
  #queued = 0;
  #queuedBytes = 0;
  #written = 0;
  #retries = 0;
  #enqueued = 0;
  #completed = 0;
  #flushWaiters: { target: number; resolve: () => void }[] = [];
  #roomWaiters: (() => void)[] = [];
  #fullReported = false;
  #closed = false;
  #closing = false;
  #failing = false;

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
    sink.connect?.({
      report: options.onError,
      lost: (n, cause) => {
        this.#written -= n;
        this.#lose("sink-error", n, cause);
      },
      unrefTimer: options.unrefTimer,
    });
    this.#batcher = new Batcher<LogRecord>(
      { ...sink.batch, ...options.batch, sizeOf: recordSize },
      () => this.#onDue(),
      options.unrefTimer,
    );
    let controller!: ReadableStreamDefaultController<LogRecord[]>;
    const batches = new ReadableStream<LogRecord[]>({ start: (c) => void (controller = c) });
    this.#controller = controller;
    this.#done = batches.pipeTo(new WritableStream({ write: (records) => this.#writeNext(records) }));
  }

  /** Records waiting in this channel. */
  get queued(): number {
    return this.#queued;
  }

  /** Queues one record, applying the full-queue policy. Never throws. */
  push(record: LogRecord): void {
    if (this.#closed) return this.#lose("closed", 1);
    if (this.#queued >= this.#maxQueued || this.#queuedBytes >= this.#maxBytes) {
      if (this.#onFull === "block") this.drainSync();
      else {
        const oldest = this.#onFull === "drop-oldest" ? this.#batcher.shift() : undefined;
        if (oldest === undefined) return this.#lose("queue-full", 1);
        this.#queued--;
        this.#queuedBytes -= recordSize(oldest);
        this.#lose("queue-full", 1);
      }
    } else this.#fullReported = false;
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
    for (const entry of this.#inflight) {
      if (entry.taken) continue;
      entry.taken = true;
      const records = entry.records.splice(0);
      this.#writeSync(records, entry.chunk);
    }
    if (this.#batcher.length > 0) {
      this.#enqueued++;
      this.#writeSync(this.#batcher.take(), undefined);
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
    const target = this.#enqueued + (this.#batcher.length > 0 ? 1 : 0);
    this.#batcher.expedite();
    if (this.#completed < target) {
      await new Promise<void>((resolve) => this.#flushWaiters.push({ target, resolve }));
    }
    for (let attempt = 0; ; attempt++) {
      try {
        await this.sink.flush?.();
        this.#failing = false;
        return;
      } catch (err) {
        if (attempt === 0) this.#onError(toError(err));
        if (!this.sink.retry || this.#closing) return;
        this.#failing = true;
        this.#retries++;
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
   * rejects with {@linkcode DrainTimeoutError} after `timeoutMs`.
   */
  drained(timeoutMs: number): Promise<void> {
    if (this.#queued < this.#maxQueued) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const waiter = () => {
        clearTimeout(timer);
        resolve();
      };
      const timer = setTimeout(() => {
        this.#roomWaiters = this.#roomWaiters.filter((w) => w !== waiter);
        reject(new DrainTimeoutError(this.sink.name, this.#queued, timeoutMs));
      }, timeoutMs);
      this.#roomWaiters.push(waiter);
    });
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
    try {
      await this.sink.close();
    } catch (err) {
      this.#onError(toError(err));
    }
  }

  /** Counts whatever is still queued as lost for `reason` (used at exit for asynchronous sinks). */
  abandon(reason: LossReason): void {
    if (this.#queued > 0) this.#lose(reason, this.#queued);
  }

  /** This channel's counters. */
  stats(): SinkStats {
    return {
      name: this.sink.name,
      written: this.#written,
      dropped: { ...this.#dropped },
      queued: this.#queued,
      queuedBytes: this.#queuedBytes,
      retries: this.#retries,
      failing: this.#failing,
      flushLatencyMs: this.#latency.summary(),
    };
  }

  #onDue(): void {
    if (this.#inflight.length > 0 || this.#closed) return;
    const records = this.#batcher.take();
    this.#inflight.push({ records, chunk: undefined, taken: false });
    this.#enqueued++;
    this.#controller.enqueue(records);
  }

  #writeNext(records: LogRecord[]): void | Promise<void> {
    const entry = this.#inflight[0];
    if (entry.taken) return this.#settleInflight();
    const started = performance.now();
    try {
      entry.chunk = this.sink.encode(records);
    } catch (err) {
      this.#complete(records, started, err);
      return this.#settleInflight();
    }
    return this.#attempt(entry, started, 0);
  }

  /** One write of an entry's chunk; on failure, a retry after a backoff when the sink allows it. */
  #attempt(entry: Inflight<C>, started: number, attempt: number): void | Promise<void> {
    const done = (err?: unknown): void | Promise<void> => {
      if (entry.taken) return this.#settleInflight();
      this.#failing = err !== undefined && this.sink.retry === true && !this.#closing;
      if (!this.#failing) {
        this.#complete(entry.records, started, err);
        return this.#settleInflight();
      }
      if (attempt === 0) {
        this.#onError(new Error(`sluice: writing to ${this.sink.name} failed; retrying: ${errorMessage(err)}`, { cause: err }));
      }
      this.#retries++;
      return sleep(retryDelay(SINK_WRITE_RETRY, attempt + 1), this.#unrefTimer)
        .then(() => entry.taken ? this.#settleInflight() : this.#attempt(entry, started, attempt + 1));
    };
    let result: void | Promise<void>;
    try {
      result = this.sink.write(entry.chunk as C);
    } catch (err) {
      return done(err);
    }
    if (result === undefined || typeof (result as Promise<void>).then !== "function") return done();
    return (result as Promise<void>).then(() => done(), (err) => done(err ?? new Error("write rejected")));
  }

  #writeSync(records: LogRecord[], chunk: C | undefined): void {
    const started = performance.now();
    const sink = this.sink;
    try {
      const encoded = chunk ?? sink.encode(records);
      if (sink.sync) sink.write(encoded);
      else sink.writeSync!(encoded);
      this.#complete(records, started);
    } catch (err) {
      this.#complete(records, started, err);
    }
  }

  #settleInflight(): void {
    this.#inflight.shift();
    if (this.#batcher.due) this.#onDue();
  }

  #complete(records: readonly LogRecord[], started: number, err?: unknown): void {
    this.#latency.record(performance.now() - started);
    const n = records.length;
    this.#queued -= n;
    for (let i = 0; i < n; i++) this.#queuedBytes -= recordSize(records[i]);
    this.#completed++;
    if (err === undefined) this.#written += n;
    else this.#lose("sink-error", n, err);
    while (this.#flushWaiters.length > 0 && this.#flushWaiters[0].target <= this.#completed) {
      this.#flushWaiters.shift()!.resolve();
    }
    if (this.#roomWaiters.length > 0 && this.#queued <= this.#maxQueued / 2) {
      const waiters = this.#roomWaiters;
      this.#roomWaiters = [];
      for (const w of waiters) w();
    }
  }

  #lose(reason: LossReason, n: number, cause?: unknown): void {
    this.#dropped[reason] = (this.#dropped[reason] ?? 0) + n;
    if (reason === "queue-full") {
      if (this.#fullReported) return;
      this.#fullReported = true;
    }
    this.#onError(new LogLossError(reason, this.sink.name, n, cause));
  }
}
