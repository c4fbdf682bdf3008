/**
 * `POST /v1/logs`: OpenTelemetry logs over OTLP/HTTP, JSON or protobuf, every answer in the
 * request's encoding as OTLP/HTTP specifies (collector/otlp_answer.ts).
 *
 * @module
 */
import type { Context, Hono } from "hono";
import { parsedBody } from "../../lib/format/ndjson_decode.ts";
import { TooManyLinesError } from "../../lib/errors.ts";
import { boundJsonValues } from "../../lib/format/json_values.ts";
import { BodyTooLargeError, ProtoError } from "../errors.ts";
import { parseOtlpLogs } from "../otlp.ts";
import { decodeOtlpLogs } from "../otlp_proto.ts";
import { type OtlpEncoding, otlpRefusal, otlpSuccess } from "../otlp_answer.ts";
import type { Exchange } from "../exchange.ts";

/**
 * Mounts `POST /v1/logs` on `app`. A body that does not decode is one rejected record (a 400),
 * never a 5xx. Refusals are the collector's (exchange.ts), re-encoded as `google.rpc.Status`;
 * a type other than JSON or protobuf is a 415 answered in JSON.
 *
 * @example
 * ```ts
 * mountOtlp(app, exchange);
 * ```
 */
export function mountOtlp(app: Hono, x: Exchange): void {
  app.post("/v1/logs", async (c) => {
    const type = (c.req.header("content-type") ?? "").split(";")[0].trim().toLowerCase();
    const encoding: OtlpEncoding = type === "application/x-protobuf" ? "protobuf" : "json";
    const res = await receive(x, c, type, encoding);
    return res.status >= 400 ? otlpRefusal(res, encoding) : res;
  });
}

/**
 * The collector's answer to one OTLP request: a 200 in OTLP's form, or a refusal in the
 * collector's. Under an Idempotency-Key (otlpSink sends one, a retry the same) it is written once:
 * a key already written is a full success.
 */
function receive(x: Exchange, c: Context, type: string, encoding: OtlpEncoding): Response | Promise<Response> {
  const { budget, maxLineBytes, limits } = x.parts;
  const caller = x.who(c);
  if (caller instanceof Response) return caller;
  const { producer } = caller;
  const duplicate = () => (x.parts.metrics.answered(200), otlpSuccess(encoding, 0, ""));
  if (type === "application/x-protobuf") {
    return x.keyed.once(c, caller, duplicate, (key) => x.accept<Uint8Array>(c, caller, (bytes) => {
      try {
        return parseOtlpLogs(decodeOtlpLogs(bytes, budget.maxLines), producer, budget, maxLineBytes, limits.maxDecompressedBytes);
      } catch (err) {
        if (!(err instanceof ProtoError)) throw err;
        const out = parsedBody();
        out.reject(1, err.message);
        return out;
      }
    }, (p) => otlpSuccess("protobuf", p.rejected, p.errors[0]?.error ?? ""), (bytes) => bytes, key));
  }
  if (type !== "application/json") return x.answer(c, 415, { error: "OTLP/HTTP logs are accepted as application/json or application/x-protobuf" });
  return x.keyed.once(c, caller, duplicate, (key) => x.accept(c, caller, (t) => {
    try {
      boundJsonValues(t, budget.maxLines);
      return parseOtlpLogs(JSON.parse(t), producer, budget, maxLineBytes, limits.maxDecompressedBytes);
    } catch (err) {
      if (err instanceof TooManyLinesError || err instanceof BodyTooLargeError) throw err;
      const out = parsedBody();
      out.reject(1, `invalid JSON: ${(err as Error).message}`);
      return out;
    }
  }, (p) => otlpSuccess("json", p.rejected, p.errors[0]?.error ?? ""), undefined, key));
}
