/**
 * The HTTP sink's heartbeats: `POST /heartbeat` with the next check-in, and a last one saying
 * the producer stops.
 *
 * @module
 */
import { errorMessage, HttpStatusError } from "../errors.ts";
import type { HttpSinkState, Sender } from "./http_send.ts";
import type { HttpSinkOptions } from "./http_sink.ts";

/**
 * Sends `{ producer, nextCheckInMs, graceMs }` every `intervalMs` from `start()`, and
 * `{ producer, shutdown: true }` on `stop()`, so the collector warns when a producer goes quiet
 * without saying so. The timer does not keep the process alive; `stop()` ignores a failure (the
 * process is going).
 *
 * @param target The collector's ingest URL (heartbeats go to its `/heartbeat` unless `heartbeatUrl` says otherwise).
 * @param options The sink's options: `heartbeat`, `heartbeatUrl`, `producer`.
 * @param sender Sends each heartbeat.
 * @param state The sink's shared state.
 * @returns `start` and `stop`.
 * @example
 * ```ts
 * import { heartbeats } from "./http_heartbeat.ts";
 * const beats = heartbeats("http://127.0.0.1:8080/ingest", { producer: "edge-1", heartbeat: { intervalMs: 30_000 } }, sender, state);
 * beats.start();
 * await beats.stop();
 * ```
 */
export function heartbeats(target: string, options: HttpSinkOptions, sender: Sender, state: HttpSinkState): { start(): void; stop(): Promise<void> } {
  let timer: unknown;
  const url = options.heartbeatUrl ?? new URL("/heartbeat", target).href;
  const beat = (payload: object) =>
    sender.post(url, JSON.stringify({ producer: options.producer, ...payload }), { "content-type": "application/json" }).then(([r, text]) => {
      if (!r.ok) throw new HttpStatusError(r.status, text);
    });
  return {
    start() {
      if (timer !== undefined) return;
      const { intervalMs, graceMs } = options.heartbeat!;
      const tick = () => beat({ nextCheckInMs: intervalMs, graceMs }).catch((err) =>
        state.hooks.report(new Error(`sluice: heartbeat to ${url} failed: ${errorMessage(err)}`, { cause: err })));
      void tick();
      timer = setInterval(tick, intervalMs);
      state.unrefTimer(timer);
    },
    async stop() {
      if (timer === undefined) return;
      clearInterval(timer as number);
      timer = undefined;
      await beat({ shutdown: true }).catch(() => {});
    },
  };
}
