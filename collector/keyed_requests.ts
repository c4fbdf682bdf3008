/**
 * Requests under an `Idempotency-Key`, written once: `/ingest` and `/v1/logs` share it.
 *
 * @module
 */
import type { Context } from "hono";
import { keyDigest, type ScopedKey } from "./dedup.ts";
import type { Caller, Exchange } from "./exchange.ts";

/**
 * A request's `Idempotency-Key`, scoped to its token and producer: one already written is
 * answered as a duplicate without reading its body, one still being written waits for that
 * request's answer (a retry after a timeout is not written twice), and a key longer than 200
 * characters is a 400.
 *
 * @example
 * ```ts ignore
 * const keyed = new KeyedRequests(exchange);
 * app.post("/ingest", (c) => keyed.once(c, caller, () => duplicateAnswer, (key) => exchange.accept(c, caller, parse, ok, decode, key)));
 * ```
 */
export class KeyedRequests {
  readonly #x: Exchange;
  /** Requests being written, by token and key digest. */
  readonly #inflight = new Map<string, Promise<Response>>();

  /** @param x The collector's parts (the store that remembers keys, the metrics). */
  constructor(x: Exchange) {
    this.#x = x;
  }

  /**
   * Answers a request once per key: `accept(key)` writes it (the key undefined without a
   * header), `duplicate()` answers a key already written.
   */
  async once(c: Context, caller: Caller, duplicate: () => Response, accept: (key: ScopedKey | undefined) => Promise<Response>): Promise<Response> {
    const key = c.req.header("idempotency-key");
    if (key === undefined) return accept(undefined);
    if (key.length > 200) return this.#x.answer(c, 400, { error: "Idempotency-Key is longer than 200 characters" });
    const scoped: ScopedKey = { token: caller.token, hash: await keyDigest(caller.producer, key) };
    if (this.#x.parts.store.has(scoped)) {
      this.#x.parts.metrics.count("deduplicated", 1);
      return duplicate();
    }
    const inflight = `${caller.token}/${scoped.hash}`;
    const pending = this.#inflight.get(inflight);
    if (pending) return (await pending).clone();
    const result = accept(scoped);
    this.#inflight.set(inflight, result);
    try {
      return await result;
    } finally {
      this.#inflight.delete(inflight);
    }
  }
}
