// The collector's HTTP API: each status code, malformed input of every kind, dedup,
// heartbeats, metrics and OTLP — through app.fetch, no network needed.
import { afterEach, describe, expect, test } from "bun:test";
import { existsSync, mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { createIngestApp, type IngestApp, type IngestOptions } from "../server.ts";
import { recordFields } from "../mod.ts";
import { parseNdjson } from "../lib/format/ndjson_decode.ts";

const TOKEN = "s3cret-token";
const apps: IngestApp[] = [];
afterEach(async () => { for (const a of apps.splice(0)) await a.close(); });

function make(extra: Partial<IngestOptions> = {}) {
  const dir = mkdtempSync(join(tmpdir(), "sluice-ingest-"));
  const app = createIngestApp({ dir, tokens: [{ name: "edge-1", token: TOKEN, producers: ["w*", "someone-*"] }], heartbeatCheckMs: 20, ...extra });
  apps.push(app);
  const post = (body: BodyInit | null, headers: Record<string, string> = {}, path = "/ingest") =>
    app.fetch(new Request(`http://collector${path}`, {
      method: "POST",
      body,
      headers: { authorization: `Bearer ${TOKEN}`, "content-type": "application/x-ndjson", ...headers },
    }));
  const get = (path: string, auth = true) => app.fetch(new Request(`http://collector${path}`, { headers: auth ? { authorization: `Bearer ${TOKEN}` } : {} }));
  const lines = (file = "default.ndjson") => {
    const p = join(dir, file);
    return existsSync(p) ? readFileSync(p, "utf8").split("\n").filter(Boolean).map((l) => JSON.parse(l)) : [];
  };
  return { app, dir, post, get, lines };
}

describe("POST /ingest", () => {
  test("NDJSON is validated per line; accepted records are on disk, tagged with the producer, before the 200", async () => {
    const { post, lines } = make();
    const res = await post('{"msg":"a","level":"warn","n":1}\n{"msg":2}\nnot json\n{"msg":"b","category":"billing"}\n');
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(body.accepted).toBe(2);
    expect(body.rejected).toBe(2);
    expect(body.errors.map((e: { line: number }) => e.line)).toEqual([2, 3]);
    expect(body.errors[0].error).toBe("msg must be a string");
    expect(lines()).toEqual([expect.objectContaining({ msg: "a", level: "warn", n: 1, producer: "edge-1" })]);
    expect(lines("billing.ndjson")[0]).toMatchObject({ msg: "b", category: "billing", producer: "edge-1" });
  });

  test("a JSON array and a gzip body", async () => {
    const { post, lines } = make();
    expect((await post(JSON.stringify([{ msg: "x" }, { msg: "y", time: 0 }]), { "content-type": "application/json" })).status).toBe(200);
    expect((await post(gzipSync('{"msg":"z"}\n'), { "content-encoding": "gzip" })).status).toBe(200);
    expect(lines().map((l) => l.msg)).toEqual(["x", "y", "z"]);
    expect(lines()[1].time).toBe("1970-01-01T00:00:00.000Z");
  });

  test("401 without a valid token; constructing without tokens needs noAuth", async () => {
    const { app } = make();
    const res = await app.fetch(new Request("http://c/ingest", { method: "POST", body: '{"msg":"a"}', headers: { authorization: "Bearer wrong", "content-type": "application/x-ndjson" } }));
    expect(res.status).toBe(401);
    expect(res.headers.get("www-authenticate")).toBe("Bearer");
    expect(() => createIngestApp({ dir: "/tmp/x" })).toThrow(/needs tokens \(or noAuth: true/);
  });

  test("400 for bodies with nothing valid: empty, bad JSON, wrong types, invalid UTF-8, bad gzip", async () => {
    const { post, lines } = make();
    const cases: [BodyInit, Record<string, string>, RegExp][] = [
      ["", {}, /empty body/],
      ["{nope\n", {}, /nothing in the body is valid/],
      ['{"msg":"a","level":"loud"}\n', {}, /nothing in the body is valid/],
      [new Uint8Array([0x7b, 0x22, 0x6d, 0xff, 0xfe]), {}, /not valid UTF-8/],
      [new Uint8Array([1, 2, 3, 4]), { "content-encoding": "gzip" }, /not valid gzip/],
      ["[1]", { "content-type": "application/json" }, /nothing in the body is valid/],
      ['{"msg":"a"}', { "content-type": "application/json" }, /nothing in the body is valid/],
      ["x", { "content-encoding": "br" }, /unsupported Content-Encoding/],
    ];
    for (const [body, headers, re] of cases) {
      const res = await post(body, headers);
      expect(res.status).toBe(400);
      expect(JSON.stringify(await res.json())).toMatch(re);
    }
    expect(lines()).toEqual([]);
  });

  test("413 for a large body, a small gzip that inflates past the limit, and 400 per huge line", async () => {
    const { post, lines, get } = make({ maxBodyBytes: 10_000, maxDecompressedBytes: 100_000, maxLineBytes: 500 });
    expect((await post("x".repeat(20_000))).status).toBe(413);
    const bomb = gzipSync(Buffer.alloc(5_000_000, 0x20));
    expect(bomb.length).toBeLessThan(10_000);
    const res = await post(bomb, { "content-encoding": "gzip" });
    expect(res.status).toBe(413);
    expect((await res.json()).error).toMatch(/decompressed body is larger than 100000/);
    // each refusal counted under its own bound (BodyTooLargeError.what)
    const metrics = await (await get("/metrics")).text();
    expect(metrics).toContain('sluice_ingest_refused_total{bound="body-bytes"} 1');
    expect(metrics).toContain('sluice_ingest_refused_total{bound="decompressed-bytes"} 1');
    const huge = await post(`{"msg":"${"h".repeat(600)}"}\n{"msg":"ok"}\n`);
    expect(huge.status).toBe(200);
    expect((await huge.json()).errors[0]).toEqual({ line: 1, error: "line is longer than 500 bytes" });
    expect(lines().map((l) => l.msg)).toEqual(["ok"]);
  });

  test("408 for a body that stalls past bodyTimeoutMs, with or without a Content-Length; nothing of it is written", async () => {
    const { post, lines, dir } = make({ bodyTimeoutMs: 100 });
    let cancelled = false;
    const stalled = new ReadableStream<Uint8Array>({
      start(c) { c.enqueue(new TextEncoder().encode('{"msg":"half')); },
      cancel() { cancelled = true; },
    });
    const res = await post(stalled);
    expect(res.status).toBe(408);
    expect((await res.json()).error).toBe("the body did not arrive within 100 ms");
    expect(cancelled).toBe(true); // the connection is let go, not left reading
    expect(() => make({ bodyTimeoutMs: 0 })).toThrow(/bodyTimeoutMs must be positive/);
    const { serve } = await import("../server.ts");
    const server = await serve({ port: 0, dir, tokens: [{ name: "edge-1", token: TOKEN }], bodyTimeoutMs: 100, handleSignals: false });
    try {
      const { connect } = await import("node:net");
      const socket = connect(server.port, "127.0.0.1");
      let answer = "";
      socket.on("data", (d) => (answer += d));
      socket.write(`POST /ingest HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${TOKEN}\r\nContent-Type: application/x-ndjson\r\nContent-Length: 1000\r\n\r\n{"msg":"half`);
      for (let t = 0; t < 100 && !answer.includes("\r\n\r\n"); t++) await new Promise((r) => setTimeout(r, 20));
      socket.destroy();
      expect(answer).toMatch(/^HTTP\/1\.1 408/);
    } finally {
      await server.close();
    }
    expect(lines()).toEqual([]);
  });

  test("readLimited keeps every byte in order whether the declared length is right, short or long", async () => {
    const { readLimited } = await import("../collector/body.ts");
    const stream = () => new ReadableStream<Uint8Array>({ start(c) { c.enqueue(new Uint8Array([1, 2])); c.enqueue(new Uint8Array([3, 4, 5])); c.close(); } });
    for (const expected of [-1, 5, 3, 1, 10]) expect([...await readLimited(stream(), 100, "body", { expected })]).toEqual([1, 2, 3, 4, 5]);
    await expect(readLimited(stream(), 4, "body", { expected: 5 })).rejects.toThrow("body is larger than 4 bytes");
  });

  test("415 for an unknown content type", async () => {
    const { post } = make();
    expect((await post('{"msg":"a"}', { "content-type": "text/csv" })).status).toBe(415);
  });

  test("429 with Retry-After past a producer's rate", async () => {
    const { post } = make({ rateLimit: { recordsPerSec: 1, burst: 3 } });
    expect((await post('{"msg":"1"}\n{"msg":"2"}\n')).status).toBe(200);
    const res = await post('{"msg":"3"}\n{"msg":"4"}\n');
    expect(res.status).toBe(429);
    expect(Number(res.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
    // the limit is the token's: naming itself another producer does not escape it
    expect((await post('{"msg":"5"}\n{"msg":"6"}\n', { "x-sluice-producer": "someone-new" })).status).toBe(429);
  });

  test("a retried batch (same Idempotency-Key) is written once, concurrently too, and after a restart", async () => {
    const first = make();
    const send = () => first.post('{"msg":"once"}\n', { "idempotency-key": "batch-1" });
    const [a, b] = await Promise.all([send(), send()]);
    expect([a.status, b.status]).toEqual([200, 200]);
    const again = await send();
    expect(await again.json()).toMatchObject({ duplicate: true });
    expect(first.lines().length).toBe(1);
    await first.app.close();
    apps.splice(apps.indexOf(first.app), 1);
    const restarted = createIngestApp({ dir: first.dir, tokens: [{ name: "edge-1", token: TOKEN }] });
    apps.push(restarted);
    const res = await restarted.fetch(new Request("http://c/ingest", { method: "POST", body: '{"msg":"once"}\n', headers: { authorization: `Bearer ${TOKEN}`, "content-type": "application/x-ndjson", "idempotency-key": "batch-1" } }));
    expect(await res.json()).toMatchObject({ duplicate: true });
    expect(first.lines().length).toBe(1);
  });

  test("categories from producers cannot escape the directory", async () => {
    const { post, dir } = make();
    expect((await post('{"msg":"x","category":"../../etc/passwd"}\n{"msg":"y","category":"/abs"}\n')).status).toBe(200);
    const names = readdirSync(dir).filter((n) => n !== ".sluice");
    expect(names.every((n) => !n.includes("/") && !n.startsWith("."))).toBe(true);
    expect(names.length).toBe(2);
  });
});

describe("record parsing", () => {
  test("lines in sluice's own form keep their text; others are normalized; a sent producer is replaced", () => {
    const own = '{"time":"2026-11-22T17:14:28.123Z","level":"warn","category":"db","msg":"slow","ms":900,"q":{"a":[1,2]}}';
    const other = '{"msg":"slow","time":1700000000000,"level":"warn","ms":900}';
    const spoof = '{"time":"2026-11-22T17:14:28.123Z","level":"info","msg":"x","producer":"someone-else"}';
    const { records, errors } = parseNdjson([own, other, spoof].join("\n"), "edge-1", 1 << 20);
    expect(errors).toEqual([]);
    expect(records[0].json).toBe(own.slice(0, -1) + ',"producer":"edge-1"}');
    expect(JSON.parse(records[1].json)).toEqual({ time: "2023-11-14T22:13:20.000Z", level: "warn", msg: "slow", ms: 900, producer: "edge-1" });
    expect(JSON.parse(records[2].json).producer).toBe("edge-1");
    expect(records.map((r) => recordFields(r).producer)).toEqual(["edge-1", "edge-1", "edge-1"]);
  });
});

describe("producers, health and metrics", () => {
  test("heartbeats are listed; a missed check-in logs a warning once; shutdown ends a producer quietly", async () => {
    const { app, post, get, lines } = make();
    expect((await post(JSON.stringify({ producer: "w1", nextCheckInMs: 10, graceMs: 10 }), { "content-type": "application/json" }, "/heartbeat")).status).toBe(200);
    expect((await post(JSON.stringify({ producer: "w2", nextCheckInMs: 10, graceMs: 10 }), {}, "/heartbeat")).status).toBe(200);
    expect((await post(JSON.stringify({ producer: "w2", shutdown: true }), {}, "/heartbeat")).status).toBe(200);
    await new Promise((r) => setTimeout(r, 120));
    const list = (await (await get("/producers")).json()).producers;
    expect(list.find((p: { producer: string }) => p.producer === "w1").status).toBe("missed");
    expect(list.find((p: { producer: string }) => p.producer === "w2").status).toBe("stopped");
    await app.writer.flush();
    const warnings = lines("sluice.ndjson");
    expect(warnings.length).toBe(1);
    expect(warnings[0]).toMatchObject({ level: "warn", msg: "producer missed its check-in", producer: "w1" });
    expect((await post("not json", {}, "/heartbeat")).status).toBe(400);
  });

  test("healthz, readyz and Prometheus metrics", async () => {
    const { post, get } = make();
    await post('{"msg":"a"}\n{"bad":1}\n');
    expect((await get("/healthz", false)).status).toBe(200);
    expect(await (await get("/readyz", false)).json()).toMatchObject({ ready: true });
    expect((await get("/metrics", false)).status).toBe(401);
    const text = await (await get("/metrics")).text();
    expect(text).toContain('sluice_ingest_records_total{result="accepted"} 1');
    expect(text).toContain('sluice_ingest_records_total{result="rejected"} 1');
    expect(text).toContain('sluice_writer_records_total{result="written"} 1');
    expect(text).toContain("sluice_disk_ready 1");
  });
});

describe("POST /v1/logs (OTLP/HTTP JSON)", () => {
  test("log records map to time, level, message, category and fields", async () => {
    const { post, lines } = make();
    const body = {
      resourceLogs: [{
        resource: { attributes: [{ key: "service.name", value: { stringValue: "checkout" } }] },
        scopeLogs: [{
          scope: { name: "payments" },
          logRecords: [{
            timeUnixNano: "1700000000000000000", severityNumber: 17, body: { stringValue: "card declined" },
            attributes: [{ key: "amount", value: { intValue: "1200" } }], traceId: "abc",
          }],
        }],
      }],
    };
    const res = await post(JSON.stringify(body), { "content-type": "application/json" }, "/v1/logs");
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({});
    expect(lines("payments.ndjson")[0]).toMatchObject({
      time: "2023-11-14T22:13:20.000Z", level: "error", category: "payments", msg: "card declined",
      amount: 1200, resource: { "service.name": "checkout" }, trace_id: "abc", producer: "edge-1",
    });
    expect((await post("{}", { "content-type": "application/json" }, "/v1/logs")).status).toBe(400);
  });
});
