/**
 * Sending one batch over HTTP: the POST bounded by a timeout, the retries with backoff, and
 * which answers mean "later" and which mean "never as it is".
 *
 * @module
 */
import { errorMessage, HttpSendError } from "../errors.ts";
import { retryAfterMs, retryDelay, type RetryPolicy } from "../retry.ts";
import type { RoutedPolicy, SinkHooks } from "../sink.ts";
import type { HttpBatch, HttpSinkOptions } from "./http_sink.ts";

/**
 * What a POST keeps of a response: the response (its status and headers; a 2xx body is
 * cancelled, a refusal's read) and a refusal's body, its first 200 characters.
 */
export type Answer = [response: Response, text: string];

/**
 * What an HTTP sink's parts share: the logger's hooks (from `connect`), whether the logger is
 * closing, its timers.
 *
 * @example
 * ```ts
 * import type { HttpSinkState } from "./http_send.ts";
 * const state: HttpSinkState = { hooks: { report() {}, lost() {}, unrefTimer() {} }, closing: false, unrefTimer: () => {}, backoff: (ms) => new Promise((r) => setTimeout(r, ms)) };
 * ```
 */
export interface HttpSinkState {
  /** The logger's hooks, once the sink is connected. */
  hooks: SinkHooks;
  /** True once the logger closes with a spool: no more retries, batches stay in the spool. */
  closing?: boolean;
  /**
   * Set when a router owns failover for this sink (`Sink.routed`): one attempt per batch, each
   * request bounded by the router's breaker timeout, no failed batch kept in the spool.
   */
  routed?: RoutedPolicy;
  /** Makes a timer not keep the process alive. */
  unrefTimer(timer: unknown): void;
  /**
   * Waits `ms` before `batch` is sent again (`last` says how its last try failed). With a
   * spool it waits less when the logger starts closing, and then throws: the batch stays in
   * the spool for the next start.
   */
  backoff(ms: number, batch: HttpBatch, last: string): Promise<void>;
}

/** `body: "frame"`'s body on the wire (`encodeFrame`, lib/format/frame.ts), registered by the server entries and `enableFrames()`. */
let frames: HttpSinkOptions["wire"];

/**
 * Lets httpSink send `body: "frame"` (done by lib/sinks/http_frames.ts `enableFrames`, which the
 * server entries call; a worker's bundle goes without the encoder until it does).
 *
 * @param wire The frame's content type, and what makes one frame of NDJSON lines.
 * @example
 * ```ts
 * import { encodeFrame, FRAME_CONTENT_TYPE } from "../format/frame.ts";
 * registerFrames({ contentType: FRAME_CONTENT_TYPE, encode: encodeFrame });
 * ```
 */
export function registerFrames(wire: NonNullable<HttpSinkOptions["wire"]>): void {
  frames = wire;
}

/** The runtime's own gzip, registered by the server entries ({@linkcode registerGzip}); else CompressionStream's. */
let gzipBody: ((raw: string | Uint8Array) => Uint8Array) | undefined;

/**
 * Replaces how httpSink gzips a body (done on Bun by the server entries with `node:zlib`'s
 * `gzipSync`: there a stream's steps wait their turns behind a busy event loop, so a producer
 * logging at full speed fell behind, sent ever larger batches and dropped records, where a
 * synchronous gzip of the same bytes kept up; bench/README.md).
 *
 * @param gzip Gzips text (as UTF-8) or bytes.
 * @example
 * ```ts
 * import { registerGzip } from "./http_send.ts";
 * registerGzip((raw) => process.getBuiltinModule("node:zlib").gzipSync(raw));
 * ```
 */
export function registerGzip(gzip: (raw: string | Uint8Array) => Uint8Array): void {
  gzipBody = gzip;
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
const isAway = (status: number) => status > 501 && status < 505; // 502, 503, 504

/**
 * Whether a failed send means this batch can never be delivered as it is: the collector refused
 * its content (a 4xx above), or answered a server error that is not about availability (`500`,
 * `501`, `505`, ...; not `502`, `503`, `504`) on every attempt. Such a batch is counted and, with
 * a spool, moved to its dead letters, so it never holds up the batches behind it.
 *
 * @param err What a send threw.
 * @returns True when sending the same batch again cannot work.
 * @example
 * ```ts
 * import { undeliverable } from "./http_send.ts";
 * import { HttpSendError } from "../errors.ts";
 * undeliverable(new HttpSendError("refused", "http://127.0.0.1/ingest", 1, 400, "HTTP 400")); // true
 * ```
 */
export function undeliverable(err: unknown): boolean {
  if (!(err instanceof HttpSendError) || err.away) return false;
  const status = err.status ?? 0;
  return REFUSED.has(status) || (status >= 500 && !isAway(status));
}

/**
 * What {@linkcode createSender} makes: `send` with retries, `post` for one request (heartbeats
 * use it too).
 *
 * @example
 * ```ts
 * import type { Sender } from "./http_send.ts";
 * const deliver = (sender: Sender, batch: HttpBatch) => sender.send(batch);
 * ```
 */
export interface Sender {
  /**
   * One POST, bounded by `timeoutMs` from the request to the end of reading a refusal's body,
   * even with a `fetch` that ignores its signal. A 2xx body is not read.
   */
  post(to: string, body: BodyInit, extra: Record<string, string>): Promise<Answer>;
  /**
   * Sends one batch with its Idempotency-Key, retrying network errors, timeouts, 408, 429 and
   * 5xx (and a damaged frame) with backoff, honouring `Retry-After`. Throws an `HttpSendError`
   * when refused or out of attempts; `notify: false` skips `onDelivered` (a spooled batch was
   * counted when it was spooled).
   */
  send(batch: HttpBatch, notify?: boolean): Promise<void>;
}

/**
 * Makes the {@linkcode Sender} of one collector.
 *
 * @param target The collector's ingest URL.
 * @param options The sink's options: headers, token, producer, body, gzip, retry, timeout, fetch.
 * @param state The sink's shared state.
 * @returns The sender.
 * @example
 * ```ts
 * import { createSender } from "./http_send.ts";
 * const sender = createSender("http://127.0.0.1:8080/ingest", { token: "s3cret" }, state);
 * await sender.send(batch);
 * ```
 */
export function createSender(target: string, options: HttpSinkOptions, state: HttpSinkState): Sender {
  const framed = options.body === "frame";
  if (options.body !== undefined && options.body !== "ndjson" && !framed) {
    throw new TypeError(`sluice: httpSink body must be "ndjson" or "frame", got ${JSON.stringify(options.body)}`);
  }
  if (framed && !frames) throw new TypeError('sluice: httpSink body "frame" on the web entry needs enableFrames() first');
  /** The body on the wire, made from each batch's NDJSON: the `wire` option's, or a frame's. */
  const wire = options.wire ?? (framed ? frames : undefined);
  const headers: Record<string, string> = {
    "content-type": wire?.contentType ?? "application/x-ndjson",
    ...(options.producer !== undefined && { "x-sluice-producer": options.producer }),
    ...(options.token && { authorization: `Bearer ${options.token}` }),
    ...options.headers,
  };
  const doFetch = options.fetch ?? ((...args: Parameters<typeof fetch>) => globalThis.fetch(...args));
  const gzip = options.gzip ?? typeof CompressionStream === "function";
  const timeoutMs = options.timeoutMs ?? 10_000;
  const policy: RetryPolicy = {
    maxAttempts: options.retry?.maxAttempts ?? 8,
    baseDelayMs: options.retry?.baseDelayMs ?? 100,
    maxDelayMs: options.retry?.maxDelayMs ?? 30_000,
    jitter: true,
  };
  const post = async (to: string, body: BodyInit, extra: Record<string, string>): Promise<Answer> => {
    const ms = Math.min(timeoutMs, state.routed?.timeoutMs ?? timeoutMs);
    const controller = new AbortController();
    let timer: unknown;
    const timedOut = new Promise<never>((_, reject) => {
      state.unrefTimer(
        timer = setTimeout(() => {
          const err = new Error(`timed out after ${ms} ms`);
          controller.abort(err);
          reject(err);
        }, ms),
      );
    });
    timedOut.catch(() => {});
    try {
      const res = await Promise.race([
        doFetch(to, { method: "POST", body, headers: { ...headers, ...extra }, signal: controller.signal }),
        timedOut,
      ]);
      if (res.ok) res.body?.cancel().catch(() => {});
      const text = res.ok ? "" : await Promise.race([res.text(), timedOut]).catch(() => "");
      return [res, text.slice(0, 200)];
    } finally {
      clearTimeout(timer as number);
    }
  };

  const send = async (batch: HttpBatch, notify = true): Promise<void> => {
    const raw = wire ? wire.encode(batch.body, batch.records) : batch.body;
    // gzipped whole: the request's length is known, so every fetch can send it
    const body = gzip ? gzipBody?.(raw) ?? new Uint8Array(await new Response(new Response(raw as BodyInit).body!.pipeThrough(new CompressionStream("gzip") as unknown as TransformStream<Uint8Array, Uint8Array>)).arrayBuffer()) : raw;
    const extra = { "idempotency-key": batch.key, ...(gzip && { "content-encoding": "gzip" }) };
    let last = "";
    /** Some attempt met an outage (a network error, 408, 429, 502, 503, 504): then giving up says nothing about the batch. */
    let away = false;
    for (let attempt = 1; ; attempt++) {
      let res: Response | undefined;
      try {
        let text;
        [res, text] = await post(target, body as BodyInit, extra);
        last = `HTTP ${res.status} ${text}`;
      } catch (err) {
        last = `network error: ${errorMessage(err)}`;
        away = true;
      }
      if (res) {
        if (res.ok) {
          if (notify) options.onDelivered?.({ records: batch.records, oldestMs: batch.oldestMs });
          return;
        }
        // the collector found a frame damaged on the way: the sender's copy is whole, so it is sent again
        if (!retryable(res.status) && !(framed && res.headers.has("x-sluice-damaged-frame"))) {
          throw new HttpSendError("refused", target, batch.records, res.status, last);
        }
        if (res.status < 500 || isAway(res.status)) away = true;
      }
      if (state.routed || attempt >= policy.maxAttempts) {
        throw new HttpSendError("gave-up", target, batch.records, res?.status, last, attempt, away);
      }
      await state.backoff(retryDelay(policy, attempt, retryAfterMs(res?.headers.get("retry-after"))), batch, last);
    }
  };
  return { post, send };
}

