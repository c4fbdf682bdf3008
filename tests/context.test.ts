// withContext/getContext on Bun (the shared scenarios), the active OpenTelemetry span through
// @opentelemetry/api's global registry, redaction of context fields, and the fallback.
import { expect, test } from "bun:test";
import { AsyncLocalStorage } from "node:async_hooks";
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { context, trace, TraceFlags, type Context, type ContextManager } from "@opentelemetry/api";
import * as sluice from "../mod.ts";
import { contextScenarios } from "./scenarios/context.mjs";

function memoryLogger(options: Partial<sluice.LoggerOptions> = {}) {
  let text = "";
  const decoder = new TextDecoder();
  const log = sluice.createLogger({ exitHooks: false, ...options, sinks: [sluice.streamSink(new WritableStream({ write(c) { text += decoder.decode(c); } }))] });
  return { log, records: () => text.split("\n").filter(Boolean).map((l) => JSON.parse(l)) };
}

test("await, timers, streams, interleaved requests, nesting, traceparent (shared scenarios)", async () => {
  const records = await contextScenarios(sluice);
  expect(records.length).toBe(20);
});

test("an active OpenTelemetry span's ids are on every record logged inside it; none outside", async () => {
  // a minimal context manager on AsyncLocalStorage, as @opentelemetry/context-async-hooks does
  const als = new AsyncLocalStorage<Context>();
  const root = context.active(); // the api's ROOT_CONTEXT, before a manager is registered
  const manager: ContextManager = {
    active: () => als.getStore() ?? root,
    with: (ctx, fn, thisArg, ...args) => als.run(ctx, () => fn.call(thisArg, ...args)),
    bind: (_ctx, target) => target,
    enable() { return this; },
    disable() { return this; },
  };
  expect(context.setGlobalContextManager(manager)).toBe(true);
  try {
    const { log, records } = memoryLogger();
    const span = trace.wrapSpanContext({ traceId: "4bf92f3577b34da6a3ce929d0e0e4736", spanId: "00f067aa0ba902b7", traceFlags: TraceFlags.SAMPLED });
    await context.with(trace.setSpan(context.active(), span), async () => {
      await new Promise((r) => setTimeout(r, 1));
      log.info("in span");
      // an active span wins over a traceparent in the request context
      sluice.withContext({ traceparent: "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-00" }, () => log.info("span and traceparent"));
    });
    log.info("no span");
    await log.close();
    const [inSpan, both, none] = records();
    expect([inSpan.trace_id, inSpan.span_id, inSpan.trace_flags]).toEqual(["4bf92f3577b34da6a3ce929d0e0e4736", "00f067aa0ba902b7", "01"]);
    expect(both.trace_id).toBe("4bf92f3577b34da6a3ce929d0e0e4736");
    expect(JSON.stringify(both).match(/trace_id/g)!.length).toBe(1);
    expect(none.trace_id).toBeUndefined();
  } finally {
    context.disable();
  }
});

test("OpenTelemetry registered after the logger was made: spans are still found, and the API reads back its registry", () => {
  // a fresh process, so no earlier logger or registration in this one decides the outcome
  const script = `
    import * as sluice from ${JSON.stringify(new URL("../mod.ts", import.meta.url).pathname)};
    const key = Symbol.for("opentelemetry.js.api.1");
    let text = "";
    const log = sluice.createLogger({ exitHooks: false, sinks: [sluice.streamSink(new WritableStream({ write(c) { text += new TextDecoder().decode(c); } }))] });
    log.info("before");
    const { AsyncLocalStorage } = await import("node:async_hooks");
    const { context, trace } = await import("@opentelemetry/api");
    const als = new AsyncLocalStorage();
    const root = context.active();
    context.setGlobalContextManager({ active: () => als.getStore() ?? root, with: (c, fn, t, ...a) => als.run(c, () => fn.call(t, ...a)), bind: (_c, f) => f, enable() { return this; }, disable() { return this; } });
    const registry = globalThis[key];
    const span = trace.wrapSpanContext({ traceId: "4bf92f3577b34da6a3ce929d0e0e4736", spanId: "00f067aa0ba902b7", traceFlags: 1 });
    context.with(trace.setSpan(context.active(), span), () => log.info("in span"));
    await log.close();
    console.log(JSON.stringify({ lines: text.trim().split("\\n").map((l) => JSON.parse(l)), version: registry.version, context: typeof registry.context }));
  `;
  const r = spawnSync(process.execPath, ["-e", script], { encoding: "utf8", cwd: new URL("..", import.meta.url).pathname, timeout: 30_000 });
  expect(r.stderr).toBe("");
  const { lines, version, context: registered } = JSON.parse(r.stdout);
  expect([version, registered]).toEqual([JSON.parse(readFileSync(new URL("../node_modules/@opentelemetry/api/package.json", import.meta.url), "utf8")).version, "object"]);
  expect(lines[0].trace_id).toBeUndefined();
  expect([lines[1].msg, lines[1].trace_id, lines[1].span_id, lines[1].trace_flags]).toEqual(["in span", "4bf92f3577b34da6a3ce929d0e0e4736", "00f067aa0ba902b7", "01"]);
});

test("context fields go through the logger's redaction", async () => {
  const { log, records } = memoryLogger({ redact: ["token"] });
  sluice.withContext({ user: "u1", token: "s3cret" }, () => log.info("call"));
  await log.close();
  expect(records()[0]).toMatchObject({ user: "u1", token: "[Redacted]" });
});

test("malformed traceparents add nothing", async () => {
  const { log, records } = memoryLogger();
  for (const tp of ["", "00-xyz", "ff-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01", "00-00000000000000000000000000000000-b7ad6b7169203331-01", "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01-extra"]) {
    sluice.withContext({ traceparent: tp }, () => log.info("x"));
  }
  await log.close();
  expect(records().map((r) => r.trace_id)).toEqual([undefined, undefined, undefined, undefined, undefined]);
});
