/**
 * Producers' health: heartbeats, check-in deadlines and missed check-ins.
 *
 * @module
 */

/** One producer as the collector sees it. */
export interface ProducerState {
  producer: string;
  /** Last heartbeat or batch, ISO-8601. */
  lastSeen: string;
  /** When the next check-in is due (grace included), ISO-8601. */
  dueBy: string;
  status: "ok" | "missed" | "stopped";
}

/**
 * Tracks heartbeats. A producer that announced its next check-in and misses it by more than
 * its grace period is reported once through `onMissed` (the collector logs a warning record);
 * a producer that says `shutdown` is marked stopped and never reported.
 *
 * @example
 * ```ts
 * import { ProducerRegistry } from "./producers.ts";
 * const reg = new ProducerRegistry((p) => log.warn("producer missed its check-in", p));
 * reg.heartbeat("edge-1", { nextCheckInMs: 60_000, graceMs: 1000 });
 * reg.check(); // call periodically
 * ```
 */
export class ProducerRegistry {
  readonly #producers = new Map<string, { lastSeen: number; dueBy: number; status: ProducerState["status"] }>();
  readonly #onMissed: (p: ProducerState) => void;

  /** @param onMissed Called once per missed check-in. */
  constructor(onMissed: (p: ProducerState) => void) {
    this.#onMissed = onMissed;
  }

  /** Records a heartbeat: the next check-in is due in `nextCheckInMs` plus `graceMs` (default 1000). */
  heartbeat(producer: string, beat: { nextCheckInMs?: number; graceMs?: number; shutdown?: boolean }, now = Date.now()): void {
    if (beat.shutdown) {
      this.#producers.set(producer, { lastSeen: now, dueBy: Infinity, status: "stopped" });
      return;
    }
    const next = beat.nextCheckInMs ?? 60_000;
    this.#producers.set(producer, { lastSeen: now, dueBy: now + next + (beat.graceMs ?? 1000), status: "ok" });
  }

  /** Reports producers past their deadline (once each) and returns how many were reported. */
  check(now = Date.now()): number {
    let n = 0;
    for (const [producer, p] of this.#producers) {
      if (p.status === "ok" && now > p.dueBy) {
        p.status = "missed";
        this.#onMissed(this.#state(producer, p));
        n++;
      }
    }
    return n;
  }

  /** Every producer that sent a heartbeat. */
  list(): ProducerState[] {
    return [...this.#producers].map(([producer, p]) => this.#state(producer, p));
  }

  #state(producer: string, p: { lastSeen: number; dueBy: number; status: ProducerState["status"] }): ProducerState {
    return {
      producer,
      lastSeen: new Date(p.lastSeen).toISOString(),
      dueBy: Number.isFinite(p.dueBy) ? new Date(p.dueBy).toISOString() : "",
      status: p.status,
    };
  }
}
