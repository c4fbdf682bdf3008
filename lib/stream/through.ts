/**
 * A sink's `through` option: user stages put into its path, between the batches and the
 * sink's encoder.
 *
 * @module
 */
import type { LogRecord } from "../record.ts";
import type { Sink } from "../sink.ts";
import type { CountingStage } from "./counting_stage.ts";
import type { RecordStage } from "./stage.ts";

/** A `TransformStream` of record batches, a stage with no synchronous form. */
export type Batches = TransformStream<readonly LogRecord[], LogRecord[]>;

/** `streamStaged` (lib/stream/stage_pipe.ts), registered by the server entries and `enableStreamStages()`. */
let streamStaged: (<C>(sink: Sink<C>, streams: Batches[]) => Sink<C>) | undefined;

/**
 * Lets `through` take stages with no synchronous form (done by lib/stream/stage_pipe.ts
 * `enableStreamStages`, which the server entries call; a worker's bundle goes without their
 * pipe until it does).
 *
 * @param staged Puts a row of `TransformStream`s into a sink's path.
 * @example
 * ```ts
 * import { registerStreamStages } from "./through.ts";
 * import { streamStaged } from "./stage_pipe.ts";
 * registerStreamStages(streamStaged);
 * ```
 */
export function registerStreamStages(staged: <C>(sink: Sink<C>, streams: Batches[]) => Sink<C>): void {
  streamStaged = staged;
}

/**
 * Puts stages into a sink's path: each batch goes through them, in order, before the sink
 * encodes it. When every stage has a synchronous form (a `SyncStage`, as `syncStage(fn)`
 * makes), they run inside the sink's encoding, so the sink keeps everything it had: `"block"`,
 * the exit drain, `mode: "sync"`. A stage that is only a `TransformStream` has no synchronous
 * form: the sink then writes asynchronously (`sync: false`, no `writeSync`), its default queue
 * policy becomes `"drop-newest"` where it was `"block"` (asking for `"block"` is a `TypeError`),
 * and what it still holds at exit, queued or inside the stages, is counted as `exit`. On the
 * web entry such a stage needs `enableStreamStages()` first (a `TypeError` says so).
 * A stage that throws or errors counts its batch as `sink-error`; an errored `TransformStream`
 * cannot run again, so every later batch is counted the same way.
 *
 * @param sink The sink.
 * @param through The stages, in order; none returns the sink as it is.
 * @returns The sink with the stages in its path.
 * @example
 * ```ts
 * import { withThrough } from "./through.ts";
 * import { syncStage } from "./stage.ts";
 * import { streamSink } from "../sinks/stream_sink.ts";
 * const sink = withThrough(streamSink(new WritableStream()), [syncStage((batch) => batch.filter((r) => r.level !== "debug"))]);
 * ```
 */
export function withThrough<C>(sink: Sink<C>, through: readonly RecordStage[] | undefined): Sink<C> {
  if (through === undefined || through.length === 0) return sink;
  const fns: ((batch: readonly LogRecord[]) => LogRecord[])[] = [];
  for (const s of through as (Batches & { transform?: (batch: readonly LogRecord[]) => LogRecord[] })[]) {
    if (typeof s?.transform === "function") fns.push(s.transform);
    else if (!(s?.writable instanceof WritableStream)) throw new TypeError("sluice: a through stage is a TransformStream of record batches or a syncStage");
  }
  // a counting stage (throttle, sample, ...) brings the wiring for all of them: sinks without one carry none of it
  const wire = (through.find((s) => "wire" in s) as CountingStage | undefined)?.wire;
  if (fns.length === through.length) {
    /** The records `batch` becomes through the stages from `from` on. */
    const pass = (from: number, batch: readonly LogRecord[]) => {
      for (let i = from; i < fns.length; i++) batch = fns[i](batch);
      return batch;
    };
    const piped: Sink<C> = { ...sink, encode: (records) => sink.encode(pass(0, records)) };
    return wire ? wire(piped, sink, through, pass) : piped;
  }
  if (!streamStaged) throw new TypeError("sluice: a TransformStream through stage on the web entry needs enableStreamStages() first");
  const staged = streamStaged(sink, through.map((s) => ("stream" in s ? s.stream() : s) as Batches));
  return wire ? wire(staged, sink, through) : staged;
}
