/**
 * The HTTP sink: batches POSTed to a collector, with retries that never duplicate.
 *
 * @module
 */
import type { LevelName } from "../levels.ts";
import type { LogRecord } from "../record.ts";
import type { OnFull, Sink, SinkHooks } from "../sink.ts";
import type { BatchLimits } from "../stream/batcher.ts";

/** Options of {@linkcode httpSink}. */
export interface HttpSinkOptions {
  /** Sent as `Authorization: Bearer <token>`. */
  token?: string;
  /** Extra request headers. */
  headers?: Record<string, string>;
  /** This producer's name, sent as `X-Sluice-Producer` and in heartbeats. @default "sluice" */
  producer?: string;
  /** The lowest level sent. */
  level?: LevelName;
  /** Gzip bodies (`Content-Encoding: gzip`). @default true where `CompressionStream` exists */
  gzip?: boolean;
  /** Per-request timeout. @default 10000 */
  timeoutMs?: number;
  /** Retries on network errors, timeouts, 408, 429 and 5xx, with exponential backoff and full jitter, honouring `Retry-After`. */
  retry?: { maxAttempts?: number; baseDelayMs?: number; maxDelayMs?: number };
  /** Batch limits. @default { maxRecords: 1000, maxBytes: 1 MiB, maxAgeMs: 1000 } */
  batch?: BatchLimits<LogRecord>;
  /** Records waiting before `onFull`. @default 10000 */
  maxQueuedRecords?: number;
  /** What a full queue drops. @default "drop-newest" */
  onFull?: Exclude<OnFull, "block">;
  /** Send `{ producer, nextCheckInMs, graceMs }` to `/heartbeat` every `intervalMs`. */
  heartbeat?: { intervalMs: number; graceMs?: number };
  /** Where heartbeats go. @default new URL("/heartbeat", url) */
  heartbeatUrl?: string;
  /** The fetch to use. @default globalThis.fetch */
  fetch?: typeof fetch;
  /** Makes timers not keep a process alive. @default calls `unref()` when the timer has one */
  unrefTimer?: (timer: unknown) => void;
  /** A name for stats and reports. @default "http:<url>" */
  name?: string;
  /** Called after each batch is accepted (2xx): how many records, and when the oldest was logged. */
  onDelivered?: (batch: { records: number; oldestMs: number }) => void;
}

/** One encoded batch: its body and the key it keeps across retries. */
export interface HttpBatch {
  body: string;
  key: string;
  records: number;
  /** When the batch's first record was logged (epoch ms). */
  oldestMs: number;
}

const RETRY_STATUS = new Set([408, 429, 500, 502, 503, 504]);

/**
 * Sends batches of NDJSON records to a collector's `POST /ingest` with `fetch` only, so it runs
 * in edge functions (workerd, Deno Deploy, Vercel Edge) as well as on servers. Each batch has
 * an `Idempotency-Key`, kept across its retries, so a collector that deduplicates writes it
 * once. Retries network errors, timeouts, 408, 429 and 5xx with exponential backoff and full
 * jitter, honouring `Retry-After`; other 4xx are not retried. A batch that cannot be sent is
 * counted as `sink-error`; a full queue drops by the `onFull` policy and counts `queue-full`.
 * On the edge, hand `log.flush()` to `ctx.waitUntil`.
 *
 * @param url The collector's ingest URL.
 * @param options Token, batching, retries, heartbeats.
 * @returns The sink.
 * @example
 * ```ts
 * import { createLogger, httpSink } from "../../mod.ts";
 * const log = createLogger({ sinks: [httpSink("https://logs.example.com/ingest", { token: env.SLUICE_TOKEN })] });
 * log.info("checkout", { cart: 3 });
 * ctx.waitUntil(log.flush());
 * ```
 */
export function httpSink(url: string, options: HttpSinkOptions = {}): Sink<HttpBatch> {
  const target = new URL(url).href;
  const doFetch = options.fetch ?? ((...args: Parameters<typeof fetch>) => globalThis.fetch(...args));
  const producer = options.producer ?? "sluice";
  const gzip = options.gzip ?? typeof CompressionStream === "function";
  const timeoutMs = options.timeoutMs ?? 10_000;
  const maxAttempts = options.retry?.maxAttempts ?? 8;
  const baseDelayMs = options.retry?.baseDelayMs ?? 100;
  const maxDelayMs = options.retry?.maxDelayMs ?? 30_000;
  const unref = options.unrefTimer ?? ((t: unknown) => (t as { unref?: () => void })?.unref?.());
  const headers: Record<string, string> = {
    "content-type": "application/x-ndjson",
    "x-sluice-producer": producer,
    ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
    ...options.headers,
  };
  let hooks: SinkHooks = { report: () => {}, lost: () => {}, unrefTimer: unref };
  const sleep = (ms: number) => new Promise<void>((resolve) => hooks.unrefTimer(setTimeout(resolve, ms)));

  const post = async (to: string, body: BodyInit, extra: Record<string, string>): Promise<Response> => {
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(new Error(`timed out after ${timeoutMs} ms`)), timeoutMs);
    hooks.unrefTimer(timer);
    try {
      return await doFetch(to, { method: "POST", body, headers: { ...headers, ...extra }, signal: controller.signal });
    } finally {
      clearTimeout(timer);
    }
  };

  const send = async (batch: HttpBatch): Promise<void> => {
    const body = gzip ? await gzipText(batch.body) : batch.body;
    const extra = { "idempotency-key": batch.key, ...(gzip ? { "content-encoding": "gzip" } : {}) };
    let last = "";
    for (let attempt = 1; attempt <= maxAttempts; attempt++) {
      let res: Response | undefined;
      try {
        res = await post(target, body as BodyInit, extra);
      } catch (err) {
        last = `network error: ${(err as Error)?.message ?? err}`;
      }
      if (res !== undefined) {
        if (res.ok) {
          await res.body?.cancel();
          options.onDelivered?.({ records: batch.records, oldestMs: batch.oldestMs });
          return;
        }
        const text = (await res.text().catch(() => "")).slice(0, 200);
        last = `HTTP ${res.status} ${text}`;
        if (!RETRY_STATUS.has(res.status)) throw new Error(`sluice: ${target} refused a batch of ${batch.records} records: ${last}`);
        const after = retryAfterMs(res.headers.get("retry-after"));
        if (attempt < maxAttempts) {
          await sleep(Math.min(maxDelayMs, after ?? backoff(attempt)));
          continue;
        }
      } else if (attempt < maxAttempts) {
        await sleep(backoff(attempt));
        continue;
      }
    }
    throw new Error(`sluice: gave up sending a batch of ${batch.records} records to ${target} after ${maxAttempts} attempts: ${last}`);
  };
  const backoff = (attempt: number) => Math.random() * Math.min(maxDelayMs, baseDelayMs * 2 ** (attempt - 1));

  let beat: unknown;
  const beatUrl = options.heartbeatUrl ?? new URL("/heartbeat", target).href;
  const heartbeat = (payload: object) =>
    post(beatUrl, JSON.stringify({ producer, ...payload }), { "content-type": "application/json" }).then(
      (r) => { void r.body?.cancel(); if (!r.ok) throw new Error(`HTTP ${r.status}`); },
    );
  /** Starts heartbeats once the sink is connected to a logger (and its runtime's timers). */
  const startHeartbeats = () => {
    if (!options.heartbeat || beat !== undefined) return;
    const { intervalMs, graceMs } = options.heartbeat;
    const tick = () => heartbeat({ nextCheckInMs: intervalMs, graceMs }).catch((err) =>
      hooks.report(new Error(`sluice: heartbeat to ${beatUrl} failed: ${(err as Error)?.message ?? err}`)));
    void tick();
    beat = setInterval(tick, intervalMs);
    hooks.unrefTimer(beat);
  };

  return {
    name: options.name ?? `http:${target}`,
    level: options.level,
    sync: false,
    defaultOnFull: options.onFull ?? "drop-newest",
    batch: { maxRecords: 1000, maxBytes: 1 << 20, maxAgeMs: 1000, ...options.batch },
    queue: { maxRecords: options.maxQueuedRecords ?? 10_000 },
    connect(h) {
      hooks = h;
      startHeartbeats();
    },
    encode(records) {
      let body = "";
      for (const r of records) body += r.json + "\n";
      return { body, key: crypto.randomUUID(), records: records.length, oldestMs: records[0]?.time ?? Date.now() };
    },
    write: send,
    async close() {
      if (beat !== undefined) {
        clearInterval(beat as number);
        await heartbeat({ shutdown: true }).catch(() => {});
      }
    },
  };
}

/**
 * Milliseconds a `Retry-After` header asks for (delta-seconds or an HTTP date), or undefined.
 *
 * @example
 * ```ts
 * import { retryAfterMs } from "./http_sink.ts";
 * retryAfterMs("2"); // 2000
 * ```
 */
export function retryAfterMs(header: string | null): number | undefined {
  if (header === null) return undefined;
  const s = Number(header);
  if (Number.isFinite(s) && s >= 0) return s * 1000;
  const at = Date.parse(header);
  return Number.isNaN(at) ? undefined : Math.max(0, at - Date.now());
}

async function gzipText(text: string): Promise<Uint8Array> {
  const stream = new Blob([text]).stream().pipeThrough(new CompressionStream("gzip") as unknown as TransformStream<Uint8Array, Uint8Array>);
  return new Uint8Array(await new Response(stream).arrayBuffer());
}
