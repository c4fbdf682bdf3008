/**
 * The JetStream message format shared by `serve --jetstream`, `jetstreamSink` and
 * `sluice consume`: one message per (batch, category), its subject `<prefix>.<category>`, a
 * `Nats-Msg-Id` that makes a retried batch stored once, and the category's records as NDJSON
 * (gzipped from 1 KiB: jetstream/compression.ts).
 *
 * @module
 */
import { errorMessage } from "../lib/errors.ts";
import { categoryFileName } from "../lib/files/category_name.ts";
import { formatNdjson } from "../lib/format/ndjson.ts";
import { toRecord } from "../lib/format/ndjson_decode.ts";
import { isoTime } from "../lib/iso_time.ts";
import { LEVEL_NAMES, type LevelName } from "../lib/levels.ts";
import { type LogRecord, recordPrefix } from "../lib/record.ts";
import { packPayload, unpackPayload } from "./compression.ts";

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
 * A message that does not hold sluice records; `consume` dead-letters it with this reason.
 *
 * @example
 * ```ts
 * import { decodeMessage, MessageDecodeError } from "./message.ts";
 * try {
 *   decodeMessage(new TextEncoder().encode("nope\n"));
 * } catch (err) {
 *   if (!(err instanceof MessageDecodeError)) throw err;
 * }
 * ```
 */
export class MessageDecodeError extends Error {
  /** `MessageDecodeError`. */
  override name = "MessageDecodeError";
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

const LEVELS = new Set<string>(LEVEL_NAMES);

/**
 * A message's NDJSON bytes: its payload, inflated when gzipped. Throws
 * {@linkcode MessageDecodeError} for a gzipped payload that is not valid gzip or inflates past
 * 64 MiB.
 *
 * @param data The message's payload.
 * @returns The NDJSON bytes.
 * @example
 * ```ts
 * import { messageText } from "./message.ts";
 * messageText(new TextEncoder().encode("{}\n")).length; // 3
 * ```
 */
export function messageText(data: Uint8Array): Uint8Array {
  const text = unpackPayload(data);
  if (typeof text === "string") throw new MessageDecodeError(text);
  return text;
}

/**
 * A message's records, read back exactly as written (trusted input: the publisher validated
 * them). Throws {@linkcode MessageDecodeError} for a message that is not sluice NDJSON
 * (gzipped or not).
 *
 * @param data The message's payload.
 * @returns The records, in order.
 * @example
 * ```ts
 * import { decodeMessage } from "./message.ts";
 * const data = new TextEncoder().encode('{"time":"1970-01-01T00:00:00.000Z","level":"info","msg":"a"}\n');
 * decodeMessage(data)[0].msg; // "a" (a message that is not sluice NDJSON throws MessageDecodeError)
 * ```
 */
export function decodeMessage(data: Uint8Array): LogRecord[] {
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(messageText(data));
  } catch (err) {
    if (err instanceof MessageDecodeError) throw err;
    throw new MessageDecodeError("the message is not UTF-8 text");
  }
  if (!text.endsWith("\n")) throw new MessageDecodeError("the message is not NDJSON lines ending in a newline");
  const records: LogRecord[] = []; // line by line, stopping at the first bad one (64 MiB of "\n" split at once took 1.5 GB)
  for (let at = 0, end; at < text.length; at = end + 1) {
    end = text.indexOf("\n", at);
    try {
      records.push(decodeLine(text.slice(at, end)));
    } catch (err) {
      throw new MessageDecodeError(`line ${records.length + 1}: ${errorMessage(err)}`);
    }
  }
  return records;
}

/** One line back into the record whose `json` it is. */
function decodeLine(line: string): LogRecord {
  const v = recordFields(JSON.parse(line));
  const ms = Date.parse(v.time);
  if (Number.isNaN(ms)) throw new Error("time is not an ISO-8601 time");
  const head = '{"time":"' + isoTime(ms) + recordPrefix(v.level, v.category) + JSON.stringify(v.msg);
  // sluice's own form (always, for what a publisher wrote): the line is the record's text
  if (line.startsWith(head) && line.charCodeAt(line.length - 1) === 125) return { time: ms, level: v.level, category: v.category, msg: v.msg, json: line, fieldsAt: head.length };
  const r = toRecord(v, undefined, ms);
  if (typeof r === "string") throw new Error(r);
  return r;
}

/** A parsed line's record fields, checked; throws when it is not a sluice record. */
function recordFields(v: unknown): Record<string, unknown> & { time: string; level: LevelName; category: string | undefined; msg: string } {
  if (typeof v !== "object" || v === null || Array.isArray(v)) throw new Error("not a JSON object");
  const { time, level, category, msg } = v as Record<string, unknown>;
  if (typeof time !== "string" || typeof level !== "string" || !LEVELS.has(level) || typeof msg !== "string" || (category !== undefined && typeof category !== "string")) {
    throw new Error("not a sluice record (time, level, msg)");
  }
  return v as ReturnType<typeof recordFields>;
}

/**
 * The category and record count of a message that can be appended to its file as it is: every
 * line a sluice record in sluice's own form (`{"time":"<ISO time>","level":...,"msg":"...`,
 * what `encodeBatch` writes), all for one category file. Undefined for any other message, which
 * {@linkcode decodeMessage} then reads (rewriting its records in sluice's form) or refuses with
 * the reason. Checking a line costs its `JSON.parse`; no record is rebuilt, so a consumer
 * writes the message's bytes unchanged.
 *
 * @param data The message's NDJSON ({@linkcode messageText}: a gzipped payload is undefined here).
 * @returns `{ category, count }`, or undefined.
 * @example
 * ```ts
 * import { appendableLines } from "./message.ts";
 * const data = new TextEncoder().encode('{"time":"1970-01-01T00:00:00.000Z","level":"info","msg":"a"}\n');
 * appendableLines(data); // { category: undefined, count: 1 }
 * ```
 */
export function appendableLines(data: Uint8Array): { category: string | undefined; count: number } | undefined {
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true }).decode(data); // a BOM kept: it fails the check, as it would be written
  } catch {
    return undefined;
  }
  if (text.length === 0 || text.charCodeAt(text.length - 1) !== 10) return undefined;
  let category: string | undefined;
  let prefixCategory: string | undefined;
  let [count, checkedTime, level, prefix] = [0, "", "", ""];
  let [lastMsg, lastMsgJson] = ["", '""'];
  for (let at = 0; at < text.length; count++) {
    const end = text.indexOf("\n", at);
    const line = text.slice(at, end);
    at = end + 1;
    let v: ReturnType<typeof recordFields>;
    try {
      v = recordFields(JSON.parse(line));
    } catch {
      return undefined;
    }
    // one file: the same category, or another name for its file ("" and none are both default)
    if (count === 0) category = v.category;
    else if (v.category !== category && categoryFileName(v.category) !== categoryFileName(category)) return undefined;
    // a time in sluice's form is its own round trip (one check per distinct time: a batch's records share few)
    if (v.time !== checkedTime) {
      const ms = Date.parse(v.time);
      if (Number.isNaN(ms) || isoTime(ms) !== v.time) return undefined;
      checkedTime = v.time;
    }
    if (v.level !== level || v.category !== prefixCategory || prefix === "") prefix = recordPrefix((level = v.level), (prefixCategory = v.category));
    const msgAt = 9 + v.time.length + prefix.length;
    if (!line.startsWith('{"time":"') || !line.startsWith(v.time, 9) || !line.startsWith(prefix, 9 + v.time.length)) return undefined;
    // the message as sluice writes it (not "\u0041", not followed by a second "msg" that JSON.parse would take), and nothing after the closing brace ("\r", spaces)
    if (v.msg !== lastMsg) (lastMsgJson = JSON.stringify(v.msg)), (lastMsg = v.msg);
    if (!line.startsWith(lastMsgJson, msgAt) || line.charCodeAt(line.length - 1) !== 125) return undefined;
  }
  return { category, count };
}
