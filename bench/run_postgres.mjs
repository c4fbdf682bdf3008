// Issue 20's targets, on Bun (run it with `node_modules/.bin/bun bench/run_postgres.mjs`: it
// uses the tests' PostgreSQL and NATS helpers), against a throwaway PostgreSQL 15 (fsync off,
// as in the tests) and nats-server on loopback:
//   ingest   `sluice serve --postgres` fed by bench/workloads/ingest_load.ts (C loops of
//            1,000-record NDJSON batches, an Idempotency-Key each, T s) against the by-hand
//            floor bench/workloads/postgres_floor.mjs (the same rows with COPY, same driver,
//            C loops); ROUNDS interleaved rounds, medians and the ratio
//   store    the same rows through the store's own path in this process (parse as the collector
//            does, then commitBatches with a key, C loops) against the floor: the store's cost
//            without the collector's HTTP path
//   e2e      `sluice load --target` at RATE records/s for DURATION s through serve --postgres:
//            log call to 2xx (the oldest record of each batch); 2xx is sent after the commit,
//            so each record was queryable by then; first the same through a collector writing
//            files, the anchor
//   consume  BACKLOG_S s of RATE records/s published to JetStream as the collectors publish
//            them, then `sluice consume --postgres` started: time until every row is committed
//            (from its spawn and from its start line); first `sluice consume` to files, the anchor
//   search   ROWS rows over 10 days made with generate_series server-side, then
//            `producer:edge-7 level:>=error` over the last hour (limit 100, and a histogram)
//            through PostgresSearcher: median of 5 after one warm-up
// Env: SERVE_RUNTIME (bun, or node), SERVE_FLAGS (the collector's runtime flags), SERVE_ARGS (more
// `serve` options, e.g. "--commits 3"), T (5), C (8), ROUNDS (3), RATE (10000), DURATION (10), BACKLOG_S (5), ROWS (10000000),
// PARTS (ingest,store,e2e,consume,search).
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { connect } from "@nats-io/transport-node";
import { jetstream, jetstreamManager } from "@nats-io/jetstream";
import postgres from "postgres";
import { startPostgres } from "../tests/helpers/postgres.ts";
import { natsServerPath, startNats } from "../tests/helpers/nats.ts";
import { publishBatch } from "../tests/helpers/consume.ts";
import { ensureStream } from "../jetstream.ts";
import { commitBatches, ensureTable, tableNames } from "../postgres.ts";
import { parseNdjson } from "../lib/format/ndjson_decode.ts";
import { PostgresSearcher } from "../postgres/search.ts";
import { histogramRequest, searchRequest } from "../collector/search/search_input.ts";

const root = new URL("../", import.meta.url).pathname;
const bun = join(root, "node_modules/.bin/bun");
const env = (k, d) => Number(process.env[k] ?? d);
const [T, C, ROUNDS, RATE, DURATION, BACKLOG_S, ROWS] = [env("T", 5), env("C", 8), env("ROUNDS", 3), env("RATE", 10_000), env("DURATION", 10), env("BACKLOG_S", 5), env("ROWS", 10_000_000)];
const PARTS = (process.env.PARTS ?? "ingest,store,e2e,consume,search").split(",");
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const children = [];

/** Runs a command to its end; resolves with its last stdout line parsed as JSON. */
function runJson(cmd, args, extraEnv = {}) {
  return new Promise((resolve, reject) => {
    const p = spawn(cmd, args, { cwd: root, env: { ...process.env, ...extraEnv }, stdio: ["ignore", "pipe", "pipe"] });
    let out = "", err = "";
    p.stdout.on("data", (d) => (out += d));
    p.stderr.on("data", (d) => (err += d));
    p.once("exit", (code) => (code === 0 ? resolve(JSON.parse(out.trim().split("\n").at(-1))) : reject(new Error(`${args.join(" ")} exited ${code}: ${err}${out}`))));
  });
}

/** Starts a child; resolves once `ready` matches its output. */
function start(args, ready, cmd = bun) {
  const proc = spawn(cmd, args, { cwd: root, stdio: ["ignore", "pipe", "pipe"] });
  children.push(proc);
  let out = "";
  return new Promise((resolve, reject) => {
    const look = (d) => {
      out += d;
      const m = ready.exec(out);
      if (m) resolve({ proc, match: m, output: () => out });
    };
    proc.stdout.on("data", look);
    proc.stderr.on("data", look);
    proc.once("exit", (code) => reject(new Error(`${args.join(" ")} exited ${code}: ${out}`)));
  });
}
const stop = async (c) => {
  c.proc.removeAllListeners("exit");
  if (c.proc.exitCode === null && c.proc.signalCode === null) {
    const gone = new Promise((r) => c.proc.once("exit", r));
    c.proc.kill("SIGTERM");
    await gone;
  }
};
// the collector on Bun (cli.ts), or with SERVE_RUNTIME=node on Node as `npm start` runs it (dist/cli.js, built first)
const onNode = process.env.SERVE_RUNTIME === "node";
const serve = (url, table) => start([...(process.env.SERVE_FLAGS ?? "").split(" ").filter(Boolean), onNode ? "dist/cli.js" : "cli.ts", "serve", "--port", "0", "--no-auth", "--dir", mkdtempSync(join(tmpdir(), "sluice-pgbench-")), "--postgres", url, "--table", table, "--rate-limit", "100000000", ...(process.env.SERVE_ARGS ?? "").split(" ").filter(Boolean)], /listening on (http:\/\/[^,\s]+)/, onNode ? "node" : bun);

const pg = await startPostgres();
/** CPU seconds of a process from /proc (its own, and its reaped children's with `children`). */
const cpuOf = (pid, children = false) => {
  try {
    const f = readFileSync(`/proc/${pid}/stat`, "utf8").replace(/^.*\) /s, "").split(" ").map(Number);
    return (f[11] + f[12] + (children ? f[13] + f[14] : 0)) / 100;
  } catch {
    return 0;
  }
};
/** PostgreSQL's CPU seconds so far: the postmaster, its exited backends and the live ones. */
const pgCpu = () => cpuOf(pg.pid(), true) + spawnSync("pgrep", ["-P", String(pg.pid())], { encoding: "utf8" }).stdout.split("\n").filter(Boolean).reduce((s, p) => s + cpuOf(Number(p)), 0);
const sql = postgres(pg.url, { onnotice: () => {} });
// each timed phase starts from the same state: the last phase's rows vacuumed and analyzed and a
// checkpoint taken, so neither side pays for the other's background work
const settle = () => (pg.psql("vacuum analyze"), pg.psql("checkpoint"));
const results = {};
try {
  if (PARTS.includes("ingest")) {
    const floor = [], subject = [];
    const cpu = { floor: [], serve: [] }; // CPU µs per record: [the sender's, the collector's, PostgreSQL's]
    for (let r = 0; r < ROUNDS; r++) {
      const names = tableNames(`floor${r}`);
      await ensureTable(sql, names);
      settle();
      let p0 = pgCpu();
      const fr = await runJson(bun, ["bench/workloads/postgres_floor.mjs"], { URL: pg.url, TABLE: names.name, C, B: 1000, T });
      floor.push(fr.recordsPerSec);
      cpu.floor.push([(fr.cpuSeconds * 1e6) / fr.records, 0, ((pgCpu() - p0) * 1e6) / fr.records]);
      const s = await serve(pg.url, `serve${r}`);
      settle();
      p0 = pgCpu();
      const s0 = cpuOf(s.proc.pid);
      const lr = await runJson(bun, ["bench/workloads/ingest_load.ts"], { URL: `${s.match[1]}/ingest`, KEYS: "1", C, B: 1000, T });
      subject.push(lr.recordsPerSec);
      cpu.serve.push([(lr.cpuSeconds * 1e6) / lr.records, ((cpuOf(s.proc.pid) - s0) * 1e6) / lr.records, ((pgCpu() - p0) * 1e6) / lr.records]);
      await stop(s);
      // the rows each side committed, counted in the table: the floor's and the collector's
      const rows = pg.psql(`select (select count(*) from floor${r}) || ' ' || (select count(*) from serve${r})`);
      console.error(`round ${r + 1}: floor ${floor.at(-1)}/s, serve --postgres ${subject.at(-1)}/s (rows ${rows})`);
    }
    const us = (xs) => [0, 1, 2].map((i) => +median(xs.map((x) => x[i])).toFixed(1));
    const [f, v] = [us(cpu.floor), us(cpu.serve)];
    const sum = (xs) => xs.reduce((a, b) => a + b, 0);
    results.ingest = {
      floorPerSec: floor, servePerSec: subject, medianFloor: median(floor), medianServe: median(subject), ratio: +(median(subject) / median(floor)).toFixed(2),
      // on a shared machine wall time follows the neighbours; CPU per record does not: the ratio of records per CPU second
      cpuUsPerRecord: { floor: { sender: f[0], postgres: f[2] }, serve: { sender: v[0], collector: v[1], postgres: v[2] } },
      cpuRatio: +(sum(f) / sum(v)).toFixed(2),
    };
  }
  if (PARTS.includes("store")) {
    // the store's own path in this process, without HTTP: the workload's body parsed as the
    // collector parses it and committed with commitBatches (a key each, one transaction a
    // batch), C loops, against the floor's script: what the store costs beside the collector
    const body = Array.from({ length: 1000 }, (_, i) => JSON.stringify({ time: new Date().toISOString(), level: "info", msg: "request handled", i, user: "alice", route: "/api/items" }) + "\n").join("");
    const floor = [], store = [];
    const cpu = { floor: [], store: [] }; // [JS µs, PostgreSQL µs] per record
    for (let r = 0; r < ROUNDS; r++) {
      const f = tableNames(`sfloor${r}`), s = tableNames(`sstore${r}`);
      await ensureTable(sql, f);
      await ensureTable(sql, s);
      settle();
      let p0 = pgCpu();
      const fr = await runJson(bun, ["bench/workloads/postgres_floor.mjs"], { URL: pg.url, TABLE: f.name, C, B: 1000, T });
      floor.push(fr.recordsPerSec);
      cpu.floor.push([(fr.cpuSeconds * 1e6) / fr.records, ((pgCpu() - p0) * 1e6) / fr.records]);
      let n = 0;
      settle();
      p0 = pgCpu();
      const c0 = process.cpuUsage();
      const end = Date.now() + T * 1000;
      await Promise.all(Array.from({ length: C }, async () => {
        while (Date.now() < end) {
          const { records } = parseNdjson(body, "edge", 1 << 20, false, {});
          await commitBatches(sql, s, [{ records, key: { token: "bench", hash: crypto.randomUUID() } }]);
          n += records.length;
        }
      }));
      store.push(Math.round(n / T));
      const c1 = process.cpuUsage(c0);
      cpu.store.push([(c1.user + c1.system) / n, ((pgCpu() - p0) * 1e6) / n]);
      console.error(`store round ${r + 1}: floor ${floor.at(-1)}/s, parse + commitBatches ${store.at(-1)}/s`);
    }
    const us = (xs, i) => +median(xs.map((x) => x[i])).toFixed(1);
    results.store = { floorPerSec: floor, storePerSec: store, ratio: +(median(store) / median(floor)).toFixed(2), cpuUsPerRecord: { floorJs: us(cpu.floor, 0), floorPostgres: us(cpu.floor, 1), storeJs: us(cpu.store, 0), storePostgres: us(cpu.store, 1) } };
  }
  if (PARTS.includes("e2e")) {
    // the anchor first: the same load through a collector writing files, in the same session
    const load = async (s) => (await runJson(bun, ["cli.ts", "load", "--target", `${s.match[1]}/ingest`, "--json", "--events", `a=${RATE}`, "--duration", `${DURATION}s`])).endToEndMs;
    const files = await start(["cli.ts", "serve", "--port", "0", "--no-auth", "--dir", mkdtempSync(join(tmpdir(), "sluice-pgbench-"))], /listening on (http:\/\/[^,\s]+)/);
    const anchor = await load(files);
    await stop(files);
    const s = await serve(pg.url, "e2e");
    const report = await load(s);
    await stop(s);
    results.e2e = { rate: RATE, rows: Number(pg.psql("select count(*) from e2e")), p50ms: report.p50, p99ms: report.p99, maxMs: report.max, filesP50ms: anchor.p50, filesP99ms: anchor.p99 };
  }
  if (PARTS.includes("consume") && natsServerPath) {
    const nats = await startNats();
    try {
      const nc = await connect({ servers: nats.url });
      await ensureStream(await jetstreamManager(nc), { name: "BENCH" });
      const js = jetstream(nc);
      const n = RATE * BACKLOG_S;
      for (let from = 0; from < n; from += 1000) await publishBatch(js, "sluice.bench", from, 1000);
      // the anchor first: the same backlog written to files by sluice consume (its own durable)
      const dir = mkdtempSync(join(tmpdir(), "sluice-pgbench-"));
      const lines = () => readdirSync(dir).filter((f) => f.endsWith(".ndjson")).reduce((k, f) => k + readFileSync(join(dir, f), "utf8").split("\n").length - 1, 0);
      const timed = async (args, count) => {
        const t0 = performance.now();
        const c = await start(["cli.ts", "consume", "--jetstream", nats.url, "--stream", "BENCH", ...args], /sluice consume: consumer \S+ on stream/);
        const t1 = performance.now();
        while (count() < n) await sleep(20);
        const t2 = performance.now();
        await stop(c);
        return { fromStartMs: Math.round(t2 - t0), fromReadyMs: Math.round(t2 - t1) };
      };
      const files = await timed(["--name", "files", "--dir", dir], lines);
      const table = await timed(["--name", "pg", "--postgres", pg.url, "--table", "consumed", "--dir", dir], () => Number(pg.psql("select count(*) from consumed")));
      await nc.close();
      results.consume = { backlogRecords: n, ...table, filesFromStartMs: files.fromStartMs, filesFromReadyMs: files.fromReadyMs };
    } finally {
      await nats.stop();
    }
  }
  if (PARTS.includes("search")) {
    const names = tableNames("big");
    await ensureTable(sql, names);
    const g0 = performance.now();
    await sql.unsafe(`insert into big (time, level, category, producer, msg, record)
      select t, lv, 'http', prod, 'request handled', jsonb_build_object('time', to_char(t at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'), 'level', lv, 'category', 'http', 'msg', 'request handled', 'producer', prod, 'i', g, 'route', '/api/items', 'ms', g % 1000)
      from (select g, now() - g * (interval '10 days' / $1::int) as t, (array['trace','debug','info','warn','error','fatal'])[1 + g % 6] as lv, 'edge-' || (g % 100) as prod from generate_series(1, $1::int) g) s`, [ROWS]);
    await sql.unsafe("analyze big");
    const genS = +((performance.now() - g0) / 1000).toFixed(1);
    const searcher = new PostgresSearcher(sql, names);
    const q = "producer:edge-7 level:>=error";
    const timeIt = async (f) => {
      await f();
      const ms = [];
      for (let i = 0; i < 5; i++) {
        const t = performance.now();
        await f();
        ms.push(performance.now() - t);
      }
      return +median(ms).toFixed(1);
    };
    let hits = 0;
    const searchMs = await timeIt(async () => (hits = (await searcher.search(searchRequest({ q, from: "1h", limit: "100" }, Date.now()))).lines.length));
    const allMs = await timeIt(async () => (hits = (await searcher.search(searchRequest({ q, from: "1h", limit: "1000" }, Date.now()))).lines.length));
    const histMs = await timeIt(() => searcher.histogram(histogramRequest({ q, from: "1h", buckets: "60" }, Date.now())));
    results.search = { rows: ROWS, generateS: genS, query: q, lastHourLimit100Ms: searchMs, lastHourAllMs: allMs, hitsInHour: hits, histogramMs: histMs };
  }
} finally {
  for (const p of children) if (p.exitCode === null && p.signalCode === null) p.kill("SIGKILL");
  await sql.end();
  await pg.stop();
}
console.log(JSON.stringify(results, null, 2));
