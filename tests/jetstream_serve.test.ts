// Publishing to JetStream against a real nats-server: two `sluice serve --jetstream` processes
// with httpSink producers alternating between them store every record exactly once (read back
// from the stream); a batch retried to the other collector is stored once; JetStream stalled
// past --publish-timeout is a 503 and the batch resent stored once; with JetStream down
// producers get 503 + Retry-After and their spools hold everything until it returns; the
// collector's flags fail in one line; jetstreamSink retries keep their msgID.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { jetstreamSink } from "../jetstream.ts";
import { createLogger, httpSink } from "../mod.ts";
import { natsSuitesRun, type NatsServer, startNats, storedIds } from "./helpers/nats.ts";
import { exited, type ServeProcess, serveRuntimes, startServe } from "./helpers/serve_process.ts";

const run = natsSuitesRun("jetstream serve suite (tests/jetstream_serve.test.ts)");
const bun = serveRuntimes[0][1];

async function until(what: string, ok: () => Promise<boolean> | boolean, ms = 20_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await ok())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** SIGSTOPs a process and waits until the kernel shows it stopped (`T` in /proc/PID/stat): the signal is delivered asynchronously, and a request sent at once could still be answered. */
async function stopped(pid: number): Promise<void> {
  process.kill(pid, "SIGSTOP");
  const end = Date.now() + 5000;
  while (readFileSync(`/proc/${pid}/stat`, "utf8").replace(/^.*\) /s, "")[0] !== "T") {
    if (Date.now() > end) throw new Error(`process ${pid} did not stop within 5 s of SIGSTOP`);
    await new Promise((r) => setTimeout(r, 5));
  }
}
test("sluice serve --jetstream: a bad URL or a stray --stream is a one-line error, and nothing starts", () => {
  const cli = (...args: string[]) => spawnSync(bun[0], [...bun.slice(1), "serve", "--port", "0", "--no-auth", "--dir", mkdtempSync(join(tmpdir(), "sluice-js-")), ...args], { encoding: "utf8", timeout: 20_000 });
  const bad = cli("--jetstream", "http://x/y");
  expect([bad.status, bad.stderr.trim()]).toEqual([1, 'sluice serve: --jetstream must be a NATS URL such as nats://127.0.0.1:4222, got "http://x/y"']);
  const stray = cli("--stream", "LOGS");
  expect([stray.status, stray.stderr.trim()]).toEqual([1, "sluice serve: --stream goes with --jetstream URL"]);
  const help = spawnSync(bun[0], [...bun.slice(1), "serve", "--help"], { encoding: "utf8" });
  for (const f of ["--jetstream URL", "--stream NAME", "--publish-timeout"]) expect(help.stdout).toContain(f);
});

describe.skipIf(!run)("sluice serve --jetstream against nats-server", () => {
  let nats: NatsServer;
  let nc: NatsConnection;
  const collectors: ServeProcess[] = [];
  beforeAll(async () => {
    nats = await startNats();
    nc = await connect({ servers: nats.url, maxReconnectAttempts: -1, reconnectTimeWait: 100 });
  });
  afterAll(async () => {
    for (const c of collectors) c.proc.kill("SIGKILL");
    await nc?.close();
    await nats?.stop();
  });

  test("a server that is not there is a one-line error", () => {
    const r = spawnSync(bun[0], [...bun.slice(1), "serve", "--port", "0", "--no-auth", "--dir", mkdtempSync(join(tmpdir(), "sluice-js-")), "--jetstream", "nats://127.0.0.1:1"], { encoding: "utf8", timeout: 20_000 });
    expect(r.status).toBe(1);
    expect(r.stderr.trim().split("\n")).toHaveLength(1);
    expect(r.stderr).toMatch(/^sluice serve: cannot use JetStream stream LOGS at nats:\/\/127.0.0.1:1: /);
  });

  test("two collectors, producers alternating, a retried batch, JetStream down and back: every record stored exactly once", async () => {
    const args = ["--no-auth", "--jetstream", nats.url, "--stream", "SERVE", "--publish-timeout", "1s"];
    collectors.push(await startServe(bun, mkdtempSync(join(tmpdir(), "sluice-js-a-")), args));
    collectors.push(await startServe(bun, mkdtempSync(join(tmpdir(), "sluice-js-b-")), args));
    expect(collectors[0].output()).toContain("created JetStream stream SERVE");
    const [a, b] = collectors.map((c) => c.url);

    // four producers, two on each collector, their batches interleaved
    const spools = [0, 1, 2, 3].map(() => mkdtempSync(join(tmpdir(), "sluice-js-spool-")));
    const loggers = spools.map((spool, i) => createLogger({
      sinks: [httpSink(`${i % 2 ? b : a}/ingest`, { producer: `p${i}`, spool, spoolRetryMs: 100, retry: { maxAttempts: 2, baseDelayMs: 5, maxDelayMs: 50 }, batch: { maxRecords: 25, maxAgeMs: 10 } })],
    }));
    for (let k = 0; k < 100; k++) for (const [i, log] of loggers.entries()) log.info("hello", { id: `p${i}-${k}`, category: undefined });
    await Promise.all(loggers.map((l) => l.flush()));

    // the same batch (same Idempotency-Key) to one collector, then to the other: stored once
    const body = '{"msg":"again","id":"retried","category":"http.db"}\n';
    const answers = [];
    for (const url of [a, b]) {
      const r = await fetch(`${url}/ingest`, { method: "POST", body, headers: { "content-type": "application/x-ndjson", "idempotency-key": "k-1", "x-sluice-producer": "px" } });
      expect(r.status).toBe(200);
      answers.push(await r.json());
    }
    expect(answers).toEqual([{ accepted: 1, rejected: 0, errors: [] }, { accepted: 1, rejected: 0, errors: [], duplicate: true }]);
    let ids = await storedIds(nc, "SERVE");
    expect(ids.get("retried")).toBe(1);

    // JetStream slow (the server stopped, the connection still open): past --publish-timeout the
    // answer is 503; the message it stores once it resumes is recognised when the batch comes again
    const slowBody = '{"msg":"slow","id":"slow"}\n';
    const slowPost = (url: string) => fetch(`${url}/ingest`, { method: "POST", body: slowBody, headers: { "content-type": "application/x-ndjson", "idempotency-key": "k-slow" } });
    await stopped(nats.pid());
    let slow: Response;
    try {
      slow = await slowPost(a);
    } finally {
      process.kill(nats.pid(), "SIGCONT");
    }
    expect([slow.status, slow.headers.get("retry-after")]).toEqual([503, "2"]);
    expect((await slow.json()).error).toMatch(/JetStream did not acknowledge the batch: .*timeout/i);
    const resent = await slowPost(b);
    expect(resent.status).toBe(200);
    await until("the slow batch stored", async () => (await storedIds(nc, "SERVE")).get("slow") === 1);

    // JetStream down: 503 + Retry-After, /readyz says why, the producers' spools hold their records
    await nats.down();
    await until("readyz 503", async () => (await fetch(`${a}/readyz`)).status === 503);
    const ready = await fetch(`${a}/readyz`);
    expect(ready.headers.get("retry-after")).toBe("2");
    expect((await ready.json()).reason).toMatch(/NATS is disconnected/);
    const refused = await fetch(`${b}/ingest`, { method: "POST", body: '{"msg":"x","id":"while-down"}\n', headers: { "content-type": "application/x-ndjson" } });
    expect([refused.status, refused.headers.get("retry-after")]).toEqual([503, "2"]);
    expect((await refused.json()).error).toMatch(/nothing of this request counts as stored/);
    for (let k = 100; k < 150; k++) for (const [i, log] of loggers.entries()) log.info("hello", { id: `p${i}-${k}` });
    await until("every producer's spool holds its batches", () => spools.every((s) => readdirSync(s).length > 0));

    // back: the spools drain, and everything is stored once
    await nats.up();
    await until("readyz 200", async () => (await fetch(`${a}/readyz`)).status === 200);
    await until("all 600 records stored", async () => (await storedIds(nc, "SERVE")).size === 602, 30_000);
    await Promise.all(loggers.map((l) => l.close()));
    ids = await storedIds(nc, "SERVE");
    const doubled = [...ids].filter(([, n]) => n !== 1);
    expect(doubled).toEqual([]);
    for (let i = 0; i < 4; i++) for (let k = 0; k < 150; k++) expect(ids.get(`p${i}-${k}`)).toBe(1);
    expect(ids.has("while-down")).toBe(false);
    for (const l of loggers) expect(l.stats().dropped).toEqual({});

    const metrics = await (await fetch(`${b}/metrics`)).text();
    expect(metrics).toMatch(/sluice_jetstream_messages_total\{result="duplicate"\} [1-9]/);
    expect(metrics).toMatch(/sluice_jetstream_publish_failures_total [1-9]/);
    expect(metrics).toMatch(/sluice_jetstream_connected 1/);
    for (const c of collectors) {
      c.proc.kill("SIGTERM");
      expect(await exited(c.proc)).toBe(0);
    }
    collectors.length = 0;
  }, 90_000);

  test("a category of a batch larger than NATS's max_payload (1 MiB) is 422, said so, not a 503 sent again forever; the collector takes the next batch", async () => {
    const c = await startServe(bun, mkdtempSync(join(tmpdir(), "sluice-js-big-")), ["--no-auth", "--jetstream", nats.url, "--stream", "SERVE_BIG", "--publish-timeout", "2s"]);
    collectors.push(c);
    // three lines of 800 KB that do not compress much: one category, about 2.4 MB
    const line = () => JSON.stringify({ msg: "big", blob: Buffer.from(crypto.getRandomValues(new Uint8Array(600_000))).toString("base64") });
    const big = await fetch(`${c.url}/ingest`, { method: "POST", body: [line(), line(), line()].join("\n") + "\n", headers: { "content-type": "application/x-ndjson", "idempotency-key": "big-1" } });
    expect([big.status, (await big.json()).error]).toEqual([422, expect.stringContaining("max_payload")]);
    const next = await fetch(`${c.url}/ingest`, { method: "POST", body: '{"msg":"small"}\n', headers: { "content-type": "application/x-ndjson" } });
    expect(next.status).toBe(200);
    c.proc.kill("SIGTERM");
    await exited(c.proc);
  }, 60_000);

  test("jetstreamSink: a publish whose acknowledgement is lost is retried with its msgID and stored once; a restart loses nothing", async () => {
    const log = createLogger({ sinks: [jetstreamSink({ servers: nats.url, stream: "SINK", producer: "svc", publishTimeoutMs: 300, batch: { maxRecords: 20, maxAgeMs: 10 } })] });
    for (let k = 0; k < 100; k++) log.info("s", { id: `s-${k}` });
    await log.flush();
    // the server stops answering while batches are in flight: they are stored once it resumes,
    // after their publish timed out, and the retries carry the same msgID
    for (let k = 100; k < 200; k++) log.info("s", { id: `s-${k}` });
    await stopped(nats.pid());
    await new Promise((r) => setTimeout(r, 800));
    process.kill(nats.pid(), "SIGCONT");
    await log.flush();
    await nats.down();
    for (let k = 200; k < 300; k++) log.info("s", { id: `s-${k}` });
    await new Promise((r) => setTimeout(r, 300));
    await nats.up();
    await log.flush(); // the retries go on until JetStream is back
    await log.close();
    const ids = await storedIds(nc, "SINK");
    expect([...ids].filter(([, n]) => n !== 1)).toEqual([]);
    expect(ids.size).toBe(300);
    expect(log.stats().dropped).toEqual({});
  }, 60_000);
});
