// caller: true from the web entry (what a worker bundle gets): the stack capture is left out of
// it, so createLogger says how to add it, and with enableCallerCapture() records name the file
// and line of each log call as on the server entries. Node runs each test file in its own
// process, and this one imports the web entry only, so nothing registered the capture before.
import { test } from "node:test";
import assert from "node:assert/strict";
import * as web from "../../dist/mod.web.js";
import { callerScenario } from "../scenarios/caller.mjs";

test("web entry: caller: true without enableCallerCapture() is a TypeError naming it; with it, each record names its call's file and line", async () => {
  const sinks = [web.streamSink(new WritableStream())];
  assert.throws(() => web.createLogger({ caller: true, exitHooks: false, sinks }), (err) => err instanceof TypeError && /caller: true on the web entry needs enableCallerCapture\(\)/.test(err.message));
  const log = web.createLogger({ exitHooks: false, sinks }); // without caller: true nothing is needed
  log.info("fine");
  await log.close();
  web.enableCallerCapture();
  await callerScenario(web);
});
