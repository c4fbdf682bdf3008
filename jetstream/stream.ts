/**
 * The JetStream stream sluice publishes to: defaults, creation, and the check of an existing one.
 *
 * @module
 */
import { type JetStreamManager, RetentionPolicy, StorageType, type StreamConfig, type StreamInfo } from "@nats-io/jetstream";

/**
 * What `ensureStream` makes when the stream is missing.
 *
 * @example
 * ```ts
 * const wanted: StreamSettings = { name: "LOGS", replicas: 3, maxAgeMs: 7 * 86_400_000 };
 * ```
 */
export interface StreamSettings {
  /** The stream's name, such as `LOGS`. */
  name: string;
  /** Subjects it takes. @default [`sluice.<name lower-cased>.>`] */
  subjects?: string[];
  /** Copies kept on different servers (1, 3 or 5). @default 1 */
  replicas?: number;
  /**
   * How long a `Nats-Msg-Id` is remembered: a batch sent again within it is stored once. It
   * covers the collector's idempotency window (a day) so a spooled batch resent late is still
   * recognised; each remembered id costs the server some memory.
   * @default 86400000 (a day)
   */
  duplicateWindowMs?: number;
  /** Messages older than this are removed. @default 604800000 (7 days) */
  maxAgeMs?: number;
  /** The stream's size bound; the oldest messages go first. @default -1 (none) */
  maxBytes?: number;
}

/**
 * What `ensureStream` did: `created`, or `exists` with the differences from what was asked.
 *
 * @example
 * ```ts
 * import type { EnsureResult } from "./stream.ts";
 * const report = (r: EnsureResult) => r.action === "exists" && r.differences.length > 0 ? r.differences.join("\n") : r.action;
 * ```
 */
export interface EnsureResult {
  /** `created` when the stream was made, `exists` when one was there already. */
  action: "created" | "exists";
  /** The stream as the server describes it. */
  config: StreamConfig;
  /** For an existing stream: each setting that differs from what was asked, as a sentence. */
  differences: string[];
}

const MS = 1_000_000; // nanoseconds in a millisecond

/**
 * The default subject of a stream: `sluice.<name lower-cased>.>`.
 *
 * @example
 * ```ts
 * defaultSubject("LOGS"); // "sluice.logs.>"
 * ```
 */
export function defaultSubject(name: string): string {
  return `sluice.${name.toLowerCase()}.>`;
}

/**
 * The stream configuration sluice asks for: file storage, limits retention, the duplicate
 * window, age and size bounds.
 *
 * @example
 * ```ts
 * streamConfig({ name: "LOGS", replicas: 3 }).num_replicas; // 3
 * ```
 */
export function streamConfig(s: StreamSettings): Partial<StreamConfig> & { name: string } {
  if (!/^[A-Za-z0-9_-]+$/.test(s.name)) throw new TypeError(`sluice: a stream name has letters, digits, _ and - only, got ${JSON.stringify(s.name)}`);
  const replicas = s.replicas ?? 1;
  if (![1, 2, 3, 4, 5].includes(replicas)) throw new RangeError(`sluice: replicas must be 1 to 5, got ${s.replicas}`);
  const window = s.duplicateWindowMs ?? 86_400_000;
  const age = s.maxAgeMs ?? 7 * 86_400_000;
  if (!(window > 0) || !(age >= 0)) throw new RangeError("sluice: the duplicate window must be positive and the age limit zero or more");
  if (age > 0 && window > age) throw new RangeError("sluice: the duplicate window cannot be longer than the age limit");
  return {
    name: s.name,
    subjects: s.subjects ?? [defaultSubject(s.name)],
    storage: StorageType.File,
    retention: RetentionPolicy.Limits,
    num_replicas: replicas,
    duplicate_window: window * MS,
    max_age: age * MS,
    max_bytes: s.maxBytes ?? -1,
  };
}

/**
 * Creates the stream when it is missing; an existing one is never changed, only compared with
 * what was asked (subjects, storage, replicas, duplicate window, age and size limits).
 *
 * @param jsm A JetStream manager (`jetstreamManager(nc)`).
 * @param settings The stream wanted.
 * @returns What was done and, for an existing stream, how it differs.
 * @example Needs a NATS server with JetStream (not run by the doc tests)
 * ```ts ignore
 * import { connect } from "@nats-io/transport-node";
 * import { jetstreamManager } from "@nats-io/jetstream";
 * const nc = await connect({ servers: "nats://127.0.0.1:4222" });
 * const r = await ensureStream(await jetstreamManager(nc), { name: "LOGS", replicas: 3 });
 * ```
 */
export async function ensureStream(jsm: JetStreamManager, settings: StreamSettings): Promise<EnsureResult> {
  const wanted = streamConfig(settings);
  let info: StreamInfo | undefined;
  try {
    info = await jsm.streams.info(wanted.name);
  } catch (err) {
    if (!/stream not found/i.test(String((err as Error)?.message))) throw err;
  }
  if (info === undefined) {
    const made = await jsm.streams.add(wanted);
    return { action: "created", config: made.config, differences: [] };
  }
  const have = info.config;
  const differences: string[] = [];
  const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);
  const check = (label: string, a: unknown, b: unknown, fmt = (v: unknown) => JSON.stringify(v)) => {
    if (!same(a, b)) differences.push(`${label} is ${fmt(a)}, not ${fmt(b)}`);
  };
  const ms = (v: unknown) => `${Number(v) / MS} ms`;
  check("subjects", have.subjects, wanted.subjects);
  check("storage", have.storage, wanted.storage);
  check("replicas", have.num_replicas, wanted.num_replicas);
  check("duplicate window", have.duplicate_window, wanted.duplicate_window, ms);
  check("max age", have.max_age, wanted.max_age, ms);
  check("max bytes", have.max_bytes, wanted.max_bytes);
  return { action: "exists", config: have, differences };
}
