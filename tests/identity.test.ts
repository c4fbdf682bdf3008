// Identity belongs to the token, and one token's reach is bounded: producer names it may use,
// the reserved collector name, caps on producers and categories, heartbeats only for its own
// producers, /metrics and /producers behind a token.
import { afterEach, describe, expect, test } from "bun:test";
import fc from "fast-check";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createIngestApp, type IngestOptions, parseTokens } from "../server.ts";
import { parseTokenEnv } from "../collector/auth.ts";
import { exited, serveRuntimes, startServe } from "./helpers/serve_process.ts";

const apps: { close(): Promise<void> }[] = [];
afterEach(async () => { for (const a of apps.splice(0)) await a.close(); });

function make(extra: Partial<IngestOptions> = {}) {
  const dir = mkdtempSync(join(tmpdir(), "sluice-identity-"));
  const tokens = parseTokens("edge:edge-token:producers=edge-*,web\nother:other-token\ngrafana:read-token:role=read\n");
  const app = createIngestApp({ dir, tokens, heartbeatCheckMs: 60_000, ...extra });
  apps.push(app);
  const call = (path: string, token: string | undefined, body?: string, headers: Record<string, string> = {}) =>
    app.fetch(new Request(`http://collector${path}`, {
      method: body === undefined ? "GET" : "POST",
      body,
      headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), "content-type": "application/x-ndjson", ...headers },
    }));
  const ingest = (token: string, body: string, producer?: string) => call("/ingest", token, body, producer ? { "x-sluice-producer": producer } : {});
  const lines = (file: string) => {
    const p = join(dir, file);
    return existsSync(p) ? readFileSync(p, "utf8").split("\n").filter(Boolean).map((l) => JSON.parse(l)) : [];
  };
  return { app, dir, call, ingest, lines };
}

describe("tokens file", () => {
  test("name:token:producers=… lists the producer names a token may also use; old lines still parse", () => {
    expect(parseTokens("a:s3cret:producers=edge-*, web\nb:plain\nbare")).toEqual([
      { name: "a", token: "s3cret", producers: ["edge-*", "web"] },
      { name: "b", token: "plain" },
      { name: "token-3", token: "bare" },
    ]);
  });

  test("role=read makes a read-only token, before or after producers=; any other role is refused, naming the token", () => {
    expect(parseTokens("g:r34d:role=read\nh:t:producers=x:role=read\ni:t:role=read:producers=y")).toEqual([
      { name: "g", token: "r34d", role: "read" },
      { name: "h", token: "t", producers: ["x"], role: "read" },
      { name: "i", token: "t", producers: ["y"], role: "read" },
    ]);
    expect(() => parseTokens("ok:t\nops:t:role=admin")).toThrow(/token "ops" has role "admin"; the only role is "read"/);
  });

  test("SLUICE_TOKENS: commas separate entries, except inside a producers= list", () => {
    expect(parseTokenEnv("edge:s3cret:producers=edge-*,web,ops:t2,bare")).toEqual([
      { name: "edge", token: "s3cret", producers: ["edge-*", "web"] },
      { name: "ops", token: "t2" },
      { name: "token-3", token: "bare" },
    ]);
    expect(parseTokenEnv("h:t:producers=x,y:role=read\ng:r")).toEqual([{ name: "h", token: "t", producers: ["x", "y"], role: "read" }, { name: "g", token: "r" }]);
    expect(parseTokenEnv("a:1,b:2")).toEqual([{ name: "a", token: "1" }, { name: "b", token: "2" }]);
    expect(() => parseTokenEnv(",,")).toThrow(/holds no token/);
    // a newline always ends an entry, as in a tokens file: a bare token or a comment on the next line is not a producer name
    expect(parseTokenEnv("edge:s3cret:producers=edge-*\n# the ops token\nb4re")).toEqual([{ name: "edge", token: "s3cret", producers: ["edge-*"] }, { name: "token-2", token: "b4re" }]);
  });

  test("SLUICE_TOKENS reads back every list of entries written with commas and newlines, a newline before a bare token that follows a producers= list (seeded fuzz)", () => {
    const word = (re: RegExp) => fc.stringMatching(re);
    const entry = fc.record({
      name: fc.option(word(/^[a-z][a-z0-9-]{0,5}$/), { nil: undefined }),
      token: word(/^[A-Za-z0-9_.=*-]{1,8}$/),
      producers: fc.option(fc.array(word(/^[a-z*-]{1,5}$/), { minLength: 1, maxLength: 3 }), { nil: undefined }),
      read: fc.boolean(),
      roleFirst: fc.boolean(),
    });
    fc.assert(fc.property(fc.array(entry, { minLength: 1, maxLength: 5 }), fc.array(fc.boolean(), { minLength: 5, maxLength: 5 }), (entries, newline) => {
      let text = "";
      const expected = entries.map((e, i) => {
        const bare = e.name === undefined;
        const producers = bare || e.producers === undefined ? "" : `:producers=${e.producers.join(",")}`;
        const role = !bare && e.read ? ":role=read" : "";
        const sep = i === 0 ? "" : newline[i] || (bare && /:producers=[^:]*$/.test(text)) ? "\n" : ",";
        text += sep + (bare ? e.token : `${e.name}:${e.token}${e.roleFirst ? role + producers : producers + role}`);
        return { name: e.name ?? `token-${i + 1}`, token: e.token, ...(producers ? { producers: e.producers } : {}), ...(role ? { role: "read" } : {}) };
      });
      expect(parseTokenEnv(text)).toEqual(expected);
    }), { seed: 31, numRuns: 2000 });
  });

  test("sluice serve with SLUICE_TOKENS: a token's producers= list holds every name after its commas", async () => {
    const dir = mkdtempSync(join(tmpdir(), "sluice-tokenenv-"));
    const serve = await startServe(serveRuntimes[0][1], dir, [], { SLUICE_TOKENS: "edge:s3cret:producers=edge-*,web,ops:t2" });
    try {
      const post = (token: string, producer: string) => fetch(`${serve.url}/ingest`, { method: "POST", headers: { authorization: `Bearer ${token}`, "x-sluice-producer": producer, "content-type": "application/x-ndjson" }, body: '{"msg":"x"}\n' }).then((r) => r.status);
      expect([await post("s3cret", "web"), await post("s3cret", "edge-2"), await post("s3cret", "ops"), await post("t2", "ops")]).toEqual([200, 200, 403, 200]);
    } finally {
      serve.proc.kill();
      await exited(serve.proc);
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("a read-only token (role=read)", () => {
  test("reads /metrics and /producers; sending records, OTLP logs or heartbeats is a 403 and writes nothing", async () => {
    const { call, dir } = make();
    expect((await call("/metrics", "read-token")).status).toBe(200);
    expect((await call("/producers", "read-token")).status).toBe(200);
    const ingest = await call("/ingest", "read-token", '{"msg":"a"}\n');
    expect(ingest.status).toBe(403);
    expect((await ingest.json()).error).toBe('token "grafana" is read-only (role=read): it may read /metrics and /producers, not send');
    const otlp = await call("/v1/logs", "read-token", JSON.stringify({ resourceLogs: [{ scopeLogs: [{ logRecords: [{ body: { stringValue: "a" } }] }] }] }), { "content-type": "application/json" });
    expect(otlp.status).toBe(403);
    expect((await otlp.json()).code).toBe(7); // a google.rpc.Status, PERMISSION_DENIED
    expect((await call("/heartbeat", "read-token", JSON.stringify({ nextCheckInMs: 60_000 }), { "content-type": "application/json" })).status).toBe(403);
    expect(readdirSync(dir).filter((f) => f.endsWith(".ndjson"))).toEqual([]);
    expect((await (await call("/producers", "read-token")).json()).producers).toEqual([]);
    // a token without a role still does both
    expect((await call("/ingest", "other-token", '{"msg":"a"}\n')).status).toBe(200);
    expect((await call("/metrics", "other-token")).status).toBe(200);
  });
});

describe("identity belongs to the token", () => {
  test("a token speaks as its own name or names its patterns allow; anything else is a 403 and nothing is written", async () => {
    const { ingest, lines, app } = make();
    expect((await ingest("edge-token", '{"msg":"own"}\n')).status).toBe(200);
    expect((await ingest("edge-token", '{"msg":"pattern"}\n', "edge-7")).status).toBe(200);
    expect((await ingest("edge-token", '{"msg":"listed"}\n', "web")).status).toBe(200);
    const spoof = await ingest("other-token", '{"msg":"spoof"}\n', "edge-7");
    expect(spoof.status).toBe(403);
    expect((await spoof.json()).error).toContain('may not speak as producer "edge-7"');
    expect((await ingest("edge-token", '{"msg":"x"}\n', "webx")).status).toBe(403);
    await app.writer.flush();
    expect(lines("default.ndjson").map((r) => [r.msg, r.producer])).toEqual([["own", "edge"], ["pattern", "edge-7"], ["listed", "web"]]);
  });

  test("the collector's own name and category are reserved: no line can pass for its warnings", async () => {
    const { ingest, lines, app, call } = make();
    const res = await ingest("edge-token", '{"msg":"fake warning","level":"warn","category":"sluice"}\n', "sluice");
    expect(res.status).toBe(403);
    expect((await res.json()).error).toContain("reserved");
    // the reserved category from a real producer is kept, under overflow, with its category named
    expect((await ingest("edge-token", '{"msg":"fake","category":"sluice"}\n{"msg":"fake2","category":"sluice.x"}\n')).status).toBe(200);
    await app.writer.flush();
    expect(lines("sluice.ndjson")).toEqual([]);
    expect(lines("overflow.ndjson").map((r) => [r.msg, r.overflowCategory, r.producer])).toEqual([["fake", "sluice", "edge"], ["fake2", "sluice.x", "edge"]]);
    expect(await (await call("/metrics", "edge-token")).text()).toContain('sluice_identity_refused_total{bound="reserved"} 2');
  });

  test("heartbeats only for the caller's producers: another token cannot silence a producer", async () => {
    const { call } = make();
    expect((await call("/heartbeat", "edge-token", JSON.stringify({ producer: "edge-1", nextCheckInMs: 60_000 }))).status).toBe(200);
    const silence = await call("/heartbeat", "other-token", JSON.stringify({ producer: "edge-1", shutdown: true }));
    expect(silence.status).toBe(403);
    const list = (await (await call("/producers", "edge-token")).json()).producers;
    expect(list).toEqual([expect.objectContaining({ producer: "edge-1", status: "ok" })]);
  });

  test("/metrics and /producers need a token unless publicMetrics; ingest still does", async () => {
    const { call } = make();
    expect((await call("/metrics", undefined)).status).toBe(401);
    expect((await call("/producers", undefined)).status).toBe(401);
    expect((await call("/metrics", "other-token")).status).toBe(200);
    const open = make({ publicMetrics: true });
    expect((await open.call("/metrics", undefined)).status).toBe(200);
    expect((await open.call("/producers", undefined)).status).toBe(200);
    expect((await open.call("/ingest", undefined, '{"msg":"a"}\n')).status).toBe(401);
  });
});

describe("heartbeats are validated", () => {
  test("a check-in past a week, negative or not a number, a bad name or a non-object body is a 400; /producers keeps answering", async () => {
    const { call } = make();
    for (const body of [{ nextCheckInMs: 1e16 }, { nextCheckInMs: -1 }, { nextCheckInMs: "soon" }, { graceMs: 1e12 }, { shutdown: "yes" }, { producer: 7 }, [1], "x"]) {
      const res = await call("/heartbeat", "edge-token", JSON.stringify(body));
      expect(res.status).toBe(400);
      expect((await res.json()).error).toBeString();
    }
    expect((await call("/heartbeat", "edge-token", "{not json")).status).toBe(400);
    expect((await call("/heartbeat", "edge-token", JSON.stringify({ producer: "edge-" + "x".repeat(16 << 10) }))).status).toBe(403);
    expect((await call("/producers", "edge-token")).status).toBe(200);
  });
});

describe("per-token caps", () => {
  test("producer names: past the cap a new name is a 403 counted in /metrics; known names keep working", async () => {
    const { ingest, call } = make({ maxProducersPerToken: 3 });
    for (const p of ["edge", "edge-1", "edge-2"]) expect((await ingest("edge-token", '{"msg":"a"}\n', p)).status).toBe(200);
    const res = await ingest("edge-token", '{"msg":"a"}\n', "edge-3");
    expect(res.status).toBe(403);
    expect((await res.json()).error).toContain("--max-producers-per-token");
    expect((await ingest("edge-token", '{"msg":"a"}\n', "edge-1")).status).toBe(200);
    // the cap is the token's: the other token has its own
    expect((await ingest("other-token", '{"msg":"a"}\n')).status).toBe(200);
    expect(await (await call("/metrics", "edge-token")).text()).toContain('sluice_identity_refused_total{bound="producers"} 1');
  });

  test("categories: one token cannot create files past its cap; later categories go to overflow, nothing is lost", async () => {
    const { ingest, app, dir, lines, call } = make({ maxCategoriesPerToken: 20 });
    const body = Array.from({ length: 2000 }, (_, i) => JSON.stringify({ msg: "m", i, category: `c${i}` })).join("\n");
    expect((await ingest("edge-token", body)).status).toBe(200);
    await app.writer.flush();
    const files = readdirSync(dir).filter((f) => f.endsWith(".ndjson"));
    expect(files.length).toBe(21); // 20 categories + overflow
    const overflow = lines("overflow.ndjson");
    expect(overflow.length).toBe(1980);
    expect(overflow[0]).toMatchObject({ category: "overflow", overflowCategory: "c20", i: 20, producer: "edge" });
    // a known category still goes to its own file
    expect((await ingest("edge-token", '{"msg":"again","category":"c3"}\n')).status).toBe(200);
    await app.writer.flush();
    expect(lines("c3.ndjson").map((r) => r.msg)).toEqual(["m", "again"]);
    expect(await (await call("/metrics", "edge-token")).text()).toContain('sluice_identity_refused_total{bound="categories"} 1980');
  });
});
