// otlpSink against a real `sluice serve` on loopback (its /v1/logs is checked against the
// official OpenTelemetry exporters in otlp_interop.test.ts): every record on disk as it was
// logged, in JSON and protobuf, gzipped; Retry-After honoured; a refusal counted, not retried.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createLogger, otlpSink, withContext } from "../mod.ts";
import { serve } from "../server.ts";

let dir: string;
let server: Awaited<ReturnType<typeof serve>>;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "sluice-otlp-sink-"));
  server = await serve({ port: 0, dir, tokens: [{ name: "shop", token: "t0k3n" }], handleSignals: false });
});
afterAll(async () => {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});
const onDisk = (category: string) =>
  readdirSync(dir).filter((f) => f === `${category}.ndjson`).flatMap((f) => readFileSync(join(dir, f), "utf8").split("\n").filter(Boolean).map((l) => JSON.parse(l)));

const TP = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";

for (const protocol of ["json", "protobuf"] as const) {
  test(`${protocol}: every record reaches sluice serve with its time, level, scope, fields, resource and trace ids`, async () => {
    const log = createLogger({
      level: "trace",
      category: `otlp-${protocol}`,
      sinks: [otlpSink(`${server.url}/v1/logs`, { protocol, resource: { "service.name": "shop", "deployment.id": 7 }, headers: { authorization: "Bearer t0k3n" }, batch: { maxRecords: 40 } })],
    });
    const levels = ["trace", "debug", "info", "warn", "error", "fatal"] as const;
    const before = Date.now();
    for (let i = 0; i < 100; i++) {
      const fields = { i, ratio: i / 8, ok: i % 2 === 0, tags: ["a", i], nested: { deep: { n: -(i + 1) } }, big: 2 ** 40 + i };
      if (i % 3 === 0) withContext({ traceparent: TP }, () => log[levels[i % 6]](`record ${i}`, fields));
      else log[levels[i % 6]](`record ${i}`, fields);
    }
    await log.close();
    expect(log.stats().written).toBe(100);
    const records = onDisk(`otlp-${protocol}`);
    expect(records.length).toBe(100);
    for (const r of records) {
      const i = r.i as number;
      expect(r).toMatchObject({
        level: levels[i % 6], category: `otlp-${protocol}`, msg: `record ${i}`,
        ratio: i / 8, ok: i % 2 === 0, tags: ["a", i], nested: { deep: { n: -(i + 1) } }, big: 2 ** 40 + i,
        resource: { "service.name": "shop", "deployment.id": 7 }, producer: "shop",
      });
      expect(Date.parse(r.time)).toBeGreaterThanOrEqual(before - 1);
      if (i % 3 === 0) expect([r.trace_id, r.span_id, r.trace_flags]).toEqual(["0af7651916cd43dd8448eb211c80319c", "b7ad6b7169203331", "01"]);
      else expect(r.trace_id).toBeUndefined();
    }
  });
}

test("times arrive exact to the millisecond, in both encodings", async () => {
  const { createRecord } = await import("../mod.ts");
  for (const protocol of ["json", "protobuf"] as const) {
    const log = createLogger({ sinks: [otlpSink(`${server.url}/v1/logs`, { protocol, headers: { authorization: "Bearer t0k3n" } })] });
    for (let k = 0; k < 50; k++) log.emit(createRecord(1_700_000_000_000 + k * 7919 + 123, "info", `times-${protocol}`, "t", `,"k":${k}}`));
    await log.close();
    const got = onDisk(`times-${protocol}`).map((r) => [r.k, r.time]);
    expect(got).toEqual([...Array(50).keys()].map((k) => [k, new Date(1_700_000_000_000 + k * 7919 + 123).toISOString()]));
  }
});

describe("failures", () => {
  test("a 503 with Retry-After: 1 is retried after about a second, and the batch lands once", async () => {
    const seen: number[] = [];
    const front = Bun.serve({
      port: 0, hostname: "127.0.0.1",
      fetch: (req) => {
        seen.push(Date.now());
        if (seen.length === 1) return new Response("busy", { status: 503, headers: { "retry-after": "1" } });
        return fetch(new Request(`${server.url}/v1/logs`, req));
      },
    });
    try {
      const log = createLogger({ sinks: [otlpSink(`http://127.0.0.1:${front.port}/v1/logs`, { headers: { authorization: "Bearer t0k3n" }, retry: { baseDelayMs: 1 } })] });
      log.info("after a wait");
      await log.close();
      expect(seen.length).toBe(2);
      expect(seen[1] - seen[0]).toBeGreaterThanOrEqual(950);
      expect(log.stats().written).toBe(1);
    } finally {
      front.stop(true);
    }
  });

  test("a 400 is not retried: the batch is counted as sink-error and reported", async () => {
    let calls = 0;
    const front = Bun.serve({ port: 0, hostname: "127.0.0.1", fetch: () => (calls++, new Response("bad", { status: 400 })) });
    const errors: Error[] = [];
    try {
      const log = createLogger({ onError: (e) => errors.push(e), sinks: [otlpSink(`http://127.0.0.1:${front.port}/v1/logs`, { retry: { baseDelayMs: 1 } })] });
      for (let i = 0; i < 5; i++) log.info("refused", { i });
      await log.close();
      expect(calls).toBe(1);
      expect(log.stats().dropped["sink-error"]).toBe(5);
      expect(errors.some((e) => /HTTP 400/.test(e.message))).toBe(true);
    } finally {
      front.stop(true);
    }
  });

  test("an unknown protocol is a TypeError at construction", () => {
    expect(() => otlpSink("http://127.0.0.1:1/v1/logs", { protocol: "grpc" as never })).toThrow(TypeError);
  });
});

describe("against the official OTLP protobuf definitions", () => {
  // @opentelemetry/otlp-transformer 0.52 ships protobufjs code generated from opentelemetry-proto
  // (installed as otlp-transformer-protobufjs); a receiver on loopback decodes with it
  const root = require("otlp-transformer-protobufjs/build/src/generated/root.js");
  const Request = root.opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest;
  const hex = (b: Uint8Array) => Buffer.from(b).toString("hex");

  test("otlpSink's protobuf decodes with the generated code: every field as logged", async () => {
    const bodies: Uint8Array[] = [];
    const types: (string | null)[] = [];
    const front = Bun.serve({
      port: 0, hostname: "127.0.0.1",
      fetch: async (req) => {
        types.push(req.headers.get("content-type"));
        const raw = new Uint8Array(await req.arrayBuffer());
        bodies.push(req.headers.get("content-encoding") === "gzip" ? Bun.gunzipSync(raw) : raw);
        return new Response(new Uint8Array(0), { headers: { "content-type": "application/x-protobuf" } });
      },
    });
    try {
      const log = createLogger({ category: "pay", sinks: [otlpSink(`http://127.0.0.1:${front.port}/v1/logs`, { protocol: "protobuf", resource: { "service.name": "shop" } })] });
      const t0 = Date.now();
      withContext({ traceparent: TP }, () => log.warn("declined", { amount: 1200, ratio: 0.25, ok: false, who: { id: "u1" }, list: [1, "x"], neg: -5 }));
      log.info("plain");
      await log.close();
      expect(types).toEqual(["application/x-protobuf"]);
      const msg = Request.toObject(Request.decode(bodies[0]), { longs: String, enums: Number, defaults: false });
      const rl = msg.resourceLogs[0];
      expect(rl.resource.attributes).toEqual([{ key: "service.name", value: { stringValue: "shop" } }]);
      expect(rl.scopeLogs[0].scope.name).toBe("pay");
      const [a, b] = rl.scopeLogs[0].logRecords;
      expect(BigInt(a.timeUnixNano) % 1_000_000n).toBe(0n);
      expect(Number(BigInt(a.timeUnixNano) / 1_000_000n)).toBeGreaterThanOrEqual(t0);
      expect(a.severityNumber).toBe(13);
      expect(a.severityText).toBe("WARN");
      expect(a.body).toEqual({ stringValue: "declined" });
      expect(a.attributes).toEqual([
        { key: "amount", value: { intValue: "1200" } },
        { key: "ratio", value: { doubleValue: 0.25 } },
        { key: "ok", value: { boolValue: false } },
        { key: "who", value: { kvlistValue: { values: [{ key: "id", value: { stringValue: "u1" } }] } } },
        { key: "list", value: { arrayValue: { values: [{ intValue: "1" }, { stringValue: "x" }] } } },
        { key: "neg", value: { intValue: "-5" } },
      ]);
      expect([hex(a.traceId), hex(a.spanId), a.flags]).toEqual(["0af7651916cd43dd8448eb211c80319c", "b7ad6b7169203331", 1]);
      expect(b.body).toEqual({ stringValue: "plain" });
      expect(b.traceId).toBeUndefined();
    } finally {
      front.stop(true);
    }
  });
});
