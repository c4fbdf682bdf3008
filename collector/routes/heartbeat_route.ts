/**
 * `POST /heartbeat`: a producer checks in (or says it is shutting down).
 *
 * @module
 */
import type { Context, Hono } from "hono";
import { readBodyText } from "../body.ts";
import { BodyTimeoutError, MemoryBudgetError } from "../errors.ts";
import { heartbeatError } from "../producers.ts";
import type { Caller, Exchange } from "../exchange.ts";

/** A heartbeat body is small: this bounds it on the wire and inflated. */
const MAX_HEARTBEAT_BYTES = 64 << 10;

/**
 * Mounts `POST /heartbeat` on `app`: the body validated and bounded, and only for a producer
 * the caller's token may speak as.
 *
 * @example
 * ```ts
 * mountHeartbeat(app, exchange);
 * ```
 */
export function mountHeartbeat(app: Hono, x: Exchange): void {
  const { limits } = x.parts;
  app.post("/heartbeat", (c) => {
    const caller = x.who(c);
    if (caller instanceof Response) return caller;
    // a heartbeat's body takes one of the token's turns for heartbeats (as many as for batches,
    // apart from them: a token's batches in flight cannot make its producers miss a check-in)
    return x.inTurn(c, caller, async (hold) => {
      let beat: unknown;
      try {
        beat = JSON.parse(await readBodyText(c.req.raw, { ...limits, maxBodyBytes: MAX_HEARTBEAT_BYTES, maxDecompressedBytes: MAX_HEARTBEAT_BYTES }, hold));
      } catch (err) {
        if (err instanceof BodyTimeoutError) return x.answer(c, 408, { error: err.message }, { Connection: "close" });
        if (err instanceof MemoryBudgetError) return x.answer(c, 503, { error: err.message }, { "Retry-After": "1" });
        beat = undefined;
      }
      return beaten(x, c, caller, beat);
    }, "\u0000heartbeats");
  });
}

/** The answer to a heartbeat once its body is read (`undefined` when it was no JSON). */
function beaten(x: Exchange, c: Context, caller: Caller, beat: unknown): Response {
  const invalid = heartbeatError(beat, x.parts.options);
  if (invalid !== undefined) return x.answer(c, 400, { error: invalid });
  const b = beat as { producer?: string; nextCheckInMs?: number; graceMs?: number; shutdown?: boolean; dropped?: number };
  // a heartbeat speaks for one producer: the caller's, or one its token may speak as
  const speaker = b.producer === undefined ? caller : x.who(c, b.producer);
  if (speaker instanceof Response) return speaker;
  x.parts.producers.heartbeat(speaker.producer, { nextCheckInMs: b.nextCheckInMs, graceMs: b.graceMs, shutdown: b.shutdown === true });
  if (b.dropped !== undefined) x.parts.activity.dropped(speaker.producer, b.dropped);
  return x.answer(c, 200, { ok: true });
}
