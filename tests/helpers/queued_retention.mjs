// Run by the retention tests on each runtime (with its gc exposed): 50 records wait, each holding
// text cut from its own 4 MiB string, through one of the ways text enters a record: a field, a
// child's bindings, a record made with createRecord and emitted (the line: made flat), or the
// message (the caller's string, given up once the sink's write has stalled for 1 s, or failed).
// They wait in the queue of a sink that does not finish, or (the message again) in a routeSink
// target whose write stalls, or held by fingersCrossed. The queue, the router and the stage
// bound records, not the strings they keep: a record still pointing at its piece (and it at the
// 4 MiB string it was cut from) would hold all 50: 200 MiB. Prints the heap in MiB after gc, and
// how many records wait where they wait.
// Usage: <runtime> queued_retention.mjs <entry: ../../mod.ts or ../../dist/mod.js> <field|bindings|emit|msg|msg-failing|msg-routed|msg-held>
const [entry, via] = (globalThis.Deno?.args ?? globalThis.process.argv.slice(2));
const { createLogger, createRecord, fingersCrossed, routeSink, streamSink } = await import(new URL(entry, import.meta.url).href);
const stalled = () => streamSink(new WritableStream({ write: () => new Promise(() => {}) }));
const sinks = {
  "msg-failing": () => ({ name: "failing", sync: true, retry: true, defaultOnFull: "block", encode: (records) => records, write: () => { throw new Error("down"); } }),
  // the router's own write ends at once: the records wait in its one target's write and queue
  "msg-routed": () => routeSink({ targets: [{ name: "t", sink: stalled() }], breaker: { timeoutMs: 60_000 } }),
  // the sink is quick: the debug records wait in the stage for an error that never comes
  "msg-held": () => streamSink(new WritableStream(), { through: [fingersCrossed({ scope: "none" })] }),
};
// the 50 records are lost at exit on purpose (the sink never finishes): onError says nothing
const log = createLogger({ level: "debug", maxQueuedRecords: 1000, onError: () => {}, sinks: [(sinks[via] ?? stalled)()] });
for (let i = 0; i < 50; i++) {
  // each piece different (it starts with i): equal messages could share one string; every other
  // one holds a quote, which JSON escapes
  const cut = String(i).padEnd(4 << 20, i % 2 ? "abcdefghij" : 'ab"defghij').slice(0, 40);
  if (via === "field") log.info("read", { file: cut, n: i });
  else if (via === "bindings") log.child({ file: cut }).info("read", { n: i });
  else if (via === "emit") log.emit(createRecord(Date.now(), "info", undefined, "read", `,"file":"${cut}"}`));
  else if (via === "msg-held") log.debug(cut, { n: i });
  else if (via.startsWith("msg")) log.info(cut, { n: i });
  else throw new Error(`unknown: ${via}`);
  // a record made while the write stalls gives up its message when it is queued
  if (i === 24 && via.startsWith("msg")) await new Promise((resolve) => setTimeout(resolve, 1100));
}
// the last records on to where they wait: the stage (its sink is quick), or the router's target
// (the router's write ends at once; its flush would wait for the target forever)
if (via === "msg-held") await log.flush();
if (via === "msg-routed") void log.flush(), await new Promise((resolve) => setTimeout(resolve, 100));
// V8's gc() with no argument is a full collection (gc(true) would be a minor one); Bun.gc(true) is a full, synchronous one
const gc = globalThis.gc ? () => globalThis.gc() : () => globalThis.Bun.gc(true);
gc();
gc();
const heap = globalThis.Deno ? Deno.memoryUsage().heapUsed : globalThis.process.memoryUsage().heapUsed;
const [stats] = log.stats().sinks;
const waiting = via === "msg-routed" ? stats.details.targets[0].inflight : via === "msg-held" ? stats.stages[0].held : stats.queued;
console.log(JSON.stringify({ heapMiB: heap / 2 ** 20, waiting }));
globalThis.Deno ? Deno.exit(0) : globalThis.process.exit(0);
