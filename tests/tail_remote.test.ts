// `sluice tail --remote` against a real collector (`sluice serve` child processes): the first
// start's read token, lines as stored when piped, a kill -9 and restart of the collector with
// nothing missed or repeated, and the refusals that end it with a clear error.
import { afterAll, describe, expect, test } from "bun:test";
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

const cli = new URL("../cli.ts", import.meta.url).pathname;
const work = mkdtempSync(join(tmpdir(), "sluice-remote-"));
const children: ChildProcess[] = [];
afterAll(() => {
  for (const c of children) c.kill("SIGKILL");
  rmSync(work, { recursive: true, force: true });
});

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, "127.0.0.1", () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

/** `sluice serve` on `port`; resolves with what it printed once the console line is out. */
function serve(dir: string, port: number): Promise<{ proc: ChildProcess; out: string }> {
  const proc = spawn(process.execPath, [cli, "serve", "--port", String(port), "--dir", dir], { stdio: ["ignore", "pipe", "pipe"] });
  children.push(proc);
  let out = "";
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no banner: ${out}`)), 15_000);
    proc.stdout!.on("data", (d) => {
      out += d;
      if (out.includes("try: curl")) (clearTimeout(timer), resolve({ proc, out }));
    });
    proc.stderr!.on("data", (d) => (out += d));
  });
}

const gone = (p: ChildProcess) => new Promise((r) => (p.exitCode !== null || p.signalCode !== null ? r(null) : p.once("exit", r)));

async function until(what: string, ok: () => boolean, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await Bun.sleep(20);
  }
}

describe("sluice tail --remote", () => {
  test("follows a real collector through a kill -9 and restart: every record once, in order, as stored", async () => {
    const dir = join(work, "logs");
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    let collector = await serve(dir, port);
    expect(collector.out).toContain(`console ${url}/`);
    const ingestToken = /generated a token .*: ([0-9a-f]{32})/.exec(collector.out)![1];
    const readToken = /generated a read token .*: ([0-9a-f]{32})/.exec(collector.out)![1];
    expect(readFileSync(join(dir, ".sluice", "tokens"), "utf8")).toContain(`:${readToken}:role=read`);
    const post = (from: number, n: number) =>
      fetch(`${url}/ingest`, {
        method: "POST",
        headers: { authorization: `Bearer ${ingestToken}`, "content-type": "application/x-ndjson" },
        body: Array.from({ length: n }, (_, i) => `{"level":"info","msg":"r","seq":${from + i}}`).join("\n"),
      });

    const tail = spawn(process.execPath, [cli, "tail", "--remote", url, "--token", readToken, "msg:r"], { stdio: ["ignore", "pipe", "pipe"] });
    children.push(tail);
    let out = "";
    let err = "";
    tail.stdout!.on("data", (d) => (out += d));
    tail.stderr!.on("data", (d) => (err += d));
    const lines = () => out.split("\n").filter(Boolean).map((l) => JSON.parse(l));
    const seqs = () => lines().filter((r) => r.probe === undefined).map((r) => r.seq as number);
    // connected once a probe record shows up (the tail starts from now: earlier ones are not asked for)
    for (let i = 0; i < 100 && lines().length === 0; i++) {
      await fetch(`${url}/ingest`, { method: "POST", headers: { authorization: `Bearer ${ingestToken}`, "content-type": "application/x-ndjson" }, body: '{"level":"info","msg":"r","probe":true}' });
      await Bun.sleep(100);
    }
    await until("the probe", () => lines().length > 0);
    const start = 1;
    const before = 0;
    expect((await post(start, 50)).status).toBe(200);
    await until("50 records", () => seqs().length >= before + 50);

    collector.proc.kill("SIGKILL");
    await gone(collector.proc);
    await until("the tail to notice", () => /reconnecting/.test(err));
    collector = await serve(dir, port);
    // posted before the tail is back: still in the new collector's ring, so not missed
    expect((await post(start + 50, 30)).status).toBe(200);
    await until("the 30 records after the restart", () => seqs().length >= before + 80);
    expect((await post(start + 80, 20)).status).toBe(200);
    await until("20 more", () => seqs().length >= before + 100);
    const got = seqs().slice(before);
    expect(got).toEqual(Array.from({ length: 100 }, (_, i) => start + i));
    expect(out.split("\n").filter(Boolean).every((l) => JSON.parse(l).producer === "default")).toBe(true);
    expect(err).toContain("connected again");

    // --lines N: a new tail starts with the last N records the collector keeps
    const second = spawn(process.execPath, [cli, "tail", "--remote", url, "--token", readToken, "--lines", "3", "--", "-probe:true"], { stdio: ["ignore", "pipe", "pipe"] });
    children.push(second);
    let out2 = "";
    second.stdout!.on("data", (d) => (out2 += d));
    await until("the last 3 records", () => out2.split("\n").filter(Boolean).length >= 3);
    expect(out2.split("\n").filter(Boolean).map((l) => JSON.parse(l).seq)).toEqual([start + 97, start + 98, start + 99]);
    second.kill("SIGTERM");

    // an ingest token is refused for good: one clear line, exit code 1, no retrying
    const refused = spawnSync(process.execPath, [cli, "tail", "--remote", url, "--token", ingestToken], { encoding: "utf8", timeout: 10_000 });
    expect(refused.status).toBe(1);
    expect(refused.stderr).toMatch(/answered 403: .*read token/);
    tail.kill("SIGTERM");
    expect(await gone(tail)).toBe(0);
    collector.proc.kill("SIGTERM");
    await gone(collector.proc);
  }, 60_000);

  test("--remote needs a URL and a token; file flags are refused with a pointer to the query", () => {
    const r = (...a: string[]) => spawnSync(process.execPath, [cli, "tail", ...a], { encoding: "utf8", timeout: 10_000, env: { ...process.env, SLUICE_READ_TOKEN: "" } });
    expect(r("--remote", "127.0.0.1:8080", "--token", "t").stderr).toContain("--remote must be the collector's URL");
    expect(r("--remote", "http://127.0.0.1:1").stderr).toContain("--remote needs --token");
    expect(r("--remote", "http://127.0.0.1:1", "--token", "t", "--level", "warn").stderr).toContain("say it in the query");
  });

  test("sluice token --rotate replaces the ingest token and keeps the read token a read token", () => {
    const dir = join(work, "rotate");
    const tok = (...a: string[]) => spawnSync(process.execPath, [cli, "token", "--dir", dir, ...a], { encoding: "utf8", timeout: 10_000 });
    expect(tok("--rotate").status).toBe(0);
    const file = join(dir, ".sluice", "tokens");
    Bun.write(file, readFileSync(file, "utf8") + "reader:r34d-token:role=read\n");
    expect(tok("--rotate").status).toBe(0);
    expect(readFileSync(file, "utf8")).toContain("reader:r34d-token:role=read");
    expect(tok().stdout).toContain("reader: r34d-token (read: the console and /api/*)");
  });
});
