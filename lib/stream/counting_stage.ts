/**
 * Stages that hold or drop records on purpose (`throttle`, `sample`, `fingersCrossed`): a
 * synchronous stage that also counts what it did, hands on what it holds when the sink flushes
 * or closes, and may write on its own (a throttle's window that ends while nothing is logged).
 *
 * @module
 */
import { errorMessage } from "../errors.ts";
import type { LogRecord } from "../record.ts";
import type { Sink, SinkHooks } from "../sink.ts";
import type { RecordStage, SyncStage } from "./stage.ts";

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
  /**
   * Wires the counting stages of a sink's `through` into it (called by `withThrough`, as
   * {@linkcode wireCountingStages}): `staged` is the sink with the stages in its path, `sink` the
   * sink without them, `pass` runs records through the stages from an index on (absent when the
   * stages run as streams).
   */
  wire<C>(staged: Sink<C>, sink: Sink<C>, through: readonly RecordStage[], pass?: (from: number, batch: readonly LogRecord[]) => readonly LogRecord[]): Sink<C>;
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
export function countingStage(parts: Omit<CountingStage, "stream" | "wire">): CountingStage {
  return {
    ...parts,
    wire: wireCountingStages,
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

/** The counting stages wired into a sink already. */
const wired = new WeakSet<CountingStage>();

/**
 * Wires the counting stages of a sink's `through` into it: `stageStats` gives their counters;
 * when they run synchronously (`pass` given), at each flush (and at close, `final`) what they
 * hand on goes through the stages after them and is written before the sink flushes, and on a
 * synchronous sink they may write on their own (`StageHooks.emit`). With streams, what they hold
 * is handed on when the streams end, at close.
 *
 * @param staged The sink with the stages in its path.
 * @param sink The sink without them.
 * @param through The stages.
 * @param pass Runs records through the stages from an index on; absent when they run as streams.
 * @returns The sink with the wiring.
 * @example
 * ```ts
 * import { throttle } from "./throttle.ts";
 * import { withThrough } from "./through.ts";
 * import { streamSink } from "../sinks/stream_sink.ts";
 * const sink = withThrough(streamSink(new WritableStream()), [throttle({ max: 5, windowMs: 1000 })]); // calls wireCountingStages
 * sink.stageStats?.();
 * ```
 */
export function wireCountingStages<C>(
  staged: Sink<C>,
  sink: Sink<C>,
  through: readonly RecordStage[],
  pass?: (from: number, batch: readonly LogRecord[]) => readonly LogRecord[],
): Sink<C> {
  const counting = through.filter(isCountingStage);
  for (const stage of counting) {
    // a stage's counts and held records are one sink's: shared, records went to the other sink
    if (wired.has(stage)) throw new TypeError(`sluice: a counting stage (throttle, sample, fingersCrossed) serves one sink; ${sink.name} was given one another sink has: make one for each`);
    wired.add(stage);
  }
  const stageStats = () => counting.map((s) => s.stats());
  if (pass === undefined) return { ...staged, stageStats };
  let final = false;
  let hooks: SinkHooks | undefined;
  /** Writes records made by the stages themselves; a failure is reported, the records named. */
  const write = (records: readonly LogRecord[]): void | Promise<void> => {
    if (records.length === 0) return;
    const failed = (err: unknown) => {
      const e = new Error(`sluice: ${records.length} records from ${sink.name}'s stages (${records.map((r) => r.msg).join(", ").slice(0, 200)}) could not be written: ${errorMessage(err)}`, { cause: err });
      if (hooks === undefined) throw e;
      hooks.report(e);
    };
    try {
      const done = sink.write(sink.encode(records));
      if (done !== undefined && typeof done.then === "function") return done.then(undefined, failed);
    } catch (err) {
      failed(err);
    }
  };
  /** What each stage hands on now, in stage order, each through the stages after it (which may hold it in turn). */
  const drainAll = () => {
    const out: LogRecord[] = [];
    through.forEach((stage, i) => {
      if (isCountingStage(stage)) out.push(...pass(i + 1, stage.drain(final)));
    });
    return out;
  };
  return {
    ...staged,
    stageStats,
    connect(h) {
      hooks = h;
      sink.connect?.(h);
      if (!sink.sync) return;
      through.forEach((stage, i) => {
        if (isCountingStage(stage)) stage.connect?.({ emit: (records) => void write(pass(i + 1, records)), unrefTimer: h.unrefTimer });
      });
    },
    closing() {
      final = true;
      sink.closing?.();
    },
    flush() {
      const done = write(drainAll());
      if (done !== undefined) return done.then(() => sink.flush?.());
      return sink.flush?.();
    },
  };
}
