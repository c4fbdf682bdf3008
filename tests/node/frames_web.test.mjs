// httpSink's body: "frame" from the web entry (what a worker bundle gets): the frame encoder is
// left out of it, so httpSink says how to add it, and with enableFrames() a batch reaches the
// receiver as a frame. Node runs each test file in its own process, and this one imports the web
// entry only (a plain node:http server receives), so nothing registered the encoder before.
import { test } from "node:test";
import assert from "node:assert/strict";
import { createServer } from "node:http";
import * as web from "../../dist/mod.web.js";

test("web entry: httpSink body \"frame\" without enableFrames() is a TypeError naming it; with it, batches go out as frames", async () => {
  assert.throws(() => web.httpSink("http://127.0.0.1:9/ingest", { body: "frame" }), (err) => err instanceof TypeError && /body "frame" on the web entry needs enableFrames\(\)/.test(err.message));
  web.httpSink("http://127.0.0.1:9/ingest"); // NDJSON needs nothing
  web.enableFrames();
  const bodies = [];
  const server = createServer((req, res) => {
    const chunks = [];
    req.on("data", (c) => chunks.push(c));
    req.on("end", () => {
      bodies.push({ type: req.headers["content-type"], body: Buffer.concat(chunks) });
      res.writeHead(200, { "content-type": "application/json" }).end("{}");
    });
  });
  await new Promise((r) => server.listen(0, "127.0.0.1", r));
  try {
    const log = web.createLogger({ exitHooks: false, sinks: [web.httpSink(`http://127.0.0.1:${server.address().port}/ingest`, { body: "frame", gzip: false })] });
    log.info("framed", { n: 1 });
    await log.close();
    assert.equal(bodies.length, 1);
    assert.equal(bodies[0].type, "application/vnd.sluice.frame");
    assert.deepEqual([...bodies[0].body.subarray(0, 4)], [0x53, 0x4c, 0x46, 1]); // "SLF", version 1
    assert.match(bodies[0].body.subarray(20).toString(), /^\{"time":"[^"]+","level":"info","msg":"framed","n":1\}\n$/);
  } finally {
    server.close();
  }
});
