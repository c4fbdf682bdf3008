// A collector forwarding to another: records written on both, producers kept only for trusted
// forwarders, an outage of the central collector and a restart of the forwarding one with
// every record written once, and the forwarder's metrics.
import { afterEach, describe, expect, test } from "bun:test";
import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { serve, type ServeOptions } from "../server.ts";
import { cleanup, closedPort, runCleanup, until } from "./helpers/http.ts";

afterEach(runCleanup);

const temp = () => mkdtempSync(join(tmpdir(), "sluice-forward-"));
const read = (dir: string, file = "default.ndjson") =>
  existsSync(join(dir, file)) ? readFileSync(join(dir, file), "utf8").split("\n").filter(Boolean).map((l) => JSON.parse(l)) : [];

async function start(options: Partial<ServeOptions> & { dir: string }) {
  const s = await serve({ port: 0, handleSignals: false, heartbeatCheckMs: 50, ...options });
  cleanup.push(() => s.close());
  return s;
}
const post = (url: string, token: string, body: string, producer?: string) =>
  fetch(`${url}/ingest`, {
    method: "POST",
    body,
    headers: { authorization: `Bearer ${token}`, "content-type": "application/x-ndjson", ...(producer ? { "x-sluice-producer": producer } : {}) },
  });

describe("forwarding", () => {
  test("records are written here and at the central collector, which keeps the original producer only for trusted forwarders", async () => {
    const centralDir = temp(), edgeDir = temp();
    const central = await start({ dir: centralDir, tokens: [{ name: "edge-site", token: "fwd-token" }, { name: "someone", token: "plain" }], trustedForwarders: ["edge-site"] });
    const edge = await start({ dir: edgeDir, tokens: [{ name: "apps", token: "app-token", producers: ["app-*"] }], forward: { url: `${central.url}/ingest`, token: "fwd-token" } });
    const res = await post(edge.url, "app-token", '{"msg":"a","n":1}\n{"msg":"b","category":"billing"}\n', "app-1");
    expect(res.status).toBe(200);
    expect(read(edgeDir)[0]).toMatchObject({ msg: "a", producer: "app-1" });
    await edge.app.forwarder!.flush();
    expect(read(centralDir)).toEqual([expect.objectContaining({ msg: "a", n: 1, producer: "app-1" })]);
    expect(read(centralDir, "billing.ndjson")).toEqual([expect.objectContaining({ msg: "b", producer: "app-1" })]);
    // a token not named as a forwarder cannot speak for other producers
    expect((await post(central.url, "plain", '{"msg":"spoof","producer":"app-1"}\n')).status).toBe(200);
    expect(read(centralDir).at(-1)).toMatchObject({ msg: "spoof", producer: "someone" });
    const metrics = await (await fetch(`${edge.url}/metrics`, { headers: { authorization: "Bearer app-token" } })).text();
    expect(metrics).toContain('sluice_forward_records_total{result="forwarded"} 2');
    expect(metrics).toContain("sluice_forward_queue_records 0");
  });

  test("the central collector away, the forwarding one restarted: producers are answered, and every record reaches the centre once", async () => {
    const centralDir = temp(), edgeDir = temp();
    const port = closedPort();
    const forward = { url: `http://127.0.0.1:${port}/ingest`, token: "fwd-token", retry: { maxAttempts: 2, baseDelayMs: 5, maxDelayMs: 20 }, spoolRetryMs: 50 };
    const tokens = [{ name: "apps", token: "app-token", producers: ["app-*"] }];
    const first = await start({ dir: edgeDir, tokens, forward });
    for (let i = 0; i < 5; i++) expect((await post(first.url, "app-token", `{"msg":"r","i":${i}}\n`, "app-1")).status).toBe(200);
    await first.close(); // central never came up while it ran: the batches wait in the spool
    const second = await start({ dir: edgeDir, tokens, forward });
    for (let i = 5; i < 10; i++) expect((await post(second.url, "app-token", `{"msg":"r","i":${i}}\n`, "app-1")).status).toBe(200);
    const central = await start({ dir: centralDir, port, tokens: [{ name: "edge-site", token: "fwd-token" }], trustedForwarders: ["edge-site"] });
    await until(() => read(centralDir).length >= 10, 5000);
    await new Promise((r) => setTimeout(r, 200)); // a second delivery, had there been one, would land by now
    const got = read(centralDir);
    expect(got.map((r) => r.i).sort((a, b) => a - b)).toEqual([...Array(10).keys()]);
    expect(got.every((r) => r.producer === "app-1")).toBe(true);
    expect(read(edgeDir).length).toBe(10);
    await central.close();
  });

  test("a central collector that hangs: nothing dropped, producers answered, close() prompt, and later every record reaches the centre once", async () => {
    const { createServer } = await import("node:net");
    const sockets: { destroy(): void }[] = [];
    const hang = createServer((s) => void sockets.push(s)).listen(0, "127.0.0.1"); // accepts, never answers
    await new Promise((r) => hang.once("listening", r));
    const port = (hang.address() as { port: number }).port;
    const centralDir = temp(), edgeDir = temp();
    const forward = { url: `http://127.0.0.1:${port}/ingest`, token: "fwd-token", timeoutMs: 200, spoolRetryMs: 50, retry: { maxAttempts: 2, baseDelayMs: 5, maxDelayMs: 20 } };
    const tokens = [{ name: "apps", token: "app-token", producers: ["app-*"] }];
    const edge = await start({ dir: edgeDir, tokens, forward, maxQueuedRecords: 1000 });
    for (let b = 0; b < 12; b++) {
      const body = Array.from({ length: 1000 }, (_, k) => `{"msg":"r","i":${b * 1000 + k}}`).join("\n") + "\n";
      expect((await post(edge.url, "app-token", body, "app-1")).status).toBe(200);
    }
    expect(edge.app.forwarder!.stats().dropped).toEqual({});
    const closing = performance.now();
    await edge.close();
    expect(performance.now() - closing).toBeLessThan(10_000); // not a speed check: a hang would take minutes
    for (const s of sockets) s.destroy();
    await new Promise((r) => hang.close(r));
    const central = await start({ dir: centralDir, port, tokens: [{ name: "edge-site", token: "fwd-token" }], trustedForwarders: ["edge-site"] });
    const again = await start({ dir: edgeDir, tokens, forward });
    await until(() => read(centralDir).length >= 12_000, 15_000);
    await again.app.forwarder!.flush();
    const got = read(centralDir).map((r) => r.i);
    expect(got.length).toBe(12_000);
    expect(new Set(got).size).toBe(12_000);
    await central.close();
  }, 30_000);

  test("a bad --forward is a clear error", () => {
    const r = Bun.spawnSync([process.execPath, new URL("../cli.ts", import.meta.url).pathname, "serve", "--no-auth", "--dir", temp(), "--forward", "central:8080"], { stderr: "pipe" });
    expect(r.exitCode).toBe(1);
    expect(r.stderr.toString()).toMatch(/--forward must be a URL/);
  });
});
