// The shared workload (../shared/bench/README.md) through sluice: 1M records to an NDJSON file, closed at the end.
// MOD selects the entry: mod.ts on Bun and Deno, dist/mod.js on Node.
const { createLogger, fileSink } = await import(process.env.MOD);
const N = Number(process.env.N ?? 1000000);
const log = createLogger({ sinks: [fileSink(process.env.OUT)] });
for (let i = 0; i < N; i++) log.info("request handled", { i, user: "alice", route: "/api/items" });
await log.close();
