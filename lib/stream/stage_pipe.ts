/**
 * The pipe of a sink's `through` stages that have no synchronous form (`TransformStream`s):
 * batches go in at the first, what the last passes on comes out.
 *
 * @module
 */
import type { LogRecord } from "../record.ts";
import type { AsyncStages } from "../sink.ts";
import { type Batches, registerStagePipe } from "./through.ts";

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
  registerStagePipe(stagePipe);
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
