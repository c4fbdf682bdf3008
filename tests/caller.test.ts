// caller: true — the file and line of the log call, through info/warn/child loggers, on Bun
// (Deno and Node: tests/deno/caller.test.ts, tests/node/caller.test.mjs run the same file);
// the cache of parsed stack lines stays bounded.
import { expect, test } from "bun:test";
import * as sluice from "../mod.ts";
import { callerScenario } from "./scenarios/caller.mjs";
import { CALLER_CACHE_MAX, callerCacheSize, locationOf } from "../lib/caller_capture.ts";

test("each record names the file and line that logged it", async () => {
  await callerScenario(sluice);
});

test("one-frame stacks of V8, JSC and SpiderMonkey parse to file:line; anything else is unknown", () => {
  expect(locationOf("Error\n    at handler (file:///app/src/routes.ts:12:5)")).toBe("routes.ts:12");
  expect(locationOf("handler@https://example.com/app/bundle.js:7:30\n")).toBe("bundle.js:7");
  expect(locationOf("    at /app/src/routes.ts:13:5")).toBe("routes.ts:13");
  expect(locationOf("    at Logger.#log (C:\\app\\src\\win.ts:14:1)")).toBe("win.ts:14");
  expect(locationOf("    at native")).toBe("unknown");
});

test("log calls from more files than the cache holds each name their file; the cache of file names stays bounded", async () => {
  let text = "";
  const decoder = new TextDecoder();
  const log = sluice.createLogger({ caller: true, exitHooks: false, sinks: [sluice.streamSink(new WritableStream({ write(c) { text += decoder.decode(c); } }))] });
  const files = CALLER_CACHE_MAX * 3;
  let peak = 0;
  for (let i = 0; i < files; i++) {
    (0, eval)(`(log) => { log.info("generated"); }\n//# sourceURL=gen${i}.js`)(log);
    peak = Math.max(peak, callerCacheSize());
  }
  expect(peak).toBe(CALLER_CACHE_MAX); // it fills up to its bound, never past it
  await log.close();
  const callers = text.split("\n").filter(Boolean).map((l) => JSON.parse(l).caller);
  expect(callers).toEqual(Array.from({ length: files }, (_, i) => `gen${i}.js:1`));
});
