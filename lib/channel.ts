/**
 * A channel: one sink's bounded queue, the pipe its batches flow through, their writes and
 * retries, and what became of the records (written, lost by reason, how long writes took).
 *
 * @module
 */
import { DrainTimeoutError, errorMessage, type LossReason, LogLossError, toError } from "./errors.ts";
import { latencyRecorder } from "./latency.ts";
import { retryDelay, SINK_WRITE_RETRY, sleep } from "./retry.ts";
import { levelValue } from "./levels.ts";
import { keepOwnMessage, type LogRecord, STALLED_WRITE_MS } from "./record.ts";
import type { Sink } from "./sink.ts";
import { resolveQueue } from "./queue_options.ts";
import { createBatcher } from "./stream/batcher.ts";
import type { Channel, ChannelOptions } from "./channel_types.ts";
import { scopeNote } from "./context.ts";

export type { SinkStats } from "./sink_stats.ts";
export type { Channel, ChannelOptions } from "./channel_types.ts";

/** The batch in the pipe. */
interface Inflight<C> {
  records: LogRecord[];
  /** When the batch became due (`performance.now()`): its write's stall is timed from then. */
  dueAt: number;
  /** Set once encoded, so a retry or a takeover writes exactly what is left of it. */
  chunk?: C;
  /** Written or given up by a synchronous drain; the pipe skips it. */
  taken?: boolean;
}

/**
 * Makes the {@linkcode Channel} that feeds `sink`. A failed write is retried with backoff when
 * the sink allows it (`sink.retry`), holding later batches behind it.
 *
 * @param sink The sink to feed.
 * @param options Queue and batch limits, the error reporter and the runtime's timer unref.
 * @returns The channel.
 * @example
 * ```ts
 * import { createChannel } from "./channel.ts";
 * import { streamSink } from "./sinks/stream_sink.ts";
 * const ch = createChannel(streamSink(new WritableStream()), { onError: console.error, unrefTimer: () => {} });
 * await ch.flush();
 * ```
 */
export function createChannel<C>(sink: Sink<C>, { queue, batch, onError, unrefTimer }: ChannelOptions): Channel<C> {
  const minLevel = sink.level === undefined ? 0 : levelValue(sink.level);
  const { maxRecords, maxBytes, onFull } = resolveQueue(sink, queue);
  const latency = latencyRecorder();
  const dropped: Partial<Record<LossReason, number>> = {};
  /** Records done with, in queue order: written, lost by their sink, or dropped as the oldest. */
  let finished = 0;
  let queued = 0;
  let queuedBytes = 0;
  let written = 0;
  /** Failed writes or flushes tried again. */
  let retries = 0;
  /** True while a failed write or flush waits to be tried again. */
  let failing = false;
  /** From close()'s call: a record logged is counted as closed, a failed write is not tried again. */
  let closed = false;
  /** True during a run of `queue-full` drops, and after close, each reported once. */
  let full = false;
  /** True from a write that stalled (not done `STALLED_WRITE_MS` after its batch was due) or failed until the queue is empty: each record queued keeps a message of its own. */
  let waiting = false;
  let inflight: Inflight<C> | undefined;
  /** Resolves when the next batch is done with (written or given up). */
  let ended: Promise<void>;
  let wake!: () => void;
  const next = () => ended = new Promise((resolve) => wake = resolve);
  next();

  const lose = (reason: LossReason, n: number, cause?: unknown): void => {
    dropped[reason] = (dropped[reason] ?? 0) + n;
    // a run of queue-full drops, and the records logged after close, are reported once, marked
    // before onError runs (one that logs was told of its own records until the stack ran out)
    const once = reason === "queue-full" || reason === "closed";
    if (once && full) return;
    full ||= once;
    onError(new LogLossError(reason, sink.name, n, cause));
  };
  /** Counts records counted as written earlier as lost (`sink-error`). */
  const lost = (n: number, cause: unknown) => {
    written -= n;
    lose("sink-error", n, cause);
  };
  /** One batch written, or given up (`err`): counted, and its waiters woken. */
  const complete = (records: readonly LogRecord[], started: number, err?: unknown): void => {
    latency.record(performance.now() - started);
    const n = records.length;
    finished += n;
    queued -= n;
    for (const r of records) queuedBytes -= r.json.length;
    if (queued === 0) waiting = false;
    if (err === undefined) written += n;
    else lose("sink-error", n, err);
    wake();
    next();
  };
  /**
   * Records about to wait long (a write not done `STALLED_WRITE_MS` after its batch was due, or
   * failing) stop holding their callers' messages
   * (`keepOwnMessage`): those queued now, and from now on each one queued until the queue is
   * empty again (so none is copied twice). A log call pays one check.
   */
  const keepMessages = (): void => {
    if (waiting) return;
    waiting = true;
    inflight?.records.forEach(keepOwnMessage);
    batcher.items.forEach(keepOwnMessage);
  };
  /** Waits before a failed write or flush is tried again. */
  const backoff = (attempt: number) => {
    failing = true;
    keepMessages();
    retries++;
    return sleep(retryDelay(SINK_WRITE_RETRY, attempt + 1), unrefTimer);
  };
  const onDue = (): void => {
    if (inflight) return;
    const entry: Inflight<C> = inflight = { records: batcher.take(sink.maxBatch), dueAt: batcher.dueAt };
    pipe = pipe.then(() => writeInflight(entry));
  };
  /** Encodes (unless `chunk` is given) and writes one batch synchronously. */
  const writeSync = (records: LogRecord[], chunk?: C): void => {
    const started = performance.now();
    try {
      const encoded = chunk ?? sink.encode(records);
      if (sink.sync) sink.write(encoded);
      else sink.writeSync!(encoded);
      complete(records, started);
    } catch (err) {
      complete(records, started, err);
    }
  };
  const batcher = createBatcher<LogRecord>({ ...sink.batch, ...batch, sizeOf: (r) => r.json.length }, onDue, unrefTimer);
  /** The batches' writes, one after another (one batch is in flight at a time). */
  let pipe: Promise<void> = Promise.resolve();
  /**
   * The batch in flight (unless a synchronous drain took it over), encoded and written; a failed
   * write is tried again after a backoff when the sink allows it.
   */
  const writeInflight = async (entry: Inflight<C>): Promise<void> => {
    try {
      if (entry.taken) return;
      const started = performance.now();
      try {
        entry.chunk = sink.encode(entry.records);
      } catch (err) {
        return complete(entry.records, started, err);
      }
      for (let attempts = 0; !entry.taken; attempts++) {
        let err: unknown, stall: ReturnType<typeof setTimeout> | undefined;
        // a synchronous sink's write ends before a timer could fire: none for it
        // timed from when the batch was due, so records behind a run of slow writes, none
        // stalled alone, still give theirs up
        if (!sink.sync) unrefTimer(stall = setTimeout(keepMessages, Math.max(0, entry.dueAt + STALLED_WRITE_MS - performance.now())));
        try {
          await sink.write(entry.chunk);
        } catch (e) {
          err = e ?? new Error("write rejected");
        }
        clearTimeout(stall);
        if (entry.taken) return;
        if (err === undefined || sink.retry !== true || closed) {
          failing = false;
          return complete(entry.records, started, err);
        }
        if (attempts === 0) onError(new Error(`sluice: writing to ${sink.name} failed; retrying: ${errorMessage(err)}`, { cause: err }));
        await backoff(attempts);
      }
    } finally {
      // the batch in flight is done with: the next due batch may start
      inflight = undefined;
      if (batcher.due) onDue();
    }
  };
  sink.connect?.({ report: onError, lost, unrefTimer });

  const channel: Channel<C> = {
    sink,
    minLevel,
    push(record) {
      scopeNote?.(record); // still inside the log call: its withContext scope is the current one
      if (closed) return lose("closed", 1);
      if (queued >= maxRecords || queuedBytes >= maxBytes) {
        if (onFull === "block") channel.drainSync();
        else {
          // drop-oldest: as many of the oldest as make room for this one (one at a time, a large
          // record after small ones grew the queue past its bytes); none to drop: this one goes
          let dropped = 0;
          for (let oldest; onFull === "drop-oldest" && (queued >= maxRecords || queuedBytes + record.json.length > maxBytes) && (oldest = batcher.shift()); dropped++) {
            finished++;
            queued--;
            queuedBytes -= oldest.json.length;
          }
          lose("queue-full", dropped || 1);
          if (!dropped) return;
        }
      } else full = false;
      if (waiting) keepOwnMessage(record);
      queued++;
      queuedBytes += record.json.length;
      batcher.add(record);
    },
    drainSync(final = false) {
      if (!sink.sync && !sink.writeSync) return false;
      // the batch in flight first (what is left of it), so the order holds and nothing is written twice
      if (inflight && !inflight.taken) {
        inflight.taken = true;
        writeSync(inflight.records.splice(0), inflight.chunk);
      }
      // what was queued when it began: what an onError logs while a write fails waits for the next
      // drain (else a sink that keeps failing, with an onError that logs, never lets it end)
      for (const end = finished + queued; finished < end && batcher.items.length > 0;) writeSync(batcher.take(sink.maxBatch));
      if (final) {
        try {
          void sink.flush?.();
        } catch (err) {
          onError(toError(err));
        }
      }
      return true;
    },
    async flush() {
      // records are done with in queue order; bounded batches take a backlog in several turns
      const goal = finished + queued;
      while (finished < goal) {
        // the batch's end as it is before expediting: a sink may write it (and a runtime's pipe
        // deliver it, as Deno's does) before expedite returns
        const end = ended;
        batcher.expedite();
        await end;
      }
      for (let attempt = 0;; attempt++) {
        try {
          await sink.flush?.();
          failing = false;
          return;
        } catch (err) {
          if (attempt === 0) onError(toError(err));
          if (!sink.retry || closed) return;
          await backoff(attempt);
        }
      }
    },
    expedite: () => batcher.expedite(),
    async drained(timeoutMs) {
      // full by records or by bytes: then it waits till half of both is free
      if (queued < maxRecords && queuedBytes < maxBytes) return;
      await new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new DrainTimeoutError(sink.name, queued, timeoutMs)), timeoutMs);
        const wait = (): unknown => ended.then(() => queued <= maxRecords / 2 && queuedBytes <= maxBytes / 2 ? resolve(clearTimeout(timer)) : wait());
        wait();
      });
    },
    async close() {
      if (closed) return;
      // a record logged from here on is counted as closed (one logged while the flush ran stayed
      // queued, neither written nor counted); the ones queued before are written
      closed = true;
      full = false; // the first record logged after close is reported, whatever ran before
      try {
        sink.closing?.();
      } catch (err) {
        onError(toError(err));
      }
      await channel.flush();
      await pipe;
      try {
        await sink.close();
      } catch (err) {
        onError(toError(err));
      }
    },
    abandon(reason) {
      if (queued > 0) lose(reason, queued);
    },
    stats: () => ({
      name: sink.name,
      written,
      dropped: { ...dropped },
      queued,
      queuedBytes,
      retries,
      failing,
      flushLatencyMs: latency.summary(),
      details: sink.details?.(),
      stages: sink.stageStats?.(),
    }),
  };
  return channel;
}
