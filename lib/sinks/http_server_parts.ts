/**
 * What `httpSink` gains in a long-lived process with files: delivery through its spool, and
 * heartbeats. The server entries register it (`adapters/server_runtimes.ts`); the web entry
 * leaves it out, so a worker bundle carries none of it.
 *
 * @module
 */
import { sleep } from "../retry.ts";
import type { Sink } from "../sink.ts";
import { heartbeats } from "./http_heartbeat.ts";
import { spooledDelivery } from "./http_resend.ts";
import type { HttpSinkState, Sender } from "./http_send.ts";
import type { HttpBatch, HttpSinkOptions } from "./http_sink.ts";

/**
 * Adds what `options` asks of the spool and heartbeats to the sink `httpSink` made: with
 * `heartbeat`, heartbeats from `connect` to `close`; with `spool`, every batch goes through the
 * spool (a full queue and exit write to it synchronously, so nothing is dropped by default),
 * `flush` waits for spooled batches being sent again, and closing ends the retries at once,
 * leaving what was not accepted in the spool for the next start.
 *
 * @param sink The sink `httpSink` made.
 * @param target The collector's URL.
 * @param options The sink's options.
 * @param sender Sends each batch.
 * @param state The sink's shared state; its `backoff` ends early at close with a spool.
 * @returns The sink with its spool and heartbeats.
 * @example
 * ```ts
 * import { registerHttpServerParts } from "./http_sink.ts";
 * import { httpServerParts } from "./http_server_parts.ts";
 * registerHttpServerParts(httpServerParts);
 * ```
 */
export function httpServerParts(sink: Sink<HttpBatch>, target: string, options: HttpSinkOptions, sender: Sender, state: HttpSinkState): Sink<HttpBatch> {
  const delivery = options.spool === undefined ? undefined : spooledDelivery(target, options, sender, state);
  const beats = options.heartbeat && heartbeats(target, options, sender, state);
  const withBeats: Sink<HttpBatch> = {
    ...sink,
    connect(h) {
      sink.connect?.(h);
      beats?.start();
      void delivery?.resend();
    },
    async close() {
      delivery?.stop();
      await beats?.stop();
      await sink.close();
    },
  };
  if (delivery === undefined) return withBeats;

  let wake = () => {};
  const closed = new Promise<void>((resolve) => (wake = resolve));
  state.backoff = async (ms, batch, last) => {
    if (!state.closing) await Promise.race([sleep(ms, state.unrefTimer), closed]);
    if (state.closing) throw new Error(`sluice: closing; a batch of ${batch.records} records for ${target} stays in ${options.spool} for the next start: ${last}`);
  };
  return {
    ...withBeats,
    // a full queue is written to the spool (a synchronous file write): nothing is dropped
    defaultOnFull: options.onFull ?? "block",
    write: (batch) => delivery.write(batch),
    writeSync: (batch) => delivery.saveSync(batch),
    /** Waits for spooled batches being sent again, so `log.flush()` covers them too. */
    flush: () => delivery.resending,
    closing() {
      state.closing = true;
      wake();
    },
  };
}
