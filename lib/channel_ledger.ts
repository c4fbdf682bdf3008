/**
 * A channel's ledger: what became of its records (written, lost by reason), how long writes
 * took, and who waits for what (a flush for its batches, a producer for room in the queue).
 *
 * @module
 */
import { DrainTimeoutError, type LossReason, LogLossError } from "./errors.ts";
import { LatencyRecorder, type LatencySummary } from "./latency.ts";
import type { StageStats } from "./stream/counting_stage.ts";

/**
 * One sink's counters.
 *
 * @example
 * ```ts
 * import { createLogger, streamSink } from "../mod.ts";
 * const log = createLogger({ sinks: [streamSink(new WritableStream())] });
 * for (const s of log.stats().sinks) console.log(s.name, s.written, s.queued, s.failing);
 * await log.close();
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
  /** The sink's own counters, when it has any (`routeSink`: each target's share, state and queue; the alert sinks: folds, digests, 429s). */
  details?: object;
  /** What each counting stage in the sink's `through` option did (`throttle`: suppressed, `sample`: sampled out, `fingersCrossed`: released and discarded), in order. */
  stages?: StageStats[];
}

/**
 * The counters and waiters of one channel. The channel tells it when a batch starts (`enqueued`)
 * and ends (`complete`); flushes wait for a batch count, producers for room.
 *
 * @example
 * ```ts
 * import { ChannelLedger } from "./channel_ledger.ts";
 * const ledger = new ChannelLedger("memory", 1024, console.error);
 * ledger.enqueued++;
 * ledger.complete(3, performance.now(), 0);
 * ledger.written; // 3
 * ```
 */
export class ChannelLedger {
  /** Records written. */
  written = 0;
  /** Failed writes or flushes tried again. */
  retries = 0;
  /** True while a failed write or flush waits to be tried again. */
  failing = false;
  /** Batches handed to the sink's path so far. */
  enqueued = 0;
  /** Batches written or given up. */
  #completed = 0;
  readonly #name: string;
  readonly #maxQueued: number;
  readonly #onError: (err: Error) => void;
  readonly #latency = new LatencyRecorder();
  readonly #dropped: Partial<Record<LossReason, number>> = {};
  #flushWaiters: { target: number; resolve: () => void }[] = [];
  #roomWaiters: (() => void)[] = [];
  #fullReported = false;

  /**
   * @param name The sink's name, for reports.
   * @param maxQueued The queue's record bound (room is at most half of it).
   * @param onError Receives loss reports.
   */
  constructor(name: string, maxQueued: number, onError: (err: Error) => void) {
    this.#name = name;
    this.#maxQueued = maxQueued;
    this.#onError = onError;
  }

  /** Ends a run of `queue-full` drops: the next one is reported again. */
  roomAgain(): void {
    this.#fullReported = false;
  }

  /**
   * Records one batch's end: `n` records written, or lost as `sink-error` when `err` is given;
   * `queued` is what the queue holds after it. Wakes the flushes and producers it satisfies.
   */
  complete(n: number, started: number, queued: number, err?: unknown): void {
    this.#latency.record(performance.now() - started);
    this.#completed++;
    if (err === undefined) this.written += n;
    else this.lose("sink-error", n, err);
    while (this.#flushWaiters.length > 0 && this.#flushWaiters[0].target <= this.#completed) {
      this.#flushWaiters.shift()!.resolve();
    }
    if (this.#roomWaiters.length > 0 && queued <= this.#maxQueued / 2) {
      const waiters = this.#roomWaiters;
      this.#roomWaiters = [];
      for (const w of waiters) w();
    }
  }

  /** Counts `n` records lost for `reason` and reports it (the first of a run of `queue-full` drops only). */
  lose(reason: LossReason, n: number, cause?: unknown): void {
    this.#dropped[reason] = (this.#dropped[reason] ?? 0) + n;
    if (reason === "queue-full") {
      if (this.#fullReported) return;
      this.#fullReported = true;
    }
    this.#onError(new LogLossError(reason, this.#name, n, cause));
  }

  /** Resolves once `target` batches have completed. */
  completed(target: number): Promise<void> {
    if (this.#completed >= target) return Promise.resolve();
    return new Promise<void>((resolve) => this.#flushWaiters.push({ target, resolve }));
  }

  /**
   * Resolves when the queue has room (at most half full, or not full at the time of the call);
   * rejects with {@linkcode DrainTimeoutError} after `timeoutMs`.
   */
  room(queued: () => number, timeoutMs: number): Promise<void> {
    if (queued() < this.#maxQueued) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const waiter = () => {
        clearTimeout(timer);
        resolve();
      };
      const timer = setTimeout(() => {
        this.#roomWaiters = this.#roomWaiters.filter((w) => w !== waiter);
        reject(new DrainTimeoutError(this.#name, queued(), timeoutMs));
      }, timeoutMs);
      this.#roomWaiters.push(waiter);
    });
  }

  /** The counters as {@linkcode SinkStats}, with the queue's own figures. */
  stats(queued: number, queuedBytes: number): SinkStats {
    return {
      name: this.#name,
      written: this.written,
      dropped: { ...this.#dropped },
      queued,
      queuedBytes,
      retries: this.retries,
      failing: this.failing,
      flushLatencyMs: this.#latency.summary(),
    };
  }
}
