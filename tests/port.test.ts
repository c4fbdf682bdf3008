// Workers fan in to one writer: portSink posts frames, receiveFrames hands them to a logger.
import { describe, expect, test } from "bun:test";
import { mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { categoryFileSink, createLogger, encodeFrame, portSink, receiveFrames } from "../mod.ts";

const temp = () => mkdtempSync(join(tmpdir(), "sluice-port-"));
const read = (dir: string, file: string) => readFileSync(join(dir, file), "utf8").split("\n").filter(Boolean).map((l) => JSON.parse(l));

describe("portSink and receiveFrames", () => {
  test("two Web Workers log into one writer's category files: every record once, in order, tagged", async () => {
    const dir = temp();
    const log = createLogger({ sinks: [categoryFileSink(dir)] });
    const runs = [1, 2].map(async (id) => {
      const worker = new Worker(new URL("./fixtures/frame_worker.mjs", import.meta.url).href, { type: "module" });
      const rx = receiveFrames(worker, log, { producer: `w${id}` });
      const done = new Promise<void>((resolve) => worker.addEventListener("message", (e) => e.data === "done" && resolve()));
      worker.postMessage({ mod: new URL("../mod.ts", import.meta.url).href, n: 3000, id });
      await done;
      rx.close();
      worker.terminate();
      return rx.stats();
    });
    const stats = await Promise.all(runs);
    await log.close();
    expect(readdirSync(dir).sort()).toEqual(["c0.ndjson", "c1.ndjson", "c2.ndjson"]);
    for (const c of [0, 1, 2]) {
      const got = read(dir, `c${c}.ndjson`);
      expect(got.length).toBe(2000);
      for (const id of [1, 2]) {
        const mine = got.filter((r) => r.producer === `w${id}`);
        expect(mine.map((r) => r.i)).toEqual(Array.from({ length: 1000 }, (_, k) => k * 3 + c));
        expect(mine.every((r) => r.worker === id && r.category === `c${c}` && r.msg === "work")).toBe(true);
      }
    }
    for (const s of stats) expect(s).toMatchObject({ records: 3000, refusedFrames: 0, refusedLines: 0 });
    expect(log.stats()).toMatchObject({ written: 6000, dropped: {} });
  });

  test("a worker that calls process.exit() right after logging loses nothing: the exit drain posts what is queued", async () => {
    const dir = temp();
    const log = createLogger({ sinks: [categoryFileSink(dir)] });
    const worker = new Worker(new URL("./fixtures/frame_worker.mjs", import.meta.url).href, { type: "module" });
    const rx = receiveFrames(worker, log, { producer: "quitter" });
    const closed = new Promise((r) => worker.addEventListener("close", r));
    worker.postMessage({ mod: new URL("../mod.ts", import.meta.url).href, n: 1000, id: 9, exit: true });
    await Promise.race([closed, new Promise((r) => setTimeout(r, 5000))]);
    for (let waited = 0; rx.stats().records < 1000 && waited < 2000; waited += 20) await new Promise((r) => setTimeout(r, 20));
    rx.close();
    await log.close();
    const got = [0, 1, 2].flatMap((c) => read(dir, `c${c}.ndjson`)).map((r) => r.i).sort((a, b) => a - b);
    expect(got).toEqual(Array.from({ length: 1000 }, (_, i) => i));
  });

  test("over a MessageChannel: close() posts what is queued; a damaged frame is refused whole and reported; other messages are left alone", async () => {
    const dir = temp();
    const { port1, port2 } = new MessageChannel();
    const errors: Error[] = [];
    const writer = createLogger({ sinks: [categoryFileSink(dir)] });
    const rx = receiveFrames(port2, writer, { producer: "in-proc", onError: (e) => errors.push(e) });
    const sender = createLogger({ sinks: [portSink(port1)], exitHooks: false });
    for (let i = 0; i < 10; i++) sender.info("queued", { i });
    expect(sender.stats().queued).toBe(10); // nothing posted yet: the batch waits for its age
    const bad = encodeFrame('{"msg":"lost"}\n', 1);
    bad[20] ^= 1;
    port1.postMessage(bad);
    port1.postMessage({ app: "own message" });
    port1.postMessage(encodeFrame('{"msg":"ok"}\nnot json\n', 2));
    await sender.close();
    await new Promise((r) => setTimeout(r, 50));
    await writer.flush();
    const got = read(dir, "default.ndjson");
    expect(got.map((r) => r.msg)).toEqual(["ok", ...Array(10).fill("queued")]);
    expect(got.every((r) => r.producer === "in-proc")).toBe(true);
    expect(rx.stats()).toEqual({ frames: 2, records: 11, refusedFrames: 1, refusedLines: 1 });
    expect(errors.map((e) => e.message)).toEqual([
      expect.stringMatching(/a frame from in-proc was refused: sluice frame: checksum mismatch/),
      expect.stringMatching(/1 lines from in-proc were refused; line 2: invalid JSON/),
    ]);
    rx.close();
    port1.close();
    await writer.close();
  });

  test("by default a refused frame becomes an error record in the receiving logger", async () => {
    const dir = temp();
    const { port1, port2 } = new MessageChannel();
    const writer = createLogger({ sinks: [categoryFileSink(dir)] });
    receiveFrames(port2, writer, { producer: "w9" });
    port1.postMessage(new Uint8Array([1, 2, 3, 4]));
    await new Promise((r) => setTimeout(r, 30));
    await writer.close();
    port1.close();
    expect(read(dir, "sluice.ndjson")[0]).toMatchObject({ level: "error", category: "sluice", producer: "w9", msg: expect.stringMatching(/bad magic/) });
  });
});
