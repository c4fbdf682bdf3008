// caller: true — the file and line of the log call, through info/warn/child loggers, on Bun
// (Deno and Node: tests/deno/caller.test.ts, tests/node/caller.test.mjs run the same file);
// the cache of parsed stack lines stays bounded.
import { expect, test } from "bun:test";
import * as sluice from "../mod.ts";
import { callerScenario } from "./scenarios/caller.mjs";
import { CALLER_CACHE_MAX, callerCacheSize, locationOf } from "../lib/caller.ts";

test("each record names the file and line that logged it", async () => {
  await callerScenario(sluice);
});

test("stack lines of V8, JSC and Deno parse to file:line; anything else is unknown", () => {
  expect(locationOf("    at handler (file:///app/src/routes.ts:12:5)")).toBe("routes.ts:12");
  expect(locationOf("    at /app/src/routes.ts:13:5")).toBe("routes.ts:13");
  expect(locationOf("    at Logger.#log (C:\\app\\src\\win.ts:14:1)")).toBe("win.ts:14");
  expect(locationOf("    at native")).toBe("unknown");
});

test("the cache of parsed locations never holds more than its bound", () => {
  for (let i = 0; i < CALLER_CACHE_MAX * 5; i++) {
    locationOf(`    at f (file:///app/gen${i}.ts:${i}:1)`);
    expect(callerCacheSize()).toBeLessThanOrEqual(CALLER_CACHE_MAX);
  }
});
