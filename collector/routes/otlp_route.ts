/**
 * `POST /v1/logs`: OpenTelemetry logs over OTLP/HTTP, JSON or protobuf, answered in the
 * request's encoding with partial success.
 *
 * @module
 */
import type { Hono } from "hono";
import { parsedBody, TooManyLinesError } from "../../lib/format/ndjson_decode.ts";
import { parseOtlpLogs } from "../otlp.ts";
import { decodeOtlpLogs, encodeOtlpLogsResponse, ProtoError } from "../otlp_proto.ts";
import type { Exchange } from "../exchange.ts";

/**
 * Mounts `POST /v1/logs` on `app`. A body that does not decode is one rejected record (a 400),
 * never a 5xx.
 *
 * @example
 * ```ts
 * mountOtlp(app, exchange);
 * ```
 */
export function mountOtlp(app: Hono, x: Exchange): void {
  const { budget } = x.parts;
  app.post("/v1/logs", (c) => {
    const caller = x.who(c);
    if (caller instanceof Response) return caller;
    const { producer } = caller;
    const type = (c.req.header("content-type") ?? "").split(";")[0].trim().toLowerCase();
    if (type === "application/x-protobuf") {
      return x.accept<Uint8Array>(c, caller, (bytes) => {
        try {
          return parseOtlpLogs(decodeOtlpLogs(bytes), producer, budget);
        } catch (err) {
          if (!(err instanceof ProtoError)) throw err;
          const out = parsedBody();
          out.reject(1, err.message);
          return out;
        }
      }, (p) => new Response(encodeOtlpLogsResponse(p.rejected, p.errors[0]?.error ?? "") as BodyInit, { headers: { "content-type": "application/x-protobuf" } }), (bytes) => bytes);
    }
    if (type !== "application/json") return x.answer(c, 415, { error: "OTLP/HTTP logs are accepted as application/json or application/x-protobuf" });
    return x.accept(c, caller, (t) => {
      try {
        return parseOtlpLogs(JSON.parse(t), producer, budget);
      } catch (err) {
        if (err instanceof TooManyLinesError) throw err;
        const out = parsedBody();
        out.reject(1, `invalid JSON: ${(err as Error).message}`);
        return out;
      }
    }, (p) => (p.rejected ? { partialSuccess: { rejectedLogRecords: p.rejected, errorMessage: p.errors[0].error } } : {}));
  });
}
