/**
 * The collector's store on JetStream (`sluice serve --jetstream`): a request's records are
 * published as one message per category and the producer is answered only once JetStream
 * acknowledged them all.
 *
 * @module
 */
import { Publisher, PublishError, type PublisherOptions } from "../jetstream/publisher.ts";
import { batchId } from "../jetstream/message.ts";
import type { LogRecord } from "../lib/record.ts";
import type { Sink, SinkHooks } from "../lib/sink.ts";
import { errorMessage } from "../lib/errors.ts";
import { type RecordStore, RecordsRefusedError, refusedAsLost, StoreRefusedError } from "./store.ts";
import { family, latencyFamily } from "./prometheus.ts";

/** Retry-After on a 503 while JetStream is away, slow or refusing: the client reconnects in the meantime. */
export const JETSTREAM_RETRY_AFTER_S = 2;

/**
 * Connects to NATS, checks the stream (creating it with `ensureStream`'s defaults when
 * missing, unless `create: false`) and returns the store for `createIngestApp({ store })`.
 *
 * The batch id (`Nats-Msg-Id`) is a SHA-256 of the token, the producer and the request's
 * Idempotency-Key (or its body without one), so a batch retried to any collector within the
 * stream's duplicate window is stored once. The store keeps no keys of its own: every request
 * is published and JetStream's window answers whether it was stored before.
 *
 * @example
 * ```ts ignore
 * import { serve } from "sluice/server";
 * import { jetstreamStore } from "sluice/jetstream";
 * const store = await jetstreamStore({ servers: "nats://127.0.0.1:4222", stream: "LOGS" });
 * await serve({ port: 8080, dir: "./logs", tokens: [{ name: "edge", token: "s3cret" }], store });
 * ```
 */
export async function jetstreamStore(options: PublisherOptions): Promise<RecordStore & { readonly publisher: Publisher }> {
  const publisher = await Publisher.open({ name: "sluice serve", ...options });
  const publish = async (records: readonly LogRecord[], id: string, producer: string, token?: string) => {
    try {
      return await publisher.publish(records, { id, producer, token });
    } catch (err) {
      if (!(err instanceof PublishError)) throw err;
      // a category of the batch past the server's max_payload is refused every time: not "later"
      if (/max_payload/.test(errorMessage(err))) throw new RecordsRefusedError(`a category of this request is larger than NATS's max_payload (${errorMessage(err)}); its other categories may be stored (under their ids: sent again, they are not stored twice); send smaller batches`, { cause: err });
      throw new StoreRefusedError(`${err.message}; nothing of this request counts as stored; retry later`, JETSTREAM_RETRY_AFTER_S, { cause: err });
    }
  };
  return {
    publisher,
    has: () => false,
    async write(records, key, from) {
      return await publish(records, await batchId(from.token, from.producer, key?.hash ?? from.body), from.producer, from.token);
    },
    failure: () => publisher.failure(),
    retryAfterS: JETSTREAM_RETRY_AFTER_S,
    sink(): Sink<{ id: string; records: readonly LogRecord[] }> {
      let hooks: SinkHooks | undefined;
      return {
        name: "collector-jetstream",
        sync: false,
        retry: true,
        // an async sink cannot block the caller; past the queue the collector's own records are counted as lost
        defaultOnFull: "drop-newest",
        connect: (h) => void (hooks = h),
        // the id is made once per batch, so the logger's retries of it are stored once
        encode: (records) => ({ id: crypto.randomUUID(), records }),
        write: (c) => refusedAsLost(c.records.length, hooks, () => publish(c.records, c.id, "sluice")),
        close: () => {},
      };
    },
    metricLines: () => publisherMetrics(publisher),
    close: () => publisher.close(),
  };
}

/**
 * The publisher's `/metrics` lines: messages stored or duplicate, failed batches, publish
 * latency, and whether NATS is connected.
 *
 * @example
 * ```ts ignore
 * publisherMetrics(store.publisher).join("\n");
 * ```
 */
export function publisherMetrics(p: Publisher): string[] {
  return [
    ...family("sluice_jetstream_messages_total", "counter", "Messages JetStream acknowledged: stored, or duplicate (its Nats-Msg-Id was stored before, within the duplicate window).", [[{ result: "stored" }, p.counts.stored], [{ result: "duplicate" }, p.counts.duplicate]]),
    ...family("sluice_jetstream_publish_failures_total", "counter", "Batches JetStream did not acknowledge whole (unreachable, timed out, refused): answered 503.", p.counts.failed),
    ...family("sluice_jetstream_connected", "gauge", "1 while connected to NATS, 0 while reconnecting (see /readyz for why).", p.failure() === undefined ? 1 : 0),
    ...latencyFamily("sluice_jetstream_publish_latency_ms", "A batch's publish until JetStream acknowledged its last message.", p.latency()),
  ];
}
