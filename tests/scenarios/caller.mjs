// caller: true on any runtime: each record names this file and the line of its log call.
// Throws on the first broken expectation.
export async function callerScenario(sluice) {
  const { createLogger, streamSink } = sluice;
  let text = "";
  const decoder = new TextDecoder();
  const log = createLogger({ caller: true, exitHooks: false, sinks: [streamSink(new WritableStream({ write(c) { text += decoder.decode(c); } }))] });
  const plain = createLogger({ exitHooks: false, sinks: [streamSink(new WritableStream({ write(c) { text += decoder.decode(c); } }))] });
  const child = log.child({ reqId: "r1" });
  const line = Number(/:(\d+):\d+\)?\s*$/.exec(new Error().stack.split("\n")[1])[1]); // this line
  log.info("one");
  log.warn("two", { a: 1 });
  child.error("three");
  plain.info("plain");
  for (let i = 0; i < 3; i++) log.debug("disabled"), log.info("loop");
  log.info(() => (log.info("inner"), "outer")); // a message function that logs itself: both name this line
  (0, eval)('(log) => { log.info("evaluated"); }\n//# sourceURL=generated.js')(log);
  await log.close();
  await plain.close();
  const records = text.split("\n").filter(Boolean).map((l) => JSON.parse(l));
  const at = (msg) => records.filter((r) => r.msg === msg).map((r) => r.caller);
  const expect = (msg, want) => {
    const got = at(msg);
    if (got.length === 0 || got.some((c) => c !== want)) throw new Error(`caller of ${msg}: expected ${want}, got ${JSON.stringify(got)}`);
  };
  expect("one", `caller.mjs:${line + 1}`);
  expect("two", `caller.mjs:${line + 2}`);
  expect("three", `caller.mjs:${line + 3}`);
  expect("loop", `caller.mjs:${line + 5}`);
  expect("inner", `caller.mjs:${line + 6}`);
  expect("outer", `caller.mjs:${line + 6}`);
  expect("evaluated", "generated.js:1");
  if (at("plain")[0] !== undefined) throw new Error("a logger without caller: true adds no caller");
  return records;
}
