// OTLP in, end to end: the official OpenTelemetry SDK (`@opentelemetry/sdk-logs`) with both
// official exporters (OTLP/HTTP JSON and OTLP/HTTP protobuf, plain and gzip) sends to a real
// `sluice serve` on loopback; every record must be on disk, mapped as the README documents,
// with its time exact to the millisecond. Then the protobuf reader's failure paths.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { context, trace, TraceFlags } from "@opentelemetry/api";
import { BatchLogRecordProcessor, LoggerProvider, type LogRecordExporter } from "@opentelemetry/sdk-logs";
import { resourceFromAttributes } from "@opentelemetry/resources";
import { OTLPLogExporter as JsonExporter } from "@opentelemetry/exporter-logs-otlp-http";
import { OTLPLogExporter as ProtoExporter } from "@opentelemetry/exporter-logs-otlp-proto";
import { exited, serveRuntimes, startServe, type ServeProcess } from "./helpers/serve_process.ts";
import { decodeOtlpLogs } from "../collector/otlp_proto.ts";
import { ProtoError } from "../collector/errors.ts";

let dir: string;
let serve: ServeProcess;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "sluice-otlp-"));
  serve = await startServe(serveRuntimes[0][1], dir, ["--no-auth"]);
});
afterAll(async () => {
  serve.proc.kill("SIGTERM");
  await exited(serve.proc);
  rmSync(dir, { recursive: true, force: true });
});

const onDisk = (category: string) =>
  readdirSync(dir).filter((f) => f.startsWith(category)).flatMap((f) => readFileSync(join(dir, f), "utf8").split("\n").filter(Boolean).map((l) => JSON.parse(l)));

const N = 100;
const BASE_MS = 1_700_000_000_000;
const TRACE_ID = "0af7651916cd43dd8448eb211c80319c";
const SPAN_ID = "b7ad6b7169203331";

async function sendThrough(exporter: LogRecordExporter, scope: string) {
  const provider = new LoggerProvider({
    resource: resourceFromAttributes({ "service.name": "shop", "host.name": "h1" }),
    processors: [new BatchLogRecordProcessor({ exporter, maxExportBatchSize: 30 })],
  });
  const logger = provider.getLogger(scope, "1.2.3");
  const spanCtx = trace.setSpanContext(context.active(), { traceId: TRACE_ID, spanId: SPAN_ID, traceFlags: TraceFlags.SAMPLED });
  for (let i = 0; i < N; i++) {
    logger.emit({
      // ms values whose nanosecond strings go wrong through a float (…123 / 1e6 = …122.99999)
      timestamp: BASE_MS + i * 7919 + 123,
      severityNumber: [1, 5, 9, 13, 17, 21][i % 6],
      severityText: ["TRACE", "DEBUG", "INFO", "WARN", "ERROR", "FATAL"][i % 6],
      body: i % 10 === 0 ? { structured: i } : `record ${i}`,
      attributes: { i, "http.route": "/items", ok: i % 2 === 0, ratio: i / 4 },
      context: i % 2 === 0 ? spanCtx : context.active(),
    });
  }
  await provider.forceFlush();
  await provider.shutdown();
}

function expectMapped(records: Record<string, unknown>[], scope: string) {
  expect(records.length).toBe(N);
  const byI = new Map(records.map((r) => [r.i as number, r]));
  for (let i = 0; i < N; i++) {
    const r = byI.get(i)!;
    expect(r).toBeDefined();
    expect(r.time).toBe(new Date(BASE_MS + i * 7919 + 123).toISOString());
    expect(r.level).toBe(["trace", "debug", "info", "warn", "error", "fatal"][i % 6]);
    expect(r.category).toBe(scope);
    expect(r.msg).toBe(i % 10 === 0 ? JSON.stringify({ structured: i }) : `record ${i}`);
    expect(r["http.route"]).toBe("/items");
    expect(r.ok).toBe(i % 2 === 0);
    expect(r.ratio).toBe(i / 4);
    expect(r.resource).toMatchObject({ "service.name": "shop", "host.name": "h1" });
    if (i % 2 === 0) expect([r.trace_id, r.span_id, r.trace_flags]).toEqual([TRACE_ID, SPAN_ID, "01"]);
    else expect(r.trace_id).toBeUndefined();
  }
}

describe("official OpenTelemetry exporters → sluice serve", () => {
  test("exporter-logs-otlp-http (JSON): 100 records on disk, mapped, exact to the ms", async () => {
    await sendThrough(new JsonExporter({ url: `${serve.url}/v1/logs` }), "otlp-json");
    expectMapped(onDisk("otlp-json"), "otlp-json");
  }, 30_000);

  test("exporter-logs-otlp-proto (protobuf): 100 records on disk, mapped, exact to the ms", async () => {
    await sendThrough(new ProtoExporter({ url: `${serve.url}/v1/logs` }), "otlp-proto");
    expectMapped(onDisk("otlp-proto"), "otlp-proto");
  }, 30_000);

  test("exporter-logs-otlp-proto with gzip", async () => {
    await sendThrough(new ProtoExporter({ url: `${serve.url}/v1/logs`, compression: "gzip" as never }), "otlp-gzip");
    expectMapped(onDisk("otlp-gzip"), "otlp-gzip");
  }, 30_000);
});

describe("protobuf failure paths", () => {
  const post = (body: Uint8Array) => fetch(`${serve.url}/v1/logs`, { method: "POST", body, headers: { "content-type": "application/x-protobuf" } });

  test("malformed protobuf is a 400 (not retried) and writes nothing", async () => {
    const before = readdirSync(dir).length;
    // resourceLogs field claims 5 bytes, body ends after 1
    const res = await post(new Uint8Array([0x0a, 0x05, 0x12]));
    expect(res.status).toBe(400);
    // a protobuf google.rpc.Status (otlp_answers.test.ts decodes it with the official definition)
    expect(new TextDecoder().decode(await res.arrayBuffer())).toContain("invalid protobuf");
    expect(readdirSync(dir).length).toBe(before);
  });

  test("an empty request is a 400", async () => {
    expect((await post(new Uint8Array(0))).status).toBe(400);
  });

  test("seeded fuzz: any bytes decode or throw ProtoError, never anything else", () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => {
      try {
        decodeOtlpLogs(bytes);
      } catch (err) {
        if (!(err instanceof ProtoError)) throw err;
      }
    }), { seed: 13, numRuns: 3000 });
  });

  test("unknown fields are skipped; deep nesting is refused", () => {
    // field 15 (varint) at the top level, then an empty resourceLogs
    expect(decodeOtlpLogs(new Uint8Array([0x78, 0x01, 0x0a, 0x00]))).toEqual({ resourceLogs: [{}] });
    const lenDelimited = (field: number, inner: number[]): number[] => {
      const len: number[] = [];
      for (let n = inner.length; ; n >>>= 7) {
        if (n < 0x80) { len.push(n); break; }
        len.push((n & 0x7f) | 0x80);
      }
      return [(field << 3) | 2, ...len, ...inner];
    };
    // resourceLogs > scopeLogs > logRecords > body, then arrayValue > values 40 times over
    let value: number[] = [];
    for (let i = 0; i < 40; i++) value = lenDelimited(5, lenDelimited(1, value));
    const request = lenDelimited(1, lenDelimited(2, lenDelimited(2, lenDelimited(5, value))));
    expect(() => decodeOtlpLogs(Uint8Array.from(request))).toThrow(/nested deeper than 32/);
  });
});
