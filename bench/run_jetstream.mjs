// Issue 11's throughput and latency targets, on Bun, loopback, against a real nats-server (R=1)
// this script starts:
//   file  producers → 1 `sluice serve` → files (the single-collector file path)
//   js1   producers → 1 `sluice serve --jetstream` → JetStream → `sluice consume` → files
//   js2   the same with 2 collectors (the load split between them)
// Throughput: bench/workloads/ingest_load.ts (C loops of 1,000-record NDJSON batches, an
// Idempotency-Key each, T seconds); for js*, "published" is what JetStream acknowledged and
// "on disk" counts until `sluice consume` has written every acknowledged record.
// Latency: `sluice load --target` at RATE records/s for DURATION seconds, each record's `time`
// (the log call) against when its line is seen in the files (polled every 5 ms): p50/p99.
// Without `sluice consume` (not built) only the publish leg of js1/js2 is measured.
// Env: T (5), C (8), RATE (10000), DURATION (10), SCENARIOS (file,js1,js2).
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, openSync, readdirSync, readFileSync, readSync, closeSync, rmSync, statSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

const root = new URL("../", import.meta.url).pathname;
const bun = join(root, "node_modules/.bin/bun");
const cli = join(root, "cli.ts");
const T = Number(process.env.T ?? 5);
const C = Number(process.env.C ?? 8);
const RATE = Number(process.env.RATE ?? 10_000);
const DURATION = Number(process.env.DURATION ?? 10);
const SCENARIOS = (process.env.SCENARIOS ?? "file,js1,js2").split(",");
const natsPath = spawnSync("sh", ["-c", "command -v nats-server"], { encoding: "utf8" }).stdout.trim();
if (!natsPath) throw new Error("nats-server is not on PATH (apt-get install -y nats-server)");
const hasConsume = spawnSync(bun, [cli, "consume", "--help"], { encoding: "utf8" }).status === 0;
const children = [];
const tmp = (p) => mkdtempSync(join(tmpdir(), `sluice-jsbench-${p}-`));
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

const freePort = () => new Promise((resolve) => {
  const s = createServer().listen(0, "127.0.0.1", () => {
    const { port } = s.address();
    s.close(() => resolve(port));
  });
});

/** Starts a child; resolves once `ready` matches its output. */
function start(cmd, args, ready) {
  const proc = spawn(cmd, args, { cwd: root, stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  const child = { proc, match: null, output: () => out };
  children.push(child);
  return new Promise((resolve, reject) => {
    const look = (d) => {
      out += d;
      const m = ready.exec(out);
      if (m && !child.match) resolve(Object.assign(child, { match: m }));
    };
    proc.stdout.on("data", look);
    proc.stderr.on("data", look);
    proc.once("exit", (code) => reject(new Error(`${args.join(" ")} exited ${code}: ${out}`)));
  });
}
const stop = async (c) => {
  c.proc.removeAllListeners("exit");
  if (c.proc.exitCode === null && c.proc.signalCode === null) {
    c.proc.kill("SIGTERM");
    await new Promise((r) => c.proc.once("exit", r));
  }
};

async function natsServer() {
  const port = await freePort();
  const c = await start(natsPath, ["-js", "-a", "127.0.0.1", "-p", String(port), "-sd", tmp("nats")], /Server is ready/);
  return Object.assign(c, { url: `nats://127.0.0.1:${port}` });
}
const serve = async (dir, extra = []) => (await start(bun, [cli, "serve", "--port", "0", "--dir", dir, "--no-auth", "--rate-limit", "10000000", ...extra], /listening on (http:\/\/[^,\s]+)/)).match[1];
const consume = (url, stream, dir) => start(bun, [cli, "consume", "--jetstream", url, "--stream", stream, "--dir", dir], /sluice consume: consumer /);

/** Lines in the category files of `dir` (not under .sluice), read incrementally; `onLine` gets each new one. */
function tailer(dir, onLine = () => {}) {
  const offsets = new Map();
  let lines = 0;
  return () => {
    let names = [];
    try {
      names = readdirSync(dir).filter((n) => n.endsWith(".ndjson"));
    } catch { /* not made yet */ }
    for (const n of names) {
      const path = join(dir, n);
      const at = offsets.get(path) ?? { pos: 0, rest: "" };
      const size = statSync(path).size;
      if (size <= at.pos) continue;
      // in pieces of at most 16 MiB: a run at full speed writes more than a string can hold
      const fd = openSync(path, "r");
      while (at.pos < size) {
        const buf = Buffer.alloc(Math.min(size - at.pos, 16 << 20));
        readSync(fd, buf, 0, buf.length, at.pos);
        at.pos += buf.length;
        const parts = (at.rest + buf.toString("utf8")).split("\n");
        at.rest = parts.pop();
        for (const l of parts) if (l) (lines++, onLine(l));
      }
      closeSync(fd);
      offsets.set(path, at);
    }
    return lines;
  };
}

/** ingest_load against each URL at once (C split between them): records/s acknowledged in all. */
async function load(urls) {
  const runs = urls.map((u) => new Promise((resolve) => {
    const p = spawn(bun, [join(root, "bench/workloads/ingest_load.ts")], { env: { ...process.env, URL: `${u}/ingest`, C: String(Math.max(1, Math.round(C / urls.length))), T: String(T), B: "1000", KEYS: "1" } });
    let out = "";
    p.stdout.on("data", (d) => (out += d));
    p.once("exit", () => resolve(JSON.parse(out.trim().split("\n").at(-1))));
  }));
  const results = await Promise.all(runs);
  return { cpuSeconds: +results.reduce((n, r) => n + r.cpuSeconds, 0).toFixed(2), records: results.reduce((n, r) => n + r.records, 0), recordsPerSec: results.reduce((n, r) => n + r.recordsPerSec, 0), p99ms: Math.max(...results.map((r) => Number(r.p99ms))) };
}

/** CPU seconds (user + system) a process has used so far, from /proc/<pid>/stat; 0 once it is gone. */
function cpuSeconds(pid) {
  try {
    const f = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1].split(" ");
    return (Number(f[11]) + Number(f[12])) / 100;
  } catch {
    return 0;
  }
}

/** Waits until `count()` reaches `n` (or 60 s): the ms it took from `since`. */
async function onDisk(count, n, since) {
  const end = Date.now() + 60_000;
  while (count() < n && Date.now() < end) await sleep(20);
  return count() >= n ? Date.now() - since : NaN;
}

/** `sluice load --target` at RATE for DURATION s; each line's log-call-to-on-disk latency from the files in `dir`. */
async function latency(url, dir, jetstream) {
  const lat = [];
  // only the load's records (bound to event "a"): a line of the throughput phase still on its
  // way would count its age as latency
  const tail = tailer(dir, (l) => {
    const r = JSON.parse(l);
    if (r.event !== "a") return;
    const t = Date.parse(r.time);
    lat.push(Date.now() - t);
    logged.push(t);
  });
  const logged = [];
  tail(); // what is there already is not counted
  lat.length = 0;
  logged.length = 0;
  let polling = true;
  const poll = (async () => {
    while (polling) (tail(), await sleep(5));
  })();
  // spawned, not spawnSync: the poll above must run while the load does, or every line is
  // seen only at the end and the latency is the run's length
  const p = spawn(bun, [cli, "load", "--target", `${url}/ingest`, "--json", "--events", `a=${RATE}`, "--duration", `${DURATION}s`], { cwd: root });
  let out = "";
  p.stdout.on("data", (d) => (out += d));
  await new Promise((r) => p.once("exit", r));
  const report = JSON.parse(out.trim().split("\n").at(-1));
  const end = Date.now() + 30_000;
  while (lat.length < report.written && Date.now() < end) await sleep(20);
  polling = false;
  await poll;
  // where the slow ones were: 250 ms windows of log time whose worst record took over 250 ms
  const slow = new Map();
  lat.forEach((ms, i) => {
    if (ms <= 250) return;
    const w = Math.floor((logged[i] - logged[0]) / 250) / 4;
    const s = slow.get(w) ?? { records: 0, maxMs: 0 };
    slow.set(w, { records: s.records + 1, maxMs: Math.max(s.maxMs, ms) });
  });
  const publish = jetstream ? (await (await fetch(`${url}/metrics`)).text()).split("\n").filter((l) => l.startsWith("sluice_jetstream_publish")).join("; ") : undefined;
  lat.sort((a, b) => a - b);
  const q = (x) => lat[Math.min(lat.length - 1, Math.floor(lat.length * x))];
  return { written: report.written, seen: lat.length, p50ms: q(0.5), p99ms: q(0.99), maxMs: lat.at(-1), slowWindows: Object.fromEntries(slow), sender: report.endToEndMs, publish };
}

const results = {};
try {
  const nats = await natsServer();
  for (const s of SCENARIOS) {
    const stream = `BENCH_${s.toUpperCase()}`;
    let urls, dir;
    if (s === "file") {
      dir = tmp("file");
      urls = [await serve(dir)];
    } else {
      const n = s === "js2" ? 2 : 1;
      urls = [];
      for (let i = 0; i < n; i++) urls.push(await serve(tmp(`col${i}`), ["--jetstream", nats.url, "--stream", stream]));
      dir = tmp("consume");
      if (hasConsume) await consume(nats.url, stream, dir);
    }
    const count = tailer(dir);
    const roles = children.map((c) => [c === nats ? "nats-server" : /consume/.test(c.proc.spawnargs.join(" ")) ? "consume" : "serve", c.proc.pid]);
    const cpu0 = roles.map(([, pid]) => cpuSeconds(pid));
    const t0 = Date.now();
    const tput = await load(urls);
    const accepted = tput.records;
    const diskMs = s === "file" || hasConsume ? await onDisk(count, accepted, t0) : NaN;
    // CPU seconds each part used from the start of the load until every record was on disk
    const cpu = {};
    roles.forEach(([role, pid], i) => (cpu[role] = +((cpu[role] ?? 0) + cpuSeconds(pid) - cpu0[i]).toFixed(2)));
    cpu.producers = tput.cpuSeconds;
    const lat = s === "file" || hasConsume ? await latency(urls[0], dir, s !== "file") : undefined;
    results[s] = { collectors: urls.length, acceptedPerSec: tput.recordsPerSec, requestP99ms: tput.p99ms, onDiskPerSec: Number.isNaN(diskMs) ? null : Math.round(accepted / (diskMs / 1000)), cpuSeconds: cpu, endToEnd: lat };
    process.stderr.write(`${s}: ${JSON.stringify(results[s])}\n`);
    for (const c of children.filter((c) => c !== nats)) await stop(c);
    // the next scenario starts on a quiet disk: this one's files removed and the rest written
    // back now, not 30 s later in the middle of its latency run (which it stalls for ~1 s)
    if (process.env.KEEP_DISK !== "1") {
      for (const d of readdirSync(tmpdir()).filter((d) => d.startsWith("sluice-jsbench-") && !d.startsWith("sluice-jsbench-nats"))) rmSync(join(tmpdir(), d), { recursive: true, force: true });
      spawnSync("sync");
    }
  }
} finally {
  for (const c of children) await stop(c).catch(() => {});
  for (const d of readdirSync(tmpdir()).filter((d) => d.startsWith("sluice-jsbench-"))) rmSync(join(tmpdir(), d), { recursive: true, force: true });
}

const f = results.file?.onDiskPerSec;
console.log(`\nBun ${spawnSync(bun, ["--version"], { encoding: "utf8" }).stdout.trim()}, loopback, nats-server R=1, ingest-load C=${C} B=1000 T=${T}s (Idempotency-Key per request)${hasConsume ? "" : "; sluice consume missing: publish leg only"}\n`);
console.log("| path | collectors | accepted records/s | on disk records/s | × file path | request p99 ms | CPU s: producers · serve · nats-server · consume | end-to-end p50 / p99 ms at " + RATE + "/s |");
console.log("| --- | --- | --- | --- | --- | --- | --- | --- |");
for (const [k, r] of Object.entries(results)) {
  const ratio = f && r.onDiskPerSec ? (r.onDiskPerSec / f).toFixed(2) : "-";
  console.log(`| ${k} | ${r.collectors} | ${r.acceptedPerSec} | ${r.onDiskPerSec ?? "-"} | ${ratio} | ${r.requestP99ms} | ${["producers", "serve", "nats-server", "consume"].map((k) => r.cpuSeconds[k] ?? "-").join(" · ")} | ${r.endToEnd ? `${r.endToEnd.p50ms} / ${r.endToEnd.p99ms} (${r.endToEnd.seen}/${r.endToEnd.written} seen)` : "-"} |`);
}
if (results.js1 && results.js2) console.log(`\n2 collectors vs 1 (accepted): ${(results.js2.acceptedPerSec / results.js1.acceptedPerSec).toFixed(2)}×`);
console.log("\n" + JSON.stringify(results));
