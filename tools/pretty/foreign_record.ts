/**
 * One JSON log line as a record, whoever wrote it: sluice, pino, or OpenTelemetry's JSON log
 * records, so `sluice pretty` shows them alike.
 *
 * @module
 */
import { LEVEL_NAMES, type LevelName } from "../../lib/levels.ts";
import { createRecord, type LogRecord } from "../../lib/record.ts";

/** Level words other loggers use, beside sluice's own names. */
const LEVEL_WORDS: Record<string, LevelName> = {
  warning: "warn",
  err: "error",
  critical: "fatal",
  crit: "fatal",
  alert: "fatal",
  emerg: "fatal",
  emergency: "fatal",
  panic: "fatal",
  notice: "info",
  information: "info",
  informational: "info",
  verbose: "debug",
  silly: "trace",
};

/** OpenTelemetry's attribute values (`{ stringValue }`, `{ intValue }`, ...) as plain JSON values. */
function otelValue(v: unknown): unknown {
  if (typeof v !== "object" || v === null) return v;
  const o = v as Record<string, unknown>;
  if ("stringValue" in o) return o.stringValue;
  if ("boolValue" in o) return o.boolValue;
  if ("intValue" in o) return Number(o.intValue);
  if ("doubleValue" in o) return o.doubleValue;
  if ("arrayValue" in o) return ((o.arrayValue as { values?: unknown[] })?.values ?? []).map(otelValue);
  if ("kvlistValue" in o) return otelAttributes((o.kvlistValue as { values?: unknown })?.values);
  if ("bytesValue" in o) return o.bytesValue;
  return v;
}

/** OpenTelemetry attributes, a list of `{ key, value }` (OTLP JSON) or a plain object, as an object. */
function otelAttributes(a: unknown): Record<string, unknown> {
  if (Array.isArray(a)) {
    const out: Record<string, unknown> = {};
    for (const kv of a) if (typeof kv?.key === "string") out[kv.key] = otelValue(kv.value);
    return out;
  }
  return typeof a === "object" && a !== null ? { ...(a as Record<string, unknown>) } : {};
}

/**
 * A level from a name (sluice's, or `warning`, `critical`, ... in any case), a pino number (10 to
 * 60), or an OpenTelemetry severity number (1 to 24).
 */
function levelOf(name: unknown, number: unknown, otel: boolean): LevelName {
  if (typeof name === "string") {
    const w = name.toLowerCase().replace(/\d+$/, ""); // OpenTelemetry's WARN2, ERROR3 ...
    if ((LEVEL_NAMES as readonly string[]).includes(w)) return w as LevelName;
    if (w in LEVEL_WORDS) return LEVEL_WORDS[w];
  }
  if (typeof number === "number") {
    if (otel) return LEVEL_NAMES[Math.min(5, Math.max(0, Math.floor((number - 1) / 4)))];
    return LEVEL_NAMES[Math.min(5, Math.max(0, Math.round(number / 10) - 1))];
  }
  return "info";
}

/** Milliseconds since the epoch from an ISO string, a number of milliseconds, or nanoseconds (OpenTelemetry). */
function timeOf(ms: unknown, nanos: unknown): number {
  if (typeof ms === "number" && Number.isFinite(ms)) return ms;
  if (typeof ms === "string") {
    const t = Date.parse(ms);
    if (!Number.isNaN(t)) return t;
  }
  if (typeof nanos === "string" && /^\d{1,30}$/.test(nanos)) return Number(BigInt(nanos) / 1_000_000n);
  if (typeof nanos === "number" && Number.isFinite(nanos)) return Math.floor(nanos / 1e6);
  return Date.now();
}

/**
 * Reads one line as a record: sluice's NDJSON (`time`, `level`, `category`, `msg`, fields), pino's
 * (`level` 10 to 60, `time` in milliseconds, `msg`, `name` as the category), or an OpenTelemetry
 * JSON log record (`timeUnixNano`, `severityText`/`severityNumber`, `body`, `attributes` as
 * fields, `traceId`/`spanId` as `trace_id`/`span_id`, the scope's name as the category). Also
 * `message` for the message and `timestamp` for the time. The other members stay fields, in order.
 *
 * @param line One line of text.
 * @returns The record, or `undefined` when the line is not a JSON object (print it as it is).
 * @example
 * ```ts
 * import { foreignRecord } from "./foreign_record.ts";
 * foreignRecord('{"level":30,"time":1700000000000,"pid":7,"msg":"listening"}')?.level; // "info"
 * foreignRecord("plain text"); // undefined
 * ```
 */
export function foreignRecord(line: string): LogRecord | undefined {
  const text = line.trim();
  if (!text.startsWith("{")) return undefined;
  let o: Record<string, unknown>;
  try {
    o = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof o !== "object" || o === null || Array.isArray(o)) return undefined;
  const otel = "severityText" in o || "severityNumber" in o || "timeUnixNano" in o;
  return otel ? otelRecord(o) : plainRecord(o);
}

/** sluice's and pino's lines (and most JSON loggers'): the known members taken out, the rest kept as fields in order. */
function plainRecord(o: Record<string, unknown>): LogRecord {
  const { time, timestamp, level, category, msg, message, ...fields } = o;
  let cat = typeof category === "string" ? category : undefined;
  if (cat === undefined && typeof fields.name === "string") {
    cat = fields.name; // pino's child logger name
    delete fields.name;
  }
  return record(timeOf(time ?? timestamp, undefined), levelOf(level, level, false), cat, msg ?? message, fields);
}

/** An OpenTelemetry JSON log record: attributes as fields, trace and span ids as sluice names them. */
function otelRecord(o: Record<string, unknown>): LogRecord {
  const { timeUnixNano, observedTimeUnixNano, severityText, severityNumber, body, attributes, traceId, spanId, instrumentationScope, scope, ...rest } = o;
  const fields: Record<string, unknown> = { ...otelAttributes(attributes), ...rest };
  if (typeof traceId === "string" && traceId !== "") fields.trace_id = traceId;
  if (typeof spanId === "string" && spanId !== "") fields.span_id = spanId;
  const name = ((instrumentationScope ?? scope) as { name?: unknown } | undefined)?.name;
  return record(timeOf(undefined, timeUnixNano ?? observedTimeUnixNano), levelOf(severityText, severityNumber, true), typeof name === "string" && name !== "" ? name : undefined, otelValue(body), fields);
}

function record(time: number, level: LevelName, category: string | undefined, msg: unknown, fields: Record<string, unknown>): LogRecord {
  const text = typeof msg === "string" ? msg : msg === undefined ? "" : JSON.stringify(msg);
  const json = JSON.stringify(fields);
  return createRecord(time, level, category, text, json === "{}" ? "}" : "," + json.slice(1));
}
