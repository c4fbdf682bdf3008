/**
 * sluice records (NDJSON lines) as an OTLP `ExportLogsServiceRequest` in the OTLP JSON
 * encoding's shape, the model both of `otlpSink`'s encodings are written from.
 *
 * @module
 */

/** An OTLP `AnyValue` (JSON encoding). */
export type OtlpValue =
  | { stringValue: string }
  | { boolValue: boolean }
  | { intValue: string }
  | { doubleValue: number }
  | { arrayValue: { values: OtlpValue[] } }
  | { kvlistValue: { values: OtlpKeyValue[] } };
/** An OTLP `KeyValue`. */
export type OtlpKeyValue = { key: string; value: OtlpValue };
/** An OTLP `LogRecord` (JSON encoding; ids in hex). */
export interface OtlpLogRecord {
  timeUnixNano: string;
  observedTimeUnixNano: string;
  severityNumber: number;
  severityText: string;
  body: OtlpValue;
  attributes: OtlpKeyValue[];
  traceId?: string;
  spanId?: string;
  flags?: number;
}
/** An OTLP `ExportLogsServiceRequest` with one resource. */
export interface OtlpLogsRequest {
  resourceLogs: [{ resource: { attributes: OtlpKeyValue[] }; scopeLogs: { scope: { name: string }; logRecords: OtlpLogRecord[] }[] }];
}

const SEVERITY: Record<string, number> = { trace: 1, debug: 5, info: 9, warn: 13, error: 17, fatal: 21 };
const OWN = new Set(["time", "level", "msg", "category", "trace_id", "span_id", "trace_flags"]);

/**
 * An OTLP `AnyValue` for a JSON value: strings, booleans, integers (as `intValue`), other
 * numbers (`doubleValue`), arrays and objects (`kvlistValue`); `null` as the string `"null"`.
 *
 * @param v A value from a record's JSON.
 * @returns The `AnyValue`.
 * @example
 * ```ts
 * import { otlpValue } from "./otlp_logs.ts";
 * otlpValue(3); // { intValue: "3" }
 * ```
 */
export function otlpValue(v: unknown): OtlpValue {
  if (typeof v === "string") return { stringValue: v };
  if (typeof v === "boolean") return { boolValue: v };
  if (typeof v === "number") return Number.isSafeInteger(v) ? { intValue: String(v) } : { doubleValue: v };
  if (Array.isArray(v)) return { arrayValue: { values: v.map(otlpValue) } };
  if (typeof v === "object" && v !== null) return { kvlistValue: { values: attributes(v as Record<string, unknown>, new Set()) } };
  return { stringValue: String(v) };
}

function attributes(o: Record<string, unknown>, skip: Set<string>): OtlpKeyValue[] {
  const out: OtlpKeyValue[] = [];
  for (const key in o) if (!skip.has(key)) out.push({ key, value: otlpValue(o[key]) });
  return out;
}

/**
 * Records as one `ExportLogsServiceRequest`: `time` → `timeUnixNano` (exact: the ms with six
 * zeros), `level` → `severityNumber`/`severityText`, `msg` → a string body, `category` → the
 * scope (records grouped by it), other fields → attributes, `trace_id`/`span_id`/`trace_flags`
 * → `traceId`/`spanId`/`flags`, `resource` → the resource's attributes.
 *
 * @param ndjson The batch: one record's JSON per line.
 * @param resource Resource attributes, such as `{ "service.name": "shop" }`.
 * @returns The request, in the OTLP JSON encoding's shape.
 * @example
 * ```ts
 * import { otlpLogsRequest } from "./otlp_logs.ts";
 * otlpLogsRequest('{"time":"2026-01-01T00:00:00.000Z","level":"info","msg":"hi"}\n', { "service.name": "shop" });
 * ```
 */
export function otlpLogsRequest(ndjson: string, resource: Record<string, unknown>): OtlpLogsRequest {
  const scopes = new Map<string, OtlpLogRecord[]>();
  const observed = `${Date.now()}000000`;
  for (const line of ndjson.split("\n")) {
    if (line === "") continue;
    const r = JSON.parse(line) as Record<string, unknown>;
    const ms = Date.parse(String(r.time));
    const level = String(r.level ?? "info");
    const lr: OtlpLogRecord = {
      timeUnixNano: Number.isNaN(ms) ? observed : ms <= 0 ? "0" : `${ms}000000`,
      observedTimeUnixNano: observed,
      severityNumber: SEVERITY[level] ?? 9,
      severityText: level.toUpperCase(),
      body: { stringValue: String(r.msg ?? "") },
      attributes: attributes(r, OWN),
    };
    if (typeof r.trace_id === "string" && /^[0-9a-f]{32}$/.test(r.trace_id)) lr.traceId = r.trace_id;
    if (typeof r.span_id === "string" && /^[0-9a-f]{16}$/.test(r.span_id)) lr.spanId = r.span_id;
    if (lr.traceId !== undefined && typeof r.trace_flags === "string") lr.flags = parseInt(r.trace_flags, 16) & 0xff;
    const scope = typeof r.category === "string" ? r.category : "";
    let list = scopes.get(scope);
    if (list === undefined) scopes.set(scope, (list = []));
    list.push(lr);
  }
  return {
    resourceLogs: [{
      resource: { attributes: attributes(resource, new Set()) },
      scopeLogs: [...scopes].map(([name, logRecords]) => ({ scope: { name }, logRecords })),
    }],
  };
}
