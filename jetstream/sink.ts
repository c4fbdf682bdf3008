/**
 * `jetstreamSink`: a service publishes its records straight to a JetStream stream.
 *
 * @module
 */
import type { LevelName } from "../lib/levels.ts";
import type { LogRecord } from "../lib/record.ts";
import type { OnFull, Sink } from "../lib/sink.ts";
import type { BatchLimits } from "../lib/stream/batcher.ts";
import { Publisher, type PublisherOptions } from "./publisher.ts";

/**
 * What `jetstreamSink` takes: where to publish, and the queue and batch limits every sink has.
 *
 * @example
 * ```ts
 * import type { JetStreamSinkOptions } from "sluice/jetstream";
 * const o: JetStreamSinkOptions = { servers: "nats://127.0.0.1:4222", stream: "LOGS", producer: "api-1" };
 * ```
 */
export interface JetStreamSinkOptions extends PublisherOptions {
  /** This service's name, in each message's `Sluice-Producer` header. @default "jetstream" */
  producer?: string;
  /** The lowest level sent. */
  level?: LevelName;
  /** Batch limits. @default { maxRecords: 1000, maxBytes: 1 MiB, maxAgeMs: 1000 } */
  batch?: BatchLimits<LogRecord>;
  /** Records waiting before `onFull`. @default 10000 */
  maxQueuedRecords?: number;
  /** What a full queue drops (counted as `queue-full`). @default "drop-newest" */
  onFull?: Exclude<OnFull, "block">;
}

/**
 * One batch of `jetstreamSink` and the id it keeps across retries (its `Nats-Msg-Id` prefix).
 *
 * @example
 * ```ts
 * import type { JetStreamBatch } from "sluice/jetstream";
 * const b: JetStreamBatch = { id: crypto.randomUUID(), records: [] };
 * ```
 */
export interface JetStreamBatch {
  /** A random id made when the batch is encoded. */
  id: string;
  /** The batch's records. */
  records: readonly LogRecord[];
}

/**
 * A sink publishing each batch to a JetStream stream, one message per category (the format
 * `sluice serve --jetstream` uses, read by `sluice consume`). A batch counts as written once
 * JetStream acknowledged all its messages; a failed publish (NATS away, a timeout, a refusal)
 * is retried with the logger's one retry policy and keeps its `Nats-Msg-Id`, so a batch that
 * was stored but whose acknowledgement was lost is not stored twice. The client reconnects by
 * itself, and a publish while it does waits for it up to `publishTimeoutMs`; the connection
 * opens on the first batch (again on the next one when it failed).
 * `close()` on the logger flushes: what JetStream has not acknowledged by then is counted lost.
 *
 * @param options The NATS servers, the stream, the producer's name, queue and batch limits.
 * @returns The sink.
 * @example
 * ```ts ignore
 * import { createLogger } from "sluice";
 * import { jetstreamSink } from "sluice/jetstream";
 * const log = createLogger({ sinks: [jetstreamSink({ servers: "nats://127.0.0.1:4222", stream: "LOGS", producer: "api-1" })] });
 * log.info("started");
 * await log.close();
 * ```
 */
export function jetstreamSink(options: JetStreamSinkOptions): Sink<JetStreamBatch> {
  const producer = options.producer ?? "jetstream";
  let opening: Promise<Publisher> | undefined;
  const publisher = () => {
    opening ??= Publisher.open({ name: `sluice ${producer}`, reconnectWaitMs: options.publishTimeoutMs ?? 5000, ...options }).catch((err) => {
      opening = undefined; // the next attempt connects again
      throw err;
    });
    return opening;
  };
  return {
    name: options.name ?? `jetstream:${options.stream}`,
    level: options.level,
    sync: false,
    retry: true,
    defaultOnFull: options.onFull ?? "drop-newest",
    batch: { maxRecords: 1000, maxBytes: 1 << 20, maxAgeMs: 1000, ...options.batch },
    maxBatch: { maxRecords: 10_000, maxBytes: 1 << 20 }, // a message must stay under the server's max_payload
    queue: { maxQueuedRecords: options.maxQueuedRecords ?? 10_000 },
    encode: (records) => ({ id: crypto.randomUUID(), records }),
    async write(batch) {
      await (await publisher()).publish(batch.records, { id: batch.id, producer });
    },
    async close() {
      const p = opening;
      opening = undefined;
      if (p !== undefined) await (await p.catch(() => undefined))?.close();
    },
  };
}
