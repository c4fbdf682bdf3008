// Edge, for real: the worker in worker.ts, bundled for the browser target, runs in workerd
// (through miniflare) and ships its records with httpSink to a running collector; the
// records must be on disk. Also: the core plus httpSink is at most 8,192 bytes gzipped.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { Miniflare } from "miniflare";
import { serve } from "../../dist/server.js";

const root = new URL("../../", import.meta.url).pathname;

function bundle(entry = "tests/edge/worker.ts") {
  const out = join(mkdtempSync(join(tmpdir(), "sluice-edge-")), "worker.js");
  const r = spawnSync(join(root, "node_modules/.bin/bun"), ["build", join(root, entry), "--target", "browser", "--format", "esm", "--minify", "--outfile", out], { encoding: "utf8" });
  assert.equal(r.status, 0, r.stderr);
  return readFileSync(out, "utf8");
}

test("a worker in workerd logs through httpSink to the collector, and the records land on disk", { timeout: 60_000 }, async () => {
  const script = bundle();
  assert.doesNotMatch(script, /(from|import|require)\s*\(?\s*["']node:/);
  const dir = mkdtempSync(join(tmpdir(), "sluice-edge-logs-"));
  const server = await serve({ port: 0, dir, tokens: [{ name: "edge", token: "edge-secret", producers: ["worker"] }], handleSignals: false });
  const mf = new Miniflare({
    modules: true,
    script,
    compatibilityDate: "2025-01-01",
    bindings: { COLLECTOR_URL: `${server.url}/ingest`, SLUICE_TOKEN: "edge-secret" },
  });
  try {
    const res = await mf.dispatchFetch("http://worker.example/checkout?n=25");
    assert.equal(await res.text(), "logged 25");
    const file = join(dir, "default.ndjson");
    const deadline = Date.now() + 10_000;
    let lines = [];
    while (Date.now() < deadline) {
      if (existsSync(file)) lines = readFileSync(file, "utf8").split("\n").filter(Boolean).map((l) => JSON.parse(l));
      if (lines.length >= 25) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    assert.equal(lines.length, 25);
    assert.deepEqual(lines.map((l) => l.i), [...Array(25).keys()]);
    assert.equal(lines[0].producer, "worker");
    assert.equal(lines[0].path, "/checkout");
  } finally {
    await mf.dispose();
    await server.close();
  }
});

test("the core plus httpSink, minified and gzipped for a browser target, is at most 8,192 bytes", () => {
  const size = gzipSync(bundle()).length;
  assert.ok(size <= 8_192, `${size} bytes gzipped`);
});

test("mod.ts, the entry for every runtime, also bundles for a browser target without a node: import", () => {
  assert.doesNotMatch(bundle("mod.ts"), /(from|import|require)\s*\(?\s*["']node:/);
});

test("withContext in workerd with nodejs_compat: await, timers, streams, interleaved requests (shared scenarios)", { timeout: 60_000 }, async () => {
  const mf = new Miniflare({ modules: true, script: bundle("tests/edge/context_worker.ts"), compatibilityDate: "2025-01-01", compatibilityFlags: ["nodejs_compat"] });
  try {
    const res = await mf.dispatchFetch("http://worker.example/");
    assert.equal(await res.text(), "ok 20");
  } finally {
    await mf.dispose();
  }
});

test("withContext in workerd without nodejs_compat throws a TypeError that names the fallback (a child logger)", { timeout: 60_000 }, async () => {
  const mf = new Miniflare({ modules: true, script: bundle("tests/edge/context_worker.ts"), compatibilityDate: "2025-01-01" });
  try {
    const res = await mf.dispatchFetch("http://worker.example/");
    assert.equal(res.status, 500);
    assert.match(await res.text(), /^TypeError: sluice: withContext needs AsyncLocalStorage.*nodejs_compat.*log\.child\(fields\)/);
  } finally {
    await mf.dispose();
  }
});

test("sluice/hono in workerd: the shared middleware scenario, and a request's records reach the collector through waitUntil", { timeout: 60_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), "sluice-edge-hono-"));
  const server = await serve({ port: 0, dir, tokens: [{ name: "edge", token: "edge-secret", producers: ["worker"] }], handleSignals: false });
  const mf = new Miniflare({
    modules: true,
    script: bundle("tests/edge/hono_worker.ts"),
    compatibilityDate: "2025-01-01",
    bindings: { COLLECTOR_URL: `${server.url}/ingest`, SLUICE_TOKEN: "edge-secret" },
  });
  try {
    assert.equal(await (await mf.dispatchFetch("http://worker.example/scenario")).text(), "ok 8");
    const res = await mf.dispatchFetch("http://worker.example/shop/items", { headers: { "x-request-id": "edge-req-1" } });
    assert.equal(await res.text(), "[1,2]");
    assert.equal(res.headers.get("x-request-id"), "edge-req-1");
    // nothing else flushes the logger: only the middleware's waitUntil(flush) brings these to disk
    const file = join(dir, "shop.ndjson");
    const deadline = Date.now() + 10_000;
    let lines = [];
    while (Date.now() < deadline) {
      if (existsSync(file)) lines = readFileSync(file, "utf8").split("\n").filter(Boolean).map((l) => JSON.parse(l));
      if (lines.length >= 2) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    assert.deepEqual(lines.map((l) => [l.msg, l.reqId]), [["listing", "edge-req-1"], ["request", "edge-req-1"]]);
    assert.equal(lines[1].status, 200);
    assert.equal(lines[1].bytes, 5);
  } finally {
    await mf.dispose();
    await server.close();
  }
});

test("sluice/hono adds little to an edge bundle (core + httpSink + the middleware, hono itself not counted)", () => {
  const core = gzipSync(bundle()).length;
  const withMiddleware = gzipSync(bundle("tests/edge/hono_size.ts")).length;
  console.log(`edge bundle: core + httpSink ${core} bytes gzipped; with sluice/hono ${withMiddleware} (+${withMiddleware - core})`);
  assert.ok(withMiddleware - core < 1500, `sluice/hono adds ${withMiddleware - core} bytes gzipped`);
});

test("otlpSink bundles for a browser target and adds little to the edge bundle", () => {
  const core = gzipSync(bundle()).length;
  const script = bundle("tests/edge/otlp_size.ts");
  assert.doesNotMatch(script, /(from|import|require)\s*\(?\s*["']node:/);
  const withOtlp = gzipSync(script).length;
  console.log(`edge bundle: core + httpSink ${core} bytes gzipped; with otlpSink ${withOtlp} (+${withOtlp - core})`);
  assert.ok(withOtlp - core < 2000, `otlpSink adds ${withOtlp - core} bytes gzipped`);
});
