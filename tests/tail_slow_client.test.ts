// A tail client that stops reading, against a real `sluice serve` process on Bun and Node: the
// collector's peak memory (VmHWM) stays within the tail buffer's bound while far more than it
// is ingested, ingest keeps answering 200, and a client that reads still gets the newest record.
import { afterAll, describe, expect, test } from "bun:test";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { serveRuntimes, startServe, type ServeProcess } from "./helpers/serve_process.ts";
import { SseReader } from "./helpers/sse.ts";

const work = mkdtempSync(join(tmpdir(), "sluice-slow-tail-"));
const running: ServeProcess[] = [];
afterAll(() => {
  for (const s of running) s.proc.kill("SIGKILL");
  rmSync(work, { recursive: true, force: true });
});
const hwmMiB = (pid: number) => Number(/VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))![1]) / 1024;

// 300-byte records, 2,000 a batch: 600 KB a request
const batch = (k: number) => Array.from({ length: 2000 }, (_, i) => `{"level":"info","msg":"m","k":${k},"i":${i},"pad":"${"x".repeat(240)}"}`).join("\n");

describe("a tail client that stops reading", () => {
  for (const [name, cmd] of serveRuntimes.filter(([n]) => n !== "deno")) {
    test(`${name}: 100 MB ingested past a stalled client: VmHWM grows < 80 MiB, every request 200, a reading client keeps up`, async () => {
      const dir = join(work, name);
      const tokens = join(work, `${name}.tokens`);
      writeFileSync(tokens, "edge:in-token\nops:read-token:role=read\n");
      // --tail-rate out of the way: the stalled client is offered everything, so only backpressure holds memory down
      const s = await startServe(cmd, dir, ["--tokens", tokens, "--tail-buffer-bytes", String(8 << 20), "--rate-limit", "10000000", "--tail-rate", "10000000"]);
      running.push(s);
      const post = (k: number) => fetch(`${s.url}/ingest`, { method: "POST", headers: { authorization: "Bearer in-token", "content-type": "application/x-ndjson" }, body: batch(k) });
      // warm up (JIT, heap, the ring filled once), then the peak so far is the baseline
      for (let k = 0; k < 20; k++) expect((await post(k)).status).toBe(200);
      // the stalled client: asks for the tail and never reads a byte
      const { hostname, port } = new URL(s.url);
      const stalled = connect(Number(port), hostname);
      await new Promise((r) => stalled.once("connect", r));
      stalled.pause();
      stalled.write(`GET /api/tail HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer read-token\r\n\r\n`);
      const reading = await fetch(`${s.url}/api/tail?q=${encodeURIComponent("k:>=186")}`, { headers: { authorization: "Bearer read-token" } });
      const sse = new SseReader(reading.body!);
      await sse.next(); // connected
      const base = hwmMiB(s.proc.pid!);
      for (let k = 20; k < 187; k++) expect((await post(k)).status).toBe(200);
      // the reading client gets to the newest record (told of any it had to skip on the way)
      let newest: { k?: number; i?: number } = {};
      while (!(newest.k === 186 && newest.i === 1999)) {
        const e = await sse.next(10_000);
        if (e.event === "message" && e.comment === undefined) newest = JSON.parse(e.data);
      }
      const grown = hwmMiB(s.proc.pid!) - base;
      console.log(`${name}: VmHWM ${base.toFixed(0)} MiB after warm-up, +${grown.toFixed(1)} MiB after 100 MB more with a stalled tail client`);
      expect(grown).toBeLessThan(80); // the ring is 8 MiB; Node with a bridge that ignores backpressure grows by +124 MiB here
      const metrics = await (await fetch(`${s.url}/metrics`, { headers: { authorization: "Bearer read-token" } })).text();
      expect(metrics).toMatch(/sluice_tail_clients 2/);
      await sse.cancel();
      stalled.destroy();
      s.proc.kill("SIGTERM");
    }, 120_000);
  }
});
