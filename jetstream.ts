/**
 * sluice on NATS JetStream: the stream's set-up, for `sluice jetstream init` and for your own
 * code. A separate entry (`sluice/jetstream`) because it depends on the NATS client
 * (`@nats-io/transport-node`, `@nats-io/jetstream`); the core stays dependency-free.
 *
 * @example Create the stream, or check the one that is there (needs a NATS server: not run by the doc tests)
 * ```ts ignore
 * import { connect } from "@nats-io/transport-node";
 * import { jetstreamManager } from "@nats-io/jetstream";
 * import { ensureStream } from "sluice/jetstream";
 * const nc = await connect({ servers: "nats://127.0.0.1:4222" });
 * console.log(await ensureStream(await jetstreamManager(nc), { name: "LOGS", replicas: 3 }));
 * await nc.close();
 * ```
 *
 * @module
 */
export { defaultSubject, ensureStream, streamConfig } from "./jetstream/stream.ts";
export type { EnsureResult, StreamSettings } from "./jetstream/stream.ts";
export { batchId, categorySubject, encodeBatch, subjectPrefix } from "./jetstream/message.ts";
export { decodeMessage, MessageDecodeError } from "./jetstream/message_read.ts";
export type { BatchMeta, JsMessage } from "./jetstream/message.ts";
export { Publisher, PublishError } from "./jetstream/publisher.ts";
export type { PublisherOptions } from "./jetstream/publisher.ts";
export { jetstreamSink } from "./jetstream/sink.ts";
export type { JetStreamBatch, JetStreamSinkOptions } from "./jetstream/sink.ts";
export { jetstreamStore, publisherMetrics } from "./collector/jetstream_store.ts";
export type { BatchOrigin, RecordStore, StoreKey } from "./collector/store.ts";
