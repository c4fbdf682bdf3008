/**
 * Stages that hold or drop records on purpose (`throttle`, `sample`, `fingersCrossed`): a
 * synchronous stage that also counts what it did, hands on what it holds when the sink flushes
 * or closes, and may write on its own (a throttle's window that ends while nothing is logged).
 *
 * @module
 */
import type { LogRecord } from "../record.ts";
import type { SyncStage } from "./stage.ts";

/**
 * One stage's counters, as `log.stats().sinks[i].stages` shows them: `stage` names it, the
 * other members are its own counts (see each stage).
 *
 * @example
 * ```ts
 * import { createLogger, fileSink, sample } from "../../mod.ts";
 * const log = createLogger({ sinks: [fileSink("./logs/app.ndjson", { through: [sample({ rate: 0.1 })] })] });
 * log.stats().sinks[0].stages; // [{ stage: "sample", kept: 0, sampledOut: 0 }]
 * await log.close();
 * ```
 */
export interface StageStats {
  /** The stage's name (`"throttle"`, `"sample"`, `"fingersCrossed"`). */
  readonly stage: string;
  /** The stage's counters. */
  readonly [counter: string]: unknown;
}

/**
 * What a sink gives a {@linkcode CountingStage} when its logger starts it: a way to write records
 * the stage makes on its own (they go through the stages after it, then to the sink), and the
 * runtime's timer unref. Given only to stages of a sink that writes synchronously.
 *
 * @example
 * ```ts
 * import type { StageHooks } from "./counting_stage.ts";
 * const hooks: StageHooks = { emit: (records) => console.log(records.length), unrefTimer: () => {} };
 * ```
 */
export interface StageHooks {
  /** Writes `records` now, through the stages after this one. */
  emit(records: LogRecord[]): void;
  /** Makes a timer not keep the process alive. */
  unrefTimer(timer: unknown): void;
}

/**
 * A {@linkcode SyncStage} of record batches that counts what it does and may hold records:
 * `drain` hands on what it has to say now (at a flush, and with `final` when the logger closes),
 * `stats` its counters. A sink's `through` option wires both in; its `stream()` form hands on
 * `drain(true)` when the stream ends.
 *
 * @example
 * ```ts
 * import { throttle } from "./throttle.ts";
 * const stage = throttle({ max: 10, windowMs: 1000 });
 * stage.transform([]); // []
 * stage.stats(); // { stage: "throttle", passed: 0, suppressed: 0, summaries: 0, keys: 0 }
 * ```
 */
export interface CountingStage extends SyncStage<readonly LogRecord[], LogRecord[]> {
  /** Records to hand on now: at a flush, and at close with `final` (the stage then lets go of everything). */
  drain(final: boolean): LogRecord[];
  /** The stage's counters. */
  stats(): StageStats;
  /** Receives the sink's hooks once a logger starts it (synchronous sinks only). */
  connect?(hooks: StageHooks): void;
}

/**
 * Fills in a counting stage's `stream()`: a `TransformStream` that runs `transform` on each batch
 * and hands on `drain(true)` when it ends.
 *
 * @param parts The stage without `stream`.
 * @returns The stage.
 * @example
 * ```ts
 * import { countingStage } from "./counting_stage.ts";
 * const all = countingStage({ transform: (b) => [...b], drain: () => [], stats: () => ({ stage: "all" }) });
 * ```
 */
export function countingStage(parts: Omit<CountingStage, "stream">): CountingStage {
  return {
    ...parts,
    stream: () =>
      new TransformStream({
        transform: (batch, controller) => controller.enqueue(parts.transform(batch)),
        flush: (controller) => {
          const rest = parts.drain(true);
          if (rest.length > 0) controller.enqueue(rest);
        },
      }),
  };
}

/**
 * True when `stage` is a {@linkcode CountingStage}.
 *
 * @example
 * ```ts
 * import { isCountingStage } from "./counting_stage.ts";
 * import { syncStage } from "./stage.ts";
 * isCountingStage(syncStage((b) => b)); // false
 * ```
 */
export function isCountingStage(stage: unknown): stage is CountingStage {
  const s = stage as Partial<CountingStage> | undefined;
  return typeof s?.transform === "function" && typeof s.drain === "function" && typeof s.stats === "function";
}
