/**
 * OTLP/HTTP logs in JSON, mapped onto sluice records.
 *
 * @module
 */
import type { LevelName } from "../lib/levels.ts";
import { createRecord } from "../lib/record.ts";
import { serializeObject } from "../lib/serialize.ts";
import type { ParsedBody } from "../lib/format/ndjson_decode.ts";

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

const LEVEL_BY_NUMBER: LevelName[] = ["trace", "debug", "info", "warn", "error", "fatal"];

/**
 * Maps an OTLP `ExportLogsServiceRequest` (JSON encoding) to records: `timeUnixNano` (or the
 * observed time) becomes `time`; `severityNumber` (1–24, or `severityText`) the level; a
 * string body the message (other bodies are written as JSON); the scope name the category;
 * attributes become fields, resource attributes go under `resource`, and `traceId`/`spanId`
 * are kept.
 *
 * @param body The parsed request.
 * @param producer The producer's name.
 * @returns Records and rejected log records (numbered in request order).
 * @example
 * ```ts
 * import { parseOtlpLogs } from "./otlp.ts";
 * parseOtlpLogs({ resourceLogs: [{ scopeLogs: [{ logRecords: [{ body: { stringValue: "hi" }, severityNumber: 9 }] }] }] }, "otel");
 * ```
 */
export function parseOtlpLogs(body: unknown, producer: string): ParsedBody {
  const out: ParsedBody = { records: [], errors: [] };
  const resourceLogs = (body as { resourceLogs?: unknown })?.resourceLogs;
  if (!Array.isArray(resourceLogs)) {
    out.errors.push({ line: 1, error: "an OTLP logs request needs a resourceLogs array" });
    return out;
  }
  let n = 0;
  const now = Date.now();
  for (const rl of resourceLogs) {
    const resource = attributes(rl?.resource?.attributes);
    for (const sl of rl?.scopeLogs ?? []) {
      const category: string | undefined = sl?.scope?.name || undefined;
      for (const lr of sl?.logRecords ?? []) {
        n++;
        if (typeof lr !== "object" || lr === null) {
          out.errors.push({ line: n, error: "a log record must be an object" });
          continue;
        }
        const nanos = Number(lr.timeUnixNano ?? 0) || Number(lr.observedTimeUnixNano ?? 0);
        const sev = Number(lr.severityNumber ?? 0);
        const level = sev >= 1 && sev <= 24 ? LEVEL_BY_NUMBER[Math.floor((sev - 1) / 4)] : levelFromText(lr.severityText);
        const bodyValue = value(lr.body);
        const msg = typeof bodyValue === "string" ? bodyValue : bodyValue === undefined ? "" : JSON.stringify(bodyValue);
        const fields: Record<string, unknown> = { ...attributes(lr.attributes) };
        if (Object.keys(resource).length) fields.resource = resource;
        if (lr.traceId) fields.traceId = lr.traceId;
        if (lr.spanId) fields.spanId = lr.spanId;
        fields.producer = producer;
        out.records.push(createRecord(nanos > 0 ? Math.floor(nanos / 1e6) : now, level, category, msg, "," + serializeObject(fields).slice(1)));
      }
    }
  }
  return out;
}

function levelFromText(text: unknown): LevelName {
  const t = String(text ?? "").toLowerCase();
  if (t.startsWith("trace")) return "trace";
  if (t.startsWith("debug")) return "debug";
  if (t.startsWith("warn")) return "warn";
  if (t.startsWith("err")) return "error";
  if (t.startsWith("fatal") || t.startsWith("crit")) return "fatal";
  return "info";
}

function attributes(list: unknown): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (Array.isArray(list)) for (const kv of list as KeyValue[]) if (typeof kv?.key === "string") out[kv.key] = value(kv.value);
  return out;
}

function value(v: AnyValue | undefined): unknown {
  if (v === undefined || v === null) return undefined;
  if (v.stringValue !== undefined) return v.stringValue;
  if (v.boolValue !== undefined) return v.boolValue;
  if (v.intValue !== undefined) return Number(v.intValue);
  if (v.doubleValue !== undefined) return v.doubleValue;
  if (v.arrayValue !== undefined) return (v.arrayValue.values ?? []).map(value);
  if (v.kvlistValue !== undefined) return attributes(v.kvlistValue.values);
  if (v.bytesValue !== undefined) return v.bytesValue;
  return undefined;
}
