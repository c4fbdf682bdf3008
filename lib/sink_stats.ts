/**
 * One sink's counters, as `log.stats().sinks` gives them.
 *
 * @module
 */
import type { LossReason } from "./errors.ts";
import type { LatencySummary } from "./latency.ts";
import type { StageStats } from "./stream/counting_stage.ts";

/**
 * One sink's counters.
 *
 * @example
 * ```ts
 * import { createLogger, streamSink } from "../mod.ts";
 * const log = createLogger({ sinks: [streamSink(new WritableStream())] });
 * for (const s of log.stats().sinks) console.log(s.name, s.written, s.queued, s.failing);
 * await log.close();
 * ```
 */
export interface SinkStats {
  /** The sink's name. */
  name: string;
  /** Records written. */
  written: number;
  /** Records not written, by reason. */
  dropped: Partial<Record<LossReason, number>>;
  /** Records waiting. */
  queued: number;
  /** Approximate bytes of the records waiting. */
  queuedBytes: number;
  /** Failed writes tried again (a full disk, say). */
  retries: number;
  /** True while a failed write or flush is waiting to be tried again. */
  failing: boolean;
  /** How long each batch took to write, in milliseconds. */
  flushLatencyMs: LatencySummary;
  /** The sink's own counters, when it has any (`routeSink`: each target's share, state and queue; the alert sinks: folds, digests, 429s). */
  details?: object;
  /** What each counting stage in the sink's `through` option did (`throttle`: suppressed, `sample`: sampled out, `fingersCrossed`: released and discarded), in order. */
  stages?: StageStats[];
}
