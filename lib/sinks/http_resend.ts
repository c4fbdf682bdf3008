/**
 * The HTTP sink's delivery through its spool: each batch is saved before it is sent and
 * removed once accepted; what was not accepted is sent again later, oldest first. A spool needs
 * files, so the server entries (`mod.ts`, `server.ts`) register it with `httpSink`
 * (`adapters/server_runtimes.ts`); the web entry leaves it out, which keeps worker bundles small.
 *
 * @module
 */
import { errorMessage } from "../errors.ts";
import { type HttpSinkState, type Sender, undeliverable } from "./http_send.ts";
import { detectRuntime } from "../runtime/detect.ts";
import type { HttpBatch, HttpSinkOptions } from "./http_sink.ts";
import { Spool, SpoolFileError } from "./http_spool.ts";

/**
 * What {@linkcode spooledDelivery} makes.
 *
 * @example
 * ```ts
 * import type { SpooledDelivery } from "./http_resend.ts";
 * const flush = (d: SpooledDelivery) => d.resending;
 * ```
 */
export interface SpooledDelivery {
  /**
   * Saves a batch, sends it, removes it once accepted; a refused batch goes to the dead letters
   * (and throws). Under a router (`state.routed`) a batch that fails is removed and the error thrown.
   */
  write(batch: HttpBatch): Promise<void>;
  /** Saves a batch synchronously (a full queue, exit) and sends it from there soon. */
  saveSync(batch: HttpBatch): void;
  /** Sends spooled batches, oldest first, until one fails; then tries again later. */
  resend(): Promise<void>;
  /** The resend run going on, if any (a flush waits for it). */
  readonly resending: Promise<void> | undefined;
  /** Cancels the next resend. */
  stop(): void;
}

/**
 * Delivers an HTTP sink's batches through its spool: `write` saves a batch, sends it and
 * removes it once accepted; a batch the collector will never take goes to the dead letters;
 * any other failure leaves it for `resend`, which runs at start, every `retryMs` after a
 * failure, and soon after a synchronous `saveSync` (a full queue, exit).
 *
 * Added to `httpSink` by the server entries (`httpServerParts` in `http_server_parts.ts`).
 *
 * @param target The collector's URL, for messages.
 * @param options The sink's options: `spool` (the directory), `spoolRetryMs`, `runtime`.
 * @param sender Sends each batch.
 * @param state The sink's shared state.
 * @returns The delivery.
 * @example
 * ```ts
 * import { spooledDelivery } from "./http_resend.ts";
 * const delivery = spooledDelivery("http://127.0.0.1:8080/ingest", { spool: "./spool" }, sender, state);
 * await delivery.write(batch);
 * ```
 */
export function spooledDelivery(target: string, options: HttpSinkOptions, sender: Sender, state: HttpSinkState): SpooledDelivery {
  const dir = options.spool!;
  const retryMs = options.spoolRetryMs ?? 5000;
  const spool = new Spool(dir, options.runtime ?? detectRuntime(), (err) => state.hooks.report(err));
  /** Spool files write() is sending: the resend loop leaves them alone. */
  const sending = new Set<string>();
  let resending: Promise<void> | undefined;
  /** Set when batches were spooled while a run was going: its list is older than they are. */
  let again = false;
  /** The collector did not answer while closing: the rest waits in the spool. */
  let gaveUp = false;
  let timer: unknown;

  /** Sends the spool again after `ms`, once (an earlier timer stands); never while closing. */
  const later = (ms: number) => {
    if (timer !== undefined || state.closing) return;
    timer = setTimeout(() => {
      timer = undefined;
      void resend();
    }, ms);
    state.unrefTimer(timer);
  };

  /** One pass over the spool, oldest first; true when it got through without a failure. */
  const pass = async (): Promise<boolean> => {
    try {
      for (const file of spool.list()) {
        if (sending.has(file)) continue; // being sent by write() right now
        try {
          const batch = spool.read(file); // read now: write() may have delivered and removed it meanwhile
          if (batch === undefined) continue;
          await sender.send(batch, false);
          spool.remove(file);
        } catch (err) {
          // a file that is no whole batch (cut short by a power cut, damaged) is moved aside too
          if (!undeliverable(err) && !(err instanceof SpoolFileError)) throw err;
          // reported; its records were counted (as sent or spooled) in the process that spooled them
          state.hooks.lost(0, new Error(`${errorMessage(err)}; moved to ${spool.deadLetter(file, errorMessage(err))}`));
        }
      }
      return true;
    } catch (err) {
      state.hooks.report(new Error(`sluice: spooled batches for ${target} wait for the next try: ${errorMessage(err)}`));
      later(retryMs);
      return false;
    }
  };

  const resend = (): Promise<void> => {
    if (resending !== undefined) {
      again = true;
      return resending;
    }
    // cleared in a .finally attached after the assignment: a run that finds nothing to send
    // finishes at once, and must not leave a settled promise behind that blocks later runs
    resending = (async () => {
      do again = false;
      while ((await pass()) && again && !state.closing);
    })().finally(() => (resending = undefined));
    return resending;
  };

  return {
    async write(batch) {
      const file = spool.save(batch);
      if (state.closing && gaveUp) return;
      sending.add(file);
      try {
        await sender.send(batch);
        spool.remove(file);
      } catch (err) {
        if (state.routed) {
          // a router owns failover: it moves this batch to another target, so the spool lets go of it
          spool.remove(file);
          throw err;
        }
        if (undeliverable(err)) {
          // the collector will never take this batch: counted as sink-error, kept aside, out of the way
          throw new Error(`${errorMessage(err)}; moved to ${spool.deadLetter(file, errorMessage(err))}`);
        }
        if (state.closing) gaveUp = true;
        state.hooks.report(new Error(`sluice: a batch of ${batch.records} records for ${target} stays in ${dir} for later: ${errorMessage(err)}`));
        later(retryMs);
      } finally {
        sending.delete(file);
      }
    },
    saveSync(batch) {
      spool.save(batch);
      later(10);
    },
    resend,
    get resending() {
      return resending;
    },
    stop() {
      clearTimeout(timer as number);
      timer = undefined;
    },
  };
}
