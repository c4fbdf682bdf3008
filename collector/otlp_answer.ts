/**
 * OTLP/HTTP's answers to `POST /v1/logs`, in the request's encoding (the OTLP specification's
 * "OTLP/HTTP Response"): a 200 carries an `ExportLogsServiceResponse`, empty or with a
 * `partial_success` (how many log records were rejected, and the first reason); every 4xx and
 * 5xx carries a `google.rpc.Status` (`code`, `message`). Protobuf answers a protobuf request,
 * the proto3 JSON mapping a JSON one (64-bit counts as decimal strings).
 *
 * @module
 */
import { type Bytes, len, str, varint } from "../lib/format/proto_write.ts";

/** The encoding of an OTLP request, and so of its answer. */
export type OtlpEncoding = "json" | "protobuf";

/**
 * The `google.rpc.Code` of each status the collector answers (google/rpc/code.proto maps
 * them to HTTP the other way); `UNKNOWN` (2) for any other. OTLP clients log it; they retry by
 * the HTTP status alone.
 */
const RPC_CODES: Record<number, number> = { 400: 3, 401: 16, 403: 7, 408: 4, 413: 8, 415: 3, 429: 8, 503: 14 };

/** A message of protobuf varint and string fields; zero and "" are left out, as proto3 writes them. */
function fields(values: [tag: number, value: number | string][]): Bytes {
  const out: Bytes = [];
  for (const [tag, v] of values) {
    if (typeof v === "string") {
      if (v !== "") str(out, tag, v);
    } else if (v !== 0) (out.push(tag), varint(out, BigInt(v)));
  }
  return out;
}

function reply(status: number, encoding: OtlpEncoding, json: unknown, proto: Bytes, headers: Headers = new Headers()): Response {
  headers.delete("content-length");
  headers.set("content-type", encoding === "protobuf" ? "application/x-protobuf" : "application/json");
  return new Response(encoding === "protobuf" ? Uint8Array.from(proto) : JSON.stringify(json), { status, headers });
}

/**
 * The 200 answer: an empty `ExportLogsServiceResponse` when every log record was written, else
 * one whose `partial_success` says how many were rejected and why.
 *
 * @param encoding The request's encoding.
 * @param rejected Log records rejected.
 * @param message The first rejection's reason.
 * @returns The answer.
 * @example
 * ```ts
 * import { otlpSuccess } from "./otlp_answer.ts";
 * otlpSuccess("json", 1, "scope.name must be a string"); // 200 {"partialSuccess":{"rejectedLogRecords":"1","errorMessage":"scope.name must be a string"}}
 * ```
 */
export function otlpSuccess(encoding: OtlpEncoding, rejected: number, message: string): Response {
  if (rejected === 0) return reply(200, encoding, {}, []);
  const partial: Bytes = [];
  len(partial, 0x0a, fields([[0x08, rejected], [0x12, message]]));
  return reply(200, encoding, { partialSuccess: { rejectedLogRecords: String(rejected), errorMessage: message } }, partial);
}

/**
 * A refusal made for `/ingest`'s callers (JSON `{ error, errors? }`, the status and its
 * headers, such as `Retry-After` or `WWW-Authenticate`) answered as OTLP's: the same status and
 * headers with a `google.rpc.Status` whose message is the error (and the first rejected log
 * record's reason, when there is one).
 *
 * @param refusal The collector's answer, status 400 or above.
 * @param encoding The request's encoding.
 * @returns The OTLP answer.
 * @example
 * ```ts
 * import { otlpRefusal } from "./otlp_answer.ts";
 * await otlpRefusal(Response.json({ error: "missing or invalid bearer token" }, { status: 401 }), "protobuf"); // 401, Status { code: 16, message }
 * ```
 */
export async function otlpRefusal(refusal: Response, encoding: OtlpEncoding): Promise<Response> {
  const body = (await refusal.json()) as { error?: string; errors?: { error: string }[] };
  const first = body.errors?.[0]?.error;
  const message = (body.error ?? refusal.statusText) + (first === undefined ? "" : `: ${first}`);
  const code = RPC_CODES[refusal.status] ?? 2;
  return reply(refusal.status, encoding, { code, message }, fields([[0x08, code], [0x12, message]]), new Headers(refusal.headers));
}
