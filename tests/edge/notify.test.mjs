// The notification sinks on the edge, for real: a worker bundled for the browser target runs in
// workerd (miniflare) and posts one alert to Discord, Slack and Telegram stand-ins on 127.0.0.1,
// the first answer of each a 429 with its service's retry_after.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { createServer } from "node:http";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Miniflare } from "miniflare";

const root = new URL("../../", import.meta.url).pathname;

test("discordSink, slackSink and telegramSink run in workerd, obey a 429 and post each service's payload", { timeout: 60_000 }, async () => {
  const out = join(mkdtempSync(join(tmpdir(), "sluice-edge-notify-")), "worker.js");
  const r = spawnSync(join(root, "node_modules/.bin/bun"), ["build", join(root, "tests/edge/notify_worker.ts"), "--target", "browser", "--format", "esm", "--minify", "--outfile", out], { encoding: "utf8" });
  assert.equal(r.status, 0, r.stderr);
  const script = readFileSync(out, "utf8");
  assert.doesNotMatch(script, /(from|import|require)\s*\(?\s*["']node:/);
  const hits = [];
  const limited = new Set();
  const server = createServer((req, res) => {
    let body = "";
    req.on("data", (c) => (body += c));
    req.on("end", () => {
      hits.push({ path: req.url, body: JSON.parse(body) });
      if (!limited.has(req.url)) {
        limited.add(req.url);
        const answer = { "/discord": { retry_after: 0.2 }, "/slack": {}, "/telegram/bot1:T/sendMessage": { ok: false, error_code: 429, parameters: { retry_after: 1 } } }[req.url];
        res.writeHead(429, { "content-type": "application/json", "retry-after": "1" }).end(JSON.stringify(answer));
      } else res.writeHead(200).end("{}");
    });
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  const mf = new Miniflare({ modules: true, script, compatibilityDate: "2025-01-01", bindings: { HOOK_URL: `http://127.0.0.1:${server.address().port}` } });
  try {
    assert.equal(await (await mf.dispatchFetch("http://worker.example/")).text(), "alerted");
    const deadline = Date.now() + 10_000;
    while (hits.length < 6 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    const last = Object.fromEntries(hits.map((h) => [h.path, h.body]));
    assert.equal(hits.length, 6);
    assert.deepEqual(last["/discord"], { content: "**ERROR** checkout failed  `order=A-1`", allowed_mentions: { parse: [] } });
    assert.deepEqual(last["/slack"], { text: "*ERROR* checkout failed  `order=A-1`" });
    assert.deepEqual(last["/telegram/bot1:T/sendMessage"], { chat_id: 42, text: "ERROR checkout failed\n  order=A-1", disable_web_page_preview: true });
  } finally {
    await mf.dispose();
    server.close();
  }
});
