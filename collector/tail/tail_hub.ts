/**
 * The live tail behind `GET /api/tail`: accepted records go into a bounded ring in process, and
 * each client reads the ring from its own position as a Server-Sent Events stream.
 *
 * @module
 */
import type { LogRecord } from "../../lib/record.ts";
import { RecordRing, type SentBody } from "./record_ring.ts";
import { TailSubscriber } from "./tail_subscriber.ts";
import { family } from "../prometheus.ts";
import { HolderSlots } from "../holder_slots.ts";

/**
 * Options of {@linkcode TailHub}.
 *
 * @example
 * ```ts
 * const options: TailOptions = { maxRecords: 10_000, maxBytes: 32 << 20, heartbeatMs: 15_000, maxClients: 64, maxEventsPerSec: 5000 };
 * ```
 */
export interface TailOptions {
  /** Records kept for clients that resume (`Last-Event-ID`) or fall behind. */
  maxRecords: number;
  /** Bytes of those records kept: their lines, messages and categories, or the text of a body taken whole. */
  maxBytes: number;
  /** A comment is sent when nothing else was for this long. */
  heartbeatMs: number;
  /** Tail clients at once; past it `/api/tail` answers 503. */
  maxClients: number;
  /** How many read tokens there may be (1 for anonymous readers): with more, each follows with at most its share of `maxClients` (half). @default 1 */
  readers?: number;
  /**
   * Events one client is sent a second at most (a second's worth at once), and 16 times as many
   * records its filter may look at: past either the client falls behind and is told
   * `event: dropped`, so the tail's cost to ingest stays bounded whatever the ingest rate and
   * however little a client's query matches.
   */
  maxEventsPerSec: number;
}

/** A `Last-Event-ID` that is not one of the ids `/api/tail` sends. */
export class BadCursorError extends Error {
  /** @param id The id given. */
  constructor(id: string) {
    super(`Last-Event-ID ${JSON.stringify(id.slice(0, 80))} is not an id /api/tail sent`);
    this.name = "BadCursorError";
  }
}

/**
 * Where accepted records are published and tail clients subscribe. Publishing is a push into
 * the ring and a wake of the clients waiting for more: it never waits for a client, and a
 * client that reads slowly holds only its position (records the ring let go before it read
 * them are reported to it as `event: dropped`).
 *
 * @example
 * ```ts
 * import { TailHub } from "./tail_hub.ts";
 * const hub = new TailHub({ maxRecords: 10_000, maxBytes: 32 << 20, heartbeatMs: 15_000, maxClients: 64, maxEventsPerSec: 5000 });
 * const body = hub.open(() => true, undefined, 0, "ops"); // a ReadableStream of SSE bytes, or "full" or "share"
 * hub.publish(records);
 * ```
 */
export class TailHub {
  /** The recent records. */
  readonly ring: RecordRing;
  /** This process's part of every id: an id of an earlier run resumes from the ring's start. */
  readonly boot: string = Math.floor(Math.random() * 36 ** 6).toString(36).padStart(6, "0");
  /** Records clients missed because they read too slowly (each counted once per client), records looked at by their filters, events sent. */
  readonly counts = { dropped: 0, examined: 0, sent: 0 };
  readonly #subscribers = new Set<TailSubscriber>();
  /** `maxClients` shared out by read token: one that follows with many streams leaves the others half. */
  readonly slots: HolderSlots;
  #closed = false;

  /** @param options Bounds and heartbeat. */
  constructor(readonly options: TailOptions) {
    this.ring = new RecordRing(options.maxRecords, options.maxBytes);
    this.slots = new HolderSlots(options.maxClients, options.readers ?? 1);
  }

  /** Clients following now. */
  get clients(): number {
    return this.#subscribers.size;
  }

  /**
   * Adds accepted (written) records and wakes the clients waiting for them. With `body`, the
   * records are every line of that text (`ParsedBody.asSent`; `records` may be empty when they
   * were not made, and `body.count` says how many), and the ring keeps only the text.
   */
  publish(records: readonly LogRecord[], body?: SentBody): void {
    this.ring.push(records, body);
    if (this.#subscribers.size !== 0) for (const s of this.#subscribers) s.wake();
  }

  /**
   * A new client's event stream: records matching `filter` after `lastEventId`, or without one
   * from now (with `backlog`, from that many records back, as far as the ring reaches). Not when
   * `maxClients` follow already (`"full"`), or `holder` (the read token) follows with its share of
   * them (`"share"`). It ends when `gone` aborts. Throws {@linkcode BadCursorError}.
   */
  open(filter: (record: LogRecord) => boolean, lastEventId: string | undefined, backlog = 0, holder = "", gone?: AbortSignal): ReadableStream<Uint8Array> | "full" | "share" {
    const start = lastEventId === undefined || lastEventId === "" ? Math.max(this.ring.first, this.ring.next - backlog) : this.#startAfter(lastEventId);
    const refused = this.#closed ? "full" : this.slots.take(holder);
    if (refused !== undefined) return refused;
    const sub = new TailSubscriber(this, filter, start, () => {
      if (this.#subscribers.delete(sub)) this.slots.give(holder);
    });
    this.#subscribers.add(sub);
    // a client gone before its stream was read (or never read, as a HEAD's) gives its place back
    gone?.addEventListener("abort", () => sub.end(), { once: true });
    return sub.stream;
  }

  /** The id of the record with sequence `seq`. */
  id(seq: number): string {
    return `${this.boot}-${seq}`;
  }

  /** The tail's `/metrics` lines: clients following, records kept, records clients missed. */
  metricLines(): string[] {
    return [
      ...family("sluice_tail_clients", "gauge", "/api/tail clients following now (--max-tail-clients bounds them).", this.clients),
      ...family("sluice_tail_buffer_records", "gauge", "Recent records kept for /api/tail clients (--tail-buffer).", this.ring.next - this.ring.first),
      ...family("sluice_tail_dropped_total", "counter", "Records /api/tail clients missed because they read more slowly than records came (each sent event: dropped).", this.counts.dropped),
    ];
  }

  /** Ends every client's stream (the collector is stopping) and takes no more. */
  close(): void {
    this.#closed = true;
    for (const s of this.#subscribers) s.end();
  }

  /** The first sequence a client resuming after `id` is served. */
  #startAfter(id: string | undefined): number {
    if (id === undefined || id === "") return this.ring.next;
    const m = /^([0-9a-z]{6})-(\d{1,15})$/.exec(id);
    if (m === null) throw new BadCursorError(id);
    // an id of an earlier run: everything this run kept
    if (m[1] !== this.boot) return this.ring.first;
    return Math.min(Number(m[2]) + 1, this.ring.next);
  }
}
