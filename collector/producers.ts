/**
 * Producers' health: heartbeats, check-in deadlines and missed check-ins.
 *
 * @module
 */

/** The longest check-in interval a heartbeat may announce unless `maxCheckInMs` says otherwise: a week. */
export const MAX_CHECK_IN_MS = 7 * 86_400_000;
/** The longest grace a heartbeat may ask for unless `maxGraceMs` says otherwise: a day. */
export const MAX_GRACE_MS = 86_400_000;

/**
 * The bounds of a heartbeat's announcements (`sluice serve --max-check-in`, `--max-grace`).
 *
 * @example
 * ```ts
 * import type { HeartbeatBounds } from "./producers.ts";
 * const bounds: HeartbeatBounds = { maxCheckInMs: 3_600_000, maxGraceMs: 60_000 };
 * ```
 */
export interface HeartbeatBounds {
  /** The longest `nextCheckInMs`. @default 604800000 (a week) */
  maxCheckInMs?: number;
  /** The longest `graceMs`. @default 86400000 (a day) */
  maxGraceMs?: number;
}

/**
 * What is wrong with a heartbeat body, or `undefined` when it is well formed: a JSON object
 * with optional `producer` (string), `nextCheckInMs` (0 to `maxCheckInMs`, a week by default),
 * `graceMs` (0 to `maxGraceMs`, a day by default), `shutdown` (boolean) and `dropped` (the
 * records the producer dropped so far, a whole number, shown by `/api/producers`).
 *
 * @example
 * ```ts
 * import { heartbeatError } from "./producers.ts";
 * heartbeatError({ nextCheckInMs: 1e16 }); // "nextCheckInMs must be a number of milliseconds from 0 to 604800000 (--max-check-in)"
 * heartbeatError({ graceMs: 120_000 }, { maxGraceMs: 60_000 }); // "graceMs must be ... from 0 to 60000 (--max-grace)"
 * ```
 */
export function heartbeatError(beat: unknown, bounds: HeartbeatBounds = {}): string | undefined {
  if (typeof beat !== "object" || beat === null || Array.isArray(beat)) return "a heartbeat is a JSON object: { producer?, nextCheckInMs?, graceMs?, shutdown?, dropped? }";
  const b = beat as Record<string, unknown>;
  const within = (v: unknown, max: number) => v === undefined || (typeof v === "number" && v >= 0 && v <= max);
  const maxCheckIn = bounds.maxCheckInMs ?? MAX_CHECK_IN_MS;
  const maxGrace = bounds.maxGraceMs ?? MAX_GRACE_MS;
  if (b.producer !== undefined && typeof b.producer !== "string") return "producer must be a string";
  if (!within(b.nextCheckInMs, maxCheckIn)) return `nextCheckInMs must be a number of milliseconds from 0 to ${maxCheckIn} (--max-check-in)`;
  if (!within(b.graceMs, maxGrace)) return `graceMs must be a number of milliseconds from 0 to ${maxGrace} (--max-grace)`;
  if (b.shutdown !== undefined && typeof b.shutdown !== "boolean") return "shutdown must be true or false";
  if (b.dropped !== undefined && !(Number.isSafeInteger(b.dropped) && (b.dropped as number) >= 0)) return "dropped must be a whole number ≥ 0 (the records the producer dropped so far)";
  return undefined;
}

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
