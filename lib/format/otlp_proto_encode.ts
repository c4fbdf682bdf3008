/**
 * A protobuf writer for the OTLP logs request `otlpSink` sends (`application/x-protobuf`):
 * the `ExportLogsServiceRequest` fields {@linkcode otlpLogsRequest} fills, hand-written (a few
 * hundred bytes minified) rather than a protobuf library in the edge bundle.
 *
 * @module
 */
import type { OtlpKeyValue, OtlpLogRecord, OtlpLogsRequest, OtlpValue } from "./otlp_logs.ts";
import { type Bytes, fixed64, len, str, varint } from "./proto_write.ts";

const hexBytes = (hex: string): Bytes => Array.from({ length: hex.length / 2 }, (_, i) => parseInt(hex.slice(i * 2, i * 2 + 2), 16));

function anyValue(v: OtlpValue): Bytes {
  const out: Bytes = [];
  if ("stringValue" in v) str(out, 0x0a, v.stringValue);
  else if ("boolValue" in v) out.push(0x10, v.boolValue ? 1 : 0);
  else if ("intValue" in v) (out.push(0x18), varint(out, BigInt(v.intValue)));
  else if ("doubleValue" in v) {
    const b = new Uint8Array(8);
    new DataView(b.buffer).setFloat64(0, v.doubleValue, true);
    out.push(0x21, ...b);
  } else if ("arrayValue" in v) {
    const inner: Bytes = [];
    for (const x of v.arrayValue.values) len(inner, 0x0a, anyValue(x));
    len(out, 0x2a, inner);
  } else {
    const inner: Bytes = [];
    for (const kv of v.kvlistValue.values) len(inner, 0x0a, keyValue(kv));
    len(out, 0x32, inner);
  }
  return out;
}

function keyValue(kv: OtlpKeyValue): Bytes {
  const out: Bytes = [];
  str(out, 0x0a, kv.key);
  len(out, 0x12, anyValue(kv.value));
  return out;
}

function logRecord(r: OtlpLogRecord): Bytes {
  const out: Bytes = [];
  fixed64(out, 0x09, BigInt(r.timeUnixNano));
  out.push(0x10, r.severityNumber);
  str(out, 0x1a, r.severityText);
  len(out, 0x2a, anyValue(r.body));
  for (const kv of r.attributes) len(out, 0x32, keyValue(kv));
  if (r.flags !== undefined) out.push(0x45, r.flags, 0, 0, 0);
  if (r.traceId !== undefined) len(out, 0x4a, hexBytes(r.traceId));
  if (r.spanId !== undefined) len(out, 0x52, hexBytes(r.spanId));
  fixed64(out, 0x59, BigInt(r.observedTimeUnixNano));
  return out;
}

/**
 * Encodes an OTLP logs request as protobuf.
 *
 * @param req The request, as {@linkcode otlpLogsRequest} makes it.
 * @returns The `ExportLogsServiceRequest` bytes.
 * @example
 * ```ts
 * import { otlpLogsRequest } from "./otlp_logs.ts";
 * import { encodeOtlpLogsRequest } from "./otlp_proto_encode.ts";
 * encodeOtlpLogsRequest(otlpLogsRequest('{"time":"2026-01-01T00:00:00.000Z","level":"info","msg":"hi"}\n', {}));
 * ```
 */
export function encodeOtlpLogsRequest(req: OtlpLogsRequest): Uint8Array {
  const out: Bytes = [];
  for (const rl of req.resourceLogs) {
    const resourceLogs: Bytes = [];
    const resource: Bytes = [];
    for (const kv of rl.resource.attributes) len(resource, 0x0a, keyValue(kv));
    len(resourceLogs, 0x0a, resource);
    for (const sl of rl.scopeLogs) {
      const scopeLogs: Bytes = [];
      const scope: Bytes = [];
      if (sl.scope.name !== "") str(scope, 0x0a, sl.scope.name);
      len(scopeLogs, 0x0a, scope);
      for (const r of sl.logRecords) len(scopeLogs, 0x12, logRecord(r));
      len(resourceLogs, 0x12, scopeLogs);
    }
    len(out, 0x0a, resourceLogs);
  }
  return Uint8Array.from(out);
}
