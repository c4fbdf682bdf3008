// Slow and unfinished clients cannot take the collector from others, on Bun, Deno and Node: one
// token holds 200 connections that send headers only, part of a body, or a chunked body that
// stops, plus three bodies trickled at 1 byte/s and a header trickle; another token's requests
// are all answered at once. Checked against a real `sluice serve` over real sockets, its
// descriptors read from /proc.
import { afterAll, describe, expect, test } from "bun:test";
import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type ServeProcess, serveRuntimes, startServe } from "./helpers/serve_process.ts";
import { openDescriptors, rawConnection } from "./helpers/raw_http.ts";

const running: ServeProcess[] = [];
afterAll(() => { for (const s of running) s.proc.kill("SIGTERM"); });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const head = (token: string, extra: string) => `POST /ingest HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${token}\r\nContent-Type: application/x-ndjson\r\n${extra}\r\n`;

/** Polls `f` every 100 ms until it is true or `ms` pass; the last value. */
async function until(f: () => boolean, ms: number): Promise<boolean> {
  for (const end = Date.now() + ms; Date.now() < end; await sleep(100)) if (f()) return true;
  return f();
}

test("a bad --min-body-rate, --body-grace, --header-timeout or --max-memory-bytes stops the start with one line naming the flag", () => {
  const [, bun] = serveRuntimes[0];
  for (const [flag, value, says] of [
    ["--min-body-rate", "fast", "--min-body-rate must be a whole number from 0 up"],
    ["--body-grace", "0s", "--body-grace must be more than 0"],
    ["--header-timeout", "5", "--header-timeout: bad duration"],
    ["--max-memory-bytes", "1000", "--max-memory-bytes must be a whole number from 1048576 up"],
  ]) {
    const r = spawnSync(bun[0], [...bun.slice(1), "serve", "--port", "0", "--no-auth", "--dir", mkdtempSync(join(tmpdir(), "sluice-flags-")), flag, value], { encoding: "utf8", timeout: 20_000 });
    expect({ flag, status: r.status, says: r.stderr.includes(says) }).toEqual({ flag, status: 1, says: true });
  }
});

for (const [name, cmd] of serveRuntimes) {
  describe(`slow clients on ${name}`, () => {
    test("200 idle or partial connections and three 1 B/s trickles of one token: another token's requests all 200 at once; the trickles 408 within 2x --body-timeout; the header trickle closed; descriptors back to baseline", async () => {
      const dir = mkdtempSync(join(tmpdir(), `sluice-slow-${name}-`));
      const tokens = join(dir, "tokens");
      writeFileSync(tokens, "a:token-a\nb:token-b\n");
      const s = await startServe(cmd, join(dir, "logs"), ["--tokens", tokens, "--public-metrics", "--body-timeout", "3s", "--body-grace", "2500ms", "--min-body-rate", "100", "--header-timeout", "2s"]);
      running.push(s);
      const port = Number(new URL(s.url).port);
      const pid = s.proc.pid!;
      // the files a first write opens are open for the baseline; its connection is closed
      const first = rawConnection(port, head("token-b", "Content-Length: 14\r\nConnection: close\r\n") + '{"msg":"one"}\n');
      expect((await first.answer)?.status).toBe(200);
      await first.closed;
      await sleep(200);
      const baseline = openDescriptors(pid);

      const trickles = [0, 1, 2].map(() => rawConnection(port, head("token-a", "Content-Length: 100000\r\n")));
      for (const t of trickles) t.trickle("x".repeat(100), 1000);
      await sleep(100);
      const headerTrickle = rawConnection(port);
      headerTrickle.trickle("POST /ingest HTTP/1.1\r\nHost: x\r\nX-Slow: " + "a".repeat(200), 1000);
      const held = Array.from({ length: 200 }, (_, i) =>
        i % 3 === 0 ? rawConnection(port, head("token-a", "Content-Length: 100000\r\n"))
        : i % 3 === 1 ? rawConnection(port, head("token-a", "Content-Length: 100000\r\n") + "x".repeat(20))
        : rawConnection(port, head("token-a", "Transfer-Encoding: chunked\r\n") + "5\r\nhello\r\n"));
      // the burst of 503s (token a past its --max-concurrent-bodies) is out; its 16 bodies and the
      // trickles are still held when token b asks
      let answered = 0;
      for (const h of held) void h.answer.then(() => answered++);
      await until(() => answered >= 184, 2000);
      const others = await Promise.all([0, 1, 2, 3, 4].map(async (i) => {
        const t = performance.now();
        const res = await fetch(`${s.url}/ingest`, { method: "POST", body: `{"msg":"b${i}"}\n`, headers: { authorization: "Bearer token-b", "content-type": "application/x-ndjson" } });
        await res.text();
        return { status: res.status, ms: performance.now() - t };
      }));
      expect(others.map((o) => o.status)).toEqual([200, 200, 200, 200, 200]);
      expect(Math.max(...others.map((o) => o.ms))).toBeLessThan(1000);
      expect(answered).toBeLessThan(200);

      for (const t of trickles) {
        const a = await t.answer;
        expect(a?.status).toBe(408);
        expect(a!.ms).toBeLessThan(6000);
        expect(a!.head).toContain("connection: close");
        await t.closed;
      }
      // each of token a's connections is answered: 408 once its grace is over, or 503 at once
      // when the token already has --max-concurrent-bodies bodies being read; all close
      const answers = await Promise.all(held.map((h) => h.answer));
      const statuses = new Set(answers.map((a) => a?.status));
      expect([...statuses].every((st) => st === 408 || st === 503)).toBe(true);
      expect(answers.filter((a) => a?.status === 503).length).toBeGreaterThan(100);
      expect(answers.every((a) => a!.head.includes("connection: close"))).toBe(true);
      expect(answers.filter((a) => a?.status === 503).every((a) => a!.head.includes("retry-after: 1"))).toBe(true);
      await Promise.all(held.map((h) => h.closed));

      // uWebSockets (Bun) closes a connection without a whole request head after a fixed 10 s,
      // checked every 4 s; Node and Deno after --header-timeout
      expect(await headerTrickle.closed).toBeLessThan(name === "bun" ? 15_000 : 10_000);
      expect(await until(() => openDescriptors(pid) <= baseline, 8000)).toBe(true);
      const metrics = await (await fetch(`${s.url}/metrics`)).text();
      expect(Number(/sluice_ingest_refused_total\{bound="body-rate"\} (\d+)/.exec(metrics)?.[1])).toBeGreaterThanOrEqual(3);
      expect(metrics).toMatch(/sluice_ingest_refused_total\{bound="concurrent-bodies"\} \d+/);
      s.proc.kill("SIGTERM");
    }, 60_000);
  });
}
