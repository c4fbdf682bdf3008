/**
 * `sluice tail --remote`: follows a collector's `/api/tail`, reconnecting with backoff from the
 * last id it was sent.
 *
 * @module
 */
import { errorMessage } from "../../lib/errors.ts";
import { retryAfterMs, retryDelay, type RetryPolicy } from "../../lib/retry.ts";
import { sseEvents } from "./sse_events.ts";

/** Reconnects: 250 ms doubling to 10 s, jittered so many tails spread out, never giving up. */
export const REMOTE_TAIL_RETRY: Readonly<RetryPolicy> = Object.freeze({ maxAttempts: Infinity, baseDelayMs: 250, maxDelayMs: 10_000, jitter: true });

/** Options of {@linkcode followRemote}. */
export interface RemoteTailOptions {
  /** The collector's base URL, such as `http://127.0.0.1:8080`. */
  url: string;
  /** A read token (`role=read`). */
  token: string;
  /** The query (the same language as search); empty for every record. */
  query?: string;
  /** Records shown first, of those the collector keeps (its tail buffer); on reconnects it resumes after the last one shown instead. @default 0 */
  backlog?: number;
  /** Receives each record's line as stored. */
  onLine: (line: string) => void;
  /** Told of reconnects and of records skipped because this tail read too slowly. */
  onNotice: (message: string) => void;
  /** Stops following. */
  signal?: AbortSignal;
  /** For tests. @default globalThis.fetch */
  fetch?: typeof fetch;
}

/** The collector refused the tail for good (bad token, bad query): retrying cannot help. */
export class RemoteTailError extends Error {
  /** @param message What the collector said. */
  constructor(message: string) {
    super(message);
    this.name = "RemoteTailError";
  }
}

/**
 * Follows `/api/tail` until `signal` aborts: each record's line goes to `onLine`; when the
 * connection fails or ends, it reconnects with backoff and `Last-Event-ID`, so records still in
 * the collector's buffer are neither missed nor repeated. A 400, 401 or 403 throws
 * {@linkcode RemoteTailError}.
 *
 * @example
 * ```ts
 * import { followRemote } from "./remote_tail.ts";
 * await followRemote({ url: "http://127.0.0.1:8080", token: "r34d", query: "level:>=warn", onLine: console.log, onNotice: console.error });
 * ```
 */
export async function followRemote(options: RemoteTailOptions): Promise<void> {
  const { signal, onNotice } = options;
  const get = options.fetch ?? fetch;
  const base = `${options.url.replace(/\/+$/, "")}/api/tail?${options.query ? `q=${encodeURIComponent(options.query)}&` : ""}backlog=`;
  let last: string | undefined;
  let failures = 0;
  while (!signal?.aborted) {
    let wait: number | undefined;
    try {
      // the backlog only without an id: after one, the collector resumes strictly after it
      const url = base + (last === undefined ? options.backlog ?? 0 : 0);
      const res = await get(url, { signal, headers: { authorization: `Bearer ${options.token}`, accept: "text/event-stream", ...(last ? { "last-event-id": last } : {}) } });
      if (res.status === 400 || res.status === 401 || res.status === 403) {
        const body = await res.json().catch(() => ({})) as { error?: string; position?: number };
        throw new RemoteTailError(`sluice tail: ${url} answered ${res.status}: ${body.error ?? res.statusText}${body.position === undefined ? "" : ` (at ${body.position})`}`);
      }
      if (!res.ok || res.body === null) {
        wait = retryAfterMs(res.headers.get("retry-after"));
        await res.body?.cancel();
        throw new Error(`answered ${res.status}`);
      }
      if (failures > 0) onNotice(`sluice tail: connected again to ${options.url}`);
      failures = 0;
      for await (const e of sseEvents(res.body)) {
        if (e.event === "dropped") onNotice(`sluice tail: ${JSON.parse(e.data).dropped} records were skipped: this tail read more slowly than they came`);
        else if (e.event === "message") options.onLine(e.data);
        if (e.id !== undefined) last = e.id;
      }
      throw new Error("the stream ended");
    } catch (err) {
      if (err instanceof RemoteTailError) throw err;
      if (signal?.aborted) return;
      failures++;
      const ms = retryDelay(REMOTE_TAIL_RETRY, failures, wait);
      onNotice(`sluice tail: ${options.url}: ${errorMessage(err)}; reconnecting in ${(ms / 1000).toFixed(1)} s`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, ms);
        signal?.addEventListener("abort", () => (clearTimeout(timer), resolve()), { once: true });
      });
    }
  }
}
