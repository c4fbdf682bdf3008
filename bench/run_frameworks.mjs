// Requests per second with a request logger ÷ without, the same handler, per framework:
// sluice/elysia vs @bogeychan/elysia-logger (pino) on Bun, sluice/express vs pino-http on Node,
// Fastify with sluice as loggerInstance vs Fastify's own pino (logger.file) on Node, and Fastify
// with sluice's plugin and Fastify's own request lines off. Each variant is a server process
// (bench/framework_server.mjs) on 127.0.0.1 loaded by autocannon in this process; the variants of
// a framework run one after another in each round, the order rotated each round, and each
// figure is the median over the rounds. Cost per request = 1e6/rps(logger) - 1e6/rps(bare) µs;
// beside it the server's own CPU time per request (utime + stime from /proc/<pid>/stat over the
// measured run ÷ requests), which other load on the machine disturbs far less than req/s. A
// second table puts sluice and pino head to head round by round (their req/s ratio, its median).
//
//   node bench/run_frameworks.mjs [--rounds 3] [--seconds 5] [--connections 10] [--only express] [--pin]
// `--pin` gives the server CPU 0 and this process (autocannon) CPU 1 (`taskset`), so the two do
// not take turns on one core and the server's own cost decides its req/s (on 2 or more CPUs).
// (after `npm run build`: Node runs the built dist/). With `--inproc N` each
// variant serves N requests in its own process without HTTP (app.handle, inject) and the table
// gives its CPU µs per request (req/s there is 1e6 / that): the logger's own cost, far steadier
// than a loopback run on a machine other work shares.
import { execFileSync, spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { once } from "node:events";
import { parseArgs } from "node:util";
import autocannon from "autocannon";

const { values } = parseArgs({
  options: { rounds: { type: "string", default: "3" }, seconds: { type: "string", default: "5" }, connections: { type: "string", default: "10" }, only: { type: "string" }, inproc: { type: "string" }, pin: { type: "boolean", default: false } },
});
const rounds = Number(values.rounds), seconds = Number(values.seconds), connections = Number(values.connections);
const bun = new URL("../node_modules/.bin/bun", import.meta.url).pathname;
if (values.pin) execFileSync("taskset", ["-a", "-p", "-c", "1", String(process.pid)], { stdio: "ignore" });
const TICKS = Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }));
const groups = [
  { framework: "elysia", runtime: bun, variants: ["bare", "sluice", "pino"] },
  { framework: "express", runtime: process.execPath, variants: ["bare", "sluice", "pino"] },
  { framework: "fastify", runtime: process.execPath, variants: ["bare", "sluice", "pino", "sluiceplugin"] },
].filter((g) => values.only === undefined || g.framework === values.only);

/** `--inproc N`: N requests served in the server's process, no HTTP; its CPU µs per request. */
async function measureInProcess(runtime, variant) {
  const out = execFileSync(runtime, [new URL("framework_server.mjs", import.meta.url).pathname, variant, "--inproc", values.inproc], { encoding: "utf8" });
  const cpuUs = Number(/cpu ([\d.]+)/.exec(out)[1]);
  return { rps: 1e6 / cpuUs, cpuUs };
}

async function measure(runtime, variant) {
  if (values.inproc !== undefined) return measureInProcess(runtime, variant);
  const server = [runtime, new URL("framework_server.mjs", import.meta.url).pathname, variant];
  const child = values.pin ? spawn("taskset", ["-c", "0", ...server], { stdio: ["ignore", "pipe", "inherit"] }) : spawn(server[0], server.slice(1), { stdio: ["ignore", "pipe", "inherit"] });
  let out = "";
  child.stdout.setEncoding("utf8");
  const port = await new Promise((resolve, reject) => {
    child.stdout.on("data", (d) => {
      out += d;
      const m = /port (\d+)/.exec(out);
      if (m) resolve(Number(m[1]));
    });
    child.once("exit", (code) => reject(new Error(`${variant} exited with ${code} before listening`)));
  });
  const url = `http://127.0.0.1:${port}/items`;
  await autocannon({ url, connections, duration: 1 }); // warm-up, not counted
  const cpu0 = cpuTicks(child.pid);
  const result = await autocannon({ url, connections, duration: seconds });
  const cpu = cpuTicks(child.pid) - cpu0;
  child.kill("SIGTERM");
  await once(child, "exit");
  if (result.non2xx > 0 || result.errors > 0) throw new Error(`${variant}: ${result.non2xx} non-2xx, ${result.errors} errors`);
  return { rps: result.requests.average, cpuUs: (cpu * 1e6) / TICKS / result.requests.total };
}

/** The server's CPU time so far (user + system, all threads), in clock ticks, from /proc. */
function cpuTicks(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return Number(fields[11]) + Number(fields[12]); // utime, stime (fields 14 and 15 of stat)
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const samples = new Map();
for (let r = 0; r < rounds; r++) {
  for (const g of groups) {
    const order = g.variants.map((_, i) => g.variants[(i + r) % g.variants.length]);
    for (const v of order) {
      const name = `${g.framework}-${v}`;
      const m = await measure(g.runtime, name);
      samples.set(name, [...(samples.get(name) ?? []), m]);
      console.error(`round ${r + 1} ${name}: ${Math.round(m.rps)} req/s, server CPU ${m.cpuUs.toFixed(1)} µs/request`);
    }
  }
}

console.log(`| framework (runtime) | logger | req/s (median of ${rounds}) | ÷ bare | µs per request (from req/s) | server CPU µs/request | logger's CPU µs/request |`);
console.log("| --- | --- | ---: | ---: | ---: | ---: | ---: |");
for (const g of groups) {
  const bare = median(samples.get(`${g.framework}-bare`).map((m) => m.rps));
  const bareCpu = median(samples.get(`${g.framework}-bare`).map((m) => m.cpuUs));
  for (const v of g.variants) {
    const rps = median(samples.get(`${g.framework}-${v}`).map((m) => m.rps));
    const cpu = median(samples.get(`${g.framework}-${v}`).map((m) => m.cpuUs));
    const cost = v === "bare" ? "" : (1e6 / rps - 1e6 / bare).toFixed(1);
    const cpuCost = v === "bare" ? "" : (cpu - bareCpu).toFixed(1);
    console.log(`| ${g.framework} (${g.runtime === bun ? "Bun" : "Node"}) | ${v} | ${Math.round(rps)} | ${(rps / bare).toFixed(3)} | ${cost} | ${cpu.toFixed(1)} | ${cpuCost} |`);
  }
}
// the loggers head to head within each round, whose variants ran one after another: a machine
// that slows for minutes moves both sides of a round together, not the medians of the columns
console.log("\n| framework | sluice ÷ pino, req/s, per round | median | rounds sluice served more |");
console.log("| --- | --- | ---: | ---: |");
for (const g of groups) {
  const s = samples.get(`${g.framework}-sluice`), p = samples.get(`${g.framework}-pino`);
  const ratios = s.map((m, r) => m.rps / p[r].rps);
  console.log(`| ${g.framework} | ${ratios.map((x) => x.toFixed(3)).join(" ")} | ${median(ratios).toFixed(3)} | ${ratios.filter((x) => x > 1).length} of ${ratios.length} |`);
}
