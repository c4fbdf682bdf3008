// Nothing a client sends can make the collector answer 5xx: a seeded, bounded fuzz of random
// and mutated bodies (NDJSON, JSON arrays, binary frames, OTLP JSON, gzip, heartbeats) against
// the real app. Every answer is a 2xx or a 4xx with a JSON error; good records beside bad ones
// are written.
import { afterAll, describe, expect, test } from "bun:test";
import fc from "fast-check";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createIngestApp } from "../server.ts";
import { createRecord, encodeFrame } from "../mod.ts";

const TOKEN = "fuzz-token";
const dir = mkdtempSync(join(tmpdir(), "sluice-fuzz-"));
const app = createIngestApp({ dir, tokens: [{ name: "fuzz", token: TOKEN, producers: ["*"] }], rateLimit: { recordsPerSec: 1e9, burst: 1e9 } });
afterAll(() => app.close());

const send = (path: string, body: Uint8Array | string, headers: Record<string, string>) =>
  app.fetch(new Request(`http://collector${path}`, { method: "POST", body, headers: { authorization: `Bearer ${TOKEN}`, ...headers } }));
const gzip = async (text: string) => new Uint8Array(await new Response(new Blob([text]).stream().pipeThrough(new CompressionStream("gzip"))).arrayBuffer());

// JSON values with the shapes records take, and the edges that broke the collector before
const edgy = fc.oneof(
  fc.constantFrom(1e300, -1e300, Number.MAX_VALUE, -0, 8.64e15 + 1, Date.now() * 1e6, "2024-13-45T99:99:99Z", "", "\u0000", "\ud800", null, true, [], {}),
  fc.double(), fc.integer(), fc.string(), fc.jsonValue(),
);
const recordish = fc.record({
  msg: fc.oneof(fc.string(), edgy), time: edgy, level: fc.oneof(fc.constantFrom("info", "warn", "fatal", "nope"), edgy),
  category: fc.oneof(fc.string(), fc.constantFrom("../../etc/passwd", "a/b", ".", "..", "sluice", "CON"), edgy), producer: edgy, extra: edgy,
}, { requiredKeys: [] });
const line = fc.oneof(recordish.map((r) => JSON.stringify(r)), fc.string(), fc.jsonValue().map((v) => JSON.stringify(v)));
const mutate = (text: string, cuts: number[]) => cuts.reduce((t, c) => t.slice(0, c % (t.length + 1)) + t.slice((c % (t.length + 1)) + 1), text);
const otlpish = fc.record({
  resourceLogs: fc.oneof(edgy, fc.array(fc.record({
    resource: fc.oneof(edgy, fc.record({ attributes: fc.oneof(edgy, fc.array(fc.record({ key: edgy, value: fc.oneof(edgy, fc.record({ stringValue: edgy, intValue: edgy, kvlistValue: edgy })) }))) })),
    scopeLogs: fc.oneof(edgy, fc.array(fc.record({
      scope: fc.oneof(edgy, fc.record({ name: edgy, version: edgy })),
      logRecords: fc.oneof(edgy, fc.array(fc.record({ timeUnixNano: edgy, severityNumber: edgy, severityText: edgy, body: edgy, attributes: edgy, traceId: edgy, spanId: edgy }, { requiredKeys: [] }))),
    }, { requiredKeys: [] }))),
  }, { requiredKeys: [] }))),
}, { requiredKeys: [] });

async function expectNo5xx(res: Response, what: string) {
  const text = await res.text();
  if (res.status >= 500) throw new Error(`${what}: ${res.status} ${text.slice(0, 300)}`);
  expect(() => JSON.parse(text)).not.toThrow();
}

describe("fuzz: no body gets a 5xx (seeded, bounded)", () => {
  const params = { seed: 20261128, numRuns: 300, interruptAfterTimeLimit: 20_000 };
  test("NDJSON, mutated or gzipped", async () => {
    await fc.assert(fc.asyncProperty(fc.array(line, { maxLength: 20 }), fc.array(fc.nat(), { maxLength: 4 }), fc.boolean(), async (lines, cuts, gz) => {
      const text = mutate(lines.join("\n"), cuts);
      const res = await send("/ingest", gz ? await gzip(text) : text, { "content-type": "application/x-ndjson", ...(gz ? { "content-encoding": "gzip" } : {}) });
      await expectNo5xx(res, `ndjson ${JSON.stringify(text).slice(0, 200)}`);
    }), params);
  }, 60_000);

  test("JSON arrays", async () => {
    await fc.assert(fc.asyncProperty(fc.oneof(fc.array(recordish, { maxLength: 10 }).map((a) => JSON.stringify(a)), fc.jsonValue().map((v) => JSON.stringify(v))), async (text) => {
      await expectNo5xx(await send("/ingest", text, { "content-type": "application/json" }), `array ${text.slice(0, 200)}`);
    }), params);
  }, 60_000);

  test("binary frames, whole and damaged", async () => {
    await fc.assert(fc.asyncProperty(fc.array(line, { minLength: 1, maxLength: 10 }), fc.array(fc.nat(), { maxLength: 3 }), async (lines, flips) => {
      const bytes = encodeFrame(lines.map((l, i) => createRecord(Date.now(), "info", undefined, l, `,"i":${i}}`)));
      for (const f of flips) bytes[f % bytes.length] ^= 0xff;
      await expectNo5xx(await send("/ingest", bytes, { "content-type": "application/vnd.sluice.frame" }), "frame");
    }), params);
  }, 60_000);

  test("OTLP JSON", async () => {
    await fc.assert(fc.asyncProperty(otlpish, async (body) => {
      const text = JSON.stringify(body);
      await expectNo5xx(await send("/v1/logs", text, { "content-type": "application/json" }), `otlp ${text.slice(0, 300)}`);
    }), params);
  }, 60_000);

  test("heartbeats", async () => {
    await fc.assert(fc.asyncProperty(fc.oneof(fc.jsonValue().map((v) => JSON.stringify(v)), fc.string(), recordish.map((r) => JSON.stringify(r))), async (text) => {
      await expectNo5xx(await send("/heartbeat", text, { "content-type": "application/json" }), `heartbeat ${text.slice(0, 200)}`);
    }), params);
  }, 60_000);
});

describe("a bad record is refused on its own line; its neighbours are written", () => {
  test("time out of range, a library caller's nanoseconds, a scope name that is not a string", async () => {
    const res = await send("/ingest", ['{"msg":"good-1"}', '{"msg":"x","time":1e300}', `{"msg":"x","time":${Date.now() * 1e6}}`, '{"msg":"good-2"}'].join("\n"), { "content-type": "application/x-ndjson" });
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(body).toMatchObject({ accepted: 2, rejected: 2 });
    expect(body.errors.map((e: { line: number }) => e.line)).toEqual([2, 3]);
    expect(body.errors[0].error).toContain("time");
    const otlp = await send("/v1/logs", JSON.stringify({ resourceLogs: [{ scopeLogs: [{ scope: { name: 7 }, logRecords: [{ body: { stringValue: "otlp-good" } }] }] }] }), { "content-type": "application/json" });
    expect(otlp.status).toBeLessThan(500);
    await app.writer.flush();
    const written = readFileSync(join(dir, "default.ndjson"), "utf8");
    expect(written).toContain("good-1");
    expect(written).toContain("good-2");
  });
});
