// Interleaved whole-process A/B of the 1M-record file workloads against the tuned floor: each
// round runs bench/workloads/floor-tuned.mjs, then bench/sluice_file.mjs (SINK file, rotate,
// categories) on BEFORE's entry and on this checkout's, on Bun, Deno and Node; medians of wall
// and CPU (user + system) time, every output checked for N lines. With SINKS holding categories,
// each round also runs bench/workloads/floor-tuned-categories.mjs (the tuned floor writing the
// same 64 files), and the table gives each row's ratio to the floor writing its files too. BEFORE (default ../bench-before)
// needs its dist/ built for Node. Env: N (records, 1M). Usage: ROUNDS=5 RUNTIMES=bun,deno,node SINKS=file,rotate,categories node bench/ab_file_cpu.mjs
import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { join } from "node:path";
import { tmpdir } from "node:os";
const root = new URL("../", import.meta.url).pathname;
const trees = { before: process.env.BEFORE ?? join(root, "../bench-before"), after: root };
const bin = (n) => join(root, "node_modules/.bin", n);
const N = Number(process.env.N ?? 1_000_000), ROUNDS = Number(process.env.ROUNDS ?? 5);
const RUNTIMES = (process.env.RUNTIMES ?? "bun,deno,node").split(",");
const SINKS = (process.env.SINKS ?? "file,rotate,categories").split(",");
const cmd = { bun: (s) => [bin("bun"), s], deno: (s) => [bin("deno"), "run", "-A", "--config", join(root, "deno.json"), s], node: (s) => [process.execPath, s] }; // every script here is in this repository: no resolve hook (see run_file.mjs)
const entry = (rt, tree) => rt === "node" ? join(trees[tree], "dist/mod.js") : join(trees[tree], "mod.ts");
const countLines = (path) => { const paths = statSync(path).isDirectory() ? readdirSync(path, { recursive: true }).map((f) => join(path, f)).filter((p) => statSync(p).isFile()) : [path]; let n = 0; for (const p of paths) { const b = readFileSync(p); for (let i = 0; i < b.length; i++) if (b[i] === 10) n++; } return n; };
function once(rt, script, env, isDir) {
  const dir = mkdtempSync(join(tmpdir(), "sluice-ab-")); const out = join(dir, isDir ? "out" : "out.ndjson");
  const [c, ...a] = cmd[rt](script);
  const r = spawnSync("/usr/bin/time", ["-f", "%e %U %S", c, ...a], { cwd: root, encoding: "utf8", env: { ...process.env, ...env, OUT: out, N: String(N) }, timeout: 600000 });
  const [wall, u, s] = r.stderr.trim().split("\n").at(-1).split(" ").map(Number);
  let lines = -1;
  try { lines = countLines(dir); } catch { /* nothing written */ }
  rmSync(dir, { recursive: true, force: true }); spawnSync("sync");
  if (r.status !== 0 || lines !== N) return { err: `exit ${r.status} lines ${lines} ${r.stderr.slice(-200)}` };
  return { wall, cpu: +(u + s).toFixed(2) };
}
const res = {};
for (let round = 1; round <= ROUNDS; round++) for (const rt of RUNTIMES) {
  const jobs = [["floor-tuned", () => once(rt, join(root, "bench/workloads/floor-tuned.mjs"), {}, false)]];
  if (SINKS.includes("categories")) jobs.push(["floor-tuned-categories", () => once(rt, join(root, "bench/workloads/floor-tuned-categories.mjs"), {}, true)]);
  for (const sink of SINKS) for (const tree of ["before", "after"]) jobs.push([`${sink}/${tree}`, () => once(rt, join(root, "bench/sluice_file.mjs"), { MOD: entry(rt, tree), SINK: sink }, sink !== "file")]);
  for (const [name, f] of jobs) { const r = f(); (res[`${rt} ${name}`] ??= []).push(r); process.stderr.write(`r${round} ${rt} ${name} ${JSON.stringify(r)}\n`); }
}
const med = (xs) => { const s = [...xs].sort((a, b) => a - b); return s[(s.length - 1) >> 1]; };
console.log("| runtime | workload | median wall s | × floor-tuned | × the floor writing the same files | median CPU s | walls |\n| --- | --- | --- | --- | --- | --- | --- |");
for (const rt of RUNTIMES) { const floorOf = (name) => res[`${rt} ${name}`] && med(res[`${rt} ${name}`].filter((r) => !r.err).map((r) => r.wall)); const fl = floorOf("floor-tuned");
  for (const [k, v] of Object.entries(res)) if (k.startsWith(rt + " ")) { const ok = v.filter((r) => !r.err); const w = med(ok.map((r) => r.wall)); const name = k.slice(rt.length + 1);
    const same = name.startsWith("categories/") ? floorOf("floor-tuned-categories") : name.startsWith("file/") ? fl : undefined;
    console.log(`| ${rt} | ${name} | ${w.toFixed(2)} | ${(w / fl).toFixed(2)} | ${same === undefined ? "–" : (w / same).toFixed(2)} | ${med(ok.map((r) => r.cpu)).toFixed(2)} | ${ok.map((r) => r.wall).join(" ")}${v.length - ok.length ? ` (${v.length - ok.length} failed)` : ""} |`); } }
