/**
 * A sink's `through` stages that have no synchronous form (`TransformStream`s): their pipe
 * (batches go in at the first, what the last passes on comes out) and the sink around it.
 *
 * @module
 */
import type { LogRecord } from "../record.ts";
import type { AsyncStages, Sink, SinkHooks } from "../sink.ts";
import { type Batches, registerStreamStages } from "./through.ts";

/**
 * Lets a sink's `through` take `TransformStream` stages on the web entry (`sluice/web`, the
 * `workerd`/`browser` conditions), where their pipe is left out so a worker's bundle stays
 * small; the server entries (Bun, Deno, Node) need no call, and stages with a synchronous form
 * (`syncStage`, `throttle`, `sample`, `fingersCrossed`) never need it. Without it such a stage
 * there is a TypeError that says so.
 *
 * @example
 * ```ts
 * import { enableStreamStages, httpSink } from "../../mod.web.ts";
 * enableStreamStages();
 * const sink = httpSink("https://logs.example.com/ingest", { through: [new TransformStream()] });
 * ```
 */
export function enableStreamStages(): void {
  registerStreamStages(streamStaged);
}

/** A batch on its way through a staged sink: its records, then what the sink encoded of the stages' output. */
interface Staged<C> {
  records: readonly LogRecord[];
  out?: C;
}

/**
 * `sink` with `streams` in its path (`withThrough` with stages that have no synchronous form):
 * each batch goes through the streams, one at a time, before `sink` encodes and writes it. The
 * sink becomes asynchronous (`sync: false`, no `writeSync`; `"block"` by default becomes
 * `"drop-newest"`). A batch the stages fail on, or whose output cannot be encoded, is counted as
 * `sink-error` (`SinkHooks.lost`) and not tried again; a failed write of the output is retried as
 * the sink's writes are (`Sink.retry`), without going through the stages again. At close, what
 * the stages pass on at their end is written once, without retries.
 *
 * @param sink The sink without the stages.
 * @param streams The stages, in order.
 * @returns The sink with them.
 * @example
 * ```ts
 * import { streamStaged } from "./stage_pipe.ts";
 * import { streamSink } from "../sinks/stream_sink.ts";
 * const sink = streamStaged(streamSink(new WritableStream()), [new TransformStream()]);
 * sink.sync; // false
 * ```
 */
export function streamStaged<C>(sink: Sink<C>, streams: Batches[]): Sink<C> {
  const pipe = stagePipe(streams);
  let hooks: SinkHooks | undefined;
  const staged: Sink<Staged<C>> = {
    ...(sink as Sink<unknown> as Sink<Staged<C>>),
    sync: false,
    writeSync: undefined,
    defaultOnFull: sink.defaultOnFull === "block" ? "drop-newest" : sink.defaultOnFull,
    connect(h) {
      hooks = h;
      sink.connect?.(h);
    },
    encode: (records) => ({ records: [...records] }),
    async write(batch) {
      if (!("out" in batch)) {
        try {
          batch.out = sink.encode(await pipe.run(batch.records));
        } catch (err) {
          // counted as written when the batch completes: lost takes it back as sink-error
          return hooks?.lost(batch.records.length, err);
        }
      }
      await sink.write(batch.out as C);
    },
    async close() {
      const rest = await pipe.close().catch((err) => (hooks?.report(err), []));
      if (rest.length) {
        try {
          await sink.write(sink.encode(rest));
        } catch (err) {
          hooks?.lost(rest.length, err);
        }
      }
      await sink.close();
    },
  };
  return staged as Sink<unknown> as Sink<C>;
}

/**
 * Runs batches through `streams`, in order: `run` resolves with what came out of the last once
 * nothing moves inside them (or rejects when one failed), `close` ends them and resolves with
 * what they passed on at their end. A batch is written into the first stage, each stage's output
 * into the next, and what the last gives is collected. A batch is through when the first stage
 * has taken it and, a task later, nothing is moving between stages (they pass chunks on in
 * microtasks, so what still moves then is a stage's own asynchronous work, which is waited for
 * without a timer).
 *
 * @param streams The stages.
 * @returns The pipe.
 * @example
 * ```ts
 * import { stagePipe } from "./stage_pipe.ts";
 * const pipe = stagePipe([new TransformStream()]);
 * await pipe.run([]); // []
 * await pipe.close();
 * ```
 */
export function stagePipe(streams: Batches[]): AsyncStages {
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
