// The console's targets, measured side by side in one run:
// 1. what 20 tail clients (consoles following everything) cost ingest: `sluice serve` (Bun)
//    loaded by bench/workloads/ingest_load.ts (C=8 loops of 1,000-record batches, T s) with no
//    tail client and with 20 (bench/workloads/tail_clients.ts, another process), interleaved
//    ROUNDS times (default 3); medians.
// 2. the tail's own cost apart from ingest: the collector's TailHub fed 200,000 records/s by a
//    timer, served by Bun.serve (bench/workloads/tail_hub_server.ts); its CPU ms per second over
//    5 s with no client and with 20, interleaved ROUNDS times.
// 3. a record posted to /ingest is on the console's page within: headless Chromium opens the
//    console, and the page itself times 100 records from its fetch() POST to the row on screen
//    (MutationObserver), p50/p99.
// Run: node bench/run_console.mjs   (ROUNDS=3 T=5 by default)
import { spawn, spawnSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { withServer } from "./with_server.mjs";

const root = new URL("../", import.meta.url).pathname;
const workloads = new URL("./workloads/", import.meta.url).pathname;
const bun = join(root, "node_modules/.bin/bun");
const ROUNDS = Number(process.env.ROUNDS ?? 3);
const T = process.env.T ?? "5";
const INGEST = "bench-ingest-token";
const READ = "bench-read-token";

/** The collector with an ingest token and a read token, for `fn(url, pid)`. */
const withCollector = (fn) => withServer(
  (p, dir) => [join(root, "cli.ts"), "serve", "--port", String(p), "--dir", join(dir, "logs"), "--tokens", join(dir, "tokens"), "--rate-limit", "10000000"],
  fn,
  (dir) => writeFileSync(join(dir, "tokens"), `edge:${INGEST}:producers=*\nops:${READ}:role=read\n`),
);

// the collector's CPU seconds (user + system) from /proc: its cost per record does not depend on
// how much of the machine other processes take, as records/s does
const cpuSeconds = (pid) => {
  const f = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1].split(" ");
  return (Number(f[11]) + Number(f[12])) / 100;
};
const load = (url, pid) => new Promise((resolve) => {
  const cpu0 = cpuSeconds(pid);
  const p = spawn(bun, [join(workloads, "ingest_load.ts")], { env: { ...process.env, URL: `${url}/ingest`, C: "8", T, B: "1000", TOKEN: INGEST }, stdio: ["ignore", "pipe", "inherit"] });
  let out = "";
  p.stdout.on("data", (d) => (out += d));
  p.once("exit", () => {
    const r = JSON.parse(out.trim().split("\n").at(-1));
    resolve({ ...r, collectorUsPerRecord: ((cpuSeconds(pid) - cpu0) * 1e6) / r.records });
  });
});

async function withTails(url, n, fn) {
  const p = spawn(bun, [join(workloads, "tail_clients.ts")], { env: { ...process.env, URL: url, N: String(n), TOKEN: READ }, stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  p.stdout.on("data", (d) => (out += d));
  await new Promise((resolve) => p.stderr.on("data", (d) => String(d).includes("connected") && resolve()));
  const result = await fn();
  p.kill("SIGTERM");
  await new Promise((r) => p.once("exit", r));
  return { ...result, tails: JSON.parse(out.trim().split("\n").at(-1)) };
}

const results = { none: [], twenty: [] };
for (let r = 0; r < ROUNDS; r++) {
  results.none.push(await withCollector((url, pid) => load(url, pid)));
  results.twenty.push(await withCollector((url, pid) => withTails(url, 20, () => load(url, pid))));
  const t = results.twenty.at(-1);
  process.stderr.write(`round ${r + 1}: no tail ${results.none.at(-1).recordsPerSec} rec/s ${results.none.at(-1).collectorUsPerRecord.toFixed(2)} us/rec, 20 tails ${t.recordsPerSec} rec/s ${t.collectorUsPerRecord.toFixed(2)} us/rec (each tail read ${Math.min(...t.tails.events)}-${Math.max(...t.tails.events)} events, ${t.tails.dropped} reported dropped)\n`);
}
const median = (xs) => [...xs].sort((a, b) => a - b)[(xs.length - 1) >> 1];
const none = median(results.none.map((x) => x.recordsPerSec));
const twenty = median(results.twenty.map((x) => x.recordsPerSec));

const hubCost = { none: [], twenty: [] };
for (let r = 0; r < ROUNDS; r++) {
  for (const [k, n] of [["none", 0], ["twenty", 20]]) {
    const srv = spawn(bun, [join(workloads, "tail_hub_server.ts")], { stdio: ["ignore", "pipe", "inherit"] });
    const p = await new Promise((res) => srv.stdout.once("data", (d) => res(String(d).trim())));
    const measure = async () => {
      await new Promise((res) => setTimeout(res, 1000));
      const c0 = cpuSeconds(srv.pid);
      await new Promise((res) => setTimeout(res, 5000));
      return { cpuMsPerSec: ((cpuSeconds(srv.pid) - c0) / 5) * 1000 };
    };
    hubCost[k].push(n === 0 ? await measure() : await withTails(`http://127.0.0.1:${p}`, n, measure));
    srv.kill("SIGTERM");
    await new Promise((res) => srv.once("exit", res));
  }
  process.stderr.write(`hub round ${r + 1}: no client ${hubCost.none.at(-1).cpuMsPerSec.toFixed(0)} ms/s, 20 clients ${hubCost.twenty.at(-1).cpuMsPerSec.toFixed(0)} ms/s\n`);
}

// the page's own timing, from its POST to the row on screen
const latency = await withCollector(async (url) => {
  const { chromium } = await import("playwright-core");
  const browser = await chromium.launch({ executablePath: process.env.SLUICE_CHROMIUM ?? "/usr/bin/chromium", args: ["--no-sandbox", "--disable-gpu"] });
  try {
    const page = await browser.newPage();
    await page.goto(`${url}/`);
    await page.fill("#token", READ);
    await page.click("#login button[type=submit]");
    await page.waitForSelector("#tail-status:has-text('following')");
    return await page.evaluate(async (token) => {
      const list = document.getElementById("tail-list");
      const times = [];
      for (let i = 0; i < 100; i++) {
        const marker = `latency-probe-${i}-${Math.random().toString(36).slice(2)}`;
        const seen = new Promise((resolve) => {
          const obs = new MutationObserver(() => {
            if (list.lastElementChild?.textContent.includes(marker)) (obs.disconnect(), resolve(performance.now()));
          });
          obs.observe(list, { childList: true });
        });
        const t0 = performance.now();
        await fetch("/ingest", { method: "POST", headers: { authorization: `Bearer ${token}`, "content-type": "application/x-ndjson" }, body: JSON.stringify({ level: "info", msg: marker }) });
        times.push((await seen) - t0);
        await new Promise((r) => setTimeout(r, 20));
      }
      times.sort((a, b) => a - b);
      return { p50: times[49], p99: times[98], max: times[99] };
    }, INGEST);
  } finally {
    await browser.close();
  }
});

const bunVersion = spawnSync(bun, ["--version"], { encoding: "utf8" }).stdout.trim();
const chromiumVersion = spawnSync(process.env.SLUICE_CHROMIUM ?? "/usr/bin/chromium", ["--version"], { encoding: "utf8" }).stdout.trim();
console.log(`\nBun ${bunVersion}, ${chromiumVersion}, loopback; uptime: ${readFileSync("/proc/loadavg", "utf8").trim()}`);
console.log(`ingest-load C=8 B=1000 T=${T}s, ${ROUNDS} interleaved rounds (medians)\n`);
const us = (k) => median(results[k].map((x) => x.collectorUsPerRecord));
console.log("| tail clients | records/s | request p99 ms | × none | collector CPU per record | throughput the CPU allows, × none |");
console.log("| --- | --- | --- | --- | --- | --- |");
console.log(`| 0 | ${none} | ${median(results.none.map((x) => Number(x.p99ms)))} | 1.00 | ${us("none").toFixed(2)} us | 1.00 |`);
console.log(`| 20 | ${twenty} | ${median(results.twenty.map((x) => Number(x.p99ms)))} | ${(twenty / none).toFixed(2)} | ${us("twenty").toFixed(2)} us | ${(us("none") / us("twenty")).toFixed(2)} |`);
// each round's two runs are minutes apart at most, so their ratio is steadier than the ratio of medians
const paired = (f) => median(results.none.map((x, i) => f(results.twenty[i]) / f(x)));
console.log(`\nmedian of the rounds' own ratios (20 tails ÷ none): records/s ${paired((x) => x.recordsPerSec).toFixed(2)}, collector CPU per record ${paired((x) => x.collectorUsPerRecord).toFixed(2)}`);
const hubMs = (k) => median(hubCost[k].map((x) => x.cpuMsPerSec));
console.log(`\nthe tail alone (hub fed 200,000 records/s, Bun.serve): ${hubMs("none").toFixed(0)} ms CPU/s with no client, ${hubMs("twenty").toFixed(0)} ms CPU/s with 20 following everything (each sent at most --tail-rate 1,000/s): ${(hubMs("twenty") - hubMs("none")).toFixed(0)} ms/s, ${((hubMs("twenty") - hubMs("none")) / 10).toFixed(1)}% of a core`);
console.log(`\nrecord posted to /ingest -> row on the console's page (100 records, timed in the page): p50 ${latency.p50.toFixed(1)} ms, p99 ${latency.p99.toFixed(1)} ms, max ${latency.max.toFixed(1)} ms`);
console.log("\n" + JSON.stringify({ results, hubCost, latency }));
