// Run by the retention tests on each runtime (with its gc exposed): 50 records wait in the
// queue of a sink that does not finish, each holding text cut from its own 4 MiB string, through
// one of the ways text enters a record: a field, a child's bindings, a record made with
// createRecord and emitted (the line: made flat), or the message (the caller's string, given up
// once the sink's write has stalled for 1 s, or failed). The queue counts only the lines'
// length: a record still pointing at the pieces (and they at the 4 MiB strings they were cut
// from) would hold all 50: 200 MiB. Prints the heap in MiB after gc, and the records queued.
// Usage: <runtime> queued_retention.mjs <entry: ../../mod.ts or ../../dist/mod.js> <field|bindings|emit|msg|msg-failing>
const [entry, via] = (globalThis.Deno?.args ?? globalThis.process.argv.slice(2));
const { createLogger, createRecord, streamSink } = await import(new URL(entry, import.meta.url).href);
const stalled = streamSink(new WritableStream({ write: () => new Promise(() => {}) }));
const failing = { name: "failing", sync: true, retry: true, defaultOnFull: "block", encode: (records) => records, write: () => { throw new Error("down"); } };
// the 50 records are lost at exit on purpose (the sink never finishes): onError says nothing
const log = createLogger({ maxQueuedRecords: 1000, onError: () => {}, sinks: [via === "msg-failing" ? failing : stalled] });
for (let i = 0; i < 50; i++) {
  // each piece different (it starts with i): equal messages could share one string; every other
  // one holds a quote, which JSON escapes
  const cut = String(i).padEnd(4 << 20, i % 2 ? "abcdefghij" : 'ab"defghij').slice(0, 40);
  if (via === "field") log.info("read", { file: cut, n: i });
  else if (via === "bindings") log.child({ file: cut }).info("read", { n: i });
  else if (via === "emit") log.emit(createRecord(Date.now(), "info", undefined, "read", `,"file":"${cut}"}`));
  else if (via === "msg" || via === "msg-failing") log.info(cut, { n: i });
  else throw new Error(`unknown: ${via}`);
  // a record made while the write stalls gives up its message when it is queued
  if (i === 24 && via.startsWith("msg")) await new Promise((resolve) => setTimeout(resolve, 1100));
}
// V8's gc() with no argument is a full collection (gc(true) would be a minor one); Bun.gc(true) is a full, synchronous one
const gc = globalThis.gc ? () => globalThis.gc() : () => globalThis.Bun.gc(true);
gc();
gc();
const heap = globalThis.Deno ? Deno.memoryUsage().heapUsed : globalThis.process.memoryUsage().heapUsed;
console.log(JSON.stringify({ heapMiB: heap / 2 ** 20, queued: log.stats().queued }));
globalThis.Deno ? Deno.exit(0) : globalThis.process.exit(0);
