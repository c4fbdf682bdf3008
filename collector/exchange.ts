/**
 * What every collector route shares: the answer (counted in `/metrics`), the caller's identity
 * (the prologue of each route), and the read-parse-limit-write path of a body with the mapping
 * of each failure to its status.
 *
 * @module
 */
import type { Context } from "hono";
import type { Logger } from "../lib/logger.ts";
import { authenticate, type TokenEntry } from "./auth.ts";
import { type BodyHold, type BodyLimits, readBodyBytes, utf8Text } from "./body.ts";
import { FrameError, TooManyLinesError } from "../lib/errors.ts";
import { BadBodyError, BodyTimeoutError, BodyTooLargeError, BodyTooSlowError, MemoryBudgetError } from "./errors.ts";
import type { MemoryBudget } from "./memory_budget.ts";
import { type RecordStore, RecordsRefusedError, StoreRefusedError } from "./store.ts";
import type { ScopedKey } from "./dedup.ts";
import { KeyedRequests } from "./keyed_requests.ts";
import type { DiskWriter } from "./disk_writer.ts";
import type { IngestMetrics } from "./metrics.ts";
import type { ProducerRegistry } from "./producers.ts";
import type { ProducerActivity } from "./producer_activity.ts";
import type { TailHub } from "./tail/tail_hub.ts";
import { ANONYMOUS, type Identities } from "./identity.ts";
import type { RateLimiter } from "./rate_limit.ts";
import type { IngestOptions } from "./options.ts";
import { ownLines, type ParsedBody } from "../lib/format/ndjson_decode.ts";
import type { LogRecord } from "../lib/record.ts";

/** What a store that writes a body from its text is given for records not made (`asSent.unmade`). */
const NOT_MADE: readonly LogRecord[] = Object.freeze([]);

/** A request's token name, producer name, and whether it is a trusted forwarding collector. */
export interface Caller {
  token: string;
  producer: string;
  trusted: boolean;
}

/** The collector's parts the routes use, made once by `createIngestApp`. */
export interface CollectorParts {
  options: IngestOptions;
  tokens: readonly TokenEntry[];
  limits: BodyLimits;
  maxLineBytes: number;
  budget: { maxLines: number; maxErrors: number };
  /** Bodies one token may read at once. */
  maxConcurrentBodies: number;
  /** What all requests in flight may hold, bodies buffered and inflated. */
  memory: MemoryBudget;
  metrics: IngestMetrics;
  /** Where accepted records go (the local files, or JetStream). */
  store: RecordStore;
  /** The local files' writer, when the store is the local files (its `/metrics`). */
  disk: DiskWriter | undefined;
  identities: Identities;
  limiter: RateLimiter;
  producers: ProducerRegistry;
  /** Each producer's counts, for `/api/producers`. */
  activity: ProducerActivity;
  /** Where written records are published for `/api/tail`. */
  tail: TailHub;
  trusted: ReadonlySet<string>;
  /** The logger of the collector's own records. */
  writer: Logger;
  /** `writer`'s child for category `sluice`. */
  internal: Logger;
  forwarder: Logger | undefined;
}

/**
 * The routes' shared steps over the collector's parts.
 *
 * @example
 * ```ts
 * const x = new Exchange(parts);
 * app.get("/healthz", (c) => x.answer(c, 200, { ok: true }));
 * ```
 */
export class Exchange {
  /** Bodies being read and parsed now, by token. */
  readonly #reading = new Map<string, number>();
  /** Requests under an Idempotency-Key, written once (`/ingest`, `/v1/logs`). */
  readonly keyed: KeyedRequests = new KeyedRequests(this);

  /** @param parts The collector's parts. */
  constructor(readonly parts: CollectorParts) {}

  /**
   * Whether NDJSON bodies taken as they came may leave their records unmade (parseNdjson's
   * `unmade`): when the store writes such a body from its text and nothing forwards records.
   *
   * @example
   * ```ts ignore
   * parseNdjson(text, producer, maxLineBytes, false, budget, exchange.unmadeBodies);
   * ```
   */
  get unmadeBodies(): boolean {
    return this.parts.store.takesText === true && this.parts.forwarder === undefined;
  }

  /** A JSON answer, counted by status. */
  answer(c: Context, status: number, body: unknown, headers: Record<string, string> = {}): Response {
    this.parts.metrics.answered(status);
    return c.json(body, status as 200, headers);
  }

  /** The store refused the batch (disk failing, JetStream away or slow): 503, and the producer retries the whole request later. */
  storeRefused(c: Context, err: StoreRefusedError): Response {
    return this.answer(c, 503, { error: err.message }, { "Retry-After": String(err.retryAfterS) });
  }

  /**
   * Who is calling: the token's name (rate limits and idempotency keys are per token, so a
   * producer cannot escape either by naming itself) and the producer name records are tagged
   * with (`X-Sluice-Producer`, else the token's name). A 401 when the token is missing or wrong,
   * a 403 when it is a read-only token or may not speak as that producer.
   */
  who(c: Context, declared: string | undefined = c.req.header("x-sluice-producer")): Caller | Response {
    const { identities, trusted } = this.parts;
    const entry = this.#token(c);
    if (entry instanceof Response) return entry;
    if (entry.role === "read") return this.answer(c, 403, { error: `token ${JSON.stringify(entry.name)} is read-only (role=read): it may read /metrics and /producers, not send` });
    const caller = { token: entry.name, producer: declared ?? entry.name, trusted: trusted.has(entry.name) };
    const refusal = identities.refuseProducer(entry, caller.producer, caller.trusted);
    return refusal === undefined ? caller : this.answer(c, 403, { error: refusal });
  }

  /** `/metrics` and `/producers` answer any valid token (read-only ones too), or anyone with `publicMetrics`: the refusal, or undefined. */
  refuseReader(c: Context): Response | undefined {
    if (this.parts.options.publicMetrics === true) return undefined;
    const entry = this.#token(c);
    return entry instanceof Response ? entry : undefined;
  }

  /**
   * `/api/*` answers only read tokens (`role=read`): a 401 without a valid token, a 403 for a
   * token that sends records, so a token shipped to a producer can never read logs. With
   * `noAuth` and no tokens, anyone reads. The reader's token name (searches and tail streams
   * are shared out by it), or the refusal.
   */
  reader(c: Context): string | Response {
    const entry = this.#token(c);
    if (entry instanceof Response || entry === ANONYMOUS || entry.role === "read") return entry instanceof Response ? entry : entry.name;
    return this.answer(c, 403, { error: `token ${JSON.stringify(entry.name)} sends records; reading logs takes a read token (role=read)` });
  }

  /** The request's token (anonymous with `noAuth` and no tokens), or the 401. */
  #token(c: Context): TokenEntry | Response {
    const { options, tokens } = this.parts;
    const entry = options.noAuth === true && tokens.length === 0 ? ANONYMOUS : authenticate(c.req.header("authorization") ?? null, tokens);
    return entry ?? this.answer(c, 401, { error: "missing or invalid bearer token" }, { "WWW-Authenticate": "Bearer" });
  }

  /**
   * Reads a body within the budgets, parses it, charges the token's rate, writes the accepted
   * records and answers with `ok`'s reply; each refusal mapped to its status. Shared by /ingest
   * and /v1/logs.
   */
  async accept<B extends string | Uint8Array = string>(c: Context, caller: Caller, parse: (body: B) => ParsedBody, ok: (p: ParsedBody) => unknown, decode: (bytes: Uint8Array) => B = utf8Text as (bytes: Uint8Array) => B, key?: ScopedKey): Promise<Response> {
    const res = await this.inTurn(c, caller, (hold) => this.#accept(c, caller, parse, ok, decode, key, hold));
    if (res.status === 429 || res.status === 503) this.parts.activity.refused(caller.producer, res.status);
    return res;
  }

  /**
   * Runs `work` (which reads the request's body, every byte reserved in `hold`) within the
   * token's turns (`--max-concurrent-bodies`) and memory: every body read takes one. A `lane`
   * has turns of its own (heartbeats: a token's batches cannot keep its producers from checking in).
   */
  async inTurn(c: Context, caller: Caller, work: (hold: BodyHold) => Promise<Response>, lane = ""): Promise<Response> {
    const { maxConcurrentBodies, memory } = this.parts;
    // bodies one token reads at once are bounded (so its slow clients cannot take the others'
    // turns), and so are the bytes they hold (memory), over all tokens and per token
    const turns = caller.token + lane;
    const reading = this.#reading.get(turns) ?? 0;
    if (reading >= maxConcurrentBodies) {
      this.parts.metrics.refuse("concurrent-bodies");
      return this.answer(c, 503, { error: `this token has ${maxConcurrentBodies} bodies being read at once (--max-concurrent-bodies); retry shortly` }, { "Retry-After": "1" });
    }
    this.#reading.set(turns, reading + 1);
    const hold = memory.hold(caller.token);
    try {
      return await work(hold);
    } finally {
      hold.release();
      const left = this.#reading.get(turns)! - 1;
      if (left > 0) this.#reading.set(turns, left);
      else this.#reading.delete(turns);
    }
  }

  /** {@linkcode accept}'s read, parse, rate and write. */
  async #accept<B extends string | Uint8Array>(c: Context, caller: Caller, parse: (body: B) => ParsedBody, ok: (p: ParsedBody) => unknown, decode: (bytes: Uint8Array) => B, key: ScopedKey | undefined, hold: BodyHold): Promise<Response> {
    const { metrics, limits, limiter, identities, store, forwarder } = this.parts;
    let text: B;
    let bytes: Uint8Array;
    let parsed: ParsedBody;
    try {
      bytes = await readBodyBytes(c.req.raw, limits, hold);
      text = decode(bytes);
      metrics.bodyBytes += Number(c.req.header("content-length") ?? text.length);
      parsed = parse(text);
    } catch (err) {
      const refused = this.#bodyRefused(c, err);
      if (refused === undefined) throw err;
      return refused;
    }
    metrics.count("rejected", parsed.rejected);
    this.parts.activity.batch(caller.producer, 0, parsed.rejected);
    // a body taken as it came may not have made its records (parseNdjson's `unmade`): counted without them
    const count = parsed.asSent?.count ?? parsed.records.length;
    // invalid lines cost the token's rate as valid ones do
    const wait = limiter.take(caller.token, count + parsed.rejected);
    if (wait > 0) {
      metrics.refuse("rate");
      return this.answer(c, 429, { error: `rate limit of ${limiter.rate} records/s (burst ${limiter.burst}) for this token: retry in ${wait} s` }, { "Retry-After": String(wait) });
    }
    if (count === 0) {
      return this.answer(c, 400, { ...ingested(parsed), error: (typeof text === "string" ? text.trim() : text).length === 0 ? "empty body" : "nothing in the body is valid" });
    }
    let duplicate = false;
    // records not made stay so when their one category is the token's to use
    let admitted = parsed.asSent?.unmade === true && identities.admitsAll(caller.token, parsed.asSent.category, caller.trusted);
    if (!admitted) {
      const sent = parsed.records;
      parsed.records = identities.admitCategories(caller.token, sent, caller.trusted);
      admitted = parsed.records === sent;
    }
    // the records as they came, in the body's text: the files may append that, and the tail ring
    // keep it (not for frames, a BOM the decoder dropped, or records whose category the token may not use)
    const asSent = parsed.asSent !== undefined && admitted && decode === (utf8Text as unknown) && !(bytes[0] === 0xef && bytes[1] === 0xbb) ? { ...parsed.asSent, text: text as string } : undefined;
    // a store that writes such a body from its text is not made to make the records
    const records = asSent?.unmade === true && store.takesText === true ? NOT_MADE : parsed.records;
    try {
      duplicate = (await store.write(records, key, { token: caller.token, producer: caller.producer, body: bytes, asSent }))?.duplicate === true;
    } catch (err) {
      if (err instanceof StoreRefusedError) return this.storeRefused(c, err);
      if (err instanceof RecordsRefusedError) return this.answer(c, 422, { error: err.message });
      throw err;
    }
    // forwarded once written here: a batch the producer must send again is not forwarded twice;
    // with lines of their own, as a full queue may keep one record of each of many bodies
    if (forwarder !== undefined && !duplicate) {
      ownLines(parsed.records);
      for (const r of parsed.records) forwarder.emit(r);
    }
    if (!duplicate) {
      this.parts.tail.publish(records, asSent);
      this.parts.activity.batch(caller.producer, count, 0);
    }
    metrics.count(duplicate ? "deduplicated" : "accepted", count);
    const reply = ok(parsed);
    if (reply instanceof Response) {
      metrics.answered(200);
      return reply;
    }
    // the store had every record already (JetStream's duplicate window): said as /ingest says it
    return this.answer(c, 200, duplicate && typeof reply === "object" ? { ...reply, duplicate: true } : reply);
  }

  /** The answer for a body that could not be read or parsed whole, or undefined for an error of ours. */
  #bodyRefused(c: Context, err: unknown): Response | undefined {
    const { metrics } = this.parts;
    if (err instanceof TooManyLinesError) {
      metrics.refuse("lines");
      return this.answer(c, 413, { error: err.message, maxLines: err.maxLines });
    }
    if (err instanceof BodyTooLargeError) {
      metrics.refuse(err.what === "body" ? "body-bytes" : "decompressed-bytes");
      return this.answer(c, 413, { error: err.message });
    }
    if (err instanceof BodyTimeoutError) {
      metrics.refuse(err instanceof BodyTooSlowError ? "body-rate" : "body-timeout");
      return this.answer(c, 408, { error: err.message }, { Connection: "close" });
    }
    if (err instanceof MemoryBudgetError) {
      metrics.refuse(err.bound);
      return this.answer(c, 503, { error: err.message }, { "Retry-After": "1" });
    }
    if (err instanceof BadBodyError) return this.answer(c, 400, { error: err.message });
    // damaged on the way: the sender's copy is whole, and httpSink sends it again on this header
    if (err instanceof FrameError) return this.answer(c, 400, { error: err.message }, { "X-Sluice-Damaged-Frame": "1" });
    return undefined;
  }
}

/**
 * The answer's counts: the first `maxErrors` rejected lines with their reasons, all counted.
 *
 * @example
 * ```ts
 * ingested(parsed); // { accepted: 99, rejected: 1, errors: [{ line: 3, error: "..." }] }
 * ```
 */
export function ingested(p: ParsedBody): { accepted: number; rejected: number; errors: ParsedBody["errors"] } {
  return { accepted: p.asSent?.count ?? p.records.length, rejected: p.rejected, errors: p.errors };
}
