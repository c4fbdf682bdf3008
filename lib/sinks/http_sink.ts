/**
 * The HTTP sink: batches POSTed to a collector, with retries that never duplicate.
 *
 * @module
 */
import { encodeFrame, FRAME_CONTENT_TYPE } from "../format/frame.ts";
import { detectRuntime } from "../runtime/detect.ts";
import { Spool } from "./http_spool.ts";
import { errorMessage, HttpSendError } from "../errors.ts";
import { givesUp, retryAfterMs, retryDelay, type RetryPolicy, sleep as sleepFor } from "../retry.ts";
import type { LevelName } from "../levels.ts";
import type { Runtime } from "../runtime/runtime.ts";
import type { LogRecord } from "../record.ts";
import type { OnFull, Sink, SinkHooks } from "../sink.ts";
import type { BatchLimits } from "../stream/batcher.ts";

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
  /** Per-request timeout in milliseconds, covering the response's headers and, on a refusal, its body. @default 10000 */
  timeoutMs?: number;
  /** Retries on network errors, timeouts, 408, 429 and 5xx, with exponential backoff and full jitter, honouring `Retry-After`. */
  retry?: { maxAttempts?: number; baseDelayMs?: number; maxDelayMs?: number };
  /** Batch limits. @default { maxRecords: 1000, maxBytes: 1 MiB, maxAgeMs: 1000 } */
  batch?: BatchLimits<LogRecord>;
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
   * sink made with this directory, or every `spoolRetryMs`. Needs a file system.
   */
  spool?: string;
  /** How often spooled batches are tried again. @default 5000 */
  spoolRetryMs?: number;
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

/** Statuses worth trying again: a timeout, a rate limit, and any server error. */
const retryable = (status: number) => status === 408 || status === 429 || status >= 500;
/**
 * Refusals a spool does not keep: the batch itself is wrong, so sending it again cannot help
 * (401, 403, 404 and 415, a collector that does not take frames yet, may be fixed by
 * configuration, so they are kept).
 */
const REFUSED = new Set([400, 409, 411, 413, 422]);
/** Server errors that mean "later" (the collector or its disk is away), never about one batch. */
const AWAY = new Set([502, 503, 504]);

/**
 * Whether a failed send means this batch can never be delivered as it is: the collector refused
 * its content (a 4xx above), or answered a server error that is not about availability (`500`,
 * `501`, `505`, ...; not `502`, `503`, `504`) on every attempt. Such a batch is counted and, with
 * a spool, moved to its dead letters, so it never holds up the batches behind it.
 */
const undeliverable = (err: unknown) => {
  if (!(err instanceof HttpSendError) || err.away) return false;
  const status = err.status ?? 0;
  return REFUSED.has(status) || (status >= 500 && !AWAY.has(status));
};

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
  const producer = options.producer;
  const gzip = options.gzip ?? typeof CompressionStream === "function";
  const timeoutMs = options.timeoutMs ?? 10_000;
  const policy: RetryPolicy = {
    maxAttempts: options.retry?.maxAttempts ?? 8,
    baseDelayMs: options.retry?.baseDelayMs ?? 100,
    maxDelayMs: options.retry?.maxDelayMs ?? 30_000,
    jitter: true,
  };
  const unref = (t: unknown) => (t as { unref?: () => void })?.unref?.();
  const framed = options.body === "frame";
  if (options.body !== undefined && options.body !== "ndjson" && !framed) {
    throw new TypeError(`sluice: httpSink body must be "ndjson" or "frame", got ${JSON.stringify(options.body)}`);
  }
  const headers: Record<string, string> = {
    "content-type": options.wire?.contentType ?? (framed ? FRAME_CONTENT_TYPE : "application/x-ndjson"),
    ...(producer === undefined ? {} : { "x-sluice-producer": producer }),
    ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
    ...options.headers,
  };
  let hooks: SinkHooks = { report: () => {}, lost: () => {}, unrefTimer: unref };
  /** The option's unref when given, else the logger's (from `connect`), else `unref()`. */
  const unrefTimer = (t: unknown) => (options.unrefTimer ?? hooks.unrefTimer)(t);
  /** Set when the logger closes with a spool: no more retries, batches stay in the spool. */
  let closing = false;
  let wake = () => {};
  const closed = new Promise<void>((resolve) => (wake = resolve));
  /** Waits `ms`, or less when the logger starts closing. */
  const sleep = (ms: number) => Promise.race([sleepFor(ms, unrefTimer), closed]);

  /**
   * One POST, bounded by `timeoutMs` from the request to the end of reading a refusal's body,
   * even with a `fetch` that ignores its signal. A 2xx body is not read.
   */
  const post = async (to: string, body: BodyInit, extra: Record<string, string>): Promise<Answer> => {
    const controller = new AbortController();
    let timer: unknown;
    const timedOut = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        const err = new Error(`timed out after ${timeoutMs} ms`);
        controller.abort(err);
        reject(err);
      }, timeoutMs);
      unrefTimer(timer);
    });
    timedOut.catch(() => {});
    try {
      const res = await Promise.race([
        doFetch(to, { method: "POST", body, headers: { ...headers, ...extra }, signal: controller.signal }),
        timedOut,
      ]);
      if (res.ok) {
        res.body?.cancel().catch(() => {});
        return { status: res.status, ok: true, retryAfter: null, damaged: false, text: "" };
      }
      const text = await Promise.race([res.text(), timedOut]).catch(() => "");
      return { status: res.status, ok: false, retryAfter: res.headers.get("retry-after"), damaged: res.headers.has("x-sluice-damaged-frame"), text: text.slice(0, 200) };
    } finally {
      clearTimeout(timer as number);
    }
  };

  const send = async (batch: HttpBatch, notify = true): Promise<void> => {
    const raw = options.wire ? options.wire.encode(batch.body, batch.records) : framed ? encodeFrame(batch.body, batch.records) : batch.body;
    const body = gzip ? await gzipBody(raw) : raw;
    const extra = { "idempotency-key": batch.key, ...(gzip ? { "content-encoding": "gzip" } : {}) };
    let last = "";
    /** Some attempt met an outage (a network error, 408, 429, 502, 503, 504): then giving up says nothing about the batch. */
    let away = false;
    for (let attempt = 1; ; attempt++) {
      let res: Answer | undefined;
      try {
        res = await post(target, body as BodyInit, extra);
      } catch (err) {
        last = `network error: ${errorMessage(err)}`;
        away = true;
      }
      let retryAfter: number | undefined;
      if (res !== undefined) {
        if (res.ok) {
          if (notify) options.onDelivered?.({ records: batch.records, oldestMs: batch.oldestMs });
          return;
        }
        last = `HTTP ${res.status} ${res.text}`;
        if (!retryable(res.status) && !(framed && res.damaged)) {
          throw new HttpSendError("refused", target, batch.records, res.status, last);
        }
        if (res.status < 500 || AWAY.has(res.status)) away = true;
        retryAfter = retryAfterMs(res.retryAfter);
      }
      if (givesUp(policy, attempt)) {
        throw new HttpSendError("gave-up", target, batch.records, res?.status, last, policy.maxAttempts, away || res === undefined);
      }
      if (!closing) await sleep(retryDelay(policy, attempt, retryAfter));
      if (closing) throw new Error(`sluice: closing; a batch of ${batch.records} records for ${target} stays in ${options.spool} for the next start: ${last}`);
    }
  };

  const spool = options.spool === undefined ? undefined : new Spool(options.spool, options.runtime ?? detectRuntime());
  let resending: Promise<void> | undefined;
  /** Sends spooled batches, oldest first, until one fails; then tries again later. */
  /** Set when batches were spooled while a run was going: its list is older than they are. */
  let again = false;
  const resend = (): Promise<void> => {
    if (resending !== undefined) {
      again = true;
      return resending;
    }
    // cleared in a .finally attached after the assignment: a run that finds nothing to send
    // finishes at once, and must not leave a settled promise behind that blocks later runs
    resending = (async () => {
      do again = false;
      while ((await sendSpooled()) && again && !closing);
    })().finally(() => (resending = undefined));
    return resending;
  };
  let gaveUp = false;
  let resendTimer: unknown;
  /** Spool files write() is sending: the resend loop leaves them alone. */
  const sending = new Set<string>();
  /** Sends the spool again after `ms`, once (an earlier timer stands); never while closing. */
  const resendLater = (ms: number) => {
    if (resendTimer !== undefined || closing) return;
    resendTimer = setTimeout(() => {
      resendTimer = undefined;
      void resend();
    }, ms);
    unrefTimer(resendTimer);
  };
  /** One pass over the spool, oldest first; true when it got through without a failure. */
  const sendSpooled = async (): Promise<boolean> => {
    try {
      for (const file of spool!.list()) {
        if (sending.has(file)) continue; // being sent by write() right now
        const batch = spool!.read(file); // read now: write() may have delivered and removed it meanwhile
        if (batch === undefined) continue;
        try {
          await send(batch, false);
          spool!.remove(file);
        } catch (err) {
          if (!undeliverable(err)) throw err;
          // reported; its records were counted (as sent or spooled) in the process that spooled them
          hooks.lost(0, new Error(`${errorMessage(err)}; moved to ${spool!.deadLetter(file, errorMessage(err))}`));
        }
      }
      return true;
    } catch (err) {
      hooks.report(new Error(`sluice: spooled batches for ${target} wait for the next try: ${errorMessage(err)}`));
      resendLater(options.spoolRetryMs ?? 5000);
      return false;
    }
  };

  let beat: unknown;
  const beatUrl = options.heartbeatUrl ?? new URL("/heartbeat", target).href;
  const heartbeat = (payload: object) =>
    post(beatUrl, JSON.stringify({ producer, ...payload }), { "content-type": "application/json" }).then((r) => {
      if (!r.ok) throw new Error(`HTTP ${r.status} ${r.text}`);
    });
  /** Starts heartbeats once the sink is connected to a logger (and its runtime's timers). */
  const startHeartbeats = () => {
    if (!options.heartbeat || beat !== undefined) return;
    const { intervalMs, graceMs } = options.heartbeat;
    const tick = () => heartbeat({ nextCheckInMs: intervalMs, graceMs }).catch((err) =>
      hooks.report(new Error(`sluice: heartbeat to ${beatUrl} failed: ${errorMessage(err)}`)));
    void tick();
    beat = setInterval(tick, intervalMs);
    unrefTimer(beat);
  };

  return {
    name: options.name ?? `http:${target}`,
    level: options.level,
    sync: false,
    // with a spool a full queue is written to it (a synchronous file write): nothing is dropped
    defaultOnFull: options.onFull ?? (spool === undefined ? "drop-newest" : "block"),
    batch: { maxRecords: 1000, maxBytes: 1 << 20, maxAgeMs: 1000, ...options.batch },
    queue: { maxRecords: options.maxQueuedRecords ?? 10_000 },
    connect(h) {
      hooks = h;
      startHeartbeats();
      if (spool) void resend();
    },
    encode(records) {
      let body = "";
      for (const r of records) body += r.json + "\n";
      return { body, key: crypto.randomUUID(), records: records.length, oldestMs: records[0]?.time ?? Date.now() };
    },
    write: spool === undefined ? send : async (batch) => {
      const file = spool.save(batch);
      if (closing && gaveUp) return; // the collector did not answer while closing: the rest waits in the spool
      sending.add(file);
      try {
        await send(batch);
        spool.remove(file);
      } catch (err) {
        if (undeliverable(err)) {
          // the collector will never take this batch: counted as sink-error, kept aside, out of the way
          throw new Error(`${errorMessage(err)}; moved to ${spool.deadLetter(file, errorMessage(err))}`);
        }
        if (closing) gaveUp = true;
        hooks.report(new Error(`sluice: a batch of ${batch.records} records for ${target} stays in ${options.spool} for later: ${errorMessage(err)}`));
        resendLater(options.spoolRetryMs ?? 5000);
      } finally {
        sending.delete(file);
      }
    },
    ...(spool === undefined ? {} : {
      writeSync(batch: HttpBatch) {
        spool.save(batch);
        resendLater(10); // a full queue or exit put it there: send it from there
      },
      /** Waits for spooled batches being sent again, so `log.flush()` covers them too. */
      flush: () => resending,
      closing() {
        closing = true;
        wake();
      },
    }),
    async close() {
      clearTimeout(resendTimer as number);
      resendTimer = undefined;
      if (beat !== undefined) {
        clearInterval(beat as number);
        beat = undefined;
        await heartbeat({ shutdown: true }).catch(() => {});
      }
    },
  };
}

/** What {@linkcode httpSink} keeps of a response. */
interface Answer {
  status: number;
  ok: boolean;
  retryAfter: string | null;
  /** The collector found the frame damaged on the way (`X-Sluice-Damaged-Frame`): the sender's copy is whole, so it is sent again. */
  damaged: boolean;
  /** A refusal's body, its first 200 characters. */
  text: string;
}

async function gzipBody(body: string | Uint8Array): Promise<Uint8Array> {
  const stream = new Blob([body as BlobPart]).stream().pipeThrough(new CompressionStream("gzip") as unknown as TransformStream<Uint8Array, Uint8Array>);
  return new Uint8Array(await new Response(stream).arrayBuffer());
}
