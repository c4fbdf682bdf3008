/**
 * What each producer sent lately: records accepted (and per minute), rejected, refused, and
 * the last batch's time, for `GET /api/producers`.
 *
 * @module
 */
import type { ProducerState } from "./producers.ts";

/** Ten-second buckets over the last minute. */
const BUCKET_MS = 10_000;
const BUCKETS = 6;

interface Activity {
  accepted: number;
  rejected: number;
  refused: number;
  /** What the producer reported dropping itself (its last heartbeat's `dropped`). */
  dropped: number;
  lastSeen: number;
  /** Records accepted per bucket, indexed by bucket number modulo BUCKETS. */
  recent: number[];
  recentAt: number[];
}

/**
 * One producer as `GET /api/producers` shows it.
 *
 * @example
 * ```ts
 * const p: ProducerHealth = { producer: "edge-1", status: "ok", lastSeen: "2026-01-01T00:00:00.000Z", dueBy: "", recordsPerMinute: 60, accepted: 100, rejected: 0, refused: 0, dropped: 0 };
 * ```
 */
export interface ProducerHealth {
  producer: string;
  /** `late` once it missed its announced check-in (and grace); `stopped` after a shutdown heartbeat. */
  status: "ok" | "late" | "stopped";
  /** Its last heartbeat or batch, ISO-8601, or "" when neither. */
  lastSeen: string;
  /** When its next check-in is due, ISO-8601, or "" when it announced none. */
  dueBy: string;
  /** Records accepted over the last minute. */
  recordsPerMinute: number;
  /** Records accepted since the collector started. */
  accepted: number;
  /** Lines refused on their own (bad JSON, too long, ...). */
  rejected: number;
  /** Requests refused whole with 429 or 503 (to be sent again). */
  refused: number;
  /** Records the producer reported it dropped (heartbeat `dropped`). */
  dropped: number;
}

/**
 * Counts per producer, kept for producers the tokens allow (their number is bounded by
 * `maxProducersPerToken`).
 *
 * @example
 * ```ts
 * import { ProducerActivity } from "./producer_activity.ts";
 * const a = new ProducerActivity();
 * a.batch("edge-1", 10, 1);
 * a.health(registry.list());
 * ```
 */
export class ProducerActivity {
  readonly #byName = new Map<string, Activity>();
  /** Ingest requests refused whole, by status (429: over the token's rate; 503: the collector or its store is busy or failing). */
  readonly refusedByStatus: Record<"429" | "503", number> = { 429: 0, 503: 0 };

  /** A batch from `producer`: `accepted` records written, `rejected` lines refused. */
  batch(producer: string, accepted: number, rejected: number, now = Date.now()): void {
    const a = this.#of(producer);
    a.accepted += accepted;
    a.rejected += rejected;
    a.lastSeen = now;
    const bucket = Math.floor(now / BUCKET_MS);
    const at = bucket % BUCKETS;
    if (a.recentAt[at] !== bucket) (a.recentAt[at] = bucket, a.recent[at] = 0);
    a.recent[at] += accepted;
  }

  /** A request from `producer` refused with `status` 429 or 503. */
  refused(producer: string, status: 429 | 503): void {
    this.#of(producer).refused++;
    this.refusedByStatus[status]++;
  }

  /** What `producer` reported dropping (a heartbeat's `dropped`, a running total). */
  dropped(producer: string, total: number): void {
    this.#of(producer).dropped = total;
  }

  /** Every producer heard from, by heartbeat (`beats`, with their status) or by batch. */
  health(beats: readonly ProducerState[], now = Date.now()): ProducerHealth[] {
    const out = new Map<string, ProducerHealth>();
    const bucket = Math.floor(now / BUCKET_MS);
    for (const [producer, a] of this.#byName) {
      let perMinute = 0;
      for (let i = 0; i < BUCKETS; i++) if (bucket - a.recentAt[i] < BUCKETS) perMinute += a.recent[i];
      out.set(producer, {
        producer,
        status: "ok",
        lastSeen: a.lastSeen > 0 ? new Date(a.lastSeen).toISOString() : "",
        dueBy: "",
        recordsPerMinute: perMinute,
        accepted: a.accepted,
        rejected: a.rejected,
        refused: a.refused,
        dropped: a.dropped,
      });
    }
    for (const b of beats) {
      const h = out.get(b.producer) ?? { producer: b.producer, status: "ok", lastSeen: "", dueBy: "", recordsPerMinute: 0, accepted: 0, rejected: 0, refused: 0, dropped: 0 };
      h.status = b.status === "missed" ? "late" : b.status;
      h.dueBy = b.dueBy;
      if (b.lastSeen > h.lastSeen) h.lastSeen = b.lastSeen;
      out.set(b.producer, h);
    }
    return [...out.values()].sort((a, b) => a.producer.localeCompare(b.producer));
  }

  #of(producer: string): Activity {
    let a = this.#byName.get(producer);
    if (a === undefined) {
      a = { accepted: 0, rejected: 0, refused: 0, dropped: 0, lastSeen: 0, recent: new Array(BUCKETS).fill(0), recentAt: new Array(BUCKETS).fill(-BUCKETS) };
      this.#byName.set(producer, a);
    }
    return a;
  }
}
