/**
 * The collector's options: where it writes, its tokens, its budgets and bounds, forwarding.
 *
 * @module
 */
import type { RecordStore } from "./store.ts";
import type { Runtime } from "../lib/runtime/runtime.ts";
import type { HttpSinkOptions } from "../lib/sinks/http_sink.ts";
import type { RotateOptions } from "../lib/files/rotating_file.ts";
import type { TokenEntry } from "./auth.ts";
import type { RecordSearcher } from "./search/searcher.ts";

/**
 * Options of {@linkcode createIngestApp}.
 *
 * @example
 * ```ts
 * import { createIngestApp } from "./app.ts";
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
  /** The largest request body on the wire; past it, 413. @default 8388608 (8 MiB) */
  maxBodyBytes?: number;
  /** The largest request body once gunzipped; past it, 413. @default 67108864 (64 MiB) */
  maxDecompressedBytes?: number;
  /** The longest NDJSON line, or JSON-array record, accepted; longer ones are rejected on their own line. @default 1048576 */
  maxLineBytes?: number;
  /** Records (lines, array elements, OTLP log records) in one request; past it the request is a 413 and nothing of it is written. @default 100000 */
  maxLines?: number;
  /** Rejected lines reported with their reason in an answer's `errors`; the rest are counted in `rejected`. @default 100 */
  maxErrors?: number;
  /** Request bodies one token reads and parses at once; past it that token's request is answered 503 with Retry-After: 1 (other tokens are not affected). @default 16 */
  maxConcurrentBodies?: number;
  /** Time allowed for a request's body to arrive; a client that stalls longer is answered 408. @default 30000 */
  bodyTimeoutMs?: number;
  /** Past `bodyGraceMs`, a body must have averaged at least this many bytes a second since its request arrived, or it is answered 408 and its connection closed. @default 1024 */
  minBodyBytesPerSec?: number;
  /** Time a body has before `minBodyBytesPerSec` is checked, ms. @default 5000 */
  bodyGraceMs?: number;
  /**
   * Bytes all requests in flight may hold at once: bodies as received plus what they inflate to.
   * Each is reserved before it is kept (a declared Content-Length at once); past it, or past half
   * of it for one token, the request is answered 503 with Retry-After: 1. @default 268435456 (256 MiB)
   */
  maxMemoryBytes?: number;
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
  /** The longest check-in interval (`nextCheckInMs`) a heartbeat may announce; longer is a 400. @default 604800000 (a week) */
  maxCheckInMs?: number;
  /** The longest grace (`graceMs`) a heartbeat may ask for; longer is a 400. @default 86400000 (a day) */
  maxGraceMs?: number;
  /** Rotation of the category files. */
  rotate?: RotateOptions;
  /** The most category files open at once. @default 64 */
  maxOpenFiles?: number;
  /** fsync the records and the journal before answering. @default false */
  durable?: boolean;
  /** The runtime adapter; detected when absent. */
  runtime?: Runtime;
  /**
   * Where accepted records go instead of the files in `dir`: a JetStream stream
   * (`await jetstreamStore({ servers, stream })` from `sluice/jetstream`). A request is answered
   * 2xx only once the store has its records; a refusal is a 503 with Retry-After.
   * @default the category files in `dir`
   */
  store?: RecordStore;
  /**
   * Forward every accepted record to another collector as well (after writing it here), with
   * `httpSink`: batches keep their Idempotency-Key across retries, and with a spool (the
   * default, under `dir/.sluice/forward-spool`) they survive outages and restarts, so the other
   * collector writes each record once. Producers are answered once the records are written
   * here; forwarding does not slow them down.
   */
  forward?: ForwardOptions;
  /**
   * Distribute every accepted record (after writing it here) over the targets of a
   * `routes.json` file (see the README, "Routing"): by weight or sticky by a field, with
   * filters, fan-out copies and a circuit breaker per target. The file is read again when it
   * changes (checked every `pollMs`) and on SIGHUP; a bad file is reported and the routes
   * loaded before are kept. A bad file at the start throws.
   */
  route?: RouteOptions;
  /**
   * Names of tokens that belong to other collectors forwarding here: their records keep their
   * own `producer` instead of being tagged with the caller's name.
   */
  trustedForwarders?: readonly string[];
  /**
   * Producer names one token may use (`X-Sluice-Producer`, heartbeats); past it a new name gets
   * 403. Kept in `dir/.sluice/token-names`, so a restart does not reset it. @default 1000
   */
  maxProducersPerToken?: number;
  /** The same cap for the token of a trusted forwarding collector (`trustedForwarders`), which speaks for many producers. @default 100000 */
  maxProducersPerForwarder?: number;
  /** Categories one token may create; records in further new ones go to the `overflow` category. Kept across restarts as the producer names are. @default 1000 */
  maxCategoriesPerToken?: number;
  /** Answer `GET /metrics` and `GET /producers` without a token. @default false */
  publicMetrics?: boolean;
  /** Serve the console at `GET /` (static files; its data needs a read token). @default true */
  console?: boolean;
  /** Recent records kept for `/api/tail` clients that resume with `Last-Event-ID` or fall behind. @default 10000 */
  tailBufferRecords?: number;
  /** Bytes of those records kept at most: each record's line, message and category, or the text of a body whose every line was taken as it came. @default 16777216 (16 MiB) */
  tailBufferBytes?: number;
  /** `/api/tail` sends a heartbeat comment when nothing else was sent for this long, ms. @default 15000 */
  tailHeartbeatMs?: number;
  /** `/api/tail` clients at once; past it a new one gets 503 with Retry-After. @default 64 */
  maxTailClients?: number;
  /** Records one `/api/tail` client is sent a second at most; a client that would get more is told `event: dropped` (a console shows no more; `sluice tail --remote` into a file may want more). @default 1000 */
  tailEventsPerSec?: number;
  /**
   * What answers `/api/search` and `/api/histogram` (and `sluice search`): another store's
   * searcher (PostgreSQL). @default a `FileSearcher` over `dir`
   */
  searcher?: RecordSearcher;
  /** Searches and histograms running at once; past it a request gets 503 with Retry-After, and a read token past its share (half) 429. @default 4 */
  maxConcurrentSearches?: number;
}

/**
 * Where and how a collector forwards records (see {@linkcode IngestOptions.forward}): the other
 * collector's ingest URL, a spool, and these `httpSink` options: `token`, `producer` (default
 * the token's name), `gzip`, `body`, `retry` (default three tries within about two seconds,
 * then the batch waits in the spool), `timeoutMs`, `spoolRetryMs`, `fetch`.
 *
 * @example
 * ```ts
 * import { serve } from "../server.ts";
 * const site = await serve({ port: 0, handleSignals: false, dir: "./logs", tokens: [{ name: "edge", token: "s3cret" }], forward: { url: "https://central.example.com/ingest", token: "t0ken" } });
 * await site.close();
 * ```
 */
export interface ForwardOptions extends Pick<HttpSinkOptions, "token" | "producer" | "gzip" | "body" | "retry" | "timeoutMs" | "spoolRetryMs" | "fetch"> {
  /** The other collector's ingest URL, such as `https://central.example.com/ingest`. */
  url: string;
  /** A spool directory, or `false` for none (records not delivered after retries are then counted as dropped). @default `${dir}/.sluice/forward-spool` */
  spool?: string | false;
}

/**
 * Where the routing table of {@linkcode IngestOptions.route} comes from: a `routes.json` file
 * (see the README, "Routing"), checked for a change every `pollMs` and read again on SIGHUP.
 *
 * @example
 * ```ts
 * import type { IngestOptions } from "../server.ts";
 * // for serve() or createIngestApp(): a missing or bad file then throws, naming it
 * const options: IngestOptions = { dir: "./logs", tokens: [{ name: "edge", token: "s3cret" }], route: { file: "./routes.json", pollMs: 1000 } };
 * ```
 */
export interface RouteOptions {
  /** The `routes.json` file. */
  file: string;
  /** How often the file is checked for a change, ms. @default 1000 */
  pollMs?: number;
}
