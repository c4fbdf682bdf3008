/**
 * The collector's HTTP API as a Hono app.
 *
 * @module
 */
import { Hono, type Context } from "hono";
import { detectRuntime } from "../lib/runtime/detect.ts";
import { createLogger, type Logger } from "../lib/logger.ts";
import type { Runtime } from "../lib/runtime/runtime.ts";
import { httpSink, type HttpSinkOptions } from "../lib/sinks/http_sink.ts";
import type { RotateOptions } from "../lib/files/rotating_file.ts";
import { authenticate, type TokenEntry } from "./auth.ts";
import { BadBodyError, BodyTimeoutError, BodyTooLargeError, readBodyBytes, readBodyText, utf8Text } from "./body.ts";
import { decodeFrames, FRAME_CONTENT_TYPE, FrameError } from "../lib/format/frame.ts";
import { keyDigest, type ScopedKey } from "./dedup.ts";
import { DiskWriteError, DiskWriter } from "./disk_writer.ts";
import { faultHook } from "./fault_hook.ts";
import { IngestMetrics } from "./metrics.ts";
import { parseOtlpLogs } from "./otlp.ts";
import { decodeOtlpLogs, encodeOtlpLogsResponse, ProtoError } from "./otlp_proto.ts";
import { heartbeatError, ProducerRegistry } from "./producers.ts";
import { ANONYMOUS, Identities } from "./identity.ts";
import { RateLimiter } from "./rate_limit.ts";
import { type ParsedBody, parsedBody, parseJsonArray, parseNdjson, TooManyLinesError } from "../lib/format/ndjson_decode.ts";

/**
 * Options of {@linkcode createIngestApp}.
 *
 * @example
 * ```ts
 * createIngestApp({ dir: "./logs", tokens: [{ name: "edge", token: "s3cret" }], maxBodyBytes: 8 << 20 });
 * ```
 */
export interface IngestOptions {
  /** Where records are written: one file per category (`default.ndjson` for none). */
  dir: string;
  /** Accepted bearer tokens; each producer's records are tagged with its token's name. */
  tokens?: readonly TokenEntry[];
  /** Accept requests without a token. Must be given explicitly; there is no default token-less mode. */
  noAuth?: boolean;
  /** @default 8388608 (8 MiB) on the wire */
  maxBodyBytes?: number;
  /** @default 67108864 (64 MiB) after gzip */
  maxDecompressedBytes?: number;
  /** The longest NDJSON line, or JSON-array record, accepted; longer ones are rejected on their own line. @default 1048576 */
  maxLineBytes?: number;
  /** Records (lines, array elements, OTLP log records) in one request; past it the request is a 413 and nothing of it is written. @default 100000 */
  maxLines?: number;
  /** Rejected lines reported with their reason in an answer's `errors`; the rest are counted in `rejected`. @default 100 */
  maxErrors?: number;
  /** Request bodies read and parsed at once; past it a request is answered 503 with Retry-After: 1. @default 16 */
  maxConcurrentBodies?: number;
  /** Time allowed for a request's body to arrive; a client that stalls longer is answered 408. @default 30000 */
  bodyTimeoutMs?: number;
  /** Per-token limit: average records a second and burst. @default { recordsPerSec: 100000, burst: 200000 } */
  rateLimit?: { recordsPerSec: number; burst: number };
  /** Records the forwarder holds in memory before its spool. @default 200000 */
  maxQueuedRecords?: number;
  /** How long an Idempotency-Key is remembered. @default 86400000 (a day) */
  idempotencyTtlMs?: number;
  /** Idempotency-Keys remembered per token; past it the oldest is forgotten (counted in `/metrics`). @default 100000 */
  maxIdempotencyKeys?: number;
  /** How often heartbeats are checked, ms. @default 1000 */
  heartbeatCheckMs?: number;
  /** Rotation of the category files. */
  rotate?: RotateOptions;
  /** @default 64 */
  maxOpenFiles?: number;
  /** fsync the records and the journal before answering. @default false */
  durable?: boolean;
  /** The runtime adapter; detected when absent. */
  runtime?: Runtime;
  /**
   * Forward every accepted record to another collector as well (after writing it here), with
   * `httpSink`: batches keep their Idempotency-Key across retries, and with a spool (the
   * default, under `dir/.sluice/forward-spool`) they survive outages and restarts, so the other
   * collector writes each record once. Producers are answered once the records are written
   * here; forwarding does not slow them down.
   */
  forward?: ForwardOptions;
  /**
   * Names of tokens that belong to other collectors forwarding here: their records keep their
   * own `producer` instead of being tagged with the caller's name.
   */
  trustedForwarders?: readonly string[];
  /** Producer names one token may use (`X-Sluice-Producer`, heartbeats); past it a new name gets 403. @default 1000 */
  maxProducersPerToken?: number;
  /** Categories one token may create; records in further new ones go to the `overflow` category. @default 1000 */
  maxCategoriesPerToken?: number;
  /** Answer `GET /metrics` and `GET /producers` without a token. @default false */
  publicMetrics?: boolean;
}

/**
 * Where and how a collector forwards records (see {@linkcode IngestOptions.forward}): the other
 * collector's ingest URL, a spool, and these `httpSink` options: `token`, `producer` (default
 * the token's name), `gzip`, `body`, `retry` (default three tries within about two seconds,
 * then the batch waits in the spool), `timeoutMs`, `spoolRetryMs`, `fetch`.
 *
 * @example
 * ```ts
 * serve({ dir: "./logs", tokens, forward: { url: "https://central.example.com/ingest", token: "t0ken" } });
 * ```
 */
export interface ForwardOptions extends Pick<HttpSinkOptions, "token" | "producer" | "gzip" | "body" | "retry" | "timeoutMs" | "spoolRetryMs" | "fetch"> {
  /** The other collector's ingest URL, such as `https://central.example.com/ingest`. */
  url: string;
  /** A spool directory, or `false` for none (records not delivered after retries are then counted as dropped). @default `${dir}/.sluice/forward-spool` */
  spool?: string | false;
}

/**
 * The Hono app, with the writer behind it and a way to stop.
 *
 * @example
 * ```ts
 * const app = createIngestApp({ dir: "./logs", tokens }); await app.writer.flush(); await app.close();
 * ```
 */
export type IngestApp = Hono & {
  /** The logger of the collector's own records (its warnings and errors, category `sluice`). */
  readonly writer: Logger;
  /** The logger that forwards accepted records, when `forward` is set. */
  readonly forwarder: Logger | undefined;
  /** Stops the heartbeat checks, flushes and closes the files. */
  close(): Promise<void>;
};

/** A request's token name, producer name, and whether it is a trusted forwarding collector. */
interface Caller {
  token: string;
  producer: string;
  trusted: boolean;
}

/** Retry-After on a 503 for a disk that refuses writes: long enough for an operator's fix or a retention run. */
const DISK_RETRY_AFTER_S = 5;

const NDJSON = new Set(["application/x-ndjson", "application/ndjson", "application/jsonl", "text/plain"]);

/**
 * Makes the collector's HTTP API: `POST /ingest` (NDJSON, JSON array; gzip; bearer tokens;
 * `Idempotency-Key`), `POST /v1/logs` (OTLP/HTTP JSON), `POST /heartbeat`, `GET /producers`,
 * `GET /healthz`, `GET /readyz`, `GET /metrics`. A 2xx is sent only after the accepted records
 * are written. Mount it in your own Hono app with `app.route("/logs", createIngestApp(...))`.
 *
 * @param options Where to write, tokens, limits.
 * @returns The app.
 * @example
 * ```ts
 * import { Hono } from "hono";
 * import { createIngestApp } from "sluice/server";
 * const app = new Hono();
 * app.route("/logs", createIngestApp({ dir: "./logs", tokens: [{ name: "edge", token: "s3cret" }] }));
 * ```
 */
export function createIngestApp(options: IngestOptions): IngestApp {
  const tokens = options.tokens ?? [];
  if (tokens.length === 0 && options.noAuth !== true) {
    throw new TypeError("sluice: the collector needs tokens (or noAuth: true, given explicitly)");
  }
  const runtime = faultHook(options.runtime ?? detectRuntime());
  const limits = {
    maxBodyBytes: options.maxBodyBytes ?? 8 << 20,
    maxDecompressedBytes: options.maxDecompressedBytes ?? 64 << 20,
    bodyTimeoutMs: options.bodyTimeoutMs ?? 30_000,
  };
  if (!(limits.bodyTimeoutMs > 0)) throw new RangeError(`sluice: bodyTimeoutMs must be positive, got ${options.bodyTimeoutMs}`);
  const maxLineBytes = options.maxLineBytes ?? 1 << 20;
  const budget = { maxLines: options.maxLines ?? 100_000, maxErrors: options.maxErrors ?? 100 };
  const maxConcurrentBodies = options.maxConcurrentBodies ?? 16;
  let reading = 0;
  const maxQueued = options.maxQueuedRecords ?? 200_000;
  const metrics = new IngestMetrics();
  const maxKeys = options.maxIdempotencyKeys ?? 100_000;
  if (!(Number.isInteger(maxKeys) && maxKeys >= 1)) throw new RangeError(`sluice: maxIdempotencyKeys must be a whole number ≥ 1, got ${maxKeys}`);
  const disk = new DiskWriter(options.dir, {
    maxOpenFiles: options.maxOpenFiles ?? 64,
    rotate: options.rotate,
    durable: options.durable,
    keys: { ttlMs: options.idempotencyTtlMs ?? 86_400_000, maxPerToken: maxKeys },
  }, runtime);
  // the collector's own records (warnings, errors), written by `disk` as producers' records are
  const writer = createLogger({ level: "trace", sinks: [disk.sink()], runtime });
  const internal = writer.child({ producer: "sluice" }, { category: "sluice" });
  const forward = options.forward;
  const forwarder = forward === undefined ? undefined : createLogger({
    level: "trace",
    sinks: [httpSink(forward.url, {
      // a few quick tries, then the batch waits in the spool for the resend loop: a central
      // collector that is away never holds the queue
      retry: { maxAttempts: 3, maxDelayMs: 2000 },
      ...forward,
      spool: forward.spool === false ? undefined : forward.spool ?? `${options.dir}/.sluice/forward-spool`,
      maxQueuedRecords: Math.max(10_000, maxQueued),
      runtime,
    })],
    runtime,
    onError: (err) => internal.warn("forwarding failed", { err }),
  });
  const trusted = new Set(options.trustedForwarders ?? []);
  const identities = new Identities(options);
  const inflightKeys = new Map<string, Promise<Response>>();
  const limiter = new RateLimiter(options.rateLimit?.recordsPerSec ?? 100_000, options.rateLimit?.burst ?? 200_000);
  const producers = new ProducerRegistry((p) => internal.warn("producer missed its check-in", p));
  const checker = setInterval(() => producers.check(), options.heartbeatCheckMs ?? 1000);
  runtime.unrefTimer(checker);

  for (const part of disk.keys.undone) internal.warn("cut off the part of a write a crash left unfinished", { part });
  /** The disk refuses writes: 503, and the producer retries the whole request later. */
  const diskFailed = (c: Context, reason: string) =>
    answer(c, 503, { error: `the disk refused the write (${reason}); nothing of this request was written; retry later` }, { "Retry-After": String(DISK_RETRY_AFTER_S) });
  const app = new Hono();
  const answer = (c: Context, status: number, body: unknown, headers: Record<string, string> = {}) => {
    metrics.answered(status);
    return c.json(body, status as 200, headers);
  };
  /**
   * Who is calling: the token's name (rate limits and idempotency keys are per token, so a
   * producer cannot escape either by naming itself) and the producer name records are tagged
   * with (`X-Sluice-Producer`, else the token's name). A 401 when the token is missing or wrong.
   */
  const who = (c: Context, declared = c.req.header("x-sluice-producer")): Caller | Response => {
    const entry = options.noAuth === true && tokens.length === 0 ? ANONYMOUS : authenticate(c.req.header("authorization") ?? null, tokens);
    if (entry === undefined) return answer(c, 401, { error: "missing or invalid bearer token" }, { "WWW-Authenticate": "Bearer" });
    const caller = { token: entry.name, producer: declared ?? entry.name, trusted: trusted.has(entry.name) };
    const refusal = identities.refuseProducer(entry, caller.producer, caller.trusted);
    return refusal === undefined ? caller : answer(c, 403, { error: refusal });
  };

  /** Writes a parsed body and answers; shared by /ingest and /v1/logs. */
  const accept = async <B extends string | Uint8Array = string>(c: Context, caller: Caller, parse: (body: B) => ParsedBody, ok: (p: ParsedBody) => unknown, decode: (bytes: Uint8Array) => B = utf8Text as (bytes: Uint8Array) => B, key?: ScopedKey) => {
    let text: B;
    // bodies read at once are bounded: each may take up to maxDecompressedBytes while it is parsed
    if (reading >= maxConcurrentBodies) {
      metrics.refuse("concurrent-bodies");
      return answer(c, 503, { error: `the collector is reading ${maxConcurrentBodies} bodies at once (--max-concurrent-bodies); retry shortly` }, { "Retry-After": "1" });
    }
    reading++;
    let parsed: ParsedBody;
    try {
      text = decode(await readBodyBytes(c.req.raw, limits));
      metrics.bodyBytes += Number(c.req.header("content-length") ?? text.length);
      parsed = parse(text);
    } catch (err) {
      if (err instanceof TooManyLinesError) {
        metrics.refuse("lines");
        return answer(c, 413, { error: err.message, maxLines: err.maxLines });
      }
      if (err instanceof BodyTooLargeError) {
        metrics.refuse(err.message.startsWith("decompressed") ? "decompressed-bytes" : "body-bytes");
        return answer(c, 413, { error: err.message });
      }
      if (err instanceof BodyTimeoutError) return answer(c, 408, { error: err.message }, { Connection: "close" });
      if (err instanceof BadBodyError) return answer(c, 400, { error: err.message });
      // damaged on the way: the sender's copy is whole, and httpSink sends it again on this header
      if (err instanceof FrameError) return answer(c, 400, { error: err.message }, { "X-Sluice-Damaged-Frame": "1" });
      throw err;
    } finally {
      reading--;
    }
    metrics.count("rejected", parsed.rejected);
    // invalid lines cost the token's rate as valid ones do
    const wait = limiter.take(caller.token, parsed.records.length + parsed.rejected);
    if (wait > 0) {
      metrics.refuse("rate");
      return answer(c, 429, { error: `rate limit of ${limiter.rate} records/s (burst ${limiter.burst}) for this token: retry in ${wait} s` }, { "Retry-After": String(wait) });
    }
    if (parsed.records.length === 0) {
      return answer(c, 400, { ...ingested(parsed), error: (typeof text === "string" ? text.trim() : text).length === 0 ? "empty body" : "nothing in the body is valid" });
    }
    try {
      parsed.records = identities.admitCategories(caller.token, parsed.records, caller.trusted);
      disk.write(parsed.records, key);
    } catch (err) {
      if (err instanceof DiskWriteError) return diskFailed(c, err.message);
      throw err;
    }
    // forwarded once written here: a batch the producer must send again is not forwarded twice
    if (forwarder !== undefined) for (const r of parsed.records) forwarder.emit(r);
    metrics.count("accepted", parsed.records.length);
    const reply = ok(parsed);
    if (reply instanceof Response) {
      metrics.answered(200);
      return reply;
    }
    return answer(c, 200, reply);
  };

  /** The answer's counts: the first `maxErrors` rejected lines with their reasons, all counted. */
  const ingested = (p: ParsedBody) => ({ accepted: p.records.length, rejected: p.rejected, errors: p.errors });

  app.post("/ingest", async (c) => {
    const caller = who(c);
    if (caller instanceof Response) return caller;
    const { producer } = caller;
    const type = (c.req.header("content-type") ?? "").split(";")[0].trim().toLowerCase();
    let parse: (text: string) => ParsedBody;
    let decode = utf8Text;
    if (NDJSON.has(type)) parse = (t) => parseNdjson(t, producer, maxLineBytes, caller.trusted, budget);
    else if (type === "application/json") parse = (t) => parseJsonArray(t, producer, caller.trusted, budget, maxLineBytes);
    else if (type === FRAME_CONTENT_TYPE) {
      parse = (t) => parseNdjson(t, producer, maxLineBytes, caller.trusted, budget);
      decode = (bytes) => decodeFrames(bytes, limits.maxDecompressedBytes);
    } else return answer(c, 415, { error: `unsupported Content-Type ${JSON.stringify(type)}; use application/x-ndjson, application/json or ${FRAME_CONTENT_TYPE}` });
    const key = c.req.header("idempotency-key");
    if (key !== undefined) {
      if (key.length > 200) return answer(c, 400, { error: "Idempotency-Key is longer than 200 characters" });
      const scoped: ScopedKey = { token: caller.token, hash: await keyDigest(producer, key) };
      if (disk.keys.has(scoped)) {
        metrics.count("deduplicated", 1);
        return answer(c, 200, { accepted: 0, rejected: 0, errors: [], duplicate: true });
      }
      const inflight = `${caller.token}/${scoped.hash}`;
      const pending = inflightKeys.get(inflight);
      if (pending) return (await pending).clone();
      const result = accept(c, caller, parse, ingested, decode, scoped);
      inflightKeys.set(inflight, result);
      try {
        return await result;
      } finally {
        inflightKeys.delete(inflight);
      }
    }
    return accept(c, caller, parse, ingested, decode);
  });

  app.post("/v1/logs", (c) => {
    const caller = who(c);
    if (caller instanceof Response) return caller;
    const { producer } = caller;
    const type = (c.req.header("content-type") ?? "").split(";")[0].trim().toLowerCase();
    if (type === "application/x-protobuf") {
      return accept<Uint8Array>(c, caller, (bytes) => {
        try {
          return parseOtlpLogs(decodeOtlpLogs(bytes), producer, budget);
        } catch (err) {
          if (!(err instanceof ProtoError)) throw err;
          const out = parsedBody();
          out.reject(1, err.message);
          return out;
        }
      }, (p) => new Response(encodeOtlpLogsResponse(p.rejected, p.errors[0]?.error ?? "") as BodyInit, { headers: { "content-type": "application/x-protobuf" } }), (bytes) => bytes);
    }
    if (type !== "application/json") return answer(c, 415, { error: "OTLP/HTTP logs are accepted as application/json or application/x-protobuf" });
    return accept(c, caller, (t) => {
      try {
        return parseOtlpLogs(JSON.parse(t), producer, budget);
      } catch (err) {
        if (err instanceof TooManyLinesError) throw err;
        const out = parsedBody();
        out.reject(1, `invalid JSON: ${(err as Error).message}`);
        return out;
      }
    }, (p) => (p.rejected ? { partialSuccess: { rejectedLogRecords: p.rejected, errorMessage: p.errors[0].error } } : {}));
  });

  app.post("/heartbeat", async (c) => {
    const caller = who(c);
    if (caller instanceof Response) return caller;
    let beat: unknown;
    try {
      beat = JSON.parse(await readBodyText(c.req.raw, { maxBodyBytes: 64 << 10, maxDecompressedBytes: 64 << 10, bodyTimeoutMs: limits.bodyTimeoutMs }));
    } catch (err) {
      if (err instanceof BodyTimeoutError) return answer(c, 408, { error: err.message }, { Connection: "close" });
      beat = undefined;
    }
    const invalid = heartbeatError(beat);
    if (invalid !== undefined) return answer(c, 400, { error: invalid });
    const b = beat as { producer?: string; nextCheckInMs?: number; graceMs?: number; shutdown?: boolean };
    // a heartbeat speaks for one producer: the caller's, or one its token may speak as
    const speaker = b.producer === undefined ? caller : who(c, b.producer);
    if (speaker instanceof Response) return speaker;
    producers.heartbeat(speaker.producer, { nextCheckInMs: b.nextCheckInMs, graceMs: b.graceMs, shutdown: b.shutdown === true });
    return answer(c, 200, { ok: true });
  });

  /** `/metrics` and `/producers` answer any valid token, or anyone with `publicMetrics`. */
  const reader = (c: Context): Response | undefined => {
    if (options.publicMetrics === true) return undefined;
    const caller = who(c, undefined);
    return caller instanceof Response ? caller : undefined;
  };
  app.get("/producers", (c) => {
    const refused = reader(c);
    if (refused) return refused;
    return answer(c, 200, { producers: producers.list() });
  });
  app.get("/healthz", (c) => answer(c, 200, { ok: true }));
  app.get("/readyz", (c) => {
    const reason = disk.failure();
    return reason === undefined ? answer(c, 200, { ready: true }) : answer(c, 503, { ready: false, reason: `the disk refuses writes: ${reason}` }, { "Retry-After": String(DISK_RETRY_AFTER_S) });
  });
  app.get("/metrics", (c) => {
    const refused = reader(c);
    if (refused) return refused;
    metrics.answered(200);
    return c.text(metrics.render(disk, writer.stats(), forwarder?.stats(), identities), 200, { "content-type": "text/plain; version=0.0.4" });
  });
  app.onError((err, c) => {
    internal.error("ingest request failed", { err, path: c.req.path });
    return answer(c, 500, { error: "internal error" });
  });

  return Object.assign(app, {
    writer,
    forwarder,
    async close() {
      clearInterval(checker);
      await forwarder?.close(); // first: what it reports on the way out is written
      await writer.close();
      await disk.close();
    },
  });
}
