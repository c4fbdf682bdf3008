/**
 * Publishing batches to a JetStream stream, shared by `serve --jetstream` and `jetstreamSink`:
 * one connection (the client reconnects forever), the stream checked or created on start, each
 * batch published as its messages (jetstream/message.ts) and acknowledged before it counts.
 *
 * @module
 */
import { connect, headers, type NatsConnection } from "@nats-io/transport-node";
import { jetstream, type JetStreamClient, jetstreamManager } from "@nats-io/jetstream";
import { errorMessage } from "../lib/errors.ts";
import { latencyRecorder, type LatencySummary } from "../lib/latency.ts";
import type { LogRecord } from "../lib/record.ts";
import { type BatchMeta, encodeBatch, subjectPrefix } from "./message.ts";
import { defaultSubject, ensureStream, type EnsureResult, type StreamSettings } from "./stream.ts";

/**
 * Where and how to publish.
 *
 * @example
 * ```ts
 * import type { PublisherOptions } from "./publisher.ts";
 * const o: PublisherOptions = { servers: "nats://127.0.0.1:4222", stream: "LOGS", publishTimeoutMs: 5000 };
 * ```
 */
export interface PublisherOptions {
  /** The NATS server(s), `nats://host:port` (a comma-separated list or an array for a cluster). */
  servers: string | string[];
  /** The stream's name, such as `LOGS`. */
  stream: string;
  /** How long a batch's acknowledgements may take before the publish counts as failed. @default 5000 */
  publishTimeoutMs?: number;
  /** Creates a missing stream with these settings (`ensureStream`'s defaults); `false` makes a missing stream an error. @default {} */
  create?: Omit<StreamSettings, "name"> | false;
  /** The connection's name, shown by the server. @default "sluice" */
  name?: string;
  /**
   * While NATS is disconnected, how long a publish waits for the client to reconnect before it
   * fails: 0 fails at once (the collector answers 503 without holding the producer).
   * @default 0
   */
  reconnectWaitMs?: number;
}

/**
 * A batch JetStream did not acknowledge whole (unreachable, slow or refusing); nothing of it
 * counts as stored, and publishing it again with the same id stores it once.
 *
 * @example
 * ```ts
 * import { PublishError } from "./publisher.ts";
 * new PublishError("JetStream did not acknowledge the batch: timeout").name; // "PublishError"
 * ```
 */
export class PublishError extends Error {
  /** `PublishError`. */
  override name = "PublishError";
}

/**
 * A connection publishing sluice batches to one stream.
 *
 * @example
 * ```ts ignore
 * import { Publisher } from "./publisher.ts";
 * const p = await Publisher.open({ servers: "nats://127.0.0.1:4222", stream: "LOGS" });
 * await p.publish(records, { id: crypto.randomUUID(), producer: "api-1" });
 * await p.close();
 * ```
 */
export class Publisher {
  /** Messages acknowledged (`stored`, or `duplicate` when the id was in the window), and batches that failed. */
  readonly counts: { stored: number; duplicate: number; failed: number } = { stored: 0, duplicate: 0, failed: 0 };
  readonly #latency = latencyRecorder();
  #down: string | undefined;
  #reconnected: (() => void)[] = [];

  private constructor(readonly nc: NatsConnection, readonly js: JetStreamClient, readonly prefix: string, readonly stream: EnsureResult, readonly timeoutMs: number, readonly reconnectWaitMs: number) {
    void this.#watch();
  }

  /**
   * Connects (a first connection that fails is an error; later drops are reconnected by the
   * client, forever) and checks the stream, creating it when missing unless `create: false`.
   */
  static async open(o: PublisherOptions): Promise<Publisher> {
    const timeoutMs = o.publishTimeoutMs ?? 5000;
    if (!(timeoutMs > 0)) throw new RangeError(`sluice: publishTimeoutMs must be positive, got ${o.publishTimeoutMs}`);
    const nc = await connect({ servers: o.servers, name: o.name ?? "sluice", maxReconnectAttempts: -1, reconnectTimeWait: 250, timeout: timeoutMs });
    try {
      const jsm = await jetstreamManager(nc, { timeout: timeoutMs });
      let stream: EnsureResult;
      if (o.create === false) {
        const info = await jsm.streams.info(o.stream).catch((err) => {
          throw new Error(`stream ${o.stream} is missing (${errorMessage(err)}); create it with sluice jetstream init`);
        });
        stream = { action: "exists", config: info.config, differences: [] };
      } else stream = await ensureStream(jsm, { ...o.create, name: o.stream });
      const subject = stream.config.subjects?.[0] ?? defaultSubject(o.stream);
      return new Publisher(nc, jetstream(nc, { timeout: timeoutMs }), subjectPrefix(subject), stream, timeoutMs, o.reconnectWaitMs ?? 0);
    } catch (err) {
      await nc.close();
      throw err;
    }
  }

  /** How long batches took from publish to their last acknowledgement (p50, p95, p99, count). */
  latency(): LatencySummary {
    return this.#latency.summary();
  }

  /** Why publishing cannot work now (the connection is down), or undefined. */
  failure(): string | undefined {
    return this.#down;
  }

  /**
   * Publishes a batch, one message per category, and resolves once JetStream acknowledged every
   * one (stored, or already stored under the same id); throws {@linkcode PublishError} otherwise.
   *
   * @returns Whether every message was a duplicate (the whole batch was stored before).
   */
  async publish(records: readonly LogRecord[], meta: BatchMeta): Promise<{ duplicate: boolean }> {
    const start = performance.now();
    try {
      if (this.#down !== undefined && this.reconnectWaitMs > 0) await this.#reconnect(this.reconnectWaitMs);
      if (this.#down !== undefined) throw new Error(this.#down);
      const msgs = encodeBatch(this.prefix, records, meta);
      const acks = await Promise.all(msgs.map((m) => {
        const h = headers();
        for (const [k, v] of Object.entries(m.headers)) if (k !== "Nats-Msg-Id") h.set(k, v);
        return this.js.publish(m.subject, m.data, { msgID: m.msgID, headers: h, timeout: this.timeoutMs });
      }));
      let duplicates = 0;
      for (const a of acks) if (a.duplicate) duplicates++;
      this.counts.stored += acks.length - duplicates;
      this.counts.duplicate += duplicates;
      this.#latency.record(performance.now() - start);
      return { duplicate: duplicates === acks.length };
    } catch (err) {
      this.counts.failed++;
      throw new PublishError(`JetStream did not acknowledge the batch: ${errorMessage(err)}`, { cause: err });
    }
  }

  /** Drains and closes the connection. */
  async close(): Promise<void> {
    if (!this.nc.isClosed()) await this.nc.drain().catch(() => this.nc.close());
  }

  /** Resolves on the next reconnection, or after `ms`. */
  #reconnect(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, ms);
      this.#reconnected.push(() => (clearTimeout(timer), resolve()));
    });
  }

  async #watch(): Promise<void> {
    for await (const s of this.nc.status()) {
      if (s.type === "disconnect") this.#down = `NATS is disconnected from ${s.server}; reconnecting`;
      else if (s.type === "reconnect") {
        this.#down = undefined;
        for (const wake of this.#reconnected.splice(0)) wake();
      }
      else if (s.type === "close") this.#down = "the NATS connection is closed";
    }
  }
}
