// The read API: read tokens only, /api/tail (SSE from ingest: first comment at once, ids,
// Last-Event-ID, heartbeats, dropped, client bound), /api/producers, the console's files.
import { afterEach, describe, expect, test } from "bun:test";
import type { ServeOptions, Server } from "../server.ts";
import { RecordRing } from "../collector/tail/record_ring.ts";
import { TailHub } from "../collector/tail/tail_hub.ts";
import { createRecord } from "../lib/record.ts";
import { SseReader } from "./helpers/sse.ts";
import { auth, closeCollectors, INGEST, open, post, READ, readCollector } from "./helpers/read_collector.ts";

afterEach(closeCollectors);
const collector = (extra: Partial<ServeOptions> = {}): Promise<Server> => readCollector("sluice-tail-", extra);
async function follow(s: Server, opts: { q?: string; last?: string; token?: string } = {}): Promise<{ res: Response; sse: SseReader }> {
  const res = await fetch(`${s.url}/api/tail${opts.q ? `?q=${encodeURIComponent(opts.q)}` : ""}`, { headers: { ...auth(opts.token ?? READ), ...(opts.last ? { "last-event-id": opts.last } : {}) } });
  expect(res.status).toBe(200);
  const sse = new SseReader(res.body!);
  expect((await sse.next(2000)).comment).toBe("connected"); // at once, before any record
  return { res, sse };
}
const rec = (i: number, extra = "") => `{"level":"info","msg":"m${i}"${extra}}`;

describe("read tokens", () => {
  test("/api/* takes read tokens only: none 401, an ingest token 403, a read token 200", async () => {
    const s = await collector();
    for (const path of ["/api/tail", "/api/producers", "/api/search", "/api/anything"]) {
      expect((await fetch(s.url + path)).status).toBe(401);
      const refused = await fetch(s.url + path, { headers: auth(INGEST) });
      expect(refused.status).toBe(403);
      expect((await refused.json()).error).toContain("read token");
    }
    expect((await fetch(s.url + "/api/producers", { headers: auth(READ) })).status).toBe(200);
    // and a read token cannot send
    expect((await fetch(`${s.url}/ingest`, { method: "POST", headers: { ...auth(READ), "content-type": "application/x-ndjson" }, body: rec(1) })).status).toBe(403);
  });
});

describe("GET /api/tail", () => {
  test("records written after connect arrive as events, with the stored line and an id; the query filters", async () => {
    const s = await collector();
    const all = await follow(s);
    const warn = await follow(s, { q: "level:>=warn k:boo* -skip" });
    expect(all.res.headers.get("content-type")).toStartWith("text/event-stream");
    const lines = [rec(1, ',"k":"boom"'), '{"level":"error","msg":"m2","k":"boom"}', '{"level":"warn","msg":"skip","k":"boom"}', '{"level":"info"'];
    expect((await post(s, lines)).status).toBe(200);
    const got = await all.sse.records(3);
    expect(got.map((e) => JSON.parse(e.data).msg)).toEqual(["m1", "m2", "skip"]);
    expect(got.every((e) => e.event === "message" && /^[0-9a-z]{6}-\d+$/.test(e.id!))).toBe(true);
    expect(JSON.parse(got[0].data).producer).toBe("edge");
    const filtered = await warn.sse.records(1);
    expect(JSON.parse(filtered[0].data).msg).toBe("m2");
    await all.sse.cancel();
    await warn.sse.cancel();
    const bad = await fetch(`${s.url}/api/tail?q=${encodeURIComponent("(level:warn")}`, { headers: auth(READ) });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ position: 11, expected: '")"' });
  });

  test("Last-Event-ID resumes strictly after that id; an id of another run replays the ring; a bad id is a 400", async () => {
    const s = await collector();
    const a = await follow(s);
    await post(s, [rec(1), rec(2), rec(3)]);
    const first = await a.sse.records(3);
    await a.sse.cancel();
    await post(s, [rec(4)]);
    const b = await follow(s, { last: first[1].id });
    expect((await b.sse.records(2)).map((e) => JSON.parse(e.data).msg)).toEqual(["m3", "m4"]);
    await b.sse.cancel();
    const c = await follow(s, { last: "zzzzzz-2" });
    expect((await c.sse.records(4)).map((e) => JSON.parse(e.data).msg)).toEqual(["m1", "m2", "m3", "m4"]);
    await c.sse.cancel();
    const bad = await fetch(`${s.url}/api/tail`, { headers: { ...auth(READ), "last-event-id": "<script>" } });
    expect(bad.status).toBe(400);
    // backlog: a new client (no Last-Event-ID) starts that many records back
    const res = await fetch(`${s.url}/api/tail?backlog=2`, { headers: auth(READ) });
    const e = new SseReader(res.body!);
    await e.next();
    expect((await e.records(2)).map((x) => JSON.parse(x.data).msg)).toEqual(["m3", "m4"]);
    await e.cancel();
    expect((await fetch(`${s.url}/api/tail?backlog=-1`, { headers: auth(READ) })).status).toBe(400);
  });

  test("a duplicate batch (Idempotency-Key sent again) is not shown twice", async () => {
    const s = await collector();
    const a = await follow(s);
    await post(s, [rec(1)], { "idempotency-key": "k1" });
    await post(s, [rec(1)], { "idempotency-key": "k1" });
    await post(s, [rec(2)]);
    expect((await a.sse.records(2)).map((e) => JSON.parse(e.data).msg)).toEqual(["m1", "m2"]);
    await a.sse.cancel();
  });

  test("heartbeat comments while nothing comes", async () => {
    const s = await collector({ tailHeartbeatMs: 100 });
    const a = await follow(s);
    expect((await a.sse.next(1000)).comment).toBe("heartbeat");
    expect((await a.sse.next(1000)).comment).toBe("heartbeat");
    await a.sse.cancel();
  });

  test("past --max-tail-clients a new client gets 503 with Retry-After, and one token past its share (half) 429; ingest and the followers go on; a client that leaves frees its place", async () => {
    const tokens = [{ name: "edge", token: INGEST }, { name: "ops", token: READ, role: "read" as const }, { name: "console", token: "console-token", role: "read" as const }, { name: "audit", token: "audit-token", role: "read" as const }];
    const s = await collector({ maxTailClients: 4, tokens });
    const a = await follow(s);
    const b = await follow(s);
    // ops follows with its share, 2 of 4: its third stream is its own limit, not everyone's
    const own = await fetch(`${s.url}/api/tail`, { headers: auth(READ) });
    expect([own.status, own.headers.get("retry-after")]).toEqual([429, "5"]);
    const c = await follow(s, { token: "console-token" });
    const d = await follow(s, { token: "console-token" });
    // all 4 are taken: past the bound, for everyone
    const full = await fetch(`${s.url}/api/tail`, { headers: auth("console-token") });
    expect(full.status).toBe(503);
    await d.sse.cancel();
    for (const deadline = Date.now() + 2000; s.app.tail.clients > 3 && Date.now() < deadline;) await Bun.sleep(10);
    // a third reader takes the place console left; then all 4 are taken
    const e = await follow(s, { token: "audit-token" });
    const fifth = await fetch(`${s.url}/api/tail`, { headers: auth("audit-token") });
    expect([fifth.status, fifth.headers.get("retry-after")]).toEqual([503, "5"]);
    expect((await post(s, [rec(1)])).status).toBe(200);
    expect(JSON.parse((await a.sse.records(1))[0].data).msg).toBe("m1");
    await b.sse.cancel();
    for (const deadline = Date.now() + 2000; s.app.tail.clients > 3 && Date.now() < deadline;) await Bun.sleep(10);
    const f = await follow(s);
    for (const x of [a, c, e, f]) await x.sse.cancel();
    expect(await (await fetch(`${s.url}/metrics`, { headers: auth(READ) })).text()).toContain('sluice_ingest_refused_total{bound="tail-clients"} 3');
  });

  test("a HEAD, or a client that goes away before reading a byte, holds no place", async () => {
    const s = await collector({ maxTailClients: 2 });
    for (let i = 0; i < 5; i++) {
      const head = await fetch(`${s.url}/api/tail`, { method: "HEAD", headers: auth(READ) });
      expect([head.status, head.headers.get("content-type")]).toEqual([200, "text/event-stream; charset=utf-8"]);
    }
    for (let i = 0; i < 5; i++) {
      const gone = new AbortController();
      const res = await fetch(`${s.url}/api/tail`, { headers: auth(READ), signal: gone.signal });
      expect(res.status).toBe(200);
      gone.abort();
    }
    for (const deadline = Date.now() + 3000; s.app.tail.clients > 0 && Date.now() < deadline;) await Bun.sleep(20);
    expect(s.app.tail.clients).toBe(0);
    const a = await follow(s);
    const b = await follow(s);
    await a.sse.cancel();
    await b.sse.cancel();
  });

  test("closing the collector ends the streams (close does not wait on followers)", async () => {
    const s = await collector();
    const a = await follow(s);
    open.splice(0);
    await s.close();
    await expect(a.sse.next(2000)).rejects.toThrow("the stream ended");
  });
});

describe("the ring and slow clients", () => {
  const r = (i: number, pad = 0) => createRecord(0, "info", undefined, `m${i}`, `,"pad":"${"x".repeat(pad)}"}`);

  test("the ring keeps the newest maxRecords records and at most maxBytes of lines", () => {
    const ring = new RecordRing(3, 1 << 20);
    ring.push([r(1), r(2), r(3), r(4), r(5)]);
    expect([ring.first, ring.next]).toEqual([3, 6]);
    expect(ring.line(3)).toContain('"m3"');
    expect(ring.line(2)).toBeUndefined();
    const bytes = new RecordRing(100, 1000);
    for (let i = 0; i < 50; i++) bytes.push([r(i, 300)]);
    expect(bytes.bytes).toBeLessThanOrEqual(1000);
    expect(bytes.next - bytes.first).toBe(2);
    // one record larger than the bound is still kept alone (a client can be sent the newest)
    bytes.push([r(99, 5000)]);
    expect(bytes.next - bytes.first).toBe(1);
  });

  test("a client that reads after the ring moved on gets event: dropped with the count, then the rest", async () => {
    const hub = new TailHub({ maxRecords: 10, maxBytes: 1 << 20, heartbeatMs: 60_000, maxClients: 4, maxEventsPerSec: 1000 });
    const sse = new SseReader(hub.open(() => true, undefined) as ReadableStream<Uint8Array>);
    expect((await sse.next()).comment).toBe("connected");
    for (let i = 1; i <= 25; i++) hub.publish([r(i)]);
    const dropped = await sse.next();
    expect(dropped.event).toBe("dropped");
    expect(JSON.parse(dropped.data)).toEqual({ dropped: 15 });
    expect((await sse.records(10)).map((e) => JSON.parse(e.data).msg)).toEqual(Array.from({ length: 10 }, (_, i) => `m${i + 16}`));
    expect(hub.counts.dropped).toBe(15);
    await sse.cancel();
    expect(hub.clients).toBe(0);
  });
});

describe("the per-client rate", () => {
  test("a client is sent at most maxEventsPerSec (a second's worth at once); what it could not take is reported dropped", async () => {
    const r = (i: number) => createRecord(0, "info", undefined, `m${i}`, "}");
    const hub = new TailHub({ maxRecords: 200, maxBytes: 1 << 20, heartbeatMs: 60_000, maxClients: 4, maxEventsPerSec: 100 });
    const sse = new SseReader(hub.open(() => true, undefined) as ReadableStream<Uint8Array>);
    await sse.next(); // connected
    const t0 = Date.now();
    hub.publish(Array.from({ length: 1000 }, (_, i) => r(i)));
    let events = 0;
    let dropped = 0;
    while (Date.now() - t0 < 300) {
      const e = await sse.next(1000).catch(() => undefined);
      if (e === undefined) break;
      if (e.event === "dropped") dropped += JSON.parse(e.data).dropped;
      else if (e.comment === undefined) events++;
    }
    const elapsed = (Date.now() - t0) / 1000;
    expect(events).toBeGreaterThanOrEqual(100);
    expect(events).toBeLessThanOrEqual(100 + Math.ceil(elapsed * 100) + 10);
    expect(dropped).toBeGreaterThanOrEqual(700);
    await sse.cancel();
  });
});

test("a filter that matches little looks at no more than 16 times the client's rate, and goes on at that pace", async () => {
  const r = (i: number) => createRecord(0, "info", undefined, `m${i}`, "}");
  const hub = new TailHub({ maxRecords: 6000, maxBytes: 64 << 20, heartbeatMs: 60_000, maxClients: 4, maxEventsPerSec: 100 });
  const sse = new SseReader(hub.open((rec) => rec.msg === "m5999", undefined) as ReadableStream<Uint8Array>);
  await sse.next(); // connected
  const t0 = Date.now();
  hub.publish(Array.from({ length: 6000 }, (_, i) => r(i)));
  await expect(sse.next(400)).rejects.toThrow("no event");
  const elapsed = (Date.now() - t0) / 1000;
  expect(hub.counts.examined).toBeGreaterThanOrEqual(1500);
  expect(hub.counts.examined).toBeLessThanOrEqual(16 * (100 + Math.ceil(elapsed * 100)) + 16);
  // and it goes on looking, at its pace, with nothing more published: the match comes
  const match = await sse.records(1, 8000);
  expect(JSON.parse(match[0].data).msg).toBe("m5999");
  await sse.cancel();
}, 20_000);

describe("GET /api/producers", () => {
  test("each producer's status, last seen, records per minute, rejected, refused and reported dropped; late after a missed check-in", async () => {
    const s = await collector({ heartbeatCheckMs: 20, rateLimit: { recordsPerSec: 1, burst: 3 } });
    await post(s, [rec(1), "not json"], { "x-sluice-producer": "edge-a" });
    expect((await post(s, [rec(2), rec(3)], { "x-sluice-producer": "edge-a" })).status).toBe(429);
    await fetch(`${s.url}/heartbeat`, { method: "POST", headers: { ...auth(INGEST), "content-type": "application/json" }, body: JSON.stringify({ producer: "edge-b", nextCheckInMs: 50, graceMs: 0 }) });
    const beat = (b: object) => fetch(`${s.url}/heartbeat`, { method: "POST", headers: { ...auth(INGEST), "content-type": "application/json" }, body: JSON.stringify(b) });
    expect((await beat({ producer: "edge-a", nextCheckInMs: 60_000, dropped: 7 })).status).toBe(200);
    for (const dropped of [-1, 1.5, "7"]) expect((await beat({ producer: "edge-a", dropped })).status).toBe(400);
    await Bun.sleep(200);
    const body = await (await fetch(`${s.url}/api/producers`, { headers: auth(READ) })).json();
    const a = body.producers.find((p: { producer: string }) => p.producer === "edge-a");
    const b = body.producers.find((p: { producer: string }) => p.producer === "edge-b");
    expect(a).toMatchObject({ status: "ok", accepted: 1, rejected: 1, refused: 1, recordsPerMinute: 1, dropped: 7 });
    expect(Date.parse(a.lastSeen)).toBeGreaterThan(Date.now() - 5000);
    expect(b.status).toBe("late");
    expect(body.totals).toMatchObject({ accepted: 1, rejected: 1, refused: { 429: 1, 503: 0 } });
  });
});

describe("the console's files", () => {
  test("/ serves the page with a CSP (no inline script or style), its script and style; nothing writes; --no-console is a 404", async () => {
    const s = await collector();
    const page = await fetch(s.url + "/");
    expect(page.status).toBe(200);
    const csp = page.headers.get("content-security-policy")!;
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toContain("unsafe-inline");
    const html = await page.text();
    expect(html).not.toMatch(/<script>|<script(?![^>]*\bsrc=)[^>]*>|\sstyle=|\son[a-z]+=/i);
    const js = await (await fetch(s.url + "/console/app.js")).text();
    expect(js).not.toMatch(/innerHTML|outerHTML|insertAdjacentHTML|document\.write|eval\(|new Function/);
    expect(js).not.toMatch(/method:\s*"(POST|PUT|DELETE|PATCH)"|\/ingest|\/heartbeat/);
    expect((await fetch(s.url + "/console/app.css")).headers.get("content-type")).toStartWith("text/css");
    const off = await collector({ console: false });
    expect((await fetch(off.url + "/")).status).toBe(404);
  });
});
