// The collector's soak (issue 18): `sluice serve` on RUNTIME (bun: cli.ts; node: dist/cli.js, so
// `npm run build` first) takes RATE records/s from `sluice load --target` (three events through
// httpSink, run by Bun) for MINUTES. Every SAMPLE_S seconds it reads the collector's VmRSS and
// open descriptors from /proc; at a sixth of the run and just before the end the collector
// (preloaded with bench/workloads/soak_probe.mjs) runs a full GC and writes a V8 heap snapshot,
// and the two are compared by constructor. After the run every line on disk is read back:
// each (event, seq) must be there exactly once. Exit 1 on a lost or doubled record.
//
//   RUNTIME=bun MINUTES=30 RATE=20000 node bench/run_soak.mjs
//   RUNTIME=node MINUTES=30 RATE=20000 node bench/run_soak.mjs     (after npm run build)
//   smoke: RUNTIME=bun MINUTES=1 RATE=2000 SAMPLE_S=2 node bench/run_soak.mjs
//   SERVE_ARGS="--max-idempotency-keys 5000" passes flags to sluice serve
//   SNAPSHOTS=0 takes no heap snapshot (they raise the RSS they are meant to explain)
import { spawn } from "node:child_process";
import { createReadStream, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { createGunzip } from "node:zlib";

const root = new URL("..", import.meta.url).pathname;
const RUNTIME = process.env.RUNTIME ?? "bun";
const MINUTES = Number(process.env.MINUTES ?? 30);
const RATE = Number(process.env.RATE ?? 20000);
const SAMPLE_S = Number(process.env.SAMPLE_S ?? 10);
const KEEP = process.env.KEEP === "1";
const bun = join(root, "node_modules/.bin/bun");

const work = mkdtempSync(join(tmpdir(), `sluice-soak-${RUNTIME}-`));
const dir = join(work, "logs");
const probeDir = join(work, "probe");
const token = `soak-${Math.random().toString(36).slice(2)}`;
writeFileSync(join(work, "tokens"), `soak:${token}\n`);
mkdirSync(probeDir);

const port = await new Promise((resolve) => {
  const s = createServer().listen(0, "127.0.0.1", () => {
    const p = s.address().port;
    s.close(() => resolve(p));
  });
});
const serveArgs = ["serve", "--port", String(port), "--dir", dir, "--tokens", join(work, "tokens"), ...(process.env.SERVE_ARGS ?? "").split(" ").filter(Boolean)];
const collector = RUNTIME === "bun"
  ? spawn(bun, ["--preload", join(root, "bench/workloads/soak_probe.mjs"), join(root, "cli.ts"), ...serveArgs], { env: { ...process.env, SOAK_PROBE_DIR: probeDir } })
  : spawn(process.execPath, ["--expose-gc", "--import", join(root, "bench/workloads/soak_probe.mjs"), join(root, "dist/cli.js"), ...serveArgs], { env: { ...process.env, SOAK_PROBE_DIR: probeDir } });
collector.stderr.pipe(process.stderr);
await new Promise((resolve, reject) => {
  collector.stdout.on("data", (d) => String(d).includes("listening") && resolve());
  collector.once("exit", (code) => reject(new Error(`collector exited ${code}`)));
});

const proc = (name) => readFileSync(`/proc/${collector.pid}/${name}`, "utf8");
const kb = (status, key) => Number(new RegExp(`${key}:\\s+(\\d+)`).exec(status)[1]);
const samples = [];
const sample = () => {
  const status = proc("status");
  samples.push({ s: Math.round((Date.now() - started) / 1000), rssMb: kb(status, "VmRSS") / 1024, hwmMb: kb(status, "VmHWM") / 1024, fds: readdirSync(`/proc/${collector.pid}/fd`).length });
};

const split = [0.35, 0.35, 0.3].map((f) => Math.round(RATE * f));
const started = Date.now();
sample();
const loader = spawn(bun, [join(root, "cli.ts"), "load", "--target", `http://127.0.0.1:${port}/ingest`, "--token", token, "--events", `a=${split[0]},b=${split[1]},c=${split[2]}`, "--concurrency", "3", "--duration", `${MINUTES * 60}s`, "--json"]);
let loadOut = "";
loader.stdout.on("data", (d) => (loadOut += d));
loader.stderr.pipe(process.stderr);
const sampler = setInterval(sample, SAMPLE_S * 1000);
// a heap snapshot is itself a large allocation: Node's RSS stays about 70 MB higher after one, so
// SNAPSHOTS=0 leaves them out for a run whose RSS is the figure
const snapAt = process.env.SNAPSHOTS === "0" ? [] : [MINUTES * 60_000 / 6, MINUTES * 60_000 - Math.min(30_000, MINUTES * 60_000 / 6)];
const snapTimers = snapAt.map((ms) => setTimeout(() => collector.kill("SIGUSR2"), ms));
const loadCode = await new Promise((resolve) => loader.once("exit", resolve));
clearInterval(sampler);
snapTimers.forEach(clearTimeout);
sample();
const report = JSON.parse(loadOut.trim().split("\n").pop());
// let the last heap snapshot finish, then stop the collector gracefully (it flushes)
await new Promise((r) => setTimeout(r, 5000));
collector.kill("SIGTERM");
await new Promise((resolve) => collector.once("exit", resolve));

// every line on disk, each (event, seq) once
const seen = { a: new Uint8Array(report.events.a.records + 1), b: new Uint8Array(report.events.b.records + 1), c: new Uint8Array(report.events.c.records + 1) };
let lines = 0, doubled = 0, foreign = 0;
const files = [];
const walk = (d) => {
  for (const e of readdirSync(d, { withFileTypes: true })) {
    if (e.name === ".sluice") continue;
    if (e.isDirectory()) walk(join(d, e.name));
    else files.push(join(d, e.name));
  }
};
walk(dir);
for (const f of files) {
  const input = f.endsWith(".gz") ? createReadStream(f).pipe(createGunzip()) : createReadStream(f);
  for await (const line of createInterface({ input, crlfDelay: Infinity })) {
    if (line === "") continue;
    lines++;
    const ev = /"event":"([abc])"/.exec(line)?.[1];
    const seq = /"seq":(\d+)/.exec(line)?.[1];
    if (ev === undefined || seq === undefined || Number(seq) >= seen[ev].length) {
      foreign++;
      continue;
    }
    if (seen[ev][Number(seq)]++ > 0) doubled++;
  }
}
let lost = 0;
for (const ev of ["a", "b", "c"]) for (let i = 0; i < report.events[ev].records; i++) if (seen[ev][i] === 0) lost++;

// heap snapshots: totals and the constructors that grew most between the two
const heap = (file) => {
  const snap = JSON.parse(readFileSync(file, "utf8"));
  const f = snap.snapshot.meta.node_fields;
  const [iType, iName, iSize] = ["type", "name", "self_size"].map((k) => f.indexOf(k));
  const types = snap.snapshot.meta.node_types[0];
  const by = new Map();
  let total = 0, count = 0;
  for (let i = 0; i < snap.nodes.length; i += f.length) {
    const key = `${types[snap.nodes[i + iType]]}:${snap.strings[snap.nodes[i + iName]]}`.slice(0, 60);
    const e = by.get(key) ?? { n: 0, bytes: 0 };
    e.n++;
    e.bytes += snap.nodes[i + iSize];
    by.set(key, e);
    total += snap.nodes[i + iSize];
    count++;
  }
  return { total, count, by };
};
const probeLog = join(probeDir, "probe.ndjson");
const probes = existsSync(probeLog) ? readFileSync(probeLog, "utf8").trim().split("\n").map((l) => JSON.parse(l)) : [];
let heapReport;
if (probes.length >= 2) {
  const [h1, h2] = [heap(probes[0].file), heap(probes[probes.length - 1].file)];
  const growth = [...h2.by].map(([k, v]) => ({ k, dn: v.n - (h1.by.get(k)?.n ?? 0), dBytes: v.bytes - (h1.by.get(k)?.bytes ?? 0) }))
    .sort((x, y) => y.dBytes - x.dBytes).slice(0, 8);
  heapReport = {
    atMin: probes.map((p) => Math.round(((p.at - started) / 60000) * 10) / 10),
    liveHeapMb: [h1.total, h2.total].map((b) => Math.round(b / 1048576 * 100) / 100),
    objects: [h1.count, h2.count],
    grewMost: growth.map((g) => `${g.k} ${g.dn >= 0 ? "+" : ""}${g.dn} (${g.dBytes >= 0 ? "+" : ""}${Math.round(g.dBytes / 1024)} KiB)`),
  };
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.floor(s.length / 2)] : NaN;
};
const window = Math.min(600, (MINUTES * 60) / 3);
const first = samples.filter((x) => x.s > 0 && x.s <= window);
const last = samples.filter((x) => x.s >= MINUTES * 60 - window);
const result = {
  runtime: RUNTIME,
  minutes: MINUTES,
  rate: RATE,
  loaderExit: loadCode,
  logged: report.records,
  written: report.written,
  dropped: report.dropped,
  onDisk: lines,
  lost,
  doubled,
  foreign,
  endToEndMs: report.endToEndMs,
  rssMb: { firstWindowMedian: Math.round(median(first.map((x) => x.rssMb)) * 10) / 10, lastWindowMedian: Math.round(median(last.map((x) => x.rssMb)) * 10) / 10, windowS: window, peakHwm: Math.round(Math.max(...samples.map((x) => x.hwmMb))) },
  fds: { start: samples[0].fds, firstWindowMedian: median(first.map((x) => x.fds)), lastWindowMedian: median(last.map((x) => x.fds)), max: Math.max(...samples.map((x) => x.fds)) },
  heap: heapReport,
};
result.rssMb.lastOverFirst = Math.round((result.rssMb.lastWindowMedian / result.rssMb.firstWindowMedian) * 1000) / 1000;
console.log(JSON.stringify(result, null, 2));
writeFileSync(join(work, "samples.json"), JSON.stringify(samples));
if (!KEEP) rmSync(work, { recursive: true, force: true });
else console.error(`kept ${work}`);
process.exit(lost || doubled || loadCode !== 0 ? 1 : 0);
