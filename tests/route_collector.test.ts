// `sluice serve --route routes.json`: the collector distributes what it accepts over analyzers
// (local HTTP servers counting record ids), reloads the file under load (changed weights,
// added and removed targets, a bad file in between) with every record at exactly one
// analyzer, shows each target in stats() and /metrics, keeps records in spools while every
// analyzer is down, and refuses a bad file at the start with one line and exit code 2.
import { afterEach, expect, test } from "bun:test";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { serve } from "../server.ts";
import type { RouteStats } from "../api.ts";
import { cleanup, closedPort, runCleanup, sleep, until } from "./helpers/http.ts";

afterEach(runCleanup);

const temp = () => mkdtempSync(join(tmpdir(), "sluice-route-"));
const TOKEN = "route-token";

/** An analyzer on `port` (0: any) counting the `id` of each record it receives. */
function analyzer(seen: Map<number, number>, port = 0) {
  const counts = { records: 0 };
  const server = Bun.serve({
    port, hostname: "127.0.0.1",
    async fetch(req) {
      for (const line of (await req.text()).split("\n")) {
        if (!line) continue;
        const { id } = JSON.parse(line);
        seen.set(id, (seen.get(id) ?? 0) + 1);
        counts.records++;
      }
      return new Response(null, { status: 204 });
    },
  });
  cleanup.push(() => server.stop(true));
  return { url: `http://127.0.0.1:${server.port}/ingest`, port: server.port!, counts, stop: () => server.stop(true) };
}

async function collector(dir: string, file: string, pollMs = 50) {
  const s = await serve({ port: 0, handleSignals: false, dir, tokens: [{ name: "apps", token: TOKEN }], route: { file, pollMs } });
  cleanup.push(() => s.close());
  return s;
}
const post = (url: string, ids: number[], extra = "") =>
  fetch(`${url}/ingest`, {
    method: "POST",
    headers: { authorization: `Bearer ${TOKEN}`, "content-type": "application/x-ndjson" },
    body: ids.map((id) => `{"msg":"m","id":${id}${extra}}\n`).join(""),
  });
const routeStats = (s: Awaited<ReturnType<typeof collector>>) =>
  s.app.forwarder!.stats().sinks.find((x) => x.name === "route")!.details as RouteStats;
function expectEachOnce(seen: Map<number, number>, n: number) {
  expect([...seen.values()].filter((c) => c !== 1)).toEqual([]);
  expect(seen.size).toBe(n);
  for (let id = 0; id < n; id++) expect(seen.has(id)).toBe(true);
}

test("records the collector accepts are spread by weight; stats() and /metrics show each target's share, state and queue", async () => {
  const seen = new Map<number, number>();
  const [a1, a2] = [analyzer(seen), analyzer(seen)];
  const dir = temp(), file = join(dir, "routes.json");
  writeFileSync(file, JSON.stringify({ targets: [{ name: "a1", url: a1.url, weight: 3 }, { name: "a2", url: a2.url, weight: 1 }] }));
  const s = await collector(dir, file);
  for (let b = 0; b < 20; b++) expect((await post(s.url, Array.from({ length: 200 }, (_, i) => b * 200 + i))).status).toBe(200);
  await s.app.forwarder!.flush();
  expectEachOnce(seen, 4000);
  expect(Math.abs(a1.counts.records / 4000 - 0.75)).toBeLessThan(0.05 * 0.75);
  const stats = routeStats(s);
  expect(stats.targets.map((t) => [t.name, t.state, t.written])).toEqual([["a1", "closed", a1.counts.records], ["a2", "closed", a2.counts.records]]);
  const metrics = await (await fetch(`${s.url}/metrics`, { headers: { authorization: `Bearer ${TOKEN}` } })).text();
  expect(metrics).toContain(`sluice_route_target_records_total{target="a1"} ${a1.counts.records}`);
  expect(metrics).toMatch(/sluice_route_target_share\{target="a2"\} 0\.2[0-9]*/);
  expect(metrics).toContain('sluice_route_target_state{target="a1",state="closed"} 1');
  expect(metrics).toContain('sluice_route_target_inflight_records{target="a2"} 0');
  expect(metrics).toContain('sluice_route_target_spool_batches{target="a1"} 0');
  expect(metrics).toContain('sluice_route_records_total{result="failed_over"} 0');
});

test("reload under load: weights and targets change several times, a bad file is refused, every record reaches exactly one analyzer", async () => {
  const seen = new Map<number, number>();
  const [a1, a2, a3] = [analyzer(seen), analyzer(seen), analyzer(seen)];
  const dir = temp(), file = join(dir, "routes.json");
  const write = (targets: object[]) => writeFileSync(file, JSON.stringify({ breaker: { failures: 3, openMs: 200 }, targets }));
  write([{ name: "a1", url: a1.url }, { name: "a2", url: a2.url }]);
  const s = await collector(dir, file);
  const errors: string[] = [];
  const consoleError = console.error;
  console.error = (...args: unknown[]) => void errors.push(args.join(" "));
  cleanup.push(() => (console.error = consoleError));
  let id = 0;
  const steady = (async () => {
    for (let tick = 0; tick < 150; tick++) { // 50 records every 10 ms, about 5,000/s, for 1.5 s or more
      expect((await post(s.url, Array.from({ length: 50 }, () => id++))).status).toBe(200);
      await sleep(10);
    }
  })();
  const changes = [ // one every 150 ms while records flow
    () => write([{ name: "a1", url: a1.url, weight: 1 }, { name: "a2", url: a2.url, weight: 5 }]),
    () => write([{ name: "a1", url: a1.url }, { name: "a2", url: a2.url }, { name: "a3", url: a3.url, weight: 2 }]),
    () => writeFileSync(file, '{"targets":[{"name":"a1","url":"ftp://nope"}]}'),
    () => write([{ name: "a2", url: a2.url }, { name: "a3", url: a3.url }]),
    () => write([{ name: "a3", url: a3.url, weight: 3 }, { name: "a1", url: a1.url }]),
  ];
  for (const change of changes) {
    await sleep(150);
    change();
  }
  await steady;
  await s.app.forwarder!.flush();
  await until(() => seen.size >= id, 3000);
  expectEachOnce(seen, id);
  expect(a3.counts.records).toBeGreaterThan(0);
  expect(s.app.routing!.counts).toEqual({ reloads: 4, rejected: 1 });
  expect(errors.filter((e) => e.includes("keeping the routes loaded before"))).toHaveLength(1);
  expect(errors[0]).toContain("targets[0].url must be an http(s) URL");
  const stats = routeStats(s);
  expect(stats.reconfigured).toBe(4);
  expect(stats.targets.map((t) => t.name)).toEqual(["a3", "a1"]);
  expect(stats.targets.find((t) => t.name === "a3")!.written).toBe(a3.counts.records); // kept its counters across the reloads it stayed in
  await s.app.writer.flush();
  const own = readdirSync(dir).includes("sluice.ndjson") ? await Bun.file(join(dir, "sluice.ndjson")).text() : "";
  expect(own).toContain("keeping the routes loaded before");
  expect(own).toContain("reloaded");
});

test("SIGHUP reloads the file at once (with polling too slow to notice)", async () => {
  const seen = new Map<number, number>();
  const [a1, a2] = [analyzer(seen), analyzer(seen)];
  const dir = temp(), file = join(dir, "routes.json");
  writeFileSync(file, JSON.stringify({ targets: [{ name: "a1", url: a1.url }] }));
  const s = await collector(dir, file, 60_000);
  writeFileSync(file, JSON.stringify({ targets: [{ name: "a2", url: a2.url }] }));
  process.kill(process.pid, "SIGHUP");
  await until(() => s.app.routing!.counts.reloads === 1);
  expect((await post(s.url, [0, 1, 2])).status).toBe(200);
  await s.app.forwarder!.flush();
  expect([a1.counts.records, a2.counts.records]).toEqual([0, 3]);
});

test("an analyzer that stops answering holds up only its own records: the others get theirs at once, not after the breaker's timeoutMs", async () => {
  const seen = new Map<number, number>();
  const a1 = analyzer(seen);
  let release!: () => void;
  const hung = new Promise<void>((r) => (release = r));
  const requests = { a2: 0 };
  const a2 = Bun.serve({ // takes requests and answers none until released
    port: 0, hostname: "127.0.0.1",
    async fetch(req) {
      requests.a2++;
      const text = await req.text();
      await hung;
      for (const line of text.split("\n")) if (line) seen.set(JSON.parse(line).id, (seen.get(JSON.parse(line).id) ?? 0) + 1);
      return new Response(null, { status: 204 });
    },
  });
  cleanup.push(() => (release(), a2.stop(true)));
  const dir = temp(), file = join(dir, "routes.json");
  // the breaker gives up on a2 after 1.5 s; its request would time out only after 10 s (a retry could double what it took)
  writeFileSync(file, JSON.stringify({ breaker: { timeoutMs: 1500 }, targets: [{ name: "a1", url: a1.url }, { name: "a2", url: `http://127.0.0.1:${a2.port}/ingest`, timeoutMs: 10_000 }] }));
  const s = await collector(dir, file);
  expect((await post(s.url, Array.from({ length: 100 }, (_, i) => i))).status).toBe(200);
  await until(() => requests.a2 === 1 && a1.counts.records === 50);
  const started = performance.now();
  expect((await post(s.url, Array.from({ length: 100 }, (_, i) => 100 + i))).status).toBe(200);
  await until(() => a1.counts.records === 100, 1400);
  expect(a1.counts.records).toBe(100); // a1's half of the second batch, without waiting for a2
  expect(performance.now() - started).toBeLessThan(1000);
  expect(requests.a2).toBe(1); // a2's half waits behind its request in flight
  await until(() => routeStats(s).targets[1].state === "open", 3000);
  await until(() => a1.counts.records === 150, 1000);
  expect(a1.counts.records).toBe(150); // ... and moved to a1 once a2's breaker opened
  release();
  await s.app.forwarder!.flush();
  expectEachOnce(seen, 200);
  expect(routeStats(s).failedOver).toBe(50);
});

test("every analyzer down: records wait in the targets' spools, and reach an analyzer once it answers", async () => {
  const seen = new Map<number, number>();
  const dir = temp(), file = join(dir, "routes.json");
  const [p1, p2] = [closedPort(), closedPort()];
  writeFileSync(file, JSON.stringify({ breaker: { failures: 1, openMs: 100 }, targets: [{ name: "a1", url: `http://127.0.0.1:${p1}/ingest`, retries: 0 }, { name: "a2", url: `http://127.0.0.1:${p2}/ingest`, retries: 0 }] }));
  const s = await collector(dir, file);
  for (let b = 0; b < 10; b++) expect((await post(s.url, Array.from({ length: 50 }, (_, i) => b * 50 + i))).status).toBe(200);
  await until(() => routeStats(s).spooled === 500, 5000);
  const stats = routeStats(s);
  expect(stats.dropped).toEqual({});
  expect(stats.targets.reduce((n, t) => n + t.spooled, 0)).toBeGreaterThan(0);
  analyzer(seen, p1);
  analyzer(seen, p2);
  await until(() => seen.size >= 500, 8000);
  await sleep(300); // a second delivery, had there been one, would land by now
  expectEachOnce(seen, 500);
  await until(() => routeStats(s).targets.every((t) => t.spooled === 0), 3000);
});

test("a bad routes file at the start: one line naming the problem, exit code 2, nothing started", () => {
  const dir = temp(), file = join(dir, "routes.json");
  const cli = new URL("../cli.ts", import.meta.url).pathname;
  const run = () => spawnSync(process.execPath, [cli, "serve", "--port", "0", "--no-auth", "--dir", dir, "--route", file], { encoding: "utf8", timeout: 20_000 });
  for (const [text, problem] of [
    ['{"targets":[{"name":"a1","url":"http://127.0.0.1:9/ingest","weight":0}]}', "targets[0].weight must be > 0"],
    ['{"targets":[{"name":"a1","url":"http://127.0.0.1:9/ingest","wieght":2}]}', "targets[0].wieght is not a known field"],
    ["{not json", "not JSON"],
  ]) {
    writeFileSync(file, text);
    const r = run();
    expect(r.status).toBe(2);
    expect(r.stderr.trim().split("\n")).toEqual([expect.stringContaining(problem)]);
    expect(r.stderr).toStartWith("sluice serve: --route ");
    expect(r.stdout).not.toContain("listening");
  }
  const missing = spawnSync(process.execPath, [cli, "serve", "--port", "0", "--no-auth", "--dir", dir, "--route", join(dir, "nope.json")], { encoding: "utf8", timeout: 20_000 });
  expect(missing.status).toBe(2);
  expect(missing.stderr).toContain("cannot read --route");
});
