// The floor's workload (bench/workloads/floor.mjs) through sluice: N records (default 1M), closed at the end.
// MOD: the entry (mod.ts on Bun and Deno, dist/mod.js on Node). OUT: the file, or the directory for SINK=categories.
// SINK: "file" (default) | "rotate" (rotatingFileSink, a new file every 1 MB) | "categories" (64 categories, 16 open files).
const { createLogger, fileSink, rotatingFileSink, categoryFileSink } = await import(process.env.MOD);
const N = Number(process.env.N ?? 1000000);
const OUT = process.env.OUT;
const SINK = process.env.SINK ?? "file";
const sink = SINK === "rotate" ? rotatingFileSink(OUT, { rotate: { maxBytes: 1 << 20 } })
  : SINK === "categories" ? categoryFileSink(OUT, { maxOpenFiles: 16 })
  : fileSink(OUT);
const log = createLogger({ sinks: [sink] });
if (SINK === "categories") {
  const cats = Array.from({ length: 64 }, (_, c) => log.child({}, { category: `c${c}` }));
  for (let i = 0; i < N; i++) cats[i & 63].info("request handled", { i, user: "alice", route: "/api/items" });
} else {
  for (let i = 0; i < N; i++) log.info("request handled", { i, user: "alice", route: "/api/items" });
}
await log.close();
