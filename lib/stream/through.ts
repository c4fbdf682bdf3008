/**
 * A sink's `through` option: user stages put into its path, between the batches and the
 * sink's encoder.
 *
 * @module
 */
import type { LogRecord } from "../record.ts";
import type { AsyncStages, Sink } from "../sink.ts";
import type { CountingStage } from "./counting_stage.ts";
import type { RecordStage } from "./stage.ts";

type Batches = TransformStream<readonly LogRecord[], LogRecord[]>;

/**
 * Puts stages into a sink's path: each batch goes through them, in order, before the sink
 * encodes it. When every stage has a synchronous form (a `SyncStage`, as `syncStage(fn)`
 * makes), they run inside the sink's encoding, so the sink keeps everything it had: `"block"`,
 * the exit drain, `mode: "sync"`. A stage that is only a `TransformStream` has no synchronous
 * form: the sink then writes asynchronously (`sync: false`, no `writeSync`), its default queue
 * policy becomes `"drop-newest"` where it was `"block"` (asking for `"block"` is a `TypeError`),
 * and what it still holds at exit, queued or inside the stages, is counted as `exit`.
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
  const streams = through.map((s) => ("stream" in s ? s.stream() : s) as Batches);
  const staged: Sink<C> = {
    ...sink,
    sync: false,
    writeSync: undefined,
    defaultOnFull: sink.defaultOnFull === "block" ? "drop-newest" : sink.defaultOnFull,
    stages: stagePipe(streams),
  };
  return wire ? wire(staged, sink, through) : staged;
}

/**
 * Runs batches through `TransformStream`s joined end to end, one batch at a time: a batch is
 * written into the first, each stage's output is written into the next, and what the last
 * gives is collected. A batch is through when the first stage has taken it and, a task later,
 * nothing is moving between stages (they pass chunks on in microtasks, so what still moves then
 * is a stage's own asynchronous work, which is waited for without a timer).
 */
function stagePipe(streams: Batches[]): AsyncStages {
  let out: LogRecord[] = [];
  let moving = 0;
  let failure: { err: unknown } | undefined;
  /** Wakes a batch waiting for the stages to be still (nothing moving, or a failure). */
  let still = () => {};
  const fail = (err: unknown) => {
    failure ??= { err: err ?? new Error("a through stage failed") };
    still();
  };
  const writers = streams.map((s) => s.writable.getWriter()); // throws when a stage is in use elsewhere
  const pumps = streams.map(async (s, i) => {
    const reader = s.readable.getReader();
    const next = writers[i + 1];
    try {
      for (let r; !(r = await reader.read()).done;) {
        moving++;
        try {
          const batch = r.value as unknown[];
          if (next !== undefined) await next.write(r.value);
          else if (!Array.isArray(batch) || batch.some((x) => typeof (x as LogRecord)?.json !== "string")) {
            throw new TypeError("sluice: a through stage must pass on arrays of records");
          } else for (let j = 0; j < batch.length; j++) out.push(batch[j] as LogRecord);
        } finally {
          if (--moving === 0) still();
        }
      }
      await next?.close();
    } catch (err) {
      fail(err);
    }
  });
  const take = () => {
    const taken = out;
    out = [];
    return taken;
  };
  return {
    async run(batch) {
      if (failure === undefined) await writers[0].write(batch).catch(fail);
      // no timer runs while a stage works: a stage that never finishes leaves nothing to keep the process alive
      while (failure === undefined) {
        await new Promise((resolve) => setTimeout(resolve, 0));
        if (moving === 0) break;
        await new Promise<void>((resolve) => (still = resolve));
      }
      if (failure !== undefined) throw failure.err;
      return take();
    },
    async close() {
      if (failure === undefined) await writers[0].close().catch(fail);
      // a failed stage ends nothing after it: stop them all rather than wait
      if (failure !== undefined) for (const w of writers) w.abort(failure.err).catch(() => {});
      else await Promise.all(pumps);
      return take();
    },
  };
}
