/**
 * OTLP/HTTP logs in JSON, mapped onto sluice records.
 *
 * @module
 */
import { type LevelName, levelOfSeverity } from "../lib/levels.ts";
import { createRecord } from "../lib/record.ts";
import { serializeObject } from "../lib/serialize.ts";
import { type DecodeBudget, type ParsedBody, parsedBody, TooManyLinesError } from "../lib/format/ndjson_decode.ts";
import { BodyTooLargeError } from "./errors.ts";

type AnyValue = {
  stringValue?: string;
  boolValue?: boolean;
  intValue?: string | number;
  doubleValue?: number;
  arrayValue?: { values?: AnyValue[] };
  kvlistValue?: { values?: KeyValue[] };
  bytesValue?: string;
};
type KeyValue = { key: string; value?: AnyValue };

/**
 * Maps an OTLP `ExportLogsServiceRequest` (JSON encoding) to records: `timeUnixNano` (or the
 * observed time) becomes `time`; `severityNumber` (1–24, or `severityText`) the level; a
 * string body the message (other bodies are written as JSON); the scope name the category;
 * attributes become fields, resource attributes go under `resource`, and `traceId`, `spanId`
 * and the trace flags become `trace_id`, `span_id` and `trace_flags` (hex, OpenTelemetry's names
 * for JSON logs). Times are exact to the millisecond (integer arithmetic, never a float).
 *
 * @param body The parsed request.
 * @param producer The producer's name.
 * @param budget At most this many log records, and rejected ones kept with their reason.
 * @param maxLineBytes A record longer than this (its line, with its resource) is rejected.
 * @param maxBytes All the records' lines together, at most (else a {@linkcode BodyTooLargeError}):
 *   a resource is repeated in every record of it, so a small body could make far more.
 * @returns Records and rejected log records (numbered in request order).
 * @example
 * ```ts
 * import { parseOtlpLogs } from "./otlp.ts";
 * parseOtlpLogs({ resourceLogs: [{ scopeLogs: [{ logRecords: [{ body: { stringValue: "hi" }, severityNumber: 9 }] }] }] }, "otel");
 * ```
 */
export function parseOtlpLogs(body: unknown, producer: string, budget: DecodeBudget = {}, maxLineBytes = Infinity, maxBytes = Infinity): ParsedBody {
  const out = parsedBody(budget);
  const maxLines = budget.maxLines ?? Infinity;
  const resourceLogs = (body as { resourceLogs?: unknown })?.resourceLogs;
  if (!Array.isArray(resourceLogs)) {
    out.reject(1, "an OTLP logs request needs a resourceLogs array");
    return out;
  }
  let n = 0, made = 0;
  const now = Date.now();
  for (const rl of list(resourceLogs)) {
    // the resource's attributes, written once: every record of it takes the same text, not a copy
    // made for each (a large resource times many records was memory the body did not bound)
    const resource = attributes(rl?.resource?.attributes, 0);
    // (as a member, as it is written: its own time or msg attribute is not renamed as a record's)
    const resourceJson = Object.keys(resource).length > 0 ? serializeObject({ resource }).slice('{"resource":'.length, -1) : undefined;
    for (const sl of list(rl?.scopeLogs)) {
      const name: unknown = sl?.scope?.name;
      for (const lr of list(sl?.logRecords)) {
        if (++n > maxLines) throw new TooManyLinesError(maxLines);
        const error = typeof lr !== "object" || lr === null ? "a log record must be an object"
          : name !== undefined && typeof name !== "string" ? "scope.name must be a string"
          : undefined;
        const time = error === undefined ? unixNanoToMs(lr.timeUnixNano) ?? unixNanoToMs(lr.observedTimeUnixNano) ?? now : NaN;
        if (error !== undefined || !(Math.abs(time) <= 8.64e15)) {
          out.reject(n, error ?? "timeUnixNano must be nanoseconds since the epoch, within the years -271821 to 275760");
          continue;
        }
        const sev = Number(lr.severityNumber ?? 0);
        const level = levelOfSeverity(sev) ?? levelFromText(lr.severityText);
        const bodyValue = value(lr.body, 0);
        const msg = typeof bodyValue === "string" ? bodyValue : bodyValue === undefined ? "" : JSON.stringify(bodyValue);
        const fields: Record<string, unknown> = { ...attributes(lr.attributes, 0) };
        if (resourceJson !== undefined) fields.resource = RESOURCE_MARK;
        if (lr.traceId) fields.trace_id = lr.traceId;
        if (lr.spanId) fields.span_id = lr.spanId;
        if (lr.traceId && typeof lr.flags === "number") fields.trace_flags = (lr.flags & 0xff).toString(16).padStart(2, "0");
        fields.producer = producer;
        const json = serializeObject(fields);
        const at = resourceJson === undefined ? -1 : json.indexOf(RESOURCE_MARK_JSON);
        // a record is bounded as an NDJSON line is, before its text is made
        if (msg.length + json.length + (at < 0 ? 0 : resourceJson!.length - RESOURCE_MARK_JSON.length) > maxLineBytes) {
          out.reject(n, `a log record longer than ${maxLineBytes} bytes (the line cap)`);
          continue;
        }
        // and all of them as an NDJSON body is: a resource repeated in every record made no more than the inflated body's bound
        if ((made += msg.length + json.length + (at < 0 ? 0 : resourceJson!.length)) > maxBytes) throw new BodyTooLargeError("the records it makes", maxBytes);
        const tail = at < 0 ? json : json.slice(0, at) + resourceJson + json.slice(at + RESOURCE_MARK_JSON.length);
        out.records.push(createRecord(time, level, (name as string | undefined) || undefined, msg, "," + tail.slice(1)));
      }
    }
  }
  return out;
}

/** Where a record's `resource` goes, until its JSON takes the place (a random mark no attribute can know). */
const RESOURCE_MARK = `sluice-resource-${crypto.randomUUID()}`;
const RESOURCE_MARK_JSON = JSON.stringify(RESOURCE_MARK);

/** An array member of the request, or none: OTLP's repeated fields may be absent. */
// deno-lint-ignore no-explicit-any -- members of untrusted JSON, checked where they are read
const list = (v: unknown): any[] => (Array.isArray(v) ? v : []);

/**
 * Epoch milliseconds from OTLP nanoseconds (a decimal string, or a number), exact: a string is
 * divided as a BigInt, so no nanosecond count rounds a millisecond down through a double.
 * `undefined` for an absent or zero time.
 */
function unixNanoToMs(nanos: unknown): number | undefined {
  if (typeof nanos === "string" && /^\d{1,30}$/.test(nanos)) return nanos === "0" || /^0+$/.test(nanos) ? undefined : Number(BigInt(nanos) / 1_000_000n);
  if (typeof nanos === "number" && Number.isFinite(nanos) && nanos > 0) return Math.floor(nanos / 1e6);
  if (nanos === undefined || nanos === 0 || nanos === null) return undefined;
  return NaN;
}

function levelFromText(text: unknown): LevelName {
  const t = typeof text === "string" ? text.toLowerCase() : "";
  if (t.startsWith("trace")) return "trace";
  if (t.startsWith("debug")) return "debug";
  if (t.startsWith("warn")) return "warn";
  if (t.startsWith("err")) return "error";
  if (t.startsWith("fatal") || t.startsWith("crit")) return "fatal";
  return "info";
}

/** How deep attribute values nest before the rest is written as `"[Too deep]"`. */
const MAX_DEPTH = 16;

function attributes(kvs: unknown, depth: number): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const kv of list(kvs) as KeyValue[]) if (typeof kv?.key === "string") out[kv.key] = value(kv.value, depth + 1);
  return out;
}

function value(v: AnyValue | undefined, depth: number): unknown {
  if (typeof v !== "object" || v === null) return undefined;
  if (depth > MAX_DEPTH) return "[Too deep]";
  if (v.stringValue !== undefined) return v.stringValue;
  if (v.boolValue !== undefined) return v.boolValue;
  if (v.intValue !== undefined) return Number(v.intValue);
  if (v.doubleValue !== undefined) return v.doubleValue;
  if (v.arrayValue !== undefined) return list(v.arrayValue?.values).map((x) => value(x, depth + 1));
  if (v.kvlistValue !== undefined) return attributes(v.kvlistValue?.values, depth);
  if (v.bytesValue !== undefined) return v.bytesValue;
  return undefined;
}
