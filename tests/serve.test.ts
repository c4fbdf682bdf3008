// `sluice serve` as an operator runs it: on Bun, Deno and Node, and as the single binary from
// `bun build --compile`; a graceful SIGTERM, and a SIGKILL with a retried batch after restart.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { chmodSync, copyFileSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, unlinkSync, writeFileSync } from "node:fs";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createLogger, httpSink } from "../mod.ts";
import { serveRuntimes } from "./helpers/serve_process.ts";

const root = new URL("..", import.meta.url).pathname;
const bin = join(root, "node_modules/.bin");
const work = mkdtempSync(join(tmpdir(), "sluice-serve-"));
const binary = join(work, "sluice");
const TOKEN = "t0ken-for-tests";
const tokens = join(work, "tokens.txt");
writeFileSync(tokens, `edge:${TOKEN}\n`);

beforeAll(() => {
  const r = spawnSync(join(bin, "bun"), ["build", "--compile", join(root, "cli.ts"), "--outfile", binary], { encoding: "utf8" });
  if (r.status !== 0) throw new Error(r.stderr);
  // dist/ as npm builds it (tsc, then the entries joined), for the collector on Node
  const built = spawnSync("node", [join(root, "scripts/build.mjs")], { encoding: "utf8" });
  if (built.status !== 0) throw new Error(built.stderr);
}, 120_000);

const started: ChildProcess[] = [];
afterAll(() => {
  for (const p of started) p.kill("SIGKILL");
  rmSync(work, { recursive: true, force: true }); // the binary alone is 100 MB
});

/** Starts a collector; resolves with its URL once it listens. */
function start(cmd: string[], dir: string): Promise<{ proc: ChildProcess; url: string }> {
  return startOn(cmd, dir, 0);
}

/** Starts a collector on `port`, retrying while the old one's port is still held. */
async function startOn(cmd: string[], dir: string, port: number, env: Record<string, string> = {}): Promise<{ proc: ChildProcess; url: string }> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await launch(cmd, dir, port, { env });
    } catch (err) {
      if (attempt >= 20) throw err;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

/** The arguments `launch` starts a collector with after `cmd`. */
const serveArgs = (dir: string, port: number) => ["serve", "--port", String(port), "--dir", dir, "--tokens", tokens];

/**
 * Starts a collector with this process's environment less any MIMALLOC_PURGE_DELAY, plus `env`,
 * in `cwd`, with `pipes` more pipes from descriptor 3 on; `spawned` runs as soon as the process runs.
 */
function launch(cmd: string[], dir: string, port: number, { env = {}, cwd, pipes = 0, spawned = () => {} }: { env?: Record<string, string>; cwd?: string; pipes?: number; spawned?: () => void } = {}): Promise<{ proc: ChildProcess; url: string; output: () => string }> {
  const { MIMALLOC_PURGE_DELAY: _, ...inherited } = process.env;
  const proc = spawn(cmd[0], [...cmd.slice(1), ...serveArgs(dir, port)], { cwd, stdio: ["ignore", "pipe", "pipe", ...Array(pipes).fill("pipe")], env: { ...inherited, ...env } });
  started.push(proc);
  spawned();
  return new Promise((resolve, reject) => {
    let out = "";
    const timer = setTimeout(() => reject(new Error(`no banner: ${out}`)), 20_000);
    proc.stdout!.on("data", (d) => {
      out += d;
      const m = /listening on (http:\/\/[^,\s]+)/.exec(out);
      if (m) { clearTimeout(timer); resolve({ proc, url: m[1], output: () => out }); }
    });
    proc.stderr!.on("data", (d) => (out += d));
    proc.once("exit", (code) => reject(new Error(`exited ${code}: ${out}`)));
  });
}

const ingest = (url: string, body: string, key?: string) => fetch(`${url}/ingest`, {
  method: "POST",
  body,
  headers: { authorization: `Bearer ${TOKEN}`, "content-type": "application/x-ndjson", ...(key ? { "idempotency-key": key } : {}) },
});
const exited = (p: ChildProcess) => new Promise<number | null>((r) => (p.exitCode !== null ? r(p.exitCode) : p.once("exit", (c) => r(c))));
const lines = (dir: string) => readFileSync(join(dir, "default.ndjson"), "utf8").split("\n").filter(Boolean).map((l) => JSON.parse(l));

const runtimes: [string, string[]][] = [...serveRuntimes, ["binary", [binary]]];

describe("sluice serve", () => {
  for (const [name, cmd] of runtimes) {
    test(`${name}: accepts, writes, and stops gracefully on SIGTERM`, async () => {
      const dir = join(work, `logs-${name}`);
      const { proc, url } = await start(cmd, dir);
      const res = await ingest(url, '{"msg":"hello","n":1}\n');
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({ accepted: 1, rejected: 0, errors: [] });
      expect((await fetch(`${url}/healthz`)).status).toBe(200);
      expect((await ingest(url, "")).status).toBe(400);
      proc.kill("SIGTERM");
      expect(await exited(proc)).toBe(0);
      expect(lines(dir)).toEqual([expect.objectContaining({ msg: "hello", n: 1, producer: "edge" })]);
    }, 30_000);
  }

  test("on Bun (and as a binary) it runs in place with MIMALLOC_PURGE_DELAY=-1: one PID, the same command line, name and descriptors; a value the user set (in the environment or a .env file) is kept; Deno and Node are left as they are", async () => {
    const read = (pid: number, file: string) => readFileSync(`/proc/${pid}/${file}`, "utf8");
    const purge = (pid: number) => read(pid, "environ").split("\0").filter((v) => v.startsWith("MIMALLOC_PURGE_DELAY="));
    for (const [name, cmd] of runtimes) {
      const dir = join(work, `logs-alloc-${name}`);
      const { proc, url } = await launch(cmd, dir, 0, { pipes: 2 }); // descriptors 3 and 4: pipes
      const onBun = name === "bun" || name === "binary";
      expect(purge(proc.pid!)).toEqual(onBun ? ["MIMALLOC_PURGE_DELAY=-1"] : []);
      if (onBun) {
        expect(read(proc.pid!, "cmdline").split("\0").slice(0, -1)).toEqual([...cmd, ...serveArgs(dir, 0)]);
        expect(read(proc.pid!, "comm").trim()).toBe(cmd[0].split("/").at(-1));
        for (const fd of [3, 4]) expect(readlinkSync(`/proc/${proc.pid}/fd/${fd}`)).toMatch(/^(pipe|socket):/);
      }
      expect((await ingest(url, '{"msg":"after the restart"}\n')).status).toBe(200);
      proc.kill("SIGTERM");
      expect(await exited(proc)).toBe(0);
      expect(lines(dir).map((r) => r.msg)).toEqual(["after the restart"]);
    }
    const { proc: own } = await startOn(serveRuntimes[0][1], join(work, "logs-alloc-own"), 0, { MIMALLOC_PURGE_DELAY: "25" });
    expect(purge(own.pid!)).toEqual(["MIMALLOC_PURGE_DELAY=25"]);
    own.kill("SIGTERM");
    expect(await exited(own)).toBe(0);
    // a value in a .env file: Bun puts it in process.env after its allocator read the environment, so the restart sets it there
    const home = mkdtempSync(join(work, "dotenv-"));
    writeFileSync(join(home, ".env"), "MIMALLOC_PURGE_DELAY=30\n");
    const { proc: dotenv } = await launch(serveRuntimes[0][1], join(home, "logs"), 0, { cwd: home });
    expect(purge(dotenv.pid!)).toEqual(["MIMALLOC_PURGE_DELAY=30"]);
    dotenv.kill("SIGTERM");
    expect(await exited(dotenv)).toBe(0);
  }, 60_000);

  test("binary: a restart that fails (the binary replaced since it started) says why on stderr, and the collector goes on", async () => {
    const copy = join(work, "sluice-replaced");
    copyFileSync(binary, copy);
    chmodSync(copy, 0o755);
    const dir = join(work, "logs-replaced");
    // spawn has returned once the binary runs: its file is then removed
    const { proc, url, output } = await launch([copy], dir, 0, { spawned: () => unlinkSync(copy) });
    expect(output()).toContain("sluice serve: could not start again with MIMALLOC_PURGE_DELAY=-1 (No such file or directory); going on with Bun's default");
    expect((await ingest(url, '{"msg":"no restart"}\n')).status).toBe(200);
    proc.kill("SIGTERM");
    expect(await exited(proc)).toBe(0);
    expect(lines(dir).map((r) => r.msg)).toEqual(["no restart"]);
  }, 30_000);

  test("binary: SIGKILL in the middle of a run, restarted while a producer with a spool keeps logging: every record on disk once", async () => {
    const dir = join(work, "logs-midrun");
    const current = await start([binary], dir);
    const port = Number(new URL(current.url).port);
    const spool = join(work, "spool-midrun");
    const log = createLogger({
      sinks: [httpSink(`${current.url}/ingest`, { token: TOKEN, spool, spoolRetryMs: 100, batch: { maxRecords: 50, maxAgeMs: 5 }, retry: { maxAttempts: 3, baseDelayMs: 20, maxDelayMs: 100 } })],
      onError: () => {},
    });
    let i = 0;
    const produce = async (until: number) => {
      while (i < until) {
        for (let k = 0; k < 20; k++) log.info("r", { i: i++ });
        await new Promise((r) => setTimeout(r, 2));
      }
    };
    await produce(1000);
    current.proc.kill("SIGKILL");
    await exited(current.proc);
    await produce(2000); // the collector is down: batches wait and retry
    const { proc } = await startOn([binary], dir, port);
    await produce(3000);
    await log.flush();
    for (let t = 0; t < 100 && readdirSync(spool).length > 0; t++) await new Promise((r) => setTimeout(r, 50));
    expect(readdirSync(spool)).toEqual([]);
    proc.kill("SIGTERM");
    await exited(proc);
    const got = lines(dir).map((r) => r.i).sort((a, b) => a - b);
    expect(got).toEqual([...Array(3000).keys()]);
    expect(log.stats().dropped).toEqual({});
  }, 60_000);

  test("binary: killed with SIGKILL and restarted, a retried batch is still written once", async () => {
    const dir = join(work, "logs-kill");
    const first = await start([binary], dir);
    const batch = Array.from({ length: 100 }, (_, i) => JSON.stringify({ msg: "r", i })).join("\n") + "\n";
    expect((await ingest(first.url, batch, "batch-7")).status).toBe(200);
    first.proc.kill("SIGKILL");
    await exited(first.proc);
    const second = await start([binary], dir);
    const again = await ingest(second.url, batch, "batch-7");
    expect(await again.json()).toMatchObject({ duplicate: true });
    expect((await ingest(second.url, batch, "batch-8")).status).toBe(200);
    second.proc.kill("SIGTERM");
    await exited(second.proc);
    expect(lines(dir).length).toBe(200);
  }, 30_000);
});

describe("operators and clients", () => {
  test("the first start generates a token and prints a curl line that works as printed", async () => {
    const dir = join(work, "logs-first-start");
    const proc = spawn(join(bin, "bun"), [join(root, "cli.ts"), "serve", "--port", "0", "--dir", dir], { stdio: ["ignore", "pipe", "pipe"] });
    started.push(proc);
    let out = "";
    proc.stdout!.on("data", (d) => (out += d));
    for (let t = 0; t < 200 && !out.includes("try: curl"); t++) await new Promise((r) => setTimeout(r, 50));
    const curl = /try: (curl .*)/.exec(out)![1];
    const r = spawnSync("sh", ["-c", curl], { encoding: "utf8" });
    expect(JSON.parse(r.stdout)).toEqual({ accepted: 1, rejected: 0, errors: [] });
    expect(out).toMatch(/generated a token \(kept in .*\.sluice\/tokens; `sluice token --dir .*` shows it again\): [0-9a-f]{32}/);
    proc.kill("SIGTERM");
    await exited(proc);
    expect(lines(dir)[0]).toMatchObject({ msg: "hello", producer: "default" });
  }, 30_000);

  test("a slow client does not hold up others, and its half-sent body writes nothing", async () => {
    const dir = join(work, "logs-slow");
    const { proc, url } = await start([join(bin, "bun"), join(root, "cli.ts")], dir);
    const { hostname, port } = new URL(url);
    const slow = connect(Number(port), hostname);
    await new Promise((r) => slow.once("connect", r));
    slow.write(`POST /ingest HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${TOKEN}\r\nContent-Type: application/x-ndjson\r\nContent-Length: 1000\r\n\r\n{"msg":"half`);
    for (let k = 0; k < 5; k++) expect((await ingest(url, `{"msg":"fast","k":${k}}\n`)).status).toBe(200);
    slow.destroy();
    await new Promise((r) => setTimeout(r, 100));
    proc.kill("SIGTERM");
    expect(await exited(proc)).toBe(0);
    expect(lines(dir).map((l) => l.msg)).toEqual(["fast", "fast", "fast", "fast", "fast"]);
  }, 30_000);
});

describe("TLS", () => {
  const hasOpenssl = spawnSync("openssl", ["version"]).status === 0;
  test.if(hasOpenssl)("serve() with a certificate and key answers over HTTPS", async () => {
    const key = join(work, "key.pem"), cert = join(work, "cert.pem");
    const r = spawnSync("openssl", ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", cert, "-subj", "/CN=127.0.0.1", "-days", "1"]);
    expect(r.status).toBe(0);
    const { serve } = await import("../server.ts");
    const dir = join(work, "logs-tls");
    const server = await serve({ port: 0, dir, tokens: [{ name: "edge", token: TOKEN }], tls: { cert: readFileSync(cert, "utf8"), key: readFileSync(key, "utf8") }, handleSignals: false });
    try {
      expect(server.url.startsWith("https://")).toBe(true);
      const res = await fetch(`${server.url}/ingest`, {
        method: "POST",
        body: '{"msg":"secure"}\n',
        headers: { authorization: `Bearer ${TOKEN}`, "content-type": "application/x-ndjson" },
        tls: { rejectUnauthorized: false },
      } as RequestInit);
      expect(res.status).toBe(200);
      expect(lines(dir)[0].msg).toBe("secure");
    } finally {
      await server.close();
    }
  });
});
