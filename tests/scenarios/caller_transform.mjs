// sluice/caller's transform at run time, on any runtime: code transformed by callerTransform
// logs with caller: true and every record names its exact line with no stack capture; other
// receivers see the same this and arguments; nested calls, arguments that throw, disabled
// levels, loggers without caller: true and untransformed calls never take a location that is
// not theirs. Throws on the first broken expectation.

function assertEqual(got, want, what) {
  if (JSON.stringify(got) !== JSON.stringify(want)) throw new Error(`${what}: expected ${JSON.stringify(want)}, got ${JSON.stringify(got)}`);
}

// the transformed "file": each line's number is what its records must name
const APP = [
  /* 1 */ '"use strict";',
  /* 2 */ 'log.info("first");',
  /* 3 */ 'log.warn("second", { n: 2 });',
  /* 4 */ 'fake.info(1, ...[2, 3]); fake.info(); const got = map.get("k");',
  /* 5 */ 'log.info("outer", {',
  /* 6 */ '  inner: log.error("inner") });',
  /* 7 */ 'try { log.info("thrown", boom()); } catch {}',
  /* 8 */ 'after();',
  /* 9 */ 'fake.info(0); const quiet = log.debug("disabled"); after();',
  /* 10 */ 'plain.info("plain"); after();',
  /* 11 */ 'log.child({ c: 1 }).info("child");',
  /* 12 */ 'order.push("x"); getLog().info(next("a"), next("b")); const none = missing?.info(next("never"));',
  /* 13 */ 'log.info(() => (untransformed(), "message function"));',
  /* 14 */ 'fake.info(`${log.info("in a template")}`);',
  /* 15 */ 'return [got, none, this === undefined, quiet];',
].join("\n");

export async function callerTransformScenario(sluice, callerTransform) {
  const { createLogger, streamSink } = sluice;
  let text = "";
  const sink = () => streamSink(new WritableStream({ write(c) { text += new TextDecoder().decode(c); } }));
  const log = createLogger({ caller: true, exitHooks: false, sinks: [sink()] });
  const plain = createLogger({ exitHooks: false, sinks: [sink()] });
  const calls = [];
  const fake = { info(...args) { calls.push({ self: this === fake, args }); } };
  const map = new Map([["k", "v"]]);
  const order = [];
  const next = (v) => (order.push(v), v);
  // untransformed log calls: they must keep today's stack location (this file), never the app's
  const after = () => log.info("untransformed");
  const untransformed = () => log.info("untransformed");
  const transformed = callerTransform(APP, "/srv/app/app.js");
  assertEqual(transformed.split("\n").length, APP.split("\n").length, "line count");

  const ErrorApi = Error;
  const capture = ErrorApi.captureStackTrace;
  let captures = 0;
  ErrorApi.captureStackTrace = function (...args) {
    captures++;
    return capture.apply(this, args);
  };
  let result;
  try {
    result = new Function("log", "plain", "fake", "map", "boom", "after", "untransformed", "getLog", "order", "next", "missing", transformed)(
      log, plain, fake, map, () => { throw new Error("boom"); }, after, untransformed, () => (order.push("getLog"), log), order, next, undefined,
    );
  } finally {
    ErrorApi.captureStackTrace = capture;
  }
  await log.close();
  await plain.close();
  const records = text.split("\n").filter(Boolean).map((l) => JSON.parse(l));
  const callerOf = (msg) => records.filter((r) => r.msg === msg).map((r) => r.caller);

  assertEqual(callerOf("first"), ["app.js:2"], "first");
  assertEqual(callerOf("second"), ["app.js:3"], "second");
  assertEqual(callerOf("inner"), ["app.js:6"], "a call nested in another's arguments");
  assertEqual(callerOf("outer"), ["app.js:5"], "the call around it");
  assertEqual(callerOf("thrown"), [], "a call whose arguments threw logs nothing");
  assertEqual(callerOf("child"), ["app.js:11"], "a child logger");
  assertEqual(callerOf("message function"), ["app.js:13"], "a message function that logs untransformed");
  assertEqual(callerOf("in a template"), ["app.js:14"], "a call inside a template");
  assertEqual(callerOf("a"), ["app.js:12"], "a receiver from a call");
  assertEqual(callerOf("disabled"), [], "disabled");
  assertEqual(records.find((r) => r.msg === "plain")?.caller, undefined, "a logger without caller: true adds no caller");
  // after a throw in the arguments, a disabled call, a call on a logger without caller: true and
  // inside a message function, an untransformed call still names where it really is
  const untransformedAt = callerOf("untransformed");
  assertEqual(untransformedAt.length, 4, "untransformed calls");
  if (untransformedAt.some((c) => c.startsWith("app.js") || c === "unknown")) throw new Error(`untransformed calls took a transformed location: ${untransformedAt}`);
  // only the four untransformed calls captured a stack
  assertEqual(captures, 4, "stack captures");
  assertEqual(calls, [{ self: true, args: [1, 2, 3] }, { self: true, args: [] }, { self: true, args: [0] }, { self: true, args: ["undefined"] }], "another receiver's this and arguments");
  assertEqual(order, ["x", "getLog", "a", "b"], "evaluation order; an optional call on undefined evaluates nothing");
  // a disabled call returns nothing, as without caller: true (not the receiver a call before left in the slot)
  assertEqual(result, ["v", undefined, true, undefined], "results, and the directive still applies");
  if (result[3] !== undefined) throw new Error("a disabled call returned a value");
  return records;
}
