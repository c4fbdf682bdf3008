// Run by the retention tests on each runtime (with its gc exposed): 50 records wait, each holding
// text cut from its own 4 MiB string, through one of the ways text enters a record: a field, a
// child's bindings, a record made with createRecord and emitted (the line: made flat), or the
// message (the caller's string, given up once a write is not done 1 s after its oldest record was
// logged, or failed).
// They wait in the queue of a sink that does not finish or whose writes are slow, or (the message again) at a routeSink
// target whose write stalls or whose writes are slow, or held by fingersCrossed. The queue, the router and the stage
// bound records, not the strings they keep: a record still pointing at its piece (and it at the
// 4 MiB string it was cut from) would hold all 50: 200 MiB. Prints the heap in MiB after gc, and
// how many records wait where they wait.
// Usage: <runtime> queued_retention.mjs <entry: ../../mod.ts or ../../dist/mod.js> <field|bindings|emit|msg|msg-ahead|msg-failing|msg-slow|msg-routed|msg-routed-slow|msg-held>
const [entry, via] = (globalThis.Deno?.args ?? globalThis.process.argv.slice(2));
const { createLogger, createRecord, fingersCrossed, routeSink, streamSink } = await import(new URL(entry, import.meta.url).href);
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const stalled = () => streamSink(new WritableStream({ write: () => new Promise(() => {}) }));
const sinks = {
  "msg-failing": () => ({ name: "failing", sync: true, retry: true, defaultOnFull: "block", encode: (records) => records, write: () => { throw new Error("down"); } }),
  // each write ends, in 0.9 s: no write stalls for 1 s, but the 49 records behind the first wait
  // longer, and give their messages up 1 s after the oldest of them was logged
  "msg-slow": () => streamSink(new WritableStream({ write: () => sleep(900) })),
  // the router's own write ends at once: the records wait in its one target's write and queue
  "msg-routed": () => routeSink({ targets: [{ name: "t", sink: stalled() }], breaker: { timeoutMs: 60_000 } }),
  // each write ends, in 0.9 s: no write stalls for 1 s, but the part behind the first waits longer
  "msg-routed-slow": () => routeSink({ targets: [{ name: "t", sink: streamSink(new WritableStream({ write: () => sleep(900) })) }], breaker: { timeoutMs: 60_000 } }),
  // the sink is quick: the debug records wait in the stage for an error that never comes; it keeps
  // the last 50, so the 20,000 before them (their messages copied as the 50's are) leave only
  // the code JSC's optimizing tiers made of that copy, which is what the 50 then go through
  "msg-held": () => streamSink(new WritableStream(), { through: [fingersCrossed({ scope: "none", bufferSize: 50 })] }),
};
if (via === "field" || via === "bindings" || via === "emit") {
  // 200,000 records first, through another logger, so the 50 go through the code JSC's and V8's
  // optimizing tiers made of the record's making (an unchecked flattening is dropped there)
  const warm = createLogger({ sinks: [streamSink(new WritableStream())] });
  for (let i = 0; i < 200_000; i++) {
    if (via === "emit") warm.emit(createRecord(Date.now(), "info", undefined, "w", `,"n":${i}}`));
    else warm.info("w", { n: i, s: "x" + i });
    if (i % 1000 === 999) await warm.flush();
  }
}
// the 50 records are lost at exit on purpose (the sink never finishes): onError says nothing
const log = createLogger({ level: "debug", maxQueuedRecords: 1000, onError: () => {}, sinks: [(sinks[via] ?? stalled)()] });
if (via === "msg-held") {
  for (let i = 0; i < 20_000; i++) {
    log.debug(`warm-up ${i}`);
    if (i % 500 === 499) await log.flush();
  }
}
// each piece different (it starts with i): equal messages could share one string; every other
// one holds a quote, which JSON escapes. Made before the records, so their timing is only the
// sleeps below; each is let go as its record takes it.
const cuts = Array.from({ length: 50 }, (_, i) => String(i).padEnd(4 << 20, i % 2 ? "abcdefghij" : 'ab"defghij').slice(0, 40));
const started = performance.now();
for (let i = 0; i < 50; i++) {
  const cut = cuts[i];
  cuts[i] = undefined;
  if (via === "field") log.info("read", { file: cut, n: i });
  else if (via === "bindings") log.child({ file: cut }).info("read", { n: i });
  else if (via === "emit") log.emit(createRecord(Date.now(), "info", undefined, "read", `,"file":"${cut}"}`));
  else if (via === "msg-held") log.debug(cut, { n: i });
  // dated 10 days ahead (a record made elsewhere): the stall is still timed from the write, 1 s at most
  else if (via === "msg-ahead") log.emit(createRecord(Date.now() + 864e6, "info", undefined, cut, `,"n":${i}}`));
  else if (via.startsWith("msg")) log.info(cut, { n: i });
  else throw new Error(`unknown: ${via}`);
  // a record made while the write stalls gives up its message when it is queued
  if (i === 24 && (via === "msg" || via === "msg-ahead" || via === "msg-failing" || via === "msg-routed")) await sleep(1500);
  // the first record's write starts alone; the other 49 wait behind it as one part
  if (i === 0 && via.endsWith("-slow")) await sleep(20);
}
// the last records on to where they wait: the stage (its sink is quick), or the router's target
// (the router's write ends at once; its flush would wait for the target)
if (via === "msg-held") await log.flush();
if (via === "msg-routed") void log.flush(), await sleep(200);
// the 49 went into the second write at about 0.9 s, and 1 s after the router took them, or after
// the oldest of them was logged (about 1.02 s), they are slow: measured at 1.4 s, about 0.4 s after
// that and before the write ends (1.8 s)
if (via.endsWith("-slow")) void log.flush(), await sleep(Math.max(0, started + 1400 - performance.now()));
// V8's gc() with no argument is a full collection (gc(true) would be a minor one); Bun.gc(true) is a full, synchronous one
const gc = globalThis.gc ? () => globalThis.gc() : () => globalThis.Bun.gc(true);
gc();
gc();
const heap = globalThis.Deno ? Deno.memoryUsage().heapUsed : globalThis.process.memoryUsage().heapUsed;
const [stats] = log.stats().sinks;
const waiting = via.startsWith("msg-routed") ? stats.details.targets[0].inflight : via === "msg-held" ? stats.stages[0].held : stats.queued;
console.log(JSON.stringify({ heapMiB: heap / 2 ** 20, waiting }));
globalThis.Deno ? Deno.exit(0) : globalThis.process.exit(0);
