/**
 * One `/api/tail` client: its position in the ring and its Server-Sent Events stream.
 *
 * @module
 */
import type { LogRecord } from "../../lib/record.ts";
import type { TailHub } from "./tail_hub.ts";

const utf8 = new TextEncoder();
/** Sent at once on connect: the client knows it is connected before the first record. */
const HELLO = utf8.encode(": connected\nretry: 2000\n\n");
const HEARTBEAT = utf8.encode(": heartbeat\n\n");
/** Bytes of events gathered into one chunk at most (one record's event may be larger). */
const CHUNK_BYTES = 64 << 10;
/**
 * What looking at a record the filter leaves out costs of a client's allowance (a record sent
 * costs 1): a client may look at 16 times its rate.
 */
const LOOK_COST = 1 / 16;
/** A client over its rate sleeps this long before it is sent more. */
const RATE_PAUSE_MS = 250;
/**
 * The time all tail clients together may spend running their queries' filters, in ms a second
 * (shared equally among the clients following): what a record costs to look at depends on the
 * query (a query of hundreds of terms costs ~0.5 ms a record), so looks are bounded by time too;
 * a client past its share sleeps until it has some again, and what the ring lets go meanwhile
 * is reported dropped. Ingest keeps the rest of the collector's time.
 *
 * @example
 * ```ts
 * import { TAIL_FILTER_MS_PER_SEC } from "./tail_subscriber.ts";
 * TAIL_FILTER_MS_PER_SEC; // 200
 * ```
 */
export const TAIL_FILTER_MS_PER_SEC = 200;
/** The most filter time one client spends at once (its share's burst), ms. */
const FILTER_SLICE_MS = 10;

/**
 * A client following the hub: it holds only the sequence of the next record to look at; each
 * time its stream is read (the runtime reads as the socket drains) it gathers the matching
 * records from there. A client that stops reading falls behind without holding anything, and
 * when it reads again is told with `event: dropped` how many records the ring let go first.
 *
 * @example
 * ```ts
 * const sub = new TailSubscriber(hub, (r) => r.level === "error", hub.ring.next, () => {});
 * const reader = sub.stream.getReader();
 * ```
 */
export class TailSubscriber {
  /** The SSE bytes: a first comment, then events and heartbeats. */
  readonly stream: ReadableStream<Uint8Array>;
  #next: number;
  #ended = false;
  #waiter: (() => void) | undefined;
  /** Sleeping off its rate: new records do not wake it. */
  #throttled = false;
  /** Events it may still be sent now (refilled at the hub's maxEventsPerSec, up to a second's worth). */
  #allowance: number;
  /** Filter time it may still spend now, ms (refilled at its share of TAIL_FILTER_MS_PER_SEC, up to FILTER_SLICE_MS). */
  #filterMs = FILTER_SLICE_MS;
  #refilledAt = performance.now();
  #controller!: ReadableStreamDefaultController<Uint8Array>;
  readonly #leave: () => void;

  /**
   * @param hub The hub (its ring, ids, heartbeat, counts).
   * @param filter Which records this client is sent.
   * @param next The first sequence to look at.
   * @param gone Called once when the client goes away or the stream ends.
   */
  constructor(readonly hub: TailHub, readonly filter: (record: LogRecord) => boolean, next: number, gone: () => void) {
    this.#next = next;
    this.#allowance = hub.options.maxEventsPerSec;
    let left = false;
    const leave = this.#leave = () => {
      if (left) return;
      left = true;
      this.#ended = true;
      this.#release();
      gone();
    };
    this.stream = new ReadableStream<Uint8Array>({
      start: (c) => {
        this.#controller = c;
        c.enqueue(HELLO);
      },
      pull: async (c) => {
        for (;;) {
          if (this.#ended) {
            leave();
            try {
              return c.close();
            } catch {
              return; // cancelled by the client already
            }
          }
          const pause = this.#refill();
          if (pause > 0) {
            // over its rate or its filter time: what comes meanwhile waits in the ring, or is reported dropped
            this.#throttled = true;
            await this.#wait(pause);
            this.#throttled = false;
            continue;
          }
          const chunk = this.#gather();
          if (chunk !== undefined) return c.enqueue(chunk);
          // its allowance ran out while looking at records its query leaves out: sleep it off above
          if (this.#next < this.hub.ring.next) continue;
          if (!(await this.#wait(this.hub.options.heartbeatMs))) return c.enqueue(HEARTBEAT);
        }
      },
      cancel: leave,
    }, { highWaterMark: 0 });
  }

  /** New records are in the ring: a waiting read looks again (one sleeping off its rate does not). */
  wake(): void {
    if (!this.#throttled) this.#release();
  }

  #release(): void {
    const w = this.#waiter;
    this.#waiter = undefined;
    w?.();
  }

  /** Ends the stream: at once when no read waits, else when the waiting read looks again. */
  end(): void {
    this.#ended = true;
    if (this.#waiter !== undefined) return this.#release();
    // no read in progress (reads only pause in #wait): close here, or a client that stopped reading would hold it
    try {
      this.#controller.close();
    } catch {
      // closed already
    }
    this.#leave();
  }

  /** Refills its events and filter time; returns 0 when it may go on, else how long to sleep (ms). */
  #refill(): number {
    const now = performance.now();
    const elapsed = now - this.#refilledAt;
    const rate = this.hub.options.maxEventsPerSec;
    this.#allowance = Math.min(rate, this.#allowance + (elapsed * rate) / 1000);
    const share = TAIL_FILTER_MS_PER_SEC / Math.max(1, this.hub.clients);
    this.#filterMs = Math.min(FILTER_SLICE_MS, this.#filterMs + (elapsed * share) / 1000);
    this.#refilledAt = now;
    if (this.#allowance < 1) return RATE_PAUSE_MS;
    // until a slice's worth is back, within [10 ms, RATE_PAUSE_MS]
    if (this.#filterMs <= 0) return Math.min(RATE_PAUSE_MS, Math.max(10, ((FILTER_SLICE_MS - this.#filterMs) * 1000) / share));
    return 0;
  }

  /** Waits for new records (true) or `ms` (false). */
  #wait(ms: number): Promise<boolean> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.#waiter = undefined;
        resolve(false);
      }, ms);
      this.#waiter = () => {
        clearTimeout(timer);
        resolve(true);
      };
    });
  }

  /** The events from the position on, up to a chunk's worth, or undefined when there are none. */
  #gather(): Uint8Array | undefined {
    const { ring, counts, boot } = this.hub;
    let text = "";
    if (this.#next < ring.first) {
      const dropped = ring.first - this.#next;
      counts.dropped += dropped;
      this.#next = ring.first;
      text = `event: dropped\ndata: {"dropped":${dropped}}\n\n`;
    }
    while (this.#next < ring.next && text.length < CHUNK_BYTES && this.#allowance >= 1 && this.#filterMs > 0) {
      const seq = this.#next++;
      // making a record of a body kept as its text is filter time too
      const t0 = performance.now();
      const r = ring.record(seq)!;
      counts.examined++;
      const match = this.filter(r);
      this.#filterMs -= performance.now() - t0;
      if (!match) {
        // looking costs too: a filter that matches little cannot make a client scan everything ingested
        this.#allowance -= LOOK_COST;
        continue;
      }
      text += "id: " + boot + "-" + seq + "\ndata: " + r.json + "\n\n";
      counts.sent++;
      this.#allowance--;
    }
    return text === "" ? undefined : utf8.encode(text);
  }
}
