/**
 * The HTTP sink: batches POSTed to a collector, with retries that never duplicate.
 *
 * @module
 */
import { sleep } from "../retry.ts";
import type { LevelName } from "../levels.ts";
import type { Runtime } from "../runtime/runtime.ts";
import type { LogRecord } from "../record.ts";
import type { OnFull, Sink } from "../sink.ts";
import type { BatchLimits } from "../stream/batcher.ts";
import type { RecordStage } from "../stream/stage.ts";
import { withThrough } from "../stream/through.ts";
import { createSender, type HttpSinkState, type Sender } from "./http_send.ts";

/**
 * Options of {@linkcode httpSink}.
 *
 * @example Small batches, quick retries, a heartbeat every 30 s
 * ```ts
 * import type { HttpSinkOptions } from "./http_sink.ts";
 * const options: HttpSinkOptions = {
 *   token: "s3cret", producer: "checkout-api",
 *   batch: { maxRecords: 200, maxAgeMs: 250 },
 *   retry: { maxAttempts: 5, baseDelayMs: 50, maxDelayMs: 5000 },
 *   heartbeat: { intervalMs: 30_000, graceMs: 10_000 },
 * };
 * ```
 */
export interface HttpSinkOptions {
  /** Sent as `Authorization: Bearer <token>`. */
  token?: string;
  /** Extra request headers. */
  headers?: Record<string, string>;
  /**
   * This producer's name, sent as `X-Sluice-Producer` and in heartbeats; the collector must let
   * the token speak under it (its own name, or a `producers=` pattern of its tokens file).
   * @default the token's name (no header: the collector tags records with the token's name)
   */
  producer?: string;
  /** The lowest level sent. */
  level?: LevelName;
  /** Gzip bodies (`Content-Encoding: gzip`). @default true where `CompressionStream` exists */
  gzip?: boolean;
  /**
   * The body's form: NDJSON, or the binary batch frame (`application/vnd.sluice.frame`: the same
   * lines in a checked envelope, so a batch cut or damaged on the way is refused whole).
   * @default "ndjson"
   */
  body?: "ndjson" | "frame";
  /**
   * The body on the wire, made from each batch's NDJSON when it is sent (a spool keeps the
   * NDJSON): how `otlpSink` sends OTLP. Replaces `body`.
   */
  wire?: { contentType: string; encode(ndjson: string, records: number): string | Uint8Array };
  /**
   * Per-request timeout in milliseconds, covering the response's headers and, on a refusal, its
   * body. Under a `routeSink`, the router's `breaker.timeoutMs` when that is shorter. @default 10000
   */
  timeoutMs?: number;
  /**
   * Retries on network errors, timeouts, 408, 429 and 5xx, with exponential backoff and full
   * jitter, honouring `Retry-After`. Not used under a `routeSink`: there each batch is tried once
   * and the router's breaker and failover are the retry policy (see `Sink.routed`).
   */
  retry?: { maxAttempts?: number; baseDelayMs?: number; maxDelayMs?: number };
  /** Batch limits: when a batch is sent. @default { maxRecords: 1000, maxBytes: 1 MiB, maxAgeMs: 1000 } */
  batch?: BatchLimits<LogRecord>;
  /**
   * The most one request carries when records piled up while the collector was slow (they go as
   * several requests of at most this). Keep it within the collector's `--max-lines` and
   * `--max-body-bytes` (100,000 and 8 MiB by default). @default { maxRecords: 50000, maxBytes: 4 MiB }
   */
  maxBatch?: { maxRecords?: number; maxBytes?: number };
  /** Records waiting before `onFull`. @default 10000 */
  maxQueuedRecords?: number;
  /** What a full queue drops. @default "drop-newest"; with a spool the default is to write a full queue to the spool, dropping nothing */
  onFull?: Exclude<OnFull, "block">;
  /** Send `{ producer, nextCheckInMs, graceMs }` to `/heartbeat` every `intervalMs`. */
  heartbeat?: { intervalMs: number; graceMs?: number };
  /** Where heartbeats go. @default new URL("/heartbeat", url) */
  heartbeatUrl?: string;
  /** The fetch to use. @default globalThis.fetch */
  fetch?: typeof fetch;
  /**
   * Makes a timer not keep the process alive; called on every timer the sink sets (retry
   * backoff, request timeouts, heartbeats). @default the logger's runtime adapter's, or else
   * calls `unref()` when the timer has one
   */
  unrefTimer?: (timer: unknown) => void;
  /** A name for stats and reports. @default "http:<url>" */
  name?: string;
  /** Called after each batch is accepted (2xx): how many records, and when the oldest was logged. */
  onDelivered?: (batch: { records: number; oldestMs: number }) => void;
  /**
   * A directory where each batch is kept until the collector accepts it: batches that run out of
   * retries, and batches queued when the process exits, are sent again (same key) by the next
   * sink made with this directory, or every `spoolRetryMs`. Needs a file system. Under a
   * `routeSink`, a batch that fails is taken out of the spool and moved to another target by the
   * router; the spool keeps what the router gives it when no target is up (`writeSync`).
   */
  spool?: string;
  /** How often spooled batches are tried again. @default 5000 */
  spoolRetryMs?: number;
  /**
   * Stages each batch of records goes through, in order, before it is encoded:
   * `syncStage(fn)` stages, or `TransformStream`s of record batches. A `TransformStream` has no
   * synchronous form, so with one the sink writes asynchronously: no `"block"` (the default
   * becomes `"drop-newest"`), and what it holds at exit is counted as `exit`.
   */
  through?: readonly RecordStage[];
  /** The runtime adapter, for the spool's files; detected when absent. */
  runtime?: Runtime;
}

/**
 * One encoded batch: its body and the key it keeps across retries.
 *
 * @example
 * ```ts
 * import { createRecord } from "../record.ts";
 * import { httpSink } from "./http_sink.ts";
 * const batch = httpSink("http://127.0.0.1:8080/ingest").encode([createRecord(Date.now(), "info", undefined, "hi", "}")]);
 * batch.body; // '{"time":"…","level":"info","msg":"hi"}\n'
 * batch.key;  // a fresh UUID, sent as Idempotency-Key on every attempt
 * ```
 */
export interface HttpBatch {
  /** The NDJSON text: each record's JSON and a newline. */
  body: string;
  /** The batch's `Idempotency-Key` (`crypto.randomUUID()`). */
  key: string;
  /** How many records the batch holds. */
  records: number;
  /** When the batch's first record was logged (epoch ms). */
  oldestMs: number;
}

/**
 * What `httpSink` gains in a long-lived process with files, as its options ask: delivery
 * through a spool and heartbeats. Takes the sink `httpSink` made and returns it with them.
 *
 * @example
 * ```ts
 * import type { HttpServerParts } from "./http_sink.ts";
 * import { httpServerParts } from "./http_server_parts.ts";
 * const parts: HttpServerParts = httpServerParts;
 * ```
 */
export type HttpServerParts = (sink: Sink<HttpBatch>, target: string, options: HttpSinkOptions, sender: Sender, state: HttpSinkState) => Sink<HttpBatch>;
let serverParts: HttpServerParts | undefined;

/**
 * Gives `httpSink` its spool and heartbeats (`lib/sinks/http_server_parts.ts`). They belong to long-lived processes with files, so the server
 * entries register them (`adapters/server_runtimes.ts`, imported by `mod.ts` and `server.ts`)
 * and the web entry does not: a worker bundle carries neither, and a `spool` or `heartbeat`
 * option there is a `TypeError` that says so.
 *
 * @param parts Adds the spool's delivery and the heartbeats to a sink.
 * @example
 * ```ts
 * import { registerHttpServerParts } from "./http_sink.ts";
 * import { httpServerParts } from "./http_server_parts.ts";
 * registerHttpServerParts(httpServerParts);
 * ```
 */
export function registerHttpServerParts(parts: HttpServerParts): void {
  serverParts = parts;
}

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
 * import { createLogger, httpSink } from "../../mod.web.ts";
 * const worker = { // a Cloudflare Worker: `export default worker`
 *   fetch(_req: Request, env: { SLUICE_TOKEN: string }, ctx: { waitUntil(p: Promise<unknown>): void }) {
 *     const log = createLogger({ sinks: [httpSink("https://logs.example.com/ingest", { token: env.SLUICE_TOKEN })] });
 *     log.info("checkout", { cart: 3 });
 *     ctx.waitUntil(log.flush());
 *     return new Response("ok");
 *   },
 * };
 * ```
 */
export function httpSink(url: string, options: HttpSinkOptions = {}): Sink<HttpBatch> {
  const target = new URL(url).href;
  const state: HttpSinkState = {
    hooks: { report: () => {}, lost: () => {}, unrefTimer: (t) => (t as { unref?: () => void })?.unref?.() },
    /** The option's unref when given, else the logger's (from `connect`), else `unref()`. */
    unrefTimer: (t) => (options.unrefTimer ?? state.hooks.unrefTimer)(t),
    backoff: (ms) => sleep(ms, state.unrefTimer),
  };
  const sender = createSender(target, options, state);
  let sink: Sink<HttpBatch> = {
    name: options.name ?? `http:${target}`,
    level: options.level,
    sync: false,
    defaultOnFull: options.onFull ?? "drop-newest",
    batch: { maxRecords: 1000, maxBytes: 1 << 20, maxAgeMs: 1000, ...options.batch },
    queue: { maxQueuedRecords: options.maxQueuedRecords ?? 10_000 },
    connect(h) {
      state.hooks = h;
    },
    encode(records) {
      let body = "";
      for (const r of records) body += r.json + "\n";
      return { body, key: crypto.randomUUID(), records: records.length, oldestMs: records[0]?.time ?? Date.now() };
    },
    write: sender.send,
    maxBatch: { maxRecords: 50_000, maxBytes: 4 << 20, ...options.maxBatch },
    routed(policy) {
      state.routed = policy;
    },
    async close() {},
  };
  if ((options.spool ?? options.heartbeat) !== undefined) {
    if (!serverParts) {
      throw new TypeError("sluice: httpSink's spool and heartbeat need a server runtime");
    }
    sink = serverParts(sink, target, options, sender, state);
  }
  return withThrough(sink, options.through);
}
