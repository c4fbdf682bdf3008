// Workers fan in to one writer on Deno: a Web Worker logs through portSink(self), and
// receiveFrames hands its frames to the parent's logger and file.
import assert from "node:assert/strict";
import { createLogger, fileSink, portSink, receiveFrames } from "../../mod.ts";

Deno.test({
  name: "a Deno worker's records reach the parent's file once each, in order",
  sanitizeOps: false,
  sanitizeResources: false,
  fn: async () => {
    const dir = Deno.makeTempDirSync();
    const log = createLogger({ sinks: [fileSink(`${dir}/app.ndjson`)] });
    const worker = new Worker(new URL("../fixtures/frame_worker.mjs", import.meta.url).href, { type: "module" });
    const rx = receiveFrames(worker, log, { producer: "dw" });
    const done = new Promise<void>((resolve) => worker.addEventListener("message", (e) => e.data === "done" && resolve()));
    worker.postMessage({ mod: new URL("../../mod.ts", import.meta.url).href, n: 2000, id: 3 });
    let timer: ReturnType<typeof setTimeout> | undefined;
    await Promise.race([done, new Promise((_, reject) => (timer = setTimeout(() => reject(new Error("the worker did not finish in 10 s")), 10_000)))]);
    clearTimeout(timer);
    rx.close();
    worker.terminate();
    await log.close();
    const got = Deno.readTextFileSync(`${dir}/app.ndjson`).split("\n").filter(Boolean).map((l) => JSON.parse(l));
    assert.deepEqual(got.map((r) => r.i), [...Array(2000).keys()]);
    assert.ok(got.every((r) => r.producer === "dw" && r.worker === 3));
    assert.equal(rx.stats().records, 2000);
  },
});

Deno.test({
  name: "a MessagePort is started by receiveFrames: frames posted on a MessageChannel arrive without a start() of one's own",
  sanitizeOps: false,
  sanitizeResources: false,
  fn: async () => {
    const dir = Deno.makeTempDirSync();
    const { port1, port2 } = new MessageChannel();
    const log = createLogger({ sinks: [fileSink(`${dir}/app.ndjson`)] });
    const rx = receiveFrames(port2, log, { producer: "mc" });
    const sender = createLogger({ sinks: [portSink(port1)], exitHooks: false });
    for (let i = 0; i < 50; i++) sender.info("r", { i });
    await sender.close();
    for (let waited = 0; rx.stats().records < 50 && waited < 2000; waited += 10) await new Promise((r) => setTimeout(r, 10));
    rx.close();
    port1.close();
    port2.close();
    await log.close();
    const got = Deno.readTextFileSync(`${dir}/app.ndjson`).split("\n").filter(Boolean).map((l) => JSON.parse(l));
    assert.deepEqual(got.map((r) => r.i), [...Array(50).keys()]);
  },
});
