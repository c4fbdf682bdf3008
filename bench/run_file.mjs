// Whole-process benchmark: N records (default 1M) to NDJSON files with no logger (the floor),
// sluice, pino and LogTape, on Bun, Deno and Node, interleaved, ROUNDS rounds (default 5).
// Prints each median wall time and peak RSS, the ratios, the targets, the machine and versions.
// Env: ROUNDS, N, RUNTIMES=bun,deno,node, WORKLOADS=floor,sluice,pino,logtape,sluice-rotate,sluice-categories,
// LOGTAPE_DENO=1 to include LogTape on Deno (about a minute a run there).
// ANCHOR=floor-tuned: the ratios are to the tuned floor (bench/workloads/floor-tuned.mjs; add it to WORKLOADS).
import { execFileSync, spawnSync } from "node:child_process";
import { cpus, totalmem, tmpdir } from "node:os";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { join } from "node:path";

const root = new URL("../", import.meta.url).pathname;
const workloads = new URL("./workloads/", import.meta.url).pathname;
const shared = new URL("../../shared/bench/", import.meta.url).pathname;
const bin = (n) => join(root, "node_modules/.bin", n);
const N = Number(process.env.N ?? 1_000_000);
const ROUNDS = Number(process.env.ROUNDS ?? 5);
const RUNTIMES = (process.env.RUNTIMES ?? "bun,deno,node").split(",");
const WORKLOADS = (process.env.WORKLOADS ?? "floor,sluice,pino,logtape").split(",");
const ANCHOR = process.env.ANCHOR ?? "floor";

execFileSync(bin("tsc"), ["-p", join(root, "tsconfig.build.json")], { stdio: "inherit" });

const scripts = {
  floor: { script: join(workloads, "floor.mjs") },
  "floor-tuned": { script: join(workloads, "floor-tuned.mjs") },
  "shared-floor": { script: join(shared, "floor.mjs") },
  pino: { script: join(workloads, "pino.mjs") },
  logtape: { script: join(workloads, "logtape.mjs") },
  sluice: { script: join(root, "bench/sluice_file.mjs") },
  "sluice-rotate": { script: join(root, "bench/sluice_file.mjs"), env: { SINK: "rotate" }, dir: true },
  "sluice-categories": { script: join(root, "bench/sluice_file.mjs"), env: { SINK: "categories" }, dir: true },
};
const command = {
  bun: (s) => [bin("bun"), s],
  deno: (s) => [bin("deno"), "run", "-A", "--config", join(root, "deno.json"), s],
  // the resolve hook only for the shared workloads, outside this repository: a hook answers every
  // import through a worker (about 70 ms of CPU for sluice's modules), which no user pays
  node: (s) => [process.execPath, ...(s.startsWith(root) ? [] : ["--import", join(root, "bench/resolve_from_repo.mjs")]), s],
};
const entry = { bun: join(root, "mod.ts"), deno: join(root, "mod.ts"), node: join(root, "dist/mod.js") };

/** Lines in every file under `path` (rotated files and category directories included). */
const countLines = (path) => {
  const paths = statSync(path).isDirectory() ? readdirSync(path, { recursive: true }).map((f) => join(path, f)).filter((p) => statSync(p).isFile()) : [path];
  let n = 0;
  for (const p of paths) {
    const buf = readFileSync(p);
    for (let i = 0; i < buf.length; i++) if (buf[i] === 10) n++;
  }
  return n;
};

function runOnce(runtime, workload) {
  const w = scripts[workload];
  const dir = mkdtempSync(join(tmpdir(), "sluice-bench-"));
  const out = join(dir, w.dir ? "out" : "out.ndjson");
  const [cmd, ...args] = command[runtime](w.script);
  const r = spawnSync("/usr/bin/time", ["-f", "%e %M", cmd, ...args], {
    cwd: root, encoding: "utf8", env: { ...process.env, ...w.env, OUT: out, N: String(N), MOD: entry[runtime] }, timeout: 600_000,
  });
  const [wall, rssKb] = (r.stderr.trim().split("\n").at(-1) ?? "").split(" ").map(Number);
  let lines = -1;
  try { lines = countLines(dir); } catch { /* nothing written */ }
  rmSync(dir, { recursive: true, force: true });
  spawnSync("sync"); // each run starts with nothing of the last one waiting to reach the disk
  if (r.status !== 0 || lines !== N) return { error: `exit ${r.status}, ${lines} of ${N} lines: ${r.stderr.slice(-300)}` };
  return { wall, rssMb: rssKb / 1024 };
}

const median = (xs) => { const s = [...xs].sort((a, b) => a - b); return s.length ? s[(s.length - 1) >> 1] : NaN; };

// bench/workloads/ holds the floor and anchors, so the benchmark runs anywhere; when
// ../shared/bench is beside the checkout, check once that the two floors agree
if (existsSync(join(shared, "floor.mjs")) && !process.env.SKIP_FLOOR_CHECK) {
  const ours = [], theirs = [];
  for (let i = 0; i < 3; i++) {
    ours.push(runOnce(RUNTIMES[0], "floor").wall);
    theirs.push(runOnce(RUNTIMES[0], "shared-floor").wall);
  }
  const ratio = median(ours) / median(theirs);
  console.log(`floor check (${RUNTIMES[0]}, 3 interleaved runs): bench/workloads ${median(ours)} s, ../shared/bench ${median(theirs)} s, ratio ${ratio.toFixed(2)}` +
    (Math.abs(ratio - 1) > 0.15 ? " (they disagree by more than the noise: look before trusting the ratios)" : " (agree)"));
}
const results = {};
for (let round = 0; round < ROUNDS; round++) {
  for (const workload of WORKLOADS) {
    for (const runtime of RUNTIMES) {
      if (workload === "logtape" && (round > 0 || (runtime === "deno" && !process.env.LOGTAPE_DENO))) continue;
      const r = runOnce(runtime, workload);
      const key = `${runtime}/${workload}`;
      (results[key] ??= { walls: [], rss: [], errors: [] });
      if (r.error) results[key].errors.push(r.error);
      else { results[key].walls.push(r.wall); results[key].rss.push(r.rssMb); }
      process.stderr.write(`round ${round + 1} ${key}: ${r.error ?? r.wall + " s"}\n`);
    }
  }
}

const version = (c, a) => { try { return execFileSync(c, a, { encoding: "utf8" }).split("\n")[0].trim(); } catch { return "?"; } };
const cpu = cpus();
console.log(`\nmachine: ${cpu[0]?.model} x${cpu.length}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB; node ${process.version}, bun ${version(bin("bun"), ["--version"])}, ${version(bin("deno"), ["--version"])}; N=${N}, rounds=${ROUNDS} (LogTape: 1)\n`);
console.log(`| runtime | workload | median s | × ${ANCHOR} | peak RSS MB | runs |`);
console.log("| --- | --- | --- | --- | --- | --- |");
const table = {};
for (const runtime of RUNTIMES) {
  const floor = median(results[`${runtime}/${ANCHOR}`]?.walls ?? []);
  for (const workload of WORKLOADS) {
    const r = results[`${runtime}/${workload}`];
    if (!r) continue;
    const m = median(r.walls), rss = Math.max(...r.rss);
    table[`${runtime}/${workload}`] = { median: m, ratio: m / floor, rssMb: rss, runs: r.walls, errors: r.errors.length };
    console.log(`| ${runtime} | ${workload} | ${m.toFixed(2)} | ${(m / floor).toFixed(2)} | ${rss.toFixed(0)} | ${r.walls.join(" ")}${r.errors.length ? ` (${r.errors.length} failed)` : ""} |`);
  }
}
console.log("\ntargets:");
for (const runtime of RUNTIMES) {
  const s = table[`${runtime}/sluice`], p = table[`${runtime}/pino`];
  if (s) console.log(`- ${runtime}: sluice ${s.ratio.toFixed(2)}× ${ANCHOR} (≤ 1.5: ${s.ratio <= 1.5 ? "PASS" : "FAIL"})` +
    (p ? `, ${(s.median / p.median).toFixed(2)}× pino (≤ 0.5: ${s.median / p.median <= 0.5 ? "PASS" : "FAIL"})` : "") +
    `, peak RSS ${s.rssMb.toFixed(0)} MB (≤ 150: ${s.rssMb <= 150 ? "PASS" : "FAIL"})`);
  const c = table[`${runtime}/sluice-categories`], rot = table[`${runtime}/sluice-rotate`];
  if (ANCHOR === "floor-tuned") {
    console.log(`- ${runtime}: ${["sluice", "sluice-categories", "sluice-rotate"].filter((w) => table[`${runtime}/${w}`])
      .map((w) => `${w} ${table[`${runtime}/${w}`].ratio.toFixed(2)}× floor-tuned (≤ ${w === "sluice" ? "1.0" : "1.2"}: ${table[`${runtime}/${w}`].ratio <= (w === "sluice" ? 1 : 1.2) ? "PASS" : "FAIL"})`).join(", ")}`);
  }
  if (s && c) console.log(`- ${runtime}: 64 categories / 16 open files ${(s.median / c.median).toFixed(2)}× single-file throughput (≥ 0.6: ${s.median / c.median >= 0.6 ? "PASS" : "FAIL"}), peak RSS ${c.rssMb.toFixed(0)} MB`);
  if (s && rot) console.log(`- ${runtime}: rotation every 1 MB ${(s.median / rot.median).toFixed(2)}× no-rotation throughput (≥ 0.8: ${s.median / rot.median >= 0.8 ? "PASS" : "FAIL"})`);
}
console.log("\n" + JSON.stringify(table));
const failed = Object.values(results).some((r) => r.errors.length);
process.exit(failed ? 1 : 0);
