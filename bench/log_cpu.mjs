// The log call's own cost, in-process: N records (default 500,000) of the floor's workload into
// fileSink (OUT, default /dev/null, so the disk is not measured), closed at the end. Prints the
// process's CPU milliseconds (user + system) for the loop and close, then wall milliseconds.
// CPU time moves less than wall time on a shared machine. MOD: the entry (dist/mod.js on Node).
const { createLogger, fileSink } = await import(process.env.MOD);
const N = Number(process.env.N ?? 500_000);
const log = createLogger({ sinks: [fileSink(process.env.OUT ?? "/dev/null")] });
const cpu0 = process.cpuUsage();
const t0 = performance.now();
for (let i = 0; i < N; i++) log.info("request handled", { i, user: "alice", route: "/api/items" });
await log.close();
const cpu = process.cpuUsage(cpu0);
console.log(Math.round((cpu.user + cpu.system) / 1000), Math.round(performance.now() - t0));
