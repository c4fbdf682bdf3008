// Workers fan in to one writer on Node, against the built npm output: a worker_threads Worker
// logs through portSink(parentPort); receiveFrames on the Worker (an EventEmitter) writes.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Worker } from "node:worker_threads";
import { createLogger, fileSink, receiveFrames } from "../../dist/mod.js";

test("a worker_threads worker's records reach the parent's file once each, in order", async () => {
  const dir = mkdtempSync(join(tmpdir(), "sluice-node-port-"));
  const log = createLogger({ sinks: [fileSink(join(dir, "app.ndjson"))] });
  const worker = new Worker(new URL("../fixtures/frame_worker.mjs", import.meta.url));
  const rx = receiveFrames(worker, log, { producer: "nw" });
  const done = new Promise((resolve) => worker.on("message", (m) => m === "done" && resolve()));
  worker.postMessage({ mod: new URL("../../dist/mod.js", import.meta.url).href, n: 2000, id: 5 });
  await Promise.race([done, new Promise((_, reject) => setTimeout(() => reject(new Error("the worker did not finish in 10 s")), 10_000).unref())]);
  rx.close();
  await worker.terminate();
  await log.close();
  const got = readFileSync(join(dir, "app.ndjson"), "utf8").split("\n").filter(Boolean).map((l) => JSON.parse(l));
  assert.deepEqual(got.map((r) => r.i), [...Array(2000).keys()]);
  assert.ok(got.every((r) => r.producer === "nw" && r.worker === 5));
  assert.deepEqual(rx.stats(), { frames: rx.stats().frames, records: 2000, refusedFrames: 0, refusedLines: 0 });
});

test("a worker_threads worker that calls process.exit() right after logging loses nothing", async () => {
  const dir = mkdtempSync(join(tmpdir(), "sluice-node-port-"));
  const log = createLogger({ sinks: [fileSink(join(dir, "app.ndjson"))] });
  const worker = new Worker(new URL("../fixtures/frame_worker.mjs", import.meta.url));
  const rx = receiveFrames(worker, log, { producer: "nq" });
  const exited = new Promise((resolve) => worker.on("exit", resolve));
  worker.postMessage({ mod: new URL("../../dist/mod.js", import.meta.url).href, n: 1000, id: 6, exit: true });
  await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 5000).unref())]);
  for (let waited = 0; rx.stats().records < 1000 && waited < 2000; waited += 20) await new Promise((r) => setTimeout(r, 20));
  rx.close();
  await log.close();
  const got = readFileSync(join(dir, "app.ndjson"), "utf8").split("\n").filter(Boolean).map((l) => JSON.parse(l).i);
  assert.deepEqual(got, [...Array(1000).keys()]);
});
