// Dead letters against a real collector, and what must NOT become one: a batch refused by
// `sluice serve` goes to <spool>/dead/, the next batch is written, and moved back it is sent
// again and written once; a collector that is away (503, network errors) keeps the spool waiting.
import { afterEach, expect, test } from "bun:test";
import { existsSync, mkdtempSync, readdirSync, renameSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createLogger } from "../mod.ts";
import { serve } from "../server.ts";
import { httpSink } from "../lib/sinks/http_sink.ts";
import { cleanup, ok, records, runCleanup, scripted, TOKEN, until } from "./helpers/http.ts";

afterEach(runCleanup);

const batches = (dir: string) => (existsSync(dir) ? readdirSync(dir).filter((n) => n.endsWith(".batch")) : []);

async function collector(logs: string, extra: { maxLines?: number } = {}) {
  const server = await serve({ port: 0, dir: logs, tokens: [{ name: "edge", token: TOKEN }], handleSignals: false, ...extra });
  cleanup.push(() => server.close());
  return `http://127.0.0.1:${server.port}/ingest`;
}

test("a batch sluice serve refuses (413, over --max-lines) goes to dead/; the next batch is written; moved back, it is sent again and written once", async () => {
  const logs = mkdtempSync(join(tmpdir(), "sluice-dead-logs-"));
  const spool = mkdtempSync(join(tmpdir(), "sluice-dead-"));
  const errors: Error[] = [];
  const log = createLogger({ sinks: [httpSink(await collector(logs, { maxLines: 5 }), { token: TOKEN, spool, gzip: false, retry: { maxAttempts: 2, baseDelayMs: 1 } })], onError: (e) => errors.push(e) });
  for (let i = 0; i < 8; i++) log.info("too many at once", { i });
  await log.flush();
  log.info("after the refused batch");
  await log.flush();
  await log.close();
  expect(records(logs).map((r) => r.msg)).toEqual(["after the refused batch"]);
  expect(log.stats().dropped).toEqual({ "sink-error": 8 });
  expect(errors.map(String).join()).toContain("HTTP 413");
  expect(batches(spool)).toEqual([]);
  const [dead] = batches(join(spool, "dead"));

  // the operator raises the limit and moves the batch back: the next sink on the spool sends it
  renameSync(join(spool, "dead", dead), join(spool, dead));
  const resend = createLogger({ sinks: [httpSink(await collector(logs), { token: TOKEN, spool, gzip: false })] });
  await until(() => batches(spool).length === 0);
  await resend.close();
  expect(records(logs).filter((r) => r.msg === "too many at once").map((r) => r.i)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
});

test("a collector that is away is not the batch's fault: 503 on every attempt, or a 500 after a 503 or a network error, keeps the batch in the spool", async () => {
  for (const script of [[503, 503, 503], [503, 500], [0, 500]]) {
    const spool = mkdtempSync(join(tmpdir(), "sluice-dead-away-"));
    let n = 0;
    // 0: the connection is dropped, a network error
    const answers: typeof fetch = async () => {
      const status = script[n++];
      if (status === 0) throw new Error("connection reset");
      return new Response("{}", { status: status ?? 200 });
    };
    const log = createLogger({ sinks: [httpSink("http://127.0.0.1:1/ingest", { spool, gzip: false, fetch: answers, retry: { maxAttempts: script.length, baseDelayMs: 1, maxDelayMs: 1 }, spoolRetryMs: 60_000 })], onError: () => {} });
    log.info("kept");
    await log.flush();
    expect(n).toBe(script.length);
    expect(batches(spool).length).toBe(1);
    expect(existsSync(join(spool, "dead"))).toBe(false);
    await log.close();
  }
});

test("a batch answered 500 on every attempt still goes to dead/ (the rule above is no wider than it must be)", async () => {
  const spool = mkdtempSync(join(tmpdir(), "sluice-dead-500-"));
  const s = scripted((_, req) => (req.text.includes("poison") ? new Response("boom", { status: 500 }) : ok()));
  const log = createLogger({ sinks: [httpSink(s.url, { spool, gzip: false, batch: { maxRecords: 1 }, retry: { maxAttempts: 3, baseDelayMs: 1 } })], onError: () => {} });
  log.info("poison");
  await log.flush();
  log.info("fine");
  await log.flush();
  await log.close();
  expect(s.answered.map((a) => a.status)).toEqual([500, 500, 500, 200]);
  expect(batches(join(spool, "dead")).length).toBe(1);
  expect(batches(spool)).toEqual([]);
});
