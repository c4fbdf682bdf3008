/**
 * `otlpSink`: records to an OpenTelemetry backend over OTLP/HTTP, on `httpSink`'s batching,
 * retries and counted loss.
 *
 * @module
 */
import { otlpLogsRequest } from "../format/otlp_logs.ts";
import { encodeOtlpLogsRequest } from "../format/otlp_proto_encode.ts";
import type { Sink } from "../sink.ts";
import { type HttpBatch, httpSink, type HttpSinkOptions } from "./http_sink.ts";

/**
 * Options of {@linkcode otlpSink}: `httpSink`'s (batching, gzip, retry, queue, spool, ...)
 * plus the resource and the encoding.
 *
 * @example
 * ```ts
 * import type { OtlpSinkOptions } from "./otlp_sink.ts";
 * const options: OtlpSinkOptions = { resource: { "service.name": "shop" }, protocol: "protobuf", headers: { "x-api-key": "k" } };
 * ```
 */
export interface OtlpSinkOptions extends Omit<HttpSinkOptions, "body" | "wire" | "producer" | "heartbeat" | "heartbeatUrl"> {
  /** Resource attributes sent with every batch, such as `{ "service.name": "shop" }`. */
  resource?: Record<string, unknown>;
  /** `"json"` (`application/json`) or `"protobuf"` (`application/x-protobuf`). @default "json" */
  protocol?: "json" | "protobuf";
}

/**
 * Sends records to an OTLP/HTTP logs endpoint (an OpenTelemetry Collector, a vendor, `sluice
 * serve`'s `/v1/logs`), as OTLP JSON or protobuf: `level` → severity, `msg` → body, `category`
 * → scope, fields → attributes, `trace_id`/`span_id`/`trace_flags` → the record's trace
 * context, `time` exact to the millisecond. It is an `httpSink` with another body: the same
 * batching, gzip, retries with backoff honouring `Retry-After`, queue bound and counted loss
 * (`queue-full`, `sink-error`), and spool. Runs on the edge (fetch only).
 *
 * @param url The endpoint, such as `http://127.0.0.1:4318/v1/logs`.
 * @param options Resource, protocol, and `httpSink`'s options.
 * @returns The sink.
 * @example
 * ```ts
 * import { createLogger, otlpSink } from "../../mod.ts";
 * import { serve } from "../../server.ts";
 * const collector = await serve({ port: 0, dir: "./otlp-logs", noAuth: true, handleSignals: false }); // any OTLP/HTTP endpoint
 * const log = createLogger({ sinks: [otlpSink(`${collector.url}/v1/logs`, { resource: { "service.name": "shop" } })] });
 * log.info("listing", { items: 3 });
 * await log.close();
 * await collector.close();
 * ```
 */
export function otlpSink(url: string, options: OtlpSinkOptions = {}): Sink<HttpBatch> {
  const { resource = {}, protocol = "json", ...http } = options;
  if (protocol !== "json" && protocol !== "protobuf") {
    throw new TypeError(`sluice: otlpSink protocol must be "json" or "protobuf", got ${JSON.stringify(protocol)}`);
  }
  const proto = protocol === "protobuf";
  return httpSink(url, {
    name: `otlp:${new URL(url).href}`,
    ...http,
    wire: {
      contentType: proto ? "application/x-protobuf" : "application/json",
      encode: (ndjson) => {
        const req = otlpLogsRequest(ndjson, resource);
        return proto ? encodeOtlpLogsRequest(req) : JSON.stringify(req);
      },
    },
  });
}
