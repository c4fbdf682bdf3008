/**
 * Where the collector's accepted records go: the local files (`diskStore`, the default) or a
 * JetStream stream (`jetstreamStore`). The routes only see this interface.
 *
 * @module
 */
import type { LogRecord } from "../lib/record.ts";
import type { Sink, SinkHooks } from "../lib/sink.ts";
import { DiskWriteError } from "./errors.ts";
import type { DiskWriter } from "./disk_writer.ts";

/**
 * Who sent a batch and its bytes: what a store needs to name it (JetStream's msgID).
 *
 * @example
 * ```ts
 * import type { BatchOrigin } from "./store.ts";
 * const from: BatchOrigin = { token: "edge", producer: "edge-1", body: new Uint8Array() };
 * ```
 */
export interface BatchOrigin {
  /** The token's name. */
  token: string;
  /** The producer's name. */
  producer: string;
  /** The request body as received (decompressed), for an id when there is no Idempotency-Key. */
  body: Uint8Array;
  /**
   * Set when `body` is NDJSON whose every line is a record taken as it came, in order
   * (`ParsedBody.asSent`, with `text`, the body decoded; `count` records): the local files then
   * append the body with `tail` in place of each line's closing brace, which are the records'
   * lines byte for byte. A store that `takesText` may then be given no records (not made).
   */
  asSent?: { category: string | undefined; tail: string; text: string; count: number };
}

/**
 * A request's Idempotency-Key as stores see it: the token's name and a digest of producer and
 * key (the same for a batch sent again to any collector).
 *
 * @example
 * ```ts
 * import type { StoreKey } from "./store.ts";
 * const key: StoreKey = { token: "edge", hash: "9f86d081" };
 * ```
 */
export interface StoreKey {
  /** The token's name. */
  token: string;
  /** A hex digest of the producer and the Idempotency-Key. */
  hash: string;
}

/**
 * A store refused a batch, having stored none of it (or none that counts); the collector
 * answers 503 with `Retry-After: retryAfterS` and the producer sends the batch again.
 *
 * @example
 * ```ts
 * import { StoreRefusedError } from "./store.ts";
 * new StoreRefusedError("the disk refused the write (ENOSPC)", 5).retryAfterS; // 5
 * ```
 */
export class StoreRefusedError extends Error {
  /** The seconds the producer is told to wait. */
  readonly retryAfterS: number;
  /** @param message The answer's error. @param retryAfterS Seconds for Retry-After. @param options The cause. */
  constructor(message: string, retryAfterS: number, options?: ErrorOptions) {
    super(message, options);
    this.name = "StoreRefusedError";
    this.retryAfterS = retryAfterS;
  }
}

/**
 * The store refused a record of the batch for what it holds (PostgreSQL's `jsonb` refuses a
 * number past its range, say): nothing of it was written, and sending it again will not help,
 * so it is answered `422`, not `503`, and the store stays ready for everyone else.
 *
 * @example
 * ```ts
 * import { RecordsRefusedError } from "./store.ts";
 * new RecordsRefusedError("PostgreSQL refused a record: value overflows numeric format").name; // "RecordsRefusedError"
 * ```
 */
export class RecordsRefusedError extends Error {
  override name = "RecordsRefusedError";
}

/**
 * A store's own sink's write (the collector's records): records the store refuses for what they
 * hold ({@linkcode RecordsRefusedError}) are counted lost through `hooks`, not thrown, so the
 * logger does not try them again for ever ahead of the others; any other failure is thrown (and
 * retried).
 *
 * @param n How many records the write carries.
 * @param hooks The sink's hooks (from `connect`).
 * @param write The write.
 * @example
 * ```ts ignore
 * write: (c) => refusedAsLost(c.records.length, hooks, () => commit(c.records, key)),
 * ```
 */
export async function refusedAsLost(n: number, hooks: SinkHooks | undefined, write: () => Promise<unknown>): Promise<void> {
  try {
    await write();
  } catch (err) {
    if (!(err instanceof RecordsRefusedError)) throw err;
    hooks?.lost(n, err);
  }
}

/**
 * Where accepted records go. `write` stores a request's records all or nothing and settles
 * only once they are stored; a refusal is a {@linkcode StoreRefusedError}.
 *
 * @example
 * ```ts ignore
 * await store.write(records, key, { token: "edge", producer: "edge-1", body });
 * ```
 */
export interface RecordStore {
  /**
   * The store writes a body taken as it came (`from.asSent`) from its text and count alone: the
   * records of such a body are then not made for it (`write` is given none).
   *
   * @example
   * ```ts ignore
   * const store: RecordStore = { ...diskStore(disk), takesText: true };
   * ```
   */
  readonly takesText?: boolean;
  /** Whether a request with this Idempotency-Key was stored already (answered `duplicate: true`). */
  has(key: StoreKey): boolean;
  /**
   * Stores the records (with their key), all or nothing; throws {@linkcode StoreRefusedError}.
   * Resolves `{ duplicate: true }` when the store had them all already (the answer then says so).
   * A store that `takesText` may be given none, with `from.asSent` (its text and count) instead.
   */
  write(records: readonly LogRecord[], key: StoreKey | undefined, from: BatchOrigin): void | { duplicate: boolean } | Promise<void | { duplicate: boolean }>;
  /** Why writes cannot succeed now (`/readyz` answers 503 with it), or undefined. */
  failure(): string | undefined;
  /** The Retry-After of `/readyz`'s 503. */
  readonly retryAfterS: number;
  /** The sink of the collector's own records (category `sluice`), which take the same path. */
  sink(): Sink;
  /** The store's own `/metrics` lines (Prometheus text), beyond the disk writer's. */
  metricLines(): string[];
  /** Flushes and closes. */
  close(): Promise<void>;
}

/** Retry-After on a 503 for a disk that refuses writes: long enough for an operator's fix or a retention run. */
export const DISK_RETRY_AFTER_S = 5;

/**
 * The local files as a {@linkcode RecordStore}: the disk writer's journaled, all-or-nothing
 * write, its Idempotency-Keys, its failure probe.
 *
 * @example
 * ```ts ignore
 * const store = diskStore(new DiskWriter("./logs", { maxOpenFiles: 64, keys }, runtime));
 * ```
 */
export function diskStore(disk: DiskWriter): RecordStore {
  return {
    takesText: true,
    has: (key) => disk.keys.has(key),
    write(records, key, from) {
      try {
        if (from.asSent !== undefined) disk.writeAsSent(from.asSent.category, from.asSent.text, from.asSent.tail, from.asSent.count, key);
        else disk.write(records, key);
      } catch (err) {
        if (!(err instanceof DiskWriteError)) throw err;
        throw new StoreRefusedError(`the disk refused the write (${err.message}); nothing of this request was written; retry later`, DISK_RETRY_AFTER_S, { cause: err });
      }
    },
    failure() {
      const reason = disk.failure();
      return reason === undefined ? undefined : `the disk refuses writes: ${reason}`;
    },
    retryAfterS: DISK_RETRY_AFTER_S,
    sink: () => disk.sink(),
    metricLines: () => [],
    close: () => disk.close(),
  };
}
