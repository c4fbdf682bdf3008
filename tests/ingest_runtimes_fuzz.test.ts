// The same bad input gets the same answer on every runtime: seeded random and damaged bodies
// (tests/helpers/bad_bodies.ts) sent to `sluice serve` on Bun, Deno and Node; no 5xx, the same
// status from each, and every collector still answers afterwards.
import { afterAll, beforeAll, expect, test } from "bun:test";
import fc from "fast-check";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { anyCase } from "./helpers/bad_bodies.ts";
import { type ServeProcess, serveRuntimes, startServe } from "./helpers/serve_process.ts";

const running: [name: string, serve: ServeProcess][] = [];
beforeAll(async () => {
  for (const [name, cmd] of serveRuntimes) running.push([name, await startServe(cmd, mkdtempSync(join(tmpdir(), `sluice-rt-fuzz-${name}-`)), ["--no-auth"])]);
}, 60_000);
afterAll(() => { for (const [, s] of running) s.proc.kill("SIGTERM"); });

test("200 seeded bad bodies: no 5xx on any runtime, and the same status from Bun, Deno and Node", async () => {
  const cases = fc.sample(anyCase, { seed: 20261128, numRuns: 200 });
  const differ: string[] = [];
  for (const { path, type, gzip, body } of cases) {
    const what = `${path} ${type} gzip=${gzip} ${JSON.stringify(new TextDecoder().decode(body.slice(0, 160)))}`;
    const statuses: string[] = [];
    for (const [name, s] of running) {
      const res = await fetch(s.url + path, { method: "POST", body: body as BodyInit, headers: { "content-type": type, ...(gzip ? { "content-encoding": "gzip" } : {}) } });
      const text = await res.text();
      if (res.status >= 500) throw new Error(`${name}: ${res.status} ${text.slice(0, 200)} for ${what}`);
      statuses.push(`${name} ${res.status}`);
    }
    if (new Set(statuses.map((x) => x.split(" ")[1])).size > 1) differ.push(`${statuses.join(", ")}: ${what}`);
  }
  expect(differ).toEqual([]);
  for (const [, s] of running) expect((await fetch(`${s.url}/healthz`)).status).toBe(200);
}, 120_000);
