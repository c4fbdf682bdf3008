// A TransformStream in a sink's `through` from the web entry (what a worker bundle gets): the pipe
// of such stages is left out of it, so the sink says how to add it, and with enableStreamStages()
// the records go through the stream. Node runs each test file in its own process, and this one
// imports the web entry only, so nothing registered the pipe before.
import { test } from "node:test";
import assert from "node:assert/strict";
import * as web from "../../dist/mod.web.js";

test("web entry: a TransformStream through stage without enableStreamStages() is a TypeError naming it; with it, records go through the stream", async () => {
  const upper = () => new TransformStream({ transform: (batch, c) => c.enqueue(batch.map((r) => web.createRecord(r.time, r.level, r.category, r.msg.toUpperCase(), r.json.slice(r.fieldsAt)))) });
  const chunks = [];
  const sink = (through) => web.streamSink(new WritableStream({ write: (c) => void chunks.push(new TextDecoder().decode(c)) }), { through });
  assert.throws(() => sink([upper()]), (err) => err instanceof TypeError && /TransformStream through stage on the web entry needs enableStreamStages\(\)/.test(err.message));
  sink([web.syncStage((batch) => batch)]); // a stage with a synchronous form needs nothing
  web.enableStreamStages();
  const log = web.createLogger({ exitHooks: false, sinks: [sink([upper()])] });
  log.info("through", { n: 1 });
  await log.close();
  assert.match(chunks.join(""), /^\{"time":"[^"]+","level":"info","msg":"THROUGH","n":1\}\n$/);
});
