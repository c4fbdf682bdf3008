// Collector benchmarks on Bun, loopback: bench/workloads/ingest_load.ts (C=8 loops of
// 1,000-record NDJSON batches, gzip off) against bench/workloads/ingest_floor.ts and against
// `sluice serve`, interleaved ROUNDS times (default 3); then `sluice load --target` at 10,000
// records/s (end-to-end latency, request latency, the collector's peak RSS) and at full speed
// with and without gzip.
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { withServer } from "./with_server.mjs";

const root = new URL("../", import.meta.url).pathname;
const workloads = new URL("./workloads/", import.meta.url).pathname;
const bun = join(root, "node_modules/.bin/bun");
const ROUNDS = Number(process.env.ROUNDS ?? 3);
const T = process.env.T ?? "5";


const peakRssMb = (pid) => Number(/VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1] ?? 0) / 1024;
const loadShared = (url) => JSON.parse(spawnSync(bun, [join(workloads, "ingest_load.ts")], { encoding: "utf8", env: { ...process.env, URL: `${url}/ingest`, C: "8", T, B: "1000" } }).stdout.trim().split("\n").at(-1));
const sluiceLoad = (url, args) => JSON.parse(spawnSync(bun, [join(root, "cli.ts"), "load", "--target", `${url}/ingest`, "--json", ...args], { encoding: "utf8", cwd: root }).stdout.trim().split("\n").at(-1));

const floorArgs = () => [join(workloads, "ingest_floor.ts")];
const sluiceArgs = (p, dir) => [join(root, "cli.ts"), "serve", "--port", String(p), "--dir", dir, "--no-auth", "--rate-limit", "10000000"];
const results = { floor: [], sluice: [] };
for (let r = 0; r < ROUNDS; r++) {
  results.floor.push(await withServer(floorArgs, (url) => loadShared(url)));
  results.sluice.push(await withServer(sluiceArgs, async (url, pid) => ({ ...loadShared(url), peakRssMb: peakRssMb(pid) })));
  process.stderr.write(`round ${r + 1}: floor ${results.floor.at(-1).recordsPerSec} rec/s, sluice ${results.sluice.at(-1).recordsPerSec} rec/s\n`);
}
const median = (xs) => [...xs].sort((a, b) => a - b)[(xs.length - 1) >> 1];
const med = (k, f) => median(results[k].map((x) => Number(x[f])));

const at10k = await withServer(sluiceArgs, async (url, pid) => ({ ...sluiceLoad(url, ["--events", "a=10000", "--duration", "10s"]), collectorPeakRssMb: peakRssMb(pid) }));
const full = await withServer(sluiceArgs, async (url) => sluiceLoad(url, ["--events", "a=400000", "--duration", "5s"]));
const fullGzip = await withServer(sluiceArgs, async (url) => sluiceLoad(url, ["--events", "a=400000", "--duration", "5s", "--gzip"]));

const bunVersion = spawnSync(bun, ["--version"], { encoding: "utf8" }).stdout.trim();
console.log(`\nBun ${bunVersion}, loopback, ingest-load C=8 B=1000 T=${T}s, ${ROUNDS} interleaved rounds (medians)\n`);
console.log("| server | records/s | p50 ms | p99 ms | × floor |");
console.log("| --- | --- | --- | --- | --- |");
for (const k of ["floor", "sluice"]) console.log(`| ${k} | ${med(k, "recordsPerSec")} | ${med(k, "p50ms")} | ${med(k, "p99ms")} | ${(med(k, "recordsPerSec") / med("floor", "recordsPerSec")).toFixed(2)} |`);
console.log(`\nsluice collector peak RSS under that load: ${median(results.sluice.map((x) => x.peakRssMb)).toFixed(0)} MB`);
console.log(`\nat 10,000 records/s through httpSink for 10 s: ${at10k.written} written, request p99 ${at10k.writeLatencyMs.p99} ms, end-to-end p50 ${at10k.endToEndMs.p50} ms p99 ${at10k.endToEndMs.p99} ms, collector peak RSS ${at10k.collectorPeakRssMb.toFixed(0)} MB`);
console.log(`full speed through httpSink, one producer: gzip off ${full.recordsPerSec} records/s (request p99 ${full.writeLatencyMs.p99} ms); gzip on ${fullGzip.recordsPerSec} records/s (request p99 ${fullGzip.writeLatencyMs.p99} ms)`);
console.log("\n" + JSON.stringify({ results, at10k, full, fullGzip }));
