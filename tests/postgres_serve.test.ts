// `sluice serve --postgres` against a real PostgreSQL (a throwaway cluster): a request is
// answered 2xx only once committed, a retried Idempotency-Key is `duplicate: true` and written
// once, text jsonb refuses is stored escaped (never a 5xx); PostgreSQL SIGKILLed mid-load is 503
// + Retry-After and /readyz 503 with the reason, then every record once; a collector started
// while PostgreSQL is away listens and answers 503 until it is reached; a table that differs
// stops the start; the collector SIGKILLed repeatedly while a spooled httpSink producer sends:
// every record in the table once. Counted against the table.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import fc from "fast-check";
import { createLogger, httpSink } from "../mod.ts";
import { anyCase } from "./helpers/bad_bodies.ts";
import { freePort, type PostgresServer, postgresSuitesRun, startPostgres } from "./helpers/postgres.ts";
import { exited, type ServeProcess, serveRuntimes, startServe } from "./helpers/serve_process.ts";

const run = postgresSuitesRun("postgres serve suite (tests/postgres_serve.test.ts)");
const bun = serveRuntimes[0][1];
const root = new URL("..", import.meta.url).pathname;
const TOKEN = "pg-t0ken";
const work = mkdtempSync(join(tmpdir(), "sluice-pg-serve-"));
const tokens = join(work, "tokens");
const READ = "pg-r34d";
writeFileSync(tokens, `edge:${TOKEN}\nreader:${READ}:role=read\n`);

async function until(what: string, ok: () => Promise<boolean> | boolean, ms = 30_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await ok())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const ingest = (url: string, body: string, key?: string) => fetch(`${url}/ingest`, {
  method: "POST",
  body,
  headers: { authorization: `Bearer ${TOKEN}`, "content-type": "application/x-ndjson", ...(key ? { "idempotency-key": key } : {}) },
});

test("the PostgreSQL flags fail in one line, before anything starts", () => {
  const cli = (...args: string[]) => spawnSync(bun[0], [...bun.slice(1), ...args], { encoding: "utf8", timeout: 20_000 });
  const serve = (...args: string[]) => cli("serve", "--port", "0", "--no-auth", "--dir", work, ...args);
  const cases: [string[], string][] = [
    [["--table", "logs"], "sluice serve: --table goes with --postgres URL"],
    [["--retention", "14d"], "sluice serve: --retention goes with --postgres URL"],
    [["--commits", "2"], "sluice serve: --commits goes with --postgres URL"],
    [["--postgres", "postgres://x@127.0.0.1:1/db", "--commits", "0"], 'sluice serve: --commits must be a whole number from 1 to 4, got "0"'],
    [["--postgres", "postgres://x@127.0.0.1:1/db", "--commits", "5"], 'sluice serve: --commits must be a whole number from 1 to 4, got "5"'],
    [["--postgres", "postgres://x@127.0.0.1:1/db", "--retention", "fortnight"], "sluice serve: --retention"],
    [["--postgres", "mysql://x@127.0.0.1/db"], 'sluice: --postgres must be a URL such as postgres://user@127.0.0.1:5432/db, got "mysql://x@127.0.0.1/db"'],
    [["--postgres", "postgres://x@127.0.0.1:1/db", "--jetstream", "nats://127.0.0.1:4222"], "sluice serve: --postgres and --jetstream are two stores; pick one"],
  ];
  for (const [args, message] of cases) {
    const r = serve(...args);
    expect({ args, status: r.status, starts: r.stderr.trim().startsWith(message), lines: r.stderr.trim().split("\n").length }).toEqual({ args, status: 1, starts: true, lines: 1 });
  }
  const consume = cli("consume", "--jetstream", "nats://127.0.0.1:1", "--table", "logs");
  expect([consume.status, consume.stderr.trim()]).toEqual([1, "sluice consume: --table goes with --postgres URL"]);
  const help = cli("serve", "--help").stdout + cli("consume", "--help").stdout + cli("search", "--help").stdout;
  for (const f of ["--postgres URL", "--table NAME", "--retention DURATION", "--write-timeout", "--commits N"]) expect(help).toContain(f);
}, 60_000);

describe.skipIf(!run)("sluice serve --postgres against a real PostgreSQL", () => {
  let pg: PostgresServer;
  const started: ServeProcess[] = [];
  const serveOn = async (table: string, extra: string[] = []) => {
    const s = await startServe(bun, join(work, "logs"), ["--tokens", tokens, "--postgres", pg.url, "--table", table, ...extra]);
    started.push(s);
    return s;
  };
  /** How many times each `i` is in the table. */
  const counts = (table: string) => new Map(pg.psql(`select record->>'i', count(*) from ${table} where record ? 'i' group by 1`).split("\n").filter(Boolean).map((l) => l.split("|")).map(([i, n]) => [Number(i), Number(n)]));
  const expectOnce = (table: string, n: number) => {
    const seen = counts(table);
    const missing = Array.from({ length: n }, (_, i) => i).filter((i) => !seen.has(i));
    const doubled = [...seen].filter(([, c]) => c !== 1);
    expect({ missing: missing.length, doubled: doubled.length, rows: seen.size }).toEqual({ missing: 0, doubled: 0, rows: n });
  };
  beforeAll(async () => {
    pg = await startPostgres();
  }, 60_000);
  afterAll(async () => {
    for (const s of started) s.proc.kill("SIGKILL");
    await pg?.stop();
  });

  test("2xx after the commit; a retried Idempotency-Key is duplicate: true and written once; NUL and lone surrogates are stored escaped, never a 5xx; /metrics counts", async () => {
    const s = await serveOn("t_serve");
    expect(s.output()).toContain("storing in PostgreSQL table t_serve");
    const body = '{"msg":"one","i":0}\n{"msg":"two","i":1,"level":"warn","category":"http"}\n';
    const first = await ingest(s.url, body, "k1");
    expect([first.status, await first.json()]).toEqual([200, { accepted: 2, rejected: 0, errors: [] }]);
    expect(pg.psql("select count(*) from t_serve where producer = 'edge'")).toBe("2");
    const again = await ingest(s.url, body, "k1");
    expect([again.status, await again.json()]).toEqual([200, { accepted: 2, rejected: 0, errors: [], duplicate: true }]);
    expect(pg.psql("select count(*) from t_serve")).toBe("2");
    // lines in sluice's own form, for one category, are taken as sent: the producer column is the caller's, as in the record
    const own = ['{"time":"2026-01-02T03:04:05.006Z","level":"info","category":"db","msg":"as sent","i":10}', '{"time":"2026-01-02T03:04:05.007Z","level":"error","category":"db","msg":"as sent","i":11}'].join("\n") + "\n";
    const sent = await ingest(s.url, own, "k-own");
    expect([sent.status, (await sent.json()).accepted]).toEqual([200, 2]);
    expect(pg.psql("select string_agg(producer || '/' || (record->>'producer') || '/' || coalesce(category, '-'), ',' order by record->>'i') from t_serve where msg = 'as sent'")).toBe("edge/edge/db,edge/edge/db");
    pg.psql("delete from t_serve where msg = 'as sent'");
    const hostile = '{"msg":"nul\\u0000 here","i":2,"\\u0000key":"\\ud800"}\n{"msg":"\\udfff","i":3,"category":"a\\u0000b"}\n';
    const h = await ingest(s.url, hostile, "k2");
    expect([h.status, (await h.json()).accepted]).toEqual([200, 2]);
    expect(pg.psql("select msg || '|' || (record->>'\\u0000key') from t_serve where record->>'i' = '2'")).toBe("nul\\u0000 here|\ufffd");
    expect(pg.psql("select category || '|' || msg from t_serve where record->>'i' = '3'")).toBe("a\\u0000b|\ufffd");
    const metrics = await (await fetch(`${s.url}/metrics`, { headers: { authorization: `Bearer ${TOKEN}` } })).text();
    expect(metrics).toContain('sluice_postgres_commits_total{result="written"} 3');
    expect(metrics).toContain('sluice_postgres_commits_total{result="duplicate"} 1');
    expect(metrics).toContain("sluice_postgres_connected 1");
    expect(metrics).toMatch(/sluice_postgres_commit_latency_ms_count \d+/);
    // read back from the table: /api/search and /api/histogram (read token), and sluice search --postgres
    const read = (path: string, token = READ) => fetch(`${s.url}${path}`, { headers: { authorization: `Bearer ${token}` } });
    const found = await read(`/api/search?q=${encodeURIComponent("level:>=warn OR i:>=2")}`);
    expect(found.status).toBe(200);
    expect((await found.text()).trim().split("\n").map((l) => JSON.parse(l).i)).toEqual([3, 2, 1]);
    expect((await read("/api/search?q=i:1", TOKEN)).status).toBe(403);
    expect((await read("/api/search?q=" + encodeURIComponent("i:>"))).status).toBe(400);
    const hist = await (await read(`/api/histogram?q=i:*&from=1h&buckets=4`)).json();
    expect(hist.buckets.reduce((n: number, b: { count: number }) => n + b.count, 0)).toBe(4);
    const cli = spawnSync(bun[0], [...bun.slice(1), "search", "--postgres", pg.url, "--table", "t_serve", "--json", "category:http"], { encoding: "utf8", timeout: 20_000 });
    expect([cli.status, cli.stdout.trim().split("\n").map((l) => JSON.parse(l).msg)]).toEqual([0, ["two"]]);
    s.proc.kill("SIGTERM");
    expect(await exited(s.proc)).toBe(0);
  }, 30_000);

  test("hostile categories, field names, bodies and queries are stored as data or refused with a 4xx, never a 5xx (seeded fuzz, counted against the table)", async () => {
    const s = await serveOn("t_hostile");
    const nasty = fc.oneof(fc.constantFrom("'", '"', "\\", "$1", "$$", "\0", "\ud800", "'); drop table t_hostile; --", "%", "_", "\t\n", "x".repeat(10_240), "é\u0000\udfff"), fc.string({ unit: "binary", maxLength: 30 }));
    const line = fc.tuple(nasty, nasty, nasty, nasty).map(([category, key, value, msg]) => JSON.stringify({ msg, category, [key]: value, level: "warn" }));
    let accepted = 0;
    const post = async (body: Uint8Array | string, type: string, gzip: boolean, path = "/ingest") => {
      const res = await fetch(`${s.url}${path}`, { method: "POST", body, headers: { authorization: `Bearer ${TOKEN}`, "content-type": type, ...(gzip ? { "content-encoding": "gzip" } : {}) } });
      const text = await res.text();
      expect({ status: res.status < 500 ? "not 5xx" : res.status, text: res.status < 500 ? "" : text }).toEqual({ status: "not 5xx", text: "" });
      if (res.status === 200 && path === "/ingest") accepted += JSON.parse(text).duplicate ? 0 : JSON.parse(text).accepted;
      return res.status;
    };
    await fc.assert(fc.asyncProperty(fc.array(line, { minLength: 1, maxLength: 6 }), fc.boolean(), async (lines, gzip) => {
      const text = lines.join("\n") + "\n";
      expect(await post(gzip ? gzipSync(text) : text, "application/x-ndjson", gzip)).toBe(200);
    }), { seed: 20, numRuns: 40 });
    await fc.assert(fc.asyncProperty(anyCase, async (c) => {
      await post(c.body, c.type, c.gzip, c.path);
    }), { seed: 20, numRuns: 100 });
    // bytes that are not UTF-8, gzipped: 400
    expect(await post(gzipSync(new Uint8Array([0x7b, 0xff, 0xfe, 0x7d, 0x0a])), "application/x-ndjson", true)).toBe(400);
    const rows = Number(pg.psql("select count(*) from t_hostile where producer = 'edge'"));
    expect(rows).toBe(accepted);
    // hostile queries: 200 or a 4xx, never a database error
    await fc.assert(fc.asyncProperty(fc.array(fc.oneof(nasty, fc.constantFrom(":", ":>", ":*", "(", ")", " OR ", "-", "level:>=", "err.x:")), { maxLength: 8 }), async (parts) => {
      // percent-encoded UTF-8 bytes (a lone surrogate is sent as U+FFFD, as a browser would)
      const q = [...new TextEncoder().encode(parts.join(""))].map((b) => "%" + b.toString(16).padStart(2, "0")).join("");
      const res = await fetch(`${s.url}/api/search?q=${q}&limit=5`, { headers: { authorization: `Bearer ${READ}` } });
      await res.arrayBuffer();
      expect(res.status).toBeLessThan(500); // 200, 400, or 431 for a URL past the server's limit
    }), { seed: 20, numRuns: 80 });
    s.proc.kill("SIGTERM");
    await exited(s.proc);
  }, 90_000);

  for (const [name, cmd] of serveRuntimes.slice(1)) {
    test(`on ${name}: serve --postgres commits and answers a retry duplicate; postgresSink writes from a ${name} process`, async () => {
      const table = `t_${name}`;
      const s = await startServe(cmd, join(work, "logs"), ["--tokens", tokens, "--postgres", pg.url, "--table", table]);
      started.push(s);
      const body = '{"msg":"a","i":0}\n{"msg":"b","i":1}\n';
      expect((await (await ingest(s.url, body, "r1")).json()).accepted).toBe(2);
      expect((await (await ingest(s.url, body, "r1")).json()).duplicate).toBe(true);
      s.proc.kill("SIGTERM");
      expect(await exited(s.proc)).toBe(0);
      const entry = name === "node" ? "./dist/postgres.js" : "./postgres.ts";
      const mod = name === "node" ? "./dist/mod.js" : "./mod.ts";
      const script = `import { createLogger } from "${mod}"; import { postgresSink } from "${entry}";
        const log = createLogger({ sinks: [postgresSink(${JSON.stringify(pg.url)}, { table: "${table}" })] });
        for (let i = 2; i < 102; i++) log.info("s", { i });
        await log.close(); console.log(JSON.stringify(log.stats().dropped));`;
      const args = name === "node" ? [cmd[0], "--input-type=module", "-e", script] : [cmd[0], "eval", "--config", join(root, "deno.json"), script];
      const r = spawnSync(args[0], args.slice(1), { cwd: root, encoding: "utf8", timeout: 30_000 });
      expect([r.status, r.stdout.trim(), r.stderr]).toEqual([0, "{}", ""]);
      expectOnce(table, 102);
    }, 60_000);
  }

  test("PostgreSQL SIGKILLed and restarted mid-load: 503 + Retry-After and /readyz 503 with the reason while away, then every record once", async () => {
    const s = await serveOn("t_crash", ["--write-timeout", "2s", "--commits", "4"]); // the most at once: the crash finds several transactions open
    const spool = mkdtempSync(join(work, "spool-crash-"));
    const log = createLogger({
      sinks: [httpSink(`${s.url}/ingest`, { token: TOKEN, spool, spoolRetryMs: 100, batch: { maxRecords: 50, maxAgeMs: 5 }, retry: { maxAttempts: 2, baseDelayMs: 20, maxDelayMs: 100 } })],
      onError: () => {},
    });
    const N = 6000;
    let i = 0;
    const produce = async (to: number) => {
      while (i < to) {
        for (let k = 0; k < 50 && i < to; k++) log.info("r", { i: i++ });
        await new Promise((r) => setTimeout(r, 5));
      }
    };
    await produce(2000);
    await pg.down();
    const refused = await ingest(s.url, '{"msg":"while away"}\n', "away-1").catch((err) => {
      throw new Error(`the collector is gone (${err}):\n${s.output()}`);
    });
    expect(refused.status).toBe(503);
    expect(refused.headers.get("retry-after")).toBe("2");
    const ready = await fetch(`${s.url}/readyz`);
    expect(ready.status).toBe(503);
    expect((await ready.json()).reason).toMatch(/^PostgreSQL at postgres:\/\/postgres@127\.0\.0\.1:\d+\/postgres (is away|failed a commit)/);
    await produce(4000);
    await pg.up();
    await until("/readyz 200 again", async () => (await fetch(`${s.url}/readyz`)).status === 200);
    await produce(N);
    await log.flush();
    await until("every record in the table", () => counts("t_crash").size >= N, 60_000);
    await log.close();
    expectOnce("t_crash", N);
    const metrics = await (await fetch(`${s.url}/metrics`, { headers: { authorization: `Bearer ${TOKEN}` } })).text();
    expect(Number(/sluice_postgres_failures_total (\d+)/.exec(metrics)?.[1])).toBeGreaterThan(0);
    s.proc.kill("SIGTERM");
    await exited(s.proc);
  }, 90_000);

  test("PostgreSQL slower than --write-timeout (every process SIGSTOPped): 503 + Retry-After, the next request refused at once while it is away; each retry once it answers is written once", async () => {
    const s = await serveOn("t_slow", ["--write-timeout", "3s"]);
    const body = '{"msg":"slow","i":0}\n';
    try {
      pg.signal("SIGSTOP");
      const t = Date.now();
      const slow = await ingest(s.url, body, "slow-1");
      expect([slow.status, slow.headers.get("retry-after")]).toEqual([503, "2"]);
      expect((await slow.json()).error).toContain("no commit within 3000 ms");
      expect(Date.now() - t).toBeLessThan(8000);
      // while it is away the next request is refused at once, not queued behind the stopped commit
      const t2 = Date.now();
      const next = await ingest(s.url, '{"msg":"slow","i":1}\n', "slow-2");
      expect([next.status, next.headers.get("retry-after")]).toEqual([503, "2"]);
      expect((await next.json()).error).toMatch(/failed a commit|is away/);
      expect(Date.now() - t2).toBeLessThan(2000); // not the 3 s write timeout
    } finally {
      pg.signal("SIGCONT");
    }
    // the stopped commit may have gone through once PostgreSQL resumed: the retry is then a duplicate
    await until("the retry is answered 200", async () => (await ingest(s.url, body, "slow-1")).status === 200, 20_000);
    await until("the second is answered 200", async () => (await ingest(s.url, '{"msg":"slow","i":1}\n', "slow-2")).status === 200, 20_000);
    expectOnce("t_slow", 2);
    s.proc.kill("SIGTERM");
    await exited(s.proc);
  }, 60_000);

  test("PostgreSQL answering but refusing every write (a trigger): 503, /readyz stays 503 (it is probed with a write, not select 1), then 200 once writes work; the retry is written once", async () => {
    const s = await serveOn("t_refuse");
    const body = '{"msg":"refused","i":0}\n';
    pg.psql("create function t_refuse_no() returns trigger language plpgsql as $$ begin raise exception 'writes refused for the test'; end $$");
    pg.psql("create trigger t_refuse_no before insert on t_refuse for each row execute function t_refuse_no()");
    try {
      const refused = await ingest(s.url, body, "refuse-1");
      expect(refused.status).toBe(503);
      expect((await refused.json()).error).toContain("writes refused for the test");
      // select 1 would have let writes in again after a second; the write probe keeps it away
      await new Promise((r) => setTimeout(r, 3000));
      const ready = await fetch(`${s.url}/readyz`);
      expect([ready.status, (await ready.json()).reason]).toEqual([503, expect.stringContaining("writes refused for the test")]);
    } finally {
      pg.psql("drop function t_refuse_no() cascade");
    }
    await until("/readyz 200 once writes work", async () => (await fetch(`${s.url}/readyz`)).status === 200, 15_000);
    expect((await ingest(s.url, body, "refuse-1")).status).toBe(200);
    expectOnce("t_refuse", 1);
    expect(pg.psql("select count(*) from t_refuse where msg = 'probe'")).toBe("0");
    s.proc.kill("SIGTERM");
    await exited(s.proc);
  }, 60_000);

  test("PostgreSQL whose commits wait for a synchronous standby that is down: 503, /readyz stays 503 (the probe commits, its writes rolled back to a savepoint: a plain rollback would pass), then 200 once commits end; the retry is written once and the probes leave no row", async () => {
    const s = await serveOn("t_standby", ["--write-timeout", "2s"]);
    const body = '{"msg":"standby","i":0}\n';
    pg.psql("alter system set synchronous_standby_names = 'absent_standby'");
    pg.psql("select pg_reload_conf()");
    try {
      const waited = await ingest(s.url, body, "standby-1");
      expect([waited.status, waited.headers.get("retry-after")]).toEqual([503, "2"]);
      expect((await waited.json()).error).toContain("no commit within 2000 ms");
      // a probe rolled back ends at once, so /readyz would be 200 a second later; a committed one waits too
      await new Promise((r) => setTimeout(r, 4000));
      const ready = await fetch(`${s.url}/readyz`);
      expect([ready.status, (await ready.json()).reason]).toEqual([503, expect.stringContaining("is away")]);
    } finally {
      pg.psql("alter system reset synchronous_standby_names");
      pg.psql("select pg_reload_conf()");
    }
    await until("/readyz 200 once commits end", async () => (await fetch(`${s.url}/readyz`)).status === 200, 15_000);
    // the commit that waited went through once the standby was no longer waited for: the retry is then a duplicate
    expect((await ingest(s.url, body, "standby-1")).status).toBe(200);
    expectOnce("t_standby", 1);
    expect(pg.psql("select count(*) from t_standby where msg = 'probe'")).toBe("0");
    expect(pg.psql("select count(*) from t_standby_keys where token = 'sluice' and hash = 'probe'")).toBe("0");
    s.proc.kill("SIGTERM");
    await exited(s.proc);
  }, 60_000);

  test("a record PostgreSQL refuses for what it holds (a number jsonb cannot hold) is 422 for its request alone: /readyz stays 200, a request beside it and the next are written", async () => {
    const s = await serveOn("t_data");
    const [bad, beside] = await Promise.all([
      // in sluice's own form, so its line is kept as sent, number and all
      ingest(s.url, `{"time":"${new Date().toISOString()}","level":"info","msg":"huge","n":1e200000}\n`, "data-1"),
      ingest(s.url, '{"msg":"fine","i":0}\n', "data-2"),
    ]);
    const badBody = await bad.text();
    expect([bad.status, badBody]).toEqual([422, expect.stringContaining("PostgreSQL refused a record")]);
    expect(beside.status).toBe(200);
    expect((await fetch(`${s.url}/readyz`)).status).toBe(200);
    expect((await ingest(s.url, '{"msg":"next","i":1}\n', "data-3")).status).toBe(200);
    expectOnce("t_data", 2);
    s.proc.kill("SIGTERM");
    await exited(s.proc);
  }, 60_000);

  test("PostgreSQL SIGKILLed while no request comes: /readyz turns 503 with the reason by itself, then 200 once it is back", async () => {
    const s = await serveOn("t_idle");
    try {
      expect((await fetch(`${s.url}/readyz`)).status).toBe(200);
      await pg.down();
      await until("/readyz 503 without a request", async () => (await fetch(`${s.url}/readyz`)).status === 503, 15_000);
      const ready = await fetch(`${s.url}/readyz`);
      expect([ready.headers.get("retry-after"), (await ready.json()).reason]).toEqual(["2", expect.stringMatching(/^PostgreSQL at postgres:\/\/postgres@127\.0\.0\.1:\d+\/postgres is away: /)]);
    } finally {
      await pg.up();
    }
    await until("/readyz 200 again", async () => (await fetch(`${s.url}/readyz`)).status === 200, 15_000);
    s.proc.kill("SIGTERM");
    await exited(s.proc);
  }, 60_000);

  test("started while PostgreSQL is away: it listens, answers 503 with the reason, and takes records once PostgreSQL is up", async () => {
    await pg.down();
    const s = await serveOn("t_late").catch(async (err) => {
      await pg.up();
      throw err;
    });
    expect(s.output()).toMatch(/storing in PostgreSQL table t_late \(PostgreSQL at .* is away: .*; answering 503 until it is reached\)/);
    const r = await ingest(s.url, '{"msg":"early","i":0}\n', "e1");
    expect([r.status, r.headers.get("retry-after")]).toEqual([503, "2"]);
    expect((await r.json()).error).toMatch(/is away/);
    expect((await fetch(`${s.url}/readyz`)).status).toBe(503);
    await pg.up();
    await until("the table is made and /readyz is 200", async () => (await fetch(`${s.url}/readyz`)).status === 200);
    const ok = await ingest(s.url, '{"msg":"early","i":0}\n', "e1");
    expect(ok.status).toBe(200);
    expectOnce("t_late", 1);
    s.proc.kill("SIGTERM");
    await exited(s.proc);
  }, 60_000);

  test("a table that differs from sluice's stops the start with what differs, and is left unchanged", async () => {
    pg.psql("create table t_other (time timestamptz not null, level text not null, category text, producer text, msg text, record jsonb not null)");
    await expect(startServe(bun, join(work, "logs"), ["--tokens", tokens, "--postgres", pg.url, "--table", "t_other"])).rejects.toThrow(/exited 1: sluice: the table t_other at postgres:\/\/postgres@127\.0\.0\.1:\d+\/postgres is not as sluice makes it \(left unchanged; sluice postgres init says the same\): it is not partitioned by range on time/);
    expect(pg.psql("select count(*) from pg_inherits where inhparent = 't_other'::regclass")).toBe("0");
  }, 30_000);

  test("the collector SIGKILLed 5 times while a spooled httpSink producer sends: every record in the table once", async () => {
    const port = await freePort();
    const args = ["--port", String(port)];
    let s = await serveOn("t_kill", args);
    const spool = mkdtempSync(join(work, "spool-kill-"));
    const log = createLogger({
      sinks: [httpSink(`${s.url}/ingest`, { token: TOKEN, spool, spoolRetryMs: 100, batch: { maxRecords: 100, maxAgeMs: 5 }, retry: { maxAttempts: 2, baseDelayMs: 20, maxDelayMs: 100 } })],
      onError: () => {},
    });
    // 10,000 in npm test; SLUICE_PG_KILL_RECORDS=50000 for the full run (bench/README.md)
    const N = Number(process.env.SLUICE_PG_KILL_RECORDS ?? 10_000);
    let i = 0;
    const produce = async (to: number) => {
      while (i < to) {
        for (let k = 0; k < 100 && i < to; k++) log.info("r", { i: i++ });
        await new Promise((r) => setTimeout(r, 3));
      }
    };
    for (let kill = 1; kill <= 5; kill++) {
      await produce(Math.floor((N * kill) / 6));
      s.proc.kill("SIGKILL");
      await exited(s.proc);
      await produce(Math.floor((N * kill) / 6 + N / 24)); // sent while it is down: they wait in the spool
      s = await serveOn("t_kill", args);
    }
    await produce(N);
    await log.flush();
    await until("every record in the table", () => counts("t_kill").size >= N, 60_000 + N);
    await log.close();
    expectOnce("t_kill", N);
    s.proc.kill("SIGTERM");
    await exited(s.proc);
  }, 120_000 + Number(process.env.SLUICE_PG_KILL_RECORDS ?? 0) * 4);
});
