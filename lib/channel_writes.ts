/**
 * A channel's writes: the batch in flight, its encoding, its retries, and the synchronous
 * write that takes it over on exit or when a `"block"` queue is full.
 *
 * @module
 */
import { errorMessage } from "./errors.ts";
import type { ChannelLedger } from "./channel_ledger.ts";
import type { LogRecord } from "./record.ts";
import { retryDelay, SINK_WRITE_RETRY, sleep } from "./retry.ts";
import type { Sink } from "./sink.ts";

interface Inflight<C> {
  records: LogRecord[];
  /** Set once encoded, so a retry or a takeover writes exactly what is left of it. */
  chunk: C | undefined;
  /** Written or given up by {@linkcode BatchWrites.takeOver}; the pipe skips it. */
  taken: boolean;
}

/** What {@linkcode BatchWrites} needs from its channel. */
export interface BatchWritesOptions {
  /** The channel's ledger: retries and the failing flag. */
  ledger: ChannelLedger;
  /** Called once per batch written or given up (`err`), before the next batch may start. */
  complete(records: readonly LogRecord[], started: number, err?: unknown): void;
  /** Called when the batch in flight is done with, so the next due batch can start. */
  settled(): void;
  /** Counts records counted as written earlier as lost (`sink-error`). */
  lost(records: number, cause: unknown): void;
  /** True once the logger is closing: a failed write is no longer retried. */
  closing(): boolean;
  onError(err: Error): void;
  unrefTimer(timer: unknown): void;
}

/**
 * Writes one channel's batches to its sink, one at a time: encodes a batch, writes it, and on
 * failure retries it with backoff when the sink allows (`sink.retry`), holding later batches
 * behind it. {@linkcode BatchWrites.takeOver} writes the batch in flight synchronously, so exit
 * and `"block"` keep the order and write nothing twice.
 *
 * @example
 * ```ts
 * import { BatchWrites } from "./channel_writes.ts";
 * const writes = new BatchWrites(sink, { ledger, complete, settled, closing: () => false, onError: console.error, unrefTimer: () => {} });
 * writes.start(records); // then the channel's pipe calls writes.writeNext(records)
 * ```
 */
export class BatchWrites<C> {
  readonly #sink: Sink<C>;
  readonly #o: BatchWritesOptions;
  readonly #inflight: Inflight<C>[] = [];

  /**
   * @param sink The sink written to.
   * @param options The channel's ledger and callbacks.
   */
  constructor(sink: Sink<C>, options: BatchWritesOptions) {
    this.#sink = sink;
    this.#o = options;
  }

  /** True while a batch is in flight. */
  get busy(): boolean {
    return this.#inflight.length > 0;
  }

  /** Takes a batch into flight; the channel then hands the same array to its pipe. */
  start(records: LogRecord[]): void {
    this.#inflight.push({ records, chunk: undefined, taken: false });
  }

  /**
   * The pipe's write: puts the batch in flight through the sink's asynchronous stages if it has
   * any, then encodes and writes it (skipped when taken over).
   */
  writeNext(records: LogRecord[]): void | Promise<void> {
    const entry = this.#inflight[0];
    if (entry.taken) return this.#settle();
    const started = performance.now();
    const stages = this.#sink.stages;
    if (stages === undefined) return this.#encode(entry, records, started);
    return stages.run(records).then((out) => this.#encode(entry, out, started), (err) => {
      this.#o.complete(records, started, err);
      this.#settle();
    });
  }

  /** Ends the sink's asynchronous stages and writes what they passed on at their end (once, without retries). */
  async finish(): Promise<void> {
    const rest = await this.#sink.stages?.close().catch((err) => (this.#o.onError(err), []));
    if (!rest?.length) return;
    try {
      await this.#sink.write(this.#sink.encode(rest));
    } catch (err) {
      this.#o.lost(rest.length, err);
    }
  }

  #encode(entry: Inflight<C>, records: readonly LogRecord[], started: number): void | Promise<void> {
    try {
      entry.chunk = this.#sink.encode(records);
    } catch (err) {
      this.#o.complete(entry.records, started, err);
      return this.#settle();
    }
    return this.#attempt(entry, started, 0);
  }

  /** Writes the batch in flight synchronously (what is left of it), unless already done. */
  takeOver(): void {
    for (const entry of this.#inflight) {
      if (entry.taken) continue;
      entry.taken = true;
      this.writeSync(entry.records.splice(0), entry.chunk);
    }
  }

  /** Encodes (unless `chunk` is given) and writes one batch synchronously. */
  writeSync(records: LogRecord[], chunk: C | undefined): void {
    const started = performance.now();
    const sink = this.#sink;
    try {
      const encoded = chunk ?? sink.encode(records);
      if (sink.sync) sink.write(encoded);
      else sink.writeSync!(encoded);
      this.#o.complete(records, started);
    } catch (err) {
      this.#o.complete(records, started, err);
    }
  }

  /** One write of an entry's chunk; on failure, a retry after a backoff when the sink allows it. */
  #attempt(entry: Inflight<C>, started: number, attempt: number): void | Promise<void> {
    const o = this.#o;
    const done = (err?: unknown): void | Promise<void> => {
      if (entry.taken) return this.#settle();
      o.ledger.failing = err !== undefined && this.#sink.retry === true && !o.closing();
      if (!o.ledger.failing) {
        o.complete(entry.records, started, err);
        return this.#settle();
      }
      if (attempt === 0) {
        o.onError(new Error(`sluice: writing to ${this.#sink.name} failed; retrying: ${errorMessage(err)}`, { cause: err }));
      }
      o.ledger.retries++;
      return sleep(retryDelay(SINK_WRITE_RETRY, attempt + 1), o.unrefTimer)
        .then(() => entry.taken ? this.#settle() : this.#attempt(entry, started, attempt + 1));
    };
    let result: void | Promise<void>;
    try {
      result = this.#sink.write(entry.chunk as C);
    } catch (err) {
      return done(err);
    }
    if (result === undefined || typeof (result as Promise<void>).then !== "function") return done();
    return (result as Promise<void>).then(() => done(), (err) => done(err ?? new Error("write rejected")));
  }

  #settle(): void {
    this.#inflight.shift();
    this.#o.settled();
  }
}
