/**
 * The JetStream message format shared by `serve --jetstream`, `jetstreamSink` and
 * `sluice consume`: one message per (batch, category), its subject `<prefix>.<category>`, a
 * `Nats-Msg-Id` that makes a retried batch stored once, and the category's records as NDJSON
 * (gzipped from 1 KiB: jetstream/compression.ts); reading it back is jetstream/message_read.ts.
 *
 * @module
 */
import { categoryFileName } from "../lib/files/category_name.ts";
import { formatNdjson } from "../lib/format/ndjson.ts";
import type { LogRecord } from "../lib/record.ts";
import { packPayload } from "./compression.ts";

/**
 * Who sent a batch and its id: what the headers and `Nats-Msg-Id` carry.
 *
 * @example
 * ```ts
 * import type { BatchMeta } from "./message.ts";
 * const meta: BatchMeta = { id: "b1", producer: "api-1", token: "edge" };
 * ```
 */
export interface BatchMeta {
  /** The batch id (`batchId` for the collector, a random id kept across retries for jetstreamSink). */
  id: string;
  /** The producer's name (`Sluice-Producer`). */
  producer: string;
  /** The collector token's name (`Sluice-Token`), when a collector publishes. */
  token?: string;
}

/**
 * One message to publish: `js.publish(m.subject, m.data, { msgID: m.msgID, headers })`.
 *
 * @example
 * ```ts
 * import { encodeBatch, type JsMessage } from "./message.ts";
 * const [m]: JsMessage[] = encodeBatch("sluice.logs", [], { id: "b1", producer: "api-1" });
 * ```
 */
export interface JsMessage {
  /** `<prefix>.<category tokens>`. */
  subject: string;
  /** `<batch id>:<categoryFileName>`, also in `headers["Nats-Msg-Id"]`. */
  msgID: string;
  /** `Nats-Msg-Id`, `Sluice-Producer`, `Content-Type`, `Content-Encoding: gzip` when gzipped, and `Sluice-Token` from a collector. */
  headers: Record<string, string>;
  /** The category's records as NDJSON, one `\n`-terminated line each; gzipped from 1 KiB. */
  data: Uint8Array;
}

/**
 * The subject prefix from a stream's subject: `sluice.logs.>` → `sluice.logs`.
 *
 * @example
 * ```ts
 * import { subjectPrefix } from "./message.ts";
 * subjectPrefix("sluice.logs.>"); // "sluice.logs"
 * ```
 */
export function subjectPrefix(streamSubject: string): string {
  const prefix = streamSubject.endsWith(".>") ? streamSubject.slice(0, -2) : streamSubject;
  if (prefix === "" || /[\s*>]/.test(prefix) || prefix.split(".").includes("")) {
    throw new TypeError(`sluice: the stream subject must be like "sluice.logs.>", got ${JSON.stringify(streamSubject)}`);
  }
  return prefix;
}

/**
 * The subject of a category's messages: `categoryFileName`'s dots kept as token separators, a
 * trailing `.` (an empty token) written `%2E`.
 *
 * @example
 * ```ts
 * import { categorySubject } from "./message.ts";
 * categorySubject("sluice.logs", "http.db"); // "sluice.logs.http.db"
 * categorySubject("sluice.logs", undefined); // "sluice.logs.default"
 * ```
 */
export function categorySubject(prefix: string, category: string | undefined): string {
  const name = categoryFileName(category);
  return `${prefix}.${name.endsWith(".") ? name.slice(0, -1) + "%2E" : name}`;
}

/**
 * A collector's batch id: hex SHA-256 of (token, producer, Idempotency-Key), or of (token,
 * producer, body bytes) without a key. The same batch sent to any collector gets the same id.
 *
 * @example
 * ```ts
 * import { batchId } from "./message.ts";
 * await batchId("edge", "edge-1", "k-42");  // 64 hex digits
 * ```
 */
export async function batchId(token: string, producer: string, key: string | Uint8Array): Promise<string> {
  const head = new TextEncoder().encode(JSON.stringify([typeof key === "string" ? "key" : "body", token, producer, typeof key === "string" ? key : ""]) + "\n");
  const tail = typeof key === "string" ? new Uint8Array(0) : key;
  const all = new Uint8Array(head.length + tail.length);
  all.set(head);
  all.set(tail, head.length);
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", all));
  return Array.from(digest, (b) => b.toString(16).padStart(2, "0")).join("");
}

/**
 * A batch as JetStream messages: its records grouped by category, in order, one message each.
 *
 * @param prefix The subject prefix (`subjectPrefix`).
 * @param records The batch.
 * @param meta The batch id and who sent it.
 * @returns One message per category, in the order categories first appear.
 * @example
 * ```ts
 * import { encodeBatch } from "./message.ts";
 * import { createRecord } from "../lib/record.ts";
 * const records = [createRecord(0, "info", "http", "a", "}"), createRecord(0, "warn", undefined, "b", "}")];
 * encodeBatch("sluice.logs", records, { id: "b1", producer: "api-1" }).map((m) => m.msgID); // ["b1:http", "b1:default"]
 * ```
 */
export function encodeBatch(prefix: string, records: readonly LogRecord[], meta: BatchMeta): JsMessage[] {
  const groups = new Map<string, { category: string | undefined; lines: string[] }>();
  for (const r of records) {
    const name = categoryFileName(r.category);
    let g = groups.get(name);
    if (g === undefined) groups.set(name, g = { category: r.category, lines: [] });
    g.lines.push(formatNdjson(r));
  }
  const enc = new TextEncoder();
  const out: JsMessage[] = [];
  for (const [name, g] of groups) {
    const msgID = `${meta.id}:${name}`;
    const headers: Record<string, string> = { "Nats-Msg-Id": msgID, "Sluice-Producer": meta.producer, "Content-Type": "application/x-ndjson" };
    if (meta.token !== undefined) headers["Sluice-Token"] = meta.token;
    const payload = packPayload(enc.encode(g.lines.join("\n") + "\n"));
    if (payload.encoding !== undefined) headers["Content-Encoding"] = payload.encoding;
    out.push({ subject: categorySubject(prefix, g.category), msgID, headers, data: payload.data });
  }
  return out;
}
