/**
 * The collector's HTTP API as a Hono app: its parts made once here, its routes in routes/.
 *
 * @module
 */
import { Hono } from "hono";
import { detectRuntime } from "../lib/runtime/detect.ts";
import { createLogger, type Logger } from "../lib/logger.ts";
import { httpSink } from "../lib/sinks/http_sink.ts";
import { DiskWriter } from "./disk_writer.ts";
import { diskStore } from "./store.ts";
import { Exchange } from "./exchange.ts";
import { MemoryBudget } from "./memory_budget.ts";
import { unreadBody } from "./body.ts";
import { faultHook } from "./fault_hook.ts";
import { IngestMetrics } from "./metrics.ts";
import { ProducerRegistry } from "./producers.ts";
import { ANONYMOUS, Identities } from "./identity.ts";
import { RateLimiter } from "./rate_limit.ts";
import type { IngestOptions } from "./options.ts";
import { routeFromFile } from "./route_file.ts";
import { mountIngest } from "./routes/ingest_route.ts";
import { mountOtlp } from "./routes/otlp_route.ts";
import { mountHeartbeat } from "./routes/heartbeat_route.ts";
import { mountOperations } from "./routes/operations_route.ts";
import { mountRead } from "./routes/read_route.ts";
import { mountConsole } from "./routes/console_route.ts";
import { mountSearch } from "./routes/search_route.ts";
import { FileSearcher } from "./search/file_searcher.ts";
import { ProducerActivity } from "./producer_activity.ts";
import { TailHub } from "./tail/tail_hub.ts";
import { queryFilter } from "./tail/query_filter.ts";

export type { ForwardOptions, IngestOptions, RouteOptions } from "./options.ts";

/**
 * The Hono app, with the writer behind it and a way to stop.
 *
 * @example
 * ```ts
 * import { createIngestApp } from "./app.ts";
 * const app = createIngestApp({ dir: "./logs", tokens: [{ name: "edge", token: "s3cret" }] });
 * await app.writer.flush();
 * await app.close();
 * ```
 */
export type IngestApp = Hono & {
  /** The logger of the collector's own records (its warnings and errors, category `sluice`). */
  readonly writer: Logger;
  /** The logger that forwards accepted records, when `forward` or `route` is set. */
  readonly forwarder: Logger | undefined;
  /** The routing table of `route`: `reload()` reads its file again now; `counts` of reloads taken and files rejected. */
  readonly routing: { reload(): Promise<void>; counts: { reloads: number; rejected: number } } | undefined;
  /** The live tail (`/api/tail`): clients following now; `close()` ends their streams (the listener's stop waits for them otherwise). */
  readonly tail: { readonly clients: number; close(): void };
  /** Stops the heartbeat checks, ends the tail streams, flushes and closes the files. */
  close(): Promise<void>;
};

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
    minBodyBytesPerSec: options.minBodyBytesPerSec ?? 1024,
    bodyGraceMs: options.bodyGraceMs ?? 5000,
  };
  if (!(limits.bodyTimeoutMs > 0)) throw new RangeError(`sluice: bodyTimeoutMs must be positive, got ${options.bodyTimeoutMs}`);
  if (!(limits.minBodyBytesPerSec >= 0 && limits.bodyGraceMs >= 0)) throw new RangeError(`sluice: minBodyBytesPerSec and bodyGraceMs must be ≥ 0, got ${options.minBodyBytesPerSec} and ${options.bodyGraceMs}`);
  const maxQueued = options.maxQueuedRecords ?? 200_000;
  const maxKeys = options.maxIdempotencyKeys ?? 100_000;
  if (!(Number.isInteger(maxKeys) && maxKeys >= 1)) throw new RangeError(`sluice: maxIdempotencyKeys must be a whole number ≥ 1, got ${maxKeys}`);
  // what goes wrong in the background: on standard error until the collector's own logger (made from the store) is there
  let warn = (err: Error) => console.error(err.message);
  const disk = options.store !== undefined ? undefined : new DiskWriter(options.dir, {
    maxOpenFiles: options.maxOpenFiles ?? 64,
    rotate: options.rotate,
    durable: options.durable,
    keys: { ttlMs: options.idempotencyTtlMs ?? 86_400_000, maxPerToken: maxKeys },
    onError: (err) => warn(err),
  }, runtime);
  const store = options.store ?? diskStore(disk!);
  // the collector's own records (warnings, errors), stored as producers' records are
  const writer = createLogger({ level: "trace", sinks: [store.sink()], runtime });
  const internal = writer.child({ producer: "sluice" }, { category: "sluice" });
  warn = (err) => internal.warn(err.message, { err });
  const routing = options.route === undefined ? undefined : routeFromFile(options.route, {
    dir: options.dir,
    runtime,
    maxQueuedRecords: Math.max(10_000, maxQueued),
    rejected: (message) => {
      internal.error(message, { file: options.route!.file });
      console.error(message);
    },
    reloaded: (message) => internal.info(message, { file: options.route!.file }),
  });
  const forward = options.forward;
  const forwardSink = forward === undefined ? undefined : httpSink(forward.url, {
    // a few quick tries, then the batch waits in the spool for the resend loop: a central
    // collector that is away never holds the queue
    retry: { maxAttempts: 3, maxDelayMs: 2000 },
    ...forward,
    spool: forward.spool === false ? undefined : forward.spool ?? `${options.dir}/.sluice/forward-spool`,
    maxQueuedRecords: Math.max(10_000, maxQueued),
    runtime,
  });
  // one logger takes every accepted record once it is written, for each of the ways on: forward, route
  const onward = [forwardSink, routing?.sink].filter((s) => s !== undefined);
  const forwarder = onward.length === 0 ? undefined : createLogger({
    level: "trace",
    sinks: onward,
    runtime,
    onError: (err) => internal.warn("forwarding failed", { err }),
  });
  const producers = new ProducerRegistry((p) => internal.warn("producer missed its check-in", p));
  const checker = setInterval(() => producers.check(), options.heartbeatCheckMs ?? 1000);
  runtime.unrefTimer(checker);
  for (const part of disk?.keys.undone ?? []) internal.warn("cut off the part of a write a crash left unfinished", { part });

  const memory = new MemoryBudget(options.maxMemoryBytes ?? 256 << 20);
  const exchange = new Exchange({
    options,
    tokens,
    limits,
    maxLineBytes: options.maxLineBytes ?? 1 << 20,
    budget: { maxLines: options.maxLines ?? 100_000, maxErrors: options.maxErrors ?? 100 },
    maxConcurrentBodies: options.maxConcurrentBodies ?? 16,
    memory,
    metrics: new IngestMetrics(routing?.counts, memory),
    store,
    disk,
    // what each token created is kept in <dir>/.sluice/token-names: a restart does not reset its caps
    identities: new Identities(options, tokens, { path: `${options.dir}/.sluice/token-names`, runtime }),
    // and each token's rate-limit bucket in <dir>/.sluice/rate-buckets: a restart does not refill it
    limiter: new RateLimiter(options.rateLimit?.recordsPerSec ?? 100_000, options.rateLimit?.burst ?? 200_000, {
      path: `${options.dir}/.sluice/rate-buckets`, runtime, keep: (name) => name === ANONYMOUS.name || tokens.some((t) => t.name === name),
    }),
    producers,
    activity: new ProducerActivity(),
    tail: new TailHub({
      maxRecords: options.tailBufferRecords ?? 10_000,
      maxBytes: options.tailBufferBytes ?? 16 << 20,
      heartbeatMs: options.tailHeartbeatMs ?? 15_000,
      maxClients: options.maxTailClients ?? 64,
      readers: readerCount(options, tokens),
      maxEventsPerSec: options.tailEventsPerSec ?? 1000,
    }),
    trusted: new Set(options.trustedForwarders ?? []),
    writer,
    internal,
    forwarder,
  });
  const app = new Hono();
  // an answer given before its body was read whole (401, 413, 408, 503...) closes the
  // connection, so a client that reuses connections never sends its next request after bytes
  // the collector did not read
  app.use(async (c, next) => {
    await next();
    if (unreadBody(c.req.raw)) c.res.headers.set("connection", "close");
  });
  mountIngest(app, exchange);
  mountOtlp(app, exchange);
  mountHeartbeat(app, exchange);
  mountOperations(app, exchange);
  mountRead(app, exchange, queryFilter);
  mountSearch(app, exchange, options.searcher ?? new FileSearcher(options.dir), { maxConcurrent: options.maxConcurrentSearches, readers: readerCount(options, tokens) });
  if (options.console !== false) mountConsole(app, exchange);

  return Object.assign(app, {
    writer,
    forwarder,
    routing,
    tail: exchange.parts.tail,
    async close() {
      clearInterval(checker);
      exchange.parts.tail.close();
      // first: what it reports on the way out is written
      if (routing !== undefined) await routing.close(async () => await forwarder?.close());
      else await forwarder?.close();
      await writer.close();
      await store.close();
      exchange.parts.identities.close();
      exchange.parts.limiter.close();
    },
  });
}

/** How many readers share the read side's slots: the read tokens, or 1 for anonymous readers. */
function readerCount(options: IngestOptions, tokens: readonly { role?: string }[]): number {
  return options.noAuth === true && tokens.length === 0 ? 1 : tokens.filter((t) => t.role === "read").length;
}
