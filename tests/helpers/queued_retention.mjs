// Run by the retention tests on each runtime (with its gc exposed): 50 records wait in the
// queue of a sink whose first write never finishes, each holding text cut from its own 1 MiB
// string, through one of the ways text enters a line (a field, a child's bindings, a record
// made with createRecord and emitted). The queue counts only the
// lines' length: a line that still pointed at its pieces (and they at the 1 MiB strings they
// were cut from) would hold all 50. Prints the heap in MiB after gc, and the records queued.
// Usage: <runtime> queued_retention.mjs <entry: ../../mod.ts or ../../dist/mod.js> <field|bindings|emit>
const [entry, via] = (globalThis.Deno?.args ?? globalThis.process.argv.slice(2));
const { createLogger, createRecord, streamSink } = await import(new URL(entry, import.meta.url).href);
// the 50 records are lost at exit on purpose (the sink never finishes): onError says nothing
const log = createLogger({ maxQueuedRecords: 1000, onError: () => {}, sinks: [streamSink(new WritableStream({ write: () => new Promise(() => {}) }))] });
for (let i = 0; i < 50; i++) {
  const cut = String(i).padEnd(1 << 20, "abcdefghij").slice(100, 140);
  if (via === "field") log.info("read", { file: cut, n: i });
  else if (via === "bindings") log.child({ file: cut }).info("read", { n: i });
  else if (via === "emit") log.emit(createRecord(Date.now(), "info", undefined, "read", `,"file":"${cut}"}`));
  else throw new Error(`unknown: ${via}`);
}
const gc = globalThis.gc ?? globalThis.Bun?.gc;
gc(true);
gc(true);
const heap = globalThis.Deno ? Deno.memoryUsage().heapUsed : globalThis.process.memoryUsage().heapUsed;
console.log(JSON.stringify({ heapMiB: heap / 2 ** 20, queued: log.stats().queued }));
globalThis.Deno ? Deno.exit(0) : globalThis.process.exit(0);
