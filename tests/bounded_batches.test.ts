// Records that pile up while a network sink is busy go out in batches within its limits: a
// collector refuses a body over its size (413), so one batch of everything queued during a
// stall was lost whole (found by the 30-minute soak on a loaded machine: batches of 150,000
// records refused). Files still take all that waits in one write.
import { describe, expect, test } from "bun:test";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createLogger, httpSink, type Sink } from "../mod.ts";

/** A sink whose first write waits for `release`, keeping the sizes of the batches it was given. */
function stalledSink(maxBatch?: { maxRecords: number; maxBytes: number }) {
  const sizes: number[] = [];
  const seen: number[] = [];
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  const sink: Sink<number[]> = {
    name: "stalled",
    sync: false,
    defaultOnFull: "drop-newest",
    batch: { maxRecords: 100, maxBytes: 1 << 20, maxAgeMs: 1 },
    maxBatch,
    encode: (records) => records.map((r) => JSON.parse(r.json).n as number),
    async write(chunk) {
      if (sizes.length === 0) await gate;
      sizes.push(chunk.length);
      seen.push(...chunk);
    },
    close() {},
  };
  return { sink, sizes, seen, release };
}

describe("bounded batches", () => {
  test("a backlog goes out in batches of at most maxRecords, in order, and flush waits for all of it", async () => {
    const { sink, sizes, seen, release } = stalledSink({ maxRecords: 100, maxBytes: 1 << 20 });
    const log = createLogger({ sinks: [sink], maxQueuedRecords: 10_000 });
    log.info("x", { n: 0 });
    await new Promise((r) => setTimeout(r, 20)); // the first batch is in the stalled write
    for (let n = 1; n < 1000; n++) log.info("x", { n });
    setTimeout(release, 20);
    await log.flush();
    expect(seen.length).toBe(1000); // flush resolved only once every record was written
    expect(seen).toEqual([...Array(1000).keys()]);
    expect(Math.max(...sizes)).toBe(100);
    expect(sizes.length).toBeGreaterThanOrEqual(11);
    expect(log.stats().dropped).toEqual({});
    await log.close();
  });

  test("maxBytes bounds a batch too (a record over it goes alone)", async () => {
    const { sink, sizes, seen, release } = stalledSink({ maxRecords: 10_000, maxBytes: 2000 });
    const log = createLogger({ sinks: [sink], maxQueuedRecords: 10_000 });
    log.info("x", { n: 0 });
    await new Promise((r) => setTimeout(r, 20));
    for (let n = 1; n < 300; n++) log.info("x", { n, pad: n === 150 ? "p".repeat(5000) : "" });
    release();
    await log.flush();
    expect(seen).toEqual([...Array(300).keys()]);
    // each record is about 60 bytes: no batch after the first holds more than ~2000 bytes' worth
    expect(Math.max(...sizes.slice(1))).toBeLessThanOrEqual(2000 / 50);
    await log.close();
  });

  test("a sink without maxBatch still takes everything waiting in one write (files)", async () => {
    const { sink, sizes, seen, release } = stalledSink();
    const log = createLogger({ sinks: [sink], maxQueuedRecords: 10_000 });
    log.info("x", { n: 0 });
    await new Promise((r) => setTimeout(r, 20));
    for (let n = 1; n < 1000; n++) log.info("x", { n });
    release();
    await log.flush();
    expect(seen.length).toBe(1000);
    expect(sizes).toEqual([1, 999]);
    await log.close();
  });

  test("httpSink against a stalled collector: no request over maxBatch.maxRecords lines, nothing lost", async () => {
    const lines: number[] = [];
    let stall: Promise<void> | undefined = new Promise((r) => setTimeout(r, 300));
    const server = Bun.serve({
      port: 0,
      hostname: "127.0.0.1",
      async fetch(req) {
        const body = await req.text();
        if (stall) await stall;
        stall = undefined;
        const n = body.split("\n").filter(Boolean).length;
        if (n > 50) return new Response("too large", { status: 413 }); // as a collector's --max-lines would
        lines.push(n);
        return Response.json({ accepted: n });
      },
    });
    try {
      const log = createLogger({ sinks: [httpSink(`http://127.0.0.1:${server.port}/ingest`, { gzip: false, batch: { maxAgeMs: 5 }, maxBatch: { maxRecords: 50 }, maxQueuedRecords: 100_000 })] });
      for (let i = 0; i < 5000; i++) {
        log.info("r", { i });
        if (i % 500 === 0) await new Promise((r) => setTimeout(r, 10));
      }
      await log.flush();
      expect(lines.reduce((a, b) => a + b, 0)).toBe(5000); // flush resolved only once all were accepted
      expect(Math.max(...lines)).toBeLessThanOrEqual(50);
      expect(log.stats().dropped).toEqual({});
      await log.close();
    } finally {
      server.stop(true);
    }
  });

  test("at exit a spooled httpSink's backlog is spooled as batches within maxBatch", () => {
    const dir = mkdtempSync(join(tmpdir(), "sluice-bounded-spool-"));
    try {
      const script = `
        import { createLogger, httpSink } from ${JSON.stringify(join(import.meta.dir, "../mod.ts"))};
        const log = createLogger({ sinks: [httpSink("http://127.0.0.1:1/ingest", { spool: ${JSON.stringify(dir)}, maxBatch: { maxRecords: 40 }, maxQueuedRecords: 100_000 })], onError: () => {} });
        for (let i = 0; i < 1000; i++) log.info("r", { i });
        process.exit(0);
      `;
      const r = Bun.spawnSync([process.execPath, "-e", script]);
      expect(r.exitCode).toBe(0);
      const files = readdirSync(dir).filter((f) => f.endsWith(".batch"));
      const counts = files.map((f) => readFileSync(join(dir, f), "utf8").split("\n").filter((l) => l.includes('"msg":"r"')).length);
      expect(counts.reduce((a, b) => a + b, 0)).toBe(1000);
      expect(Math.max(...counts)).toBeLessThanOrEqual(40);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
