// The collector's bad-day answers are the same on Bun, Deno and Node: the same list of hostile
// and broken requests against a real `sluice serve` on each runtime, each answered as the README
// says, and the good records beside bad ones written.
import { afterAll, describe, expect, test } from "bun:test";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type ServeProcess, serveRuntimes, startServe } from "./helpers/serve_process.ts";

const running: ServeProcess[] = [];
afterAll(() => { for (const s of running) s.proc.kill("SIGTERM"); });

const ndjson = { "content-type": "application/x-ndjson" };
const json = { "content-type": "application/json" };
/** [what, path, headers (token "a" unless said), body, expected status] */
const cases: [string, string, Record<string, string>, string, number][] = [
  ["a time out of range beside good records", "/ingest", ndjson, '{"msg":"good"}\n{"msg":"x","time":1e300}\n', 200],
  ["nanoseconds as time", "/ingest", ndjson, `{"msg":"x","time":${Date.now() * 1e6}}\n`, 400],
  ["an OTLP scope whose name is not a string", "/v1/logs", json, JSON.stringify({ resourceLogs: [{ scopeLogs: [{ scope: { name: 7 }, logRecords: [{ body: { stringValue: "b" } }] }] }] }), 400],
  ["OTLP with members of the wrong types", "/v1/logs", json, JSON.stringify({ resourceLogs: [{ scopeLogs: 5, resource: { attributes: "x" } }] }), 400],
  ["more records than --max-lines", "/ingest", ndjson, '{"msg":"m"}\n'.repeat(6), 413],
  ["speaking as another token's producer", "/ingest", { ...ndjson, "x-sluice-producer": "b-1" }, '{"msg":"spoof"}\n', 403],
  ["speaking as the collector", "/ingest", { ...ndjson, "x-sluice-producer": "sluice" }, '{"msg":"spoof"}\n', 403],
  ["a heartbeat due in 1e16 ms", "/heartbeat", json, JSON.stringify({ nextCheckInMs: 1e16 }), 400],
  ["silencing another producer", "/heartbeat", json, JSON.stringify({ producer: "b-1", shutdown: true }), 403],
  ["no token", "/ingest", { ...ndjson, authorization: "" }, '{"msg":"x"}\n', 401],
  ["an unknown type", "/ingest", { "content-type": "text/csv" }, "a,b\n", 415],
  ["bad gzip", "/ingest", { ...ndjson, "content-encoding": "gzip" }, "not gzip", 400],
];

for (const [name, cmd] of serveRuntimes) {
  describe(`bad day on ${name}`, () => {
    test("every hostile or broken request gets its documented answer; nothing gets a 5xx; the good records are written", async () => {
      const dir = mkdtempSync(join(tmpdir(), `sluice-badday-${name}-`));
      const tokens = join(dir, "tokens");
      writeFileSync(tokens, "a:token-a:producers=a-*\nb:token-b:producers=b-*\n");
      const s = await startServe(cmd, join(dir, "logs"), ["--tokens", tokens, "--max-lines", "5"]);
      running.push(s);
      const got: [string, number][] = [];
      for (const [what, path, headers, body] of cases) {
        const res = await fetch(s.url + path, { method: "POST", body, headers: { authorization: "Bearer token-a", ...headers } });
        await res.text();
        got.push([what, res.status]);
      }
      expect(got).toEqual(cases.map(([what, , , , status]) => [what, status]));
      expect((await fetch(`${s.url}/producers`, { headers: { authorization: "Bearer token-b" } })).status).toBe(200);
      s.proc.kill("SIGTERM");
      await new Promise((r) => s.proc.once("exit", r));
      expect(readFileSync(join(dir, "logs", "default.ndjson"), "utf8")).toContain('"msg":"good"');
    }, 60_000);
  });
}
